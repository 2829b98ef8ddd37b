//! Test support: RSA keys generated once per test binary, token minting, and a tiny
//! OpenID metadata + JWKS server on 127.0.0.1 that counts key-set fetches.
#![allow(dead_code)]

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, OnceLock};

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use jsonwebtoken::{Algorithm, EncodingKey};
use rsa::pkcs1::EncodeRsaPrivateKey;
use rsa::pkcs8::{EncodePublicKey, LineEnding};
use rsa::traits::PublicKeyParts;
use rsa::RsaPrivateKey;
use serde_json::{json, Value};

/// The test clock's "now" (2027-01-15).
pub const NOW: u64 = 1_800_000_000;
pub const TENANT: &str = "84bd8158-6d4d-4958-8b9f-9d6445542f95";

pub struct TestKey {
    pub kid: String,
    pub n: String,
    pub e: String,
    pub encoding: EncodingKey,
    pub public_pem: String,
}

/// Three keys: 0 and 1 publish in JWKS, 2 is a PoP client key.
pub fn key(i: usize) -> &'static TestKey {
    static KEYS: OnceLock<Vec<TestKey>> = OnceLock::new();
    &KEYS.get_or_init(|| {
        let mut rng = rand::thread_rng();
        (0..3)
            .map(|i| {
                let private = RsaPrivateKey::new(&mut rng, 2048).expect("key generation");
                let public = private.to_public_key();
                TestKey {
                    kid: format!("test-key-{i}"),
                    n: URL_SAFE_NO_PAD.encode(public.n().to_bytes_be()),
                    e: URL_SAFE_NO_PAD.encode(public.e().to_bytes_be()),
                    encoding: EncodingKey::from_rsa_der(private.to_pkcs1_der().expect("der").as_bytes()),
                    public_pem: public.to_public_key_pem(LineEnding::LF).expect("pem"),
                }
            })
            .collect()
    })[i]
}

pub fn jwk(k: &TestKey) -> Value {
    json!({"kty": "RSA", "use": "sig", "kid": k.kid, "n": k.n, "e": k.e})
}

pub fn jwk_endorsed(k: &TestKey, endorsements: &[&str]) -> Value {
    json!({"kty": "RSA", "use": "sig", "kid": k.kid, "n": k.n, "e": k.e, "endorsements": endorsements})
}

pub fn b64(v: &Value) -> String {
    URL_SAFE_NO_PAD.encode(serde_json::to_vec(v).unwrap())
}

/// Sign `header`.`claims` with RS256 and `k`.
pub fn sign_with_header(header: &Value, claims: &Value, k: &TestKey) -> String {
    let input = format!("{}.{}", b64(header), b64(claims));
    let sig = jsonwebtoken::crypto::sign(input.as_bytes(), &k.encoding, Algorithm::RS256).unwrap();
    format!("{input}.{sig}")
}

/// An RS256 token with `kid` = `k.kid`.
pub fn sign(claims: &Value, k: &TestKey) -> String {
    sign_with_header(&json!({"alg": "RS256", "typ": "JWT", "kid": k.kid}), claims, k)
}

pub struct KeyServer {
    pub base: String,
    state: Arc<ServerState>,
}

struct ServerState {
    base: String,
    keys: Mutex<Vec<Value>>,
    fetches: AtomicUsize,
    down: AtomicBool,
    /// While set, the key set answers only once released (a slow endpoint).
    held: AtomicBool,
    released: tokio::sync::Notify,
    /// Woken on every request for the key set.
    fetched: tokio::sync::Notify,
}

impl KeyServer {
    pub async fn start(keys: Vec<Value>) -> KeyServer {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        let state = Arc::new(ServerState {
            base: base.clone(),
            keys: Mutex::new(keys),
            fetches: AtomicUsize::new(0),
            down: AtomicBool::new(false),
            held: AtomicBool::new(false),
            released: tokio::sync::Notify::new(),
            fetched: tokio::sync::Notify::new(),
        });
        let app = Router::new()
            .route("/.well-known/openid-configuration", get(metadata))
            .route("/keys", get(jwks))
            .with_state(state.clone());
        tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        KeyServer { base, state }
    }

    pub fn metadata_url(&self) -> String {
        format!("{}/.well-known/openid-configuration", self.base)
    }

    pub fn set_keys(&self, keys: Vec<Value>) {
        *self.state.keys.lock().unwrap() = keys;
    }

    pub fn set_down(&self, down: bool) {
        self.state.down.store(down, Ordering::SeqCst);
    }

    /// From now on the key set answers only after [`KeyServer::release`].
    pub fn hold(&self) {
        self.state.held.store(true, Ordering::SeqCst);
    }

    /// Lets held and later requests through.
    pub fn release(&self) {
        self.state.held.store(false, Ordering::SeqCst);
        self.state.released.notify_waiters();
    }

    /// Waits until the key set has been requested `n` times.
    pub async fn wait_for_fetches(&self, n: usize) {
        loop {
            let next = self.state.fetched.notified();
            tokio::pin!(next);
            next.as_mut().enable();
            if self.fetches() >= n {
                return;
            }
            next.await;
        }
    }

    /// How many times the key set was requested.
    pub fn fetches(&self) -> usize {
        self.state.fetches.load(Ordering::SeqCst)
    }
}

async fn metadata(State(s): State<Arc<ServerState>>) -> Response {
    if s.down.load(Ordering::SeqCst) {
        return StatusCode::SERVICE_UNAVAILABLE.into_response();
    }
    Json(json!({"issuer": s.base, "jwks_uri": format!("{}/keys", s.base),
        "id_token_signing_alg_values_supported": ["RS256"]}))
    .into_response()
}

async fn jwks(State(s): State<Arc<ServerState>>) -> Response {
    s.fetches.fetch_add(1, Ordering::SeqCst);
    s.fetched.notify_waiters();
    loop {
        let released = s.released.notified();
        if !s.held.load(Ordering::SeqCst) {
            break;
        }
        released.await;
    }
    if s.down.load(Ordering::SeqCst) {
        return StatusCode::SERVICE_UNAVAILABLE.into_response();
    }
    let keys = s.keys.lock().unwrap().clone();
    Json(json!({ "keys": keys })).into_response()
}
