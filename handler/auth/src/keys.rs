//! Signing keys from an OpenID metadata document or a JWKS URL: cached, looked up by
//! `kid`, refreshed on an unknown `kid` at most once per `min_refresh_interval`, and
//! refreshed when older than `max_age`.
//!
//! One fetch at a time, and the cache is never locked while one runs: a token whose key is
//! cached is checked at once even while the key endpoint is slow, and a lookup that needs
//! the fetch waits for the one in flight instead of starting another.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use jsonwebtoken::DecodingKey;
use serde::Deserialize;
use std::sync::Mutex;

use crate::clock::Clock;
use crate::jwk::{JwkSet, PublicJwk};
use crate::AuthError;

/// Where the keys come from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum KeyEndpoint {
    /// An OpenID metadata document whose `jwks_uri` names the key set.
    OpenIdMetadata(String),
    /// The key set itself.
    Jwks(String),
}

/// The per-request timeout of [`KeySource::refresh`] (at least).
const BACKGROUND_TIMEOUT: Duration = Duration::from_secs(10);

/// How a [`KeySource`] fetches and caches.
#[derive(Debug, Clone)]
pub struct KeySourceConfig {
    /// Metadata or JWKS URL.
    pub endpoint: KeyEndpoint,
    /// The least time between two fetches triggered by lookups (default 60 s), so that
    /// forged `kid`s cannot make us hammer the endpoint.
    pub min_refresh_interval: Duration,
    /// After a failed fetch, the least time before the next one (default 5 s): short, so a
    /// blip at start-up does not refuse every token for a whole `min_refresh_interval`, yet
    /// a down endpoint is still asked at most once per interval.
    pub failure_retry_interval: Duration,
    /// Keys older than this are refetched on the next lookup (default 24 h; Bot
    /// Framework asks for at least daily).
    pub max_age: Duration,
    /// Per-request HTTP timeout (default 5 s). Lookups wait for a fetch in progress, so
    /// keep this below the caller's own deadline.
    pub http_timeout: Duration,
}

impl KeySourceConfig {
    /// Keys found through an OpenID metadata document, with default intervals.
    pub fn openid(metadata_url: impl Into<String>) -> Self {
        Self::with_endpoint(KeyEndpoint::OpenIdMetadata(metadata_url.into()))
    }

    /// Keys at a JWKS URL, with default intervals.
    pub fn jwks(jwks_url: impl Into<String>) -> Self {
        Self::with_endpoint(KeyEndpoint::Jwks(jwks_url.into()))
    }

    fn with_endpoint(endpoint: KeyEndpoint) -> Self {
        KeySourceConfig {
            endpoint,
            min_refresh_interval: Duration::from_secs(60),
            failure_retry_interval: Duration::from_secs(5),
            max_age: Duration::from_secs(24 * 3600),
            http_timeout: Duration::from_secs(5),
        }
    }

    /// Change the least interval between lookup-triggered fetches.
    pub fn min_refresh_interval(mut self, interval: Duration) -> Self {
        self.min_refresh_interval = interval;
        self
    }

    /// Change the least interval between fetches after a failed one.
    pub fn failure_retry_interval(mut self, interval: Duration) -> Self {
        self.failure_retry_interval = interval;
        self
    }

    /// Change the maximum age of cached keys.
    pub fn max_age(mut self, age: Duration) -> Self {
        self.max_age = age;
        self
    }

    /// Change the per-request HTTP timeout.
    pub fn http_timeout(mut self, timeout: Duration) -> Self {
        self.http_timeout = timeout;
        self
    }
}

/// A signing key with what its key set said about it.
#[derive(Clone)]
pub struct SigningKey {
    /// Key id.
    pub kid: String,
    /// Bot Framework endorsements (channel ids).
    pub endorsements: Vec<String>,
    pub(crate) key: DecodingKey,
}

impl std::fmt::Debug for SigningKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SigningKey")
            .field("kid", &self.kid)
            .field("endorsements", &self.endorsements)
            .finish()
    }
}

impl SigningKey {
    /// Whether the key is endorsed for `channel_id` (case-insensitive).
    pub fn is_endorsed_for(&self, channel_id: &str) -> bool {
        !channel_id.is_empty() && self.endorsements.iter().any(|e| e.eq_ignore_ascii_case(channel_id))
    }
}

#[derive(Default)]
struct KeyState {
    keys: HashMap<String, Arc<SigningKey>>,
    fetched_at: Option<SystemTime>,
    last_attempt: Option<SystemTime>,
    last_attempt_ok: bool,
}

/// A cached, rate-limited source of signing keys.
pub struct KeySource {
    config: KeySourceConfig,
    http: reqwest::Client,
    clock: Arc<dyn Clock>,
    /// The cache; held only to read or write it, never across a fetch.
    state: Mutex<KeyState>,
    /// Held for the duration of a fetch: one at a time.
    fetching: tokio::sync::Mutex<()>,
}

impl std::fmt::Debug for KeySource {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("KeySource")
            .field("config", &self.config)
            .finish_non_exhaustive()
    }
}

#[derive(Deserialize)]
struct OpenIdMetadata {
    jwks_uri: String,
}

impl KeySource {
    /// A key source with its own HTTP client.
    pub fn new(config: KeySourceConfig, clock: Arc<dyn Clock>) -> Result<Self, reqwest::Error> {
        let http = reqwest::Client::builder().build()?;
        Ok(Self::with_client(config, http, clock))
    }

    /// A key source using `http`.
    pub fn with_client(config: KeySourceConfig, http: reqwest::Client, clock: Arc<dyn Clock>) -> Self {
        KeySource {
            config,
            http,
            clock,
            state: Mutex::new(KeyState::default()),
            fetching: tokio::sync::Mutex::new(()),
        }
    }

    fn state(&self) -> std::sync::MutexGuard<'_, KeyState> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// The key with this `kid`.
    ///
    /// Fetches when the cache is empty or older than `max_age`, and once more for an
    /// unknown `kid`, but never twice within `min_refresh_interval` (`failure_retry_interval`
    /// after a failed fetch). A stale cache is
    /// still used when the endpoint is down. Errors: [`AuthError::UnknownKey`] when the
    /// key set was fetched and lacks the `kid`; [`AuthError::KeysUnavailable`] when the
    /// last fetch failed and the `kid` is not cached.
    pub async fn key(&self, kid: &str) -> Result<Arc<SigningKey>, AuthError> {
        let now = self.clock.now();
        let (cached, stale) = {
            let state = self.state();
            let stale = state.fetched_at.is_none_or(|t| elapsed(t, now) >= self.config.max_age);
            (state.keys.get(kid).cloned(), stale)
        };
        if let Some(key) = cached {
            // A stale but known key is refreshed by whoever finds no fetch running; everyone
            // else is served from the cache meanwhile.
            if stale {
                if let Ok(_one) = self.fetching.try_lock() {
                    if self.may_fetch(&self.state(), now, true) {
                        self.fetch_and_store(now, self.config.http_timeout).await;
                    }
                }
                return Ok(self.state().keys.get(kid).cloned().unwrap_or(key));
            }
            return Ok(key);
        }
        // Unknown here: fetch, or wait for the fetch in flight, at most as often as allowed.
        let _one = self.fetching.lock().await;
        {
            let state = self.state();
            if let Some(key) = state.keys.get(kid) {
                return Ok(key.clone());
            }
            if !self.may_fetch(&state, now, stale) {
                return Err(refusal(&state));
            }
        }
        self.fetch_and_store(now, self.config.http_timeout).await;
        let state = self.state();
        state.keys.get(kid).cloned().ok_or_else(|| refusal(&state))
    }

    /// Fetch now, regardless of the rate limit (for warming up at start or a periodic task),
    /// allowing each request up to 10 s or `http_timeout` if longer: nobody's deadline
    /// waits on it unless a lookup arrives meanwhile. Returns the number of usable keys.
    pub async fn refresh(&self) -> Result<usize, AuthError> {
        let now = self.clock.now();
        let _one = self.fetching.lock().await;
        let timeout = self.config.http_timeout.max(BACKGROUND_TIMEOUT);
        self.fetch_and_store(now, timeout).await;
        let state = self.state();
        if state.last_attempt_ok {
            Ok(state.keys.len())
        } else {
            Err(AuthError::KeysUnavailable)
        }
    }

    /// Whether a lookup may fetch now. After a failed fetch the short `failure_retry_interval`
    /// applies only while the cache is empty or stale (to recover); an unknown `kid` against a
    /// good cache waits the full `min_refresh_interval`, so forged `kid`s cannot make us ask
    /// more often than that.
    fn may_fetch(&self, state: &KeyState, now: SystemTime, stale: bool) -> bool {
        let recovering = !state.last_attempt_ok && (stale || state.keys.is_empty());
        let interval = if recovering {
            self.config.failure_retry_interval.min(self.config.min_refresh_interval)
        } else {
            self.config.min_refresh_interval
        };
        state.last_attempt.is_none_or(|t| elapsed(t, now) >= interval)
    }

    /// Fetches (the caller holds `fetching`) and stores the outcome; the cache is not locked
    /// while the request runs.
    async fn fetch_and_store(&self, now: SystemTime, timeout: Duration) {
        self.state().last_attempt = Some(now);
        let fetched = self.fetch(timeout).await;
        let mut state = self.state();
        match fetched {
            Ok(keys) => {
                tracing::debug!(keys = keys.len(), "signing keys refreshed");
                state.keys = keys;
                state.fetched_at = Some(now);
                state.last_attempt_ok = true;
            }
            Err(reason) => {
                tracing::warn!(%reason, cached = state.keys.len(), "signing keys could not be fetched");
                state.last_attempt_ok = false;
            }
        }
    }

    async fn fetch(&self, timeout: Duration) -> Result<HashMap<String, Arc<SigningKey>>, String> {
        let jwks_url = match &self.config.endpoint {
            KeyEndpoint::Jwks(url) => url.clone(),
            KeyEndpoint::OpenIdMetadata(url) => self.get_json::<OpenIdMetadata>(url, timeout).await?.jwks_uri,
        };
        let set: JwkSet = self.get_json(&jwks_url, timeout).await?;
        Ok(set
            .keys
            .iter()
            .filter_map(signing_key)
            .map(|k| (k.kid.clone(), Arc::new(k)))
            .collect())
    }

    async fn get_json<T: serde::de::DeserializeOwned>(&self, url: &str, timeout: Duration) -> Result<T, String> {
        let response = self
            .http
            .get(url)
            .timeout(timeout)
            .send()
            .await
            .map_err(|e| format!("GET {url}: {e}"))?;
        let status = response.status();
        if !status.is_success() {
            return Err(format!("GET {url}: HTTP {status}"));
        }
        response
            .json::<T>()
            .await
            .map_err(|e| format!("GET {url}: bad JSON: {e}"))
    }
}

fn signing_key(jwk: &PublicJwk) -> Option<SigningKey> {
    if jwk.key_use.as_deref().is_some_and(|u| u != "sig") {
        return None;
    }
    Some(SigningKey {
        kid: jwk.kid.clone()?,
        endorsements: jwk.endorsements.clone(),
        key: jwk.decoding_key()?,
    })
}

/// Why a `kid` is not served: the key set lacks it, or could not be had.
fn refusal(state: &KeyState) -> AuthError {
    if state.last_attempt_ok {
        AuthError::UnknownKey
    } else {
        AuthError::KeysUnavailable
    }
}

fn elapsed(then: SystemTime, now: SystemTime) -> Duration {
    now.duration_since(then).unwrap_or(Duration::ZERO)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bot_framework_key_set_keeps_rsa_signing_keys_with_their_endorsements() {
        let set: JwkSet = serde_json::from_str(include_str!("../testdata/botframework-jwks.json")).unwrap();
        let keys: Vec<SigningKey> = set.keys.iter().filter_map(signing_key).collect();
        assert_eq!(
            keys.iter().map(|k| k.kid.as_str()).collect::<Vec<_>>(),
            ["bf-key-2026-a", "bf-key-2026-b"]
        );
        assert!(keys[0].is_endorsed_for("msteams"));
        assert!(keys[0].is_endorsed_for("MSTeams"));
        assert!(!keys[1].is_endorsed_for("msteams"));
        assert!(!keys[0].is_endorsed_for(""));
    }

    #[test]
    fn entra_openid_metadata_names_the_key_set() {
        let m: OpenIdMetadata =
            serde_json::from_str(include_str!("../testdata/entra-openid-configuration.json")).unwrap();
        assert_eq!(
            m.jwks_uri,
            "https://login.microsoftonline.com/84bd8158-6d4d-4958-8b9f-9d6445542f95/discovery/v2.0/keys"
        );
    }
}
