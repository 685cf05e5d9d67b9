//! A consolidated workbook (SPEC §2.2): the bureau's own table of every unit, indicators across
//! (each over its 1-本月累计/上年同期/同比增长 columns), one row per unit, the city total as a
//! row of its own; sub-totals are skipped, amounts in the measure of the sheet's 单位: note.

use super::grid::Value;
use super::labels::ColKind;
use super::layout::IndicatorCol;
use super::sheet::SheetReader;
use crate::model::Reading;
use crate::period::Period;
use crate::text::{NumText, normalize, parse_number_text, suggest};
use crate::units::conversion;
use rust_decimal::Decimal;

/// Whose row it is.
enum RowOf {
    City,
    Unit(usize),
}

impl SheetReader<'_> {
    /// Read a consolidated sheet whose indicator row is `header` (the sub-header below it) and
    /// whose units are named in `unit_col`; returns the period the sheet names.
    pub(super) fn consolidated(
        &mut self,
        header: u32,
        unit_col: u32,
        cols: &[IndicatorCol],
    ) -> Option<Period> {
        let notes = self.notes(header);
        let found_period = self.check_period(&notes);
        for (c, _, k, n) in cols {
            if *k == ColKind::Value {
                self.check_span(header + 1, *c, *n);
            }
        }
        let factors: Vec<Decimal> = self
            .cfg
            .indicators
            .iter()
            .map(|ind| {
                notes
                    .measure
                    .as_deref()
                    .and_then(|m| conversion(m, &ind.measure))
                    .unwrap_or(Decimal::ONE)
            })
            .collect();
        let city_names = [
            normalize("全市"),
            normalize(&self.cfg.city),
            normalize("合计"),
            normalize("总计"),
            normalize("全市合计"),
        ];
        let rows: Vec<u32> = self
            .grid
            .rows()
            .into_iter()
            .filter(|r| *r > header + 1)
            .collect();
        for row in rows {
            let Some(label) = self.grid.text(row, unit_col).map(str::to_string) else {
                continue;
            };
            let Some(of) = self.row_of(row, unit_col, &label, cols, &city_names) else {
                continue;
            };
            let mut readings = vec![Reading::default(); self.cfg.indicators.len()];
            for (c, ind, k, _) in cols {
                self.read_into(&mut readings[*ind], row, *c, *k, factors[*ind]);
            }
            for (i, r) in readings.iter().enumerate() {
                self.check_reading(i, r, row, unit_col);
            }
            self.place(row, unit_col, of, readings);
        }
        found_period
    }

    /// The city (one of `city_names`) or the unit a row's `label` names; `None` for a sub-total (the bureau's own
    /// arithmetic) and for an unknown name, an error when the row looks like a unit's.
    fn row_of(
        &mut self,
        row: u32,
        unit_col: u32,
        label: &str,
        cols: &[IndicatorCol],
        city_names: &[String],
    ) -> Option<RowOf> {
        let key = normalize(label);
        if city_names.contains(&key) {
            return Some(RowOf::City);
        }
        if let Some(u) = self.cfg.unit_by_name(label) {
            return Some(RowOf::Unit(u));
        }
        // Sub-totals (县区小计, 其中…) are the bureau's own arithmetic, not a unit.
        let subtotal = ["小计", "合计", "总计", "其中"]
            .iter()
            .any(|k| key.contains(k));
        // Numbers written as text count: a csv has nothing else.
        let has_numbers = cols.iter().any(|(c, ..)| match self.grid.get(row, *c) {
            Some(Value::Number { .. }) => true,
            Some(Value::Text(t)) => matches!(parse_number_text(t), NumText::Number { .. }),
            _ => false,
        });
        if !subtotal
            && (has_numbers
                || suggest(label, self.cfg.units.iter().map(|u| u.name.as_str())).is_some())
        {
            self.unknown_unit(row, unit_col, label);
        }
        None
    }

    /// Keep the readings of a row, unless its unit (or the city) was given a row before.
    fn place(&mut self, row: u32, unit_col: u32, of: RowOf, readings: Vec<Reading>) {
        let at = self.loc(row, unit_col);
        match of {
            RowOf::City => {
                if self.out.city.is_some() {
                    self.error(row, unit_col, "全市 row appears twice");
                } else {
                    self.out.city = Some((readings, at));
                }
            }
            RowOf::Unit(u) => {
                if let Some((_, _, first)) = self.out.units.iter().find(|(uu, _, _)| *uu == u) {
                    let first = first.clone();
                    self.error(
                        row,
                        unit_col,
                        format!("{} appears twice (also at {first})", self.cfg.units[u].name),
                    );
                } else {
                    self.out.units.push((u, readings, at));
                }
            }
        }
    }
}
