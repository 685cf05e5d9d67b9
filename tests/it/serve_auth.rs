//! `tongbao serve`'s tokens: required off loopback or when configured, the bureau's and the
//! units' upload links; and the blank forms.

use crate::common::{UNITS, tongbao};
use crate::server::*;

/// The bureau's token and the units' links printed at start: (bureau token, unit → token).
fn tokens(s: &Server) -> (String, Vec<(String, String)>) {
    let tok = |l: &str| {
        l.split("token=")
            .nth(1)
            .unwrap()
            .split_whitespace()
            .next()
            .unwrap()
            .to_string()
    };
    let bureau = tok(&s.banner[0]);
    let units = s
        .banner
        .iter()
        .filter(|l| l.starts_with("  ") && l.contains("token="))
        .map(|l| (l.trim().split(':').next().unwrap().to_string(), tok(l)))
        .collect();
    (bureau, units)
}

#[test]
fn off_loopback_every_request_needs_a_token_and_a_unit_uploads_only_its_own() {
    let t = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(t.path().join("data")).unwrap();
    // Listening on every address; the test only ever connects to 127.0.0.1.
    let s = Server::start(t.path(), "0.0.0.0:0", &[]);
    let (bureau, units) = tokens(&s);
    assert_eq!(bureau.len(), 32, "{:?}", s.banner);
    assert_eq!(
        units.iter().map(|(u, _)| u.as_str()).collect::<Vec<_>>(),
        UNITS.to_vec(),
        "{:?}",
        s.banner
    );
    let a = agent();
    let api = format!("{}api/periods/2015-07", s.base);
    for url in [
        api.clone(),
        format!("{api}?token=wrong{bureau}"),
        s.base.clone(),
    ] {
        let (code, v) = get_json(&a, &url);
        assert_eq!(code, 401, "{url}: {v}");
        assert!(
            v["error"].as_str().unwrap().starts_with("需要有效的令牌"),
            "{v}"
        );
    }
    let (code, _) = post_json(&a, &format!("{api}/run"), "");
    assert_eq!(code, 401);
    let r = a
        .get(&api)
        .header("Authorization", &format!("Bearer {bureau}"))
        .call()
        .unwrap();
    assert_eq!(r.status().as_u16(), 200);
    let (code, v) = get_json(&a, &format!("{api}?token={bureau}"));
    assert_eq!(code, 200);
    assert_eq!(v["units"].as_array().unwrap().len(), 8);

    // 舞阳县's link: its own row, its own file, nothing else.
    let wuyang = &units[1].1;
    let (code, v) = get_json(&a, &format!("{api}?token={wuyang}"));
    assert_eq!(code, 200);
    assert_eq!(v["units"].as_array().unwrap().len(), 1);
    assert_eq!(v["units"][0]["unit"], "舞阳县");
    let files = sample("2015-07");
    let own = files.iter().find(|(n, _)| n.contains("舞阳县")).unwrap();
    let other = files.iter().find(|(n, _)| n.contains("临颍县")).unwrap();
    let (code, r) = upload(
        &a,
        &format!("{api}/files?token={wuyang}"),
        &[(&other.0, &other.1)],
    );
    assert_eq!(code, 403, "{r}");
    assert!(
        r["forbidden"][0]["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("舞阳县"),
        "{r}"
    );
    assert!(!t.path().join("data/2015-07/临颍县.xlsx").exists());
    let (code, r) = upload(
        &a,
        &format!("{api}/files?token={wuyang}"),
        &[(&own.0, &own.1)],
    );
    assert_eq!(code, 200, "{r}");
    assert!(t.path().join("data/2015-07/舞阳县.xlsx").is_file());
    for url in [
        format!("{api}/run?token={wuyang}"),
        format!("{}api/assess/2015?token={wuyang}", s.base),
    ] {
        let (code, v) = post_json(&a, &url, "");
        assert_eq!(code, 403, "{url}: {v}");
    }
    let r = a
        .get(&format!(
            "{}reports/2015-07/rankings.csv?token={wuyang}",
            s.base
        ))
        .call()
        .unwrap();
    assert_eq!(r.status().as_u16(), 403);
    // Its page: its own row, the upload form and its own blank form; no run, no outputs.
    let mut r = a
        .get(&format!("{}?period=2015-07&token={wuyang}", s.base))
        .call()
        .unwrap();
    assert_eq!(r.status().as_u16(), 200);
    let html = r.body_mut().read_to_string().unwrap();
    assert_eq!(html.matches("<tr class=").count(), 1, "{html}");
    assert!(html.contains(r#"data-unit="舞阳县""#), "{html}");
    assert!(
        html.contains(&format!("/ui/periods/2015-07/files?token={wuyang}")),
        "{html}"
    );
    assert!(!html.contains("生成通报"), "{html}");
    assert!(html.contains("舞阳县_2015年1-7月.xlsx") && !html.contains("临颍县_2015年1-7月.xlsx"));
    // The bureau's token runs.
    let (code, r) = post_json(
        &a,
        &format!("{api}/run?token={bureau}"),
        r#"{"allow_missing": true}"#,
    );
    assert_eq!(code, 200, "{r}");
}

#[test]
fn a_configured_token_holds_on_loopback_too_and_templates_are_served() {
    let t = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(t.path().join("data")).unwrap();
    let cfg = format!(
        "{}\n[serve]\ntoken = \"bureau-token-0123456789\"\n",
        tongbao::config::DEFAULT_TOML
    );
    std::fs::write(t.path().join("city.toml"), cfg).unwrap();
    let s = Server::start(t.path(), "127.0.0.1:0", &["--config", "city.toml"]);
    assert!(
        s.banner[0].contains("?token=bureau-token-0123456789"),
        "{:?}",
        s.banner
    );
    let a = agent();
    let (code, _) = get_json(&a, &format!("{}api/periods/2015-08", s.base));
    assert_eq!(code, 401);
    let url = format!(
        "{}templates/2015-08/舞阳县_2015年1-8月.xlsx?token=bureau-token-0123456789",
        s.base
    );
    let mut r = a.get(&url).call().unwrap();
    assert_eq!(r.status().as_u16(), 200);
    let bytes = r.body_mut().read_to_vec().unwrap();
    let p = t.path().join("form.xlsx");
    std::fs::write(&p, &bytes).unwrap();
    let cells = workbook_cells(&p);
    assert!(
        cells[0].1[1].iter().any(|c| c.contains("舞阳县")),
        "{:?}",
        cells[0].1[1]
    );
    // The same form as `tongbao template` writes.
    tongbao(t.path())
        .args([
            "template",
            "--period",
            "2015-08",
            "--out",
            "forms",
            "--config",
            "city.toml",
        ])
        .assert()
        .success();
    assert_eq!(
        cells,
        workbook_cells(&t.path().join("forms/舞阳县_2015年1-8月.xlsx"))
    );
    // A short token in the configuration is refused with its key.
    std::fs::write(
        t.path().join("bad.toml"),
        format!(
            "{}\n[serve]\ntoken = \"short\"\n",
            tongbao::config::DEFAULT_TOML
        ),
    )
    .unwrap();
    let out = tongbao(t.path())
        .args(["serve", "--config", "bad.toml", "--listen", "127.0.0.1:0"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(
        crate::common::stderr_of(&out).contains("serve.token"),
        "{}",
        crate::common::stderr_of(&out)
    );
}
