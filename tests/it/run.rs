//! The monthly run (SPEC §3, §4): hand-computed growth, statuses, ties, groups, rank changes,
//! rankings.csv and the history.

use crate::common::*;
use rust_decimal::Decimal;
use std::path::Path;
use std::str::FromStr;
use tongbao::compute::compute;
use tongbao::ingest::{Options, ingest};
use tongbao::model::{PeriodResult, Status};
use tongbao::{Config, Period};

pub const TEST_CONFIG: &str = r#"
city = "测试市"
title = "测试市工业通报"
tie = "competition"
[[unit]]
name = "甲一"
group = "甲"
[[unit]]
name = "甲二"
group = "甲"
[[unit]]
name = "甲三"
group = "甲"
[[unit]]
name = "甲四"
group = "甲"
[[unit]]
name = "乙一"
group = "乙"
[[unit]]
name = "乙二"
group = "乙"
[[indicator]]
name = "增加值"
growth = "provided"
[[indicator]]
name = "收入"
[[indicator]]
name = "利润"
negative_allowed = true
[assessment]
weights = { "增加值" = 40, "收入" = 30, "利润" = 30 }
"#;

type U = (
    &'static str,
    [Option<f64>; 3],
    [Option<f64>; 2],
    [Option<f64>; 2],
);

/// (unit, [增加值 value, base, growth], [收入 value, base], [利润 value, base])
const MARCH: [U; 6] = [
    (
        "甲一",
        [Some(50.0), Some(45.0), Some(8.0)],
        [Some(110.0), Some(100.0)],
        [Some(-5.0), Some(10.0)],
    ),
    (
        "甲二",
        [Some(500.0), Some(450.0), Some(8.0)],
        [Some(1100.0), Some(1000.0)],
        [Some(5.0), Some(-10.0)],
    ),
    (
        "甲三",
        [Some(540.0), Some(500.0), Some(7.95)],
        [Some(10245.0), Some(10000.0)],
        [Some(-5.0), Some(-10.0)],
    ),
    (
        "甲四",
        [None, Some(100.0), Some(6.0)],
        [Some(105.0), Some(100.0)],
        [Some(-15.0), Some(-10.0)],
    ),
    (
        "乙一",
        [Some(220.0), Some(200.0), Some(10.0)],
        [Some(120.0), Some(100.0)],
        [Some(0.245), Some(0.2)],
    ),
    (
        "乙二",
        [None, None, None],
        [Some(100.0), Some(0.0)],
        [None, None],
    ),
];

fn write_month(dir: &Path, label: &str, units: &[U]) {
    for (u, va, rev, pro) in units {
        let rows: Vec<Row> = vec![
            ("增加值", None, va[0], va[1], va[2]),
            ("收入", None, rev[0], rev[1], None),
            ("利润", None, pro[0], pro[1], None),
        ];
        write_xlsx(
            &dir.join(format!("{u}.xlsx")),
            &[("月报", canonical(u, label, &rows))],
        );
    }
}

fn d(s: &str) -> Decimal {
    Decimal::from_str(s).unwrap()
}

fn cfg(tie: &str) -> Config {
    Config::parse(
        &TEST_CONFIG.replace("\"competition\"", &format!("{tie:?}")),
        "test",
    )
    .unwrap()
}

fn compute_month(
    cfg: &Config,
    dir: &Path,
    period: &str,
    previous: Option<&PeriodResult>,
) -> PeriodResult {
    let p: Period = period.parse().unwrap();
    let ing = ingest(cfg, p, dir, &Options::default()).unwrap();
    compute(cfg, &ing, previous).unwrap()
}

/// (value, growth, status, value_rank, growth_rank, rank_change) of a row.
#[allow(clippy::type_complexity)]
fn row(
    r: &PeriodResult,
    unit: &str,
    ind: &str,
) -> (
    Option<Decimal>,
    Option<Decimal>,
    &'static str,
    Option<u32>,
    Option<u32>,
    Option<i32>,
) {
    let x = r.row(unit, ind).unwrap_or_else(|| panic!("{unit} {ind}"));
    (
        x.value,
        x.growth,
        x.status.label(),
        x.value_rank,
        x.growth_rank,
        x.rank_change,
    )
}

#[test]
fn growth_status_ranks_and_city_by_hand() {
    let t = tempfile::tempdir().unwrap();
    write_month(t.path(), "2020年1-3月", &MARCH);
    let c = cfg("competition");
    let r = compute_month(&c, t.path(), "2020-03", None);
    // 收入: growth 10.0, 10.0, 2.5 (10245/10000: exactly 2.45 → 2.5), 5.0; 乙二 has base 0.
    assert_eq!(
        row(&r, "甲一", "收入"),
        (Some(d("110")), Some(d("10.0")), "", Some(3), Some(1), None)
    );
    assert_eq!(
        row(&r, "甲二", "收入"),
        (Some(d("1100")), Some(d("10.0")), "", Some(2), Some(1), None)
    );
    assert_eq!(
        row(&r, "甲三", "收入"),
        (Some(d("10245")), Some(d("2.5")), "", Some(1), Some(4), None)
    );
    assert_eq!(
        row(&r, "甲四", "收入"),
        (Some(d("105")), Some(d("5.0")), "", Some(4), Some(3), None)
    );
    assert_eq!(
        row(&r, "乙一", "收入"),
        (Some(d("120")), Some(d("20.0")), "", Some(1), Some(1), None)
    );
    assert_eq!(
        row(&r, "乙二", "收入"),
        (Some(d("100")), None, "无可比基数", Some(2), None, None)
    );
    // City: sums 11780 / 11300 → 4.24778… → 4.2; share of 甲三 10245/11780 = 86.97 → 87.0
    assert_eq!(
        row(&r, "全市", "收入"),
        (Some(d("11780")), Some(d("4.2")), "", None, None, None)
    );
    assert_eq!(r.row("甲三", "收入").unwrap().share, Some(d("87.0")));
    assert_eq!(r.row("甲三", "收入").unwrap().change, Some(d("245")));
    // 利润: statuses, growth by the formula in every case.
    assert_eq!(
        row(&r, "甲一", "利润"),
        (
            Some(d("-5")),
            Some(d("-150.0")),
            "由盈转亏",
            Some(2),
            Some(4),
            None
        )
    );
    assert_eq!(
        row(&r, "甲二", "利润"),
        (
            Some(d("5")),
            Some(d("150.0")),
            "扭亏为盈",
            Some(1),
            Some(1),
            None
        )
    );
    assert_eq!(
        row(&r, "甲三", "利润"),
        (
            Some(d("-5")),
            Some(d("50.0")),
            "减亏",
            Some(2),
            Some(2),
            None
        )
    );
    assert_eq!(
        row(&r, "甲四", "利润"),
        (
            Some(d("-15")),
            Some(d("-50.0")),
            "增亏",
            Some(4),
            Some(3),
            None
        )
    );
    assert_eq!(
        row(&r, "乙一", "利润"),
        (
            Some(d("0.245")),
            Some(d("22.5")),
            "",
            Some(1),
            Some(1),
            None
        )
    );
    assert_eq!(
        row(&r, "乙二", "利润"),
        (None, None, "未报", None, None, None)
    );
    // 增加值: provided growth, 7.95 shows as 8.0 and ties; no value → no 总量位次.
    assert_eq!(
        row(&r, "甲一", "增加值"),
        (Some(d("50")), Some(d("8.0")), "", Some(3), Some(1), None)
    );
    assert_eq!(
        row(&r, "甲三", "增加值"),
        (Some(d("540")), Some(d("8.0")), "", Some(1), Some(1), None)
    );
    assert_eq!(
        row(&r, "甲四", "增加值"),
        (None, Some(d("6.0")), "", None, Some(4), None)
    );
    assert_eq!(
        row(&r, "乙二", "增加值"),
        (None, None, "未报", None, None, None)
    );
    // City value-added growth: Σ base·g / Σ base = 10560 / 1295 = 8.154… → 8.2
    assert_eq!(row(&r, "全市", "增加值").1, Some(d("8.2")));
    assert_eq!(r.rows.iter().filter(|x| x.is_city).count(), 3);
    assert_eq!(r.rows[0].unit, "全市");
    assert_eq!(r.rows[1].unit, "甲一");
}

#[test]
fn dense_ties_as_chinese_ranking() {
    let t = tempfile::tempdir().unwrap();
    write_month(t.path(), "2020年1-3月", &MARCH);
    let r = compute_month(&cfg("dense"), t.path(), "2020-03", None);
    let g: Vec<Option<u32>> = ["甲一", "甲二", "甲三", "甲四"]
        .iter()
        .map(|u| r.row(u, "收入").unwrap().growth_rank)
        .collect();
    assert_eq!(g, vec![Some(1), Some(1), Some(3), Some(2)]);
    let g: Vec<Option<u32>> = ["甲一", "甲二", "甲三", "甲四"]
        .iter()
        .map(|u| r.row(u, "增加值").unwrap().growth_rank)
        .collect();
    assert_eq!(g, vec![Some(1), Some(1), Some(1), Some(2)]);
}

#[test]
fn rank_change_against_the_previous_period() {
    let t = tempfile::tempdir().unwrap();
    let (m3, m4) = (t.path().join("03"), t.path().join("04"));
    write_month(&m3, "2020年1-3月", &MARCH);
    let mut april = MARCH;
    // 甲四 收入 jumps to 30.0 % growth: first place; 甲一/甲二 drop to 2nd, 甲三 stays 4th.
    april[3].2 = [Some(130.0), Some(100.0)];
    write_month(&m4, "2020年1-4月", &april);
    let c = cfg("competition");
    let r3 = compute_month(&c, &m3, "2020-03", None);
    let r4 = compute_month(&c, &m4, "2020-04", Some(&r3));
    assert_eq!(r4.previous, Some("2020-03".parse().unwrap()));
    assert_eq!(row(&r4, "甲四", "收入").4, Some(1));
    assert_eq!(row(&r4, "甲四", "收入").5, Some(2));
    assert_eq!(row(&r4, "甲一", "收入").5, Some(-1));
    assert_eq!(row(&r4, "甲三", "收入").5, Some(0));
    assert_eq!(row(&r4, "乙二", "收入").5, None);
    assert_eq!(r4.row("全市", "收入").unwrap().rank_change, None);
}

fn csv_of(root: &Path, period: &str) -> String {
    std::fs::read_to_string(root.join("reports").join(period).join("rankings.csv")).unwrap()
}

#[test]
fn run_writes_rankings_csv_and_history_idempotently() {
    let t = tempfile::tempdir().unwrap();
    std::fs::write(t.path().join("test.toml"), TEST_CONFIG).unwrap();
    write_month(&t.path().join("data/2020-03"), "2020年1-3月", &MARCH);
    let mut april = MARCH;
    april[3].2 = [Some(130.0), Some(100.0)];
    write_month(&t.path().join("data/2020-04"), "2020年1-4月", &april);
    let out = tongbao(t.path())
        .args(["run", "--all", "--config", "test.toml"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr_of(&out));
    let csv = csv_of(t.path(), "2020-04");
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(
        lines[0],
        "\u{feff}period,group,unit,indicator,value,base,growth,status,value_rank,growth_rank,growth_rank_change"
    );
    assert_eq!(lines.len(), 1 + 3 * 7);
    assert!(
        lines.contains(&"2020-04,,全市,收入,11805,11300,4.5,,,,"),
        "{csv}"
    );
    assert!(
        lines.contains(&"2020-04,甲,甲四,收入,130,100,30.0,,3,1,2"),
        "{csv}"
    );
    assert!(
        lines.contains(&"2020-04,甲,甲一,收入,110,100,10.0,,4,2,-1"),
        "{csv}"
    );
    assert!(
        lines.contains(&"2020-04,乙,乙二,收入,100,0,,无可比基数,2,,"),
        "{csv}"
    );
    assert!(
        lines.contains(&"2020-04,甲,甲一,利润,-5,10,-150.0,由盈转亏,2,4,0"),
        "{csv}"
    );
    assert!(lines.contains(&"2020-04,乙,乙二,利润,,,,未报,,,"), "{csv}");
    assert!(
        lines.contains(&"2020-04,甲,甲四,增加值,,100,6.0,,,4,0"),
        "{csv}"
    );
    let march = csv_of(t.path(), "2020-03");
    assert!(
        march
            .lines()
            .any(|l| l == "2020-03,甲,甲四,收入,105,100,5.0,,4,3,"),
        "{march}"
    );

    let hist = t.path().join("data/history");
    let files = |h: &Path| {
        tree(h)
            .into_iter()
            .filter(|f| f.ends_with(".parquet"))
            .collect::<Vec<_>>()
    };
    assert_eq!(files(&hist), vec!["2020-03.parquet", "2020-04.parquet"]);
    // Run April again: its record is replaced, not duplicated, and the outputs are the same.
    let out = tongbao(t.path())
        .args([
            "run",
            "--period",
            "2020-04",
            "--config",
            "test.toml",
            "--timings",
        ])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr_of(&out));
    // --timings: every stage, in the order run, each with a time in ms.
    let err = stderr_of(&out);
    let report = &err[err.find("timings (ms):").expect("timings report")..];
    let stages: Vec<(String, f64)> = report
        .lines()
        .skip(1)
        .filter(|l| !l.trim_start().starts_with('('))
        .map(|l| {
            let (name, rest) = l.trim().split_once("  ").unwrap_or((l, ""));
            let ms = rest.split_whitespace().next().unwrap_or("");
            (name.to_string(), ms.parse().unwrap_or(f64::NAN))
        })
        .collect();
    let names: Vec<&str> = stages.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(
        names,
        [
            "history read",
            "read+validate",
            "compute",
            "earlier periods ∥",
            "csv ∥",
            "workbook ∥",
            "charts ∥",
            "history encode ∥",
            "commit",
            "history write",
            "wall",
            "cpu",
        ],
        "{report}"
    );
    assert!(stages.iter().all(|(_, ms)| *ms >= 0.0), "{report}");
    assert!(report.contains("(user "), "{report}");
    assert_eq!(files(&hist), vec!["2020-03.parquet", "2020-04.parquet"]);
    assert_eq!(csv_of(t.path(), "2020-04"), csv);
    let year = tongbao::history::load_year(&hist, 2020).unwrap();
    assert_eq!(year.len(), 2);
    // What a run reads: the latest earlier period of the year first, the ones before it apart
    // (its own earlier record is replaced, not read).
    let p = |s: &str| s.parse::<tongbao::Period>().unwrap();
    let read = |period: &str| {
        let (previous, earlier) = tongbao::history::previous_and_earlier(&hist, p(period)).unwrap();
        (previous.map(|r| r.period), earlier)
    };
    assert_eq!(read("2020-04"), (Some(p("2020-03")), vec![]));
    assert_eq!(read("2020-03"), (None, vec![]));
    assert_eq!(read("2020-12"), (Some(p("2020-04")), vec![p("2020-03")]));
    assert_eq!(read("2021-01"), (None, vec![]));
    let earlier = tongbao::history::load_periods(&hist, &[p("2020-03")]).unwrap();
    assert_eq!(earlier.len(), 1);
    assert_eq!(earlier[0].period, p("2020-03"));
    assert_eq!(year[1].rows.len(), 21);
    assert_eq!(year[1].row("甲四", "收入").unwrap().rank_change, Some(2));
    assert_eq!(
        year[1].row("甲一", "利润").unwrap().status,
        Status::TurnedLoss
    );
}

#[test]
fn a_failed_run_changes_nothing() {
    let t = tempfile::tempdir().unwrap();
    std::fs::write(t.path().join("test.toml"), TEST_CONFIG).unwrap();
    write_month(&t.path().join("data/2020-03"), "2020年1-3月", &MARCH);
    let out = tongbao(t.path())
        .args(["run", "--config", "test.toml"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr_of(&out));
    let before: Vec<(String, Vec<u8>)> = tree(t.path())
        .into_iter()
        .map(|f| (f.clone(), std::fs::read(t.path().join(&f)).unwrap()))
        .collect();
    // Break one cell and run the same period again.
    write_xlsx(
        &t.path().join("data/2020-03/甲一.xlsx"),
        &[("月报", vec![(0, 0, C::S("填报单位:甲一"))])],
    );
    let out = tongbao(t.path())
        .args(["run", "--config", "test.toml"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr_of(&out).contains("甲一.xlsx: 找不到表头"),
        "{}",
        stderr_of(&out)
    );
    for (f, bytes) in before {
        if f.starts_with("data/2020-03/") {
            continue;
        }
        assert_eq!(
            std::fs::read(t.path().join(&f)).unwrap(),
            bytes,
            "{f} changed"
        );
    }
}

#[test]
fn strict_turns_warnings_into_errors() {
    let t = tempfile::tempdir().unwrap();
    std::fs::write(t.path().join("test.toml"), TEST_CONFIG).unwrap();
    write_month(&t.path().join("data/2020-03"), "2020年1-3月", &MARCH);
    // 甲四 submits 9.9 % for 收入 where 105/100 gives 5.0 %: a warning, an error under --strict.
    let rows: Vec<Row> = vec![
        ("增加值", None, None, Some(100.0), Some(6.0)),
        ("收入", None, Some(105.0), Some(100.0), Some(9.9)),
        ("利润", None, Some(-15.0), Some(-10.0), None),
    ];
    write_xlsx(
        &t.path().join("data/2020-03/甲四.xlsx"),
        &[("月报", canonical("甲四", "2020年1-3月", &rows))],
    );
    let out = tongbao(t.path())
        .args(["check", "--config", "test.toml"])
        .output()
        .unwrap();
    assert!(out.status.success());
    let s = stdout_of(&out);
    assert!(
        s.contains("甲四.xlsx!月报!F5: 收入: 填报增速 9.9% 与计算值 5.0% 不符"),
        "{s}"
    );
    // 由盈转亏/扭亏为盈 move more than 100 % by nature: no warning for them.
    assert!(!s.contains("超过 ±100%"), "{s}");
    let out = tongbao(t.path())
        .args(["run", "--config", "test.toml", "--strict"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let e = stderr_of(&out);
    assert!(
        e.contains("--strict: 2 warning(s)")
            && e.contains("甲四.xlsx!月报!F5")
            && e.contains("全市合计口径不一致"),
        "{e}"
    );
    assert!(!t.path().join("reports").exists());
}

#[test]
fn the_printed_configuration_is_a_starting_point_that_works() {
    let t = tempfile::tempdir().unwrap();
    let out = tongbao(t.path()).arg("config").output().unwrap();
    assert!(out.status.success());
    let text = stdout_of(&out);
    assert!(
        text.contains("city  = \"漯河市\"") && text.contains("[[indicator]]"),
        "{text}"
    );
    std::fs::write(
        t.path().join("my.toml"),
        text.replace("漯河市工业经济运行月度通报", "我的通报"),
    )
    .unwrap();
    full_month(t.path(), "2015-07", "2015年1-7月");
    let out = tongbao(t.path())
        .args(["run", "--config", "my.toml"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr_of(&out));
    assert!(
        t.path()
            .join("reports/2015-07/我的通报(2015年1-7月).xlsx")
            .exists()
    );
    // A bad configuration names its key and exits 2.
    std::fs::write(
        t.path().join("bad.toml"),
        text.replace("tie   = \"competition\"", "tie = \"olympic\""),
    )
    .unwrap();
    let out = tongbao(t.path())
        .args(["check", "--config", "bad.toml"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr_of(&out).contains("bad.toml") && stderr_of(&out).contains("olympic"),
        "{}",
        stderr_of(&out)
    );
}
