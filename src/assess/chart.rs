//! PNG charts of the assessment scores: `charts/<group>考核得分.png`, one per ranking group,
//! a horizontal bar per unit in final order (rank and name at the left, the score at the bar's
//! end, the axis running to the highest score possible). A group of more than
//! [`UNITS_PER_FILE`] units is split into several files `<group>考核得分(1-60).png` … so that no
//! image grows without bound.
//!
//! Text is drawn glyph by glyph with ab_glyph from the font of [`crate::fonts`] (embedded CJK
//! subset or the configured font), so Chinese renders without any system font; every character
//! is checked against the font before anything is drawn.

use super::Assessment;
use crate::config::Config;
use crate::error::{Error, Result};
use crate::fonts;
use ab_glyph::{Font, FontArc, PxScale, ScaleFont, point};
use plotters::prelude::*;
use rayon::prelude::*;
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

fn safe(stem: &str) -> String {
    stem.chars()
        .map(|c| {
            if c.is_control() || "/\\:*?\"<>|".contains(c) {
                '_'
            } else {
                c
            }
        })
        .take(120)
        .collect::<String>()
        .trim()
        .to_string()
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
                file: format!("{}.png", safe(&format!("{}考核得分{range}", g.name))),
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
    let font = fonts::load(cfg)?;
    let texts = jobs.iter().flat_map(|j| {
        [j.title.as_str(), j.subtitle.as_str()]
            .into_iter()
            .chain(j.bars.iter().map(|b| b.label.as_str()))
    });
    let missing = fonts::missing_chars(&font, texts.chain([FIXED_TEXT]));
    if !missing.is_empty() {
        return Err(fonts::missing_error(cfg, &missing));
    }
    let out = dir.join("charts");
    std::fs::create_dir_all(&out).map_err(|e| Error::io(&out, e))?;
    let ctx = Ctx::new(font);
    jobs.par_iter()
        .map(|job| {
            let path = out.join(&job.file);
            render(job, &ctx, &path)
                .map_err(|m| Error::output(format!("chart {}", path.display()), m))?;
            Ok(path)
        })
        .collect()
}

fn e2s<E: std::fmt::Display>(e: E) -> String {
    e.to_string()
}

fn height(job: &Job) -> u32 {
    TOP + ROW * job.bars.len().max(1) as u32 + BOTTOM
}

fn render(job: &Job, ctx: &Ctx, path: &Path) -> std::result::Result<(), String> {
    let (w, h) = (WIDTH, height(job));
    let mut buf = vec![255u8; w as usize * h as usize * 3];
    let mut texts: Vec<TextOp> = Vec::new();
    {
        let root = BitMapBackend::with_buffer(&mut buf, (w, h)).into_drawing_area();
        draw(job, ctx, &root, &mut texts)?;
        root.present().map_err(e2s)?;
    }
    ctx.rasterize(&texts, &mut buf, w, h);
    let file = std::fs::File::create(path).map_err(e2s)?;
    let mut enc = png::Encoder::new(std::io::BufWriter::new(file), w, h);
    enc.set_color(png::ColorType::Rgb);
    enc.set_depth(png::BitDepth::Eight);
    enc.set_compression(png::Compression::Fast);
    let mut writer = enc.write_header().map_err(e2s)?;
    writer.write_image_data(&buf).map_err(e2s)?;
    writer.finish().map_err(e2s)
}

const BLACK_T: RGBColor = RGBColor(0x20, 0x20, 0x20);
const GREY_T: RGBColor = RGBColor(0x70, 0x70, 0x70);
const GRID: RGBColor = RGBColor(0xE0, 0xE0, 0xE0);
const AXIS: RGBColor = RGBColor(0x40, 0x40, 0x40);
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

fn draw(
    job: &Job,
    ctx: &Ctx,
    root: &DrawingArea<BitMapBackend, plotters::coord::Shift>,
    tx: &mut Vec<TextOp>,
) -> std::result::Result<(), String> {
    root.fill(&WHITE).map_err(e2s)?;
    let h = height(job);
    let (pl, pr) = (LEFT as f32, (WIDTH - RIGHT) as f32);
    let (pt, pb) = (TOP as f32, (h - BOTTOM) as f32);
    let x_of = |v: f64| pl + ((v / job.max).clamp(0.0, 1.0) as f32) * (pr - pl);
    tx.push(TextOp::new(
        &job.title,
        22.0,
        WIDTH as f32 / 2.0,
        28.0,
        Align::Center,
        BLACK_T,
    ));
    tx.push(TextOp::new(
        &job.subtitle,
        14.0,
        WIDTH as f32 / 2.0,
        58.0,
        Align::Center,
        GREY_T,
    ));
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
        tx.push(TextOp::new(
            &label,
            13.0,
            x as f32,
            pb + 16.0,
            Align::Center,
            GREY_T,
        ));
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
        tx.push(TextOp::new(
            &label,
            14.0,
            pl - 10.0,
            yc,
            Align::Right,
            BLACK_T,
        ));
        tx.push(TextOp::new(
            &b.shown,
            13.0,
            x1 + 6.0,
            yc,
            Align::Left,
            BLACK_T,
        ));
    }
    Ok(())
}

#[derive(Clone, Copy)]
enum Align {
    Left,
    Center,
    Right,
}

struct TextOp {
    s: String,
    em: f32,
    x: f32,
    /// vertical centre
    y: f32,
    align: Align,
    colour: RGBColor,
}

impl TextOp {
    fn new(s: &str, em: f32, x: f32, y: f32, align: Align, colour: RGBColor) -> TextOp {
        TextOp {
            s: s.to_string(),
            em,
            x,
            y,
            align,
            colour,
        }
    }
}

/// The font with the factor from em size to ab_glyph's `PxScale` (ascent − descent).
struct Ctx {
    font: FontArc,
    em_to_scale: f32,
}

impl Ctx {
    fn new(font: FontArc) -> Ctx {
        let upem = font.units_per_em().unwrap_or(1000.0);
        let h = font.height_unscaled();
        let em_to_scale = if upem > 0.0 && h > 0.0 { h / upem } else { 1.0 };
        Ctx { font, em_to_scale }
    }

    fn scale(&self, em: f32) -> PxScale {
        PxScale::from(em * self.em_to_scale)
    }

    fn width(&self, s: &str, em: f32) -> f32 {
        let f = self.font.as_scaled(self.scale(em));
        let mut w = 0.0;
        let mut prev = None;
        for c in s.chars() {
            let id = f.glyph_id(c);
            if let Some(p) = prev {
                w += f.kern(p, id);
            }
            w += f.h_advance(id);
            prev = Some(id);
        }
        w
    }

    /// `s` cut with an ellipsis to fit `max_w`.
    fn fit(&self, s: &str, em: f32, max_w: f32) -> String {
        if self.width(s, em) <= max_w {
            return s.to_string();
        }
        let mut out: String = String::new();
        for c in s.chars() {
            let mut next = out.clone();
            next.push(c);
            next.push('…');
            if self.width(&next, em) > max_w {
                break;
            }
            out.push(c);
        }
        out.push('…');
        out
    }

    /// Each glyph at its own pixel bounds, advancing by its advance width, blended by coverage.
    fn rasterize(&self, ops: &[TextOp], buf: &mut [u8], w: u32, h: u32) {
        for op in ops {
            let scale = self.scale(op.em);
            let f = self.font.as_scaled(scale);
            let width = self.width(&op.s, op.em);
            let mut caret = match op.align {
                Align::Left => op.x,
                Align::Center => op.x - width / 2.0,
                Align::Right => op.x - width,
            };
            let baseline = op.y + 0.38 * op.em;
            let RGBColor(r, g, b) = op.colour;
            let mut prev = None;
            for c in op.s.chars() {
                let id = f.glyph_id(c);
                if let Some(p) = prev {
                    caret += f.kern(p, id);
                }
                let glyph = id.with_scale_and_position(scale, point(caret, baseline));
                if let Some(og) = self.font.outline_glyph(glyph) {
                    let bb = og.px_bounds();
                    og.draw(|gx, gy, cov| {
                        let (x, y) = (
                            bb.min.x as i64 + i64::from(gx),
                            bb.min.y as i64 + i64::from(gy),
                        );
                        if cov <= 0.0 || x < 0 || y < 0 || x >= i64::from(w) || y >= i64::from(h) {
                            return;
                        }
                        let a = cov.min(1.0);
                        let i = (y as usize * w as usize + x as usize) * 3;
                        for (k, v) in [r, g, b].into_iter().enumerate() {
                            let old = f32::from(buf[i + k]);
                            buf[i + k] = (old + (f32::from(v) - old) * a).round() as u8;
                        }
                    });
                }
                caret += f.h_advance(id);
                prev = Some(id);
            }
        }
    }
}
