//! The first step: the files of the period's folder that a reader opens, the files meant as
//! input that none can (a WPS `.et`, a `.pdf` named after a unit: each an error saying to save
//! it as .xlsx, where skipping it would leave only "unit missing"), and a progress bar while
//! a large folder is read.

use super::unit_name::unit_from_file_name;
use crate::config::Config;
use crate::error::{Error, Result};
use std::path::{Path, PathBuf};

/// A period folder's files, sorted by name; lock files, hidden files and files that name no
/// unit and are no spreadsheet (a `说明.txt`) are left out.
#[derive(Debug, Default)]
pub struct Inputs {
    /// Files a reader opens: .xlsx, .xlsm, .xls, .ods, .csv.
    pub files: Vec<PathBuf>,
    /// Files that cannot be read, each with its message: (file name, message).
    pub refused: Vec<(String, String)>,
}

/// The files of `dir` (see [`Inputs`]).
pub fn input_files(cfg: &Config, dir: &Path) -> Result<Inputs> {
    let rd = std::fs::read_dir(dir).map_err(|e| {
        Error::Usage(format!(
            "输入文件夹无法读取 (cannot read the input folder) {}: {e}",
            dir.display()
        ))
    })?;
    let mut out = Inputs::default();
    for e in rd {
        let e = e.map_err(|e| Error::io(dir, e))?;
        let name = e.file_name().to_string_lossy().into_owned();
        if name.starts_with('.') || name.starts_with("~$") {
            continue;
        }
        // The entry's type comes with the listing; only a link is looked up (to its target).
        let is_file = match e.file_type() {
            Ok(t) if t.is_file() => true,
            Ok(t) if t.is_symlink() => e.path().is_file(),
            Ok(_) => false,
            Err(_) => e.path().is_file(),
        };
        if !is_file {
            continue;
        }
        let path = e.path();
        match classify(cfg, &path) {
            Kind::Read => out.files.push(path),
            Kind::Refuse(message) => out.refused.push((name, message)),
            Kind::Ignore => {}
        }
    }
    out.files.sort();
    out.refused.sort();
    Ok(out)
}

/// Why a file named `path` cannot be read although it is meant as input (a WPS `.et`, a
/// `.pdf` named after a unit), for `tongbao serve` to refuse such an upload as a folder would.
pub fn unreadable(cfg: &Config, path: &Path) -> Option<String> {
    match classify(cfg, path) {
        Kind::Refuse(message) => Some(message),
        Kind::Read | Kind::Ignore => None,
    }
}

enum Kind {
    /// A reader opens it.
    Read,
    /// Meant as input, but no reader can open it: the message.
    Refuse(String),
    /// None of the period's business (a `说明.txt`).
    Ignore,
}

fn classify(cfg: &Config, path: &Path) -> Kind {
    let ext = path
        .extension()
        .map(|x| x.to_string_lossy().to_lowercase())
        .unwrap_or_default();
    let save_as = |app: &str| {
        format!(
            "请在 {app} 中“另存为” Excel 工作簿 (.xlsx) 后放回文件夹 (in {app}, save it as an Excel workbook .xlsx and put that in the folder)"
        )
    };
    Kind::Refuse(match ext.as_str() {
        "xlsx" | "xlsm" | "xls" | "ods" | "csv" => return Kind::Read,
        "et" | "ett" => format!(
            "WPS 表格文件无法读取 (a WPS Spreadsheets .{ext} file cannot be read): {}",
            save_as("WPS")
        ),
        // calamine reads .xlsb but exposes no number formats: a growth typed as 9.2% would be
        // read as 0.092. Refused rather than misread.
        "xlsb" => format!(
            "Excel 二进制工作簿无法读取 (an Excel binary workbook .xlsb cannot be read): {}",
            save_as("Excel")
        ),
        _ => {
            let Some(u) = unit_from_file_name(cfg, path) else {
                return Kind::Ignore;
            };
            let what = if ext.is_empty() {
                "a file without an extension".to_string()
            } else {
                format!("a .{ext} file")
            };
            format!(
                "文件类型无法读取 ({what} cannot be read; its name says it is {}'s submission): 请把报表“另存为” Excel 工作簿 (.xlsx) 后放回文件夹 (save the table as an Excel workbook .xlsx and put that in the folder)",
                cfg.units[u].name
            )
        }
    })
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spreadsheets_are_read_unreadable_inputs_refused_the_rest_ignored() {
        let t = tempfile::tempdir().unwrap();
        for f in [
            "2015-07临颍县.xlsx",
            "舞阳县.CSV",
            "汇总.ods",
            "报表3.xls",
            "~$临颍县.xlsx",
            ".~舞阳县.et",
            "报表.ett",
            "西城区.xlsb",
            "召陵区.pdf",
            "郾城区报表.docx",
            "源汇区",
            "说明.txt",
            "README.md",
        ] {
            std::fs::write(t.path().join(f), b"x").unwrap();
        }
        std::fs::create_dir(t.path().join("经开区.xlsx")).unwrap();
        let inputs = input_files(&Config::default_city(), t.path()).unwrap();
        let names: Vec<String> = inputs
            .files
            .iter()
            .map(|p| p.file_name().unwrap().to_string_lossy().into_owned())
            .collect();
        assert_eq!(
            names,
            ["2015-07临颍县.xlsx", "报表3.xls", "汇总.ods", "舞阳县.CSV"]
        );
        let refused: Vec<(&str, &str)> = inputs
            .refused
            .iter()
            .map(|(n, m)| (n.as_str(), m.split(':').next().unwrap()))
            .collect();
        assert_eq!(
            refused,
            [
                (
                    "召陵区.pdf",
                    "文件类型无法读取 (a .pdf file cannot be read; its name says it is 召陵区's submission)"
                ),
                (
                    "报表.ett",
                    "WPS 表格文件无法读取 (a WPS Spreadsheets .ett file cannot be read)"
                ),
                (
                    "源汇区",
                    "文件类型无法读取 (a file without an extension cannot be read; its name says it is 源汇区's submission)"
                ),
                (
                    "西城区.xlsb",
                    "Excel 二进制工作簿无法读取 (an Excel binary workbook .xlsb cannot be read)"
                ),
                (
                    "郾城区报表.docx",
                    "文件类型无法读取 (a .docx file cannot be read; its name says it is 郾城区's submission)"
                ),
            ]
        );
        assert!(
            inputs
                .refused
                .iter()
                .all(|(_, m)| m.contains("“另存为” Excel 工作簿 (.xlsx) 后放回文件夹"))
        );
    }
}
