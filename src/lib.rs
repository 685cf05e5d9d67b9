//! tongbao (通报): the monthly industrial-indicator ranking bulletin of a prefecture-level city.
//!
//! The modules are the stages data flows through, in that order (ARCHITECTURE.md):
//! [`config`] → [`ingest`] → [`compute`] → [`history`] → the outputs [`bulletin`], [`charts`],
//! [`csv`], written together through [`output`]; [`assess`] works from the history and
//! [`template`] writes the blank forms. [`app`] runs the commands for the thin `main`.
//!
//! Without the default feature `pipeline` only the readers are built (config, ingest and what
//! they need): the fuzz targets use that, free of polars and the writers.

// The vocabulary every stage shares.
pub mod error;
pub mod model;
pub mod period;
pub mod text;
pub mod units;

// The stages, in pipeline order.
pub mod config;
pub mod ingest;
#[cfg(feature = "pipeline")]
pub mod compute;
#[cfg(feature = "pipeline")]
pub mod history;
#[cfg(feature = "pipeline")]
pub mod output;
#[cfg(feature = "pipeline")]
pub mod bulletin;
#[cfg(feature = "pipeline")]
pub mod charts;
#[cfg(feature = "pipeline")]
pub mod csv;
#[cfg(feature = "pipeline")]
pub mod assess;
#[cfg(feature = "pipeline")]
pub mod template;

// The commands.
#[cfg(feature = "pipeline")]
pub mod app;
#[cfg(feature = "pipeline")]
pub mod serve;

pub use config::Config;
pub use error::{Error, Result};
pub use period::Period;
