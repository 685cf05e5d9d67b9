//! What the server keeps between requests: the settings, the per-period folder locks, the
//! runs in progress, and what the folder alone cannot tell (the last refused upload of each
//! unit, the last run's and assessment's outcome).

use super::auth::Auth;
use super::status::FileCheck;
use crate::config::Config;
use crate::error::Diagnostic;
use crate::period::Period;
use serde::Serialize;
use std::collections::{HashMap, HashSet};
use std::path::PathBuf;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::SystemTime;

/// Refused uploads naming no unit, kept per period (the newest).
const MAX_UNNAMED_REFUSED: usize = 20;

pub struct State {
    pub cfg: Config,
    /// Root of the period folders (`data/`).
    pub data: PathBuf,
    pub out: PathBuf,
    pub history: PathBuf,
    pub auth: Auth,
    /// One lock per period folder: an upload's commit and a whole run take it, so a run reads
    /// the folder as it was when it started, and an upload never replaces a file under it.
    folders: Mutex<HashMap<Period, Arc<Mutex<()>>>>,
    running: Mutex<HashSet<Period>>,
    refused: Mutex<HashMap<Period, Refusals>>,
    last_run: Mutex<HashMap<Period, RunRecord>>,
    pub last_assess: Mutex<Option<RunRecord>>,
    files: Mutex<HashMap<PathBuf, Cached>>,
}

/// A file of a period folder read before: its (size, modified) then, and what reading it gave.
type Cached = (u64, SystemTime, Arc<FileCheck>);

/// An upload that was refused and not kept.
#[derive(Debug, Clone, Serialize)]
pub struct Refused {
    /// The name the county gave the file.
    pub file: String,
    pub errors: Vec<Diag>,
}

#[derive(Default, Clone)]
pub struct Refusals {
    pub by_unit: HashMap<usize, Refused>,
    pub unnamed: Vec<Refused>,
}

/// The outcome of the last run of a period (or the last assessment).
#[derive(Debug, Clone, Serialize)]
pub struct RunRecord {
    pub ok: bool,
    /// Files written, relative to the output folder (`2015-07/rankings.csv`).
    pub files: Vec<String>,
    pub message: String,
    pub errors: Vec<Diag>,
}

/// A finding as the API shows it: the place, the message, and the line `check` prints.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Diag {
    pub file: String,
    pub sheet: Option<String>,
    pub cell: Option<String>,
    pub message: String,
    pub text: String,
}

impl From<&Diagnostic> for Diag {
    fn from(d: &Diagnostic) -> Diag {
        Diag {
            file: d.location.file.clone(),
            sheet: d.location.sheet.clone(),
            cell: d.location.cell.clone(),
            message: d.message.clone(),
            text: d.to_string(),
        }
    }
}

pub fn diags<'a>(ds: impl IntoIterator<Item = &'a Diagnostic>) -> Vec<Diag> {
    ds.into_iter().map(Diag::from).collect()
}

/// A poisoned lock only means a request panicked meanwhile; the data is still usable.
pub fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

impl State {
    pub fn new(cfg: Config, data: PathBuf, out: PathBuf, history: PathBuf, auth: Auth) -> State {
        State {
            cfg,
            data,
            out,
            history,
            auth,
            folders: Mutex::default(),
            running: Mutex::default(),
            refused: Mutex::default(),
            last_run: Mutex::default(),
            last_assess: Mutex::default(),
            files: Mutex::default(),
        }
    }

    pub fn folder(&self, period: Period) -> PathBuf {
        self.data.join(period.to_string())
    }

    /// The lock of a period's folder (see [`State::folders`]).
    pub fn folder_lock(&self, period: Period) -> Arc<Mutex<()>> {
        lock(&self.folders).entry(period).or_default().clone()
    }

    /// Mark a run of `period` as started; `false` when one is already going.
    pub fn start_run(&self, period: Period) -> bool {
        lock(&self.running).insert(period)
    }

    pub fn end_run(&self, period: Period) {
        lock(&self.running).remove(&period);
    }

    pub fn is_running(&self, period: Period) -> bool {
        lock(&self.running).contains(&period)
    }

    pub fn refusals(&self, period: Period) -> Refusals {
        lock(&self.refused)
            .get(&period)
            .cloned()
            .unwrap_or_default()
    }

    pub fn refuse(&self, period: Period, unit: Option<usize>, r: Refused) {
        let mut all = lock(&self.refused);
        let p = all.entry(period).or_default();
        match unit {
            Some(u) => {
                p.by_unit.insert(u, r);
            }
            None => {
                p.unnamed.push(r);
                let n = p.unnamed.len();
                if n > MAX_UNNAMED_REFUSED {
                    p.unnamed.drain(..n - MAX_UNNAMED_REFUSED);
                }
            }
        }
    }

    /// An accepted upload for `unit` supersedes its last refused one.
    pub fn accepted(&self, period: Period, unit: usize) {
        if let Some(p) = lock(&self.refused).get_mut(&period) {
            p.by_unit.remove(&unit);
        }
    }

    pub fn last_run(&self, period: Period) -> Option<RunRecord> {
        lock(&self.last_run).get(&period).cloned()
    }

    pub fn set_last_run(&self, period: Period, r: RunRecord) {
        lock(&self.last_run).insert(period, r);
    }

    /// The cached reading of a file, if it has not changed since.
    pub fn cached(&self, path: &PathBuf, len: u64, modified: SystemTime) -> Option<Arc<FileCheck>> {
        lock(&self.files)
            .get(path)
            .filter(|(l, m, _)| *l == len && *m == modified)
            .map(|(_, _, c)| c.clone())
    }

    pub fn cache(&self, path: PathBuf, len: u64, modified: SystemTime, c: Arc<FileCheck>) {
        lock(&self.files).insert(path, (len, modified, c));
    }
}
