//! `dxplan backup DIR` and `dxplan restore DIR`: the database and every evidence file it
//! references, in one folder with a checksum manifest.
//!
//! A backup folder holds
//! - `dxplan.db` (SQLite, a `VACUUM INTO` snapshot) or `dxplan.dump` (PostgreSQL, `pg_dump -Fc`);
//! - `attachments/ab/abcdef…`: every evidence file the database references, named by its
//!   SHA-256 as in the data directory;
//! - `backup.json`: dxplan's version, the schema version, the engine, the time, counts;
//! - `MANIFEST.sha256`: every other file with its checksum, in `sha256sum` format, so
//!   `sha256sum -c MANIFEST.sha256` checks a backup by hand.
//!
//! The folder is written as `DIR.partial` and renamed when complete, so an interrupted
//! backup never looks like a finished one. Evidence files are written before the rows that
//! reference them, so the hashes read from the snapshot (or, on PostgreSQL, from the live
//! database after the dump) name files that are all on disk.

use std::collections::{BTreeMap, BTreeSet};
use std::fs::File;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::time::Instant;

use dxplan_store::{Db, StoreError};
use sha2::{Digest, Sha256};

mod postgres;
mod restore;

use postgres::pg_dump;
pub use restore::{install_aside, replace_database, restore};

pub const MANIFEST: &str = "MANIFEST.sha256";
pub const INFO: &str = "backup.json";
pub const SQLITE_FILE: &str = "dxplan.db";
pub const PG_DUMP_FILE: &str = "dxplan.dump";
const ATTACHMENTS: &str = "attachments";
/// Read and write in pieces this large: evidence files run to 20 MB and more, thousands
/// of them, and none is ever held in memory whole.
const CHUNK: usize = 256 * 1024;

#[derive(Debug, thiserror::Error)]
pub enum BackupError {
    #[error(
        "{0} đã có và không trống; hãy chọn thư mục mới / {0} exists and is not empty; choose a new folder"
    )]
    NotEmpty(String),
    #[error(
        "{0} còn lại từ một lần sao lưu bị ngắt; hãy xoá nó / {0} is left from an interrupted backup; remove it first"
    )]
    PartialLeft(String),
    #[error("không có cơ sở dữ liệu tại {0} / there is no database at {0}")]
    NoDatabase(String),
    #[error(
        "thiếu {} tệp minh chứng mà cơ sở dữ liệu tham chiếu; chưa ghi bản sao lưu (--allow-missing để sao lưu không có chúng) / {} evidence files the database references are missing or damaged in {dir}; no backup was written (--allow-missing writes one without them):\n{}",
        files.len(), files.len(), list(files)
    )]
    Missing { dir: String, files: Vec<String> },
    #[error(
        "bản sao lưu {dir} bị hỏng; chưa thay đổi gì / the backup in {dir} is damaged; nothing was changed:\n{}",
        list(problems)
    )]
    Damaged { dir: String, problems: Vec<String> },
    #[error(
        "bản sao lưu {dir} là của {backup}, cơ sở dữ liệu đích là {target} / the backup in {dir} is of {backup}, the target database is {target}"
    )]
    EngineMismatch {
        dir: String,
        backup: String,
        target: String,
    },
    #[error("{path}: {source}")]
    Io {
        path: String,
        #[source]
        source: std::io::Error,
    },
    #[error("pg_dump: {0}")]
    PgDump(String),
    #[error("cơ sở dữ liệu / database: {0}")]
    Store(#[from] StoreError),
    #[error(transparent)]
    Locked(#[from] crate::lock::LockError),
    #[error("{0}")]
    Task(String),
}

type Result<T, E = BackupError> = std::result::Result<T, E>;

fn list(items: &[String]) -> String {
    items
        .iter()
        .map(|i| format!("  - {i}"))
        .collect::<Vec<_>>()
        .join("\n")
}

/// Attaches the path to an I/O error, so every failure names its file.
fn io_at(path: &Path) -> impl FnOnce(std::io::Error) -> BackupError + '_ {
    move |source| BackupError::Io {
        path: path.display().to_string(),
        source,
    }
}

fn is_sha256(s: &str) -> bool {
    s.len() == 64
        && s.bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

/// Where a file of this hash lives below a data directory or a backup folder.
fn relative_path(sha: &str) -> String {
    format!("{ATTACHMENTS}/{}/{sha}", &sha[..2])
}

/// Copies `src` to a new file `dst` in pieces, flushed to disk, and returns the SHA-256 of
/// what was copied and its size.
fn copy_hashed(src: &Path, dst: &Path) -> Result<(String, u64)> {
    let mut input = File::open(src).map_err(io_at(src))?;
    let mut output = File::create_new(dst).map_err(io_at(dst))?;
    let mut hasher = Sha256::new();
    let mut buf = vec![0u8; CHUNK];
    let mut size = 0u64;
    loop {
        let n = input.read(&mut buf).map_err(io_at(src))?;
        if n == 0 {
            break;
        }
        hasher.update(&buf[..n]);
        output.write_all(&buf[..n]).map_err(io_at(dst))?;
        size += n as u64;
    }
    output.sync_all().map_err(io_at(dst))?;
    Ok((hex::encode(hasher.finalize()), size))
}

/// The SHA-256 of a file, read in pieces.
fn hash_file(path: &Path) -> Result<String> {
    let mut input = File::open(path).map_err(io_at(path))?;
    let mut hasher = Sha256::new();
    let mut buf = vec![0u8; CHUNK];
    loop {
        let n = input.read(&mut buf).map_err(io_at(path))?;
        if n == 0 {
            break;
        }
        hasher.update(&buf[..n]);
    }
    Ok(hex::encode(hasher.finalize()))
}

/// Flushes a folder's entries (a new or renamed file is durable only once its folder is).
fn sync_dir(dir: &Path) -> Result<()> {
    File::open(dir)
        .and_then(|d| d.sync_all())
        .map_err(io_at(dir))
}

fn write_synced(path: &Path, bytes: &[u8]) -> Result<()> {
    let mut f = File::create_new(path).map_err(io_at(path))?;
    f.write_all(bytes).map_err(io_at(path))?;
    f.sync_all().map_err(io_at(path))
}

async fn blocking<T: Send + 'static>(f: impl FnOnce() -> Result<T> + Send + 'static) -> Result<T> {
    tokio::task::spawn_blocking(f)
        .await
        .map_err(|e| BackupError::Task(e.to_string()))?
}

fn engine_name(db: &Db) -> &'static str {
    match db {
        Db::Sqlite(_) => "sqlite",
        Db::Postgres { .. } => "postgres",
    }
}

/// What a finished backup holds, for the operator's summary.
#[derive(Debug)]
pub struct BackupSummary {
    pub dir: PathBuf,
    pub database: &'static str,
    pub database_bytes: u64,
    pub files: usize,
    pub file_bytes: u64,
    pub missing: Vec<String>,
    pub seconds: f64,
}

/// Writes a complete backup of the database `db` and the evidence files under `data_dir`
/// into the new folder `dir`. `url` is the database's URL (PostgreSQL: given to `pg_dump`).
pub async fn backup(
    db: &Db,
    url: &str,
    data_dir: &Path,
    dir: &Path,
    allow_missing: bool,
) -> Result<BackupSummary> {
    let started = Instant::now();
    if dir.exists() {
        let empty = std::fs::read_dir(dir)
            .map(|mut entries| entries.next().is_none())
            .unwrap_or(false);
        if !empty {
            return Err(BackupError::NotEmpty(dir.display().to_string()));
        }
    }
    let partial = partial_of(dir)?;
    if let Some(parent) = partial.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(parent).map_err(io_at(parent))?;
    }
    // `create_dir`, not `create_dir_all`: it fails when the folder exists, so two backups
    // never write into one folder and a crashed one's leftovers are not taken for ours.
    if let Err(e) = std::fs::create_dir(&partial) {
        return Err(if e.kind() == std::io::ErrorKind::AlreadyExists {
            BackupError::PartialLeft(partial.display().to_string())
        } else {
            io_at(&partial)(e)
        });
    }
    let written = write_partial(db, url, data_dir, &partial, allow_missing).await;
    let mut summary = match written {
        Ok(summary) => summary,
        Err(e) => {
            // A failed backup leaves nothing that could be mistaken for one.
            let _ = std::fs::remove_dir_all(&partial);
            return Err(e);
        }
    };
    std::fs::rename(&partial, dir).map_err(io_at(dir))?;
    if let Some(parent) = dir.parent().filter(|p| !p.as_os_str().is_empty()) {
        sync_dir(parent)?;
    }
    summary.dir = dir.to_path_buf();
    summary.seconds = started.elapsed().as_secs_f64();
    Ok(summary)
}

fn partial_of(dir: &Path) -> Result<PathBuf> {
    let name = dir
        .file_name()
        .ok_or_else(|| BackupError::NotEmpty(dir.display().to_string()))?;
    let mut partial = name.to_os_string();
    partial.push(".partial");
    Ok(dir.with_file_name(partial))
}

async fn write_partial(
    db: &Db,
    url: &str,
    data_dir: &Path,
    partial: &Path,
    allow_missing: bool,
) -> Result<BackupSummary> {
    // The database first, then the hashes it references: every file a row names was on
    // disk before the row was written.
    let (database, hashes, schema_version) = match db {
        Db::Sqlite(_) => {
            let snapshot = partial.join(SQLITE_FILE);
            db.backup_sqlite(&snapshot).await?;
            // VACUUM INTO does not sync what it wrote.
            File::open(&snapshot)
                .and_then(|f| f.sync_all())
                .map_err(io_at(&snapshot))?;
            let snap = Db::open_snapshot(&snapshot).await?;
            let read = async {
                let mut c = snap.read().await?;
                let hashes = dxplan_store::backup::referenced_files(&mut c).await?;
                let version = dxplan_store::backup::schema_version(&mut c).await?;
                Ok::<_, StoreError>((hashes, version))
            }
            .await;
            snap.close().await;
            let (hashes, version) = read?;
            (SQLITE_FILE, hashes, version)
        }
        Db::Postgres { .. } => {
            let dump = partial.join(PG_DUMP_FILE);
            let url = url.to_string();
            blocking(move || pg_dump(&url, &dump)).await?;
            let mut c = db.read().await?;
            let hashes = dxplan_store::backup::referenced_files(&mut c).await?;
            let version = dxplan_store::backup::schema_version(&mut c).await?;
            (PG_DUMP_FILE, hashes, version)
        }
    };
    let engine = engine_name(db);
    let data_dir = data_dir.to_path_buf();
    let partial = partial.to_path_buf();
    blocking(move || {
        let copied = copy_evidence(&data_dir, &partial, &hashes, allow_missing)?;
        let db_path = partial.join(database);
        let database_bytes = std::fs::metadata(&db_path).map_err(io_at(&db_path))?.len();
        let mut manifest = BTreeMap::new();
        manifest.insert(database.to_string(), hash_file(&db_path)?);
        let file_bytes: u64 = copied.files.iter().map(|(_, size)| size).sum();
        let info = serde_json::json!({
            "format": 1,
            "dxplan_version": env!("CARGO_PKG_VERSION"),
            "schema_version": schema_version,
            "engine": engine,
            "database": database,
            "created_at": now_rfc3339(),
            "database_bytes": database_bytes,
            "evidence_files": copied.files.len(),
            "evidence_bytes": file_bytes,
            "missing": copied.missing,
        });
        let info = serde_json::to_vec_pretty(&info)
            .map_err(|e| BackupError::Task(format!("backup.json: {e}")))?;
        write_synced(&partial.join(INFO), &info)?;
        manifest.insert(INFO.to_string(), hex::encode(Sha256::digest(&info)));
        for (sha, _) in &copied.files {
            manifest.insert(relative_path(sha), sha.clone());
        }
        // Two spaces between checksum and name: `sha256sum`'s own format.
        let text: String = manifest
            .iter()
            .map(|(path, sha)| format!("{sha}  {path}\n"))
            .collect();
        write_synced(&partial.join(MANIFEST), text.as_bytes())?;
        sync_dir(&partial)?;
        Ok(BackupSummary {
            dir: partial.clone(),
            database,
            database_bytes,
            files: copied.files.len(),
            file_bytes,
            missing: copied.missing,
            seconds: 0.0,
        })
    })
    .await
}

fn now_rfc3339() -> String {
    time::OffsetDateTime::now_utc()
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_default()
}

struct Copied {
    /// (sha256, size) of every file copied, its content checked against its name.
    files: Vec<(String, u64)>,
    /// Named files the backup does not hold (only with `allow_missing`).
    missing: Vec<String>,
}

/// Copies every referenced file into the backup, checking each one's content against its
/// name. A file that is absent or whose bytes no longer match its hash is not evidence:
/// without `allow_missing` the backup fails and names them all.
fn copy_evidence(
    data_dir: &Path,
    partial: &Path,
    hashes: &[String],
    allow_missing: bool,
) -> Result<Copied> {
    let source_dir = data_dir.join(ATTACHMENTS);
    let describe = |sha: &str, why: &str| {
        format!(
            "{} ({why})",
            source_dir
                .join(sha.get(..2).unwrap_or(""))
                .join(sha)
                .display()
        )
    };
    // A first pass that only looks, so a missing file fails the backup before gigabytes
    // are copied.
    let mut problems = Vec::new();
    let mut missing = BTreeSet::new();
    for sha in hashes {
        if !is_sha256(sha) {
            problems.push(format!("{sha:?} (not a file hash)"));
            missing.insert(sha.clone());
        } else if !data_dir.join(relative_path(sha)).is_file() {
            problems.push(describe(sha, "missing"));
            missing.insert(sha.clone());
        }
    }
    if !problems.is_empty() && !allow_missing {
        return Err(BackupError::Missing {
            dir: data_dir.display().to_string(),
            files: problems,
        });
    }
    let mut files = Vec::with_capacity(hashes.len());
    let mut folders = BTreeSet::new();
    let present: Vec<&String> = hashes
        .iter()
        .filter(|sha| !missing.contains(*sha))
        .collect();
    for sha in present {
        let folder = partial.join(ATTACHMENTS).join(&sha[..2]);
        if folders.insert(folder.clone()) {
            std::fs::create_dir_all(&folder).map_err(io_at(&folder))?;
        }
        let target = folder.join(sha);
        let (copied, size) = copy_hashed(&data_dir.join(relative_path(sha)), &target)?;
        if &copied == sha {
            files.push((sha.clone(), size));
        } else {
            std::fs::remove_file(&target).map_err(io_at(&target))?;
            problems.push(describe(
                sha,
                "damaged: its content no longer matches its name",
            ));
            missing.insert(sha.clone());
        }
    }
    if !problems.is_empty() && !allow_missing {
        return Err(BackupError::Missing {
            dir: data_dir.display().to_string(),
            files: problems,
        });
    }
    for folder in &folders {
        sync_dir(folder)?;
    }
    if !folders.is_empty() {
        sync_dir(&partial.join(ATTACHMENTS))?;
    }
    for p in &problems {
        eprintln!("cảnh báo / warning: not in the backup: {p}");
    }
    Ok(Copied {
        files,
        missing: missing.into_iter().collect(),
    })
}
