//! Command line of tongbao (SPEC §7); everything else lives in the library.

use clap::{Args, Parser, Subcommand};
use std::path::PathBuf;
use std::process::ExitCode;
use tongbao::app::{self, RunArgs};
use tongbao::{Config, Error, Period};

#[derive(Parser)]
#[command(
    name = "tongbao",
    version,
    about = "工业经济运行月度通报: monthly industrial-indicator ranking bulletin"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Args)]
struct Common {
    /// Reporting period YYYY-MM (cumulative from January); default: the latest folder under data/
    #[arg(long)]
    period: Option<Period>,
    /// Folder holding the period's spreadsheets (default data/YYYY-MM)
    #[arg(long)]
    input: Option<PathBuf>,
    /// Configuration file (TOML); default: the embedded configuration (`tongbao config`)
    #[arg(long)]
    config: Option<PathBuf>,
    /// Go on when submissions are missing, marking them 未报
    #[arg(long)]
    allow_missing: bool,
    /// Treat warnings as errors
    #[arg(long)]
    strict: bool,
}

#[derive(Subcommand)]
enum Command {
    /// Read a period, compute ranks, write the bulletin, CSV and charts, record the history
    Run {
        #[command(flatten)]
        common: Common,
        /// Output folder (the period's outputs go to OUT/YYYY-MM)
        #[arg(long, default_value = "reports")]
        out: PathBuf,
        /// History folder
        #[arg(long, default_value = "data/history")]
        history: PathBuf,
        /// Run every period folder under data/ in order
        #[arg(long, conflicts_with_all = ["period", "input"])]
        all: bool,
        /// Print the time spent in each stage
        #[arg(long)]
        timings: bool,
    },
    /// Validate a period's inputs and print what was read; writes nothing
    Check {
        #[command(flatten)]
        common: Common,
        /// History folder (read only, for rank changes and plausibility warnings)
        #[arg(long, default_value = "data/history")]
        history: PathBuf,
    },
    /// Write blank submission workbooks, one per unit
    Template {
        #[arg(long)]
        period: Period,
        #[arg(long, default_value = "templates")]
        out: PathBuf,
        #[arg(long)]
        config: Option<PathBuf>,
    },
    /// Year-end assessment (or quarterly review with --through) from the history
    Assess {
        #[arg(long)]
        year: i32,
        #[arg(long)]
        through: Option<Period>,
        #[arg(long, default_value = "reports")]
        out: PathBuf,
        #[arg(long)]
        config: Option<PathBuf>,
        #[arg(long, default_value = "data/history")]
        history: PathBuf,
    },
    /// The web page: units upload, errors come back at once, the bureau runs the month
    Serve {
        /// Address to listen on; beyond 127.0.0.1 every request needs a token
        #[arg(long, default_value = "127.0.0.1:8080")]
        listen: std::net::SocketAddr,
        /// Root of the period folders (uploads go to DATA/YYYY-MM)
        #[arg(long, default_value = "data")]
        data: PathBuf,
        #[arg(long, default_value = "reports")]
        out: PathBuf,
        #[arg(long)]
        config: Option<PathBuf>,
        /// History folder (default DATA/history)
        #[arg(long)]
        history: Option<PathBuf>,
    },
    /// Print the embedded default configuration
    Config,
}

fn run_args(c: &Common, out: PathBuf, history: PathBuf, timings: bool) -> RunArgs {
    RunArgs {
        period: c.period,
        input: c.input.clone(),
        out,
        history,
        strict: c.strict,
        allow_missing: c.allow_missing,
        timings,
        ..RunArgs::default()
    }
}

/// Reading many workbooks allocates a string per cell, which mimalloc does faster than the
/// system allocator (BENCHMARKS.md). Its v2 without transparent huge pages: v3, and v2 with
/// huge pages, kept faulting in fresh memory.
#[global_allocator]
static ALLOC: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    // polars only encodes and decodes the history's small tables: its own thread pool gains
    // nothing, and its idle workers spinning took CPU from reading and drawing. One thread,
    // unless the user says otherwise.
    if std::env::var_os("POLARS_MAX_THREADS").is_none() {
        // SAFETY: first statement of `main`, before any thread exists.
        unsafe { std::env::set_var("POLARS_MAX_THREADS", "1") };
    }
    tongbao::ingest::install_panic_hook();
    if app::double_click::launched_by_double_click() {
        return ExitCode::from(app::double_click::run(&mut std::io::stdin().lock()));
    }
    let cli = Cli::parse();
    match dispatch(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("错误 error: {e}");
            ExitCode::from(e.exit_code() as u8)
        }
    }
}

fn dispatch(cli: Cli) -> Result<(), Error> {
    match cli.command {
        Command::Run {
            common,
            out,
            history,
            all,
            timings,
        } => {
            let args = run_args(&common, out, history, timings);
            let cfg = Config::load(common.config.as_deref())?;
            if all {
                app::run_all(&cfg, &args)?
            } else {
                app::run(&cfg, &args)?
            };
        }
        Command::Check { common, history } => {
            let cfg = Config::load(common.config.as_deref())?;
            let args = run_args(&common, PathBuf::from("reports"), history, false);
            tongbao::say!("{}", app::check(&cfg, &args)?.trim_end());
        }
        Command::Template {
            period,
            out,
            config,
        } => {
            let cfg = Config::load(config.as_deref())?;
            for f in app::template(&cfg, period, &out)? {
                tongbao::say!("{}", f.display());
            }
        }
        Command::Assess {
            year,
            through,
            out,
            config,
            history,
        } => {
            let cfg = Config::load(config.as_deref())?;
            for f in app::assess(&cfg, &history, year, through, &out)? {
                tongbao::say!("{}", f.display());
            }
        }
        Command::Serve {
            listen,
            data,
            out,
            config,
            history,
        } => {
            let config = Config::load(config.as_deref())?;
            let history = history.unwrap_or_else(|| data.join("history"));
            tongbao::serve::serve(tongbao::serve::Options {
                listen,
                data,
                out,
                history,
                config,
            })?
        }
        Command::Config => tongbao::say!("{}", tongbao::config::DEFAULT_TOML.trim_end()),
    }
    Ok(())
}
