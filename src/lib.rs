//! tongbao (通报): the monthly industrial-indicator ranking bulletin of a prefecture-level city.
//!
//! Stages, each with one entry point: [`config`] → [`ingest`] → [`compute`] → [`history`],
//! then the outputs [`csv`], [`bulletin`], [`charts`]; [`assess`] works from the history.

pub mod app;
pub mod assess;
pub mod bulletin;
pub mod charts;
pub mod compute;
pub mod config;
pub mod csv;
pub mod error;
pub mod fonts;
pub mod history;
pub mod ingest;
pub mod model;
pub mod output;
pub mod period;
pub mod template;
pub mod text;
pub mod units;
// (new modules: add a `pub mod` line above, keep alphabetical order)

pub use config::Config;
pub use error::{Error, Result};
pub use period::Period;
