//! Reporting periods: `YYYY-MM`, always cumulative from January.

use std::fmt;
use std::str::FromStr;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Period {
    pub year: i32,
    pub month: u32,
}

impl Period {
    pub fn new(year: i32, month: u32) -> Option<Period> {
        ((1..=12).contains(&month) && (1900..=2999).contains(&year))
            .then_some(Period { year, month })
    }

    /// 「2015年1-7月」; 「2015年1月」 for January.
    pub fn label(&self) -> String {
        if self.month == 1 {
            format!("{}年1月", self.year)
        } else {
            format!("{}年1-{}月", self.year, self.month)
        }
    }

    /// 「1-7月」, the cumulative span without the year.
    pub fn span(&self) -> String {
        if self.month == 1 {
            "1月".to_string()
        } else {
            format!("1-{}月", self.month)
        }
    }

    /// Parse the text of a 报告期 cell: 2015年1-7月, 2015年7月, 2015-07, 2015.7, 2015年1—7月.
    pub fn parse_label(text: &str) -> Option<Period> {
        let t: String = crate::text::normalize(text);
        let digits_at = |s: &str| -> Option<(u32, usize)> {
            let end = s.find(|c: char| !c.is_ascii_digit()).unwrap_or(s.len());
            if end == 0 || end > 4 {
                return None;
            }
            Some((s[..end].parse().ok()?, end))
        };
        let start = t.find(|c: char| c.is_ascii_digit())?;
        let s = &t[start..];
        let (year, n) = digits_at(s)?;
        if !(1900..=2999).contains(&year) {
            return None;
        }
        let rest = s[n..].trim_start_matches(['年', '-', '.', '/', '_']);
        let (m1, n1) = digits_at(rest)?;
        let rest2 = &rest[n1..];
        let month = if let Some(r) = rest2
            .strip_prefix('-')
            .or_else(|| rest2.strip_prefix('~'))
            .or_else(|| rest2.strip_prefix("至"))
        {
            if m1 != 1 {
                return None;
            }
            digits_at(r)?.0
        } else {
            m1
        };
        Period::new(year as i32, month)
    }

    /// The period before this one in the same year, if any.
    pub fn previous_in_year(&self) -> Option<Period> {
        (self.month > 1).then(|| Period {
            year: self.year,
            month: self.month - 1,
        })
    }
}

impl fmt::Display for Period {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}", self.year, self.month)
    }
}

impl FromStr for Period {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let bad = || format!("bad period {s:?}: expected YYYY-MM, e.g. 2015-07");
        let (y, m) = s.trim().split_once('-').ok_or_else(bad)?;
        if y.len() != 4 || m.is_empty() || m.len() > 2 {
            return Err(bad());
        }
        Period::new(y.parse().map_err(|_| bad())?, m.parse().map_err(|_| bad())?).ok_or_else(bad)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_and_parsing() {
        let p: Period = "2015-07".parse().unwrap();
        assert_eq!(p.label(), "2015年1-7月");
        assert_eq!("2015-01".parse::<Period>().unwrap().label(), "2015年1月");
        assert_eq!(p.to_string(), "2015-07");
        assert!("2015-13".parse::<Period>().is_err());
        assert!("15-07".parse::<Period>().is_err());
        for s in [
            "报告期:2015年1-7月",
            "2015年1—7月",
            "2015年7月",
            "2015-07",
            "2015.7",
            "２０１５年１－７月",
        ] {
            assert_eq!(Period::parse_label(s), Some(p), "{s}");
        }
        assert_eq!(
            Period::parse_label("2015年1-2月"),
            Some(Period {
                year: 2015,
                month: 2
            })
        );
        assert_eq!(Period::parse_label("2015年3-7月"), None);
    }
}
