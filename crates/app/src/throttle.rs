//! Login throttling. Three limits, each a token bucket consumed atomically before the
//! password is even looked at, so a burst of parallel attempts cannot slip past them:
//!
//! - per (account, client address): one address guessing one account is slowed at once;
//! - per client address, over all accounts: one address trying many accounts;
//! - per account, over all addresses: a spray from many addresses on one account.
//!
//! The account-wide limit is what could lock the owner out (anyone anywhere can spend
//! it), so it is lenient: it refills faster than one address may guess, so a single
//! attacker never drains it, and it is skipped for an address that has logged into
//! that account before (remembered in memory, bounded) and for a request carrying a
//! live session of that account. Wrong passwords still cost the attacker through the
//! first two limits, which no earlier success lifts.

use std::collections::HashMap;
use std::net::IpAddr;
use std::num::NonZeroU32;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{Duration, Instant};

use governor::clock::{Clock, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};

#[derive(Debug, Clone, Copy)]
pub struct ThrottleConfig {
    /// Attempts one address may take at one account at once…
    pub per_pair_burst: u32,
    /// …and then one more per this interval.
    pub per_pair_every: Duration,
    /// Attempts one address may take over all accounts.
    pub per_addr_burst: u32,
    pub per_addr_every: Duration,
    /// Attempts on one account from all addresses together (but those trusted).
    pub per_account_burst: u32,
    pub per_account_every: Duration,
    /// Good (account, address) pairs remembered, at most…
    pub known_pairs: usize,
    /// …and for this long after their last successful login.
    pub known_for: Duration,
}

impl Default for ThrottleConfig {
    fn default() -> Self {
        ThrottleConfig {
            per_pair_burst: 5,
            per_pair_every: Duration::from_secs(30),
            per_addr_burst: 30,
            per_addr_every: Duration::from_secs(2),
            // Refills faster (1 per 20 s) than one address may guess one account (1 per
            // 30 s): only many addresses together slow the account down.
            per_account_burst: 20,
            per_account_every: Duration::from_secs(20),
            known_pairs: 10_000,
            known_for: Duration::from_secs(30 * 24 * 3600),
        }
    }
}

/// Why the account-wide limit may be skipped for this attempt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Vouched {
    /// Nothing known about this requester.
    No,
    /// The request carries a live session of the account being logged into.
    BySession,
}

type PairKey = (String, Option<IpAddr>);

pub struct LoginThrottle {
    pairs: DefaultKeyedRateLimiter<PairKey>,
    addrs: DefaultKeyedRateLimiter<IpAddr>,
    accounts: DefaultKeyedRateLimiter<String>,
    known: KnownPairs,
    attempts: AtomicU32,
    clock: DefaultClock,
}

fn quota(burst: u32, every: Duration) -> Quota {
    let burst = NonZeroU32::new(burst.max(1)).unwrap_or(NonZeroU32::MIN);
    Quota::with_period(every.max(Duration::from_millis(1)))
        .unwrap_or_else(|| Quota::per_second(NonZeroU32::MIN))
        .allow_burst(burst)
}

/// Accounts are compared as they are looked up: trimmed, lower case.
fn account_key(username: &str) -> String {
    username.trim().to_lowercase()
}

/// Forget fully recovered keys once every this many attempts, so memory stays bounded
/// under a spray from many addresses.
const SHRINK_EVERY: u32 = 512;

impl LoginThrottle {
    pub fn new(config: &ThrottleConfig) -> Self {
        LoginThrottle {
            pairs: RateLimiter::keyed(quota(config.per_pair_burst, config.per_pair_every)),
            addrs: RateLimiter::keyed(quota(config.per_addr_burst, config.per_addr_every)),
            accounts: RateLimiter::keyed(quota(config.per_account_burst, config.per_account_every)),
            known: KnownPairs::new(config.known_pairs, config.known_for),
            attempts: AtomicU32::new(0),
            clock: DefaultClock::default(),
        }
    }

    /// Takes one attempt at `username` from `addr`; `Err` says how long to wait. A
    /// refused attempt consumes nothing further.
    pub fn attempt(
        &self,
        username: &str,
        addr: Option<IpAddr>,
        vouched: Vouched,
    ) -> Result<(), Duration> {
        if self.attempts.fetch_add(1, Ordering::Relaxed) % SHRINK_EVERY == SHRINK_EVERY - 1 {
            self.shrink();
        }
        let wait = |not_until: governor::NotUntil<_>| not_until.wait_time_from(self.clock.now());
        if let Some(addr) = addr {
            self.addrs.check_key(&addr).map_err(wait)?;
        }
        let account = account_key(username);
        let pair = (account, addr);
        self.pairs.check_key(&pair).map_err(wait)?;
        let trusted = vouched == Vouched::BySession || self.known.contains(&pair, Instant::now());
        if !trusted {
            self.accounts.check_key(&pair.0).map_err(wait)?;
        }
        Ok(())
    }

    /// Remembers that `addr` logged into `username`: later attempts from it skip the
    /// account-wide limit.
    pub fn succeeded(&self, username: &str, addr: Option<IpAddr>) {
        self.known
            .insert((account_key(username), addr), Instant::now());
    }

    /// Forgets keys that have fully recovered, so memory stays bounded.
    pub fn shrink(&self) {
        self.pairs.retain_recent();
        self.addrs.retain_recent();
        self.accounts.retain_recent();
    }
}

/// Recent good (account, address) pairs, at most `max`, each for `ttl` after its last
/// success; when full, the stalest gives way.
struct KnownPairs {
    seen: Mutex<HashMap<PairKey, Instant>>,
    max: usize,
    ttl: Duration,
}

impl KnownPairs {
    fn new(max: usize, ttl: Duration) -> Self {
        KnownPairs {
            seen: Mutex::new(HashMap::new()),
            max,
            ttl,
        }
    }

    fn contains(&self, key: &PairKey, now: Instant) -> bool {
        let seen = self.seen.lock().unwrap_or_else(|e| e.into_inner());
        seen.get(key)
            .is_some_and(|at| now.saturating_duration_since(*at) < self.ttl)
    }

    fn insert(&self, key: PairKey, now: Instant) {
        if self.max == 0 {
            return;
        }
        let mut seen = self.seen.lock().unwrap_or_else(|e| e.into_inner());
        if !seen.contains_key(&key) && seen.len() >= self.max {
            seen.retain(|_, at| now.saturating_duration_since(*at) < self.ttl);
            // Still full: the stalest pair goes (a scan, but only on a full table and a
            // new pair, i.e. at most once per successful login).
            if seen.len() >= self.max
                && let Some(stalest) = seen
                    .iter()
                    .min_by_key(|(_, at)| **at)
                    .map(|(k, _)| k.clone())
            {
                seen.remove(&stalest);
            }
        }
        seen.insert(key, now);
    }

    #[cfg(test)]
    fn len(&self) -> usize {
        self.seen.lock().map(|s| s.len()).unwrap_or_default()
    }
}

/// API tokens' request rate: a burst, then one request per interval, per token.
#[derive(Debug, Clone, Copy)]
pub struct TokenRateConfig {
    pub burst: u32,
    pub every: Duration,
}

impl Default for TokenRateConfig {
    /// 120 at once, then 10 a second: a sync job runs freely, a runaway loop does not.
    fn default() -> Self {
        TokenRateConfig {
            burst: 120,
            every: Duration::from_millis(100),
        }
    }
}

pub struct TokenLimiter {
    tokens: DefaultKeyedRateLimiter<i64>,
    clock: DefaultClock,
}

impl TokenLimiter {
    pub fn new(config: &TokenRateConfig) -> Self {
        TokenLimiter {
            tokens: RateLimiter::keyed(quota(config.burst, config.every)),
            clock: DefaultClock::default(),
        }
    }

    /// Takes one request for this token; `Err` says how long to wait.
    pub fn attempt(&self, token_id: i64) -> Result<(), Duration> {
        self.tokens
            .check_key(&token_id)
            .map_err(|not_until| not_until.wait_time_from(self.clock.now()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn addr(s: &str) -> Option<IpAddr> {
        Some(s.parse().unwrap())
    }

    fn strict() -> ThrottleConfig {
        ThrottleConfig {
            per_pair_burst: 3,
            per_pair_every: Duration::from_secs(3600),
            per_addr_burst: 10,
            per_addr_every: Duration::from_secs(3600),
            per_account_burst: 5,
            per_account_every: Duration::from_secs(3600),
            ..ThrottleConfig::default()
        }
    }

    #[test]
    fn one_address_guessing_one_account_is_stopped_and_others_are_not() {
        let t = LoginThrottle::new(&strict());
        let attacker = addr("203.0.113.66");
        for _ in 0..3 {
            assert!(t.attempt("admin", attacker, Vouched::No).is_ok());
        }
        let wait = t.attempt("Admin ", attacker, Vouched::No).unwrap_err();
        assert!(wait > Duration::from_secs(60), "{wait:?}");
        // The owner elsewhere, and the attacker's address on another account.
        assert!(
            t.attempt("admin", addr("198.51.100.10"), Vouched::No)
                .is_ok()
        );
        assert!(t.attempt("viewer", attacker, Vouched::No).is_ok());
    }

    #[test]
    fn a_spray_slows_the_account_but_not_a_known_address_or_a_session() {
        let t = LoginThrottle::new(&strict());
        let home = addr("192.0.2.10");
        assert!(t.attempt("admin", home, Vouched::No).is_ok());
        t.succeeded("admin", home);
        for i in 1..=4 {
            let a = addr(&format!("203.0.113.{i}"));
            assert!(t.attempt("admin", a, Vouched::No).is_ok());
        }
        assert!(
            t.attempt("admin", addr("203.0.113.99"), Vouched::No)
                .is_err()
        );
        assert!(
            t.attempt("admin", addr("198.51.100.10"), Vouched::No)
                .is_err()
        );
        assert!(
            t.attempt("admin", home, Vouched::No).is_ok(),
            "a known address"
        );
        assert!(
            t.attempt("admin", addr("198.51.100.10"), Vouched::BySession)
                .is_ok(),
            "a live session of the account"
        );
        // Known for that account only.
        assert!(t.attempt("viewer", home, Vouched::No).is_ok());
    }

    #[test]
    fn the_address_limit_spans_accounts() {
        let t = LoginThrottle::new(&strict());
        let a = addr("203.0.113.7");
        for i in 0..10 {
            assert!(t.attempt(&format!("user{i}"), a, Vouched::No).is_ok());
        }
        assert!(t.attempt("user99", a, Vouched::No).is_err());
    }

    #[test]
    fn known_pairs_stay_bounded_and_expire() {
        let known = KnownPairs::new(3, Duration::from_secs(60));
        let now = Instant::now();
        let key = |i: u8| (format!("u{i}"), addr(&format!("192.0.2.{i}")));
        for i in 0..3 {
            known.insert(key(i), now + Duration::from_secs(u64::from(i)));
        }
        known.insert(key(9), now + Duration::from_secs(10));
        assert_eq!(known.len(), 3);
        assert!(
            !known.contains(&key(0), now + Duration::from_secs(10)),
            "the stalest went"
        );
        assert!(known.contains(&key(9), now + Duration::from_secs(10)));
        assert!(
            !known.contains(&key(9), now + Duration::from_secs(100)),
            "expired"
        );
        let none = KnownPairs::new(0, Duration::from_secs(60));
        none.insert(key(1), now);
        assert_eq!(none.len(), 0);
    }
}
