//! PNG charts (SPEC §4), drawn without any system font.
//!
//! Per indicator:
//! - `charts/<indicator>增速.png`: growth (同比增长 %) of every unit as bars, all units in one
//!   chart in official order, groups side by side (separated, each group named under its
//!   units, bars coloured by group), the city growth as a dashed horizontal line.
//! - `charts/<indicator>增速位次走势.png`: 增速位次 over the year's recorded periods (x: 1-2月,
//!   1-3月 …; y: rank, 1 at the top), a line per unit, one panel per ranking group (ranks are
//!   only comparable within a group), legend at the right of each panel.
//!
//! With many units (more than [`MAX_UNITS_PER_FILE`]) or groups (more than
//! [`MAX_PANELS_PER_FILE`]) each group gets its own files, `<indicator>增速(<group>).png` and
//! `<indicator>增速位次走势(<group>).png`, so that no image grows without bound.
//!
//! plotters lays out the shapes (bars, lines, grid) on a palette [`Canvas`] (one byte per
//! pixel; our backend fills spans and draws the anti-aliased lines and markers itself); every
//! text is drawn with ab_glyph by [`fonts::Painter`], glyph by glyph at its own bounds
//! (plotters' ab_glyph text ignores left bearings), from the font of [`crate::charts::fonts`]; the
//! PNG is written by the png crate. Every character is checked against the font before
//! anything is drawn. Charts are drawn in parallel. [`write_pictures`] also draws the
//! assessment's charts.

pub mod canvas;
pub mod fonts;

use crate::charts::canvas::{Canvas, CanvasBackend};
use crate::config::Config;
use crate::error::{Error, Result};
use crate::model::{PeriodResult, ResultRow, Status};
use ab_glyph::FontArc;
use fonts::{Align, Painter, Texts};
use plotters::prelude::*;
use rayon::prelude::*;
use rust_decimal::prelude::ToPrimitive;
use std::path::{Path, PathBuf};

/// Above this many units, growth charts are written one file per group.
pub const MAX_UNITS_PER_FILE: usize = 60;
/// Above this many groups, rank-trend charts are written one file per group.
pub const MAX_PANELS_PER_FILE: usize = 8;
/// Widest image written, in pixels.
const MAX_WIDTH: u32 = 12_000;

/// Fixed texts drawn on the charts besides names and numbers (checked against the font).
pub const FIXED_TEXT: &str =
    "同比增长(%)全市增速位次走势年月—未报扭亏为盈由盈转亏减亏增亏无可比基数第0123456789.-+%()、…";

/// Write the PNG charts into `dir/charts/`; returns the files written.
/// `history` is every recorded period of the same year up to and including this one.
pub fn write(
    cfg: &Config,
    result: &PeriodResult,
    history: &[PeriodResult],
    dir: &Path,
) -> Result<Vec<PathBuf>> {
    let jobs = plan(cfg, result, history);
    let texts = jobs.iter().flat_map(|j| j.texts());
    let font = fonts::load_covering(cfg, texts.chain([FIXED_TEXT]))?;
    write_pictures(font, &jobs, dir)
}

/// A PNG chart: its file name, its size and how to draw it.
pub(crate) trait Picture: Sync {
    /// File name in `charts/`.
    fn file(&self) -> &str;
    /// Width and height in pixels.
    fn size(&self) -> (u32, u32);
    /// Draw the shapes on `root` and collect the texts in `tx`.
    fn draw(&self, painter: &Painter, root: &Area, tx: &mut Texts) -> Result<(), String>;
}

/// Draw `pictures` (in parallel) into `dir/charts/` with `font` (already checked to cover
/// every text); returns the files written.
pub(crate) fn write_pictures<P: Picture>(
    font: FontArc,
    pictures: &[P],
    dir: &Path,
) -> Result<Vec<PathBuf>> {
    let out = dir.join("charts");
    std::fs::create_dir_all(&out).map_err(|e| Error::io(&out, e))?;
    let painter = Painter::new(font);
    pictures
        .par_iter()
        .map(|p| {
            let path = out.join(p.file());
            render(p, &painter, &path)
                .map_err(|m| Error::output(format!("chart {}", path.display()), m))?;
            Ok(path)
        })
        .collect()
}

// ---------------------------------------------------------------------------------------------
// What to draw

struct Job {
    file: String,
    chart: Chart,
}

enum Chart {
    Growth(GrowthChart),
    Trend(TrendChart),
}

struct GrowthChart {
    title: String,
    subtitle: String,
    groups: Vec<(String, Vec<Bar>)>,
    city: Option<f64>,
    city_label: String,
}

struct Bar {
    unit: String,
    growth: Option<f64>,
    /// Lines drawn at the bar's end (value, status) or at zero when there is no bar.
    labels: Vec<String>,
}

struct TrendChart {
    title: String,
    /// x labels (1-2月 …), one per recorded period.
    xs: Vec<String>,
    panels: Vec<Panel>,
}

struct Panel {
    group: String,
    /// (unit, rank per period)
    series: Vec<(String, Vec<Option<u32>>)>,
}

impl Job {
    fn texts(&self) -> Vec<&str> {
        let mut t: Vec<&str> = Vec::new();
        match &self.chart {
            Chart::Growth(g) => {
                t.extend([g.title.as_str(), g.subtitle.as_str(), g.city_label.as_str()]);
                for (name, bars) in &g.groups {
                    t.push(name);
                    for b in bars {
                        t.push(&b.unit);
                        t.extend(b.labels.iter().map(|s| s.as_str()));
                    }
                }
            }
            Chart::Trend(tr) => {
                t.push(&tr.title);
                t.extend(tr.xs.iter().map(|s| s.as_str()));
                for p in &tr.panels {
                    t.push(&p.group);
                    t.extend(p.series.iter().map(|(u, _)| u.as_str()));
                }
            }
        }
        t
    }
}

/// `<stem>.png`, made safe for any file system.
pub(crate) fn file_name(stem: &str) -> String {
    format!("{}.png", crate::output::file_stem(stem, 120))
}

fn dec(d: Option<rust_decimal::Decimal>) -> Option<f64> {
    d.and_then(|d| d.to_f64()).filter(|f| f.is_finite())
}

fn bar_of(r: &ResultRow) -> Bar {
    let growth = dec(r.growth);
    let mut labels = Vec::new();
    if !matches!(
        r.status,
        Status::Normal | Status::NotReported | Status::NoBase
    ) {
        labels.push(r.status.label().to_string());
    }
    match r.growth {
        Some(g) => labels.push(format!("{g:.1}")),
        None => labels.push(if r.status.label().is_empty() {
            "—".to_string()
        } else {
            r.status.label().to_string()
        }),
    }
    Bar {
        unit: r.unit.clone(),
        growth,
        labels,
    }
}

/// Rows of one indicator grouped by ranking group, groups in configuration order.
fn grouped<'a>(cfg: &Config, rows: &[&'a ResultRow]) -> Vec<(String, Vec<&'a ResultRow>)> {
    cfg.by_group(
        rows.iter()
            .filter(|r| !r.is_city)
            .map(|r| (r.group.as_deref(), *r)),
    )
}

fn plan(cfg: &Config, result: &PeriodResult, history: &[PeriodResult]) -> Vec<Job> {
    // The year's periods, this one included, each once, in order.
    let mut periods: Vec<&PeriodResult> = history
        .iter()
        .filter(|h| h.period.year == result.period.year && h.period <= result.period)
        .collect();
    periods.retain(|h| h.period != result.period);
    periods.push(result);
    periods.sort_by_key(|h| h.period);
    periods.dedup_by_key(|h| h.period);
    let xs: Vec<String> = periods.iter().map(|h| h.period.span()).collect();
    // (unit, indicator) -> 增速位次, per period: lookups stay cheap with thousands of units.
    let ranks_of: Vec<rustc_hash::FxHashMap<(&str, &str), Option<u32>>> = periods
        .iter()
        .map(|h| {
            h.rows
                .iter()
                .map(|r| ((r.unit.as_str(), r.indicator.as_str()), r.growth_rank))
                .collect()
        })
        .collect();

    let mut jobs = Vec::new();
    for ind in &cfg.indicators {
        let rows: Vec<&ResultRow> = result.indicator_rows(&ind.name).collect();
        let city = rows.iter().find(|r| r.is_city);
        let city_growth = city.and_then(|r| dec(r.growth));
        let city_label = match city.and_then(|r| r.growth) {
            Some(g) => format!("全市 {g:.1}%"),
            None => "全市 —".to_string(),
        };
        let groups = grouped(cfg, &rows);
        let n_units: usize = groups.iter().map(|(_, v)| v.len()).sum();
        let title = format!("{}同比增长(%)", ind.name);
        let subtitle = format!("{} {}", result.period.label(), city_label);
        let growth_chart = |gs: Vec<(String, Vec<&ResultRow>)>| GrowthChart {
            title: title.clone(),
            subtitle: subtitle.clone(),
            groups: gs
                .into_iter()
                .map(|(g, rs)| (g, rs.into_iter().map(bar_of).collect()))
                .collect(),
            city: city_growth,
            city_label: city_label.clone(),
        };
        if n_units <= MAX_UNITS_PER_FILE {
            jobs.push(Job {
                file: file_name(&format!("{}增速", ind.name)),
                chart: Chart::Growth(growth_chart(groups.clone())),
            });
        } else {
            for g in &groups {
                jobs.push(Job {
                    file: file_name(&format!("{}增速({})", ind.name, g.0)),
                    chart: Chart::Growth(growth_chart(vec![g.clone()])),
                });
            }
        }

        let panels: Vec<Panel> = groups
            .iter()
            .map(|(g, rs)| Panel {
                group: g.clone(),
                series: rs
                    .iter()
                    .map(|r| {
                        let ranks = ranks_of
                            .iter()
                            .map(|m| {
                                m.get(&(r.unit.as_str(), ind.name.as_str()))
                                    .copied()
                                    .flatten()
                            })
                            .collect();
                        (r.unit.clone(), ranks)
                    })
                    .collect(),
            })
            .collect();
        let trend_title = format!("{}增速位次走势({}年)", ind.name, result.period.year);
        if panels.len() <= MAX_PANELS_PER_FILE && n_units <= MAX_UNITS_PER_FILE {
            jobs.push(Job {
                file: file_name(&format!("{}增速位次走势", ind.name)),
                chart: Chart::Trend(TrendChart {
                    title: trend_title,
                    xs: xs.clone(),
                    panels,
                }),
            });
        } else {
            for p in panels {
                jobs.push(Job {
                    file: file_name(&format!("{}增速位次走势({})", ind.name, p.group)),
                    chart: Chart::Trend(TrendChart {
                        title: trend_title.clone(),
                        xs: xs.clone(),
                        panels: vec![p],
                    }),
                });
            }
        }
    }
    jobs
}

// ---------------------------------------------------------------------------------------------
// Drawing

pub(crate) const BLACK_T: RGBColor = RGBColor(0x20, 0x20, 0x20);
pub(crate) const GREY_T: RGBColor = RGBColor(0x70, 0x70, 0x70);
pub(crate) const GRID: RGBColor = RGBColor(0xE0, 0xE0, 0xE0);
pub(crate) const AXIS: RGBColor = RGBColor(0x40, 0x40, 0x40);
const CITY: RGBColor = RGBColor(0xC0, 0x00, 0x00);
const GROUP_COLOURS: [RGBColor; 6] = [
    RGBColor(0x2F, 0x55, 0x97),
    RGBColor(0xC5, 0x5A, 0x11),
    RGBColor(0x54, 0x82, 0x35),
    RGBColor(0x70, 0x30, 0xA0),
    RGBColor(0xBF, 0x90, 0x00),
    RGBColor(0x2E, 0x75, 0xB6),
];
const LINE_COLOURS: [RGBColor; 10] = [
    RGBColor(0x1F, 0x77, 0xB4),
    RGBColor(0xFF, 0x7F, 0x0E),
    RGBColor(0x2C, 0xA0, 0x2C),
    RGBColor(0xD6, 0x27, 0x28),
    RGBColor(0x94, 0x67, 0xBD),
    RGBColor(0x8C, 0x56, 0x4B),
    RGBColor(0xE3, 0x77, 0xC2),
    RGBColor(0x7F, 0x7F, 0x7F),
    RGBColor(0xBC, 0xBD, 0x22),
    RGBColor(0x17, 0xBE, 0xCF),
];

pub(crate) use crate::charts::canvas::Area;

pub(crate) fn e2s<E: std::fmt::Display>(e: E) -> String {
    e.to_string()
}

fn render<P: Picture>(p: &P, painter: &Painter, path: &Path) -> Result<(), String> {
    let png = paint(p, painter)?.into_png().map_err(e2s)?;
    std::fs::write(path, png).map_err(e2s)
}

/// The picture on white: shapes by plotters, then the text layer on top.
pub(crate) fn paint<P: Picture>(p: &P, painter: &Painter) -> Result<Canvas, String> {
    let (w, h) = p.size();
    let mut canvas = Canvas::new(w, h);
    let mut tx = Texts::default();
    {
        let root = CanvasBackend(&mut canvas).into_drawing_area();
        p.draw(painter, &root, &mut tx)?;
        root.present().map_err(e2s)?;
    }
    painter.rasterize(&tx, &mut canvas);
    Ok(canvas)
}

impl Picture for Job {
    fn file(&self) -> &str {
        &self.file
    }

    fn size(&self) -> (u32, u32) {
        match &self.chart {
            Chart::Growth(g) => growth_size(g),
            Chart::Trend(t) => trend_size(t),
        }
    }

    fn draw(&self, ctx: &Painter, root: &Area, tx: &mut Texts) -> Result<(), String> {
        match &self.chart {
            Chart::Growth(g) => draw_growth(g, ctx, root, tx),
            Chart::Trend(t) => draw_trend(t, ctx, root, tx),
        }
    }
}

/// "Nice" axis ticks covering lo..hi (about `n` of them).
fn ticks(lo: f64, hi: f64, n: usize) -> (f64, f64, f64) {
    let span = (hi - lo).max(1e-9);
    let raw = span / n.max(1) as f64;
    let mag = 10f64.powf(raw.log10().floor());
    let step = [1.0, 2.0, 2.5, 5.0, 10.0]
        .iter()
        .map(|m| m * mag)
        .find(|s| *s >= raw)
        .unwrap_or(10.0 * mag);
    ((lo / step).floor() * step, (hi / step).ceil() * step, step)
}

fn fmt_tick(v: f64, step: f64) -> String {
    let v = if v.abs() < step * 1e-6 { 0.0 } else { v };
    if step.fract().abs() < 1e-9 && v.fract().abs() < 1e-9 {
        format!("{v:.0}")
    } else {
        format!("{v:.1}")
    }
}

fn dashed_hline(
    area: &Area,
    x0: i32,
    x1: i32,
    y: i32,
    colour: RGBColor,
    width: u32,
) -> Result<(), String> {
    let mut x = x0;
    while x < x1 {
        let e = (x + 10).min(x1);
        area.draw(&PathElement::new(
            vec![(x, y), (e, y)],
            colour.stroke_width(width),
        ))
        .map_err(e2s)?;
        x += 16;
    }
    Ok(())
}

const G_LEFT: u32 = 76;
const G_RIGHT: u32 = 130;

fn growth_size(g: &GrowthChart) -> (u32, u32) {
    let n: usize = g.groups.iter().map(|(_, b)| b.len()).sum();
    let gaps = g.groups.len().saturating_sub(1);
    let avail = MAX_WIDTH - G_LEFT - G_RIGHT;
    let units_w = (n as u32 + gaps as u32 / 2).max(1);
    let slot = (avail / units_w).clamp(8, 84);
    let plot_w = slot * n as u32 + (slot / 2) * gaps as u32;
    ((G_LEFT + plot_w + G_RIGHT).clamp(900, MAX_WIDTH), 560)
}

fn draw_growth(g: &GrowthChart, ctx: &Painter, root: &Area, tx: &mut Texts) -> Result<(), String> {
    let n: usize = g.groups.iter().map(|(_, b)| b.len()).sum();
    let gaps = g.groups.len().saturating_sub(1);
    let (left, right, top, bottom) = (G_LEFT, G_RIGHT, 84u32, 100u32);
    let (width, height) = root.dim_in_pixel();
    let plot_w = width - left - right;
    // Re-spread the slots over the plot width when the minimum width left room.
    let slot_f = plot_w as f32 / (n as f32 + gaps as f32 * 0.5).max(1.0);
    let labels_on = slot_f >= 40.0;

    let vals: Vec<f64> = g
        .groups
        .iter()
        .flat_map(|(_, b)| b.iter().filter_map(|b| b.growth))
        .chain(g.city)
        .collect();
    let lo = vals.iter().copied().fold(0.0f64, f64::min);
    let hi = vals.iter().copied().fold(0.0f64, f64::max);
    let pad = ((hi - lo) * 0.12).max(1.0);
    let (lo_t, hi_t, step) = ticks(if lo < 0.0 { lo - pad } else { 0.0 }, hi + pad, 6);
    let (pt, pb) = (top as f32, (height - bottom) as f32);
    let y_of = |v: f64| pb - ((v - lo_t) / (hi_t - lo_t)) as f32 * (pb - pt);
    let (pl, pr) = (left as f32, (width - right) as f32);

    // (The canvas starts white: no fill, which was a pass over every pixel.)
    // Grid and y ticks.
    let mut tick_labels = Vec::new();
    let n_ticks = (((hi_t - lo_t) / step).round() as usize).min(50);
    for k in 0..=n_ticks {
        let v = lo_t + step * k as f64;
        let y = y_of(v).round() as i32;
        root.draw(&PathElement::new(
            vec![(pl as i32, y), (pr as i32, y)],
            GRID.stroke_width(1),
        ))
        .map_err(e2s)?;
        tick_labels.push((fmt_tick(v, step), y));
    }
    // Bars.
    let mut x = pl;
    let mut group_spans = Vec::new();
    let zero = y_of(0.0);
    let mut label_jobs: Vec<(String, f32, f32, f32, RGBColor)> = Vec::new();
    for (gi, (gname, bars)) in g.groups.iter().enumerate() {
        let colour = GROUP_COLOURS[gi % GROUP_COLOURS.len()];
        let gx0 = x;
        for b in bars {
            let cx = x + slot_f / 2.0;
            let bw = (slot_f * 0.56).max(2.0);
            let label_em = if slot_f >= 70.0 { 13.0 } else { 11.0 };
            match b.growth {
                Some(gv) => {
                    let yv = y_of(gv);
                    let (y0, y1) = if yv < zero { (yv, zero) } else { (zero, yv) };
                    root.draw(&Rectangle::new(
                        [
                            ((cx - bw / 2.0) as i32, y0.round() as i32),
                            (
                                (cx + bw / 2.0) as i32,
                                y1.round().max(y0.round() + 1.0) as i32,
                            ),
                        ],
                        colour.filled(),
                    ))
                    .map_err(e2s)?;
                    if labels_on {
                        let k = b.labels.len() as f32;
                        for (i, l) in b.labels.iter().enumerate() {
                            // Value next to the bar end, status beyond it.
                            let off = (k - i as f32 - 0.5) * (label_em + 3.0) + 2.0;
                            let ly = if gv >= 0.0 { yv - off } else { yv + off };
                            label_jobs.push((l.clone(), label_em, cx, ly, BLACK_T));
                        }
                    }
                }
                None if labels_on => {
                    for (i, l) in b.labels.iter().enumerate() {
                        label_jobs.push((
                            l.clone(),
                            label_em,
                            cx,
                            zero - 10.0 - i as f32 * (label_em + 3.0),
                            GREY_T,
                        ));
                    }
                }
                None => {}
            }
            x += slot_f;
        }
        group_spans.push((gname, gx0, x));
        if gi + 1 < g.groups.len() {
            let sx = (x + slot_f / 4.0).round() as i32;
            root.draw(&PathElement::new(
                vec![(sx, pt as i32), (sx, height as i32 - 8)],
                GRID.stroke_width(1),
            ))
            .map_err(e2s)?;
            x += slot_f / 2.0;
        }
    }
    // Axes.
    root.draw(&PathElement::new(
        vec![(pl as i32, pt as i32), (pl as i32, pb as i32)],
        AXIS.stroke_width(1),
    ))
    .map_err(e2s)?;
    root.draw(&PathElement::new(
        vec![
            (pl as i32, zero.round() as i32),
            (pr as i32, zero.round() as i32),
        ],
        AXIS.stroke_width(1),
    ))
    .map_err(e2s)?;
    // City line.
    if let Some(c) = g.city {
        let y = y_of(c).round() as i32;
        dashed_hline(root, pl as i32, pr as i32, y, CITY, 2)?;
        tx.add(&g.city_label, 14.0, pr + 6.0, y as f32, Align::Left, CITY);
    }

    // Texts.
    tx.add(
        &g.title,
        22.0,
        width as f32 / 2.0,
        26.0,
        Align::Center,
        BLACK_T,
    );
    tx.add(
        &g.subtitle,
        15.0,
        width as f32 / 2.0,
        54.0,
        Align::Center,
        GREY_T,
    );
    tx.add("%", 13.0, pl - 8.0, pt - 16.0, Align::Right, GREY_T);
    for (t, y) in &tick_labels {
        tx.add(t, 13.0, pl - 8.0, *y as f32, Align::Right, GREY_T);
    }
    for (t, em, x, y, c) in &label_jobs {
        tx.add_on_white(t, *em, *x, *y, Align::Center, *c);
    }
    if labels_on {
        let mut x = pl;
        for (gi, (_, bars)) in g.groups.iter().enumerate() {
            for b in bars {
                for (i, line) in ctx.wrap(&b.unit, 14.0, slot_f - 6.0, 2).iter().enumerate() {
                    tx.add(
                        line,
                        14.0,
                        x + slot_f / 2.0,
                        pb + 16.0 + i as f32 * 18.0,
                        Align::Center,
                        BLACK_T,
                    );
                }
                x += slot_f;
            }
            if gi + 1 < g.groups.len() {
                x += slot_f / 2.0;
            }
        }
    }
    for (gi, (name, x0, x1)) in group_spans.iter().enumerate() {
        let colour = GROUP_COLOURS[gi % GROUP_COLOURS.len()];
        let y = height as f32 - 22.0;
        root.draw(&PathElement::new(
            vec![
                (*x0 as i32 + 4, y as i32 - 14),
                (*x1 as i32 - 4, y as i32 - 14),
            ],
            colour.stroke_width(2),
        ))
        .map_err(e2s)?;
        let w = (x1 - x0).max(40.0);
        let line = ctx
            .wrap(name, 15.0, w, 1)
            .into_iter()
            .next()
            .unwrap_or_default();
        tx.add(&line, 15.0, (x0 + x1) / 2.0, y, Align::Center, colour);
    }
    Ok(())
}

const T_TITLE_H: u32 = 56;

fn panel_h(p: &Panel) -> u32 {
    let max_rank = p.series.len().max(1) as u32;
    max_rank
        .saturating_mul(30)
        .saturating_add(90)
        .clamp(220, 900)
}

fn trend_size(t: &TrendChart) -> (u32, u32) {
    (
        1000,
        T_TITLE_H + t.panels.iter().map(panel_h).sum::<u32>() + 10,
    )
}

fn draw_trend(t: &TrendChart, ctx: &Painter, root: &Area, tx: &mut Texts) -> Result<(), String> {
    let (width, _) = root.dim_in_pixel();
    let (left, legend_w, title_h) = (70u32, 190u32, T_TITLE_H);
    // (The canvas starts white.)
    tx.add(
        &t.title,
        22.0,
        width as f32 / 2.0,
        28.0,
        Align::Center,
        BLACK_T,
    );

    let n = t.xs.len().max(1);
    let (pl, pr) = (left as f32, (width - legend_w) as f32);
    let x_of = |i: usize| -> f32 {
        if n == 1 {
            (pl + pr) / 2.0
        } else {
            pl + 30.0 + (pr - pl - 60.0) * i as f32 / (n - 1) as f32
        }
    };
    let mut top = title_h as f32;
    for p in &t.panels {
        let h = panel_h(p) as f32;
        let (pt, pb) = (top + 40.0, top + h - 44.0);
        let max_rank = p
            .series
            .iter()
            .flat_map(|(_, r)| r.iter().flatten().copied())
            .max()
            .unwrap_or(1)
            .max(p.series.len() as u32)
            .max(1);
        let y_of = |r: u32| -> f32 {
            if max_rank == 1 {
                (pt + pb) / 2.0
            } else {
                pt + (pb - pt) * r.saturating_sub(1) as f32 / (max_rank - 1) as f32
            }
        };
        tx.add(&p.group, 16.0, pl, top + 16.0, Align::Left, BLACK_T);
        tx.add("位次", 13.0, pl - 10.0, top + 16.0, Align::Right, GREY_T);
        // Grid: a line per rank (thinned out when there are many).
        let every = max_rank.div_ceil(20).max(1);
        let grid_ranks = (0..=20u32)
            .map(|k| k.saturating_mul(every).saturating_add(1))
            .filter(|r| *r < max_rank)
            .chain([max_rank]);
        for r in grid_ranks {
            let y = y_of(r).round() as i32;
            root.draw(&PathElement::new(
                vec![(pl as i32, y), (pr as i32, y)],
                GRID.stroke_width(1),
            ))
            .map_err(e2s)?;
            tx.add(
                &r.to_string(),
                13.0,
                pl - 10.0,
                y as f32,
                Align::Right,
                GREY_T,
            );
        }
        root.draw(&PathElement::new(
            vec![(pl as i32, pt as i32 - 10), (pl as i32, pb as i32 + 10)],
            AXIS.stroke_width(1),
        ))
        .map_err(e2s)?;
        let ya = pb as i32 + 14;
        root.draw(&PathElement::new(
            vec![(pl as i32, ya), (pr as i32, ya)],
            AXIS.stroke_width(1),
        ))
        .map_err(e2s)?;
        let label_every = n.div_ceil(12).max(1);
        for (i, xl) in t.xs.iter().enumerate() {
            let x = x_of(i);
            root.draw(&PathElement::new(
                vec![(x as i32, ya), (x as i32, ya + 4)],
                AXIS.stroke_width(1),
            ))
            .map_err(e2s)?;
            if i % label_every == 0 || i + 1 == n {
                tx.add(xl, 13.0, x, ya as f32 + 14.0, Align::Center, GREY_T);
            }
        }
        // Lines, then markers.
        let legend_rows = ((h - 50.0) / 20.0).floor().max(1.0) as usize;
        for (si, (unit, ranks)) in p.series.iter().enumerate() {
            let colour = LINE_COLOURS[si % LINE_COLOURS.len()];
            // Consecutive periods with a rank are joined; a missing rank breaks the line.
            let mut seg: Vec<(i32, i32)> = Vec::new();
            for (i, r) in ranks.iter().enumerate() {
                match r {
                    Some(r) => seg.push((x_of(i).round() as i32, y_of(*r).round() as i32)),
                    None => {
                        if seg.len() > 1 {
                            root.draw(&PathElement::new(seg.clone(), colour.stroke_width(2)))
                                .map_err(e2s)?;
                        }
                        seg.clear();
                    }
                }
            }
            if seg.len() > 1 {
                root.draw(&PathElement::new(seg.clone(), colour.stroke_width(2)))
                    .map_err(e2s)?;
            }
            for (i, r) in ranks.iter().enumerate() {
                if let Some(r) = r {
                    root.draw(&Circle::new(
                        (x_of(i).round() as i32, y_of(*r).round() as i32),
                        4,
                        colour.filled(),
                    ))
                    .map_err(e2s)?;
                }
            }
            if si < legend_rows {
                let ly = top + 30.0 + si as f32 * 20.0;
                let lx = pr + 20.0;
                root.draw(&PathElement::new(
                    vec![(lx as i32, ly as i32), (lx as i32 + 22, ly as i32)],
                    colour.stroke_width(2),
                ))
                .map_err(e2s)?;
                root.draw(&Circle::new(
                    (lx as i32 + 11, ly as i32),
                    3,
                    colour.filled(),
                ))
                .map_err(e2s)?;
                let name = ctx
                    .wrap(unit, 13.0, legend_w as f32 - 50.0, 1)
                    .into_iter()
                    .next()
                    .unwrap_or_default();
                tx.add(&name, 13.0, lx + 28.0, ly, Align::Left, BLACK_T);
            }
        }
        top += h;
    }
    Ok(())
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::bulletin::tests::sample;
    use crate::period::Period;

    fn png_size(bytes: &[u8]) -> (u32, u32) {
        assert_eq!(&bytes[..8], b"\x89PNG\r\n\x1a\n");
        let be =
            |o: usize| u32::from_be_bytes([bytes[o], bytes[o + 1], bytes[o + 2], bytes[o + 3]]);
        (be(16), be(20))
    }

    #[test]
    fn charts_are_written_sized_and_not_blank() {
        let (cfg, result, _, history) = sample();
        let dir = tempfile::tempdir().unwrap();
        let t = std::time::Instant::now();
        let files = write(&cfg, &result, &history, dir.path()).unwrap();
        eprintln!("{} charts in {:?}", files.len(), t.elapsed());
        assert_eq!(files.len(), 2 * cfg.indicators.len());
        for ind in &cfg.indicators {
            for (stem, w) in [
                (format!("{}增速", ind.name), 900),
                (format!("{}增速位次走势", ind.name), 1000),
            ] {
                let p = dir.path().join("charts").join(format!("{stem}.png"));
                assert!(files.contains(&p), "{}", p.display());
                let bytes = std::fs::read(&p).unwrap();
                let (pw, _) = png_size(&bytes);
                assert_eq!(pw, w, "{stem}");
                assert!(bytes.len() > 3000, "{stem}: {} bytes — blank?", bytes.len());
            }
        }
        // Not blank: decoded, the pixels have ink (bars, text) in several colours, and the
        // text is drawn (dark grey pixels in the title band).
        for f in &files {
            let (w, h, px) = decode(f);
            assert_eq!(px.len(), (w * h * 3) as usize);
            let pixels: Vec<&[u8]> = px.chunks(3).collect();
            let ink = pixels.iter().filter(|p| **p != [255, 255, 255]).count();
            assert!(ink > 2000, "{}: {ink} non-white pixels", f.display());
            let colours: std::collections::HashSet<_> = pixels.iter().collect();
            assert!(colours.len() > 10, "{}", f.display());
            let title_ink = pixels[..(w * 45) as usize]
                .iter()
                .filter(|p| p[0] < 128)
                .count();
            assert!(title_ink > 200, "{}: title not drawn", f.display());
        }
    }

    /// Decode a PNG written by `write`.
    fn decode(path: &Path) -> (u32, u32, Vec<u8>) {
        let mut dec =
            png::Decoder::new(std::io::BufReader::new(std::fs::File::open(path).unwrap()));
        dec.set_transformations(png::Transformations::EXPAND);
        let mut reader = dec.read_info().unwrap();
        let mut buf = vec![0; reader.output_buffer_size().unwrap()];
        assert_eq!(reader.info().color_type, png::ColorType::Indexed);
        let info = reader.next_frame(&mut buf).unwrap();
        assert_eq!(info.color_type, png::ColorType::Rgb);
        buf.truncate(info.buffer_size());
        (info.width, info.height, buf)
    }

    #[test]
    fn missing_characters_are_an_error_not_boxes() {
        let (mut cfg, mut result, _, history) = sample();
        cfg.units[0].name = "𠀀县".into();
        for r in result.rows.iter_mut().filter(|r| r.unit == "甲县") {
            r.unit = "𠀀县".into();
        }
        let dir = tempfile::tempdir().unwrap();
        let e = write(&cfg, &result, &history, dir.path())
            .unwrap_err()
            .to_string();
        assert!(e.contains("𠀀") && e.contains("font = "), "{e}");
        assert!(
            !dir.path().join("charts").exists()
                || std::fs::read_dir(dir.path().join("charts"))
                    .unwrap()
                    .next()
                    .is_none()
        );
    }

    #[test]
    fn fixed_texts_and_default_configuration_are_covered() {
        let f = fonts::embedded().unwrap();
        let cfg = Config::default_city();
        let mut texts: Vec<String> =
            vec![FIXED_TEXT.to_string(), cfg.title.clone(), cfg.city.clone()];
        texts.extend(
            cfg.units
                .iter()
                .flat_map(|u| std::iter::once(u.name.clone()).chain(u.aliases.clone())),
        );
        texts.extend(cfg.groups.clone());
        texts.extend(cfg.indicators.iter().map(|i| i.name.clone()));
        assert_eq!(
            fonts::missing_chars(&f, texts.iter().map(|s| s.as_str())),
            Vec::<char>::new()
        );
    }

    #[test]
    fn many_units_split_per_group() {
        let (mut cfg, _, _, _) = sample();
        let mut rows = Vec::new();
        cfg.units.clear();
        for i in 0..130 {
            let g = if i < 70 { "甲组" } else { "乙组" };
            cfg.units.push(crate::config::UnitConfig {
                name: format!("单位{i}"),
                aliases: vec![],
                group: g.into(),
            });
        }
        cfg.groups = vec!["甲组".into(), "乙组".into()];
        cfg.indicators.truncate(1);
        let ind = cfg.indicators[0].name.clone();
        let period: Period = "2015-07".parse().unwrap();
        rows.push(crate::bulletin::tests::row(
            "全市",
            true,
            None,
            &ind,
            Some("5.0"),
            Status::Normal,
            None,
        ));
        for (i, u) in cfg.units.iter().enumerate() {
            let g = format!("{}.0", i as i64 - 60);
            rows.push(crate::bulletin::tests::row(
                &u.name,
                false,
                Some(&u.group),
                &ind,
                Some(&g),
                Status::Normal,
                Some(i as u32 % 70 + 1),
            ));
        }
        let result = PeriodResult {
            period,
            rows,
            previous: None,
            warnings: vec![],
        };
        let dir = tempfile::tempdir().unwrap();
        let files = write(&cfg, &result, std::slice::from_ref(&result), dir.path()).unwrap();
        let names: Vec<String> = files
            .iter()
            .map(|p| p.file_name().unwrap().to_string_lossy().into_owned())
            .collect();
        if let Some(keep) = std::env::var_os("TONGBAO_PREVIEW") {
            for f in &files {
                std::fs::copy(f, Path::new(&keep).join(f.file_name().unwrap())).unwrap();
            }
        }
        assert_eq!(names.len(), 4, "{names:?}");
        assert!(names.contains(&format!("{ind}增速(甲组).png")), "{names:?}");
    }
}
