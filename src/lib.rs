//! tongbao (通报): the monthly industrial-indicator ranking bulletin of a prefecture-level city.
//!
//! Stages, each with one entry point: [`config`] → [`ingest`] → [`compute`] → [`history`],
//! then the outputs [`csv`], [`bulletin`], [`charts`]; [`assess`] works from the history.

#[cfg(feature = "pipeline")]
pub mod app;
#[cfg(feature = "pipeline")]
pub mod assess;
#[cfg(feature = "pipeline")]
pub mod bulletin;
#[cfg(feature = "pipeline")]
pub mod charts;
#[cfg(feature = "pipeline")]
pub mod compute;
pub mod config;
#[cfg(feature = "pipeline")]
pub mod csv;
pub mod error;
#[cfg(feature = "pipeline")]
pub mod history;
pub mod ingest;
pub mod model;
#[cfg(feature = "pipeline")]
pub mod output;
pub mod period;
#[cfg(feature = "pipeline")]
pub mod template;
pub mod text;
pub mod units;
// (new modules: add a `pub mod` line above, keep alphabetical order)
// Without the default feature `pipeline` only the readers are built (config, ingest and what
// they need): the fuzz targets use that, free of polars and the writers.

pub use config::Config;
pub use error::{Error, Result};
pub use period::Period;
