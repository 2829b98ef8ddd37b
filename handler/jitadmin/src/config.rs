//! jitadmin's configuration: one typed struct, loaded once from environment variables
//! (Azure app settings, or a `.env`-style file / flags locally), validated at start-up.
//!
//! Every setting is named `JITADMIN_*`; [`SETTINGS`] lists them with their defaults and
//! meaning, in the order [`Config::describe`] prints them. Errors name the setting and
//! never repeat a secret's value; [`Config`]'s `Display` masks secrets.
//!
//! Every external base URL is configurable so the same binary runs against tenant-sim:
//!
//! ```text
//! JITADMIN_TENANT_ID=<sim tenant id>
//! JITADMIN_AUTHORITY_HOST=http://127.0.0.1:PORT    # issuers {base}/{tid}/ and {base}/{tid}/v2.0
//! JITADMIN_GRAPH_BASE_URL=http://127.0.0.1:PORT
//! JITADMIN_CALLOUT_AUDIENCES=api://jitadmin
//! JITADMIN_CALLOUT_ALLOWED_CALLERS=<forwarder's managed identity object id>
//! IDENTITY_ENDPOINT=http://127.0.0.1:PORT/msi/token IDENTITY_HEADER=...   # read by azure_identity
//! ```

mod describe;
mod load;
mod packages;
mod settings;

use std::path::PathBuf;
use std::time::Duration;

pub use jitadmin_graph::CredentialConfig;
pub use jitadmin_store::StoreConfig;
pub use load::device_loop::{DriftAction, NotifyMode, NotifySettings, SyncSettings, WatchSettings};
pub use load::teams::{TeamsConfig, BOT_SCOPE, CARD_KEY_MIN_BYTES};
pub use packages::ManagedPackages;
pub use settings::{settings_table, Setting, SETTINGS};

/// Public-cloud login authority (the default of `JITADMIN_AUTHORITY_HOST`).
pub const PUBLIC_AUTHORITY_HOST: &str = "https://login.microsoftonline.com";
/// Public-cloud v1 token issuer base (`https://sts.windows.net/{tid}/`).
pub const PUBLIC_V1_ISSUER_BASE: &str = "https://sts.windows.net";
/// The store used when `JITADMIN_STORE` is unset outside Azure (`jitadmin dev`, tests).
pub const DEV_STORE: &str = "sqlite:jitadmin.db";

/// The whole configuration of a jitadmin process.
#[derive(Debug, Clone)]
pub struct Config {
    /// Our Entra tenant (`JITADMIN_TENANT_ID`).
    pub tenant_id: String,
    /// Login authority and token issuers.
    pub authority: AuthorityConfig,
    /// Outbound Microsoft Graph.
    pub graph: GraphSettings,
    /// The credential for outbound calls (Graph, Table Storage with `table+identity:`).
    pub credential: CredentialConfig,
    /// The state store (`JITADMIN_STORE`, `JITADMIN_STORE_TABLE_PREFIX`).
    pub store: StoreConfig,
    /// How `callout` authenticates its caller.
    pub callout: CalloutAuthConfig,
    /// `JITADMIN_RULES`: the rules file that decides created-stage requests, compiled once
    /// at start-up (a bad file stops start-up with `FILE:LINE:COL: message`).
    pub rules: Option<PathBuf>,
    /// What `process` does with created-stage callouts when no rules file is configured.
    pub created_stage: CreatedStage,
    /// The `source` we write into resume bodies (`JITADMIN_RESUME_SOURCE`).
    pub resume_source: String,
    /// The access packages jitadmin manages (`JITADMIN_ACCESS_PACKAGES`, formerly
    /// `JITADMIN_WATCH_ACCESS_PACKAGES`).
    pub packages: ManagedPackages,
    /// The watch on the admin groups.
    pub watch: WatchSettings,
    /// Intune syncs and check-ins.
    pub sync: SyncSettings,
    /// The user's notice.
    pub notify: NotifySettings,
    /// Enqueue events with a direct Service Bus send instead of the output binding
    /// (`JITADMIN_SERVICEBUS_NAMESPACE` or `JITADMIN_SERVICEBUS_CONNECTION_STRING`).
    pub direct_queue: Option<DirectQueue>,
    /// Teams approvals (`JITADMIN_BOT_APP_ID` and the rest); `None` when Teams is off.
    pub teams: Option<TeamsConfig>,
}

/// Where `callout` sends events itself: the Functions Service Bus output binding cannot set
/// MessageId or SessionId for a custom handler, which a session queue with duplicate
/// detection needs.
#[derive(Clone, PartialEq, Eq)]
pub struct DirectQueue {
    /// The namespace, reached with the app's credential.
    pub namespace: Option<String>,
    /// Or a connection string (never printed).
    pub connection_string: Option<String>,
    /// The queue (`JITADMIN_SERVICEBUS_QUEUE`, default `events`).
    pub queue: String,
}

impl std::fmt::Debug for DirectQueue {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DirectQueue")
            .field("namespace", &self.namespace)
            .field("connection_string", &self.connection_string.as_ref().map(|_| "***"))
            .field("queue", &self.queue)
            .finish()
    }
}

/// The login authority and the issuer bases tokens are validated against.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuthorityConfig {
    /// `JITADMIN_AUTHORITY_HOST`: where OpenID metadata is read
    /// (`{host}/{tid}/v2.0/.well-known/openid-configuration`).
    pub host: String,
    /// `JITADMIN_ISSUER_V1_BASE`: v1 tokens are issued by `{base}/{tid}/`.
    pub v1_issuer_base: String,
    /// `JITADMIN_ISSUER_V2_BASE`: v2 tokens are issued by `{base}/{tid}/v2.0`.
    pub v2_issuer_base: String,
    /// `JITADMIN_OPENID_TIMEOUT_MS`: timeout of one metadata/JWKS fetch, kept well under
    /// the 2-second callout budget.
    pub key_fetch_timeout: Duration,
}

impl AuthorityConfig {
    /// The OpenID metadata URL of `tenant_id` at this authority.
    pub fn openid_metadata_url(&self, tenant_id: &str) -> String {
        format!(
            "{}/{tenant_id}/v2.0/.well-known/openid-configuration",
            self.host.trim_end_matches('/')
        )
    }
}

/// Outbound Graph settings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GraphSettings {
    /// `JITADMIN_GRAPH_BASE_URL`, without the version.
    pub base_url: String,
    /// `JITADMIN_GRAPH_SCOPE`.
    pub scope: String,
    /// `JITADMIN_GRAPH_TIMEOUT_SECS`: timeout of one attempt.
    pub timeout: Duration,
    /// `JITADMIN_GRAPH_MAX_ATTEMPTS`: attempts per request on throttling/transient errors.
    pub max_attempts: u32,
}

/// How `callout` authenticates.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CalloutAuthConfig {
    /// `JITADMIN_CALLOUT_AUTH`.
    pub mode: CalloutAuthMode,
    /// `JITADMIN_CALLOUT_AUDIENCES`: accepted `aud` values of bearer tokens.
    pub audiences: Vec<String>,
    /// `JITADMIN_CALLOUT_ALLOWED_CALLERS`: object ids (`oid`) allowed to call with a bearer token.
    pub allowed_callers: Vec<String>,
    /// `JITADMIN_TOKEN_LEEWAY_SECS`: clock skew allowed on `exp`/`nbf`.
    pub leeway: Duration,
    /// PoP options (used when `mode` is [`CalloutAuthMode::Pop`]).
    pub pop: PopSettings,
}

/// The callout authentication mode.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CalloutAuthMode {
    /// `bearer`: the forwarding Logic App's managed-identity token (the supported shape: entitlement
    /// management calls a Logic App, which validates its PoP token and calls us).
    Bearer,
    /// `pop`: entitlement management's own proof-of-possession token (direct endpoint).
    Pop,
}

/// Options of PoP validation; each covers a point Microsoft does not document (the inner
/// token's audience, the signed host and path, whether a nonce is sent), so either answer works.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PopSettings {
    /// `JITADMIN_POP_AUDIENCES`: accepted audiences of the inner access token.
    pub audiences: Vec<String>,
    /// `JITADMIN_POP_APP_IDS`: accepted `appid`/`azp` of the inner token.
    pub app_ids: Vec<String>,
    /// `JITADMIN_POP_HOST`: what `u` must equal; `None` = this request's host.
    pub host: Option<String>,
    /// `JITADMIN_POP_PATH`: what `p` must equal; `None` = this request's path.
    pub path: Option<String>,
    /// `JITADMIN_POP_MAX_TS_SKEW_SECS`: how far `ts` may be from now.
    pub max_ts_skew: Duration,
    /// `JITADMIN_POP_REQUIRE_NONCE`: refuse signed requests without a `nonce`.
    pub require_nonce: bool,
}

/// What `process` does with an `assignmentRequestCreated` callout when no rules file is
/// configured (`JITADMIN_CREATED_STAGE`; with `JITADMIN_RULES` the rules decide).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CreatedStage {
    /// `continue`: resume at once with continue.
    Continue,
    /// `wait`: leave the request waiting (for a human, or until the callback times out).
    Wait,
}

/// A setting is missing or wrong. Messages name the setting and never show a secret.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ConfigError {
    /// A required setting is not set.
    #[error("{name} is not set: {hint}")]
    Missing {
        /// The environment variable.
        name: &'static str,
        /// What to set it to.
        hint: &'static str,
    },
    /// A setting has a value we cannot use.
    #[error("{name} is invalid: {reason}")]
    Invalid {
        /// The environment variable.
        name: &'static str,
        /// Why (never the value of a secret).
        reason: String,
    },
    /// Several settings are missing or wrong: all of them, so that one start names them all.
    #[error("{} settings need attention:{}", .0.len(), .0.iter().map(|e| format!("\n  - {e}")).collect::<String>())]
    Several(Vec<ConfigError>),
}

impl ConfigError {
    /// One error for `errors` (at least one): itself when alone, else [`ConfigError::Several`].
    pub fn all(errors: Vec<ConfigError>) -> ConfigError {
        let mut flat: Vec<ConfigError> = Vec::new();
        for e in errors {
            match e {
                ConfigError::Several(inner) => flat.extend(inner),
                other => flat.push(other),
            }
        }
        match flat.len() {
            1 => flat.remove(0),
            _ => ConfigError::Several(flat),
        }
    }

    /// The settings named, in order.
    pub fn names(&self) -> Vec<&'static str> {
        match self {
            ConfigError::Missing { name, .. } | ConfigError::Invalid { name, .. } => vec![name],
            ConfigError::Several(all) => all.iter().flat_map(ConfigError::names).collect(),
        }
    }
}

impl Config {
    /// Load from the process environment.
    pub fn from_env() -> Result<Config, ConfigError> {
        Config::from_lookup(|name| std::env::var(name).ok())
    }

    /// Load from any name → value lookup (tests, `.env` files). Empty values count as unset.
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Result<Config, ConfigError> {
        load::load(&|name: &str| lookup(name).map(|v| v.trim().to_string()).filter(|v| !v.is_empty()))
    }

    /// The effective settings, one `(name, value)` pair per [`SETTINGS`] entry, secrets masked.
    pub fn describe(&self) -> Vec<(&'static str, String)> {
        describe::describe(self)
    }

    /// The credential's kind as `JITADMIN_CREDENTIAL` spells it (`managed-identity`, ...).
    pub fn credential_kind(&self) -> &'static str {
        describe::credential_kind(&self.credential)
    }

    /// A credential's kind as the settings spell it (`managed-identity`, ...).
    pub fn credential_kind_of(credential: &CredentialConfig) -> &'static str {
        describe::credential_kind(credential)
    }
}

impl std::fmt::Display for Config {
    /// One `NAME = value` line per setting, secrets masked.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        for (name, value) in self.describe() {
            writeln!(f, "{name} = {value}")?;
        }
        Ok(())
    }
}

#[cfg(test)]
#[path = "config/tests.rs"]
mod tests;
