//! The callout authentication matrix, through the function: every refusal answers its
//! status with a problem body that names the check and leaks no token, and queues nothing.

use crate::callout_support::invoke::callout;
use std::sync::Arc;
use std::time::Duration;

use crate::callout_support::{fixture, pop, start, start_with_clock, TestApp};
use jitadmin::auth::ManualClock;
use serde_json::{json, Value};

fn body() -> String {
    fixture("callout-created-pascalcase.json")
}

fn now() -> i64 {
    pop::unix_now()
}

/// Call with `authorization` and assert a refusal with `status` and `code`, nothing queued.
async fn refused(t: &TestApp, authorization: Option<&str>, status: u16, code: &str) -> Value {
    let headers: Vec<(&str, &str)> = authorization.map(|a| ("Authorization", a)).into_iter().collect();
    let answer = callout(&t.router, &headers, &body()).await;
    assert_eq!(answer.status, status, "{code}: {}", answer.body);
    assert_eq!(answer.body["code"], code, "{}", answer.body);
    assert_eq!(answer.headers["Content-Type"], "application/problem+json");
    assert!(answer.messages.is_empty(), "{code}: nothing may be queued");
    if let Some(a) = authorization {
        let token = a.split_whitespace().last().unwrap_or_default();
        assert!(!answer.body.to_string().contains(token), "the problem leaks the token");
    }
    answer.body
}

async fn bearer_refused(edit: impl FnOnce(&mut Value), code: &str) {
    let t = start(&[]).await;
    let token = t.forwarder_token(edit);
    refused(&t, Some(&format!("Bearer {token}")), 401, code).await;
}

#[tokio::test]
async fn forwarder_bearer_token_is_accepted_and_one_event_queued() {
    let t = start(&[]).await;
    let answer = callout(&t.router, &[("Authorization", &t.bearer())], &body()).await;
    assert_eq!(answer.status, 202, "{}", answer.body);
    assert_eq!(answer.messages.len(), 1);
}

#[tokio::test]
async fn missing_header_is_401_and_says_so() {
    let t = start(&[]).await;
    let problem = refused(&t, None, 401, "missing_header").await;
    assert!(problem["detail"]
        .as_str()
        .unwrap()
        .contains("Authorization header is missing"));
}

#[tokio::test]
async fn wrong_scheme_is_401_with_www_authenticate() {
    let t = start(&[]).await;
    let token = t.forwarder_token(|_| {});
    let header = format!("Basic {token}");
    let headers = [("Authorization", header.as_str())];
    let answer = callout(&t.router, &headers, &body()).await;
    assert_eq!(answer.status, 401);
    assert_eq!(answer.body["code"], "wrong_scheme");
    assert_eq!(answer.headers["WWW-Authenticate"], "Bearer");
    assert!(answer.messages.is_empty());
}

#[tokio::test]
async fn expired_token_is_401() {
    bearer_refused(|c| c["exp"] = json!(now() - 3600), "expired").await;
}

#[tokio::test]
async fn token_not_yet_valid_is_401() {
    bearer_refused(|c| c["nbf"] = json!(now() + 3600), "not_yet_valid").await;
}

#[tokio::test]
async fn wrong_audience_is_401() {
    bearer_refused(|c| c["aud"] = json!("api://someone-else"), "wrong_audience").await;
}

#[tokio::test]
async fn wrong_tenant_is_401() {
    bearer_refused(
        |c| c["tid"] = json!("00000000-0000-4000-8000-000000000000"),
        "wrong_tenant",
    )
    .await;
}

#[tokio::test]
async fn wrong_issuer_is_401() {
    bearer_refused(|c| c["iss"] = json!("https://evil.example/issuer/"), "wrong_issuer").await;
}

#[tokio::test]
async fn caller_not_in_the_allow_list_is_401() {
    bearer_refused(
        |c| c["oid"] = json!("99999999-0000-4000-8000-000000000009"),
        "caller_not_allowed",
    )
    .await;
}

#[tokio::test]
async fn token_signed_with_an_unpublished_key_is_401() {
    let t = start(&[]).await;
    let claims = t
        .sim
        .app_claims(
            crate::callout_support::FORWARDER_CLIENT_ID,
            crate::callout_support::AUDIENCE,
        )
        .unwrap();
    let token = t.sim.mint_token_with_foreign_key(&claims).unwrap();
    let answer = callout(&t.router, &[("Authorization", &format!("Bearer {token}"))], &body()).await;
    assert_eq!(answer.status, 401);
    assert!(["unknown_key", "bad_signature"].contains(&answer.body["code"].as_str().unwrap()));
    assert!(answer.messages.is_empty());
}

#[tokio::test]
async fn unsigned_alg_none_token_is_401() {
    let t = start(&[]).await;
    let claims = t
        .sim
        .app_claims(
            crate::callout_support::FORWARDER_CLIENT_ID,
            crate::callout_support::AUDIENCE,
        )
        .unwrap();
    use base64::Engine;
    let b64 = |v: &Value| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(v.to_string());
    let token = format!("{}.{}.", b64(&json!({"alg": "none", "typ": "JWT"})), b64(&claims));
    refused(&t, Some(&format!("Bearer {token}")), 401, "unsupported_alg").await;
}

#[tokio::test]
async fn signing_keys_unavailable_is_503_not_401() {
    // A port just released: connections to it are refused, as when the authority is down.
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let down = format!("http://{}", closed.local_addr().unwrap());
    drop(closed);
    let t = start(&[("JITADMIN_AUTHORITY_HOST", &down)]).await;
    let sim_issuer_token = t.forwarder_token(|_| {});
    let answer = callout(
        &t.router,
        &[("Authorization", &format!("Bearer {sim_issuer_token}"))],
        &body(),
    )
    .await;
    assert_eq!(answer.status, 503, "{}", answer.body);
    assert_eq!(answer.body["code"], "keys_unavailable");
    assert!(answer.headers["Retry-After"].is_string());
    assert!(answer.messages.is_empty());
}

#[tokio::test]
async fn unauthenticated_garbage_body_is_401_not_400() {
    let t = start(&[]).await;
    let answer = callout(&t.router, &[], "{not json").await;
    assert_eq!(answer.status, 401, "authentication comes before parsing");
    assert!(answer.messages.is_empty());
}

#[tokio::test]
async fn tampered_token_has_a_bad_signature() {
    let t = start(&[]).await;
    let token = t.forwarder_token(|_| {});
    let (signed, signature) = token.rsplit_once('.').unwrap();
    let flipped = if signature.starts_with('A') { "B" } else { "A" };
    let forged = format!("{signed}.{flipped}{}", &signature[1..]);
    refused(&t, Some(&format!("Bearer {forged}")), 401, "bad_signature").await;
}

#[tokio::test]
async fn hs256_token_keyed_with_the_public_key_is_401() {
    use hmac::{Hmac, Mac};
    let t = start(&[]).await;
    let claims = t
        .sim
        .app_claims(
            crate::callout_support::FORWARDER_CLIENT_ID,
            crate::callout_support::AUDIENCE,
        )
        .unwrap();
    use base64::Engine;
    let b64 = |bytes: &[u8]| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes);
    let header = json!({"alg": "HS256", "typ": "JWT", "kid": t.sim.current_key_id()});
    let input = format!(
        "{}.{}",
        b64(header.to_string().as_bytes()),
        b64(claims.to_string().as_bytes())
    );
    let jwks = reqwest::get(t.sim.jwks_uri()).await.unwrap().text().await.unwrap();
    let mut mac = Hmac::<sha2::Sha256>::new_from_slice(jwks.as_bytes()).unwrap();
    mac.update(input.as_bytes());
    let token = format!("{input}.{}", b64(&mac.finalize().into_bytes()));
    refused(&t, Some(&format!("Bearer {token}")), 401, "unsupported_alg").await;
}

#[tokio::test]
async fn rotated_signing_key_is_found_with_one_refresh_and_forged_kids_do_not_hammer() {
    let clock = Arc::new(ManualClock::new(std::time::SystemTime::now()));
    let t = start_with_clock(&[], clock.clone()).await;
    t.keys_warm().await;
    let before = t.key_fetches();
    t.sim.rotate_signing_key().await.unwrap();
    clock.advance(Duration::from_secs(61));
    let answer = callout(&t.router, &[("Authorization", &t.bearer())], &body()).await;
    assert_eq!(
        answer.status, 202,
        "the new kid is found after one refresh: {}",
        answer.body
    );
    assert_eq!(t.key_fetches(), before + 1);

    let mut forged = t.forwarder_token(|_| {});
    let header = json!({"alg": "RS256", "typ": "JWT", "kid": "forged-kid"});
    use base64::Engine;
    let b64h = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(header.to_string());
    forged = format!("{b64h}.{}", forged.split_once('.').unwrap().1);
    for _ in 0..3 {
        refused(&t, Some(&format!("Bearer {forged}")), 401, "unknown_key").await;
    }
    assert_eq!(
        t.key_fetches(),
        before + 1,
        "unknown kids cause no refresh within a minute"
    );
}

// --- PoP -------------------------------------------------------------------------

async fn pop_app() -> TestApp {
    start(&[("JITADMIN_CALLOUT_AUTH", "pop")]).await
}

#[tokio::test]
async fn em_pop_request_bound_to_this_request_is_accepted() {
    let t = pop_app().await;
    let header = pop::header(&pop::payload(&t.em_access_token()), 0);
    let answer = callout(&t.router, &[("Authorization", &header)], &body()).await;
    assert_eq!(answer.status, 202, "{}", answer.body);
    assert_eq!(answer.messages.len(), 1);
}

#[tokio::test]
async fn pop_with_stale_timestamp_is_401() {
    let t = pop_app().await;
    let mut payload = pop::payload(&t.em_access_token());
    payload["ts"] = json!(now() - 600);
    refused(&t, Some(&pop::header(&payload, 0)), 401, "pop_stale").await;
}

#[tokio::test]
async fn pop_bound_to_another_path_host_or_method_is_401() {
    let t = pop_app().await;
    for (field, value) in [("p", "/api/other"), ("u", "evil.example.net"), ("m", "GET")] {
        let mut payload = pop::payload(&t.em_access_token());
        payload[field] = json!(value);
        refused(&t, Some(&pop::header(&payload, 0)), 401, "pop_mismatch").await;
    }
}

#[tokio::test]
async fn replayed_pop_request_is_refused_the_second_time() {
    let t = pop_app().await;
    let header = pop::header(&pop::payload(&t.em_access_token()), 0);
    let first = callout(&t.router, &[("Authorization", &header)], &body()).await;
    assert_eq!(first.status, 202);
    refused(&t, Some(&header), 401, "pop_replay").await;
}

#[tokio::test]
async fn pop_signed_with_a_key_the_token_does_not_bind_is_401() {
    let t = pop_app().await;
    let header = pop::header(&pop::payload(&t.em_access_token()), 1);
    refused(&t, Some(&header), 401, "pop_key_not_bound").await;
}

#[tokio::test]
async fn pop_from_another_app_is_401() {
    let t = pop_app().await;
    let mut claims = t
        .sim
        .app_claims(pop::EM_APP_ID, "https://management.azure.com")
        .unwrap();
    claims["appid"] = json!("11111111-2222-4333-8444-555555555555");
    claims["cnf"] = json!({"jwk": pop::client_key(0).jwk});
    let at = t.sim.mint_token(&claims).unwrap();
    refused(&t, Some(&pop::header(&pop::payload(&at), 0)), 401, "caller_not_allowed").await;
}

#[tokio::test]
async fn bearer_token_in_pop_mode_is_401() {
    let t = pop_app().await;
    let bearer = t.bearer();
    refused(&t, Some(&bearer), 401, "wrong_scheme").await;
}
