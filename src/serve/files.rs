//! Files served for download: the outputs under `/reports/<path in the output folder>`, and
//! each unit's blank form under `/templates/YYYY-MM/<form's file name>`, made on request.

use super::api::{ApiError, bureau_only, parse_period};
use super::auth::Role;
use super::state::State;
use axum::Extension;
use axum::extract::{Path, State as St};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use std::sync::Arc;

fn content_type(name: &str) -> &'static str {
    let ext = name
        .rsplit_once('.')
        .map(|(_, e)| e.to_lowercase())
        .unwrap_or_default();
    match ext.as_str() {
        "xlsx" => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "csv" => "text/csv; charset=utf-8",
        "png" => "image/png",
        "parquet" => "application/vnd.apache.parquet",
        _ => "application/octet-stream",
    }
}

fn not_found(what: &str) -> ApiError {
    ApiError::new(
        StatusCode::NOT_FOUND,
        format!("没有这个文件 (no such file): {what}"),
    )
}

/// A path inside the output folder made only of plain names: no `..`, no absolute path, no
/// hidden file (a staging folder).
fn plain_components(rel: &str) -> Option<Vec<&str>> {
    let parts: Vec<&str> = rel.split('/').collect();
    let plain = |c: &str| {
        !c.is_empty()
            && !c.starts_with('.')
            && !c.contains(['\\', ':'])
            && !c.chars().any(char::is_control)
    };
    parts.iter().all(|c| plain(c)).then_some(parts)
}

/// `GET /reports/{*path}` (the bureau's).
pub async fn report(
    St(state): St<Arc<State>>,
    Extension(role): Extension<Role>,
    Path(rel): Path<String>,
) -> Result<Response, ApiError> {
    if role != Role::Bureau {
        return Err(bureau_only());
    }
    let parts = plain_components(&rel).ok_or_else(|| not_found(&rel))?;
    let path = parts.iter().fold(state.out.clone(), |p, c| p.join(c));
    let name = parts.last().copied().unwrap_or_default().to_string();
    let bytes = tokio::task::spawn_blocking(move || {
        path.is_file().then(|| std::fs::read(&path)).transpose()
    })
    .await
    .map_err(|e| ApiError::internal(e.to_string()))?
    .map_err(|e| ApiError::internal(e.to_string()))?
    .ok_or_else(|| not_found(&rel))?;
    Ok(([(header::CONTENT_TYPE, content_type(&name))], bytes).into_response())
}

/// `GET /templates/{YYYY-MM}/{file}`: the blank form of the unit whose form has that name.
pub async fn template(
    St(state): St<Arc<State>>,
    Extension(role): Extension<Role>,
    Path((p, file)): Path<(String, String)>,
) -> Result<Response, ApiError> {
    let period = parse_period(&p)?;
    let cfg = &state.cfg;
    let unit = (0..cfg.units.len())
        .find(|&u| crate::template::file_name(&cfg.units[u].name, period) == file)
        .ok_or_else(|| not_found(&file))?;
    if matches!(role, Role::Unit(u) if u != unit) {
        return Err(ApiError::forbidden());
    }
    let st = state.clone();
    let bytes = tokio::task::spawn_blocking(move || {
        crate::template::build(&st.cfg, &st.cfg.units[unit].name, period)
    })
    .await
    .map_err(|e| ApiError::internal(e.to_string()))?
    .map_err(|e| ApiError::internal(e.to_string()))?;
    Ok((
        [
            (header::CONTENT_TYPE, content_type(&file)),
            (header::CONTENT_DISPOSITION, "attachment"),
        ],
        bytes,
    )
        .into_response())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_plain_paths_inside_the_output_folder() {
        assert_eq!(
            plain_components("2015-07/charts/a.png"),
            Some(vec!["2015-07", "charts", "a.png"])
        );
        for bad in [
            "../x",
            "2015-07/../../etc/passwd",
            "/etc/passwd",
            "2015-07//a",
            ".2015-07.staging-1/a",
            "a\\..\\b",
            "C:/x",
        ] {
            assert_eq!(plain_components(bad), None, "{bad}");
        }
    }
}
