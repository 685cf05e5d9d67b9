//! The page in a real browser: Debian's chromium, headless, driven over the DevTools protocol
//! (headless_chrome). A clerk's month: the page empty, a refused file, every file uploaded
//! through the file input at once, 生成通报 clicked, the download link found. Skipped, saying
//! so, where chromium is absent. With `TONGBAO_SCREENSHOTS=DIR` it also saves the page's
//! three states as PNG (the README's screenshots come from there).

use crate::common::{C, canonical, rows_for, write_xlsx};
use crate::server::{Server, agent, sample};
use headless_chrome::protocol::cdp::Page::CaptureScreenshotFormatOption;
use headless_chrome::{Browser, LaunchOptions, Tab};
use std::ffi::OsStr;
use std::path::{Path, PathBuf};
use std::time::Duration;

fn chromium() -> Option<PathBuf> {
    ["/usr/bin/chromium", "/usr/bin/chromium-browser"]
        .iter()
        .map(PathBuf::from)
        .find(|p| p.is_file())
}

fn launch(chrome: PathBuf, profile: &Path) -> Browser {
    // The flags this machine's notes give: no sandbox as root, and no background traffic
    // (the network is closed; chromium would keep trying).
    let args: Vec<&OsStr> = [
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
    ]
    .iter()
    .map(OsStr::new)
    .collect();
    let opts = LaunchOptions::default_builder()
        .path(Some(chrome))
        .headless(true)
        .sandbox(false)
        .enable_gpu(false)
        .window_size(Some((1280, 1600)))
        .user_data_dir(Some(profile.to_path_buf()))
        .args(args)
        .idle_browser_timeout(Duration::from_secs(120))
        .build()
        .unwrap();
    Browser::new(opts).unwrap()
}

fn screenshot(tab: &Tab, name: &str) {
    let Some(dir) = std::env::var_os("TONGBAO_SCREENSHOTS") else {
        return;
    };
    let png = tab
        .capture_screenshot(CaptureScreenshotFormatOption::Png, None, None, true)
        .unwrap();
    std::fs::write(Path::new(&dir).join(name), png).unwrap();
}

/// Wait for an element of the page that follows a form's submission.
fn wait_for<'a>(tab: &'a Tab, selector: &str) -> headless_chrome::Element<'a> {
    tab.wait_for_element_with_custom_timeout(selector, Duration::from_secs(60))
        .unwrap_or_else(|e| panic!("{selector}: {e}\n{}", tab.get_content().unwrap_or_default()))
}

/// The element's `disabled` property, as the browser has it.
fn disabled(tab: &Tab, selector: &str) -> bool {
    let v = tab
        .evaluate(
            &format!("document.querySelector('{selector}').disabled"),
            false,
        )
        .unwrap()
        .value;
    match v {
        Some(serde_json::Value::Bool(b)) => b,
        v => panic!("{selector}: {v:?}"),
    }
}

fn count(html: &str, needle: &str) -> usize {
    html.matches(needle).count()
}

#[test]
fn a_clerk_runs_a_month_from_the_page() {
    let Some(chrome) = chromium() else {
        println!("SKIPPED: chromium not found");
        return;
    };
    let t = tempfile::tempdir().unwrap();
    let root = t.path().join("root");
    std::fs::create_dir_all(root.join("data")).unwrap();
    // The counties' files, as they named them, in a folder of the clerk's.
    let inbox = t.path().join("inbox");
    std::fs::create_dir_all(&inbox).unwrap();
    let mut files = Vec::new();
    for (name, bytes) in sample("2015-07") {
        std::fs::write(inbox.join(&name), bytes).unwrap();
        files.push(inbox.join(name).display().to_string());
    }
    let mut cells = canonical("舞阳县", "2015年1-7月", &rows_for(1.0));
    cells.push((5, 4, C::S("一百")));
    let bad = inbox.join("舞阳县(有误).xlsx");
    write_xlsx(&bad, &[("月报", cells)]);

    let s = Server::start(&root, "127.0.0.1:0", &[]);
    let profile = tempfile::tempdir().unwrap();
    let browser = launch(chrome, profile.path());
    let tab = browser.new_tab().unwrap();
    tab.navigate_to(&format!("{}?period=2015-07", s.base))
        .unwrap()
        .wait_until_navigated()
        .unwrap();

    // Empty: every unit 未报, 生成通报 disabled, a form per unit to download.
    let html = tab.get_content().unwrap();
    assert!(html.contains("2015年1-7月"), "{html}");
    assert_eq!(
        count(&html, r#"<span class="badge missing">未报</span>"#),
        8,
        "{html}"
    );
    assert!(disabled(&tab, "#run-button"));
    // 允许缺报 ticked enables it; unticked, it is disabled again.
    let allow = tab.find_element("input[name=allow_missing]").unwrap();
    allow.click().unwrap();
    assert!(!disabled(&tab, "#run-button"));
    allow.click().unwrap();
    assert!(disabled(&tab, "#run-button"));
    assert!(html.contains("舞阳县_2015年1-7月.xlsx"));
    screenshot(&tab, "serve-empty.png");

    // A file with a bad cell: refused, the unit 有误 with the cell as `check` prints it.
    let input = tab.find_element("input[type=file]").unwrap();
    input
        .set_input_files(&[&bad.display().to_string()])
        .unwrap();
    tab.find_element("form.upload button")
        .unwrap()
        .click()
        .unwrap();
    wait_for(&tab, "tr.error");
    let html = tab.get_content().unwrap();
    assert!(
        html.contains("舞阳县(有误).xlsx!月报!E6: 不是数字"),
        "{html}"
    );
    assert!(html.contains("1 个文件有误未保存"), "{html}");
    assert!(
        !root.join("data/2015-07").exists() || crate::common::tree(&root.join("data")).is_empty()
    );
    screenshot(&tab, "serve-errors.png");

    // Every file at once through the `multiple` input: all 已报, 生成通报 enabled.
    let input = tab.find_element("input[type=file]").unwrap();
    let paths: Vec<&str> = files.iter().map(String::as_str).collect();
    input.set_input_files(&paths).unwrap();
    tab.find_element("form.upload button")
        .unwrap()
        .click()
        .unwrap();
    wait_for(&tab, "p.notice.good");
    let html = tab.get_content().unwrap();
    assert!(html.contains("已接收 8 个文件"), "{html}");
    assert_eq!(
        count(&html, r#"<span class="badge ok">已报</span>"#),
        8,
        "{html}"
    );
    assert!(!disabled(&tab, "#run-button"));
    let run = tab.find_element("#run-button").unwrap();

    // 生成通报, then the download links, the 排序总表 and the charts on the page.
    run.click().unwrap();
    let link = wait_for(&tab, "#outputs a[href$='rankings.csv']");
    let href = link.get_attribute_value("href").unwrap().unwrap();
    let html = tab.get_content().unwrap();
    assert!(html.contains("通报已生成"), "{html}");
    assert!(html.contains(r#"<table class="summary">"#), "{html}");
    assert_eq!(
        count(&html, r#"<img src="/reports/2015-07/charts/"#),
        8,
        "{html}"
    );
    let xlsx = tab
        .find_element("#outputs a[href$='.xlsx']")
        .unwrap()
        .get_attribute_value("href")
        .unwrap()
        .unwrap();
    assert!(xlsx.contains("/reports/2015-07/"), "{xlsx}");
    screenshot(&tab, "serve-done.png");

    // The link gives the run's rankings.csv.
    let url = format!("{}{}", s.base, href.trim_start_matches('/'));
    let mut r = agent().get(&url).call().unwrap();
    assert_eq!(r.status().as_u16(), 200);
    assert_eq!(
        r.body_mut().read_to_vec().unwrap(),
        std::fs::read(root.join("reports/2015-07/rankings.csv")).unwrap()
    );
}
