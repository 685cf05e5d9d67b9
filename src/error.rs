//! Errors carry their context (file, sheet, cell) so that a clerk can find the bad cell;
//! `main` turns them into a message and an exit code (2 for bad input).

use std::fmt;
use std::path::PathBuf;

/// Where a finding is: `舞阳县.xlsx!月报!E6`, or just the file when no cell applies.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Location {
    pub file: String,
    pub sheet: Option<String>,
    pub cell: Option<String>,
}

impl Location {
    pub fn file(file: impl Into<String>) -> Self {
        Location {
            file: file.into(),
            sheet: None,
            cell: None,
        }
    }
    pub fn sheet(file: impl Into<String>, sheet: impl Into<String>) -> Self {
        Location {
            file: file.into(),
            sheet: Some(sheet.into()),
            cell: None,
        }
    }
    pub fn cell(
        file: impl Into<String>,
        sheet: impl Into<String>,
        cell: impl Into<String>,
    ) -> Self {
        Location {
            file: file.into(),
            sheet: Some(sheet.into()),
            cell: Some(cell.into()),
        }
    }
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.file)?;
        if let Some(s) = &self.sheet {
            write!(f, "!{s}")?;
        }
        if let Some(c) = &self.cell {
            write!(f, "!{c}")?;
        }
        Ok(())
    }
}

/// One error or warning about the input, with its place.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    pub location: Location,
    pub message: String,
}

impl Diagnostic {
    pub fn new(location: Location, message: impl Into<String>) -> Self {
        Diagnostic {
            location,
            message: message.into(),
        }
    }
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.location, self.message)
    }
}

/// All diagnostics of a run, reported together.
#[derive(Debug, Clone, Default)]
pub struct Diagnostics(pub Vec<Diagnostic>);

impl fmt::Display for Diagnostics {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, d) in self.0.iter().enumerate() {
            if i > 0 {
                writeln!(f)?;
            }
            write!(f, "  - {d}")?;
        }
        Ok(())
    }
}

#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The configuration is unusable; `key` names the offending key.
    #[error("配置错误 (configuration error) in {source_name}, key `{key}`: {message}")]
    Config {
        source_name: String,
        key: String,
        message: String,
    },

    /// Bad input: every error of the run, with file, sheet and cell.
    #[error("输入有误,未生成任何文件 (bad input, nothing was written): {} error(s)\n{errors}", errors.0.len())]
    Input { errors: Diagnostics },

    /// `--strict` and the run had warnings.
    #[error("--strict: {} warning(s) stop the run, nothing was written\n{warnings}", warnings.0.len())]
    Strict { warnings: Diagnostics },

    /// A command-line argument is not usable (bad period, missing folder, ...).
    #[error("{0}")]
    Usage(String),

    #[error("{}: {source}", path.display())]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },

    /// The recorded history cannot be read or written.
    #[error("history {}: {message}", path.display())]
    History { path: PathBuf, message: String },

    /// An output could not be produced.
    #[error("{what}: {message}")]
    Output { what: String, message: String },

    /// Outputs of an earlier run are open in another program (Excel or WPS keep an open
    /// workbook locked on Windows), so they cannot be replaced; nothing was replaced.
    #[error(
        "以下文件正在被其他程序(如 Excel、WPS)打开,无法替换。请在 Excel 中关闭后重新运行;本次未写入任何文件 (in use by another program: close them in Excel and run again; nothing was written):\n{}",
        in_use_list(paths)
    )]
    InUse { paths: Vec<PathBuf> },
}

fn in_use_list(paths: &[PathBuf]) -> String {
    let lines: Vec<String> = paths
        .iter()
        .map(|p| format!("  - {}", p.display()))
        .collect();
    lines.join("\n")
}

impl Error {
    /// Exit code of SPEC §7: 2 on bad input (including configuration and arguments), 1 otherwise.
    pub fn exit_code(&self) -> i32 {
        match self {
            Error::Config { .. } | Error::Input { .. } | Error::Strict { .. } | Error::Usage(_) => {
                2
            }
            _ => 1,
        }
    }

    pub fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        Error::Io {
            path: path.into(),
            source,
        }
    }

    pub fn output(what: impl Into<String>, message: impl fmt::Display) -> Self {
        Error::Output {
            what: what.into(),
            message: message.to_string(),
        }
    }
}

pub type Result<T, E = Error> = std::result::Result<T, E>;
