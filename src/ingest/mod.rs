//! Reading a period's folder (SPEC §2): submission workbooks and consolidated workbooks in
//! .xlsx, .xls and .ods, every variant real submissions come in, every error of the folder
//! collected with its file, sheet and cell.

mod cfb;
mod grid;
mod labels;
mod sheet;

pub use grid::cell_ref;

use crate::config::Config;
use crate::error::{Diagnostic, Diagnostics, Error, Location, Result};
use crate::model::{Ingested, Reading, SourceFile, Submission};
use crate::period::Period;
use rayon::prelude::*;
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// A file larger than this is no monthly submission.
pub const MAX_FILE_BYTES: u64 = 64 * 1024 * 1024;
/// Decompressed size of a zipped workbook (xlsx/ods) beyond which it is refused (zip bomb).
pub const MAX_UNZIPPED_BYTES: u64 = 256 * 1024 * 1024;
/// Sheets looked at per workbook.
pub const MAX_SHEETS: usize = 64;

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

/// Spreadsheet files of a folder, sorted by name; lock files and hidden files skipped.
pub fn input_files(dir: &Path) -> Result<Vec<PathBuf>> {
    let rd = std::fs::read_dir(dir).map_err(|e| {
        Error::Usage(format!(
            "输入文件夹无法读取 (cannot read the input folder) {}: {e}",
            dir.display()
        ))
    })?;
    let mut files = Vec::new();
    for e in rd {
        let e = e.map_err(|e| Error::io(dir, e))?;
        let name = e.file_name().to_string_lossy().into_owned();
        if name.starts_with('.') || name.starts_with("~$") {
            continue;
        }
        let ext = Path::new(&name)
            .extension()
            .map(|x| x.to_string_lossy().to_lowercase())
            .unwrap_or_default();
        if !matches!(ext.as_str(), "xlsx" | "xlsm" | "xls" | "ods") {
            continue;
        }
        // The entry's type comes with the listing; only a link is looked up (to its target).
        let is_file = match e.file_type() {
            Ok(t) if t.is_file() => true,
            Ok(t) if t.is_symlink() => e.path().is_file(),
            Ok(_) => false,
            Err(_) => e.path().is_file(),
        };
        if is_file {
            files.push(e.path());
        }
    }
    crate::output::sort_paths(&mut files);
    Ok(files)
}

/// Read and validate every input of `period` in `dir`.
pub fn ingest(cfg: &Config, period: Period, dir: &Path, opts: &Options) -> Result<Ingested> {
    let files = input_files(dir)?;
    if files.is_empty() {
        return Err(Error::Input {
            errors: Diagnostics(vec![Diagnostic::new(
                Location::file(dir.display().to_string()),
                format!("文件夹中没有报表 (no .xlsx/.xls/.ods file in the folder for {period})"),
            )]),
        });
    }
    let pb = progress_bar(files.len());
    let outcomes: Vec<FileOutcome> = files
        .par_iter()
        .map(|p| {
            let o = read_file_guarded(cfg, period, p);
            pb.inc(1);
            o
        })
        .collect();
    pb.finish_and_clear();
    assemble(cfg, period, outcomes, opts)
}

/// Runs of more than this many files show a progress bar (on a terminal only).
const PROGRESS_MIN_FILES: usize = 48;

/// A bar on stderr while the files are read; hidden for small runs and when stderr is not a
/// terminal, so logs and pipes stay clean.
fn progress_bar(files: usize) -> indicatif::ProgressBar {
    use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
    use std::io::IsTerminal;
    if files <= PROGRESS_MIN_FILES || !std::io::stderr().is_terminal() {
        return ProgressBar::with_draw_target(Some(files as u64), ProgressDrawTarget::hidden());
    }
    let pb = ProgressBar::with_draw_target(Some(files as u64), ProgressDrawTarget::stderr());
    if let Ok(style) =
        ProgressStyle::with_template("读取报表 (reading) {bar:40} {pos}/{len} {elapsed}")
    {
        pb.set_style(style);
    }
    pb
}

thread_local! {
    static IN_READER: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// Keep a reader library's panic message off the terminal: the file's error says it all.
/// Panics anywhere else are printed as usual.
pub fn install_panic_hook() {
    let previous = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        if !IN_READER.with(|r| r.get()) {
            previous(info);
        }
    }));
}

/// Read one file; a panic inside a reader library becomes this file's error.
fn read_file_guarded(cfg: &Config, period: Period, path: &Path) -> FileOutcome {
    let name = display_name(path);
    IN_READER.with(|r| r.set(true));
    let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        read_file(cfg, period, path)
    }));
    IN_READER.with(|r| r.set(false));
    match result {
        Ok(o) => o,
        Err(_) => FileOutcome {
            errors: vec![Diagnostic::new(
                Location::file(name),
                "文件损坏,读取时出错 (the file is damaged: the spreadsheet reader failed on it); open and save it again in Excel",
            )],
            ..Default::default()
        },
    }
}

pub(crate) fn display_name(path: &Path) -> String {
    path.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| path.display().to_string())
}

fn read_file(cfg: &Config, period: Period, path: &Path) -> FileOutcome {
    let name = display_name(path);
    let fail = |msg: String| FileOutcome {
        errors: vec![Diagnostic::new(Location::file(name.clone()), msg)],
        ..Default::default()
    };
    let too_large = |len: u64| {
        format!(
            "文件过大 (file too large): {} MB, a submission is at most {} MB",
            len / 1_048_576,
            MAX_FILE_BYTES / 1_048_576
        )
    };
    // Opened once, its size from the open file (thousands of files: a path lookup each
    // for the size and again for the read showed in a national run's system time).
    let read = || -> std::io::Result<Result<Vec<u8>, u64>> {
        use std::io::Read;
        let f = std::fs::File::open(path)?;
        let len = f.metadata()?.len();
        if len > MAX_FILE_BYTES {
            return Ok(Err(len));
        }
        let mut bytes = Vec::with_capacity(len as usize + 1);
        // (A file growing while read is cut just past the limit, and refused below.)
        f.take(MAX_FILE_BYTES + 1).read_to_end(&mut bytes)?;
        let n = bytes.len() as u64;
        Ok(if n > MAX_FILE_BYTES {
            Err(n)
        } else {
            Ok(bytes)
        })
    };
    match read() {
        Ok(Ok(bytes)) => read_bytes(cfg, period, path, bytes),
        Ok(Err(len)) => fail(too_large(len)),
        Err(e) => fail(format!("无法读取文件 (cannot read the file): {e}")),
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
    let o = read_bytes(cfg, period, path, bytes);
    OneFile {
        units: o.units.into_iter().map(|(u, r, _)| (u, r)).collect(),
        city: o.city.map(|(r, _)| r),
        errors: o.errors,
        warnings: o.warnings,
    }
}

fn read_bytes(cfg: &Config, period: Period, path: &Path, bytes: Vec<u8>) -> FileOutcome {
    let name = display_name(path);
    let fail = |msg: String| FileOutcome {
        errors: vec![Diagnostic::new(Location::file(name.clone()), msg)],
        ..Default::default()
    };
    if bytes.len() as u64 > MAX_FILE_BYTES {
        return fail(format!(
            "文件过大 (file too large): {} MB, a submission is at most {} MB",
            bytes.len() / 1_048_576,
            MAX_FILE_BYTES / 1_048_576
        ));
    }
    let sha256 = hex(&Sha256::digest(&bytes));
    if let Err(msg) = check_zip(&bytes) {
        return fail(msg);
    }
    if bytes.starts_with(&[0xD0, 0xCF, 0x11, 0xE0])
        && let Err(msg) = cfb::check(&bytes)
    {
        return fail(msg);
    }
    // OpenDocument packages (a stored `mimetype` part first) and compound files (.xls) keep
    // their raw bytes for what calamine does not expose (cells shown as a percent).
    let raw =
        if bytes.get(30..38) == Some(b"mimetype") || bytes.starts_with(&[0xD0, 0xCF, 0x11, 0xE0]) {
            bytes.clone()
        } else {
            Vec::new()
        };
    let cursor = std::io::Cursor::new(bytes);
    let mut wb = match open_by_content(path, cursor) {
        Ok(wb) => wb,
        Err(e) => {
            return fail(format!(
                "不是可读取的电子表格 (not a readable spreadsheet: {e}); expected .xlsx, .xls or .ods"
            ));
        }
    };
    let mut book = sheet::Calamine {
        wb: &mut wb,
        raw: &raw,
    };
    sheet::read_workbook(cfg, period, path, &name, sha256, &mut book)
}

fn open_by_content(
    path: &Path,
    cursor: std::io::Cursor<Vec<u8>>,
) -> std::result::Result<calamine::Sheets<std::io::Cursor<Vec<u8>>>, String> {
    use calamine::Reader;
    let ext = path
        .extension()
        .map(|x| x.to_string_lossy().to_lowercase())
        .unwrap_or_default();
    let head = cursor.get_ref().get(..8).unwrap_or(&[]).to_vec();
    let is_zip = head.starts_with(b"PK\x03\x04");
    let is_ole = head.starts_with(&[0xD0, 0xCF, 0x11, 0xE0]);
    // Trust the content over the extension: a .xls that is really an xlsx is common.
    if is_zip && ext != "ods" {
        if let Ok(x) = calamine::Xlsx::new(cursor.clone()) {
            return Ok(calamine::Sheets::Xlsx(x));
        }
        return calamine::Ods::new(cursor)
            .map(calamine::Sheets::Ods)
            .map_err(|e| e.to_string());
    }
    if is_zip {
        if let Ok(o) = calamine::Ods::new(cursor.clone()) {
            return Ok(calamine::Sheets::Ods(o));
        }
        return calamine::Xlsx::new(cursor)
            .map(calamine::Sheets::Xlsx)
            .map_err(|e| e.to_string());
    }
    if is_ole {
        return calamine::Xls::new(cursor)
            .map(calamine::Sheets::Xls)
            .map_err(|e| e.to_string());
    }
    Err("neither an Excel nor an OpenDocument file".into())
}

/// Refuse zip bombs before any reader inflates the package.
fn check_zip(bytes: &[u8]) -> std::result::Result<(), String> {
    if !bytes.starts_with(b"PK\x03\x04") {
        return Ok(());
    }
    let Ok(mut z) = zip::ZipArchive::new(std::io::Cursor::new(bytes)) else {
        return Err("文件损坏 (damaged zip package; not a readable .xlsx/.ods)".into());
    };
    if z.len() > 10_000 {
        return Err(format!(
            "文件结构异常 (the package holds {} parts; a workbook has a few dozen)",
            z.len()
        ));
    }
    let mut total: u64 = 0;
    for i in 0..z.len() {
        let Ok(f) = z.by_index_raw(i) else {
            return Err("文件损坏 (damaged zip package)".into());
        };
        total = total.saturating_add(f.size());
        let ratio = if f.compressed_size() > 0 {
            f.size() / f.compressed_size()
        } else {
            0
        };
        if f.size() > 16 * 1024 * 1024 && ratio > 100 {
            return Err(format!(
                "文件异常,疑似压缩炸弹 (part {} inflates {}× to {} MB; refused as a zip bomb)",
                f.name().map(|n| n.into_owned()).unwrap_or_default(),
                ratio,
                f.size() / 1_048_576
            ));
        }
    }
    if total > MAX_UNZIPPED_BYTES {
        return Err(format!(
            "文件解压后过大 (the workbook inflates to {} MB; at most {} MB is accepted)",
            total / 1_048_576,
            MAX_UNZIPPED_BYTES / 1_048_576
        ));
    }
    Ok(())
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Put the files together: duplicates, missing units, the city row.
fn assemble(
    cfg: &Config,
    period: Period,
    outcomes: Vec<FileOutcome>,
    opts: &Options,
) -> Result<Ingested> {
    let mut errors = Vec::new();
    let mut warnings = Vec::new();
    let mut sources = Vec::new();
    let mut by_unit: BTreeMap<usize, (Vec<Reading>, Location, usize)> = BTreeMap::new();
    let mut city: Option<(Vec<Reading>, Location, usize)> = None;
    for o in outcomes {
        errors.extend(o.errors);
        warnings.extend(o.warnings);
        let Some(src) = o.source else { continue };
        let si = sources.len();
        sources.push(src);
        for (u, readings, at) in o.units {
            if let Some((_, first, _)) = by_unit.get(&u) {
                errors.push(Diagnostic::new(
                    at,
                    format!(
                        "{} 有两份报表 (two submissions for {}): also in {}; remove one",
                        cfg.units[u].name, cfg.units[u].name, first
                    ),
                ));
            } else {
                by_unit.insert(u, (readings, at, si));
            }
        }
        if let Some((readings, at)) = o.city {
            if let Some((_, first, _)) = &city {
                errors.push(Diagnostic::new(
                    at,
                    format!("全市 row given twice: also in {first}"),
                ));
            } else {
                city = Some((readings, at, si));
            }
        }
    }
    let missing: Vec<usize> = (0..cfg.units.len())
        .filter(|u| !by_unit.contains_key(u))
        .collect();
    if !missing.is_empty() {
        let names: Vec<&str> = missing
            .iter()
            .map(|&u| cfg.units[u].name.as_str())
            .collect();
        let d = Diagnostic::new(
            Location::file(format!("{period}")),
            format!(
                "缺少 {} 个单位的报表 (missing submissions from {} unit(s)): {}{}",
                names.len(),
                names.len(),
                names.join("、"),
                if opts.allow_missing {
                    " — marked 未报 (--allow-missing)"
                } else {
                    " — use --allow-missing to mark them 未报 and go on"
                }
            ),
        );
        if opts.allow_missing {
            warnings.push(d)
        } else {
            errors.push(d)
        }
    }
    if !errors.is_empty() {
        errors.sort_by(|a, b| a.location.cmp(&b.location));
        return Err(Error::Input {
            errors: Diagnostics(errors),
        });
    }
    let submissions = by_unit
        .into_iter()
        .map(|(unit, (readings, _, source))| Submission {
            unit,
            source,
            readings,
        })
        .collect();
    let city = city.map(|(readings, _, source)| Submission {
        unit: usize::MAX,
        source,
        readings,
    });
    Ok(Ingested {
        period,
        submissions,
        city,
        sources,
        missing,
        warnings,
    })
}
