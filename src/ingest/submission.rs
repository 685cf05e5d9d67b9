//! A unit's submission (SPEC §2.1, the canonical form and its variants): one row per indicator
//! under a header of 指标名称 | 计量单位 | 本月 | 1-本月累计 | 上年同期 | 同比增长, the unit
//! named by its 填报单位 cell or the file name ([`super::unit_name`]), amounts in the measure
//! of the row, else of the column header, else of the sheet's 单位: note.

use super::labels::{ColKind, clean_row_label};
use super::layout::Col;
use super::sheet::SheetReader;
use crate::error::{Diagnostic, Location};
use crate::model::Reading;
use crate::period::Period;
use crate::text::{shorten, suggest};
use crate::units::{conversion, find_measure};
use rust_decimal::Decimal;
use std::collections::HashMap;
use std::path::Path;

/// The columns of a submission's header, and the measures that apply to them.
struct Columns<'c> {
    /// 指标名称
    name: u32,
    /// 计量单位, the measure of each row
    measure: Option<u32>,
    all: &'c [Col],
    /// The measure a column header names (1-本月累计(万元)).
    header_measures: HashMap<u32, String>,
    /// The sheet's 单位: note.
    sheet_measure: Option<String>,
}

impl SheetReader<'_> {
    /// Read a submission whose header is `header`; returns the period the sheet names.
    pub(super) fn submission(&mut self, path: &Path, header: u32, cols: &[Col]) -> Option<Period> {
        let notes = self.notes(header);
        let found_period = self.check_period(&notes);
        let col_of = |k: ColKind| cols.iter().find(|(_, kk, _)| *kk == k).map(|(c, _, _)| *c);
        for (c, k, n) in cols {
            if *k == ColKind::Value {
                self.check_span(header, *c, *n);
            }
        }
        let duplicate_col = cols
            .iter()
            .enumerate()
            .find(|(i, (_, k, _))| cols[..*i].iter().any(|(_, k2, _)| k2 == k));
        if let Some((_, (c, k, _))) = duplicate_col {
            self.error(
                header,
                *c,
                format!("重复的列 (a second {k:?} column); keep one"),
            );
        }
        let unit = self.submission_unit(path, &notes);
        let columns = Columns {
            name: col_of(ColKind::Name)?,
            measure: col_of(ColKind::Measure),
            all: cols,
            header_measures: cols
                .iter()
                .filter_map(|(c, _, _)| {
                    self.grid
                        .text(header, *c)
                        .and_then(find_measure)
                        .map(|m| (*c, m.to_string()))
                })
                .collect(),
            sheet_measure: notes.measure.clone(),
        };
        let readings = self.indicator_rows(header, &columns);
        if let Some((u, at)) = unit {
            self.out.units.push((u, readings, at));
        }
        found_period
    }

    /// One reading per configured indicator, from the rows below `header` that name one; an
    /// indicator without a row is not reported (or a label close to it is an error).
    fn indicator_rows(&mut self, header: u32, cols: &Columns<'_>) -> Vec<Reading> {
        let mut readings: Vec<Option<Reading>> = vec![None; self.cfg.indicators.len()];
        let mut unknown_labels: Vec<(u32, String)> = Vec::new();
        let rows: Vec<u32> = self
            .grid
            .rows()
            .into_iter()
            .filter(|r| *r > header)
            .collect();
        for row in rows {
            let Some(label) = self.grid.text(row, cols.name).map(str::to_string) else {
                continue;
            };
            let Some(ind) = self.cfg.indicator_by_name(&clean_row_label(&label)) else {
                unknown_labels.push((row, label));
                continue;
            };
            if readings[ind].is_some() {
                self.error(
                    row,
                    cols.name,
                    format!(
                        "指标重复 (indicator {} appears twice)",
                        self.cfg.indicators[ind].name
                    ),
                );
                continue;
            }
            readings[ind] = Some(self.indicator_row(row, ind, cols));
        }
        readings
            .into_iter()
            .enumerate()
            .map(|(i, r)| {
                r.unwrap_or_else(|| {
                    self.no_row(i, &unknown_labels, cols.name);
                    Reading::default()
                })
            })
            .collect()
    }

    /// The reading of indicator `ind` in `row`.
    fn indicator_row(&mut self, row: u32, ind: usize, cols: &Columns<'_>) -> Reading {
        // Measure: the row's 计量单位, else the column header's (…元), else the sheet note.
        let row_measure = cols
            .measure
            .and_then(|c| self.grid.text(row, c).map(|t| (c, t.to_string())));
        let mut factor = Decimal::ONE;
        let target = self.cfg.indicators[ind].measure.clone();
        if let Some((c, m)) = &row_measure {
            match conversion(m, &target) {
                Some(f) => factor = f,
                None => self.error(
                    row,
                    *c,
                    format!(
                        "计量单位无法识别 (unknown measure {:?}); expected 元, 千元, 万元 or 亿元",
                        shorten(m, 20)
                    ),
                ),
            }
        } else if let Some(m) = &cols.sheet_measure {
            factor = conversion(m, &target).unwrap_or(Decimal::ONE);
        }
        let mut reading = Reading::default();
        for (c, k, _) in cols.all {
            let f = if row_measure.is_none() {
                cols.header_measures
                    .get(c)
                    .and_then(|m| conversion(m, &target))
                    .unwrap_or(factor)
            } else {
                factor
            };
            self.read_into(&mut reading, row, *c, *k, f);
        }
        self.check_reading(ind, &reading, row, cols.name);
        reading
    }

    /// No row for indicator `i`: an error at an unknown label close to its name, else a
    /// warning that it is treated as not reported.
    fn no_row(&mut self, i: usize, unknown_labels: &[(u32, String)], name_col: u32) {
        let ind = &self.cfg.indicators[i].name;
        let close = unknown_labels
            .iter()
            .find(|(_, l)| suggest(&clean_row_label(l), std::iter::once(ind.as_str())).is_some());
        match close {
            Some((row, l)) => {
                let msg = format!(
                    "未知指标 (unknown indicator {:?}) — did you mean {ind}? (是否为 {ind}?)",
                    shorten(l, 30)
                );
                self.error(*row, name_col, msg);
            }
            None => self.out.warnings.push(Diagnostic::new(
                Location::sheet(self.name, self.sheet),
                format!("缺少指标行 (no row for {ind}): treated as not reported"),
            )),
        }
    }
}
