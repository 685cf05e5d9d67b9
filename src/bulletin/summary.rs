//! 排序总表: every indicator's cumulative value, growth and two ranks side by side, a row per
//! unit under a two-level header, 全市 first, then the groups in order; the method notes under
//! the table.

use super::{Cells, Ctx, NOTE_PAD, SHEET_SUMMARY, amount, city_row, group_cell, rank, text};
use super::{growth_with_status, style::Xr};
use crate::bulletin::style::{DASH, Sheet, display_width};
use crate::config::{Config, TieRule};
use crate::model::{PeriodResult, Status};
use rust_xlsxwriter::Worksheet;

pub(super) fn sheet(ctx: &Ctx) -> Xr<Worksheet> {
    let (cfg, result, f) = (ctx.cfg, ctx.result, &ctx.f);
    let mut sh = Sheet::new(SHEET_SUMMARY)?;
    let last_col = 1 + 4 * cfg.indicators.len() as u16;
    sh.heading(
        last_col,
        last_col / 2,
        [&cfg.title, &result.period.label(), &measure_note(cfg)],
        [&f.title, &f.subtitle_left, &f.subtitle_right],
    )?;
    header(&mut sh, ctx)?;
    let mut row = 4u32;
    city_line(&mut sh, ctx, row)?;
    row += 1;
    for (g, units) in &ctx.groups {
        group_cell(&mut sh, row, row + units.len() as u32 - 1, g, f)?;
        for u in units {
            unit_line(&mut sh, ctx, row, u)?;
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

/// Rows 2 and 3, a row at a time: 组别 and 单位 over both, each indicator's name over its four
/// columns, then the four columns' names.
fn header(sh: &mut Sheet, ctx: &Ctx) -> Xr {
    let (cfg, f) = (ctx.cfg, &ctx.f);
    sh.merged(2, 0, 3, 0, "组别", &f.header)?;
    sh.merged(2, 1, 3, 1, "单位", &f.header)?;
    sh.measure(0, 4);
    sh.measure(1, 4);
    for (i, ind) in cfg.indicators.iter().enumerate() {
        let c = 2 + 4 * i as u16;
        sh.merged(2, c, 2, c + 3, &ind.name, &f.header)?;
    }
    sh.ws.set_row_height(2, 22)?;
    let span = format!("{}累计", ctx.result.period.span());
    for (i, ind) in cfg.indicators.iter().enumerate() {
        let c = 2 + 4 * i as u16;
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
    sh.ws.set_row_height(3, 30)?;
    Ok(())
}

/// 全市's row: its value and growth of each indicator, no ranks.
fn city_line(sh: &mut Sheet, ctx: &Ctx, row: u32) -> Xr {
    let f = &ctx.f;
    sh.merged(row, 0, row, 1, "全市", &f.city_text)?;
    for (i, ind) in ctx.cfg.indicators.iter().enumerate() {
        let c = 2 + 4 * i as u16;
        let r = city_row(ctx.result, &ind.name);
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
    Ok(())
}

/// A unit's row (its group's cell is written with the group's first row).
fn unit_line(sh: &mut Sheet, ctx: &Ctx, row: u32, u: &str) -> Xr {
    let f = &ctx.f;
    sh.cell(row, 1, &text(u), f, false)?;
    for (i, ind) in ctx.cfg.indicators.iter().enumerate() {
        let c = 2 + 4 * i as u16;
        match ctx.index.get(&(u, ind.name.as_str())) {
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
    Ok(())
}

/// 「单位:万元、%」: the indicators' measures, each once.
fn measure_note(cfg: &Config) -> String {
    let mut ms: Vec<&str> = Vec::new();
    for i in &cfg.indicators {
        if !ms.contains(&i.measure.as_str()) {
            ms.push(&i.measure);
        }
    }
    format!("单位:{}、%", ms.join("、"))
}

/// The notes under the table: how growth and ranks are computed, the statuses, rank change.
fn method_notes(cfg: &Config, result: &PeriodResult) -> Vec<String> {
    let tie = match cfg.tie {
        TieRule::Competition => "数值相同者并列,其后位次顺延(同Excel RANK.EQ,如1、2、2、4)",
        TieRule::Dense => "数值相同者并列,其后位次不跳位(中式排名,如1、2、2、3)",
    };
    let provided = cfg.provided_growth_names();
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
            provided
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
