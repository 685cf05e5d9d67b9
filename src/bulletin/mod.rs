//! The bulletin workbook (SPEC §4): 排序总表, one sheet per indicator, 图表 (native Excel
//! charts), 数据来源与校验 — print-ready as an attached table of an official document
//! (GB/T 9704 spirit): A4 landscape, one page wide, repeated title rows, 「— 1 —」 page numbers,
//! 黑体 titles, 宋体 body, borders, frozen headers, column widths measured on the CJK text.
//!
//! Layout decisions: the ranking group is a column (组别, merged over the group's rows) left of
//! 单位 on every table, so that a printed page shows which ranks belong together; units keep the
//! official order inside their group and groups the configured order. Input strings are always
//! written with `write_string` (never as formulas).
//!
//! Here the entry point, the cells and their formats; a file per kind of sheet beside it.

mod chart_sheet;
mod indicator;
mod sources;
pub mod style;
mod summary;
#[cfg(test)]
pub(crate) mod tests;

use crate::bulletin::style::{DASH, Sheet, TITLE_FONT, display_width};
use crate::config::{Config, IndicatorConfig};
use crate::error::{Error, Result};
use crate::model::{Ingested, PeriodResult, ResultRow, Status};
use rust_decimal::prelude::ToPrimitive;
use rust_decimal::{Decimal, RoundingStrategy};
use rust_xlsxwriter::{Format, FormatAlign, Workbook, XlsxError};
use std::path::{Path, PathBuf};

pub const SHEET_SUMMARY: &str = "排序总表";
pub const SHEET_CHARTS: &str = "图表";
pub const SHEET_SOURCES: &str = "数据来源与校验";

/// Write the bulletin workbook into `dir`; returns the file written. The rank changes it shows
/// are already in `result`, so it needs no history.
pub fn write(
    cfg: &Config,
    result: &PeriodResult,
    ingested: &Ingested,
    dir: &Path,
) -> Result<PathBuf> {
    let path = dir.join(file_name(cfg, result));
    let mut wb = build(cfg, result, ingested).map_err(|e| Error::output("bulletin", e))?;
    // Excel's own level: a third faster than the default 6, for a file ~10 % larger.
    wb.set_zip_compression_level(3);
    let bytes = wb
        .save_to_buffer()
        .map_err(|e| Error::output("bulletin", e))?;
    std::fs::write(&path, bytes)
        .map_err(|e| Error::output(format!("bulletin {}", path.display()), e))?;
    Ok(path)
}

/// `<title>(<period label>).xlsx`, made safe for any file system.
pub fn file_name(cfg: &Config, result: &PeriodResult) -> String {
    format!(
        "{}({}).xlsx",
        crate::output::file_stem(&cfg.title, 150),
        result.period.label()
    )
}

// ---------------------------------------------------------------------------------------------
// Cells

/// What goes in a cell; numbers remember how they print, for column widths.
enum Cell {
    Text(String),
    /// 万元 value, `#,##0.0`
    Amount(f64),
    /// %, `0.0`
    Pct(f64),
    /// a rank
    Rank(u32),
    /// percentage points, signed: `+0.0;-0.0;0.0`
    Points(f64),
}

fn text(s: impl Into<String>) -> Cell {
    Cell::Text(s.into())
}

fn amount(d: Option<Decimal>) -> Cell {
    match d.and_then(|d| d.to_f64()).filter(|f| f.is_finite()) {
        Some(f) => Cell::Amount(f),
        None => text(DASH),
    }
}

fn pct(d: Option<Decimal>) -> Cell {
    match d.and_then(|d| d.to_f64()).filter(|f| f.is_finite()) {
        Some(f) => Cell::Pct(f),
        None => text(DASH),
    }
}

/// 「增长1.6倍」 for +160 %: growth ÷ 100, one decimal, 四舍五入.
pub fn multiple_label(g: Decimal) -> String {
    let m = (g / Decimal::ONE_HUNDRED)
        .round_dp_with_strategy(1, RoundingStrategy::MidpointAwayFromZero);
    format!("增长{m:.1}倍")
}

/// Growth as printed: a number, or 「增长1.6倍」 at 100 % and more, or 「—」.
fn growth(d: Option<Decimal>) -> Cell {
    match d {
        Some(g) if g >= Decimal::ONE_HUNDRED => text(multiple_label(g)),
        _ => pct(d),
    }
}

/// Growth for the summary table, where there is no 状态 column: the status is printed with it.
fn growth_with_status(r: &ResultRow) -> Cell {
    match (r.growth, r.status) {
        (_, Status::NotReported) => text(DASH),
        (None, st) if !st.label().is_empty() => text(st.label()),
        (Some(g), st) if !st.label().is_empty() => {
            let shown = if g >= Decimal::ONE_HUNDRED {
                multiple_label(g)
            } else {
                format!("{g:.1}")
            };
            text(format!("{shown}({})", st.label()))
        }
        (g, _) => growth(g),
    }
}

fn rank(r: Option<u32>) -> Cell {
    r.map_or_else(|| text(DASH), Cell::Rank)
}

/// 位次变化: ↑2 / ↓1 / — (no change or none).
pub fn rank_change_label(c: Option<i32>) -> String {
    match c {
        Some(c) if c > 0 => format!("↑{c}"),
        Some(c) if c < 0 => format!("↓{}", c.unsigned_abs()),
        _ => DASH.to_string(),
    }
}

/// How a cell prints (the reference for [`width`]).
#[cfg(test)]
fn shown(cell: &Cell) -> String {
    match cell {
        Cell::Text(s) => s.clone(),
        Cell::Amount(f) => thousands(*f),
        Cell::Pct(f) => format!("{f:.1}"),
        Cell::Rank(r) => r.to_string(),
        Cell::Points(f) => format!("{f:+.1}"),
    }
}

#[cfg(test)]
fn thousands(f: f64) -> String {
    let s = format!("{:.1}", f.abs());
    let (int, frac) = s.split_once('.').unwrap_or((&s, "0"));
    let mut out = String::new();
    for (i, c) in int.chars().enumerate() {
        if i > 0 && (int.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    format!("{}{out}.{frac}", if f < 0.0 { "-" } else { "" })
}

// ---------------------------------------------------------------------------------------------
// Formats

struct Fmts {
    title: Format,
    subtitle_left: Format,
    subtitle_right: Format,
    header: Format,
    text: Format,
    text_center: Format,
    city_text: Format,
    amount: Format,
    city_amount: Format,
    pct: Format,
    city_pct: Format,
    rank: Format,
    points: Format,
    note: Format,
    section: Format,
    small_text: Format,
}

impl Fmts {
    fn new() -> Fmts {
        let body = style::body();
        let cell = style::cell();
        let bold = |f: &Format| f.clone().set_bold().set_background_color(0xF2F2F2);
        let amount = style::amount();
        let pct = style::pct();
        let text_center = cell.clone().set_align(FormatAlign::Center);
        Fmts {
            title: style::title(),
            subtitle_left: body.clone().set_align(FormatAlign::Left),
            subtitle_right: body.clone().set_align(FormatAlign::Right),
            header: style::header(),
            text: cell.clone().set_align(FormatAlign::Left),
            city_text: bold(&text_center),
            text_center,
            city_amount: bold(&amount),
            amount,
            city_pct: bold(&pct),
            pct,
            rank: style::rank(),
            points: style::pct().set_num_format("+0.0;-0.0;0.0"),
            note: style::note(),
            section: style::font(TITLE_FONT, 12)
                .set_align(FormatAlign::Left)
                .set_align(FormatAlign::VerticalCenter),
            small_text: cell
                .set_font_size(9)
                .set_align(FormatAlign::Left)
                .set_text_wrap(),
        }
    }
}

/// The bulletin's cells on the shared sheet.
trait Cells {
    /// Write a cell; `city` picks the emphasised formats of the 全市 row.
    fn cell(&mut self, row: u32, col: u16, cell: &Cell, f: &Fmts, city: bool) -> style::Xr;
}

impl Cells for Sheet {
    fn cell(&mut self, row: u32, col: u16, cell: &Cell, f: &Fmts, city: bool) -> style::Xr {
        let pick = |normal, emphasised| if city { emphasised } else { normal };
        let w = width(cell);
        match cell {
            Cell::Text(s) => self.string(row, col, s, pick(&f.text_center, &f.city_text)),
            Cell::Amount(v) => {
                self.number_of_width(row, col, *v, w, pick(&f.amount, &f.city_amount))
            }
            Cell::Pct(v) => self.number_of_width(row, col, *v, w, pick(&f.pct, &f.city_pct)),
            Cell::Rank(r) => self.number_of_width(row, col, f64::from(*r), w, &f.rank),
            Cell::Points(v) => self.number_of_width(row, col, *v, w, &f.points),
        }
    }
}

/// Column 0 of a group's units, rows `first..=last`: the group's name, merged over them (a
/// group of one unit is no merge), written before its units' rows as a constant-memory sheet
/// needs.
fn group_cell(sh: &mut Sheet, first: u32, last: u32, group: &str, f: &Fmts) -> style::Xr {
    sh.measure(0, display_width(group));
    sh.merged(first, 0, last, 0, group, &f.text_center)
}

/// Digits of `n` (at least 1).
fn digits(n: u64) -> usize {
    n.checked_ilog10().map_or(1, |d| d as usize + 1)
}

/// Printed width of a cell (what [`shown`] would give), without formatting it: the workbook
/// has hundreds of thousands of cells at national scale.
fn width(cell: &Cell) -> usize {
    // Integer part of |v| at one decimal, and whether a minus sign prints.
    let one_decimal = |v: f64| -> (usize, usize) {
        let tenths = (v.abs() * 10.0).round().min(1e18) as u64;
        (digits(tenths / 10), usize::from(v < 0.0))
    };
    match cell {
        Cell::Text(s) => display_width(s),
        Cell::Amount(v) => {
            let (d, neg) = one_decimal(*v);
            d + (d - 1) / 3 + 2 + neg
        }
        Cell::Pct(v) => {
            let (d, neg) = one_decimal(*v);
            d + 2 + neg
        }
        Cell::Rank(r) => digits(u64::from(*r)),
        Cell::Points(v) => one_decimal(*v).0 + 3,
    }
}

/// Points added to the height of a notes row.
const NOTE_PAD: f64 = 2.0;

// ---------------------------------------------------------------------------------------------
// The workbook

/// Units of the result in official order, grouped: (group, [unit]) with groups in
/// configuration order.
fn unit_groups(cfg: &Config, result: &PeriodResult) -> Vec<(String, Vec<String>)> {
    let mut seen = std::collections::HashSet::new();
    cfg.by_group(
        result
            .rows
            .iter()
            .filter(|r| !r.is_city && seen.insert(r.unit.as_str()))
            .map(|r| (r.group.as_deref(), r.unit.clone())),
    )
}

/// Sheet names: at most 31 characters, none of `[]:*?/\`, unique (case-insensitively), not
/// one of the fixed sheets.
fn sheet_names(cfg: &Config) -> Vec<String> {
    style::sheet_names(
        cfg.indicators.iter().map(|i| i.name.as_str()),
        &[SHEET_SUMMARY, SHEET_CHARTS, SHEET_SOURCES],
    )
}

/// What every sheet is built from.
struct Ctx<'a> {
    cfg: &'a Config,
    result: &'a PeriodResult,
    /// The units in official order, grouped ([`unit_groups`]).
    groups: Vec<(String, Vec<String>)>,
    /// The result's rows by (unit, indicator).
    index: Index<'a>,
    f: Fmts,
}

type Index<'a> = rustc_hash::FxHashMap<(&'a str, &'a str), &'a ResultRow>;

/// The workbook in memory, not yet saved (public for `examples/stages.rs`, which times
/// building and saving apart).
///
/// Every sheet is written in row order, as rust_xlsxwriter's constant-memory mode needs, but
/// that mode is not used: in rust_xlsxwriter 0.102 it writes a sheet's last row twice (a
/// second, empty `<row>` of the same number) when that row has a height of its own, as the
/// notes' rows have.
pub fn build(
    cfg: &Config,
    result: &PeriodResult,
    ingested: &Ingested,
) -> std::result::Result<Workbook, XlsxError> {
    let ctx = Ctx {
        cfg,
        result,
        groups: unit_groups(cfg, result),
        index: result
            .rows
            .iter()
            .map(|r| ((r.unit.as_str(), r.indicator.as_str()), r))
            .collect(),
        f: Fmts::new(),
    };
    let names = sheet_names(cfg);

    // The sheets are independent: built side by side (a national one takes a few ms each).
    enum Part<'a> {
        Summary,
        Indicator(&'a IndicatorConfig, &'a str),
        Charts,
        Sources,
    }
    let mut parts = vec![Part::Summary];
    parts.extend(
        cfg.indicators
            .iter()
            .zip(&names)
            .map(|(ind, name)| Part::Indicator(ind, name)),
    );
    parts.extend([Part::Charts, Part::Sources]);
    let sheets: Vec<_> = {
        use rayon::prelude::*;
        parts
            .par_iter()
            .map(|part| match part {
                Part::Summary => summary::sheet(&ctx),
                Part::Indicator(ind, name) => indicator::sheet(&ctx, ind, name),
                Part::Charts => chart_sheet::sheet(&ctx),
                Part::Sources => sources::sheet(&ctx, ingested),
            })
            .collect()
    };
    let mut wb = Workbook::new();
    for sheet in sheets {
        wb.push_worksheet(sheet?);
    }
    Ok(wb)
}

fn city_row<'a>(result: &'a PeriodResult, ind: &str) -> Option<&'a ResultRow> {
    result.rows.iter().find(|r| r.is_city && r.indicator == ind)
}
