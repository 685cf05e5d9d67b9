//! The growth chart of an indicator (`<indicator>增速.png`): every unit's 同比增长 as a bar, in
//! official order, groups side by side (bars coloured by group, each group named under its
//! units), value and status labels at the bar ends, the city growth as a dashed red line.

use super::{AXIS, Area, BLACK_T, GREY_T, GRID, e2s};
use crate::charts::fonts::{Align, Painter, Texts};
use crate::model::{ResultRow, Status};
use plotters::prelude::*;

/// Widest image written, in pixels.
const MAX_WIDTH: u32 = 12_000;
/// Margins left (tick labels) and right (the city label) of the plot, in pixels.
const LEFT: u32 = 76;
const RIGHT: u32 = 130;
/// Margins above (titles) and below (unit and group names) the plot.
const TOP: u32 = 84;
const BOTTOM: u32 = 100;

const CITY: RGBColor = RGBColor(0xC0, 0x00, 0x00);
const GROUP_COLOURS: [RGBColor; 6] = [
    RGBColor(0x2F, 0x55, 0x97),
    RGBColor(0xC5, 0x5A, 0x11),
    RGBColor(0x54, 0x82, 0x35),
    RGBColor(0x70, 0x30, 0xA0),
    RGBColor(0xBF, 0x90, 0x00),
    RGBColor(0x2E, 0x75, 0xB6),
];

pub(super) struct GrowthChart {
    pub title: String,
    pub subtitle: String,
    pub groups: Vec<(String, Vec<Bar>)>,
    pub city: Option<f64>,
    pub city_label: String,
}

pub(super) struct Bar {
    pub unit: String,
    pub growth: Option<f64>,
    /// Lines drawn at the bar's end (value, status) or at zero when there is no bar.
    pub labels: Vec<String>,
}

impl Bar {
    pub fn of(r: &ResultRow) -> Bar {
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
            growth: super::dec(r.growth),
            labels,
        }
    }
}

impl GrowthChart {
    pub fn texts(&self) -> Vec<&str> {
        let mut t = vec![
            self.title.as_str(),
            self.subtitle.as_str(),
            self.city_label.as_str(),
        ];
        for (name, bars) in &self.groups {
            t.push(name);
            for b in bars {
                t.push(&b.unit);
                t.extend(b.labels.iter().map(|s| s.as_str()));
            }
        }
        t
    }

    fn units(&self) -> usize {
        self.groups.iter().map(|(_, b)| b.len()).sum()
    }

    fn gaps(&self) -> usize {
        self.groups.len().saturating_sub(1)
    }

    /// A slot per unit (at most 84 pixels, at least 8) and half a slot between groups.
    pub fn size(&self) -> (u32, u32) {
        let (n, gaps) = (self.units() as u32, self.gaps() as u32);
        let avail = MAX_WIDTH - LEFT - RIGHT;
        let slot = (avail / (n + gaps / 2).max(1)).clamp(8, 84);
        let plot_w = slot * n + (slot / 2) * gaps;
        ((LEFT + plot_w + RIGHT).clamp(900, MAX_WIDTH), 560)
    }

    pub fn draw(&self, ctx: &Painter, root: &Area, tx: &mut Texts) -> Result<(), String> {
        let p = Plot::new(self, root.dim_in_pixel());
        // (The canvas starts white: no fill, which was a pass over every pixel.)
        let tick_labels = p.grid(root)?;
        let (group_spans, value_labels) = p.bars(self, root)?;
        let zero = p.y_of(0.0).round() as i32;
        vline(root, p.pl as i32, p.pt as i32, p.pb as i32, AXIS)?;
        hline(root, p.pl as i32, p.pr as i32, zero, AXIS)?;
        if let Some(c) = self.city {
            let y = p.y_of(c).round() as i32;
            dashed_hline(root, p.pl as i32, p.pr as i32, y, CITY, 2)?;
            tx.add(
                &self.city_label,
                14.0,
                p.pr + 6.0,
                y as f32,
                Align::Left,
                CITY,
            );
        }

        let mid = p.width as f32 / 2.0;
        tx.add(&self.title, 22.0, mid, 26.0, Align::Center, BLACK_T);
        tx.add(&self.subtitle, 15.0, mid, 54.0, Align::Center, GREY_T);
        tx.add("%", 13.0, p.pl - 8.0, p.pt - 16.0, Align::Right, GREY_T);
        for (t, y) in &tick_labels {
            tx.add(t, 13.0, p.pl - 8.0, *y as f32, Align::Right, GREY_T);
        }
        for (t, em, x, y, c) in &value_labels {
            tx.add_on_white(t, *em, *x, *y, Align::Center, *c);
        }
        if p.labels_on {
            p.unit_names(self, ctx, tx);
        }
        p.group_names(&group_spans, ctx, root, tx)
    }
}

/// A text at the end of a bar: text, em, x, y, colour.
type ValueLabel = (String, f32, f32, f32, RGBColor);
/// A group's name and the x span of its units.
type GroupSpan<'g> = (&'g str, f32, f32);

/// Where things go on a growth chart.
struct Plot {
    width: u32,
    height: u32,
    /// The plot's left, right, top and bottom edges.
    pl: f32,
    pr: f32,
    pt: f32,
    pb: f32,
    /// Width of a unit's slot (re-spread over the plot when the image's minimum width left
    /// room).
    slot: f32,
    /// Slots are wide enough for value labels and unit names.
    labels_on: bool,
    /// The y axis: lowest and highest tick, tick step.
    lo: f64,
    hi: f64,
    step: f64,
}

impl Plot {
    fn new(g: &GrowthChart, (width, height): (u32, u32)) -> Plot {
        let plot_w = width - LEFT - RIGHT;
        let slot = plot_w as f32 / (g.units() as f32 + g.gaps() as f32 * 0.5).max(1.0);
        let vals: Vec<f64> = g
            .groups
            .iter()
            .flat_map(|(_, b)| b.iter().filter_map(|b| b.growth))
            .chain(g.city)
            .collect();
        let lo = vals.iter().copied().fold(0.0f64, f64::min);
        let hi = vals.iter().copied().fold(0.0f64, f64::max);
        let pad = ((hi - lo) * 0.12).max(1.0);
        let (lo, hi, step) = ticks(if lo < 0.0 { lo - pad } else { 0.0 }, hi + pad, 6);
        Plot {
            width,
            height,
            pl: LEFT as f32,
            pr: (width - RIGHT) as f32,
            pt: TOP as f32,
            pb: (height - BOTTOM) as f32,
            slot,
            labels_on: slot >= 40.0,
            lo,
            hi,
            step,
        }
    }

    fn y_of(&self, v: f64) -> f32 {
        self.pb - ((v - self.lo) / (self.hi - self.lo)) as f32 * (self.pb - self.pt)
    }

    /// Grid lines at the ticks; returns the tick labels and their y.
    fn grid(&self, root: &Area) -> Result<Vec<(String, i32)>, String> {
        let n_ticks = (((self.hi - self.lo) / self.step).round() as usize).min(50);
        let mut labels = Vec::new();
        for k in 0..=n_ticks {
            let v = self.lo + self.step * k as f64;
            let y = self.y_of(v).round() as i32;
            hline(root, self.pl as i32, self.pr as i32, y, GRID)?;
            labels.push((fmt_tick(v, self.step), y));
        }
        Ok(labels)
    }

    /// The bars, group by group, a grid-coloured line between groups; returns each group's
    /// name and x span, and the labels at the bar ends.
    fn bars<'g>(
        &self,
        g: &'g GrowthChart,
        root: &Area,
    ) -> Result<(Vec<GroupSpan<'g>>, Vec<ValueLabel>), String> {
        let (mut spans, mut labels) = (Vec::new(), Vec::new());
        let zero = self.y_of(0.0);
        let bw = (self.slot * 0.56).max(2.0);
        let em = if self.slot >= 70.0 { 13.0 } else { 11.0 };
        let mut x = self.pl;
        for (gi, (name, bars)) in g.groups.iter().enumerate() {
            let colour = GROUP_COLOURS[gi % GROUP_COLOURS.len()];
            let x0 = x;
            for b in bars {
                let cx = x + self.slot / 2.0;
                match b.growth {
                    Some(v) => {
                        let yv = self.y_of(v);
                        let (y0, y1) = if yv < zero { (yv, zero) } else { (zero, yv) };
                        let (y0, y1) = (y0.round(), y1.round().max(y0.round() + 1.0));
                        let corners = [
                            ((cx - bw / 2.0) as i32, y0 as i32),
                            ((cx + bw / 2.0) as i32, y1 as i32),
                        ];
                        root.draw(&Rectangle::new(corners, colour.filled()))
                            .map_err(e2s)?;
                        if self.labels_on {
                            // Value next to the bar end, status beyond it.
                            let k = b.labels.len() as f32;
                            for (i, l) in b.labels.iter().enumerate() {
                                let off = (k - i as f32 - 0.5) * (em + 3.0) + 2.0;
                                let ly = if v >= 0.0 { yv - off } else { yv + off };
                                labels.push((l.clone(), em, cx, ly, BLACK_T));
                            }
                        }
                    }
                    None if self.labels_on => {
                        for (i, l) in b.labels.iter().enumerate() {
                            let ly = zero - 10.0 - i as f32 * (em + 3.0);
                            labels.push((l.clone(), em, cx, ly, GREY_T));
                        }
                    }
                    None => {}
                }
                x += self.slot;
            }
            spans.push((name.as_str(), x0, x));
            if gi + 1 < g.groups.len() {
                let sx = (x + self.slot / 4.0).round() as i32;
                vline(root, sx, self.pt as i32, self.height as i32 - 8, GRID)?;
                x += self.slot / 2.0;
            }
        }
        Ok((spans, labels))
    }

    /// Each unit's name under its slot, on up to two lines.
    fn unit_names(&self, g: &GrowthChart, ctx: &Painter, tx: &mut Texts) {
        let mut x = self.pl;
        for (gi, (_, bars)) in g.groups.iter().enumerate() {
            for b in bars {
                let lines = ctx.wrap(&b.unit, 14.0, self.slot - 6.0, 2);
                for (i, line) in lines.iter().enumerate() {
                    let y = self.pb + 16.0 + i as f32 * 18.0;
                    let cx = x + self.slot / 2.0;
                    tx.add(line, 14.0, cx, y, Align::Center, BLACK_T);
                }
                x += self.slot;
            }
            if gi + 1 < g.groups.len() {
                x += self.slot / 2.0;
            }
        }
    }

    /// Each group's name under its units, above a line in the group's colour.
    fn group_names(
        &self,
        spans: &[GroupSpan],
        ctx: &Painter,
        root: &Area,
        tx: &mut Texts,
    ) -> Result<(), String> {
        for (gi, (name, x0, x1)) in spans.iter().enumerate() {
            let colour = GROUP_COLOURS[gi % GROUP_COLOURS.len()];
            let y = self.height as f32 - 22.0;
            root.draw(&PathElement::new(
                vec![
                    (*x0 as i32 + 4, y as i32 - 14),
                    (*x1 as i32 - 4, y as i32 - 14),
                ],
                colour.stroke_width(2),
            ))
            .map_err(e2s)?;
            let w = (x1 - x0).max(40.0);
            let line = ctx.wrap(name, 15.0, w, 1).into_iter().next();
            let line = line.unwrap_or_default();
            tx.add(&line, 15.0, (x0 + x1) / 2.0, y, Align::Center, colour);
        }
        Ok(())
    }
}

/// "Nice" axis ticks covering lo..hi (about `n` of them): lowest, highest, step.
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

/// A one-pixel horizontal line from x0 to x1.
fn hline(root: &Area, x0: i32, x1: i32, y: i32, colour: RGBColor) -> Result<(), String> {
    root.draw(&PathElement::new(
        vec![(x0, y), (x1, y)],
        colour.stroke_width(1),
    ))
    .map_err(e2s)
}

/// A one-pixel vertical line from y0 to y1.
fn vline(root: &Area, x: i32, y0: i32, y1: i32, colour: RGBColor) -> Result<(), String> {
    root.draw(&PathElement::new(
        vec![(x, y0), (x, y1)],
        colour.stroke_width(1),
    ))
    .map_err(e2s)
}

/// Dashes of 10 pixels every 16 from x0 to x1.
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

#[cfg(test)]
mod tests {
    use super::ticks;

    #[test]
    fn ticks_are_round_and_cover_the_values() {
        assert_eq!(ticks(0.0, 13.7, 6), (0.0, 15.0, 2.5));
        let (lo, hi, step) = ticks(-62.3, 116.5, 6);
        assert_eq!(step, 50.0);
        assert_eq!((lo, hi), (-100.0, 150.0));
    }
}
