//! `tongbao run` for one period: the history's lock and last period, then read and compute
//! (the year's earlier periods read meanwhile), then every output written into a staging
//! folder side by side, committed together, and the history recorded last.

use super::timings::{Timings, timed};
use super::{RunArgs, resolve};
use crate::config::Config;
use crate::error::{Diagnostic, Diagnostics, Error, Result};
use crate::model::{Ingested, PeriodResult};
use crate::output::{self, Month, Staging};
use crate::period::Period;
use crate::{compute, history, ingest};
use std::path::{Path, PathBuf};
use std::time::Instant;

/// Everything a run computes before writing anything.
pub struct Prepared {
    pub period: Period,
    pub ingested: Ingested,
    pub result: PeriodResult,
}

impl Prepared {
    pub fn warnings(&self) -> impl Iterator<Item = &Diagnostic> {
        self.ingested
            .warnings
            .iter()
            .chain(self.result.warnings.iter())
    }
}

pub(crate) fn prepare(
    cfg: &Config,
    period: Period,
    input: &Path,
    args: &RunArgs,
    timings: &mut Timings,
    previous: Option<&PeriodResult>,
) -> Result<Prepared> {
    let opts = ingest::Options {
        allow_missing: args.allow_missing,
    };
    let ingested = timings.time("read+validate", || {
        ingest::ingest(cfg, period, input, &opts)
    })?;
    let result = timings.time("compute", || compute::compute(cfg, &ingested, previous))?;
    Ok(Prepared {
        period,
        ingested,
        result,
    })
}

/// `tongbao run` for one period: read, compute, write every output, record the history.
pub fn run(cfg: &Config, args: &RunArgs) -> Result<Vec<PathBuf>> {
    let (period, input) = resolve(args)?;
    run_period(cfg, period, &input, args)
}

/// [`run`] for a given period and input folder.
pub fn run_period(
    cfg: &Config,
    period: Period,
    input: &Path,
    args: &RunArgs,
) -> Result<Vec<PathBuf>> {
    let mut timings = Timings::default();
    // The lock covers reading the previous period and writing this one.
    let _lock = history::Lock::acquire(&args.history)?;
    // The year so far: its last period is the previous one (rank change), read first; the
    // periods before it only feed the rank-trend charts and are read while the submissions
    // are.
    let (previous, earlier) = timings.time("history read", || {
        history::previous_and_earlier(&args.history, period)
    })?;
    let (prep, mut year) = std::thread::scope(|s| {
        let (started, dir, earlier) = (Instant::now(), &args.history, &earlier);
        let rest = s.spawn(move || {
            let year = history::load_periods(dir, earlier);
            (year, started.elapsed().as_secs_f64() * 1000.0)
        });
        let prep = prepare(cfg, period, input, args, &mut timings, previous.as_ref());
        let (year, ms) = rest.join().unwrap_or_else(|_| {
            let message = "历史记录读取中断 (reading the records failed)".to_string();
            let path = args.history.clone();
            (Err(Error::History { path, message }), 0.0)
        });
        timings.record("earlier periods", ms, true);
        Ok::<_, Error>((prep?, year?))
    })?;
    year.extend(previous);
    let warnings: Vec<Diagnostic> = prep.warnings().cloned().collect();
    if args.strict && !warnings.is_empty() {
        return Err(Error::Strict {
            warnings: Diagnostics(warnings),
        });
    }
    year.push(prep.result.clone());

    let dest = args.out.join(period.to_string());
    let written = write_outputs(cfg, &prep, &year, &dest, args, &mut timings)?;
    report(cfg, &prep, &warnings, &dest, &written);
    if args.timings {
        eprint!("{}", timings.report());
    }
    // Freeing a national month's data (hundreds of thousands of strings) is left to a thread
    // of its own, so that the user does not wait for it at exit (with `--all` it runs beside
    // the next period).
    std::thread::spawn(move || drop((prep, year)));
    Ok(written)
}

/// Every output into a staging folder, side by side (the history record encoded meanwhile),
/// then committed to `dest`; the history record is written last.
fn write_outputs(
    cfg: &Config,
    prep: &Prepared,
    year: &[PeriodResult],
    dest: &Path,
    args: &RunArgs,
    timings: &mut Timings,
) -> Result<Vec<PathBuf>> {
    use rayon::prelude::*;
    let staging = Staging::new(dest)?;
    let month = Month {
        cfg,
        result: &prep.result,
        ingested: &prep.ingested,
        year,
    };
    let (written, (history_bytes, he_ms)) = rayon::join(
        || {
            output::ALL
                .par_iter()
                .map(|o| (o.name(), timed(|| o.write(&month, &staging.dir))))
                .collect::<Vec<_>>()
        },
        || timed(|| history::encode(&prep.result)),
    );
    for (name, (_, ms)) in &written {
        timings.record(name, *ms, true);
    }
    timings.record("history encode", he_ms, true);
    for (_, (result, _)) in written {
        result?;
    }
    let history_bytes = history_bytes?;
    let written = timings.time("commit", || staging.commit())?;
    timings.time("history write", || {
        let file = history::file_of(&args.history, prep.period);
        output::write_atomic(&file, &history_bytes)
    })?;
    Ok(written)
}

/// The warnings on stderr, what was done and written on stdout.
fn report(
    cfg: &Config,
    prep: &Prepared,
    warnings: &[Diagnostic],
    dest: &Path,
    written: &[PathBuf],
) {
    for w in warnings {
        eprintln!("警告 warning: {w}");
    }
    crate::say!(
        "{} 完成 (done): {} 个单位, {} 个指标, {} 条警告 → {}",
        prep.period.label(),
        prep.ingested.submissions.len(),
        cfg.indicators.len(),
        warnings.len(),
        dest.display()
    );
    // Thousands of chart files at national scale: name the folder, not every file.
    let (charts, others): (Vec<&PathBuf>, Vec<&PathBuf>) = written
        .iter()
        .partition(|f| f.parent().is_some_and(|p| p.ends_with("charts")));
    for f in &others {
        crate::say!("  {}", f.display());
    }
    if charts.len() > 48 {
        crate::say!("  {} ({} PNG)", dest.join("charts").display(), charts.len());
    } else {
        for f in &charts {
            crate::say!("  {}", f.display());
        }
    }
}
