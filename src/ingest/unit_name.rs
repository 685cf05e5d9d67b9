//! Which unit a submission is: its 填报单位 cell, its file name (`2015-07舞阳县报表.xlsx`), or
//! both when they agree; an unknown name is an error with the closest configured one.

use super::sheet::{Notes, SheetReader};
use crate::config::Config;
use crate::error::{Diagnostic, Location};
use crate::text::{normalize, shorten, suggest};
use std::path::Path;

impl SheetReader<'_> {
    /// The unit of a submission and where it is named.
    pub(super) fn submission_unit(
        &mut self,
        path: &Path,
        notes: &Notes,
    ) -> Option<(usize, Location)> {
        let file_unit = unit_from_file_name(self.cfg, path);
        match (&notes.unit, file_unit) {
            (Some((text, r, c)), fu) => match self.cfg.unit_by_name(text) {
                Some(u) => {
                    if let Some(fu) = fu
                        && fu != u
                    {
                        self.error(
                            *r,
                            *c,
                            format!(
                                "单位不一致 (the 填报单位 cell says {} but the file name says {})",
                                self.cfg.units[u].name, self.cfg.units[fu].name
                            ),
                        );
                    }
                    Some((u, self.loc(*r, *c)))
                }
                None => {
                    self.unknown_unit(*r, *c, text);
                    None
                }
            },
            (None, Some(fu)) => Some((fu, Location::sheet(self.name, self.sheet))),
            (None, None) => {
                let stem = path
                    .file_stem()
                    .map(|s| s.to_string_lossy().into_owned())
                    .unwrap_or_default();
                let hint = suggest(
                    &strip_file_noise(&normalize(&stem)),
                    self.cfg.units.iter().map(|u| u.name.as_str()),
                )
                .map(|s| format!(" — did you mean {s}?"))
                .unwrap_or_default();
                self.out.errors.push(Diagnostic::new(
                    Location::file(self.name),
                    format!(
                        "无法确定填报单位 (cannot tell which unit this is: no 填报单位 cell and no unit name in the file name){hint}"
                    ),
                ));
                None
            }
        }
    }

    /// An error at (`row`, `col`): `label` names no configured unit.
    pub(super) fn unknown_unit(&mut self, row: u32, col: u32, label: &str) {
        let hint = suggest(label, self.cfg.units.iter().map(|u| u.name.as_str()))
            .map(|s| format!(" — did you mean {s}? (是否为 {s}?)"))
            .unwrap_or_else(|| format!("; configured units: {}", unit_list(self.cfg)));
        self.error(
            row,
            col,
            format!("未知单位 (unknown unit {:?}){hint}", shorten(label, 30)),
        );
    }
}

fn unit_list(cfg: &Config) -> String {
    let names: Vec<&str> = cfg.units.iter().take(12).map(|u| u.name.as_str()).collect();
    let more = if cfg.units.len() > 12 { " …" } else { "" };
    format!("{}{more}", names.join("、"))
}

/// The file name without dates, digits and common words: `2015-07舞阳县报表` -> `舞阳县`.
fn strip_file_noise(stem: &str) -> String {
    let mut s = stem.to_string();
    for w in [
        "规模以上工业主要指标",
        "月报表",
        "报表",
        "月报",
        "填报",
        "汇总",
        "副本",
        "copy",
        "最终版",
        "修改",
    ] {
        s = s.replace(w, "");
    }
    // Period text: 2015年7月, 2015年1-7月, 2015-07, 201507
    let mut out = String::new();
    let chars: Vec<char> = s.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c.is_ascii_digit() {
            // skip the whole run of digits and period punctuation
            while i < chars.len() && (chars[i].is_ascii_digit() || "-_.年月()[]".contains(chars[i]))
            {
                i += 1;
            }
            continue;
        }
        if "-_.()[] ".contains(c) {
            i += 1;
            continue;
        }
        out.push(c);
        i += 1;
    }
    out
}

/// The unit named in a file name, by exact name after removing dates and common words, else by
/// the longest configured name or alias contained in it.
pub(crate) fn unit_from_file_name(cfg: &Config, path: &Path) -> Option<usize> {
    let stem = normalize(&path.file_stem()?.to_string_lossy());
    let core = strip_file_noise(&stem);
    if let Some(u) = cfg.unit_by_name(&core) {
        return Some(u);
    }
    let core_wo_city = core.strip_prefix(&normalize(&cfg.city)).unwrap_or(&core);
    if let Some(u) = cfg.unit_by_name(core_wo_city) {
        return Some(u);
    }
    let mut best: Option<(usize, usize)> = None; // (len, unit)
    for (n, u) in cfg.unit_names() {
        if n.chars().count() >= 2 && stem.contains(n) && best.is_none_or(|(l, _)| n.len() > l) {
            best = Some((n.len(), u));
        }
    }
    best.map(|(_, u)| u)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unit_from_file_names() {
        let cfg = Config::default_city();
        let u =
            |n: &str| unit_from_file_name(&cfg, Path::new(n)).map(|u| cfg.units[u].name.clone());
        assert_eq!(u("舞阳县.xlsx").as_deref(), Some("舞阳县"));
        assert_eq!(u("2015-07舞阳县.xlsx").as_deref(), Some("舞阳县"));
        assert_eq!(u("舞阳县2015年7月报表.xlsx").as_deref(), Some("舞阳县"));
        assert_eq!(
            u("经开区2015年8月报表.xlsx").as_deref(),
            Some("经济技术开发区")
        );
        assert_eq!(u("2015-07 示范区.xls").as_deref(), Some("城乡一体化示范区"));
        assert_eq!(
            u("漯河市城乡一体化示范区_2015年1-7月.xlsx").as_deref(),
            Some("城乡一体化示范区")
        );
        assert_eq!(u("报表3.xlsx"), None);
        assert_eq!(u("2015-07汇总.xlsx"), None);
    }
}
