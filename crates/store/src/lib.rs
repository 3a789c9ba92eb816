//! dxplan's persistence layer: one repository API over SQLite (the embedded default)
//! and PostgreSQL (scale-out).
//!
//! Every query is one SQL text with `$N` placeholders that both engines run; the few
//! places where the dialects differ are visible `match`es with a comment. Repository
//! functions take a [`Conn`] — a pooled connection for reads, a transaction for writes —
//! so a change and its audit event are written together.

mod db;
mod error;
mod macros;
mod replica;

pub mod attachments;
pub mod audit;
pub mod backup;
pub mod briefings;
pub mod dhis2;
pub mod displays;
pub mod explanations;
pub mod exports;
pub mod idempotency;
pub mod index_frameworks;
pub mod index_rounds;
pub mod indicators;
pub mod issuers;
pub mod notifications;
pub mod open_data;
pub mod plans;
pub mod reorg;
pub mod sessions;
pub mod steering;
pub mod tasks;
pub mod testing;
pub mod tokens;
pub mod units;
pub mod urging;
pub mod users;
pub mod webhooks;

pub use db::{Backend, Conn, Db, DbOptions, PoolStats, Raw};
pub use error::StoreError;
pub use replica::ReplicaStats;
pub use testing::TestDb;

pub type Result<T, E = StoreError> = std::result::Result<T, E>;
