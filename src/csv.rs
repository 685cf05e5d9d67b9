//! `rankings.csv` (SPEC §4): exactly the specified columns, UTF-8 with a BOM so Excel opens the
//! Chinese text correctly.

use crate::model::PeriodResult;
use rust_decimal::Decimal;

pub const HEADER: &str = "period,group,unit,indicator,value,base,growth,status,value_rank,growth_rank,growth_rank_change";

/// A field quoted when needed; text that a spreadsheet would take for a formula is prefixed
/// with an apostrophe so opening the CSV in Excel never runs anything.
pub fn field(s: &str) -> String {
    let s = if s.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{s}")
    } else {
        s.to_string()
    };
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s
    }
}

fn num(d: Option<Decimal>) -> String {
    d.map(|d| d.normalize().to_string()).unwrap_or_default()
}

fn one_decimal(d: Option<Decimal>) -> String {
    d.map(|d| format!("{:.1}", crate::text::round_half_up(d, 1)))
        .unwrap_or_default()
}

fn opt<T: ToString>(v: Option<T>) -> String {
    v.map(|v| v.to_string()).unwrap_or_default()
}

pub fn render(result: &PeriodResult) -> String {
    let mut out = String::from("\u{FEFF}");
    out.push_str(HEADER);
    out.push('\n');
    let period = result.period.to_string();
    for r in &result.rows {
        let cols = [
            period.clone(),
            field(r.group.as_deref().unwrap_or("")),
            field(&r.unit),
            field(&r.indicator),
            num(r.value),
            num(r.base),
            one_decimal(r.growth),
            r.status.label().to_string(),
            opt(r.value_rank),
            opt(r.growth_rank),
            opt(r.rank_change),
        ];
        out.push_str(&cols.join(","));
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_are_quoted_and_never_formulas() {
        assert_eq!(field("舞阳县"), "舞阳县");
        assert_eq!(field("=HYPERLINK(\"x\")"), "\"'=HYPERLINK(\"\"x\"\")\"");
        assert_eq!(field("+1"), "'+1");
        assert_eq!(field("@cmd"), "'@cmd");
        assert_eq!(field("a,b"), "\"a,b\"");
        assert_eq!(num(Some(Decimal::new(-1205, 1))), "-120.5");
        assert_eq!(one_decimal(Some(Decimal::new(245, 2))), "2.5");
        assert_eq!(one_decimal(Some(Decimal::new(8, 0))), "8.0");
    }
}
