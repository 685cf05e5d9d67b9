//! Recognising the labels of real submissions: column headers and their synonyms (SPEC §2.1).

use crate::text::normalize;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ColKind {
    /// 指标名称
    Name,
    /// 计量单位
    Measure,
    /// 本月
    Month,
    /// 1-本月累计, 累计, 本年累计, 1-N月累计
    Value,
    /// 上年同期累计, 上年同期, 去年同期
    Base,
    /// 同比增长(%), 增长(%), 增速(%), 同比±%, 比上年同期增长(%)
    Growth,
}

/// A label with its parenthesised parts removed: `同比增长(%)` -> `同比增长`.
pub fn strip_parens(n: &str) -> String {
    let mut out = String::new();
    let mut depth = 0;
    for c in n.chars() {
        match c {
            '(' => depth += 1,
            ')' => depth = i32::max(depth - 1, 0),
            _ if depth == 0 => out.push(c),
            _ => {}
        }
    }
    out
}

/// What a header cell names, and for 1-N月累计 the N it names.
pub fn classify_column(label: &str) -> Option<(ColKind, Option<u32>)> {
    let n = normalize(label);
    let core = strip_parens(&n).replace(['%', '±', '+', ':'], "");
    if core.is_empty() {
        return None;
    }
    // Columns of the month alone (本月增长, 上年同月) sit beside the cumulative ones: not ours.
    let of_month =
        ["本月", "当月", "同月"].iter().any(|k| core.contains(k)) && !core.contains("累计");
    let comparing = ["增长", "增速", "增幅", "增减", "同比", "上年", "去年"];
    if of_month && comparing.iter().any(|k| core.contains(k)) {
        return None;
    }
    if ["增长", "增速", "增幅", "增减", "同比"]
        .iter()
        .any(|k| core.contains(k))
        && !core.contains("增减额")
    {
        return Some((ColKind::Growth, None));
    }
    if ["上年", "去年", "同期"].iter().any(|k| core.contains(k)) {
        return Some((ColKind::Base, None));
    }
    if core.contains("累计") || core.starts_with("1-") || core.starts_with("1~") {
        return Some((ColKind::Value, span_month(&core)));
    }
    if core == "本月" || core == "当月" || core == "本月数" || core == "当月数" || month_only(&core)
    {
        return Some((ColKind::Month, None));
    }
    if ["指标名称", "指标", "项目", "名称", "指标名"].contains(&core.as_str()) {
        return Some((ColKind::Name, None));
    }
    if ["计量单位", "单位", "计算单位"].contains(&core.as_str()) {
        return Some((ColKind::Measure, None));
    }
    None
}

/// `1-7月累计` -> 7; `1-本月累计` -> None.
fn span_month(core: &str) -> Option<u32> {
    let rest = core.strip_prefix("本年").unwrap_or(core);
    let rest = rest
        .strip_prefix("1-")
        .or_else(|| rest.strip_prefix("1~"))?;
    let end = rest.find(|c: char| !c.is_ascii_digit())?;
    if end == 0 || !rest[end..].starts_with('月') {
        return None;
    }
    rest[..end].parse().ok()
}

fn month_only(core: &str) -> bool {
    core.strip_suffix('月')
        .is_some_and(|d| !d.is_empty() && d.len() <= 2 && d.chars().all(|c| c.is_ascii_digit()))
}

/// An indicator label cleaned of numbering, notes and units: `1、主营业务收入(万元)` -> `主营业务收入`.
pub fn clean_row_label(label: &str) -> String {
    let n = strip_parens(&normalize(label));
    let n = n.trim_start_matches(|c: char| {
        c.is_ascii_digit() || "一二三四五六七八九十、..:".contains(c)
    });
    let n = n.strip_prefix("其中:").unwrap_or(n);
    n.trim_end_matches(':').to_string()
}

/// Text following a keyword in a note cell (`填报单位:舞阳县 报告期:…`), up to the next keyword.
pub fn after_keyword(cell: &str, keywords: &[&str]) -> Option<String> {
    const STOPS: [&str; 9] = [
        "填报单位",
        "报告期",
        "单位:",
        "填表人",
        "联系电话",
        "填报日期",
        "统计负责人",
        "单位负责人",
        "日期:",
    ];
    let n = normalize(cell);
    let (pos, kw) = keywords
        .iter()
        .filter_map(|k| n.find(k).map(|p| (p, *k)))
        .min_by_key(|(p, _)| *p)?;
    let mut rest = &n[pos + kw.len()..];
    // 填报单位(盖章): …
    if rest.starts_with('(')
        && let Some(end) = rest.find(')')
    {
        rest = &rest[end + 1..];
    }
    let rest = rest.trim_start_matches([':', '：']);
    let end = STOPS
        .iter()
        .filter_map(|s| rest.find(s))
        .min()
        .unwrap_or(rest.len());
    Some(rest[..end].trim_end_matches([',', ';', '、']).to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn column_synonyms() {
        use ColKind::*;
        let k = |s| classify_column(s).map(|(k, _)| k);
        assert_eq!(k("指标名称"), Some(Name));
        assert_eq!(k("计量单位"), Some(Measure));
        assert_eq!(k("本月"), Some(Month));
        assert_eq!(k("7月"), Some(Month));
        for v in [
            "1-本月累计",
            "累计",
            "本年累计",
            "1-7月累计",
            "1—7月累计",
            "1-7月",
            "1－本月 累计",
        ] {
            assert_eq!(k(v), Some(Value), "{v}");
        }
        for b in ["上年同期累计", "上年同期", "去年同期", "去年同期累计"] {
            assert_eq!(k(b), Some(Base), "{b}");
        }
        for g in [
            "同比增长(%)",
            "增长(%)",
            "增速(%)",
            "同比±%",
            "比上年同期增长(%)",
            "同比增长\n（％）",
            "增速",
        ] {
            assert_eq!(k(g), Some(Growth), "{g}");
        }
        assert_eq!(classify_column("1-7月累计"), Some((Value, Some(7))));
        assert_eq!(classify_column("1-本月累计"), Some((Value, None)));
        assert_eq!(k("备注"), None);
        assert_eq!(k("本月同比增长(%)"), None);
        assert_eq!(k("上年同月"), None);
        assert_eq!(k("上年本月"), None);
        assert_eq!(k("累计同比增长(%)"), Some(Growth));
        assert_eq!(k("增减额"), None);
        assert_eq!(k("比重(%)"), None);
    }

    #[test]
    fn notes() {
        assert_eq!(
            after_keyword("填报单位:舞阳县", &["填报单位"]).as_deref(),
            Some("舞阳县")
        );
        assert_eq!(
            after_keyword(
                "填报单位（盖章）： 舞阳县  报告期:2015年1-7月",
                &["填报单位"]
            )
            .as_deref(),
            Some("舞阳县")
        );
        assert_eq!(
            after_keyword("填报单位:舞阳县  报告期:2015年1-7月", &["报告期"]).as_deref(),
            Some("2015年1-7月")
        );
        assert_eq!(
            after_keyword("填报单位:", &["填报单位"]).as_deref(),
            Some("")
        );
        assert_eq!(clean_row_label("1、主营业务收入(万元)"), "主营业务收入");
        assert_eq!(clean_row_label(" 利润 总额 "), "利润总额");
    }
}
