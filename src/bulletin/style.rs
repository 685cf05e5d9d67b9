//! The official look shared by the bulletin and the assessment workbook: an attached table of an
//! official document (GB/T 9704 spirit) — 黑体 titles, 宋体 body in the GB2312 charset, thin
//! borders, A4 landscape one page wide with 「— 1 —」 page numbers, column widths measured on
//! the CJK text (2 per wide character) — and the safe names of sheets and output files.

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

/// Body text: 宋体 11, vertically centred, no border.
pub(crate) fn body() -> Format {
    Format::new()
        .set_font_name(BODY_FONT)
        .set_font_charset(CHARSET)
        .set_font_size(11)
        .set_align(FormatAlign::VerticalCenter)
}

/// A table cell: body text with thin borders.
pub(crate) fn cell() -> Format {
    body().set_border(FormatBorder::Thin)
}

/// The sheet title: 黑体 18, centred.
pub(crate) fn title() -> Format {
    Format::new()
        .set_font_name(TITLE_FONT)
        .set_font_charset(CHARSET)
        .set_font_size(18)
        .set_align(FormatAlign::Center)
        .set_align(FormatAlign::VerticalCenter)
}

/// A column header: 黑体 11, bordered, centred, wrapped, light blue.
pub(crate) fn header() -> Format {
    Format::new()
        .set_font_name(TITLE_FONT)
        .set_font_charset(CHARSET)
        .set_font_size(11)
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

/// A cell of a table body, kept by [`Sheet`] until the sheet is finished.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct BodyCell {
    pub row: u32,
    pub col: u16,
    /// Which of the sheet's body formats.
    pub slot: u8,
    pub value: BodyValue,
}

#[derive(Debug, Clone, PartialEq)]
pub(crate) enum BodyValue {
    /// Finite.
    Number(f64),
    /// At most [`MAX_CELL_CHARS`] characters.
    Text(Box<str>),
    /// Borders without a value.
    Blank,
}

/// The body of a finished sheet: its cells in (row, column) order, and where each body
/// format was written for rust_xlsxwriter to give it a style index: (slot, row, column).
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct Body {
    pub cells: Vec<BodyCell>,
    pub placeholders: Vec<(u8, u32, u16)>,
    /// Ranges merged over body cells, (first row, first column, last row, last column), in
    /// the order merged.
    pub merges: Vec<(u32, u16, u32, u16)>,
    /// Row heights in pixels as rust_xlsxwriter keeps them, (row, pixels), by row, the last
    /// set of each row.
    pub heights: Vec<(u32, u32)>,
}

/// rust_xlsxwriter's (and Excel's) default row height in pixels: a row this high has no
/// height of its own in the XML.
pub(crate) const DEFAULT_ROW_PIXELS: u32 = 20;

/// Excel's sheet size, as rust_xlsxwriter checks it.
fn check_cell(row: u32, col: u16) -> Xr {
    if row < 1_048_576 && col < 16_384 {
        Ok(())
    } else {
        Err(XlsxError::RowColumnLimitError)
    }
}

/// A range within Excel's sheet, its first cell before its last, as rust_xlsxwriter checks a
/// merge.
fn check_range(r0: u32, c0: u16, r1: u32, c1: u16) -> Xr {
    check_cell(r0, c0)?;
    check_cell(r1, c1)?;
    if r0 > r1 || c0 > c1 {
        return Err(XlsxError::RowColumnOrderError);
    }
    Ok(())
}

/// A worksheet being filled, measuring every column as it goes.
pub(crate) struct Sheet {
    pub ws: Worksheet,
    /// Widest text of each column so far, in narrow characters.
    pub widths: Vec<usize>,
    /// Formats of the table body by slot (see [`Sheet::body_number`]) and the body cells in
    /// the order written.
    slots: Vec<Option<Format>>,
    body: Vec<BodyCell>,
    /// Cells written with an explicit format after some body cells, with the number of body
    /// cells at that moment: a later explicit write wins over an earlier body cell.
    explicit: rustc_hash::FxHashMap<(u32, u16), usize>,
    /// Body merges and row heights (see [`Body`]), and every merged cell of the sheet with
    /// the range it belongs to, to refuse an overlap as rust_xlsxwriter does: Excel rejects
    /// a file with one.
    merges: Vec<(u32, u16, u32, u16)>,
    heights: Vec<(u32, u32)>,
    merged_cells: rustc_hash::FxHashMap<(u32, u16), (u32, u16, u32, u16)>,
}

impl Sheet {
    pub fn new(name: &str) -> Xr<Sheet> {
        let mut ws = Worksheet::new();
        ws.set_name(name)?;
        Ok(Sheet {
            ws,
            widths: Vec::new(),
            slots: Vec::new(),
            body: Vec::new(),
            explicit: rustc_hash::FxHashMap::default(),
            merges: Vec::new(),
            heights: Vec::new(),
            merged_cells: rustc_hash::FxHashMap::default(),
        })
    }

    /// Keep a body cell with the format of `slot` (`fmt`, the same format for a slot
    /// throughout the sheet). rust_xlsxwriter spends about a microsecond on every cell it
    /// stores (a `BTreeMap` entry, the whole `Format` hashed, the XML assembled through
    /// `fmt`), and the table bodies are most of a national workbook's 250,000 cells: they are
    /// kept here and written by [`crate::bulletin::xlsxbody`].
    fn keep(&mut self, row: u32, col: u16, slot: u8, fmt: &Format, value: BodyValue) {
        let i = usize::from(slot);
        if self.slots.len() <= i {
            self.slots.resize(i + 1, None);
        }
        match &self.slots[i] {
            Some(f) => debug_assert!(f == fmt, "slot {slot} holds one format"),
            None => self.slots[i] = Some(fmt.clone()),
        }
        self.body.push(BodyCell {
            row,
            col,
            slot,
            value,
        });
    }

    /// Cells (`r0..=r1`, `c0..=c1`) are being written with an explicit format.
    fn written(&mut self, r0: u32, c0: u16, r1: u32, c1: u16) {
        if self.body.is_empty() {
            return;
        }
        for r in r0..=r1 {
            for c in c0..=c1 {
                self.explicit.insert((r, c), self.body.len());
            }
        }
    }

    /// A body number of `width` narrow characters whose format is that of `slot`.
    pub fn body_number(
        &mut self,
        row: u32,
        col: u16,
        v: f64,
        width: usize,
        slot: u8,
        fmt: &Format,
    ) -> Xr {
        check_cell(row, col)?;
        self.measure(col, width);
        let value = if v.is_finite() {
            BodyValue::Number(v)
        } else {
            // As rust_xlsxwriter writes them: Excel has no such numbers.
            BodyValue::Text(
                if v.is_nan() {
                    "NAN"
                } else if v > 0.0 {
                    "INF"
                } else {
                    "-INF"
                }
                .into(),
            )
        };
        self.keep(row, col, slot, fmt, value);
        Ok(())
    }

    /// Body text (never a formula), measured, whose format is that of `slot`.
    pub fn body_string(&mut self, row: u32, col: u16, s: &str, slot: u8, fmt: &Format) -> Xr {
        check_cell(row, col)?;
        self.measure(col, display_width(s));
        // An empty string is a blank cell, as rust_xlsxwriter (and Excel) store it.
        let value = if s.is_empty() {
            BodyValue::Blank
        } else {
            BodyValue::Text(clip(s).into())
        };
        self.keep(row, col, slot, fmt, value);
        Ok(())
    }

    /// An empty body cell whose format is that of `slot` (borders of a table without a value).
    pub fn body_blank(&mut self, row: u32, col: u16, slot: u8, fmt: &Format) {
        if check_cell(row, col).is_ok() {
            self.keep(row, col, slot, fmt, BodyValue::Blank);
        }
    }

    /// The body cells that show: in (row, column) order, the last written of a cell, none
    /// that an explicit write came after. In place: a national sheet's body is ~10 MB, and
    /// copying it through growing vectors faulted in fresh pages twice over.
    fn surviving_body(&mut self) -> Vec<BodyCell> {
        let explicit = std::mem::take(&mut self.explicit);
        let mut cells = std::mem::take(&mut self.body);
        if !explicit.is_empty() {
            let mut k = 0;
            cells.retain(|b| {
                let shows = explicit.get(&(b.row, b.col)).is_none_or(|&at| at <= k);
                k += 1;
                shows
            });
        }
        // Stable: the cells of one position stay in the order written.
        if !cells.is_sorted_by_key(|b| (b.row, b.col)) {
            cells.sort_by_key(|b| (b.row, b.col));
        }
        // The last written of each position: a later write takes the place of the one kept.
        cells.dedup_by(|later, kept| {
            let same = (later.row, later.col) == (kept.row, kept.col);
            if same {
                std::mem::swap(later, kept);
            }
            same
        });
        cells
    }

    /// The finished worksheet and its body, for [`crate::bulletin::xlsxbody::save`]. Each body format
    /// is written to one cell of its own (a blank, overwritten by the body there), so that
    /// rust_xlsxwriter gives it a style index and the body can name it.
    pub fn finish(mut self) -> Xr<(Worksheet, Body)> {
        let cells = self.surviving_body();
        let heights = self.surviving_heights();
        let mut placeholders: Vec<(u8, u32, u16)> = Vec::new();
        for b in &cells {
            if placeholders.iter().all(|p| p.0 != b.slot) {
                placeholders.push((b.slot, b.row, b.col));
                if let Some(Some(f)) = self.slots.get(usize::from(b.slot)) {
                    self.ws.write_blank(b.row, b.col, f)?;
                }
            }
        }
        Ok((
            self.ws,
            Body {
                cells,
                placeholders,
                merges: self.merges,
                heights,
            },
        ))
    }

    /// The body's row heights by row, the last set of each row.
    fn surviving_heights(&mut self) -> Vec<(u32, u32)> {
        let mut heights = std::mem::take(&mut self.heights);
        // Stable: the heights of one row stay in the order set, and the last is kept.
        heights.sort_by_key(|h| h.0);
        heights.dedup_by(|later, kept| {
            let same = later.0 == kept.0;
            if same {
                *kept = *later;
            }
            same
        });
        heights
    }

    /// The finished worksheet with its body written through rust_xlsxwriter: what
    /// [`crate::bulletin::xlsxbody`] is tested against. Formats go on a column run at a time:
    /// rust_xlsxwriter hashes the whole `Format` of every cell written with one.
    #[cfg(test)]
    pub fn finish_native(mut self) -> Xr<Worksheet> {
        let cells = self.surviving_body();
        // Blank merged ranges first: the body's values and formats then go over them.
        for &(r0, c0, r1, c1) in &self.merges {
            let slot = cells
                .iter()
                .find(|b| (b.row, b.col) == (r0, c0))
                .map_or(0, |b| b.slot);
            if let Some(Some(f)) = self.slots.get(usize::from(slot)) {
                self.ws.merge_range(r0, c0, r1, c1, "", f)?;
            }
        }
        for (row, pixels) in self.surviving_heights() {
            self.ws.set_row_height_pixels(row, pixels)?;
        }
        for b in &cells {
            match &b.value {
                BodyValue::Number(v) => {
                    self.ws.write_number(b.row, b.col, *v)?;
                }
                BodyValue::Text(s) => {
                    self.ws.write_string(b.row, b.col, s.as_ref())?;
                }
                BodyValue::Blank => {}
            }
        }
        let mut runs: Vec<(u8, u16, u32)> = cells.iter().map(|b| (b.slot, b.col, b.row)).collect();
        runs.sort_unstable();
        let mut i = 0;
        while i < runs.len() {
            let (slot, col, first) = runs[i];
            let mut last = first;
            while i + 1 < runs.len() && runs[i + 1] == (slot, col, last + 1) {
                last += 1;
                i += 1;
            }
            if let Some(Some(f)) = self.slots.get(usize::from(slot)) {
                self.ws.set_range_format(first, col, last, col, f)?;
            }
            i += 1;
        }
        Ok(self.ws)
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
        self.written(row, col, row, col);
        self.ws.write_string_with_format(row, col, clip(s), fmt)?;
        Ok(())
    }

    /// A number; `shown` is how it prints, for the column width.
    pub fn number(&mut self, row: u32, col: u16, v: f64, shown: &str, fmt: &Format) -> Xr {
        self.measure(col, display_width(shown));
        self.written(row, col, row, col);
        self.ws.write_number_with_format(row, col, v, fmt)?;
        Ok(())
    }

    /// Merge (or write one cell when the range is a single cell); not measured.
    pub fn merged(&mut self, r0: u32, c0: u16, r1: u32, c1: u16, s: &str, fmt: &Format) -> Xr {
        if r0 == r1 && c0 == c1 {
            self.written(r0, c0, r1, c1);
            self.ws.write_string_with_format(r0, c0, clip(s), fmt)?;
        } else {
            check_range(r0, c0, r1, c1)?;
            self.claim(r0, c0, r1, c1)?;
            self.written(r0, c0, r1, c1);
            self.ws.merge_range(r0, c0, r1, c1, &clip(s), fmt)?;
        }
        Ok(())
    }

    /// Merge a range of body cells, which the caller writes (as rust_xlsxwriter fills a
    /// merge: the text in the first, blanks with the same format in the rest), in row order
    /// so that the body needs no sorting. A group's cell over its units' rows: ~1,700 of them
    /// in a national bulletin, which rust_xlsxwriter would store cell by cell, hashing each
    /// cell's `Format`. A single cell is no merge.
    pub fn merge_body(&mut self, (r0, c0, r1, c1): (u32, u16, u32, u16)) -> Xr {
        check_range(r0, c0, r1, c1)?;
        if (r0, c0) != (r1, c1) {
            self.claim(r0, c0, r1, c1)?;
            self.merges.push((r0, c0, r1, c1));
        }
        Ok(())
    }

    /// The cells of a merged range, refused if one of them is merged already.
    fn claim(&mut self, r0: u32, c0: u16, r1: u32, c1: u16) -> Xr {
        let range = (r0, c0, r1, c1);
        // As rust_xlsxwriter names a range in this error.
        let name = |range @ (r0, c0, r1, c1): (u32, u16, u32, u16)| {
            format!(
                "({r0}, {c0}, {r1}, {c1}) / {}",
                crate::bulletin::xlsxbody::range_ref(range)
            )
        };
        for r in r0..=r1 {
            for c in c0..=c1 {
                if let Some(&other) = self.merged_cells.get(&(r, c)) {
                    return Err(XlsxError::MergeRangeOverlaps(name(range), name(other)));
                }
            }
        }
        for r in r0..=r1 {
            for c in c0..=c1 {
                self.merged_cells.insert((r, c), range);
            }
        }
        Ok(())
    }

    /// The height of a row of the body, in points, kept with the body and written by
    /// [`crate::bulletin::xlsxbody`] (rust_xlsxwriter hashes and formats each of a national sheet's
    /// 3,000 rows otherwise). As rust_xlsxwriter keeps it: in whole pixels. It wins over a
    /// height set on `ws` for the same row, whichever came first.
    pub fn body_row_height(&mut self, row: u32, points: f64) -> Xr {
        let pixels = (points * 4.0 / 3.0).round() as u32;
        if pixels == 0 {
            // A hidden row, which rust_xlsxwriter handles.
            self.ws.set_row_height(row, points)?;
            return Ok(());
        }
        check_cell(row, 0)?;
        self.heights.push((row, pixels));
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

    /// Random writes to a small sheet, body and explicit interleaved, some cells written
    /// several times: the body that shows is what a cell-by-cell replay of the writes leaves.
    #[test]
    fn the_body_that_shows_is_the_last_body_write_of_each_cell_after_any_explicit_one() {
        let fmt = cell();
        let mut seed = 0x9E37_79B9_7F4A_7C15u64;
        let mut next = move |n: u64| {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed % n
        };
        for case in 0..200 {
            let mut sh = Sheet::new("s").unwrap();
            // (row, col) -> what shows: Some(body cell) or None (an explicit write).
            let mut replay: std::collections::BTreeMap<(u32, u16), Option<BodyCell>> =
                Default::default();
            let in_order = case % 3 == 0;
            for k in 0..(5 + next(60)) {
                let (row, col) = if in_order {
                    ((k / 4) as u32, (k % 4) as u16)
                } else {
                    (next(6) as u32, next(4) as u16)
                };
                if !in_order && next(5) == 0 {
                    sh.string(row, col, "explicit", &fmt).unwrap();
                    replay.insert((row, col), None);
                } else {
                    let v = k as f64;
                    sh.body_number(row, col, v, 2, (k % 3) as u8, &fmt).unwrap();
                    let cell = BodyCell {
                        row,
                        col,
                        slot: (k % 3) as u8,
                        value: BodyValue::Number(v),
                    };
                    replay.insert((row, col), Some(cell));
                }
            }
            let want: Vec<BodyCell> = replay.into_values().flatten().collect();
            assert_eq!(sh.surviving_body(), want, "case {case}");
        }
    }
}
