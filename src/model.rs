//! The data that flows between stages: what was read (ingest -> compute) and what was
//! computed (compute -> history, bulletin, charts, csv, assess).

use crate::error::{Diagnostic, Location};
use crate::period::Period;
use rust_decimal::Decimal;

/// One number read from a cell, with the cell it came from.
#[derive(Debug, Clone, PartialEq)]
pub struct Field {
    pub value: Decimal,
    pub at: Location,
}

/// What a submission says about one indicator. `None` is "not reported".
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Reading {
    /// 本月
    pub month: Option<Field>,
    /// 1-本月累计, in the indicator's measure (万元)
    pub value: Option<Field>,
    /// 上年同期累计
    pub base: Option<Field>,
    /// The submitted 同比增长 in %
    pub growth: Option<Field>,
}

/// One unit's numbers, one `Reading` per configured indicator, in configuration order.
#[derive(Debug, Clone, PartialEq)]
pub struct Submission {
    /// Index into `Config::units`.
    pub unit: usize,
    /// Index into `Ingested::sources`.
    pub source: usize,
    pub readings: Vec<Reading>,
}

/// An input file as it was read, for the 数据来源与校验 sheet.
#[derive(Debug, Clone, PartialEq)]
pub struct SourceFile {
    pub path: std::path::PathBuf,
    /// File name as shown in messages.
    pub name: String,
    pub sha256: String,
    /// "填报表" (one unit) or "汇总表" (consolidated).
    pub kind: SourceKind,
    pub sheet: String,
    /// Units read from it (names), in sheet order; includes the city for a 全市 row.
    pub units: Vec<String>,
    /// The 报告期 found in the file, if any.
    pub period: Option<Period>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SourceKind {
    Submission,
    Consolidated,
}

impl SourceKind {
    pub fn label(&self) -> &'static str {
        match self {
            SourceKind::Submission => "填报表",
            SourceKind::Consolidated => "汇总表",
        }
    }
}

/// Everything read from a period's folder.
#[derive(Debug, Clone)]
pub struct Ingested {
    pub period: Period,
    /// Sorted by unit index (official order).
    pub submissions: Vec<Submission>,
    /// A 全市 row given in the inputs.
    pub city: Option<Submission>,
    pub sources: Vec<SourceFile>,
    /// Units that sent nothing (only with `--allow-missing`; otherwise an error).
    pub missing: Vec<usize>,
    pub warnings: Vec<Diagnostic>,
}

/// Status of an indicator of a unit (SPEC §3); `Normal` prints as nothing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Status {
    Normal,
    /// 由盈转亏: base > 0, value < 0
    TurnedLoss,
    /// 扭亏为盈: base < 0, value ≥ 0
    TurnedProfit,
    /// 减亏: base < value < 0
    LossReduced,
    /// 增亏: value < base < 0
    LossIncreased,
    /// 无可比基数: base = 0
    NoBase,
    /// 未报: not reported
    NotReported,
}

impl Status {
    pub fn label(&self) -> &'static str {
        match self {
            Status::Normal => "",
            Status::TurnedLoss => "由盈转亏",
            Status::TurnedProfit => "扭亏为盈",
            Status::LossReduced => "减亏",
            Status::LossIncreased => "增亏",
            Status::NoBase => "无可比基数",
            Status::NotReported => "未报",
        }
    }

    pub fn from_label(s: &str) -> Option<Status> {
        [
            Status::Normal,
            Status::TurnedLoss,
            Status::TurnedProfit,
            Status::LossReduced,
            Status::LossIncreased,
            Status::NoBase,
            Status::NotReported,
        ]
        .into_iter()
        .find(|st| st.label() == s)
    }
}

/// One computed line of the bulletin: a unit (or the city) and one indicator.
#[derive(Debug, Clone, PartialEq)]
pub struct ResultRow {
    /// Unit name, or the configured city name's 全市 row (`is_city`).
    pub unit: String,
    pub is_city: bool,
    /// Ranking group; `None` for the city.
    pub group: Option<String>,
    /// Indicator name.
    pub indicator: String,
    /// 本月
    pub month: Option<Decimal>,
    /// 1-N月累计
    pub value: Option<Decimal>,
    /// 上年同期累计
    pub base: Option<Decimal>,
    /// 增减额 = value − base
    pub change: Option<Decimal>,
    /// 同比增长 % to one decimal
    pub growth: Option<Decimal>,
    /// 占全市比重 % to one decimal
    pub share: Option<Decimal>,
    pub status: Status,
    /// 总量位次 within the group
    pub value_rank: Option<u32>,
    /// 增速位次 within the group
    pub growth_rank: Option<u32>,
    /// last period's 增速位次 − this one (+2: up two places)
    pub rank_change: Option<i32>,
}

/// The computed period: rows ordered by indicator (configuration order), and within an
/// indicator the city first, then units in official order.
#[derive(Debug, Clone)]
pub struct PeriodResult {
    pub period: Period,
    pub rows: Vec<ResultRow>,
    /// The period whose ranks `rank_change` compares with, if any.
    pub previous: Option<Period>,
    pub warnings: Vec<Diagnostic>,
}

impl PeriodResult {
    /// Rows of one indicator (city first, then units in official order).
    pub fn indicator_rows<'a>(
        &'a self,
        indicator: &'a str,
    ) -> impl Iterator<Item = &'a ResultRow> + 'a {
        self.rows.iter().filter(move |r| r.indicator == indicator)
    }

    pub fn row(&self, unit: &str, indicator: &str) -> Option<&ResultRow> {
        self.rows
            .iter()
            .find(|r| r.unit == unit && r.indicator == indicator)
    }
}
