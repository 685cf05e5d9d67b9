//! Year-end assessment (实绩考核) and quarterly review (以月保季), SPEC §5.
//!
//! [`compute`] reads the year's recorded periods from the history and scores every configured
//! unit; [`score`] does the same on periods already in memory; [`run`] writes the assessment
//! workbook, `assessment.csv` and the score charts, all or nothing.
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
mod workbook;

#[cfg(test)]
mod tests;

use crate::config::{Config, Scheme, TieRule};
use crate::error::{Error, Result};
use crate::history;
use crate::model::{PeriodResult, ResultRow};
use crate::period::Period;
use crate::text::{decimal_from_f64, div_round};
use rust_decimal::{Decimal, RoundingStrategy};
use std::collections::{BTreeSet, HashMap};
use std::path::{Path, PathBuf};

/// The columns of `assessment.csv`, exactly.
pub const CSV_HEADER: &str = "year,through,group,unit,score,final_rank,periods";
pub const CSV_NAME: &str = "assessment.csv";

/// Points of proportional target scoring are rounded to this many decimals.
const PROPORTIONAL_DP: u32 = 4;
/// Weights above this are refused (they would only be a typing error).
const MAX_WEIGHT: f64 = 1e12;

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

fn config_err(key: &str, message: String) -> Error {
    Error::Config {
        source_name: "assessment".into(),
        key: key.into(),
        message,
    }
}

fn dec_of(key: &str, f: f64) -> Result<Decimal> {
    decimal_from_f64(f).ok_or_else(|| config_err(key, format!("not a usable number: {f}")))
}

/// rate(r) = max(0, 1 − step × (r − 1)); no rank: 0.
fn rank_rate(r: Option<u32>, step: Decimal) -> Decimal {
    match r {
        Some(r) if r >= 1 => (Decimal::ONE - step * Decimal::from(r - 1)).max(Decimal::ZERO),
        _ => Decimal::ZERO,
    }
}

/// Points of one criterion of a target: in [0, weight].
fn criterion_points(
    weight: Decimal,
    achieved: Option<Decimal>,
    required_num: Decimal,
    required_den: Decimal,
    proportional: bool,
) -> Decimal {
    // required = required_num / required_den (den > 0); met ⇔ achieved × den ≥ num.
    let Some(a) = achieved else {
        return Decimal::ZERO;
    };
    let met = match a.checked_mul(required_den) {
        Some(x) => x >= required_num,
        None => a > Decimal::ZERO,
    };
    if met {
        return weight;
    }
    if !proportional || required_num <= Decimal::ZERO || a <= Decimal::ZERO {
        return Decimal::ZERO;
    }
    // weight × a × den / num, below weight here, rounded to 4 decimals exactly.
    match weight
        .checked_mul(a)
        .and_then(|x| x.checked_mul(required_den))
        .and_then(|n| div_round(n, required_num, PROPORTIONAL_DP))
    {
        Some(p) => p.clamp(Decimal::ZERO, weight),
        None => Decimal::ZERO,
    }
}

fn target_points(
    weight: Decimal,
    target: Option<&Target>,
    cell: &Cell,
    month: u32,
    proportional: bool,
) -> Decimal {
    let Some(t) = target else {
        return Decimal::ZERO;
    };
    let mut points = weight;
    if let Some(g) = t.growth {
        points = points.min(criterion_points(
            weight,
            cell.growth,
            g,
            Decimal::ONE,
            proportional,
        ));
    }
    if let Some(v) = t.value {
        // value ≥ v × month / 12  ⇔  value × 12 ≥ v × month
        let num = v.checked_mul(Decimal::from(month)).unwrap_or(Decimal::MAX);
        points = points.min(criterion_points(
            weight,
            cell.value,
            num,
            Decimal::from(12),
            proportional,
        ));
    }
    points
}

/// Score the recorded periods `results` (any order; only those of `year` up to `through` are
/// used) for the configured units.
pub fn score(
    cfg: &Config,
    year: i32,
    through: Option<Period>,
    results: &[PeriodResult],
) -> Result<Assessment> {
    let a = &cfg.assessment;
    let step = dec_of("assessment.step", a.step)?;
    let value_share = dec_of("assessment.value_share", a.value_share)?;
    let proportional = a.target_rule == "proportional";
    let mut weights = vec![Decimal::ZERO; cfg.indicators.len()];
    for (name, w) in &a.weights {
        let key = format!("assessment.weights.{name}");
        if !w.is_finite() || *w < 0.0 || *w > MAX_WEIGHT {
            return Err(config_err(
                &key,
                format!("weight must be between 0 and {MAX_WEIGHT}, found {w}"),
            ));
        }
        let i = cfg
            .indicator_by_name(name)
            .ok_or_else(|| config_err(&key, format!("unknown indicator {name:?}")))?;
        weights[i] = dec_of(&key, *w)?;
    }
    let indicators: Vec<IndicatorInfo> = cfg
        .indicators
        .iter()
        .zip(&weights)
        .map(|(i, w)| IndicatorInfo {
            name: i.name.clone(),
            measure: i.measure.clone(),
            weight: *w,
        })
        .collect();
    let mut warnings = Vec::new();

    let mut used: Vec<&PeriodResult> = results
        .iter()
        .filter(|r| r.period.year == year && through.is_none_or(|t| r.period <= t))
        .collect();
    used.sort_by_key(|r| r.period);
    used.dedup_by_key(|r| r.period);
    let Some(last) = used.last().map(|r| r.period) else {
        return Err(Error::Usage(format!(
            "no period of {year} on record (历史记录中没有 {year} 年的结果)"
        )));
    };
    if let Some(t) = through
        && last != t
    {
        return Err(Error::Usage(format!(
            "--through {t}: period not on record (没有 {} 的记录)",
            t.label()
        )));
    }
    let periods: Vec<Period> = used.iter().map(|r| r.period).collect();
    let missing: Vec<Period> = (2..=last.month)
        .filter_map(|m| Period::new(year, m))
        .filter(|p| !periods.contains(p))
        .collect();
    if !missing.is_empty() {
        let list = missing
            .iter()
            .map(|p| format!("{}({p})", p.label()))
            .collect::<Vec<_>>()
            .join("、");
        warnings.push(format!(
            "历史记录缺少 {list} 的结果,未计入考核,得分按已记录的 {} 期平均;如该期已通报,请补跑 `tongbao run --period …` 后重新考核 \
             (no record of {}: not counted; the score is the mean of the {} periods on record)",
            periods.len(),
            missing.iter().map(|p| p.to_string()).collect::<Vec<_>>().join(", "),
            periods.len()
        ));
    }

    // Rows of each period by (unit, indicator) index.
    let mut unknown_units: BTreeSet<String> = BTreeSet::new();
    let mut index: Vec<HashMap<(usize, usize), &ResultRow>> = Vec::with_capacity(used.len());
    for r in &used {
        let mut m = HashMap::new();
        for row in r.rows.iter().filter(|row| !row.is_city) {
            let Some(u) = cfg.unit_by_name(&row.unit) else {
                unknown_units.insert(row.unit.clone());
                continue;
            };
            if let Some(i) = cfg.indicator_by_name(&row.indicator) {
                m.entry((u, i)).or_insert(row);
            }
        }
        index.push(m);
    }
    if !unknown_units.is_empty() {
        let list: Vec<&str> = unknown_units.iter().map(String::as_str).take(20).collect();
        let more = if unknown_units.len() > 20 {
            format!(" … ({} in all)", unknown_units.len())
        } else {
            String::new()
        };
        warnings.push(format!(
            "历史记录中的单位 {}{more} 不在当前配置中,未参加考核 (units on record but not configured are left out)",
            list.join("、")
        ));
    }

    // Targets (target scheme).
    let mut targets: HashMap<(usize, usize), (bool, Target)> = HashMap::new();
    if a.scheme == Scheme::Target {
        let mut dup = Vec::new();
        for (k, t) in cfg.targets.iter().enumerate() {
            if t.year.is_some_and(|y| y != year) {
                continue;
            }
            let (Some(u), Some(i)) = (
                cfg.unit_by_name(&t.unit),
                cfg.indicator_by_name(&t.indicator),
            ) else {
                continue;
            };
            let specific = t.year.is_some();
            let target = Target {
                growth: t
                    .growth
                    .map(|g| dec_of(&format!("target[{k}].growth"), g))
                    .transpose()?,
                value: t
                    .value
                    .map(|v| dec_of(&format!("target[{k}].value"), v))
                    .transpose()?,
            };
            match targets.get(&(u, i)) {
                Some((s, _)) if *s == specific => {
                    dup.push(format!("{}/{}", cfg.units[u].name, cfg.indicators[i].name))
                }
                Some((true, _)) => {}
                _ => {
                    targets.insert((u, i), (specific, target));
                }
            }
        }
        if !dup.is_empty() {
            warnings.push(format!(
                "目标重复配置,采用第一条 (duplicate targets, the first one is used): {}",
                dup.join("、")
            ));
        }
    }

    let scored: Vec<usize> = {
        let s: Vec<usize> = (0..indicators.len())
            .filter(|&i| indicators[i].weight > Decimal::ZERO)
            .collect();
        if s.is_empty() {
            (0..indicators.len()).collect()
        } else {
            s
        }
    };
    if indicators.iter().all(|i| i.weight.is_zero()) {
        warnings.push(
            "所有指标权重均为0,得分全部为0 (every indicator weighs 0: all scores are 0)".into(),
        );
    }
    let n_periods = Decimal::from(periods.len());
    let mut absent: Vec<String> = Vec::new();
    let mut no_target: Vec<Vec<&str>> = vec![Vec::new(); indicators.len()];

    let mut groups: Vec<GroupScores> = Vec::with_capacity(cfg.groups.len());
    for g in &cfg.groups {
        let mut units = Vec::new();
        for u in cfg.units_of_group(g) {
            let mut cells: Vec<Vec<Cell>> = Vec::with_capacity(indicators.len());
            let mut unit_targets = Vec::with_capacity(indicators.len());
            for (i, ind) in indicators.iter().enumerate() {
                let target = targets.get(&(u, i)).map(|(_, t)| t.clone());
                if a.scheme == Scheme::Target && target.is_none() && ind.weight > Decimal::ZERO {
                    no_target[i].push(&cfg.units[u].name);
                }
                let mut row_cells = Vec::with_capacity(periods.len());
                for (k, p) in periods.iter().enumerate() {
                    let mut c = match index[k].get(&(u, i)) {
                        Some(r) => Cell {
                            recorded: true,
                            growth_rank: r.growth_rank,
                            value_rank: r.value_rank,
                            growth: r.growth,
                            value: r.value,
                            status: r.status.label().to_string(),
                            points: Decimal::ZERO,
                        },
                        None => Cell::default(),
                    };
                    c.points = match a.scheme {
                        Scheme::Zhengxian => ind.weight * rank_rate(c.growth_rank, step),
                        Scheme::Mixed => {
                            ind.weight
                                * (value_share * rank_rate(c.value_rank, step)
                                    + (Decimal::ONE - value_share) * rank_rate(c.growth_rank, step))
                        }
                        Scheme::Target => {
                            target_points(ind.weight, target.as_ref(), &c, p.month, proportional)
                        }
                    };
                    row_cells.push(c);
                }
                cells.push(row_cells);
                unit_targets.push(target);
            }
            let absent_in: Vec<String> = periods
                .iter()
                .enumerate()
                .filter(|(k, _)| cells.iter().all(|row| !row[*k].recorded))
                .map(|(_, p)| p.span())
                .collect();
            if !absent_in.is_empty() {
                absent.push(format!("{}({})", cfg.units[u].name, absent_in.join("、")));
            }
            let period_totals: Vec<Decimal> = (0..periods.len())
                .map(|k| cells.iter().map(|row| row[k].points).sum())
                .collect();
            let indicator_totals: Vec<Decimal> = cells
                .iter()
                .map(|row| row.iter().map(|c| c.points).sum())
                .collect();
            let total: Decimal = period_totals.iter().copied().sum();
            let score = div_round(total, n_periods, 2).unwrap_or_else(|| {
                (total / n_periods)
                    .round_dp_with_strategy(2, RoundingStrategy::MidpointAwayFromZero)
            });
            let last_k = periods.len() - 1;
            let last_rank_sum = scored
                .iter()
                .filter_map(|&i| cells[i][last_k].growth_rank)
                .sum();
            let last_missing = scored
                .iter()
                .filter(|&&i| cells[i][last_k].growth_rank.is_none())
                .count();
            units.push(UnitScore {
                unit: cfg.units[u].name.clone(),
                group: g.clone(),
                index: u,
                cells,
                targets: unit_targets,
                period_totals,
                indicator_totals,
                total,
                score,
                last_rank_sum,
                last_missing,
                final_rank: 0,
            });
        }
        rank_group(&mut units, cfg.tie);
        groups.push(GroupScores {
            name: g.clone(),
            units,
        });
    }
    if !absent.is_empty() {
        let n = absent.len();
        let shown: Vec<String> = absent.into_iter().take(30).collect();
        let more = if n > 30 {
            format!(" … (共{n}个单位)")
        } else {
            String::new()
        };
        warnings.push(format!(
            "以下单位在部分期次的历史记录中没有数据,该期按0分计 (units without any row in a period earn 0 in it): {}{more}",
            shown.join("、")
        ));
    }
    for (i, units) in no_target.iter().enumerate() {
        if !units.is_empty() {
            let n = units.len();
            let shown: Vec<&str> = units.iter().copied().take(30).collect();
            let more = if n > 30 {
                format!(" … (共{n}个单位)")
            } else {
                String::new()
            };
            warnings.push(format!(
                "{}:以下单位未配置{year}年目标,该指标得0分 (no [[target]] configured: 0 points): {}{more}",
                indicators[i].name,
                shown.join("、")
            ));
        }
    }
    Ok(Assessment {
        year,
        through: last,
        partial: through.is_some(),
        periods,
        missing,
        scheme: a.scheme,
        proportional,
        step,
        value_share,
        indicators,
        groups,
        warnings,
    })
}

/// Sort a group into its final order and give the final ranks.
fn rank_group(units: &mut [UnitScore], tie: TieRule) {
    let key = |u: &UnitScore| (std::cmp::Reverse(u.score), u.last_missing, u.last_rank_sum);
    units.sort_by(|a, b| key(a).cmp(&key(b)).then(a.index.cmp(&b.index)));
    let mut distinct = 0u32;
    for i in 0..units.len() {
        let same = i > 0 && key(&units[i]) == key(&units[i - 1]);
        if !same {
            distinct += 1;
        }
        units[i].final_rank = if same {
            units[i - 1].final_rank
        } else {
            match tie {
                TieRule::Competition => i as u32 + 1,
                TieRule::Dense => distinct,
            }
        };
    }
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

/// A decimal as written by hand: no trailing zeros (25, 23.75, 0.05).
pub(crate) fn plain(d: Decimal) -> String {
    d.normalize().to_string()
}

/// The scoring rule in words, for the workbook's 计分办法 notes.
pub fn method_lines(cfg: &Config, a: &Assessment) -> Vec<String> {
    let weights = a
        .indicators
        .iter()
        .filter(|i| i.weight > Decimal::ZERO)
        .map(|i| format!("{}{}分", i.name, plain(i.weight)))
        .collect::<Vec<_>>()
        .join("、");
    let zero: Vec<&str> = a
        .indicators
        .iter()
        .filter(|i| i.weight.is_zero())
        .map(|i| i.name.as_str())
        .collect();
    let zero = if zero.is_empty() {
        String::new()
    } else {
        format!(";{}不计分(权重0)", zero.join("、"))
    };
    let step_pct = plain(a.step * Decimal::ONE_HUNDRED);
    let step = plain(a.step);
    let rate = format!("1−{step}×(r−1)");
    let mut v = vec![format!(
        "计分办法:{}。各指标权重(满分):{}{zero},合计{}分。",
        a.scheme_label(),
        if weights.is_empty() {
            "无".to_string()
        } else {
            weights
        },
        plain(a.max_score())
    )];
    match a.scheme {
        Scheme::Zhengxian => v.push(format!(
            "每期(1-N月累计)各指标按排序组内增速位次计分:增速位次为r的单位得 权重×({rate}) 分,即第1位得满分,每后退一位少得权重的{step_pct}%,最低0分;无增速位次(未报、无可比基数等)得0分。"
        )),
        Scheme::Mixed => {
            let vs = plain(a.value_share * Decimal::ONE_HUNDRED);
            let gs = plain((Decimal::ONE - a.value_share) * Decimal::ONE_HUNDRED);
            v.push(format!(
                "每期各指标得分 = 权重×[{vs}%×总量位次得分率 + {gs}%×增速位次得分率],位次为r时得分率为 {rate}(第1位为1,每后退一位减{step_pct}%,最低0);无总量位次或无增速位次的部分得分率为0。"
            ));
        }
        Scheme::Target => {
            v.push(
                "各单位各指标的年度目标见各指标表“目标增速%”“年度目标值”列。每期(1-N月)判断:设目标增速g%的,当期同比增长≥g%为完成;设年度目标值V的,当期1-N月累计≥V×N÷12(按时间进度)为完成;两项均设时两项须均完成。"
                    .to_string(),
            );
            if a.proportional {
                v.push(format!(
                    "完成者得该指标全部权重分;未完成者得 权重×完成率 分,完成率 = 当期同比增长÷g 或 1-N月累计÷(V×N÷12),取值在0与1之间,两项均设时取较低者;目标不大于0时完成得满分、否则0分。每期每项得分四舍五入保留{PROPORTIONAL_DP}位小数。未配置目标或无数据的得0分。"
                ));
            } else {
                v.push("完成者得该指标全部权重分,未完成者得0分;未配置目标或无数据的得0分。".to_string());
            }
        }
    }
    let list = a
        .periods
        .iter()
        .map(|p| p.span())
        .collect::<Vec<_>>()
        .join("、");
    v.push(format!(
        "考核得分 = 各期各指标得分之和 ÷ 期数,四舍五入保留两位小数;期数为{}年已记录并参加考核的期数,共{}期({list})。",
        a.year,
        a.periods.len()
    ));
    let tie = match cfg.tie {
        TieRule::Competition => "并列,其后名次顺延(如1、2、2、4)",
        TieRule::Dense => "并列,其后名次不跳位(如1、2、2、3)",
    };
    v.push(format!(
        "名次在排序组({})内按考核得分从高到低排列;得分相同的,按最后一期({})各计分指标增速位次之和排列,和小者在前,缺少增速位次的单位排在位次齐全的单位之后(缺少越多越靠后);仍相同者{tie}。",
        cfg.groups.join("、"),
        a.through.label()
    ));
    if a.partial {
        v.push(format!(
            "本表为季度(阶段)督导考核,计算至{}(以月保季、以季保年)。",
            a.through.label()
        ));
    }
    v
}
