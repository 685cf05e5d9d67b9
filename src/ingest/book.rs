//! One workbook: opened with calamine by its content, its sheets tried in order until one has a
//! layout ([`super::layout`]), that sheet read as a submission or a consolidated workbook
//! ([`read_sheet`], which a csv file's one grid goes through too).

use super::FileOutcome;
use super::grid::{self, Grid};
use super::guard::MAX_SHEETS;
use super::layout::{HEADER_ROWS, Layout, find_layout, has_empty_numbers};
use super::sheet::SheetReader;
use crate::config::Config;
use crate::error::{Diagnostic, Location};
use crate::model::{SourceFile, SourceKind};
use crate::period::Period;
use crate::text::shorten;
use calamine::Reader as _;
use std::io::Cursor;
use std::path::Path;

/// A workbook open in calamine, with the file's bytes kept for what calamine does not expose.
pub(super) struct Book {
    wb: calamine::Sheets<Cursor<Vec<u8>>>,
    /// The file's bytes for .ods and .xls (their cells shown as a percent); empty for .xlsx.
    raw: Vec<u8>,
}

/// Whether the bytes are a zip package or a compound file, the containers of every workbook
/// calamine reads.
pub(super) fn is_workbook(bytes: &[u8]) -> bool {
    bytes.starts_with(b"PK\x03\x04") || bytes.starts_with(&[0xD0, 0xCF, 0x11, 0xE0])
}

impl Book {
    /// Open by content, whatever the extension says: a .xls that is really an xlsx is common.
    pub(super) fn open(path: &Path, bytes: Vec<u8>) -> Result<Book, String> {
        let is_zip = bytes.starts_with(b"PK\x03\x04");
        let is_ole = bytes.starts_with(&[0xD0, 0xCF, 0x11, 0xE0]);
        // OpenDocument packages (a stored `mimetype` part first) and compound files (.xls)
        // keep their raw bytes for what calamine does not expose (cells shown as a percent).
        let raw = if bytes.get(30..38) == Some(b"mimetype") || is_ole {
            bytes.clone()
        } else {
            Vec::new()
        };
        let ext = path
            .extension()
            .map(|x| x.to_string_lossy().to_lowercase())
            .unwrap_or_default();
        let cursor = Cursor::new(bytes);
        let wb = if is_zip && ext != "ods" {
            match calamine::Xlsx::new(cursor.clone()) {
                Ok(x) => calamine::Sheets::Xlsx(x),
                Err(_) => calamine::Sheets::Ods(calamine::Ods::new(cursor).map_err(string)?),
            }
        } else if is_zip {
            match calamine::Ods::new(cursor.clone()) {
                Ok(o) => calamine::Sheets::Ods(o),
                Err(_) => calamine::Sheets::Xlsx(calamine::Xlsx::new(cursor).map_err(string)?),
            }
        } else if is_ole {
            calamine::Sheets::Xls(calamine::Xls::new(cursor).map_err(string)?)
        } else {
            return Err("neither an Excel nor an OpenDocument file".into());
        };
        Ok(Book { wb, raw })
    }

    fn load(&mut self, sheet: &str) -> Result<Grid, String> {
        grid::load(&mut self.wb, sheet, &self.raw)
    }

    /// Mark formulas without a saved result (see [`grid::mark_unsaved_formulas`]).
    fn mark_unsaved_formulas(&mut self, sheet: &str, grid: &mut Grid) {
        let _ = grid::mark_unsaved_formulas(&mut self.wb, sheet, grid);
    }
}

fn string(e: impl ToString) -> String {
    e.to_string()
}

/// The file being read: what a sheet's reading and the record of its source need.
pub(super) struct FileCtx<'a> {
    pub cfg: &'a Config,
    pub period: Period,
    pub path: &'a Path,
    /// The file's name, for messages.
    pub name: &'a str,
    pub sha256: String,
}

/// Read the first sheet of `book` that has a layout; the error of the first sheet that could
/// not be loaded, or "no header", when none has.
pub(super) fn read_workbook(file: FileCtx<'_>, book: &mut Book) -> FileOutcome {
    let (cfg, name) = (file.cfg, file.name);
    let mut out = FileOutcome::default();
    let sheets = book.wb.sheet_names();
    if sheets.len() > MAX_SHEETS {
        out.warnings.push(Diagnostic::new(
            Location::file(name),
            format!(
                "{} sheets; only the first {MAX_SHEETS} were looked at",
                sheets.len()
            ),
        ));
    }
    let mut first_error: Option<Diagnostic> = None;
    for sheet in sheets.iter().take(MAX_SHEETS) {
        let mut grid = match book.load(sheet) {
            Ok(g) => g,
            Err(e) => {
                first_error.get_or_insert(Diagnostic::new(
                    Location::sheet(name, sheet.as_str()),
                    load_error(&e),
                ));
                continue;
            }
        };
        if let Some(layout) = find_layout(cfg, &grid) {
            if has_empty_numbers(cfg, &grid, &layout) {
                book.mark_unsaved_formulas(sheet, &mut grid);
            }
            read_sheet(&file, sheet, &grid, layout, &mut out);
            return out;
        }
    }
    out.errors
        .push(first_error.unwrap_or_else(|| no_header(name)));
    out
}

/// Read the sheet `sheet` of the file in its `layout` into `out`, and record the file as a
/// source read from that sheet. Workbooks and csv files share this.
pub(super) fn read_sheet(
    file: &FileCtx<'_>,
    sheet: &str,
    grid: &Grid,
    layout: Layout,
    out: &mut FileOutcome,
) {
    let mut r = SheetReader {
        cfg: file.cfg,
        period: file.period,
        name: file.name,
        sheet,
        grid,
        out,
    };
    let (kind, found_period) = match layout {
        Layout::Submission { header, cols } => (
            SourceKind::Submission,
            r.submission(file.path, header, &cols),
        ),
        Layout::Consolidated {
            header,
            unit_col,
            cols,
        } => (
            SourceKind::Consolidated,
            r.consolidated(header, unit_col, &cols),
        ),
    };
    let units = unit_names(file.cfg, out);
    out.source = Some(SourceFile {
        path: file.path.to_path_buf(),
        name: file.name.to_string(),
        sha256: file.sha256.clone(),
        kind,
        sheet: sheet.to_string(),
        units,
        period: found_period,
    });
}

/// The error of a file where no sheet has a header.
pub(super) fn no_header(name: &str) -> Diagnostic {
    Diagnostic::new(
        Location::file(name),
        format!(
            "找不到表头 (no header row in the first {HEADER_ROWS} rows of any sheet): expected a row with 指标名称 and 1-本月累计 (a unit's submission), or indicator names over 1-本月累计/上年同期/同比增长 columns (a consolidated workbook)"
        ),
    )
}

/// The message of a sheet that could not be loaded.
pub(super) fn load_error(e: &str) -> String {
    if e == grid::TOO_MANY_CELLS {
        format!(
            "工作表过大 (the sheet has more than {} cells; a submission has a few dozen)",
            grid::MAX_CELLS
        )
    } else {
        format!(
            "工作表无法读取 (cannot read the sheet: {})",
            shorten(e, 200)
        )
    }
}

/// The units a file gave, in sheet order, 全市 first when it has the city row.
fn unit_names(cfg: &Config, out: &FileOutcome) -> Vec<String> {
    let mut units: Vec<String> = out
        .units
        .iter()
        .map(|(u, _, _)| cfg.units[*u].name.clone())
        .collect();
    if out.city.is_some() {
        units.insert(0, "全市".into());
    }
    units
}
