//! The computation of SPEC §3: city totals, growth, status, shares, ranks within groups and
//! rank changes. Growth and shares are exact decimal arithmetic; ranks are those of the
//! displayed values (one decimal) within each group and indicator ([`rank`]); last period's
//! rows are looked up in a map.

pub mod rank;

use crate::config::{Config, GrowthMode};
use crate::error::{Diagnostic, Location, Result};
use crate::model::{Field, Ingested, PeriodResult, Reading, ResultRow, Status};
use crate::text::{div_round, growth, round_half_up};
use rust_decimal::Decimal;
use rustc_hash::FxHashMap;
use std::cmp::Reverse;

/// Name of the city row in every output.
pub const CITY: &str = "全市";

/// Compute the period. `previous` is the latest earlier recorded period of the same year.
pub fn compute(
    cfg: &Config,
    ing: &Ingested,
    previous: Option<&PeriodResult>,
) -> Result<PeriodResult> {
    let by_unit: FxHashMap<usize, &Vec<Reading>> = ing
        .submissions
        .iter()
        .map(|s| (s.unit, &s.readings))
        .collect();
    let empty = Reading::default();
    // Indicator by indicator (each its 全市 row, then every unit in official order), the
    // indicators side by side: they share nothing until ranking.
    type Rows = (ResultRow, Vec<ResultRow>, Vec<Diagnostic>);
    let per_indicator: Vec<Rows> = {
        use rayon::prelude::*;
        (0..cfg.indicators.len())
            .into_par_iter()
            .map(|i| {
                let mut warnings = Vec::new();
                let mut unit_rows = Vec::with_capacity(cfg.units.len());
                for (u, unit) in cfg.units.iter().enumerate() {
                    let r = by_unit.get(&u).map(|rs| &rs[i]).unwrap_or(&empty);
                    let reported = by_unit.contains_key(&u);
                    unit_rows.push(unit_row(
                        cfg,
                        i,
                        &unit.name,
                        Some(&unit.group),
                        r,
                        reported,
                        &mut warnings,
                    ));
                }
                let city = city_row(cfg, i, ing, &unit_rows, &by_unit, &mut warnings);
                // Shares of the city value.
                for r in &mut unit_rows {
                    r.share = match (r.value, city.value) {
                        (Some(v), Some(c)) if !c.is_zero() => {
                            div_round(v * Decimal::ONE_HUNDRED, c, 1)
                        }
                        _ => None,
                    };
                }
                (city, unit_rows, warnings)
            })
            .collect()
    };
    let mut rows = Vec::with_capacity(cfg.indicators.len() * (cfg.units.len() + 1));
    let mut warnings = Vec::new();
    for (city, unit_rows, w) in per_indicator {
        rows.push(city);
        rows.extend(unit_rows);
        warnings.extend(w);
    }
    for r in rows.iter_mut().filter(|r| r.is_city) {
        r.share = r.value.map(|_| Decimal::ONE_HUNDRED.round_dp(1));
    }
    // Last period's rows by unit and indicator: its ranks (rank change) and values
    // (plausibility).
    let before: FxHashMap<(&str, &str), &ResultRow> = previous
        .into_iter()
        .flat_map(|p| &p.rows)
        .map(|r| ((r.unit.as_str(), r.indicator.as_str()), r))
        .collect();
    rank_rows(cfg, &mut rows, &before);
    plausibility(cfg, &by_unit, &rows, previous, &before, &mut warnings);
    Ok(PeriodResult {
        period: ing.period,
        rows,
        previous: previous.map(|p| p.period),
        warnings,
    })
}

fn val(f: &Option<Field>) -> Option<Decimal> {
    f.as_ref().map(|f| f.value)
}

/// Status of SPEC §3 for value and base.
pub fn status(negative_allowed: bool, value: Option<Decimal>, base: Option<Decimal>) -> Status {
    let (Some(v), Some(b)) = (value, base) else {
        return Status::Normal;
    };
    if b.is_zero() {
        return Status::NoBase;
    }
    if !negative_allowed {
        return Status::Normal;
    }
    let zero = Decimal::ZERO;
    if b > zero && v < zero {
        Status::TurnedLoss
    } else if b < zero && v >= zero {
        Status::TurnedProfit
    } else if b < zero && v > b && v < zero {
        Status::LossReduced
    } else if b < zero && v < b {
        Status::LossIncreased
    } else {
        Status::Normal
    }
}

fn unit_row(
    cfg: &Config,
    i: usize,
    unit: &str,
    group: Option<&String>,
    r: &Reading,
    reported: bool,
    warnings: &mut Vec<Diagnostic>,
) -> ResultRow {
    let ind = &cfg.indicators[i];
    let (value, base) = (val(&r.value), val(&r.base));
    let provided = ind.growth == GrowthMode::Provided;
    let submitted = r.growth.as_ref().map(|g| round_half_up(g.value, 1));
    let computed = match (value, base) {
        (Some(v), Some(b)) => growth(v, b),
        _ => None,
    };
    let mut st = status(ind.negative_allowed, value, base);
    let g = if provided {
        if st == Status::NoBase {
            st = Status::Normal; // comparable-price growth does not depend on a nominal base
        }
        submitted
    } else {
        if let (Some(s), Some(c), Some(f)) = (submitted, computed, &r.growth)
            && (s - c).abs() > Decimal::new(1, 1)
        {
            warnings.push(Diagnostic::new(
                    f.at.clone(),
                    format!("{}: 填报增速 {s}% 与计算值 {c}% 不符 (submitted growth differs from the computed one by more than 0.1 point; the computed one is used)", ind.name),
                ));
        }
        computed
    };
    let is_reported = reported && (value.is_some() || g.is_some());
    if !is_reported {
        st = Status::NotReported;
    }
    ResultRow {
        unit: unit.to_string(),
        is_city: false,
        group: group.cloned(),
        indicator: ind.name.clone(),
        month: val(&r.month),
        value,
        base,
        change: match (value, base) {
            (Some(v), Some(b)) => Some(v - b),
            _ => None,
        },
        growth: if is_reported && st != Status::NoBase {
            g
        } else {
            None
        },
        share: None,
        status: st,
        value_rank: None,
        growth_rank: None,
        rank_change: None,
    }
}

fn city_row(
    cfg: &Config,
    i: usize,
    ing: &Ingested,
    unit_rows: &[ResultRow],
    by_unit: &FxHashMap<usize, &Vec<Reading>>,
    warnings: &mut Vec<Diagnostic>,
) -> ResultRow {
    let ind = &cfg.indicators[i];
    if let Some(city) = &ing.city {
        // A 全市 row given in the inputs is used as given.
        let given = &city.readings[i];
        let mut row = unit_row(cfg, i, CITY, None, given, true, warnings);
        row.is_city = true;
        if row.growth.is_none() && row.status != Status::NoBase {
            // A growth given in the 全市 row without its value and base is used as given.
            row.growth = given.growth.as_ref().map(|g| round_half_up(g.value, 1));
        }
        row.group = None;
        if row.status == Status::NotReported {
            row.status = Status::Normal;
        }
        return row;
    }
    let sum = |f: &dyn Fn(&ResultRow) -> Option<Decimal>| -> Option<Decimal> {
        let vals: Vec<Decimal> = unit_rows.iter().filter_map(f).collect();
        (!vals.is_empty()).then(|| vals.iter().sum())
    };
    let value = sum(&|r| r.value);
    let base = sum(&|r| r.base);
    let month = sum(&|r| r.month);
    let with_value = unit_rows.iter().filter(|r| r.value.is_some()).count();
    let with_base = unit_rows.iter().filter(|r| r.base.is_some()).count();
    if with_base > 0 && with_base != with_value {
        warnings.push(Diagnostic::new(
            Location::file(CITY),
            format!(
                "{}: 全市合计口径不一致 ({with_value} units gave 1-N月累计 but {with_base} gave 上年同期; the city total sums what was given)",
                ind.name
            ),
        ));
    }
    let growth_value = if ind.growth == GrowthMode::Provided {
        // Base-weighted mean of unit growths (可比价 growth cannot be summed).
        let mut num = Decimal::ZERO;
        let mut den = Decimal::ZERO;
        for readings in by_unit.values() {
            let r = &readings[i];
            if let (Some(b), Some(g)) = (val(&r.base), val(&r.growth)) {
                num += b * round_half_up(g, 1);
                den += b;
            }
        }
        let g = if den.is_zero() {
            None
        } else {
            div_round(num, den, 1)
        };
        if g.is_none() && unit_rows.iter().any(|r| r.growth.is_some()) {
            warnings.push(Diagnostic::new(
                Location::file(CITY),
                format!("{}: 全市增速无法计算,显示为“—” (no 全市 row and no 上年同期 to weight the units' comparable-price growth)", ind.name),
            ));
        }
        g
    } else {
        match (value, base) {
            (Some(v), Some(b)) => growth(v, b),
            _ => None,
        }
    };
    let st = status(ind.negative_allowed, value, base);
    ResultRow {
        unit: CITY.to_string(),
        is_city: true,
        group: None,
        indicator: ind.name.clone(),
        month,
        value,
        base,
        change: match (value, base) {
            (Some(v), Some(b)) => Some(v - b),
            _ => None,
        },
        growth: if st == Status::NoBase && ind.growth == GrowthMode::Computed {
            None
        } else {
            growth_value
        },
        share: None,
        status: if ind.growth == GrowthMode::Provided && st == Status::NoBase {
            Status::Normal
        } else {
            st
        },
        value_rank: None,
        growth_rank: None,
        rank_change: None,
    }
}

/// Tenths of a displayed one-decimal number, exact: the key ranks are computed on.
fn tenths(d: Option<Decimal>) -> Option<i64> {
    let r = round_half_up(d?, 1);
    let m =
        r.mantissa() * 10i128.pow(1 - r.scale().min(1)) / 10i128.pow(r.scale().saturating_sub(1));
    i64::try_from(m).ok()
}

/// 总量位次 and 增速位次 per group and indicator, then the rank change against the previous
/// period.
fn rank_rows(cfg: &Config, rows: &mut [ResultRow], before: &FxHashMap<(&str, &str), &ResultRow>) {
    // Each (group, indicator) as one integer partition.
    let mut keys: FxHashMap<(Option<&str>, &str), u32> = FxHashMap::default();
    let part: Vec<u32> = rows
        .iter()
        .map(|r| {
            let n = keys.len() as u32;
            *keys
                .entry((r.group.as_deref(), r.indicator.as_str()))
                .or_insert(n)
        })
        .collect();
    // Largest first, on the displayed value.
    let key = |d: Option<Decimal>, city: bool| tenths(d).filter(|_| !city).map(Reverse);
    let value: Vec<_> = rows.iter().map(|r| key(r.value, r.is_city)).collect();
    let growth: Vec<_> = rows.iter().map(|r| key(r.growth, r.is_city)).collect();
    let vr = rank::ranks_within(&part, &value, cfg.tie);
    let gr = rank::ranks_within(&part, &growth, cfg.tie);
    let change: Vec<Option<i32>> = rows
        .iter()
        .zip(&gr)
        .map(|(r, g)| {
            let was = before
                .get(&(r.unit.as_str(), r.indicator.as_str()))
                .filter(|p| !p.is_city)?
                .growth_rank?;
            Some(i32::try_from(was).ok()? - i32::try_from((*g)?).ok()?)
        })
        .collect();
    for (k, r) in rows.iter_mut().enumerate() {
        if r.is_city {
            continue;
        }
        r.value_rank = vr[k];
        r.growth_rank = gr[k];
        r.rank_change = change[k];
    }
}

/// Warnings of SPEC §6 that need the computed numbers.
fn plausibility(
    cfg: &Config,
    by_unit: &FxHashMap<usize, &Vec<Reading>>,
    rows: &[ResultRow],
    previous: Option<&PeriodResult>,
    prev_rows: &FxHashMap<(&str, &str), &ResultRow>,
    w: &mut Vec<Diagnostic>,
) {
    // Rows are laid out per indicator: the city, then every unit in official order.
    let stride = cfg.units.len() + 1;
    for (i, ind) in cfg.indicators.iter().enumerate() {
        for (u, unit) in cfg.units.iter().enumerate() {
            let Some(readings) = by_unit.get(&u) else {
                continue;
            };
            let r = &readings[i];
            let row = &rows[i * stride + 1 + u];
            debug_assert!(row.unit == unit.name && row.indicator == ind.name);
            // (Made only for a warning: a location is a few strings.)
            let at = || {
                r.value
                    .as_ref()
                    .or(r.growth.as_ref())
                    .map(|f| f.at.clone())
                    .unwrap_or_else(|| Location::file(unit.name.clone()))
            };
            // A change of sign (由盈转亏, 扭亏为盈) always moves more than 100 %: the status says it.
            let sign_change = matches!(row.status, Status::TurnedLoss | Status::TurnedProfit);
            if let (Some(g), false) = (row.growth, sign_change)
                && g.abs() > Decimal::ONE_HUNDRED
            {
                let at = r.growth.as_ref().map(|f| f.at.clone()).unwrap_or_else(at);
                w.push(Diagnostic::new(
                    at,
                    format!(
                        "{} {}: 增速 {g}% 超过 ±100% (growth beyond ±100 %; please confirm)",
                        unit.name, ind.name
                    ),
                ));
            }
            if !ind.negative_allowed
                && let (Some(v), Some(p)) = (
                    row.value,
                    prev_rows
                        .get(&(unit.name.as_str(), ind.name.as_str()))
                        .and_then(|p| p.value),
                )
                && v < p
            {
                w.push(Diagnostic::new(
                            at(),
                            format!(
                                "{} {}: 累计值 {v} 低于上期 {p} (cumulative value lower than the previous period's {})",
                                unit.name,
                                ind.name,
                                previous.map(|p| p.period.label()).unwrap_or_default()
                            ),
                        ));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::str::FromStr;

    fn d(s: &str) -> Decimal {
        Decimal::from_str(s).unwrap()
    }

    #[test]
    fn statuses() {
        let s = |v: &str, b: &str| status(true, Some(d(v)), Some(d(b)));
        assert_eq!(s("-5", "10"), Status::TurnedLoss);
        assert_eq!(s("0", "-10"), Status::TurnedProfit);
        assert_eq!(s("5", "-10"), Status::TurnedProfit);
        assert_eq!(s("-5", "-10"), Status::LossReduced);
        assert_eq!(s("-15", "-10"), Status::LossIncreased);
        assert_eq!(s("15", "0"), Status::NoBase);
        assert_eq!(s("15", "10"), Status::Normal);
        assert_eq!(status(false, Some(d("15")), Some(d("0"))), Status::NoBase);
    }

    #[test]
    fn tenths_are_exact() {
        assert_eq!(tenths(Some(d("2.5"))), Some(25));
        assert_eq!(tenths(Some(d("2.45"))), Some(25));
        assert_eq!(tenths(Some(d("-2.45"))), Some(-25));
        assert_eq!(tenths(Some(d("12345"))), Some(123450));
        assert_eq!(tenths(Some(d("0.04"))), Some(0));
        assert_eq!(tenths(None), None);
    }
}
