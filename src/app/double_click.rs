//! The .exe double-clicked in Explorer: no arguments and a console window of its own, which
//! closes the moment the program ends. So it runs the latest month of the `data` folder beside
//! the program (as `tongbao run` would there), says what it did or what went wrong, and waits
//! for Enter before the window closes.

use super::RunArgs;
use crate::config::Config;
use crate::error::{Diagnostics, Error, Result};
use std::io::BufRead;
use std::path::Path;

/// Was the program started on its own console, with no arguments (a double-click), rather
/// than from a command prompt (whose console it shares with cmd.exe or PowerShell)?
pub fn launched_by_double_click() -> bool {
    std::env::args_os().len() == 1 && console_is_ours_alone()
}

#[cfg(windows)]
fn console_is_ours_alone() -> bool {
    let mut ids = [0u32; 2];
    // SAFETY: the buffer holds `ids.len()` process ids, as the call is told.
    let n =
        unsafe { windows_sys::Win32::System::Console::GetConsoleProcessList(ids.as_mut_ptr(), 2) };
    n == 1
}

#[cfg(not(windows))]
fn console_is_ours_alone() -> bool {
    false
}

/// Run the latest month beside the program, show the outcome, wait for Enter; the exit code.
pub fn run(input: &mut dyn BufRead) -> u8 {
    let code = match std::env::current_exe() {
        Ok(exe) => {
            let dir = exe.parent().unwrap_or(Path::new("."));
            match run_beside(dir, input) {
                Ok(()) => 0,
                Err(e) => {
                    eprintln!("错误 error: {e}");
                    e.exit_code() as u8
                }
            }
        }
        Err(e) => {
            eprintln!("错误 error: 找不到程序所在的文件夹 (cannot find the program's folder): {e}");
            1
        }
    };
    crate::say!("\n按回车键关闭窗口 (press Enter to close)…");
    let mut line = String::new();
    let _ = input.read_line(&mut line);
    code
}

/// `tongbao run` in the folder `dir`: data in `dir\data`, reports in `dir\reports`, the
/// configuration `dir\tongbao.toml` when there is one. When units are missing (and nothing
/// else is wrong) the clerk is asked whether to go on as `--allow-missing` would.
fn run_beside(dir: &Path, input: &mut dyn BufRead) -> Result<()> {
    let data = dir.join("data");
    crate::say!("tongbao {} — {}", env!("CARGO_PKG_VERSION"), dir.display());
    if !data.is_dir() {
        return Err(Error::Usage(format!(
            "程序旁边没有 data 文件夹。请建立 {},把各单位的报表放进以报告期命名的文件夹,例如 {},然后再双击运行 (no data folder beside the program)",
            data.display(),
            data.join("2015-07").join("舞阳县.xlsx").display()
        )));
    }
    let config = dir.join("tongbao.toml");
    let cfg = Config::load(config.is_file().then_some(config.as_path()))?;
    let args = RunArgs {
        data: data.clone(),
        out: dir.join("reports"),
        history: data.join("history"),
        ..RunArgs::default()
    };
    let (period, _) = super::resolve(&args)?;
    crate::say!(
        "{} {}: {}",
        cfg.title,
        period.label(),
        data.join(period.to_string()).display()
    );
    match super::run(&cfg, &args) {
        Err(Error::Input { errors }) if only_missing_units(&errors) => {
            eprintln!("{}", errors.0[0]);
            crate::say!(
                "输入 Y 并按回车:把缺报单位标为“未报”,照样生成通报;直接按回车:不生成 (Y: go on, marking them 未报)"
            );
            let mut answer = String::new();
            let _ = input.read_line(&mut answer);
            if !answer.trim().eq_ignore_ascii_case("y") {
                return Err(Error::Input { errors });
            }
            let args = RunArgs {
                allow_missing: true,
                ..args.clone()
            };
            super::run(&cfg, &args)?;
        }
        other => {
            other?;
        }
    }
    crate::say!(
        "\n通报已生成,在 {} 文件夹中 (the bulletin is written)",
        args.out.join(period.to_string()).display()
    );
    Ok(())
}

fn only_missing_units(errors: &Diagnostics) -> bool {
    errors.0.len() == 1 && crate::ingest::is_missing_units(&errors.0[0])
}
