//! Issue 6: a template filled in is read back exactly — also after LibreOffice has saved it
//! again as .xlsx, .ods and .xls, as a real client rewrites the file.

use crate::common::*;
use rust_decimal::Decimal;
use std::path::Path;
use std::str::FromStr;
use tongbao::Config;
use tongbao::ingest::{Options, ingest};

/// Put a number into an empty styled cell of the first sheet, as a clerk typing it would.
fn fill(path: &Path, values: &[(String, String)]) {
    rewrite_part(path, "xl/worksheets/sheet1.xml", |mut x| {
        for (cell, v) in values {
            let start = x
                .find(&format!("<c r=\"{cell}\" "))
                .unwrap_or_else(|| panic!("{cell}"));
            let end = start + x[start..].find("/>").unwrap();
            let attrs = x[start..end].to_string();
            x.replace_range(start..end + 2, &format!("{attrs}><v>{v}</v></c>"));
        }
        x
    });
}

/// What each unit k fills: (cell, value) for rows 4..7, columns C..F.
fn numbers(k: usize) -> Vec<(String, String)> {
    let k = k as f64 + 1.0;
    let mut v = Vec::new();
    for (row, (m, val, base, g)) in [
        (
            4,
            (1234.5 * k, 9876.5 * k, 9000.25 * k, Some(7.5 + k / 10.0)),
        ),
        (5, (5000.0 * k, 45678.9 * k, 43210.1 * k, None)),
        (6, (-12.3 * k, 2345.6 * k, -1000.0 * k, None)),
        (7, (88.8 * k, 1111.1 * k, 999.9 * k, None)),
    ] {
        let r = |x: f64| format!("{}", (x * 100.0).round() / 100.0);
        v.push((format!("C{row}"), r(m)));
        v.push((format!("D{row}"), r(val)));
        v.push((format!("E{row}"), r(base)));
        if let Some(g) = g {
            v.push((format!("F{row}"), r(g)));
        }
    }
    v
}

fn assert_read_back(dir: &Path, what: &str) {
    let cfg = Config::default_city();
    let ing = ingest(&cfg, "2015-08".parse().unwrap(), dir, &Options::default())
        .unwrap_or_else(|e| panic!("{what}: {e}"));
    assert_eq!(ing.submissions.len(), 8, "{what}");
    for s in &ing.submissions {
        let expected = numbers(s.unit);
        for (cell, v) in expected {
            let row: usize = cell[1..].parse().unwrap();
            let r = &s.readings[row - 4];
            let f = match &cell[..1] {
                "C" => &r.month,
                "D" => &r.value,
                "E" => &r.base,
                _ => &r.growth,
            };
            assert_eq!(
                f.as_ref().map(|f| f.value),
                Some(Decimal::from_str(&v).unwrap()),
                "{what}: {} {cell}",
                cfg.units[s.unit].name
            );
        }
    }
}

#[test]
fn filled_templates_are_read_back_exactly() {
    let t = tempfile::tempdir().unwrap();
    let out = tongbao(t.path())
        .args(["template", "--period", "2015-08", "--out", "tpl"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr_of(&out));
    let files = tree(&t.path().join("tpl"));
    assert_eq!(files.len(), 8);
    assert!(
        files.contains(&"经济技术开发区_2015年1-8月.xlsx".to_string()),
        "{files:?}"
    );
    let dir = t.path().join("data/2015-08");
    std::fs::create_dir_all(&dir).unwrap();
    let cfg = Config::default_city();
    for (k, u) in cfg.units.iter().enumerate() {
        let name = format!("{}_2015年1-8月.xlsx", u.name);
        std::fs::copy(t.path().join("tpl").join(&name), dir.join(&name)).unwrap();
        fill(&dir.join(&name), &numbers(k));
    }
    assert_read_back(&dir, "xlsx as filled");
    let out = tongbao(t.path())
        .args(["run", "--period", "2015-08"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr_of(&out));

    // LibreOffice rewrites the files as a real client would.
    if std::process::Command::new("soffice")
        .arg("--version")
        .output()
        .is_err()
    {
        eprintln!(
            "SKIPPED: LibreOffice (soffice) is not installed; the .ods/.xls round trip was not tested"
        );
        return;
    }
    let inputs: Vec<String> = tree(&dir)
        .into_iter()
        .map(|f| dir.join(f).display().to_string())
        .collect();
    for (fmt, filter) in [
        ("xlsx", "xlsx:Calc MS Excel 2007 XML"),
        ("ods", "ods"),
        ("xls", "xls:MS Excel 97"),
    ] {
        let outdir = t.path().join(format!("lo-{fmt}/2015-08"));
        let profile = format!(
            "-env:UserInstallation=file://{}/lo-profile",
            t.path().display()
        );
        let st = std::process::Command::new("soffice")
            .args([
                profile.as_str(),
                "--headless",
                "--convert-to",
                filter,
                "--outdir",
            ])
            .arg(&outdir)
            .args(&inputs)
            .output()
            .unwrap();
        assert!(
            st.status.success(),
            "{}",
            String::from_utf8_lossy(&st.stderr)
        );
        assert_eq!(tree(&outdir).len(), 8, "{fmt}: {:?}", tree(&outdir));
        assert_read_back(&outdir, fmt);
    }
}

#[test]
fn percent_formatted_growth_read_as_shown_in_xlsx_and_ods() {
    let t = tempfile::tempdir().unwrap();
    let src = t.path().join("src/舞阳县.xlsx");
    let mut cells = canonical("舞阳县", "2015年1-7月", &rows_for(1.0));
    cells.retain(|(r, c, _)| !(*r == 3 && *c == 5));
    cells.push((3, 5, C::Pct(0.092)));
    write_xlsx(&src, &[("月报", cells)]);
    let cfg = Config::default_city();
    let growth = |dir: &Path| {
        let ing = ingest(
            &cfg,
            "2015-07".parse().unwrap(),
            dir,
            &Options {
                allow_missing: true,
            },
        )
        .unwrap();
        ing.submissions[0].readings[0]
            .growth
            .as_ref()
            .map(|f| f.value)
    };
    assert_eq!(
        growth(&t.path().join("src")),
        Some(Decimal::from_str("9.2").unwrap())
    );
    if std::process::Command::new("soffice")
        .arg("--version")
        .output()
        .is_err()
    {
        eprintln!(
            "SKIPPED: LibreOffice (soffice) is not installed; the .ods percent cell was not tested"
        );
        return;
    }
    let profile = format!(
        "-env:UserInstallation=file://{}/lo-profile",
        t.path().display()
    );
    for (fmt, filter) in [("ods", "ods"), ("xlsx", "xlsx:Calc MS Excel 2007 XML")] {
        let out = t.path().join(fmt);
        let st = std::process::Command::new("soffice")
            .args([
                profile.as_str(),
                "--headless",
                "--convert-to",
                filter,
                "--outdir",
            ])
            .arg(&out)
            .arg(&src)
            .output()
            .unwrap();
        assert!(st.status.success());
        assert_eq!(
            growth(&out),
            Some(Decimal::from_str("9.2").unwrap()),
            "{fmt}"
        );
    }
}
