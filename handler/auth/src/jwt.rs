//! Compact JWS parsing, the RS256-only algorithm rule, signature checks and lifetime checks.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use jsonwebtoken::{Algorithm, DecodingKey};
use serde::de::DeserializeOwned;
use serde::Deserialize;

use crate::jwk::PublicJwk;
use crate::AuthError;

/// Tokens longer than this are refused before any work.
const MAX_TOKEN_LEN: usize = 32 * 1024;

/// The JOSE header fields we read.
#[derive(Debug, Clone, Deserialize)]
pub(crate) struct JwsHeader {
    #[serde(default)]
    pub alg: Option<String>,
    #[serde(default)]
    pub kid: Option<String>,
    #[serde(default)]
    pub x5t: Option<String>,
    #[serde(default)]
    pub jwk: Option<PublicJwk>,
}

impl JwsHeader {
    /// The key id: `kid`, else `x5t` (Entra publishes both with the same value).
    pub fn key_id(&self) -> Result<&str, AuthError> {
        self.kid
            .as_deref()
            .or(self.x5t.as_deref())
            .ok_or(AuthError::Malformed { what: "kid missing" })
    }
}

/// A compact JWS split into its parts, header decoded, payload not yet trusted.
#[derive(Debug)]
pub(crate) struct Jws<'a> {
    pub header: JwsHeader,
    signing_input: &'a str,
    signature: &'a str,
    payload: Vec<u8>,
}

impl<'a> Jws<'a> {
    /// Split and decode; any failure is [`AuthError::Malformed`].
    pub fn parse(token: &'a str) -> Result<Self, AuthError> {
        if token.len() > MAX_TOKEN_LEN {
            return Err(AuthError::Malformed { what: "token too long" });
        }
        let mut parts = token.split('.');
        let (Some(h), Some(p), Some(s), None) = (parts.next(), parts.next(), parts.next(), parts.next()) else {
            return Err(AuthError::Malformed {
                what: "not a compact JWS",
            });
        };
        let header_bytes = decode_part(h).ok_or(AuthError::Malformed {
            what: "header encoding",
        })?;
        let header: JwsHeader =
            serde_json::from_slice(&header_bytes).map_err(|_| AuthError::Malformed { what: "header" })?;
        let payload = decode_part(p).ok_or(AuthError::Malformed {
            what: "payload encoding",
        })?;
        Ok(Jws {
            header,
            signing_input: &token[..h.len() + 1 + p.len()],
            signature: s,
            payload,
        })
    }

    /// Refuse anything but RS256 (`none`, HS256 with a public key as secret, ...).
    pub fn require_rs256(&self) -> Result<(), AuthError> {
        match self.header.alg.as_deref() {
            Some("RS256") => Ok(()),
            Some(other) => Err(AuthError::unsupported_alg(other)),
            None => Err(AuthError::Malformed { what: "alg missing" }),
        }
    }

    /// Check the RS256 signature with `key`.
    pub fn verify(&self, key: &DecodingKey) -> bool {
        if self.signature.is_empty() {
            return false;
        }
        jsonwebtoken::crypto::verify(self.signature, self.signing_input.as_bytes(), key, Algorithm::RS256)
            .unwrap_or(false)
    }

    /// The payload as claims; call only after the signature checked out.
    pub fn claims<T: DeserializeOwned>(&self) -> Result<T, AuthError> {
        serde_json::from_slice(&self.payload).map_err(|_| AuthError::Malformed { what: "claims" })
    }

    /// The signature part, as a replay-cache key of last resort.
    pub fn signature(&self) -> &str {
        self.signature
    }
}

fn decode_part(part: &str) -> Option<Vec<u8>> {
    URL_SAFE_NO_PAD.decode(part.trim_end_matches('=')).ok()
}

/// `exp` required, `nbf` optional, both with `leeway` seconds of skew.
pub(crate) fn check_lifetime(exp: Option<i64>, nbf: Option<i64>, now: i64, leeway: i64) -> Result<(), AuthError> {
    let exp = exp.ok_or(AuthError::Malformed { what: "exp missing" })?;
    if now > exp.saturating_add(leeway) {
        return Err(AuthError::Expired);
    }
    if let Some(nbf) = nbf {
        if now.saturating_add(leeway) < nbf {
            return Err(AuthError::NotYetValid);
        }
    }
    Ok(())
}

/// `aud` as a string or an array.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, serde::Serialize)]
#[serde(untagged)]
pub enum Audience {
    /// One audience.
    One(String),
    /// Several.
    Many(Vec<String>),
}

impl Default for Audience {
    fn default() -> Self {
        Audience::Many(Vec::new())
    }
}

impl Audience {
    /// Whether any of our accepted audiences is in the token's.
    pub fn accepts_any(&self, accepted: &[String]) -> bool {
        match self {
            Audience::One(a) => accepted.contains(a),
            Audience::Many(list) => list.iter().any(|a| accepted.contains(a)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lifetime_allows_skew_on_both_sides() {
        assert_eq!(check_lifetime(Some(100), Some(50), 399, 300), Ok(()));
        assert_eq!(check_lifetime(Some(100), None, 401, 300), Err(AuthError::Expired));
        assert_eq!(
            check_lifetime(Some(10_000), Some(1000), 699, 300),
            Err(AuthError::NotYetValid)
        );
        assert_eq!(
            check_lifetime(None, None, 0, 300),
            Err(AuthError::Malformed { what: "exp missing" })
        );
    }

    #[test]
    fn four_part_tokens_are_malformed() {
        assert!(matches!(Jws::parse("a.b.c.d"), Err(AuthError::Malformed { .. })));
        assert!(matches!(Jws::parse("abc"), Err(AuthError::Malformed { .. })));
    }
}
