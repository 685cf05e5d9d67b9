//! The bulletin workbook read back: every sheet, cell, merge, row height and chart cache that a
//! reader sees, on a small sample (4 units in 2 groups) that the charts' tests share.

use super::indicator::time_progress;
use super::*;
use crate::error::{Diagnostic, Location};
use crate::model::{SourceFile, SourceKind};
use crate::period::Period;
use calamine::{Data, Reader, open_workbook_auto};
use std::str::FromStr;

const TOML: &str = r#"
city = "测试市"
title = "测试市工业经济运行月度通报"
tie = "competition"
[[unit]]
name = "甲县"
group = "县区"
[[unit]]
name = "乙县"
group = "县区"
[[unit]]
name = "丙区"
group = "县区"
[[unit]]
name = "丁区"
group = "功能区"
[[indicator]]
name = "规模以上工业增加值"
growth = "provided"
[[indicator]]
name = "利润总额"
negative_allowed = true
"#;

fn d(s: &str) -> Decimal {
    Decimal::from_str(s).unwrap()
}

pub(crate) fn row(
    unit: &str,
    city: bool,
    group: Option<&str>,
    ind: &str,
    growth: Option<&str>,
    status: Status,
    gr: Option<u32>,
) -> ResultRow {
    ResultRow {
        unit: unit.into(),
        is_city: city,
        group: group.map(Into::into),
        indicator: ind.into(),
        month: None,
        value: None,
        base: None,
        change: None,
        growth: growth.map(d),
        share: None,
        status,
        value_rank: None,
        growth_rank: gr,
        rank_change: None,
    }
}

#[allow(clippy::too_many_arguments)]
fn full(
    unit: &str,
    group: Option<&str>,
    ind: &str,
    nums: [&str; 3], // month, value, base
    growth: &str,
    share: &str,
    status: Status,
    ranks: (u32, u32),
    change: Option<i32>,
) -> ResultRow {
    let (m, v, b) = (d(nums[0]), d(nums[1]), d(nums[2]));
    ResultRow {
        unit: unit.into(),
        is_city: group.is_none(),
        group: group.map(Into::into),
        indicator: ind.into(),
        month: Some(m),
        value: Some(v),
        base: Some(b),
        change: Some(v - b),
        growth: Some(d(growth)),
        share: Some(d(share)),
        status,
        value_rank: group.map(|_| ranks.0),
        growth_rank: group.map(|_| ranks.1),
        rank_change: change,
    }
}

/// 4 units in 2 groups; 乙县 did not report; 丙区 扭亏为盈 with growth ≥ 100.
pub(crate) fn sample() -> (Config, PeriodResult, Ingested, Vec<PeriodResult>) {
    let cfg = Config::parse(TOML, "test.toml").unwrap();
    let period = Period::from_str("2015-07").unwrap();
    let va = "规模以上工业增加值";
    let pr = "利润总额";
    let nr =
        |u: &str, g: &str, ind: &str| row(u, false, Some(g), ind, None, Status::NotReported, None);
    let rows = vec![
        full(
            "全市",
            None,
            va,
            ["5000", "35000", "32000"],
            "9.2",
            "100.0",
            Status::Normal,
            (0, 0),
            None,
        ),
        full(
            "甲县",
            Some("县区"),
            va,
            ["3000", "21234.56", "19000"],
            "8.1",
            "60.7",
            Status::Normal,
            (1, 2),
            Some(1),
        ),
        nr("乙县", "县区", va),
        full(
            "丙区",
            Some("县区"),
            va,
            ["1500", "10000", "9000"],
            "11.5",
            "28.6",
            Status::Normal,
            (2, 1),
            Some(-1),
        ),
        full(
            "丁区",
            Some("功能区"),
            va,
            ["500", "3765.44", "3400"],
            "10.7",
            "10.8",
            Status::Normal,
            (1, 1),
            None,
        ),
        full(
            "全市",
            None,
            pr,
            ["300", "2000", "1500"],
            "33.3",
            "100.0",
            Status::Normal,
            (0, 0),
            None,
        ),
        full(
            "甲县",
            Some("县区"),
            pr,
            ["200", "1500", "1600"],
            "-6.3",
            "75.0",
            Status::Normal,
            (1, 2),
            Some(0),
        ),
        nr("乙县", "县区", pr),
        full(
            "丙区",
            Some("县区"),
            pr,
            ["100", "400", "-250"],
            "260.0",
            "20.0",
            Status::TurnedProfit,
            (2, 1),
            Some(1),
        ),
        full(
            "丁区",
            Some("功能区"),
            pr,
            ["0", "100", "150"],
            "-33.3",
            "5.0",
            Status::Normal,
            (1, 1),
            None,
        ),
    ];
    let result = PeriodResult {
        period,
        rows,
        previous: Some(Period::from_str("2015-06").unwrap()),
        warnings: vec![Diagnostic::new(
            Location::cell("丙区.xlsx", "月报", "F6"),
            "同比增长与计算值相差0.3个百分点",
        )],
    };
    let mut prev = result.clone();
    prev.period = Period::from_str("2015-06").unwrap();
    prev.previous = None;
    for r in prev.rows.iter_mut() {
        r.growth_rank = r.growth_rank.map(|g| if g == 1 { 2 } else { 1 });
        if r.unit == "乙县" {
            r.growth_rank = Some(3);
        }
    }
    let ingested = Ingested {
        period,
        submissions: vec![],
        city: None,
        sources: vec![
            SourceFile {
                path: "data/2015-07/甲县.xlsx".into(),
                name: "甲县.xlsx".into(),
                sha256: "ab".repeat(32),
                kind: SourceKind::Submission,
                sheet: "月报".into(),
                units: vec!["甲县".into()],
                period: Some(period),
            },
            SourceFile {
                path: "data/2015-07/=HYPERLINK(1).xlsx".into(),
                name: "=SUM(A1:A2).xlsx".into(),
                sha256: "cd".repeat(32),
                kind: SourceKind::Consolidated,
                sheet: "汇总".into(),
                units: vec!["丙区".into(), "丁区".into()],
                period: None,
            },
        ],
        missing: vec![1],
        warnings: vec![Diagnostic::new(
            Location::file("甲县.xlsx"),
            "累计值低于上期",
        )],
    };
    let history = vec![prev, result.clone()];
    (cfg, result, ingested, history)
}

fn s(range: &calamine::Range<Data>, r: u32, c: u32) -> String {
    match range.get_value((r, c)) {
        Some(Data::String(s)) => s.clone(),
        Some(Data::Float(f)) => format!("{f}"),
        Some(Data::Int(i)) => format!("{i}"),
        Some(Data::Empty) | None => String::new(),
        Some(other) => format!("{other:?}"),
    }
}

fn num(range: &calamine::Range<Data>, r: u32, c: u32) -> f64 {
    match range.get_value((r, c)) {
        Some(Data::Float(f)) => *f,
        Some(Data::Int(i)) => *i as f64,
        other => panic!("({r},{c}) is not a number: {other:?}"),
    }
}

#[test]
fn native_charts_name_the_group_under_its_units() {
    let (cfg, result, ingested, _) = sample();
    let dir = tempfile::tempdir().unwrap();
    let path = write(&cfg, &result, &ingested, dir.path()).unwrap();
    let mut wb = open_workbook_auto(&path).unwrap();
    let t = wb.worksheet_range(SHEET_CHARTS).unwrap();
    let head = (0..=t.end().unwrap().0)
        .find(|r| s(&t, *r, 0) == "组别")
        .expect("chart data header");
    // Columns: 组别, 单位, 同比增长%, 全市 per indicator; the group at its first unit only.
    assert_eq!(
        (1..4).map(|c| s(&t, head, c)).collect::<Vec<_>>(),
        ["单位", "同比增长%", "全市"]
    );
    let rows: Vec<(String, String)> = (head + 1..head + 5)
        .map(|r| (s(&t, r, 0), s(&t, r, 1)))
        .collect();
    assert_eq!(
        rows,
        [
            ("县区".to_string(), "甲县".to_string()),
            (String::new(), "乙县".into()),
            (String::new(), "丙区".into()),
            ("功能区".into(), "丁区".into()),
        ]
    );
    assert_eq!(s(&t, head, 5), "组别", "second indicator's block");
    // The chart's categories are the two columns, as a two-level axis.
    let mut zip = zip::ZipArchive::new(std::fs::File::open(&path).unwrap()).unwrap();
    let mut xml = String::new();
    std::io::Read::read_to_string(&mut zip.by_name("xl/charts/chart1.xml").unwrap(), &mut xml)
        .unwrap();
    assert!(xml.contains("<c:multiLvlStrRef>"), "{xml}");
    for g in ["县区", "功能区", "甲县", "丁区"] {
        assert!(xml.contains(&format!("<c:v>{g}</c:v>")), "{g}");
    }
}

#[test]
fn widths_match_the_printed_text() {
    let cells = [
        Cell::Amount(0.0),
        Cell::Amount(-0.04),
        Cell::Amount(-1.25),
        Cell::Amount(999.94),
        Cell::Amount(1000.0),
        Cell::Amount(-1_234_567.8),
        Cell::Amount(123_456_789_012.3),
        Cell::Pct(0.0),
        Cell::Pct(-12.3),
        Cell::Pct(1234.5),
        Cell::Rank(1),
        Cell::Rank(2851),
        Cell::Points(0.0),
        Cell::Points(-3.2),
        Cell::Points(15.0),
        Cell::Text("经济技术开发区".into()),
    ];
    for c in &cells {
        assert_eq!(width(c), display_width(&shown(c)), "{}", shown(c));
    }
}

#[test]
fn labels() {
    assert_eq!(multiple_label(d("160.0")), "增长1.6倍");
    assert_eq!(multiple_label(d("100.0")), "增长1.0倍");
    assert_eq!(multiple_label(d("1234.5")), "增长12.3倍");
    assert_eq!(multiple_label(d("125.0")), "增长1.3倍"); // 1.25 → 1.3, half away from zero
    assert_eq!(rank_change_label(Some(2)), "↑2");
    assert_eq!(rank_change_label(Some(-1)), "↓1");
    assert_eq!(rank_change_label(Some(0)), "—");
    assert_eq!(rank_change_label(None), "—");
    assert_eq!(thousands(-1234567.26), "-1,234,567.3");
    assert_eq!(thousands(999.0), "999.0");
    assert_eq!(display_width("城乡一体化示范区"), 16);
}

/// The sample's workbook, written into a folder that lasts as long as the first value.
fn written() -> (tempfile::TempDir, std::path::PathBuf, Config) {
    let (cfg, result, ingested, _) = sample();
    let dir = tempfile::tempdir().unwrap();
    let path = write(&cfg, &result, &ingested, dir.path()).unwrap();
    (dir, path, cfg)
}

#[test]
fn workbook_has_every_sheet_and_the_summary_every_unit_number_and_rank() {
    let (_dir, path, cfg) = written();
    assert_eq!(
        path.file_name().unwrap().to_string_lossy(),
        "测试市工业经济运行月度通报(2015年1-7月).xlsx"
    );
    let mut wb = open_workbook_auto(&path).unwrap();
    assert_eq!(
        wb.sheet_names(),
        vec![
            "排序总表",
            "规模以上工业增加值",
            "利润总额",
            "图表",
            "数据来源与校验"
        ]
    );

    let t = wb.worksheet_range("排序总表").unwrap();
    assert_eq!(s(&t, 0, 0), cfg.title);
    assert_eq!(s(&t, 1, 0), "2015年1-7月");
    assert!(s(&t, 1, 5).contains("单位:万元、%"), "{}", s(&t, 1, 5));
    assert_eq!(s(&t, 2, 2), "规模以上工业增加值");
    assert_eq!(s(&t, 2, 6), "利润总额");
    assert_eq!(s(&t, 3, 2), "1-7月累计");
    assert_eq!(s(&t, 3, 3), "同比增长%");
    assert_eq!(s(&t, 3, 4), "总量位次");
    assert_eq!(s(&t, 3, 5), "增速位次");
    let units: Vec<String> = (4..9).map(|r| s(&t, r, 1)).collect();
    assert_eq!(s(&t, 4, 0), "全市");
    assert_eq!(units[1..], ["甲县", "乙县", "丙区", "丁区"]);
    assert_eq!(s(&t, 5, 0), "县区");
    assert_eq!(s(&t, 8, 0), "功能区");
    assert_eq!(num(&t, 4, 2), 35000.0);
    assert_eq!(num(&t, 4, 3), 9.2);
    assert_eq!(num(&t, 5, 2), 21234.56);
    assert_eq!(num(&t, 5, 3), 8.1);
    assert_eq!(num(&t, 5, 4), 1.0);
    assert_eq!(num(&t, 5, 5), 2.0);
    assert_eq!(s(&t, 6, 2), "未报");
    assert_eq!(s(&t, 6, 3), "—");
    assert_eq!(s(&t, 6, 4), "—");
    assert_eq!(s(&t, 6, 5), "—");
    assert_eq!(num(&t, 7, 5), 1.0);
    assert_eq!(s(&t, 7, 7), "增长2.6倍(扭亏为盈)");
    assert_eq!(num(&t, 5, 7), -6.3);
    assert!(
        s(&t, 10, 0).starts_with("注:1. 同比增长"),
        "{}",
        s(&t, 10, 0)
    );
    let notes: String = (10..16).map(|r| s(&t, r, 0)).collect();
    assert!(
        notes.contains("RANK.EQ") && notes.contains("可比价") && notes.contains("未报"),
        "{notes}"
    );
}

#[test]
fn indicator_sheets_have_every_number_rank_and_status() {
    let (_dir, path, _) = written();
    let mut wb = open_workbook_auto(&path).unwrap();
    let p = wb.worksheet_range("利润总额").unwrap();
    assert_eq!(s(&p, 0, 0), "利润总额(2015年1-7月)");
    let header: Vec<String> = (0..12).map(|c| s(&p, 2, c)).collect();
    assert_eq!(
        header,
        [
            "组别",
            "单位",
            "本月",
            "1-7月累计",
            "上年同期",
            "增减额",
            "同比增长%",
            "占全市比重%",
            "总量位次",
            "增速位次",
            "位次变化",
            "状态"
        ]
    );
    assert_eq!(s(&p, 3, 0), "全市");
    assert_eq!(num(&p, 3, 3), 2000.0);
    assert_eq!(num(&p, 3, 7), 100.0);
    assert_eq!(s(&p, 3, 8), "—");
    // 甲县
    assert_eq!(s(&p, 4, 1), "甲县");
    assert_eq!(num(&p, 4, 5), -100.0);
    assert_eq!(num(&p, 4, 6), -6.3);
    assert_eq!(s(&p, 4, 10), "—");
    // 乙县: 未报
    assert_eq!(s(&p, 5, 1), "乙县");
    assert_eq!(s(&p, 5, 3), "—");
    assert_eq!(s(&p, 5, 11), "未报");
    // 丙区: 扭亏为盈, growth 260 → 增长2.6倍, up one place
    assert_eq!(s(&p, 6, 1), "丙区");
    assert_eq!(num(&p, 6, 4), -250.0);
    assert_eq!(num(&p, 6, 5), 650.0);
    assert_eq!(s(&p, 6, 6), "增长2.6倍");
    assert_eq!(num(&p, 6, 8), 2.0);
    assert_eq!(num(&p, 6, 9), 1.0);
    assert_eq!(s(&p, 6, 10), "↑1");
    assert_eq!(s(&p, 6, 11), "扭亏为盈");
    assert_eq!(s(&p, 7, 0), "功能区");
    assert_eq!(s(&p, 7, 1), "丁区");
    let v = wb.worksheet_range("规模以上工业增加值").unwrap();
    assert_eq!(s(&v, 6, 10), "↓1");
    assert_eq!(num(&v, 4, 3), 21234.56);
}

#[test]
fn sources_name_every_file_as_text_never_as_a_formula() {
    let (_dir, path, _) = written();
    let mut wb = open_workbook_auto(&path).unwrap();
    let src = wb.worksheet_range("数据来源与校验").unwrap();
    assert_eq!(s(&src, 3, 1), "甲县.xlsx");
    assert_eq!(s(&src, 4, 1), "=SUM(A1:A2).xlsx");
    assert_eq!(s(&src, 4, 2), "汇总表");
    assert_eq!(s(&src, 4, 4), "丙区、丁区");
    assert_eq!(s(&src, 3, 6), "ab".repeat(32));
    let all: Vec<String> = src
        .rows()
        .flat_map(|r| r.iter().map(|c| c.to_string()))
        .collect();
    assert!(all.iter().any(|c| c == "丙区.xlsx!月报!F6"), "{all:?}");
    assert!(all.iter().any(|c| c.contains("累计值低于上期")));
    let formulas = wb.worksheet_formula("数据来源与校验").unwrap();
    assert!(formulas.used_cells().all(|(_, _, f)| f.is_empty()));
}

#[test]
fn groups_are_merged_over_their_units_and_body_rows_are_20_pt() {
    let (_dir, path, _) = written();
    // Native charts.
    let zip = std::fs::File::open(&path).unwrap();
    let mut z = zip::ZipArchive::new(zip).unwrap();
    assert!(z.by_name("xl/charts/chart1.xml").is_ok());
    assert!(z.by_name("xl/charts/chart2.xml").is_ok());

    // Merged cells: each group over its units (a group of one unit is no merge), beside
    // the title's, the two-level header's and 全市's.
    let mut x: calamine::Xlsx<_> = calamine::open_workbook(&path).unwrap();
    let mut merged = |name: &str| {
        let mut v: Vec<_> = x
            .merge_cells_by_sheet_name(name)
            .unwrap()
            .into_iter()
            .map(|d| (d.start, d.end))
            .collect();
        v.sort();
        v
    };
    let m = merged("排序总表");
    for range in [
        ((0, 0), (0, 9)),
        ((2, 0), (3, 0)),
        ((2, 2), (2, 5)),
        ((4, 0), (4, 1)),
        ((5, 0), (7, 0)),
    ] {
        assert!(m.contains(&range), "{range:?} in {m:?}");
    }
    assert!(!m.iter().any(|r| r.0 == (8, 0)), "{m:?}");
    let m = merged("利润总额");
    assert!(m.contains(&((4, 0), (6, 0))), "{m:?}");
    assert!(!m.iter().any(|r| r.0 == (7, 0)), "{m:?}");
    // The body rows are 20 pt high (27 px, written as 20.25), the header rows as set.
    let mut xml = String::new();
    use std::io::Read;
    z.by_name("xl/worksheets/sheet1.xml")
        .unwrap()
        .read_to_string(&mut xml)
        .unwrap();
    let row_tag = |r: u32| {
        let at = xml.find(&format!("<row r=\"{r}\"")).unwrap();
        xml[at..at + xml[at..].find('>').unwrap()].to_string()
    };
    for r in 5..=9 {
        assert!(
            row_tag(r).contains(" ht=\"20.25\" customHeight=\"1\""),
            "{}",
            row_tag(r)
        );
    }
    assert!(row_tag(4).contains(" ht=\"30\""), "{}", row_tag(4));
}

#[test]
fn time_progress_is_month_over_twelve() {
    assert_eq!(time_progress(7), d("58.3"));
    assert_eq!(time_progress(6), d("50.0"));
    assert_eq!(time_progress(2), d("16.7"));
    assert_eq!(time_progress(1), d("8.3"));
    assert_eq!(time_progress(12), d("100.0"));
}

#[test]
fn annual_targets_show_progress_beside_time_progress() {
    let targets = r#"
[[target]]
unit = "甲县"
indicator = "规模以上工业增加值"
value = 99999
growth = 1.0
[[target]]
unit = "甲县"
indicator = "规模以上工业增加值"
year = 2015
value = 10000
growth = 8.0
[[target]]
unit = "丙区"
indicator = "规模以上工业增加值"
growth = 10.0
[[target]]
unit = "丁区"
indicator = "规模以上工业增加值"
year = 2014
value = 5
[[target]]
unit = "丁区"
indicator = "规模以上工业增加值"
value = 2000
"#;
    let cfg = Config::parse(&format!("{TOML}{targets}"), "test").unwrap();
    let (_, mut result, ingested, _) = sample();
    let va = "规模以上工业增加值";
    for r in result.rows.iter_mut().filter(|r| r.indicator == va) {
        match r.unit.as_str() {
            "甲县" => {
                r.value = Some(d("5833.3"));
                r.growth = Some(d("9.2"));
            }
            // 1001 / 2000 = 50.05 % exactly: 四舍五入 gives 50.1 (a float would give 50.0).
            "丁区" => r.value = Some(d("1001")),
            _ => {}
        }
    }
    let dir = tempfile::tempdir().unwrap();
    let path = write(&cfg, &result, &ingested, dir.path()).unwrap();
    let mut wb = open_workbook_auto(&path).unwrap();
    let v = wb.worksheet_range(va).unwrap();
    let header: Vec<String> = (11..18).map(|c| s(&v, 2, c)).collect();
    assert_eq!(
        header,
        [
            "状态",
            "年度目标",
            "完成进度%",
            "时序进度%",
            "目标增速%",
            "增速较目标",
            ""
        ]
    );
    // 全市: no target.
    assert_eq!(s(&v, 3, 0), "全市");
    assert!((12..17).all(|c| s(&v, 3, c) == "—"));
    // 甲县: the 2015 target wins over the one without a year.
    assert_eq!(s(&v, 4, 1), "甲县");
    assert_eq!(num(&v, 4, 12), 10000.0);
    assert_eq!(num(&v, 4, 13), 58.3);
    assert_eq!(num(&v, 4, 14), 58.3);
    assert_eq!(num(&v, 4, 15), 8.0);
    assert_eq!(num(&v, 4, 16), 1.2);
    // 乙县: 未报, no target.
    assert_eq!(s(&v, 5, 1), "乙县");
    assert!((12..17).all(|c| s(&v, 5, c) == "—"));
    // 丙区: a growth target only: 11.5 − 10.0.
    assert_eq!(s(&v, 6, 1), "丙区");
    assert!((12..15).all(|c| s(&v, 6, c) == "—"));
    assert_eq!(num(&v, 6, 15), 10.0);
    assert_eq!(num(&v, 6, 16), 1.5);
    // 丁区: the 2014 target is not this year's; the one without a year applies.
    assert_eq!(s(&v, 7, 1), "丁区");
    assert_eq!(num(&v, 7, 12), 2000.0);
    assert_eq!(num(&v, 7, 13), 50.1);
    assert_eq!(num(&v, 7, 14), 58.3);
    assert_eq!(s(&v, 7, 15), "—");
    assert_eq!(s(&v, 7, 16), "—");
    let notes: String = (9..14).map(|r| s(&v, r, 0)).collect();
    assert!(
        notes.contains("时序进度(%)=7÷12×100(本期58.3%)")
            && notes.contains("增速较目标=同比增长−目标增速"),
        "{notes}"
    );
    // 利润总额 has no target: no target columns, no target notes.
    let p = wb.worksheet_range("利润总额").unwrap();
    assert_eq!(s(&p, 2, 11), "状态");
    assert_eq!(s(&p, 2, 12), "");
    let notes: String = (9..14).map(|r| s(&p, r, 0)).collect();
    assert!(!notes.contains("时序进度"), "{notes}");

    // Without targets (the sample's configuration), no target columns anywhere.
    let (cfg, result, ingested, _) = sample();
    let dir = tempfile::tempdir().unwrap();
    let path = write(&cfg, &result, &ingested, dir.path()).unwrap();
    let mut wb = open_workbook_auto(&path).unwrap();
    for name in [va, "利润总额"] {
        let t = wb.worksheet_range(name).unwrap();
        assert_eq!(s(&t, 2, 11), "状态");
        assert_eq!(s(&t, 2, 12), "", "{name}");
    }
}

#[test]
fn hostile_names_and_long_strings_do_not_break_the_workbook() {
    let (mut cfg, mut result, mut ingested, _) = sample();
    cfg.indicators[1].name = "利润/总额:[测试]*?".repeat(3);
    for r in result.rows.iter_mut().filter(|r| r.indicator == "利润总额") {
        r.indicator = cfg.indicators[1].name.clone();
    }
    // A unit whose name is markup: text in every cell and in the charts' caches.
    let unit = "<甲&县>\"'";
    cfg.units[0].name = unit.to_string();
    for r in result.rows.iter_mut().filter(|r| r.unit == "甲县") {
        r.unit = unit.to_string();
    }
    ingested
        .warnings
        .push(Diagnostic::new(Location::file("x"), "长".repeat(100_000)));
    let dir = tempfile::tempdir().unwrap();
    let path = write(&cfg, &result, &ingested, dir.path()).unwrap();
    let mut wb = open_workbook_auto(&path).unwrap();
    let names = wb.sheet_names();
    assert_eq!(names.len(), 5);
    assert!(
        names[2].chars().count() <= 31 && !names[2].contains('/'),
        "{names:?}"
    );
    let t = wb.worksheet_range(SHEET_SUMMARY).unwrap();
    assert_eq!(s(&t, 5, 1), unit);
    let p = wb.worksheet_range(&names[2]).unwrap();
    assert_eq!(s(&p, 4, 1), unit);
    assert_eq!(num(&p, 4, 6), -6.3);
    let mut zip = zip::ZipArchive::new(std::fs::File::open(&path).unwrap()).unwrap();
    let mut xml = String::new();
    std::io::Read::read_to_string(&mut zip.by_name("xl/charts/chart2.xml").unwrap(), &mut xml)
        .unwrap();
    assert!(xml.contains("<c:v>&lt;甲&amp;县&gt;\"'</c:v>"), "{xml}");
}

/// Writes the sample bulletin and charts to /tmp/prev for a visual check:
/// `cargo test --lib bulletin -- --ignored`.
#[test]
#[ignore]
fn preview() {
    let cfg = Config::default_city();
    let (_, sample_result, ingested, _) = sample();
    // The sample numbers spread over the default city's 8 units and 4 indicators.
    let mut rows = Vec::new();
    for (k, ind) in cfg.indicators.iter().enumerate() {
        let t =
            &sample_result.rows[if k % 2 == 0 { 0 } else { 5 }..if k % 2 == 0 { 5 } else { 10 }];
        rows.push(ResultRow {
            indicator: ind.name.clone(),
            ..t[0].clone()
        });
        for (i, u) in cfg.units.iter().enumerate() {
            let mut r = t[1 + i % 4].clone();
            r.unit = u.name.clone();
            r.group = Some(u.group.clone());
            r.indicator = ind.name.clone();
            if let (Some(v), Some(g)) = (r.value, r.growth) {
                r.value = Some(v * Decimal::from(i as i64 + 1) + Decimal::from(1234567));
                r.growth = Some(g + Decimal::from(i as i64) - Decimal::from(3));
                r.growth_rank = Some((i as u32 % 6) + 1);
                r.value_rank = Some(((i as u32 + 2) % 6) + 1);
                r.rank_change = Some(i as i32 % 3 - 1);
            }
            rows.push(r);
        }
    }
    let result = PeriodResult {
        rows,
        ..sample_result
    };
    let mut history = Vec::new();
    for m in 2..=7 {
        let mut h = result.clone();
        h.period = Period::new(2015, m).unwrap();
        for r in h.rows.iter_mut() {
            r.growth_rank = r.growth_rank.map(|g| (g + m) % 6 + 1);
        }
        history.push(h);
    }
    let dir = Path::new("/tmp/prev");
    std::fs::create_dir_all(dir).unwrap();
    let p = write(&cfg, &result, &ingested, dir).unwrap();
    let t = std::time::Instant::now();
    let files = crate::charts::write(&cfg, &result, &history, dir).unwrap();
    eprintln!(
        "{} -> {} charts in {:?}",
        p.display(),
        files.len(),
        t.elapsed()
    );
    let (cfg, result, ingested, history) = sample();
    let dir = Path::new("/tmp/prev/sample");
    std::fs::create_dir_all(dir).unwrap();
    write(&cfg, &result, &ingested, dir).unwrap();
    crate::charts::write(&cfg, &result, &history, dir).unwrap();
}
