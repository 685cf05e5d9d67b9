//! Scoring a year: the periods used and the gaps among them, each unit's row of each period,
//! the targets of the year, the points of every cell ([`super::points`]), the sums and the
//! mean, and the final order of each group by [`crate::compute::rank::ranks`].

use super::points::Rule;
use super::{Assessment, Cell, GroupScores, IndicatorInfo, Target, UnitScore};
use crate::compute::rank::ranks;
use crate::config::{Config, Scheme, TieRule};
use crate::error::{Error, Result};
use crate::model::{PeriodResult, ResultRow};
use crate::period::Period;
use crate::text::{decimal_from_f64, div_round};
use rust_decimal::{Decimal, RoundingStrategy};
use std::cmp::Reverse;
use std::collections::{BTreeSet, HashMap};

/// Weights above this are refused (they would only be a typing error).
const MAX_WEIGHT: f64 = 1e12;
/// Units named at most in one warning.
const WARN_UNITS: usize = 30;

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

/// A period's rows by (unit, indicator) index.
type Rows<'r> = HashMap<(usize, usize), &'r ResultRow>;
/// The target of (unit, indicator), and whether it is the year's own (not one without a year).
type Targets = HashMap<(usize, usize), (bool, Target)>;

/// Score the recorded periods `results` (any order; only those of `year` up to `through` are
/// used) for the configured units.
pub fn score(
    cfg: &Config,
    year: i32,
    through: Option<Period>,
    results: &[PeriodResult],
) -> Result<Assessment> {
    let a = &cfg.assessment;
    let rule = Rule {
        scheme: a.scheme,
        step: dec_of("assessment.step", a.step)?,
        value_share: dec_of("assessment.value_share", a.value_share)?,
        proportional: a.target_rule == "proportional",
    };
    let indicators = indicator_infos(cfg)?;
    let mut warnings = Vec::new();
    let used = periods_used(results, year, through)?;
    let periods: Vec<Period> = used.iter().map(|r| r.period).collect();
    let last = periods[periods.len() - 1];
    let missing = gaps(year, last, &periods, &mut warnings);
    let index = rows_by_unit(cfg, &used, &mut warnings);
    let targets = if a.scheme == Scheme::Target {
        targets_of(cfg, year, &mut warnings)?
    } else {
        HashMap::new()
    };
    if indicators.iter().all(|i| i.weight.is_zero()) {
        warnings.push(
            "所有指标权重均为0,得分全部为0 (every indicator weighs 0: all scores are 0)".into(),
        );
    }
    let year_scores = Year {
        cfg,
        rule: &rule,
        indicators: &indicators,
        periods: &periods,
        index,
        targets,
        scored: scored(&indicators),
    };
    let mut absent: Vec<String> = Vec::new();
    let mut no_target: Vec<Vec<&str>> = vec![Vec::new(); indicators.len()];
    let mut groups: Vec<GroupScores> = Vec::with_capacity(cfg.groups.len());
    for g in &cfg.groups {
        let mut units: Vec<UnitScore> = cfg
            .units_of_group(g)
            .map(|u| year_scores.unit(g, u, &mut absent, &mut no_target))
            .collect();
        rank_group(&mut units, cfg.tie);
        groups.push(GroupScores {
            name: g.clone(),
            units,
        });
    }
    if !absent.is_empty() {
        warnings.push(format!(
            "以下单位在部分期次的历史记录中没有数据,该期按0分计 (units without any row in a period earn 0 in it): {}",
            some_of(&absent)
        ));
    }
    for (i, units) in no_target.iter().enumerate() {
        if !units.is_empty() {
            warnings.push(format!(
                "{}:以下单位未配置{year}年目标,该指标得0分 (no [[target]] configured: 0 points): {}",
                indicators[i].name,
                some_of(units)
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
        proportional: rule.proportional,
        step: rule.step,
        value_share: rule.value_share,
        indicators,
        groups,
        warnings,
    })
}

/// The first [`WARN_UNITS`] names, and how many there are when there are more.
fn some_of(names: &[impl AsRef<str>]) -> String {
    let n = names.len();
    let shown: Vec<&str> = names.iter().take(WARN_UNITS).map(|s| s.as_ref()).collect();
    let more = if n > WARN_UNITS {
        format!(" … (共{n}个单位)")
    } else {
        String::new()
    };
    format!("{}{more}", shown.join("、"))
}

/// The configured indicators with their weights (by name or alias; 0 when not named).
fn indicator_infos(cfg: &Config) -> Result<Vec<IndicatorInfo>> {
    let mut weights = vec![Decimal::ZERO; cfg.indicators.len()];
    for (name, w) in &cfg.assessment.weights {
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
    Ok(cfg
        .indicators
        .iter()
        .zip(&weights)
        .map(|(i, w)| IndicatorInfo {
            name: i.name.clone(),
            measure: i.measure.clone(),
            weight: *w,
        })
        .collect())
}

/// The periods of `year` up to `through`, in order, each once; an error when there is none,
/// or when `through` is not among them.
fn periods_used(
    results: &[PeriodResult],
    year: i32,
    through: Option<Period>,
) -> Result<Vec<&PeriodResult>> {
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
    Ok(used)
}

/// The months from 1-2月 to `last` without a record, warned about.
fn gaps(year: i32, last: Period, periods: &[Period], warnings: &mut Vec<String>) -> Vec<Period> {
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
    missing
}

/// Each period's rows by (unit, indicator); units on record but not configured are warned
/// about and left out.
fn rows_by_unit<'r>(
    cfg: &Config,
    used: &[&'r PeriodResult],
    warnings: &mut Vec<String>,
) -> Vec<Rows<'r>> {
    let mut unknown_units: BTreeSet<String> = BTreeSet::new();
    let mut index: Vec<Rows<'r>> = Vec::with_capacity(used.len());
    for r in used {
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
    index
}

/// The targets of `year`: a `[[target]]` with this year, else one without a year; of two
/// equally specific ones the first, warned about.
fn targets_of(cfg: &Config, year: i32, warnings: &mut Vec<String>) -> Result<Targets> {
    let mut targets: Targets = HashMap::new();
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
    Ok(targets)
}

/// The indicators whose last-period 增速位次 break ties: those with a weight, or all when
/// none has one.
fn scored(indicators: &[IndicatorInfo]) -> Vec<usize> {
    let s: Vec<usize> = (0..indicators.len())
        .filter(|&i| indicators[i].weight > Decimal::ZERO)
        .collect();
    if s.is_empty() {
        (0..indicators.len()).collect()
    } else {
        s
    }
}

/// What every unit's score is computed from.
struct Year<'a> {
    cfg: &'a Config,
    rule: &'a Rule,
    indicators: &'a [IndicatorInfo],
    periods: &'a [Period],
    index: Vec<Rows<'a>>,
    targets: Targets,
    scored: Vec<usize>,
}

impl<'a> Year<'a> {
    /// Unit `u` of group `g`, scored (its final rank not yet given); the periods it has no row
    /// in go to `absent`, the indicators it has no target for to `no_target`.
    fn unit(
        &self,
        g: &str,
        u: usize,
        absent: &mut Vec<String>,
        no_target: &mut [Vec<&'a str>],
    ) -> UnitScore {
        let name = &self.cfg.units[u].name;
        let mut cells: Vec<Vec<Cell>> = Vec::with_capacity(self.indicators.len());
        let mut unit_targets = Vec::with_capacity(self.indicators.len());
        for (i, ind) in self.indicators.iter().enumerate() {
            let target = self.targets.get(&(u, i)).map(|(_, t)| t.clone());
            if self.rule.scheme == Scheme::Target && target.is_none() && ind.weight > Decimal::ZERO
            {
                no_target[i].push(name);
            }
            cells.push(self.cells(u, i, target.as_ref()));
            unit_targets.push(target);
        }
        let absent_in: Vec<String> = self
            .periods
            .iter()
            .enumerate()
            .filter(|(k, _)| cells.iter().all(|row| !row[*k].recorded))
            .map(|(_, p)| p.span())
            .collect();
        if !absent_in.is_empty() {
            absent.push(format!("{name}({})", absent_in.join("、")));
        }
        let period_totals: Vec<Decimal> = (0..self.periods.len())
            .map(|k| cells.iter().map(|row| row[k].points).sum())
            .collect();
        let indicator_totals: Vec<Decimal> = cells
            .iter()
            .map(|row| row.iter().map(|c| c.points).sum())
            .collect();
        let total: Decimal = period_totals.iter().copied().sum();
        let n_periods = Decimal::from(self.periods.len());
        let score = div_round(total, n_periods, 2).unwrap_or_else(|| {
            (total / n_periods).round_dp_with_strategy(2, RoundingStrategy::MidpointAwayFromZero)
        });
        let last_k = self.periods.len() - 1;
        let last_rank_sum = self
            .scored
            .iter()
            .filter_map(|&i| cells[i][last_k].growth_rank)
            .sum();
        let last_missing = self
            .scored
            .iter()
            .filter(|&&i| cells[i][last_k].growth_rank.is_none())
            .count();
        UnitScore {
            unit: name.clone(),
            group: g.to_string(),
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
        }
    }

    /// What unit `u` had and earned for indicator `i` in each period.
    fn cells(&self, u: usize, i: usize, target: Option<&Target>) -> Vec<Cell> {
        let weight = self.indicators[i].weight;
        self.periods
            .iter()
            .zip(&self.index)
            .map(|(p, rows)| {
                let mut c = match rows.get(&(u, i)) {
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
                c.points = self.rule.points(weight, target, &c, p.month);
                c
            })
            .collect()
    }
}

/// Sort a group into its final order and give the final ranks: score descending, then fewer
/// missing last-period ranks, then the lower last-period rank sum; equal keys share a rank by
/// the `tie` rule and keep their official order.
fn rank_group(units: &mut [UnitScore], tie: TieRule) {
    let keys: Vec<Option<(Reverse<Decimal>, usize, u32)>> = units
        .iter()
        .map(|u| Some((Reverse(u.score), u.last_missing, u.last_rank_sum)))
        .collect();
    for (u, r) in units.iter_mut().zip(ranks(&keys, tie)) {
        u.final_rank = r.unwrap_or(0);
    }
    units.sort_by_key(|u| (u.final_rank, u.index));
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The final order as it was computed before [`ranks`] was shared: sorted by key, then
    /// official order; a rank per run of equal keys.
    fn by_the_old_loop(units: &mut [UnitScore], tie: TieRule) {
        let key = |u: &UnitScore| (Reverse(u.score), u.last_missing, u.last_rank_sum);
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

    fn unit(index: usize, score: Decimal, last_missing: usize, last_rank_sum: u32) -> UnitScore {
        UnitScore {
            unit: format!("u{index}"),
            group: "g".into(),
            index,
            cells: Vec::new(),
            targets: Vec::new(),
            period_totals: Vec::new(),
            indicator_totals: Vec::new(),
            total: Decimal::ZERO,
            score,
            last_rank_sum,
            last_missing,
            final_rank: 0,
        }
    }

    #[test]
    fn final_order_is_that_of_the_old_loop() {
        let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
        let mut next = |m: u64| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x % m
        };
        for round in 0..200 {
            let n = 1 + round % 23;
            let mut units: Vec<UnitScore> = (0..n)
                .map(|i| {
                    // Few distinct keys, and scores equal in value but not in scale (1.5, 1.50).
                    let score = Decimal::new(next(4) as i64 * 5, 1);
                    let score = if next(2) == 0 {
                        score
                    } else {
                        score.round_dp(2)
                    };
                    unit(i as usize, score, next(3) as usize, next(4) as u32)
                })
                .collect();
            // Any order in: the official order is restored among equals.
            for i in (1..units.len()).rev() {
                units.swap(i, next(i as u64 + 1) as usize);
            }
            for tie in [TieRule::Competition, TieRule::Dense] {
                let (mut new, mut old) = (units.clone(), units.clone());
                rank_group(&mut new, tie);
                by_the_old_loop(&mut old, tie);
                assert_eq!(new, old, "{tie:?}");
            }
        }
    }
}
