//! What an office PC makes (issue 19): sample submissions saved as CSV the way Excel saves them
//! on a Chinese PC (GBK, or UTF-8 with a BOM) give the same rankings as the workbooks; a WPS
//! `.et` or a `.pdf` named after a unit is an error saying 另存为 .xlsx, not a silent skip.

use crate::common::*;
use calamine::{DataRef, Reader, Xlsx, open_workbook};
use std::path::{Path, PathBuf};

fn sample(period: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("data")
        .join(period)
}

/// A number as Excel shows it in a cell of format `code` (and so writes it into a csv):
/// `#,##0.0` → `12,345.6`, `0.0%` → `10.7%`, General → as typed.
fn shown(v: f64, code: Option<&str>) -> String {
    let Some(code) = code.filter(|c| !c.eq_ignore_ascii_case("general")) else {
        return format!("{v}");
    };
    let percent = code.contains('%');
    let v = if percent { v * 100.0 } else { v };
    let decimals = code
        .split_once('.')
        .map_or(0, |(_, d)| d.chars().take_while(|c| *c == '0').count());
    let s = format!("{:.*}", decimals, v.abs());
    let (int, frac) = s.split_once('.').map_or((s.as_str(), ""), |(i, f)| (i, f));
    let mut grouped = String::new();
    for (i, ch) in int.chars().enumerate() {
        if code.contains(',') && i > 0 && (int.len() - i) % 3 == 0 {
            grouped.push(',');
        }
        grouped.push(ch);
    }
    format!(
        "{}{grouped}{}{frac}{}",
        if v < 0.0 { "-" } else { "" },
        if frac.is_empty() { "" } else { "." },
        if percent { "%" } else { "" }
    )
}

/// The first sheet with cells of an xlsx as Excel's "save as CSV" writes it: the displayed
/// text of every cell of the rectangle from A1 to the last used cell, CRLF line ends,
/// fields with a comma or a quote quoted.
fn as_csv_text(xlsx: &Path) -> String {
    let mut wb: Xlsx<_> = open_workbook(xlsx).unwrap();
    let mut rows: Vec<Vec<String>> = Vec::new();
    for sheet in wb.sheet_names() {
        let mut reader = wb.worksheet_cells_reader(&sheet).unwrap();
        let formats: Vec<Option<String>> = reader
            .styles()
            .iter()
            .map(|s| s.number_format.as_ref().map(|n| n.format_code.clone()))
            .collect();
        while let Some((cell, style)) = reader.next_cell_with_style_id().unwrap() {
            let (r, c) = cell.get_position();
            let code = formats.get(style).cloned().flatten();
            let text = match cell.get_value() {
                DataRef::Empty => continue,
                DataRef::String(s) => s.clone(),
                DataRef::SharedString(s) => s.to_string(),
                DataRef::Float(f) => shown(*f, code.as_deref()),
                DataRef::Int(i) => shown(*i as f64, code.as_deref()),
                other => panic!("{}: unexpected cell {other:?}", xlsx.display()),
            };
            let (r, c) = (r as usize, c as usize);
            if rows.len() <= r {
                rows.resize(r + 1, Vec::new());
            }
            if rows[r].len() <= c {
                rows[r].resize(c + 1, String::new());
            }
            rows[r][c] = text;
        }
        if !rows.is_empty() {
            break;
        }
    }
    let width = rows.iter().map(Vec::len).max().unwrap();
    let mut w = csv::WriterBuilder::new()
        .terminator(csv::Terminator::CRLF)
        .from_writer(Vec::new());
    for mut row in rows {
        row.resize(width, String::new());
        w.write_record(&row).unwrap();
    }
    String::from_utf8(w.into_inner().unwrap()).unwrap()
}

#[derive(Clone, Copy)]
pub enum Saved {
    /// Excel's "CSV (逗号分隔)" on a code-page-936 PC.
    Gbk,
    /// Excel's "CSV UTF-8".
    Utf8Bom,
}

/// The sample month `period` under `root/data/`, with each of `csv` (a file name of the
/// sample) replaced by a csv of the same name saved as `Saved`.
pub fn month(root: &Path, period: &str, csv: &[(&str, Saved)]) {
    let dir = root.join("data").join(period);
    std::fs::create_dir_all(&dir).unwrap();
    for e in std::fs::read_dir(sample(period)).unwrap() {
        let p = e.unwrap().path();
        let name = p.file_name().unwrap().to_str().unwrap().to_string();
        match csv.iter().find(|(n, _)| *n == name) {
            None => {
                std::fs::copy(&p, dir.join(&name)).unwrap();
            }
            Some((_, saved)) => {
                let text = as_csv_text(&p);
                let bytes = match saved {
                    Saved::Gbk => {
                        let (b, _, unmappable) = encoding_rs::GBK.encode(&text);
                        assert!(!unmappable, "{name}: not all of it is GBK");
                        assert!(
                            std::str::from_utf8(&b).is_err(),
                            "{name}: GBK bytes expected"
                        );
                        b.into_owned()
                    }
                    Saved::Utf8Bom => [b"\xEF\xBB\xBF".as_slice(), text.as_bytes()].concat(),
                };
                std::fs::write(dir.join(name.replace(".xlsx", ".csv")), bytes).unwrap();
            }
        }
    }
}

fn rankings(root: &Path, period: &str) -> Vec<u8> {
    let out = tongbao(root)
        .args(["run", "--period", period])
        .output()
        .unwrap();
    assert!(out.status.success(), "{period}: {}", stderr_of(&out));
    std::fs::read(root.join("reports").join(period).join("rankings.csv")).unwrap()
}

/// The rankings of the sample month with `csv` saved as csv, and of the month as it is.
fn same_rankings(period: &str, csv: &[(&str, Saved)]) {
    let (xlsx, with_csv) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    month(xlsx.path(), period, &[]);
    month(with_csv.path(), period, csv);
    let files = tree(&with_csv.path().join("data").join(period));
    assert_eq!(
        files.iter().filter(|f| f.ends_with(".csv")).count(),
        csv.len(),
        "{files:?}"
    );
    let expected = rankings(xlsx.path(), period);
    assert!(expected.len() > 1000);
    assert_eq!(
        String::from_utf8(rankings(with_csv.path(), period)).unwrap(),
        String::from_utf8(expected).unwrap()
    );
}

#[test]
fn excel_display_of_numbers() {
    assert_eq!(shown(48300.4, Some("#,##0.0")), "48,300.4");
    assert_eq!(shown(-1234567.0, Some("#,##0.0")), "-1,234,567.0");
    assert_eq!(shown(512.0, Some("#,##0.0")), "512.0");
    assert_eq!(shown(0.107, Some("0.0%")), "10.7%");
    assert_eq!(shown(433333.1, None), "433333.1");
}

/// 临颍县's numbers written as text (`48,300.4`, ` 433333.1 `) in GBK; 西城区 (tied first in
/// 功能区 for value added) in UTF-8 with a BOM.
#[test]
fn a_month_with_gbk_and_utf8_bom_csv_submissions_ranks_as_the_workbooks() {
    same_rankings(
        "2015-10",
        &[
            ("2015-10临颍县.xlsx", Saved::Gbk),
            ("2015-10西城区.xlsx", Saved::Utf8Bom),
        ],
    );
}

/// Growths shown as percents (`10.7%` from a cell holding 0.107) and the unit named only in
/// the file name's `<unit><YYYY>年<M>月报表` form.
#[test]
fn percent_cells_and_unit_file_names_survive_the_csv() {
    same_rankings(
        "2015-12",
        &[
            ("2015-12召陵区.xlsx", Saved::Gbk),
            ("舞阳县2015年12月报表.xlsx", Saved::Utf8Bom),
        ],
    );
}

/// The consolidated workbook (merged indicator headers, a 全市 row) saved as csv.
#[test]
fn a_consolidated_table_saved_as_csv_ranks_as_the_workbook() {
    same_rankings("2015-05", &[("2015-05汇总.xlsx", Saved::Gbk)]);
}

#[test]
fn wps_and_pdf_files_named_after_units_are_errors_saying_save_as_xlsx() {
    let t = tempfile::tempdir().unwrap();
    let dir = full_month(t.path(), "2015-07", "2015年1-7月");
    std::fs::remove_file(dir.join("2015-07舞阳县.xlsx")).unwrap();
    std::fs::remove_file(dir.join("2015-07召陵区.xlsx")).unwrap();
    std::fs::write(dir.join("舞阳县.et"), b"\xD0\xCF\x11\xE0 any bytes").unwrap();
    std::fs::write(dir.join("召陵区.pdf"), b"%PDF-1.4").unwrap();
    std::fs::write(dir.join("说明.txt"), "各县区报表说明").unwrap();
    let before = tree(t.path());
    for allow_missing in [false, true] {
        let mut args = vec!["run", "--period", "2015-07"];
        if allow_missing {
            args.push("--allow-missing");
        }
        let out = tongbao(t.path()).args(&args).output().unwrap();
        let err = stderr_of(&out);
        assert_eq!(out.status.code(), Some(2), "{err}");
        let line = |file: &str| {
            err.lines()
                .find(|l| l.contains(&format!("{file}: ")))
                .unwrap_or_else(|| panic!("{file} not named: {err}"))
                .to_string()
        };
        let et = line("舞阳县.et");
        assert!(
            et.contains("WPS 表格文件无法读取")
                && et.contains("请在 WPS 中“另存为” Excel 工作簿 (.xlsx) 后放回文件夹"),
            "{et}"
        );
        let pdf = line("召陵区.pdf");
        assert!(
            pdf.contains("a .pdf file cannot be read; its name says it is 召陵区's submission")
                && pdf.contains("“另存为” Excel 工作簿 (.xlsx)"),
            "{pdf}"
        );
        assert!(!err.contains("说明.txt"), "{err}");
        // The missing units are still listed, or with --allow-missing only marked.
        assert_eq!(
            err.contains("missing submissions from 2 unit(s)): 舞阳县、召陵区"),
            !allow_missing,
            "{err}"
        );
        assert_eq!(tree(t.path()), before, "nothing may be written on error");
    }
}
