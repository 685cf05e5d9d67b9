//! tongbao.exe under wine, compared with this build on Linux (issue 19). `tests/windows.sh`
//! builds the .exe and the small helper programs of `tests/windows/`, prepares a wine prefix
//! with a `D:` drive, and runs these tests; under a plain `cargo test` each prints SKIPPED.

use crate::common::{
    UNITS, canonical, full_month, rows_for, stderr_of, stdout_of, tongbao, tree, write_xlsx,
};
use crate::office::Saved;
use calamine::{Reader, open_workbook_auto};
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

/// Where `tests/windows.sh` put things.
struct Wine {
    /// tongbao.exe with the DLL it needs under wine, conrun.exe, hold.exe.
    bin: PathBuf,
    /// The folder wine shows as drive `D:`.
    d_drive: PathBuf,
}

fn wine() -> Option<Wine> {
    match (
        std::env::var_os("TONGBAO_WINE_BIN"),
        std::env::var_os("TONGBAO_WINE_D"),
    ) {
        (Some(bin), Some(d)) => Some(Wine {
            bin: bin.into(),
            d_drive: d.into(),
        }),
        _ => {
            println!("SKIPPED: tongbao.exe under wine; run tests/windows.sh (just windows-test)");
            None
        }
    }
}

impl Wine {
    /// A program of `bin` under wine, working in `cwd`.
    fn cmd(&self, exe: &str, cwd: &Path) -> Command {
        let mut c = Command::new("wine");
        c.arg(self.bin.join(exe))
            .current_dir(cwd)
            .env("WINEDEBUG", "-all");
        c
    }

    fn tongbao(&self, cwd: &Path, args: &[&str]) -> Output {
        self.cmd("tongbao.exe", cwd).args(args).output().unwrap()
    }

    /// The Windows name of a Linux path: `D:\…` under the D drive, `Z:\…` elsewhere.
    fn path(&self, p: &Path) -> String {
        let (drive, rest) = match p.strip_prefix(&self.d_drive) {
            Ok(rest) => ("D:", rest.to_path_buf()),
            Err(_) => ("Z:", p.strip_prefix("/").unwrap().to_path_buf()),
        };
        format!("{drive}\\{}", rest.display()).replace('/', "\\")
    }

    /// A fresh folder on the D drive.
    fn d_folder(&self, rel: &str) -> PathBuf {
        let dir = self.d_drive.join(rel);
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        dir
    }
}

/// The sample months of `data/` (without a history) copied to `root/data`.
fn sample_data(root: &Path, months: &[&str]) {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("data");
    for m in months {
        let to = root.join("data").join(m);
        std::fs::create_dir_all(&to).unwrap();
        for e in std::fs::read_dir(src.join(m)).unwrap().flatten() {
            std::fs::copy(e.path(), to.join(e.file_name())).unwrap();
        }
    }
}

const YEAR: [&str; 11] = [
    "2015-02", "2015-03", "2015-04", "2015-05", "2015-06", "2015-07", "2015-08", "2015-09",
    "2015-10", "2015-11", "2015-12",
];

fn ok(out: &Output) -> &Output {
    assert!(
        out.status.success(),
        "exit {:?}\nstdout: {}\nstderr: {}",
        out.status.code(),
        stdout_of(out),
        stderr_of(out)
    );
    out
}

/// Two output folders hold the same files: csv, PNG and history files byte for byte,
/// workbooks cell for cell as calamine reads them back.
fn assert_same_outputs(linux: &Path, windows: &Path) {
    let (a, b) = (tree(linux), tree(windows));
    assert_eq!(a, b, "the same files");
    assert!(!a.is_empty());
    let (mut books, mut others) = (0, 0);
    for rel in &a {
        let (x, y) = (linux.join(rel), windows.join(rel));
        if rel.ends_with(".xlsx") {
            assert_eq!(cells(&x), cells(&y), "{rel}");
            books += 1;
        } else {
            assert!(
                std::fs::read(&x).unwrap() == std::fs::read(&y).unwrap(),
                "{rel}"
            );
            others += 1;
        }
    }
    println!(
        "equal: {books} workbooks, {others} other files under {}",
        linux.display()
    );
}

/// Every sheet's cells, as text.
fn cells(path: &Path) -> Vec<(String, Vec<String>)> {
    let mut wb = open_workbook_auto(path).unwrap();
    wb.sheet_names()
        .into_iter()
        .map(|s| {
            let range = wb.worksheet_range(&s).unwrap();
            let rows = range
                .rows()
                .map(|r| {
                    r.iter()
                        .map(|c| format!("{c:?}"))
                        .collect::<Vec<_>>()
                        .join("|")
                })
                .collect();
            (s, rows)
        })
        .collect()
}

#[test]
fn the_sample_year_gives_the_same_outputs_as_on_linux() {
    let Some(w) = wine() else { return };
    let tmp = tempfile::tempdir().unwrap();
    let (lin, win) = (tmp.path().join("linux"), tmp.path().join("windows"));
    for root in [&lin, &win] {
        sample_data(root, &YEAR);
    }
    let steps: [&[&str]; 3] = [
        &["run", "--all"],
        &["assess", "--year", "2015"],
        &["template", "--period", "2016-01"],
    ];
    for args in steps {
        ok(&tongbao(&lin).args(args).output().unwrap());
        ok(&w.tongbao(&win, args));
    }
    assert_same_outputs(&lin.join("reports"), &win.join("reports"));
    assert_same_outputs(&lin.join("templates"), &win.join("templates"));
    assert_same_outputs(&lin.join("data/history"), &win.join("data/history"));
}

#[test]
fn paths_with_chinese_spaces_and_over_100_characters_work() {
    let Some(w) = wine() else { return };
    // As Windows Explorer makes them: D:\统计\2015年\7月 报表\…
    let root = w.d_folder(
        "统计/2015年/7月 报表/漯河市各县区规模以上工业主要指标月度报表 (县区报送原件, 请勿删除或改名)/第二次修订后的最终版本 (2015年8月3日 报送市人民政府办公室)",
    );
    let tmp = tempfile::tempdir().unwrap();
    let lin = tmp.path();
    // 舞阳县's July saved as CSV by Excel on a Chinese PC (GBK).
    for r in [&root, lin] {
        sample_data(r, &["2015-06"]);
        crate::office::month(r, "2015-07", &[("2015-07舞阳县.xlsx", Saved::Gbk)]);
    }
    assert!(root.join("data/2015-07/2015-07舞阳县.csv").exists());
    let (out, history) = (root.join("输出 报告"), root.join("历史 记录"));
    assert!(w.path(&out.join("2015-07")).chars().count() > 100);
    let cwd = tmp.path().join("elsewhere");
    std::fs::create_dir_all(&cwd).unwrap();
    for period in ["2015-06", "2015-07"] {
        let input = root.join("data").join(period);
        let args = ["run", "--period", period, "--input", &w.path(&input)];
        let out = w.tongbao(
            &cwd,
            &[
                &args[..],
                &["--out", &w.path(&out), "--history", &w.path(&history)],
            ]
            .concat(),
        );
        assert!(stdout_of(ok(&out)).contains(&w.path(&out_dir(&root, period))));
        ok(&tongbao(lin)
            .args(["run", "--period", period])
            .output()
            .unwrap());
    }
    let blank = root.join("空白 报表");
    ok(&w.tongbao(
        &cwd,
        &["template", "--period", "2015-08", "--out", &w.path(&blank)],
    ));
    ok(&tongbao(lin)
        .args(["template", "--period", "2015-08"])
        .output()
        .unwrap());
    assert_same_outputs(&lin.join("reports"), &out);
    assert_same_outputs(&lin.join("data/history"), &history);
    assert_same_outputs(&lin.join("templates"), &blank);
}

fn out_dir(root: &Path, period: &str) -> PathBuf {
    root.join("输出 报告").join(period)
}

#[test]
fn check_on_a_broken_folder_says_the_same_as_on_linux() {
    let Some(w) = wine() else { return };
    let tmp = tempfile::tempdir().unwrap();
    let (lin, win) = (tmp.path().join("linux"), tmp.path().join("windows"));
    for root in [&lin, &win] {
        broken_month(root);
    }
    let args = ["check", "--period", "2015-07"];
    let (a, b) = (
        tongbao(&lin).args(args).output().unwrap(),
        w.tongbao(&win, &args),
    );
    assert_eq!(a.status.code(), Some(2));
    assert_eq!(b.status.code(), Some(2));
    let err = stderr_of(&b);
    assert_eq!(stderr_of(&a), err);
    assert!(err.contains("2015-07舞阳县.xlsx!月报!D4"), "{err}");
    assert!(err.contains("郾城区"), "the missing unit is named: {err}");
    assert!(
        err.contains("2015-07召陵区.et: WPS 表格文件无法读取"),
        "{err}"
    );
}

/// July with 舞阳县's 增加值 as "abc" (cell D4), 郾城区's file missing and 召陵区's saved by WPS.
fn broken_month(root: &Path) -> PathBuf {
    let dir = full_month(root, "2015-07", "2015年1-7月");
    let mut cells = canonical("舞阳县", "2015年1-7月", &rows_for(2.0));
    for c in cells.iter_mut().filter(|c| (c.0, c.1) == (3, 3)) {
        c.2 = crate::common::C::S("abc");
    }
    write_xlsx(&dir.join("2015-07舞阳县.xlsx"), &[("月报", cells)]);
    std::fs::remove_file(dir.join("2015-07郾城区.xlsx")).unwrap();
    std::fs::rename(dir.join("2015-07召陵区.xlsx"), dir.join("2015-07召陵区.et")).unwrap();
    assert_eq!(UNITS[2], "郾城区");
    dir
}

/// A copy of tongbao.exe (and its DLL) in `dir`, as a clerk unpacks it.
fn install(w: &Wine, dir: &Path) -> PathBuf {
    for f in ["tongbao.exe", "bcryptprimitives.dll"] {
        std::fs::copy(w.bin.join(f), dir.join(f)).unwrap();
    }
    dir.join("tongbao.exe")
}

/// Double-click `exe` (a console of its own, code page 936 as on a Chinese PC); answer each
/// (question, answer) in turn once the console shows the question, then press Enter when it
/// asks to close. The screen as the clerk saw it, and the exit code.
fn double_click(w: &Wine, exe: &Path, answers: &[(&str, &str)]) -> (String, Option<i32>) {
    let mut args = vec!["936".to_string(), w.path(exe)];
    for (when, keys) in answers.iter().chain(&[("按回车键关闭窗口", "")]) {
        args.extend([when.to_string(), keys.to_string()]);
    }
    let out = w
        .cmd("conrun.exe", w.d_drive.as_path())
        .args(&args)
        .output()
        .unwrap();
    let screen = stdout_of(&out);
    println!("--- the console showed:\n{screen}---\n{}", stderr_of(&out));
    (screen, out.status.code())
}

#[test]
fn double_clicked_it_runs_the_latest_month_and_waits_for_enter() {
    let Some(w) = wine() else { return };
    let dir = w.d_folder("统计/tongbao 程序");
    let exe = install(&w, &dir);
    sample_data(&dir, &["2015-06", "2015-07"]);
    let (screen, code) = double_click(&w, &exe, &[]);
    assert_eq!(code, Some(0));
    for line in [
        "漯河市工业经济运行月度通报 2015年1-7月: D:\\统计\\tongbao 程序\\data\\2015-07",
        "2015年1-7月 完成 (done): 8 个单位, 4 个指标, 0 条警告 → D:\\统计\\tongbao 程序\\reports\\2015-07",
        "  D:\\统计\\tongbao 程序\\reports\\2015-07\\漯河市工业经济运行月度通报(2015年1-7月).xlsx",
        "通报已生成,在 D:\\统计\\tongbao 程序\\reports\\2015-07 文件夹中 (the bulletin is written)",
        "按回车键关闭窗口 (press Enter to close)…",
    ] {
        assert!(screen.lines().any(|l| l == line), "{line:?} on the screen");
    }
    // The same month as `tongbao run` makes it.
    let tmp = tempfile::tempdir().unwrap();
    sample_data(tmp.path(), &["2015-07"]);
    ok(&tongbao(tmp.path()).args(["run"]).output().unwrap());
    assert_same_outputs(&tmp.path().join("reports"), &dir.join("reports"));
}

#[test]
fn double_clicked_with_bad_input_or_no_data_it_says_why_and_waits() {
    let Some(w) = wine() else { return };
    let dir = w.d_folder("统计/有误");
    let exe = install(&w, &dir);
    broken_month(&dir);
    let (screen, code) = double_click(&w, &exe, &[]);
    assert_eq!(code, Some(2));
    assert!(screen.contains("2015-07舞阳县.xlsx!月报!D4"), "{screen}");
    assert!(screen.contains("按回车键关闭窗口"));
    assert!(!dir.join("reports").exists(), "nothing written");

    let bare = w.d_folder("统计/空");
    let exe = install(&w, &bare);
    let (screen, code) = double_click(&w, &exe, &[]);
    assert_eq!(code, Some(2));
    assert!(
        screen.contains("程序旁边没有 data 文件夹。请建立 D:\\统计\\空\\data"),
        "{screen}"
    );
}

#[test]
fn double_clicked_with_a_unit_missing_it_asks_before_marking_it_未报() {
    let Some(w) = wine() else { return };
    let dir = w.d_folder("统计/缺报");
    let exe = install(&w, &dir);
    sample_data(&dir, &["2015-07"]);
    std::fs::remove_file(dir.join("data/2015-07/2015-07郾城区.xlsx")).unwrap();
    let question = "输入 Y 并按回车:把缺报单位标为“未报”,照样生成通报;直接按回车:不生成";
    // Enter alone: nothing is made.
    let (screen, code) = double_click(&w, &exe, &[(question, "")]);
    assert_eq!(code, Some(2));
    assert!(
        screen.contains("缺少 1 个单位的报表 (missing submissions from 1 unit(s)): 郾城区"),
        "{screen}"
    );
    assert!(!dir.join("reports").exists());
    // Y: the bulletin is made with 郾城区 marked 未报, as `run --allow-missing` makes it.
    let (screen, code) = double_click(&w, &exe, &[(question, "Y")]);
    assert_eq!(code, Some(0), "{screen}");
    assert!(screen.contains("通报已生成"));
    let csv = std::fs::read_to_string(dir.join("reports/2015-07/rankings.csv")).unwrap();
    assert!(
        csv.lines()
            .any(|l| l.contains(",郾城区,") && l.contains(",未报,")),
        "{csv}"
    );
    let tmp = tempfile::tempdir().unwrap();
    sample_data(tmp.path(), &["2015-07"]);
    std::fs::remove_file(tmp.path().join("data/2015-07/2015-07郾城区.xlsx")).unwrap();
    ok(&tongbao(tmp.path())
        .args(["run", "--allow-missing"])
        .output()
        .unwrap());
    assert_same_outputs(&tmp.path().join("reports"), &dir.join("reports"));
}

/// `hold.exe` keeping `file` open as Excel does, until the returned child's stdin closes.
fn hold(w: &Wine, file: &Path) -> std::process::Child {
    let mut child = w
        .cmd("hold.exe", Path::new("/"))
        .arg(w.path(file))
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.as_mut().unwrap())
        .read_line(&mut line)
        .unwrap();
    assert_eq!(line.trim(), "holding");
    child
}

#[test]
fn a_bulletin_open_in_excel_stops_the_run_whole_and_says_so() {
    let Some(w) = wine() else { return };
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path();
    sample_data(root, &["2015-07"]);
    ok(&w.tongbao(root, &["run"]));
    let month = root.join("reports/2015-07");
    let bulletin = month.join("漯河市工业经济运行月度通报(2015年1-7月).xlsx");
    let good = std::fs::read(month.join("rankings.csv")).unwrap();
    std::fs::write(month.join("rankings.csv"), "earlier").unwrap();
    let mut excel = hold(&w, &bulletin);
    let out = w.tongbao(root, &["run"]);
    assert_eq!(out.status.code(), Some(1));
    let err = stderr_of(&out);
    assert!(
        err.contains("正在被其他程序(如 Excel、WPS)打开,无法替换。请在 Excel 中关闭后重新运行"),
        "{err}"
    );
    assert!(
        err.contains("reports\\2015-07\\漯河市工业经济运行月度通报(2015年1-7月).xlsx"),
        "{err}"
    );
    // Nothing was replaced, no staging folder is left, and the run can simply be repeated.
    assert_eq!(
        std::fs::read_to_string(month.join("rankings.csv")).unwrap(),
        "earlier"
    );
    let left = std::fs::read_dir(root.join("reports")).unwrap().flatten();
    assert_eq!(left.map(|e| e.file_name()).collect::<Vec<_>>(), ["2015-07"]);
    drop(excel.stdin.take());
    assert!(excel.wait().unwrap().success());
    // The repeated run replaces the charts folder whole: a chart it does not draw is gone.
    let charts = month.join("charts");
    let drawn = std::fs::read_dir(&charts).unwrap().count();
    std::fs::write(charts.join("旧图.png"), "an earlier run's").unwrap();
    ok(&w.tongbao(root, &["run"]));
    assert_eq!(std::fs::read(month.join("rankings.csv")).unwrap(), good);
    assert!(!charts.join("旧图.png").exists());
    assert_eq!(std::fs::read_dir(&charts).unwrap().count(), drawn);
    let left = std::fs::read_dir(root.join("reports")).unwrap().flatten();
    assert_eq!(left.map(|e| e.file_name()).collect::<Vec<_>>(), ["2015-07"]);
}

#[test]
fn a_second_run_waits_for_the_history_lock() {
    let Some(w) = wine() else { return };
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path();
    sample_data(root, &["2015-06", "2015-07"]);
    // The lock file of this history: the one a first run leaves in wine's temporary folder.
    let temp = w.temp_folder();
    let before = lock_files(&temp);
    ok(&w.tongbao(root, &["run", "--period", "2015-06"]));
    let new: Vec<PathBuf> = lock_files(&temp)
        .into_iter()
        .filter(|f| !before.contains(f))
        .collect();
    assert_eq!(new.len(), 1, "one lock file for the new history: {new:?}");
    let mut holder = w
        .cmd("hold.exe", Path::new("/"))
        .args(["--lock", &w.path(&new[0])])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(holder.stdout.as_mut().unwrap())
        .read_line(&mut line)
        .unwrap();
    assert_eq!(line.trim(), "holding");
    let mut second = w
        .cmd("tongbao.exe", root)
        .args(["run", "--period", "2015-07"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut err = BufReader::new(second.stderr.take().unwrap());
    let mut said = String::new();
    err.read_line(&mut said).unwrap();
    assert!(said.contains("另一个 tongbao 正在使用历史记录"), "{said}");
    std::thread::sleep(std::time::Duration::from_secs(2));
    assert!(second.try_wait().unwrap().is_none(), "still waiting");
    assert!(!root.join("reports/2015-07").exists());
    writeln!(holder.stdin.as_mut().unwrap()).unwrap();
    drop(holder.stdin.take());
    assert!(holder.wait().unwrap().success());
    let status = second.wait().unwrap();
    assert!(status.success());
    assert!(root.join("reports/2015-07/rankings.csv").exists());
    assert_eq!(
        tree(&root.join("data/history")),
        ["2015-06.parquet", "2015-07.parquet"]
    );
}

impl Wine {
    /// Wine's %TEMP% for this prefix.
    fn temp_folder(&self) -> PathBuf {
        let prefix = PathBuf::from(
            std::env::var_os("WINEPREFIX").expect("WINEPREFIX set by tests/windows.sh"),
        );
        let users = prefix.join("drive_c/users");
        for e in std::fs::read_dir(&users).unwrap().flatten() {
            for t in ["Temp", "AppData/Local/Temp"].map(|t| e.path().join(t)) {
                if t.is_dir() {
                    return t;
                }
            }
        }
        panic!("no Temp folder under {}", users.display());
    }
}

fn lock_files(dir: &Path) -> Vec<PathBuf> {
    std::fs::read_dir(dir)
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .filter(|p| {
            p.file_name()
                .is_some_and(|n| n.to_string_lossy().starts_with("tongbao-history-"))
        })
        .collect()
}
