//! The points a cell earns (SPEC §5), exact decimal arithmetic: by 增速位次 (争先进位), by
//! 总量位次 and 增速位次 together (mixed), or by meeting the annual target against time
//! progress (target, all or nothing or in proportion).

use super::{Cell, Target};
use crate::config::Scheme;
use crate::text::div_round;
use rust_decimal::Decimal;

/// Points of proportional target scoring are rounded to this many decimals.
pub(super) const PROPORTIONAL_DP: u32 = 4;

/// How a cell earns points: the configured scheme and its numbers, as exact decimals.
pub(super) struct Rule {
    pub scheme: Scheme,
    pub step: Decimal,
    pub value_share: Decimal,
    pub proportional: bool,
}

impl Rule {
    /// Points of `cell`, in a period ending in `month`, for an indicator of `weight` with the
    /// unit's annual `target` (target scheme).
    pub(super) fn points(
        &self,
        weight: Decimal,
        target: Option<&Target>,
        cell: &Cell,
        month: u32,
    ) -> Decimal {
        match self.scheme {
            Scheme::Zhengxian => weight * rank_rate(cell.growth_rank, self.step),
            Scheme::Mixed => {
                weight
                    * (self.value_share * rank_rate(cell.value_rank, self.step)
                        + (Decimal::ONE - self.value_share)
                            * rank_rate(cell.growth_rank, self.step))
            }
            Scheme::Target => target_points(weight, target, cell, month, self.proportional),
        }
    }
}

/// rate(r) = max(0, 1 − step × (r − 1)); no rank: 0.
pub(super) fn rank_rate(r: Option<u32>, step: Decimal) -> Decimal {
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
