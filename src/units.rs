//! Measures (计量单位): 元, 千元, 万元, 亿元 and the like, converted by their Chinese prefixes.

use rust_decimal::Decimal;

/// Split a measure into its multiplier and base: 万元 -> (10^4, 元), 万千瓦时 -> (10^7, 瓦时).
pub fn measure_factor(measure: &str) -> Option<(Decimal, String)> {
    let m = crate::text::normalize(measure);
    let m = m.trim_start_matches('(').trim_end_matches(')');
    if m.is_empty() {
        return None;
    }
    let mut mult = Decimal::ONE;
    let mut rest = m;
    loop {
        let (f, len) = match rest.chars().next() {
            Some('十') => (10, '十'.len_utf8()),
            Some('百') => (100, '百'.len_utf8()),
            Some('千') => (1_000, '千'.len_utf8()),
            Some('万') => (10_000, '万'.len_utf8()),
            Some('亿') => (100_000_000, '亿'.len_utf8()),
            _ => break,
        };
        if rest.len() == len {
            break; // a lone prefix is not a measure
        }
        mult *= Decimal::from(f);
        rest = &rest[len..];
    }
    Some((mult, rest.to_string()))
}

/// Factor that converts a number in `from` to `to` (万元 from 元: 0.0001), if they are compatible.
pub fn conversion(from: &str, to: &str) -> Option<Decimal> {
    let (fm, fb) = measure_factor(from)?;
    let (tm, tb) = measure_factor(to)?;
    if fb != tb {
        return None;
    }
    Some(fm / tm)
}

/// Measures recognised inside a label or note such as `单位:万元、%` or `1-本月累计(千元)`.
pub fn find_measure(text: &str) -> Option<&'static str> {
    let n = crate::text::normalize(text);
    ["亿元", "千元", "万元", "元"]
        .into_iter()
        .find(|m| n.contains(m))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::str::FromStr;

    #[test]
    fn converts_to_wanyuan() {
        let d = |s| Decimal::from_str(s).unwrap();
        assert_eq!(conversion("元", "万元"), Some(d("0.0001")));
        assert_eq!(conversion("千元", "万元"), Some(d("0.1")));
        assert_eq!(conversion("万元", "万元"), Some(d("1")));
        assert_eq!(conversion("亿元", "万元"), Some(d("10000")));
        assert_eq!(conversion("万千瓦时", "亿千瓦时"), Some(d("0.0001")));
        assert_eq!(conversion("吨", "万元"), None);
        assert_eq!(find_measure("单位:万元、%"), Some("万元"));
        assert_eq!(find_measure("1-本月累计(千元)"), Some("千元"));
    }
}
