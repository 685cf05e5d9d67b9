//! 数据来源与校验: every input file read (its kind, sheet, units, period and SHA-256), then
//! every warning of the reading and of the computation, with where it was found.

use super::style::Xr;
use super::{Cells, Ctx, SHEET_SOURCES, text};
use crate::bulletin::style::{DASH, Sheet, column_width, display_width};
use crate::error::Diagnostic;
use crate::model::Ingested;
use rust_xlsxwriter::Worksheet;

const HEADERS: [&str; 7] = [
    "序号",
    "文件",
    "类型",
    "工作表",
    "读取为(单位)",
    "报告期",
    "SHA-256",
];
const LAST_COL: u16 = HEADERS.len() as u16 - 1;

pub(super) fn sheet(ctx: &Ctx, ingested: &Ingested) -> Xr<Worksheet> {
    let (cfg, result, f) = (ctx.cfg, ctx.result, &ctx.f);
    let mut sh = Sheet::new(SHEET_SOURCES)?;
    let title = format!("数据来源与校验({})", result.period.label());
    sh.merged(0, 0, 0, LAST_COL, &title, &f.title)?;
    sh.ws.set_row_height(0, 36)?;
    let line = format!(
        "本期:{} 配置:{} 输入文件{}个",
        result.period.label(),
        cfg.source_name,
        ingested.sources.len()
    );
    sh.merged(1, 0, 1, LAST_COL, &line, &f.subtitle_left)?;
    for (c, h) in HEADERS.iter().enumerate() {
        sh.string(2, c as u16, h, &f.header)?;
    }
    let row = files(&mut sh, ctx, ingested, 3)?;
    // The SHA-256 column is set in a smaller font: 64 hex digits.
    if let Some(w) = sh.widths.get_mut(6) {
        *w = (*w * 9).div_ceil(11);
    }
    warnings(&mut sh, ctx, ingested, row + 1)?;
    sh.apply_widths(6.0, 60.0)?;
    sh.ws.set_freeze_panes(3, 0)?;
    sh.page_setup(Some(2))?;
    Ok(sh.ws)
}

/// A row per input file from `row` on; returns the next free row.
fn files(sh: &mut Sheet, ctx: &Ctx, ingested: &Ingested, mut row: u32) -> Xr<u32> {
    let f = &ctx.f;
    for (i, s) in ingested.sources.iter().enumerate() {
        let period = match s.period {
            Some(p) if p == ingested.period => p.label(),
            Some(p) => format!("{}(本期{})", p.label(), ingested.period.label()),
            None => format!("{}(文件未注明)", ingested.period.label()),
        };
        let units = if s.units.is_empty() {
            DASH.to_string()
        } else {
            s.units.join("、")
        };
        sh.cell(row, 0, &text((i + 1).to_string()), f, false)?;
        sh.string(row, 1, &s.name, &f.text)?;
        let cells = [
            text(s.kind.label()),
            text(s.sheet.as_str()),
            text(units),
            text(period),
        ];
        for (c, cell) in (2..).zip(&cells) {
            sh.cell(row, c, cell, f, false)?;
        }
        sh.string(row, 6, &s.sha256, &f.small_text)?;
        row += 1;
    }
    if ingested.sources.is_empty() {
        sh.merged(row, 0, row, LAST_COL, "(无输入文件)", &f.text_center)?;
        row += 1;
    }
    Ok(row)
}

/// 校验提示 at `row`: every warning once (of the reading, then of the computation), its row
/// as high as its wrapped text.
fn warnings(sh: &mut Sheet, ctx: &Ctx, ingested: &Ingested, mut row: u32) -> Xr {
    let f = &ctx.f;
    sh.ws
        .write_string_with_format(row, 0, "校验提示", &f.section)?;
    row += 1;
    sh.string(row, 0, "序号", &f.header)?;
    sh.merged(row, 1, row, 2, "位置", &f.header)?;
    sh.merged(row, 3, row, LAST_COL, "内容", &f.header)?;
    row += 1;
    let mut warnings: Vec<&Diagnostic> = Vec::new();
    for w in ingested.warnings.iter().chain(&ctx.result.warnings) {
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
    let loc_width: f64 = widths.iter().skip(1).take(2).sum::<f64>().max(10.0);
    for (i, w) in warnings.iter().enumerate() {
        sh.string(row, 0, &(i + 1).to_string(), &f.text_center)?;
        let loc = w.location.to_string();
        sh.merged(row, 1, row, 2, &loc, &f.small_text)?;
        sh.merged(row, 3, row, LAST_COL, &w.message, &f.small_text)?;
        let lines = (display_width(&w.message) as f64 * 0.9 / msg_width)
            .max(display_width(&loc) as f64 * 0.9 / loc_width)
            .ceil()
            .clamp(1.0, 40.0);
        sh.ws.set_row_height(row, 13.0 * lines + 4.0)?;
        row += 1;
    }
    if warnings.is_empty() {
        sh.merged(row, 0, row, LAST_COL, "无", &f.text_center)?;
    }
    Ok(())
}
