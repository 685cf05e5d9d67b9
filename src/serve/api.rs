//! The JSON API under the page: a period's state, uploads, a run, the assessment. Errors are
//! JSON with the file, sheet and cell the command line prints; 422 is refused input.

use super::auth::Role;
use super::state::{Diag, RunRecord, State, diags};
use super::status::{self, PeriodStatus};
use super::upload::{self, UploadReport};
use crate::app::{self, RunArgs};
use crate::error::Error;
use crate::period::Period;
use axum::Extension;
use axum::Json;
use axum::body::Bytes;
use axum::extract::{Multipart, Path, State as St};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use std::sync::Arc;

/// An error answer: `{"error": "…", "errors": [{"file", "sheet", "cell", "message", "text"}]}`.
#[derive(Debug)]
pub struct ApiError {
    pub status: StatusCode,
    pub error: String,
    pub errors: Vec<Diag>,
}

#[derive(Serialize)]
struct ErrorBody<'a> {
    error: &'a str,
    errors: &'a [Diag],
}

impl ApiError {
    pub fn new(status: StatusCode, error: String) -> ApiError {
        ApiError {
            status,
            error,
            errors: Vec::new(),
        }
    }
    pub fn internal(error: String) -> ApiError {
        ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, error)
    }
    pub fn forbidden() -> ApiError {
        ApiError::new(
            StatusCode::FORBIDDEN,
            "此链接只能上传本单位的报表 (a unit's link uploads its own file only)".into(),
        )
    }
}

impl From<Error> for ApiError {
    fn from(e: Error) -> ApiError {
        let errors = match &e {
            Error::Input { errors } => diags(&errors.0),
            Error::Strict { warnings } => diags(&warnings.0),
            _ => Vec::new(),
        };
        let status = if e.exit_code() == 2 {
            StatusCode::UNPROCESSABLE_ENTITY
        } else {
            StatusCode::INTERNAL_SERVER_ERROR
        };
        ApiError {
            status,
            error: e.to_string(),
            errors,
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = ErrorBody {
            error: &self.error,
            errors: &self.errors,
        };
        (self.status, Json(body)).into_response()
    }
}

pub fn parse_period(s: &str) -> Result<Period, ApiError> {
    s.parse()
        .map_err(|e: String| ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, e))
}

fn parse_year(s: &str) -> Result<i32, ApiError> {
    s.parse::<i32>()
        .ok()
        .filter(|y| (1900..=2999).contains(y) && s.len() == 4)
        .ok_or_else(|| {
            ApiError::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                format!("bad year {s:?}: expected YYYY, e.g. 2015"),
            )
        })
}

/// A period's state as `role` may see it: a unit sees its own row only.
pub async fn period_status(
    state: Arc<State>,
    period: Period,
    role: Role,
) -> Result<PeriodStatus, ApiError> {
    let mut s = tokio::task::spawn_blocking(move || status::status(&state, period))
        .await
        .map_err(|e| ApiError::internal(e.to_string()))?;
    if let Role::Unit(u) = role {
        s.units = s.units.into_iter().skip(u).take(1).collect();
        s.other_errors.clear();
        s.other_warnings.clear();
        s.other_refused.clear();
        s.outputs.clear();
        s.last_run = None;
    }
    Ok(s)
}

/// `GET /api/periods/{YYYY-MM}`
pub async fn get_period(
    St(state): St<Arc<State>>,
    Extension(role): Extension<Role>,
    Path(p): Path<String>,
) -> Result<Json<PeriodStatus>, ApiError> {
    let period = parse_period(&p)?;
    Ok(Json(period_status(state, period, role).await?))
}

/// `POST /api/periods/{YYYY-MM}/files`: 200 when every file was kept, 422 when any was
/// refused (the others are kept), 403 for another unit's file under a unit's token.
pub async fn post_files(
    St(state): St<Arc<State>>,
    Extension(role): Extension<Role>,
    Path(p): Path<String>,
    mp: Multipart,
) -> Result<(StatusCode, Json<UploadReport>), ApiError> {
    let period = parse_period(&p)?;
    let parts = upload::read_parts(mp).await?;
    let report = upload::upload(state, period, role, parts).await?;
    Ok((report.status(), Json(report)))
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RunBody {
    #[serde(default)]
    allow_missing: bool,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct AssessBody {
    #[serde(default)]
    through: Option<String>,
}

/// An optional JSON body: empty means the defaults.
fn json_body<T: Default + serde::de::DeserializeOwned>(b: &Bytes) -> Result<T, ApiError> {
    if b.iter().all(u8::is_ascii_whitespace) {
        return Ok(T::default());
    }
    serde_json::from_slice(b).map_err(|e| {
        ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            format!("请求内容不是可用的 JSON (the body is not the JSON expected): {e}"),
        )
    })
}

/// `POST /api/periods/{YYYY-MM}/run`, body `{"allow_missing": true}` optional.
pub async fn post_run(
    St(state): St<Arc<State>>,
    Extension(role): Extension<Role>,
    Path(p): Path<String>,
    body: Bytes,
) -> Result<Json<RunRecord>, ApiError> {
    if role != Role::Bureau {
        return Err(bureau_only());
    }
    let period = parse_period(&p)?;
    let b: RunBody = json_body(&body)?;
    Ok(Json(run(state, period, b.allow_missing).await?))
}

/// `POST /api/assess/{YYYY}`, body `{"through": "YYYY-MM"}` optional.
pub async fn post_assess(
    St(state): St<Arc<State>>,
    Extension(role): Extension<Role>,
    Path(y): Path<String>,
    body: Bytes,
) -> Result<Json<RunRecord>, ApiError> {
    if role != Role::Bureau {
        return Err(bureau_only());
    }
    let year = parse_year(&y)?;
    let b: AssessBody = json_body(&body)?;
    let through = b.through.as_deref().map(parse_period).transpose()?;
    Ok(Json(assess(state, year, through).await?))
}

pub fn bureau_only() -> ApiError {
    ApiError::new(
        StatusCode::FORBIDDEN,
        "只有统计局的令牌可以生成通报和考核 (only the bureau's token runs and assesses)".into(),
    )
}

/// Ends the run's mark however the run ends.
struct Running<'a>(&'a State, Period);

impl Drop for Running<'_> {
    fn drop(&mut self) {
        self.0.end_run(self.1);
    }
}

/// Run a period exactly as `tongbao run` does, one run per period at a time; the outcome is
/// kept for the page.
pub async fn run(
    state: Arc<State>,
    period: Period,
    allow_missing: bool,
) -> Result<RunRecord, ApiError> {
    if !state.start_run(period) {
        return Err(ApiError::new(
            StatusCode::CONFLICT,
            format!(
                "{period} 正在生成通报,请等它完成 (a run of {period} is in progress; wait for it)"
            ),
        ));
    }
    let st = state.clone();
    let done = tokio::task::spawn_blocking(move || {
        let _running = Running(&st, period);
        let folder_lock = st.folder_lock(period);
        let _held = super::state::lock(&folder_lock);
        let args = RunArgs {
            period: Some(period),
            data: st.data.clone(),
            out: st.out.clone(),
            history: st.history.clone(),
            allow_missing,
            ..RunArgs::default()
        };
        app::run_period(&st.cfg, period, &st.folder(period), &args)
    })
    .await
    .map_err(|e| ApiError::internal(e.to_string()))?;
    let label = period.label();
    record(
        &state.out,
        done,
        &format!("{label} 通报已生成 (done)"),
        |r| state.set_last_run(period, r),
    )
}

/// The year's assessment (`tongbao assess`), kept for the page.
pub async fn assess(
    state: Arc<State>,
    year: i32,
    through: Option<Period>,
) -> Result<RunRecord, ApiError> {
    let st = state.clone();
    let done = tokio::task::spawn_blocking(move || {
        app::assess(&st.cfg, &st.history, year, through, &st.out)
    })
    .await
    .map_err(|e| ApiError::internal(e.to_string()))?;
    record(
        &state.out,
        done,
        &format!("{year}年考核已生成 (done)"),
        |r| *super::state::lock(&state.last_assess) = Some(r),
    )
}

/// The record of a run or an assessment: files relative to the output folder, or the errors.
fn record(
    out: &std::path::Path,
    done: Result<Vec<std::path::PathBuf>, Error>,
    ok_message: &str,
    keep: impl FnOnce(RunRecord),
) -> Result<RunRecord, ApiError> {
    match done {
        Ok(files) => {
            let files = files
                .iter()
                .map(|f| {
                    f.strip_prefix(out)
                        .unwrap_or(f)
                        .to_string_lossy()
                        .replace('\\', "/")
                })
                .collect();
            let r = RunRecord {
                ok: true,
                files,
                message: ok_message.to_string(),
                errors: Vec::new(),
            };
            keep(r.clone());
            Ok(r)
        }
        Err(e) => {
            let e = ApiError::from(e);
            keep(RunRecord {
                ok: false,
                files: Vec::new(),
                message: e.error.clone(),
                errors: e.errors.clone(),
            });
            Err(e)
        }
    }
}
