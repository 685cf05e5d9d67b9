//! One workbook: find the sheet and its layout (submission or consolidated), then read it.

use super::FileOutcome;
use super::grid::{self, Grid, Value, cell_ref};
use super::labels::{ColKind, after_keyword, classify_column, clean_row_label};
use crate::config::{Config, GrowthMode};
use crate::error::{Diagnostic, Location};
use crate::model::{Field, Reading, SourceFile, SourceKind};
use crate::period::Period;
use crate::text::{NumText, decimal_from_f64, normalize, parse_number_text, shorten, suggest};
use crate::units::{conversion, find_measure};
use calamine::Reader as _;
use rust_decimal::Decimal;
use std::collections::HashMap;
use std::path::Path;

/// Header rows are looked for in the first this many rows (SPEC §2.1).
const HEADER_ROWS: u32 = 30;

enum Layout {
    /// Header row and the columns found in it.
    Submission {
        header: u32,
        cols: Vec<(u32, ColKind, Option<u32>)>,
    },
    /// Indicator row, sub-header row, unit-name column, (column, indicator, kind).
    Consolidated {
        header: u32,
        unit_col: u32,
        cols: Vec<(u32, usize, ColKind, Option<u32>)>,
    },
}

/// A workbook's sheets as grids.
pub(crate) trait Book {
    fn sheet_names(&self) -> Vec<String>;
    fn load(&mut self, sheet: &str) -> Result<Grid, String>;
    /// Mark formulas without a saved result (see [`grid::mark_unsaved_formulas`]).
    fn mark_unsaved_formulas(&mut self, sheet: &str, grid: &mut Grid);
}

/// calamine's reader; `raw` is the file's bytes for what calamine does not expose.
pub(crate) struct Calamine<'a, RS> {
    pub wb: &'a mut calamine::Sheets<RS>,
    pub raw: &'a [u8],
}

impl<RS: std::io::Read + std::io::Seek> Book for Calamine<'_, RS> {
    fn sheet_names(&self) -> Vec<String> {
        self.wb.sheet_names()
    }

    fn load(&mut self, sheet: &str) -> Result<Grid, String> {
        grid::load(self.wb, sheet, self.raw)
    }

    fn mark_unsaved_formulas(&mut self, sheet: &str, grid: &mut Grid) {
        let _ = grid::mark_unsaved_formulas(self.wb, sheet, grid);
    }
}

pub(crate) fn read_workbook(
    cfg: &Config,
    period: Period,
    path: &Path,
    name: &str,
    sha256: String,
    wb: &mut dyn Book,
) -> FileOutcome {
    let mut out = FileOutcome::default();
    let sheets = wb.sheet_names();
    if sheets.len() > MAX_SHEETS_SCANNED {
        out.warnings.push(Diagnostic::new(
            Location::file(name),
            format!(
                "{} sheets; only the first {MAX_SHEETS_SCANNED} were looked at",
                sheets.len()
            ),
        ));
    }
    let mut first_error: Option<Diagnostic> = None;
    for sheet in sheets.iter().take(MAX_SHEETS_SCANNED) {
        let grid = match wb.load(sheet) {
            Ok(g) => g,
            Err(e) => {
                let msg = if e == grid::TOO_MANY_CELLS {
                    format!(
                        "工作表过大 (the sheet has more than {} cells; a submission has a few dozen)",
                        grid::MAX_CELLS
                    )
                } else {
                    format!(
                        "工作表无法读取 (cannot read the sheet: {})",
                        shorten(&e, 200)
                    )
                };
                first_error
                    .get_or_insert(Diagnostic::new(Location::sheet(name, sheet.as_str()), msg));
                continue;
            }
        };
        if let Some(layout) = find_layout(cfg, &grid) {
            let mut grid = grid;
            if has_empty_numbers(cfg, &grid, &layout) {
                wb.mark_unsaved_formulas(sheet, &mut grid);
            }
            let mut r = SheetReader {
                cfg,
                period,
                name,
                sheet,
                grid: &grid,
                out: &mut out,
            };
            let (kind, found_period) = match layout {
                Layout::Submission { header, cols } => {
                    (SourceKind::Submission, r.submission(path, header, &cols))
                }
                Layout::Consolidated {
                    header,
                    unit_col,
                    cols,
                } => (
                    SourceKind::Consolidated,
                    r.consolidated(header, unit_col, &cols),
                ),
            };
            let mut units: Vec<String> = out
                .units
                .iter()
                .map(|(u, _, _)| cfg.units[*u].name.clone())
                .collect();
            if out.city.is_some() {
                units.insert(0, "全市".into());
            }
            out.source = Some(SourceFile {
                path: path.to_path_buf(),
                name: name.to_string(),
                sha256,
                kind,
                sheet: sheet.clone(),
                units,
                period: found_period,
            });
            return out;
        }
    }
    out.errors.push(first_error.unwrap_or_else(|| {
        Diagnostic::new(
            Location::file(name),
            format!(
                "找不到表头 (no header row in the first {HEADER_ROWS} rows of any sheet): expected a row with 指标名称 and 1-本月累计 (a unit's submission), or indicator names over 1-本月累计/上年同期/同比增长 columns (a consolidated workbook)"
            ),
        )
    }));
    out
}

const MAX_SHEETS_SCANNED: usize = super::MAX_SHEETS;

/// Whether a number the layout expects is empty: only then can a formula without a saved
/// result hide there, and only then is the sheet parsed a second time to find one.
fn has_empty_numbers(cfg: &Config, g: &Grid, layout: &Layout) -> bool {
    let numeric = |k: &ColKind| {
        matches!(
            k,
            ColKind::Month | ColKind::Value | ColKind::Base | ColKind::Growth
        )
    };
    match layout {
        Layout::Submission { header, cols } => {
            let Some(name_col) = cols
                .iter()
                .find(|(_, k, _)| *k == ColKind::Name)
                .map(|(c, _, _)| *c)
            else {
                return false;
            };
            g.rows().into_iter().filter(|r| r > header).any(|row| {
                let Some(ind) = g
                    .text(row, name_col)
                    .and_then(|t| cfg.indicator_by_name(&clean_row_label(t)))
                else {
                    return false;
                };
                let provided = cfg.indicators[ind].growth == GrowthMode::Provided;
                cols.iter().any(|(c, k, _)| {
                    numeric(k) && (*k != ColKind::Growth || provided) && g.get(row, *c).is_none()
                })
            })
        }
        Layout::Consolidated {
            header,
            unit_col,
            cols,
        } => g
            .rows()
            .into_iter()
            .filter(|r| *r > header + 1 && g.text(*r, *unit_col).is_some())
            .any(|row| {
                cols.iter()
                    .any(|(c, _, k, _)| numeric(k) && g.get(row, *c).is_none())
            }),
    }
}

fn find_layout(cfg: &Config, g: &Grid) -> Option<Layout> {
    for row in g.rows().into_iter().take_while(|r| *r < HEADER_ROWS) {
        let cells: Vec<(u32, &str)> = g
            .row(row)
            .filter_map(|(c, v)| {
                if let Value::Text(t) = v {
                    Some((c, t.as_str()))
                } else {
                    None
                }
            })
            .collect();
        let cols: Vec<(u32, ColKind, Option<u32>)> = cells
            .iter()
            .filter_map(|(c, t)| classify_column(t).map(|(k, n)| (*c, k, n)))
            .collect();
        let has = |k: ColKind| cols.iter().any(|(_, kk, _)| *kk == k);
        if has(ColKind::Name) && has(ColKind::Value) {
            return Some(Layout::Submission { header: row, cols });
        }
        // No 指标名称 label (an empty or merged corner cell): the column left of the numbers
        // where the rows below name indicators is the name column.
        if has(ColKind::Value) && !has(ColKind::Name) {
            let first_num_col = cols.iter().map(|(c, _, _)| *c).min().unwrap_or(0);
            let name_col = (0..first_num_col).rev().find(|c| {
                (row + 1..row + 12)
                    .filter(|r| {
                        g.text(*r, *c)
                            .is_some_and(|t| cfg.indicator_by_name(&clean_row_label(t)).is_some())
                    })
                    .count()
                    >= 2
            });
            if let Some(nc) = name_col {
                let mut cols = cols;
                cols.push((nc, ColKind::Name, None));
                return Some(Layout::Submission { header: row, cols });
            }
        }
        let inds: Vec<(u32, usize)> = cells
            .iter()
            .filter_map(|(c, t)| cfg.indicator_by_name(&clean_row_label(t)).map(|i| (*c, i)))
            .collect();
        if inds.is_empty() {
            continue;
        }
        // Sub-header row right below: 1-本月累计 | 上年同期 | 同比增长 under each indicator.
        let sub: Vec<(u32, ColKind, Option<u32>)> = g
            .row(row + 1)
            .filter_map(|(c, v)| {
                if let Value::Text(t) = v {
                    classify_column(t).map(|(k, n)| (c, k, n))
                } else {
                    None
                }
            })
            .collect();
        if !sub
            .iter()
            .any(|(_, k, _)| matches!(k, ColKind::Value | ColKind::Growth))
        {
            continue;
        }
        // Indicator names are merged across their columns: a name covers the columns up to the next one.
        let first_ind_col = inds[0].0;
        let mut cols = Vec::new();
        for (c, k, n) in sub {
            if c < first_ind_col || matches!(k, ColKind::Name | ColKind::Measure) {
                continue;
            }
            let ind = inds.iter().rev().find(|(ic, _)| *ic <= c).map(|(_, i)| *i);
            // A non-indicator text between indicator headers ends the previous indicator's span.
            let blocker = cells.iter().any(|(tc, t)| {
                *tc <= c
                    && inds
                        .iter()
                        .rev()
                        .find(|(ic, _)| *ic <= c)
                        .is_some_and(|(ic, _)| *tc > *ic)
                    && cfg.indicator_by_name(&clean_row_label(t)).is_none()
            });
            if let (Some(i), false) = (ind, blocker) {
                cols.push((c, i, k, n));
            }
        }
        let unit_col = cells
            .iter()
            .map(|(c, _)| *c)
            .filter(|c| *c < first_ind_col)
            .min()
            .unwrap_or(0);
        return Some(Layout::Consolidated {
            header: row,
            unit_col,
            cols,
        });
    }
    None
}

struct SheetReader<'a> {
    cfg: &'a Config,
    period: Period,
    name: &'a str,
    sheet: &'a str,
    grid: &'a Grid,
    out: &'a mut FileOutcome,
}

impl SheetReader<'_> {
    fn loc(&self, row: u32, col: u32) -> Location {
        Location::cell(self.name, self.sheet, cell_ref(row, col))
    }

    fn error(&mut self, row: u32, col: u32, msg: impl Into<String>) {
        let l = self.loc(row, col);
        self.out.errors.push(Diagnostic::new(l, msg));
    }

    fn warn(&mut self, row: u32, col: u32, msg: impl Into<String>) {
        let l = self.loc(row, col);
        self.out.warnings.push(Diagnostic::new(l, msg));
    }

    /// Cells above the header: 填报单位, 报告期, the 单位: note, a period in the title.
    fn notes(&mut self, header: u32) -> Notes {
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
    fn check_period(&mut self, notes: &Notes) -> Option<Period> {
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

    fn check_span(&mut self, row: u32, col: u32, n: Option<u32>) {
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

    fn submission(
        &mut self,
        path: &Path,
        header: u32,
        cols: &[(u32, ColKind, Option<u32>)],
    ) -> Option<Period> {
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

        // Which unit: the 填报单位 cell and/or the file name.
        let file_unit = unit_from_file_name(self.cfg, path);
        let cell_unit = notes.unit.clone();
        let unit = match (&cell_unit, file_unit) {
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
                    let hint = suggest(text, self.cfg.units.iter().map(|u| u.name.as_str()))
                        .map(|s| format!(" — did you mean {s}? (是否为 {s}?)"))
                        .unwrap_or_else(|| format!("; configured units: {}", unit_list(self.cfg)));
                    self.error(
                        *r,
                        *c,
                        format!("未知单位 (unknown unit {:?}){hint}", shorten(text, 30)),
                    );
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
        };

        let sheet_measure = notes.measure.clone();
        let name_col = col_of(ColKind::Name)?;
        let measure_col = col_of(ColKind::Measure);
        let header_measures: HashMap<u32, String> = cols
            .iter()
            .filter_map(|(c, _, _)| {
                self.grid
                    .text(header, *c)
                    .and_then(find_measure)
                    .map(|m| (*c, m.to_string()))
            })
            .collect();
        let mut readings: Vec<Option<Reading>> = vec![None; self.cfg.indicators.len()];
        let mut unknown_labels: Vec<(u32, String)> = Vec::new();
        let rows: Vec<u32> = self
            .grid
            .rows()
            .into_iter()
            .filter(|r| *r > header)
            .collect();
        for row in rows {
            let Some(label) = self.grid.text(row, name_col).map(str::to_string) else {
                continue;
            };
            let Some(ind) = self.cfg.indicator_by_name(&clean_row_label(&label)) else {
                unknown_labels.push((row, label));
                continue;
            };
            if readings[ind].is_some() {
                self.error(
                    row,
                    name_col,
                    format!(
                        "指标重复 (indicator {} appears twice)",
                        self.cfg.indicators[ind].name
                    ),
                );
                continue;
            }
            // Measure: the row's 计量单位, else the column header's (…元), else the sheet note.
            let row_measure =
                measure_col.and_then(|c| self.grid.text(row, c).map(|t| (c, t.to_string())));
            let mut factor = Decimal::ONE;
            let target = self.cfg.indicators[ind].measure.clone();
            if let Some((c, m)) = &row_measure {
                match conversion(m, &target) {
                    Some(f) => factor = f,
                    None => self.error(
                        row,
                        *c,
                        format!("计量单位无法识别 (unknown measure {:?}); expected 元, 千元, 万元 or 亿元", shorten(m, 20)),
                    ),
                }
            } else if let Some(m) = &sheet_measure {
                factor = conversion(m, &target).unwrap_or(Decimal::ONE);
            }
            let mut reading = Reading::default();
            for (c, k, _) in cols {
                let f = if row_measure.is_none() {
                    header_measures
                        .get(c)
                        .and_then(|m| conversion(m, &target))
                        .unwrap_or(factor)
                } else {
                    factor
                };
                match k {
                    ColKind::Month => {
                        reading.month = self.number(row, *c, false).map(|x| scale(x, f))
                    }
                    ColKind::Value => {
                        reading.value = self.number(row, *c, false).map(|x| scale(x, f))
                    }
                    ColKind::Base => {
                        reading.base = self.number(row, *c, false).map(|x| scale(x, f))
                    }
                    ColKind::Growth => reading.growth = self.number(row, *c, true),
                    _ => {}
                }
            }
            self.check_reading(ind, &reading, row, name_col);
            readings[ind] = Some(reading);
        }
        let mut out_readings = Vec::with_capacity(readings.len());
        for (i, r) in readings.into_iter().enumerate() {
            match r {
                Some(r) => out_readings.push(r),
                None => {
                    let ind = &self.cfg.indicators[i].name;
                    let close = unknown_labels.iter().find(|(_, l)| {
                        suggest(&clean_row_label(l), std::iter::once(ind.as_str())).is_some()
                    });
                    match close {
                        Some((row, l)) => {
                            let (row, l) = (*row, l.clone());
                            self.error(row, name_col, format!("未知指标 (unknown indicator {:?}) — did you mean {ind}? (是否为 {ind}?)", shorten(&l, 30)));
                        }
                        None => self.out.warnings.push(Diagnostic::new(
                            Location::sheet(self.name, self.sheet),
                            format!("缺少指标行 (no row for {ind}): treated as not reported"),
                        )),
                    }
                    out_readings.push(Reading::default());
                }
            }
        }
        if let Some((u, at)) = unit {
            self.out.units.push((u, out_readings, at));
        }
        found_period
    }

    fn consolidated(
        &mut self,
        header: u32,
        unit_col: u32,
        cols: &[(u32, usize, ColKind, Option<u32>)],
    ) -> Option<Period> {
        let notes = self.notes(header);
        let found_period = self.check_period(&notes);
        for (c, _, k, n) in cols {
            if *k == ColKind::Value {
                self.check_span(header + 1, *c, *n);
            }
        }
        let mut factor_of: HashMap<usize, Decimal> = HashMap::new();
        for (i, ind) in self.cfg.indicators.iter().enumerate() {
            let f = notes
                .measure
                .as_deref()
                .and_then(|m| conversion(m, &ind.measure))
                .unwrap_or(Decimal::ONE);
            factor_of.insert(i, f);
        }
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
            let key = normalize(&label);
            let has_numbers = cols
                .iter()
                .any(|(c, ..)| matches!(self.grid.get(row, *c), Some(Value::Number { .. })));
            let is_city = city_names.contains(&key);
            let unit = self.cfg.unit_by_name(&label);
            // Sub-totals (县区小计, 其中…) are the bureau's own arithmetic, not a unit.
            let subtotal = ["小计", "合计", "总计", "其中"]
                .iter()
                .any(|k| key.contains(k));
            if !is_city && unit.is_none() {
                if !subtotal
                    && (has_numbers
                        || suggest(&label, self.cfg.units.iter().map(|u| u.name.as_str()))
                            .is_some())
                {
                    let hint = suggest(&label, self.cfg.units.iter().map(|u| u.name.as_str()))
                        .map(|s| format!(" — did you mean {s}? (是否为 {s}?)"))
                        .unwrap_or_else(|| format!("; configured units: {}", unit_list(self.cfg)));
                    self.error(
                        row,
                        unit_col,
                        format!("未知单位 (unknown unit {:?}){hint}", shorten(&label, 30)),
                    );
                }
                continue;
            }
            let mut readings = vec![Reading::default(); self.cfg.indicators.len()];
            for (c, ind, k, _) in cols {
                let f = factor_of[ind];
                let r = &mut readings[*ind];
                match k {
                    ColKind::Month => r.month = self.number(row, *c, false).map(|x| scale(x, f)),
                    ColKind::Value => r.value = self.number(row, *c, false).map(|x| scale(x, f)),
                    ColKind::Base => r.base = self.number(row, *c, false).map(|x| scale(x, f)),
                    ColKind::Growth => r.growth = self.number(row, *c, true),
                    _ => {}
                }
            }
            for (i, r) in readings.iter().enumerate() {
                self.check_reading(i, r, row, unit_col);
            }
            let at = self.loc(row, unit_col);
            if is_city {
                if self.out.city.is_some() {
                    self.error(row, unit_col, "全市 row appears twice");
                } else {
                    self.out.city = Some((readings, at));
                }
            } else if let Some(u) = unit {
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
        found_period
    }

    /// Warnings that never stop a run (SPEC §6) and plausibility errors.
    fn check_reading(&mut self, ind: usize, r: &Reading, row: u32, col: u32) {
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

    /// A number from a cell, or an error naming the cell. `growth` columns accept `%`.
    fn number(&mut self, row: u32, col: u32, growth: bool) -> Option<Field> {
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
struct Notes {
    unit: Option<(String, u32, u32)>,
    period: Option<(String, u32, u32)>,
    title_period: Option<(Period, u32, u32)>,
    measure: Option<String>,
}

fn scale(mut f: Field, factor: Decimal) -> Field {
    if factor != Decimal::ONE {
        f.value = (f.value * factor).normalize();
    }
    f
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
