//! Bytes → one workbook (or csv file) read as a submission or consolidated workbook, or its
//! errors.
//!
//! A panic in tongbao's own code is a finding. A panic inside a reader library (calamine, zip,
//! quick-xml) is caught by tongbao per file and reported as a damaged file, so here it is
//! recorded and tolerated; such inputs become regression tests in tests/fixtures/fuzz/.
#![no_main]

use libfuzzer_sys::fuzz_target;
use std::cell::RefCell;
use std::path::Path;
use std::sync::{Once, OnceLock};
use tongbao::{Config, Period};

static CFG: OnceLock<Config> = OnceLock::new();
static HOOK: Once = Once::new();

thread_local! {
    static PANIC_AT: RefCell<Option<String>> = const { RefCell::new(None) };
}

const LIBRARIES: [&str; 5] = ["/calamine-", "/zip-", "/quick-xml-", "/encoding_rs-", "/csv-"];

fuzz_target!(|data: &[u8]| {
    HOOK.call_once(|| {
        std::panic::set_hook(Box::new(|info| {
            let at = info.location().map(|l| l.file().to_string()).unwrap_or_default();
            PANIC_AT.with(|p| *p.borrow_mut() = Some(format!("{at}: {info}")));
        }))
    });
    let cfg = CFG.get_or_init(Config::default_city);
    let period = Period { year: 2015, month: 7 };
    for name in ["2015-07舞阳县.xlsx", "报表.ods", "汇总.xls", "舞阳县.csv"] {
        let run = std::panic::catch_unwind(|| tongbao::ingest::read_one(cfg, period, Path::new(name), data.to_vec()));
        match run {
            Ok(out) => {
                for e in &out.errors {
                    assert!(e.location.file == name, "an error must name the file: {e}");
                }
            }
            Err(_) => {
                let at = PANIC_AT.with(|p| p.borrow_mut().take()).unwrap_or_default();
                if !LIBRARIES.iter().any(|l| at.contains(l)) {
                    panic!("panic in tongbao: {at}");
                }
            }
        }
    }
});
