//! The helpers of the `tongbao serve` tests: the real binary started on a free port of
//! 127.0.0.1, driven with a blocking HTTP client (ureq).

use crate::common::{UNITS, tongbao};
use calamine::Reader;
use serde_json::Value;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;
use ureq::unversioned::multipart::{Form, Part};

/// A running `tongbao serve`, stopped when dropped.
pub struct Server {
    child: Child,
    /// `http://127.0.0.1:PORT/`
    pub base: String,
    /// Every line it printed at start.
    pub banner: Vec<String>,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Server {
    /// Start in `root` with these arguments (after `serve --listen …`); wait for its line.
    pub fn start(root: &Path, listen: &str, args: &[&str]) -> Server {
        let mut child = Command::new(assert_cmd::cargo::cargo_bin("tongbao"))
            .current_dir(root)
            .args(["serve", "--listen", listen])
            .args(args)
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let mut out = BufReader::new(child.stdout.take().unwrap());
        let mut first = String::new();
        out.read_line(&mut first).unwrap();
        let url = first
            .split_whitespace()
            .find(|w| w.starts_with("http://"))
            .unwrap_or_else(|| panic!("no URL in {first:?}"));
        let hostport = url["http://".len()..].split('/').next().unwrap();
        let port = hostport.rsplit(':').next().unwrap();
        let base = format!("http://127.0.0.1:{port}/");
        let mut banner = vec![first.trim_end().to_string()];
        // With tokens the links follow the first line; read them while they come.
        if url.contains("token=") {
            let is_link = |l: &String| l.starts_with("  ") && l.contains("token=");
            while banner.iter().filter(|l| is_link(l)).count() < UNITS.len() {
                let mut l = String::new();
                if out.read_line(&mut l).unwrap_or(0) == 0 {
                    break;
                }
                banner.push(l.trim_end().to_string());
            }
        }
        // Keep draining its stdout (the runs' reports) so it never blocks on a full pipe.
        std::thread::spawn(move || std::io::copy(&mut out, &mut std::io::sink()));
        Server {
            child,
            base,
            banner,
        }
    }
}

pub fn agent() -> ureq::Agent {
    ureq::Agent::config_builder()
        .http_status_as_error(false)
        .timeout_global(Some(Duration::from_secs(120)))
        .build()
        .into()
}

/// (status, JSON body)
pub fn get_json(a: &ureq::Agent, url: &str) -> (u16, Value) {
    let mut r = a.get(url).call().unwrap();
    (r.status().as_u16(), r.body_mut().read_json().unwrap())
}

pub fn post_json(a: &ureq::Agent, url: &str, body: &str) -> (u16, Value) {
    let mut r = a
        .post(url)
        .header("Content-Type", "application/json")
        .send(body)
        .unwrap();
    (r.status().as_u16(), r.body_mut().read_json().unwrap())
}

/// Upload files (name as the county named it, bytes) in one multipart request.
pub fn upload(a: &ureq::Agent, url: &str, files: &[(&str, &[u8])]) -> (u16, Value) {
    let mut form = Form::new();
    for (i, (name, bytes)) in files.iter().enumerate() {
        let field: &'static str = ["f0", "f1", "f2", "f3", "f4", "f5", "f6", "f7"][i % 8];
        form = form.part(field, Part::bytes(bytes).file_name(name));
    }
    let mut r = a.post(url).send(form).unwrap();
    (r.status().as_u16(), r.body_mut().read_json().unwrap())
}

pub fn sample(period: &str) -> Vec<(String, Vec<u8>)> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("data")
        .join(period);
    let mut v: Vec<(String, Vec<u8>)> = std::fs::read_dir(dir)
        .unwrap()
        .flatten()
        .map(|e| {
            let name = e.file_name().to_string_lossy().into_owned();
            (name, std::fs::read(e.path()).unwrap())
        })
        .collect();
    v.sort();
    v
}

pub fn state_of(v: &Value, unit: &str) -> String {
    v["units"]
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["unit"] == unit)
        .unwrap_or_else(|| panic!("no {unit} in {v}"))["state"]
        .as_str()
        .unwrap()
        .to_string()
}

pub fn files_in(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(dir)
        .map(|rd| {
            rd.flatten()
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .collect()
        })
        .unwrap_or_default();
    v.sort();
    v
}

/// Every cell of every sheet, as calamine reads it.
pub fn workbook_cells(path: &Path) -> Vec<(String, Vec<Vec<String>>)> {
    let mut wb = calamine::open_workbook_auto(path).unwrap();
    let names = wb.sheet_names().to_vec();
    names
        .into_iter()
        .map(|n| {
            let r = wb.worksheet_range(&n).unwrap();
            let rows = r
                .rows()
                .map(|row| row.iter().map(|c| c.to_string()).collect())
                .collect();
            (n, rows)
        })
        .collect()
}

/// `tongbao run` on the same folder into fresh output and history folders.
pub fn cli_run(root: &Path, input: &Path, period: &str) -> PathBuf {
    let out = root.join("cli-reports");
    tongbao(root)
        .args(["run", "--period", period, "--input"])
        .arg(input)
        .arg("--out")
        .arg(&out)
        .arg("--history")
        .arg(root.join("cli-history"))
        .assert()
        .success();
    out.join(period)
}
