//! 图表: a native Excel chart per indicator (every unit's growth as a column, 全市's as a dashed
//! line, the groups as a second level of the category axis), two a row and four a printed page,
//! and under them the data they read, from which rust_xlsxwriter writes their caches.

use super::style::Xr;
use super::{Ctx, SHEET_CHARTS, city_row};
use crate::bulletin::style::{BODY_FONT, CHARSET, Sheet, TITLE_FONT, clip};
use rust_decimal::Decimal;
use rust_decimal::prelude::ToPrimitive;
use rust_xlsxwriter::{
    Chart, ChartAxisLabelPosition, ChartDataLabel, ChartFont, ChartFormat, ChartLegendPosition,
    ChartLine, ChartLineDashType, ChartMarker, ChartSolidFill, ChartType, Worksheet,
};

/// Where the sheet's parts go.
struct Layout {
    /// 1 with ranking groups: a column of group names left of each indicator's unit names,
    /// which the charts read as a two-level axis (组别 under the units), as the PNGs show them.
    lead: u16,
    /// A chart's height in pixels: taller with the group level, which takes a band of its own.
    chart_h: u32,
    /// The row of 图表数据, under the charts.
    data_top: u32,
}

impl Layout {
    /// The first column of indicator `i`'s data, and that of its unit names.
    fn columns(&self, i: usize) -> (u16, u16) {
        let c0 = (i as u16) * (4 + self.lead);
        (c0, c0 + self.lead)
    }
}

/// Columns are 9.14 wide (≈ 69 px) so that two 540 px charts sit side by side in 16 columns.
const LAST_COL: u16 = 15;

pub(super) fn sheet(ctx: &Ctx) -> Xr<Worksheet> {
    let (cfg, result, f) = (ctx.cfg, ctx.result, &ctx.f);
    let mut sh = Sheet::new(SHEET_CHARTS)?;
    let n = cfg.indicators.len();
    let lead = u16::from(ctx.groups.len() > 1);
    let chart_h = if lead == 1 { 380 } else { 320 };
    let chart_rows = chart_h / 20 + 1; // rows of 20 px: the chart and a gap
    let block_rows = (n as u32).div_ceil(2) * chart_rows;
    let at = Layout {
        lead,
        chart_h,
        data_top: 2 + block_rows + 1,
    };
    let units: Vec<(&str, &str)> = ctx
        .groups
        .iter()
        .flat_map(|(g, us)| us.iter().map(move |u| (g.as_str(), u.as_str())))
        .collect();
    for c in 0..=LAST_COL {
        sh.ws.set_column_width(c, 9.14)?;
    }
    let title = format!("{}图表({})", cfg.title, result.period.label());
    sh.merged(0, 0, 0, LAST_COL, &title, &f.title)?;
    sh.ws.set_row_height(0, 36)?;
    sh.ws
        .write_string_with_format(at.data_top, 0, "图表数据", &f.section)?;
    // 全市's growth of each indicator, for its data column.
    let mut city_gs: Vec<Option<f64>> = Vec::with_capacity(n);
    let hr = at.data_top + 1;
    for (i, ind) in cfg.indicators.iter().enumerate() {
        let (c0, cu) = at.columns(i);
        sh.ws
            .write_string_with_format(hr, c0, clip(&ind.name), &f.section)?;
        if lead == 1 {
            sh.ws
                .write_string_with_format(hr + 1, c0, "组别", &f.header)?;
        }
        for (c, h) in [(cu, "单位"), (cu + 1, "同比增长%"), (cu + 2, "全市")] {
            sh.ws.write_string_with_format(hr + 1, c, h, &f.header)?;
        }
        let city_g = city_row(result, &ind.name).and_then(|r| r.growth);
        city_gs.push(city_g.and_then(|g| g.to_f64()));
        if units.is_empty() {
            continue;
        }
        let rows = (hr + 2, hr + 1 + units.len() as u32);
        let chart = chart(&ind.name, city_g, rows, at.columns(i), at.chart_h);
        let (row, col) = (2 + (i as u32 / 2) * chart_rows, (i as u16 % 2) * 8);
        sh.ws.insert_chart_with_offset(row, col, &chart, 4, 4)?;
    }
    data(&mut sh, ctx, &at, &units, &city_gs)?;
    // Print the charts only (their numbers are on the indicator sheets), two rows of two
    // charts a page, never a chart cut by a page break.
    sh.ws.set_print_area(0, 0, 1 + block_rows, LAST_COL)?;
    let breaks: Vec<u32> = (1..(n as u32).div_ceil(4))
        .map(|k| 2 + k * 2 * chart_rows)
        .take(1000)
        .collect();
    sh.ws.set_page_breaks(&breaks)?;
    sh.page_setup(Some(0))?;
    Ok(sh.ws)
}

/// The data under the charts, a row a unit, each indicator in its columns: the group's name
/// at its first unit only (Excel spans it over the blanks), the unit, its growth, 全市's.
fn data(
    sh: &mut Sheet,
    ctx: &Ctx,
    at: &Layout,
    units: &[(&str, &str)],
    city_gs: &[Option<f64>],
) -> Xr {
    let f = &ctx.f;
    let first = at.data_top + 3;
    for (k, (g, u)) in units.iter().enumerate() {
        let r = first + k as u32;
        for (i, ind) in ctx.cfg.indicators.iter().enumerate() {
            let (c0, cu) = at.columns(i);
            if at.lead == 1 {
                if k == 0 || units[k - 1].0 != *g {
                    sh.string(r, c0, g, &f.text)?;
                } else {
                    sh.blank(r, c0, &f.text)?;
                }
            }
            sh.string(r, cu, u, &f.text)?;
            let growth = ctx
                .index
                .get(&(*u, ind.name.as_str()))
                .and_then(|x| x.growth?.to_f64());
            for (c, v) in [(cu + 1, growth), (cu + 2, city_gs[i])] {
                match v {
                    Some(v) => sh.number_of_width(r, c, v, 0, &f.pct)?,
                    None => sh.blank(r, c, &f.pct)?,
                }
            }
        }
    }
    Ok(())
}

/// The chart of one indicator over its data rows `r0..=r1`, the categories from column `c0`
/// (the groups, with a lead column) to `cu` (the units), the units' growth in `cu + 1` and
/// 全市's in `cu + 2`.
fn chart(
    name: &str,
    city_g: Option<Decimal>,
    (r0, r1): (u32, u32),
    (c0, cu): (u16, u16),
    height: u32,
) -> Chart {
    let mut chart = Chart::new(ChartType::Column);
    let city_text = match city_g {
        Some(g) => format!("全市{g:.1}%"),
        None => "全市—".to_string(),
    };
    chart
        .title()
        .set_name(&format!("{name}同比增长(%) {city_text}"))
        .set_font(&chart_font(12.0, true));
    let mut label = ChartDataLabel::new();
    label
        .show_value()
        .set_num_format("0.0")
        .set_font(&chart_font(9.0, false));
    chart
        .add_series()
        .set_name("同比增长%")
        .set_categories((SHEET_CHARTS, r0, c0, r1, cu))
        .set_values((SHEET_CHARTS, r0, cu + 1, r1, cu + 1))
        .set_data_label(&label)
        .set_format(ChartFormat::new().set_solid_fill(ChartSolidFill::new().set_color(0x2F5597)))
        .set_gap(80);
    let mut line = Chart::new(ChartType::Line);
    line.add_series()
        .set_name("全市")
        .set_categories((SHEET_CHARTS, r0, c0, r1, cu))
        .set_values((SHEET_CHARTS, r0, cu + 2, r1, cu + 2))
        .set_marker(ChartMarker::new().set_none())
        .set_format(
            ChartFormat::new().set_line(
                ChartLine::new()
                    .set_color(0xC00000)
                    .set_width(1.75)
                    .set_dash_type(ChartLineDashType::Dash),
            ),
        );
    chart.combine(&line);
    // Horizontal unit names (CJK reads badly turned on its side), wrapped by the reader.
    let mut x_font = chart_font(9.0, false);
    x_font.set_rotation(0);
    chart
        .x_axis()
        .set_font(&x_font)
        .set_label_position(ChartAxisLabelPosition::Low);
    chart
        .y_axis()
        .set_font(&chart_font(9.0, false))
        .set_num_format("0.0");
    chart
        .legend()
        .set_position(ChartLegendPosition::Bottom)
        .set_font(&chart_font(9.0, false));
    chart.set_width(540).set_height(height);
    chart
}

fn chart_font(size: f64, bold: bool) -> ChartFont {
    let mut cf = ChartFont::new();
    cf.set_name(if bold { TITLE_FONT } else { BODY_FONT })
        .set_character_set(CHARSET)
        .set_size(size);
    if !bold {
        cf.unset_bold();
    }
    cf
}
