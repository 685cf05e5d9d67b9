//! A `.csv` file: a unit's submission (or a consolidated table) that a clerk opened in Excel or
//! WPS and saved as CSV. On a Chinese PC that is GBK (Excel's "CSV (逗号分隔)" on code page 936)
//! or UTF-8 with a BOM ("CSV UTF-8"); both are decoded, parsed into the same bounded grid a
//! workbook's sheet gives, every cell as text, and read by the workbooks' layout finding and
//! sheet readers. The sheet is named after the file's stem, as Excel names the only sheet of
//! a CSV it opens, so messages read `舞阳县.csv!舞阳县!D5`.

use super::book::{self, FileCtx};
use super::grid::{self, Grid, Value};
use super::layout::find_layout;
use super::{FileOutcome, display_name};
use crate::error::{Diagnostic, Location};
use crate::text::shorten;
use std::borrow::Cow;

/// Read the csv file of `file` from its bytes.
pub(super) fn read(file: FileCtx<'_>, bytes: &[u8]) -> FileOutcome {
    let text = match decode(bytes) {
        Ok(t) => t,
        Err(msg) => return FileOutcome::failed(file.name, msg),
    };
    let sheet = sheet_name(file.path);
    let grid = match parse(&text) {
        Ok(g) => g,
        Err(msg) => {
            let mut out = FileOutcome::default();
            out.errors
                .push(Diagnostic::new(Location::sheet(file.name, sheet), msg));
            return out;
        }
    };
    let mut out = FileOutcome::default();
    match find_layout(file.cfg, &grid) {
        Some(layout) => book::read_sheet(&file, &sheet, &grid, layout, &mut out),
        None => out.errors.push(book::no_header(file.name)),
    }
    out
}

/// The name Excel gives the only sheet of a csv it opens: the file's stem.
fn sheet_name(path: &std::path::Path) -> String {
    path.file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_else(|| display_name(path))
}

/// The text of a csv file: UTF-8 after a BOM, UTF-8 when it is valid UTF-8, else GB18030 (the
/// superset of GBK that Excel and WPS write on a code-page-936 PC). Bytes that are none of
/// these would decode with replacement characters, i.e. wrong labels and numbers: an error.
pub(super) fn decode(bytes: &[u8]) -> Result<Cow<'_, str>, String> {
    if bytes.starts_with(&[0xFF, 0xFE]) || bytes.starts_with(&[0xFE, 0xFF]) {
        return Err(format!(
            "文件编码为 UTF-16,无法读取 (the file is UTF-16 text, as Excel's \"Unicode 文本\" saves it): {SAVE_AS}"
        ));
    }
    if let Some(rest) = bytes.strip_prefix(b"\xEF\xBB\xBF") {
        return std::str::from_utf8(rest).map(Cow::Borrowed).map_err(|e| {
            format!(
                "文件编码有误 (the file starts with a UTF-8 byte-order mark but byte {} is not UTF-8): {SAVE_AS}",
                e.valid_up_to() + 3
            )
        });
    }
    if let Ok(s) = std::str::from_utf8(bytes) {
        return Ok(Cow::Borrowed(s));
    }
    encoding_rs::GB18030
        .decode_without_bom_handling_and_without_replacement(bytes)
        .ok_or_else(|| {
            format!("文件编码无法识别 (the file is neither UTF-8 nor GBK/GB18030 text): {SAVE_AS}")
        })
}

const SAVE_AS: &str = "请在 Excel 或 WPS 中打开,“另存为” Excel 工作簿 (.xlsx) 或 CSV 后放回文件夹 (open it in Excel or WPS and save it as an .xlsx workbook or as CSV)";

/// The grid of a csv text: a record is the row Excel shows it in when it opens the csv (a
/// blank line is a blank row, a line break inside a quoted field is none); fields are trimmed,
/// empty ones left out. Bounded like a workbook's sheet: rows past [`grid::MAX_ROWS`] are not
/// read, and more than [`grid::MAX_CELLS`] cells is the same error as for a sheet.
pub(super) fn parse(text: &str) -> Result<Grid, String> {
    let mut grid = Grid::default();
    let mut reader = ::csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes());
    let mut record = ::csv::StringRecord::new();
    let mut rows = RowCounter::new(text);
    loop {
        match reader.read_record(&mut record) {
            Ok(true) => {}
            Ok(false) => break,
            Err(e) => {
                return Err(format!(
                    "CSV 文件无法解析 (cannot parse the csv: {})",
                    shorten(&e.to_string(), 200)
                ));
            }
        }
        let row = rows.row_of(&record);
        if row >= u64::from(grid::MAX_ROWS) {
            grid.truncated = true;
            break;
        }
        for (col, field) in record.iter().enumerate() {
            let field = field.trim();
            if field.is_empty() {
                continue;
            }
            let col = u32::try_from(col).unwrap_or(u32::MAX);
            if !grid.insert(row as u32, col, Some(Value::Text(grid::cut(field)))) {
                return Err(book::load_error(grid::TOO_MANY_CELLS));
            }
        }
    }
    Ok(grid)
}

/// The row of each record: the line breaks before it, less those inside quoted fields. (The
/// csv crate skips blank lines, and its line numbers count from where it stopped reading the
/// previous record, so the breaks are counted here.)
struct RowCounter<'a> {
    bytes: &'a [u8],
    /// Where the previous record began, and the line breaks before that.
    at: usize,
    breaks: u64,
    /// Line breaks inside the fields of the records so far.
    inner: u64,
}

impl<'a> RowCounter<'a> {
    fn new(text: &'a str) -> Self {
        RowCounter {
            bytes: text.as_bytes(),
            at: 0,
            breaks: 0,
            inner: 0,
        }
    }

    fn row_of(&mut self, record: &::csv::StringRecord) -> u64 {
        // The reader's position is at or before the record's first byte, after the previous
        // record's: skip the line breaks in between.
        let mut start = record.position().map_or(self.at, |p| p.byte() as usize);
        start = start.clamp(self.at, self.bytes.len());
        while matches!(self.bytes.get(start), Some(b'\r' | b'\n')) {
            start += 1;
        }
        self.breaks += line_breaks(&self.bytes[self.at..start]);
        self.at = start;
        let row = self.breaks.saturating_sub(self.inner);
        self.inner += record
            .iter()
            .map(|f| line_breaks(f.as_bytes()))
            .sum::<u64>();
        row
    }
}

/// Line breaks as the csv reader sees them: `\n`, `\r\n` or a lone `\r`.
fn line_breaks(s: &[u8]) -> u64 {
    let mut n = 0;
    for (i, b) in s.iter().enumerate() {
        if *b == b'\n' || (*b == b'\r' && s.get(i + 1) != Some(&b'\n')) {
            n += 1;
        }
    }
    n
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(g: &Grid, r: u32, c: u32) -> Option<&str> {
        g.text(r, c)
    }

    #[test]
    fn gbk_bytes_are_decoded() {
        let (gbk, _, bad) = encoding_rs::GBK.encode("填报单位:舞阳县,1-本月累计\r\n");
        assert!(!bad);
        assert!(std::str::from_utf8(&gbk).is_err());
        assert_eq!(decode(&gbk).unwrap(), "填报单位:舞阳县,1-本月累计\r\n");
        // A character beyond GBK, in GB18030's four-byte form.
        let (gb, _, _) = encoding_rs::GB18030.encode("𠀀区");
        assert_eq!(decode(&gb).unwrap(), "𠀀区");
    }

    #[test]
    fn a_utf8_bom_is_dropped_and_plain_utf8_kept() {
        assert_eq!(
            decode("\u{FEFF}指标名称,本月".as_bytes()).unwrap(),
            "指标名称,本月"
        );
        assert_eq!(decode("指标名称,本月".as_bytes()).unwrap(), "指标名称,本月");
        assert_eq!(decode(b"").unwrap(), "");
    }

    #[test]
    fn undecodable_bytes_are_an_error() {
        // 0xFF is no lead byte in GB18030, and no UTF-8.
        let e = decode(b"\xC8\xFF,1\r\n").unwrap_err();
        assert!(e.contains("neither UTF-8 nor GBK"), "{e}");
        assert!(e.contains("另存为"), "{e}");
        let e = decode(b"\xEF\xBB\xBF\xC4\xE3").unwrap_err();
        assert!(e.contains("byte 3 is not UTF-8"), "{e}");
        let e = decode(b"\xFF\xFEh\x00").unwrap_err();
        assert!(e.contains("UTF-16"), "{e}");
    }

    #[test]
    fn quoted_fields_ragged_rows_and_crlf() {
        let g = parse(
            "标题\r\n指标名称,计量单位,本月,1-本月累计\r\n主营业务收入, 万元 ,\"1,234.5\",\"12,345.6\",,\r\n\
             利润总额,万元,-3.1,9.2%\r\n\"工业\n税收\",万元,\"a \"\"b\"\"\"\r\n",
        )
        .unwrap();
        assert_eq!(text(&g, 0, 0), Some("标题"));
        assert_eq!(g.get(0, 1), None);
        assert_eq!(text(&g, 1, 3), Some("1-本月累计"));
        assert_eq!(text(&g, 2, 1), Some("万元"));
        assert_eq!(text(&g, 2, 2), Some("1,234.5"));
        assert_eq!(text(&g, 2, 3), Some("12,345.6"));
        assert_eq!(g.get(2, 4), None);
        assert_eq!(text(&g, 3, 2), Some("-3.1"));
        assert_eq!(text(&g, 3, 3), Some("9.2%"));
        assert_eq!(text(&g, 4, 0), Some("工业\n税收"));
        assert_eq!(text(&g, 4, 2), Some("a \"b\""));
        assert_eq!(g.cells.len(), 16);
    }

    #[test]
    fn rows_are_numbered_as_excel_shows_them() {
        // A blank line is a blank row; a line break inside a quoted field is not a row.
        for eol in ["\n", "\r\n", "\r"] {
            let t = "a|||\"b|c\",d|e|,,|f".replace('|', eol);
            let g = parse(&t).unwrap();
            assert_eq!(text(&g, 0, 0), Some("a"), "{eol:?}");
            assert_eq!(text(&g, 3, 0), Some(format!("b{eol}c").as_str()), "{eol:?}");
            assert_eq!(text(&g, 3, 1), Some("d"), "{eol:?}");
            assert_eq!(text(&g, 4, 0), Some("e"), "{eol:?}");
            assert_eq!(text(&g, 6, 0), Some("f"), "{eol:?}");
            assert_eq!(g.rows(), vec![0, 3, 4, 6], "{eol:?}");
        }
    }

    #[test]
    fn the_grid_is_bounded() {
        let rows = "1\n".repeat(grid::MAX_ROWS as usize + 5);
        let g = parse(&rows).unwrap();
        assert_eq!(g.rows().len(), grid::MAX_ROWS as usize);
        assert!(g.truncated);
        let wide = format!("{}x\n", ",".repeat(grid::MAX_COLS as usize));
        let g = parse(&wide).unwrap();
        assert!(g.cells.is_empty() && g.truncated);
        let many = "1,".repeat(250) + "\n";
        let e = parse(&many.repeat(grid::MAX_CELLS / 250 + 2)).unwrap_err();
        assert!(e.contains("工作表过大"), "{e}");
    }

    /// A canonical submission as Excel saves it as "CSV (逗号分隔)" on a Chinese PC: GBK, CRLF,
    /// amounts shown with thousands separators (quoted), growth with a percent sign.
    const SUBMISSION: &str = "漯河市规模以上工业主要指标月报表,,,,,\r\n\
        填报单位:舞阳县,,报告期:2015年1-7月,,单位:万元、%,\r\n\
        指标名称,计量单位,本月,1-本月累计,上年同期累计,同比增长(%)\r\n\
        规模以上工业增加值,万元,\"3,210.5\",\"23,456.7\",\"21,000.0\",9.2%\r\n\
        主营业务收入,万元,\"12,000.0\",\"1,234.5\",\"1,200.0\",2.9\r\n\
        利润总额,万元,-3.1,-120.4,50.0,\r\n\
        工业税收,万元,12345.6,\" 99,000.0 \",-,\r\n";

    fn read(name: &str, bytes: Vec<u8>) -> crate::ingest::OneFile {
        let cfg = crate::config::Config::default_city();
        let period = "2015-07".parse().unwrap();
        crate::ingest::read_one(&cfg, period, std::path::Path::new(name), bytes)
    }

    #[test]
    fn a_gbk_submission_is_read_with_cells_named_as_in_excel() {
        let (gbk, _, bad) = encoding_rs::GBK.encode(SUBMISSION);
        assert!(!bad);
        let o = read("2015-07舞阳县.csv", gbk.into_owned());
        assert!(o.errors.is_empty(), "{:?}", o.errors);
        assert_eq!(o.units.len(), 1);
        let (u, readings) = &o.units[0];
        assert_eq!(*u, 1);
        let f = |x: &Option<crate::model::Field>| {
            x.as_ref().map(|f| (f.value.to_string(), f.at.to_string()))
        };
        let va = &readings[0];
        assert_eq!(
            f(&va.month),
            Some(("3210.5".into(), "2015-07舞阳县.csv!2015-07舞阳县!C4".into()))
        );
        assert_eq!(f(&va.value).unwrap().0, "23456.7");
        assert_eq!(f(&va.base).unwrap().0, "21000");
        assert_eq!(
            f(&va.growth),
            Some(("9.2".into(), "2015-07舞阳县.csv!2015-07舞阳县!F4".into()))
        );
        assert_eq!(f(&readings[1].value).unwrap().0, "1234.5");
        assert_eq!(f(&readings[2].month).unwrap().0, "-3.1");
        assert_eq!(f(&readings[2].value).unwrap().0, "-120.4");
        assert_eq!(f(&readings[3].month).unwrap().0, "12345.6");
        assert_eq!(f(&readings[3].value).unwrap().0, "99000");
        assert_eq!(readings[3].base, None);
    }

    #[test]
    fn a_bad_cell_and_a_file_without_header_are_errors_naming_the_file() {
        let bad = SUBMISSION.replace("\"1,234.5\"", "一千");
        let mut with_bom = b"\xEF\xBB\xBF".to_vec();
        with_bom.extend_from_slice(bad.as_bytes());
        let o = read("舞阳县.csv", with_bom);
        let msgs: Vec<String> = o.errors.iter().map(|d| d.to_string()).collect();
        assert_eq!(msgs.len(), 1, "{msgs:?}");
        assert!(msgs[0].starts_with("舞阳县.csv!舞阳县!D5"), "{msgs:?}");
        assert!(msgs[0].contains("一千"), "{msgs:?}");
        let o = read("舞阳县.csv", "a,b\r\n1,2\r\n".into());
        assert_eq!(o.errors.len(), 1);
        assert!(o.errors[0].to_string().starts_with("舞阳县.csv"));
        assert!(o.errors[0].message.contains("找不到表头"), "{:?}", o.errors);
        let o = read("舞阳县.csv", b"\xC8\xFF,1".to_vec());
        assert_eq!(o.errors[0].location.to_string(), "舞阳县.csv");
        assert!(o.errors[0].message.contains("GBK"));
    }

    /// Random csv text, in each encoding, never panics, and every cell is on a row that some
    /// line starts.
    #[test]
    fn random_csv_text_never_panics() {
        let alphabet = [",", "\"", "\r", "\n", " ", "1", "中", "\"\""];
        let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
        let mut next = || {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x
        };
        for i in 0..3000 {
            let len = next() % 64;
            let text: String = (0..len).map(|_| alphabet[(next() % 8) as usize]).collect();
            let bytes = match i % 3 {
                0 => text.clone().into_bytes(),
                1 => [b"\xEF\xBB\xBF".as_slice(), text.as_bytes()].concat(),
                _ => encoding_rs::GBK.encode(&text).0.into_owned(),
            };
            assert_eq!(decode(&bytes).unwrap(), text);
            let g = parse(&text).unwrap();
            let lines = line_breaks(text.as_bytes()) as u32;
            assert!(g.cells.keys().all(|(r, _)| *r <= lines), "{text:?}");
        }
    }
}
