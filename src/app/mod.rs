//! The commands of SPEC §7, called by the thin `main`.

use crate::config::Config;
use crate::error::{Diagnostic, Diagnostics, Error, Result};
use crate::model::{Ingested, PeriodResult};
use crate::output::Staging;
use crate::period::Period;
use crate::{compute, history, ingest};
use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::time::Instant;

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

fn prepare(
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

/// Wall time per stage (`--timings`); stages that run side by side are marked.
pub struct Timings {
    start: Instant,
    stages: Vec<(&'static str, f64, bool)>,
}

impl Default for Timings {
    fn default() -> Timings {
        Timings {
            start: Instant::now(),
            stages: Vec::new(),
        }
    }
}

fn timed<T>(f: impl FnOnce() -> T) -> (T, f64) {
    let t = Instant::now();
    let v = f();
    (v, t.elapsed().as_secs_f64() * 1000.0)
}

impl Timings {
    pub fn time<T>(&mut self, stage: &'static str, f: impl FnOnce() -> T) -> T {
        let (v, ms) = timed(f);
        self.stages.push((stage, ms, false));
        v
    }

    /// Record a stage timed elsewhere; `parallel` when it overlapped the stages around it.
    pub fn record(&mut self, stage: &'static str, ms: f64, parallel: bool) {
        self.stages.push((stage, ms, parallel));
    }

    pub fn report(&self) -> String {
        let mut s = String::from("timings (ms):\n");
        for (k, t, par) in &self.stages {
            let mark = if *par { " ∥" } else { "" };
            s.push_str(&format!("  {:<18}{t:>10.1}\n", format!("{k}{mark}")));
        }
        let wall = self.start.elapsed().as_secs_f64() * 1000.0;
        s.push_str(&format!("  {:<18}{wall:>10.1}\n", "wall"));
        // Against the wall time: how busy the cores were (2 cores: up to twice the wall).
        if let Some((user, system)) = cpu_ms() {
            s.push_str(&format!(
                "  {:<18}{:>10.1}  (user {user:.1} + system {system:.1}, every thread)\n",
                "cpu",
                user + system
            ));
        }
        if self.stages.iter().any(|(_, _, p)| *p) {
            s.push_str("  (∥: ran at the same time as the other ∥ stages)\n");
        }
        s
    }
}

/// CPU time of the whole process so far, (user, system) in ms.
fn cpu_ms() -> Option<(f64, f64)> {
    // SAFETY: getrusage writes the struct it is given; a zeroed rusage is a valid value.
    let mut u: libc::rusage = unsafe { std::mem::zeroed() };
    if unsafe { libc::getrusage(libc::RUSAGE_SELF, &mut u) } != 0 {
        return None;
    }
    let ms = |t: libc::timeval| t.tv_sec as f64 * 1e3 + t.tv_usec as f64 / 1e3;
    Some((ms(u.ru_utime), ms(u.ru_stime)))
}

/// `tongbao run` for one period: read, compute, write every output, record the history.
pub fn run(cfg: &Config, args: &RunArgs) -> Result<Vec<PathBuf>> {
    let (period, input) = resolve(args)?;
    run_period(cfg, period, &input, args)
}

/// [`run`] with the configuration loaded by `load` while the history is read: a national
/// configuration (2,851 units) takes ~7 ms to parse, and nothing else waits for it. When
/// both fail, the configuration's error is the one reported.
pub fn run_loading(
    load: impl FnOnce() -> Result<Config> + Send,
    args: &RunArgs,
) -> Result<Vec<PathBuf>> {
    std::thread::scope(|s| {
        let cfg = s.spawn(load);
        let begun =
            resolve(args).and_then(|(period, input)| Ok((period, input, begin(period, args)?)));
        let cfg = cfg.join().unwrap_or_else(|_| {
            Err(Error::Usage(
                "配置文件读取中断 (reading the configuration failed)".into(),
            ))
        })?;
        let (period, input, begun) = begun?;
        finish(&cfg, period, &input, args, begun)
    })
}

pub fn run_period(
    cfg: &Config,
    period: Period,
    input: &Path,
    args: &RunArgs,
) -> Result<Vec<PathBuf>> {
    finish(cfg, period, input, args, begin(period, args)?)
}

/// What a run holds before it needs the configuration: the history's lock and its last
/// recorded period.
struct Begun {
    timings: Timings,
    lock: history::Lock,
    previous: Option<PeriodResult>,
    /// recorded periods of the year before `previous`
    earlier: Vec<Period>,
}

fn begin(period: Period, args: &RunArgs) -> Result<Begun> {
    let mut timings = Timings::default();
    // The lock covers reading the previous period and writing this one.
    let lock = history::Lock::acquire(&args.history)?;
    // The year so far: its last period is the previous one (rank change), read first; the
    // periods before it only feed the rank-trend charts and are read while the submissions
    // are.
    let (previous, earlier) = timings.time("history read", || {
        history::previous_and_earlier(&args.history, period)
    })?;
    Ok(Begun {
        timings,
        lock,
        previous,
        earlier,
    })
}

fn finish(
    cfg: &Config,
    period: Period,
    input: &Path,
    args: &RunArgs,
    begun: Begun,
) -> Result<Vec<PathBuf>> {
    let Begun {
        mut timings,
        lock: _lock,
        previous,
        earlier,
    } = begun;
    let (prep, year) = std::thread::scope(|s| {
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
        (prep, year)
    });
    let (prep, mut year) = (prep?, year?);
    year.extend(previous);
    let warnings: Vec<Diagnostic> = prep.warnings().cloned().collect();
    if args.strict && !warnings.is_empty() {
        return Err(Error::Strict {
            warnings: Diagnostics(warnings),
        });
    }
    year.push(prep.result.clone());

    let dest = args.out.join(period.to_string());
    let staging = Staging::new(&dest)?;
    // The workbook is written mostly on one thread: the charts use the other core meanwhile,
    // and the small outputs (csv, the history record) fit in between.
    let ((workbook, wb_ms), ((charts, ch_ms), ((csv, csv_ms), (history_bytes, he_ms)))) =
        rayon::join(
            || {
                timed(|| {
                    crate::bulletin::write(cfg, &prep.result, &prep.ingested, &year, &staging.dir)
                })
            },
            || {
                rayon::join(
                    || timed(|| crate::charts::write(cfg, &prep.result, &year, &staging.dir)),
                    || {
                        (
                            timed(|| {
                                crate::output::write_atomic(
                                    &staging.dir.join("rankings.csv"),
                                    crate::csv::render(&prep.result).as_bytes(),
                                )
                            }),
                            timed(|| history::encode(&prep.result)),
                        )
                    },
                )
            },
        );
    timings.record("csv", csv_ms, true);
    timings.record("workbook", wb_ms, true);
    timings.record("charts", ch_ms, true);
    timings.record("history encode", he_ms, true);
    csv?;
    workbook?;
    charts?;
    let history_bytes = history_bytes?;
    let written = timings.time("commit", || staging.commit())?;
    timings.time("history write", || {
        crate::output::write_atomic(&history::file_of(&args.history, period), &history_bytes)
    })?;

    for w in &warnings {
        eprintln!("警告 warning: {w}");
    }
    crate::say!(
        "{} 完成 (done): {} 个单位, {} 个指标, {} 条警告 → {}",
        period.label(),
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
    if args.timings {
        eprint!("{}", timings.report());
    }
    // Freeing a national month's data (hundreds of thousands of strings) takes ~5 ms, which
    // the user would wait for at exit: it is done on a thread of its own (finished or not
    // when the process ends; with `--all` it runs beside the next period).
    std::thread::spawn(move || drop((prep, year)));
    Ok(written)
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

/// A compact text table of what was read and computed.
pub fn render_table(cfg: &Config, r: &PeriodResult) -> String {
    use unicode_width::UnicodeWidthStr;
    let pad = |s: &str, w: usize| {
        let n = UnicodeWidthStr::width(s);
        format!("{}{}", " ".repeat(w.saturating_sub(n)), s)
    };
    let padr = |s: &str, w: usize| {
        let n = UnicodeWidthStr::width(s);
        format!("{s}{}", " ".repeat(w.saturating_sub(n)))
    };
    let f = |d: Option<rust_decimal::Decimal>| {
        d.map(|d| d.normalize().to_string())
            .unwrap_or_else(|| "—".into())
    };
    let g = |d: Option<rust_decimal::Decimal>| {
        d.map(|d| format!("{d:.1}")).unwrap_or_else(|| "—".into())
    };
    let o = |d: Option<u32>| d.map(|d| d.to_string()).unwrap_or_else(|| "—".into());
    let mut s = String::new();
    for ind in &cfg.indicators {
        s.push_str(&format!("\n{} ({})\n", ind.name, ind.measure));
        s.push_str(&format!(
            "{}{}{}{}{}{}  {}\n",
            padr("单位", 18),
            pad("1-N月累计", 16),
            pad("上年同期", 16),
            pad("增速%", 8),
            pad("总量位次", 9),
            pad("增速位次", 9),
            "状态"
        ));
        for row in r.indicator_rows(&ind.name) {
            s.push_str(&format!(
                "{}{}{}{}{}{}  {}\n",
                padr(&row.unit, 18),
                pad(&f(row.value), 16),
                pad(&f(row.base), 16),
                pad(&g(row.growth), 8),
                pad(&o(row.value_rank), 9),
                pad(&o(row.growth_rank), 9),
                row.status.label()
            ));
        }
    }
    s
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
