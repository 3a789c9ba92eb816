//! Throw-away databases for the test suites of every crate.

use sqlx::PgPool;

use crate::{Db, DbOptions, Result};

/// A throw-away database for tests: an SQLite file in the temporary folder, or, when
/// `DXPLAN_TEST_DATABASE_URL` names a PostgreSQL server, a fresh schema on it — so test
/// runs never see each other's data. When `DXPLAN_TEST_REPLICA_URL` also names a streaming
/// replica of that server (`scripts/pg-test-replica`), reads go there as in production
/// with `--database-replica`, so the whole suite checks that every read sees the commits
/// before it.
pub struct TestDb {
    pub db: Db,
    options: DbOptions,
    sqlite_file: Option<std::path::PathBuf>,
}

impl TestDb {
    pub async fn new() -> Result<TestDb> {
        let unique = format!(
            "{}_{}",
            std::process::id(),
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map(|d| d.as_nanos())
                .unwrap_or_default()
        );
        let unique = format!(
            "{unique}_{}",
            TEST_COUNTER.fetch_add(1, std::sync::atomic::Ordering::Relaxed)
        );
        match std::env::var("DXPLAN_TEST_DATABASE_URL")
            .ok()
            .filter(|u| !u.is_empty())
        {
            Some(url) => {
                let schema = format!("t_{unique}");
                let admin = PgPool::connect(&url).await?;
                sqlx::query(sqlx::AssertSqlSafe(format!("CREATE SCHEMA \"{schema}\"")))
                    .execute(&admin)
                    .await?;
                admin.close().await;
                let mut options = DbOptions::new(url);
                options.pg_schema = Some(schema);
                options.max_connections = 4;
                options.replica_url = std::env::var("DXPLAN_TEST_REPLICA_URL")
                    .ok()
                    .filter(|u| !u.is_empty());
                Ok(TestDb {
                    db: Db::connect(&options).await?,
                    options,
                    sqlite_file: None,
                })
            }
            None => {
                let path = std::env::temp_dir().join(format!("dxplan-test-{unique}.db"));
                let options = DbOptions::new(format!("sqlite://{}", path.display()));
                let db = Db::connect(&options).await?;
                Ok(TestDb {
                    db,
                    options,
                    sqlite_file: Some(path),
                })
            }
        }
    }

    /// A second, independent pool on the same database, as a restarted server opens: what
    /// it sees is only what was written down.
    pub async fn reconnect(&self) -> Result<Db> {
        Db::connect(&self.options).await
    }
}

static TEST_COUNTER: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);

impl Drop for TestDb {
    fn drop(&mut self) {
        if let Some(path) = &self.sqlite_file {
            for suffix in ["", "-wal", "-shm"] {
                let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
            }
        }
    }
}
