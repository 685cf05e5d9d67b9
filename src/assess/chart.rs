//! PNG charts of the assessment scores: `charts/<group>考核得分.png`, one per ranking group,
//! a horizontal bar per unit in final order (rank and name at the left, the score at the bar's
//! end, the axis running to the highest score possible). A group of more than
//! [`UNITS_PER_FILE`] units is split into several files `<group>考核得分(1-60).png` … so that no
//! image grows without bound.
//!
//! Drawn as the bulletin's charts ([`crate::charts::write_pictures`]): text glyph by glyph with
//! ab_glyph by [`fonts::Painter`] from the font of [`crate::charts::fonts`] (embedded CJK subset or the
//! configured font), so Chinese renders without any system font; every character is checked
//! against the font before anything is drawn.

use super::Assessment;
use crate::charts::fonts::{self, Align, Painter, Texts};
use crate::charts::{AXIS, Area, BLACK_T, GREY_T, GRID, Picture, e2s, file_name, write_pictures};
use crate::config::Config;
use crate::error::Result;
use plotters::prelude::*;
use rust_decimal::prelude::ToPrimitive;
use std::path::{Path, PathBuf};

pub const UNITS_PER_FILE: usize = 60;
const WIDTH: u32 = 1000;
const LEFT: u32 = 260;
const RIGHT: u32 = 90;
const TOP: u32 = 96;
const ROW: u32 = 30;
const BOTTOM: u32 = 56;

const FIXED_TEXT: &str = "考核得分工业经济运行实绩年度季度督导满分共期至月0123456789.-()、·…";

struct Bar {
    label: String,
    score: f64,
    shown: String,
}

struct Job {
    file: String,
    title: String,
    subtitle: String,
    bars: Vec<Bar>,
    max: f64,
}

fn plan(cfg: &Config, a: &Assessment) -> Vec<Job> {
    let max = a
        .max_score()
        .to_f64()
        .filter(|m| m.is_finite() && *m > 0.0)
        .unwrap_or(1.0);
    let kind = if a.partial {
        "季度督导"
    } else {
        "年度考核"
    };
    let mut jobs = Vec::new();
    for g in a.groups.iter().filter(|g| !g.units.is_empty()) {
        let chunks: Vec<_> = g.units.chunks(UNITS_PER_FILE).collect();
        for (k, chunk) in chunks.iter().enumerate() {
            let range = if chunks.len() > 1 {
                let start = k * UNITS_PER_FILE + 1;
                format!("({}-{})", start, start + chunk.len() - 1)
            } else {
                String::new()
            };
            jobs.push(Job {
                file: file_name(&format!("{}考核得分{range}", g.name)),
                title: format!("{}工业经济运行实绩考核得分({}){range}", cfg.city, g.name),
                subtitle: format!(
                    "{kind} {} · {} · 满分{}",
                    a.span_label(),
                    a.scheme_label(),
                    super::plain(a.max_score())
                ),
                bars: chunk
                    .iter()
                    .map(|u| Bar {
                        label: format!("{}. {}", u.final_rank, u.unit),
                        score: u.score.to_f64().unwrap_or(0.0),
                        shown: format!("{:.2}", u.score),
                    })
                    .collect(),
                max,
            });
        }
    }
    jobs
}

/// Draw the charts into `dir/charts/`; returns the files written.
pub fn write(cfg: &Config, a: &Assessment, dir: &Path) -> Result<Vec<PathBuf>> {
    let jobs = plan(cfg, a);
    if jobs.is_empty() {
        return Ok(Vec::new());
    }
    let texts = jobs.iter().flat_map(|j| {
        [j.title.as_str(), j.subtitle.as_str()]
            .into_iter()
            .chain(j.bars.iter().map(|b| b.label.as_str()))
    });
    let font = fonts::load_covering(cfg, texts.chain([FIXED_TEXT]))?;
    write_pictures(font, &jobs, dir)
}

fn height(job: &Job) -> u32 {
    TOP + ROW * job.bars.len().max(1) as u32 + BOTTOM
}

impl Picture for Job {
    fn file(&self) -> &str {
        &self.file
    }

    fn size(&self) -> (u32, u32) {
        (WIDTH, height(self))
    }

    fn draw(
        &self,
        painter: &Painter,
        root: &Area,
        tx: &mut Texts,
    ) -> std::result::Result<(), String> {
        draw(self, painter, root, tx)
    }
}

const BAR: RGBColor = RGBColor(0x2F, 0x55, 0x97);
const FIRST: RGBColor = RGBColor(0xC5, 0x5A, 0x11);

fn tick_step(max: f64) -> f64 {
    let raw = max / 5.0;
    let mag = 10f64.powf(raw.log10().floor());
    [1.0, 2.0, 2.5, 5.0, 10.0]
        .iter()
        .map(|m| m * mag)
        .find(|s| *s >= raw)
        .unwrap_or(10.0 * mag)
}

fn draw(job: &Job, ctx: &Painter, root: &Area, tx: &mut Texts) -> std::result::Result<(), String> {
    // (The canvas starts white: no fill, which was a pass over every pixel.)
    let h = height(job);
    let (pl, pr) = (LEFT as f32, (WIDTH - RIGHT) as f32);
    let (pt, pb) = (TOP as f32, (h - BOTTOM) as f32);
    let x_of = |v: f64| pl + ((v / job.max).clamp(0.0, 1.0) as f32) * (pr - pl);
    tx.add(
        &job.title,
        22.0,
        WIDTH as f32 / 2.0,
        28.0,
        Align::Center,
        BLACK_T,
    );
    tx.add(
        &job.subtitle,
        14.0,
        WIDTH as f32 / 2.0,
        58.0,
        Align::Center,
        GREY_T,
    );
    // Grid and axis ticks.
    let step = tick_step(job.max);
    let mut v = 0.0;
    while v <= job.max + step * 1e-6 {
        let x = x_of(v).round() as i32;
        root.draw(&PathElement::new(
            vec![(x, pt as i32), (x, pb as i32)],
            GRID.stroke_width(1),
        ))
        .map_err(e2s)?;
        let label = if step.fract().abs() < 1e-9 {
            format!("{v:.0}")
        } else {
            format!("{v:.1}")
        };
        tx.add(&label, 13.0, x as f32, pb + 16.0, Align::Center, GREY_T);
        v += step;
    }
    root.draw(&PathElement::new(
        vec![(pl as i32, pt as i32), (pl as i32, pb as i32)],
        AXIS.stroke_width(1),
    ))
    .map_err(e2s)?;
    root.draw(&PathElement::new(
        vec![(pl as i32, pb as i32), (pr as i32, pb as i32)],
        AXIS.stroke_width(1),
    ))
    .map_err(e2s)?;
    for (i, b) in job.bars.iter().enumerate() {
        let yc = pt + ROW as f32 * (i as f32 + 0.5);
        let x1 = x_of(b.score);
        let colour = if b.label.starts_with("1. ") {
            FIRST
        } else {
            BAR
        };
        if x1 > pl + 0.5 {
            root.draw(&Rectangle::new(
                [
                    (pl as i32 + 1, (yc - 9.0) as i32),
                    (x1.round() as i32, (yc + 9.0) as i32),
                ],
                colour.filled(),
            ))
            .map_err(e2s)?;
        }
        let label = ctx.fit(&b.label, 14.0, LEFT as f32 - 20.0);
        tx.add(&label, 14.0, pl - 10.0, yc, Align::Right, BLACK_T);
        tx.add(&b.shown, 13.0, x1 + 6.0, yc, Align::Left, BLACK_T);
    }
    Ok(())
}
