//! Function keys for `authLevel` (a local stand-in for the host's key store).
//!
//! The keys file is JSON:
//!
//! ```json
//! {"masterKey": "m-secret", "functionKeys": {"default": "any-function", "ingest": "only-ingest"}}
//! ```
//!
//! `masterKey` authorises every function and the admin API (and is the only key for
//! `authLevel: admin`); `functionKeys.default` authorises every `function`-level
//! function; `functionKeys.<function name>` authorises that function only. A key is
//! presented in the `x-functions-key` header or the `code` query parameter.

use std::collections::BTreeMap;
use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::app::AuthLevel;
use crate::envelope::Identity;
use crate::error::AppError;

/// The keys.
#[derive(Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Keys {
    /// The master (admin) key.
    #[serde(default)]
    pub master_key: Option<String>,
    /// Function keys: `default` for every function, or a function's name.
    #[serde(default)]
    pub function_keys: BTreeMap<String, String>,
}

impl std::fmt::Debug for Keys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Secrets are never printed.
        f.debug_struct("Keys")
            .field("master_key", &self.master_key.as_ref().map(|_| "***"))
            .field("function_keys", &self.function_keys.keys().collect::<Vec<_>>())
            .finish()
    }
}

/// A request lacks the key its function's `authLevel` needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("missing or wrong function key")]
pub struct Unauthorized;

fn same(a: &str, b: &str) -> bool {
    // Constant time in the length of the presented key.
    a.len() == b.len() && a.bytes().zip(b.bytes()).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

impl Keys {
    /// Read a keys file.
    pub fn load(path: &Path) -> Result<Self, AppError> {
        let text = std::fs::read_to_string(path).map_err(|source| AppError::Read {
            file: path.to_owned(),
            source,
        })?;
        serde_json::from_str(&text).map_err(|source| AppError::Json {
            file: path.to_owned(),
            source,
        })
    }

    /// Keys with this master key.
    pub fn with_master(mut self, key: impl Into<String>) -> Self {
        self.master_key = Some(key.into());
        self
    }

    /// Add a function key (`default` or a function's name).
    pub fn with_function_key(mut self, name: impl Into<String>, key: impl Into<String>) -> Self {
        self.function_keys.insert(name.into(), key.into());
        self
    }

    /// The identity a presented key earns for `function`, if any.
    pub fn identify(&self, function: &str, presented: Option<&str>) -> Option<Identity> {
        let presented = presented.filter(|k| !k.is_empty())?;
        if self.master_key.as_deref().is_some_and(|m| same(m, presented)) {
            return Some(Identity {
                level: "Admin",
                key_name: "master".into(),
            });
        }
        ["default", function].into_iter().find_map(|name| {
            self.function_keys
                .get(name)
                .filter(|k| same(k, presented))
                .map(|_| Identity {
                    level: "Function",
                    key_name: name.to_owned(),
                })
        })
    }

    /// Check a request: the identity its key earns (none for anonymous access), or
    /// [`Unauthorized`] (a 401).
    pub fn authorize(
        &self,
        function: &str,
        level: AuthLevel,
        presented: Option<&str>,
    ) -> Result<Option<Identity>, Unauthorized> {
        let identity = self.identify(function, presented);
        let allowed = match level {
            AuthLevel::Anonymous => true,
            AuthLevel::Function => identity.is_some(),
            AuthLevel::Admin => identity.as_ref().is_some_and(|i| i.level == "Admin"),
        };
        if allowed {
            Ok(identity)
        } else {
            Err(Unauthorized)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keys() -> Keys {
        Keys::default()
            .with_master("m")
            .with_function_key("default", "d")
            .with_function_key("ingest", "i")
    }

    #[test]
    fn levels_need_the_right_key() {
        let k = keys();
        assert!(k.authorize("ingest", AuthLevel::Function, None).is_err());
        assert!(k.authorize("ingest", AuthLevel::Function, Some("wrong")).is_err());
        assert_eq!(
            k.authorize("ingest", AuthLevel::Function, Some("i"))
                .unwrap()
                .unwrap()
                .key_name,
            "ingest"
        );
        assert!(
            k.authorize("other", AuthLevel::Function, Some("i")).is_err(),
            "a function's key is its own"
        );
        assert_eq!(
            k.authorize("other", AuthLevel::Function, Some("d"))
                .unwrap()
                .unwrap()
                .level,
            "Function"
        );
        assert!(k.authorize("ingest", AuthLevel::Admin, Some("d")).is_err());
        assert_eq!(
            k.authorize("ingest", AuthLevel::Admin, Some("m"))
                .unwrap()
                .unwrap()
                .level,
            "Admin"
        );
        assert_eq!(
            k.authorize("ingest", AuthLevel::Anonymous, Some("wrong")).unwrap(),
            None
        );
    }

    #[test]
    fn debug_output_hides_secrets() {
        assert!(!format!("{:?}", keys()).contains("\"m\""));
    }
}
