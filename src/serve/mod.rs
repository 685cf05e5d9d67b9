//! `tongbao serve` (issue 20): a web page and a small JSON API over the folders the command
//! line uses. Counties upload their workbooks, each read at once by the same code as `check`
//! and kept in `data/YYYY-MM/` only when valid; the bureau sees every unit's state and runs
//! the month exactly as `tongbao run` does. axum on a tokio runtime of one thread: reading,
//! running and assessing go to blocking threads.
//!
//! Files: `routes` (the router and the token check in front of it), `api` (JSON), `upload`,
//! `status` (a period's state), `page` and `ui` (the HTML page and its forms), `files`
//! (downloads), `auth` (tokens), `state` (what is kept between requests).

mod api;
mod auth;
mod files;
mod page;
mod routes;
mod state;
mod status;
mod ui;
mod upload;

use crate::config::Config;
use crate::error::{Error, Result};
use crate::period::Period;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// A request body larger than this is refused before it is read: one file at the ingest
/// size limit, and room for the multipart framing.
pub const BODY_LIMIT: usize = crate::ingest::MAX_FILE_BYTES as usize + 1024 * 1024;

/// The options of `tongbao serve`.
pub struct Options {
    pub listen: SocketAddr,
    pub data: PathBuf,
    pub out: PathBuf,
    pub history: PathBuf,
    pub config: Config,
}

/// Listen, say where on stdout (with the tokens when they are needed), serve until stopped.
pub fn serve(opts: Options) -> Result<()> {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_io()
        .build()
        .map_err(|e| Error::io("tokio", e))?;
    rt.block_on(async move {
        let listener = tokio::net::TcpListener::bind(opts.listen)
            .await
            .map_err(|e| {
                Error::Usage(format!(
                    "无法监听 {} (cannot listen on {}): {e}",
                    opts.listen, opts.listen
                ))
            })?;
        let addr = listener.local_addr().map_err(|e| Error::io("listen", e))?;
        let auth = auth::Auth::new(&opts.config, addr.ip())?;
        let state = state::State::new(opts.config, opts.data, opts.out, opts.history, auth);
        banner(&state, addr);
        let app = routes::router(Arc::new(state));
        axum::serve(listener, app)
            .await
            .map_err(|e| Error::io("serve", e))
    })
}

/// The address to open, and with tokens the bureau's link and each unit's upload link.
fn banner(state: &state::State, addr: SocketAddr) {
    let base = format!("http://{addr}/");
    let Some(bureau) = state.auth.token_of(auth::Role::Bureau) else {
        crate::say!(
            "tongbao serve: {base}  (在浏览器中打开 open it in a browser; Ctrl+C 停止 stops)"
        );
        return;
    };
    crate::say!("tongbao serve: {base}?token={bureau}  (统计局 bureau: 上传、生成通报、考核)");
    if addr.ip().is_unspecified() {
        crate::say!(
            "  0.0.0.0 换成本机的局域网地址 (replace 0.0.0.0 with this PC's address on the office network)"
        );
    }
    crate::say!("令牌 token: {bureau}");
    crate::say!("各单位的上传链接 (upload links, one per unit; each uploads its own file only):");
    for (u, unit) in state.cfg.units.iter().enumerate() {
        if let Some(t) = state.auth.token_of(auth::Role::Unit(u)) {
            crate::say!("  {}: {base}?token={t}", unit.name);
        }
    }
}

/// The period a page opens on: the month after the latest on record, else the latest folder
/// under the data root, else the current month.
pub fn default_period(data: &Path, history: &Path) -> Period {
    let next = |p: Period| {
        if p.month == 12 {
            Period::new(p.year + 1, 1)
        } else {
            Period::new(p.year, p.month + 1)
        }
        .unwrap_or(p)
    };
    if let Some(p) = crate::history::periods(history)
        .ok()
        .and_then(|v| v.into_iter().max())
    {
        return next(p);
    }
    if let Some(p) = crate::app::period_folders(data)
        .ok()
        .and_then(|v| v.into_iter().max())
    {
        return p;
    }
    this_month()
}

/// The current month (UTC) from the system clock.
fn this_month() -> Period {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0);
    let days = (secs / 86_400) as i64;
    // Civil date from days since 1970-01-01 (H. Hinnant's algorithm).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let year = (yoe + era * 400 + i64::from(month <= 2)) as i32;
    Period::new(year, month).unwrap_or(Period {
        year: 2000,
        month: 1,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_period_is_the_month_after_the_latest_record() {
        let t = tempfile::tempdir().unwrap();
        let (data, history) = (t.path().join("data"), t.path().join("data/history"));
        std::fs::create_dir_all(data.join("2015-03")).unwrap();
        std::fs::create_dir_all(data.join("2015-05")).unwrap();
        assert_eq!(default_period(&data, &history).to_string(), "2015-05");
        std::fs::create_dir_all(&history).unwrap();
        std::fs::write(history.join("2015-12.parquet"), b"").unwrap();
        assert_eq!(default_period(&data, &history).to_string(), "2016-01");
        let now = this_month();
        assert!(now.year >= 2024, "{now}");
    }
}
