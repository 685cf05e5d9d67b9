//! Writing outputs so that an interrupted run never leaves a half-written file in the place of a
//! good one: everything is produced in a staging folder beside the destination, synced, and only
//! then renamed into place (a rename within one file system is atomic).

use crate::error::{Error, Result};
use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

/// Write `bytes` to `path` atomically: temporary file in the same folder, fsync, rename.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<()> {
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let tmp = dir.join(format!(".{name}.tmp-{}", std::process::id()));
    let result = (|| -> std::io::Result<()> {
        let mut f = fs::File::create(&tmp)?;
        f.write_all(bytes)?;
        f.sync_all()?;
        drop(f);
        fs::rename(&tmp, path)?;
        sync_dir(dir);
        Ok(())
    })();
    if let Err(e) = result {
        let _ = fs::remove_file(&tmp);
        return Err(Error::io(path, e));
    }
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
        fs::File::open(f)
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

/// A folder where a run's outputs are written before they are moved into place.
pub struct Staging {
    pub dir: PathBuf,
    dest: PathBuf,
    committed: bool,
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
        remove_stale(parent, &format!(".{stem}.staging-"));
        let dir = parent.join(format!(".{stem}.staging-{}", std::process::id()));
        if dir.exists() {
            fs::remove_dir_all(&dir).map_err(|e| Error::io(&dir, e))?;
        }
        fs::create_dir_all(&dir).map_err(|e| Error::io(&dir, e))?;
        Ok(Staging {
            dir,
            dest: dest.to_path_buf(),
            committed: false,
        })
    }

    /// Move every staged file into the destination (files are synced first, then renamed one
    /// by one; each destination file is either the old good one or the new complete one).
    /// Returns the destination paths.
    pub fn commit(mut self) -> Result<Vec<PathBuf>> {
        let mut files = Vec::new();
        collect_files(&self.dir, &mut files).map_err(|e| Error::io(&self.dir, e))?;
        files.sort();
        sync_files(&self.dir, &files)?;
        let mut written = Vec::new();
        for f in files {
            let rel = f
                .strip_prefix(&self.dir)
                .expect("staged file is under the staging folder");
            let to = self.dest.join(rel);
            if let Some(p) = to.parent() {
                fs::create_dir_all(p).map_err(|e| Error::io(p, e))?;
            }
            fs::rename(&f, &to).map_err(|e| Error::io(&to, e))?;
            written.push(to);
        }
        sync_dir(&self.dest);
        self.committed = true;
        let _ = fs::remove_dir_all(&self.dir);
        Ok(written)
    }
}

impl Drop for Staging {
    fn drop(&mut self) {
        if !self.committed {
            let _ = fs::remove_dir_all(&self.dir);
        }
    }
}

/// Staging folders left by a run that was killed (its process is gone) are removed.
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
        let alive = Path::new("/proc").exists() && Path::new(&format!("/proc/{pid}")).exists();
        if !alive && pid != std::process::id() {
            let _ = fs::remove_dir_all(e.path());
        }
    }
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
