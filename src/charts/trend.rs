//! The rank-trend chart of an indicator (`<indicator>增速位次走势.png`): each unit's 增速位次
//! over the year's recorded periods (x: 1-2月, 1-3月 …; y: rank, 1 at the top), a line per
//! unit, one panel per ranking group (ranks compare only within a group), a legend at the
//! right of each panel.

use super::{AXIS, Area, BLACK_T, GREY_T, GRID, e2s};
use crate::charts::fonts::{Align, Painter, Texts};
use plotters::prelude::*;

/// Width of the chart, in pixels.
const WIDTH: u32 = 1000;
/// Height of the title band above the panels.
const TITLE_H: u32 = 56;
/// Left of the plot (rank labels), and the legend's width at the right.
const LEFT: u32 = 70;
const LEGEND_W: u32 = 190;

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

pub(super) struct TrendChart {
    pub title: String,
    /// x labels (1-2月 …), one per recorded period.
    pub xs: Vec<String>,
    pub panels: Vec<Panel>,
}

pub(super) struct Panel {
    pub group: String,
    /// (unit, rank per period)
    pub series: Vec<(String, Vec<Option<u32>>)>,
}

impl TrendChart {
    pub fn texts(&self) -> Vec<&str> {
        let mut t = vec![self.title.as_str()];
        t.extend(self.xs.iter().map(|s| s.as_str()));
        for p in &self.panels {
            t.push(&p.group);
            t.extend(p.series.iter().map(|(u, _)| u.as_str()));
        }
        t
    }

    pub fn size(&self) -> (u32, u32) {
        let panels: u32 = self.panels.iter().map(Panel::height).sum();
        (WIDTH, TITLE_H + panels + 10)
    }

    pub fn draw(&self, ctx: &Painter, root: &Area, tx: &mut Texts) -> Result<(), String> {
        let (width, _) = root.dim_in_pixel();
        // (The canvas starts white.)
        let mid = width as f32 / 2.0;
        tx.add(&self.title, 22.0, mid, 28.0, Align::Center, BLACK_T);
        let xs = Periods {
            n: self.xs.len().max(1),
            pl: LEFT as f32,
            pr: (width - LEGEND_W) as f32,
        };
        let mut top = TITLE_H as f32;
        for p in &self.panels {
            p.draw(self, &xs, top, ctx, root, tx)?;
            top += p.height() as f32;
        }
        Ok(())
    }
}

/// The x axis: `n` periods spread between the plot's left and right edges.
struct Periods {
    n: usize,
    pl: f32,
    pr: f32,
}

impl Periods {
    fn x_of(&self, i: usize) -> f32 {
        if self.n == 1 {
            (self.pl + self.pr) / 2.0
        } else {
            self.pl + 30.0 + (self.pr - self.pl - 60.0) * i as f32 / (self.n - 1) as f32
        }
    }
}

/// The y axis of a panel: rank 1 at the top edge, the highest rank at the bottom one.
struct Ranks {
    pt: f32,
    pb: f32,
    max_rank: u32,
}

impl Ranks {
    fn y_of(&self, r: u32) -> f32 {
        if self.max_rank == 1 {
            (self.pt + self.pb) / 2.0
        } else {
            self.pt + (self.pb - self.pt) * r.saturating_sub(1) as f32 / (self.max_rank - 1) as f32
        }
    }
}

impl Panel {
    /// 30 pixels a unit, within bounds.
    fn height(&self) -> u32 {
        let max_rank = self.series.len().max(1) as u32;
        max_rank
            .saturating_mul(30)
            .saturating_add(90)
            .clamp(220, 900)
    }

    fn draw(
        &self,
        chart: &TrendChart,
        xs: &Periods,
        top: f32,
        ctx: &Painter,
        root: &Area,
        tx: &mut Texts,
    ) -> Result<(), String> {
        let h = self.height() as f32;
        let max_rank = self
            .series
            .iter()
            .flat_map(|(_, r)| r.iter().flatten().copied())
            .max()
            .unwrap_or(1)
            .max(self.series.len() as u32)
            .max(1);
        let ys = Ranks {
            pt: top + 40.0,
            pb: top + h - 44.0,
            max_rank,
        };
        tx.add(&self.group, 16.0, xs.pl, top + 16.0, Align::Left, BLACK_T);
        tx.add("位次", 13.0, xs.pl - 10.0, top + 16.0, Align::Right, GREY_T);
        axes(chart, xs, &ys, root, tx)?;
        // Lines, then markers, then the legend entry, unit by unit.
        let legend_rows = ((h - 50.0) / 20.0).floor().max(1.0) as usize;
        for (si, (unit, ranks)) in self.series.iter().enumerate() {
            let colour = LINE_COLOURS[si % LINE_COLOURS.len()];
            series(ranks, colour, xs, &ys, root)?;
            if si < legend_rows {
                let ly = top + 30.0 + si as f32 * 20.0;
                legend(unit, colour, xs.pr + 20.0, ly, ctx, root, tx)?;
            }
        }
        Ok(())
    }
}

/// Grid lines and labels of the ranks (thinned out when there are many), the axes, the
/// period ticks and labels.
fn axes(
    chart: &TrendChart,
    xs: &Periods,
    ys: &Ranks,
    root: &Area,
    tx: &mut Texts,
) -> Result<(), String> {
    let line = |a: (i32, i32), b: (i32, i32), colour: RGBColor| {
        root.draw(&PathElement::new(vec![a, b], colour.stroke_width(1)))
            .map_err(e2s)
    };
    let (pl, pr) = (xs.pl as i32, xs.pr as i32);
    let every = ys.max_rank.div_ceil(20).max(1);
    let grid_ranks = (0..=20u32)
        .map(|k| k.saturating_mul(every).saturating_add(1))
        .filter(|r| *r < ys.max_rank)
        .chain([ys.max_rank]);
    for r in grid_ranks {
        let y = ys.y_of(r).round() as i32;
        line((pl, y), (pr, y), GRID)?;
        let label = r.to_string();
        tx.add(&label, 13.0, xs.pl - 10.0, y as f32, Align::Right, GREY_T);
    }
    line((pl, ys.pt as i32 - 10), (pl, ys.pb as i32 + 10), AXIS)?;
    let ya = ys.pb as i32 + 14;
    line((pl, ya), (pr, ya), AXIS)?;
    let label_every = xs.n.div_ceil(12).max(1);
    for (i, xl) in chart.xs.iter().enumerate() {
        let x = xs.x_of(i);
        line((x as i32, ya), (x as i32, ya + 4), AXIS)?;
        if i % label_every == 0 || i + 1 == xs.n {
            tx.add(xl, 13.0, x, ya as f32 + 14.0, Align::Center, GREY_T);
        }
    }
    Ok(())
}

/// A unit's ranks: consecutive periods with a rank are joined (a missing rank breaks the
/// line), a marker at each rank.
fn series(
    ranks: &[Option<u32>],
    colour: RGBColor,
    xs: &Periods,
    ys: &Ranks,
    root: &Area,
) -> Result<(), String> {
    let at = |i: usize, r: u32| (xs.x_of(i).round() as i32, ys.y_of(r).round() as i32);
    let mut seg: Vec<(i32, i32)> = Vec::new();
    for (i, r) in ranks.iter().enumerate() {
        match r {
            Some(r) => seg.push(at(i, *r)),
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
        root.draw(&PathElement::new(seg, colour.stroke_width(2)))
            .map_err(e2s)?;
    }
    for (i, r) in ranks.iter().enumerate() {
        if let Some(r) = r {
            root.draw(&Circle::new(at(i, *r), 4, colour.filled()))
                .map_err(e2s)?;
        }
    }
    Ok(())
}

/// A legend entry at (x, y): a short line with a marker, and the unit's name.
fn legend(
    unit: &str,
    colour: RGBColor,
    x: f32,
    y: f32,
    ctx: &Painter,
    root: &Area,
    tx: &mut Texts,
) -> Result<(), String> {
    let (lx, ly) = (x as i32, y as i32);
    root.draw(&PathElement::new(
        vec![(lx, ly), (lx + 22, ly)],
        colour.stroke_width(2),
    ))
    .map_err(e2s)?;
    root.draw(&Circle::new((lx + 11, ly), 3, colour.filled()))
        .map_err(e2s)?;
    let name = ctx.wrap(unit, 13.0, LEGEND_W as f32 - 50.0, 1);
    let name = name.into_iter().next().unwrap_or_default();
    tx.add(&name, 13.0, x + 28.0, y, Align::Left, BLACK_T);
    Ok(())
}
