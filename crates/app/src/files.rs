//! The evidence file store: files on disk under the data directory, named by their
//! SHA-256 (`attachments/ab/abcdef…`), written atomically and durably.

use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

pub use dxplan_store::attachments::{Attachment, ValueFile};

use crate::error::{AppError, AppResult};

fn path_of(data_dir: &Path, sha256: &str) -> AppResult<PathBuf> {
    check_hash(sha256)?;
    Ok(data_dir.join("attachments").join(&sha256[..2]).join(sha256))
}

fn check_hash(sha256: &str) -> AppResult<()> {
    if sha256.len() != 64 || !sha256.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(AppError::NotFound);
    }
    Ok(())
}

/// How long an uploaded workbook waits, previewed, for its confirmation.
const PREVIEW_KEPT: std::time::Duration = std::time::Duration::from_secs(24 * 3600);

/// Keeps a previewed upload (a plan appendix) for its confirmation, under
/// `previews/` — not with the evidence files, which backups carry — and removes the
/// previews older than a day. Returns the token the confirmation names it by.
pub async fn save_preview(data_dir: &Path, bytes: Vec<u8>) -> AppResult<String> {
    let dir = data_dir.join("previews");
    tokio::task::spawn_blocking(move || -> AppResult<String> {
        let sha = hex::encode(Sha256::digest(&bytes));
        std::fs::create_dir_all(&dir)
            .map_err(|e| AppError::internal(format!("creating {}: {e}", dir.display())))?;
        if let Ok(entries) = std::fs::read_dir(&dir) {
            for entry in entries.flatten() {
                let old = entry
                    .metadata()
                    .and_then(|m| m.modified())
                    .ok()
                    .and_then(|t| t.elapsed().ok())
                    .is_some_and(|age| age > PREVIEW_KEPT);
                if old {
                    let _ = std::fs::remove_file(entry.path());
                }
            }
        }
        std::fs::write(dir.join(&sha), &bytes)
            .map_err(|e| AppError::internal(format!("writing a preview: {e}")))?;
        Ok(sha)
    })
    .await
    .map_err(|e| AppError::internal(format!("preview task: {e}")))?
}

/// A previewed upload by its token (gone after a day).
pub async fn read_preview(data_dir: &Path, token: &str) -> AppResult<Vec<u8>> {
    check_hash(token)?;
    let path = data_dir.join("previews").join(token);
    tokio::fs::read(&path).await.map_err(|e| match e.kind() {
        std::io::ErrorKind::NotFound => AppError::NotFound,
        _ => AppError::internal(format!("reading {}: {e}", path.display())),
    })
}

/// Stores the bytes (once per content) and returns their SHA-256.
pub async fn save(data_dir: &Path, bytes: Vec<u8>) -> AppResult<String> {
    let data_dir = data_dir.to_path_buf();
    tokio::task::spawn_blocking(move || -> AppResult<String> {
        let sha = hex::encode(Sha256::digest(&bytes));
        let target = path_of(&data_dir, &sha)?;
        if target.exists() {
            return Ok(sha);
        }
        let dir = target
            .parent()
            .ok_or_else(|| AppError::internal("attachment path has no folder"))?;
        std::fs::create_dir_all(dir)
            .map_err(|e| AppError::internal(format!("creating {}: {e}", dir.display())))?;
        // Write to a temporary name, flush to disk, then rename: a crash never leaves a
        // half-written file under the real name.
        let tmp = dir.join(format!(".{sha}.{}", std::process::id()));
        let write = || -> std::io::Result<()> {
            use std::io::Write;
            let mut f = std::fs::File::create(&tmp)?;
            f.write_all(&bytes)?;
            f.sync_all()?;
            std::fs::rename(&tmp, &target)?;
            std::fs::File::open(dir)?.sync_all()
        };
        write().map_err(|e| {
            let _ = std::fs::remove_file(&tmp);
            AppError::internal(format!("writing attachment: {e}"))
        })?;
        Ok(sha)
    })
    .await
    .map_err(|e| AppError::internal(format!("attachment task: {e}")))?
}

/// An uploaded file that passed the checks and is on disk.
pub struct Accepted {
    /// The name as the user gave it, made safe to keep and show.
    pub name: String,
    pub kind: dxplan_domain::attachment::FileKind,
    pub size: i64,
    pub sha256: String,
}

/// Checks an uploaded file (type by name and content, size limit) and stores its bytes
/// once; nothing is written when the file is refused.
pub async fn accept(
    data_dir: &Path,
    max_bytes: u64,
    name: &str,
    bytes: Vec<u8>,
) -> AppResult<Accepted> {
    let (name, kind) =
        dxplan_domain::attachment::check_file(name, &bytes, max_bytes).map_err(AppError::File)?;
    let size = bytes.len() as i64;
    let sha256 = save(data_dir, bytes).await?;
    Ok(Accepted {
        name,
        kind,
        size,
        sha256,
    })
}

pub async fn read(data_dir: &Path, sha256: &str) -> AppResult<Vec<u8>> {
    let path = path_of(data_dir, sha256)?;
    tokio::fs::read(&path).await.map_err(|e| match e.kind() {
        std::io::ErrorKind::NotFound => AppError::NotFound,
        _ => AppError::internal(format!("reading {}: {e}", path.display())),
    })
}
