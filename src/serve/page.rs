//! The page: plain HTML and one embedded style sheet, in Chinese, usable without training and
//! without script (one `onchange` enables 生成通报 when 允许缺报 is ticked; a `<noscript>`
//! button does the same without it). What it shows comes from [`super::status`].

use super::api::{self, ApiError};
use super::auth::Role;
use super::state::{Diag, RunRecord, State, lock};
use super::status::{PeriodStatus, UnitStatus};
use crate::model::PeriodResult;
use crate::period::Period;
use axum::Extension;
use axum::extract::{Query, State as St};
use axum::http::header;
use axum::response::{Html, IntoResponse};
use serde::Deserialize;
use std::fmt::Write as _;
use std::sync::Arc;

const CSS: &str = include_str!("page.css");

pub async fn css() -> impl IntoResponse {
    ([(header::CONTENT_TYPE, "text/css; charset=utf-8")], CSS)
}

#[derive(Deserialize, Default)]
pub struct PageQuery {
    period: Option<String>,
    accepted: Option<usize>,
    refused: Option<usize>,
    forbidden: Option<usize>,
    busy: Option<u8>,
}

/// HTML text: `&`, `<`, `>`, quotes escaped.
pub fn esc(s: &str) -> String {
    let mut o = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => o.push_str("&amp;"),
            '<' => o.push_str("&lt;"),
            '>' => o.push_str("&gt;"),
            '"' => o.push_str("&quot;"),
            '\'' => o.push_str("&#39;"),
            c => o.push(c),
        }
    }
    o
}

/// A path of this server, with the page's token when there is one.
fn href(path: &str, token: Option<&str>) -> String {
    match token {
        None => esc(path),
        Some(t) => esc(&format!(
            "{path}{}token={t}",
            if path.contains('?') { '&' } else { '?' }
        )),
    }
}

/// `GET /`: the page of a period (`?period=YYYY-MM`, default: the month after the latest on
/// record).
pub async fn index(
    St(state): St<Arc<State>>,
    Extension(role): Extension<Role>,
    Query(q): Query<PageQuery>,
) -> Result<Html<String>, ApiError> {
    let period = match q.period.as_deref().filter(|p| !p.is_empty()) {
        Some(p) => api::parse_period(p)?,
        None => super::default_period(&state.data, &state.history),
    };
    let status = api::period_status(state.clone(), period, role).await?;
    let st = state.clone();
    let has_outputs = !status.outputs.is_empty() && role == Role::Bureau;
    let result = tokio::task::spawn_blocking(move || {
        has_outputs
            .then(|| crate::history::load(&st.history, period).ok().flatten())
            .flatten()
    })
    .await
    .map_err(|e| ApiError::internal(e.to_string()))?;
    Ok(Html(render(
        &state,
        role,
        period,
        &status,
        result.as_ref(),
        &q,
    )))
}

fn render(
    state: &State,
    role: Role,
    period: Period,
    s: &PeriodStatus,
    result: Option<&PeriodResult>,
    q: &PageQuery,
) -> String {
    let token = state.auth.token_of(role);
    let cfg = &state.cfg;
    let mut h = String::new();
    let _ = write!(
        h,
        r#"<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title} — {label}</title><link rel="stylesheet" href="/style.css"></head>
<body><header><h1>{title}</h1>
<form method="get" action="/" class="period"><label>报告期 <input type="month" name="period" value="{period}" required></label>{hidden}<button type="submit">切换</button></form>
<p class="label">{label}</p></header><main>
"#,
        title = esc(&cfg.title),
        label = esc(&s.label),
        hidden = token
            .map(|t| format!(r#"<input type="hidden" name="token" value="{}">"#, esc(t)))
            .unwrap_or_default(),
    );
    notice(&mut h, q);
    units(&mut h, s);
    upload_form(&mut h, period, token);
    if role == Role::Bureau {
        run_form(&mut h, period, s, token, q.busy.is_some());
        outputs(&mut h, cfg, s, result, token);
        assess_form(&mut h, period, token, lock(&state.last_assess).as_ref());
    }
    templates(&mut h, cfg, period, role, token);
    h.push_str("</main><footer>tongbao ");
    h.push_str(env!("CARGO_PKG_VERSION"));
    h.push_str("</footer></body></html>\n");
    h
}

fn notice(h: &mut String, q: &PageQuery) {
    let (Some(a), Some(r)) = (q.accepted, q.refused) else {
        return;
    };
    let f = q.forbidden.unwrap_or(0);
    let text = if a + r + f == 0 {
        "没有选择文件 (no file was chosen)".to_string()
    } else {
        let mut t = format!("已接收 {a} 个文件");
        if r > 0 {
            let _ = write!(t, ",{r} 个文件有误未保存(见下表)");
        }
        if f > 0 {
            let _ = write!(t, ",{f} 个文件不是本单位的,未保存");
        }
        t
    };
    let class = if r + f > 0 || a == 0 {
        "notice bad"
    } else {
        "notice good"
    };
    let _ = writeln!(h, r#"<p class="{class}" role="status">{}</p>"#, esc(&text));
}

fn diag_list(h: &mut String, class: &str, ds: &[Diag]) {
    if ds.is_empty() {
        return;
    }
    let _ = write!(h, r#"<ul class="{class}">"#);
    for d in ds {
        let _ = write!(h, "<li>{}</li>", esc(&d.text));
    }
    h.push_str("</ul>");
}

fn state_class(u: &UnitStatus) -> &'static str {
    use super::status::UnitState::*;
    match u.state {
        Missing => "missing",
        Reported => "ok",
        Error => "error",
        Warning => "warning",
    }
}

fn units(h: &mut String, s: &PeriodStatus) {
    h.push_str(r#"<section id="units"><h2>各单位报送情况</h2><table class="units"><thead><tr><th>单位</th><th>排序组</th><th>状态</th><th>文件</th><th>错误与警告</th></tr></thead><tbody>"#);
    for u in &s.units {
        let c = state_class(u);
        let _ = write!(
            h,
            r#"<tr class="{c}" data-unit="{name}"><td>{name}</td><td>{group}</td><td><span class="badge {c}">{label}</span></td><td>{files}</td><td>"#,
            name = esc(&u.unit),
            group = esc(&u.group),
            label = u.state.label(),
            files = esc(&u.files.join("、")),
        );
        diag_list(h, "errors", &u.errors);
        diag_list(h, "warnings", &u.warnings);
        if let Some(r) = &u.refused {
            let kept = if u.files.is_empty() {
                String::new()
            } else {
                format!(",仍使用原来的 {}", u.files.join("、"))
            };
            let _ = write!(
                h,
                r#"<p class="refused">最近上传的 {} 有误,未保存{}:</p>"#,
                esc(&r.file),
                esc(&kept)
            );
            diag_list(h, "errors", &r.errors);
        }
        h.push_str("</td></tr>");
    }
    h.push_str("</tbody></table>");
    if !s.other_errors.is_empty() || !s.other_refused.is_empty() {
        h.push_str(r#"<h3>其他问题</h3>"#);
        diag_list(h, "errors", &s.other_errors);
        for r in &s.other_refused {
            let _ = write!(
                h,
                r#"<p class="refused">上传的 {} 有误,未保存:</p>"#,
                esc(&r.file)
            );
            diag_list(h, "errors", &r.errors);
        }
    }
    diag_list(h, "warnings", &s.other_warnings);
    h.push_str("</section>\n");
}

fn upload_form(h: &mut String, period: Period, token: Option<&str>) {
    let _ = write!(
        h,
        r#"<section id="upload"><h2>上传报表</h2>
<form method="post" action="{action}" enctype="multipart/form-data" class="upload">
<label class="drop">把报表文件拖到这里,或点击选择(可一次选多个)<input type="file" id="files" name="files" multiple accept=".xlsx,.xlsm,.xls,.ods,.csv"></label>
<button type="submit">上传</button></form>
<p class="hint">每个单位一个文件(.xlsx、.xls、.ods 或 .csv)。上传后立即检查:无误的文件保存下来,替换该单位原来的文件;有误的文件不保存,错误显示在上表中。</p></section>
"#,
        action = href(&format!("/ui/periods/{period}/files"), token)
    );
}

fn run_form(h: &mut String, period: Period, s: &PeriodStatus, token: Option<&str>, busy: bool) {
    let ready = s.ready;
    let _ = write!(
        h,
        r#"<section id="run"><h2>生成通报</h2>
<form method="post" action="{action}" class="run">
<label><input type="checkbox" name="allow_missing" value="true" onchange="this.form.elements.run.disabled = !(this.checked || {ready})"> 允许缺报(未报的单位标为"未报")</label>
<button type="submit" name="run" id="run-button"{disabled}>生成通报</button>
<noscript><button type="submit" name="allow_missing" value="true">允许缺报并生成通报</button></noscript>
</form>
"#,
        action = href(&format!("/ui/periods/{period}/run"), token),
        disabled = if ready { "" } else { " disabled" },
    );
    if !ready {
        h.push_str(r#"<p class="hint">各单位都已报后才能生成通报;或勾选"允许缺报"。</p>"#);
    }
    if busy || s.running {
        h.push_str(r#"<p class="notice bad">正在生成通报,请稍候再刷新本页。</p>"#);
    }
    if let Some(r) = &s.last_run {
        outcome(h, r, token);
    }
    h.push_str("</section>\n");
}

/// A run's or an assessment's outcome: the message, the errors or the files.
fn outcome(h: &mut String, r: &RunRecord, token: Option<&str>) {
    let class = if r.ok { "notice good" } else { "notice bad" };
    let first = r.message.lines().next().unwrap_or_default();
    let _ = write!(h, r#"<p class="{class}">{}</p>"#, esc(first));
    diag_list(h, "errors", &r.errors);
    if r.ok && !r.files.iter().any(|f| f.contains("/charts/")) {
        downloads(h, &r.files, token);
    }
}

fn downloads(h: &mut String, files: &[String], token: Option<&str>) {
    h.push_str(r#"<ul class="downloads">"#);
    for f in files.iter().filter(|f| !f.contains("/charts/")) {
        let name = f.rsplit('/').next().unwrap_or(f);
        let _ = write!(
            h,
            r#"<li><a href="{}" download>{}</a></li>"#,
            href(&format!("/reports/{f}"), token),
            esc(name)
        );
    }
    h.push_str("</ul>");
}

fn outputs(
    h: &mut String,
    cfg: &crate::Config,
    s: &PeriodStatus,
    result: Option<&PeriodResult>,
    token: Option<&str>,
) {
    if s.outputs.is_empty() {
        return;
    }
    let _ = write!(
        h,
        r#"<section id="outputs"><h2>{} 通报</h2>"#,
        esc(&s.label)
    );
    downloads(h, &s.outputs, token);
    if let Some(r) = result {
        summary_table(h, cfg, r);
    }
    let charts: Vec<&String> = s
        .outputs
        .iter()
        .filter(|f| f.contains("/charts/"))
        .collect();
    if !charts.is_empty() {
        h.push_str(r#"<h3>图表</h3><div class="charts">"#);
        for f in charts {
            let name = f.rsplit('/').next().unwrap_or(f);
            let src = href(&format!("/reports/{f}"), token);
            let _ = write!(
                h,
                r#"<figure><a href="{src}"><img src="{src}" alt="{n}" loading="lazy"></a><figcaption>{n}</figcaption></figure>"#,
                n = esc(name)
            );
        }
        h.push_str("</div>");
    }
    h.push_str("</section>\n");
}

/// 排序总表 as the workbook's first sheet has it: 全市 first, then the units in official
/// order; per indicator the value, growth, 总量位次 and 增速位次.
fn summary_table(h: &mut String, cfg: &crate::Config, r: &PeriodResult) {
    use crate::text::round_half_up;
    h.push_str(r#"<h3>排序总表</h3><div class="scroll"><table class="summary"><thead><tr><th rowspan="2">单位</th>"#);
    for ind in &cfg.indicators {
        let _ = write!(h, r#"<th colspan="4">{}</th>"#, esc(&ind.name));
    }
    h.push_str("</tr><tr>");
    for ind in &cfg.indicators {
        let _ = write!(
            h,
            "<th>{}({})</th><th>增速(%)</th><th>总量位次</th><th>增速位次</th>",
            esc(&r.period.span()),
            esc(&ind.measure)
        );
    }
    h.push_str("</tr></thead><tbody>");
    let city = r.rows.iter().find(|x| x.is_city).map(|x| x.unit.clone());
    let names = city
        .into_iter()
        .chain(cfg.units.iter().map(|u| u.name.clone()));
    for name in names {
        let _ = write!(h, "<tr><th>{}</th>", esc(&name));
        for ind in &cfg.indicators {
            let row = r
                .rows
                .iter()
                .find(|x| x.unit == name && x.indicator == ind.name);
            let num = |d: Option<rust_decimal::Decimal>| {
                d.map(|d| format!("{:.1}", round_half_up(d, 1)))
                    .unwrap_or_default()
            };
            let rank = |x: Option<u32>| x.map(|x| x.to_string()).unwrap_or_default();
            match row {
                Some(x) => {
                    let status = x.status.label();
                    let growth = match (num(x.growth), status) {
                        (g, "") => g,
                        (g, s) if g.is_empty() => s.to_string(),
                        (g, s) => format!("{g}({s})"),
                    };
                    let _ = write!(
                        h,
                        r#"<td class="n">{}</td><td class="n">{}</td><td class="n">{}</td><td class="n">{}</td>"#,
                        num(x.value),
                        esc(&growth),
                        rank(x.value_rank),
                        rank(x.growth_rank)
                    );
                }
                None => h.push_str("<td></td><td></td><td></td><td></td>"),
            }
        }
        h.push_str("</tr>");
    }
    h.push_str("</tbody></table></div>");
}

fn assess_form(h: &mut String, period: Period, token: Option<&str>, last: Option<&RunRecord>) {
    let _ = write!(
        h,
        r#"<section id="assess"><h2>年度考核</h2>
<form method="post" action="{action}" class="assess"><input type="hidden" name="period" value="{period}">
<label>年度 <input type="number" name="year" value="{year}" min="1900" max="2999" required></label>
<label>截至(季度考核时选择) <input type="month" name="through"></label>
<button type="submit">年度考核</button></form>
"#,
        action = href("/ui/assess", token),
        year = period.year,
    );
    if let Some(r) = last {
        outcome(h, r, token);
    }
    h.push_str("</section>\n");
}

fn templates(h: &mut String, cfg: &crate::Config, period: Period, role: Role, token: Option<&str>) {
    h.push_str(r#"<section id="templates"><h2>空白报表</h2><ul class="downloads">"#);
    for (u, unit) in cfg.units.iter().enumerate() {
        if matches!(role, Role::Unit(x) if x != u) {
            continue;
        }
        let file = crate::template::file_name(&unit.name, period);
        let _ = write!(
            h,
            r#"<li><a href="{}" download>{}</a></li>"#,
            href(&format!("/templates/{period}/{file}"), token),
            esc(&file)
        );
    }
    h.push_str("</ul></section>\n");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_and_links_are_escaped() {
        assert_eq!(
            esc(r#"<a href="x">&'"#),
            "&lt;a href=&quot;x&quot;&gt;&amp;&#39;"
        );
        assert_eq!(href("/ui/assess", Some("abc")), "/ui/assess?token=abc");
        assert_eq!(
            href("/?period=2015-07", Some("abc")),
            "/?period=2015-07&amp;token=abc"
        );
        assert_eq!(href("/x", None), "/x");
    }
}
