//! PNG charts (SPEC §4) — being written (issue 4).

use crate::config::Config;
use crate::error::{Error, Result};
use crate::model::PeriodResult;
use std::path::{Path, PathBuf};

/// Write the PNG charts into `dir/charts/`; returns the files written.
/// `history` is every recorded period of the same year up to and including this one.
pub fn write(cfg: &Config, result: &PeriodResult, history: &[PeriodResult], dir: &Path) -> Result<Vec<PathBuf>> {
    let _ = (cfg, result, history, dir);
    Err(Error::output("charts", "not yet implemented"))
}
