//! The palette canvas the PNG charts are drawn on: one byte per pixel, an index into at most
//! 256 colours, written as an 8-bit palette PNG by the png crate.
//!
//! Kept rather than plotters' own `BitMapBackend` because the latter, on an RGB buffer with the
//! same text layer, measured more than twice the chart CPU at city scale (BENCHMARKS.md): three
//! bytes a pixel to fill and to scan, the palette to find again before encoding (or an RGB PNG
//! where its anti-aliasing made more than 256 colours), and its 2-pixel lines drawn 3 wide.
//!
//! Partial coverage (text and line edges) is blended with the pixel below at [`LEVELS`] steps
//! (text) or 8 steps (lines, markers), over white or a near-white grid line only — over a
//! colour the edge takes one colour or the other — so that a rank-trend chart with ten crossing
//! lines needs about a hundred colours. Shades stop at 224 palette entries, keeping the rest
//! for solid colours; past that a shade takes the nearest colour.

/// Steps of partial coverage (1/16 of a pixel's colour each).
pub const LEVELS: u32 = 16;

/// One byte per pixel, an index into a palette of at most 256 colours.
pub struct Canvas {
    w: u32,
    h: u32,
    px: Vec<u8>,
    pal: Vec<[u8; 3]>,
    /// The last colour looked up, for runs of pixels of one colour.
    last: ([u8; 3], u8),
    /// Per pen colour: (pixel index × level) → blended index, [`UNSET`] until first needed.
    /// A table, not a hash map: text blends a colour into a pixel for every glyph pixel.
    pens: Vec<([u8; 3], Vec<u16>)>,
    /// Coverage levels of a disc by radius (a trend chart's markers all have one radius and
    /// integer centres: one mask, stamped, instead of a square root per pixel per marker).
    discs: Vec<(f32, Vec<u8>)>,
    /// Every pixel is 0 (white) again: the buffer may go back to [`SPARE`].
    clear: bool,
}

const UNSET: u16 = u16::MAX;

thread_local! {
    /// Pixel buffers and pen tables of finished canvases, reused by the next canvas of the
    /// thread: a fresh half-megabyte per chart came from the system each time, pages the
    /// kernel had to zero. A pixel buffer comes back only all 0 ([`Canvas::into_png`] clears
    /// it), so a new canvas need not clear it.
    static SPARE: std::cell::RefCell<Vec<Vec<u8>>> = const { std::cell::RefCell::new(Vec::new()) };
    static SPARE_PENS: std::cell::RefCell<Vec<Vec<u16>>> = const { std::cell::RefCell::new(Vec::new()) };
}

impl Drop for Canvas {
    fn drop(&mut self) {
        let px = std::mem::take(&mut self.px);
        if self.clear {
            SPARE.with(|s| {
                let mut s = s.borrow_mut();
                if s.len() < 2 {
                    s.push(px);
                }
            });
        }
        SPARE_PENS.with(|s| {
            let mut s = s.borrow_mut();
            for (_, t) in self.pens.drain(..) {
                if s.len() < 32 {
                    s.push(t);
                }
            }
        });
    }
}

/// A colour prepared for blending (see [`Canvas::pen`]).
#[derive(Clone, Copy)]
pub struct Pen(usize);

/// Coverage 0–255 as a blending level 0..=[`LEVELS`].
pub fn level(cov: u8) -> u8 {
    ((u32::from(cov) * LEVELS + 127) / 255) as u8
}

/// Coverage 0.0–1.0 of a line or marker edge as a level, in steps of 2 (8 shades a colour:
/// enough for an edge, and ten line colours stay within the palette). `+ 0.5` and
/// truncation: `f32::round` is a libm call.
fn to_level(cov: f32) -> u8 {
    ((cov * (LEVELS / 2) as f32 + 0.5) as u8) * 2
}

/// `x.floor()` as an integer without a call: baseline x86-64 has no rounding instruction, so
/// `f32::floor` is libm's `floorf`, and a line calls it at every step.
/// Chart coordinates are far inside `i64`'s range.
#[inline]
fn floor_i(x: f32) -> i64 {
    let t = x as i64; // towards zero
    t - i64::from(t as f32 > x)
}

/// `x.ceil()` as an integer, as [`floor_i`].
#[inline]
fn ceil_i(x: f32) -> i64 {
    let t = x as i64;
    t + i64::from((t as f32) < x)
}

/// Blended shades may fill the palette up to here; the rest is kept for solid colours, so that
/// a text or line colour is never replaced by an approximation (a trend chart with ten
/// crossing lines wants more than 256 shades).
const SHADES_UP_TO: usize = 224;

impl Canvas {
    /// A white canvas.
    pub fn new(w: u32, h: u32) -> Canvas {
        // All 0 (see SPARE), and never shortened: a buffer serves charts of both sizes, the
        // pixels past this canvas's are left alone (and 0).
        let mut px = SPARE.with(|s| s.borrow_mut().pop()).unwrap_or_default();
        let n = w as usize * h as usize;
        if px.len() < n {
            px.resize(n, 0);
        }
        Canvas {
            w,
            h,
            px,
            pal: vec![[255, 255, 255]],
            last: ([255, 255, 255], 0),
            pens: Vec::new(),
            discs: Vec::new(),
            clear: false,
        }
    }

    pub fn size(&self) -> (u32, u32) {
        (self.w, self.h)
    }

    /// Pixels of the canvas (its buffer may be longer).
    fn pixels(&self) -> usize {
        self.w as usize * self.h as usize
    }

    /// The palette index of the solid colour `rgb` (added if new; the nearest colour when the
    /// palette is full).
    pub fn index(&mut self, rgb: [u8; 3]) -> u8 {
        self.lookup(rgb, 256)
    }

    /// `rgb` if it is in the palette or there is room below `limit`, else the nearest colour.
    fn lookup(&mut self, rgb: [u8; 3], limit: usize) -> u8 {
        if self.last.0 == rgb {
            return self.last.1;
        }
        let i = match self.pal.iter().position(|c| *c == rgb) {
            Some(i) => i as u8,
            None if self.pal.len() < limit => {
                self.pal.push(rgb);
                (self.pal.len() - 1) as u8
            }
            None => self.nearest(rgb),
        };
        self.last = (rgb, i);
        i
    }

    fn nearest(&self, rgb: [u8; 3]) -> u8 {
        let d = |c: &[u8; 3]| -> i32 {
            (0..3)
                .map(|k| (i32::from(c[k]) - i32::from(rgb[k])).pow(2))
                .sum()
        };
        let mut best = 0;
        for (i, c) in self.pal.iter().enumerate() {
            if d(c) < d(&self.pal[best]) {
                best = i;
            }
        }
        best as u8
    }

    /// `rgb` prepared for blending into pixels.
    pub fn pen(&mut self, rgb: [u8; 3]) -> Pen {
        match self.pens.iter().position(|(c, _)| *c == rgb) {
            Some(i) => Pen(i),
            None => {
                let mut table = SPARE_PENS
                    .with(|s| s.borrow_mut().pop())
                    .unwrap_or_default();
                table.clear();
                table.resize(256 * (LEVELS as usize + 1), UNSET);
                self.pens.push((rgb, table));
                Pen(self.pens.len() - 1)
            }
        }
    }

    /// Paint with `pen` at (x, y) at `level` (0..=[`LEVELS`], from [`level`]) over the pixel
    /// below; outside the canvas nothing happens.
    #[inline]
    pub fn blend(&mut self, pen: Pen, x: i64, y: i64, level: u8) {
        if level == 0 || x < 0 || y < 0 || x >= i64::from(self.w) || y >= i64::from(self.h) {
            return;
        }
        let at = y as usize * self.w as usize + x as usize;
        self.blend_at(pen, at, level);
    }

    #[inline]
    fn blend_at(&mut self, pen: Pen, at: usize, level: u8) {
        let slot = self.px[at] as usize * (LEVELS as usize + 1) + level.min(LEVELS as u8) as usize;
        let known = self.pens[pen.0].1[slot];
        self.px[at] = if known != UNSET {
            known as u8
        } else {
            self.mix(pen, self.px[at], slot, level)
        };
    }

    #[cold]
    fn mix(&mut self, pen: Pen, under: u8, slot: usize, level: u8) -> u8 {
        let (rgb, mut bg) = (self.pens[pen.0].0, self.pal[usize::from(under)]);
        let l = u32::from(level).min(LEVELS);
        if l == LEVELS {
            let i = self.index(rgb);
            self.pens[pen.0].1[slot] = u16::from(i);
            return i;
        }
        // An edge over a near-white pixel (a grid line) is blended as over white: the same few
        // shades serve the whole chart. Over a colour (a line crossing a line or a bar), the
        // edge takes one colour or the other: shades of every pair of colours would not fit.
        if bg.iter().all(|&c| c >= 0xD8) {
            bg = [255, 255, 255];
        } else {
            let i = if l * 2 >= LEVELS {
                self.index(rgb)
            } else {
                under
            };
            self.pens[pen.0].1[slot] = u16::from(i);
            return i;
        }
        let mix: [u8; 3] = std::array::from_fn(|k| {
            let (f, b) = (u32::from(rgb[k]), u32::from(bg[k]));
            ((f * l + b * (LEVELS - l) + LEVELS / 2) / LEVELS) as u8
        });
        let i = self.lookup(mix, SHADES_UP_TO);
        self.pens[pen.0].1[slot] = u16::from(i);
        i
    }

    /// Paint a block of levels (`gw` wide, row by row; a glyph) with its top left at (x, y),
    /// clipped to the canvas.
    pub fn stamp(&mut self, pen: Pen, x: i64, y: i64, gw: usize, levels: &[u8]) {
        if gw == 0 {
            return;
        }
        let (w, h) = (i64::from(self.w), i64::from(self.h));
        let gh = (levels.len() / gw) as i64;
        let (c0, c1) = ((-x).max(0), (w - x).min(gw as i64));
        let (r0, r1) = ((-y).max(0), (h - y).min(gh));
        if c0 >= c1 || r0 >= r1 {
            return;
        }
        for r in r0..r1 {
            let src = &levels[r as usize * gw..][c0 as usize..c1 as usize];
            let base = (y + r) as usize * self.w as usize + (x + c0) as usize;
            for (k, &l) in src.iter().enumerate() {
                if l != 0 {
                    self.blend_at(pen, base + k, l);
                }
            }
        }
    }

    /// [`Canvas::stamp`] of a block whose non-zero levels are `runs` (row, first column,
    /// length; see [`runs`]): a glyph is mostly edges, and a branch on every zero level
    /// mispredicted at every other pixel.
    pub fn stamp_runs(
        &mut self,
        pen: Pen,
        (x, y): (i64, i64),
        gw: usize,
        levels: &[u8],
        runs: &[(u16, u16, u16)],
    ) {
        let gh = levels.len().checked_div(gw).unwrap_or(0);
        let inside = x >= 0
            && y >= 0
            && x + gw as i64 <= i64::from(self.w)
            && y + gh as i64 <= i64::from(self.h);
        if !inside {
            return self.stamp(pen, x, y, gw, levels);
        }
        let w = self.w as usize;
        let origin = y as usize * w + x as usize;
        for &(r, c, n) in runs {
            let (r, c, n) = (usize::from(r), usize::from(c), usize::from(n));
            let src = &levels[r * gw + c..][..n];
            let base = origin + r * w + c;
            for (k, &l) in src.iter().enumerate() {
                self.blend_at(pen, base + k, l);
            }
        }
    }

    /// Paint `rgb` at (x, y) with coverage `cov` (0–255); outside the canvas nothing happens.
    pub fn cover(&mut self, x: i64, y: i64, rgb: [u8; 3], cov: u8) {
        let l = level(cov);
        if l != 0 {
            let pen = self.pen(rgb);
            self.blend(pen, x, y, l);
        }
    }

    /// Fill the rectangle x0..=x1 × y0..=y1 (clipped) with an opaque colour.
    pub fn fill(&mut self, x0: i64, y0: i64, x1: i64, y1: i64, rgb: [u8; 3]) {
        let (x0, x1) = (x0.min(x1).max(0), x0.max(x1).min(i64::from(self.w) - 1));
        let (y0, y1) = (y0.min(y1).max(0), y0.max(y1).min(i64::from(self.h) - 1));
        if x0 > x1 || y0 > y1 {
            return;
        }
        let i = self.index(rgb);
        let w = self.w as usize;
        for y in y0 as usize..=y1 as usize {
            self.px[y * w + x0 as usize..=y * w + x1 as usize].fill(i);
        }
    }

    /// An anti-aliased segment `width` pixels wide with square-cut ends (pixel centres are at
    /// integer coordinates): along the major axis, each step covers the pixels that the line's
    /// cross-section overlaps, by the length of the overlap. Round joins are the markers'
    /// job. (plotters' polygon fill scanned every row of the bounding box and was most of a
    /// trend chart's time.)
    pub fn segment(&mut self, pen: Pen, a: (f32, f32), b: (f32, f32), width: f32) {
        let (dx, dy) = (b.0 - a.0, b.1 - a.1);
        let len = (dx * dx + dy * dy).sqrt();
        if len < 1e-6 {
            return;
        }
        if dy == 0.0 {
            return self.hband(pen, a.0.min(b.0), a.0.max(b.0), a.1, width);
        }
        let steep = dy.abs() > dx.abs();
        let (am, bm, an, bn) = if steep {
            (a.1, b.1, a.0, b.0)
        } else {
            (a.0, b.0, a.1, b.1)
        };
        // Half the thickness measured along the minor axis.
        let half = width / 2.0 * len / (bm - am).abs();
        let (lo, hi) = (am.min(bm), am.max(bm));
        for m in lo.round() as i64..=hi.round() as i64 {
            let t = (m as f32 - am) / (bm - am);
            let c = an + (bn - an) * t;
            let (top, bottom) = (c - half, c + half);
            for n in floor_i(top + 0.5)..=ceil_i(bottom - 0.5) {
                let nf = n as f32;
                let cov = ((nf + 0.5).min(bottom) - (nf - 0.5).max(top)).clamp(0.0, 1.0);
                let (x, y) = if steep { (n, m) } else { (m, n) };
                self.blend(pen, x, y, to_level(cov));
            }
        }
    }

    /// A horizontal band from x0 to x1 (pixel centres), `width` thick, centred on y: the
    /// common case of a rank that did not change, done row by row.
    fn hband(&mut self, pen: Pen, x0: f32, x1: f32, y: f32, width: f32) {
        let (top, bottom) = (y - width / 2.0, y + width / 2.0);
        let (c0, c1) = (x0.round().max(0.0) as usize, x1.round() as i64);
        let c1 = c1.min(i64::from(self.w) - 1);
        if c1 < c0 as i64 {
            return;
        }
        for n in (top + 0.5).floor() as i64..=(bottom - 0.5).ceil() as i64 {
            if n < 0 || n >= i64::from(self.h) {
                continue;
            }
            let nf = n as f32;
            let l = to_level(((nf + 0.5).min(bottom) - (nf - 0.5).max(top)).clamp(0.0, 1.0));
            if l == 0 {
                continue;
            }
            let base = n as usize * self.w as usize;
            for at in base + c0..=base + c1 as usize {
                self.blend_at(pen, at, l);
            }
        }
    }

    /// An anti-aliased filled disc.
    pub fn disc(&mut self, pen: Pen, c: (f32, f32), radius: f32) {
        let (x0, x1) = (
            (c.0 - radius - 1.0).floor() as i64,
            (c.0 + radius + 1.0).ceil() as i64,
        );
        let (y0, y1) = (
            (c.1 - radius - 1.0).floor() as i64,
            (c.1 + radius + 1.0).ceil() as i64,
        );
        let cover = |x: i64, y: i64| {
            let (ex, ey) = (x as f32 - c.0, y as f32 - c.1);
            to_level((radius + 0.5 - (ex * ex + ey * ey).sqrt()).clamp(0.0, 1.0))
        };
        if c.0.fract() != 0.0 || c.1.fract() != 0.0 || radius.fract() != 0.0 {
            for y in y0..=y1 {
                for x in x0..=x1 {
                    self.blend(pen, x, y, cover(x, y));
                }
            }
            return;
        }
        // Integer centre and radius: the same levels around every centre.
        let w = (x1 - x0 + 1) as usize;
        let k = match self.discs.iter().position(|(r, _)| *r == radius) {
            Some(k) => k,
            None => {
                let mask = (y0..=y1)
                    .flat_map(|y| (x0..=x1).map(move |x| (x, y)))
                    .map(|(x, y)| cover(x, y))
                    .collect();
                self.discs.push((radius, mask));
                self.discs.len() - 1
            }
        };
        let mask = std::mem::take(&mut self.discs[k].1);
        self.stamp(pen, x0, y0, w, &mask);
        self.discs[k].1 = mask;
    }

    /// The colour of a pixel (for tests and previews).
    pub fn rgb_at(&self, x: u32, y: u32) -> [u8; 3] {
        self.pal[self.px[(y * self.w + x) as usize] as usize]
    }

    /// Number of palette entries in use.
    pub fn colours(&self) -> usize {
        self.pal.len()
    }

    /// The canvas as an 8-bit palette PNG.
    pub fn png(&self) -> Result<Vec<u8>, png::EncodingError> {
        encode_png(self.w, self.h, &self.pal, &self.px[..self.pixels()])
    }

    /// [`Canvas::png`], leaving the pixels cleared (the buffer is then reused, all white, by
    /// the thread's next canvas).
    pub fn into_png(mut self) -> Result<Vec<u8>, png::EncodingError> {
        let n = self.pixels();
        let png = self.png();
        self.px[..n].fill(0);
        self.clear = true;
        png
    }
}

/// An 8-bit palette PNG of `w` × `h` pixels (`px` row by row, indices into `palette`), with
/// the png crate's fast compression (fdeflate).
pub fn encode_png(
    w: u32,
    h: u32,
    palette: &[[u8; 3]],
    px: &[u8],
) -> Result<Vec<u8>, png::EncodingError> {
    let mut out = Vec::with_capacity(px.len() / 16 + 3 * palette.len() + 128);
    let mut enc = png::Encoder::new(&mut out, w, h);
    enc.set_color(png::ColorType::Indexed);
    enc.set_depth(png::BitDepth::Eight);
    enc.set_palette(palette.as_flattened());
    enc.set_compression(png::Compression::Fast);
    // The filter of png 0.17's fast mode: runs of one colour become runs of zeros for its
    // run-length deflate. 0.18's default, adaptive (five filters tried on every row), makes
    // smaller files but takes much longer, and a national run writes thousands of charts.
    enc.set_filter(png::Filter::Sub);
    let mut writer = enc.write_header()?;
    writer.write_image_data(px)?;
    writer.finish()?;
    Ok(out)
}

/// The runs of non-zero levels of a block `gw` wide: (row, first column, length).
pub fn runs(gw: usize, levels: &[u8]) -> Vec<(u16, u16, u16)> {
    let mut out = Vec::new();
    if gw == 0 {
        return out;
    }
    for (r, row) in levels.chunks(gw).enumerate() {
        let mut c = 0;
        while c < row.len() {
            if row[c] == 0 {
                c += 1;
                continue;
            }
            let start = c;
            while c < row.len() && row[c] != 0 {
                c += 1;
            }
            out.push((r as u16, start as u16, (c - start) as u16));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::{Canvas, ceil_i, floor_i, runs};
    use crate::charts::backend::CanvasBackend;
    use plotters::prelude::*;

    #[test]
    fn a_block_is_stamped_alike_by_its_runs_inside_and_across_the_edges() {
        let levels: Vec<u8> = [
            [0, 3, 16, 16, 0, 0, 9],
            [0, 0, 0, 0, 0, 0, 0],
            [16, 1, 0, 2, 2, 2, 0],
        ]
        .concat();
        let r = runs(7, &levels);
        assert_eq!(
            r,
            [(0, 1, 3), (0, 6, 1), (2, 0, 2), (2, 3, 3)],
            "row, first column, length"
        );
        assert!(runs(0, &[]).is_empty());
        for at in [(5, 4), (0, 0), (-3, 2), (16, 17), (-2, -1), (30, 2)] {
            let (mut a, mut b) = (Canvas::new(20, 18), Canvas::new(20, 18));
            let (pa, pb) = (a.pen([200, 30, 30]), b.pen([200, 30, 30]));
            // Over a grid line and a bar, as text is drawn.
            for c in [&mut a, &mut b] {
                c.fill(0, 5, 19, 5, [0xD9, 0xD9, 0xD9]);
                c.fill(6, 0, 8, 17, [0x2F, 0x55, 0x97]);
            }
            a.stamp(pa, at.0, at.1, 7, &levels);
            b.stamp_runs(pb, at, 7, &levels, &r);
            for y in 0..18 {
                for x in 0..20 {
                    assert_eq!(a.rgb_at(x, y), b.rgb_at(x, y), "{at:?} at {x},{y}");
                }
            }
        }
    }

    #[test]
    fn discs_at_integer_centres_are_stamped_as_drawn_pixel_by_pixel() {
        let (mut fast, mut slow) = (Canvas::new(30, 20), Canvas::new(30, 20));
        let (pf, ps) = (fast.pen([31, 119, 180]), slow.pen([31, 119, 180]));
        // Inside, again (from the cached mask), overlapping, and clipped at the corners.
        let centres = [(10, 10), (20, 8), (12, 11), (0, 0), (29, 19)];
        for &(cx, cy) in &centres {
            fast.disc(pf, (cx as f32, cy as f32), 3.0);
            for y in cy - 5..=cy + 5 {
                for x in cx - 5..=cx + 5 {
                    let (ex, ey) = ((x - cx) as f32, (y - cy) as f32);
                    let cov = (3.5 - (ex * ex + ey * ey).sqrt()).clamp(0.0, 1.0);
                    slow.blend(ps, x, y, super::to_level(cov));
                }
            }
        }
        assert_eq!(fast.discs.len(), 1);
        for y in 0..20 {
            for x in 0..30 {
                assert_eq!(fast.rgb_at(x, y), slow.rgb_at(x, y), "({x}, {y})");
            }
        }
        assert_eq!(fast.rgb_at(10, 10), [31, 119, 180]);
        assert_eq!(fast.rgb_at(10, 15), [255, 255, 255]);
    }

    #[test]
    fn floor_and_ceil_without_libm_agree_with_libm() {
        let mut xs = vec![
            0.0f32, -0.0, 0.5, -0.5, 1.0, -1.0, 2.999_999, -2.999_999, 1e6, -1e6,
        ];
        xs.extend((-4000..=4000).map(|k| k as f32 * 0.037_5));
        xs.extend((-100..=100).map(|k| k as f32 + f32::EPSILON * k as f32));
        for x in xs {
            assert_eq!(floor_i(x), x.floor() as i64, "floor {x}");
            assert_eq!(ceil_i(x), x.ceil() as i64, "ceil {x}");
        }
    }

    #[test]
    fn shapes_blend_and_png_round_trip() {
        let mut c = Canvas::new(40, 30);
        {
            let root = CanvasBackend(&mut c).into_drawing_area();
            root.draw(&Rectangle::new(
                [(5, 5), (14, 24)],
                RGBColor(200, 0, 0).filled(),
            ))
            .unwrap();
            root.draw(&PathElement::new(
                vec![(0, 2), (39, 2)],
                RGBColor(0, 0, 255).stroke_width(1),
            ))
            .unwrap();
            root.draw(&PathElement::new(
                vec![(20, 5), (35, 25)],
                RGBColor(0, 128, 0).stroke_width(2),
            ))
            .unwrap();
        }
        assert_eq!(c.rgb_at(5, 5), [200, 0, 0]);
        assert_eq!(c.rgb_at(14, 24), [200, 0, 0]);
        assert_eq!(c.rgb_at(15, 24), [255, 255, 255]);
        assert_eq!(c.rgb_at(0, 2), [0, 0, 255]);
        assert_eq!(c.rgb_at(39, 2), [0, 0, 255]);
        // Half coverage of black over white: halfway, rounded; over the grey grid line
        // (near white) the same shade; over the red bar one colour or the other.
        c.cover(36, 10, [0, 0, 0], 128);
        assert_eq!(c.rgb_at(36, 10), [128, 128, 128]);
        c.fill(0, 28, 39, 28, [0xE0, 0xE0, 0xE0]);
        c.cover(30, 28, [0, 0, 0], 128);
        assert_eq!(c.rgb_at(30, 28), [128, 128, 128]);
        c.cover(6, 6, [0, 0, 0], 128);
        assert_eq!(c.rgb_at(6, 6), [0, 0, 0]);
        c.cover(6, 7, [0, 0, 0], 60);
        assert_eq!(c.rgb_at(6, 7), [200, 0, 0]);
        c.cover(7, 6, [0, 0, 0], 3); // below one level: nothing
        assert_eq!(c.rgb_at(7, 6), [200, 0, 0]);
        c.cover(-1, 100, [0, 0, 0], 255); // outside: nothing, no panic

        let mut dec = png::Decoder::new(std::io::Cursor::new(c.png().unwrap()));
        dec.set_transformations(png::Transformations::EXPAND);
        let mut r = dec.read_info().unwrap();
        let mut buf = vec![0; r.output_buffer_size().unwrap()];
        let info = r.next_frame(&mut buf).unwrap();
        assert_eq!((info.width, info.height), (40, 30));
        for y in 0..30 {
            for x in 0..40 {
                let i = ((y * 40 + x) * 3) as usize;
                assert_eq!(buf[i..i + 3], c.rgb_at(x, y), "({x}, {y})");
            }
        }
    }

    #[test]
    fn shades_leave_room_for_solid_colours() {
        let mut c = Canvas::new(300, 2);
        // Shades of 30 colours over white: more than the palette keeps for shades.
        for x in 0..300u32 {
            let pen = c.pen([(x / 10 * 8) as u8, 40, 200]);
            c.blend(pen, i64::from(x), 0, (x % 8 + 1) as u8);
        }
        assert_eq!(c.colours(), super::SHADES_UP_TO);
        // A text colour drawn afterwards is still exact.
        c.fill(0, 1, 10, 1, [0x70, 0x70, 0x70]);
        assert_eq!(c.rgb_at(5, 1), [0x70, 0x70, 0x70]);
    }

    #[test]
    fn a_full_palette_falls_back_to_the_nearest_colour() {
        let mut c = Canvas::new(300, 1);
        for x in 0..300u32 {
            c.fill(
                i64::from(x),
                0,
                i64::from(x),
                0,
                [x as u8, (x / 256) as u8, 7],
            );
        }
        assert_eq!(c.colours(), 256);
        // [43, 1, 7] did not fit; [43, 0, 7] is the nearest colour that did.
        assert_eq!(c.rgb_at(299, 0), [43, 0, 7]);
    }
}
