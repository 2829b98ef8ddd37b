//! Remembering PoP nonces so that a signed request cannot be used twice.

use std::collections::HashMap;
use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::time::SystemTime;

use crate::clock::Clock;

/// A boxed future, so that the trait stays object-safe.
pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// The replay store could not answer.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("replay cache: {0}")]
pub struct ReplayCacheError(pub String);

/// A store of seen keys with expiry. An implementation backed by a shared store (Table
/// Storage) lets several instances refuse each other's replays.
pub trait ReplayCache: Send + Sync + std::fmt::Debug {
    /// Record `key` until `expires_at`; `Ok(true)` if it was new, `Ok(false)` if already seen
    /// and not yet expired.
    fn insert_if_absent<'a>(
        &'a self,
        key: &'a str,
        expires_at: SystemTime,
    ) -> BoxFuture<'a, Result<bool, ReplayCacheError>>;
}

/// An in-process replay cache, bounded in size.
#[derive(Debug)]
pub struct InMemoryReplayCache {
    clock: Arc<dyn Clock>,
    max_entries: usize,
    inner: Mutex<Entries>,
}

#[derive(Debug, Default)]
struct Entries {
    map: HashMap<String, SystemTime>,
    next_purge_at: usize,
}

impl InMemoryReplayCache {
    /// A cache holding at most `max_entries` live keys; beyond that it refuses (503) rather
    /// than grow without bound.
    pub fn new(clock: Arc<dyn Clock>, max_entries: usize) -> Self {
        InMemoryReplayCache {
            clock,
            max_entries,
            inner: Mutex::new(Entries {
                map: HashMap::new(),
                next_purge_at: 1024,
            }),
        }
    }

    fn insert(&self, key: &str, expires_at: SystemTime) -> Result<bool, ReplayCacheError> {
        let now = self.clock.now();
        let mut e = self.inner.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(exp) = e.map.get(key) {
            if *exp > now {
                return Ok(false);
            }
        }
        if e.map.len() >= e.next_purge_at || e.map.len() >= self.max_entries {
            e.map.retain(|_, exp| *exp > now);
            e.next_purge_at = (e.map.len() * 2).max(1024);
        }
        if e.map.len() >= self.max_entries {
            return Err(ReplayCacheError("full".into()));
        }
        e.map.insert(key.to_string(), expires_at);
        Ok(true)
    }
}

impl ReplayCache for InMemoryReplayCache {
    fn insert_if_absent<'a>(
        &'a self,
        key: &'a str,
        expires_at: SystemTime,
    ) -> BoxFuture<'a, Result<bool, ReplayCacheError>> {
        let result = self.insert(key, expires_at);
        Box::pin(async move { result })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::clock::ManualClock;
    use std::time::Duration;

    #[tokio::test]
    async fn a_key_is_refused_until_it_expires() {
        let clock = Arc::new(ManualClock::at_unix(1_000));
        let cache = InMemoryReplayCache::new(clock.clone(), 10);
        let exp = clock.now() + Duration::from_secs(60);
        assert_eq!(cache.insert_if_absent("n1", exp).await, Ok(true));
        assert_eq!(cache.insert_if_absent("n1", exp).await, Ok(false));
        clock.advance(Duration::from_secs(61));
        assert_eq!(
            cache
                .insert_if_absent("n1", clock.now() + Duration::from_secs(60))
                .await,
            Ok(true)
        );
    }

    #[tokio::test]
    async fn a_full_cache_refuses_instead_of_growing() {
        let clock = Arc::new(ManualClock::at_unix(1_000));
        let cache = InMemoryReplayCache::new(clock.clone(), 2);
        let exp = clock.now() + Duration::from_secs(60);
        assert_eq!(cache.insert_if_absent("a", exp).await, Ok(true));
        assert_eq!(cache.insert_if_absent("b", exp).await, Ok(true));
        assert!(cache.insert_if_absent("c", exp).await.is_err());
        clock.advance(Duration::from_secs(61));
        assert_eq!(
            cache.insert_if_absent("c", clock.now() + Duration::from_secs(60)).await,
            Ok(true)
        );
    }
}
