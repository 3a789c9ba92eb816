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

use dxplan_store::{Db, DbOptions, StoreError};
use sha2::{Digest, Sha256};

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
        Db::Postgres(_) => "postgres",
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
        Db::Postgres(_) => {
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

/// Runs `pg_dump -Fc` into `target`. The password goes to pg_dump in `PGPASSWORD`, not
/// on its command line, where every local user could read it.
fn pg_dump(url: &str, target: &Path) -> Result<()> {
    let (url, password) = split_password(url);
    let mut command = std::process::Command::new("pg_dump");
    command
        .arg("--format=custom")
        .arg("--file")
        .arg(target)
        .arg("--dbname")
        .arg(&url);
    if let Some(password) = password {
        command.env("PGPASSWORD", password);
    }
    let out = command.output().map_err(|e| {
        if e.kind() == std::io::ErrorKind::NotFound {
            BackupError::PgDump(
                "không tìm thấy pg_dump / pg_dump is not on the PATH: install the PostgreSQL client (Debian: postgresql-client) of the server's major version or newer".into(),
            )
        } else {
            BackupError::PgDump(e.to_string())
        }
    })?;
    if !out.status.success() {
        return Err(BackupError::PgDump(
            String::from_utf8_lossy(&out.stderr).trim().to_string(),
        ));
    }
    File::open(target)
        .and_then(|f| f.sync_all())
        .map_err(io_at(target))
}

/// Takes the password out of a `postgres://user:password@host/db` URL (percent-decoded),
/// returning the URL without it.
fn split_password(url: &str) -> (String, Option<String>) {
    let Some(scheme_end) = url.find("://").map(|i| i + 3) else {
        return (url.to_string(), None);
    };
    let rest = &url[scheme_end..];
    let authority_end = rest.find(['/', '?']).unwrap_or(rest.len());
    let authority = &rest[..authority_end];
    let Some(at) = authority.rfind('@') else {
        return (url.to_string(), None);
    };
    let userinfo = &authority[..at];
    let Some(colon) = userinfo.find(':') else {
        return (url.to_string(), None);
    };
    let password = percent_decode(&userinfo[colon + 1..]);
    let stripped = format!(
        "{}{}{}",
        &url[..scheme_end],
        &userinfo[..colon],
        &url[scheme_end + at..]
    );
    (stripped, Some(password))
}

fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let hex = |i: usize| bytes.get(i).and_then(|&b| (b as char).to_digit(16));
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match (bytes[i], hex(i + 1), hex(i + 2)) {
            (b'%', Some(h), Some(l)) => {
                out.push((h * 16 + l) as u8);
                i += 3;
            }
            (b, _, _) => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

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
    fn the_password_leaves_the_url_for_the_environment() {
        assert_eq!(
            split_password("postgres://dxplan:s%40cr%3At@db.local:5432/dxplan?sslmode=require"),
            (
                "postgres://dxplan@db.local:5432/dxplan?sslmode=require".to_string(),
                Some("s@cr:t".to_string())
            )
        );
        assert_eq!(
            split_password("postgres://dxplan@db.local/dxplan"),
            ("postgres://dxplan@db.local/dxplan".to_string(), None)
        );
        assert_eq!(
            split_password("postgresql:///dxplan?host=/run/postgresql"),
            (
                "postgresql:///dxplan?host=/run/postgresql".to_string(),
                None
            )
        );
    }

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
