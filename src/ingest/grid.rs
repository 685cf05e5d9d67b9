//! A bounded, sparse copy of a sheet's cells: whatever the file claims, only cells inside the
//! window a real submission can use are kept, so a stray cell at row 1,000,000 costs nothing.

use calamine::{Data, DataRef, Reader};
use std::collections::BTreeMap;

/// Rows and columns beyond these are never needed (a national consolidated sheet has ~3,000 rows).
pub const MAX_ROWS: u32 = 20_000;
pub const MAX_COLS: u32 = 256;
/// Cells kept per sheet at most.
pub const MAX_CELLS: usize = 400_000;
/// Characters kept of a text cell; labels and numbers are short.
pub const MAX_TEXT: usize = 1_000;

#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Number {
        value: f64,
        percent_format: bool,
    },
    Text(String),
    Bool(bool),
    Date(String),
    Error(String),
    /// A formula whose result was never saved (a file written by a program, not by Excel).
    Formula(String),
}

#[derive(Debug, Default)]
pub struct Grid {
    pub cells: BTreeMap<(u32, u32), Value>,
    /// Cells outside the window were dropped.
    pub truncated: bool,
}

impl Grid {
    pub fn get(&self, row: u32, col: u32) -> Option<&Value> {
        self.cells.get(&(row, col))
    }

    pub fn text(&self, row: u32, col: u32) -> Option<&str> {
        match self.get(row, col) {
            Some(Value::Text(s)) => Some(s.as_str()),
            _ => None,
        }
    }

    /// Cells of one row, left to right.
    pub fn row(&self, row: u32) -> impl Iterator<Item = (u32, &Value)> {
        self.cells
            .range((row, 0)..(row, u32::MAX))
            .map(|((_, c), v)| (*c, v))
    }

    /// Distinct rows that have cells, in order.
    pub fn rows(&self) -> Vec<u32> {
        let mut out: Vec<u32> = self.cells.keys().map(|(r, _)| *r).collect();
        out.dedup();
        out
    }

    pub(super) fn insert(&mut self, row: u32, col: u32, v: Option<Value>) -> bool {
        let Some(v) = v else { return true };
        if row >= MAX_ROWS || col >= MAX_COLS {
            self.truncated = true;
            return true;
        }
        self.cells.insert((row, col), v);
        self.cells.len() <= MAX_CELLS
    }
}

pub(super) fn cut(s: &str) -> String {
    if s.len() <= MAX_TEXT {
        s.to_string()
    } else {
        s.chars().take(MAX_TEXT).collect()
    }
}

fn from_data(d: &Data) -> Option<Value> {
    Some(match d {
        Data::Empty => return None,
        Data::Int(i) => Value::Number {
            value: *i as f64,
            percent_format: false,
        },
        Data::Float(f) => Value::Number {
            value: *f,
            percent_format: false,
        },
        Data::String(s) => {
            if s.trim().is_empty() {
                return None;
            }
            Value::Text(cut(s))
        }
        Data::Bool(b) => Value::Bool(*b),
        Data::DateTime(dt) => Value::Date(format!("{}", dt.as_f64())),
        Data::DateTimeIso(s) | Data::DurationIso(s) => Value::Date(cut(s)),
        Data::Error(e) => Value::Error(format!("{e}")),
    })
}

fn from_ref(d: &DataRef<'_>, percent_format: bool) -> Option<Value> {
    Some(match d {
        DataRef::Empty => return None,
        DataRef::Int(i) => Value::Number {
            value: *i as f64,
            percent_format,
        },
        DataRef::Float(f) => Value::Number {
            value: *f,
            percent_format,
        },
        DataRef::String(s) => {
            if s.trim().is_empty() {
                return None;
            }
            Value::Text(cut(s))
        }
        DataRef::SharedString(s) => {
            if s.trim().is_empty() {
                return None;
            }
            Value::Text(cut(s))
        }
        DataRef::Bool(b) => Value::Bool(*b),
        DataRef::DateTime(dt) => Value::Date(format!("{}", dt.as_f64())),
        DataRef::DateTimeIso(s) | DataRef::DurationIso(s) => Value::Date(cut(s)),
        DataRef::Error(e) => Value::Error(format!("{e}")),
    })
}

/// Error text of a sheet that cannot be loaded within bounds.
pub const TOO_MANY_CELLS: &str = "too many cells";

/// Load a sheet, streaming for xlsx (bounded memory whatever the used range claims) and through
/// calamine's range for xls/ods (their size is bounded by the file-size check before).
/// `raw` is the file's bytes, used for what calamine does not expose (xls and ods percent
/// cells).
pub fn load<RS: std::io::Read + std::io::Seek>(
    wb: &mut calamine::Sheets<RS>,
    sheet: &str,
    raw: &[u8],
) -> Result<Grid, String> {
    let mut grid = Grid::default();
    match wb {
        calamine::Sheets::Xlsx(x) => {
            let mut reader = x.worksheet_cells_reader(sheet).map_err(|e| e.to_string())?;
            let percent: Vec<bool> = reader
                .styles()
                .iter()
                .map(|s| {
                    s.number_format
                        .as_ref()
                        .is_some_and(|n| is_percent_format(&n.format_code))
                })
                .collect();
            while let Some((cell, style)) = reader
                .next_cell_with_style_id()
                .map_err(|e| e.to_string())?
            {
                let (r, c) = cell.get_position();
                let pf = percent.get(style).copied().unwrap_or(false);
                if !grid.insert(r, c, from_ref(cell.get_value(), pf)) {
                    return Err(TOO_MANY_CELLS.into());
                }
            }
        }
        calamine::Sheets::Ods(o) => {
            let range = o.worksheet_range(sheet).map_err(|e| e.to_string())?;
            insert_range(&mut grid, &range, &ods_percent_cells(raw, sheet))?;
        }
        calamine::Sheets::Xls(x) => {
            let range = x.worksheet_range(sheet).map_err(|e| e.to_string())?;
            // By position: a BIFF5 sheet name is in the file's code page, calamine's decoded.
            let index = x.sheet_names().iter().position(|n| n == sheet);
            let percent = index
                .map(|i| super::cfb::percent_cells(raw, i, is_percent_format))
                .unwrap_or_default();
            insert_range(&mut grid, &range, &percent)?;
        }
        other => {
            let range = other.worksheet_range(sheet).map_err(|e| e.to_string())?;
            insert_range(&mut grid, &range, &Default::default())?;
        }
    }
    Ok(grid)
}

/// Copy a calamine range into the grid at its absolute positions; numbers in `percent` cells are
/// marked as shown with a percent format.
fn insert_range(
    grid: &mut Grid,
    range: &calamine::Range<calamine::Data>,
    percent: &std::collections::HashSet<(u32, u32)>,
) -> Result<(), String> {
    let (r0, c0) = range.start().unwrap_or((0, 0));
    for (r, c, v) in range.used_cells() {
        let (r, c) = (r0 + r as u32, c0 + c as u32);
        let mut v = from_data(v);
        if let Some(Value::Number { percent_format, .. }) = &mut v {
            *percent_format = percent.contains(&(r, c));
        }
        if !grid.insert(r, c, v) {
            return Err(TOO_MANY_CELLS.into());
        }
    }
    Ok(())
}

/// Cells of an OpenDocument sheet whose value type is `percentage` (calamine gives 0.092 for
/// a cell showing 9.2%). Repeated rows and columns are counted, never expanded.
fn ods_percent_cells(raw: &[u8], sheet: &str) -> std::collections::HashSet<(u32, u32)> {
    use quick_xml::events::Event;
    let mut out = std::collections::HashSet::new();
    let Ok(mut z) = zip::ZipArchive::new(std::io::Cursor::new(raw)) else {
        return out;
    };
    let Ok(f) = z.by_name("content.xml") else {
        return out;
    };
    let limited = std::io::Read::take(f, 256 << 20);
    let mut reader = quick_xml::Reader::from_reader(std::io::BufReader::new(limited));
    let mut buf = Vec::new();
    let (mut in_sheet, mut row, mut next_row, mut col) = (false, 0u64, 0u64, 0u64);
    let attr = |e: &quick_xml::events::BytesStart<'_>, key: &str| -> Option<String> {
        e.attributes()
            .flatten()
            .find(|a| a.key.as_ref() == key)
            .map(|a| a.value.to_string())
    };
    loop {
        buf.clear();
        let e = match reader.read_event_into(&mut buf) {
            Ok(Event::Eof) | Err(_) => break,
            Ok(Event::Start(e)) | Ok(Event::Empty(e)) => e,
            Ok(Event::End(e)) if in_sheet && e.name().as_ref() == "table:table" => break,
            Ok(_) => continue,
        };
        let rep = |k: &str| attr(&e, k).and_then(|v| v.parse::<u64>().ok()).unwrap_or(1);
        match e.name().as_ref() {
            "table:table" => {
                in_sheet = attr(&e, "table:name").as_deref() == Some(sheet);
                next_row = 0;
            }
            "table:table-row" if in_sheet => {
                row = next_row;
                next_row = next_row.saturating_add(rep("table:number-rows-repeated"));
                col = 0;
            }
            "table:table-cell" | "table:covered-table-cell" if in_sheet => {
                let n = rep("table:number-columns-repeated");
                if attr(&e, "office:value-type").as_deref() == Some("percentage") {
                    for k in 0..n.min(MAX_COLS as u64) {
                        if row < MAX_ROWS as u64 && col + k < MAX_COLS as u64 {
                            out.insert((row as u32, (col + k) as u32));
                        }
                    }
                }
                col = col.saturating_add(n);
            }
            _ => {}
        }
    }
    out
}

/// Formula cells without a saved result read as empty in the first pass, i.e. "not reported".
/// This second pass (xlsx only; it costs another parse of the sheet, so the caller runs it only
/// when an expected number is empty) marks them so that they are reported instead.
pub fn mark_unsaved_formulas<RS: std::io::Read + std::io::Seek>(
    wb: &mut calamine::Sheets<RS>,
    sheet: &str,
    grid: &mut Grid,
) -> Result<(), String> {
    let calamine::Sheets::Xlsx(x) = wb else {
        return Ok(());
    };
    let mut reader = x.worksheet_cells_reader(sheet).map_err(|e| e.to_string())?;
    while let Some(f) = reader.next_cell_with_formula().map_err(|e| e.to_string())? {
        let (r, c) = f.pos;
        if let (Some(formula), DataRef::Empty) = (f.formula, &f.value)
            && r < MAX_ROWS
            && c < MAX_COLS
            && !grid.cells.contains_key(&(r, c))
        {
            grid.cells.insert((r, c), Value::Formula(cut(&formula)));
        }
    }
    Ok(())
}

/// A number format that shows a percent (`0.0%`), ignoring quoted literals.
pub(super) fn is_percent_format(code: &str) -> bool {
    let mut in_quote = false;
    let mut prev_escape = false;
    for ch in code.chars() {
        match ch {
            '"' if !prev_escape => in_quote = !in_quote,
            '%' if !in_quote && !prev_escape => return true,
            _ => {}
        }
        prev_escape = ch == '\\';
    }
    false
}

/// Excel-style reference of a zero-based cell: (3, 4) -> "E4".
pub fn cell_ref(row: u32, col: u32) -> String {
    let mut c = col + 1;
    let mut letters = Vec::new();
    while c > 0 {
        let rem = (c - 1) % 26;
        letters.push((b'A' + rem as u8) as char);
        c = (c - 1) / 26;
    }
    letters.iter().rev().collect::<String>() + &(row + 1).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn references() {
        assert_eq!(cell_ref(0, 0), "A1");
        assert_eq!(cell_ref(5, 4), "E6");
        assert_eq!(cell_ref(0, 25), "Z1");
        assert_eq!(cell_ref(0, 26), "AA1");
        assert_eq!(cell_ref(1_048_575, 16_383), "XFD1048576");
    }

    #[test]
    fn percent_formats() {
        assert!(is_percent_format("0.0%"));
        assert!(is_percent_format("0%"));
        assert!(!is_percent_format("0.0\"%\""));
        assert!(!is_percent_format("#,##0.0"));
    }
}
