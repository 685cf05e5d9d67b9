//! Writing files so that an interrupted run never leaves a half-written file in the place of a
//! good one: everything is produced in a staging folder beside the destination, synced, and only
//! then renamed into place (a rename within one file system is atomic); a single file through a
//! temporary file renamed over it. Also the safe file names every output uses.

use crate::error::{Error, Result};
use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

/// A file name stem made safe for any file system: no control characters nor `/\:*?"<>|`,
/// at most `max` characters, trimmed.
pub fn file_stem(s: &str, max: usize) -> String {
    s.chars()
        .map(|c| {
            if c.is_control() || "/\\:*?\"<>|".contains(c) {
                '_'
            } else {
                c
            }
        })
        .take(max)
        .collect::<String>()
        .trim()
        .to_string()
}

/// Write `bytes` to `path` atomically: a temporary file in the same folder, synced, then
/// closed and renamed over `path` (`tempfile`'s `persist`), so a reader sees the old file or
/// the new one.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<()> {
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
    let mut tmp = tempfile::NamedTempFile::new_in(dir).map_err(|e| Error::io(dir, e))?;
    tmp.write_all(bytes)
        .and_then(|()| tmp.as_file().sync_all())
        .map_err(|e| Error::io(path, e))?;
    // Closed before the rename: Windows (and wine) may refuse to rename a file still open.
    tmp.into_temp_path()
        .persist(path)
        .map_err(|e| Error::io(path, e.error))?;
    sync_dir(dir);
    Ok(())
}

/// Make the staged files durable before any of them replaces a good one. On Linux one
/// `syncfs` of the staging folder's file system does it for all (thousands of charts at
/// national scale made one fsync per file the slowest part of a run); elsewhere, file by file.
fn sync_files(dir: &Path, files: &[PathBuf]) -> Result<()> {
    #[cfg(target_os = "linux")]
    {
        use std::os::fd::AsRawFd;
        let d = fs::File::open(dir).map_err(|e| Error::io(dir, e))?;
        // SAFETY: `d` is an open descriptor for the duration of the call.
        if unsafe { libc::syncfs(d.as_raw_fd()) } == 0 {
            return Ok(());
        }
    }
    for f in files {
        // Opened for writing: Windows refuses to flush a handle opened for reading only.
        fs::OpenOptions::new()
            .write(true)
            .open(f)
            .and_then(|h| h.sync_all())
            .map_err(|e| Error::io(f, e))?;
    }
    let _ = dir;
    Ok(())
}

fn sync_dir(dir: &Path) {
    if let Ok(d) = fs::File::open(dir) {
        let _ = d.sync_all();
    }
}

/// A folder where a run's outputs are written before they are moved into place. Beside it, a
/// lock file held for the run's life tells other runs that the folder is in use.
pub struct Staging {
    pub dir: PathBuf,
    dest: PathBuf,
    committed: bool,
    lock: Option<(fs::File, PathBuf)>,
}

impl Staging {
    /// A fresh staging folder for the destination folder `dest` (created beside it).
    pub fn new(dest: &Path) -> Result<Staging> {
        let parent = dest
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
            .unwrap_or(Path::new("."));
        fs::create_dir_all(parent).map_err(|e| Error::io(parent, e))?;
        let stem = dest
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| "out".into());
        let prefix = format!(".{stem}.staging-");
        let dir = parent.join(format!("{prefix}{}", std::process::id()));
        // The lock first, then the folder: another run never sees the folder without its lock.
        let lock_path = lock_of(&dir);
        let lock = fs::OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&lock_path)
            .and_then(|f| f.try_lock().map(|()| f).map_err(std::io::Error::from))
            .map_err(|e| Error::io(&lock_path, e))?;
        remove_stale(parent, &prefix);
        if dir.exists() {
            fs::remove_dir_all(&dir).map_err(|e| Error::io(&dir, e))?;
        }
        fs::create_dir_all(&dir).map_err(|e| Error::io(&dir, e))?;
        Ok(Staging {
            dir,
            dest: dest.to_path_buf(),
            committed: false,
            lock: Some((lock, lock_path)),
        })
    }

    /// Move every staged file into the destination (files are synced first, then renamed;
    /// each destination file is either the old good one or the new complete one). A staged
    /// folder (`charts/`) replaces the destination's folder as a whole ([`replace_dir`]):
    /// thousands of renames at national scale become one, and charts of an earlier run of the
    /// period that this run no longer draws do not linger. Returns the destination paths of the
    /// files.
    pub fn commit(mut self) -> Result<Vec<PathBuf>> {
        let mut files = Vec::new();
        collect_files(&self.dir, &mut files).map_err(|e| Error::io(&self.dir, e))?;
        files.sort();
        sync_files(&self.dir, &files)?;
        // Before anything is replaced: a file of an earlier run open in Excel stops the commit
        // whole, so that the outputs on disk stay those of one run.
        let in_use: Vec<PathBuf> = files
            .iter()
            .map(|f| self.dest_of(f))
            .filter(|to| in_use(to))
            .collect();
        if !in_use.is_empty() {
            return Err(Error::InUse { paths: in_use });
        }
        fs::create_dir_all(&self.dest).map_err(|e| Error::io(&self.dest, e))?;
        let mut entries: Vec<fs::DirEntry> = fs::read_dir(&self.dir)
            .and_then(|rd| rd.collect())
            .map_err(|e| Error::io(&self.dir, e))?;
        entries.sort_by_key(|e| e.file_name());
        for e in entries {
            let (from, to) = (e.path(), self.dest.join(e.file_name()));
            let is_dir = e.file_type().map_err(|x| Error::io(&from, x))?.is_dir();
            if is_dir && replace_dir(&from, &to).map_err(|x| Error::io(&to, x))? {
                continue;
            }
            let mut inner = Vec::new();
            if is_dir {
                collect_files(&from, &mut inner).map_err(|x| Error::io(&from, x))?;
                inner.sort();
            } else {
                inner.push(from);
            }
            for f in inner {
                let to = self.dest_of(&f);
                if let Some(p) = to.parent() {
                    fs::create_dir_all(p).map_err(|e| Error::io(p, e))?;
                }
                fs::rename(&f, &to).map_err(|e| rename_error(&to, e))?;
            }
        }
        sync_dir(&self.dest);
        self.committed = true;
        let _ = fs::remove_dir_all(&self.dir);
        Ok(files.iter().map(|f| self.dest_of(f)).collect())
    }

    /// Where the staged file `f` goes.
    fn dest_of(&self, f: &Path) -> PathBuf {
        self.dest.join(
            f.strip_prefix(&self.dir)
                .expect("staged file is under the staging folder"),
        )
    }
}

/// Put the folder `from` (in the staging folder) in the place of `to`: a plain rename when `to`
/// does not exist; else an atomic exchange where the system offers one (Linux `renameat2`),
/// else two renames, the old folder first moved aside into the staging folder. Either way the
/// old folder ends up in the staging folder and is removed with it, so no chart of an earlier
/// run lingers. `false`: neither rename worked (on Windows, a file of the old folder held open
/// keeps the folder from being renamed), so move file by file.
fn replace_dir(from: &Path, to: &Path) -> std::io::Result<bool> {
    if !to.exists() {
        fs::rename(from, to)?;
        return Ok(true);
    }
    #[cfg(target_os = "linux")]
    {
        use std::os::unix::ffi::OsStrExt;
        let c = |p: &Path| std::ffi::CString::new(p.as_os_str().as_bytes()).ok();
        if let (Some(a), Some(b)) = (c(from), c(to)) {
            // SAFETY: both paths are valid NUL-terminated strings for the duration of the call.
            let r = unsafe {
                libc::renameat2(
                    libc::AT_FDCWD,
                    a.as_ptr(),
                    libc::AT_FDCWD,
                    b.as_ptr(),
                    libc::RENAME_EXCHANGE,
                )
            };
            if r == 0 {
                return Ok(true);
            }
        }
    }
    Ok(replace_by_renames(from, to))
}

/// `to` moved aside next to `from`, then `from` renamed to `to`; `to` put back if the second
/// rename fails. Not atomic: for a moment `to` is missing, never half-written.
fn replace_by_renames(from: &Path, to: &Path) -> bool {
    let aside = suffixed(from, ".replaced");
    if fs::rename(to, &aside).is_err() {
        return false;
    }
    if fs::rename(from, to).is_ok() {
        return true;
    }
    let _ = fs::rename(&aside, to);
    false
}

impl Drop for Staging {
    fn drop(&mut self) {
        if !self.committed {
            let _ = fs::remove_dir_all(&self.dir);
        }
        if let Some((file, path)) = self.lock.take() {
            drop(file);
            let _ = fs::remove_file(path);
        }
    }
}

/// The lock file of a staging folder: beside it, named after it.
fn lock_of(dir: &Path) -> PathBuf {
    suffixed(dir, ".lock")
}

/// `path` with `suffix` appended to its last component.
fn suffixed(path: &Path, suffix: &str) -> PathBuf {
    let mut name = path.as_os_str().to_os_string();
    name.push(suffix);
    PathBuf::from(name)
}

/// Staging folders left by a run that was killed are removed: their lock is free. A folder
/// without a lock file comes from a version without locks, and counts as alive only while its
/// process (on Linux, `/proc/<pid>`) is.
fn remove_stale(parent: &Path, prefix: &str) {
    let Ok(rd) = fs::read_dir(parent) else { return };
    for e in rd.flatten() {
        let name = e.file_name().to_string_lossy().into_owned();
        let Some(pid) = name
            .strip_prefix(prefix)
            .and_then(|p| p.parse::<u32>().ok())
        else {
            continue;
        };
        if pid == std::process::id() {
            continue;
        }
        let lock_path = lock_of(&e.path());
        let stale = match fs::OpenOptions::new().write(true).open(&lock_path) {
            Ok(f) => f.try_lock().is_ok(),
            Err(_) => !Path::new(&format!("/proc/{pid}")).exists(),
        };
        if stale {
            let _ = fs::remove_dir_all(e.path());
            let _ = fs::remove_file(&lock_path);
        }
    }
}

/// Is `path` an existing file that another program holds open so that it cannot be replaced
/// (Excel and WPS lock an open workbook on Windows)? Elsewhere an open file never stops a rename.
fn in_use(path: &Path) -> bool {
    #[cfg(windows)]
    {
        match fs::OpenOptions::new().write(true).open(path) {
            Ok(_) => false,
            // Sharing and lock violations; a read-only file (access denied) is not "in use".
            Err(e) => matches!(e.raw_os_error(), Some(32 | 33)),
        }
    }
    #[cfg(not(windows))]
    {
        let _ = path;
        false
    }
}

/// ERROR_ACCESS_DENIED, ERROR_SHARING_VIOLATION, ERROR_LOCK_VIOLATION: what Windows answers a
/// rename over a file that another program holds open.
#[cfg(windows)]
fn is_sharing_error(e: &std::io::Error) -> bool {
    matches!(e.raw_os_error(), Some(5 | 32 | 33))
}

/// A failed rename into the destination: on Windows, the file was opened in the meantime.
fn rename_error(to: &Path, e: std::io::Error) -> Error {
    #[cfg(windows)]
    if is_sharing_error(&e) {
        return Error::InUse {
            paths: vec![to.to_path_buf()],
        };
    }
    Error::io(to, e)
}

fn collect_files(dir: &Path, out: &mut Vec<PathBuf>) -> std::io::Result<()> {
    for e in fs::read_dir(dir)? {
        let e = e?;
        let p = e.path();
        if e.file_type()?.is_dir() {
            collect_files(&p, out)?;
        } else {
            out.push(p);
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_stems_are_safe_and_bounded() {
        assert_eq!(file_stem(" a/b:c* ", 100), "a_b_c_");
        assert_eq!(file_stem("漯河市", 2), "漯河");
        assert_eq!(file_stem("a\tb?<>|\"", 100), "a_b_____");
    }

    fn stage(dest: &Path, files: &[(&str, &str)]) -> Staging {
        let s = Staging::new(dest).unwrap();
        for (rel, body) in files {
            let p = s.dir.join(rel);
            fs::create_dir_all(p.parent().unwrap()).unwrap();
            fs::write(p, body).unwrap();
        }
        s
    }

    #[test]
    fn commit_moves_files_and_replaces_the_charts_folder_whole() {
        let tmp = tempfile::tempdir().unwrap();
        let dest = tmp.path().join("2015-07");
        // First run: into an empty destination (the folder is renamed as a whole).
        let first = stage(
            &dest,
            &[
                ("a.csv", "1"),
                ("charts/x.png", "x1"),
                ("charts/y.png", "y1"),
            ],
        );
        let mut got = first.commit().unwrap();
        got.sort();
        assert_eq!(
            got,
            [
                dest.join("a.csv"),
                dest.join("charts/x.png"),
                dest.join("charts/y.png")
            ]
        );
        // A user's own file beside the outputs stays; the second run's charts replace the
        // first run's, and a chart it no longer draws (y) does not linger.
        fs::write(dest.join("备注.txt"), "mine").unwrap();
        let second = stage(
            &dest,
            &[
                ("a.csv", "2"),
                ("charts/x.png", "x2"),
                ("charts/z.png", "z2"),
            ],
        );
        let staging_dir = second.dir.clone();
        let mut got = second.commit().unwrap();
        got.sort();
        assert_eq!(
            got,
            [
                dest.join("a.csv"),
                dest.join("charts/x.png"),
                dest.join("charts/z.png")
            ]
        );
        let read = |p: &str| fs::read_to_string(dest.join(p)).unwrap();
        assert_eq!(
            (read("a.csv"), read("charts/x.png"), read("charts/z.png")),
            ("2".into(), "x2".into(), "z2".into())
        );
        assert_eq!(read("备注.txt"), "mine");
        assert!(!dest.join("charts/y.png").exists());
        assert!(!staging_dir.exists(), "staging folder removed");
        let left: Vec<_> = fs::read_dir(tmp.path())
            .unwrap()
            .flatten()
            .map(|e| e.file_name())
            .collect();
        assert_eq!(left, [std::ffi::OsString::from("2015-07")]);
    }

    #[test]
    fn without_an_exchange_the_old_folder_is_moved_aside_into_the_staging_folder() {
        // What Windows does (no renameat2): two renames.
        let tmp = tempfile::tempdir().unwrap();
        let (staged, dest) = (tmp.path().join("stage/charts"), tmp.path().join("charts"));
        for (dir, file) in [(&staged, "new.png"), (&dest, "old.png")] {
            fs::create_dir_all(dir).unwrap();
            fs::write(dir.join(file), file).unwrap();
        }
        assert!(replace_by_renames(&staged, &dest));
        assert!(dest.join("new.png").exists() && !dest.join("old.png").exists());
        assert!(tmp.path().join("stage/charts.replaced/old.png").exists());
        assert!(!staged.exists());
        // When the new folder cannot be moved in, the old one is put back.
        assert!(!replace_by_renames(&tmp.path().join("stage/gone"), &dest));
        assert!(dest.join("new.png").exists());
        assert!(!tmp.path().join("stage/gone.replaced").exists());
    }

    #[test]
    fn a_staging_folder_is_removed_only_when_its_lock_is_free() {
        let tmp = tempfile::tempdir().unwrap();
        let dest = tmp.path().join("2015-07");
        let other = tmp.path().join(".2015-07.staging-4000000");
        fs::create_dir_all(&other).unwrap();
        let held = fs::File::create(lock_of(&other)).unwrap();
        held.lock().unwrap();
        // Another run holds its lock: its folder stays.
        drop(Staging::new(&dest).unwrap());
        assert!(other.exists());
        // That run was killed (its lock is released): the next run removes its leftovers.
        drop(held);
        drop(Staging::new(&dest).unwrap());
        assert!(!other.exists() && !lock_of(&other).exists());
        // A folder without a lock file, of a process that is gone, is removed too.
        fs::create_dir_all(&other).unwrap();
        drop(Staging::new(&dest).unwrap());
        assert!(!other.exists());
        let left: Vec<_> = fs::read_dir(tmp.path()).unwrap().flatten().collect();
        assert!(left.is_empty(), "nothing left: {left:?}");
    }
}
