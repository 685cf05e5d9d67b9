//! The plotters backend of the charts: plotters lays out the shapes, [`CanvasBackend`] draws
//! them on a palette [`Canvas`] with its own span fills (bars, grid and axis lines) and
//! anti-aliased segments and discs (the rank-trend lines and markers).

use crate::charts::canvas::Canvas;
use plotters::prelude::*;
use plotters_backend::{
    BackendColor, BackendCoord, BackendStyle, DrawingBackend, DrawingErrorKind,
};

/// plotters draws shapes through this backend onto a [`Canvas`].
pub struct CanvasBackend<'a>(pub &'a mut Canvas);

fn rgb_of(c: BackendColor) -> [u8; 3] {
    [c.rgb.0, c.rgb.1, c.rgb.2]
}

impl CanvasBackend<'_> {
    /// The rectangle with corners `a` and `b` (inclusive) in the opaque colour `c`.
    fn fill_between(&mut self, a: BackendCoord, b: BackendCoord, c: BackendColor) {
        let (a, b) = (
            (i64::from(a.0), i64::from(a.1)),
            (i64::from(b.0), i64::from(b.1)),
        );
        self.0.fill(a.0, a.1, b.0, b.1, rgb_of(c));
    }
}

impl DrawingBackend for CanvasBackend<'_> {
    type ErrorType = std::convert::Infallible;

    fn get_size(&self) -> (u32, u32) {
        self.0.size()
    }

    fn ensure_prepared(&mut self) -> Result<(), DrawingErrorKind<Self::ErrorType>> {
        Ok(())
    }

    fn present(&mut self) -> Result<(), DrawingErrorKind<Self::ErrorType>> {
        Ok(())
    }

    fn draw_pixel(
        &mut self,
        (x, y): BackendCoord,
        color: BackendColor,
    ) -> Result<(), DrawingErrorKind<Self::ErrorType>> {
        let cov = (color.alpha.clamp(0.0, 1.0) * 255.0 + 0.5) as u8;
        self.0.cover(i64::from(x), i64::from(y), rgb_of(color), cov);
        Ok(())
    }

    fn draw_line<S: BackendStyle>(
        &mut self,
        from: BackendCoord,
        to: BackendCoord,
        style: &S,
    ) -> Result<(), DrawingErrorKind<Self::ErrorType>> {
        let c = style.color();
        // Axis-parallel hairlines (grid, axes, polygon spans) are spans of one colour.
        if style.stroke_width() == 1 && c.alpha >= 1.0 && (from.0 == to.0 || from.1 == to.1) {
            self.fill_between(from, to, c);
            return Ok(());
        }
        plotters_backend::rasterizer::draw_line(self, from, to, style)
    }

    fn draw_rect<S: BackendStyle>(
        &mut self,
        upper_left: BackendCoord,
        bottom_right: BackendCoord,
        style: &S,
        fill: bool,
    ) -> Result<(), DrawingErrorKind<Self::ErrorType>> {
        let c = style.color();
        if fill && c.alpha >= 1.0 {
            self.fill_between(upper_left, bottom_right, c);
            return Ok(());
        }
        plotters_backend::rasterizer::draw_rect(self, upper_left, bottom_right, style, fill)
    }

    fn draw_path<S: BackendStyle, I: IntoIterator<Item = BackendCoord>>(
        &mut self,
        path: I,
        style: &S,
    ) -> Result<(), DrawingErrorKind<Self::ErrorType>> {
        let (c, w) = (style.color(), style.stroke_width());
        if c.alpha < 1.0 || w == 0 {
            return Ok(());
        }
        let pts: Vec<BackendCoord> = path.into_iter().collect();
        if w == 1 {
            for p in pts.windows(2) {
                self.draw_line(p[0], p[1], style)?;
            }
            return Ok(());
        }
        let pen = self.0.pen(rgb_of(c));
        let f = |p: BackendCoord| (p.0 as f32, p.1 as f32);
        for p in pts.windows(2) {
            self.0.segment(pen, f(p[0]), f(p[1]), w as f32);
        }
        Ok(())
    }

    fn draw_circle<S: BackendStyle>(
        &mut self,
        center: BackendCoord,
        radius: u32,
        style: &S,
        fill: bool,
    ) -> Result<(), DrawingErrorKind<Self::ErrorType>> {
        let c = style.color();
        if fill && c.alpha >= 1.0 {
            let pen = self.0.pen(rgb_of(c));
            self.0
                .disc(pen, (center.0 as f32, center.1 as f32), radius as f32);
            return Ok(());
        }
        plotters_backend::rasterizer::draw_circle(self, center, radius, style, fill)
    }
}

/// A plotters drawing area on a canvas.
pub type Area<'a> = DrawingArea<CanvasBackend<'a>, plotters::coord::Shift>;
