//! Blank submission workbooks (SPEC §7 `template`, issue 6): one per configured unit, in the
//! canonical layout of SPEC §2.1 so that a filled template is read back by the ingest as is.
//!
//! ```text
//! A1 (merged A1:F1)  <city>规模以上工业主要指标月报表
//! A2 填报单位:<unit>            C2 报告期:<period>               E2 单位:万元、%
//! A3 指标名称 | 计量单位 | 本月 | 1-本月累计 | 上年同期累计 | 同比增长(%)
//! A4… one row per configured indicator (name, measure), C:F blank input cells
//! then 填表人 / 联系电话 / 填报日期, 报送截止, and the 填报说明
//! ```
//! Label cells are locked and the sheet is protected without a password (so that a clerk
//! cannot break the layout by accident, and the bureau can lift the protection); the input
//! cells are unlocked and validated (numbers only; growth between -100 and 1000).

use crate::bulletin::style::{self, BODY_FONT, TITLE_FONT, Xr, display_width};
use crate::config::{Config, GrowthMode, IndicatorConfig};
use crate::error::{Error, Result};
use crate::output::Staging;
use crate::period::Period;
use rust_xlsxwriter::{
    DataValidation, DataValidationErrorStyle, DataValidationRule, Format, FormatAlign,
    FormatBorder, Workbook, Worksheet,
};
use std::path::{Path, PathBuf};

/// Name of the one sheet of a template.
pub const SHEET_NAME: &str = "月报";

/// Header texts of row 3 (SPEC §2.1), in column order A..F.
pub const HEADER: [&str; 6] = [
    "指标名称",
    "计量单位",
    "本月",
    "1-本月累计",
    "上年同期累计",
    "同比增长(%)",
];

/// 0-based row of the header; indicators follow it.
const HEADER_ROW: u32 = 2;
const LAST_COL: u16 = 5;
/// Excel's paper size code for A4.
const PAPER_A4: u8 = 9;
/// Largest magnitude accepted in a value cell (far beyond any real 万元 figure).
const VALUE_LIMIT: f64 = 1.0e12;

/// Write one blank submission workbook per configured unit into `out_dir`, named
/// `<unit>_<period label>.xlsx` (e.g. `舞阳县_2015年1-8月.xlsx`). All files appear together:
/// they are produced in a staging folder and moved into `out_dir` at the end.
pub fn write(cfg: &Config, period: Period, out_dir: &Path) -> Result<Vec<PathBuf>> {
    let staging = Staging::new(out_dir)?;
    for unit in &cfg.units {
        let name = file_name(&unit.name, period);
        let bytes = build(cfg, &unit.name, period)
            .map_err(|e| Error::output(format!("template {name}"), e))?;
        let path = staging.dir.join(&name);
        std::fs::write(&path, bytes).map_err(|e| Error::io(&path, e))?;
    }
    let mut written = staging.commit()?;
    // In the configured (official) order rather than the order of the file names.
    let order = |p: &PathBuf| {
        let f = p
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        cfg.units
            .iter()
            .position(|u| file_name(&u.name, period) == f)
            .unwrap_or(usize::MAX)
    };
    written.sort_by_key(order);
    Ok(written)
}

/// `<unit>_<period label>.xlsx`, with characters that no file system accepts replaced.
pub fn file_name(unit: &str, period: Period) -> String {
    format!(
        "{}_{}.xlsx",
        crate::output::file_stem(unit, 150),
        period.label()
    )
}

struct Formats {
    title: Format,
    note: Format,
    header: Format,
    label: Format,
    label_center: Format,
    value_input: Format,
    growth_input: Format,
    footer_input: Format,
    help: Format,
}

fn formats() -> Formats {
    let song = || style::font(BODY_FONT, 11);
    let boxed = |f: Format| {
        f.set_border(FormatBorder::Thin)
            .set_align(FormatAlign::VerticalCenter)
    };
    Formats {
        title: style::font(TITLE_FONT, 16)
            .set_align(FormatAlign::Center)
            .set_align(FormatAlign::VerticalCenter),
        note: song(),
        header: boxed(song())
            .set_bold()
            .set_text_wrap()
            .set_align(FormatAlign::Center)
            .set_background_color(0xF2F2F2),
        label: boxed(song()),
        label_center: boxed(song()).set_align(FormatAlign::Center),
        value_input: boxed(song())
            .set_unlocked()
            .set_num_format("#,##0.0")
            .set_background_color(0xFFFFF0),
        growth_input: boxed(song())
            .set_unlocked()
            .set_num_format("0.0")
            .set_background_color(0xFFFFF0),
        footer_input: song().set_unlocked().set_border_bottom(FormatBorder::Thin),
        help: song()
            .set_font_size(10)
            .set_text_wrap()
            .set_align(FormatAlign::Top),
    }
}

/// The workbook of one unit, as bytes.
pub fn build(cfg: &Config, unit: &str, period: Period) -> Xr<Vec<u8>> {
    let f = formats();
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    ws.set_name(SHEET_NAME)?;
    set_widths(ws, cfg)?;

    // Title and the line under it (SPEC §2.1).
    ws.set_row_height(0, 30)?;
    ws.merge_range(
        0,
        0,
        0,
        LAST_COL,
        &format!("{}规模以上工业主要指标月报表", cfg.city),
        &f.title,
    )?;
    ws.write_string_with_format(1, 0, format!("填报单位:{unit}"), &f.note)?;
    ws.write_string_with_format(1, 2, format!("报告期:{}", period.label()), &f.note)?;
    ws.write_string_with_format(1, 4, "单位:万元、%", &f.note)?;

    // Header and one row per indicator.
    ws.set_row_height(HEADER_ROW, 24)?;
    for (c, h) in HEADER.iter().enumerate() {
        ws.write_string_with_format(HEADER_ROW, c as u16, *h, &f.header)?;
    }
    let first = HEADER_ROW + 1;
    for (k, ind) in cfg.indicators.iter().enumerate() {
        indicator_row(ws, first + k as u32, ind, &f)?;
    }
    let last = first + cfg.indicators.len() as u32 - 1;
    let end = footer(ws, cfg, period, last + 2, &f)?;
    print_setup(ws, end)?;
    ws.protect();
    wb.save_to_buffer()
}

/// Column widths: the indicator names (CJK) decide column A; the others fit their header.
fn set_widths(ws: &mut Worksheet, cfg: &Config) -> Xr {
    let widest = |first: &str, of: &dyn Fn(&IndicatorConfig) -> &str| {
        cfg.indicators
            .iter()
            .map(|i| display_width(of(i)))
            .fold(display_width(first), usize::max) as f64
    };
    let name_width = widest(HEADER[0], &|i| &i.name);
    let measure_width = widest(HEADER[1], &|i| &i.measure);
    ws.set_column_width(0, (name_width + 4.0).clamp(24.0, 60.0))?;
    ws.set_column_width(1, (measure_width + 3.0).max(11.0))?;
    for (c, w) in [(2, 16.0), (3, 18.0), (4, 18.0), (5, 16.0)] {
        ws.set_column_width(c, w)?;
    }
    Ok(())
}

/// The row of one indicator: its name and measure, then the input cells of C:F, each
/// validated (numbers only, a growth within -100..1000).
fn indicator_row(ws: &mut Worksheet, r: u32, ind: &IndicatorConfig, f: &Formats) -> Xr {
    ws.set_row_height(r, 20)?;
    ws.write_string_with_format(r, 0, &ind.name, &f.label)?;
    ws.write_string_with_format(r, 1, &ind.measure, &f.label_center)?;
    for c in 2..=4u16 {
        ws.write_blank(r, c, &f.value_input)?;
    }
    ws.write_blank(r, 5, &f.growth_input)?;

    let (low, what) = if ind.negative_allowed {
        (-VALUE_LIMIT, "可为负数(亏损)")
    } else {
        (0.0, "不能为负数")
    };
    let values = DataValidation::new()
        .allow_decimal_number(DataValidationRule::Between(low, VALUE_LIMIT))
        .set_input_title(truncate(&ind.name, 32))?
        .set_input_message(format!("填写数值,单位{};{what}。", ind.measure))?
        .set_error_title("数值有误")?
        .set_error_message(format!("只能填写数字(单位{}),{what}。", ind.measure))?
        .set_error_style(DataValidationErrorStyle::Stop);
    ws.add_data_validation(r, 2, r, 4, &values)?;

    // The comparable-price growth of value added is never outside -100..1000: a stop.
    // A computed growth can be (由盈转亏 gives < -100, a tiny base > 1000): a warning the
    // clerk may confirm.
    let (growth_message, error_message, style) = match ind.growth {
        GrowthMode::Provided => (
            "必填:统计联网直报平台的可比价增速(%),保留一位小数,如 9.2。",
            "同比增长(%)应为 -100 至 1000 之间的数字,不带 % 号。",
            DataValidationErrorStyle::Stop,
        ),
        GrowthMode::Computed => (
            "可不填,由系统按累计值与上年同期计算;填写时为百分数,如 9.2。",
            "同比增长(%)一般在 -100 至 1000 之间;由盈转亏或基数很小时可能超出,确认无误可继续。",
            DataValidationErrorStyle::Warning,
        ),
    };
    let growth = DataValidation::new()
        .allow_decimal_number(DataValidationRule::Between(-100.0, 1000.0))
        .set_input_title(truncate(&format!("{} 同比增长(%)", ind.name), 32))?
        .set_input_message(growth_message)?
        .set_error_title("增速有误")?
        .set_error_message(error_message)?
        .set_error_style(style);
    ws.add_data_validation(r, 5, r, 5, &growth)?;
    Ok(())
}

/// From row `r` (one blank row below the table): the 填表人 and 报送截止 lines, then the
/// 填报说明; returns the last row written.
fn footer(ws: &mut Worksheet, cfg: &Config, period: Period, r: u32, f: &Formats) -> Xr<u32> {
    ws.set_row_height(r, 20)?;
    for (c, label) in [(0u16, "填表人:"), (2, "联系电话:"), (4, "填报日期:")] {
        ws.write_string_with_format(r, c, label, &f.note)?;
        ws.write_blank(r, c + 1, &f.footer_input)?;
    }
    let r = r + 1;
    ws.set_row_height(r, 20)?;
    ws.write_string_with_format(r, 0, "报送截止:", &f.note)?;
    ws.write_blank(r, 1, &f.footer_input)?;
    ws.write_blank(r, 2, &f.footer_input)?;

    let notes = notes(cfg, period);
    let r = r + 2;
    ws.write_string_with_format(r, 0, "填报说明:", &f.note)?;
    for (k, text) in notes.iter().enumerate() {
        let row = r + 1 + k as u32;
        let height = if display_width(text) > 118 { 30 } else { 18 };
        ws.set_row_height(row, height)?;
        ws.merge_range(row, 0, row, LAST_COL, text, &f.help)?;
    }
    Ok(r + notes.len() as u32)
}

/// The 填报说明, numbered.
fn notes(cfg: &Config, period: Period) -> Vec<String> {
    let provided = cfg.provided_growth_names();
    let mut notes = vec![
        format!(
            "1. 数值单位为万元(保留一位小数),均填写自1月起的累计数(本表为{});“本月”填写当月数。",
            period.label()
        ),
        "2. “上年同期累计”填写上年同一期间的累计数,亏损填负数。".to_string(),
    ];
    if provided.is_empty() {
        notes.push("3. 各指标“同比增长(%)”可不填,由系统按累计值与上年同期累计计算。".to_string());
    } else {
        notes.push(format!(
            "3. {provided}的“同比增长(%)”为统计联网直报平台的可比价增速,必须填写;其他指标的增速可不填,由系统计算。",
        ));
    }
    notes.push("4. 请勿改动表格格式和指标名称;请于报送截止日期前报送市统计局。".to_string());
    notes
}

fn print_setup(ws: &mut Worksheet, last_row: u32) -> Xr {
    ws.set_paper_size(PAPER_A4);
    ws.set_landscape();
    ws.set_print_fit_to_pages(1, 0);
    ws.set_print_center_horizontally(true);
    ws.set_margins(0.6, 0.6, 0.8, 0.8, 0.3, 0.3);
    ws.set_print_area(0, 0, last_row, LAST_COL)?;
    ws.set_footer("&C— &P —");
    Ok(())
}

fn truncate(s: &str, max_utf16: usize) -> String {
    let mut n = 0;
    s.chars()
        .take_while(|c| {
            n += c.len_utf16();
            n <= max_utf16
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use calamine::{Data, Reader, Xlsx, open_workbook};
    use std::io::Read;

    fn text(range: &calamine::Range<Data>, row: u32, col: u32) -> String {
        match range.get_value((row, col)) {
            Some(Data::String(s)) => s.clone(),
            Some(Data::Empty) | None => String::new(),
            Some(other) => other.to_string(),
        }
    }

    fn sheet_xml(path: &Path) -> String {
        let mut zip = zip::ZipArchive::new(std::fs::File::open(path).unwrap()).unwrap();
        let mut xml = String::new();
        zip.by_name("xl/worksheets/sheet1.xml")
            .unwrap()
            .read_to_string(&mut xml)
            .unwrap();
        xml
    }

    #[test]
    fn one_template_per_unit_in_the_canonical_layout() {
        let cfg = Config::default_city();
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("templates");
        let period: Period = "2015-08".parse().unwrap();
        let files = write(&cfg, period, &out).unwrap();
        assert_eq!(files.len(), 8);
        let names: Vec<String> = files
            .iter()
            .map(|p| p.file_name().unwrap().to_string_lossy().into_owned())
            .collect();
        let expected: Vec<String> = cfg
            .units
            .iter()
            .map(|u| format!("{}_2015年1-8月.xlsx", u.name))
            .collect();
        assert_eq!(names, expected);
        assert_eq!(names[1], "舞阳县_2015年1-8月.xlsx");
        // Nothing else is left in the folder (no staging or temporary file).
        assert_eq!(std::fs::read_dir(&out).unwrap().count(), 8);
        assert!(
            std::fs::read_dir(dir.path()).unwrap().count() == 1,
            "staging folder left behind"
        );

        for (unit, path) in cfg.units.iter().zip(&files) {
            assert!(path.starts_with(&out));
            let mut wb: Xlsx<_> = open_workbook(path).unwrap();
            assert_eq!(wb.sheet_names(), vec![SHEET_NAME.to_string()]);
            let range = wb.worksheet_range(SHEET_NAME).unwrap();
            assert_eq!(text(&range, 0, 0), "漯河市规模以上工业主要指标月报表");
            assert_eq!(text(&range, 1, 0), format!("填报单位:{}", unit.name));
            assert_eq!(text(&range, 1, 2), "报告期:2015年1-8月");
            assert_eq!(text(&range, 1, 4), "单位:万元、%");
            for (c, h) in HEADER.iter().enumerate() {
                assert_eq!(text(&range, 2, c as u32), *h);
            }
            for (k, ind) in cfg.indicators.iter().enumerate() {
                let r = 3 + k as u32;
                assert_eq!(text(&range, r, 0), ind.name);
                assert_eq!(text(&range, r, 1), "万元");
                for c in 2..=5 {
                    assert_eq!(text(&range, r, c), "", "input cell {r},{c} must be blank");
                }
            }
            // The row after the indicators is blank, then the 填表人 line.
            assert_eq!(text(&range, 7, 0), "");
            assert_eq!(text(&range, 8, 0), "填表人:");
            assert_eq!(text(&range, 8, 2), "联系电话:");
            assert_eq!(text(&range, 8, 4), "填报日期:");
            assert_eq!(text(&range, 9, 0), "报送截止:");
            let merged = wb.merge_cells_by_sheet_name(SHEET_NAME).unwrap();
            assert!(
                merged.iter().any(|d| d.start == (0, 0) && d.end == (0, 5)),
                "A1:F1 merged"
            );
        }
    }

    #[test]
    fn protection_validation_fonts_and_print_setup_are_in_the_sheet() {
        let cfg = Config::default_city();
        let dir = tempfile::tempdir().unwrap();
        let files = write(&cfg, "2015-02".parse().unwrap(), dir.path()).unwrap();
        assert!(files[0].ends_with("临颍县_2015年1-2月.xlsx"));
        let xml = sheet_xml(&files[0]);
        assert!(xml.contains("<sheetProtection"), "sheet protected");
        assert!(!xml.contains("password="), "protected without a password");
        assert!(xml.contains("<dataValidation"), "data validation");
        assert!(xml.contains("sqref=\"C4:E4\""), "values validated");
        assert!(xml.contains("sqref=\"F4\""), "growth validated");
        assert!(
            xml.contains("可比价增速"),
            "value added asks for the comparable-price growth"
        );
        assert!(
            xml.contains("errorStyle=\"warning\""),
            "a computed growth out of range can be confirmed"
        );
        assert!(
            xml.contains("orientation=\"landscape\"") && xml.contains("paperSize=\"9\""),
            "A4 landscape"
        );
        assert!(
            xml.contains("fitToWidth") || xml.contains("fitToPage"),
            "fit to width"
        );
        let mut zip = zip::ZipArchive::new(std::fs::File::open(&files[0]).unwrap()).unwrap();
        let mut styles = String::new();
        zip.by_name("xl/styles.xml")
            .unwrap()
            .read_to_string(&mut styles)
            .unwrap();
        assert!(
            styles.contains("宋体")
                && styles.contains("黑体")
                && styles.contains("charset val=\"134\"")
        );
        assert!(styles.contains("locked=\"0\""), "input cells unlocked");
    }

    #[test]
    fn the_growth_message_follows_the_configuration() {
        let text = crate::config::DEFAULT_TOML.replace(
            "growth  = \"provided\"          # 可比价: the submitted 同比增长 is the growth",
            "growth  = \"computed\"",
        );
        assert_ne!(text, crate::config::DEFAULT_TOML);
        let cfg = Config::parse(&text, "t").unwrap();
        let dir = tempfile::tempdir().unwrap();
        let files = write(&cfg, "2015-07".parse().unwrap(), dir.path()).unwrap();
        let xml = sheet_xml(&files[3]);
        assert!(!xml.contains("可比价增速"));
        assert!(xml.contains("<sheetProtection"));
    }

    #[test]
    fn unsafe_characters_in_unit_names_do_not_escape_the_folder() {
        let p: Period = "2015-01".parse().unwrap();
        assert_eq!(file_name("a/b", p), "a_b_2015年1月.xlsx");
        assert_eq!(file_name("舞阳县", p), "舞阳县_2015年1月.xlsx");
    }
}
