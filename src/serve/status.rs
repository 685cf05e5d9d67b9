//! The honest state of a period: what its folder holds now (a file a clerk copied in by hand
//! counts too), each file read by the same code as `check`, then, when every file is valid,
//! the folder read and computed as `check` does (for duplicates and the computation's
//! warnings); and beside it the last refused upload of each unit.

use super::state::{Diag, Refused, RunRecord, State, diags};
use crate::app::{self, RunArgs, Timings};
use crate::config::Config;
use crate::error::{Diagnostic, Error, Location};
use crate::ingest;
use crate::period::Period;
use rayon::prelude::*;
use serde::Serialize;
use std::path::Path;
use std::sync::Arc;

/// What reading one file gave.
#[derive(Debug)]
pub struct FileCheck {
    pub name: String,
    /// Units the file holds, in sheet order.
    pub units: Vec<usize>,
    pub errors: Vec<Diagnostic>,
    pub warnings: Vec<Diagnostic>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum UnitState {
    #[serde(rename = "未报")]
    Missing,
    #[serde(rename = "已报")]
    Reported,
    #[serde(rename = "有误")]
    Error,
    #[serde(rename = "有警告")]
    Warning,
}

impl UnitState {
    pub fn label(self) -> &'static str {
        match self {
            UnitState::Missing => "未报",
            UnitState::Reported => "已报",
            UnitState::Error => "有误",
            UnitState::Warning => "有警告",
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct UnitStatus {
    pub unit: String,
    pub group: String,
    pub state: UnitState,
    /// The files in the period's folder that hold this unit.
    pub files: Vec<String>,
    pub errors: Vec<Diag>,
    pub warnings: Vec<Diag>,
    /// The last upload for this unit that was refused (not kept), unless one was accepted since.
    pub refused: Option<Refused>,
}

#[derive(Debug, Clone, Serialize)]
pub struct PeriodStatus {
    pub period: String,
    pub label: String,
    pub units: Vec<UnitStatus>,
    /// Errors that belong to no one unit (a file naming no configured unit …).
    pub other_errors: Vec<Diag>,
    pub other_warnings: Vec<Diag>,
    /// Refused uploads that named no unit.
    pub other_refused: Vec<Refused>,
    /// Every unit 已报 or 有警告, and no other error: a run will go through.
    pub ready: bool,
    pub running: bool,
    pub last_run: Option<RunRecord>,
    /// The period's outputs, relative to the output folder (served under `/reports/`).
    pub outputs: Vec<String>,
}

/// Read one workbook's bytes as the file `name` of the period's folder.
pub fn check_bytes(cfg: &Config, period: Period, name: &str, bytes: Vec<u8>) -> FileCheck {
    let one = ingest::read_one_guarded(cfg, period, Path::new(name), bytes);
    FileCheck {
        name: name.to_string(),
        units: one.units.iter().map(|(u, _)| *u).collect(),
        errors: one.errors,
        warnings: one.warnings,
    }
}

fn check_path(cfg: &Config, period: Period, path: &Path, name: &str) -> FileCheck {
    use std::io::Read;
    let limit = ingest::MAX_FILE_BYTES;
    let mut bytes = Vec::new();
    let read = std::fs::File::open(path).and_then(|f| f.take(limit + 1).read_to_end(&mut bytes));
    let message = match read {
        Ok(n) if n as u64 > limit => format!(
            "文件过大 (file too large): a submission is at most {} MB",
            limit / 1_048_576
        ),
        Ok(_) => return check_bytes(cfg, period, name, bytes),
        Err(e) => format!("无法读取文件 (cannot read the file): {e}"),
    };
    FileCheck {
        name: name.to_string(),
        units: Vec::new(),
        errors: vec![Diagnostic::new(Location::file(name), message)],
        warnings: Vec::new(),
    }
}

/// Every spreadsheet of the period's folder, read (or taken from the cache while unchanged),
/// then the files meant as input that no reader opens (a WPS `.et`), each with its error.
pub fn folder_files(state: &State, period: Period) -> Result<Vec<Arc<FileCheck>>, Error> {
    let dir = state.folder(period);
    if !dir.is_dir() {
        return Ok(Vec::new());
    }
    let ingest::Inputs { files, refused } = ingest::input_files(&state.cfg, &dir)?;
    let refused = refused.into_iter().map(|(name, message)| {
        Arc::new(FileCheck {
            errors: vec![Diagnostic::new(Location::file(&name), message)],
            name,
            units: Vec::new(),
            warnings: Vec::new(),
        })
    });
    let read: Vec<Arc<FileCheck>> = files
        .par_iter()
        .map(|p| {
            let name = ingest::display_name(p);
            let meta = std::fs::metadata(p).ok();
            let key = meta
                .as_ref()
                .and_then(|m| Some((m.len(), m.modified().ok()?)));
            if let Some((len, modified)) = key
                && let Some(c) = state.cached(p, len, modified)
            {
                return c;
            }
            let c = Arc::new(check_path(&state.cfg, period, p, &name));
            if let Some((len, modified)) = key {
                state.cache(p.clone(), len, modified, c.clone());
            }
            c
        })
        .collect();
    Ok(read.into_iter().chain(refused).collect())
}

/// The unit a file's name points to (the longest configured name or alias inside it), for
/// a file that could not be read far enough to name its unit.
pub fn guess_unit(cfg: &Config, file: &str) -> Option<usize> {
    let n = crate::text::normalize(file);
    cfg.unit_names()
        .filter(|(k, _)| !k.is_empty() && n.contains(k))
        .max_by_key(|(k, _)| k.chars().count())
        .map(|(_, u)| u)
}

/// Findings per unit, and those that belong to none.
struct Findings {
    files: Vec<Vec<String>>,
    errors: Vec<Vec<Diagnostic>>,
    warnings: Vec<Vec<Diagnostic>>,
    other_errors: Vec<Diagnostic>,
    other_warnings: Vec<Diagnostic>,
}

/// The state of every unit of `period`.
pub fn status(state: &State, period: Period) -> PeriodStatus {
    let cfg = &state.cfg;
    let n = cfg.units.len();
    let mut f = Findings {
        files: vec![Vec::new(); n],
        errors: vec![Vec::new(); n],
        warnings: vec![Vec::new(); n],
        other_errors: Vec::new(),
        other_warnings: Vec::new(),
    };
    match folder_files(state, period) {
        Ok(files) => per_file(state, period, &files, &mut f),
        Err(e) => f.other_errors.push(Diagnostic::new(
            Location::file(period.to_string()),
            e.to_string(),
        )),
    }
    let refusals = state.refusals(period);
    let units: Vec<UnitStatus> = cfg
        .units
        .iter()
        .enumerate()
        .map(|(u, uc)| {
            let refused = refusals.by_unit.get(&u).cloned();
            let st = if !f.errors[u].is_empty() {
                UnitState::Error
            } else if !f.files[u].is_empty() {
                if f.warnings[u].is_empty() {
                    UnitState::Reported
                } else {
                    UnitState::Warning
                }
            } else if refused.is_some() {
                UnitState::Error
            } else {
                UnitState::Missing
            };
            UnitStatus {
                unit: uc.name.clone(),
                group: uc.group.clone(),
                state: st,
                files: std::mem::take(&mut f.files[u]),
                errors: diags(&f.errors[u]),
                warnings: diags(&f.warnings[u]),
                refused,
            }
        })
        .collect();
    let ready = f.other_errors.is_empty()
        && units
            .iter()
            .all(|u| matches!(u.state, UnitState::Reported | UnitState::Warning));
    PeriodStatus {
        period: period.to_string(),
        label: period.label(),
        units,
        other_errors: diags(&f.other_errors),
        other_warnings: diags(&f.other_warnings),
        other_refused: refusals.unnamed,
        ready,
        running: state.is_running(period),
        last_run: state.last_run(period),
        outputs: outputs(&state.out, period),
    }
}

/// Each file's units and errors; duplicates; then, when all is valid, the folder as `check`
/// reads and computes it, for the warnings of the computation.
fn per_file(state: &State, period: Period, files: &[Arc<FileCheck>], f: &mut Findings) {
    let cfg = &state.cfg;
    let mut any_error = false;
    for fc in files {
        for &u in &fc.units {
            if let Some(first) = f.files[u].first() {
                let name = &cfg.units[u].name;
                f.errors[u].push(Diagnostic::new(
                    Location::file(&fc.name),
                    format!(
                        "{name} 有两份报表 (two submissions for {name}): also in {first}; remove one"
                    ),
                ));
                any_error = true;
            }
            f.files[u].push(fc.name.clone());
        }
        if !fc.errors.is_empty() {
            any_error = true;
            let owner = match fc.units.as_slice() {
                [] => guess_unit(cfg, &fc.name),
                [u] => Some(*u),
                _ => None,
            };
            match owner {
                Some(u) => f.errors[u].extend(fc.errors.iter().cloned()),
                None => f.other_errors.extend(fc.errors.iter().cloned()),
            }
        }
    }
    let warnings: Vec<Diagnostic> = if any_error || files.is_empty() {
        files.iter().flat_map(|fc| fc.warnings.clone()).collect()
    } else {
        match whole_folder(state, period) {
            Ok(w) => w,
            Err(e) => {
                f.other_errors.extend(e);
                return;
            }
        }
    };
    for w in warnings {
        match owner_of(cfg, files, &w) {
            Some(u) => f.warnings[u].push(w),
            None => f.other_warnings.push(w),
        }
    }
}

/// The warnings of reading and computing the whole folder, as `check` (missing units aside:
/// they are shown as 未报).
fn whole_folder(state: &State, period: Period) -> Result<Vec<Diagnostic>, Vec<Diagnostic>> {
    let args = RunArgs {
        period: Some(period),
        data: state.data.clone(),
        history: state.history.clone(),
        allow_missing: true,
        ..RunArgs::default()
    };
    let at = Location::file(period.to_string());
    let run = || -> Result<Vec<Diagnostic>, Error> {
        let previous = crate::history::previous(&state.history, period)?;
        let dir = state.folder(period);
        let prep = app::prepare(
            &state.cfg,
            period,
            &dir,
            &args,
            &mut Timings::default(),
            previous.as_ref(),
        )?;
        Ok(prep
            .warnings()
            .filter(|w| w.location != at)
            .cloned()
            .collect())
    };
    run().map_err(|e| match e {
        Error::Input { errors } => errors.0,
        e => vec![Diagnostic::new(at.clone(), e.to_string())],
    })
}

/// The unit a warning is about: its file's one unit, or the unit of that file it names.
fn owner_of(cfg: &Config, files: &[Arc<FileCheck>], w: &Diagnostic) -> Option<usize> {
    let fc = files.iter().find(|fc| fc.name == w.location.file)?;
    match fc.units.as_slice() {
        [u] => Some(*u),
        us => us
            .iter()
            .copied()
            .find(|&u| w.message.contains(cfg.units[u].name.as_str())),
    }
}

/// The period's outputs, relative to `out`: the workbook and csv, then the charts.
pub fn outputs(out: &Path, period: Period) -> Vec<String> {
    let dir = out.join(period.to_string());
    let list = |d: &Path| -> Vec<String> {
        let mut v: Vec<String> = std::fs::read_dir(d)
            .into_iter()
            .flatten()
            .filter_map(|e| e.ok())
            .filter(|e| e.path().is_file())
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .filter(|n| !n.starts_with('.'))
            .collect();
        v.sort();
        v
    };
    let p = period.to_string();
    let mut files: Vec<String> = list(&dir).into_iter().map(|n| format!("{p}/{n}")).collect();
    files.sort_by_key(|n| !n.ends_with(".xlsx"));
    files.extend(
        list(&dir.join("charts"))
            .into_iter()
            .map(|n| format!("{p}/charts/{n}")),
    );
    files
}
