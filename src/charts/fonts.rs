//! The CJK font the PNG charts are drawn with: an embedded subset of Noto Sans CJK SC
//! (SIL OFL 1.1, `assets/fonts/`), or the file named by `font = "…"` in the configuration.
//! No system font is ever looked up.
//!
//! Also the text layer of every PNG chart ([`Painter`]): plotters draws the shapes, the texts
//! are drawn here with ab_glyph, glyph by glyph at its own pixel bounds (plotters' ab_glyph text
//! ignores left bearings).

use crate::charts::canvas::Canvas;
use crate::config::Config;
use crate::error::{Error, Result};
use ab_glyph::{Font, FontArc, PxScale, ScaleFont, point};
use plotters::style::RGBColor;

/// Noto Sans CJK SC Regular, subset to GB2312 + ASCII + CJK punctuation + the characters of the
/// default configuration (`assets/fonts/make_subset.sh`).
pub static EMBEDDED: &[u8] = include_bytes!("../../assets/fonts/NotoSansSC-tongbao.otf");

/// Largest font file accepted from the configuration.
const MAX_FONT_BYTES: u64 = 64 * 1024 * 1024;

/// The embedded font.
pub fn embedded() -> Result<FontArc> {
    FontArc::try_from_slice(EMBEDDED).map_err(|e| Error::output("embedded font", e))
}

/// The configured font (`cfg.font`), or the embedded one.
pub fn load(cfg: &Config) -> Result<FontArc> {
    let Some(path) = &cfg.font else {
        return embedded();
    };
    let what = format!("font {}", path.display());
    let meta = std::fs::metadata(path)
        .map_err(|e| Error::output(&what, format!("cannot read the font file: {e}")))?;
    if meta.len() > MAX_FONT_BYTES {
        return Err(Error::output(
            &what,
            format!("font file too large ({} bytes)", meta.len()),
        ));
    }
    let bytes = std::fs::read(path)
        .map_err(|e| Error::output(&what, format!("cannot read the font file: {e}")))?;
    FontArc::try_from_vec(bytes).map_err(|e| {
        Error::output(
            &what,
            format!("not a TrueType/OpenType font ({e}); give a .ttf or .otf file"),
        )
    })
}

/// Characters of `text` the font has no glyph for (whitespace and control characters are
/// never drawn and so never missing), each once, in order of first appearance.
pub fn missing_chars<'a>(font: &FontArc, texts: impl IntoIterator<Item = &'a str>) -> Vec<char> {
    let mut seen = std::collections::HashSet::new();
    let mut missing = Vec::new();
    for t in texts {
        for c in t.chars() {
            if c.is_whitespace() || c.is_control() || !seen.insert(c) {
                continue;
            }
            if font.glyph_id(c).0 == 0 {
                missing.push(c);
            }
        }
    }
    missing
}

/// An error naming the missing characters and how to fix it.
pub fn missing_error(cfg: &Config, missing: &[char]) -> Error {
    let list: String = missing
        .iter()
        .take(50)
        .map(|c| format!("「{c}」(U+{:04X}) ", *c as u32))
        .collect();
    let more = if missing.len() > 50 {
        format!("… ({} in all) ", missing.len())
    } else {
        String::new()
    };
    let which = match &cfg.font {
        Some(p) => format!("the configured font {}", p.display()),
        None => "the embedded font (Noto Sans CJK SC, GB2312 subset)".to_string(),
    };
    Error::output(
        "charts",
        format!(
            "{which} has no glyph for {list}{more}— set `font = \"path/to/a-font.ttf\"` in the configuration \
             to a TrueType/OpenType font that covers them (e.g. a full Noto Sans CJK SC .otf)"
        ),
    )
}

/// The configured (or embedded) font, refused with [`missing_error`] when it lacks a glyph
/// for any character of `texts`: checked before anything is drawn, never boxes in a chart.
pub fn load_covering<'a>(
    cfg: &Config,
    texts: impl IntoIterator<Item = &'a str>,
) -> Result<FontArc> {
    let font = load(cfg)?;
    let missing = missing_chars(&font, texts);
    if !missing.is_empty() {
        return Err(missing_error(cfg, &missing));
    }
    Ok(font)
}

// ---------------------------------------------------------------------------------------------
// Drawing texts

/// Horizontal anchor of a text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Align {
    Left,
    Center,
    Right,
}

/// One text to draw, in pixel coordinates.
struct TextOp {
    s: String,
    em: f32,
    x: f32,
    /// vertical centre
    y: f32,
    align: Align,
    colour: RGBColor,
    /// Clear the text's box to white first (a label that a line may cross).
    backdrop: bool,
}

/// Texts to draw over the shapes, collected while the shapes are drawn.
#[derive(Default)]
pub struct Texts(Vec<TextOp>);

impl Texts {
    /// `s` at `em` pixels, anchored at `x` by `align`, its em box centred on `y`.
    pub fn add(&mut self, s: &str, em: f32, x: f32, y: f32, align: Align, colour: RGBColor) {
        self.0.push(TextOp {
            s: s.to_string(),
            em,
            x,
            y,
            align,
            colour,
            backdrop: false,
        });
    }

    /// Like [`Texts::add`], on a white box: a value label stays legible where the dashed city
    /// line (or a grid line) passes through it.
    pub fn add_on_white(
        &mut self,
        s: &str,
        em: f32,
        x: f32,
        y: f32,
        align: Align,
        colour: RGBColor,
    ) {
        self.add(s, em, x, y, align, colour);
        if let Some(op) = self.0.last_mut() {
            op.backdrop = true;
        }
    }
}

/// The font with the scale factor from em size to ab_glyph's `PxScale` (ascent − descent).
pub struct Painter {
    font: FontArc,
    em_to_scale: f32,
    /// Tells the per-thread [`Cache`] whose glyphs it holds.
    id: u64,
}

/// A glyph's coverage, rasterised once per thread at a quarter-pixel offset: thousands of
/// charts draw the same few hundred glyphs, and outlining them again dominated chart time.
struct CachedGlyph {
    dx: i64,
    dy: i64,
    w: usize,
    /// Coverage as blending levels ([`crate::charts::canvas::level`]), row by row.
    cov: Vec<u8>,
    /// Where `cov` is not zero ([`crate::charts::canvas::runs`]).
    runs: Vec<(u16, u16, u16)>,
}

/// (glyph, scale, quarter-pixel offsets).
type GlyphKey = (u16, u32, u8, u8);

/// The cache is looked up once per drawn character: SipHash showed in profiles.
type GlyphMap = rustc_hash::FxHashMap<GlyphKey, Option<std::rc::Rc<CachedGlyph>>>;

/// Character → (glyph, unscaled advance): a CJK character's glyph is a search of the font's
/// character map, and every label is measured and drawn.
type CharMap = rustc_hash::FxHashMap<char, (ab_glyph::GlyphId, f32)>;

/// One thread's glyphs and characters, of the painter that last drew on it. The next painter
/// (the next run's, in a long-running `serve`) starts it afresh, so no run's glyphs are kept.
#[derive(Default)]
struct Cache {
    painter: Option<u64>,
    glyphs: GlyphMap,
    chars: CharMap,
}

thread_local! {
    static CACHE: std::cell::RefCell<Cache> = std::cell::RefCell::new(Cache::default());
}

static PAINTERS: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);

/// Integer pixel and quarter-pixel step of a coordinate.
fn split_quarter(v: f32) -> (i64, u8) {
    let q = (v * 4.0).round() as i64;
    (q.div_euclid(4), q.rem_euclid(4) as u8)
}

impl Painter {
    pub fn new(font: FontArc) -> Painter {
        let upem = font.units_per_em().unwrap_or(1000.0);
        let h = font.height_unscaled();
        let em_to_scale = if upem > 0.0 && h > 0.0 { h / upem } else { 1.0 };
        let id = PAINTERS.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        Painter {
            font,
            em_to_scale,
            id,
        }
    }

    /// This thread's cache, emptied first if another painter filled it.
    fn with_cache<R>(&self, f: impl FnOnce(&mut Cache) -> R) -> R {
        CACHE.with(|cache| {
            let mut cache = cache.borrow_mut();
            if cache.painter != Some(self.id) {
                *cache = Cache {
                    painter: Some(self.id),
                    ..Cache::default()
                };
            }
            f(&mut cache)
        })
    }

    fn glyph(
        &self,
        id: ab_glyph::GlyphId,
        scale: PxScale,
        qx: u8,
        qy: u8,
    ) -> Option<std::rc::Rc<CachedGlyph>> {
        let key = (id.0, scale.y.to_bits(), qx, qy);
        self.with_cache(|cache| {
            cache
                .glyphs
                .entry(key)
                .or_insert_with(|| {
                    let g = id.with_scale_and_position(
                        scale,
                        point(f32::from(qx) / 4.0, f32::from(qy) / 4.0),
                    );
                    let og = self.font.outline_glyph(g)?;
                    let bb = og.px_bounds();
                    let (w, h) = (bb.width().max(0.0) as usize, bb.height().max(0.0) as usize);
                    let mut cov = vec![0u8; w * h];
                    og.draw(|gx, gy, c| {
                        let (x, y) = (gx as usize, gy as usize);
                        if x < w && y < h {
                            let c = (c.clamp(0.0, 1.0) * 255.0).round() as u8;
                            cov[y * w + x] = crate::charts::canvas::level(c);
                        }
                    });
                    // (A glyph of a few hundred pixels: its rows fit u16 with room to spare.)
                    let runs = if w <= 4096 && h <= 4096 {
                        crate::charts::canvas::runs(w, &cov)
                    } else {
                        Vec::new()
                    };
                    Some(std::rc::Rc::new(CachedGlyph {
                        dx: bb.min.x as i64,
                        dy: bb.min.y as i64,
                        w,
                        cov,
                        runs,
                    }))
                })
                .clone()
        })
    }

    fn scale(&self, em: f32) -> PxScale {
        PxScale::from(em * self.em_to_scale)
    }

    /// The glyph of `c` and its unscaled advance (× the scale's `h_scale_factor`, as
    /// ab_glyph's `h_advance` computes it, gives the advance in pixels).
    fn char_glyph(&self, c: char) -> (ab_glyph::GlyphId, f32) {
        self.with_cache(|cache| {
            *cache.chars.entry(c).or_insert_with(|| {
                let id = self.font.glyph_id(c);
                (id, self.font.h_advance_unscaled(id))
            })
        })
    }

    /// Pixels per font unit horizontally at `em` (ab_glyph's `h_scale_factor`, which looks
    /// up the font's ascent and descent each time it is asked).
    fn h_factor(&self, em: f32) -> f32 {
        self.font.as_scaled(self.scale(em)).h_scale_factor()
    }

    /// Advance width of `s` in pixels (with kerning).
    pub fn width(&self, s: &str, em: f32) -> f32 {
        self.layout(s, em, |_, _, _| {})
    }

    /// Walk `s` at `em`: each glyph with the kerning before it and its advance, in pixels, to
    /// `each`; returns the advance width. Measuring and drawing share it, so a text is drawn
    /// exactly as wide as it was measured.
    fn layout(&self, s: &str, em: f32, mut each: impl FnMut(ab_glyph::GlyphId, f32, f32)) -> f32 {
        let k = self.h_factor(em);
        let mut w = 0.0;
        let mut prev = None;
        for c in s.chars() {
            let (id, adv) = self.char_glyph(c);
            let kern = match prev {
                Some(p) => {
                    let kern = k * self.font.kern_unscaled(p, id);
                    w += kern;
                    kern
                }
                None => 0.0,
            };
            let adv = k * adv;
            w += adv;
            each(id, kern, adv);
            prev = Some(id);
        }
        w
    }

    /// `s` cut with an ellipsis to fit `max_w`.
    pub fn fit(&self, s: &str, em: f32, max_w: f32) -> String {
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

    /// Split `s` into lines no wider than `max_w` (CJK text breaks anywhere), at most `max_lines`.
    pub fn wrap(&self, s: &str, em: f32, max_w: f32, max_lines: usize) -> Vec<String> {
        let k = self.h_factor(em);
        let mut lines: Vec<String> = Vec::new();
        let mut cur = String::new();
        let mut w = 0.0;
        for c in s.chars() {
            let adv = k * self.char_glyph(c).1;
            if !cur.is_empty() && w + adv > max_w {
                lines.push(std::mem::take(&mut cur));
                w = 0.0;
                if lines.len() > max_lines {
                    break;
                }
            }
            cur.push(c);
            w += adv;
        }
        if !cur.is_empty() {
            lines.push(cur);
        }
        if lines.len() > max_lines {
            lines.truncate(max_lines);
            if let Some(last) = lines.last_mut() {
                last.pop();
                last.push('…');
            }
        }
        lines
    }

    /// Draw the text layer onto `canvas`: each glyph at its own pixel
    /// bounds, advancing by its advance width (with kerning), blended by coverage.
    pub fn rasterize(&self, tx: &Texts, canvas: &mut Canvas) {
        // (glyph, kerning before it, advance) of the text being drawn: laid out once for the
        // width and the drawing.
        let mut glyphs: Vec<(ab_glyph::GlyphId, f32, f32)> = Vec::new();
        for op in &tx.0 {
            let scale = self.scale(op.em);
            glyphs.clear();
            let width = self.layout(&op.s, op.em, |id, kern, adv| glyphs.push((id, kern, adv)));
            let mut caret = match op.align {
                Align::Left => op.x,
                Align::Center => op.x - width / 2.0,
                Align::Right => op.x - width,
            };
            if op.backdrop {
                let half = 0.55 * op.em;
                canvas.fill(
                    (caret - 2.0).floor() as i64,
                    (op.y - half).floor() as i64,
                    (caret + width + 2.0).ceil() as i64,
                    (op.y + half).ceil() as i64,
                    [255, 255, 255],
                );
            }
            // Centre the em box (CJK glyphs fill it) on y: baseline at y + 0.38 em.
            let baseline = op.y + 0.38 * op.em;
            let RGBColor(r, g, b) = op.colour;
            let pen = canvas.pen([r, g, b]);
            let (iy, qy) = split_quarter(baseline);
            for (k, &(id, kern, adv)) in glyphs.iter().enumerate() {
                if k > 0 {
                    caret += kern;
                }
                let (ix, qx) = split_quarter(caret);
                if let Some(gl) = self.glyph(id, scale, qx, qy) {
                    let at = (ix + gl.dx, iy + gl.dy);
                    if gl.runs.is_empty() {
                        canvas.stamp(pen, at.0, at.1, gl.w, &gl.cov);
                    } else {
                        canvas.stamp_runs(pen, at, gl.w, &gl.cov, &gl.runs);
                    }
                }
                caret += adv;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn embedded_font_parses_and_is_small() {
        assert!(FontArc::try_from_slice(EMBEDDED).is_ok());
        assert!(EMBEDDED.len() < 4_500_000, "{}", EMBEDDED.len());
    }

    #[test]
    fn embedded_font_covers_the_default_configuration_and_gb2312_samples() {
        let f = embedded().unwrap();
        let text = crate::config::DEFAULT_TOML;
        assert_eq!(missing_chars(&f, [text]), Vec::<char>::new());
        let fixed = "、，。：（）％—↑↓0123456789.-+% 全市同比增长位次走势未报扭亏为盈由盈转亏减亏增亏无可比基数月倍";
        assert_eq!(missing_chars(&f, [fixed]), Vec::<char>::new());
        assert_eq!(
            missing_chars(&f, ["齄鼾"]),
            Vec::<char>::new(),
            "GB2312 level 2"
        );
        // Not in GB2312 (CJK Extension B): reported, each once.
        assert_eq!(missing_chars(&f, ["𠀀a𠀀"]), vec!['𠀀']);
    }

    #[test]
    fn a_configured_font_collection_is_used() {
        // Only where the system has it (never needed at run time).
        let ttc = std::path::Path::new("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc");
        if !ttc.exists() {
            return;
        }
        let mut cfg = Config::default_city();
        cfg.font = Some(ttc.into());
        let f = load(&cfg).unwrap();
        assert_eq!(missing_chars(&f, ["𠀀"]), vec!['𠀀']);
        assert_eq!(missing_chars(&f, ["漯河市堃"]), Vec::<char>::new());
    }

    #[test]
    fn painter_measures_fits_wraps_and_draws() {
        let p = Painter::new(embedded().unwrap());
        // CJK glyphs advance one em.
        assert!(
            (p.width("全市", 20.0) - 40.0).abs() < 0.5,
            "{}",
            p.width("全市", 20.0)
        );
        assert_eq!(p.fit("全市", 20.0, 100.0), "全市");
        assert_eq!(p.fit("城乡一体化示范区", 20.0, 80.0), "城乡一…");
        assert_eq!(
            p.wrap("城乡一体化示范区", 20.0, 80.0, 2),
            ["城乡一体", "化示范区"]
        );
        assert_eq!(
            p.wrap("城乡一体化示范区", 20.0, 60.0, 2),
            ["城乡一", "体化…"]
        );
        let (w, h) = (120u32, 40u32);
        let mut canvas = Canvas::new(w, h);
        let mut tx = Texts::default();
        tx.add("全市", 20.0, 60.0, 20.0, Align::Center, RGBColor(0, 0, 0));
        tx.add("边界外", 20.0, 500.0, 500.0, Align::Left, RGBColor(0, 0, 0));
        p.rasterize(&tx, &mut canvas);
        let ink: Vec<u32> = (0..w * h)
            .filter(|i| canvas.rgb_at(i % w, i / w)[0] < 128)
            .map(|i| i % w)
            .collect();
        assert!(ink.len() > 50, "{}", ink.len());
        // Centred on x = 60: ink from about 40 to 80.
        assert!(ink.iter().all(|x| (38..=82).contains(x)), "{ink:?}");
    }

    fn cached() -> (Option<u64>, usize, usize) {
        CACHE.with(|c| {
            let c = c.borrow();
            (c.painter, c.glyphs.len(), c.chars.len())
        })
    }

    #[test]
    fn a_thread_keeps_the_glyphs_of_one_painter_only() {
        let draw = |p: &Painter| {
            let mut canvas = Canvas::new(80, 30);
            let mut tx = Texts::default();
            tx.add("漯河市", 20.0, 40.0, 20.0, Align::Center, RGBColor(0, 0, 0));
            p.rasterize(&tx, &mut canvas);
            (0..80 * 30)
                .map(|i| canvas.rgb_at(i % 80, i / 80))
                .collect::<Vec<_>>()
        };
        let (a, b) = (
            Painter::new(embedded().unwrap()),
            Painter::new(embedded().unwrap()),
        );
        let first = draw(&a);
        let (owner, glyphs, chars) = cached();
        assert_eq!((owner, chars), (Some(a.id), 3));
        assert!(glyphs >= 3, "{glyphs}");
        // A second run's painter does not add to the first one's glyphs: it replaces them.
        assert_eq!(draw(&b), first);
        assert_eq!(cached(), (Some(b.id), glyphs, chars));
        assert_eq!(draw(&a), first);
        assert_eq!(cached().0, Some(a.id));
    }

    #[test]
    fn a_label_on_white_clears_its_box_and_nothing_else() {
        let p = Painter::new(embedded().unwrap());
        let (w, h) = (120u32, 40u32);
        let mut canvas = Canvas::new(w, h);
        canvas.fill(0, 0, 119, 39, [200, 0, 0]);
        let mut tx = Texts::default();
        tx.add_on_white("-5.4", 13.0, 60.0, 20.0, Align::Center, RGBColor(0, 0, 0));
        p.rasterize(&tx, &mut canvas);
        // Just left of the text, inside the box: white; outside the box: still red.
        let half = p.width("-5.4", 13.0) / 2.0;
        let inside = (60.0 - half - 1.0) as u32;
        assert_eq!(canvas.rgb_at(inside, 20), [255, 255, 255]);
        assert_eq!(canvas.rgb_at(inside, 20 - 9), [200, 0, 0]);
        assert_eq!(canvas.rgb_at((60.0 - half - 5.0) as u32, 20), [200, 0, 0]);
        // And the text is drawn on it.
        let ink = (0..w * h)
            .filter(|i| canvas.rgb_at(i % w, i / w)[0] < 100)
            .count();
        assert!(ink > 20, "{ink}");
    }

    #[test]
    fn configured_font_errors_are_clear() {
        let mut cfg = Config::default_city();
        cfg.font = Some("/nonexistent/x.ttf".into());
        let e = load(&cfg).err().map(|e| e.to_string()).unwrap_or_default();
        assert!(e.contains("x.ttf"), "{e}");
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("bad.ttf");
        std::fs::write(&p, b"not a font").unwrap();
        cfg.font = Some(p);
        let e = load(&cfg).err().map(|e| e.to_string()).unwrap_or_default();
        assert!(e.contains("not a TrueType"), "{e}");
        let e = missing_error(&cfg, &['𠀀']).to_string();
        assert!(e.contains("U+20000") && e.contains("font = "), "{e}");
    }
}
