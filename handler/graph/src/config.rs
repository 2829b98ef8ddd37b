//! Configuration of the client, and its builder.

use azure_core::credentials::TokenCredential;
use std::sync::Arc;
use std::time::Duration;
use url::Url;

use crate::client::{GraphClient, Inner};
use crate::limiter::{RateLimiter, RateLimits};
use crate::retry::{tokio_sleep, RetryPolicy, SleepFn};
use crate::token::GRAPH_SCOPE;
use crate::GraphError;

/// Graph's public endpoint.
pub const GRAPH_BASE_URL: &str = "https://graph.microsoft.com";

/// Settings of a [`GraphClient`]: one typed struct, loaded once.
#[derive(Debug, Clone, PartialEq)]
pub struct GraphConfig {
    /// Base URL requests are made against, without the version (`https://graph.microsoft.com`,
    /// `https://graph.microsoft.us`, or tenant-sim's loopback address, optionally with a path prefix).
    pub base_url: String,
    /// Token scope (`https://graph.microsoft.com/.default`; the sovereign cloud's or the sim's otherwise).
    pub scope: String,
    /// Timeout of one attempt, from sending to the last byte of the answer.
    pub timeout: Duration,
    /// Retry policy.
    pub retry: RetryPolicy,
    /// Limits for Intune calls (paths under `/deviceManagement/` or naming `managedDevices`); `None` = unlimited.
    pub intune_limits: Option<RateLimits>,
    /// Most pages a paging helper follows before giving up (a guard against endless nextLinks).
    pub max_pages: usize,
}

impl Default for GraphConfig {
    fn default() -> Self {
        GraphConfig {
            base_url: GRAPH_BASE_URL.to_string(),
            scope: GRAPH_SCOPE.to_string(),
            timeout: Duration::from_secs(30),
            retry: RetryPolicy::default(),
            intune_limits: Some(RateLimits::INTUNE_RECOMMENDED),
            max_pages: 10_000,
        }
    }
}

/// Decides which request paths go through the limiter (the path includes the version, e.g. `/v1.0/...`).
pub type PathPredicate = Arc<dyn Fn(&str) -> bool + Send + Sync>;

/// Whether a path is an Intune call: `/deviceManagement/...` or any path naming `managedDevices`.
pub fn is_intune_path(path: &str) -> bool {
    let rest = strip_version(path);
    rest.starts_with("/deviceManagement/") || rest.split('/').any(|s| s.eq_ignore_ascii_case("managedDevices"))
}

fn strip_version(path: &str) -> &str {
    for v in ["/v1.0", "/beta"] {
        if let Some(rest) = path.strip_prefix(v) {
            if rest.starts_with('/') {
                return rest;
            }
        }
    }
    path
}

/// Builds a [`GraphClient`] from a [`GraphConfig`] plus the parts that are not configuration.
pub struct GraphClientBuilder {
    config: GraphConfig,
    credential: Arc<dyn TokenCredential>,
    limiter: Option<(Arc<RateLimiter>, PathPredicate)>,
    sleep: Option<SleepFn>,
    http: Option<reqwest::Client>,
}

impl GraphClientBuilder {
    /// A builder with the default configuration.
    pub(crate) fn new(credential: Arc<dyn TokenCredential>) -> Self {
        GraphClientBuilder {
            config: GraphConfig::default(),
            credential,
            limiter: None,
            sleep: None,
            http: None,
        }
    }

    /// Replaces the configuration.
    pub fn config(mut self, config: GraphConfig) -> Self {
        self.config = config;
        self
    }
    /// Shares an existing limiter (e.g. one per app across several clients) for Intune paths.
    pub fn intune_limiter(self, limiter: Arc<RateLimiter>) -> Self {
        self.limiter_for(limiter, Arc::new(is_intune_path))
    }
    /// Routes the requests whose path matches `predicate` through `limiter`.
    pub fn limiter_for(mut self, limiter: Arc<RateLimiter>, predicate: PathPredicate) -> Self {
        self.limiter = Some((limiter, predicate));
        self
    }
    /// Replaces how the client waits between attempts (tests record instead of sleeping).
    pub fn sleep_fn(mut self, sleep: SleepFn) -> Self {
        self.sleep = Some(sleep);
        self
    }
    /// Uses this reqwest client (proxies, custom roots...).
    pub fn http_client(mut self, http: reqwest::Client) -> Self {
        self.http = Some(http);
        self
    }
    /// Builds the client.
    pub fn build(self) -> Result<GraphClient, GraphError> {
        let base = Url::parse(self.config.base_url.trim_end_matches('/'))
            .map_err(|e| GraphError::InvalidRequest(format!("Graph base URL {:?}: {e}", self.config.base_url)))?;
        if base.cannot_be_a_base() || !matches!(base.scheme(), "http" | "https") {
            return Err(GraphError::InvalidRequest(format!(
                "Graph base URL {base} is not an http(s) URL"
            )));
        }
        let http = match self.http {
            Some(h) => h,
            None => reqwest::Client::builder()
                .build()
                .map_err(|e| GraphError::InvalidRequest(format!("HTTP client: {e}")))?,
        };
        let limiter = self.limiter.or_else(|| {
            self.config
                .intune_limits
                .map(|l| (Arc::new(RateLimiter::new(l)), Arc::new(is_intune_path) as PathPredicate))
        });
        Ok(GraphClient {
            inner: Arc::new(Inner {
                http,
                base,
                credential: self.credential,
                scope: self.config.scope,
                timeout: self.config.timeout,
                retry: self.config.retry,
                limiter,
                sleep: self.sleep.unwrap_or_else(tokio_sleep),
                max_pages: self.config.max_pages.max(1),
            }),
        })
    }
}
