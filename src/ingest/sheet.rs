//! A sheet being read, whichever its layout: where its cells are, the notes above the header
//! (填报单位, 报告期, 单位:), numbers from cells with an error naming the cell, and the checks
//! every reading gets. The layouts' own reading is in [`super::submission`] and
//! [`super::consolidated`].

use super::FileOutcome;
use super::grid::{Grid, Value, cell_ref};
use super::labels::{ColKind, after_keyword};
use crate::config::{Config, GrowthMode};
use crate::error::{Diagnostic, Location};
use crate::model::{Field, Reading};
use crate::period::Period;
use crate::text::{NumText, decimal_from_f64, normalize, parse_number_text, shorten};
use crate::units::find_measure;
use rust_decimal::Decimal;

pub(super) struct SheetReader<'a> {
    pub cfg: &'a Config,
    pub period: Period,
    /// The file's name, for messages.
    pub name: &'a str,
    pub sheet: &'a str,
    pub grid: &'a Grid,
    pub out: &'a mut FileOutcome,
}

impl SheetReader<'_> {
    pub(super) fn loc(&self, row: u32, col: u32) -> Location {
        Location::cell(self.name, self.sheet, cell_ref(row, col))
    }

    pub(super) fn error(&mut self, row: u32, col: u32, msg: impl Into<String>) {
        let l = self.loc(row, col);
        self.out.errors.push(Diagnostic::new(l, msg));
    }

    pub(super) fn warn(&mut self, row: u32, col: u32, msg: impl Into<String>) {
        let l = self.loc(row, col);
        self.out.warnings.push(Diagnostic::new(l, msg));
    }

    /// Cells above the header: 填报单位, 报告期, the 单位: note, a period in the title.
    pub(super) fn notes(&mut self, header: u32) -> Notes {
        let mut notes = Notes::default();
        let cells: Vec<(u32, u32, String)> = self
            .grid
            .cells
            .range((0, 0)..(header, 0))
            .filter_map(|((r, c), v)| {
                if let Value::Text(t) = v {
                    Some((*r, *c, t.clone()))
                } else {
                    None
                }
            })
            .collect();
        for (r, c, t) in &cells {
            let n = normalize(t);
            let next_text = || {
                cells
                    .iter()
                    .find(|(r2, c2, t2)| r2 == r && c2 > c && !t2.trim().is_empty())
                    .map(|(_, _, t2)| normalize(t2))
            };
            if n.contains("填报单位") || n.contains("单位名称") {
                let mut v = after_keyword(t, &["填报单位", "单位名称"]).unwrap_or_default();
                if v.is_empty() {
                    v = next_text().unwrap_or_default();
                }
                if !v.is_empty() {
                    notes.unit = Some((v, *r, *c));
                }
            }
            if n.contains("报告期") || n.contains("统计期") {
                let mut v = after_keyword(t, &["报告期", "统计期"]).unwrap_or_default();
                if v.is_empty() {
                    v = next_text().unwrap_or_default();
                }
                if !v.is_empty() {
                    notes.period = Some((v, *r, *c));
                }
            } else if notes.period.is_none() && n.contains('年') && n.contains('月') {
                // A title such as 2015年1-7月各县区规模以上工业主要指标.
                if let Some(p) = Period::parse_label(&n) {
                    notes.title_period = Some((p, *r, *c));
                }
            }
            if let Some(v) = after_keyword(t, &["单位:"])
                && (!n.contains("填报单位:")
                    || n.find("单位:") != n.find("填报单位:").map(|p| p + "填报".len()))
                && let Some(m) = find_measure(&v)
            {
                notes.measure = Some(m.to_string());
            }
        }
        notes
    }

    /// Check the 报告期 (or a title's period) against the run's; returns the period found.
    pub(super) fn check_period(&mut self, notes: &Notes) -> Option<Period> {
        if let Some((text, r, c)) = &notes.period {
            match Period::parse_label(text) {
                Some(p) if p == self.period => return Some(p),
                Some(p) => self.error(
                    *r,
                    *c,
                    format!(
                        "报告期不符 (wrong period): the sheet says {} but this run is {}",
                        p.label(),
                        self.period.label()
                    ),
                ),
                None => self.error(
                    *r,
                    *c,
                    format!(
                        "报告期无法识别 (cannot read the period {:?}); expected e.g. {}",
                        shorten(text, 40),
                        self.period.label()
                    ),
                ),
            }
            return None;
        }
        if let Some((p, r, c)) = notes.title_period {
            if p != self.period {
                self.error(
                    r,
                    c,
                    format!(
                        "报告期不符 (wrong period): the title says {} but this run is {}",
                        p.label(),
                        self.period.label()
                    ),
                );
            }
            return Some(p);
        }
        None
    }

    pub(super) fn check_span(&mut self, row: u32, col: u32, n: Option<u32>) {
        if let Some(n) = n
            && n != self.period.month
        {
            let found = format!("1-{n}月");
            self.error(
                row,
                col,
                format!(
                    "累计期不符 (the column is {found} but this run is {})",
                    self.period.label()
                ),
            );
        }
    }

    /// Warnings that never stop a run (SPEC §6) and plausibility errors.
    pub(super) fn check_reading(&mut self, ind: usize, r: &Reading, row: u32, col: u32) {
        let cfg = &self.cfg.indicators[ind];
        if !cfg.negative_allowed {
            for f in [&r.value, &r.base, &r.month].into_iter().flatten() {
                if f.value.is_sign_negative() && !f.value.is_zero() {
                    self.out.warnings.push(Diagnostic::new(
                        f.at.clone(),
                        format!("{} 为负数 (negative value {} for an indicator that cannot be negative)", cfg.name, f.value),
                    ));
                }
            }
        }
        if cfg.growth == GrowthMode::Provided && r.value.is_some() && r.growth.is_none() {
            self.warn(
                row,
                col,
                format!(
                    "{}: 未填同比增长 (no 可比价 growth given; it cannot be computed from values)",
                    cfg.name
                ),
            );
        }
    }

    /// The number of the cell at (`row`, `col`) into the field of `r` that a `kind` column
    /// holds, amounts scaled by `factor` to the indicator's measure.
    pub(super) fn read_into(
        &mut self,
        r: &mut Reading,
        row: u32,
        col: u32,
        kind: ColKind,
        factor: Decimal,
    ) {
        match kind {
            ColKind::Month => r.month = self.number(row, col, false).map(|x| scale(x, factor)),
            ColKind::Value => r.value = self.number(row, col, false).map(|x| scale(x, factor)),
            ColKind::Base => r.base = self.number(row, col, false).map(|x| scale(x, factor)),
            ColKind::Growth => r.growth = self.number(row, col, true),
            _ => {}
        }
    }

    /// A number from a cell, or an error naming the cell. `growth` columns accept `%`.
    pub(super) fn number(&mut self, row: u32, col: u32, growth: bool) -> Option<Field> {
        let at = self.loc(row, col);
        let v = match self.grid.get(row, col) {
            None => return None,
            Some(Value::Number {
                value,
                percent_format,
            }) => match decimal_from_f64(*value) {
                Some(d) if *percent_format && growth => d * Decimal::ONE_HUNDRED,
                Some(d) => d,
                None => {
                    self.error(row, col, format!("数值无效 (not a usable number: {value})"));
                    return None;
                }
            },
            Some(Value::Text(t)) => match parse_number_text(t) {
                NumText::Missing => return None,
                NumText::Number { value, percent } => {
                    if percent && !growth {
                        self.error(row, col, format!("此处应为金额 (found the percentage {:?} where an amount is expected)", shorten(t, 30)));
                        return None;
                    }
                    value
                }
                NumText::Invalid(found) => {
                    let what = if growth {
                        "a growth rate in % such as 9.2"
                    } else {
                        "a number such as 12345.6"
                    };
                    self.error(
                        row,
                        col,
                        format!("不是数字 (found {found:?}, expected {what})"),
                    );
                    return None;
                }
            },
            Some(Value::Bool(b)) => {
                self.error(
                    row,
                    col,
                    format!("不是数字 (found the logical value {b}, expected a number)"),
                );
                return None;
            }
            Some(Value::Date(d)) => {
                self.error(
                    row,
                    col,
                    format!(
                        "不是数字 (found a date/time {d}, expected a number; check the cell format)"
                    ),
                );
                return None;
            }
            Some(Value::Formula(f)) => {
                self.error(
                    row,
                    col,
                    format!("公式没有计算结果 (the formula ={} has no saved result; open the file in Excel or WPS and save it, or type the number)", shorten(f, 60)),
                );
                return None;
            }
            Some(Value::Error(e)) => {
                self.error(row, col, format!("单元格错误 (the cell holds the error {e}; fix its formula or type the number)"));
                return None;
            }
        };
        Some(Field {
            value: v.normalize(),
            at,
        })
    }
}

#[derive(Default)]
pub(super) struct Notes {
    pub unit: Option<(String, u32, u32)>,
    pub period: Option<(String, u32, u32)>,
    pub title_period: Option<(Period, u32, u32)>,
    pub measure: Option<String>,
}

fn scale(mut f: Field, factor: Decimal) -> Field {
    if factor != Decimal::ONE {
        f.value = (f.value * factor).normalize();
    }
    f
}
