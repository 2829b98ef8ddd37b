//! Public JSON Web Keys: from a JWKS, or bound in a PoP token's `cnf`.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use jsonwebtoken::DecodingKey;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// A public key as a JWK. Only RSA keys are usable (RS256 is the only accepted algorithm).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PublicJwk {
    /// Key type (`RSA`).
    #[serde(default)]
    pub kty: String,
    /// Key id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kid: Option<String>,
    /// RSA modulus, base64url.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub n: Option<String>,
    /// RSA exponent, base64url.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub e: Option<String>,
    /// Intended algorithm, if stated.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub alg: Option<String>,
    /// `sig` for signing keys.
    #[serde(rename = "use", default, skip_serializing_if = "Option::is_none")]
    pub key_use: Option<String>,
    /// Bot Framework: the channels this key may sign for (`msteams`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub endorsements: Vec<String>,
}

impl PublicJwk {
    /// An RSA key from its base64url modulus and exponent.
    pub fn rsa(n: &str, e: &str, kid: Option<&str>) -> Self {
        PublicJwk {
            kty: "RSA".into(),
            kid: kid.map(str::to_string),
            n: Some(n.into()),
            e: Some(e.into()),
            ..Default::default()
        }
    }

    /// The key for signature checks, if this is a usable RSA key.
    pub(crate) fn decoding_key(&self) -> Option<DecodingKey> {
        if !self.kty.eq_ignore_ascii_case("RSA") {
            return None;
        }
        DecodingKey::from_rsa_components(self.n.as_deref()?, self.e.as_deref()?).ok()
    }

    /// The RFC 7638 thumbprint (SHA-256, base64url) of an RSA key.
    pub fn thumbprint(&self) -> Option<String> {
        if !self.kty.eq_ignore_ascii_case("RSA") {
            return None;
        }
        // Members in lexicographic order, no whitespace.
        let canonical = format!(
            r#"{{"e":"{}","kty":"RSA","n":"{}"}}"#,
            self.e.as_deref()?,
            self.n.as_deref()?
        );
        Some(URL_SAFE_NO_PAD.encode(Sha256::digest(canonical.as_bytes())))
    }
}

/// A JWK Set.
#[derive(Debug, Clone, Default, Deserialize)]
pub(crate) struct JwkSet {
    #[serde(default)]
    pub keys: Vec<PublicJwk>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn thumbprint_matches_rfc7638_example() {
        // RFC 7638 §3.1.
        let n = "0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_BJECPebWKRXjBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw";
        let jwk = PublicJwk::rsa(n, "AQAB", None);
        assert_eq!(
            jwk.thumbprint().as_deref(),
            Some("NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs")
        );
    }
}
