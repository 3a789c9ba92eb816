//! `dxplan restore DIR`: verify the whole backup against its manifest, then put the
//! database and the evidence files in place.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::time::Instant;

use dxplan_store::{Db, DbOptions};

use super::{
    ATTACHMENTS, BackupError, INFO, MANIFEST, PG_DUMP_FILE, Result, SQLITE_FILE, blocking,
    copy_hashed, hash_file, io_at, is_sha256, sync_dir,
};

/// What a restore put in place, for the operator's summary.
#[derive(Debug)]
pub struct RestoreSummary {
    pub database: Option<PathBuf>,
    pub files_written: usize,
    pub files_kept: usize,
    pub missing: Vec<String>,
    pub seconds: f64,
}

/// One verified entry of a backup's manifest.
struct Entry {
    path: String,
    sha: String,
}

/// Restores the backup folder `dir` into `data_dir` (and, on SQLite, the database file
/// `url` names). Everything is verified before anything changes; the caller holds the
/// data directory's lock.
pub async fn restore(dir: &Path, data_dir: &Path, url: &str) -> Result<RestoreSummary> {
    let started = Instant::now();
    let target_engine = if url.starts_with("postgres") {
        "postgres"
    } else {
        "sqlite"
    };
    let damaged = |problems: Vec<String>| BackupError::Damaged {
        dir: dir.display().to_string(),
        problems,
    };
    let info_path = dir.join(INFO);
    let info: serde_json::Value = match std::fs::read(&info_path) {
        Ok(bytes) => {
            serde_json::from_slice(&bytes).map_err(|e| damaged(vec![format!("{INFO}: {e}")]))?
        }
        Err(e) => return Err(damaged(vec![format!("{INFO}: {e}")])),
    };
    let engine = info["engine"].as_str().unwrap_or_default().to_string();
    if engine != target_engine {
        return Err(BackupError::EngineMismatch {
            dir: dir.display().to_string(),
            backup: if engine.is_empty() {
                "?".into()
            } else {
                engine
            },
            target: target_engine.into(),
        });
    }
    let database = if engine == "sqlite" {
        SQLITE_FILE
    } else {
        PG_DUMP_FILE
    };
    let allowed_missing: BTreeSet<String> = info["missing"]
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|v| v.as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default();

    let entries = {
        let dir = dir.to_path_buf();
        blocking(move || verify(&dir, database)).await?
    };
    let entries = entries.map_err(damaged)?;
    if engine == "sqlite" {
        // The snapshot's own references must all be in the backup, or the restored copy
        // would answer 404 for them.
        let snap = Db::open_snapshot(&dir.join(SQLITE_FILE)).await?;
        let read = async {
            let mut c = snap.read().await?;
            dxplan_store::backup::referenced_files(&mut c).await
        }
        .await;
        snap.close().await;
        let listed: BTreeSet<&str> = entries.iter().map(|e| e.sha.as_str()).collect();
        let absent: Vec<String> = read?
            .into_iter()
            .filter(|sha| !listed.contains(sha.as_str()) && !allowed_missing.contains(sha))
            .map(|sha| format!("{sha}: referenced by the database, not in the backup"))
            .collect();
        if !absent.is_empty() {
            return Err(damaged(absent));
        }
    }

    // Verified: from here on things change. The database is copied aside and migrated
    // there, the evidence files go in place first (rows never name a file that is not
    // on disk), then the database replaces the old one by a rename.
    let aside = match engine.as_str() {
        "sqlite" => {
            let target = sqlite_target(url);
            let aside = with_suffix(&target, ".restoring");
            let expected = entries
                .iter()
                .find(|e| e.path == SQLITE_FILE)
                .map(|e| e.sha.clone())
                .unwrap_or_default();
            install_aside(&dir.join(SQLITE_FILE), &aside, Some(&expected)).await?;
            Some((target, aside))
        }
        _ => None,
    };
    let placed = {
        let dir = dir.to_path_buf();
        let data_dir = data_dir.to_path_buf();
        let files: Vec<Entry> = entries
            .into_iter()
            .filter(|e| e.path.starts_with(ATTACHMENTS))
            .collect();
        blocking(move || place_evidence(&dir, &data_dir, &files)).await
    };
    let (files_written, files_kept) = match placed {
        Ok(counts) => counts,
        Err(e) => {
            if let Some((_, aside)) = &aside {
                remove_sqlite_files(aside);
            }
            return Err(e);
        }
    };
    let database_path = match aside {
        Some((target, aside)) => {
            replace_database(&aside, &target)?;
            Some(target)
        }
        None => None,
    };
    Ok(RestoreSummary {
        database: database_path,
        files_written,
        files_kept,
        missing: allowed_missing.into_iter().collect(),
        seconds: started.elapsed().as_secs_f64(),
    })
}

/// Checks the manifest against the folder: every entry well-formed, every listed file
/// present with its checksum, the database and `backup.json` listed. Returns the entries,
/// or every problem found.
fn verify(dir: &Path, database: &str) -> Result<Result<Vec<Entry>, Vec<String>>> {
    let manifest_path = dir.join(MANIFEST);
    let text = match std::fs::read_to_string(&manifest_path) {
        Ok(text) => text,
        Err(e) => return Ok(Err(vec![format!("{MANIFEST}: {e}")])),
    };
    let mut problems = Vec::new();
    let mut entries = Vec::new();
    for (n, line) in text.lines().enumerate().filter(|(_, l)| !l.is_empty()) {
        // `sha256sum` writes "HASH  NAME" (text mode) or "HASH *NAME" (binary mode).
        let parsed = line
            .split_once("  ")
            .or_else(|| line.split_once(" *"))
            .filter(|(sha, path)| is_sha256(sha) && acceptable_path(path, sha, database));
        match parsed {
            Some((sha, path)) => entries.push(Entry {
                path: path.to_string(),
                sha: sha.to_string(),
            }),
            None => problems.push(format!(
                "{MANIFEST} line {}: not an entry of a dxplan backup: {line:?}",
                n + 1
            )),
        }
    }
    for required in [database, INFO] {
        if !entries.iter().any(|e| e.path == required) {
            problems.push(format!("{required}: not in {MANIFEST}"));
        }
    }
    for entry in &entries {
        let path = dir.join(&entry.path);
        if !path.is_file() {
            problems.push(format!("{}: missing", entry.path));
            continue;
        }
        match hash_file(&path) {
            Ok(sha) if sha == entry.sha => {}
            Ok(_) => problems.push(format!("{}: checksum does not match", entry.path)),
            Err(e) => problems.push(e.to_string()),
        }
    }
    Ok(if problems.is_empty() {
        Ok(entries)
    } else {
        Err(problems)
    })
}

/// Only the names a backup writes are accepted, so a manifest cannot make restore write
/// outside the data directory; an evidence file's name is its own checksum.
fn acceptable_path(path: &str, sha: &str, database: &str) -> bool {
    if path == database || path == INFO {
        return true;
    }
    path.strip_prefix("attachments/")
        .and_then(|rest| rest.split_once('/'))
        .is_some_and(|(folder, name)| name == sha && folder == &sha[..2])
}

/// The SQLite database file a URL names.
fn sqlite_target(url: &str) -> PathBuf {
    PathBuf::from(
        url.strip_prefix("sqlite://")
            .or_else(|| url.strip_prefix("sqlite:"))
            .unwrap_or(url),
    )
}

fn with_suffix(path: &Path, suffix: &str) -> PathBuf {
    let mut s = path.as_os_str().to_os_string();
    s.push(suffix);
    PathBuf::from(s)
}

fn remove_sqlite_files(path: &Path) {
    for suffix in ["", "-wal", "-shm", "-journal"] {
        let _ = std::fs::remove_file(with_suffix(path, suffix));
    }
}

/// Copies an SQLite backup to `aside` (checking it against `expected` while copying, when
/// given), then opens and migrates the copy — never the backup itself, whose checksum
/// must stay what the manifest says.
pub async fn install_aside(src: &Path, aside: &Path, expected: Option<&str>) -> Result<()> {
    let installed = copy_and_migrate(src, aside, expected).await;
    if installed.is_err() {
        remove_sqlite_files(aside);
    }
    installed
}

async fn copy_and_migrate(src: &Path, aside: &Path, expected: Option<&str>) -> Result<()> {
    remove_sqlite_files(aside);
    if let Some(parent) = aside.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(parent).map_err(io_at(parent))?;
    }
    let (src_owned, aside_owned) = (src.to_path_buf(), aside.to_path_buf());
    let (sha, _) = blocking(move || copy_hashed(&src_owned, &aside_owned)).await?;
    if expected.is_some_and(|e| e != sha) {
        return Err(BackupError::Damaged {
            dir: src.display().to_string(),
            problems: vec![format!("{}: changed while it was restored", src.display())],
        });
    }
    let mut options = DbOptions::new(format!("sqlite://{}", aside.display()));
    // One connection: when it closes, SQLite checkpoints the log into the file and
    // removes it, so the copy is one self-contained file again.
    options.max_connections = 1;
    let db = Db::connect(&options).await?;
    db.close().await;
    let wal = with_suffix(aside, "-wal");
    if wal.exists() {
        return Err(BackupError::Task(format!(
            "{} was left after migrating the restored copy",
            wal.display()
        )));
    }
    Ok(())
}

/// Puts the migrated copy in place of the database file. The old database's `-wal` and
/// `-shm` go first: SQLite would otherwise replay the old log onto the new file.
pub fn replace_database(aside: &Path, target: &Path) -> Result<()> {
    for suffix in ["-wal", "-shm"] {
        let side = with_suffix(target, suffix);
        match std::fs::remove_file(&side) {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => return Err(io_at(&side)(e)),
        }
    }
    let _ = std::fs::remove_file(with_suffix(aside, "-shm"));
    std::fs::rename(aside, target).map_err(io_at(target))?;
    if let Some(parent) = target.parent().filter(|p| !p.as_os_str().is_empty()) {
        sync_dir(parent)?;
    }
    Ok(())
}

/// Puts the backup's evidence files into the data directory: one already there with the
/// right content is kept; any other is written aside, flushed and renamed into place.
/// Returns (written, kept).
fn place_evidence(dir: &Path, data_dir: &Path, files: &[Entry]) -> Result<(usize, usize)> {
    let mut written = 0;
    let mut kept = 0;
    let mut folders = BTreeSet::new();
    for entry in files {
        let target = data_dir.join(&entry.path);
        if target.is_file() && hash_file(&target)? == entry.sha {
            kept += 1;
            continue;
        }
        let folder = data_dir.join(ATTACHMENTS).join(&entry.sha[..2]);
        if folders.insert(folder.clone()) {
            std::fs::create_dir_all(&folder).map_err(io_at(&folder))?;
        }
        let tmp = folder.join(format!(".{}.restoring", entry.sha));
        let _ = std::fs::remove_file(&tmp);
        let copy = copy_hashed(&dir.join(&entry.path), &tmp).and_then(|(sha, _)| {
            if sha == entry.sha {
                std::fs::rename(&tmp, &target).map_err(io_at(&target))
            } else {
                Err(BackupError::Damaged {
                    dir: dir.display().to_string(),
                    problems: vec![format!("{}: changed while it was restored", entry.path)],
                })
            }
        });
        if let Err(e) = copy {
            let _ = std::fs::remove_file(&tmp);
            return Err(e);
        }
        written += 1;
    }
    for folder in &folders {
        sync_dir(folder)?;
    }
    if !folders.is_empty() {
        sync_dir(&data_dir.join(ATTACHMENTS))?;
    }
    Ok((written, kept))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_manifest_names_only_files_a_backup_writes() {
        let sha = "ab".repeat(32);
        assert!(acceptable_path(
            &format!("attachments/ab/{sha}"),
            &sha,
            SQLITE_FILE
        ));
        assert!(acceptable_path("dxplan.db", &sha, SQLITE_FILE));
        assert!(!acceptable_path("dxplan.db", &sha, PG_DUMP_FILE));
        assert!(!acceptable_path(
            &format!("attachments/cd/{sha}"),
            &sha,
            SQLITE_FILE
        ));
        assert!(!acceptable_path(
            &format!("attachments/ab/../../{sha}"),
            &sha,
            SQLITE_FILE
        ));
        assert!(!acceptable_path("../etc/passwd", &sha, SQLITE_FILE));
        assert!(!acceptable_path(
            &format!("/attachments/ab/{sha}"),
            &sha,
            SQLITE_FILE
        ));
    }
}
