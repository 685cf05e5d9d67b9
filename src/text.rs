//! Text normalisation and number parsing shared by every reader: real submissions mix
//! full-width and ASCII characters, stray spaces and line breaks.

use rust_decimal::Decimal;
use std::str::FromStr;

/// Full-width ASCII variants to ASCII, the ideographic space to a space.
pub fn halfwidth(c: char) -> char {
    match c {
        '\u{3000}' => ' ',
        '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
        '\u{FFE5}' => '¥',
        '\u{3002}' => '.',
        '\u{2014}' | '\u{2015}' | '\u{2212}' | '\u{FE63}' => '-',
        '\u{3014}' => '[',
        '\u{3015}' => ']',
        '\u{3010}' => '[',
        '\u{3011}' => ']',
        _ => c,
    }
}

/// Canonical form for matching labels: half-width, no white space of any kind, lower case.
pub fn normalize(s: &str) -> String {
    s.chars()
        .map(halfwidth)
        .filter(|c| !c.is_whitespace() && !matches!(c, '\u{200B}' | '\u{FEFF}'))
        .map(|c| c.to_ascii_lowercase())
        .collect()
}

/// Result of reading a cell that should hold a number.
#[derive(Debug, Clone, PartialEq)]
pub enum NumText {
    /// Empty, `-`, `—`, `/`, `无`: the field was not reported.
    Missing,
    /// A number, with whether it carried a `%` sign.
    Number { value: Decimal, percent: bool },
    /// Something else; the string is what was found (shortened for messages).
    Invalid(String),
}

/// Markers meaning "not reported" (SPEC §2.1).
pub fn is_missing_marker(s: &str) -> bool {
    let n = normalize(s);
    n.is_empty() || matches!(n.as_str(), "-" | "--" | "---" | "/" | "无" | "…" | "……")
}

/// Parse a number written as text: `12,345.6`, ` 12345.6 `, full-width digits, `9.2%`.
pub fn parse_number_text(s: &str) -> NumText {
    if is_missing_marker(s) {
        return NumText::Missing;
    }
    let mut t: String = normalize(s);
    let mut percent = false;
    if let Some(stripped) = t.strip_suffix('%') {
        t = stripped.to_string();
        percent = true;
    }
    let t: String = t
        .chars()
        .filter(|c| *c != ',' && *c != '\u{FF0C}')
        .collect();
    let t = t.strip_prefix('+').unwrap_or(&t);
    let ok = !t.is_empty()
        && t.len() <= 40
        && t.chars()
            .all(|c| c.is_ascii_digit() || c == '.' || c == '-')
        && t.chars().filter(|c| *c == '.').count() <= 1
        && t.rfind('-').is_none_or(|i| i == 0)
        && t.chars().any(|c| c.is_ascii_digit());
    if ok && let Ok(value) = Decimal::from_str(t) {
        return NumText::Number { value, percent };
    }
    NumText::Invalid(shorten(s, 40))
}

/// The decimal a spreadsheet shows for a float: 15 significant digits, as Excel does, so
/// that 98765.39999999999 is the 98765.4 the clerk typed.
pub fn decimal_from_f64(f: f64) -> Option<Decimal> {
    if !f.is_finite() || f.abs() >= 1e20 {
        return None;
    }
    // What a clerk types has a few decimals: when `f` is the double nearest to n / 10^k
    // (k ≤ 4, n of at most 15 digits), that decimal is what 15 significant digits give (the
    // double is within a ten-thousandth of a unit of the 15th digit of it), without the
    // formatting below, which was a tenth of reading a national month.
    if f != 0.0 {
        let mut p = 1.0;
        for k in 0..=4 {
            let n = (f * p).round();
            if n.abs() < 1e15 && n / p == f {
                return Some(Decimal::new(n as i64, k).normalize());
            }
            p *= 10.0;
        }
    }
    fifteen_digits(f)
}

/// [`decimal_from_f64`] by printing `f` to 15 significant digits.
fn fifteen_digits(f: f64) -> Option<Decimal> {
    let s = format!("{f:.14e}");
    let (mantissa, exp) = s.split_once('e')?;
    let exp: i32 = exp.parse().ok()?;
    let digits: String = mantissa.chars().filter(|c| c.is_ascii_digit()).collect();
    let neg = mantissa.starts_with('-');
    let m: i128 = digits.parse().ok()?;
    // value = m * 10^(exp - 14)
    let shift = exp - 14;
    let d = if shift >= 0 {
        Decimal::from_i128_with_scale(m.checked_mul(10i128.checked_pow(shift as u32)?)?, 0)
    } else {
        let scale = (-shift) as u32;
        if scale > 28 {
            // Smaller than anything a report holds; keep 28 decimals.
            let cut = scale - 28;
            Decimal::from_i128_with_scale(m / 10i128.pow(cut.min(38)), 28)
        } else {
            Decimal::from_i128_with_scale(m, scale)
        }
    };
    let d = if neg { -d } else { d };
    Some(d.normalize())
}

/// Half away from zero (四舍五入) to `dp` decimals, exact on decimals.
pub fn round_half_up(d: Decimal, dp: u32) -> Decimal {
    d.round_dp_with_strategy(dp, rust_decimal::RoundingStrategy::MidpointAwayFromZero)
}

/// Exact `num / den` rounded 四舍五入 to `dp` decimals, by integer arithmetic on the decimals'
/// mantissas, so no intermediate rounding can ever flip the last digit.
pub fn div_round(num: Decimal, den: Decimal, dp: u32) -> Option<Decimal> {
    if den.is_zero() {
        return None;
    }
    let scale = num.scale().max(den.scale());
    let n = rescale_i128(num, scale)?;
    let d = rescale_i128(den, scale)?;
    let n = n.checked_mul(10i128.checked_pow(dp)?)?;
    let (q, r) = (n / d, n % d);
    let q = if 2 * r.unsigned_abs() >= d.unsigned_abs() {
        if (n < 0) != (d < 0) { q - 1 } else { q + 1 }
    } else {
        q
    };
    Some(Decimal::from_i128_with_scale(q, dp))
}

fn rescale_i128(d: Decimal, scale: u32) -> Option<i128> {
    d.mantissa()
        .checked_mul(10i128.checked_pow(scale - d.scale())?)
}

/// Growth in % of SPEC §3: `(value − base) / |base| × 100`, 四舍五入 to one decimal.
pub fn growth(value: Decimal, base: Decimal) -> Option<Decimal> {
    if base.is_zero() {
        return None;
    }
    div_round((value - base) * Decimal::ONE_HUNDRED, base.abs(), 1)
}

/// A string cut to `max` characters for messages, so a 100 000-character cell stays readable.
pub fn shorten(s: &str, max: usize) -> String {
    let s = s.trim();
    if s.chars().count() <= max {
        s.to_string()
    } else {
        let cut: String = s.chars().take(max).collect();
        format!("{cut}…")
    }
}

/// Closest name by edit distance, for "did you mean" suggestions.
pub fn suggest<'a>(found: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let f = normalize(found);
    candidates
        .into_iter()
        .map(|c| (strsim::levenshtein(&f, &normalize(c)), c))
        .filter(|(d, c)| *d > 0 && *d <= (c.chars().count() / 2).max(1))
        .min_by_key(|(d, _)| *d)
        .map(|(_, c)| c)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Decimal {
        Decimal::from_str(s).unwrap()
    }

    #[test]
    fn growth_rounds_half_away_from_zero_exactly() {
        assert_eq!(growth(d("10245"), d("10000")), Some(d("2.5")));
        assert_eq!(growth(d("10245"), d("10000")).unwrap().to_string(), "2.5");
        // 2.45 exactly -> 2.5 (f64 would give 2.4499999)
        assert_eq!(growth(d("102.45"), d("100")), Some(d("2.5")));
        assert_eq!(growth(d("97.55"), d("100")), Some(d("-2.5")));
        assert_eq!(growth(d("1.15"), d("1")), Some(d("15.0")));
        assert_eq!(growth(d("-50"), d("-100")), Some(d("50.0")));
        assert_eq!(growth(d("-150"), d("-100")), Some(d("-50.0")));
        assert_eq!(growth(d("1"), d("0")), None);
        assert_eq!(growth(d("100.0449"), d("100")), Some(d("0.0")));
        assert_eq!(growth(d("100.05"), d("100")), Some(d("0.1")));
    }

    #[test]
    fn floats_read_as_typed() {
        // As stored by the example workbook; and the floats next to 98765.4.
        assert_eq!(
            decimal_from_f64("98765.39999999999".parse().unwrap()),
            Some(d("98765.4"))
        );
        assert_eq!(decimal_from_f64(98765.4f64.next_down()), Some(d("98765.4")));
        assert_eq!(decimal_from_f64(98765.4f64.next_up()), Some(d("98765.4")));
        assert_eq!(decimal_from_f64(2.45f64.next_down()), Some(d("2.45")));
        assert_eq!(decimal_from_f64(0.1 + 0.2), Some(d("0.3")));
        assert_eq!(decimal_from_f64(10245.0), Some(d("10245")));
        assert_eq!(decimal_from_f64(-0.092), Some(d("-0.092")));
        assert_eq!(decimal_from_f64(f64::NAN), None);
        assert_eq!(decimal_from_f64(-0.0), fifteen_digits(-0.0));
    }

    #[test]
    fn typed_decimals_take_the_short_way_to_the_same_decimal() {
        let same = |f: f64| {
            assert_eq!(decimal_from_f64(f), fifteen_digits(f), "{f:e}");
            assert_eq!(decimal_from_f64(-f), fifteen_digits(-f), "{f:e}");
        };
        for f in [
            98765.4,
            0.1,
            0.3,
            2.45,
            1e15 - 1.0,
            1e15,
            999999999999999.9,
            99999999999.9999,
            123456789012.3456,
            0.00005,
            1e-5,
            5e-324,
            1e19,
            0.30000000000000004,
        ] {
            same(f);
            same(f.next_up());
            same(f.next_down());
        }
        let mut x: u64 = 0x2545_F491_4F6C_DD1D;
        for _ in 0..100_000 {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            let n = (x >> (x % 64)) as i64 as f64;
            for k in 0..=6 {
                same(n / 10f64.powi(k));
            }
            let bits = f64::from_bits(x);
            if bits.is_finite() && bits.abs() < 1e20 {
                same(bits);
            }
        }
    }

    #[test]
    fn numbers_as_text() {
        assert_eq!(
            parse_number_text("12,345.6"),
            NumText::Number {
                value: d("12345.6"),
                percent: false
            }
        );
        assert_eq!(
            parse_number_text(" 12345.6 "),
            NumText::Number {
                value: d("12345.6"),
                percent: false
            }
        );
        assert_eq!(
            parse_number_text("１２３４５.６"),
            NumText::Number {
                value: d("12345.6"),
                percent: false
            }
        );
        assert_eq!(
            parse_number_text("9.2%"),
            NumText::Number {
                value: d("9.2"),
                percent: true
            }
        );
        assert_eq!(
            parse_number_text("-3.5％"),
            NumText::Number {
                value: d("-3.5"),
                percent: true
            }
        );
        for m in ["", " ", "-", "—", "/", "无", "－"] {
            assert_eq!(parse_number_text(m), NumText::Missing, "{m:?}");
        }
        assert!(matches!(parse_number_text("abc"), NumText::Invalid(_)));
        assert!(matches!(parse_number_text("1.2.3"), NumText::Invalid(_)));
        assert!(matches!(parse_number_text("1-2"), NumText::Invalid(_)));
    }

    #[test]
    fn normalizes_labels() {
        assert_eq!(normalize(" 同比增长\n（%） "), "同比增长(%)");
        assert_eq!(normalize("填报单位："), "填报单位:");
    }
}
