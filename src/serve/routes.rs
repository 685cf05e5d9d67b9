//! The router: every path of the page and the API, behind the token check and the body
//! limit (tower-http's, which refuses a body announced larger than the limit before reading
//! any of it, and stops one that grows past it).

use super::api::{self, ApiError};
use super::state::State;
use super::{BODY_LIMIT, files, page, ui};
use axum::Router;
use axum::extract::{DefaultBodyLimit, Request, State as St};
use axum::http::{HeaderMap, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use std::sync::Arc;
use tower_http::limit::RequestBodyLimitLayer;

pub fn router(state: Arc<State>) -> Router {
    Router::new()
        .route("/", get(page::index))
        .route("/style.css", get(page::css))
        .route("/api/periods/{period}", get(api::get_period))
        .route("/api/periods/{period}/files", post(api::post_files))
        .route("/api/periods/{period}/run", post(api::post_run))
        .route("/api/assess/{year}", post(api::post_assess))
        .route("/reports/{*path}", get(files::report))
        .route("/templates/{period}/{file}", get(files::template))
        .route("/ui/periods/{period}/files", post(ui::files))
        .route("/ui/periods/{period}/run", post(ui::run))
        .route("/ui/assess", post(ui::assess))
        .layer(middleware::from_fn_with_state(state.clone(), authorize))
        // The limit below is the only one: axum's own default (2 MB) would refuse a large
        // workbook that the ingest limits accept.
        .layer(DefaultBodyLimit::disable())
        .layer(RequestBodyLimitLayer::new(BODY_LIMIT))
        .with_state(state)
}

/// The request's role from its token (the style sheet needs none), or 401.
async fn authorize(St(state): St<Arc<State>>, mut req: Request, next: Next) -> Response {
    if req.uri().path() == "/style.css" {
        return next.run(req).await;
    }
    let token = bearer(req.headers()).or_else(|| query_token(req.uri().query()));
    match state.auth.role(token.as_deref()) {
        Some(role) => {
            req.extensions_mut().insert(role);
            next.run(req).await
        }
        None => {
            let mut r = ApiError::new(
                StatusCode::UNAUTHORIZED,
                "需要有效的令牌 (a valid token is required: the link printed at start, ?token=… or Authorization: Bearer …)".into(),
            )
            .into_response();
            r.headers_mut().insert(
                header::WWW_AUTHENTICATE,
                header::HeaderValue::from_static("Bearer"),
            );
            r
        }
    }
}

fn bearer(h: &HeaderMap) -> Option<String> {
    let v = h.get(header::AUTHORIZATION)?.to_str().ok()?;
    v.strip_prefix("Bearer ").map(|t| t.trim().to_string())
}

/// `token=…` of the query string (tokens are URL-safe characters, nothing to decode).
fn query_token(q: Option<&str>) -> Option<String> {
    q?.split('&')
        .find_map(|kv| kv.strip_prefix("token="))
        .map(str::to_string)
}
