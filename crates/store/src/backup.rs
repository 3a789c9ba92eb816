//! What a backup reads from a database: the evidence files its rows reference and the
//! schema version it is at.

use crate::macros::q;
use crate::{Conn, Result};

/// Every evidence file (by SHA-256) a row references, each once, in order: task
/// attachments, a figure's files and an index score's evidence (which may be a link,
/// with no file). Plan-import previews are also kept by hash under the data directory but
/// no row references them: they are transient and left out on purpose.
pub async fn referenced_files(c: &mut Conn) -> Result<Vec<String>> {
    let rows: Vec<(String,)> = q!(c, |x| sqlx::query_as(
        "SELECT sha256 FROM attachments
         UNION SELECT sha256 FROM data_value_files
         UNION SELECT sha256 FROM index_evidence WHERE sha256 IS NOT NULL
         ORDER BY 1"
    )
    .fetch_all(x)
    .await)?;
    Ok(rows.into_iter().map(|(sha,)| sha).collect())
}

/// The newest migration applied, so a backup says which schema it holds.
pub async fn schema_version(c: &mut Conn) -> Result<i64> {
    let (version,): (i64,) = q!(c, |x| sqlx::query_as(
        "SELECT COALESCE(MAX(version), 0) FROM _sqlx_migrations WHERE success"
    )
    .fetch_one(x)
    .await)?;
    Ok(version)
}
