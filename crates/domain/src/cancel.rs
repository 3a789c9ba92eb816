//! Stopping long work on untrusted input: a flag another thread can raise, and a deadline.
//!
//! A parse of an uploaded file runs on a blocking thread; the request that asked for it
//! may time out or its client may go away. The request holds a [`CancelGuard`], so
//! dropping the request raises the flag, and the parse, which checks the token in its
//! loops, stops instead of burning a core for nobody.

use std::fmt;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

/// A cancellation token: cheap to clone, every clone sees the same flag.
#[derive(Debug, Clone, Default)]
pub struct Cancel {
    flag: Arc<AtomicBool>,
    deadline: Option<Instant>,
}

/// The work was stopped: cancelled by its owner or past its deadline.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cancelled;

impl fmt::Display for Cancelled {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("cancelled or past its deadline")
    }
}

impl std::error::Error for Cancelled {}

impl Cancel {
    /// A token that stops only when cancelled.
    pub fn new() -> Self {
        Self::default()
    }

    /// A token that also stops once `limit` has passed from now. A limit too far to
    /// represent means no deadline rather than an immediate stop.
    pub fn with_deadline(limit: Duration) -> Self {
        Cancel {
            flag: Arc::default(),
            deadline: Instant::now().checked_add(limit),
        }
    }

    /// Stops the work (and every clone's).
    pub fn cancel(&self) {
        self.flag.store(true, Ordering::Relaxed);
    }

    /// True once cancelled or past the deadline.
    pub fn is_cancelled(&self) -> bool {
        self.flag.load(Ordering::Relaxed) || self.deadline.is_some_and(|d| Instant::now() >= d)
    }

    /// `Err(Cancelled)` once cancelled or past the deadline, for `?` inside loops.
    pub fn check(&self) -> Result<(), Cancelled> {
        if self.is_cancelled() {
            Err(Cancelled)
        } else {
            Ok(())
        }
    }

    /// A guard that cancels this token when dropped: held by the party waiting for the
    /// work, so the work stops when that party goes away.
    pub fn drop_guard(&self) -> CancelGuard {
        CancelGuard {
            cancel: self.clone(),
        }
    }
}

/// Cancels its token when dropped (see [`Cancel::drop_guard`]).
#[derive(Debug)]
#[must_use = "the token is cancelled as soon as the guard is dropped"]
pub struct CancelGuard {
    cancel: Cancel,
}

impl Drop for CancelGuard {
    fn drop(&mut self) {
        self.cancel.cancel();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_token_stops_when_cancelled_through_any_clone() {
        let token = Cancel::new();
        let clone = token.clone();
        assert!(!token.is_cancelled());
        assert_eq!(token.check(), Ok(()));
        clone.cancel();
        assert!(token.is_cancelled());
        assert_eq!(token.check(), Err(Cancelled));
    }

    #[test]
    fn a_deadline_stops_the_token_once_passed() {
        let token = Cancel::with_deadline(Duration::from_millis(30));
        assert!(!token.is_cancelled());
        std::thread::sleep(Duration::from_millis(40));
        assert!(token.is_cancelled());
        assert!(!Cancel::with_deadline(Duration::from_secs(3600)).is_cancelled());
        // An unrepresentable deadline is no deadline, not an instant stop.
        assert!(!Cancel::with_deadline(Duration::MAX).is_cancelled());
    }

    #[test]
    fn dropping_the_guard_cancels() {
        let token = Cancel::new();
        let guard = token.drop_guard();
        assert!(!token.is_cancelled());
        drop(guard);
        assert!(token.is_cancelled());
    }
}
