//! The data directory's lock. `serve` and `demo` hold `DATA_DIR/dxplan.lock` for as long
//! as they run, and `restore` and `migrate` for as long as they change things, so none of
//! them replaces a database another process is writing. The operating system drops the
//! lock with the process, even on `kill -9`: a stale lock file is never in the way.

use std::fs::{File, OpenOptions, TryLockError};
use std::io::{Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

/// The lock file's name inside the data directory.
pub const LOCK_FILE: &str = "dxplan.lock";

#[derive(Debug, thiserror::Error)]
pub enum LockError {
    #[error(
        "một máy chủ dxplan đang chạy trên {dir} (pid {pid}); hãy dừng nó trước / a dxplan server is running on {dir} (pid {pid}); stop it first"
    )]
    Server { dir: String, pid: String },
    #[error(
        "lệnh dxplan {command} đang chạy trên {dir} (pid {pid}); hãy đợi nó xong / dxplan {command} is running on {dir} (pid {pid}); wait for it to finish"
    )]
    Command {
        dir: String,
        pid: String,
        command: String,
    },
    #[error("không khoá được / cannot lock {path}: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
}

/// Held for as long as the value lives; dropping it (or the process ending) unlocks.
#[derive(Debug)]
pub struct DataDirLock {
    _file: File,
}

/// Takes the data directory's lock for `command` (`serve`, `demo`, `restore`, `migrate`),
/// or says who holds it. Creates the data directory when it does not exist yet.
pub fn acquire(data_dir: &Path, command: &str) -> Result<DataDirLock, LockError> {
    let path = data_dir.join(LOCK_FILE);
    let io = |source| LockError::Io {
        path: path.clone(),
        source,
    };
    std::fs::create_dir_all(data_dir).map_err(io)?;
    // Not truncated on open: until we hold the lock, the file names its holder.
    let mut file = OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(false)
        .open(&path)
        .map_err(io)?;
    match file.try_lock() {
        Ok(()) => {}
        Err(TryLockError::WouldBlock) => {
            let mut holder = String::new();
            // A holder that has not written its line yet is still a holder.
            let _ = file.read_to_string(&mut holder);
            let mut words = holder.split_whitespace();
            let pid = words.next().unwrap_or("?").to_string();
            let dir = data_dir.display().to_string();
            return Err(match words.next() {
                Some(other) if other != "serve" && other != "demo" => LockError::Command {
                    dir,
                    pid,
                    command: other.to_string(),
                },
                _ => LockError::Server { dir, pid },
            });
        }
        Err(TryLockError::Error(e)) => return Err(io(e)),
    }
    // Who holds it, for the message another command shows.
    file.set_len(0).map_err(io)?;
    file.seek(SeekFrom::Start(0)).map_err(io)?;
    writeln!(file, "{} {command}", std::process::id()).map_err(io)?;
    Ok(DataDirLock { _file: file })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_held_lock_names_its_holder_and_is_free_again_once_dropped() {
        let dir = tempfile::tempdir().unwrap();
        let held = acquire(dir.path(), "serve").unwrap();
        // flock(2) locks belong to the open file: a second open in this process conflicts
        // just as another process would.
        match acquire(dir.path(), "restore") {
            Err(LockError::Server { pid, .. }) => assert_eq!(pid, std::process::id().to_string()),
            other => panic!("expected the server's lock, got {other:?}"),
        }
        drop(held);
        let restoring = acquire(dir.path(), "restore").unwrap();
        match acquire(dir.path(), "serve") {
            Err(e @ LockError::Command { .. }) => {
                assert!(e.to_string().contains("dxplan restore is running"), "{e}")
            }
            other => panic!("expected restore's lock, got {other:?}"),
        }
        drop(restoring);
    }
}
