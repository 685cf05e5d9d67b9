//! The official look shared by the bulletin, the assessment workbook and the templates: an
//! attached table of an official document (GB/T 9704 spirit) — 黑体 titles, 宋体 body in the
//! GB2312 charset, thin borders, A4 landscape one page wide with 「— 1 —」 page numbers, column
//! widths measured on the CJK text (2 per wide character) — and the safe names of sheets.
//! [`Sheet`] is a worksheet that measures its columns as it is written.

use rust_xlsxwriter::{Format, FormatAlign, FormatBorder, Worksheet, XlsxError};
use unicode_width::UnicodeWidthStr;

/// Title font (GB/T 9704: 方正小标宋简体 or 黑体) and body font.
pub(crate) const TITLE_FONT: &str = "黑体";
pub(crate) const BODY_FONT: &str = "宋体";
/// GB2312 character set.
pub(crate) const CHARSET: u8 = 134;
/// What a cell without a number shows.
pub(crate) const DASH: &str = "—";
/// Excel's limit on a cell's text (with a margin).
pub(crate) const MAX_CELL_CHARS: usize = 32_000;

pub(crate) type Xr<T = ()> = std::result::Result<T, XlsxError>;

// ---------------------------------------------------------------------------------------------
// Text

/// `s` cut to what a cell holds, with an ellipsis.
pub(crate) fn clip(s: &str) -> String {
    if s.chars().count() > MAX_CELL_CHARS {
        s.chars().take(MAX_CELL_CHARS - 1).chain(['…']).collect()
    } else {
        s.to_string()
    }
}

/// Display width in columns of narrow characters (CJK counts 2), of the widest line.
pub(crate) fn display_width(s: &str) -> usize {
    s.lines().map(UnicodeWidthStr::width).max().unwrap_or(0)
}

/// Column width in Excel units for text `w` narrow characters wide, within `min..=max`.
pub(crate) fn column_width(w: usize, min: f64, max: f64) -> f64 {
    (w as f64 * 1.1 + 2.5).clamp(min, max)
}

/// Sheet names for `names`: at most 31 characters, none of `[]:*?/\`, unique
/// (case-insensitively), none of `reserved`; an empty name becomes 指标N.
pub(crate) fn sheet_names<'a>(
    names: impl IntoIterator<Item = &'a str>,
    reserved: &[&str],
) -> Vec<String> {
    let mut used: Vec<String> = reserved.iter().map(|s| s.to_lowercase()).collect();
    let mut out = Vec::new();
    for (i, n) in names.into_iter().enumerate() {
        let base: String = n
            .chars()
            .map(|c| {
                if "[]:*?/\\".contains(c) || c.is_control() {
                    '_'
                } else {
                    c
                }
            })
            .collect::<String>()
            .trim_matches('\'')
            .chars()
            .take(31)
            .collect();
        let mut name = if base.trim().is_empty() {
            format!("指标{}", i + 1)
        } else {
            base
        };
        let mut k = 2;
        while used.contains(&name.to_lowercase()) {
            let suffix = format!("({k})");
            name = name
                .chars()
                .take(31 - suffix.chars().count())
                .collect::<String>()
                + &suffix;
            k += 1;
        }
        used.push(name.to_lowercase());
        out.push(name);
    }
    out
}

// ---------------------------------------------------------------------------------------------
// Formats

/// `name` at `size` points in the GB2312 charset, so that Excel picks a Chinese font: where
/// every format of ours starts.
pub(crate) fn font(name: &str, size: impl Into<f64>) -> Format {
    Format::new()
        .set_font_name(name)
        .set_font_charset(CHARSET)
        .set_font_size(size)
}

/// Body text: 宋体 11, vertically centred, no border.
pub(crate) fn body() -> Format {
    font(BODY_FONT, 11).set_align(FormatAlign::VerticalCenter)
}

/// A table cell: body text with thin borders.
pub(crate) fn cell() -> Format {
    body().set_border(FormatBorder::Thin)
}

/// The sheet title: 黑体 18, centred.
pub(crate) fn title() -> Format {
    font(TITLE_FONT, 18)
        .set_align(FormatAlign::Center)
        .set_align(FormatAlign::VerticalCenter)
}

/// A column header: 黑体 11, bordered, centred, wrapped, light blue.
pub(crate) fn header() -> Format {
    font(TITLE_FONT, 11)
        .set_border(FormatBorder::Thin)
        .set_align(FormatAlign::Center)
        .set_align(FormatAlign::VerticalCenter)
        .set_text_wrap()
        .set_background_color(0xD9E1F2)
}

/// Notes under a table: body text wrapped, top left.
pub(crate) fn note() -> Format {
    body()
        .set_text_wrap()
        .set_align(FormatAlign::Left)
        .set_align(FormatAlign::Top)
}

/// A 万元 amount: `#,##0.0`, right.
pub(crate) fn amount() -> Format {
    cell()
        .set_num_format("#,##0.0")
        .set_align(FormatAlign::Right)
}

/// A percentage: `0.0`, right.
pub(crate) fn pct() -> Format {
    cell().set_num_format("0.0").set_align(FormatAlign::Right)
}

/// A rank: `0`, centred.
pub(crate) fn rank() -> Format {
    cell().set_align(FormatAlign::Center).set_num_format("0")
}

// ---------------------------------------------------------------------------------------------
// Sheets

/// A worksheet being filled, measuring every column as it goes: rust_xlsxwriter's autofit
/// measures what it holds, and a CJK character's width differs from its guess.
pub(crate) struct Sheet {
    pub ws: Worksheet,
    /// Widest text of each column so far, in narrow characters.
    pub widths: Vec<usize>,
}

impl Sheet {
    pub fn new(name: &str) -> Xr<Sheet> {
        let mut ws = Worksheet::new();
        ws.set_name(name)?;
        Ok(Sheet {
            ws,
            widths: Vec::new(),
        })
    }

    /// Column `col` is at least `w` narrow characters wide.
    pub fn measure(&mut self, col: u16, w: usize) {
        let c = col as usize;
        if self.widths.len() <= c {
            self.widths.resize(c + 1, 0);
        }
        self.widths[c] = self.widths[c].max(w);
    }

    /// Text (never a formula), measured.
    pub fn string(&mut self, row: u32, col: u16, s: &str, fmt: &Format) -> Xr {
        self.measure(col, display_width(s));
        self.ws.write_string_with_format(row, col, clip(s), fmt)?;
        Ok(())
    }

    /// A number; `shown` is how it prints, for the column width.
    pub fn number(&mut self, row: u32, col: u16, v: f64, shown: &str, fmt: &Format) -> Xr {
        self.number_of_width(row, col, v, display_width(shown), fmt)
    }

    /// A number that prints `width` narrow characters wide.
    pub fn number_of_width(
        &mut self,
        row: u32,
        col: u16,
        v: f64,
        width: usize,
        fmt: &Format,
    ) -> Xr {
        self.measure(col, width);
        self.ws.write_number_with_format(row, col, v, fmt)?;
        Ok(())
    }

    /// An empty cell with a format (the borders of a table without a value).
    pub fn blank(&mut self, row: u32, col: u16, fmt: &Format) -> Xr {
        self.ws.write_blank(row, col, fmt)?;
        Ok(())
    }

    /// Merge (or write one cell when the range is a single cell); not measured.
    pub fn merged(&mut self, r0: u32, c0: u16, r1: u32, c1: u16, s: &str, fmt: &Format) -> Xr {
        if r0 == r1 && c0 == c1 {
            self.ws.write_string_with_format(r0, c0, clip(s), fmt)?;
        } else {
            self.ws.merge_range(r0, c0, r1, c1, &clip(s), fmt)?;
        }
        Ok(())
    }

    /// The heading of a table over columns 0..=`last_col`: row 0 (36 pt) the title, row 1
    /// (20 pt) `left` over columns 0..=`split` and `right` over the rest; `texts` and `fmts`
    /// are [title, left, right].
    pub fn heading(
        &mut self,
        last_col: u16,
        split: u16,
        texts: [&str; 3],
        fmts: [&Format; 3],
    ) -> Xr {
        self.merged(0, 0, 0, last_col, texts[0], fmts[0])?;
        self.ws.set_row_height(0, 36)?;
        self.merged(1, 0, 1, split, texts[1], fmts[1])?;
        self.merged(1, split + 1, 1, last_col, texts[2], fmts[2])?;
        self.ws.set_row_height(1, 20)?;
        Ok(())
    }

    /// Set the measured widths (Excel units; a CJK character is about two of them), each at
    /// least `min` and at most `max` (wider text wraps); returns them.
    pub fn apply_widths(&mut self, min: f64, max: f64) -> Xr<Vec<f64>> {
        let mut out = Vec::new();
        for (c, w) in self.widths.clone().into_iter().enumerate() {
            let width = column_width(w, min, max);
            self.ws.set_column_width(c as u16, width)?;
            out.push(width);
        }
        Ok(out)
    }

    /// Print setup of an official attached table: A4 landscape, one page wide, centred,
    /// 「— 1 —」 page numbers, rows 0..=`repeat_to` repeated on every page.
    pub fn page_setup(&mut self, repeat_to: Option<u32>) -> Xr {
        self.ws.set_landscape();
        self.ws.set_paper_size(9);
        self.ws.set_print_fit_to_pages(1, 0);
        self.ws.set_print_center_horizontally(true);
        self.ws.set_margins(0.6, 0.6, 0.75, 0.75, 0.3, 0.4);
        self.ws.set_footer("&C&\"宋体,常规\"&11— &P —");
        if let Some(last) = repeat_to {
            self.ws.set_repeat_rows(0, last)?;
        }
        Ok(())
    }

    /// Lines of text under a table, each merged over `cols` columns (`total_width` Excel units
    /// wide), its row as high as the wrapped text (15 pt a line, at most 100 lines, plus `pad`);
    /// returns the next free row.
    pub fn notes(
        &mut self,
        first_row: u32,
        cols: u16,
        total_width: f64,
        lines: &[String],
        fmt: &Format,
        pad: f64,
    ) -> Xr<u32> {
        let mut row = first_row;
        for l in lines {
            self.merged(row, 0, row, cols.saturating_sub(1), l, fmt)?;
            let n = (display_width(l) as f64 * 1.1 / (total_width - 1.0).max(10.0))
                .ceil()
                .clamp(1.0, 100.0);
            self.ws.set_row_height(row, 15.0 * n + pad)?;
            row += 1;
        }
        Ok(row)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn widths_names_and_stems() {
        assert_eq!(display_width("城乡一体化示范区"), 16);
        assert_eq!(display_width("ab\n城乡"), 4);
        assert_eq!(column_width(10, 6.0, 40.0), 13.5);
        assert_eq!(column_width(0, 6.0, 40.0), 6.0);
        assert_eq!(column_width(100, 6.0, 40.0), 40.0);
        assert_eq!(clip(&"长".repeat(40_000)).chars().count(), MAX_CELL_CHARS);
        let names = sheet_names(
            ["排序总表", "a[1]", "A[1]", "", "x".repeat(40).as_str()],
            &["排序总表"],
        );
        assert_eq!(
            names,
            [
                "排序总表(2)".to_string(),
                "a_1_".into(),
                "A_1_(2)".into(),
                "指标4".into(),
                "x".repeat(31),
            ]
        );
    }
}
