//! Entitlement management's PoP requests: an inner access token (minted by tenant-sim,
//! binding our client key in `cnf`) wrapped in a signed HTTP request signed with that key.

use std::sync::OnceLock;

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use jsonwebtoken::{Algorithm, EncodingKey};
use rsa::pkcs1::EncodeRsaPrivateKey;
use rsa::traits::PublicKeyParts;
use rsa::RsaPrivateKey;
use serde_json::{json, Value};

use super::TestApp;

/// EM's first-party app id.
pub const EM_APP_ID: &str = "810dcf14-1858-4bf2-8134-4c369fa3235b";

/// The client's PoP key (two: the bound one and a stranger).
pub struct ClientKey {
    pub jwk: Value,
    encoding: EncodingKey,
}

pub fn client_key(i: usize) -> &'static ClientKey {
    static KEYS: OnceLock<Vec<ClientKey>> = OnceLock::new();
    &KEYS.get_or_init(|| {
        let mut rng = rand::thread_rng();
        (0..2)
            .map(|_| {
                let private = RsaPrivateKey::new(&mut rng, 2048).expect("key");
                let public = private.to_public_key();
                ClientKey {
                    jwk: json!({"kty": "RSA",
                        "n": URL_SAFE_NO_PAD.encode(public.n().to_bytes_be()),
                        "e": URL_SAFE_NO_PAD.encode(public.e().to_bytes_be())}),
                    encoding: EncodingKey::from_rsa_der(private.to_pkcs1_der().expect("der").as_bytes()),
                }
            })
            .collect()
    })[i]
}

fn b64(v: &Value) -> String {
    URL_SAFE_NO_PAD.encode(serde_json::to_vec(v).unwrap())
}

fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64
}

/// The SHR payload for POST jitadmin.example.net/api/callout, now, with a fresh nonce.
pub fn payload(at: &str) -> Value {
    json!({"at": at, "ts": now(), "m": "POST", "u": "jitadmin.example.net", "p": "/api/callout",
           "nonce": uuid::Uuid::new_v4().to_string()})
}

impl TestApp {
    /// EM's access token for ARM, binding client key 0.
    pub fn em_access_token(&self) -> String {
        let mut claims = self
            .sim
            .app_claims(EM_APP_ID, "https://management.azure.com")
            .expect("claims");
        claims["cnf"] = json!({"jwk": client_key(0).jwk});
        self.sim.mint_token(&claims).expect("token")
    }
}

/// `PoP <shr>` signed with client key `signer`.
pub fn header(payload: &Value, signer: usize) -> String {
    let input = format!("{}.{}", b64(&json!({"alg": "RS256", "typ": "pop"})), b64(payload));
    let sig = jsonwebtoken::crypto::sign(input.as_bytes(), &client_key(signer).encoding, Algorithm::RS256).unwrap();
    format!("PoP {input}.{sig}")
}

/// The timestamp now, for tests that move it.
pub fn unix_now() -> i64 {
    now()
}
