//! The commands of SPEC §7, called by the thin `main`.

pub mod double_click;
mod run;
mod table;
mod timings;

pub(crate) use run::prepare;
pub use run::{Prepared, run, run_period};
pub use table::render_table;
pub use timings::Timings;

use crate::config::Config;
use crate::error::{Diagnostic, Diagnostics, Error, Result};
use crate::history;
use crate::period::Period;
use std::path::{Path, PathBuf};
use std::str::FromStr;

/// Print a line to stdout; a closed pipe (`tongbao … | head`) is not an error.
#[macro_export]
macro_rules! say {
    ($($t:tt)*) => {{
        use std::io::Write as _;
        let _ = writeln!(std::io::stdout(), $($t)*);
    }};
}

/// Options of `run` and `check`.
#[derive(Debug, Clone)]
pub struct RunArgs {
    pub period: Option<Period>,
    /// The period's folder; default `<data>/YYYY-MM`.
    pub input: Option<PathBuf>,
    /// Root of period folders, default `data`.
    pub data: PathBuf,
    pub out: PathBuf,
    pub history: PathBuf,
    pub strict: bool,
    pub allow_missing: bool,
    pub timings: bool,
}

impl Default for RunArgs {
    fn default() -> Self {
        RunArgs {
            period: None,
            input: None,
            data: PathBuf::from("data"),
            out: PathBuf::from("reports"),
            history: PathBuf::from("data/history"),
            strict: false,
            allow_missing: false,
            timings: false,
        }
    }
}

/// Period folders (`YYYY-MM`) under the data root, sorted.
pub fn period_folders(data: &Path) -> Result<Vec<Period>> {
    let rd = std::fs::read_dir(data).map_err(|e| {
        Error::Usage(format!(
            "找不到数据文件夹 (cannot read the data folder {}): {e}",
            data.display()
        ))
    })?;
    let mut out: Vec<Period> = rd
        .filter_map(|e| e.ok())
        .filter(|e| e.path().is_dir())
        .filter_map(|e| Period::from_str(&e.file_name().to_string_lossy()).ok())
        .collect();
    out.sort();
    Ok(out)
}

/// The period and input folder a run works on.
pub fn resolve(args: &RunArgs) -> Result<(Period, PathBuf)> {
    match (args.period, &args.input) {
        (Some(p), Some(dir)) => Ok((p, dir.clone())),
        (Some(p), None) => Ok((p, args.data.join(p.to_string()))),
        (None, Some(dir)) => {
            let name = dir
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            let p = Period::from_str(&name).map_err(|_| {
                Error::Usage(format!("请用 --period 指定报告期 (give --period YYYY-MM: the folder name {name:?} is not a period)"))
            })?;
            Ok((p, dir.clone()))
        }
        (None, None) => {
            let p = period_folders(&args.data)?
                .into_iter()
                .max()
                .ok_or_else(|| {
                    Error::Usage(format!(
                        "{} 下没有报告期文件夹 (no YYYY-MM folder under {})",
                        args.data.display(),
                        args.data.display()
                    ))
                })?;
            Ok((p, args.data.join(p.to_string())))
        }
    }
}

/// `tongbao run --all`: every period folder under the data root, in order.
pub fn run_all(cfg: &Config, args: &RunArgs) -> Result<Vec<PathBuf>> {
    let periods = period_folders(&args.data)?;
    if periods.is_empty() {
        return Err(Error::Usage(format!(
            "no YYYY-MM folder under {}",
            args.data.display()
        )));
    }
    let mut all = Vec::new();
    for p in periods {
        all.extend(run_period(cfg, p, &args.data.join(p.to_string()), args)?);
    }
    Ok(all)
}

/// `tongbao check`: read and validate, print what was read, write nothing.
pub fn check(cfg: &Config, args: &RunArgs) -> Result<String> {
    let (period, input) = resolve(args)?;
    let mut timings = Timings::default();
    let previous = history::previous(&args.history, period)?;
    let prep = prepare(cfg, period, &input, args, &mut timings, previous.as_ref())?;
    let mut s = String::new();
    s.push_str(&format!(
        "{} — {}: {} 个文件 (files)\n",
        cfg.title,
        period.label(),
        prep.ingested.sources.len()
    ));
    for src in &prep.ingested.sources {
        s.push_str(&format!(
            "  {} [{}] {}!{} → {}\n",
            src.name,
            src.kind.label(),
            src.name,
            src.sheet,
            src.units.join("、")
        ));
    }
    s.push_str(&render_table(cfg, &prep.result));
    let warnings: Vec<&Diagnostic> = prep.warnings().collect();
    if warnings.is_empty() {
        s.push_str("没有警告 (no warnings)\n");
    } else {
        s.push_str(&format!("{} 条警告 (warnings):\n", warnings.len()));
        for w in warnings {
            s.push_str(&format!("  - {w}\n"));
        }
    }
    if args.strict && prep.warnings().next().is_some() {
        return Err(Error::Strict {
            warnings: Diagnostics(prep.warnings().cloned().collect()),
        });
    }
    Ok(s)
}

/// `tongbao template`.
pub fn template(cfg: &Config, period: Period, out: &Path) -> Result<Vec<PathBuf>> {
    crate::template::write(cfg, period, out)
}

/// `tongbao assess`: default output folder reports/YYYY (or reports/YYYY-MM for --through).
pub fn assess(
    cfg: &Config,
    history_dir: &Path,
    year: i32,
    through: Option<Period>,
    out: &Path,
) -> Result<Vec<PathBuf>> {
    if let Some(t) = through
        && t.year != year
    {
        return Err(Error::Usage(format!(
            "--through {t} is not in --year {year}"
        )));
    }
    let dir = match through {
        Some(t) => out.join(t.to_string()),
        None => out.join(year.to_string()),
    };
    crate::assess::run(cfg, history_dir, year, through, &dir)
}
