//! The hub's one source of the time of day. Every timestamp the hub writes (audit entries,
//! records, hits, sessions, deliveries) comes from its [`Clock`]; the store reads none. Tests
//! set the time with a [`ManualClock`] instead of sleeping.

use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};

use palermo_core::Timestamp;

pub trait Clock: Send + Sync {
    fn now(&self) -> Timestamp;
}

/// The system's wall clock.
#[derive(Clone, Copy, Debug, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> Timestamp {
        Timestamp::now()
    }
}

/// A clock that moves only when told to; clones share one time.
#[derive(Clone, Debug)]
pub struct ManualClock {
    millis: Arc<AtomicI64>,
}

impl ManualClock {
    pub fn at(at: Timestamp) -> ManualClock {
        ManualClock {
            millis: Arc::new(AtomicI64::new(at.0)),
        }
    }

    pub fn set(&self, at: Timestamp) {
        self.millis.store(at.0, Ordering::SeqCst);
    }

    pub fn advance_ms(&self, millis: i64) {
        self.millis.fetch_add(millis, Ordering::SeqCst);
    }
}

impl Clock for ManualClock {
    fn now(&self) -> Timestamp {
        Timestamp(self.millis.load(Ordering::SeqCst))
    }
}
