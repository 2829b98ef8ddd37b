//! Authentication: an Entra token from a `TokenCredential`, or a shared access signature.

use std::fmt;
use std::sync::Arc;

use azure_core::credentials::TokenCredential;
use base64::Engine;
use hmac::{Hmac, Mac};
use sha2::Sha256;
use url::Url;

use crate::error::ServiceBusError;

/// The token scope of Service Bus.
pub const SCOPE: &str = "https://servicebus.azure.net/.default";

/// How requests are authorised.
#[derive(Clone)]
pub enum Auth {
    /// `Authorization: Bearer <token>` with a token for [`SCOPE`].
    Credential(Arc<dyn TokenCredential>),
    /// `Authorization: SharedAccessSignature ...` signed with a key.
    SharedAccessKey(SharedAccessKey),
}

impl fmt::Debug for Auth {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Auth::Credential(_) => f.write_str("Auth::Credential"),
            Auth::SharedAccessKey(key) => write!(f, "Auth::SharedAccessKey({})", key.name),
        }
    }
}

/// A shared access policy's name and key.
#[derive(Clone, PartialEq, Eq)]
pub struct SharedAccessKey {
    /// The policy (key) name, e.g. `RootManageSharedAccessKey`.
    pub name: String,
    key: String,
}

impl fmt::Debug for SharedAccessKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SharedAccessKey")
            .field("name", &self.name)
            .field("key", &"***")
            .finish()
    }
}

/// How long a signature we make is valid.
const SAS_LIFETIME_SECS: i64 = 3600;

impl SharedAccessKey {
    /// A key (its text is used as-is as the HMAC key, as Service Bus does).
    pub fn new(name: impl Into<String>, key: impl Into<String>) -> Self {
        SharedAccessKey {
            name: name.into(),
            key: key.into(),
        }
    }

    /// `SharedAccessSignature sr=..&sig=..&se=..&skn=..` for `resource` (the entity URL),
    /// valid until `expiry` (Unix seconds): HMAC-SHA256 over `urlencode(resource) + "\n" + expiry`.
    pub fn signature(&self, resource: &str, expiry: i64) -> String {
        let encoded: String = url::form_urlencoded::byte_serialize(resource.as_bytes()).collect();
        let to_sign = format!("{encoded}\n{expiry}");
        let sig = sign(self.key.as_bytes(), to_sign.as_bytes());
        let sig: String = url::form_urlencoded::byte_serialize(sig.as_bytes()).collect();
        let name: String = url::form_urlencoded::byte_serialize(self.name.as_bytes()).collect();
        format!("SharedAccessSignature sr={encoded}&sig={sig}&se={expiry}&skn={name}")
    }

    /// A signature for `resource` valid for the next hour.
    pub fn signature_now(&self, resource: &str) -> String {
        self.signature(resource, chrono::Utc::now().timestamp() + SAS_LIFETIME_SECS)
    }
}

/// Base64 of HMAC-SHA256(key, data).
pub fn sign(key: &[u8], data: &[u8]) -> String {
    // HMAC accepts keys of any length.
    let mut mac = match Hmac::<Sha256>::new_from_slice(key) {
        Ok(mac) => mac,
        Err(_) => return String::new(),
    };
    mac.update(data);
    base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes())
}

/// The parts of a Service Bus connection string we use.
#[derive(Clone, PartialEq, Eq)]
pub struct ConnectionString {
    /// The namespace's HTTP endpoint (`sb://` becomes `https://`; `http://` is kept, as is
    /// `sb://` with `UseDevelopmentEmulator=true`, which becomes `http://`).
    pub endpoint: Url,
    /// The key.
    pub key: SharedAccessKey,
    /// `EntityPath`, when the string is scoped to one entity.
    pub entity_path: Option<String>,
}

impl fmt::Debug for ConnectionString {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ConnectionString")
            .field("endpoint", &self.endpoint.as_str())
            .field("key", &self.key)
            .field("entity_path", &self.entity_path)
            .finish()
    }
}

impl ConnectionString {
    /// Parse `Endpoint=sb://ns.servicebus.windows.net/;SharedAccessKeyName=..;SharedAccessKey=..`.
    /// Errors never repeat the key.
    pub fn parse(text: &str) -> Result<Self, ServiceBusError> {
        let bad = |what: &str| ServiceBusError::ConnectionString(what.to_string());
        let mut endpoint = None;
        let mut name = None;
        let mut key = None;
        let mut entity_path = None;
        let mut emulator = false;
        for part in text.split(';').map(str::trim).filter(|p| !p.is_empty()) {
            let Some((k, v)) = part.split_once('=') else {
                return Err(bad("every part must be Name=Value"));
            };
            match k.trim().to_ascii_lowercase().as_str() {
                "endpoint" => endpoint = Some(v.trim().to_string()),
                "sharedaccesskeyname" => name = Some(v.trim().to_string()),
                "sharedaccesskey" => key = Some(v.trim().to_string()),
                "entitypath" => entity_path = Some(v.trim().to_string()),
                "usedevelopmentemulator" => emulator = v.trim().eq_ignore_ascii_case("true"),
                _ => {}
            }
        }
        let endpoint = endpoint.ok_or_else(|| bad("Endpoint is missing"))?;
        let name = name.ok_or_else(|| bad("SharedAccessKeyName is missing"))?;
        let key = key.ok_or_else(|| bad("SharedAccessKey is missing"))?;
        let http = match endpoint.split_once("://") {
            Some(("sb", rest)) if emulator => format!("http://{rest}"),
            Some(("sb", rest)) => format!("https://{rest}"),
            Some(("http" | "https", _)) => endpoint.clone(),
            _ => return Err(bad("Endpoint must be sb://, https:// or http://")),
        };
        let mut endpoint = Url::parse(&http).map_err(|e| bad(&format!("Endpoint is not a URL: {e}")))?;
        if !endpoint.path().ends_with('/') {
            let path = format!("{}/", endpoint.path());
            endpoint.set_path(&path);
        }
        Ok(ConnectionString {
            endpoint,
            key: SharedAccessKey::new(name, key),
            entity_path,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_connection_string_gives_the_https_endpoint_and_the_key() {
        let c = ConnectionString::parse(
            "Endpoint=sb://contoso.servicebus.windows.net/;SharedAccessKeyName=ops;SharedAccessKey=abc=;EntityPath=events",
        )
        .unwrap();
        assert_eq!(c.endpoint.as_str(), "https://contoso.servicebus.windows.net/");
        assert_eq!(c.key.name, "ops");
        assert_eq!(c.entity_path.as_deref(), Some("events"));
        assert!(!format!("{c:?}").contains("abc="), "the key is never printed");
    }

    #[test]
    fn a_connection_string_without_a_key_is_refused_without_echoing_it() {
        let err = ConnectionString::parse("Endpoint=sb://x/;SharedAccessKeyName=ops").unwrap_err();
        assert!(err.to_string().contains("SharedAccessKey is missing"), "{err}");
    }

    #[test]
    fn the_signature_is_hmac_sha256_over_the_encoded_uri_and_expiry() {
        let key = SharedAccessKey::new("ops", "secret");
        let sas = key.signature("https://ns.servicebus.windows.net/events", 1_700_000_000);
        let expected = sign(
            b"secret",
            b"https%3A%2F%2Fns.servicebus.windows.net%2Fevents\n1700000000",
        );
        let expected: String = url::form_urlencoded::byte_serialize(expected.as_bytes()).collect();
        assert_eq!(
            sas,
            format!(
                "SharedAccessSignature sr=https%3A%2F%2Fns.servicebus.windows.net%2Fevents&sig={expected}&se=1700000000&skn=ops"
            )
        );
    }
}
