//! Fixtures written by code: small workbooks in the layouts of SPEC §2.

use assert_cmd::Command;
use rust_xlsxwriter::{Format, Workbook};
use std::path::{Path, PathBuf};

#[derive(Clone, Debug)]
pub enum C {
    N(f64),
    S(&'static str),
    T(String),
    /// A number shown with a percent format (0.092 shows 9.2%).
    Pct(f64),
}

/// Cells of a sheet: (row, col, value), zero-based.
pub type Cells = Vec<(u32, u16, C)>;

pub fn write_xlsx(path: &Path, sheets: &[(&str, Cells)]) {
    let mut wb = Workbook::new();
    let pct = Format::new().set_num_format("0.0%");
    for (name, cells) in sheets {
        let ws = wb.add_worksheet();
        ws.set_name(*name).unwrap();
        for (r, c, v) in cells {
            match v {
                C::N(x) => ws.write_number(*r, *c, *x).map(|_| ()).unwrap(),
                C::S(s) => ws.write_string(*r, *c, *s).map(|_| ()).unwrap(),
                C::T(s) => ws.write_string(*r, *c, s).map(|_| ()).unwrap(),
                C::Pct(x) => ws
                    .write_number_with_format(*r, *c, *x, &pct)
                    .map(|_| ())
                    .unwrap(),
            }
        }
    }
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    wb.save(path).unwrap();
}

/// One indicator row of a canonical submission: name, 本月, 累计, 上年同期, 同比增长.
pub type Row = (
    &'static str,
    Option<f64>,
    Option<f64>,
    Option<f64>,
    Option<f64>,
);

/// The canonical layout of SPEC §2.1.
pub fn canonical(unit: &str, period_label: &str, rows: &[Row]) -> Cells {
    let mut cells: Cells = vec![
        (0, 0, C::S("漯河市规模以上工业主要指标月报表")),
        (1, 0, C::T(format!("填报单位:{unit}"))),
        (1, 2, C::T(format!("报告期:{period_label}"))),
        (1, 4, C::S("单位:万元、%")),
        (2, 0, C::S("指标名称")),
        (2, 1, C::S("计量单位")),
        (2, 2, C::S("本月")),
        (2, 3, C::S("1-本月累计")),
        (2, 4, C::S("上年同期累计")),
        (2, 5, C::S("同比增长(%)")),
    ];
    for (i, (name, m, v, b, g)) in rows.iter().enumerate() {
        let r = 3 + i as u32;
        cells.push((r, 0, C::S(name)));
        cells.push((r, 1, C::S("万元")));
        for (c, x) in [(2u16, m), (3, v), (4, b), (5, g)] {
            if let Some(x) = x {
                cells.push((r, c, C::N(*x)));
            }
        }
    }
    cells.push((8, 0, C::S("填表人:王某某    联系电话:0395-0000000")));
    cells
}

/// Four indicator rows with simple numbers derived from `k`, so every unit differs.
pub fn rows_for(k: f64) -> Vec<Row> {
    vec![
        (
            "规模以上工业增加值",
            Some(100.0 * k),
            Some(1000.0 * k),
            Some(900.0 * k),
            Some(5.0 + k),
        ),
        (
            "主营业务收入",
            Some(500.0 * k),
            Some(5000.0 * k),
            Some(4600.0 * k + 10.0),
            None,
        ),
        (
            "利润总额",
            Some(30.0 * k),
            Some(300.0 * k),
            Some(270.0 * k),
            None,
        ),
        (
            "工业税收",
            Some(12.0 * k),
            Some(120.0 * k),
            Some(110.0 * k + 1.0),
            None,
        ),
    ]
}

pub const UNITS: [&str; 8] = [
    "临颍县",
    "舞阳县",
    "郾城区",
    "源汇区",
    "召陵区",
    "经济技术开发区",
    "城乡一体化示范区",
    "西城区",
];

/// A complete, valid month for the default city in `root/data/<period>/`.
pub fn full_month(root: &Path, period: &str, label: &str) -> PathBuf {
    let dir = root.join("data").join(period);
    for (i, u) in UNITS.iter().enumerate() {
        write_xlsx(
            &dir.join(format!("{period}{u}.xlsx")),
            &[("月报", canonical(u, label, &rows_for(i as f64 + 1.0)))],
        );
    }
    dir
}

pub fn tongbao(root: &Path) -> Command {
    let mut c = Command::cargo_bin("tongbao").unwrap();
    c.current_dir(root);
    c
}

pub fn stderr_of(out: &std::process::Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

pub fn stdout_of(out: &std::process::Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// Every file under a folder (relative), sorted, to prove nothing was written.
pub fn tree(dir: &Path) -> Vec<String> {
    let mut out = Vec::new();
    fn walk(base: &Path, d: &Path, out: &mut Vec<String>) {
        if let Ok(rd) = std::fs::read_dir(d) {
            for e in rd.flatten() {
                let p = e.path();
                if p.is_dir() {
                    walk(base, &p, out);
                } else {
                    out.push(p.strip_prefix(base).unwrap().display().to_string());
                }
            }
        }
    }
    walk(dir, dir, &mut out);
    out.sort();
    out
}

/// Rewrite one part of an xlsx package.
pub fn rewrite_part(path: &Path, part: &str, f: impl Fn(String) -> String) {
    let bytes = std::fs::read(path).unwrap();
    let mut zin = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
    use std::io::Write;
    let mut out = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    for i in 0..zin.len() {
        let mut e = zin.by_index(i).unwrap();
        let name = e.name().unwrap().to_string();
        let mut data = Vec::new();
        std::io::Read::read_to_end(&mut e, &mut data).unwrap();
        if name == part {
            data = f(String::from_utf8(data).unwrap()).into_bytes();
        }
        out.start_file(name, zip::write::SimpleFileOptions::default())
            .unwrap();
        out.write_all(&data).unwrap();
    }
    std::fs::write(path, out.finish().unwrap().into_inner()).unwrap();
}
