//! The first step: the spreadsheet files of the period's folder, and a progress bar while a
//! large folder is read.

use crate::error::{Error, Result};
use std::path::{Path, PathBuf};

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
    files.sort();
    Ok(files)
}

/// Runs of more than this many files show a progress bar (on a terminal only).
const PROGRESS_MIN_FILES: usize = 48;

/// A bar on stderr while the files are read; hidden for small runs and when stderr is not a
/// terminal, so logs and pipes stay clean.
pub(super) fn progress_bar(files: usize) -> indicatif::ProgressBar {
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
