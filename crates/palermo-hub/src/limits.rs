//! Bounds on the work callers can make the hub do: token buckets per source address, per
//! user name and per credential (429 with `Retry-After` beyond them), and a gate on how many
//! passwords are hashed at once (each Argon2id hash takes 19 MiB).

use std::collections::HashMap;
use std::hash::Hash;

use parking_lot::{Condvar, Mutex};

use crate::{HubError, Result};

/// A rate: `burst` requests at once, refilled at `per_second`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct RateLimit {
    pub burst: u32,
    pub per_second: f64,
}

impl RateLimit {
    pub const fn per_minute(burst: u32, per_minute: u32) -> RateLimit {
        RateLimit {
            burst,
            per_second: per_minute as f64 / 60.0,
        }
    }
}

#[derive(Clone, Copy, Debug)]
struct Bucket {
    tokens: f64,
    updated_ms: i64,
}

/// Most buckets one limiter keeps; beyond it, buckets that have refilled are forgotten.
const BUCKETS_MAX: usize = 100_000;

/// Token buckets by key (an address, a user name, a credential).
pub(crate) struct Limiter<K> {
    limit: RateLimit,
    buckets: Mutex<HashMap<K, Bucket>>,
}

impl<K: Hash + Eq> Limiter<K> {
    pub(crate) fn new(limit: RateLimit) -> Limiter<K> {
        Limiter {
            limit,
            buckets: Mutex::new(HashMap::new()),
        }
    }

    /// Takes one token for `key` at `now_ms`, or says how many seconds until one is there.
    pub(crate) fn take(&self, key: K, now_ms: i64) -> std::result::Result<(), u64> {
        let limit = self.limit;
        if limit.burst == 0 {
            return Ok(());
        }
        let burst = f64::from(limit.burst);
        let refill = |bucket: &Bucket| {
            let elapsed_ms = (now_ms - bucket.updated_ms).max(0) as f64;
            (bucket.tokens + elapsed_ms * limit.per_second / 1000.0).min(burst)
        };
        let mut buckets = self.buckets.lock();
        if buckets.len() >= BUCKETS_MAX {
            buckets.retain(|_, bucket| refill(bucket) < burst);
        }
        let bucket = buckets.entry(key).or_insert(Bucket {
            tokens: burst,
            updated_ms: now_ms,
        });
        bucket.tokens = refill(bucket);
        bucket.updated_ms = now_ms;
        if bucket.tokens >= 1.0 {
            bucket.tokens -= 1.0;
            Ok(())
        } else if limit.per_second <= 0.0 {
            Err(3600)
        } else {
            Err(((1.0 - bucket.tokens) / limit.per_second).ceil().max(1.0) as u64)
        }
    }
}

/// The error of a request over a limit.
pub(crate) fn throttled(what: &str, retry_after_seconds: u64) -> HubError {
    HubError::Throttled {
        retry_after_seconds,
        detail: format!("too many {what}; try again in {retry_after_seconds} s"),
    }
}

/// Lets at most `permits` passwords be hashed at once, with at most `waiting_max` callers
/// queued for a permit; the rest are refused at once rather than holding memory and threads.
pub(crate) struct HashingGate {
    permits: usize,
    waiting_max: usize,
    state: Mutex<(usize, usize)>,
    freed: Condvar,
}

pub(crate) struct HashingPermit<'a>(&'a HashingGate);

impl HashingGate {
    pub(crate) fn new(permits: usize, waiting_max: usize) -> HashingGate {
        HashingGate {
            permits: permits.max(1),
            waiting_max,
            state: Mutex::new((0, 0)),
            freed: Condvar::new(),
        }
    }

    pub(crate) fn enter(&self) -> Result<HashingPermit<'_>> {
        let mut state = self.state.lock();
        if state.0 >= self.permits {
            if state.1 >= self.waiting_max {
                return Err(HubError::Throttled {
                    retry_after_seconds: 1,
                    detail: "too many sign-ins at once; try again in 1 s".into(),
                });
            }
            state.1 += 1;
            while state.0 >= self.permits {
                self.freed.wait(&mut state);
            }
            state.1 -= 1;
        }
        state.0 += 1;
        Ok(HashingPermit(self))
    }
}

impl Drop for HashingPermit<'_> {
    fn drop(&mut self) {
        self.0.state.lock().0 -= 1;
        self.0.freed.notify_one();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn buckets_refuse_past_the_burst_and_refill_with_time() {
        let limiter = Limiter::new(RateLimit::per_minute(3, 60));
        for _ in 0..3 {
            assert_eq!(limiter.take("a", 0), Ok(()));
        }
        assert_eq!(limiter.take("a", 0), Err(1));
        assert_eq!(limiter.take("b", 0), Ok(()), "keys have their own buckets");
        assert_eq!(limiter.take("a", 1_000), Ok(()), "one token a second");
        assert_eq!(limiter.take("a", 1_000), Err(1));
        let slow = Limiter::new(RateLimit::per_minute(1, 2));
        assert_eq!(slow.take(1, 0), Ok(()));
        assert_eq!(slow.take(1, 0), Err(30));
    }

    #[test]
    fn the_gate_bounds_hashing_and_its_queue() {
        let gate = HashingGate::new(1, 0);
        let first = gate.enter().unwrap();
        assert!(matches!(gate.enter(), Err(HubError::Throttled { .. })));
        drop(first);
        assert!(gate.enter().is_ok());
    }
}
