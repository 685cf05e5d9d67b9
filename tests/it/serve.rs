//! `tongbao serve` over a real socket: a month uploaded and run, refused files, names, the
//! body limit, concurrent uploads and runs, warnings.

use crate::common::{C, UNITS, canonical, rows_for, write_xlsx};
use crate::server::*;
use std::io::{Read, Write};
use std::time::Duration;

#[test]
fn a_month_uploaded_file_by_file_and_run_equals_the_cli() {
    let t = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(t.path().join("data")).unwrap();
    let s = Server::start(t.path(), "127.0.0.1:0", &[]);
    let a = agent();
    let api = format!("{}api/periods/2015-07", s.base);
    let (code, v) = get_json(&a, &api);
    assert_eq!(code, 200);
    assert_eq!(v["label"], "2015年1-7月");
    assert!(UNITS.iter().all(|u| state_of(&v, u) == "未报"), "{v}");
    assert_eq!(v["ready"], false);
    let files = sample("2015-07");
    assert_eq!(files.len(), 8);
    for (i, (name, bytes)) in files.iter().enumerate() {
        let (code, r) = upload(&a, &format!("{api}/files"), &[(name, bytes)]);
        assert_eq!(code, 200, "{name}: {r}");
        let unit = r["accepted"][0]["units"][0].as_str().unwrap().to_string();
        assert_eq!(r["accepted"][0]["file"], name.as_str());
        assert_eq!(r["accepted"][0]["stored"], format!("{unit}.xlsx"));
        assert!(name.contains(&unit));
        let (_, v) = get_json(&a, &api);
        assert_eq!(state_of(&v, &unit), "已报", "{v}");
        let reported = v["units"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|u| u["state"] == "已报")
            .count();
        assert_eq!(reported, i + 1, "{v}");
    }
    let (_, v) = get_json(&a, &api);
    assert_eq!(v["ready"], true, "{v}");
    let (code, r) = post_json(&a, &format!("{api}/run"), "");
    assert_eq!(code, 200, "{r}");
    assert_eq!(r["ok"], true);
    assert!(
        r["files"]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f == "2015-07/rankings.csv"),
        "{r}"
    );

    // The CLI on the same folder: rankings.csv byte for byte, the workbook cell for cell.
    let folder = t.path().join("data/2015-07");
    assert_eq!(files_in(&folder).len(), 8);
    let cli = cli_run(t.path(), &folder, "2015-07");
    let served = t.path().join("reports/2015-07");
    let csv = std::fs::read(served.join("rankings.csv")).unwrap();
    assert_eq!(csv, std::fs::read(cli.join("rankings.csv")).unwrap());
    let xlsx = "漯河市工业经济运行月度通报(2015年1-7月).xlsx";
    let cells = workbook_cells(&served.join(xlsx));
    assert_eq!(
        cells.len(),
        7,
        "{:?}",
        cells.iter().map(|c| &c.0).collect::<Vec<_>>()
    );
    assert_eq!(cells, workbook_cells(&cli.join(xlsx)));
    assert_eq!(
        files_in(&served.join("charts")),
        files_in(&cli.join("charts"))
    );

    // The outputs are served, byte for byte.
    let mut r = a
        .get(&format!("{}reports/2015-07/rankings.csv", s.base))
        .call()
        .unwrap();
    assert_eq!(r.status().as_u16(), 200);
    assert_eq!(r.body_mut().read_to_vec().unwrap(), csv);
    let (_, v) = get_json(&a, &api);
    assert!(
        v["outputs"]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f == &format!("2015-07/{xlsx}")),
        "{v}"
    );
    for bad in [
        "reports/2015-07/../../data/2015-07/临颍县.xlsx",
        "reports/%2e%2e/data/2015-07/临颍县.xlsx",
        "reports/2015-07/nothing.csv",
    ] {
        let r = a.get(&format!("{}{bad}", s.base)).call().unwrap();
        assert_eq!(r.status().as_u16(), 404, "{bad}");
    }

    // The year's assessment from what was recorded.
    let (code, r) = post_json(&a, &format!("{}api/assess/2015", s.base), "");
    assert_eq!(code, 200, "{r}");
    assert!(
        r["files"]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f == "2015/assessment.csv"),
        "{r}"
    );
    assert!(t.path().join("reports/2015/assessment.csv").is_file());
}

#[test]
fn a_refused_file_gets_422_with_its_cell_and_is_not_kept() {
    let t = tempfile::tempdir().unwrap();
    let folder = t.path().join("data/2015-07");
    std::fs::create_dir_all(&folder).unwrap();
    let s = Server::start(t.path(), "127.0.0.1:0", &[]);
    let a = agent();
    let api = format!("{}api/periods/2015-07", s.base);
    let mut cells = canonical("舞阳县", "2015年1-7月", &rows_for(1.0));
    cells.push((5, 4, C::S("一百")));
    let bad = t.path().join("bad.xlsx");
    write_xlsx(&bad, &[("月报", cells)]);
    let bad = std::fs::read(&bad).unwrap();
    let (code, r) = upload(&a, &format!("{api}/files"), &[("舞阳县.xlsx", &bad)]);
    assert_eq!(code, 422, "{r}");
    let e = &r["refused"][0]["errors"][0];
    assert_eq!(e["file"], "舞阳县.xlsx");
    assert_eq!(e["sheet"], "月报");
    assert_eq!(e["cell"], "E6");
    assert!(
        e["text"]
            .as_str()
            .unwrap()
            .starts_with("舞阳县.xlsx!月报!E6: 不是数字"),
        "{e}"
    );
    assert!(e["message"].as_str().unwrap().contains("\"一百\""), "{e}");
    assert!(files_in(&folder).is_empty(), "{:?}", files_in(&folder));
    // The page's state says why.
    let (_, v) = get_json(&a, &api);
    assert_eq!(state_of(&v, "舞阳县"), "有误");
    let unit = v["units"]
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["unit"] == "舞阳县")
        .unwrap();
    assert_eq!(unit["refused"]["errors"][0]["cell"], "E6");
    assert_eq!(unit["files"].as_array().unwrap().len(), 0);

    // A good file for the unit is kept and clears the refusal; a later bad one leaves it.
    let good = t.path().join("good.xlsx");
    write_xlsx(
        &good,
        &[("月报", canonical("舞阳县", "2015年1-7月", &rows_for(1.0)))],
    );
    let good = std::fs::read(&good).unwrap();
    let (code, r) = upload(
        &a,
        &format!("{api}/files"),
        &[("2015年7月舞阳县报表.xlsx", &good)],
    );
    assert_eq!(code, 200, "{r}");
    assert_eq!(files_in(&folder), vec!["舞阳县.xlsx"]);
    assert_eq!(std::fs::read(folder.join("舞阳县.xlsx")).unwrap(), good);
    let (_, v) = get_json(&a, &api);
    assert_eq!(state_of(&v, "舞阳县"), "已报", "{v}");
    let (code, _) = upload(&a, &format!("{api}/files"), &[("舞阳县.xlsx", &bad)]);
    assert_eq!(code, 422);
    assert_eq!(std::fs::read(folder.join("舞阳县.xlsx")).unwrap(), good);
    let (_, v) = get_json(&a, &api);
    let unit = v["units"]
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["unit"] == "舞阳县")
        .unwrap();
    assert_eq!(unit["state"], "已报", "{v}");
    assert_eq!(unit["refused"]["errors"][0]["cell"], "E6", "{v}");

    // A file a clerk copied in by hand counts: a broken one makes its unit 有误, as `check`.
    std::fs::write(folder.join("临颍县.xlsx"), b"not a spreadsheet").unwrap();
    let (_, v) = get_json(&a, &api);
    assert_eq!(state_of(&v, "临颍县"), "有误", "{v}");
    // A run refuses the folder with the same errors, and writes nothing.
    let (code, r) = post_json(&a, &format!("{api}/run"), r#"{"allow_missing": true}"#);
    assert_eq!(code, 422, "{r}");
    assert!(
        r["errors"]
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["file"] == "临颍县.xlsx"),
        "{r}"
    );
    assert!(!t.path().join("reports").exists());
    // Without it, and with the missing units allowed, the run goes through.
    std::fs::remove_file(folder.join("临颍县.xlsx")).unwrap();
    let (code, r) = post_json(&a, &format!("{api}/run"), r#"{"allow_missing": false}"#);
    assert_eq!(code, 422, "{r}");
    assert!(
        r["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("缺少 7 个单位的报表"),
        "{r}"
    );
    let (code, r) = post_json(&a, &format!("{api}/run"), r#"{"allow_missing": true}"#);
    assert_eq!(code, 200, "{r}");
    let (code, r) = post_json(&a, &format!("{api}/run"), r#"{"allow_missing": 1}"#);
    assert_eq!(code, 422, "{r}");
}

#[test]
fn upload_names_never_become_paths() {
    let t = tempfile::tempdir().unwrap();
    let root = t.path().join("root");
    std::fs::create_dir_all(root.join("data")).unwrap();
    let s = Server::start(&root, "127.0.0.1:0", &[]);
    let a = agent();
    let api = format!("{}api/periods/2015-07/files", s.base);
    let good = t.path().join("good.xlsx");
    write_xlsx(
        &good,
        &[("月报", canonical("舞阳县", "2015年1-7月", &rows_for(1.0)))],
    );
    let good = std::fs::read(&good).unwrap();
    for name in [
        "../舞阳县.xlsx",
        "../../舞阳县.xlsx",
        "..\\..\\舞阳县.xlsx",
        "/tmp/舞阳县.xlsx",
        "data/2015-07/舞阳县.xlsx",
        ".舞阳县.xlsx",
        "舞阳县.xlsx;.sh",
        "舞阳县\t.xlsx",
    ] {
        let (code, r) = upload(&a, &api, &[(name, &good)]);
        assert_eq!(code, 422, "{name}: {r}");
        let m = r["refused"][0]["errors"][0]["message"].as_str().unwrap();
        assert!(m.starts_with("文件名不可接受"), "{name}: {m}");
    }
    assert_eq!(crate::common::tree(t.path()), vec!["good.xlsx"]);
    // A plain name is stored under the unit's name, whatever the county called it.
    let (code, r) = upload(&a, &api, &[("舞阳县 7月 (改).xlsx", &good)]);
    assert_eq!(code, 200, "{r}");
    assert_eq!(crate::common::tree(&root), vec!["data/2015-07/舞阳县.xlsx"]);
}

#[test]
fn a_body_over_the_limit_is_refused_before_it_is_read() {
    let t = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(t.path().join("data")).unwrap();
    let s = Server::start(t.path(), "127.0.0.1:0", &[]);
    let addr = s.base.trim_start_matches("http://").trim_end_matches('/');
    let mut c = std::net::TcpStream::connect(addr).unwrap();
    c.set_read_timeout(Some(Duration::from_secs(20))).unwrap();
    // 200 MB announced, not one byte of it sent: the answer comes anyway.
    write!(
        c,
        "POST /api/periods/2015-07/files HTTP/1.1\r\nHost: {addr}\r\nContent-Type: multipart/form-data; boundary=x\r\nContent-Length: 200000000\r\n\r\n"
    )
    .unwrap();
    let mut answer = Vec::new();
    let mut buf = [0u8; 4096];
    while !String::from_utf8_lossy(&answer).contains("\r\n\r\n") {
        let n = c.read(&mut buf).unwrap();
        assert!(n > 0, "closed without an answer");
        answer.extend_from_slice(&buf[..n]);
    }
    let head = String::from_utf8_lossy(&answer);
    assert!(head.starts_with("HTTP/1.1 413"), "{head}");
    assert!(crate::common::tree(t.path()).is_empty());
}

#[test]
fn twenty_concurrent_uploads_and_runs_never_mix_files() {
    let t = tempfile::tempdir().unwrap();
    let folder = t.path().join("data/2015-07");
    std::fs::create_dir_all(&folder).unwrap();
    let files = sample("2015-07");
    // The month copied in by hand first: each upload below replaces a file (writes the new
    // one, removes the old one), which a run must never see half done (two files for a unit).
    for (name, bytes) in &files {
        std::fs::write(folder.join(name), bytes).unwrap();
    }
    let s = Server::start(t.path(), "127.0.0.1:0", &[]);
    let api = format!("{}api/periods/2015-07", s.base);
    // 20 uploads at once: every unit's file two or three times, beside three runs.
    let uploads: Vec<_> = (0..20)
        .map(|i| {
            let (name, bytes) = files[i % files.len()].clone();
            let url = format!("{api}/files");
            std::thread::spawn(move || upload(&agent(), &url, &[(&name, &bytes)]).0)
        })
        .collect();
    let runs: Vec<_> = (0..3)
        .map(|_| {
            let url = format!("{api}/run");
            std::thread::spawn(move || post_json(&agent(), &url, ""))
        })
        .collect();
    for u in uploads {
        assert_eq!(u.join().unwrap(), 200);
    }
    for r in runs {
        // Done, or told that a run is going (409); never a bulletin from a half-written file.
        let (code, v) = r.join().unwrap();
        assert!(code == 200 || code == 409, "{code} {v}");
    }
    let mut expected: Vec<String> = UNITS.iter().map(|u| format!("{u}.xlsx")).collect();
    expected.sort();
    assert_eq!(files_in(&folder), expected);
    let (code, r) = post_json(&agent(), &format!("{api}/run"), "");
    assert_eq!(code, 200, "{r}");
    let cli = cli_run(t.path(), &folder, "2015-07");
    assert_eq!(
        std::fs::read(t.path().join("reports/2015-07/rankings.csv")).unwrap(),
        std::fs::read(cli.join("rankings.csv")).unwrap()
    );
}

#[test]
fn a_second_run_while_one_is_going_gets_409_and_an_upload_waits_for_it() {
    let t = tempfile::tempdir().unwrap();
    let folder = t.path().join("data/2015-07");
    std::fs::create_dir_all(&folder).unwrap();
    let files = sample("2015-07");
    for (name, bytes) in &files {
        std::fs::write(folder.join(name), bytes).unwrap();
    }
    let s = Server::start(t.path(), "127.0.0.1:0", &[]);
    let api = format!("{}api/periods/2015-07", s.base);
    // Holding the history's lock (as another `tongbao run` would) keeps the first run going.
    let held = tongbao::history::Lock::acquire(&t.path().join("data/history")).unwrap();
    let url = format!("{api}/run");
    let first = std::thread::spawn(move || post_json(&agent(), &url, ""));
    let a = agent();
    let mut running = false;
    for _ in 0..200 {
        if get_json(&a, &api).1["running"] == true {
            running = true;
            break;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    assert!(running, "the first run never started");
    let (code, v) = post_json(&a, &format!("{api}/run"), "");
    assert_eq!(code, 409, "{v}");
    assert!(v["error"].as_str().unwrap().contains("正在生成通报"), "{v}");
    // An upload during the run is read at once but kept only after the run.
    let url = format!("{api}/files");
    let (name, bytes) = files
        .iter()
        .find(|(n, _)| n.contains("舞阳县"))
        .unwrap()
        .clone();
    let upload = std::thread::spawn(move || upload(&agent(), &url, &[(&name, &bytes)]).0);
    std::thread::sleep(Duration::from_millis(300));
    assert!(!upload.is_finished());
    assert_eq!(files_in(&folder).len(), 8);
    drop(held);
    let (code, v) = first.join().unwrap();
    assert_eq!(code, 200, "{v}");
    assert_eq!(upload.join().unwrap(), 200);
    // The upload replaced that unit's file under its unit's name.
    let now = files_in(&folder);
    assert_eq!(now.len(), 8, "{now:?}");
    assert!(now.contains(&"舞阳县.xlsx".to_string()), "{now:?}");
    assert!(!now.contains(&"2015-07舞阳县.xlsx".to_string()), "{now:?}");
    assert_eq!(get_json(&a, &api).1["running"], false);
}

#[test]
fn a_warning_makes_its_unit_warned_and_the_page_shows_it() {
    let t = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(t.path().join("data")).unwrap();
    let s = Server::start(t.path(), "127.0.0.1:0", &[]);
    let a = agent();
    let api = format!("{}api/periods/2015-07", s.base);
    let mut rows = rows_for(1.0);
    rows[3] = ("工业税收", Some(12.0), Some(300.0), Some(100.0), None);
    let p = t.path().join("f.xlsx");
    write_xlsx(&p, &[("月报", canonical("舞阳县", "2015年1-7月", &rows))]);
    let (code, r) = upload(
        &a,
        &format!("{api}/files"),
        &[("舞阳县.xlsx", &std::fs::read(&p).unwrap())],
    );
    assert_eq!(code, 200, "{r}");
    let (_, v) = get_json(&a, &api);
    let unit = v["units"]
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["unit"] == "舞阳县")
        .unwrap();
    assert_eq!(unit["state"], "有警告", "{v}");
    let w = unit["warnings"][0]["text"].as_str().unwrap();
    assert!(
        w.contains("工业税收") && w.contains("增速 200.0% 超过 ±100%"),
        "{w}"
    );
    assert_eq!(state_of(&v, "临颍县"), "未报");
    assert_eq!(v["ready"], false);
    // The page: the state, the warning as `check` prints it, 生成通报 disabled (units missing).
    let mut r = a.get(&format!("{}?period=2015-07", s.base)).call().unwrap();
    assert_eq!(r.status().as_u16(), 200);
    let html = r.body_mut().read_to_string().unwrap();
    assert!(
        html.contains(r#"<span class="badge warning">有警告</span>"#),
        "{html}"
    );
    assert!(html.contains(&html_escape(w)), "{html}");
    assert!(html.contains(r#"id="run-button" disabled"#), "{html}");
    assert_eq!(
        html.matches(r#"<span class="badge missing">未报</span>"#)
            .count(),
        7
    );
}

/// Text as the page writes it.
fn html_escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&#39;")
}

/// Uploads go through the folder's rules: a GBK csv as Excel saves it on a Chinese PC is kept
/// and ranks as the workbook would; a WPS `.et` is refused saying 另存为 .xlsx, as is one copied
/// into the folder by hand.
#[test]
fn a_csv_upload_is_kept_and_a_wps_file_is_refused_as_the_folder_refuses_it() {
    use crate::office::{Saved, month};
    let t = tempfile::tempdir().unwrap();
    let made = t.path().join("made");
    month(&made, "2015-07", &[("2015-07舞阳县.xlsx", Saved::Gbk)]);
    let root = t.path().join("root");
    let folder = root.join("data/2015-07");
    std::fs::create_dir_all(&folder).unwrap();
    let s = Server::start(&root, "127.0.0.1:0", &[]);
    let a = agent();
    let api = format!("{}api/periods/2015-07", s.base);

    let csv = std::fs::read(made.join("data/2015-07/2015-07舞阳县.csv")).unwrap();
    assert!(std::str::from_utf8(&csv).is_err(), "GBK bytes expected");
    let (code, r) = upload(&a, &format!("{api}/files"), &[("2015-07舞阳县.csv", &csv)]);
    assert_eq!(code, 200, "{r}");
    assert_eq!(r["accepted"][0]["stored"], "舞阳县.csv", "{r}");
    assert_eq!(files_in(&folder), vec!["舞阳县.csv"]);
    let (_, v) = get_json(&a, &api);
    assert_eq!(state_of(&v, "舞阳县"), "已报", "{v}");

    let (code, r) = upload(&a, &format!("{api}/files"), &[("临颍县.et", b"WPS bytes")]);
    assert_eq!(code, 422, "{r}");
    let text = r["refused"][0]["errors"][0]["text"].as_str().unwrap();
    assert!(
        text.starts_with("临颍县.et: WPS 表格文件无法读取 (a WPS Spreadsheets .et file cannot be read): 请在 WPS 中“另存为” Excel 工作簿 (.xlsx)"),
        "{text}"
    );
    assert_eq!(files_in(&folder), vec!["舞阳县.csv"]);
    let (_, v) = get_json(&a, &api);
    assert_eq!(state_of(&v, "临颍县"), "有误", "{v}");

    std::fs::write(folder.join("郾城区.et"), b"WPS bytes").unwrap();
    let (_, v) = get_json(&a, &api);
    assert_eq!(state_of(&v, "郾城区"), "有误", "{v}");
    let unit = v["units"]
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["unit"] == "郾城区")
        .unwrap();
    assert!(
        unit["errors"][0]["text"]
            .as_str()
            .unwrap()
            .starts_with("郾城区.et: WPS 表格文件无法读取"),
        "{unit}"
    );
    assert_eq!(v["ready"], false);

    // The rest of the month uploaded (the csv stays): the run ranks as the CLI on the same files.
    std::fs::remove_file(folder.join("郾城区.et")).unwrap();
    let rest: Vec<(String, Vec<u8>)> = sample("2015-07")
        .into_iter()
        .filter(|(n, _)| !n.contains("舞阳县"))
        .collect();
    let parts: Vec<(&str, &[u8])> = rest
        .iter()
        .map(|(n, b)| (n.as_str(), b.as_slice()))
        .collect();
    let (code, r) = upload(&a, &format!("{api}/files"), &parts);
    assert_eq!(code, 200, "{r}");
    let (code, r) = post_json(&a, &format!("{api}/run"), "{}");
    assert_eq!(code, 200, "{r}");
    let served = std::fs::read(root.join("reports/2015-07/rankings.csv")).unwrap();
    let cli = cli_run(&made, &made.join("data/2015-07"), "2015-07");
    assert_eq!(served, std::fs::read(cli.join("rankings.csv")).unwrap());
}
