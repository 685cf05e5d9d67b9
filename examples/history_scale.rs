//! History at scale (issue 7, item 5): ten years × 12 periods of every unit of a
//! configuration (2,851 for the benchmark's national case), recorded with
//! `tongbao::history::store`, then read back the way `run` (rank change) and `assess` read it.
//!
//! ```text
//! cargo run --release --example history_scale -- CONFIG.toml HISTORY_DIR [YEARS]
//! ```
//! HISTORY_DIR is emptied of `*.parquet` first. Afterwards
//! `tongbao assess --year 2024 --config CONFIG.toml --history HISTORY_DIR` scores a full year.

use rust_decimal::Decimal;
use std::path::PathBuf;
use std::time::Instant;
use tongbao::model::{PeriodResult, ResultRow, Status};
use tongbao::{Config, Period, history};

const FIRST_YEAR: i32 = 2015;

struct Rng(u64);

impl Rng {
    fn next_u64(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        x.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next_u64() % n
    }
}

/// A plausible computed period: every unit and indicator, the city rows first per indicator,
/// ranks a permutation within each group.
fn synthetic(
    cfg: &Config,
    period: Period,
    previous: Option<Period>,
    rng: &mut Rng,
) -> PeriodResult {
    let mut rows = Vec::with_capacity((cfg.units.len() + 1) * cfg.indicators.len());
    let m = period.month as i64;
    for ind in &cfg.indicators {
        let city = |v: i64| Some(Decimal::new(v, 1));
        rows.push(ResultRow {
            unit: "全市".to_string(),
            is_city: true,
            group: None,
            indicator: ind.name.clone(),
            month: city(1_000_000_000),
            value: city(m * 1_000_000_000),
            base: city(m * 930_000_000),
            change: city(m * 70_000_000),
            growth: Some(Decimal::new(75, 1)),
            share: None,
            status: Status::Normal,
            value_rank: None,
            growth_rank: None,
            rank_change: None,
        });
        for group in &cfg.groups {
            let members: Vec<usize> = cfg.units_of_group(group).collect();
            // A permutation of 1..=n for each rank.
            let mut growth_ranks: Vec<u32> = (1..=members.len() as u32).collect();
            let mut value_ranks = growth_ranks.clone();
            for v in [&mut growth_ranks, &mut value_ranks] {
                for i in (1..v.len()).rev() {
                    v.swap(i, rng.below(i as u64 + 1) as usize);
                }
            }
            for (k, &u) in members.iter().enumerate() {
                let value = (rng.below(15_000_000) as i64 + 300_000) * m;
                let base = value * 100 / (90 + rng.below(25) as i64);
                let growth = Decimal::new((value - base) * 1000 / base, 1);
                rows.push(ResultRow {
                    unit: cfg.units[u].name.clone(),
                    is_city: false,
                    group: Some(group.clone()),
                    indicator: ind.name.clone(),
                    month: Some(Decimal::new(value / m, 1)),
                    value: Some(Decimal::new(value, 1)),
                    base: Some(Decimal::new(base, 1)),
                    change: Some(Decimal::new(value - base, 1)),
                    growth: Some(growth),
                    share: Some(Decimal::new(rng.below(30) as i64, 1)),
                    status: Status::Normal,
                    value_rank: Some(value_ranks[k]),
                    growth_rank: Some(growth_ranks[k]),
                    rank_change: previous.map(|_| rng.below(5) as i32 - 2),
                });
            }
        }
    }
    PeriodResult {
        period,
        rows,
        previous,
        warnings: Vec::new(),
    }
}

fn ms(t: Instant) -> f64 {
    t.elapsed().as_secs_f64() * 1000.0
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.len() < 2 {
        eprintln!("usage: history_scale CONFIG.toml HISTORY_DIR [YEARS]");
        std::process::exit(2);
    }
    let cfg = Config::load(Some(&PathBuf::from(&args[0])))?;
    let dir = PathBuf::from(&args[1]);
    let years: i32 = args.get(2).and_then(|y| y.parse().ok()).unwrap_or(10);
    std::fs::create_dir_all(&dir)?;
    for e in std::fs::read_dir(&dir)? {
        let p = e?.path();
        if p.extension().is_some_and(|x| x == "parquet") {
            std::fs::remove_file(p)?;
        }
    }
    let mut rng = Rng(0x4849_5354_4f52_5921);
    let mut store_ms = Vec::new();
    let mut build_ms = 0.0;
    let mut bytes = 0u64;
    let mut rows_per_period = 0;
    for y in FIRST_YEAR..FIRST_YEAR + years {
        for m in 1..=12 {
            let p = Period::new(y, m).ok_or("period")?;
            let t = Instant::now();
            let r = synthetic(&cfg, p, p.previous_in_year(), &mut rng);
            build_ms += ms(t);
            rows_per_period = r.rows.len();
            let t = Instant::now();
            let path = history::store(&dir, &r)?;
            store_ms.push(ms(t));
            bytes += std::fs::metadata(path)?.len();
        }
    }
    store_ms.sort_by(f64::total_cmp);
    let n = store_ms.len();
    let last = FIRST_YEAR + years - 1;
    let t = Instant::now();
    let on_record = history::periods(&dir)?;
    let periods_ms = ms(t);
    let t = Instant::now();
    let one = history::load(&dir, Period::new(last, 6).ok_or("period")?)?;
    let load_one_ms = ms(t);
    let t = Instant::now();
    let prev = history::previous(&dir, Period::new(last, 12).ok_or("period")?)?;
    let previous_ms = ms(t);
    let t = Instant::now();
    let year = history::load_year(&dir, last)?;
    let load_year_ms = ms(t);
    let t = Instant::now();
    let assessment = tongbao::assess::compute(&cfg, &dir, last, None)?;
    let assess_ms = ms(t);
    // Replacing a period of the last year: the append of a new month in steady state.
    let t = Instant::now();
    let r = synthetic(&cfg, Period::new(last, 12).ok_or("period")?, None, &mut rng);
    history::store(&dir, &r)?;
    let replace_ms = ms(t);
    println!(
        "history_scale: {} units, {} periods ({years} years × 12), {} rows/period, {:.1} MB on disk",
        cfg.units.len(),
        on_record.len(),
        rows_per_period,
        bytes as f64 / 1e6
    );
    println!(
        "  store (encode + atomic write) per period: median {:.1} ms, max {:.1} ms, total {:.0} ms (building the rows: {:.0} ms)",
        store_ms[n / 2],
        store_ms[n - 1],
        store_ms.iter().sum::<f64>(),
        build_ms
    );
    println!(
        "  history::periods ({} files)     {periods_ms:>8.1} ms",
        on_record.len()
    );
    println!(
        "  history::load (one period)        {load_one_ms:>8.1} ms ({} rows)",
        one.map_or(0, |r| r.rows.len())
    );
    println!(
        "  history::previous                 {previous_ms:>8.1} ms ({})",
        prev.map_or("none".into(), |r| r.period.to_string())
    );
    println!(
        "  history::load_year ({last})        {load_year_ms:>8.1} ms ({} periods)",
        year.len()
    );
    println!(
        "  assess::compute ({last})           {assess_ms:>8.1} ms ({} units scored)",
        assessment.units().count()
    );
    println!("  re-store one period (replace)     {replace_ms:>8.1} ms");
    Ok(())
}
