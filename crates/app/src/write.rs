//! The one way a change of record reaches the database: a transaction that commits only
//! together with the audit event saying who changed what. There is no commit without
//! audit, because `Write` has no commit that does not take an event.
//!
//! Bookkeeping that is no change of record (a session seen, a job's progress, a
//! notification read, demo seeding) takes [`App::housekeeping`] instead, by name, so a
//! reader sees at once which writes leave no trace.

use std::ops::{Deref, DerefMut};

use dxplan_store::Conn;
use dxplan_store::audit::{self, NewEvent};

use crate::error::{AppError, AppResult};
use crate::{App, Caller};

/// A change in progress. Store functions take it where they take a connection (it
/// dereferences to one); dropped without [`Write::commit`], it rolls back.
pub struct Write<'w> {
    conn: Conn,
    app: &'w App,
    caller: &'w Caller<'w>,
    /// Events recorded so far: a change commits only once it has one.
    recorded: usize,
}

impl App {
    /// Begins a change made by `caller`.
    pub async fn write<'w>(&'w self, caller: &'w Caller<'w>) -> AppResult<Write<'w>> {
        Ok(Write {
            conn: self.db.begin().await?,
            app: self,
            caller,
            recorded: 0,
        })
    }

    /// Begins a write that is no change of record and leaves no audit event.
    pub async fn housekeeping(&self) -> AppResult<Housekeeping<'_>> {
        Ok(Housekeeping {
            conn: self.db.begin().await?,
            app: self,
        })
    }
}

/// Bookkeeping in progress: a connection in a transaction, like [`Write`] but without an
/// audit event.
pub struct Housekeeping<'w> {
    conn: Conn,
    app: &'w App,
}

impl Housekeeping<'_> {
    /// Commits bookkeeping that pages do not show (a session seen, a job's progress), so
    /// what requests remember still holds: a thousand sessions touched once a minute
    /// must not empty it many times a second.
    pub async fn commit(self) -> AppResult<()> {
        self.conn.commit().await?;
        // Notifications are housekeeping too (a reminder, one read): the badges recount.
        self.app.memo.unread.forget();
        Ok(())
    }

    /// Commits bookkeeping that changes what pages show (demo data, points recomputed
    /// from figures) and forgets what requests remember, as a change of record does.
    pub async fn commit_shown(self) -> AppResult<()> {
        self.conn.commit().await?;
        self.app.memo.forget_all();
        Ok(())
    }
}

impl Deref for Housekeeping<'_> {
    type Target = Conn;
    fn deref(&self) -> &Conn {
        &self.conn
    }
}

impl DerefMut for Housekeeping<'_> {
    fn deref_mut(&mut self) -> &mut Conn {
        &mut self.conn
    }
}

impl Write<'_> {
    /// Records one more event of this change (an import records one per row, say).
    pub async fn record(&mut self, event: NewEvent<'_>) -> AppResult<()> {
        audit::record(&mut self.conn, &self.caller.actor, event, self.app.now()).await?;
        self.recorded += 1;
        Ok(())
    }

    /// Records the change's event and commits it with the change.
    pub async fn commit(mut self, event: NewEvent<'_>) -> AppResult<()> {
        self.record(event).await?;
        self.conn.commit().await?;
        // What requests remember (sessions, grants, subtrees) may be untrue now.
        self.app.memo.forget_all();
        Ok(())
    }

    /// Commits a change whose events are already recorded (several steps, each with its
    /// own). A change that recorded none is refused and rolled back: it is a bug.
    pub async fn commit_recorded(self) -> AppResult<()> {
        if self.recorded == 0 {
            return Err(AppError::internal("a change without its audit event"));
        }
        self.conn.commit().await?;
        self.app.memo.forget_all();
        Ok(())
    }

    /// Who makes the change.
    pub fn caller(&self) -> &Caller<'_> {
        self.caller
    }
}

impl Deref for Write<'_> {
    type Target = Conn;
    fn deref(&self) -> &Conn {
        &self.conn
    }
}

impl DerefMut for Write<'_> {
    fn deref_mut(&mut self) -> &mut Conn {
        &mut self.conn
    }
}
