//! Year-end assessment and quarterly review (SPEC §5) — being written (issue 5).

use crate::config::Config;
use crate::error::{Error, Result};
use crate::period::Period;
use std::path::{Path, PathBuf};

/// Build the assessment of `year` (through `through`, default the year's last recorded period)
/// from the history in `history_dir`, writing the workbook, assessment.csv and charts into `out_dir`.
pub fn run(
    cfg: &Config,
    history_dir: &Path,
    year: i32,
    through: Option<Period>,
    out_dir: &Path,
) -> Result<Vec<PathBuf>> {
    let _ = (cfg, history_dir, year, through, out_dir);
    Err(Error::output("assess", "not yet implemented"))
}
