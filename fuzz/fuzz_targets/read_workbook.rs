//! Bytes → one workbook read as a submission or consolidated workbook, or its errors.
//! Any panic, hang or runaway allocation is a finding.
#![no_main]

use libfuzzer_sys::fuzz_target;
use std::path::Path;
use std::sync::OnceLock;
use tongbao::{Config, Period};

static CFG: OnceLock<Config> = OnceLock::new();

fuzz_target!(|data: &[u8]| {
    let cfg = CFG.get_or_init(Config::default_city);
    let period = Period { year: 2015, month: 7 };
    for name in ["2015-07舞阳县.xlsx", "报表.ods", "汇总.xls"] {
        let out = tongbao::ingest::read_one(cfg, period, Path::new(name), data.to_vec());
        // Every error names the file.
        for e in &out.errors {
            assert!(e.location.file == name, "{e}");
        }
    }
});
