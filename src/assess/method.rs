//! The scoring rule in words (计分办法), printed in the assessment workbook so that a reader
//! can check a score by hand.

use super::Assessment;
use super::points::PROPORTIONAL_DP;
use crate::config::{Config, Scheme, TieRule};
use rust_decimal::Decimal;

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
