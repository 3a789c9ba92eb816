//! Login throttling, per account and per client address. The check consumes a token
//! atomically before the password is even looked at, so a burst of parallel attempts
//! cannot slip past it.

use std::net::IpAddr;
use std::num::NonZeroU32;
use std::time::Duration;

use governor::clock::{Clock, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};

#[derive(Debug, Clone, Copy)]
pub struct ThrottleConfig {
    /// Attempts one account may take at once…
    pub per_account_burst: u32,
    /// …and then one more per this interval.
    pub per_account_every: Duration,
    pub per_addr_burst: u32,
    pub per_addr_every: Duration,
}

impl Default for ThrottleConfig {
    fn default() -> Self {
        ThrottleConfig {
            per_account_burst: 5,
            per_account_every: Duration::from_secs(30),
            per_addr_burst: 30,
            per_addr_every: Duration::from_secs(2),
        }
    }
}

pub struct LoginThrottle {
    accounts: DefaultKeyedRateLimiter<String>,
    addrs: DefaultKeyedRateLimiter<IpAddr>,
    clock: DefaultClock,
}

fn quota(burst: u32, every: Duration) -> Quota {
    let burst = NonZeroU32::new(burst.max(1)).unwrap_or(NonZeroU32::MIN);
    Quota::with_period(every.max(Duration::from_millis(1)))
        .unwrap_or_else(|| Quota::per_second(NonZeroU32::MIN))
        .allow_burst(burst)
}

impl LoginThrottle {
    pub fn new(config: &ThrottleConfig) -> Self {
        LoginThrottle {
            accounts: RateLimiter::keyed(quota(config.per_account_burst, config.per_account_every)),
            addrs: RateLimiter::keyed(quota(config.per_addr_burst, config.per_addr_every)),
            clock: DefaultClock::default(),
        }
    }

    /// Takes one attempt for this account and address; `Err` says how long to wait.
    pub fn attempt(&self, username: &str, addr: Option<IpAddr>) -> Result<(), Duration> {
        if let Some(addr) = addr
            && let Err(not_until) = self.addrs.check_key(&addr)
        {
            return Err(not_until.wait_time_from(self.clock.now()));
        }
        self.accounts
            .check_key(&username.trim().to_lowercase())
            .map_err(|not_until| not_until.wait_time_from(self.clock.now()))
    }

    /// Forgets keys that have fully recovered, so memory stays bounded.
    pub fn shrink(&self) {
        self.accounts.retain_recent();
        self.addrs.retain_recent();
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
