//! The bulletin workbook (SPEC §4): 排序总表, one sheet per indicator, 图表 (native Excel
//! charts), 数据来源与校验 — print-ready as an attached table of an official document
//! (GB/T 9704 spirit): A4 landscape, one page wide, repeated title rows, 「— 1 —」 page numbers,
//! 黑体 titles, 宋体 body, borders, frozen headers, column widths measured on the CJK text.
//!
//! Layout decisions: the ranking group is a column (组别, merged over the group's rows) left of
//! 单位 on every table, so that a printed page shows which ranks belong together; units keep the
//! official order inside their group and groups the configured order. Input strings are always
//! written with `write_string` (never as formulas).

pub mod style;

use crate::bulletin::style::{
    BODY_FONT, CHARSET, DASH, Sheet, TITLE_FONT, clip, column_width, display_width,
};
use crate::config::{Config, GrowthMode, TieRule};
use crate::error::{Error, Result};
use crate::model::{Ingested, PeriodResult, ResultRow, Status};
use crate::text::{decimal_from_f64, div_round};
use rust_decimal::prelude::ToPrimitive;
use rust_decimal::{Decimal, RoundingStrategy};
use rust_xlsxwriter::{
    Chart, ChartAxisLabelPosition, ChartDataLabel, ChartFont, ChartFormat, ChartLegendPosition,
    ChartLine, ChartLineDashType, ChartMarker, ChartSolidFill, ChartType, Format, FormatAlign,
    Workbook, Worksheet, XlsxError,
};
use std::collections::HashMap;
use std::path::{Path, PathBuf};

pub const SHEET_SUMMARY: &str = "排序总表";
pub const SHEET_CHARTS: &str = "图表";
pub const SHEET_SOURCES: &str = "数据来源与校验";

/// Write the bulletin workbook into `dir`; returns the file written.
/// `history` is every recorded period of the same year up to and including this one.
pub fn write(
    cfg: &Config,
    result: &PeriodResult,
    ingested: &Ingested,
    history: &[PeriodResult],
    dir: &Path,
) -> Result<PathBuf> {
    let _ = history; // rank changes are already in `result`
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

fn measure_note(cfg: &Config) -> String {
    let mut ms: Vec<&str> = Vec::new();
    for i in &cfg.indicators {
        if !ms.contains(&i.measure.as_str()) {
            ms.push(&i.measure);
        }
    }
    format!("单位:{}、%", ms.join("、"))
}

/// The workbook in memory, not yet saved (public for `examples/stages.rs`, which times
/// building and saving apart).
pub fn build(
    cfg: &Config,
    result: &PeriodResult,
    ingested: &Ingested,
) -> std::result::Result<Workbook, XlsxError> {
    let f = Fmts::new();
    let groups = unit_groups(cfg, result);
    let index: Index = result
        .rows
        .iter()
        .map(|r| ((r.unit.as_str(), r.indicator.as_str()), r))
        .collect();
    let names = sheet_names(cfg);

    // The sheets are independent: built side by side (a national one takes a few ms each).
    enum Part<'a> {
        Summary,
        Indicator(&'a crate::config::IndicatorConfig, &'a str),
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
                Part::Summary => summary_sheet(cfg, result, &groups, &index, &f),
                Part::Indicator(ind, name) => indicator_sheet(
                    cfg,
                    result,
                    ind,
                    name,
                    &groups,
                    &index,
                    city_row(result, &ind.name),
                    &f,
                ),
                Part::Charts => chart_sheet(cfg, result, &groups, &index, &f),
                Part::Sources => sources_sheet(cfg, result, ingested, &f),
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

type Index<'a> = rustc_hash::FxHashMap<(&'a str, &'a str), &'a ResultRow>;

fn method_notes(cfg: &Config, result: &PeriodResult) -> Vec<String> {
    let tie = match cfg.tie {
        TieRule::Competition => "数值相同者并列,其后位次顺延(同Excel RANK.EQ,如1、2、2、4)",
        TieRule::Dense => "数值相同者并列,其后位次不跳位(中式排名,如1、2、2、3)",
    };
    let provided: Vec<&str> = cfg
        .indicators
        .iter()
        .filter(|i| i.growth == GrowthMode::Provided)
        .map(|i| i.name.as_str())
        .collect();
    let groups = cfg.groups.join("、");
    let mut n = 0;
    let mut next = || {
        n += 1;
        n
    };
    let mut v = vec![format!(
        "注:{}. 同比增长(%)=(1-{}月累计−上年同期累计)÷|上年同期累计|×100,按报表精确数值计算后四舍五入保留一位小数;增长100%及以上表示为“增长X倍”(如增长160%为增长1.6倍)。",
        next(),
        result.period.month
    )];
    v.push(format!(
        "    {}. 位次在排序组({groups})内排列:总量位次按1-{}月累计值、增速位次按同比增长,均按显示值(一位小数)从高到低排列;{tie}。未报或无数值者不排位次。",
        next(),
        result.period.month
    ));
    if !provided.is_empty() {
        v.push(format!(
            "    {}. {}增速为可比价增速,采用各单位上报数;全市未单独上报时按各单位上年同期值加权平均。其总量位次仅在上报了总量的单位间排列。",
            next(),
            provided.join("、")
        ));
    }
    v.push(format!(
        "    {}. 状态:未报——未报送数据;无可比基数——上年同期为0,不计增速及增速位次;由盈转亏、扭亏为盈、减亏、增亏——上年同期或本期为负值,增速仍按上式计算,仅供参考。",
        next()
    ));
    let prev = match result.previous {
        Some(p) => format!(
            "与上期({})比较,↑为前进、↓为后退、—为持平或无可比位次",
            p.label()
        ),
        None => "本期为本年首期,无位次变化".to_string(),
    };
    v.push(format!("    {}. 位次变化(见各指标表):{prev}。", next()));
    v
}

fn summary_sheet(
    cfg: &Config,
    result: &PeriodResult,
    groups: &[(String, Vec<String>)],
    index: &Index,
    f: &Fmts,
) -> std::result::Result<Worksheet, XlsxError> {
    let mut sh = Sheet::new(SHEET_SUMMARY)?;
    let n_ind = cfg.indicators.len() as u16;
    let last_col = 1 + 4 * n_ind;
    sh.heading(
        last_col,
        last_col / 2,
        [&cfg.title, &result.period.label(), &measure_note(cfg)],
        [&f.title, &f.subtitle_left, &f.subtitle_right],
    )?;
    // Two-level header.
    sh.merged(2, 0, 3, 0, "组别", &f.header)?;
    sh.merged(2, 1, 3, 1, "单位", &f.header)?;
    sh.measure(0, 4);
    sh.measure(1, 4);
    let span = format!("{}累计", result.period.span());
    for (i, ind) in cfg.indicators.iter().enumerate() {
        let c = 2 + 4 * i as u16;
        sh.merged(2, c, 2, c + 3, &ind.name, &f.header)?;
        for (k, h) in [span.as_str(), "同比增长%", "总量位次", "增速位次"]
            .iter()
            .enumerate()
        {
            sh.string(3, c + k as u16, h, &f.header)?;
        }
        // Headers wrap: measure them at about half their width, the indicator name over 4 columns.
        for k in 0..4 {
            sh.widths[(c + k) as usize] = (display_width(&ind.name) / 4).max(8);
        }
    }
    sh.ws.set_row_height(2, 22)?;
    sh.ws.set_row_height(3, 30)?;
    // 全市
    let mut row = 4u32;
    sh.merged(row, 0, row, 1, "全市", &f.city_text)?;
    for (i, ind) in cfg.indicators.iter().enumerate() {
        let c = 2 + 4 * i as u16;
        let r = city_row(result, &ind.name);
        sh.cell(row, c, &amount(r.and_then(|r| r.value)), f, true)?;
        sh.cell(
            row,
            c + 1,
            &r.map_or_else(|| text(DASH), growth_with_status),
            f,
            true,
        )?;
        sh.cell(row, c + 2, &text(DASH), f, true)?;
        sh.cell(row, c + 3, &text(DASH), f, true)?;
    }
    sh.ws.set_row_height(row, 20)?;
    row += 1;
    for (g, units) in groups {
        group_cell(&mut sh, row, row + units.len() as u32 - 1, g, f)?;
        for u in units {
            sh.cell(row, 1, &text(u.as_str()), f, false)?;
            for (i, ind) in cfg.indicators.iter().enumerate() {
                let c = 2 + 4 * i as u16;
                match index.get(&(u.as_str(), ind.name.as_str())) {
                    Some(r) => {
                        let v = if r.status == Status::NotReported {
                            text(Status::NotReported.label())
                        } else {
                            amount(r.value)
                        };
                        sh.cell(row, c, &v, f, false)?;
                        sh.cell(row, c + 1, &growth_with_status(r), f, false)?;
                        sh.cell(row, c + 2, &rank(r.value_rank), f, false)?;
                        sh.cell(row, c + 3, &rank(r.growth_rank), f, false)?;
                    }
                    None => {
                        for k in 0..4 {
                            sh.cell(row, c + k, &text(DASH), f, false)?;
                        }
                    }
                }
            }
            sh.ws.set_row_height(row, 20)?;
            row += 1;
        }
    }
    let widths = sh.apply_widths(6.0, 40.0)?;
    let total: f64 = widths.iter().sum();
    sh.notes(
        row + 1,
        last_col + 1,
        total,
        &method_notes(cfg, result),
        &f.note,
        NOTE_PAD,
    )?;
    sh.ws.set_freeze_panes(4, 2)?;
    sh.page_setup(Some(3))?;
    sh.ws.set_active(true);
    Ok(sh.ws)
}

/// An annual target (逐级分解目标任务) of a unit for an indicator, as exact decimals.
#[derive(Debug, Clone, Default, PartialEq)]
struct UnitTarget {
    /// 目标增速, %
    growth: Option<Decimal>,
    /// 年度目标, in the indicator's measure
    value: Option<Decimal>,
}

/// The targets of `indicator` for `year`, by unit name: a `[[target]]` naming the year wins over
/// one without a year; of two alike, the first (as the assessment does). A number that is not
/// finite counts as not given.
fn targets_of(cfg: &Config, year: i32, indicator: &str) -> HashMap<String, UnitTarget> {
    let mut out: HashMap<String, (bool, UnitTarget)> = HashMap::new();
    let ind = cfg.indicator_by_name(indicator);
    for t in &cfg.targets {
        if t.year.is_some_and(|y| y != year) || cfg.indicator_by_name(&t.indicator) != ind {
            continue;
        }
        let Some(u) = cfg.unit_by_name(&t.unit) else {
            continue;
        };
        let target = UnitTarget {
            growth: t.growth.and_then(decimal_from_f64),
            value: t.value.and_then(decimal_from_f64),
        };
        let specific = t.year.is_some();
        match out.get(&cfg.units[u].name) {
            Some((s, _)) if *s || !specific => {}
            _ => {
                out.insert(cfg.units[u].name.clone(), (specific, target));
            }
        }
    }
    out.into_iter().map(|(u, (_, t))| (u, t)).collect()
}

/// 时序进度 % of a period 1-N月: N ÷ 12 × 100, 四舍五入 to one decimal.
fn time_progress(month: u32) -> Decimal {
    div_round(
        Decimal::from(month) * Decimal::ONE_HUNDRED,
        Decimal::from(12),
        1,
    )
    .unwrap_or_default()
}

/// The cells of the target columns of a row: [年度目标, 完成进度%, 时序进度%] when `value_cols`,
/// then [目标增速%, 增速较目标] when `growth_cols`.
fn target_cells(
    r: Option<&ResultRow>,
    t: Option<&UnitTarget>,
    month: u32,
    value_cols: bool,
    growth_cols: bool,
) -> Vec<Cell> {
    let reported = r.filter(|r| r.status != Status::NotReported);
    let mut cells = Vec::new();
    if value_cols {
        let tv = t.and_then(|t| t.value);
        cells.push(amount(tv));
        let done = match (reported.and_then(|r| r.value), tv) {
            (Some(v), Some(tv)) if tv > Decimal::ZERO => div_round(v * Decimal::ONE_HUNDRED, tv, 1),
            _ => None,
        };
        cells.push(pct(done));
        cells.push(pct(tv.map(|_| time_progress(month))));
    }
    if growth_cols {
        let tg = t.and_then(|t| t.growth);
        cells.push(pct(tg));
        let diff = match (reported.and_then(|r| r.growth), tg) {
            (Some(g), Some(tg)) => (g - tg)
                .round_dp_with_strategy(1, RoundingStrategy::MidpointAwayFromZero)
                .to_f64(),
            _ => None,
        };
        cells.push(diff.map_or_else(|| text(DASH), Cell::Points));
    }
    cells
}

#[allow(clippy::too_many_arguments)]
fn indicator_sheet(
    cfg: &Config,
    result: &PeriodResult,
    ind: &crate::config::IndicatorConfig,
    sheet_name: &str,
    groups: &[(String, Vec<String>)],
    index: &Index,
    city: Option<&ResultRow>,
    f: &Fmts,
) -> std::result::Result<Worksheet, XlsxError> {
    let mut sh = Sheet::new(sheet_name)?;
    let targets = targets_of(cfg, result.period.year, &ind.name);
    let value_cols = targets.values().any(|t| t.value.is_some());
    let growth_cols = targets.values().any(|t| t.growth.is_some());
    let month = result.period.month;
    let mut headers = vec![
        "组别".to_string(),
        "单位".to_string(),
        "本月".to_string(),
        format!("{}累计", result.period.span()),
        "上年同期".to_string(),
        "增减额".to_string(),
        "同比增长%".to_string(),
        "占全市比重%".to_string(),
        "总量位次".to_string(),
        "增速位次".to_string(),
        "位次变化".to_string(),
        "状态".to_string(),
    ];
    if value_cols {
        headers.extend(["年度目标", "完成进度%", "时序进度%"].map(String::from));
    }
    if growth_cols {
        headers.extend(["目标增速%", "增速较目标"].map(String::from));
    }
    let last_col = headers.len() as u16 - 1;
    sh.heading(
        last_col,
        5,
        [
            &format!("{}({})", ind.name, result.period.label()),
            &cfg.title,
            &format!("单位:{}、%", ind.measure),
        ],
        [&f.title, &f.subtitle_left, &f.subtitle_right],
    )?;
    for (c, h) in headers.iter().enumerate() {
        sh.string(2, c as u16, h, &f.header)?;
    }
    sh.ws.set_row_height(2, 30)?;
    let line = |sh: &mut Sheet,
                row: u32,
                r: &ResultRow,
                is_city: bool|
     -> std::result::Result<(), XlsxError> {
        let mut cells = vec![
            amount(r.month),
            amount(r.value),
            amount(r.base),
            amount(r.change),
            growth(r.growth),
            pct(r.share),
            rank(r.value_rank),
            rank(r.growth_rank),
            text(rank_change_label(r.rank_change)),
            text(r.status.label()),
        ];
        let t = if is_city { None } else { targets.get(&r.unit) };
        cells.extend(target_cells(Some(r), t, month, value_cols, growth_cols));
        for (k, c) in cells.iter().enumerate() {
            sh.cell(row, 2 + k as u16, c, f, is_city)?;
        }
        sh.ws.set_row_height(row, 20)?;
        Ok(())
    };
    let mut row = 3u32;
    sh.merged(row, 0, row, 1, "全市", &f.city_text)?;
    match city {
        Some(r) => line(&mut sh, row, r, true)?,
        None => {
            for k in 2..=last_col {
                sh.cell(row, k, &text(DASH), f, true)?;
            }
        }
    }
    row += 1;
    for (g, units) in groups {
        group_cell(&mut sh, row, row + units.len() as u32 - 1, g, f)?;
        for u in units {
            sh.cell(row, 1, &text(u.as_str()), f, false)?;
            match index.get(&(u.as_str(), ind.name.as_str())) {
                Some(r) => line(&mut sh, row, r, false)?,
                None => {
                    for k in 2..=last_col {
                        sh.cell(row, k, &text(DASH), f, false)?;
                    }
                }
            }
            row += 1;
        }
    }
    let widths = sh.apply_widths(7.0, 40.0)?;
    let total: f64 = widths.iter().sum();
    let mut lines = Vec::new();
    if ind.growth == GrowthMode::Provided {
        lines.push("注:同比增长为可比价增速,采用各单位上报数;增减额按现价计算。".to_string());
    } else {
        lines.push("注:同比增长(%)=增减额÷|上年同期|×100,四舍五入保留一位小数;增长100%及以上表示为“增长X倍”。".to_string());
    }
    lines.push(format!(
        "    位次在排序组内排列。位次变化:{}。",
        match result.previous {
            Some(p) => format!("与{}相比,↑前进、↓后退、—持平或无可比位次", p.label()),
            None => "本期为本年首期,无位次变化".to_string(),
        }
    ));
    if value_cols {
        lines.push(format!(
            "    年度目标为{year}年逐级分解的目标任务;完成进度(%)=1-{month}月累计÷年度目标×100,时序进度(%)={month}÷12×100(本期{tp:.1}%)。完成进度不低于时序进度为达到序时进度(进度过半:1-6月完成进度达到50%),低于者为滞后于序时进度。",
            year = result.period.year,
            tp = time_progress(month),
        ));
    }
    if growth_cols {
        lines.push(
            "    增速较目标=同比增长−目标增速(百分点),正数为快于年度目标增速,负数为慢于目标。"
                .to_string(),
        );
    }
    sh.notes(row + 1, last_col + 1, total, &lines, &f.note, NOTE_PAD)?;
    sh.ws.set_freeze_panes(3, 2)?;
    sh.page_setup(Some(2))?;
    Ok(sh.ws)
}

fn chart_font(size: f64, bold: bool) -> ChartFont {
    let mut cf = ChartFont::new();
    cf.set_name(if bold { TITLE_FONT } else { BODY_FONT })
        .set_character_set(CHARSET)
        .set_size(size);
    if !bold {
        cf.unset_bold();
    }
    cf
}

fn chart_sheet(
    cfg: &Config,
    result: &PeriodResult,
    groups: &[(String, Vec<String>)],
    index: &Index,
    f: &Fmts,
) -> std::result::Result<Worksheet, XlsxError> {
    let mut sh = Sheet::new(SHEET_CHARTS)?;
    let n = cfg.indicators.len();
    // With ranking groups, the category axis has two levels (组别 under the units' names), so
    // that the chart shows which bars are ranked together, as the PNGs do.
    let lead = u16::from(groups.len() > 1);
    let units: Vec<(&str, &str)> = groups
        .iter()
        .flat_map(|(g, us)| us.iter().map(move |u| (g.as_str(), u.as_str())))
        .collect();
    // Columns are 9.14 wide (≈ 69 px) so that two 540 px charts sit side by side in 16 columns.
    let last_col = 15u16;
    for c in 0..=last_col {
        sh.ws.set_column_width(c, 9.14)?;
    }
    sh.merged(
        0,
        0,
        0,
        last_col,
        &format!("{}图表({})", cfg.title, result.period.label()),
        &f.title,
    )?;
    sh.ws.set_row_height(0, 36)?;
    // Taller with a group level under the unit names, which takes its own band of the chart.
    let chart_h = if lead == 1 { 380 } else { 320 };
    let chart_rows = chart_h / 20 + 1; // rows of 20 px: the chart and a gap
    let chart_block_rows = (n as u32).div_ceil(2) * chart_rows;
    let data_top = 2 + chart_block_rows + 1;
    sh.ws
        .write_string_with_format(data_top, 0, "图表数据", &f.section)?;
    // 全市's growth of each indicator, for its data column.
    let mut city_gs: Vec<Option<f64>> = Vec::with_capacity(n);
    for (i, ind) in cfg.indicators.iter().enumerate() {
        let c0 = (i as u16) * (4 + lead);
        let cu = c0 + lead;
        let hr = data_top + 1;
        sh.ws
            .write_string_with_format(hr, c0, clip(&ind.name), &f.section)?;
        if lead == 1 {
            sh.ws
                .write_string_with_format(hr + 1, c0, "组别", &f.header)?;
        }
        sh.ws
            .write_string_with_format(hr + 1, cu, "单位", &f.header)?;
        sh.ws
            .write_string_with_format(hr + 1, cu + 1, "同比增长%", &f.header)?;
        sh.ws
            .write_string_with_format(hr + 1, cu + 2, "全市", &f.header)?;
        let city_g = city_row(result, &ind.name).and_then(|r| r.growth);
        city_gs.push(city_g.and_then(|g| g.to_f64()));
        if units.is_empty() {
            continue;
        }
        let (r0, r1) = (hr + 2, hr + 1 + units.len() as u32);
        let mut chart = Chart::new(ChartType::Column);
        let city_text = match city_g {
            Some(g) => format!("全市{g:.1}%"),
            None => "全市—".to_string(),
        };
        chart
            .title()
            .set_name(&format!("{}同比增长(%) {city_text}", ind.name))
            .set_font(&chart_font(12.0, true));
        let mut label = ChartDataLabel::new();
        label
            .show_value()
            .set_num_format("0.0")
            .set_font(&chart_font(9.0, false));
        chart
            .add_series()
            .set_name("同比增长%")
            .set_categories((SHEET_CHARTS, r0, c0, r1, cu))
            .set_values((SHEET_CHARTS, r0, cu + 1, r1, cu + 1))
            .set_data_label(&label)
            .set_format(
                ChartFormat::new().set_solid_fill(ChartSolidFill::new().set_color(0x2F5597)),
            )
            .set_gap(80);
        let mut line = Chart::new(ChartType::Line);
        line.add_series()
            .set_name("全市")
            .set_categories((SHEET_CHARTS, r0, c0, r1, cu))
            .set_values((SHEET_CHARTS, r0, cu + 2, r1, cu + 2))
            .set_marker(ChartMarker::new().set_none())
            .set_format(
                ChartFormat::new().set_line(
                    ChartLine::new()
                        .set_color(0xC00000)
                        .set_width(1.75)
                        .set_dash_type(ChartLineDashType::Dash),
                ),
            );
        chart.combine(&line);
        // Horizontal unit names (CJK reads badly turned on its side), wrapped by the reader.
        let mut x_font = chart_font(9.0, false);
        x_font.set_rotation(0);
        chart
            .x_axis()
            .set_font(&x_font)
            .set_label_position(ChartAxisLabelPosition::Low);
        chart
            .y_axis()
            .set_font(&chart_font(9.0, false))
            .set_num_format("0.0");
        chart
            .legend()
            .set_position(ChartLegendPosition::Bottom)
            .set_font(&chart_font(9.0, false));
        chart.set_width(540).set_height(chart_h);
        let (row, col) = (2 + (i as u32 / 2) * chart_rows, (i as u16 % 2) * 8);
        sh.ws.insert_chart_with_offset(row, col, &chart, 4, 4)?;
    }
    // The data under the charts, a row at a time, each indicator in its columns: the charts'
    // ranges, from which rust_xlsxwriter writes their data caches.
    let hr = data_top + 1;
    for (k, (g, u)) in units.iter().enumerate() {
        let r = hr + 2 + k as u32;
        for (i, ind) in cfg.indicators.iter().enumerate() {
            let c0 = (i as u16) * (4 + lead);
            let cu = c0 + lead;
            if lead == 1 {
                // The group's name at its first unit only: Excel spans it over the blanks.
                if k == 0 || units[k - 1].0 != *g {
                    sh.string(r, c0, g, &f.text)?;
                } else {
                    sh.blank(r, c0, &f.text)?;
                }
            }
            sh.string(r, cu, u, &f.text)?;
            let growth = index
                .get(&(*u, ind.name.as_str()))
                .and_then(|x| x.growth?.to_f64());
            for (c, v) in [(cu + 1, growth), (cu + 2, city_gs[i])] {
                match v {
                    Some(v) => sh.number_of_width(r, c, v, 0, &f.pct)?,
                    None => sh.blank(r, c, &f.pct)?,
                }
            }
        }
    }
    // Print the charts only (their numbers are on the indicator sheets), two rows of two
    // charts a page, never a chart cut by a page break.
    sh.ws.set_print_area(0, 0, 1 + chart_block_rows, last_col)?;
    let breaks: Vec<u32> = (1..(n as u32).div_ceil(4))
        .map(|k| 2 + k * 2 * chart_rows)
        .take(1000)
        .collect();
    sh.ws.set_page_breaks(&breaks)?;
    sh.page_setup(Some(0))?;
    Ok(sh.ws)
}

fn sources_sheet(
    cfg: &Config,
    result: &PeriodResult,
    ingested: &Ingested,
    f: &Fmts,
) -> std::result::Result<Worksheet, XlsxError> {
    let mut sh = Sheet::new(SHEET_SOURCES)?;
    let headers = [
        "序号",
        "文件",
        "类型",
        "工作表",
        "读取为(单位)",
        "报告期",
        "SHA-256",
    ];
    let last_col = headers.len() as u16 - 1;
    sh.merged(
        0,
        0,
        0,
        last_col,
        &format!("数据来源与校验({})", result.period.label()),
        &f.title,
    )?;
    sh.ws.set_row_height(0, 36)?;
    sh.merged(
        1,
        0,
        1,
        last_col,
        &format!(
            "本期:{} 配置:{} 输入文件{}个",
            result.period.label(),
            cfg.source_name,
            ingested.sources.len()
        ),
        &f.subtitle_left,
    )?;
    for (c, h) in headers.iter().enumerate() {
        sh.string(2, c as u16, h, &f.header)?;
    }
    let mut row = 3u32;
    for (i, s) in ingested.sources.iter().enumerate() {
        let period = match s.period {
            Some(p) if p == ingested.period => p.label(),
            Some(p) => format!("{}(本期{})", p.label(), ingested.period.label()),
            None => format!("{}(文件未注明)", ingested.period.label()),
        };
        let cells = [
            (2, text(s.kind.label())),
            (3, text(s.sheet.as_str())),
            (
                4,
                text(if s.units.is_empty() {
                    DASH.to_string()
                } else {
                    s.units.join("、")
                }),
            ),
            (5, text(period)),
        ];
        sh.cell(row, 0, &text((i + 1).to_string()), f, false)?;
        sh.string(row, 1, &s.name, &f.text)?;
        for (c, cell) in &cells {
            sh.cell(row, *c, cell, f, false)?;
        }
        sh.string(row, 6, &s.sha256, &f.small_text)?;
        row += 1;
    }
    if ingested.sources.is_empty() {
        sh.merged(row, 0, row, last_col, "(无输入文件)", &f.text_center)?;
        row += 1;
    }
    // The SHA-256 column is set in a smaller font: 64 hex digits.
    if let Some(w) = sh.widths.get_mut(6) {
        *w = (*w * 9).div_ceil(11);
    }
    row += 1;
    sh.ws
        .write_string_with_format(row, 0, "校验提示", &f.section)?;
    row += 1;
    sh.string(row, 0, "序号", &f.header)?;
    sh.merged(row, 1, row, 2, "位置", &f.header)?;
    sh.merged(row, 3, row, last_col, "内容", &f.header)?;
    row += 1;
    let mut warnings: Vec<&crate::error::Diagnostic> = Vec::new();
    for w in ingested.warnings.iter().chain(&result.warnings) {
        if !warnings.contains(&w) {
            warnings.push(w);
        }
    }
    let widths: Vec<f64> = sh
        .widths
        .iter()
        .map(|w| column_width(*w, 6.0, 60.0))
        .collect();
    let msg_width: f64 = widths.iter().skip(3).sum::<f64>().max(20.0);
    for (i, w) in warnings.iter().enumerate() {
        sh.string(row, 0, &(i + 1).to_string(), &f.text_center)?;
        let loc = w.location.to_string();
        sh.merged(row, 1, row, 2, &loc, &f.small_text)?;
        sh.merged(row, 3, row, last_col, &w.message, &f.small_text)?;
        let loc_w: f64 = widths.iter().skip(1).take(2).sum::<f64>().max(10.0);
        let lines = (display_width(&w.message) as f64 * 0.9 / msg_width)
            .max(display_width(&loc) as f64 * 0.9 / loc_w)
            .ceil()
            .clamp(1.0, 40.0);
        sh.ws.set_row_height(row, 13.0 * lines + 4.0)?;
        row += 1;
    }
    if warnings.is_empty() {
        sh.merged(row, 0, row, last_col, "无", &f.text_center)?;
    }
    sh.apply_widths(6.0, 60.0)?;
    sh.ws.set_freeze_panes(3, 0)?;
    sh.page_setup(Some(2))?;
    Ok(sh.ws)
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::error::{Diagnostic, Location};
    use crate::model::{SourceFile, SourceKind};
    use crate::period::Period;
    use calamine::{Data, Reader, open_workbook_auto};
    use std::str::FromStr;

    const TOML: &str = r#"
city = "测试市"
title = "测试市工业经济运行月度通报"
tie = "competition"
[[unit]]
name = "甲县"
group = "县区"
[[unit]]
name = "乙县"
group = "县区"
[[unit]]
name = "丙区"
group = "县区"
[[unit]]
name = "丁区"
group = "功能区"
[[indicator]]
name = "规模以上工业增加值"
growth = "provided"
[[indicator]]
name = "利润总额"
negative_allowed = true
"#;

    fn d(s: &str) -> Decimal {
        Decimal::from_str(s).unwrap()
    }

    pub(crate) fn row(
        unit: &str,
        city: bool,
        group: Option<&str>,
        ind: &str,
        growth: Option<&str>,
        status: Status,
        gr: Option<u32>,
    ) -> ResultRow {
        ResultRow {
            unit: unit.into(),
            is_city: city,
            group: group.map(Into::into),
            indicator: ind.into(),
            month: None,
            value: None,
            base: None,
            change: None,
            growth: growth.map(d),
            share: None,
            status,
            value_rank: None,
            growth_rank: gr,
            rank_change: None,
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn full(
        unit: &str,
        group: Option<&str>,
        ind: &str,
        nums: [&str; 3], // month, value, base
        growth: &str,
        share: &str,
        status: Status,
        ranks: (u32, u32),
        change: Option<i32>,
    ) -> ResultRow {
        let (m, v, b) = (d(nums[0]), d(nums[1]), d(nums[2]));
        ResultRow {
            unit: unit.into(),
            is_city: group.is_none(),
            group: group.map(Into::into),
            indicator: ind.into(),
            month: Some(m),
            value: Some(v),
            base: Some(b),
            change: Some(v - b),
            growth: Some(d(growth)),
            share: Some(d(share)),
            status,
            value_rank: group.map(|_| ranks.0),
            growth_rank: group.map(|_| ranks.1),
            rank_change: change,
        }
    }

    /// 4 units in 2 groups; 乙县 did not report; 丙区 扭亏为盈 with growth ≥ 100.
    pub(crate) fn sample() -> (Config, PeriodResult, Ingested, Vec<PeriodResult>) {
        let cfg = Config::parse(TOML, "test.toml").unwrap();
        let period = Period::from_str("2015-07").unwrap();
        let va = "规模以上工业增加值";
        let pr = "利润总额";
        let nr = |u: &str, g: &str, ind: &str| {
            row(u, false, Some(g), ind, None, Status::NotReported, None)
        };
        let rows = vec![
            full(
                "全市",
                None,
                va,
                ["5000", "35000", "32000"],
                "9.2",
                "100.0",
                Status::Normal,
                (0, 0),
                None,
            ),
            full(
                "甲县",
                Some("县区"),
                va,
                ["3000", "21234.56", "19000"],
                "8.1",
                "60.7",
                Status::Normal,
                (1, 2),
                Some(1),
            ),
            nr("乙县", "县区", va),
            full(
                "丙区",
                Some("县区"),
                va,
                ["1500", "10000", "9000"],
                "11.5",
                "28.6",
                Status::Normal,
                (2, 1),
                Some(-1),
            ),
            full(
                "丁区",
                Some("功能区"),
                va,
                ["500", "3765.44", "3400"],
                "10.7",
                "10.8",
                Status::Normal,
                (1, 1),
                None,
            ),
            full(
                "全市",
                None,
                pr,
                ["300", "2000", "1500"],
                "33.3",
                "100.0",
                Status::Normal,
                (0, 0),
                None,
            ),
            full(
                "甲县",
                Some("县区"),
                pr,
                ["200", "1500", "1600"],
                "-6.3",
                "75.0",
                Status::Normal,
                (1, 2),
                Some(0),
            ),
            nr("乙县", "县区", pr),
            full(
                "丙区",
                Some("县区"),
                pr,
                ["100", "400", "-250"],
                "260.0",
                "20.0",
                Status::TurnedProfit,
                (2, 1),
                Some(1),
            ),
            full(
                "丁区",
                Some("功能区"),
                pr,
                ["0", "100", "150"],
                "-33.3",
                "5.0",
                Status::Normal,
                (1, 1),
                None,
            ),
        ];
        let result = PeriodResult {
            period,
            rows,
            previous: Some(Period::from_str("2015-06").unwrap()),
            warnings: vec![Diagnostic::new(
                Location::cell("丙区.xlsx", "月报", "F6"),
                "同比增长与计算值相差0.3个百分点",
            )],
        };
        let mut prev = result.clone();
        prev.period = Period::from_str("2015-06").unwrap();
        prev.previous = None;
        for r in prev.rows.iter_mut() {
            r.growth_rank = r.growth_rank.map(|g| if g == 1 { 2 } else { 1 });
            if r.unit == "乙县" {
                r.growth_rank = Some(3);
            }
        }
        let ingested = Ingested {
            period,
            submissions: vec![],
            city: None,
            sources: vec![
                SourceFile {
                    path: "data/2015-07/甲县.xlsx".into(),
                    name: "甲县.xlsx".into(),
                    sha256: "ab".repeat(32),
                    kind: SourceKind::Submission,
                    sheet: "月报".into(),
                    units: vec!["甲县".into()],
                    period: Some(period),
                },
                SourceFile {
                    path: "data/2015-07/=HYPERLINK(1).xlsx".into(),
                    name: "=SUM(A1:A2).xlsx".into(),
                    sha256: "cd".repeat(32),
                    kind: SourceKind::Consolidated,
                    sheet: "汇总".into(),
                    units: vec!["丙区".into(), "丁区".into()],
                    period: None,
                },
            ],
            missing: vec![1],
            warnings: vec![Diagnostic::new(
                Location::file("甲县.xlsx"),
                "累计值低于上期",
            )],
        };
        let history = vec![prev, result.clone()];
        (cfg, result, ingested, history)
    }

    fn s(range: &calamine::Range<Data>, r: u32, c: u32) -> String {
        match range.get_value((r, c)) {
            Some(Data::String(s)) => s.clone(),
            Some(Data::Float(f)) => format!("{f}"),
            Some(Data::Int(i)) => format!("{i}"),
            Some(Data::Empty) | None => String::new(),
            Some(other) => format!("{other:?}"),
        }
    }

    fn num(range: &calamine::Range<Data>, r: u32, c: u32) -> f64 {
        match range.get_value((r, c)) {
            Some(Data::Float(f)) => *f,
            Some(Data::Int(i)) => *i as f64,
            other => panic!("({r},{c}) is not a number: {other:?}"),
        }
    }

    #[test]
    fn native_charts_name_the_group_under_its_units() {
        let (cfg, result, ingested, history) = sample();
        let dir = tempfile::tempdir().unwrap();
        let path = write(&cfg, &result, &ingested, &history, dir.path()).unwrap();
        let mut wb = open_workbook_auto(&path).unwrap();
        let t = wb.worksheet_range(SHEET_CHARTS).unwrap();
        let head = (0..=t.end().unwrap().0)
            .find(|r| s(&t, *r, 0) == "组别")
            .expect("chart data header");
        // Columns: 组别, 单位, 同比增长%, 全市 per indicator; the group at its first unit only.
        assert_eq!(
            (1..4).map(|c| s(&t, head, c)).collect::<Vec<_>>(),
            ["单位", "同比增长%", "全市"]
        );
        let rows: Vec<(String, String)> = (head + 1..head + 5)
            .map(|r| (s(&t, r, 0), s(&t, r, 1)))
            .collect();
        assert_eq!(
            rows,
            [
                ("县区".to_string(), "甲县".to_string()),
                (String::new(), "乙县".into()),
                (String::new(), "丙区".into()),
                ("功能区".into(), "丁区".into()),
            ]
        );
        assert_eq!(s(&t, head, 5), "组别", "second indicator's block");
        // The chart's categories are the two columns, as a two-level axis.
        let mut zip = zip::ZipArchive::new(std::fs::File::open(&path).unwrap()).unwrap();
        let mut xml = String::new();
        std::io::Read::read_to_string(&mut zip.by_name("xl/charts/chart1.xml").unwrap(), &mut xml)
            .unwrap();
        assert!(xml.contains("<c:multiLvlStrRef>"), "{xml}");
        for g in ["县区", "功能区", "甲县", "丁区"] {
            assert!(xml.contains(&format!("<c:v>{g}</c:v>")), "{g}");
        }
    }

    #[test]
    fn widths_match_the_printed_text() {
        let cells = [
            Cell::Amount(0.0),
            Cell::Amount(-0.04),
            Cell::Amount(-1.25),
            Cell::Amount(999.94),
            Cell::Amount(1000.0),
            Cell::Amount(-1_234_567.8),
            Cell::Amount(123_456_789_012.3),
            Cell::Pct(0.0),
            Cell::Pct(-12.3),
            Cell::Pct(1234.5),
            Cell::Rank(1),
            Cell::Rank(2851),
            Cell::Points(0.0),
            Cell::Points(-3.2),
            Cell::Points(15.0),
            Cell::Text("经济技术开发区".into()),
        ];
        for c in &cells {
            assert_eq!(width(c), display_width(&shown(c)), "{}", shown(c));
        }
    }

    #[test]
    fn labels() {
        assert_eq!(multiple_label(d("160.0")), "增长1.6倍");
        assert_eq!(multiple_label(d("100.0")), "增长1.0倍");
        assert_eq!(multiple_label(d("1234.5")), "增长12.3倍");
        assert_eq!(multiple_label(d("125.0")), "增长1.3倍"); // 1.25 → 1.3, half away from zero
        assert_eq!(rank_change_label(Some(2)), "↑2");
        assert_eq!(rank_change_label(Some(-1)), "↓1");
        assert_eq!(rank_change_label(Some(0)), "—");
        assert_eq!(rank_change_label(None), "—");
        assert_eq!(thousands(-1234567.26), "-1,234,567.3");
        assert_eq!(thousands(999.0), "999.0");
        assert_eq!(display_width("城乡一体化示范区"), 16);
    }

    #[test]
    fn workbook_has_every_sheet_unit_number_rank_and_status() {
        let (cfg, result, ingested, history) = sample();
        let dir = tempfile::tempdir().unwrap();
        let path = write(&cfg, &result, &ingested, &history, dir.path()).unwrap();
        assert_eq!(
            path.file_name().unwrap().to_string_lossy(),
            "测试市工业经济运行月度通报(2015年1-7月).xlsx"
        );
        let mut wb = open_workbook_auto(&path).unwrap();
        assert_eq!(
            wb.sheet_names(),
            vec![
                "排序总表",
                "规模以上工业增加值",
                "利润总额",
                "图表",
                "数据来源与校验"
            ]
        );

        // 排序总表
        let t = wb.worksheet_range("排序总表").unwrap();
        assert_eq!(s(&t, 0, 0), cfg.title);
        assert_eq!(s(&t, 1, 0), "2015年1-7月");
        assert!(s(&t, 1, 5).contains("单位:万元、%"), "{}", s(&t, 1, 5));
        assert_eq!(s(&t, 2, 2), "规模以上工业增加值");
        assert_eq!(s(&t, 2, 6), "利润总额");
        assert_eq!(s(&t, 3, 2), "1-7月累计");
        assert_eq!(s(&t, 3, 3), "同比增长%");
        assert_eq!(s(&t, 3, 4), "总量位次");
        assert_eq!(s(&t, 3, 5), "增速位次");
        let units: Vec<String> = (4..9).map(|r| s(&t, r, 1)).collect();
        assert_eq!(s(&t, 4, 0), "全市");
        assert_eq!(units[1..], ["甲县", "乙县", "丙区", "丁区"]);
        assert_eq!(s(&t, 5, 0), "县区");
        assert_eq!(s(&t, 8, 0), "功能区");
        assert_eq!(num(&t, 4, 2), 35000.0);
        assert_eq!(num(&t, 4, 3), 9.2);
        assert_eq!(num(&t, 5, 2), 21234.56);
        assert_eq!(num(&t, 5, 3), 8.1);
        assert_eq!(num(&t, 5, 4), 1.0);
        assert_eq!(num(&t, 5, 5), 2.0);
        assert_eq!(s(&t, 6, 2), "未报");
        assert_eq!(s(&t, 6, 3), "—");
        assert_eq!(s(&t, 6, 4), "—");
        assert_eq!(s(&t, 6, 5), "—");
        assert_eq!(num(&t, 7, 5), 1.0);
        assert_eq!(s(&t, 7, 7), "增长2.6倍(扭亏为盈)");
        assert_eq!(num(&t, 5, 7), -6.3);
        assert!(
            s(&t, 10, 0).starts_with("注:1. 同比增长"),
            "{}",
            s(&t, 10, 0)
        );
        let notes: String = (10..16).map(|r| s(&t, r, 0)).collect();
        assert!(
            notes.contains("RANK.EQ") && notes.contains("可比价") && notes.contains("未报"),
            "{notes}"
        );

        // Indicator sheet
        let p = wb.worksheet_range("利润总额").unwrap();
        assert_eq!(s(&p, 0, 0), "利润总额(2015年1-7月)");
        let header: Vec<String> = (0..12).map(|c| s(&p, 2, c)).collect();
        assert_eq!(
            header,
            [
                "组别",
                "单位",
                "本月",
                "1-7月累计",
                "上年同期",
                "增减额",
                "同比增长%",
                "占全市比重%",
                "总量位次",
                "增速位次",
                "位次变化",
                "状态"
            ]
        );
        assert_eq!(s(&p, 3, 0), "全市");
        assert_eq!(num(&p, 3, 3), 2000.0);
        assert_eq!(num(&p, 3, 7), 100.0);
        assert_eq!(s(&p, 3, 8), "—");
        // 甲县
        assert_eq!(s(&p, 4, 1), "甲县");
        assert_eq!(num(&p, 4, 5), -100.0);
        assert_eq!(num(&p, 4, 6), -6.3);
        assert_eq!(s(&p, 4, 10), "—");
        // 乙县: 未报
        assert_eq!(s(&p, 5, 1), "乙县");
        assert_eq!(s(&p, 5, 3), "—");
        assert_eq!(s(&p, 5, 11), "未报");
        // 丙区: 扭亏为盈, growth 260 → 增长2.6倍, up one place
        assert_eq!(s(&p, 6, 1), "丙区");
        assert_eq!(num(&p, 6, 4), -250.0);
        assert_eq!(num(&p, 6, 5), 650.0);
        assert_eq!(s(&p, 6, 6), "增长2.6倍");
        assert_eq!(num(&p, 6, 8), 2.0);
        assert_eq!(num(&p, 6, 9), 1.0);
        assert_eq!(s(&p, 6, 10), "↑1");
        assert_eq!(s(&p, 6, 11), "扭亏为盈");
        assert_eq!(s(&p, 7, 0), "功能区");
        assert_eq!(s(&p, 7, 1), "丁区");
        let v = wb.worksheet_range("规模以上工业增加值").unwrap();
        assert_eq!(s(&v, 6, 10), "↓1");
        assert_eq!(num(&v, 4, 3), 21234.56);

        // Sources: names are text, never formulas.
        let src = wb.worksheet_range("数据来源与校验").unwrap();
        assert_eq!(s(&src, 3, 1), "甲县.xlsx");
        assert_eq!(s(&src, 4, 1), "=SUM(A1:A2).xlsx");
        assert_eq!(s(&src, 4, 2), "汇总表");
        assert_eq!(s(&src, 4, 4), "丙区、丁区");
        assert_eq!(s(&src, 3, 6), "ab".repeat(32));
        let all: Vec<String> = src
            .rows()
            .flat_map(|r| r.iter().map(|c| c.to_string()))
            .collect();
        assert!(all.iter().any(|c| c == "丙区.xlsx!月报!F6"), "{all:?}");
        assert!(all.iter().any(|c| c.contains("累计值低于上期")));
        let formulas = wb.worksheet_formula("数据来源与校验").unwrap();
        assert!(formulas.used_cells().all(|(_, _, f)| f.is_empty()));

        // Native charts.
        let zip = std::fs::File::open(&path).unwrap();
        let mut z = zip::ZipArchive::new(zip).unwrap();
        assert!(z.by_name("xl/charts/chart1.xml").is_ok());
        assert!(z.by_name("xl/charts/chart2.xml").is_ok());

        // Merged cells: each group over its units (a group of one unit is no merge), beside
        // the title's, the two-level header's and 全市's.
        let mut x: calamine::Xlsx<_> = calamine::open_workbook(&path).unwrap();
        let mut merged = |name: &str| {
            let mut v: Vec<_> = x
                .merge_cells_by_sheet_name(name)
                .unwrap()
                .into_iter()
                .map(|d| (d.start, d.end))
                .collect();
            v.sort();
            v
        };
        let m = merged("排序总表");
        for range in [
            ((0, 0), (0, 9)),
            ((2, 0), (3, 0)),
            ((2, 2), (2, 5)),
            ((4, 0), (4, 1)),
            ((5, 0), (7, 0)),
        ] {
            assert!(m.contains(&range), "{range:?} in {m:?}");
        }
        assert!(!m.iter().any(|r| r.0 == (8, 0)), "{m:?}");
        let m = merged("利润总额");
        assert!(m.contains(&((4, 0), (6, 0))), "{m:?}");
        assert!(!m.iter().any(|r| r.0 == (7, 0)), "{m:?}");
        // The body rows are 20 pt high (27 px, written as 20.25), the header rows as set.
        let mut xml = String::new();
        use std::io::Read;
        z.by_name("xl/worksheets/sheet1.xml")
            .unwrap()
            .read_to_string(&mut xml)
            .unwrap();
        let row_tag = |r: u32| {
            let at = xml.find(&format!("<row r=\"{r}\"")).unwrap();
            xml[at..at + xml[at..].find('>').unwrap()].to_string()
        };
        for r in 5..=9 {
            assert!(
                row_tag(r).contains(" ht=\"20.25\" customHeight=\"1\""),
                "{}",
                row_tag(r)
            );
        }
        assert!(row_tag(4).contains(" ht=\"30\""), "{}", row_tag(4));
    }

    #[test]
    fn time_progress_is_month_over_twelve() {
        assert_eq!(time_progress(7), d("58.3"));
        assert_eq!(time_progress(6), d("50.0"));
        assert_eq!(time_progress(2), d("16.7"));
        assert_eq!(time_progress(1), d("8.3"));
        assert_eq!(time_progress(12), d("100.0"));
    }

    #[test]
    fn annual_targets_show_progress_beside_time_progress() {
        let targets = r#"
[[target]]
unit = "甲县"
indicator = "规模以上工业增加值"
value = 99999
growth = 1.0
[[target]]
unit = "甲县"
indicator = "规模以上工业增加值"
year = 2015
value = 10000
growth = 8.0
[[target]]
unit = "丙区"
indicator = "规模以上工业增加值"
growth = 10.0
[[target]]
unit = "丁区"
indicator = "规模以上工业增加值"
year = 2014
value = 5
[[target]]
unit = "丁区"
indicator = "规模以上工业增加值"
value = 2000
"#;
        let cfg = Config::parse(&format!("{TOML}{targets}"), "test").unwrap();
        let (_, mut result, ingested, history) = sample();
        let va = "规模以上工业增加值";
        for r in result.rows.iter_mut().filter(|r| r.indicator == va) {
            match r.unit.as_str() {
                "甲县" => {
                    r.value = Some(d("5833.3"));
                    r.growth = Some(d("9.2"));
                }
                // 1001 / 2000 = 50.05 % exactly: 四舍五入 gives 50.1 (a float would give 50.0).
                "丁区" => r.value = Some(d("1001")),
                _ => {}
            }
        }
        let dir = tempfile::tempdir().unwrap();
        let path = write(&cfg, &result, &ingested, &history, dir.path()).unwrap();
        let mut wb = open_workbook_auto(&path).unwrap();
        let v = wb.worksheet_range(va).unwrap();
        let header: Vec<String> = (11..18).map(|c| s(&v, 2, c)).collect();
        assert_eq!(
            header,
            [
                "状态",
                "年度目标",
                "完成进度%",
                "时序进度%",
                "目标增速%",
                "增速较目标",
                ""
            ]
        );
        // 全市: no target.
        assert_eq!(s(&v, 3, 0), "全市");
        assert!((12..17).all(|c| s(&v, 3, c) == "—"));
        // 甲县: the 2015 target wins over the one without a year.
        assert_eq!(s(&v, 4, 1), "甲县");
        assert_eq!(num(&v, 4, 12), 10000.0);
        assert_eq!(num(&v, 4, 13), 58.3);
        assert_eq!(num(&v, 4, 14), 58.3);
        assert_eq!(num(&v, 4, 15), 8.0);
        assert_eq!(num(&v, 4, 16), 1.2);
        // 乙县: 未报, no target.
        assert_eq!(s(&v, 5, 1), "乙县");
        assert!((12..17).all(|c| s(&v, 5, c) == "—"));
        // 丙区: a growth target only: 11.5 − 10.0.
        assert_eq!(s(&v, 6, 1), "丙区");
        assert!((12..15).all(|c| s(&v, 6, c) == "—"));
        assert_eq!(num(&v, 6, 15), 10.0);
        assert_eq!(num(&v, 6, 16), 1.5);
        // 丁区: the 2014 target is not this year's; the one without a year applies.
        assert_eq!(s(&v, 7, 1), "丁区");
        assert_eq!(num(&v, 7, 12), 2000.0);
        assert_eq!(num(&v, 7, 13), 50.1);
        assert_eq!(num(&v, 7, 14), 58.3);
        assert_eq!(s(&v, 7, 15), "—");
        assert_eq!(s(&v, 7, 16), "—");
        let notes: String = (9..14).map(|r| s(&v, r, 0)).collect();
        assert!(
            notes.contains("时序进度(%)=7÷12×100(本期58.3%)")
                && notes.contains("增速较目标=同比增长−目标增速"),
            "{notes}"
        );
        // 利润总额 has no target: no target columns, no target notes.
        let p = wb.worksheet_range("利润总额").unwrap();
        assert_eq!(s(&p, 2, 11), "状态");
        assert_eq!(s(&p, 2, 12), "");
        let notes: String = (9..14).map(|r| s(&p, r, 0)).collect();
        assert!(!notes.contains("时序进度"), "{notes}");

        // Without targets (the sample's configuration), no target columns anywhere.
        let (cfg, result, ingested, history) = sample();
        let dir = tempfile::tempdir().unwrap();
        let path = write(&cfg, &result, &ingested, &history, dir.path()).unwrap();
        let mut wb = open_workbook_auto(&path).unwrap();
        for name in [va, "利润总额"] {
            let t = wb.worksheet_range(name).unwrap();
            assert_eq!(s(&t, 2, 11), "状态");
            assert_eq!(s(&t, 2, 12), "", "{name}");
        }
    }

    #[test]
    fn hostile_names_and_long_strings_do_not_break_the_workbook() {
        let (mut cfg, mut result, mut ingested, history) = sample();
        cfg.indicators[1].name = "利润/总额:[测试]*?".repeat(3);
        for r in result.rows.iter_mut().filter(|r| r.indicator == "利润总额") {
            r.indicator = cfg.indicators[1].name.clone();
        }
        // A unit whose name is markup: text in every cell and in the charts' caches.
        let unit = "<甲&县>\"'";
        cfg.units[0].name = unit.to_string();
        for r in result.rows.iter_mut().filter(|r| r.unit == "甲县") {
            r.unit = unit.to_string();
        }
        ingested
            .warnings
            .push(Diagnostic::new(Location::file("x"), "长".repeat(100_000)));
        let dir = tempfile::tempdir().unwrap();
        let path = write(&cfg, &result, &ingested, &history, dir.path()).unwrap();
        let mut wb = open_workbook_auto(&path).unwrap();
        let names = wb.sheet_names();
        assert_eq!(names.len(), 5);
        assert!(
            names[2].chars().count() <= 31 && !names[2].contains('/'),
            "{names:?}"
        );
        let t = wb.worksheet_range(SHEET_SUMMARY).unwrap();
        assert_eq!(s(&t, 5, 1), unit);
        let p = wb.worksheet_range(&names[2]).unwrap();
        assert_eq!(s(&p, 4, 1), unit);
        assert_eq!(num(&p, 4, 6), -6.3);
        let mut zip = zip::ZipArchive::new(std::fs::File::open(&path).unwrap()).unwrap();
        let mut xml = String::new();
        std::io::Read::read_to_string(&mut zip.by_name("xl/charts/chart2.xml").unwrap(), &mut xml)
            .unwrap();
        assert!(xml.contains("<c:v>&lt;甲&amp;县&gt;\"'</c:v>"), "{xml}");
    }

    /// Writes the sample bulletin and charts to /tmp/prev for a visual check:
    /// `cargo test --lib bulletin -- --ignored`.
    #[test]
    #[ignore]
    fn preview() {
        let cfg = Config::default_city();
        let (_, sample_result, ingested, _) = sample();
        // The sample numbers spread over the default city's 8 units and 4 indicators.
        let mut rows = Vec::new();
        for (k, ind) in cfg.indicators.iter().enumerate() {
            let t = &sample_result.rows
                [if k % 2 == 0 { 0 } else { 5 }..if k % 2 == 0 { 5 } else { 10 }];
            rows.push(ResultRow {
                indicator: ind.name.clone(),
                ..t[0].clone()
            });
            for (i, u) in cfg.units.iter().enumerate() {
                let mut r = t[1 + i % 4].clone();
                r.unit = u.name.clone();
                r.group = Some(u.group.clone());
                r.indicator = ind.name.clone();
                if let (Some(v), Some(g)) = (r.value, r.growth) {
                    r.value = Some(v * Decimal::from(i as i64 + 1) + Decimal::from(1234567));
                    r.growth = Some(g + Decimal::from(i as i64) - Decimal::from(3));
                    r.growth_rank = Some((i as u32 % 6) + 1);
                    r.value_rank = Some(((i as u32 + 2) % 6) + 1);
                    r.rank_change = Some(i as i32 % 3 - 1);
                }
                rows.push(r);
            }
        }
        let result = PeriodResult {
            rows,
            ..sample_result
        };
        let mut history = Vec::new();
        for m in 2..=7 {
            let mut h = result.clone();
            h.period = Period::new(2015, m).unwrap();
            for r in h.rows.iter_mut() {
                r.growth_rank = r.growth_rank.map(|g| (g + m) % 6 + 1);
            }
            history.push(h);
        }
        let dir = Path::new("/tmp/prev");
        std::fs::create_dir_all(dir).unwrap();
        let p = write(&cfg, &result, &ingested, &history, dir).unwrap();
        let t = std::time::Instant::now();
        let files = crate::charts::write(&cfg, &result, &history, dir).unwrap();
        eprintln!(
            "{} -> {} charts in {:?}",
            p.display(),
            files.len(),
            t.elapsed()
        );
        let (cfg, result, ingested, history) = sample();
        let dir = Path::new("/tmp/prev/sample");
        std::fs::create_dir_all(dir).unwrap();
        write(&cfg, &result, &ingested, &history, dir).unwrap();
        crate::charts::write(&cfg, &result, &history, dir).unwrap();
    }
}
