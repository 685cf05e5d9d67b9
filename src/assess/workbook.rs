//! The assessment workbook: 考核结果 (final order per group, the points of each period, the
//! 计分办法 notes and every warning) and one sheet per indicator (rank matrix unit × period and
//! the points of each period). Print-ready like the bulletin: A4 landscape, one page wide,
//! repeated header rows, 黑体 titles, 宋体 body (GB2312 charset), borders, frozen headers,
//! column widths measured on the CJK text (2 per wide character).

use super::{Assessment, Cell, UnitScore, method_lines};
use crate::bulletin::style::{self, DASH, Sheet, Xr, display_width as width};
use crate::config::{Config, Scheme};
use crate::error::{Error, Result};
use rust_decimal::Decimal;
use rust_decimal::prelude::ToPrimitive;
use rust_xlsxwriter::{Format, FormatAlign, Workbook, Worksheet};

pub const SHEET_RESULT: &str = "考核结果";

/// `<city>工业经济运行实绩考核(<year>年).xlsx`, or `(<year>年1-M月)` for a review through a month.
pub fn file_name(cfg: &Config, a: &Assessment) -> String {
    let city = crate::output::file_stem(&cfg.city, 100);
    let when = if a.partial {
        a.through.label()
    } else {
        format!("{}年", a.year)
    };
    format!("{city}工业经济运行实绩考核({when}).xlsx")
}

/// The workbook as bytes.
pub fn build(cfg: &Config, a: &Assessment) -> Result<Vec<u8>> {
    let mut wb = book(cfg, a).map_err(|e| Error::output("assessment workbook", e))?;
    wb.save_to_buffer()
        .map_err(|e| Error::output("assessment workbook", e))
}

fn f64_of(d: Decimal) -> f64 {
    d.to_f64().unwrap_or(0.0)
}

struct Fmts {
    title: Format,
    left: Format,
    right: Format,
    header: Format,
    text: Format,
    rank: Format,
    points: Format,
    score: Format,
    pct: Format,
    amount: Format,
    note: Format,
    warn: Format,
}

impl Fmts {
    fn new() -> Fmts {
        let body = style::body();
        let cell = style::cell();
        Fmts {
            title: style::title(),
            left: body.clone().set_align(FormatAlign::Left),
            right: body.clone().set_align(FormatAlign::Right),
            header: style::header(),
            text: cell.clone().set_align(FormatAlign::Center),
            rank: style::rank(),
            points: cell
                .clone()
                .set_align(FormatAlign::Right)
                .set_num_format("0.00##"),
            score: cell
                .set_align(FormatAlign::Right)
                .set_num_format("0.00")
                .set_bold(),
            pct: style::pct(),
            amount: style::amount(),
            note: style::note(),
            warn: style::note().set_font_color(0xC00000),
        }
    }
}

/// The assessment's cells on the shared sheet.
trait Cells {
    fn rank(&mut self, row: u32, col: u16, r: Option<u32>, f: &Fmts) -> Xr;
    fn points(&mut self, row: u32, col: u16, d: Decimal, f: &Fmts) -> Xr;
}

impl Cells for Sheet {
    fn rank(&mut self, row: u32, col: u16, r: Option<u32>, f: &Fmts) -> Xr {
        match r {
            Some(r) => self.number(row, col, f64::from(r), &r.to_string(), &f.rank),
            None => self.string(row, col, DASH, &f.text),
        }
    }

    fn points(&mut self, row: u32, col: u16, d: Decimal, f: &Fmts) -> Xr {
        self.number(row, col, f64_of(d), &format!("{:.2}", d), &f.points)
    }
}

/// Points added to the height of a notes row.
const NOTE_PAD: f64 = 3.0;

/// Sheet names for the indicators: ≤ 31 characters, none of `[]:*?/\`, unique, not 考核结果.
fn sheet_names(a: &Assessment) -> Vec<String> {
    style::sheet_names(
        a.indicators.iter().map(|i| i.name.as_str()),
        &[SHEET_RESULT],
    )
}

fn book(cfg: &Config, a: &Assessment) -> Xr<Workbook> {
    let f = Fmts::new();
    let mut wb = Workbook::new();
    wb.push_worksheet(result_sheet(cfg, a, &f)?);
    for (i, name) in sheet_names(a).iter().enumerate() {
        wb.push_worksheet(indicator_sheet(a, i, name, &f)?);
    }
    Ok(wb)
}

fn title(cfg: &Config) -> String {
    format!("{}工业经济运行实绩考核", cfg.city)
}

fn subtitle(a: &Assessment) -> String {
    let kind = if a.partial {
        "季度督导"
    } else {
        "年度考核"
    };
    format!("{kind}:{}(共{}期)", a.span_label(), a.periods.len())
}

/// 考核结果: groups in configured order, units in final order.
fn result_sheet(cfg: &Config, a: &Assessment, f: &Fmts) -> Xr<Worksheet> {
    let mut sh = Sheet::new(SHEET_RESULT)?;
    let np = a.periods.len() as u16;
    // 组别 名次 单位 得分 | 每期得分 × np | 累计得分 期数 末期增速位次合计
    let c_periods = 4u16;
    let c_total = c_periods + np;
    let last_col = c_total + 2;
    sh.heading(
        last_col,
        last_col / 2,
        [
            &title(cfg),
            &subtitle(a),
            &format!(
                "计分办法:{}(满分{}分)",
                a.scheme_label(),
                super::plain(a.max_score())
            ),
        ],
        [&f.title, &f.left, &f.right],
    )?;
    for (c, h) in [
        (0u16, "组别"),
        (1, "名次"),
        (2, "单位"),
        (3, "考核得分"),
        (c_total, "累计得分"),
        (c_total + 1, "期数"),
        (c_total + 2, "末期增速位次合计"),
    ] {
        sh.merged(2, c, 3, c, h, &f.header)?;
        sh.measure(c, width(h).min(8));
    }
    sh.merged(2, c_periods, 2, c_total - 1, "各期得分", &f.header)?;
    for (k, p) in a.periods.iter().enumerate() {
        sh.string(3, c_periods + k as u16, &p.span(), &f.header)?;
    }
    sh.ws.set_row_height(2, 22)?;
    sh.ws.set_row_height(3, 22)?;
    let mut row = 4u32;
    for g in &a.groups {
        if g.units.is_empty() {
            continue;
        }
        let first = row;
        for u in &g.units {
            sh.number(
                row,
                1,
                f64::from(u.final_rank),
                &u.final_rank.to_string(),
                &f.rank,
            )?;
            sh.string(row, 2, &u.unit, &f.text)?;
            sh.number(
                row,
                3,
                f64_of(u.score),
                &format!("{:.2}", u.score),
                &f.score,
            )?;
            for (k, t) in u.period_totals.iter().enumerate() {
                sh.points(row, c_periods + k as u16, *t, f)?;
            }
            sh.points(row, c_total, u.total, f)?;
            sh.number(
                row,
                c_total + 1,
                a.periods.len() as f64,
                &a.periods.len().to_string(),
                &f.rank,
            )?;
            if u.last_missing == 0 {
                sh.number(
                    row,
                    c_total + 2,
                    f64::from(u.last_rank_sum),
                    &u.last_rank_sum.to_string(),
                    &f.rank,
                )?;
            } else {
                sh.string(
                    row,
                    c_total + 2,
                    &format!("{}(缺{}项)", u.last_rank_sum, u.last_missing),
                    &f.text,
                )?;
            }
            sh.ws.set_row_height(row, 20)?;
            row += 1;
        }
        sh.measure(0, width(&g.name));
        sh.merged(first, 0, row - 1, 0, &g.name, &f.text)?;
    }
    let total: f64 = sh.apply_widths(6.0, 40.0)?.iter().sum();
    let mut notes = method_lines(cfg, a);
    notes.push(format!(
        "各期得分为该期各指标得分之和(明细见各指标表);累计得分为各期得分之和;考核得分 = 累计得分 ÷ 期数。末期增速位次合计为{}各计分指标增速位次之和。",
        a.through.label()
    ));
    let mut next = sh.notes(row + 1, last_col + 1, total, &notes, &f.note, NOTE_PAD)?;
    if !a.warnings.is_empty() {
        let lines: Vec<String> = a.warnings.iter().map(|w| format!("提示:{w}")).collect();
        next = sh.notes(next, last_col + 1, total, &lines, &f.warn, NOTE_PAD)?;
    }
    let _ = next;
    sh.ws.set_freeze_panes(4, 3)?;
    sh.page_setup(Some(3))?;
    sh.ws.set_active(true);
    Ok(sh.ws)
}

/// A block of per-period columns on an indicator sheet.
enum Block {
    ValueRank,
    GrowthRank,
    Growth,
    Value,
    Points,
}

impl Block {
    fn label(&self, measure: &str) -> String {
        match self {
            Block::ValueRank => "总量位次".into(),
            Block::GrowthRank => "增速位次".into(),
            Block::Growth => "同比增长%".into(),
            Block::Value => format!("累计值({measure})"),
            Block::Points => "得分".into(),
        }
    }

    fn write(&self, sh: &mut Sheet, row: u32, col: u16, c: &Cell, f: &Fmts) -> Xr {
        let dash =
            |sh: &mut Sheet| sh.string(row, col, if c.recorded { DASH } else { "无记录" }, &f.text);
        match self {
            Block::ValueRank => sh.rank(row, col, c.value_rank, f),
            Block::GrowthRank => match c.growth_rank {
                Some(_) => sh.rank(row, col, c.growth_rank, f),
                None if !c.status.is_empty() => sh.string(row, col, &c.status, &f.text),
                None => dash(sh),
            },
            Block::Growth => match c.growth {
                Some(g) => sh.number(row, col, f64_of(g), &format!("{g:.1}"), &f.pct),
                None if !c.status.is_empty() => sh.string(row, col, &c.status, &f.text),
                None => dash(sh),
            },
            Block::Value => match c.value {
                Some(v) => sh.number(
                    row,
                    col,
                    f64_of(v),
                    &format!("{:.1}", v.round_dp(1)),
                    &f.amount,
                ),
                None => dash(sh),
            },
            Block::Points => sh.points(row, col, c.points, f),
        }
    }
}

fn indicator_sheet(a: &Assessment, i: usize, name: &str, f: &Fmts) -> Xr<Worksheet> {
    let ind = &a.indicators[i];
    let mut sh = Sheet::new(name)?;
    let np = a.periods.len() as u16;
    let target = a.scheme == Scheme::Target;
    let has_value_target = target
        && a.units()
            .any(|u| u.targets[i].as_ref().is_some_and(|t| t.value.is_some()));
    let mut blocks = Vec::new();
    if a.scheme == Scheme::Mixed {
        blocks.push(Block::ValueRank);
    }
    blocks.push(Block::GrowthRank);
    if target {
        blocks.push(Block::Growth);
        if has_value_target {
            blocks.push(Block::Value);
        }
    }
    blocks.push(Block::Points);
    let mut fixed: Vec<String> = vec!["组别".into(), "单位".into()];
    if target {
        fixed.push("目标增速%".into());
        if has_value_target {
            fixed.push(format!("年度目标值({})", ind.measure));
        }
    }
    let c_blocks = fixed.len() as u16;
    let c_total = c_blocks + np * blocks.len() as u16;
    let last_col = c_total;
    let kind = if a.scheme == Scheme::Mixed {
        "位次"
    } else {
        "增速位次"
    };
    sh.heading(
        last_col,
        last_col / 2,
        [
            &format!("{}{kind}及得分", ind.name),
            &subtitle(a),
            &format!("权重{}分 · {}", super::plain(ind.weight), a.scheme_label()),
        ],
        [&f.title, &f.left, &f.right],
    )?;
    for (c, h) in fixed.iter().enumerate() {
        sh.merged(2, c as u16, 3, c as u16, h, &f.header)?;
        sh.measure(c as u16, width(h).min(10));
    }
    for (b, block) in blocks.iter().enumerate() {
        let c0 = c_blocks + b as u16 * np;
        sh.merged(2, c0, 2, c0 + np - 1, &block.label(&ind.measure), &f.header)?;
        for (k, p) in a.periods.iter().enumerate() {
            sh.string(3, c0 + k as u16, &p.span(), &f.header)?;
        }
    }
    sh.merged(2, c_total, 3, c_total, "累计得分", &f.header)?;
    sh.measure(c_total, 8);
    sh.ws.set_row_height(2, 22)?;
    sh.ws.set_row_height(3, 22)?;

    let mut row = 4u32;
    for g in &a.groups {
        if g.units.is_empty() {
            continue;
        }
        // The matrix keeps the official order.
        let mut units: Vec<&UnitScore> = g.units.iter().collect();
        units.sort_by_key(|u| u.index);
        let first = row;
        for u in units {
            sh.string(row, 1, &u.unit, &f.text)?;
            if target {
                let t = u.targets[i].as_ref();
                match t.and_then(|t| t.growth) {
                    Some(g) => sh.number(row, 2, f64_of(g), &super::plain(g), &f.pct)?,
                    None => sh.string(row, 2, DASH, &f.text)?,
                }
                if has_value_target {
                    match t.and_then(|t| t.value) {
                        Some(v) => sh.number(
                            row,
                            3,
                            f64_of(v),
                            &format!("{:.1}", v.round_dp(1)),
                            &f.amount,
                        )?,
                        None => sh.string(row, 3, DASH, &f.text)?,
                    }
                }
            }
            for (b, block) in blocks.iter().enumerate() {
                let c0 = c_blocks + b as u16 * np;
                for (k, cell) in u.cells[i].iter().enumerate() {
                    block.write(&mut sh, row, c0 + k as u16, cell, f)?;
                }
            }
            sh.points(row, c_total, u.indicator_totals[i], f)?;
            sh.ws.set_row_height(row, 20)?;
            row += 1;
        }
        sh.measure(0, width(&g.name));
        sh.merged(first, 0, row - 1, 0, &g.name, &f.text)?;
    }
    let total: f64 = sh.apply_widths(6.0, 40.0)?.iter().sum();
    let note = vec![format!(
        "注:得分按“{}”工作表所列计分办法计算;“—”为该期无位次或无数值,“无记录”为该期历史记录中没有该单位,均得0分。",
        SHEET_RESULT
    )];
    sh.notes(row + 1, last_col + 1, total, &note, &f.note, NOTE_PAD)?;
    sh.ws.set_freeze_panes(4, 2)?;
    sh.page_setup(Some(3))?;
    Ok(sh.ws)
}
