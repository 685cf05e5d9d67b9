//! Nothing lost (SPEC §6): a run killed at any point leaves the previous outputs and history
//! intact and readable; two runs at once never corrupt the history.

use crate::common::*;
use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

fn bin() -> String {
    assert_cmd::cargo::cargo_bin("tongbao")
        .display()
        .to_string()
}

/// Every output of 2015-07 and its history record are complete and readable.
fn assert_intact(root: &Path, csv: &str) {
    let rep = root.join("reports/2015-07");
    assert_eq!(
        std::fs::read_to_string(rep.join("rankings.csv")).unwrap(),
        csv
    );
    let xlsx = rep.join("漯河市工业经济运行月度通报(2015年1-7月).xlsx");
    let wb: Result<calamine::Sheets<_>, _> = calamine::open_workbook_auto(&xlsx);
    let mut wb = wb.unwrap_or_else(|e| panic!("bulletin unreadable: {e}"));
    use calamine::Reader;
    assert!(wb.worksheet_range("排序总表").is_ok());
    let hist = tongbao::history::load(&root.join("data/history"), "2015-07".parse().unwrap())
        .unwrap()
        .unwrap();
    assert_eq!(hist.rows.len(), 4 * 9);
    for png in tree(&rep.join("charts")) {
        let bytes = std::fs::read(rep.join("charts").join(&png)).unwrap();
        assert!(
            bytes.starts_with(b"\x89PNG") && bytes.ends_with(&[0xAE, 0x42, 0x60, 0x82]),
            "{png} truncated"
        );
    }
}

#[test]
fn a_run_killed_at_any_point_loses_nothing() {
    let t = tempfile::tempdir().unwrap();
    full_month(t.path(), "2015-07", "2015年1-7月");
    let out = tongbao(t.path()).args(["run"]).output().unwrap();
    assert!(out.status.success(), "{}", stderr_of(&out));
    let csv = std::fs::read_to_string(t.path().join("reports/2015-07/rankings.csv")).unwrap();
    // How long a whole run takes here, to spread the kills over it.
    let start = Instant::now();
    assert!(
        Command::new(bin())
            .arg("run")
            .current_dir(t.path())
            .status()
            .unwrap()
            .success()
    );
    let whole = start.elapsed();
    let steps = 12;
    for k in 0..steps {
        let delay = whole.mul_f64(k as f64 / steps as f64);
        let mut child = Command::new(bin())
            .arg("run")
            .current_dir(t.path())
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(delay);
        let _ = child.kill(); // SIGKILL
        let _ = child.wait();
        assert_intact(t.path(), &csv);
    }
    // A later run cleans what the killed ones left in the staging folders.
    assert!(
        Command::new(bin())
            .arg("run")
            .current_dir(t.path())
            .output()
            .unwrap()
            .status
            .success()
    );
    let left: Vec<String> = tree(&t.path().join("reports"))
        .into_iter()
        .filter(|f| f.contains("staging"))
        .collect();
    assert!(left.is_empty(), "{left:?}");
    assert_intact(t.path(), &csv);
}

#[test]
fn two_runs_at_once_share_the_history_safely() {
    let t = tempfile::tempdir().unwrap();
    full_month(t.path(), "2015-06", "2015年1-6月");
    full_month(t.path(), "2015-07", "2015年1-7月");
    let spawn = |p: &str| {
        Command::new(bin())
            .args(["run", "--period", p])
            .current_dir(t.path())
            .output()
    };
    let deadline = Instant::now() + Duration::from_secs(120);
    let a = std::thread::scope(|s| {
        let h1 = s.spawn(|| spawn("2015-07"));
        let h2 = s.spawn(|| spawn("2015-07"));
        let h3 = s.spawn(|| spawn("2015-06"));
        [
            h1.join().unwrap().unwrap(),
            h2.join().unwrap().unwrap(),
            h3.join().unwrap().unwrap(),
        ]
    });
    assert!(Instant::now() < deadline);
    for o in &a {
        assert!(o.status.success(), "{}", stderr_of(o));
    }
    let hist = t.path().join("data/history");
    let files: Vec<String> = tree(&hist)
        .into_iter()
        .filter(|f| f.ends_with(".parquet"))
        .collect();
    assert_eq!(files, vec!["2015-06.parquet", "2015-07.parquet"]);
    assert_eq!(tongbao::history::load_year(&hist, 2015).unwrap().len(), 2);
}
