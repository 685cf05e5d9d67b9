//! Hand-computed assessments: every number below is worked out in the comments.

use super::points::rank_rate;
use super::*;
use crate::model::{PeriodResult, ResultRow, Status};
use calamine::{Data, Reader, open_workbook_auto};
use std::str::FromStr;

const BASE: &str = r#"
city = "测试市"
title = "测试市工业通报"
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
aliases = ["营业收入"]
"#;

fn cfg(extra: &str) -> Config {
    Config::parse(&format!("{BASE}{extra}"), "test.toml").unwrap()
}

fn d(s: &str) -> Decimal {
    Decimal::from_str(s).unwrap()
}

fn p(s: &str) -> Period {
    Period::from_str(s).unwrap()
}

/// (unit, indicator, 增速位次, 总量位次, growth, value)
type R<'a> = (
    &'a str,
    &'a str,
    Option<u32>,
    Option<u32>,
    Option<&'a str>,
    Option<&'a str>,
);

fn period(per: &str, rows: &[R]) -> PeriodResult {
    let rows = rows
        .iter()
        .map(|(u, ind, gr, vr, g, v)| {
            let group: String = u.chars().next().unwrap().to_string();
            let not_reported = gr.is_none() && vr.is_none() && g.is_none() && v.is_none();
            ResultRow {
                unit: u.to_string(),
                is_city: false,
                group: Some(group),
                indicator: ind.to_string(),
                month: None,
                value: v.map(d),
                base: None,
                change: None,
                growth: g.map(d),
                share: None,
                status: if not_reported {
                    Status::NotReported
                } else {
                    Status::Normal
                },
                value_rank: *vr,
                growth_rank: *gr,
                rank_change: None,
            }
        })
        .collect();
    PeriodResult {
        period: p(per),
        rows,
        previous: None,
        warnings: Vec::new(),
    }
}

/// Ranks only: (unit, indicator, 增速位次).
fn ranks(per: &str, rows: &[(&str, &str, Option<u32>)]) -> PeriodResult {
    let full: Vec<R> = rows
        .iter()
        .map(|(u, i, r)| (*u, *i, *r, None, r.map(|_| "1.0"), None))
        .collect();
    period(per, &full)
}

const A: &str = "增加值";
const B: &str = "收入";

/// Weights 30 / 20, step 0.05: 30 → 30, 28.5, 27 for ranks 1, 2, 3; 20 → 20, 19, 18.
fn zhengxian_history() -> Vec<PeriodResult> {
    vec![
        ranks(
            "2015-02",
            &[
                ("甲一", A, Some(1)),
                ("甲一", B, Some(2)),
                ("甲二", A, Some(2)),
                ("甲二", B, Some(1)),
                ("甲三", A, Some(3)),
                ("甲三", B, None), // 未报: 0
                ("乙一", A, Some(1)),
                ("乙一", B, Some(1)),
                ("乙二", A, Some(2)),
                ("乙二", B, Some(2)),
            ],
        ),
        ranks(
            "2015-03",
            &[
                ("甲一", A, Some(2)),
                ("甲一", B, Some(1)),
                ("甲二", A, Some(1)),
                ("甲二", B, Some(2)),
                ("甲三", A, Some(3)),
                ("甲三", B, Some(3)),
                ("乙一", A, Some(2)),
                ("乙一", B, Some(2)),
                ("乙二", A, Some(1)),
                ("乙二", B, Some(1)),
            ],
        ),
    ]
}

const WEIGHTS: &str = "[assessment]\nweights = { \"增加值\" = 30, \"营业收入\" = 20 }\n";

fn store_all(dir: &Path, results: &[PeriodResult]) {
    for r in results {
        history::store(dir, r).unwrap();
    }
}

#[test]
fn assess_rank_rate_is_never_below_zero() {
    let s = d("0.05");
    assert_eq!(rank_rate(Some(1), s), d("1"));
    assert_eq!(rank_rate(Some(2), s), d("0.95"));
    assert_eq!(rank_rate(Some(20), s), d("0.05"));
    assert_eq!(rank_rate(Some(21), s), d("0"));
    assert_eq!(rank_rate(Some(300), s), d("0"));
    assert_eq!(rank_rate(None, s), d("0"));
}

#[test]
fn assess_zhengxian_scores_ties_and_unranked_months() {
    let c = cfg(WEIGHTS);
    let a = score(&c, 2015, None, &zhengxian_history()).unwrap();
    assert_eq!(a.periods, vec![p("2015-02"), p("2015-03")]);
    assert!(
        a.missing.is_empty() && a.warnings.is_empty(),
        "{:?}",
        a.warnings
    );
    assert_eq!(a.through, p("2015-03"));
    // 甲一: (30 + 19) + (28.5 + 20) = 97.5 → 48.75; 甲二: (28.5 + 20) + (30 + 19) = 97.5 → 48.75;
    // last period Σ 增速位次 2 + 1 = 3 and 1 + 2 = 3: still tied, both 1st.
    // 甲三: (27 + 0 未报) + (27 + 18) = 72 → 36.00, 3rd (1, 1, 3).
    let u = |n: &str| a.unit(n).unwrap();
    assert_eq!(u("甲一").period_totals, vec![d("49"), d("48.5")]);
    assert_eq!((u("甲一").score, u("甲一").final_rank), (d("48.75"), 1));
    assert_eq!((u("甲二").score, u("甲二").final_rank), (d("48.75"), 1));
    assert_eq!(u("甲三").cells[1][0].points, d("0"));
    assert_eq!(u("甲三").indicator_totals, vec![d("54"), d("18")]);
    assert_eq!((u("甲三").score, u("甲三").final_rank), (d("36"), 3));
    // 乙一: 50 + 47.5, 乙二: 47.5 + 50: both 48.75; last Σ 增速位次 4 vs 2: 乙二 first.
    assert_eq!(
        (
            u("乙二").score,
            u("乙二").final_rank,
            u("乙二").last_rank_sum
        ),
        (d("48.75"), 1, 2)
    );
    assert_eq!(
        (
            u("乙一").score,
            u("乙一").final_rank,
            u("乙一").last_rank_sum
        ),
        (d("48.75"), 2, 4)
    );
    let order: Vec<&str> = a.units().map(|u| u.unit.as_str()).collect();
    assert_eq!(order, ["甲一", "甲二", "甲三", "乙二", "乙一"]);
    assert_eq!(
        render_csv(&a),
        "\u{FEFF}year,through,group,unit,score,final_rank,periods\n\
         2015,2015-03,甲,甲一,48.75,1,2\n\
         2015,2015-03,甲,甲二,48.75,1,2\n\
         2015,2015-03,甲,甲三,36.00,3,2\n\
         2015,2015-03,乙,乙二,48.75,1,2\n\
         2015,2015-03,乙,乙一,48.75,2,2\n"
    );
    // 中式排名: 1, 1, 2.
    let dense = Config::parse(&format!("tie = \"dense\"\n{BASE}{WEIGHTS}"), "t.toml").unwrap();
    let a = score(&dense, 2015, None, &zhengxian_history()).unwrap();
    assert_eq!(a.unit("甲三").unwrap().final_rank, 2);
}

#[test]
fn assess_tie_break_missing_last_rank_comes_after_every_ranked_unit() {
    // One group, A weighs 100 (100, 95, 90 … 10 for rank 19), B weighs 0 and does not count.
    let c = Config::parse(
        r#"
city = "c"
title = "t"
[[unit]]
name = "u1"
group = "G"
[[unit]]
name = "u2"
group = "G"
[[unit]]
name = "u3"
group = "G"
[[unit]]
name = "u4"
group = "G"
[[indicator]]
name = "A"
[[indicator]]
name = "B"
[assessment]
weights = { A = 100, B = 0 }
"#,
        "t.toml",
    )
    .unwrap();
    let h = vec![
        ranks(
            "2015-02",
            &[
                ("u1", "A", Some(1)),
                ("u2", "A", None),
                ("u3", "A", Some(2)),
                ("u4", "A", Some(3)),
            ],
        ),
        ranks(
            "2015-03",
            &[
                ("u1", "A", None),
                ("u2", "A", Some(1)),
                ("u2", "B", Some(30)),
                ("u3", "A", Some(2)),
                ("u4", "A", Some(19)),
                ("u4", "B", Some(1)),
            ],
        ),
    ];
    let a = score(&c, 2015, None, &h).unwrap();
    // u1: 100 + 0 = 50; u2: 0 + 100 = 50; u3: 95 + 95 = 95; u4: 90 + 10 = 50.
    // Tied at 50: u2 (Σ 1), u4 (Σ 19; B's ranks weigh 0 and are not summed), u1 (no rank: last).
    let got: Vec<(&str, String, u32)> = a
        .units()
        .map(|u| (u.unit.as_str(), format!("{:.2}", u.score), u.final_rank))
        .collect();
    assert_eq!(
        got,
        [
            ("u3", "95.00".into(), 1),
            ("u2", "50.00".into(), 2),
            ("u4", "50.00".into(), 3),
            ("u1", "50.00".into(), 4)
        ]
    );
    assert_eq!(a.unit("u1").unwrap().last_missing, 1);
    assert_eq!(a.unit("u4").unwrap().last_rank_sum, 19);
}

#[test]
fn assess_scores_round_half_up_exactly() {
    let one = |w: &str| {
        Config::parse(
            &format!("city=\"c\"\ntitle=\"t\"\n[[unit]]\nname=\"u\"\ngroup=\"G\"\n[[unit]]\nname=\"v\"\ngroup=\"G\"\n[[indicator]]\nname=\"A\"\n[assessment]\nweights={{A={w}}}\n"),
            "t.toml",
        )
        .unwrap()
    };
    // 0.7 × (1 − 0.05) = 0.665 exactly → 0.67 (f64 gives 0.6649999… → 0.66).
    assert!((0.7f64 * 0.95 * 100.0).round() / 100.0 < 0.665);
    let a = score(
        &one("0.7"),
        2015,
        None,
        &[ranks(
            "2015-02",
            &[("u", "A", Some(2)), ("v", "A", Some(1))],
        )],
    )
    .unwrap();
    assert_eq!(a.unit("u").unwrap().total, d("0.665"));
    assert_eq!(a.unit("u").unwrap().score.to_string(), "0.67");
    // 1.01 + 0 over two periods = 0.505 exactly → 0.51.
    let h = [
        ranks("2015-02", &[("u", "A", Some(1)), ("v", "A", Some(1))]),
        ranks("2015-03", &[("u", "A", None), ("v", "A", Some(1))]),
    ];
    let a = score(&one("1.01"), 2015, None, &h).unwrap();
    assert_eq!(format!("{:.2}", a.unit("u").unwrap().score), "0.51");
    let h3 = [
        ranks("2015-02", &[("u", "A", Some(1)), ("v", "A", Some(1))]),
        ranks("2015-03", &[("u", "A", None), ("v", "A", Some(1))]),
        ranks("2015-04", &[("u", "A", Some(2)), ("v", "A", Some(2))]),
    ];
    let a = score(&one("1.01"), 2015, None, &h3).unwrap();
    // 1.01 + 1.01 + 0.9595 = 2.9795 over three = 0.99316… → 0.99.
    assert_eq!(a.unit("v").unwrap().total, d("2.9795"));
    assert_eq!(format!("{:.2}", a.unit("v").unwrap().score), "0.99");
    assert_eq!(format!("{:.2}", a.unit("u").unwrap().score), "0.66"); // 1.9695 / 3 = 0.6565 → 0.66
}

#[test]
fn assess_missing_month_is_warned_and_quarterly_cut_uses_periods_up_to_through() {
    let dir = tempfile::tempdir().unwrap();
    let hist = dir.path().join("history");
    let c = cfg(WEIGHTS);
    let mut h = zhengxian_history();
    // 2015-05 and 2015-06 on record, 2015-04 missing; 2014-12 of another year is ignored.
    let mut may = h[1].clone();
    may.period = p("2015-05");
    let mut june = h[0].clone();
    june.period = p("2015-06");
    let mut old = h[0].clone();
    old.period = p("2014-12");
    h.extend([may, june, old]);
    store_all(&hist, &h);

    let a = compute(&c, &hist, 2015, None).unwrap();
    assert_eq!(
        a.periods,
        vec![p("2015-02"), p("2015-03"), p("2015-05"), p("2015-06")]
    );
    assert_eq!(a.missing, vec![p("2015-04")]);
    assert_eq!(a.warnings.len(), 1, "{:?}", a.warnings);
    assert!(
        a.warnings[0].contains("2015-04") && a.warnings[0].contains("4 期"),
        "{}",
        a.warnings[0]
    );
    // 甲一: 49 + 48.5 + 48.5 + 49 = 195 → 48.75
    assert_eq!(a.unit("甲一").unwrap().score, d("48.75"));

    // Quarterly review through 1-3月: only 02 and 03, nothing missing.
    let q = compute(&c, &hist, 2015, Some(p("2015-03"))).unwrap();
    assert_eq!(q.periods, vec![p("2015-02"), p("2015-03")]);
    assert!(q.missing.is_empty() && q.partial);
    assert_eq!(q.through, p("2015-03"));
    // Through 1-5月: 04 missing (warned), 3 periods.
    let q = compute(&c, &hist, 2015, Some(p("2015-05"))).unwrap();
    assert_eq!(
        (q.periods.len(), q.missing.clone()),
        (3, vec![p("2015-04")])
    );
    // 甲三 through 05: 27 + 45 + 45 = 117 / 3 = 39.00
    assert_eq!(q.unit("甲三").unwrap().score, d("39"));

    // Written into the workbook, in red under the results.
    let out = dir.path().join("reports").join("2015");
    let files = run(&c, &hist, 2015, None, &out).unwrap();
    let book = files
        .iter()
        .find(|f| f.extension().is_some_and(|e| e == "xlsx"))
        .unwrap();
    let mut wb = open_workbook_auto(book).unwrap();
    let range = wb.worksheet_range(workbook::SHEET_RESULT).unwrap();
    let texts: Vec<String> = range
        .cells()
        .filter_map(|(_, _, c)| {
            if let Data::String(s) = c {
                Some(s.clone())
            } else {
                None
            }
        })
        .collect();
    assert!(
        texts
            .iter()
            .any(|t| t.starts_with("提示:") && t.contains("2015年1-4月")),
        "{texts:?}"
    );
}

#[test]
fn assess_errors_for_empty_year_and_through_not_on_record_write_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let hist = dir.path().join("hist");
    let c = cfg(WEIGHTS);
    let out = dir.path().join("reports").join("2016");
    let e = run(&c, &hist, 2016, None, &out).unwrap_err();
    assert!(matches!(e, Error::Usage(_)), "{e}");
    let m = e.to_string();
    assert!(
        m.contains("2016") && m.contains(&hist.display().to_string()),
        "{m}"
    );
    store_all(&hist, &zhengxian_history());
    let e = run(&c, &hist, 2016, None, &out).unwrap_err().to_string();
    assert!(e.contains("2016") && e.contains("2015"), "{e}");
    let out = dir.path().join("reports").join("2015-04");
    let e = run(&c, &hist, 2015, Some(p("2015-04")), &out).unwrap_err();
    assert!(matches!(e, Error::Usage(_)));
    let m = e.to_string();
    assert!(
        m.contains("2015-04") && m.contains("2015-02, 2015-03"),
        "{m}"
    );
    let e = compute(&c, &hist, 2015, Some(p("2014-03"))).unwrap_err();
    assert!(matches!(e, Error::Usage(_)));
    // A failure while writing (an unreadable font for the charts) leaves nothing either.
    let mut bad = c.clone();
    bad.font = Some(dir.path().join("missing.ttf"));
    let out = dir.path().join("reports").join("2015");
    assert!(run(&bad, &hist, 2015, None, &out).is_err());
    let left: Vec<_> = std::fs::read_dir(dir.path().join("reports"))
        .map(|r| r.flatten().map(|e| e.file_name()).collect())
        .unwrap_or_default();
    assert!(left.is_empty(), "{left:?}");
}

const TARGETS: &str = r#"
[[target]]
unit = "甲一"
indicator = "增加值"
growth = 8.0
[[target]]
unit = "甲一"
indicator = "收入"
value = 99999
[[target]]
unit = "甲一"
indicator = "收入"
year = 2015
value = 1200
[[target]]
unit = "甲一"
indicator = "收入"
year = 2014
value = 1
[[target]]
unit = "甲二"
indicator = "增加值"
growth = 8
[[target]]
unit = "甲二"
indicator = "收入"
growth = 10
value = 1200
"#;

fn target_history() -> Vec<PeriodResult> {
    vec![
        period(
            "2015-03",
            &[
                ("甲一", A, Some(2), None, Some("8.0"), None),
                ("甲一", B, Some(2), None, Some("5.0"), Some("300")),
                ("甲二", A, Some(1), None, Some("9.0"), None),
                ("甲二", B, Some(1), None, Some("12.0"), Some("299")),
                ("甲三", A, Some(3), None, Some("1.0"), None),
                ("甲三", B, Some(3), None, Some("1.0"), Some("50")),
            ],
        ),
        period(
            "2015-06",
            &[
                ("甲一", A, Some(1), None, Some("7.9"), None),
                ("甲一", B, Some(1), None, Some("11.0"), Some("599.9")),
                ("甲二", A, Some(2), None, Some("7.0"), None),
                ("甲二", B, Some(2), None, Some("10.0"), Some("600")),
                ("甲三", A, Some(3), None, Some("5.0"), None),
                ("甲三", B, None, None, None, None),
            ],
        ),
    ]
}

#[test]
fn assess_target_scheme_full() {
    let c = cfg(&format!(
        "[assessment]\nscheme = \"target\"\nweights = {{ \"增加值\" = 60, \"收入\" = 40 }}\n{TARGETS}"
    ));
    let a = score(&c, 2015, None, &target_history()).unwrap();
    // 甲一 1-3月: growth 8.0 ≥ 8 → 60; value 300 ≥ 1200 × 3/12 = 300 → 40 (the 2015 target, not
    // the general 99999 one) = 100. 1-6月: 7.9 < 8 → 0; 599.9 < 600 → 0. Mean 50.00.
    let u = a.unit("甲一").unwrap();
    assert_eq!(u.period_totals, vec![d("100"), d("0")]);
    assert_eq!(
        u.targets[1],
        Some(Target {
            growth: None,
            value: Some(d("1200"))
        })
    );
    // 甲二 1-3月: 9 ≥ 8 → 60; growth 12 ≥ 10 but 299 < 300 → 0 (both needed) = 60.
    // 1-6月: 7 < 8 → 0; 10 ≥ 10 and 600 ≥ 600 → 40. Mean (60 + 40) / 2 = 50.00.
    let v = a.unit("甲二").unwrap();
    assert_eq!(v.period_totals, vec![d("60"), d("40")]);
    // Tied at 50: last Σ 增速位次 甲一 1 + 1 = 2 < 甲二 2 + 2 = 4.
    assert_eq!(
        (u.score, u.final_rank, v.score, v.final_rank),
        (d("50"), 1, d("50"), 2)
    );
    // 甲三 has no target: 0, warned; 乙 units have neither rows nor targets: 0, tied 1st.
    let w = a.unit("甲三").unwrap();
    assert_eq!((w.score, w.final_rank), (d("0"), 3));
    assert_eq!(a.unit("乙一").unwrap().final_rank, 1);
    assert_eq!(a.unit("乙二").unwrap().final_rank, 1);
    assert!(
        a.warnings
            .iter()
            .any(|m| m.starts_with("增加值") && m.contains("甲三")),
        "{:?}",
        a.warnings
    );
    assert!(
        a.warnings.iter().any(|m| m.contains("乙一(1-3月、1-6月)")),
        "{:?}",
        a.warnings
    );
}

#[test]
fn assess_target_scheme_proportional() {
    let c = cfg(&format!(
        "[assessment]\nscheme = \"target\"\ntarget_rule = \"proportional\"\nweights = {{ \"增加值\" = 60, \"收入\" = 40 }}\n{TARGETS}"
    ));
    let a = score(&c, 2015, None, &target_history()).unwrap();
    // 甲一 1-6月: 60 × 7.9/8 = 59.25; 40 × 599.9 × 12 / (1200 × 6) = 39.99333… → 39.9933.
    // Total 100 + 59.25 + 39.9933 = 199.2433 → / 2 = 99.62165 → 99.62.
    let u = a.unit("甲一").unwrap();
    assert_eq!(u.cells[0][1].points, d("59.25"));
    assert_eq!(u.cells[1][1].points, d("39.9933"));
    assert_eq!(u.score, d("99.62"));
    // 甲二 1-3月: 60; 收入 min(growth 12/10 → full 40, value 40 × 299×12/3600 = 39.8667) = 39.8667.
    // 1-6月: 60 × 7/8 = 52.5; 40. Total 192.3667 → 96.18335 → 96.18.
    let v = a.unit("甲二").unwrap();
    assert_eq!(v.cells[1][0].points, d("39.8667"));
    assert_eq!(v.total, d("192.3667"));
    assert_eq!(v.score, d("96.18"));
    assert_eq!((u.final_rank, v.final_rank), (1, 2));
}

#[test]
fn assess_mixed_scheme() {
    let c = cfg(
        "[assessment]\nscheme = \"mixed\"\nvalue_share = 0.4\nweights = { \"增加值\" = 30, \"收入\" = 20 }\n",
    );
    let h = [period(
        "2015-02",
        &[
            ("甲一", A, Some(2), Some(1), Some("1"), Some("1")),
            ("甲一", B, Some(1), Some(3), Some("1"), Some("1")),
            ("甲二", A, Some(1), Some(2), Some("1"), Some("1")),
            ("甲二", B, Some(2), None, Some("1"), None),
        ],
    )];
    let a = score(&c, 2015, None, &h).unwrap();
    // 甲一: 30 × (0.4 × 1 + 0.6 × 0.95) = 29.1; 20 × (0.4 × 0.9 + 0.6 × 1) = 19.2 → 48.30.
    // 甲二: 30 × (0.4 × 0.95 + 0.6 × 1) = 29.4; 20 × (0 + 0.6 × 0.95) = 11.4 → 40.80.
    assert_eq!(
        a.unit("甲一").unwrap().indicator_totals,
        vec![d("29.1"), d("19.2")]
    );
    assert_eq!(a.unit("甲一").unwrap().score, d("48.3"));
    assert_eq!(a.unit("甲二").unwrap().score, d("40.8"));
    assert!(
        method_lines(&c, &a)
            .iter()
            .any(|l| l.contains("40%×总量位次得分率 + 60%×增速位次得分率"))
    );
}

fn cell_str(r: &calamine::Range<Data>, row: u32, col: u32) -> String {
    match r.get_value((row, col)) {
        Some(Data::String(s)) => s.clone(),
        Some(Data::Float(f)) => format!("{f}"),
        Some(Data::Int(i)) => format!("{i}"),
        Some(other) => format!("{other:?}"),
        None => String::new(),
    }
}

#[test]
fn assess_run_writes_workbook_csv_and_charts() {
    let dir = tempfile::tempdir().unwrap();
    let hist = dir.path().join("history");
    store_all(&hist, &zhengxian_history());
    let c = cfg(WEIGHTS);
    let out = dir.path().join("reports").join("2015");
    let files = run(&c, &hist, 2015, None, &out).unwrap();
    let names: Vec<String> = files
        .iter()
        .map(|f| {
            f.strip_prefix(&out)
                .unwrap()
                .to_string_lossy()
                .replace('\\', "/")
        })
        .collect();
    for want in [
        "测试市工业经济运行实绩考核(2015年).xlsx",
        "assessment.csv",
        "charts/甲考核得分.png",
        "charts/乙考核得分.png",
    ] {
        assert!(names.iter().any(|n| n == want), "{want} not in {names:?}");
    }
    assert_eq!(files.len(), 4);
    let csv = std::fs::read_to_string(out.join("assessment.csv")).unwrap();
    assert!(csv.starts_with(
        "\u{FEFF}year,through,group,unit,score,final_rank,periods\n2015,2015-03,甲,甲一,48.75,1,2\n"
    ));
    let png = std::fs::read(out.join("charts/甲考核得分.png")).unwrap();
    assert_eq!(&png[..8], b"\x89PNG\r\n\x1a\n");
    assert!(png.len() > 3000);

    let mut wb = open_workbook_auto(out.join("测试市工业经济运行实绩考核(2015年).xlsx")).unwrap();
    assert_eq!(
        wb.sheet_names(),
        vec!["考核结果".to_string(), "增加值".into(), "收入".into()]
    );
    let r = wb.worksheet_range("考核结果").unwrap();
    assert_eq!(cell_str(&r, 0, 0), "测试市工业经济运行实绩考核");
    assert_eq!(cell_str(&r, 1, 0), "年度考核:2015年1-2月至1-3月(共2期)");
    assert_eq!(cell_str(&r, 2, 3), "考核得分");
    assert_eq!(cell_str(&r, 3, 4), "1-2月");
    assert_eq!(cell_str(&r, 3, 5), "1-3月");
    // Row 5: 甲 / 1 / 甲一 / 48.75 / 49 / 48.5 / 97.5 / 2 / 3
    let row: Vec<String> = (0..9).map(|c| cell_str(&r, 4, c)).collect();
    assert_eq!(
        row,
        ["甲", "1", "甲一", "48.75", "49", "48.5", "97.5", "2", "3"]
    );
    assert_eq!(
        (cell_str(&r, 6, 1), cell_str(&r, 6, 2), cell_str(&r, 6, 3)),
        ("3".into(), "甲三".into(), "36".into())
    );
    assert_eq!(
        (cell_str(&r, 7, 0), cell_str(&r, 7, 2), cell_str(&r, 8, 2)),
        ("乙".into(), "乙二".into(), "乙一".into())
    );
    let all: Vec<String> = r
        .cells()
        .filter_map(|(_, _, c)| {
            if let Data::String(s) = c {
                Some(s.clone())
            } else {
                None
            }
        })
        .collect();
    assert!(
        all.iter().any(|s| s.starts_with("计分办法:争先进位计分法")
            && s.contains("增加值30分、收入20分")
            && s.contains("合计50分")),
        "{all:?}"
    );
    assert!(
        all.iter().any(|s| s.contains("权重×(1−0.05×(r−1))")),
        "{all:?}"
    );
    // Indicator sheet: rank matrix and points in official order; 未报 shown, 0 points.
    let r = wb.worksheet_range("收入").unwrap();
    assert_eq!(cell_str(&r, 2, 2), "增速位次");
    assert_eq!(cell_str(&r, 2, 4), "得分");
    assert_eq!(cell_str(&r, 2, 6), "累计得分");
    let row: Vec<String> = (1..7).map(|c| cell_str(&r, 6, c)).collect();
    assert_eq!(row, ["甲三", "未报", "3", "0", "18", "18"]);
    let row: Vec<String> = (1..7).map(|c| cell_str(&r, 4, c)).collect();
    assert_eq!(row, ["甲一", "2", "1", "19", "20", "39"]);

    // The quarterly review is named after its last month.
    let out = dir.path().join("reports").join("2015-02");
    let files = run(&c, &hist, 2015, Some(p("2015-02")), &out).unwrap();
    assert!(
        files
            .iter()
            .any(|f| f.ends_with("测试市工业经济运行实绩考核(2015年1-2月).xlsx")),
        "{files:?}"
    );
    let csv = std::fs::read_to_string(out.join("assessment.csv")).unwrap();
    assert!(csv.contains("\n2015,2015-02,甲,甲一,49.00,1,1\n"), "{csv}");
}

#[test]
fn assess_target_workbook_shows_targets_and_achievements() {
    let dir = tempfile::tempdir().unwrap();
    let hist = dir.path().join("history");
    store_all(&hist, &target_history());
    let c = cfg(&format!(
        "[assessment]\nscheme = \"target\"\nweights = {{ \"增加值\" = 60, \"收入\" = 40 }}\n{TARGETS}"
    ));
    let out = dir.path().join("out");
    run(&c, &hist, 2015, None, &out).unwrap();
    let mut wb = open_workbook_auto(out.join("测试市工业经济运行实绩考核(2015年).xlsx")).unwrap();
    let r = wb.worksheet_range("收入").unwrap();
    // 组别 单位 目标增速% 年度目标值 | 增速位次 ×2 | 同比增长% ×2 | 累计值 ×2 | 得分 ×2 | 累计得分
    let header: Vec<String> = (0..13).map(|c| cell_str(&r, 2, c)).collect();
    assert_eq!(
        header[..5],
        ["组别", "单位", "目标增速%", "年度目标值(万元)", "增速位次"]
    );
    assert_eq!(
        (
            header[6].as_str(),
            header[8].as_str(),
            header[10].as_str(),
            header[12].as_str()
        ),
        ("同比增长%", "累计值(万元)", "得分", "累计得分")
    );
    // 甲二: growth target 10, value 1200; 1-3月 12.0 / 299 → 0; 1-6月 10.0 / 600 → 40.
    let row: Vec<String> = (1..13).map(|c| cell_str(&r, 5, c)).collect();
    assert_eq!(
        row,
        [
            "甲二", "10", "1200", "1", "2", "12", "10", "299", "600", "0", "40", "40"
        ]
    );
}

#[test]
fn assess_many_units_split_charts_by_group() {
    let mut toml = String::from(
        "city=\"c\"\ntitle=\"t\"\n[[indicator]]\nname=\"A\"\n[assessment]\nweights={A=100}\n",
    );
    for i in 0..130 {
        toml.push_str(&format!("[[unit]]\nname=\"单位{i}\"\ngroup=\"大组\"\n"));
    }
    toml.push_str("[[unit]]\nname=\"小一\"\ngroup=\"小组\"\n");
    let c = Config::parse(&toml, "t.toml").unwrap();
    let names: Vec<String> = (0..130).map(|i| format!("单位{i}")).collect();
    let rows: Vec<(&str, &str, Option<u32>)> = names
        .iter()
        .enumerate()
        .map(|(i, n)| (n.as_str(), "A", Some(i as u32 + 1)))
        .collect();
    let mut h = ranks("2015-02", &rows);
    for r in h.rows.iter_mut() {
        r.group = Some("大组".into());
    }
    let dir = tempfile::tempdir().unwrap();
    history::store(&dir.path().join("h"), &h).unwrap();
    let out = dir.path().join("o");
    let files = run(&c, &dir.path().join("h"), 2015, None, &out).unwrap();
    let pngs: Vec<String> = files
        .iter()
        .filter(|f| f.extension().is_some_and(|e| e == "png"))
        .map(|f| f.file_name().unwrap().to_string_lossy().into_owned())
        .collect();
    assert_eq!(pngs.len(), 4, "{pngs:?}");
    for want in [
        "大组考核得分(1-60).png",
        "大组考核得分(61-120).png",
        "大组考核得分(121-130).png",
        "小组考核得分.png",
    ] {
        assert!(pngs.iter().any(|p| p == want), "{want} not in {pngs:?}");
    }
    let a = compute(&c, &dir.path().join("h"), 2015, None).unwrap();
    // Rank 21 and below earn 0; the zeros are ordered by their (last) 增速位次.
    assert_eq!(a.unit("单位20").unwrap().score, d("0"));
    assert_eq!(a.unit("单位129").unwrap().final_rank, 130);
    assert_eq!(a.unit("单位19").unwrap().score, d("5"));
    // 小一 has no row in the record: 0 points, warned.
    assert!(
        a.warnings.iter().any(|w| w.contains("小一(1-2月)")),
        "{:?}",
        a.warnings
    );
}
