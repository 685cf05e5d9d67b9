//! The output stages of one run, each alone and on one thread, to see what they cost in CPU
//! (the `run --timings` stages overlap on two cores, which hides that).
//!
//! ```text
//! cargo run --release --example stages -- CONFIG.toml INPUT_DIR HISTORY_DIR PERIOD [REPS]
//! ```
//! `STAGE=charts` times that stage only. HISTORY_DIR is read only (the previous period for rank change, the year for trends).
//!
//! `STAGE=rest` times, on both cores as `run` arranges them, everything a run does after
//! reading and validating except the PNG charts: the history read, compute, then the
//! workbook, the csv and the history record side by side (in a real run the charts share
//! the cores meanwhile).

use std::path::PathBuf;
use std::time::Instant;
use tongbao::{Config, Period, bulletin, charts, compute, csv, history, ingest};

/// CPU time of the whole process (every thread: the workbook assembles sheets on threads of
/// its own), in ms: a shared VM's wall clock varies by a fifth from run to run.
fn cpu_ms() -> f64 {
    let mut t = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: `t` is a valid timespec for the call to write.
    unsafe { libc::clock_gettime(libc::CLOCK_PROCESS_CPUTIME_ID, &mut t) };
    t.tv_sec as f64 * 1e3 + t.tv_nsec as f64 / 1e6
}

/// As the binary does.
#[global_allocator]
static ALLOC: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [config, input, hist, period, rest @ ..] = args.as_slice() else {
        return Err("usage: stages CONFIG.toml INPUT_DIR HISTORY_DIR PERIOD [REPS]".into());
    };
    let reps: usize = rest.first().map_or(Ok(5), |r| r.parse())?;
    let cfg = Config::load(Some(&PathBuf::from(config)))?;
    let period: Period = period.parse()?;
    let hist = PathBuf::from(hist);
    let ing = ingest::ingest(&cfg, period, input.as_ref(), &ingest::Options::default())?;
    let previous = history::previous(&hist, period)?;
    let result = compute::compute(&cfg, &ing, previous.as_ref())?;
    let mut year = history::load_year(&hist, period.year)?;
    year.retain(|p| p.period < period);
    year.push(result.clone());
    let out = std::env::temp_dir().join(format!("tongbao-stages-{}", std::process::id()));
    std::fs::create_dir_all(&out)?;
    let one = rayon::ThreadPoolBuilder::new().num_threads(1).build()?;
    let only = std::env::var("STAGE").ok();
    let time = |name: &str, f: &mut (dyn FnMut() + Send)| {
        if only.as_deref().is_some_and(|o| o != name) {
            return;
        }
        let (mut best, mut best_cpu) = (f64::MAX, f64::MAX);
        for _ in 0..reps {
            let (t, c) = (Instant::now(), cpu_ms());
            one.install(&mut *f);
            best = best.min(t.elapsed().as_secs_f64() * 1e3);
            best_cpu = best_cpu.min(cpu_ms() - c);
        }
        println!(
            "{name:<16} {best:8.1} ms wall {best_cpu:8.1} ms CPU (best of {reps}, one thread)"
        );
    };
    time("compute", &mut || {
        compute::compute(&cfg, &ing, previous.as_ref()).expect("compute");
    });
    time("workbook", &mut || {
        bulletin::write(&cfg, &result, &ing, &out).expect("workbook");
    });
    time("workbook build", &mut || {
        bulletin::build(&cfg, &result, &ing).expect("build");
    });
    time("charts", &mut || {
        charts::write(&cfg, &result, &year, &out).expect("charts");
    });
    time("csv", &mut || {
        csv::render(&result);
    });
    time("history encode", &mut || {
        history::encode(&result).expect("encode");
    });
    if only.as_deref() == Some("rest") {
        let (mut best, mut best_cpu) = (f64::MAX, f64::MAX);
        for _ in 0..reps {
            let (t, c) = (Instant::now(), cpu_ms());
            let (previous, earlier) = history::previous_and_earlier(&hist, period)?;
            let mut year = history::load_periods(&hist, &earlier)?;
            let result = compute::compute(&cfg, &ing, previous.as_ref())?;
            year.extend(previous);
            year.push(result.clone());
            let (wb, (csv, encoded)) = rayon::join(
                || bulletin::write(&cfg, &result, &ing, &out),
                || {
                    rayon::join(
                        || std::fs::write(out.join("rankings.csv"), csv::render(&result)),
                        || history::encode(&result),
                    )
                },
            );
            wb?;
            csv?;
            std::fs::write(out.join("record.parquet"), encoded?)?;
            best = best.min(t.elapsed().as_secs_f64() * 1e3);
            best_cpu = best_cpu.min(cpu_ms() - c);
        }
        println!("rest (2 cores)   {best:8.1} ms wall {best_cpu:8.1} ms CPU (best of {reps})");
    }
    std::fs::remove_dir_all(&out)?;
    Ok(())
}
