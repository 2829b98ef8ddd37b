//! Start-up options of a simulator.

use std::net::SocketAddr;
use std::time::Duration;

/// How a [`TenantSim`](crate::TenantSim) behaves beyond its scenario. `Default` is right for most tests.
#[derive(Debug, Clone)]
pub struct SimConfig {
    /// Where to listen. Default `127.0.0.1:0` (a free loopback port); `jitadmin dev` may pick a fixed one.
    pub bind: SocketAddr,
    /// Issuer of v1.0 tokens and of the v1 OpenID metadata. `{base}` is replaced by the
    /// sim's base URL and `{tid}` by the tenant id. Default `{base}/{tid}/`, mirroring
    /// Entra's `https://sts.windows.net/{tid}/`; set `https://sts.windows.net/{tid}/` to get
    /// the production string (validators compare issuers as strings; they never fetch them).
    pub issuer_v1: String,
    /// Issuer of v2.0 tokens and metadata. Default `{base}/{tid}/v2.0`, mirroring
    /// `https://login.microsoftonline.com/{tid}/v2.0`.
    pub issuer_v2: String,
    /// Lifetime of issued tokens (`expires_in`). Default 3599 s.
    pub token_lifetime: Duration,
    /// Time scale of throttle windows: 0.01 makes a 20 s window last 200 ms. Default 1.0.
    pub time_scale: f64,
    /// Install Intune's documented limits (2,000 requests and 200 writes per 20 s per app)
    /// as throttle classes `intune` and `intune-write`. Default true.
    pub intune_throttle: bool,
    /// The secret the managed-identity endpoint expects in `X-IDENTITY-HEADER`
    /// (what App Service puts in `IDENTITY_HEADER`). Default: a random value per sim.
    pub identity_header: Option<String>,
    /// How long entitlement management waits for a custom extension endpoint to answer a
    /// callout before it counts the attempt as failed. Default 2 s, EM's documented maximum
    /// (`clientConfiguration`, <https://learn.microsoft.com/graph/api/resources/customcalloutextension>). Not
    /// time-scaled: it is a network timeout.
    pub callout_timeout: std::time::Duration,
    /// How many times a failed callout (timeout, connection error or non-2xx) is retried.
    /// Default 1 (EM's `maximumRetries` is 0 or 1).
    pub callout_retries: u32,
    /// How long after a `syncDevice` an online device checks in (its `lastSyncDateTime`
    /// advances), in simulated time (scaled by `time_scale`). Default 2 minutes.
    pub device_checkin_delay: Duration,
    /// How long Graph waits for a validation handshake answer (10 s, fixed in Graph:
    /// <https://learn.microsoft.com/graph/change-notifications-delivery-webhooks>).
    pub handshake_timeout: Duration,
    /// How long Graph waits for a notification's 2xx (3 s, the window Graph asks endpoints to
    /// answer in, same page; answers over 97 % of it
    /// are marked slow, as Graph's 2,900 ms).
    pub notification_timeout: Duration,
    /// Delay between a membership change and its change notification, simulated time (scaled).
    /// Default 0: at once (Graph's real latency for groups is minutes and undocumented).
    pub notification_delay: Duration,
    /// Put the changed member in `resourceData.members@delta` (reported by users, not documented;
    /// default true).
    pub notification_members_delta: bool,
    /// Member entries per `groups/delta` page before an `@odata.nextLink` (default 100).
    pub delta_page_size: usize,
    /// How strictly Graph requests and answers are held to Graph's published metadata.
    /// Default [`ConformanceMode::Strict`](crate::ConformanceMode::Strict): a test whose calls
    /// do not conform fails.
    pub conformance: crate::ConformanceMode,
}

impl Default for SimConfig {
    fn default() -> Self {
        Self {
            bind: SocketAddr::from(([127, 0, 0, 1], 0)),
            issuer_v1: "{base}/{tid}/".to_owned(),
            issuer_v2: "{base}/{tid}/v2.0".to_owned(),
            token_lifetime: Duration::from_secs(3599),
            time_scale: 1.0,
            intune_throttle: true,
            identity_header: None,
            callout_timeout: Duration::from_secs(2),
            callout_retries: 1,
            device_checkin_delay: Duration::from_secs(120),
            handshake_timeout: Duration::from_secs(10),
            notification_timeout: Duration::from_secs(3),
            notification_delay: Duration::ZERO,
            notification_members_delta: true,
            delta_page_size: 100,
            conformance: crate::ConformanceMode::Strict,
        }
    }
}

impl SimConfig {
    /// Sets the throttle time scale (builder style).
    pub fn with_time_scale(mut self, scale: f64) -> Self {
        self.time_scale = scale;
        self
    }

    pub(crate) fn issuer(template: &str, base: &str, tid: &str) -> String {
        template.replace("{base}", base).replace("{tid}", tid)
    }
}
