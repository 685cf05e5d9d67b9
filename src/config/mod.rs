//! The city's configuration (SPEC §8): everything city-specific, embedded by default.

use crate::error::{Error, Result};
use crate::text::normalize;
use serde::Deserialize;
use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};

/// The embedded default: 漯河市 as in SPEC §1.
pub const DEFAULT_TOML: &str = include_str!("default_config.toml");

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum TieRule {
    /// 1, 2, 2, 4 as Excel's RANK.EQ.
    #[default]
    Competition,
    /// 中式排名 1, 2, 2, 3.
    Dense,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum GrowthMode {
    /// From value and base.
    #[default]
    Computed,
    /// The submitted 同比增长 (可比价), as for value added.
    Provided,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UnitConfig {
    pub name: String,
    #[serde(default)]
    pub aliases: Vec<String>,
    pub group: String,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IndicatorConfig {
    pub name: String,
    #[serde(default)]
    pub aliases: Vec<String>,
    #[serde(default)]
    pub growth: GrowthMode,
    #[serde(default)]
    pub negative_allowed: bool,
    /// Display unit of values; inputs in 元/千元/亿元 are converted to it.
    #[serde(default = "default_measure")]
    pub measure: String,
}

fn default_measure() -> String {
    "万元".to_string()
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum Scheme {
    /// 争先进位计分法: points by 增速位次.
    #[default]
    Zhengxian,
    /// 目标完成计分法: points for meeting the annual target.
    Target,
    /// Points from both 总量位次 and 增速位次 (see `value_share`).
    Mixed,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AssessmentConfig {
    #[serde(default)]
    pub scheme: Scheme,
    #[serde(default = "default_step")]
    pub step: f64,
    /// Weight per indicator name; an indicator not named here weighs 0.
    #[serde(default)]
    pub weights: BTreeMap<String, f64>,
    /// For `mixed`: share of the weight earned by 总量位次 (e.g. 0.4); the rest by 增速位次.
    #[serde(default = "default_value_share")]
    pub value_share: f64,
    /// For `target`: "full" (full weight when met, else 0) or "proportional".
    #[serde(default = "default_target_rule")]
    pub target_rule: String,
}

fn default_step() -> f64 {
    0.05
}
fn default_value_share() -> f64 {
    0.4
}
fn default_target_rule() -> String {
    "full".to_string()
}

impl Default for AssessmentConfig {
    fn default() -> Self {
        AssessmentConfig {
            scheme: Scheme::Zhengxian,
            step: default_step(),
            weights: BTreeMap::new(),
            value_share: default_value_share(),
            target_rule: default_target_rule(),
        }
    }
}

/// An annual target (逐级分解目标任务) of one unit for one indicator.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TargetConfig {
    pub unit: String,
    pub indicator: String,
    pub year: Option<i32>,
    /// Target growth for the year, %.
    pub growth: Option<f64>,
    /// Target cumulative value for the year, in the indicator's measure.
    pub value: Option<f64>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawConfig {
    city: String,
    title: String,
    #[serde(default)]
    tie: TieRule,
    #[serde(default)]
    font: Option<PathBuf>,
    /// Ranking groups in bulletin order; when given, every unit's group must be one of them.
    #[serde(default)]
    groups: Option<Vec<String>>,
    #[serde(default)]
    unit: Vec<UnitConfig>,
    #[serde(default)]
    indicator: Vec<IndicatorConfig>,
    #[serde(default)]
    assessment: AssessmentConfig,
    #[serde(default)]
    target: Vec<TargetConfig>,
}

/// A validated configuration with lookup maps built once.
#[derive(Debug, Clone)]
pub struct Config {
    pub city: String,
    pub title: String,
    pub tie: TieRule,
    pub font: Option<PathBuf>,
    pub units: Vec<UnitConfig>,
    pub indicators: Vec<IndicatorConfig>,
    pub assessment: AssessmentConfig,
    pub targets: Vec<TargetConfig>,
    /// Group names in order of first appearance.
    pub groups: Vec<String>,
    /// normalised name or alias -> unit index
    unit_index: HashMap<String, usize>,
    /// normalised name or alias -> indicator index
    indicator_index: HashMap<String, usize>,
    /// Where it came from, for messages.
    pub source_name: String,
}

impl Config {
    /// `items`, each with its ranking group (`None`: none), by group: the configured groups in
    /// their order, then any other group as it first comes; items in the order given, groups
    /// without items left out. Through a map of group names: a search along the groups for
    /// every unit was quadratic (335 groups × 2,851 units at national scale).
    pub fn by_group<'a, T>(
        &self,
        items: impl IntoIterator<Item = (Option<&'a str>, T)>,
    ) -> Vec<(String, Vec<T>)> {
        let mut out: Vec<(String, Vec<T>)> = self
            .groups
            .iter()
            .map(|g| (g.clone(), Vec::new()))
            .collect();
        // Group name → its place in `out` (the first of equal names, as a search would find).
        let mut at: HashMap<String, usize> = out
            .iter()
            .enumerate()
            .rev()
            .map(|(i, (g, _))| (g.clone(), i))
            .collect();
        for (g, item) in items {
            let g = g.unwrap_or_default();
            match at.get(g) {
                Some(&i) => out[i].1.push(item),
                None => {
                    at.insert(g.to_string(), out.len());
                    out.push((g.to_string(), vec![item]));
                }
            }
        }
        out.retain(|(_, v)| !v.is_empty());
        out
    }

    pub fn default_city() -> Config {
        Config::parse(DEFAULT_TOML, "<embedded default>")
            .expect("embedded default configuration is valid")
    }

    /// The configuration file given, or the embedded default.
    pub fn load(path: Option<&Path>) -> Result<Config> {
        match path {
            None => Ok(Config::default_city()),
            Some(p) => {
                let text = std::fs::read_to_string(p).map_err(|e| Error::Config {
                    source_name: p.display().to_string(),
                    key: "-".into(),
                    message: format!("cannot read the file: {e}"),
                })?;
                let mut cfg = Config::parse(&text, &p.display().to_string())?;
                // A relative font path is relative to the configuration file.
                if let Some(f) = &cfg.font
                    && f.is_relative()
                    && let Some(dir) = p.parent()
                {
                    cfg.font = Some(dir.join(f));
                }
                Ok(cfg)
            }
        }
    }

    pub fn parse(text: &str, source_name: &str) -> Result<Config> {
        let err = |key: &str, message: String| Error::Config {
            source_name: source_name.to_string(),
            key: key.to_string(),
            message,
        };
        let raw: RawConfig = toml::from_str(text).map_err(|e| {
            let msg = e.message().to_string();
            let key = e
                .span()
                .map(|s| {
                    let line = text[..s.start.min(text.len())].lines().count().max(1);
                    format!("line {line}")
                })
                .unwrap_or_else(|| "-".into());
            err(&key, format!("bad TOML: {msg}"))
        })?;
        if raw.unit.is_empty() {
            return Err(err("unit", "no [[unit]] is configured".into()));
        }
        if raw.indicator.is_empty() {
            return Err(err("indicator", "no [[indicator]] is configured".into()));
        }
        let reserved = normalize("全市");
        let mut unit_index: HashMap<String, usize> = HashMap::new();
        let mut groups: Vec<String> = Vec::new();
        let mut group_seen = std::collections::HashSet::new();
        for (i, u) in raw.unit.iter().enumerate() {
            if u.name.trim().is_empty() {
                return Err(err(&format!("unit[{i}].name"), "empty unit name".into()));
            }
            if u.group.trim().is_empty() {
                return Err(err(
                    &format!("unit[{i}].group"),
                    format!("unit {} has an empty group", u.name),
                ));
            }
            for (k, n) in std::iter::once(&u.name).chain(u.aliases.iter()).enumerate() {
                let key = normalize(n);
                let what = if k == 0 {
                    format!("unit[{i}].name")
                } else {
                    format!("unit[{i}].aliases")
                };
                if key == reserved || key == normalize(&raw.city) {
                    return Err(err(
                        &what,
                        format!("{n:?} is the city total's name, not a unit"),
                    ));
                }
                if let Some(&j) = unit_index.get(&key) {
                    return Err(err(
                        &what,
                        format!(
                            "duplicate unit name or alias {n:?} (already used by unit {:?})",
                            raw.unit[j].name
                        ),
                    ));
                }
                unit_index.insert(key, i);
            }
            if let Some(declared) = &raw.groups {
                if !declared.contains(&u.group) {
                    return Err(err(
                        &format!("unit[{i}].group"),
                        format!(
                            "unit {} names the group {:?}, which is not in `groups` ({})",
                            u.name,
                            u.group,
                            declared.join(", ")
                        ),
                    ));
                }
            } else if group_seen.insert(u.group.clone()) {
                groups.push(u.group.clone());
            }
        }
        if let Some(declared) = &raw.groups {
            for (k, g) in declared.iter().enumerate() {
                if declared[..k].contains(g) {
                    return Err(err("groups", format!("group {g:?} is listed twice")));
                }
                if !raw.unit.iter().any(|u| &u.group == g) {
                    return Err(err("groups", format!("group {g:?} has no unit")));
                }
            }
            groups = declared.clone();
        }
        let mut indicator_index: HashMap<String, usize> = HashMap::new();
        for (i, ind) in raw.indicator.iter().enumerate() {
            for (k, n) in std::iter::once(&ind.name)
                .chain(ind.aliases.iter())
                .enumerate()
            {
                let key = normalize(n);
                let what = if k == 0 {
                    format!("indicator[{i}].name")
                } else {
                    format!("indicator[{i}].aliases")
                };
                if key.is_empty() {
                    return Err(err(&what, "empty indicator name".into()));
                }
                if let Some(&j) = indicator_index.get(&key) {
                    return Err(err(
                        &what,
                        format!(
                            "duplicate indicator name or alias {n:?} (already used by {:?})",
                            raw.indicator[j].name
                        ),
                    ));
                }
                indicator_index.insert(key, i);
            }
            if crate::units::measure_factor(&ind.measure).is_none() {
                return Err(err(
                    &format!("indicator[{i}].measure"),
                    format!("unknown measure {:?}", ind.measure),
                ));
            }
        }
        for (name, w) in &raw.assessment.weights {
            if !indicator_index.contains_key(&normalize(name)) {
                return Err(err(
                    &format!("assessment.weights.{name}"),
                    format!(
                        "unknown indicator {name:?}; configured: {}",
                        names(&raw.indicator)
                    ),
                ));
            }
            if !w.is_finite() || *w < 0.0 {
                return Err(err(
                    &format!("assessment.weights.{name}"),
                    format!("weight must be ≥ 0, found {w}"),
                ));
            }
        }
        let a = &raw.assessment;
        if !(a.step.is_finite() && (0.0..=1.0).contains(&a.step)) {
            return Err(err(
                "assessment.step",
                format!("must be between 0 and 1, found {}", a.step),
            ));
        }
        if !(a.value_share.is_finite() && (0.0..=1.0).contains(&a.value_share)) {
            return Err(err(
                "assessment.value_share",
                format!("must be between 0 and 1, found {}", a.value_share),
            ));
        }
        if !matches!(a.target_rule.as_str(), "full" | "proportional") {
            return Err(err(
                "assessment.target_rule",
                format!(
                    "must be \"full\" or \"proportional\", found {:?}",
                    a.target_rule
                ),
            ));
        }
        for (i, t) in raw.target.iter().enumerate() {
            if !unit_index.contains_key(&normalize(&t.unit)) {
                return Err(err(
                    &format!("target[{i}].unit"),
                    format!("unknown unit {:?}", t.unit),
                ));
            }
            if !indicator_index.contains_key(&normalize(&t.indicator)) {
                return Err(err(
                    &format!("target[{i}].indicator"),
                    format!("unknown indicator {:?}", t.indicator),
                ));
            }
            if t.growth.is_none() && t.value.is_none() {
                return Err(err(
                    &format!("target[{i}]"),
                    "a target needs `growth` and/or `value`".into(),
                ));
            }
        }
        Ok(Config {
            city: raw.city,
            title: raw.title,
            tie: raw.tie,
            font: raw.font,
            units: raw.unit,
            indicators: raw.indicator,
            assessment: raw.assessment,
            targets: raw.target,
            groups,
            unit_index,
            indicator_index,
            source_name: source_name.to_string(),
        })
    }

    /// Unit index by name or alias, matched on normalised text.
    pub fn unit_by_name(&self, name: &str) -> Option<usize> {
        self.unit_index.get(&normalize(name)).copied()
    }

    /// Indicator index by name or alias, matched on normalised text.
    pub fn indicator_by_name(&self, name: &str) -> Option<usize> {
        self.indicator_index.get(&normalize(name)).copied()
    }

    /// Every (normalised name or alias, unit index), for finding a unit inside a file name.
    pub fn unit_names(&self) -> impl Iterator<Item = (&str, usize)> {
        self.unit_index.iter().map(|(k, v)| (k.as_str(), *v))
    }

    pub fn indicator_names(&self) -> impl Iterator<Item = (&str, usize)> {
        self.indicator_index.iter().map(|(k, v)| (k.as_str(), *v))
    }

    /// Units of a group, in official order.
    pub fn units_of_group<'a>(&'a self, group: &'a str) -> impl Iterator<Item = usize> + 'a {
        self.units
            .iter()
            .enumerate()
            .filter(move |(_, u)| u.group == group)
            .map(|(i, _)| i)
    }

    pub fn weight(&self, indicator: &str) -> f64 {
        self.assessment
            .weights
            .get(indicator)
            .copied()
            .unwrap_or(0.0)
    }
}

fn names(inds: &[IndicatorConfig]) -> String {
    inds.iter()
        .map(|i| i.name.as_str())
        .collect::<Vec<_>>()
        .join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn items_come_by_group_in_configured_order_then_as_met() {
        let mut cfg = Config::default_city();
        cfg.groups = vec!["县区".into(), "功能区".into(), "空组".into()];
        let items = [
            (Some("功能区"), 1),
            (Some("外地"), 2),
            (Some("县区"), 3),
            (None, 4),
            (Some("功能区"), 5),
            (Some("外地"), 6),
        ];
        assert_eq!(
            cfg.by_group(items),
            vec![
                ("县区".to_string(), vec![3]),
                ("功能区".to_string(), vec![1, 5]),
                ("外地".to_string(), vec![2, 6]),
                (String::new(), vec![4]),
            ]
        );
    }

    #[test]
    fn default_config_is_the_city_of_the_spec() {
        let c = Config::default_city();
        assert_eq!(c.city, "漯河市");
        assert_eq!(c.units.len(), 8);
        assert_eq!(c.groups, vec!["县区", "功能区"]);
        assert_eq!(c.units_of_group("县区").count(), 6);
        assert_eq!(c.unit_by_name("经开区"), Some(5));
        assert_eq!(c.unit_by_name(" 示范区 "), Some(6));
        assert_eq!(c.indicator_by_name("规上工业增加值"), Some(0));
        assert_eq!(c.indicators[0].growth, GrowthMode::Provided);
        assert!(c.indicators[2].negative_allowed);
        assert_eq!(c.weight("利润总额"), 25.0);
    }

    fn bad(text: &str) -> String {
        Config::parse(text, "t.toml").unwrap_err().to_string()
    }

    #[test]
    fn bad_configurations_name_the_key() {
        let base = "city=\"c\"\ntitle=\"t\"\n[[indicator]]\nname=\"A\"\n";
        let e = bad(&format!(
            "{base}[[unit]]\nname=\"x\"\ngroup=\"g\"\n[[unit]]\nname=\"x\"\ngroup=\"g\"\n"
        ));
        assert!(e.contains("unit[1].name") && e.contains("duplicate"), "{e}");
        let e = bad(&format!(
            "{base}[[unit]]\nname=\"x\"\ngroup=\"g\"\n[assessment]\nweights={{B=1}}\n"
        ));
        assert!(
            e.contains("assessment.weights.B") && e.contains("unknown indicator"),
            "{e}"
        );
        let e = bad("city = ");
        assert!(e.contains("bad TOML"), "{e}");
        let e = bad(&format!("{base}[[unit]]\nname=\"x\"\n"));
        assert!(e.contains("group"), "{e}");
        let e = bad(&format!(
            "{base}[[unit]]\nname=\"x\"\ngroup=\"g\"\ncolour=1\n"
        ));
        assert!(e.contains("colour"), "{e}");
    }

    #[test]
    fn declared_groups_set_the_order_and_catch_unknown_references() {
        let units = "[[indicator]]\nname=\"A\"\n[[unit]]\nname=\"x\"\ngroup=\"a\"\n[[unit]]\nname=\"y\"\ngroup=\"b\"\n";
        let c = Config::parse(
            &format!("city=\"c\"\ntitle=\"t\"\ngroups=[\"b\",\"a\"]\n{units}"),
            "t",
        )
        .unwrap();
        assert_eq!(c.groups, vec!["b", "a"]);
        let e = bad(&format!("city=\"c\"\ntitle=\"t\"\ngroups=[\"a\"]\n{units}"));
        assert!(
            e.contains("key `unit[1].group`") && e.contains("not in `groups`"),
            "{e}"
        );
        let e = bad(&format!(
            "city=\"c\"\ntitle=\"t\"\ngroups=[\"a\",\"b\",\"z\"]\n{units}"
        ));
        assert!(
            e.contains("key `groups`") && e.contains("\"z\" has no unit"),
            "{e}"
        );
    }
}
