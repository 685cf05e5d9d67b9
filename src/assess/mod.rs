//! Year-end assessment (实绩考核) and quarterly review (以月保季), SPEC §5.
//!
//! [`compute`] reads the year's recorded periods from the history and scores every configured
//! unit; [`score`] does the same on periods already in memory; [`run`] writes the assessment
//! workbook, `assessment.csv` and the score charts, all or nothing. Inside: `score` (periods,
//! rows, targets, sums, final order), `points` (a cell's points per scheme), `method` (the
//! 计分办法 text), `workbook` and `chart` (the outputs).
//!
//! Decisions where the specification is silent (they are also printed in the workbook's
//! 计分办法 notes, so that a reader can check a score by hand):
//! - Arithmetic is exact: weights, `step` and `value_share` are read as the decimals written in
//!   the configuration, points are exact decimals, and the annual score is Σ points ÷ number of
//!   periods rounded 四舍五入 to two decimals by integer arithmetic (no f64 anywhere).
//! - Weights are matched to indicators by name or alias; an indicator without a weight counts 0.
//! - Units are the configured ones, in their configured group; a unit without a row (or without a
//!   rank) in a period earns 0 in it. Units found in the history but not configured are left out
//!   with a warning.
//! - The periods used are every recorded period of the year up to `through` (or the last one on
//!   record). A month from 2 (1-2月) to the last period used that has no record is a gap: it is
//!   warned about (stderr and the workbook) and the mean is taken over the periods on record.
//!   January alone is never required (1-2月 is often published together).
//! - Final order within a group: score descending; ties by the last period's Σ 增速位次 of the
//!   scored indicators (weight > 0), lower first, where a unit missing k of those ranks comes
//!   after every unit missing fewer (k = 0 first), then by Σ of the ranks it has; still tied
//!   units share the rank by the configured `tie` rule (1, 2, 2, 4 or 1, 2, 2, 3).
//! - `target` scheme: the target of a unit and indicator is the `[[target]]` with this `year`,
//!   else one without a year. A growth target is met in a period when the recorded growth
//!   ≥ the target; a value target when the cumulative value ≥ annual target × N/12 (time
//!   progress, 时间过半任务过半); with both, both must be met. `full`: the weight or 0.
//!   `proportional`: weight × completion, completion = achieved ÷ required clamped to [0, 1],
//!   the lower one when both are set, points rounded to 4 decimals; a target ≤ 0 is all or
//!   nothing. No target or no number: 0, warned.
//! - `mixed`: weight × (value_share × rate(总量位次) + (1 − value_share) × rate(增速位次)),
//!   rate(r) = max(0, 1 − step × (r − 1)), rate(no rank) = 0.

mod chart;
mod method;
mod points;
mod score;
mod workbook;

pub use method::method_lines;
pub(crate) use method::plain;
pub use score::score;

#[cfg(test)]
mod tests;

use crate::config::{Config, Scheme};
use crate::error::{Error, Result};
use crate::history;
use crate::period::Period;
use rust_decimal::Decimal;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

/// The columns of `assessment.csv`, exactly.
pub const CSV_HEADER: &str = "year,through,group,unit,score,final_rank,periods";
pub const CSV_NAME: &str = "assessment.csv";

/// What a unit had and earned for one indicator in one period.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Cell {
    /// The unit has a row for the indicator in the period's record.
    pub recorded: bool,
    pub growth_rank: Option<u32>,
    pub value_rank: Option<u32>,
    /// 同比增长 %, as recorded
    pub growth: Option<Decimal>,
    /// 1-N月累计
    pub value: Option<Decimal>,
    /// Status label as recorded (未报 …), empty when normal.
    pub status: String,
    pub points: Decimal,
}

/// An annual target (target scheme).
#[derive(Debug, Clone, PartialEq)]
pub struct Target {
    pub growth: Option<Decimal>,
    pub value: Option<Decimal>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct IndicatorInfo {
    pub name: String,
    pub measure: String,
    pub weight: Decimal,
}

#[derive(Debug, Clone, PartialEq)]
pub struct UnitScore {
    pub unit: String,
    pub group: String,
    /// Index in the configuration (official order).
    pub index: usize,
    /// `cells[indicator][period]`
    pub cells: Vec<Vec<Cell>>,
    /// Annual target per indicator (target scheme only).
    pub targets: Vec<Option<Target>>,
    /// Σ points of each period (over the indicators).
    pub period_totals: Vec<Decimal>,
    /// Σ points of each indicator (over the periods).
    pub indicator_totals: Vec<Decimal>,
    /// Σ of all points.
    pub total: Decimal,
    /// total ÷ periods, 四舍五入 to two decimals.
    pub score: Decimal,
    /// Last period: Σ 增速位次 of the scored indicators that have one …
    pub last_rank_sum: u32,
    /// … and how many of them have none.
    pub last_missing: usize,
    pub final_rank: u32,
}

#[derive(Debug, Clone, PartialEq)]
pub struct GroupScores {
    pub name: String,
    /// In final order (rank, then official order).
    pub units: Vec<UnitScore>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Assessment {
    pub year: i32,
    /// The last period used.
    pub through: Period,
    /// `--through` was given (quarterly review).
    pub partial: bool,
    /// Periods used, in order.
    pub periods: Vec<Period>,
    /// Months from 1-2月 to `through` without a record (not counted).
    pub missing: Vec<Period>,
    pub scheme: Scheme,
    pub proportional: bool,
    pub step: Decimal,
    pub value_share: Decimal,
    pub indicators: Vec<IndicatorInfo>,
    pub groups: Vec<GroupScores>,
    pub warnings: Vec<String>,
}

impl Assessment {
    /// Every unit, groups in configuration order, units in final order.
    pub fn units(&self) -> impl Iterator<Item = &UnitScore> {
        self.groups.iter().flat_map(|g| g.units.iter())
    }

    pub fn unit(&self, name: &str) -> Option<&UnitScore> {
        self.units().find(|u| u.unit == name)
    }

    /// Σ of the weights: the highest score possible.
    pub fn max_score(&self) -> Decimal {
        self.indicators.iter().map(|i| i.weight).sum()
    }

    /// 「2015年1-2月至1-9月」 style description of the periods used.
    pub fn span_label(&self) -> String {
        match (self.periods.first(), self.periods.last()) {
            (Some(a), Some(b)) if a != b => format!("{}至{}", a.label(), b.span()),
            (Some(a), _) => a.label(),
            _ => format!("{}年", self.year),
        }
    }

    pub fn scheme_label(&self) -> &'static str {
        match (self.scheme, self.proportional) {
            (Scheme::Zhengxian, _) => "争先进位计分法",
            (Scheme::Target, false) => "目标完成计分法(完成得满分)",
            (Scheme::Target, true) => "目标完成计分法(按完成比例)",
            (Scheme::Mixed, _) => "总量与增速位次综合计分法",
        }
    }
}

/// Build the assessment of `year` (through `through`, default the year's last recorded period)
/// from the history in `history_dir`, writing the workbook, assessment.csv and charts into `out_dir`.
pub fn run(
    cfg: &Config,
    history_dir: &Path,
    year: i32,
    through: Option<Period>,
    out_dir: &Path,
) -> Result<Vec<PathBuf>> {
    let a = compute(cfg, history_dir, year, through)?;
    for w in &a.warnings {
        eprintln!("警告 warning: {w}");
    }
    let staging = crate::output::Staging::new(out_dir)?;
    let book = staging.dir.join(workbook::file_name(cfg, &a));
    let bytes = workbook::build(cfg, &a)?;
    std::fs::write(&book, bytes).map_err(|e| Error::io(&book, e))?;
    let csv = staging.dir.join(CSV_NAME);
    std::fs::write(&csv, render_csv(&a)).map_err(|e| Error::io(&csv, e))?;
    chart::write(cfg, &a, &staging.dir)?;
    staging.commit()
}

/// Read the periods of `year` up to `through` from the history and score them.
pub fn compute(
    cfg: &Config,
    history_dir: &Path,
    year: i32,
    through: Option<Period>,
) -> Result<Assessment> {
    // A run recording a period at the same time is waited for: the year is read as one whole.
    let _lock = history::Lock::acquire(history_dir)?;
    let on_record = history::periods(history_dir)?;
    let of_year: Vec<Period> = on_record
        .iter()
        .copied()
        .filter(|p| p.year == year)
        .collect();
    if of_year.is_empty() {
        let years: BTreeSet<i32> = on_record.iter().map(|p| p.year).collect();
        let years = if years.is_empty() {
            "none / 无".to_string()
        } else {
            years
                .iter()
                .map(|y| y.to_string())
                .collect::<Vec<_>>()
                .join(", ")
        };
        return Err(Error::Usage(format!(
            "历史记录 {dir} 中没有 {year} 年的任何一期结果,无法考核;请先对该年各月执行 `tongbao run` \
             (no period of {year} on record in the history folder {dir}; years on record: {years})",
            dir = history_dir.display()
        )));
    }
    if let Some(t) = through {
        if t.year != year {
            return Err(Error::Usage(format!(
                "--through {t} 不在 --year {year} 内 (--through {t} is not in --year {year})"
            )));
        }
        if !of_year.contains(&t) {
            let list = of_year
                .iter()
                .map(|p| p.to_string())
                .collect::<Vec<_>>()
                .join(", ");
            return Err(Error::Usage(format!(
                "--through {t}: 历史记录 {} 中没有 {} 的结果 (period {t} is not on record); {year} 年已记录 periods on record: {list}",
                history_dir.display(),
                t.label()
            )));
        }
    }
    let mut results = Vec::new();
    for p in of_year
        .into_iter()
        .filter(|p| through.is_none_or(|t| *p <= t))
    {
        match history::load(history_dir, p)? {
            Some(r) => results.push(r),
            None => {
                return Err(Error::History {
                    path: history::file_of(history_dir, p),
                    message: "the record disappeared while it was being read".into(),
                });
            }
        }
    }
    score(cfg, year, through, &results)
}

/// `assessment.csv`: UTF-8 with a BOM, exactly [`CSV_HEADER`]'s columns; groups in configuration
/// order, units in final order.
pub fn render_csv(a: &Assessment) -> String {
    let mut out = String::from("\u{FEFF}");
    out.push_str(CSV_HEADER);
    out.push('\n');
    let through = a.through.to_string();
    for u in a.units() {
        let cols = [
            a.year.to_string(),
            through.clone(),
            crate::csv::field(&u.group),
            crate::csv::field(&u.unit),
            format!("{:.2}", u.score),
            u.final_rank.to_string(),
            a.periods.len().to_string(),
        ];
        out.push_str(&cols.join(","));
        out.push('\n');
    }
    out
}
