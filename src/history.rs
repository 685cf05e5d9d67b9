//! The record of computed periods (SPEC §4 History): one Parquet file per period under the
//! history folder, written with polars. A period's file is replaced atomically when the period
//! is run again, so a record is never duplicated, and a reader sees the old or the new one.

use crate::error::{Error, Result};
use crate::model::{PeriodResult, ResultRow, Status};
use crate::period::Period;
use polars::prelude::*;
use rust_decimal::Decimal;
use std::path::{Path, PathBuf};
use std::str::FromStr;

const EXT: &str = "parquet";

pub fn file_of(dir: &Path, period: Period) -> PathBuf {
    dir.join(format!("{period}.{EXT}"))
}

fn dec_col(name: &str, rows: &[ResultRow], f: impl Fn(&ResultRow) -> Option<Decimal>) -> Column {
    let v: Vec<Option<String>> = rows
        .iter()
        .map(|r| f(r).map(|d| d.normalize().to_string()))
        .collect();
    Column::new(name.into(), v)
}

/// The period as a DataFrame (decimals kept exact as text).
pub fn to_frame(result: &PeriodResult) -> Result<DataFrame> {
    let rows = &result.rows;
    let p = result.period.to_string();
    let prev = result.previous.map(|p| p.to_string());
    let cols = vec![
        Column::new("period".into(), vec![p.as_str(); rows.len()]),
        Column::new("previous".into(), vec![prev.as_deref(); rows.len()]),
        Column::new(
            "group".into(),
            rows.iter().map(|r| r.group.as_deref()).collect::<Vec<_>>(),
        ),
        Column::new(
            "unit".into(),
            rows.iter().map(|r| r.unit.as_str()).collect::<Vec<_>>(),
        ),
        Column::new(
            "is_city".into(),
            rows.iter().map(|r| r.is_city).collect::<Vec<_>>(),
        ),
        Column::new(
            "indicator".into(),
            rows.iter()
                .map(|r| r.indicator.as_str())
                .collect::<Vec<_>>(),
        ),
        dec_col("month", rows, |r| r.month),
        dec_col("value", rows, |r| r.value),
        dec_col("base", rows, |r| r.base),
        dec_col("change", rows, |r| r.change),
        dec_col("growth", rows, |r| r.growth),
        dec_col("share", rows, |r| r.share),
        Column::new(
            "status".into(),
            rows.iter().map(|r| r.status.label()).collect::<Vec<_>>(),
        ),
        Column::new(
            "value_rank".into(),
            rows.iter().map(|r| r.value_rank).collect::<Vec<_>>(),
        ),
        Column::new(
            "growth_rank".into(),
            rows.iter().map(|r| r.growth_rank).collect::<Vec<_>>(),
        ),
        Column::new(
            "growth_rank_change".into(),
            rows.iter().map(|r| r.rank_change).collect::<Vec<_>>(),
        ),
    ];
    DataFrame::new_infer_height(cols).map_err(|e| Error::output("history frame", e))
}

/// Parquet bytes of the period's record.
pub fn encode(result: &PeriodResult) -> Result<Vec<u8>> {
    let mut df = to_frame(result)?;
    let mut buf = Vec::new();
    ParquetWriter::new(&mut buf)
        .finish(&mut df)
        .map_err(|e| Error::output("history parquet", e))?;
    Ok(buf)
}

/// Record a period, replacing any earlier record of it.
pub fn store(dir: &Path, result: &PeriodResult) -> Result<PathBuf> {
    let path = file_of(dir, result.period);
    let bytes = encode(result)?;
    crate::output::write_atomic(&path, &bytes)?;
    Ok(path)
}

/// Periods on record, sorted.
pub fn periods(dir: &Path) -> Result<Vec<Period>> {
    let mut out = Vec::new();
    let rd = match std::fs::read_dir(dir) {
        Ok(rd) => rd,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(out),
        Err(e) => return Err(Error::io(dir, e)),
    };
    for e in rd {
        let e = e.map_err(|e| Error::io(dir, e))?;
        let name = e.file_name().to_string_lossy().into_owned();
        if let Some(stem) = name.strip_suffix(&format!(".{EXT}"))
            && let Ok(p) = Period::from_str(stem)
        {
            out.push(p);
        }
    }
    out.sort();
    Ok(out)
}

/// The record of one period, if there is one.
pub fn load(dir: &Path, period: Period) -> Result<Option<PeriodResult>> {
    let path = file_of(dir, period);
    if !path.exists() {
        return Ok(None);
    }
    read_file(&path, period).map(Some)
}

/// Every recorded period of `year`, sorted.
pub fn load_year(dir: &Path, year: i32) -> Result<Vec<PeriodResult>> {
    load_where(dir, |p| p.year == year)
}

/// The recorded periods of `period`'s year before it — the year so far as a run of `period`
/// sees it — in two parts: the latest (the one computing `period` needs, for rank change),
/// read now, and the periods before it (only the rank-trend charts need them), for
/// [`load_periods`], which `run` calls while the submissions are read. A record of `period` itself, left by an earlier run, is
/// not read: the run replaces it.
pub fn previous_and_earlier(
    dir: &Path,
    period: Period,
) -> Result<(Option<PeriodResult>, Vec<Period>)> {
    let mut wanted: Vec<Period> = periods(dir)?
        .into_iter()
        .filter(|p| p.year == period.year && *p < period)
        .collect();
    let previous = match wanted.pop() {
        Some(p) => Some(read_file(&file_of(dir, p), p)?),
        None => None,
    };
    Ok((previous, wanted))
}

/// The records of `wanted` (recorded periods), in parallel, in the order given.
pub fn load_periods(dir: &Path, wanted: &[Period]) -> Result<Vec<PeriodResult>> {
    use rayon::prelude::*;
    wanted
        .par_iter()
        .map(|&p| read_file(&file_of(dir, p), p))
        .collect()
}

/// The records of the periods `keep` accepts, read in parallel.
fn load_where(dir: &Path, keep: impl Fn(Period) -> bool) -> Result<Vec<PeriodResult>> {
    let wanted: Vec<Period> = periods(dir)?.into_iter().filter(|&p| keep(p)).collect();
    load_periods(dir, &wanted)
}

/// The latest recorded period of the same year before `period`, if any (SPEC §3 rank change).
pub fn previous(dir: &Path, period: Period) -> Result<Option<PeriodResult>> {
    previous_and_earlier(dir, period).map(|(previous, _)| previous)
}

fn read_file(path: &Path, period: Period) -> Result<PeriodResult> {
    let corrupt = |m: String| Error::History {
        path: path.to_path_buf(),
        message: format!(
            "corrupt or unreadable history record ({m}); it was left as it is — restore it from a backup or re-run the period"
        ),
    };
    let file = std::fs::File::open(path).map_err(|e| Error::io(path, e))?;
    let df = ParquetReader::new(file)
        .finish()
        .map_err(|e| corrupt(e.to_string()))?;
    from_frame(&df, period).map_err(corrupt)
}

/// Rebuild a period from its frame.
pub fn from_frame(df: &DataFrame, period: Period) -> std::result::Result<PeriodResult, String> {
    // Text columns are read in place: a copy of every cell before parsing it was most of the
    // time of reading a record.
    let s = |name: &str| -> std::result::Result<&StringChunked, String> {
        let c = df.column(name).map_err(|e| e.to_string())?;
        c.str().map_err(|e| format!("{name}: {e}"))
    };
    let u = |name: &str| -> std::result::Result<Vec<Option<u32>>, String> {
        let c = df.column(name).map_err(|e| e.to_string())?;
        Ok(c.u32()
            .map_err(|e| format!("{name}: {e}"))?
            .iter()
            .collect())
    };
    let dec = |name: &str| -> std::result::Result<Vec<Option<Decimal>>, String> {
        s(name)?
            .iter()
            .map(|v| {
                v.map(|t| Decimal::from_str(t).map_err(|e| format!("{name} {t:?}: {e}")))
                    .transpose()
            })
            .collect()
    };
    let this = period.to_string();
    if s("period")?.iter().any(|p| p != Some(this.as_str())) {
        return Err(format!("it does not hold period {period} only"));
    }
    let previous = s("previous")?
        .iter()
        .flatten()
        .next()
        .and_then(|p| Period::from_str(p).ok());
    let (group, unit, indicator, status) = (s("group")?, s("unit")?, s("indicator")?, s("status")?);
    let is_city: Vec<Option<bool>> = df
        .column("is_city")
        .map_err(|e| e.to_string())?
        .bool()
        .map_err(|e| e.to_string())?
        .iter()
        .collect();
    let (month, value, base, change, growth, share) = (
        dec("month")?,
        dec("value")?,
        dec("base")?,
        dec("change")?,
        dec("growth")?,
        dec("share")?,
    );
    let (value_rank, growth_rank) = (u("value_rank")?, u("growth_rank")?);
    let rank_change: Vec<Option<i32>> = df
        .column("growth_rank_change")
        .map_err(|e| e.to_string())?
        .i32()
        .map_err(|e| e.to_string())?
        .iter()
        .collect();
    let n = df.height();
    let lengths = [
        group.len(),
        unit.len(),
        indicator.len(),
        status.len(),
        is_city.len(),
        month.len(),
        value.len(),
        base.len(),
        change.len(),
        growth.len(),
        share.len(),
        value_rank.len(),
        growth_rank.len(),
        rank_change.len(),
    ];
    if lengths.iter().any(|&l| l != n) {
        return Err("columns of different lengths".into());
    }
    let mut rows = Vec::with_capacity(n);
    let (mut group, mut unit, mut indicator, mut status) =
        (group.iter(), unit.iter(), indicator.iter(), status.iter());
    for i in 0..n {
        let st = status.next().flatten().unwrap_or("");
        rows.push(ResultRow {
            unit: unit.next().flatten().ok_or("empty unit")?.to_string(),
            is_city: is_city[i].unwrap_or(false),
            group: group.next().flatten().map(str::to_string),
            indicator: indicator
                .next()
                .flatten()
                .ok_or("empty indicator")?
                .to_string(),
            month: month[i],
            value: value[i],
            base: base[i],
            change: change[i],
            growth: growth[i],
            share: share[i],
            status: Status::from_label(st).ok_or_else(|| format!("unknown status {st:?}"))?,
            value_rank: value_rank[i],
            growth_rank: growth_rank[i],
            rank_change: rank_change[i],
        });
    }
    Ok(PeriodResult {
        period,
        rows,
        previous,
        warnings: Vec::new(),
    })
}

/// An exclusive lock on the history folder for the whole run, so that two runs at the same
/// time never interleave their writes. The second run waits, after saying so.
pub struct Lock {
    _file: std::fs::File,
}

impl Lock {
    /// The lock file lives in the system's temporary folder, keyed by the history folder's
    /// absolute path, so that a run that fails writes nothing into the project.
    pub fn acquire(dir: &Path) -> Result<Lock> {
        use std::hash::{Hash, Hasher};
        let abs = std::path::absolute(dir).map_err(|e| Error::io(dir, e))?;
        let mut h = std::collections::hash_map::DefaultHasher::new();
        abs.hash(&mut h);
        let path = std::env::temp_dir().join(format!("tongbao-history-{:016x}.lock", h.finish()));
        let file = std::fs::OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&path)
            .map_err(|e| Error::io(&path, e))?;
        match file.try_lock() {
            Ok(()) => {}
            Err(std::fs::TryLockError::WouldBlock) => {
                eprintln!(
                    "另一个 tongbao 正在使用历史记录 {},等待其完成 (another run holds the history; waiting)…",
                    dir.display()
                );
                file.lock().map_err(|e| Error::io(&path, e))?;
            }
            Err(std::fs::TryLockError::Error(e)) => return Err(Error::io(&path, e)),
        }
        Ok(Lock { _file: file })
    }
}
