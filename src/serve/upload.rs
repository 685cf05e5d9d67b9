//! Uploads. The county's file name is checked and shown, but it never becomes a path: an
//! accepted file is stored under its unit's name (`舞阳县.xlsx`) in `data/YYYY-MM/`, written
//! atomically, in place of the files that held that unit before. Its bytes are read by the same
//! code as a folder's files (`check`); a refused file is not kept.

use super::api::ApiError;
use super::auth::Role;
use super::state::{Diag, Refused, State, diags, lock};
use super::status::{self, FileCheck, guess_unit};
use crate::error::{Diagnostic, Location};
use crate::ingest::{self, MAX_FILE_BYTES};
use crate::period::Period;
use axum::extract::Multipart;
use axum::extract::multipart::MultipartError;
use axum::http::StatusCode;
use serde::Serialize;
use std::path::Path;
use std::sync::Arc;

/// One file part of a request: its name as sent, and its bytes (or why they were not kept).
pub struct Part {
    pub name: String,
    pub bytes: Result<Vec<u8>, String>,
}

#[derive(Debug, Serialize)]
pub struct Accepted {
    /// The name the county gave the file.
    pub file: String,
    /// Its name in the period's folder.
    pub stored: String,
    pub units: Vec<String>,
    /// Files of the folder it replaced.
    pub replaced: Vec<String>,
    pub warnings: Vec<Diag>,
}

#[derive(Debug, Default, Serialize)]
pub struct UploadReport {
    pub accepted: Vec<Accepted>,
    pub refused: Vec<Refused>,
    /// Files a unit's token may not upload (another unit's file).
    pub forbidden: Vec<Refused>,
}

impl UploadReport {
    pub fn status(&self) -> StatusCode {
        if !self.forbidden.is_empty() {
            StatusCode::FORBIDDEN
        } else if !self.refused.is_empty() {
            StatusCode::UNPROCESSABLE_ENTITY
        } else {
            StatusCode::OK
        }
    }
}

enum Verdict {
    Accepted(Accepted, Vec<usize>),
    Refused(Refused, Option<usize>),
    Forbidden(Refused),
}

/// Read every file part of the request (any field name), each up to the size limit.
pub async fn read_parts(mut mp: Multipart) -> Result<Vec<Part>, ApiError> {
    let mut parts = Vec::new();
    while let Some(mut field) = mp.next_field().await.map_err(multipart_error)? {
        let Some(name) = field.file_name().map(str::to_owned) else {
            continue;
        };
        let mut bytes = Vec::new();
        let mut too_large = false;
        while let Some(chunk) = field.chunk().await.map_err(multipart_error)? {
            if too_large || (bytes.len() + chunk.len()) as u64 > MAX_FILE_BYTES {
                too_large = true;
                bytes = Vec::new();
                continue;
            }
            bytes.extend_from_slice(&chunk);
        }
        // A form's file input sent with no file chosen.
        if name.is_empty() && bytes.is_empty() {
            continue;
        }
        let bytes = if too_large {
            Err(format!(
                "文件过大 (file too large): a submission is at most {} MB",
                MAX_FILE_BYTES / 1_048_576
            ))
        } else {
            Ok(bytes)
        };
        parts.push(Part { name, bytes });
    }
    Ok(parts)
}

fn multipart_error(e: MultipartError) -> ApiError {
    ApiError::new(
        e.status(),
        format!(
            "上传内容无法读取 (the upload could not be read): {}",
            e.body_text()
        ),
    )
}

/// Validate and keep the request's files, each on a blocking thread.
pub async fn upload(
    state: Arc<State>,
    period: Period,
    role: Role,
    parts: Vec<Part>,
) -> Result<UploadReport, ApiError> {
    if parts.is_empty() {
        return Err(ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "没有收到文件 (no file in the request: send multipart/form-data with file parts)"
                .into(),
        ));
    }
    let tasks: Vec<_> = parts
        .into_iter()
        .map(|p| {
            let st = state.clone();
            tokio::task::spawn_blocking(move || handle(&st, period, role, p))
        })
        .collect();
    let mut report = UploadReport::default();
    for t in tasks {
        match t.await.map_err(|e| ApiError::internal(e.to_string()))? {
            Verdict::Accepted(a, units) => {
                for u in units {
                    state.accepted(period, u);
                }
                report.accepted.push(a);
            }
            Verdict::Refused(r, unit) => {
                state.refuse(period, unit, r.clone());
                report.refused.push(r);
            }
            Verdict::Forbidden(r) => report.forbidden.push(r),
        }
    }
    Ok(report)
}

/// The extension of an acceptable upload name, or why it is refused. A name is only ever a
/// label: no folders, no `..`, no characters a file system or a shell treats specially.
pub fn check_name(name: &str) -> Result<String, String> {
    check_label(name).map_err(refused_name)?;
    let ext = name
        .rsplit_once('.')
        .map(|(_, e)| e.to_lowercase())
        .unwrap_or_default();
    if !matches!(ext.as_str(), "xlsx" | "xlsm" | "xls" | "ods" | "csv") {
        return Err(refused_name("not .xlsx, .xls, .ods or .csv"));
    }
    Ok(ext)
}

fn refused_name(why: &str) -> String {
    format!(
        "文件名不可接受 (file name refused: {why}): 请用单位名称命名,如 舞阳县.xlsx (name it after the unit, e.g. 舞阳县.xlsx)"
    )
}

/// A name that is no path, no hidden file and has no special characters, or why not.
fn check_label(name: &str) -> Result<(), &'static str> {
    if name.trim().is_empty() || name.chars().count() > 150 {
        return Err("empty or longer than 150 characters");
    }
    if name.contains(['/', '\\']) || name.contains("..") {
        return Err("a path, not a file name");
    }
    if name.starts_with(['.', '~', ' ']) {
        return Err("a hidden or temporary file");
    }
    if name
        .chars()
        .any(|c| c.is_control() || ":*?\"<>|%$`'&;".contains(c))
    {
        return Err("odd characters");
    }
    Ok(())
}

/// A name fit to show: control characters made visible.
fn shown(name: &str) -> String {
    name.chars()
        .flat_map(|c| {
            if c.is_control() {
                c.escape_default().collect::<Vec<_>>()
            } else {
                vec![c]
            }
        })
        .take(200)
        .collect()
}

fn refusal(file: &str, messages: &[Diagnostic]) -> Refused {
    Refused {
        file: file.to_string(),
        errors: diags(messages),
    }
}

fn handle(state: &State, period: Period, role: Role, part: Part) -> Verdict {
    let cfg = &state.cfg;
    let name = shown(&part.name);
    let one = |msg: String| vec![Diagnostic::new(Location::file(&name), msg)];
    let guessed = match role {
        Role::Unit(u) => Some(u),
        Role::Bureau => guess_unit(cfg, &part.name),
    };
    let ext = match check_name(&part.name) {
        Ok(e) => e,
        // A plain name whose type no reader opens (a WPS `.et`): refused as the folder would.
        Err(m) => match ingest::unreadable(cfg, Path::new(&part.name)) {
            Some(u) if check_label(&part.name).is_ok() => {
                return Verdict::Refused(refusal(&name, &one(u)), guessed);
            }
            _ => return Verdict::Refused(refusal(&name, &one(m)), None),
        },
    };
    let bytes = match part.bytes {
        Ok(b) => b,
        Err(m) => return Verdict::Refused(refusal(&name, &one(m)), guessed),
    };
    let fc = status::check_bytes(cfg, period, &part.name, bytes.clone());
    if let Role::Unit(u) = role
        && fc.units.iter().any(|&x| x != u)
    {
        let m = format!(
            "此链接只能上传{}的报表 (this link uploads {}'s file only)",
            cfg.units[u].name, cfg.units[u].name
        );
        return Verdict::Forbidden(refusal(&name, &one(m)));
    }
    let owner = match fc.units.as_slice() {
        [u] => Some(*u),
        [] => guessed,
        _ => None,
    };
    if !fc.errors.is_empty() {
        return Verdict::Refused(refusal(&name, &fc.errors), owner);
    }
    if fc.units.is_empty() {
        let m = "文件中没有任何单位的数据 (no unit's figures in the file)".to_string();
        return Verdict::Refused(refusal(&name, &one(m)), owner);
    }
    match commit(state, period, &fc, &ext, &bytes) {
        Ok((stored, replaced)) => Verdict::Accepted(
            Accepted {
                file: name,
                stored,
                units: fc
                    .units
                    .iter()
                    .map(|&u| cfg.units[u].name.clone())
                    .collect(),
                replaced,
                warnings: diags(&fc.warnings),
            },
            fc.units.clone(),
        ),
        Err(m) => Verdict::Refused(refusal(&name, &one(m)), owner),
    }
}

/// Write an accepted file under its unit's name and remove the files it replaces, under the
/// folder's lock (a run reads the folder under the same lock).
fn commit(
    state: &State,
    period: Period,
    fc: &FileCheck,
    ext: &str,
    bytes: &[u8],
) -> Result<(String, Vec<String>), String> {
    let cfg = &state.cfg;
    let stored = match fc.units.as_slice() {
        [u] => format!(
            "{}.{ext}",
            crate::output::file_stem(&cfg.units[*u].name, 100)
        ),
        _ => format!("汇总表.{ext}"),
    };
    let folder_lock = state.folder_lock(period);
    let _held = lock(&folder_lock);
    let dir = state.folder(period);
    let existing = status::folder_files(state, period).map_err(|e| e.to_string())?;
    let mut replaced = Vec::new();
    for old in &existing {
        let units: Vec<usize> = if old.units.is_empty() {
            guess_unit(cfg, &old.name).into_iter().collect()
        } else {
            old.units.clone()
        };
        let overlaps = units.iter().any(|u| fc.units.contains(u));
        if !overlaps && old.name != stored {
            continue;
        }
        if let Some(other) = units.iter().find(|u| !fc.units.contains(u)) {
            return Err(format!(
                "{} 中还有{}的数据,不能替换 (the folder's {} also holds {}; remove or correct it first)",
                old.name, cfg.units[*other].name, old.name, cfg.units[*other].name
            ));
        }
        replaced.push(old.name.clone());
    }
    let to = dir.join(&stored);
    crate::output::write_atomic(&to, bytes).map_err(|e| e.to_string())?;
    for r in replaced.iter().filter(|r| **r != stored) {
        std::fs::remove_file(dir.join(r))
            .map_err(|e| format!("无法移除旧文件 (cannot remove the earlier file) {r}: {e}"))?;
    }
    Ok((stored, replaced))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_that_would_be_paths_are_refused() {
        assert_eq!(check_name("舞阳县.xlsx").unwrap(), "xlsx");
        assert_eq!(check_name("2015-07 临颍县(修改).XLS").unwrap(), "xls");
        for bad in [
            "../舞阳县.xlsx",
            "..\\舞阳县.xlsx",
            "/etc/舞阳县.xlsx",
            "C:\\舞阳县.xlsx",
            "a/b.xlsx",
            ".舞阳县.xlsx",
            "~$舞阳县.xlsx",
            "舞阳县.xlsx\0.txt",
            "舞阳县\n.xlsx",
            "舞阳县.txt",
            "舞阳县",
            "",
            "$(rm -rf).xlsx",
        ] {
            assert!(check_name(bad).is_err(), "{bad:?}");
        }
        assert_eq!(shown("a\nb.xlsx"), "a\\nb.xlsx");
    }
}
