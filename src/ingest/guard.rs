//! The guards in front of the spreadsheet readers: a file is read only up to a size limit, a
//! zip package that would inflate beyond reason is refused before calamine inflates it, a
//! compound file (.xls) whose sector chains loop is refused ([`super::cfb::check`]), and a
//! panic inside a reader library becomes the file's error instead of ending the run.

use super::FileOutcome;
use super::cfb;
use crate::error::{Diagnostic, Location};
use std::path::Path;

/// A file larger than this is no monthly submission.
pub const MAX_FILE_BYTES: u64 = 64 * 1024 * 1024;
/// Decompressed size of a zipped workbook (xlsx/ods) beyond which it is refused (zip bomb).
pub const MAX_UNZIPPED_BYTES: u64 = 256 * 1024 * 1024;
/// Sheets looked at per workbook.
pub const MAX_SHEETS: usize = 64;

/// Parts of a zip package beyond which it is no workbook (a workbook has a few dozen).
const MAX_ZIP_PARTS: usize = 10_000;
/// A part inflating to more than this, at a ratio above [`MAX_ZIP_RATIO`], is a zip bomb.
const MAX_ZIP_PART_BYTES: u64 = 16 * 1024 * 1024;
const MAX_ZIP_RATIO: u64 = 100;

fn too_large(len: u64) -> String {
    format!(
        "文件过大 (file too large): {} MB, a submission is at most {} MB",
        len / 1_048_576,
        MAX_FILE_BYTES / 1_048_576
    )
}

/// A file's bytes, or why it cannot be read. Opened once, its size from the open file
/// (thousands of files: a path lookup each for the size and again for the read showed in a
/// national run's system time).
pub(super) fn read(path: &Path) -> Result<Vec<u8>, String> {
    let read = || -> std::io::Result<Result<Vec<u8>, u64>> {
        use std::io::Read;
        let f = std::fs::File::open(path)?;
        let len = f.metadata()?.len();
        if len > MAX_FILE_BYTES {
            return Ok(Err(len));
        }
        let mut bytes = Vec::with_capacity(len as usize + 1);
        // (A file growing while read is cut just past the limit, and refused below.)
        f.take(MAX_FILE_BYTES + 1).read_to_end(&mut bytes)?;
        let n = bytes.len() as u64;
        Ok(if n > MAX_FILE_BYTES {
            Err(n)
        } else {
            Ok(bytes)
        })
    };
    match read() {
        Ok(Ok(bytes)) => Ok(bytes),
        Ok(Err(len)) => Err(too_large(len)),
        Err(e) => Err(format!("无法读取文件 (cannot read the file): {e}")),
    }
}

/// `Err` with the file's message when its bytes must not reach a reader: too large, a zip
/// bomb, or a compound file whose tables are unusable.
pub(super) fn check(bytes: &[u8]) -> Result<(), String> {
    if bytes.len() as u64 > MAX_FILE_BYTES {
        return Err(too_large(bytes.len() as u64));
    }
    check_zip(bytes)?;
    if bytes.starts_with(&[0xD0, 0xCF, 0x11, 0xE0]) {
        cfb::check(bytes)?;
    }
    Ok(())
}

/// Refuse zip bombs before any reader inflates the package.
fn check_zip(bytes: &[u8]) -> Result<(), String> {
    if !bytes.starts_with(b"PK\x03\x04") {
        return Ok(());
    }
    let Ok(mut z) = zip::ZipArchive::new(std::io::Cursor::new(bytes)) else {
        return Err("文件损坏 (damaged zip package; not a readable .xlsx/.ods)".into());
    };
    if z.len() > MAX_ZIP_PARTS {
        return Err(format!(
            "文件结构异常 (the package holds {} parts; a workbook has a few dozen)",
            z.len()
        ));
    }
    let mut total: u64 = 0;
    for i in 0..z.len() {
        let Ok(f) = z.by_index_raw(i) else {
            return Err("文件损坏 (damaged zip package)".into());
        };
        total = total.saturating_add(f.size());
        let ratio = if f.compressed_size() > 0 {
            f.size() / f.compressed_size()
        } else {
            0
        };
        if f.size() > MAX_ZIP_PART_BYTES && ratio > MAX_ZIP_RATIO {
            return Err(format!(
                "文件异常,疑似压缩炸弹 (part {} inflates {}× to {} MB; refused as a zip bomb)",
                f.name().map(|n| n.into_owned()).unwrap_or_default(),
                ratio,
                f.size() / 1_048_576
            ));
        }
    }
    if total > MAX_UNZIPPED_BYTES {
        return Err(format!(
            "文件解压后过大 (the workbook inflates to {} MB; at most {} MB is accepted)",
            total / 1_048_576,
            MAX_UNZIPPED_BYTES / 1_048_576
        ));
    }
    Ok(())
}

thread_local! {
    static IN_READER: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// Keep a reader library's panic message off the terminal: the file's error says it all.
/// Panics anywhere else are printed as usual.
pub fn install_panic_hook() {
    let previous = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        if !IN_READER.with(|r| r.get()) {
            previous(info);
        }
    }));
}

/// `read` of the file `name`; a panic inside it (a reader library) becomes this file's error.
pub(super) fn catch_panic(name: String, read: impl FnOnce() -> FileOutcome) -> FileOutcome {
    IN_READER.with(|r| r.set(true));
    let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(read));
    IN_READER.with(|r| r.set(false));
    match result {
        Ok(o) => o,
        Err(_) => FileOutcome {
            errors: vec![Diagnostic::new(
                Location::file(name),
                "文件损坏,读取时出错 (the file is damaged: the spreadsheet reader failed on it); open and save it again in Excel",
            )],
            ..Default::default()
        },
    }
}
