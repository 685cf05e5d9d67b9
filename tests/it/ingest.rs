//! Reading every variant of SPEC §2.1/§2.2, and every error of §6 with its cell.

use crate::common::*;
use rust_decimal::Decimal;
use std::path::Path;
use std::str::FromStr;
use tongbao::ingest::{Options, ingest};
use tongbao::model::Ingested;
use tongbao::{Config, Error, Period};

fn d(s: &str) -> Decimal {
    Decimal::from_str(s).unwrap()
}

fn p07() -> Period {
    "2015-07".parse().unwrap()
}

fn read(dir: &Path) -> Result<Ingested, Error> {
    ingest(
        &Config::default_city(),
        p07(),
        dir,
        &Options {
            allow_missing: true,
        },
    )
}

fn errors(dir: &Path) -> Vec<String> {
    match read(dir) {
        Err(Error::Input { errors }) => errors.0.iter().map(|e| e.to_string()).collect(),
        Err(e) => panic!("unexpected error {e}"),
        Ok(_) => panic!("expected errors"),
    }
}

/// (value, base, growth) of a unit's indicator, as read.
fn triple(
    ing: &Ingested,
    unit: usize,
    ind: usize,
) -> (Option<Decimal>, Option<Decimal>, Option<Decimal>) {
    let s = ing
        .submissions
        .iter()
        .find(|s| s.unit == unit)
        .expect("unit read");
    let r = &s.readings[ind];
    (
        r.value.as_ref().map(|f| f.value),
        r.base.as_ref().map(|f| f.value),
        r.growth.as_ref().map(|f| f.value),
    )
}

#[test]
fn canonical_submission_is_read_exactly() {
    let t = tempfile::tempdir().unwrap();
    let rows: Vec<Row> = vec![
        (
            "规模以上工业增加值",
            Some(61234.5),
            Some(402876.1),
            Some(370012.4),
            Some(8.6),
        ),
        (
            "主营业务收入",
            Some(268410.0),
            Some(1789342.7),
            Some(1654120.3),
            None,
        ),
        (
            "利润总额",
            Some(15873.2),
            Some(98765.4f64.next_down()),
            Some(104321.0),
            None,
        ),
        ("工业税收", Some(6120.8), Some(41238.9), Some(38876.5), None),
    ];
    write_xlsx(
        &t.path().join("2015-07舞阳县.xlsx"),
        &[("月报", canonical("舞阳县", "2015年1-7月", &rows))],
    );
    let ing = read(t.path()).unwrap();
    assert_eq!(ing.submissions.len(), 1);
    assert_eq!(ing.submissions[0].unit, 1);
    assert_eq!(
        triple(&ing, 1, 0),
        (Some(d("402876.1")), Some(d("370012.4")), Some(d("8.6")))
    );
    assert_eq!(
        triple(&ing, 1, 2),
        (Some(d("98765.4")), Some(d("104321")), None)
    );
    let r = &ing.submissions[0].readings[2];
    assert_eq!(
        r.value.as_ref().unwrap().at.to_string(),
        "2015-07舞阳县.xlsx!月报!D6"
    );
    assert_eq!(r.month.as_ref().unwrap().value, d("15873.2"));
    assert_eq!(ing.sources[0].sha256.len(), 64);
    assert_eq!(ing.sources[0].period, Some(p07()));
    assert_eq!(ing.missing.len(), 7);
}

#[test]
fn header_lower_in_a_later_sheet_columns_reordered_with_synonyms() {
    let t = tempfile::tempdir().unwrap();
    let cells: Cells = vec![
        (0, 0, C::S("说明:本表为示例")),
        (3, 1, C::S("填报单位：郾城区")),
        (4, 1, C::S("报告期：2015年1－7月")),
        (5, 1, C::S("增速\n（%）")),
        (5, 2, C::S("指标 名称")),
        (5, 3, C::S("去年同期")),
        (5, 4, C::S("备注")),
        (5, 5, C::S("1-7月累计")),
        (6, 2, C::S("规上工业增加值")),
        (6, 1, C::N(7.3)),
        (6, 5, C::N(5000.0)),
        (7, 2, C::S("营业收入")),
        (7, 3, C::N(20000.0)),
        (7, 5, C::N(21000.0)),
        (7, 4, C::S("含新入库企业")),
        (8, 2, C::S("实现利润")),
        (8, 3, C::N(1000.0)),
        (8, 5, C::N(1100.0)),
        (9, 2, C::S("工业税收收入")),
        (9, 3, C::N(500.0)),
        (9, 5, C::N(480.0)),
    ];
    write_xlsx(
        &t.path().join("报表.xlsx"),
        &[("空白", vec![(0, 0, C::S("封面"))]), ("数据", cells)],
    );
    let ing = read(t.path()).unwrap();
    assert_eq!(ing.sources[0].sheet, "数据");
    assert_eq!(triple(&ing, 2, 0), (Some(d("5000")), None, Some(d("7.3"))));
    assert_eq!(
        triple(&ing, 2, 1),
        (Some(d("21000")), Some(d("20000")), None)
    );
    assert_eq!(triple(&ing, 2, 3), (Some(d("480")), Some(d("500")), None));
}

#[test]
fn measures_are_converted_to_wanyuan() {
    let t = tempfile::tempdir().unwrap();
    // Row measures in the 计量单位 column: 元, 千元, 亿元.
    let mut cells = canonical("临颍县", "2015年1-7月", &rows_for(1.0));
    for (r, c, v) in cells.iter_mut() {
        if *c == 1 && *r >= 3 && *r <= 6 {
            *v = C::S(["元", "千元", "亿元", "万元"][(*r - 3) as usize]);
        }
    }
    write_xlsx(&t.path().join("临颍县.xlsx"), &[("月报", cells)]);
    // The 单位: note in 千元 and no measure column.
    let cells: Cells = vec![
        (0, 0, C::S("填报单位:舞阳县")),
        (0, 3, C::S("单位:千元")),
        (1, 0, C::S("指标名称")),
        (1, 1, C::S("1-本月累计")),
        (1, 2, C::S("上年同期累计")),
        (2, 0, C::S("主营业务收入")),
        (2, 1, C::N(123456.0)),
        (2, 2, C::N(100000.0)),
    ];
    write_xlsx(&t.path().join("舞阳县.xlsx"), &[("Sheet1", cells)]);
    let ing = read(t.path()).unwrap();
    assert_eq!(
        triple(&ing, 0, 0),
        (Some(d("0.1")), Some(d("0.09")), Some(d("6")))
    );
    assert_eq!(triple(&ing, 0, 1), (Some(d("500")), Some(d("461")), None));
    assert_eq!(
        triple(&ing, 0, 2),
        (Some(d("3000000")), Some(d("2700000")), None)
    );
    assert_eq!(triple(&ing, 0, 3), (Some(d("120")), Some(d("111")), None));
    assert_eq!(
        triple(&ing, 1, 1),
        (Some(d("12345.6")), Some(d("10000")), None)
    );
}

#[test]
fn numbers_as_text_percent_cells_and_missing_markers() {
    let t = tempfile::tempdir().unwrap();
    let mut cells = canonical("召陵区", "2015年1-7月", &[]);
    cells.extend([
        (3, 0, C::S("规模以上工业增加值")),
        (3, 3, C::S(" 12,345.6 ")),
        (3, 4, C::S("—")),
        (3, 5, C::Pct(0.092)),
        (4, 0, C::S("主营业务收入")),
        (4, 3, C::S("１２３４５６.７")),
        (4, 4, C::S("100,000")),
        (4, 5, C::S("9.2%")),
        (5, 0, C::S("利润总额")),
        (5, 3, C::S("-")),
        (5, 4, C::S("/")),
        (6, 0, C::S("工业税收")),
        (6, 3, C::S("无")),
        (6, 4, C::N(10.0)),
    ]);
    write_xlsx(&t.path().join("2015-07召陵区.xlsx"), &[("月报", cells)]);
    let ing = read(t.path()).unwrap();
    assert_eq!(
        triple(&ing, 4, 0),
        (Some(d("12345.6")), None, Some(d("9.2")))
    );
    assert_eq!(
        triple(&ing, 4, 1),
        (Some(d("123456.7")), Some(d("100000")), Some(d("9.2")))
    );
    assert_eq!(triple(&ing, 4, 2), (None, None, None));
    assert_eq!(triple(&ing, 4, 3), (None, Some(d("10")), None));
}

#[test]
fn unit_from_cell_file_name_or_alias() {
    let t = tempfile::tempdir().unwrap();
    // alias in the file name, no 填报单位 cell
    let mut cells = canonical("x", "2015年1-7月", &rows_for(1.0));
    cells.retain(|(r, c, _)| !(*r == 1 && *c == 0));
    write_xlsx(
        &t.path().join("经开区2015年7月报表.xlsx"),
        &[("月报", cells)],
    );
    // alias in the cell, neutral file name
    write_xlsx(
        &t.path().join("报表3.xlsx"),
        &[("月报", canonical("示范区", "2015年1-7月", &rows_for(2.0)))],
    );
    let ing = read(t.path()).unwrap();
    let units: Vec<usize> = ing.submissions.iter().map(|s| s.unit).collect();
    assert_eq!(units, vec![5, 6]);
}

#[test]
fn disagreeing_unit_names_and_periods_are_errors_with_cells() {
    let t = tempfile::tempdir().unwrap();
    write_xlsx(
        &t.path().join("2015-07舞阳县.xlsx"),
        &[("月报", canonical("临颍县", "2015年1-7月", &rows_for(1.0)))],
    );
    write_xlsx(
        &t.path().join("源汇区.xlsx"),
        &[("月报", canonical("源汇区", "2015年1-6月", &rows_for(1.0)))],
    );
    write_xlsx(
        &t.path().join("a.xlsx"),
        &[("月报", canonical("郾成区", "2015年1-7月", &rows_for(1.0)))],
    );
    let e = errors(t.path());
    assert!(
        e.iter()
            .any(|m| m.starts_with("2015-07舞阳县.xlsx!月报!A2: 单位不一致")
                && m.contains("临颍县")
                && m.contains("舞阳县")),
        "{e:#?}"
    );
    assert!(
        e.iter()
            .any(|m| m.starts_with("源汇区.xlsx!月报!C2: 报告期不符") && m.contains("2015年1-6月")),
        "{e:#?}"
    );
    assert!(e.iter().any(|m| m.starts_with("a.xlsx!月报!A2: 未知单位") && m.contains("did you mean 郾城区")), "{e:#?}");
}

#[test]
fn every_bad_cell_of_every_file_is_reported() {
    let t = tempfile::tempdir().unwrap();
    let mut cells = canonical("舞阳县", "2015年1-7月", &rows_for(1.0));
    cells.push((5, 4, C::S("一百")));
    cells.push((6, 3, C::S("12%")));
    write_xlsx(&t.path().join("舞阳县.xlsx"), &[("月报", cells)]);
    let mut cells = canonical("临颍县", "2015年1-7月", &rows_for(2.0));
    cells.push((3, 5, C::S("abc")));
    cells.push((5, 0, C::S("利润总颔")));
    write_xlsx(&t.path().join("临颍县.xlsx"), &[("月报", cells)]);
    std::fs::write(t.path().join("坏文件.xlsx"), b"this is not a spreadsheet").unwrap();
    let e = errors(t.path());
    let has = |p: &str, s: &str| e.iter().any(|m| m.starts_with(p) && m.contains(s));
    assert!(has("舞阳县.xlsx!月报!E6: 不是数字", "\"一百\""), "{e:#?}");
    assert!(has("舞阳县.xlsx!月报!D7: 此处应为金额", "12%"), "{e:#?}");
    assert!(has("临颍县.xlsx!月报!F4: 不是数字", "\"abc\""), "{e:#?}");
    assert!(
        has("临颍县.xlsx!月报!A6: 未知指标", "did you mean 利润总额"),
        "{e:#?}"
    );
    assert!(has("坏文件.xlsx: 不是可读取的电子表格", ""), "{e:#?}");
    assert_eq!(e.len(), 5, "{e:#?}");
}

#[test]
fn two_submissions_for_one_unit_and_missing_units() {
    let t = tempfile::tempdir().unwrap();
    write_xlsx(
        &t.path().join("舞阳县.xlsx"),
        &[("月报", canonical("舞阳县", "2015年1-7月", &rows_for(1.0)))],
    );
    write_xlsx(
        &t.path().join("舞阳县(修改).xlsx"),
        &[("月报", canonical("舞阳县", "2015年1-7月", &rows_for(1.0)))],
    );
    let e = match ingest(
        &Config::default_city(),
        p07(),
        t.path(),
        &Options::default(),
    ) {
        Err(Error::Input { errors }) => errors.0.iter().map(|e| e.to_string()).collect::<Vec<_>>(),
        _ => panic!(),
    };
    assert!(
        e.iter()
            .any(|m| m.contains("两份报表") && m.contains("舞阳县.xlsx!月报!A2")),
        "{e:#?}"
    );
    assert!(
        e.iter().any(|m| m.contains("缺少 7 个单位")
            && m.contains(
                "临颍县、郾城区、源汇区、召陵区、经济技术开发区、城乡一体化示范区、西城区"
            )),
        "{e:#?}"
    );
}

#[test]
fn consolidated_workbook_with_merged_headers() {
    let t = tempfile::tempdir().unwrap();
    let path = t.path().join("2015-07汇总.xlsx");
    let mut wb = rust_xlsxwriter::Workbook::new();
    let ws = wb.add_worksheet();
    ws.set_name("汇总").unwrap();
    let f = rust_xlsxwriter::Format::new();
    ws.merge_range(0, 0, 0, 10, "2015年1-7月各县区规模以上工业主要指标", &f)
        .unwrap();
    ws.write_string(1, 0, "单位:万元、%").unwrap();
    ws.merge_range(2, 0, 3, 0, "单位", &f).unwrap();
    ws.merge_range(2, 1, 2, 2, "规模以上工业增加值", &f)
        .unwrap();
    ws.merge_range(2, 3, 2, 5, "主营业务收入", &f).unwrap();
    ws.merge_range(2, 6, 2, 8, "利润总额", &f).unwrap();
    ws.merge_range(2, 9, 2, 11, "工业税收", &f).unwrap();
    for (c, s) in [
        (1, "1-本月累计"),
        (2, "同比增长(%)"),
        (3, "1-本月累计"),
        (4, "上年同期"),
        (5, "同比增长(%)"),
    ] {
        ws.write_string(3, c, s).unwrap();
    }
    for (c, s) in [
        (6, "1-本月累计"),
        (7, "上年同期"),
        (8, "同比增长(%)"),
        (9, "1-本月累计"),
        (10, "上年同期"),
        (11, "同比增长(%)"),
    ] {
        ws.write_string(3, c, s).unwrap();
    }
    let data: [(&str, [Option<f64>; 11]); 3] = [
        (
            "全市",
            [
                None,
                Some(9.1),
                Some(300.0),
                Some(250.0),
                None,
                Some(30.0),
                Some(20.0),
                None,
                Some(12.0),
                Some(10.0),
                None,
            ],
        ),
        (
            "临颍县",
            [
                None,
                Some(9.4),
                Some(100.0),
                Some(80.0),
                None,
                Some(-5.0),
                Some(10.0),
                None,
                Some(4.0),
                Some(3.0),
                None,
            ],
        ),
        (
            "经开区",
            [
                Some(50.5),
                Some(8.6),
                Some(200.0),
                Some(170.0),
                None,
                Some(35.0),
                Some(10.0),
                None,
                Some(8.0),
                Some(7.0),
                None,
            ],
        ),
    ];
    for (i, (name, vals)) in data.iter().enumerate() {
        let r = 4 + i as u32;
        ws.write_string(r, 0, *name).unwrap();
        for (k, v) in vals.iter().enumerate() {
            if let Some(v) = v {
                ws.write_number(r, 1 + k as u16, *v).unwrap();
            }
        }
    }
    // A sub-total row and a note are not units.
    ws.write_string(7, 0, "县区小计").unwrap();
    ws.write_number(7, 3, 300.0).unwrap();
    ws.write_string(8, 0, "注:本表数据为快报数").unwrap();
    wb.save(&path).unwrap();
    let ing = read(t.path()).unwrap();
    assert_eq!(
        ing.sources[0].units,
        vec!["全市", "临颍县", "经济技术开发区"]
    );
    assert_eq!(triple(&ing, 0, 0), (None, None, Some(d("9.4"))));
    assert_eq!(triple(&ing, 5, 0), (Some(d("50.5")), None, Some(d("8.6"))));
    assert_eq!(triple(&ing, 0, 2), (Some(d("-5")), Some(d("10")), None));
    assert_eq!(triple(&ing, 5, 3), (Some(d("8")), Some(d("7")), None));
    let city = ing.city.as_ref().unwrap();
    assert_eq!(city.readings[1].value.as_ref().unwrap().value, d("300"));
    assert_eq!(city.readings[0].growth.as_ref().unwrap().value, d("9.1"));
}

#[test]
fn check_reports_errors_with_exit_code_2_and_writes_nothing() {
    let t = tempfile::tempdir().unwrap();
    let dir = full_month(t.path(), "2015-07", "2015年1-7月");
    let mut cells = canonical("舞阳县", "2015年1-7月", &rows_for(2.0));
    cells.push((5, 4, C::S("n/a")));
    write_xlsx(&dir.join("2015-07舞阳县.xlsx"), &[("月报", cells)]);
    let before = tree(t.path());
    let out = tongbao(t.path())
        .args(["run", "--period", "2015-07"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "{}", stderr_of(&out));
    let err = stderr_of(&out);
    assert!(
        err.contains("2015-07舞阳县.xlsx!月报!E6: 不是数字 (found \"n/a\""),
        "{err}"
    );
    assert_eq!(tree(t.path()), before, "nothing may be written on error");
    let out = tongbao(t.path())
        .args(["check", "--period", "2015-07"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(tree(t.path()), before);
}

#[test]
fn check_prints_what_was_read() {
    let t = tempfile::tempdir().unwrap();
    full_month(t.path(), "2015-07", "2015年1-7月");
    let out = tongbao(t.path()).args(["check"]).output().unwrap();
    assert!(out.status.success(), "{}", stderr_of(&out));
    let s = stdout_of(&out);
    assert!(s.contains("2015年1-7月: 8 个文件"), "{s}");
    assert!(s.contains("2015-07西城区.xlsx [填报表]"), "{s}");
    assert!(s.contains("没有警告"), "{s}");
    assert!(!t.path().join("reports").exists());
    assert!(
        !t.path().join("data/history").exists()
            || tree(&t.path().join("data/history"))
                .iter()
                .all(|f| f.ends_with(".lock"))
    );
}

#[test]
fn a_cumulative_column_of_another_month_is_an_error() {
    let t = tempfile::tempdir().unwrap();
    let mut cells = canonical("舞阳县", "2015年1-7月", &rows_for(1.0));
    for (r, c, v) in cells.iter_mut() {
        if (*r, *c) == (2, 3) {
            *v = C::S("1-6月累计");
        }
    }
    write_xlsx(&t.path().join("舞阳县.xlsx"), &[("月报", cells)]);
    let e = errors(t.path());
    assert_eq!(
        e,
        vec!["舞阳县.xlsx!月报!D3: 累计期不符 (the column is 1-6月 but this run is 2015年1-7月)"]
    );
}

#[test]
fn a_header_without_its_name_label_is_still_found() {
    let t = tempfile::tempdir().unwrap();
    let mut cells = canonical("舞阳县", "2015年1-7月", &rows_for(3.0));
    cells.retain(|(r, c, _)| (*r, *c) != (2, 0));
    write_xlsx(&t.path().join("舞阳县.xlsx"), &[("月报", cells)]);
    let ing = read(t.path()).unwrap();
    assert_eq!(
        triple(&ing, 1, 1),
        (Some(d("15000")), Some(d("13810")), None)
    );
}

/// An .xls whose growth cells hold fractions shown as percents (`0.107` shown as `10.7%`),
/// as LibreOffice saved `data/2015-12/2015-12召陵区.xlsx` in the Excel 97 format (kept in
/// tests/fixtures/xls/): read as the percents shown, exactly as the .xlsx it came from.
#[test]
fn xls_percent_formatted_cells_mean_the_percent_shown() {
    let period: Period = "2015-12".parse().unwrap();
    let read_one = |file: &str, bytes: Vec<u8>| {
        let t = tempfile::tempdir().unwrap();
        std::fs::write(t.path().join(file), bytes).unwrap();
        let opts = Options {
            allow_missing: true,
        };
        ingest(&Config::default_city(), period, t.path(), &opts).unwrap()
    };
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let xlsx = read_one(
        "2015-12召陵区.xlsx",
        std::fs::read(root.join("data/2015-12/2015-12召陵区.xlsx")).unwrap(),
    );
    // Excel 97 (BIFF8, saved by LibreOffice) and Excel 5.0/95 (BIFF5, code page 936, written by
    // tests/fixtures/xls/make_excel95.py with a custom 0.0% format and the built-in 0.00% and
    // 0% on the growth cells).
    for fixture in ["2015-12召陵区.xls", "2015-12召陵区-excel95.xls"] {
        let xls = read_one(
            "2015-12召陵区.xls",
            std::fs::read(root.join("tests/fixtures/xls").join(fixture)).unwrap(),
        );
        assert_eq!(
            triple(&xls, 4, 0),
            (Some(d("254152.8")), Some(d("230909.2")), Some(d("10.7"))),
            "{fixture}"
        );
        for ind in 0..4 {
            assert_eq!(
                triple(&xls, 4, ind),
                triple(&xlsx, 4, ind),
                "{fixture}: indicator {ind}"
            );
        }
        // The only warning is that the other seven units sent nothing (a growth read as a
        // fraction would also differ from the computed one).
        assert_eq!(xls.warnings.len(), 1, "{fixture}: {:?}", xls.warnings);
        assert!(xls.warnings[0].message.contains("缺少 7 个单位"));
    }
}
