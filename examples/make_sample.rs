//! Generates the ILLUSTRATIVE sample inputs under `data/` (fictitious numbers, not official
//! statistics): one folder per period 2015-02 … 2015-12 (no January: 1-2月 is published
//! together), one submission workbook per unit of the default city, with a few messy
//! real-world variants (see `data/README.md`), and 2015-05 as one consolidated workbook.
//!
//! ```text
//! cargo run --example make_sample -- data
//! ```
//! Deterministic: a fixed xorshift generator and fixed document properties, so running it
//! twice gives byte-identical files. Only the `.xlsx` files of the period folders it writes
//! are replaced; nothing else under the output folder is touched.

use rust_decimal::prelude::ToPrimitive;
use rust_decimal::{Decimal, RoundingStrategy};
use rust_xlsxwriter::{
    DocProperties, ExcelDateTime, Format, FormatAlign, FormatBorder, Workbook, XlsxError,
};
use std::path::{Path, PathBuf};

const YEAR: i32 = 2015;
const CITY: &str = "漯河市";
/// The default city's units in official order, with their group.
const UNITS: [(&str, &str); 8] = [
    ("临颍县", "县区"),
    ("舞阳县", "县区"),
    ("郾城区", "县区"),
    ("源汇区", "县区"),
    ("召陵区", "县区"),
    ("经济技术开发区", "县区"),
    ("城乡一体化示范区", "功能区"),
    ("西城区", "功能区"),
];
const INDICATORS: [&str; 4] = ["规模以上工业增加值", "主营业务收入", "利润总额", "工业税收"];
const VA: usize = 0;
const REV: usize = 1;
const PROFIT: usize = 2;
const TAX: usize = 3;
/// Unit indices used by the special cases.
const WUYANG: usize = 1;
const YANCHENG: usize = 2;
const YUANHUI: usize = 3; // 由盈转亏
const ZHAOLING: usize = 4;
const LINYING: usize = 0;
const JINGKAI: usize = 5;
const SHIFANQU: usize = 6;
const XICHENG: usize = 7; // negative profit base: 减亏, 扭亏为盈
const CONSOLIDATED_MONTH: usize = 5;

// ---------------------------------------------------------------------------------------------
// Deterministic numbers.

/// xorshift64*: tiny, fixed, the same on every platform.
struct Rng(u64);

impl Rng {
    fn next_u64(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        x.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    /// Uniform in [0, 1).
    fn unit(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }
    /// Uniform in [lo, hi).
    fn range(&mut self, lo: f64, hi: f64) -> f64 {
        lo + (hi - lo) * self.unit()
    }
}

/// A number in 万元 with one decimal (half away from zero, as f64::round does).
fn d1(x: f64) -> Decimal {
    Decimal::new((x * 10.0).round() as i64, 1)
}

/// Growth in % to one decimal, 四舍五入 on the exact decimals; None when the base is 0.
fn growth(value: Decimal, base: Decimal) -> Option<Decimal> {
    if base.is_zero() {
        return None;
    }
    let g = (value - base) / base.abs() * Decimal::ONE_HUNDRED;
    Some(g.round_dp_with_strategy(1, RoundingStrategy::MidpointAwayFromZero))
}

fn f(d: Decimal) -> f64 {
    d.to_f64().expect("decimal fits an f64")
}

/// Monthly values of one unit and indicator: this year and last year, months 1..=12.
#[derive(Clone)]
struct Series {
    this_year: [Decimal; 12],
    last_year: [Decimal; 12],
}

impl Series {
    /// 本月 of month `m` (1-based).
    fn month(&self, m: usize) -> Decimal {
        self.this_year[m - 1]
    }
    /// 1-本月累计.
    fn value(&self, m: usize) -> Decimal {
        self.this_year[..m].iter().sum()
    }
    /// 上年同期累计.
    fn base(&self, m: usize) -> Decimal {
        self.last_year[..m].iter().sum()
    }
}

struct UnitData {
    series: [Series; 4],
    /// 规模以上工业增加值 同比增长 (可比价) as submitted, per month (1-based index m-1).
    va_growth: [Decimal; 12],
}

impl UnitData {
    /// The growth written in the sheet: submitted for value added, computed for the others.
    fn growth(&self, ind: usize, m: usize) -> Option<Decimal> {
        if ind == VA {
            Some(self.va_growth[m - 1])
        } else {
            growth(self.series[ind].value(m), self.series[ind].base(m))
        }
    }
}

/// Seasonal shape of a year (January and February low, December high).
const SEASON: [f64; 12] = [
    0.062, 0.066, 0.080, 0.081, 0.083, 0.085, 0.082, 0.084, 0.087, 0.090, 0.093, 0.107,
];

fn generate() -> Vec<UnitData> {
    let mut rng = Rng(0x7461_6E67_6261_6F15); // "tongbao" + 2015
    // Value added 1-12月 in 万元: county-level units large, the two 功能区 small.
    let annual_va = [
        560_000.0, 430_000.0, 380_000.0, 300_000.0, 250_000.0, 470_000.0, 62_000.0, 24_000.0,
    ];
    let mut units = Vec::new();
    for (u, &va_year) in annual_va.iter().enumerate() {
        let va_year = va_year * rng.range(0.93, 1.07);
        let revenue_year = va_year * rng.range(4.5, 5.5);
        let profit_year = revenue_year * rng.range(0.045, 0.075);
        let tax_year = revenue_year * rng.range(0.021, 0.029);
        // Mean comparable-price growth of value added and nominal growth of the others (%).
        let va_g = rng.range(6.0, 10.0);
        let deflator = rng.range(-1.5, 0.5);
        let rev_g = if u == ZHAOLING {
            0.0
        } else {
            rng.range(3.0, 12.0)
        };
        let profit_g = rng.range(-8.0, 15.0);
        let tax_g = rng.range(-4.0, 12.0);
        let mut make = |year: f64, g: f64, noise: f64| {
            let mut s = Series {
                this_year: [Decimal::ZERO; 12],
                last_year: [Decimal::ZERO; 12],
            };
            for (m, season) in SEASON.iter().enumerate() {
                let v = year * season * rng.range(1.0 - noise, 1.0 + noise);
                s.this_year[m] = d1(v);
                s.last_year[m] = d1(v / (1.0 + (g + rng.range(-1.5, 1.5)) / 100.0));
            }
            s
        };
        let va = make(va_year, va_g + deflator, 0.03);
        let rev = make(revenue_year, rev_g, 0.04);
        let profit = make(profit_year, profit_g, 0.10);
        let tax = make(tax_year, tax_g, 0.08);
        let mut va_growth = [Decimal::ZERO; 12];
        let mut g = va_g;
        for slot in va_growth.iter_mut() {
            g = (g + rng.range(-0.6, 0.6)).clamp(5.0, 11.0);
            *slot = d1(g);
        }
        units.push(UnitData {
            series: [va, rev, profit, tax],
            va_growth,
        });
    }
    // 召陵区 grows its revenue a little faster than 临颍县 (see the tie below).
    units[ZHAOLING].series[REV].last_year = {
        let rate: Vec<f64> = (0..12)
            .map(|m| {
                f(units[LINYING].series[REV].this_year[m])
                    / f(units[LINYING].series[REV].last_year[m])
            })
            .collect();
        let mut ly = [Decimal::ZERO; 12];
        for (m, slot) in ly.iter_mut().enumerate() {
            *slot = d1(f(units[ZHAOLING].series[REV].this_year[m]) / (rate[m] + 0.012));
        }
        ly
    };

    // 源汇区: profitable last year, losses from April this year → 由盈转亏 once the cumulative
    // profit turns negative.
    {
        let p = &mut units[YUANHUI].series[PROFIT];
        for m in 3..12 {
            p.this_year[m] = d1(-1.45 * f(p.last_year[m]));
        }
    }
    // 西城区: a loss-making first half last year (negative base until September), small losses
    // early this year (减亏), profits from March (扭亏为盈 while the base is negative).
    {
        let p = &mut units[XICHENG].series[PROFIT];
        let last = [
            -412.6, -385.3, -301.8, -206.4, -148.9, -97.5, 301.2, 498.7, 702.3, 896.4, 1003.8,
            1392.5,
        ];
        let this = [
            -251.7, -198.2, 152.4, 348.6, 401.3, 452.9, 497.1, 553.4, 598.8, 652.2, 703.6, 897.9,
        ];
        for m in 0..12 {
            p.last_year[m] = d1(last[m]);
            p.this_year[m] = d1(this[m]);
        }
    }
    // Ties in growth: 舞阳县 and 郾城区 in 2015-06 (value added, 县区),
    // 城乡一体化示范区 and 西城区 in 2015-10 (value added, 功能区).
    units[YANCHENG].va_growth[5] = units[WUYANG].va_growth[5];
    units[XICHENG].va_growth[9] = units[SHIFANQU].va_growth[9];
    // 召陵区 and 临颍县 in 2015-09 (主营业务收入, computed growth): nudge 召陵区's September of
    // last year so that the rounded growths agree.
    {
        let target = units[LINYING].growth(REV, 9).expect("base");
        let s = &units[ZHAOLING].series[REV];
        let value = s.value(9);
        let wanted = d1(f(value) / (1.0 + f(target) / 100.0));
        let step = Decimal::new(1, 1);
        let mut base = wanted;
        for k in 0..200 {
            let delta = step * Decimal::from(if k % 2 == 0 { k / 2 } else { -(k / 2 + 1) });
            if growth(value, wanted + delta) == Some(target) {
                base = wanted + delta;
                break;
            }
        }
        let delta = base - s.base(9);
        units[ZHAOLING].series[REV].last_year[8] += delta;
        assert_eq!(units[ZHAOLING].growth(REV, 9), Some(target));
    }
    for (u, d) in units.iter().enumerate() {
        for (i, s) in d.series.iter().enumerate() {
            if i != PROFIT {
                assert!(
                    s.this_year
                        .iter()
                        .chain(&s.last_year)
                        .all(|v| v.is_sign_positive() && !v.is_zero()),
                    "{u} {i}"
                );
            }
        }
    }
    units
}

// ---------------------------------------------------------------------------------------------
// Workbooks.

#[derive(Clone, Copy, PartialEq)]
enum Col {
    Name,
    Measure,
    Month,
    Value,
    Base,
    Growth,
    Remark,
}

/// How one cell is written.
enum Cell {
    Number(Decimal),
    Text(String),
    /// A fraction in a percent-formatted cell: shows 9.2%.
    Percent(Decimal),
    Blank,
}

/// The description of one submission workbook; `standard` is the canonical layout of SPEC §2.1.
struct Submission {
    file: String,
    /// Rows above the header: (row, col, text), 0-based.
    meta: Vec<(u32, u16, String)>,
    blank_first_sheet: bool,
    header_row: u32,
    columns: Vec<(Col, String)>,
    names: [String; 4],
    measure: String,
    /// Multiplier from 万元 to the unit of the file (元: 10000, 千元: 10).
    scale: Decimal,
    /// Overrides: (indicator, column) → cell.
    overrides: Vec<(usize, Col, Cell)>,
    footer: String,
}

fn standard(unit: &str, m: usize) -> Submission {
    Submission {
        file: format!("{YEAR}-{m:02}{unit}.xlsx"),
        meta: vec![
            (1, 0, format!("填报单位:{unit}")),
            (1, 2, format!("报告期:{}", label(m))),
            (1, 4, "单位:万元、%".to_string()),
        ],
        blank_first_sheet: false,
        header_row: 2,
        columns: vec![
            (Col::Name, "指标名称".into()),
            (Col::Measure, "计量单位".into()),
            (Col::Month, "本月".into()),
            (Col::Value, "1-本月累计".into()),
            (Col::Base, "上年同期累计".into()),
            (Col::Growth, "同比增长(%)".into()),
        ],
        names: INDICATORS.map(String::from),
        measure: "万元".into(),
        scale: Decimal::ONE,
        overrides: Vec::new(),
        footer: footer(m),
    }
}

fn label(m: usize) -> String {
    if m == 1 {
        format!("{YEAR}年1月")
    } else {
        format!("{YEAR}年1-{m}月")
    }
}

fn footer(m: usize) -> String {
    let (y, next) = if m == 12 {
        (YEAR + 1, 1)
    } else {
        (YEAR, m + 1)
    };
    format!("填表人:李某某    联系电话:0395-0000000    填报日期:{y}年{next}月6日")
}

fn fullwidth(s: &str) -> String {
    s.chars()
        .map(|c| match c {
            '0'..='9' | '.' | ',' | '-' | '%' | ':' | '(' | ')' => {
                char::from_u32(c as u32 + 0xFEE0).unwrap_or(c)
            }
            _ => c,
        })
        .collect()
}

/// `12,345.6`.
fn with_commas(d: Decimal) -> String {
    let s = format!("{:.1}", d.abs());
    let (int, frac) = s.split_once('.').unwrap_or((&s, "0"));
    let mut out = String::new();
    for (i, ch) in int.chars().enumerate() {
        if i > 0 && (int.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(ch);
    }
    format!(
        "{}{out}.{frac}",
        if d.is_sign_negative() && !d.is_zero() {
            "-"
        } else {
            ""
        }
    )
}

struct Styles {
    title: Format,
    text: Format,
    header: Format,
    cell: Format,
    number: Format,
    percent: Format,
}

fn styles() -> Styles {
    let song = || Format::new().set_font_name("宋体").set_font_charset(134);
    Styles {
        title: Format::new()
            .set_font_name("黑体")
            .set_font_charset(134)
            .set_font_size(14)
            .set_align(FormatAlign::Center),
        text: song(),
        header: song()
            .set_bold()
            .set_text_wrap()
            .set_align(FormatAlign::Center)
            .set_border(FormatBorder::Thin),
        cell: song().set_border(FormatBorder::Thin),
        number: song()
            .set_border(FormatBorder::Thin)
            .set_num_format("#,##0.0"),
        percent: song().set_border(FormatBorder::Thin).set_num_format("0.0%"),
    }
}

fn new_workbook() -> Workbook {
    let mut wb = Workbook::new();
    let when = ExcelDateTime::from_ymd(2016, 1, 15)
        .and_then(|d| d.and_hms(9, 0, 0))
        .expect("fixed date");
    wb.set_properties(
        &DocProperties::new()
            .set_author("tongbao make_sample")
            .set_comment("ILLUSTRATIVE sample data: fictitious numbers, not official statistics")
            .set_creation_datetime(&when),
    );
    wb
}

fn write_submission(sub: &Submission, data: &UnitData, m: usize) -> Result<Vec<u8>, XlsxError> {
    let st = styles();
    let mut wb = new_workbook();
    if sub.blank_first_sheet {
        wb.add_worksheet().set_name("Sheet1")?;
    }
    let ws = wb.add_worksheet();
    ws.set_name("月报")?;
    let ncols = sub.columns.len() as u16;
    ws.merge_range(
        0,
        0,
        0,
        ncols - 1,
        &format!("{CITY}规模以上工业主要指标月报表"),
        &st.title,
    )?;
    for (r, c, t) in &sub.meta {
        ws.write_string_with_format(*r, *c, t, &st.text)?;
    }
    for (c, (col, head)) in sub.columns.iter().enumerate() {
        let c = c as u16;
        ws.write_string_with_format(sub.header_row, c, head, &st.header)?;
        let width = match col {
            Col::Name => 22.0,
            Col::Measure => 10.0,
            Col::Remark => 20.0,
            _ => 15.0,
        };
        ws.set_column_width(c, width)?;
    }
    for ind in 0..4 {
        let r = sub.header_row + 1 + ind as u32;
        let s = &data.series[ind];
        for (c, (col, _)) in sub.columns.iter().enumerate() {
            let c = c as u16;
            let over = sub
                .overrides
                .iter()
                .position(|(i, oc, _)| *i == ind && oc == col);
            let default = match col {
                Col::Name => Cell::Text(sub.names[ind].clone()),
                Col::Measure => Cell::Text(sub.measure.clone()),
                Col::Month => Cell::Number(s.month(m) * sub.scale),
                Col::Value => Cell::Number(s.value(m) * sub.scale),
                Col::Base => Cell::Number(s.base(m) * sub.scale),
                Col::Growth => data.growth(ind, m).map_or(Cell::Blank, Cell::Number),
                Col::Remark => Cell::Blank,
            };
            let cell = match over {
                Some(k) => &sub.overrides[k].2,
                None => &default,
            };
            match cell {
                Cell::Number(d) => {
                    ws.write_number_with_format(r, c, f(*d), &st.number)?;
                }
                Cell::Text(t) => {
                    ws.write_string_with_format(r, c, t, &st.cell)?;
                }
                Cell::Percent(d) => {
                    ws.write_number_with_format(r, c, f(*d / Decimal::ONE_HUNDRED), &st.percent)?;
                }
                Cell::Blank => {
                    ws.write_blank(r, c, &st.cell)?;
                }
            }
        }
    }
    ws.write_string_with_format(sub.header_row + 6, 0, &sub.footer, &st.text)?;
    wb.save_to_buffer()
}

/// The consolidated workbook of SPEC §2.2 (one sheet, a row per unit, 全市 first).
fn write_consolidated(units: &[UnitData], m: usize) -> Result<Vec<u8>, XlsxError> {
    let st = styles();
    let mut wb = new_workbook();
    let ws = wb.add_worksheet();
    ws.set_name("汇总")?;
    ws.merge_range(
        0,
        0,
        0,
        11,
        &format!("{}各县区规模以上工业主要指标", label(m)),
        &st.title,
    )?;
    ws.write_string_with_format(1, 0, "单位:万元、%", &st.text)?;
    ws.merge_range(2, 0, 3, 0, "单位", &st.header)?;
    ws.set_column_width(0, 18.0)?;
    // 规模以上工业增加值: 1-本月累计 | 同比增长(%); the others: 1-本月累计 | 上年同期 | 同比增长(%).
    let mut col = 1u16;
    let mut layout: Vec<(usize, Vec<(u16, Col)>)> = Vec::new();
    for (i, name) in INDICATORS.iter().enumerate() {
        let cols: Vec<Col> = if i == VA {
            vec![Col::Value, Col::Growth]
        } else {
            vec![Col::Value, Col::Base, Col::Growth]
        };
        let last = col + cols.len() as u16 - 1;
        ws.merge_range(2, col, 2, last, name, &st.header)?;
        let mut placed = Vec::new();
        for c in cols {
            let head = match c {
                Col::Value => "1-本月累计",
                Col::Base => "上年同期",
                _ => "同比增长(%)",
            };
            ws.write_string_with_format(3, col, head, &st.header)?;
            ws.set_column_width(col, 13.0)?;
            placed.push((col, c));
            col += 1;
        }
        layout.push((i, placed));
    }
    // 全市: sums of the units; value-added growth is the base-weighted mean of unit growths.
    let sum = |ind: usize, f: &dyn Fn(&Series) -> Decimal| -> Decimal {
        units.iter().map(|u| f(&u.series[ind])).sum()
    };
    let va_base = sum(VA, &|s| s.base(m));
    let weighted: Decimal = units
        .iter()
        .map(|u| u.series[VA].base(m) * u.va_growth[m - 1])
        .sum();
    let city_va_growth =
        (weighted / va_base).round_dp_with_strategy(1, RoundingStrategy::MidpointAwayFromZero);
    let row_cells = |r: u32,
                     ws: &mut rust_xlsxwriter::Worksheet,
                     get: &dyn Fn(usize, Col) -> Option<Decimal>| {
        for (ind, placed) in &layout {
            for (c, kind) in placed {
                match get(*ind, *kind) {
                    Some(d) => ws
                        .write_number_with_format(r, *c, f(d), &st.number)
                        .map(|_| ()),
                    None => ws.write_blank(r, *c, &st.cell).map(|_| ()),
                }?;
            }
        }
        Ok::<(), XlsxError>(())
    };
    ws.write_string_with_format(4, 0, "全市", &st.cell)?;
    row_cells(4, ws, &|ind, kind| match kind {
        Col::Value => Some(sum(ind, &|s| s.value(m))),
        Col::Base => Some(sum(ind, &|s| s.base(m))),
        _ if ind == VA => Some(city_va_growth),
        _ => growth(sum(ind, &|s| s.value(m)), sum(ind, &|s| s.base(m))),
    })?;
    for (k, (unit, _)) in UNITS.iter().enumerate() {
        let r = 5 + k as u32;
        ws.write_string_with_format(r, 0, *unit, &st.cell)?;
        let d = &units[k];
        row_cells(r, ws, &|ind, kind| match kind {
            Col::Value => Some(d.series[ind].value(m)),
            Col::Base => Some(d.series[ind].base(m)),
            _ => d.growth(ind, m),
        })?;
    }
    ws.write_string_with_format(14, 0, "注:规模以上工业增加值增速按可比价计算。", &st.text)?;
    wb.save_to_buffer()
}

/// The submissions of month `m`, with this month's variants applied.
fn submissions(units: &[UnitData], m: usize) -> Vec<(Submission, usize)> {
    let mut out = Vec::new();
    for (u, (unit, _)) in UNITS.iter().enumerate() {
        let mut s = standard(unit, m);
        let d = &units[u];
        match (m, u) {
            // Header lower (row 6), an extra blank sheet first, the meta lines one per row.
            (3, WUYANG) => {
                s.blank_first_sheet = true;
                s.meta = vec![
                    (1, 0, format!("填报单位:{unit}")),
                    (2, 0, format!("报告期:{}", label(m))),
                    (3, 0, "单位:万元、%".to_string()),
                ];
                s.header_row = 5;
            }
            // Columns in another order and an extra 备注 column.
            (4, YANCHENG) => {
                s.columns = vec![
                    (Col::Name, "指标名称".into()),
                    (Col::Value, "1-本月累计".into()),
                    (Col::Base, "上年同期累计".into()),
                    (Col::Growth, "同比增长(%)".into()),
                    (Col::Month, "本月".into()),
                    (Col::Measure, "计量单位".into()),
                    (Col::Remark, "备注".into()),
                ];
                s.overrides
                    .push((REV, Col::Remark, Cell::Text("含新入规企业2家".into())));
                s.overrides
                    .push((VA, Col::Remark, Cell::Text("可比价".into())));
            }
            // File named by the unit only; synonyms of indicators and columns.
            (6, XICHENG) => {
                s.file = format!("{unit}.xlsx");
            }
            (6, LINYING) => {
                s.names = ["规上工业增加值", "主营收入", "利润", "税收"].map(String::from);
                s.columns[3].1 = "本年累计".into();
                s.columns[4].1 = "去年同期".into();
                s.columns[5].1 = "增速(%)".into();
            }
            (7, ZHAOLING) => {
                s.names = ["工业增加值", "营业收入", "实现利润", "工业税收收入"].map(String::from);
                s.columns[3].1 = format!("1-{m}月累计");
                s.columns[4].1 = "上年同期".into();
                s.columns[5].1 = "比上年同期增长(%)".into();
            }
            // Full-width punctuation, ideographic spaces and line breaks inside header cells.
            (7, YUANHUI) => {
                s.meta = vec![
                    (1, 0, format!("填报单位：{unit}")),
                    (1, 2, fullwidth(&format!("报告期：{YEAR}年1-{m}月"))),
                    (1, 4, "单位：万元、％".to_string()),
                ];
                s.columns[2].1 = "本\u{3000}月".into();
                s.columns[3].1 = "1－本月\n累计".into();
                s.columns[4].1 = "上年同期\n累计".into();
                s.columns[5].1 = "同比增长\n（％）".into();
                s.names = [
                    " 规模以上工业增加值",
                    "主营业务收入 ",
                    "利润\u{3000}总额",
                    "工业\n税收",
                ]
                .map(String::from);
                s.footer = fullwidth(&s.footer);
            }
            // Values in 元 through the 计量单位 column (no 单位 note).
            (8, ZHAOLING) => {
                s.meta.retain(|(_, c, _)| *c != 4);
                s.measure = "元".into();
                s.scale = Decimal::from(10_000);
            }
            // An alias in the file name.
            (8, JINGKAI) => {
                s.file = format!("经开区{YEAR}年{m}月报表.xlsx");
            }
            // A missing 本月 written as `-`.
            (8, XICHENG) => {
                s.overrides.push((TAX, Col::Month, Cell::Text("-".into())));
            }
            // Values in 千元 through the 单位 note; no 计量单位 column.
            (9, YANCHENG) => {
                s.columns.retain(|(c, _)| *c != Col::Measure);
                s.meta = vec![
                    (1, 0, format!("填报单位:{unit}")),
                    (1, 2, format!("报告期:{}", label(m))),
                    (1, 3, "单位:千元、%".to_string()),
                ];
                s.scale = Decimal::from(10);
            }
            // A growth not filled in, written as `—` (computed from value and base anyway).
            (9, SHIFANQU) => {
                s.overrides.push((REV, Col::Growth, Cell::Text("—".into())));
                s.overrides
                    .push((PROFIT, Col::Month, Cell::Text("—".into())));
            }
            // Numbers as text: `12,345.6` and ` 12345.6 `.
            (10, LINYING) => {
                for ind in 0..4 {
                    let ser = &d.series[ind];
                    s.overrides
                        .push((ind, Col::Month, Cell::Text(with_commas(ser.month(m)))));
                    s.overrides.push((
                        ind,
                        Col::Value,
                        Cell::Text(format!(" {:.1} ", ser.value(m))),
                    ));
                }
            }
            // Full-width digits and the growth as text `9.2%`.
            (11, WUYANG) => {
                for ind in 0..4 {
                    let v = d.series[ind].value(m);
                    s.overrides
                        .push((ind, Col::Value, Cell::Text(fullwidth(&format!("{v:.1}")))));
                }
                let g = d.va_growth[m - 1];
                s.overrides
                    .push((VA, Col::Growth, Cell::Text(format!("{g:.1}%"))));
            }
            // The unit only in the 填报单位 cell; a file name that says nothing.
            (11, SHIFANQU) => {
                s.file = "报表3.xlsx".into();
            }
            // Another file-name style; growths in percent-formatted cells (0.092 shown as 9.2%).
            (12, WUYANG) => {
                s.file = format!("{unit}{YEAR}年{m}月报表.xlsx");
            }
            (12, ZHAOLING) => {
                for ind in 0..4 {
                    if let Some(g) = d.growth(ind, m) {
                        s.overrides.push((ind, Col::Growth, Cell::Percent(g)));
                    }
                }
            }
            _ => {}
        }
        out.push((s, u));
    }
    out
}

fn run(out: &Path) -> Result<Vec<PathBuf>, Box<dyn std::error::Error>> {
    let units = generate();
    let mut written = Vec::new();
    for m in 2..=12 {
        let dir = out.join(format!("{YEAR}-{m:02}"));
        std::fs::create_dir_all(&dir)?;
        for e in std::fs::read_dir(&dir)? {
            let p = e?.path();
            if p.extension().is_some_and(|x| x == "xlsx") {
                std::fs::remove_file(&p)?;
            }
        }
        if m == CONSOLIDATED_MONTH {
            let p = dir.join(format!("{YEAR}-{m:02}汇总.xlsx"));
            std::fs::write(&p, write_consolidated(&units, m)?)?;
            written.push(p);
            continue;
        }
        for (sub, u) in submissions(&units, m) {
            let p = dir.join(&sub.file);
            std::fs::write(&p, write_submission(&sub, &units[u], m)?)?;
            written.push(p);
        }
    }
    Ok(written)
}

fn main() {
    let out = std::env::args_os()
        .nth(1)
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("data"));
    match run(&out) {
        Ok(files) => {
            println!(
                "wrote {} illustrative sample workbooks under {}",
                files.len(),
                out.display()
            );
        }
        Err(e) => {
            eprintln!("make_sample: {e}");
            std::process::exit(1);
        }
    }
}
