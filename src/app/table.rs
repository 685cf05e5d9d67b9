//! The text table `tongbao check` prints: what was read and computed, indicator by indicator.

use crate::config::Config;
use crate::model::PeriodResult;

/// A compact text table of what was read and computed.
pub fn render_table(cfg: &Config, r: &PeriodResult) -> String {
    use unicode_width::UnicodeWidthStr;
    let pad = |s: &str, w: usize| {
        let n = UnicodeWidthStr::width(s);
        format!("{}{}", " ".repeat(w.saturating_sub(n)), s)
    };
    let padr = |s: &str, w: usize| {
        let n = UnicodeWidthStr::width(s);
        format!("{s}{}", " ".repeat(w.saturating_sub(n)))
    };
    let f = |d: Option<rust_decimal::Decimal>| {
        d.map(|d| d.normalize().to_string())
            .unwrap_or_else(|| "—".into())
    };
    let g = |d: Option<rust_decimal::Decimal>| {
        d.map(|d| format!("{d:.1}")).unwrap_or_else(|| "—".into())
    };
    let o = |d: Option<u32>| d.map(|d| d.to_string()).unwrap_or_else(|| "—".into());
    let mut s = String::new();
    for ind in &cfg.indicators {
        s.push_str(&format!("\n{} ({})\n", ind.name, ind.measure));
        s.push_str(&format!(
            "{}{}{}{}{}{}  {}\n",
            padr("单位", 18),
            pad("1-N月累计", 16),
            pad("上年同期", 16),
            pad("增速%", 8),
            pad("总量位次", 9),
            pad("增速位次", 9),
            "状态"
        ));
        for row in r.indicator_rows(&ind.name) {
            s.push_str(&format!(
                "{}{}{}{}{}{}  {}\n",
                padr(&row.unit, 18),
                pad(&f(row.value), 16),
                pad(&f(row.base), 16),
                pad(&g(row.growth), 8),
                pad(&o(row.value_rank), 9),
                pad(&o(row.growth_rank), 9),
                row.status.label()
            ));
        }
    }
    s
}
