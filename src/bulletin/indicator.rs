//! One sheet per indicator: every unit's month, cumulative value, base, change, growth, share
//! of 全市, ranks, rank change and status, 全市 first, then the groups in order; where the
//! configuration sets annual targets (`[[target]]`), the progress against them.

use super::style::Xr;
use super::{
    Cell, Cells, Ctx, Fmts, NOTE_PAD, amount, city_row, group_cell, growth, pct, rank,
    rank_change_label, text,
};
use crate::bulletin::style::{DASH, Sheet};
use crate::config::{Config, GrowthMode, IndicatorConfig};
use crate::model::{PeriodResult, ResultRow, Status};
use crate::text::{decimal_from_f64, div_round};
use rust_decimal::prelude::ToPrimitive;
use rust_decimal::{Decimal, RoundingStrategy};
use rust_xlsxwriter::Worksheet;
use std::collections::HashMap;

pub(super) fn sheet(ctx: &Ctx, ind: &IndicatorConfig, sheet_name: &str) -> Xr<Worksheet> {
    let (cfg, result, f) = (ctx.cfg, ctx.result, &ctx.f);
    let mut sh = Sheet::new(sheet_name)?;
    let targets = Targets::of(cfg, result, &ind.name);
    let headers = headers(result, &targets);
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
    let mut row = 3u32;
    sh.merged(row, 0, row, 1, "全市", &f.city_text)?;
    match city_row(result, &ind.name) {
        Some(r) => line(&mut sh, row, r, None, &targets, f, true)?,
        None => dashes(&mut sh, row, last_col, f, true)?,
    }
    row += 1;
    for (g, units) in &ctx.groups {
        group_cell(&mut sh, row, row + units.len() as u32 - 1, g, f)?;
        for u in units {
            sh.cell(row, 1, &text(u.as_str()), f, false)?;
            match ctx.index.get(&(u.as_str(), ind.name.as_str())) {
                Some(r) => {
                    let t = targets.by_unit.get(&r.unit);
                    line(&mut sh, row, r, t, &targets, f, false)?;
                }
                None => dashes(&mut sh, row, last_col, f, false)?,
            }
            row += 1;
        }
    }
    let widths = sh.apply_widths(7.0, 40.0)?;
    let total: f64 = widths.iter().sum();
    let lines = notes(result, ind, &targets);
    sh.notes(row + 1, last_col + 1, total, &lines, &f.note, NOTE_PAD)?;
    sh.ws.set_freeze_panes(3, 2)?;
    sh.page_setup(Some(2))?;
    Ok(sh.ws)
}

/// The columns' names: 组别 … 状态, then the target columns the sheet has.
fn headers(result: &PeriodResult, targets: &Targets) -> Vec<String> {
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
    if targets.value_cols {
        headers.extend(["年度目标", "完成进度%", "时序进度%"].map(String::from));
    }
    if targets.growth_cols {
        headers.extend(["目标增速%", "增速较目标"].map(String::from));
    }
    headers
}

/// A row's numbers from column 2 on, and its height; `t` is the unit's target.
fn line(
    sh: &mut Sheet,
    row: u32,
    r: &ResultRow,
    t: Option<&UnitTarget>,
    targets: &Targets,
    f: &Fmts,
    is_city: bool,
) -> Xr {
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
    cells.extend(target_cells(
        Some(r),
        t,
        targets.month,
        targets.value_cols,
        targets.growth_cols,
    ));
    for (k, c) in cells.iter().enumerate() {
        sh.cell(row, 2 + k as u16, c, f, is_city)?;
    }
    sh.ws.set_row_height(row, 20)?;
    Ok(())
}

/// 「—」 from column 2 to `last_col`: a row without a result.
fn dashes(sh: &mut Sheet, row: u32, last_col: u16, f: &Fmts, is_city: bool) -> Xr {
    for k in 2..=last_col {
        sh.cell(row, k, &text(DASH), f, is_city)?;
    }
    Ok(())
}

/// The notes under the table: the growth's method, rank change, and the target columns'.
fn notes(result: &PeriodResult, ind: &IndicatorConfig, targets: &Targets) -> Vec<String> {
    let month = result.period.month;
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
    if targets.value_cols {
        lines.push(format!(
            "    年度目标为{year}年逐级分解的目标任务;完成进度(%)=1-{month}月累计÷年度目标×100,时序进度(%)={month}÷12×100(本期{tp:.1}%)。完成进度不低于时序进度为达到序时进度(进度过半:1-6月完成进度达到50%),低于者为滞后于序时进度。",
            year = result.period.year,
            tp = time_progress(month),
        ));
    }
    if targets.growth_cols {
        lines.push(
            "    增速较目标=同比增长−目标增速(百分点),正数为快于年度目标增速,负数为慢于目标。"
                .to_string(),
        );
    }
    lines
}

/// The targets of one indicator this period, and which target columns its sheet has.
struct Targets {
    by_unit: HashMap<String, UnitTarget>,
    /// 年度目标, 完成进度%, 时序进度%: some unit has a value target.
    value_cols: bool,
    /// 目标增速%, 增速较目标: some unit has a growth target.
    growth_cols: bool,
    month: u32,
}

impl Targets {
    fn of(cfg: &Config, result: &PeriodResult, indicator: &str) -> Targets {
        let by_unit = targets_of(cfg, result.period.year, indicator);
        Targets {
            value_cols: by_unit.values().any(|t| t.value.is_some()),
            growth_cols: by_unit.values().any(|t| t.growth.is_some()),
            month: result.period.month,
            by_unit,
        }
    }
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
pub(super) fn time_progress(month: u32) -> Decimal {
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
