//! The last step of reading a folder: the files' units put together, each unit once, the
//! configured units that sent nothing listed (an error, or with `--allow-missing` a warning).

use super::{FileOutcome, Options};
use crate::config::Config;
use crate::error::{Diagnostic, Diagnostics, Error, Location, Result};
use crate::model::{Ingested, Reading, Submission};
use crate::period::Period;
use std::collections::BTreeMap;

/// Put the files together: duplicates, missing units, the city row.
pub(super) fn assemble(
    cfg: &Config,
    period: Period,
    outcomes: Vec<FileOutcome>,
    opts: &Options,
) -> Result<Ingested> {
    let mut errors = Vec::new();
    let mut warnings = Vec::new();
    let mut sources = Vec::new();
    let mut by_unit: BTreeMap<usize, (Vec<Reading>, Location, usize)> = BTreeMap::new();
    let mut city: Option<(Vec<Reading>, Location, usize)> = None;
    for o in outcomes {
        errors.extend(o.errors);
        warnings.extend(o.warnings);
        let Some(src) = o.source else { continue };
        let si = sources.len();
        sources.push(src);
        for (u, readings, at) in o.units {
            if let Some((_, first, _)) = by_unit.get(&u) {
                errors.push(Diagnostic::new(
                    at,
                    format!(
                        "{} 有两份报表 (two submissions for {}): also in {}; remove one",
                        cfg.units[u].name, cfg.units[u].name, first
                    ),
                ));
            } else {
                by_unit.insert(u, (readings, at, si));
            }
        }
        if let Some((readings, at)) = o.city {
            if let Some((_, first, _)) = &city {
                errors.push(Diagnostic::new(
                    at,
                    format!("全市 row given twice: also in {first}"),
                ));
            } else {
                city = Some((readings, at, si));
            }
        }
    }
    let missing: Vec<usize> = (0..cfg.units.len())
        .filter(|u| !by_unit.contains_key(u))
        .collect();
    if let Some(d) = missing_message(cfg, period, &missing, opts) {
        if opts.allow_missing {
            warnings.push(d)
        } else {
            errors.push(d)
        }
    }
    if !errors.is_empty() {
        errors.sort_by(|a, b| a.location.cmp(&b.location));
        return Err(Error::Input {
            errors: Diagnostics(errors),
        });
    }
    let submissions = by_unit
        .into_iter()
        .map(|(unit, (readings, _, source))| Submission {
            unit,
            source,
            readings,
        })
        .collect();
    let city = city.map(|(readings, _, source)| Submission {
        unit: usize::MAX,
        source,
        readings,
    });
    Ok(Ingested {
        period,
        submissions,
        city,
        sources,
        missing,
        warnings,
    })
}

/// How the message about units that sent nothing begins.
const MISSING: &str = "缺少 ";

/// Is this the message about units that sent nothing (which `--allow-missing` turns into a
/// warning)?
pub fn is_missing_units(d: &Diagnostic) -> bool {
    d.location.sheet.is_none() && d.message.starts_with(MISSING)
}

/// The configured units that sent nothing: an error, or a warning with `--allow-missing`.
fn missing_message(
    cfg: &Config,
    period: Period,
    missing: &[usize],
    opts: &Options,
) -> Option<Diagnostic> {
    if missing.is_empty() {
        return None;
    }
    let names: Vec<&str> = missing
        .iter()
        .map(|&u| cfg.units[u].name.as_str())
        .collect();
    Some(Diagnostic::new(
        Location::file(format!("{period}")),
        format!(
            "{MISSING}{} 个单位的报表 (missing submissions from {} unit(s)): {}{}",
            names.len(),
            names.len(),
            names.join("、"),
            if opts.allow_missing {
                " — marked 未报 (--allow-missing)"
            } else {
                " — use --allow-missing to mark them 未报 and go on"
            }
        ),
    ))
}
