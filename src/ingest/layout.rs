//! Where a sheet's numbers are (SPEC §2.1): the header row of a unit's submission (indicators
//! down the rows, 1-本月累计 and its neighbours across), or the two header rows of a
//! consolidated workbook (indicators across, each over its 1-本月累计/上年同期/同比增长
//! columns, units down the rows).

use super::grid::{Grid, Value};
use super::labels::{ColKind, classify_column, clean_row_label};
use crate::config::{Config, GrowthMode};

/// Header rows are looked for in the first this many rows (SPEC §2.1).
pub(super) const HEADER_ROWS: u32 = 30;

/// A column of a header: (column, what it holds, for 1-N月累计 the N).
pub(super) type Col = (u32, ColKind, Option<u32>);
/// A column of a consolidated header: (column, indicator, what it holds, for 1-N月累计 the N).
pub(super) type IndicatorCol = (u32, usize, ColKind, Option<u32>);

pub(super) enum Layout {
    /// Header row and the columns found in it.
    Submission { header: u32, cols: Vec<Col> },
    /// Indicator row (the sub-header row is below it), unit-name column, the columns.
    Consolidated {
        header: u32,
        unit_col: u32,
        cols: Vec<IndicatorCol>,
    },
}

/// The first header in the first [`HEADER_ROWS`] rows, either layout.
pub(super) fn find_layout(cfg: &Config, g: &Grid) -> Option<Layout> {
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
        if let Some(layout) = submission_header(cfg, g, row, &cells) {
            return Some(layout);
        }
        if let Some(layout) = consolidated_header(cfg, g, row, &cells) {
            return Some(layout);
        }
    }
    None
}

/// `row` as a submission's header: 指标名称 and 1-本月累计 columns, or 1-本月累计 beside a
/// column of indicator names.
fn submission_header(cfg: &Config, g: &Grid, row: u32, cells: &[(u32, &str)]) -> Option<Layout> {
    let cols: Vec<Col> = cells
        .iter()
        .filter_map(|(c, t)| classify_column(t).map(|(k, n)| (*c, k, n)))
        .collect();
    let has = |k: ColKind| cols.iter().any(|(_, kk, _)| *kk == k);
    if has(ColKind::Name) && has(ColKind::Value) {
        return Some(Layout::Submission { header: row, cols });
    }
    if !has(ColKind::Value) {
        return None;
    }
    // No 指标名称 label (an empty or merged corner cell): the column left of the numbers
    // where the rows below name indicators is the name column.
    let first_num_col = cols.iter().map(|(c, _, _)| *c).min().unwrap_or(0);
    let name_col = (0..first_num_col).rev().find(|c| {
        (row + 1..row + 12)
            .filter(|r| {
                g.text(*r, *c)
                    .is_some_and(|t| cfg.indicator_by_name(&clean_row_label(t)).is_some())
            })
            .count()
            >= 2
    })?;
    let mut cols = cols;
    cols.push((name_col, ColKind::Name, None));
    Some(Layout::Submission { header: row, cols })
}

/// `row` as a consolidated workbook's indicator row, with the sub-header row right below it:
/// 1-本月累计 | 上年同期 | 同比增长 under each indicator.
fn consolidated_header(cfg: &Config, g: &Grid, row: u32, cells: &[(u32, &str)]) -> Option<Layout> {
    let inds: Vec<(u32, usize)> = cells
        .iter()
        .filter_map(|(c, t)| cfg.indicator_by_name(&clean_row_label(t)).map(|i| (*c, i)))
        .collect();
    let &(first_ind_col, _) = inds.first()?;
    let sub: Vec<Col> = g
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
        return None;
    }
    // Indicator names are merged across their columns: a name covers the columns up to the next one.
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
    Some(Layout::Consolidated {
        header: row,
        unit_col,
        cols,
    })
}

/// Whether a number the layout expects is empty: only then can a formula without a saved
/// result hide there, and only then is the sheet parsed a second time to find one.
pub(super) fn has_empty_numbers(cfg: &Config, g: &Grid, layout: &Layout) -> bool {
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
