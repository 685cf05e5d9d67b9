//! The floor of issue 7: the least any tool must do with a period's folder — open every
//! spreadsheet with calamine, read its first sheet and sum the numeric cells. `tongbao run`
//! is measured against it (see `bench/run.sh`, BENCHMARKS.md).
//!
//! ```text
//! cargo run --release --example floor -- DIR [--threads 1|2]
//! ```

use calamine::{Data, Reader, open_workbook_auto};
use rayon::prelude::*;
use std::path::{Path, PathBuf};
use std::time::Instant;

fn files(dir: &Path) -> std::io::Result<Vec<PathBuf>> {
    let mut out: Vec<PathBuf> = std::fs::read_dir(dir)?
        .filter_map(|e| e.ok())
        .map(|e| e.path())
        .filter(|p| {
            p.is_file()
                && p.extension()
                    .map(|x| x.to_string_lossy().to_lowercase())
                    .is_some_and(|x| matches!(x.as_str(), "xlsx" | "xlsm" | "xls" | "ods"))
        })
        .collect();
    out.sort();
    Ok(out)
}

/// Sum of the numeric cells of the first sheet (NaN-free: unreadable files count 0).
fn sum_file(path: &Path) -> Result<f64, String> {
    let mut wb = open_workbook_auto(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let range = wb
        .worksheet_range_at(0)
        .ok_or_else(|| format!("{}: no sheet", path.display()))?
        .map_err(|e| format!("{}: {e}", path.display()))?;
    Ok(range
        .used_cells()
        .map(|(_, _, c)| match c {
            Data::Float(f) => *f,
            Data::Int(i) => *i as f64,
            _ => 0.0,
        })
        .sum())
}

fn main() {
    let mut dir = None;
    let mut threads = 1usize;
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        match a.as_str() {
            "--threads" => {
                threads = args.next().and_then(|t| t.parse().ok()).unwrap_or_else(|| {
                    eprintln!("--threads N");
                    std::process::exit(2)
                })
            }
            _ => dir = Some(PathBuf::from(a)),
        }
    }
    let Some(dir) = dir else {
        eprintln!("usage: floor DIR [--threads N]");
        std::process::exit(2);
    };
    let t = Instant::now();
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .expect("thread pool");
    let list = match files(&dir) {
        Ok(l) => l,
        Err(e) => {
            eprintln!("floor: {}: {e}", dir.display());
            std::process::exit(1);
        }
    };
    let results: Vec<Result<f64, String>> =
        pool.install(|| list.par_iter().map(|p| sum_file(p)).collect());
    let mut sum = 0.0;
    let mut failed = 0;
    for r in results {
        match r {
            Ok(s) => sum += s,
            Err(e) => {
                failed += 1;
                eprintln!("floor: {e}");
            }
        }
    }
    println!(
        "floor: {} files, {failed} unreadable, sum {sum:.1}, {threads} thread(s), wall {:.1} ms",
        list.len(),
        t.elapsed().as_secs_f64() * 1000.0
    );
}
