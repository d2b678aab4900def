//! Failed-login limiter, in memory: a sliding window of failure times per key.
//!
//! Two keys per attempt: the client address with the e-mail (guessing one account's
//! password), and the address alone with a higher limit (trying many accounts). A success
//! clears the first. In memory means per process: several `serve` processes each count on
//! their own, which still bounds guessing to a small multiple.

use std::collections::{HashMap, VecDeque};
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Limits of the login limiter.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LoginLimits {
    /// Failures allowed per address and e-mail within the window.
    pub per_account: usize,
    /// Failures allowed per address, all e-mails together, within the window.
    pub per_address: usize,
    pub window: Duration,
}

impl Default for LoginLimits {
    fn default() -> Self {
        LoginLimits {
            per_account: 10,
            per_address: 100,
            window: Duration::from_secs(15 * 60),
        }
    }
}

/// Beyond this many tracked keys, expired ones are swept on the next failure.
const SWEEP_ABOVE: usize = 10_000;

#[derive(Debug, Default)]
pub struct LoginLimiter {
    limits: LoginLimits,
    failures: Mutex<HashMap<String, VecDeque<Instant>>>,
}

impl LoginLimiter {
    pub fn new(limits: LoginLimits) -> Self {
        LoginLimiter {
            limits,
            failures: Mutex::new(HashMap::new()),
        }
    }

    fn keys(address: &str, email: &str) -> (String, String) {
        (
            format!("{address}|{}", email.trim().to_lowercase()),
            format!("{address}|*"),
        )
    }

    /// `Err(retry_after)` while either key has used up its failures.
    pub fn check(&self, address: &str, email: &str, now: Instant) -> Result<(), Duration> {
        let (account, any) = Self::keys(address, email);
        let map = self.lock();
        let wait = |key: &str, limit: usize| -> Option<Duration> {
            let times = map.get(key)?;
            let live: Vec<&Instant> = times
                .iter()
                .filter(|t| now.duration_since(**t) < self.limits.window)
                .collect();
            if live.len() < limit {
                return None;
            }
            // Free again when the oldest failure that counts leaves the window.
            let oldest = live[live.len() - limit];
            Some(
                self.limits
                    .window
                    .saturating_sub(now.duration_since(*oldest)),
            )
        };
        match (
            wait(&account, self.limits.per_account),
            wait(&any, self.limits.per_address),
        ) {
            (None, None) => Ok(()),
            (a, b) => Err(a.into_iter().chain(b).max().unwrap_or(self.limits.window)),
        }
    }

    pub fn record_failure(&self, address: &str, email: &str, now: Instant) {
        let (account, any) = Self::keys(address, email);
        let mut map = self.lock();
        if map.len() > SWEEP_ABOVE {
            let window = self.limits.window;
            map.retain(|_, times| {
                times
                    .back()
                    .is_some_and(|t| now.duration_since(*t) < window)
            });
        }
        for (key, limit) in [
            (account, self.limits.per_account),
            (any, self.limits.per_address),
        ] {
            let times = map.entry(key).or_default();
            times.push_back(now);
            while times.len() > limit {
                times.pop_front();
            }
        }
    }

    /// After a successful login: this account's failures from this address are forgiven.
    pub fn record_success(&self, address: &str, email: &str) {
        let (account, _) = Self::keys(address, email);
        self.lock().remove(&account);
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, VecDeque<Instant>>> {
        // A panic while holding the lock cannot leave the map inconsistent: keep using it.
        self.failures
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn limiter() -> LoginLimiter {
        LoginLimiter::new(LoginLimits {
            per_account: 3,
            per_address: 5,
            window: Duration::from_secs(60),
        })
    }

    #[test]
    fn blocks_after_the_limit_until_the_window_moves_on() {
        let l = limiter();
        let t0 = Instant::now();
        for i in 0..3 {
            assert!(l.check("1.2.3.4", "a@x.test", t0).is_ok());
            l.record_failure("1.2.3.4", "A@x.test ", t0 + Duration::from_secs(i));
        }
        let wait = l
            .check("1.2.3.4", "a@x.test", t0 + Duration::from_secs(10))
            .unwrap_err();
        assert_eq!(wait, Duration::from_secs(50));
        // Another account from the same address, and the same account elsewhere, still pass.
        assert!(
            l.check("1.2.3.4", "b@x.test", t0 + Duration::from_secs(10))
                .is_ok()
        );
        assert!(
            l.check("5.6.7.8", "a@x.test", t0 + Duration::from_secs(10))
                .is_ok()
        );
        assert!(
            l.check("1.2.3.4", "a@x.test", t0 + Duration::from_secs(61))
                .is_ok()
        );
    }

    #[test]
    fn an_address_trying_many_accounts_is_blocked_too() {
        let l = limiter();
        let t0 = Instant::now();
        for i in 0..5 {
            l.record_failure("1.2.3.4", &format!("u{i}@x.test"), t0);
        }
        assert!(l.check("1.2.3.4", "fresh@x.test", t0).is_err());
    }

    #[test]
    fn success_forgives_the_account() {
        let l = limiter();
        let t0 = Instant::now();
        for _ in 0..3 {
            l.record_failure("1.2.3.4", "a@x.test", t0);
        }
        l.record_success("1.2.3.4", "a@x.test");
        assert!(l.check("1.2.3.4", "a@x.test", t0).is_ok());
    }
}
