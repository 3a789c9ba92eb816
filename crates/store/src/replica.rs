//! A PostgreSQL streaming replica for reads, kept consistent with this server's writes.
//!
//! After every commit the process notes how far the primary's write-ahead log has come.
//! A read goes to the replica only when the replica has replayed at least that far, so
//! every read sees every change this server has committed, the reader's own among them,
//! and what the memo keeps is never older than what the primary holds. While the
//! replica lags behind (a burst of writes, a paused or broken standby), reads stay on
//! the primary; nothing waits for the replica. A broken replica is left alone for a few
//! seconds before it is tried again.
//!
//! Writes made by another process (a second dxplan beside this one) are seen once the
//! replica replays them, normally within a second.

use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use sqlx::PgPool;
use sqlx::pool::PoolConnection;
use sqlx::postgres::Postgres;

use crate::{Result, StoreError};

/// `WRITTEN` when the position after a commit could not be read.
const UNKNOWN: u64 = u64::MAX;

/// The primary's WAL position after this process's newest commit, through any pool: a
/// second pool on the same database (background jobs restarted, a test's second server)
/// commits where the first one's readers must see it. One process has one primary; were
/// there two, the larger position only keeps more reads on the primaries.
static WRITTEN: AtomicU64 = AtomicU64::new(0);

/// How long a replica that failed is left alone before it is tried again.
const REST_AFTER_FAILURE: Duration = Duration::from_secs(10);

/// The primary's WAL position now, in bytes (`pg_lsn` as a number).
const PRIMARY_POSITION: &str = "SELECT (pg_current_wal_lsn() - '0/0'::pg_lsn)::bigint";
/// How far a standby has replayed, in bytes; NULL on a server that is no standby.
/// `pg_last_wal_replay_lsn()` alone is no test: a primary that went through crash recovery
/// at start (a power cut, a killed container) keeps reporting where its recovery ended, and
/// a promoted standby keeps its last replayed position.
const REPLAYED_POSITION: &str = "SELECT CASE WHEN pg_is_in_recovery() \
     THEN (pg_last_wal_replay_lsn() - '0/0'::pg_lsn)::bigint END";

/// Reads sent to the replica and reads kept on the primary, for `/metrics`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ReplicaStats {
    pub replica_reads: u64,
    pub primary_reads: u64,
}

#[derive(Debug)]
pub struct Replica {
    pool: PgPool,
    primary: PgPool,
    /// The furthest position the replica was seen to have replayed (it only grows).
    replayed: AtomicU64,
    /// Until when a failed replica is left alone.
    resting_until: Mutex<Option<Instant>>,
    replica_reads: AtomicU64,
    primary_reads: AtomicU64,
}

impl Replica {
    /// Takes a pool on the standby of `primary`; refuses a server that is no standby (a
    /// replica URL naming the primary by mistake would hide nothing, but says the setup
    /// is wrong).
    pub(crate) async fn new(pool: PgPool, primary: PgPool) -> Result<Replica> {
        let replayed: Option<i64> = sqlx::query_scalar(REPLAYED_POSITION)
            .fetch_one(&pool)
            .await?;
        let Some(replayed) = replayed else {
            return Err(StoreError::Config(
                "the replica's server is no standby (pg_is_in_recovery() is false): \
                 --database-replica must name a streaming replica of the primary"
                    .into(),
            ));
        };
        let replica = Replica {
            pool,
            primary,
            replayed: AtomicU64::new(position(replayed)),
            resting_until: Mutex::new(None),
            replica_reads: AtomicU64::new(0),
            primary_reads: AtomicU64::new(0),
        };
        // What was committed before this start (an earlier run's last changes) must be
        // replayed too before the replica answers.
        replica.note_commit().await;
        Ok(replica)
    }

    /// Notes how far the primary's log has come after a commit. The position is read
    /// after the commit, so it is at or past the commit's own record.
    pub(crate) async fn note_commit(&self) {
        match self.primary_position().await {
            Ok(at) => self.note_written(at),
            // Without the position no read may trust the replica until it is found again.
            Err(e) => {
                tracing::warn!(error = %e, "reading the primary's WAL position after a commit");
                WRITTEN.store(UNKNOWN, Ordering::Release);
            }
        }
    }

    async fn primary_position(&self) -> Result<u64> {
        let at: i64 = sqlx::query_scalar(PRIMARY_POSITION)
            .fetch_one(&self.primary)
            .await?;
        Ok(position(at))
    }

    fn note_written(&self, at: u64) {
        let _ = WRITTEN.fetch_update(Ordering::AcqRel, Ordering::Acquire, |was| {
            Some(if was == UNKNOWN { at } else { was.max(at) })
        });
    }

    /// A connection to the replica when it has replayed every commit of this server;
    /// `None` sends the read to the primary.
    pub(crate) async fn caught_up(&self) -> Option<PoolConnection<Postgres>> {
        let connection = self.try_caught_up().await;
        let counter = match connection {
            Some(_) => &self.replica_reads,
            None => &self.primary_reads,
        };
        counter.fetch_add(1, Ordering::Relaxed);
        connection
    }

    async fn try_caught_up(&self) -> Option<PoolConnection<Postgres>> {
        if self.resting() {
            return None;
        }
        let mut written = WRITTEN.load(Ordering::Acquire);
        if written == UNKNOWN {
            // Read now, the primary's position is past the commit whose position was lost.
            match self.primary_position().await {
                Ok(at) => {
                    self.note_written(at);
                    written = at;
                }
                Err(_) => return None,
            }
        }
        let mut conn = match self.pool.acquire().await {
            Ok(conn) => conn,
            Err(e) => return self.failed(&e),
        };
        if written <= self.replayed.load(Ordering::Acquire) {
            return Some(conn);
        }
        match sqlx::query_scalar::<_, Option<i64>>(REPLAYED_POSITION)
            .fetch_one(&mut *conn)
            .await
        {
            Ok(Some(at)) => {
                let at = position(at);
                self.replayed.fetch_max(at, Ordering::AcqRel);
                (at >= written).then_some(conn)
            }
            // Promoted to a primary of its own: its data may go its own way now.
            Ok(None) => self.failed(&"the replica is no longer a standby"),
            Err(e) => self.failed(&e),
        }
    }

    fn resting(&self) -> bool {
        let mut until = self
            .resting_until
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        match *until {
            Some(t) if Instant::now() < t => true,
            Some(_) => {
                *until = None;
                false
            }
            None => false,
        }
    }

    fn failed(&self, why: &dyn std::fmt::Display) -> Option<PoolConnection<Postgres>> {
        tracing::warn!(error = %why, "the read replica is left alone for {} s", REST_AFTER_FAILURE.as_secs());
        *self
            .resting_until
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner()) =
            Some(Instant::now() + REST_AFTER_FAILURE);
        None
    }

    pub(crate) fn stats(&self) -> ReplicaStats {
        ReplicaStats {
            replica_reads: self.replica_reads.load(Ordering::Relaxed),
            primary_reads: self.primary_reads.load(Ordering::Relaxed),
        }
    }

    pub(crate) async fn close(&self) {
        self.pool.close().await;
    }
}

/// A WAL position read as `bigint` (never negative: it counts bytes from the start).
fn position(at: i64) -> u64 {
    u64::try_from(at).unwrap_or(0)
}
