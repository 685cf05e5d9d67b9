//! The month's outputs and how they reach the disk. Each output (the bulletin workbook, the PNG
//! charts, `rankings.csv`) is an [`Output`]; a run writes them all, side by side, into one
//! [`Staging`] folder and commits them together, so that an interrupted or failed run never
//! leaves a half-written file in the place of a good one.
//!
//! A new output is a type implementing [`Output`], added to [`ALL`].

mod staging;

pub use staging::{Staging, file_stem, write_atomic};

use crate::config::Config;
use crate::error::Result;
use crate::model::{Ingested, PeriodResult};
use std::path::Path;

/// What every output of a month is made from.
pub struct Month<'a> {
    pub cfg: &'a Config,
    pub result: &'a PeriodResult,
    pub ingested: &'a Ingested,
    /// The year's recorded periods up to and including this one, oldest first.
    pub year: &'a [PeriodResult],
}

/// One output of a month, written into the staging folder `dir`.
pub trait Output: Sync {
    /// Its name in `--timings`.
    fn name(&self) -> &'static str;
    fn write(&self, month: &Month<'_>, dir: &Path) -> Result<()>;
}

/// Every output of `tongbao run`, in the order `--timings` lists them (they are written side
/// by side).
pub const ALL: &[&dyn Output] = &[&Csv, &Bulletin, &Charts];

/// The bulletin workbook ([`crate::bulletin`]).
pub struct Bulletin;

impl Output for Bulletin {
    fn name(&self) -> &'static str {
        "workbook"
    }
    fn write(&self, m: &Month<'_>, dir: &Path) -> Result<()> {
        crate::bulletin::write(m.cfg, m.result, m.ingested, dir).map(drop)
    }
}

/// The PNG charts ([`crate::charts`]).
pub struct Charts;

impl Output for Charts {
    fn name(&self) -> &'static str {
        "charts"
    }
    fn write(&self, m: &Month<'_>, dir: &Path) -> Result<()> {
        crate::charts::write(m.cfg, m.result, m.year, dir).map(drop)
    }
}

/// `rankings.csv` ([`crate::csv`]).
pub struct Csv;

impl Output for Csv {
    fn name(&self) -> &'static str {
        "csv"
    }
    fn write(&self, m: &Month<'_>, dir: &Path) -> Result<()> {
        write_atomic(
            &dir.join("rankings.csv"),
            crate::csv::render(m.result).as_bytes(),
        )
    }
}
