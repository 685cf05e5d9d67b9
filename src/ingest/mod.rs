//! Reading a period's folder (SPEC §2): submission workbooks and consolidated workbooks in
//! .xlsx, .xls and .ods, or saved as .csv, every variant real submissions come in, every error
//! of the folder collected with its file, sheet and cell.
//!
//! The steps, each in its module: list the folder's files (`folder`, which also refuses the
//! files meant as input that cannot be read) → guard each file (`guard`: size, zip bomb, .xls
//! tables, reader panics) → open it with calamine (`book`) and copy a sheet into a bounded
//! `grid`, or decode and parse a csv into one (`csv_file`) → find its `layout` → read its
//! readings (`submission` or `consolidated`, through `sheet`) → put the files together
//! (`assemble`).

mod assemble;
mod book;
mod cfb;
mod consolidated;
mod csv_file;
mod folder;
mod grid;
mod guard;
mod labels;
mod layout;
mod sheet;
mod submission;
mod unit_name;

pub use assemble::is_missing_units;
pub use folder::{Inputs, input_files, unreadable};
pub use grid::cell_ref;
pub use guard::{MAX_FILE_BYTES, MAX_SHEETS, MAX_UNZIPPED_BYTES, install_panic_hook};

use crate::config::Config;
use crate::error::{Diagnostic, Diagnostics, Error, Location, Result};
use crate::model::{Ingested, Reading, SourceFile};
use crate::period::Period;
use rayon::prelude::*;
use sha2::{Digest, Sha256};
use std::path::Path;

#[derive(Debug, Clone, Default)]
pub struct Options {
    /// Go on when units are missing, marking them 未报.
    pub allow_missing: bool,
}

/// What one file yielded.
#[derive(Debug, Default)]
pub(crate) struct FileOutcome {
    pub source: Option<SourceFile>,
    /// (unit index, readings, where the unit was named)
    pub units: Vec<(usize, Vec<Reading>, Location)>,
    pub city: Option<(Vec<Reading>, Location)>,
    pub errors: Vec<Diagnostic>,
    pub warnings: Vec<Diagnostic>,
}

impl FileOutcome {
    /// The outcome of a file that could not be read: one error naming the file.
    fn failed(name: &str, message: String) -> FileOutcome {
        FileOutcome {
            errors: vec![Diagnostic::new(Location::file(name), message)],
            ..Default::default()
        }
    }
}

/// Read and validate every input of `period` in `dir`.
pub fn ingest(cfg: &Config, period: Period, dir: &Path, opts: &Options) -> Result<Ingested> {
    let Inputs { files, refused } = input_files(cfg, dir)?;
    if files.is_empty() && refused.is_empty() {
        return Err(Error::Input {
            errors: Diagnostics(vec![Diagnostic::new(
                Location::file(dir.display().to_string()),
                format!(
                    "文件夹中没有报表 (no .xlsx/.xls/.ods/.csv file in the folder for {period})"
                ),
            )]),
        });
    }
    let pb = folder::progress_bar(files.len());
    let mut outcomes: Vec<FileOutcome> = files
        .par_iter()
        .map(|p| {
            let o = guard::catch_panic(display_name(p), || read_file(cfg, period, p));
            pb.inc(1);
            o
        })
        .collect();
    pb.finish_and_clear();
    outcomes.extend(
        refused
            .into_iter()
            .map(|(name, message)| FileOutcome::failed(&name, message)),
    );
    assemble::assemble(cfg, period, outcomes, opts)
}

pub(crate) fn display_name(path: &Path) -> String {
    path.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| path.display().to_string())
}

fn read_file(cfg: &Config, period: Period, path: &Path) -> FileOutcome {
    match guard::read(path) {
        Ok(bytes) => read_bytes(cfg, period, path, bytes),
        Err(msg) => FileOutcome::failed(&display_name(path), msg),
    }
}

/// What reading one workbook gave, for the fuzz target and tests: units read and messages.
#[derive(Debug, Default)]
pub struct OneFile {
    /// (unit index, readings) in sheet order; the city row is not included.
    pub units: Vec<(usize, Vec<Reading>)>,
    pub city: Option<Vec<Reading>>,
    pub errors: Vec<Diagnostic>,
    pub warnings: Vec<Diagnostic>,
}

/// Read one workbook from its bytes, as if it were the file `path`. No panic is caught here:
/// this is the surface the fuzzer drives.
pub fn read_one(cfg: &Config, period: Period, path: &Path, bytes: Vec<u8>) -> OneFile {
    one_file(read_bytes(cfg, period, path, bytes))
}

/// [`read_one`] with a reader's panic caught as the file's error, as when a folder is read:
/// `tongbao serve` validates an upload with it.
pub fn read_one_guarded(cfg: &Config, period: Period, path: &Path, bytes: Vec<u8>) -> OneFile {
    let name = display_name(path);
    one_file(guard::catch_panic(name, || {
        read_bytes(cfg, period, path, bytes)
    }))
}

fn one_file(o: FileOutcome) -> OneFile {
    OneFile {
        units: o.units.into_iter().map(|(u, r, _)| (u, r)).collect(),
        city: o.city.map(|(r, _)| r),
        errors: o.errors,
        warnings: o.warnings,
    }
}

/// Guard, open and read one file's bytes: a csv by its extension (unless its content is a
/// workbook's), anything else as a workbook, by its content.
fn read_bytes(cfg: &Config, period: Period, path: &Path, bytes: Vec<u8>) -> FileOutcome {
    let name = display_name(path);
    if let Err(msg) = guard::check(&bytes) {
        return FileOutcome::failed(&name, msg);
    }
    let file = book::FileCtx {
        cfg,
        period,
        path,
        name: &name,
        sha256: hex(&Sha256::digest(&bytes)),
    };
    let is_csv = path
        .extension()
        .is_some_and(|x| x.eq_ignore_ascii_case("csv"));
    if is_csv && !book::is_workbook(&bytes) {
        return csv_file::read(file, &bytes);
    }
    match book::Book::open(path, bytes) {
        Ok(mut book) => book::read_workbook(file, &mut book),
        Err(e) => FileOutcome::failed(
            &name,
            format!(
                "不是可读取的电子表格 (not a readable spreadsheet: {e}); expected .xlsx, .xls, .ods or .csv"
            ),
        ),
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}
