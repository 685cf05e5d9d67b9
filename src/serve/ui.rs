//! The page's forms: each does what its API call does, then sends the browser back to the
//! page (303), which shows the outcome from the state (no script needed).

use super::api::{self, ApiError, parse_period};
use super::auth::Role;
use super::state::State;
use super::upload;
use axum::Extension;
use axum::extract::{Form, Multipart, Path, State as St};
use axum::response::Redirect;
use serde::Deserialize;
use std::sync::Arc;

/// The page of `period`, keeping the token, with extra query items.
fn back(state: &State, role: Role, period: &str, extra: &str, anchor: &str) -> Redirect {
    let token = state
        .auth
        .token_of(role)
        .map(|t| format!("&token={t}"))
        .unwrap_or_default();
    Redirect::to(&format!("/?period={period}{token}{extra}#{anchor}"))
}

/// The upload form (`multiple` file input; drag and drop onto it works without script).
pub async fn files(
    St(state): St<Arc<State>>,
    Extension(role): Extension<Role>,
    Path(p): Path<String>,
    mp: Multipart,
) -> Result<Redirect, ApiError> {
    let period = parse_period(&p)?;
    let parts = upload::read_parts(mp).await?;
    let extra = if parts.is_empty() {
        "&accepted=0&refused=0".to_string()
    } else {
        let r = upload::upload(state.clone(), period, role, parts).await?;
        format!(
            "&accepted={}&refused={}&forbidden={}",
            r.accepted.len(),
            r.refused.len(),
            r.forbidden.len()
        )
    };
    Ok(back(&state, role, &p, &extra, "units"))
}

#[derive(Deserialize)]
pub struct RunForm {
    #[serde(default)]
    allow_missing: Option<String>,
}

/// 生成通报: the outcome (files or errors) is kept for the page.
pub async fn run(
    St(state): St<Arc<State>>,
    Extension(role): Extension<Role>,
    Path(p): Path<String>,
    Form(f): Form<RunForm>,
) -> Result<Redirect, ApiError> {
    if role != Role::Bureau {
        return Err(api::bureau_only());
    }
    let period = parse_period(&p)?;
    let allow_missing = f
        .allow_missing
        .is_some_and(|v| !v.is_empty() && v != "false");
    let extra = match api::run(state.clone(), period, allow_missing).await {
        Err(e) if e.status == axum::http::StatusCode::CONFLICT => "&busy=1",
        _ => "",
    };
    Ok(back(&state, role, &p, extra, "run"))
}

#[derive(Deserialize)]
pub struct AssessForm {
    year: String,
    /// The page to go back to.
    period: String,
    #[serde(default)]
    through: Option<String>,
}

/// 年度考核 (or a quarterly review with 截至).
pub async fn assess(
    St(state): St<Arc<State>>,
    Extension(role): Extension<Role>,
    Form(f): Form<AssessForm>,
) -> Result<Redirect, ApiError> {
    if role != Role::Bureau {
        return Err(api::bureau_only());
    }
    let period = parse_period(&f.period)?;
    let year = f.year.trim().parse::<i32>().map_err(|_| {
        ApiError::new(
            axum::http::StatusCode::UNPROCESSABLE_ENTITY,
            format!("bad year {:?}", f.year),
        )
    })?;
    let through = match f.through.as_deref().map(str::trim) {
        None | Some("") => None,
        Some(t) => Some(parse_period(t)?),
    };
    // The outcome, good or bad, is kept for the page.
    let _ = api::assess(state.clone(), year, through).await;
    Ok(back(&state, role, &period.to_string(), "", "assess"))
}
