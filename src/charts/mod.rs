//! PNG charts of a period (SPEC §4): per indicator a growth chart (`growth.rs`) and a rank-trend
//! chart over the year (`trend.rs`); past [`MAX_UNITS_PER_FILE`] units or
//! [`MAX_PANELS_PER_FILE`] groups, one file per group, so that no image grows without bound.
//!
//! plotters lays out the shapes, drawn by our [`backend`] on a palette [`canvas`]; the texts are
//! drawn on top, glyph by glyph, by [`fonts::Painter`] (plotters' ab_glyph text ignores left
//! bearings) in the embedded CJK font or the configured one, checked to cover every character
//! before anything is drawn. The png crate writes the files. Charts are drawn in parallel;
//! `write_pictures` also draws the assessment's charts.

pub mod backend;
pub mod canvas;
pub mod fonts;
mod growth;
mod trend;

use crate::charts::backend::CanvasBackend;
use crate::charts::canvas::Canvas;
use crate::config::Config;
use crate::error::{Error, Result};
use crate::model::{PeriodResult, ResultRow};
use ab_glyph::FontArc;
use fonts::{Painter, Texts};
use growth::{Bar, GrowthChart};
use plotters::prelude::*;
use rayon::prelude::*;
use rust_decimal::prelude::ToPrimitive;
use std::path::{Path, PathBuf};
use trend::{Panel, TrendChart};

/// Above this many units, growth charts are written one file per group.
pub const MAX_UNITS_PER_FILE: usize = 60;
/// Above this many groups, rank-trend charts are written one file per group.
pub const MAX_PANELS_PER_FILE: usize = 8;

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

impl Job {
    fn texts(&self) -> Vec<&str> {
        match &self.chart {
            Chart::Growth(g) => g.texts(),
            Chart::Trend(t) => t.texts(),
        }
    }
}

/// `<stem>.png`, made safe for any file system.
pub(crate) fn file_name(stem: &str) -> String {
    format!("{}.png", crate::output::file_stem(stem, 120))
}

fn dec(d: Option<rust_decimal::Decimal>) -> Option<f64> {
    d.and_then(|d| d.to_f64()).filter(|f| f.is_finite())
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
                .map(|(g, rs)| (g, rs.into_iter().map(Bar::of).collect()))
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
pub(crate) use crate::charts::backend::Area;

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
            Chart::Growth(g) => g.size(),
            Chart::Trend(t) => t.size(),
        }
    }

    fn draw(&self, ctx: &Painter, root: &Area, tx: &mut Texts) -> Result<(), String> {
        match &self.chart {
            Chart::Growth(g) => g.draw(ctx, root, tx),
            Chart::Trend(t) => t.draw(ctx, root, tx),
        }
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::bulletin::tests::sample;
    use crate::model::Status;
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
