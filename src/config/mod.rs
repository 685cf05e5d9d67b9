//! The city's configuration (SPEC §8): everything city-specific (units and their ranking
//! groups, indicators and their measures, the assessment's scheme and weights, targets),
//! embedded by default. [`Config::parse`] (in `parse.rs`) reads and checks the TOML; this module
//! holds the types and the lookups every stage uses.

mod parse;

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

/// `[serve]`: the web page's settings (`tongbao serve`).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ServeConfig {
    /// The bureau's token; the units' upload tokens are derived from it, so that the links
    /// sent to the counties stay valid across restarts. Without it a token is generated at
    /// each start when one is needed.
    #[serde(default)]
    pub token: Option<String>,
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
    pub serve: ServeConfig,
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
                let fail = |message: String| Error::Config {
                    source_name: p.display().to_string(),
                    key: "-".into(),
                    message,
                };
                let bytes =
                    std::fs::read(p).map_err(|e| fail(format!("cannot read the file: {e}")))?;
                let text = decode_text(&bytes).ok_or_else(|| {
                    fail("文件编码无法识别,请在记事本中“另存为”并选择 UTF-8 编码 (neither UTF-8 nor GBK text)".into())
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

    /// The names of the indicators whose growth is the submitted 可比价 one, joined with 、 as
    /// the bulletin's notes and the template's 填报说明 name them; empty when there are none.
    pub fn provided_growth_names(&self) -> String {
        let names: Vec<&str> = self
            .indicators
            .iter()
            .filter(|i| i.growth == GrowthMode::Provided)
            .map(|i| i.name.as_str())
            .collect();
        names.join("、")
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

/// The text of a configuration file as Notepad saves it on a Chinese PC: UTF-8 (its BOM
/// dropped) or, in older versions' "ANSI", GBK (decoded as its superset GB18030).
fn decode_text(bytes: &[u8]) -> Option<std::borrow::Cow<'_, str>> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    match std::str::from_utf8(bytes) {
        Ok(s) => Some(s.into()),
        Err(_) => encoding_rs::GB18030.decode_without_bom_handling_and_without_replacement(bytes),
    }
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
        assert_eq!(c.provided_growth_names(), "规模以上工业增加值");
    }

    #[test]
    fn provided_growth_names_in_configured_order() {
        let mut c = Config::default_city();
        c.indicators[3].growth = GrowthMode::Provided;
        assert_eq!(c.provided_growth_names(), "规模以上工业增加值、工业税收");
        for i in &mut c.indicators {
            i.growth = GrowthMode::Computed;
        }
        assert_eq!(c.provided_growth_names(), "");
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

    #[test]
    fn a_configuration_saved_by_notepad_as_gbk_or_with_a_bom_loads() {
        let dir = tempfile::tempdir().unwrap();
        let text = DEFAULT_TOML.replace("漯河市工业经济运行月度通报", "郑州市工业经济运行月度通报");
        let (gbk, _, lossy) = encoding_rs::GBK.encode(&text);
        assert!(!lossy);
        let bom = [b"\xEF\xBB\xBF".as_slice(), text.as_bytes()].concat();
        for (name, bytes) in [("gbk.toml", gbk.to_vec()), ("bom.toml", bom)] {
            let p = dir.path().join(name);
            std::fs::write(&p, bytes).unwrap();
            let cfg = Config::load(Some(&p)).unwrap();
            assert_eq!(cfg.title, "郑州市工业经济运行月度通报", "{name}");
        }
        let p = dir.path().join("utf16.toml");
        std::fs::write(&p, b"\xFF\xFEc\x00i\x00").unwrap();
        let e = Config::load(Some(&p)).unwrap_err().to_string();
        assert!(e.contains("另存为") && e.contains("utf16.toml"), "{e}");
    }
}
