//! RS256 signing keys, the key ring (rotation) and the JWKS document.
//!
//! RSA-2048 generation takes a noticeable fraction of a second, so keys come from a
//! process-wide pool: the n-th key is generated once and shared by every simulator in the
//! process (each simulator is its own tenant; sharing key material between test tenants is
//! harmless and keeps tests fast).

use std::sync::{Arc, Mutex, OnceLock};

use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use base64::Engine;
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header};
use rsa::pkcs1::EncodeRsaPrivateKey;
use rsa::pkcs8::EncodePublicKey;
use rsa::traits::PublicKeyParts;
use rsa::RsaPrivateKey;
use serde_json::{json, Value};
use sha2::{Digest, Sha256};

use crate::error::{Result, SimError};

/// One RSA signing key with its JWKS identity.
pub struct SigningKey {
    kid: String,
    n: String,
    e: String,
    x5c: String,
    encoding: EncodingKey,
    decoding: DecodingKey,
}

impl std::fmt::Debug for SigningKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SigningKey")
            .field("kid", &self.kid)
            .finish_non_exhaustive()
    }
}

impl SigningKey {
    pub(crate) fn generate() -> Result<Self> {
        let private = RsaPrivateKey::new(&mut rand::thread_rng(), 2048).map_err(|e| SimError::Key(e.to_string()))?;
        let der = private.to_pkcs1_der().map_err(|e| SimError::Key(e.to_string()))?;
        let public = private.to_public_key();
        let spki = public.to_public_key_der().map_err(|e| SimError::Key(e.to_string()))?;
        // Entra's kid and x5t are the SHA-1 thumbprint of the key's certificate. We have no
        // certificate, so we use a 20-byte digest of the public key: same length and alphabet.
        let digest = Sha256::digest(spki.as_bytes());
        let kid = URL_SAFE_NO_PAD.encode(&digest[..20]);
        let n = URL_SAFE_NO_PAD.encode(public.n().to_bytes_be());
        let e = URL_SAFE_NO_PAD.encode(public.e().to_bytes_be());
        let decoding = DecodingKey::from_rsa_components(&n, &e)?;
        Ok(Self {
            kid,
            n,
            e,
            x5c: STANDARD.encode(spki.as_bytes()),
            encoding: EncodingKey::from_rsa_der(der.as_bytes()),
            decoding,
        })
    }

    /// The key id (`kid`, also used as `x5t`).
    pub fn kid(&self) -> &str {
        &self.kid
    }

    /// The key for verifying tokens it signed.
    pub fn decoding_key(&self) -> &DecodingKey {
        &self.decoding
    }

    /// Signs claims as an RS256 JWT with `kid` and `x5t` headers, as Entra does.
    pub fn sign(&self, claims: &Value) -> Result<String> {
        let mut header = Header::new(Algorithm::RS256);
        header.kid = Some(self.kid.clone());
        header.x5t = Some(self.kid.clone());
        Ok(jsonwebtoken::encode(&header, claims, &self.encoding)?)
    }

    /// The public key as a minimal RSA JWK (`kty`, `n`, `e`), as a PoP client presents it.
    pub(crate) fn public_jwk(&self) -> Value {
        json!({ "kty": "RSA", "n": self.n, "e": self.e })
    }

    /// The RFC 7638 thumbprint (SHA-256 of `{"e","kty","n"}` in that order, base64url).
    pub(crate) fn thumbprint(&self) -> String {
        let canonical = format!(r#"{{"e":"{}","kty":"RSA","n":"{}"}}"#, self.e, self.n);
        URL_SAFE_NO_PAD.encode(Sha256::digest(canonical.as_bytes()))
    }

    /// Signs `payload` as a compact RS256 JWS with exactly the given JOSE `header` (its `alg`
    /// must say RS256), for shapes `jsonwebtoken::Header` cannot express (PoP SHRs).
    pub(crate) fn sign_raw(&self, header: &Value, payload: &Value) -> Result<String> {
        let h = URL_SAFE_NO_PAD.encode(serde_json::to_vec(header).map_err(|e| SimError::Key(e.to_string()))?);
        let p = URL_SAFE_NO_PAD.encode(serde_json::to_vec(payload).map_err(|e| SimError::Key(e.to_string()))?);
        let input = format!("{h}.{p}");
        let sig = jsonwebtoken::crypto::sign(input.as_bytes(), &self.encoding, Algorithm::RS256)?;
        Ok(format!("{input}.{sig}"))
    }

    /// This key as a JWK, in the shape of Entra's JWKS entries. `x5c` carries the DER
    /// SubjectPublicKeyInfo (not a certificate: the simulator issues none).
    pub fn jwk(&self, issuer: &str) -> Value {
        json!({
            "kty": "RSA", "use": "sig", "alg": "RS256",
            "kid": self.kid, "x5t": self.kid,
            "n": self.n, "e": self.e,
            "x5c": [self.x5c],
            "issuer": issuer,
        })
    }
}

/// The n-th key of the process-wide pool, generated on first use.
pub(crate) fn pooled_key(n: usize) -> Result<Arc<SigningKey>> {
    static POOL: OnceLock<Mutex<Vec<Arc<SigningKey>>>> = OnceLock::new();
    let pool = POOL.get_or_init(|| Mutex::new(Vec::new()));
    let mut keys = pool.lock().unwrap_or_else(|p| p.into_inner());
    while keys.len() <= n {
        let started = std::time::Instant::now();
        keys.push(Arc::new(SigningKey::generate()?));
        tracing::debug!(
            index = keys.len() - 1,
            elapsed_ms = started.elapsed().as_millis() as u64,
            "generated RSA key"
        );
    }
    Ok(keys[n].clone())
}

/// A key that no simulator ever publishes, for negative tests.
pub(crate) fn foreign_key() -> Result<Arc<SigningKey>> {
    static FOREIGN: OnceLock<Arc<SigningKey>> = OnceLock::new();
    if let Some(k) = FOREIGN.get() {
        return Ok(k.clone());
    }
    let key = Arc::new(SigningKey::generate()?);
    Ok(FOREIGN.get_or_init(|| key).clone())
}

/// The key entitlement management's simulated PoP client signs SHRs with (in no JWKS,
/// distinct from [`foreign_key`] so negative tests with that key stay negative).
pub(crate) fn pop_key() -> Result<Arc<SigningKey>> {
    static POP: OnceLock<Arc<SigningKey>> = OnceLock::new();
    if let Some(k) = POP.get() {
        return Ok(k.clone());
    }
    let key = Arc::new(SigningKey::generate()?);
    Ok(POP.get_or_init(|| key).clone())
}

/// The tenant's keys: the current signing key plus older keys still published for overlap.
#[derive(Debug)]
pub(crate) struct KeyRing {
    /// Published keys, oldest first; the last one signs.
    published: Vec<Arc<SigningKey>>,
    /// How many pool keys this ring has taken (the next rotation takes this index).
    taken: usize,
}

impl KeyRing {
    pub(crate) fn new() -> Result<Self> {
        Ok(Self {
            published: vec![pooled_key(0)?],
            taken: 1,
        })
    }

    pub(crate) fn current(&self) -> Arc<SigningKey> {
        // `published` is never empty: `retire` refuses to remove the signing key.
        self.published[self.published.len() - 1].clone()
    }

    pub(crate) fn published(&self) -> Vec<Arc<SigningKey>> {
        self.published.clone()
    }

    pub(crate) fn find(&self, kid: &str) -> Option<Arc<SigningKey>> {
        self.published.iter().find(|k| k.kid == kid).cloned()
    }

    /// Publishes a new key and makes it the signing key; older keys stay published.
    pub(crate) fn rotate(&mut self) -> Result<String> {
        let key = pooled_key(self.taken)?;
        self.taken += 1;
        let kid = key.kid.clone();
        self.published.push(key);
        Ok(kid)
    }

    /// Removes a published key that no longer signs.
    pub(crate) fn retire(&mut self, kid: &str) -> Result<()> {
        if self.current().kid == kid {
            return Err(SimError::Rotation(format!(
                "key '{kid}' is the current signing key; rotate first"
            )));
        }
        let before = self.published.len();
        self.published.retain(|k| k.kid != kid);
        if self.published.len() == before {
            return Err(SimError::Rotation(format!("key '{kid}' is not published")));
        }
        Ok(())
    }
}
