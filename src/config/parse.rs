//! From TOML text to a validated [`Config`]: the file as written ([`RawConfig`]), then one
//! check per section (units and groups, indicators, assessment weights, targets), each error
//! naming its key (`unit[3].name`, `assessment.weights.利润总额`) so the user finds the line.

use super::{
    AssessmentConfig, Config, IndicatorConfig, ServeConfig, TargetConfig, TieRule, UnitConfig,
};
use crate::error::{Error, Result};
use crate::text::normalize;
use serde::Deserialize;
use std::collections::HashMap;
use std::path::PathBuf;

/// The configuration file as written, before any check.
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
    #[serde(default)]
    serve: ServeConfig,
}

/// Errors of the configuration `source_name`.
struct Errors<'a> {
    source_name: &'a str,
}

impl Errors<'_> {
    fn at(&self, key: &str, message: String) -> Error {
        Error::Config {
            source_name: self.source_name.to_string(),
            key: key.to_string(),
            message,
        }
    }
}

/// Normalised name or alias → index.
type Index = HashMap<String, usize>;

impl Config {
    pub fn parse(text: &str, source_name: &str) -> Result<Config> {
        let err = Errors { source_name };
        let raw: RawConfig = toml::from_str(text).map_err(|e| {
            let msg = e.message().to_string();
            let key = e
                .span()
                .map(|s| {
                    let line = text[..s.start.min(text.len())].lines().count().max(1);
                    format!("line {line}")
                })
                .unwrap_or_else(|| "-".into());
            err.at(&key, format!("bad TOML: {msg}"))
        })?;
        if raw.unit.is_empty() {
            return Err(err.at("unit", "no [[unit]] is configured".into()));
        }
        if raw.indicator.is_empty() {
            return Err(err.at("indicator", "no [[indicator]] is configured".into()));
        }
        let (unit_index, groups) = units_and_groups(&raw, &err)?;
        let indicator_index = indicators(&raw.indicator, &err)?;
        assessment(&raw, &indicator_index, &err)?;
        targets(&raw.target, &unit_index, &indicator_index, &err)?;
        serve(&raw.serve, &err)?;
        Ok(Config {
            city: raw.city,
            title: raw.title,
            tie: raw.tie,
            font: raw.font,
            units: raw.unit,
            indicators: raw.indicator,
            assessment: raw.assessment,
            targets: raw.target,
            serve: raw.serve,
            groups,
            unit_index,
            indicator_index,
            source_name: source_name.to_string(),
        })
    }
}

/// `serve.token`: long enough not to be guessed, and only characters a URL carries as they are.
fn serve(raw: &ServeConfig, err: &Errors<'_>) -> Result<()> {
    if let Some(t) = &raw.token
        && (t.len() < 16
            || !t
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "-_.~".contains(c)))
    {
        return Err(err.at(
            "serve.token",
            "令牌至少16个字符,只用字母、数字和 -_.~ (the token needs at least 16 characters: letters, digits, -_.~)".into(),
        ));
    }
    Ok(())
}

/// The units' names and aliases (each once, none the city's), and the ranking groups: the
/// declared `groups`, which every unit's group must be one of, else as the units name them.
fn units_and_groups(raw: &RawConfig, err: &Errors<'_>) -> Result<(Index, Vec<String>)> {
    let reserved = normalize("全市");
    let mut unit_index: Index = HashMap::new();
    let mut groups: Vec<String> = Vec::new();
    let mut group_seen = std::collections::HashSet::new();
    for (i, u) in raw.unit.iter().enumerate() {
        if u.name.trim().is_empty() {
            return Err(err.at(&format!("unit[{i}].name"), "empty unit name".into()));
        }
        if u.group.trim().is_empty() {
            return Err(err.at(
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
                return Err(err.at(&what, format!("{n:?} is the city total's name, not a unit")));
            }
            if let Some(&j) = unit_index.get(&key) {
                return Err(err.at(
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
                return Err(err.at(
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
                return Err(err.at("groups", format!("group {g:?} is listed twice")));
            }
            if !raw.unit.iter().any(|u| &u.group == g) {
                return Err(err.at("groups", format!("group {g:?} has no unit")));
            }
        }
        groups = declared.clone();
    }
    Ok((unit_index, groups))
}

/// The indicators' names and aliases (each once) and their measures.
fn indicators(inds: &[IndicatorConfig], err: &Errors<'_>) -> Result<Index> {
    let mut indicator_index: Index = HashMap::new();
    for (i, ind) in inds.iter().enumerate() {
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
                return Err(err.at(&what, "empty indicator name".into()));
            }
            if let Some(&j) = indicator_index.get(&key) {
                return Err(err.at(
                    &what,
                    format!(
                        "duplicate indicator name or alias {n:?} (already used by {:?})",
                        inds[j].name
                    ),
                ));
            }
            indicator_index.insert(key, i);
        }
        if crate::units::measure_factor(&ind.measure).is_none() {
            return Err(err.at(
                &format!("indicator[{i}].measure"),
                format!("unknown measure {:?}", ind.measure),
            ));
        }
    }
    Ok(indicator_index)
}

/// The assessment's weights (of configured indicators, ≥ 0), `step`, `value_share` and
/// `target_rule`.
fn assessment(raw: &RawConfig, indicator_index: &Index, err: &Errors<'_>) -> Result<()> {
    for (name, w) in &raw.assessment.weights {
        if !indicator_index.contains_key(&normalize(name)) {
            return Err(err.at(
                &format!("assessment.weights.{name}"),
                format!(
                    "unknown indicator {name:?}; configured: {}",
                    names(&raw.indicator)
                ),
            ));
        }
        if !w.is_finite() || *w < 0.0 {
            return Err(err.at(
                &format!("assessment.weights.{name}"),
                format!("weight must be ≥ 0, found {w}"),
            ));
        }
    }
    let a = &raw.assessment;
    if !(a.step.is_finite() && (0.0..=1.0).contains(&a.step)) {
        return Err(err.at(
            "assessment.step",
            format!("must be between 0 and 1, found {}", a.step),
        ));
    }
    if !(a.value_share.is_finite() && (0.0..=1.0).contains(&a.value_share)) {
        return Err(err.at(
            "assessment.value_share",
            format!("must be between 0 and 1, found {}", a.value_share),
        ));
    }
    if !matches!(a.target_rule.as_str(), "full" | "proportional") {
        return Err(err.at(
            "assessment.target_rule",
            format!(
                "must be \"full\" or \"proportional\", found {:?}",
                a.target_rule
            ),
        ));
    }
    Ok(())
}

/// Each target names a configured unit and indicator, and sets a growth and/or a value.
fn targets(
    targets: &[TargetConfig],
    unit_index: &Index,
    indicator_index: &Index,
    err: &Errors<'_>,
) -> Result<()> {
    for (i, t) in targets.iter().enumerate() {
        if !unit_index.contains_key(&normalize(&t.unit)) {
            return Err(err.at(
                &format!("target[{i}].unit"),
                format!("unknown unit {:?}", t.unit),
            ));
        }
        if !indicator_index.contains_key(&normalize(&t.indicator)) {
            return Err(err.at(
                &format!("target[{i}].indicator"),
                format!("unknown indicator {:?}", t.indicator),
            ));
        }
        if t.growth.is_none() && t.value.is_none() {
            return Err(err.at(
                &format!("target[{i}]"),
                "a target needs `growth` and/or `value`".into(),
            ));
        }
    }
    Ok(())
}

fn names(inds: &[IndicatorConfig]) -> String {
    inds.iter()
        .map(|i| i.name.as_str())
        .collect::<Vec<_>>()
        .join(", ")
}
