use std::path::Path;
use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;

use sqlx::pool::PoolConnection;
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{PgConnection, PgPool, Postgres, Sqlite, SqliteConnection, SqlitePool, Transaction};

use crate::replica::{Replica, ReplicaStats};
use crate::{Result, StoreError};

static SQLITE_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/sqlite");
static POSTGRES_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/postgres");

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// How to reach the database.
#[derive(Debug, Clone)]
pub struct DbOptions {
    /// `sqlite://path`, a plain file path, or `postgres://…`.
    pub url: String,
    /// PostgreSQL only: the schema to work in (tests give each run its own).
    pub pg_schema: Option<String>,
    pub max_connections: u32,
    /// PostgreSQL only: `postgres://…` of a streaming replica that serves reads once it
    /// has replayed this server's commits (see `replica.rs`).
    pub replica_url: Option<String>,
}

impl DbOptions {
    pub fn new(url: impl Into<String>) -> Self {
        DbOptions {
            url: url.into(),
            pg_schema: None,
            max_connections: 8,
            replica_url: None,
        }
    }
}

/// The database: a pool on one of the two engines; on PostgreSQL, perhaps a read replica
/// beside the primary.
#[derive(Clone, Debug)]
pub enum Db {
    Sqlite(SqlitePool),
    Postgres {
        pool: PgPool,
        replica: Option<Arc<Replica>>,
    },
}

/// Connection-pool figures for `/metrics`.
#[derive(Debug, Clone, Copy)]
pub struct PoolStats {
    pub size: u32,
    pub idle: usize,
    /// Where reads went, when there is a replica.
    pub replica: Option<ReplicaStats>,
}

fn is_postgres(url: &str) -> bool {
    url.starts_with("postgres://") || url.starts_with("postgresql://")
}

/// A pool on PostgreSQL at `url`, in `schema` when one is given, that waits at most
/// `wait` for a connection.
async fn pg_pool(url: &str, options: &DbOptions, wait: Duration) -> Result<PgPool> {
    let mut connect =
        PgConnectOptions::from_str(url).map_err(|e| StoreError::Config(e.to_string()))?;
    if let Some(schema) = &options.pg_schema {
        connect = connect.options([("search_path", schema.as_str())]);
    }
    Ok(PgPoolOptions::new()
        .max_connections(options.max_connections)
        .acquire_timeout(wait)
        .connect_with(connect)
        .await?)
}

impl Db {
    /// Connects and brings the schema up to date.
    pub async fn connect(options: &DbOptions) -> Result<Db> {
        let db = Db::open(options).await?;
        db.migrate().await?;
        Ok(db)
    }

    /// Connects without migrating.
    pub async fn open(options: &DbOptions) -> Result<Db> {
        let url = options.url.trim();
        let replica_url = options
            .replica_url
            .as_deref()
            .map(str::trim)
            .filter(|u| !u.is_empty());
        if is_postgres(url) {
            let pool = pg_pool(url, options, Duration::from_secs(10)).await?;
            let replica = match replica_url {
                // A replica that does not answer soon is not waited for: the primary reads.
                Some(r) if is_postgres(r) => Some(Arc::new(
                    Replica::new(
                        pg_pool(r, options, Duration::from_secs(2)).await?,
                        pool.clone(),
                    )
                    .await?,
                )),
                Some(_) => {
                    return Err(StoreError::Config(
                        "the read replica must be a PostgreSQL URL (postgres://…)".into(),
                    ));
                }
                None => None,
            };
            return Ok(Db::Postgres { pool, replica });
        }
        if replica_url.is_some() {
            return Err(StoreError::Config(
                "a read replica needs PostgreSQL: the embedded database has none".into(),
            ));
        }
        let path = url
            .strip_prefix("sqlite://")
            .or_else(|| url.strip_prefix("sqlite:"))
            .unwrap_or(url);
        let connect = SqliteConnectOptions::new()
            .filename(path)
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            // FULL: a commit is on disk before it is acknowledged, so `kill -9` loses nothing.
            .synchronous(SqliteSynchronous::Full)
            .foreign_keys(true)
            .busy_timeout(Duration::from_secs(10));
        let pool = SqlitePoolOptions::new()
            .max_connections(options.max_connections)
            .acquire_timeout(Duration::from_secs(10))
            .connect_with(connect)
            .await?;
        Ok(Db::Sqlite(pool))
    }

    /// Opens an SQLite backup file to read it without changing a byte: read-only and
    /// immutable (no journal, no `-wal`/`-shm` beside it, no locks), so the file still
    /// matches the checksum its backup's manifest lists. Nothing may write the file while
    /// it is open; a finished snapshot is never written again.
    pub async fn open_snapshot(path: &Path) -> Result<Db> {
        let connect = SqliteConnectOptions::new()
            .filename(path)
            .read_only(true)
            .immutable(true)
            .create_if_missing(false);
        let pool = SqlitePoolOptions::new()
            .max_connections(1)
            .acquire_timeout(Duration::from_secs(10))
            .connect_with(connect)
            .await?;
        Ok(Db::Sqlite(pool))
    }

    /// The default database file inside a data directory.
    pub fn sqlite_url_in(data_dir: &Path) -> String {
        format!("sqlite://{}", data_dir.join("dxplan.db").display())
    }

    pub async fn migrate(&self) -> Result<()> {
        match self {
            Db::Sqlite(p) => SQLITE_MIGRATIONS.run(p).await?,
            Db::Postgres { pool, .. } => POSTGRES_MIGRATIONS.run(pool).await?,
        }
        Ok(())
    }

    pub fn backend(&self) -> Backend {
        match self {
            Db::Sqlite(_) => Backend::Sqlite,
            Db::Postgres { .. } => Backend::Postgres,
        }
    }

    /// A pooled connection for reads: on the replica when there is one that has replayed
    /// every commit of this server, else on the primary.
    pub async fn read(&self) -> Result<Conn> {
        Ok(match self {
            Db::Sqlite(p) => Conn::SqlitePool(p.acquire().await?),
            Db::Postgres { pool, replica } => {
                let on_replica = match replica {
                    Some(r) => r.caught_up().await,
                    None => None,
                };
                match on_replica {
                    Some(c) => Conn::PgPool(c),
                    None => Conn::PgPool(pool.acquire().await?),
                }
            }
        })
    }

    /// A transaction for writes; commit it with [`Conn::commit`].
    pub async fn begin(&self) -> Result<Conn> {
        Ok(match self {
            // IMMEDIATE takes the write lock at once, so two writers queue on the busy
            // timeout instead of one failing when it upgrades from a read lock.
            Db::Sqlite(p) => Conn::SqliteTx(p.begin_with("BEGIN IMMEDIATE").await?),
            Db::Postgres { pool, replica } => Conn::PgTx(pool.begin().await?, replica.clone()),
        })
    }

    /// Is the database answering? The primary, where writes go: a replica that fails
    /// only sends reads back to the primary.
    pub async fn ping(&self) -> Result<()> {
        match self {
            Db::Sqlite(p) => sqlx::query("SELECT 1").execute(p).await.map(drop)?,
            Db::Postgres { pool, .. } => sqlx::query("SELECT 1").execute(pool).await.map(drop)?,
        }
        Ok(())
    }

    /// Brings the planner's statistics up to date after a bulk load (the demo, generated
    /// benchmark data): PostgreSQL's autovacuum gets there within minutes, the first
    /// requests would not, and without statistics it may scan where an index serves.
    /// SQLite plans by fixed rules the indexes are made for: nothing to do.
    pub async fn refresh_statistics(&self) -> Result<()> {
        match self {
            Db::Postgres { pool, .. } => {
                sqlx::query("ANALYZE").execute(pool).await?;
                Ok(())
            }
            Db::Sqlite(_) => Ok(()),
        }
    }

    pub fn pool_stats(&self) -> PoolStats {
        match self {
            Db::Sqlite(p) => PoolStats {
                size: p.size(),
                idle: p.num_idle(),
                replica: None,
            },
            Db::Postgres { pool, replica } => PoolStats {
                size: pool.size(),
                idle: pool.num_idle(),
                replica: replica.as_ref().map(|r| r.stats()),
            },
        }
    }

    /// Writes a consistent copy of a live SQLite database to `target` (`VACUUM INTO`
    /// reads inside one transaction, so concurrent writers do not tear the copy).
    pub async fn backup_sqlite(&self, target: &Path) -> Result<()> {
        match self {
            Db::Sqlite(p) => {
                let target = target
                    .to_str()
                    .ok_or_else(|| StoreError::Config("backup path is not UTF-8".into()))?;
                sqlx::query("VACUUM INTO $1")
                    .bind(target)
                    .execute(p)
                    .await?;
                Ok(())
            }
            Db::Postgres { .. } => Err(StoreError::Config(
                "PostgreSQL: use pg_dump (for example `pg_dump -Fc -f dxplan.dump DATABASE_URL`)"
                    .into(),
            )),
        }
    }

    pub async fn close(&self) {
        match self {
            Db::Sqlite(p) => p.close().await,
            Db::Postgres { pool, replica } => {
                pool.close().await;
                if let Some(r) = replica {
                    r.close().await;
                }
            }
        }
    }
}

/// A connection to run repository functions on: pooled (reads) or in a transaction
/// (writes; on PostgreSQL with the replica whose reads must wait for its commit).
pub enum Conn {
    SqlitePool(PoolConnection<Sqlite>),
    SqliteTx(Transaction<'static, Sqlite>),
    PgPool(PoolConnection<Postgres>),
    PgTx(Transaction<'static, Postgres>, Option<Arc<Replica>>),
}

/// The engine-specific connection behind a [`Conn`].
pub enum Raw<'a> {
    Sqlite(&'a mut SqliteConnection),
    Postgres(&'a mut PgConnection),
}

impl Conn {
    pub fn raw(&mut self) -> Raw<'_> {
        match self {
            Conn::SqlitePool(c) => Raw::Sqlite(c),
            Conn::SqliteTx(t) => Raw::Sqlite(t),
            Conn::PgPool(c) => Raw::Postgres(c),
            Conn::PgTx(t, _) => Raw::Postgres(t),
        }
    }

    pub fn backend(&self) -> Backend {
        match self {
            Conn::SqlitePool(_) | Conn::SqliteTx(_) => Backend::Sqlite,
            Conn::PgPool(_) | Conn::PgTx(..) => Backend::Postgres,
        }
    }

    /// Commits a transaction; a pooled connection has nothing to commit.
    pub async fn commit(self) -> Result<()> {
        match self {
            Conn::SqliteTx(t) => t.commit().await?,
            Conn::PgTx(t, replica) => {
                t.commit().await?;
                if let Some(r) = replica {
                    r.note_commit().await;
                }
            }
            Conn::SqlitePool(_) | Conn::PgPool(_) => {}
        }
        Ok(())
    }
}

/// A value bound to a dynamically built query.
#[derive(Debug, Clone)]
pub(crate) enum Arg {
    Int(i64),
    Text(String),
    Date(time::Date),
    Time(time::OffsetDateTime),
}

/// Collects `$N` placeholders and their values for a query built at run time.
#[derive(Default)]
pub(crate) struct Params {
    pub args: Vec<Arg>,
}

impl Params {
    /// Adds a value and returns its placeholder.
    pub fn push(&mut self, arg: Arg) -> String {
        self.args.push(arg);
        format!("${}", self.args.len())
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    fn names(dir: &str) -> BTreeSet<String> {
        std::fs::read_dir(format!("{}/migrations/{dir}", env!("CARGO_MANIFEST_DIR")))
            .expect("migrations folder")
            .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
            .collect()
    }

    #[test]
    fn migrations_stay_in_lock_step() {
        let sqlite = names("sqlite");
        assert!(!sqlite.is_empty());
        assert_eq!(
            sqlite,
            names("postgres"),
            "every migration needs both an SQLite and a PostgreSQL file"
        );
    }
}
