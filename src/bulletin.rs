//! The bulletin workbook (SPEC §4) — being written (issue 4).

use crate::config::Config;
use crate::error::{Error, Result};
use crate::model::{Ingested, PeriodResult};
use std::path::{Path, PathBuf};

/// Write the bulletin workbook into `dir`; returns the file written.
/// `history` is every recorded period of the same year up to and including this one.
pub fn write(cfg: &Config, result: &PeriodResult, ingested: &Ingested, history: &[PeriodResult], dir: &Path) -> Result<PathBuf> {
    let _ = (cfg, result, ingested, history, dir);
    Err(Error::output("bulletin", "not yet implemented"))
}
