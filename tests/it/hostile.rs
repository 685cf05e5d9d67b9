//! Broken and hostile input (SPEC §6): refused with the file named, never a panic, bounded time
//! and memory, nothing written.

use crate::common::*;
use std::io::Write;
use std::path::Path;
use std::time::{Duration, Instant};

fn check(root: &Path) -> (Option<i32>, String, Duration) {
    let t = Instant::now();
    let out = tongbao(root)
        .args(["check", "--period", "2015-07", "--allow-missing"])
        .output()
        .unwrap();
    (
        out.status.code(),
        stderr_of(&out) + &stdout_of(&out),
        t.elapsed(),
    )
}

fn month(root: &Path) -> std::path::PathBuf {
    root.join("data/2015-07")
}

#[test]
fn a_stray_cell_at_the_last_row_and_column_is_ignored() {
    let t = tempfile::tempdir().unwrap();
    let mut cells = canonical("舞阳县", "2015年1-7月", &rows_for(1.0));
    cells.push((1_048_575, 16_383, C::S("x")));
    write_xlsx(&month(t.path()).join("舞阳县.xlsx"), &[("月报", cells)]);
    let (code, out, took) = check(t.path());
    assert_eq!(code, Some(0), "{out}");
    assert!(
        out.contains(
            "舞阳县                        1000             900     6.0        1        1"
        ),
        "{out}"
    );
    assert!(took < Duration::from_secs(20), "{took:?}");
}

#[test]
fn a_cell_of_100000_characters_is_reported_short() {
    let t = tempfile::tempdir().unwrap();
    let mut cells = canonical("舞阳县", "2015年1-7月", &rows_for(1.0));
    cells.push((4, 3, C::S("PLACEHOLDER")));
    let path = month(t.path()).join("舞阳县.xlsx");
    write_xlsx(&path, &[("月报", cells)]);
    // Excel stops at 32,767 characters; a hostile file need not.
    rewrite_part(&path, "xl/sharedStrings.xml", |x| {
        x.replace("PLACEHOLDER", &("9".repeat(50_000) + &"字".repeat(50_000)))
    });
    let (code, out, _) = check(t.path());
    assert_eq!(code, Some(2), "{out}");
    let line = out
        .lines()
        .find(|l| l.contains("舞阳县.xlsx!月报!D5"))
        .expect(&out);
    assert!(
        line.contains("不是数字") && line.chars().count() < 200,
        "{line}"
    );
}

#[test]
fn a_zip_bomb_is_refused_before_inflating() {
    let t = tempfile::tempdir().unwrap();
    let path = month(t.path()).join("舞阳县.xlsx");
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    let mut z = zip::ZipWriter::new(std::fs::File::create(&path).unwrap());
    let opts = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    z.start_file("xl/worksheets/sheet1.xml", opts).unwrap();
    let zeros = vec![b' '; 1 << 20];
    for _ in 0..40 {
        z.write_all(&zeros).unwrap();
    }
    z.finish().unwrap();
    assert!(std::fs::metadata(&path).unwrap().len() < 1_000_000);
    let (code, out, _) = check(t.path());
    assert_eq!(code, Some(2), "{out}");
    assert!(out.contains("舞阳县.xlsx: 文件异常,疑似压缩炸弹"), "{out}");
}

#[test]
fn damaged_empty_and_foreign_files_are_named() {
    let t = tempfile::tempdir().unwrap();
    let dir = month(t.path());
    write_xlsx(
        &dir.join("临颍县.xlsx"),
        &[("月报", canonical("临颍县", "2015年1-7月", &rows_for(1.0)))],
    );
    let good = std::fs::read(dir.join("临颍县.xlsx")).unwrap();
    std::fs::write(dir.join("舞阳县.xlsx"), &good[..good.len() / 2]).unwrap();
    std::fs::write(dir.join("郾城区.xls"), b"").unwrap();
    std::fs::write(dir.join("源汇区.ods"), b"PK\x03\x04garbage").unwrap();
    std::fs::write(dir.join("说明.txt"), "not a spreadsheet, ignored").unwrap();
    let (code, out, _) = check(t.path());
    assert_eq!(code, Some(2), "{out}");
    for f in ["舞阳县.xlsx: ", "郾城区.xls: ", "源汇区.ods: "] {
        assert!(out.lines().any(|l| l.contains(f)), "{f} in {out}");
    }
    assert!(!out.contains("说明.txt"), "{out}");
    assert!(!out.contains("panicked"), "{out}");
}

#[test]
fn an_oversized_file_is_named_a_folder_skipped_and_a_link_followed() {
    let t = tempfile::tempdir().unwrap();
    let dir = month(t.path());
    // A sparse file past the 64 MB limit: refused from its size, never read.
    write_xlsx(
        &dir.join("临颍县.xlsx"),
        &[("月报", canonical("临颍县", "2015年1-7月", &rows_for(1.0)))],
    );
    std::fs::File::options()
        .write(true)
        .open(dir.join("临颍县.xlsx"))
        .unwrap()
        .set_len(65 * 1024 * 1024)
        .unwrap();
    std::fs::create_dir_all(dir.join("旧表.xlsx")).unwrap();
    let elsewhere = t.path().join("elsewhere/舞阳县.xlsx");
    write_xlsx(
        &elsewhere,
        &[("月报", canonical("舞阳县", "2015年1-7月", &rows_for(1.0)))],
    );
    #[cfg(unix)]
    std::os::unix::fs::symlink(&elsewhere, dir.join("舞阳县.xlsx")).unwrap();
    let (code, out, _) = check(t.path());
    assert_eq!(code, Some(2), "{out}");
    assert!(
        out.contains(
            "临颍县.xlsx: 文件过大 (file too large): 65 MB, a submission is at most 64 MB"
        ),
        "{out}"
    );
    assert!(!out.contains("旧表"), "{out}");
    // Without the oversized file: the linked workbook is read as its target.
    std::fs::remove_file(dir.join("临颍县.xlsx")).unwrap();
    let (code, out, _) = check(t.path());
    assert_eq!(code, Some(0), "{out}");
    #[cfg(unix)]
    assert!(out.contains("舞阳县                        1000"), "{out}");
}

#[test]
fn formulas_use_their_saved_result_or_are_named() {
    let t = tempfile::tempdir().unwrap();
    let path = month(t.path()).join("舞阳县.xlsx");
    let mut wb = rust_xlsxwriter::Workbook::new();
    let ws = wb.add_worksheet();
    ws.set_name("月报").unwrap();
    for (r, c, v) in canonical("舞阳县", "2015年1-7月", &rows_for(1.0)) {
        if let C::S(s) = v {
            ws.write_string(r, c, s).unwrap();
        } else if let C::T(s) = v {
            ws.write_string(r, c, s).unwrap();
        } else if let C::N(x) = v {
            ws.write_number(r, c, x).unwrap();
        }
    }
    ws.write_formula(
        3,
        3,
        rust_xlsxwriter::Formula::new("=400+600.5").set_result("1000.5"),
    )
    .unwrap();
    ws.write_formula(4, 3, rust_xlsxwriter::Formula::new("=SUM(C5:C5)*10"))
        .unwrap();
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    wb.save(&path).unwrap();
    // Remove the saved result of the second formula, as a program that writes no results does.
    rewrite_part(&path, "xl/worksheets/sheet1.xml", |x| {
        let i = x.find("<f>SUM(C5:C5)*10</f>").unwrap();
        let j = i + x[i..].find("</c>").unwrap();
        format!("{}<f>SUM(C5:C5)*10</f>{}", &x[..i], &x[j..])
    });
    let (code, out, _) = check(t.path());
    assert_eq!(code, Some(2), "{out}");
    assert!(
        out.contains("舞阳县.xlsx!月报!D5: 公式没有计算结果 (the formula =SUM(C5:C5)*10"),
        "{out}"
    );
    assert!(!out.contains("!D4"), "{out}");
}

#[test]
fn dates_and_logical_values_where_numbers_belong() {
    let t = tempfile::tempdir().unwrap();
    let path = month(t.path()).join("舞阳县.xlsx");
    let mut wb = rust_xlsxwriter::Workbook::new();
    let ws = wb.add_worksheet();
    ws.set_name("月报").unwrap();
    for (r, c, v) in canonical("舞阳县", "2015年1-7月", &rows_for(1.0)) {
        match v {
            C::S(s) => drop(ws.write_string(r, c, s).unwrap()),
            C::T(s) => drop(ws.write_string(r, c, s).unwrap()),
            C::N(x) => drop(ws.write_number(r, c, x).unwrap()),
            C::Pct(_) => {}
        }
    }
    let date = rust_xlsxwriter::ExcelDateTime::from_ymd(2015, 7, 1).unwrap();
    ws.write_datetime_with_format(
        5,
        3,
        &date,
        &rust_xlsxwriter::Format::new().set_num_format("yyyy-mm-dd"),
    )
    .unwrap();
    ws.write_boolean(6, 4, true).unwrap();
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    wb.save(&path).unwrap();
    let (code, out, _) = check(t.path());
    assert_eq!(code, Some(2), "{out}");
    assert!(
        out.contains("舞阳县.xlsx!月报!D6: 不是数字 (found a date"),
        "{out}"
    );
    assert!(
        out.contains("舞阳县.xlsx!月报!E7: 不是数字 (found the logical value true"),
        "{out}"
    );
}

#[test]
fn thousands_of_sheets_end_quickly_with_the_file_named() {
    let t = tempfile::tempdir().unwrap();
    let path = month(t.path()).join("舞阳县.xlsx");
    let mut wb = rust_xlsxwriter::Workbook::new();
    for _ in 0..2000 {
        wb.add_worksheet();
    }
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    wb.save(&path).unwrap();
    let (code, out, took) = check(t.path());
    assert_eq!(code, Some(2), "{out}");
    assert!(out.contains("舞阳县.xlsx: 找不到表头"), "{out}");
    assert!(took < Duration::from_secs(30), "{took:?}");
}

#[test]
fn a_corrupt_history_is_reported_and_left_alone() {
    let t = tempfile::tempdir().unwrap();
    full_month(t.path(), "2015-07", "2015年1-7月");
    let hist = t.path().join("data/history");
    std::fs::create_dir_all(&hist).unwrap();
    std::fs::write(hist.join("2015-06.parquet"), b"garbage").unwrap();
    let out = tongbao(t.path())
        .args(["run", "--period", "2015-07"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let e = stderr_of(&out);
    assert!(
        e.contains("2015-06.parquet") && e.contains("corrupt"),
        "{e}"
    );
    assert_eq!(
        std::fs::read(hist.join("2015-06.parquet")).unwrap(),
        b"garbage"
    );
    assert!(!t.path().join("reports").exists());
    assert!(!hist.join("2015-07.parquet").exists());

    // With a broken configuration as well, the configuration's error is the one reported
    // (it is loaded while the history is read), as bad input.
    std::fs::write(t.path().join("bad.toml"), "city = ").unwrap();
    let out = tongbao(t.path())
        .args(["run", "--period", "2015-07", "--config", "bad.toml"])
        .output()
        .unwrap();
    let e = stderr_of(&out);
    assert_eq!(out.status.code(), Some(2), "{e}");
    assert!(
        e.contains("bad.toml") && !e.contains("2015-06.parquet"),
        "{e}"
    );
    assert!(!t.path().join("reports").exists());

    // A corrupt record of the period being run is what the message's "re-run the period" is
    // for: the run does not read it, it replaces it.
    std::fs::remove_file(hist.join("2015-06.parquet")).unwrap();
    std::fs::write(hist.join("2015-07.parquet"), b"garbage").unwrap();
    let out = tongbao(t.path())
        .args(["run", "--period", "2015-07"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr_of(&out));
    let july = tongbao::history::load(&hist, "2015-07".parse().unwrap())
        .unwrap()
        .unwrap();
    assert_eq!(july.rows.len(), 4 * 9);
}

/// Found by the fuzzer: a cell reference whose row overflows inside calamine. The file is
/// reported as damaged, the other files' errors are still reported, no panic reaches the user.
#[test]
fn fuzz_finding_reader_library_overflow_is_a_file_error() {
    let t = tempfile::tempdir().unwrap();
    let dir = month(t.path());
    std::fs::create_dir_all(&dir).unwrap();
    let crash = std::fs::read(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/fuzz/calamine-row-overflow.xlsx"
    ))
    .unwrap();
    std::fs::write(dir.join("舞阳县.xlsx"), crash).unwrap();
    let mut cells = canonical("临颍县", "2015年1-7月", &rows_for(1.0));
    cells.push((4, 3, C::S("x")));
    write_xlsx(&dir.join("临颍县.xlsx"), &[("月报", cells)]);
    let (code, out, _) = check(t.path());
    assert_eq!(code, Some(2), "{out}");
    assert!(
        out.lines().any(|l| l.contains("舞阳县.xlsx")
            && (l.contains("文件损坏") || l.contains("找不到表头") || l.contains("工作表"))),
        "{out}"
    );
    assert!(out.contains("临颍县.xlsx!月报!D5: 不是数字"), "{out}");
    assert!(!out.contains("panicked"), "{out}");
}

/// Check a fuzz finding kept in tests/fixtures/fuzz/, laid in as `汇总.xls`: refused with
/// `expected` in the file's message, exit code 2, quickly.
fn refused_fixture(fixture: &str, expected: &str) {
    let t = tempfile::tempdir().unwrap();
    let dir = month(t.path());
    std::fs::create_dir_all(&dir).unwrap();
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/fuzz")
        .join(fixture);
    std::fs::write(dir.join("汇总.xls"), std::fs::read(path).unwrap()).unwrap();
    let (code, out, took) = check(t.path());
    assert_eq!(code, Some(2), "{out}");
    assert!(out.contains(&format!("汇总.xls: {expected}")), "{out}");
    assert!(took < Duration::from_secs(10), "{took:?}");
}

/// Found by the fuzzer: an .xls whose sector chain loops made the reader library grow a buffer
/// without end (24 GB before it was stopped). Refused up front.
#[test]
fn fuzz_finding_looping_xls_sector_chain_is_refused() {
    refused_fixture("xls-looping-sector-chain.xls", "文件损坏 (damaged .xls");
}

/// Found by the fuzzer: an .xls cell record at column 25,856 made the reader library allocate
/// the whole rectangle (54 GB) when opening the file. Refused before it is opened.
#[test]
fn fuzz_finding_xls_cell_far_outside_the_window_is_refused() {
    refused_fixture(
        "xls-cell-at-column-25856.xls",
        "工作表范围异常 (a cell at row 65285, column 25856",
    );
}

/// Found by the fuzzer: an .xls DIMENSIONS record declaring billions of cells made the reader
/// library reserve 2 TB up front. Refused before it is opened.
#[test]
fn fuzz_finding_xls_absurd_dimensions_are_refused() {
    refused_fixture(
        "xls-dimensions-2-terabytes.xls",
        "工作表范围异常 (the sheet declares",
    );
}

/// Found by the fuzzer: a sheet whose BOUNDSHEET offset points into the middle of a record,
/// where a DIMENSIONS record the record-by-record scan never sees makes the reader library
/// reserve 602 TB (its row count wraps around). Each sheet is now also checked from its own
/// offset, with the reader's own arithmetic.
#[test]
fn fuzz_finding_xls_dimensions_at_a_sheet_offset_are_refused() {
    refused_fixture(
        "xls-dimensions-at-a-sheet-offset.xls",
        "工作表范围异常 (the sheet declares",
    );
}

/// Found by the fuzzer: an .xls whose directory sits in the last sector, cut short by the end of
/// the file. The reader library reads what is there (and then a cell at column 58,551 made it
/// allocate 64 GB); the guard skipped the partial sector and so never saw the cells. It now
/// reads partial sectors too.
#[test]
fn fuzz_finding_xls_directory_in_a_short_last_sector_is_refused() {
    refused_fixture(
        "xls-directory-in-a-short-last-sector.xls",
        "工作表范围异常 (a cell at row 34278, column 58551",
    );
}
