//! The one setting that selects a backend, parsed once at start-up.
//!
//! | setting | backend |
//! |---|---|
//! | `sqlite:PATH` | SQLite file at PATH (created if missing, WAL) |
//! | `sqlite::memory:` | SQLite in memory (tests) |
//! | `table:UseDevelopmentStorage=true` | Azurite on `http://127.0.0.1:10002/devstoreaccount1` |
//! | `table:DefaultEndpointsProtocol=https;AccountName=A;AccountKey=K[;TableEndpoint=URL][;EndpointSuffix=S]` | Table Storage, SharedKey |
//! | `table+identity:https://ACCOUNT.table.core.windows.net` | Table Storage, Entra bearer token |
//!
//! Error messages name the part that is wrong and never repeat an account key.

use std::fmt;
use std::path::PathBuf;
use std::str::FromStr;

use base64::Engine as _;
use url::Url;

/// Azurite's well-known development account.
pub const DEV_ACCOUNT: &str = "devstoreaccount1";
/// Azurite's well-known development account key (public, documented by Microsoft).
pub const DEV_ACCOUNT_KEY: &str =
    "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";
/// The default table-name prefix.
pub const DEFAULT_TABLE_PREFIX: &str = "jitadmin";

/// A bad store setting. Never contains an account key.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ConfigError {
    /// The setting does not start with a known scheme.
    #[error("store setting must start with `sqlite:`, `table:` or `table+identity:` (found {found:?})")]
    UnknownScheme {
        /// What was found before the first `:` (or the first few characters).
        found: String,
    },
    /// `sqlite:` with nothing after it.
    #[error("store setting `sqlite:` needs a file path (or `:memory:`)")]
    EmptySqlitePath,
    /// A connection-string segment is not `Name=value`.
    #[error("connection string segment {index} is not `Name=value`")]
    MalformedSegment {
        /// 1-based position of the segment.
        index: usize,
    },
    /// A required connection-string part is missing.
    #[error("connection string has no {part}")]
    Missing {
        /// The missing part's name.
        part: &'static str,
    },
    /// The account key is not base64.
    #[error("connection string AccountKey is not valid base64 (the key is not shown)")]
    BadAccountKey,
    /// Shared access signatures are not supported.
    #[error("connection strings with SharedAccessSignature are not supported; use an AccountKey or table+identity:")]
    SasNotSupported,
    /// An endpoint URL is unusable.
    #[error("table endpoint {endpoint:?} is unusable: {reason}")]
    BadEndpoint {
        /// The endpoint as given.
        endpoint: String,
        /// Why.
        reason: String,
    },
    /// The table prefix is not a valid table-name start.
    #[error("table prefix {prefix:?} is invalid: {reason}")]
    BadTablePrefix {
        /// The prefix.
        prefix: String,
        /// Why.
        reason: &'static str,
    },
}

/// An account key; its `Debug` never shows it.
#[derive(Clone, PartialEq, Eq)]
pub struct AccountKey(Vec<u8>);

impl AccountKey {
    /// Decodes a base64 account key.
    pub fn from_base64(key: &str) -> Result<Self, ConfigError> {
        base64::engine::general_purpose::STANDARD
            .decode(key.trim())
            .map(AccountKey)
            .map_err(|_| ConfigError::BadAccountKey)
    }

    pub(crate) fn bytes(&self) -> &[u8] {
        &self.0
    }
}

impl fmt::Debug for AccountKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("AccountKey(***)")
    }
}

/// Which backend, and how to reach it.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum BackendConfig {
    /// A SQLite file.
    Sqlite {
        /// Its path.
        path: PathBuf,
    },
    /// SQLite in memory: gone when the store is dropped.
    SqliteMemory,
    /// Table Storage with SharedKey authorisation.
    TableSharedKey {
        /// The table service endpoint, ending with the account for path-style (Azurite) URLs.
        endpoint: Url,
        /// The account name.
        account: String,
        /// The account key.
        key: AccountKey,
    },
    /// Table Storage with Entra bearer tokens from a caller-supplied credential.
    TableIdentity {
        /// The table service endpoint.
        endpoint: Url,
        /// The account name (first host label, or first path segment for loopback).
        account: String,
    },
}

/// The store configuration: a backend and a table-name prefix.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoreConfig {
    /// The backend.
    pub backend: BackendConfig,
    /// Prepended to every table name, so several deployments or tests can share an account.
    pub table_prefix: String,
}

impl StoreConfig {
    /// Parses a backend setting (see the module docs), with the default table prefix.
    pub fn parse(setting: &str) -> Result<Self, ConfigError> {
        Ok(StoreConfig {
            backend: parse_backend(setting.trim())?,
            table_prefix: DEFAULT_TABLE_PREFIX.to_string(),
        })
    }

    /// Replaces the table prefix: 1–40 ASCII letters and digits, starting with a letter.
    pub fn with_table_prefix(mut self, prefix: &str) -> Result<Self, ConfigError> {
        let bad = |reason| ConfigError::BadTablePrefix {
            prefix: prefix.to_string(),
            reason,
        };
        if prefix.is_empty() || prefix.len() > 40 {
            return Err(bad("must be 1 to 40 characters"));
        }
        if !prefix.chars().all(|c| c.is_ascii_alphanumeric()) {
            return Err(bad("may hold only ASCII letters and digits"));
        }
        if !prefix.starts_with(|c: char| c.is_ascii_alphabetic()) {
            return Err(bad("must start with a letter"));
        }
        self.table_prefix = prefix.to_string();
        Ok(self)
    }
}

impl FromStr for StoreConfig {
    type Err = ConfigError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        StoreConfig::parse(s)
    }
}

impl fmt::Display for StoreConfig {
    /// A masked description for diagnostics: never shows the key.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.backend {
            BackendConfig::Sqlite { path } => write!(f, "sqlite:{}", path.display())?,
            BackendConfig::SqliteMemory => f.write_str("sqlite::memory:")?,
            BackendConfig::TableSharedKey { endpoint, account, .. } => {
                write!(f, "table:{endpoint} (account {account}, SharedKey ***)")?
            }
            BackendConfig::TableIdentity { endpoint, account } => {
                write!(f, "table+identity:{endpoint} (account {account}, Entra token)")?
            }
        }
        write!(f, " prefix {}", self.table_prefix)
    }
}

fn parse_backend(setting: &str) -> Result<BackendConfig, ConfigError> {
    if let Some(path) = setting.strip_prefix("sqlite:") {
        return match path {
            "" => Err(ConfigError::EmptySqlitePath),
            ":memory:" => Ok(BackendConfig::SqliteMemory),
            p => Ok(BackendConfig::Sqlite { path: PathBuf::from(p) }),
        };
    }
    if let Some(url) = setting.strip_prefix("table+identity:") {
        let endpoint = parse_endpoint(url, None)?;
        let account = account_from_endpoint(&endpoint).ok_or(ConfigError::BadEndpoint {
            endpoint: url.to_string(),
            reason: "cannot tell the account name from it".to_string(),
        })?;
        return Ok(BackendConfig::TableIdentity { endpoint, account });
    }
    if let Some(cs) = setting.strip_prefix("table:") {
        return parse_connection_string(cs);
    }
    let found: String = match setting.find(':') {
        Some(i) if i <= 20 => setting[..i].to_string(),
        _ => setting.chars().take(8).collect(),
    };
    Err(ConfigError::UnknownScheme { found })
}

/// Parses an Azure Storage connection string into a SharedKey table backend.
pub fn parse_connection_string(cs: &str) -> Result<BackendConfig, ConfigError> {
    let mut protocol = None;
    let mut account = None;
    let mut key = None;
    let mut table_endpoint = None;
    let mut suffix = None;
    let mut dev = false;
    for (i, segment) in cs.split(';').enumerate() {
        let segment = segment.trim();
        if segment.is_empty() {
            continue;
        }
        let (name, value) = segment
            .split_once('=')
            .ok_or(ConfigError::MalformedSegment { index: i + 1 })?;
        match name.trim().to_ascii_lowercase().as_str() {
            "defaultendpointsprotocol" => protocol = Some(value.trim().to_string()),
            "accountname" => account = Some(value.trim().to_string()),
            "accountkey" => key = Some(AccountKey::from_base64(value)?),
            "tableendpoint" => table_endpoint = Some(value.trim().to_string()),
            "endpointsuffix" => suffix = Some(value.trim().to_string()),
            "usedevelopmentstorage" => dev = value.trim().eq_ignore_ascii_case("true"),
            "sharedaccesssignature" => return Err(ConfigError::SasNotSupported),
            _ => {} // BlobEndpoint, QueueEndpoint, ... are not ours.
        }
    }
    if dev && account.is_none() {
        let endpoint = table_endpoint.unwrap_or_else(|| format!("http://127.0.0.1:10002/{DEV_ACCOUNT}"));
        return Ok(BackendConfig::TableSharedKey {
            endpoint: parse_endpoint(&endpoint, Some(DEV_ACCOUNT))?,
            account: DEV_ACCOUNT.to_string(),
            key: AccountKey::from_base64(DEV_ACCOUNT_KEY)?,
        });
    }
    let account = account.ok_or(ConfigError::Missing { part: "AccountName" })?;
    let key = key.ok_or(ConfigError::Missing { part: "AccountKey" })?;
    let endpoint = match table_endpoint {
        Some(e) => e,
        None => {
            let protocol = protocol.unwrap_or_else(|| "https".to_string());
            let suffix = suffix.unwrap_or_else(|| "core.windows.net".to_string());
            format!("{protocol}://{account}.table.{suffix}")
        }
    };
    Ok(BackendConfig::TableSharedKey {
        endpoint: parse_endpoint(&endpoint, Some(&account))?,
        account,
        key,
    })
}

fn is_loopback_or_ip(url: &Url) -> bool {
    match url.host() {
        Some(url::Host::Domain(d)) => d.eq_ignore_ascii_case("localhost"),
        Some(_) => true,
        None => false,
    }
}

/// Parses an endpoint; for loopback/IP hosts without a path, appends the account (path-style).
fn parse_endpoint(raw: &str, account: Option<&str>) -> Result<Url, ConfigError> {
    let bad = |reason: &str| ConfigError::BadEndpoint {
        endpoint: raw.to_string(),
        reason: reason.to_string(),
    };
    let mut url = Url::parse(raw.trim()).map_err(|e| bad(&e.to_string()))?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(bad("scheme must be http or https"));
    }
    if url.query().is_some() || url.fragment().is_some() {
        return Err(bad("must not have a query or fragment"));
    }
    let path = url.path().trim_end_matches('/').to_string();
    if path.is_empty() && is_loopback_or_ip(&url) {
        match account {
            Some(a) => url.set_path(&format!("/{a}")),
            None => {
                return Err(bad(
                    "a loopback endpoint needs the account as its path, e.g. /devstoreaccount1",
                ))
            }
        }
    } else {
        url.set_path(&path);
    }
    Ok(url)
}

fn account_from_endpoint(url: &Url) -> Option<String> {
    if is_loopback_or_ip(url) {
        url.path_segments()?
            .next()
            .filter(|s| !s.is_empty())
            .map(str::to_string)
    } else {
        url.host_str()?.split('.').next().map(str::to_string)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sqlite_settings_parse() {
        assert_eq!(
            StoreConfig::parse("sqlite::memory:").unwrap().backend,
            BackendConfig::SqliteMemory
        );
        assert_eq!(
            StoreConfig::parse("sqlite:/var/lib/jitadmin/state.db").unwrap().backend,
            BackendConfig::Sqlite {
                path: "/var/lib/jitadmin/state.db".into()
            }
        );
        assert_eq!(StoreConfig::parse("sqlite:"), Err(ConfigError::EmptySqlitePath));
    }

    #[test]
    fn development_storage_points_at_azurite() {
        let cfg = StoreConfig::parse("table:UseDevelopmentStorage=true").unwrap();
        let BackendConfig::TableSharedKey { endpoint, account, .. } = cfg.backend else {
            panic!("not shared key")
        };
        assert_eq!(endpoint.as_str(), "http://127.0.0.1:10002/devstoreaccount1");
        assert_eq!(account, DEV_ACCOUNT);
    }

    #[test]
    fn account_connection_string_builds_virtual_host_endpoint() {
        let cs = "table:DefaultEndpointsProtocol=https;AccountName=jitst;AccountKey=c2VjcmV0;EndpointSuffix=core.windows.net";
        let BackendConfig::TableSharedKey { endpoint, account, key } = StoreConfig::parse(cs).unwrap().backend else {
            panic!("not shared key")
        };
        assert_eq!(endpoint.as_str(), "https://jitst.table.core.windows.net/");
        assert_eq!(account, "jitst");
        assert_eq!(key.bytes(), b"secret");
    }

    #[test]
    fn loopback_table_endpoint_gets_the_account_path() {
        let cs = format!(
            "table:AccountName=devstoreaccount1;AccountKey={DEV_ACCOUNT_KEY};TableEndpoint=http://127.0.0.1:5555"
        );
        let BackendConfig::TableSharedKey { endpoint, .. } = StoreConfig::parse(&cs).unwrap().backend else {
            panic!("not shared key")
        };
        assert_eq!(endpoint.as_str(), "http://127.0.0.1:5555/devstoreaccount1");
    }

    #[test]
    fn identity_setting_takes_account_from_host() {
        let cfg = StoreConfig::parse("table+identity:https://jitst.table.core.windows.net").unwrap();
        assert_eq!(
            cfg.backend,
            BackendConfig::TableIdentity {
                endpoint: Url::parse("https://jitst.table.core.windows.net/").unwrap(),
                account: "jitst".to_string()
            }
        );
    }

    #[test]
    fn bad_settings_say_what_is_wrong_without_the_key() {
        let secret = "dG9wLXNlY3JldC1rZXk=";
        let cases = [
            (format!("tables:AccountKey={secret}"), "must start with"),
            (format!("table:AccountKey={secret}"), "no AccountName"),
            ("table:AccountName=a".to_string(), "no AccountKey"),
            (
                "table:AccountName=a;AccountKey=!!notbase64".to_string(),
                "not valid base64",
            ),
            (format!("table:AccountName=a;AccountKey={secret};junk"), "segment 3"),
            (
                format!("table:AccountName=a;AccountKey={secret};TableEndpoint=ftp://x"),
                "http or https",
            ),
            (
                format!("table:AccountName=a;SharedAccessSignature=sv={secret}"),
                "not supported",
            ),
            ("table+identity:http://127.0.0.1:1".to_string(), "account"),
        ];
        for (setting, expected) in cases {
            let err = StoreConfig::parse(&setting).unwrap_err().to_string();
            assert!(err.contains(expected), "{setting}: {err}");
            assert!(!err.contains(secret), "{err} echoes the key");
        }
    }

    #[test]
    fn display_and_debug_mask_the_key() {
        let cfg = StoreConfig::parse(&format!("table:AccountName=a;AccountKey={DEV_ACCOUNT_KEY}")).unwrap();
        assert!(!cfg.to_string().contains(DEV_ACCOUNT_KEY));
        assert!(!format!("{cfg:?}").contains("Eby8"));
    }

    #[test]
    fn table_prefix_is_validated() {
        let cfg = StoreConfig::parse("sqlite::memory:").unwrap();
        assert_eq!(cfg.clone().with_table_prefix("t42").unwrap().table_prefix, "t42");
        for bad in ["", "4abc", "a-b", &"a".repeat(41)] {
            assert!(cfg.clone().with_table_prefix(bad).is_err(), "{bad}");
        }
    }
}
