//! Helpers shared by the integration tests.

pub mod endpoint;
pub mod notify;

use jsonwebtoken::{Algorithm, DecodingKey, Validation};
use serde_json::Value;
use tenant_sim::{ConformanceMode, Scenario, SimConfig, TenantSim};

pub const JITADMIN_APP: &str = "66666666-0000-4000-8000-000000000001";
pub const JITADMIN_SECRET: &str = "demo-jitadmin-secret";
pub const JITADMIN_SP: &str = "66666666-0000-4000-8000-0000000000a1";
pub const MI_CLIENT: &str = "77777777-0000-4000-8000-000000000001";
pub const MI_OBJECT: &str = "77777777-0000-4000-8000-0000000000a1";
pub const GRAPH: &str = "https://graph.microsoft.com";
pub const MEGAN: &str = "11111111-0000-4000-8000-000000000001";
pub const ADELE: &str = "11111111-0000-4000-8000-000000000002";
pub const LEE: &str = "11111111-0000-4000-8000-000000000003";
pub const ALEX: &str = "11111111-0000-4000-8000-000000000005";
pub const LYNNE: &str = "11111111-0000-4000-8000-000000000004";
pub const ADMINS: &str = "22222222-0000-4000-8000-000000000001";
pub const APPROVERS: &str = "22222222-0000-4000-8000-000000000002";

pub async fn demo() -> TenantSim {
    TenantSim::start(Scenario::demo()).await.unwrap()
}

/// The demo tenant recording, not refusing, what does not conform to Graph's metadata: for the
/// tests that send such requests on purpose to see the sim answer them as Graph does.
pub async fn demo_recording() -> TenantSim {
    let config = SimConfig {
        conformance: ConformanceMode::Record,
        ..SimConfig::default()
    };
    TenantSim::start_with(Scenario::demo(), config).await.unwrap()
}

/// Assert that the conformance check saw a request of `sim`'s that mentions `what`.
pub fn assert_nonconforming(sim: &TenantSim, what: &str) {
    let seen = sim.conformance_violations();
    assert!(seen.iter().any(|v| v.contains(what)), "{what} not among {seen:#?}");
}

pub fn http() -> reqwest::Client {
    reqwest::Client::builder().build().unwrap()
}

/// A Graph token for jitadmin's app, minted directly.
pub fn graph_token(sim: &TenantSim) -> String {
    sim.app_token(JITADMIN_APP, GRAPH).unwrap()
}

/// GET a Graph path with jitadmin's token.
pub async fn graph_get(sim: &TenantSim, path: &str) -> reqwest::Response {
    http()
        .get(format!("{}{path}", sim.graph_url()))
        .bearer_auth(graph_token(sim))
        .send()
        .await
        .unwrap()
}

/// Validates a token against the sim's JWKS (fetched over HTTP) like a relying party would.
pub async fn validate_with_jwks(sim: &TenantSim, token: &str, audience: &str, issuer: &str) -> Value {
    let jwks: Value = http().get(sim.jwks_uri()).send().await.unwrap().json().await.unwrap();
    let kid = jsonwebtoken::decode_header(token)
        .unwrap()
        .kid
        .expect("token has a kid");
    let jwk = jwks["keys"]
        .as_array()
        .unwrap()
        .iter()
        .find(|k| k["kid"] == kid.as_str())
        .expect("kid is in the JWKS");
    let key = DecodingKey::from_rsa_components(jwk["n"].as_str().unwrap(), jwk["e"].as_str().unwrap()).unwrap();
    let mut validation = Validation::new(Algorithm::RS256);
    validation.set_audience(&[audience]);
    validation.set_issuer(&[issuer]);
    jsonwebtoken::decode::<Value>(token, &key, &validation).unwrap().claims
}

/// Polls `check` until it yields a value; panics naming `what` after `timeout`. For state the
/// sim changes in the background and announces nowhere (e.g. a device's scheduled check-in).
pub async fn eventually<T>(what: &str, timeout: std::time::Duration, mut check: impl FnMut() -> Option<T>) -> T {
    let deadline = tokio::time::Instant::now() + timeout;
    loop {
        if let Some(v) = check() {
            return v;
        }
        if tokio::time::Instant::now() >= deadline {
            panic!("{what}: still not the case after {timeout:?}");
        }
        tokio::time::sleep(std::time::Duration::from_millis(5)).await;
    }
}
