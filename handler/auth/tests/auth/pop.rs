//! The PoP matrix: a signed request bound to its access token, to this request, to now,
//! used once.

use crate::support;

use std::sync::Arc;
use std::time::Duration;

use crate::support::{jwk, key, sign, sign_with_header, KeyServer, TestKey, NOW, TENANT};
use jitadmin_auth::{
    AuthError, EntraAuthority, InMemoryReplayCache, KeySource, KeySourceConfig, ManualClock, PopBinding, PopConfig,
    PopRequest, PopValidator, PublicJwk, EM_APP_ID,
};
use serde_json::{json, Value};

const REQUEST: PopRequest<'static> = PopRequest {
    method: "POST",
    host: "jitadmin.example.net",
    path: "/api/callout",
};

struct Fixture {
    server: KeyServer,
    clock: Arc<ManualClock>,
    validator: PopValidator,
}

async fn fixture_with(configure: impl FnOnce(&mut PopConfig)) -> Fixture {
    let server = KeyServer::start(vec![jwk(key(0))]).await;
    let clock = Arc::new(ManualClock::at_unix(NOW));
    let keys = Arc::new(KeySource::new(KeySourceConfig::jwks(format!("{}/keys", server.base)), clock.clone()).unwrap());
    let mut config = PopConfig::entitlement_management(TENANT, EntraAuthority::single(&server.base));
    configure(&mut config);
    let replay = Arc::new(InMemoryReplayCache::new(clock.clone(), 10_000));
    let validator = PopValidator::new(config, keys, replay, clock.clone());
    Fixture {
        server,
        clock,
        validator,
    }
}

async fn fixture() -> Fixture {
    fixture_with(|_| {}).await
}

fn pop_jwk(k: &TestKey) -> Value {
    json!({"kty": "RSA", "n": k.n, "e": k.e})
}

/// EM's access token binding `cnf`.
fn access_token(f: &Fixture, cnf: Value) -> String {
    let claims = json!({
        "iss": format!("{}/{TENANT}/", f.server.base),
        "aud": "https://management.azure.com",
        "iat": NOW - 60, "nbf": NOW - 60, "exp": NOW + 3600,
        "tid": TENANT, "appid": EM_APP_ID, "oid": "0d0d0d0d-0000-4000-8000-000000000003",
        "cnf": cnf
    });
    sign(&claims, key(0))
}

fn shr_payload(at: &str) -> Value {
    json!({"at": at, "ts": NOW, "m": "POST", "u": "jitadmin.example.net", "p": "/api/callout",
           "nonce": "5d4c3b2a-0000-4000-8000-00000000000a"})
}

/// The outer signed request, signed by `signer`.
fn shr(payload: &Value, signer: &TestKey) -> String {
    sign_with_header(&json!({"alg": "RS256", "typ": "pop"}), payload, signer)
}

fn header(token: &str) -> String {
    format!("PoP {token}")
}

async fn check(f: &Fixture, shr: &str) -> Result<jitadmin_auth::PopClaims, AuthError> {
    f.validator.validate(Some(&header(shr)), &REQUEST).await
}

#[tokio::test]
async fn good_pop_with_inline_cnf_key_is_accepted() {
    let f = fixture().await;
    let at = access_token(&f, json!({"jwk": pop_jwk(key(2))}));
    let claims = check(&f, &shr(&shr_payload(&at), key(2))).await.unwrap();
    assert_eq!(claims.access_token.appid.as_deref(), Some(EM_APP_ID));
    assert_eq!(claims.ts, NOW as i64);
}

#[tokio::test]
async fn good_pop_with_thumbprint_binding_is_accepted() {
    let f = fixture().await;
    let thumb = PublicJwk::rsa(&key(2).n, &key(2).e, None).thumbprint().unwrap();
    let at = access_token(&f, json!({"kid": thumb}));
    let mut payload = shr_payload(&at);
    payload["cnf"] = json!({"jwk": pop_jwk(key(2))});
    assert!(check(&f, &shr(&payload, key(2))).await.is_ok());
}

#[tokio::test]
async fn bearer_scheme_is_refused_for_pop() {
    let f = fixture().await;
    let at = access_token(&f, json!({"jwk": pop_jwk(key(2))}));
    let token = shr(&shr_payload(&at), key(2));
    let err = f
        .validator
        .validate(Some(&format!("Bearer {token}")), &REQUEST)
        .await
        .unwrap_err();
    assert_eq!(err, AuthError::WrongScheme { expected: "PoP" });
}

#[tokio::test]
async fn stale_ts_is_refused() {
    let f = fixture().await;
    let at = access_token(&f, json!({"jwk": pop_jwk(key(2))}));
    let mut payload = shr_payload(&at);
    payload["ts"] = json!(NOW - 301);
    assert_eq!(check(&f, &shr(&payload, key(2))).await, Err(AuthError::PopStale));
    payload["ts"] = json!(NOW + 301);
    assert_eq!(check(&f, &shr(&payload, key(2))).await, Err(AuthError::PopStale));
}

#[tokio::test]
async fn wrong_method_is_refused() {
    let f = fixture().await;
    let at = access_token(&f, json!({"jwk": pop_jwk(key(2))}));
    let mut payload = shr_payload(&at);
    payload["m"] = json!("GET");
    assert_eq!(
        check(&f, &shr(&payload, key(2))).await,
        Err(AuthError::PopMismatch { field: "m" })
    );
}

#[tokio::test]
async fn wrong_host_is_refused() {
    let f = fixture().await;
    let at = access_token(&f, json!({"jwk": pop_jwk(key(2))}));
    let mut payload = shr_payload(&at);
    payload["u"] = json!("management.azure.com");
    assert_eq!(
        check(&f, &shr(&payload, key(2))).await,
        Err(AuthError::PopMismatch { field: "u" })
    );
}

#[tokio::test]
async fn wrong_path_is_refused() {
    let f = fixture().await;
    let at = access_token(&f, json!({"jwk": pop_jwk(key(2))}));
    let mut payload = shr_payload(&at);
    payload["p"] = json!("/api/other");
    assert_eq!(
        check(&f, &shr(&payload, key(2))).await,
        Err(AuthError::PopMismatch { field: "p" })
    );
}

#[tokio::test]
async fn replayed_nonce_is_refused() {
    let f = fixture().await;
    let at = access_token(&f, json!({"jwk": pop_jwk(key(2))}));
    let token = shr(&shr_payload(&at), key(2));
    assert!(check(&f, &token).await.is_ok());
    assert_eq!(check(&f, &token).await, Err(AuthError::PopReplay));
    // The same nonce in a freshly signed request is a replay too.
    let mut payload = shr_payload(&at);
    payload["ts"] = json!(NOW + 5);
    assert_eq!(check(&f, &shr(&payload, key(2))).await, Err(AuthError::PopReplay));
}

#[tokio::test]
async fn request_without_nonce_cannot_be_replayed_either() {
    let f = fixture().await;
    let at = access_token(&f, json!({"jwk": pop_jwk(key(2))}));
    let mut payload = shr_payload(&at);
    payload.as_object_mut().unwrap().remove("nonce");
    let token = shr(&payload, key(2));
    assert!(check(&f, &token).await.is_ok());
    assert_eq!(check(&f, &token).await, Err(AuthError::PopReplay));
}

#[tokio::test]
async fn nonce_can_be_required() {
    let f = fixture_with(|c| c.require_nonce = true).await;
    let at = access_token(&f, json!({"jwk": pop_jwk(key(2))}));
    let mut payload = shr_payload(&at);
    payload.as_object_mut().unwrap().remove("nonce");
    assert!(matches!(
        check(&f, &shr(&payload, key(2))).await,
        Err(AuthError::Malformed { .. })
    ));
}

#[tokio::test]
async fn refused_request_does_not_use_up_its_nonce() {
    let f = fixture().await;
    let at = access_token(&f, json!({"jwk": pop_jwk(key(2))}));
    let mut payload = shr_payload(&at);
    payload["p"] = json!("/api/other");
    assert!(check(&f, &shr(&payload, key(2))).await.is_err());
    assert!(check(&f, &shr(&shr_payload(&at), key(2))).await.is_ok());
}

#[tokio::test]
async fn outer_request_signed_with_another_key_is_not_bound() {
    let f = fixture().await;
    let at = access_token(&f, json!({"jwk": pop_jwk(key(2))}));
    assert_eq!(
        check(&f, &shr(&shr_payload(&at), key(1))).await,
        Err(AuthError::PopKeyNotBound)
    );
}

#[tokio::test]
async fn presented_key_that_does_not_match_the_thumbprint_is_not_bound() {
    let f = fixture().await;
    let thumb = PublicJwk::rsa(&key(2).n, &key(2).e, None).thumbprint().unwrap();
    let at = access_token(&f, json!({"kid": thumb}));
    let mut payload = shr_payload(&at);
    payload["cnf"] = json!({"jwk": pop_jwk(key(1))});
    assert_eq!(check(&f, &shr(&payload, key(1))).await, Err(AuthError::PopKeyNotBound));
}

#[tokio::test]
async fn access_token_without_cnf_binds_nothing() {
    let f = fixture().await;
    let at = access_token(&f, Value::Null);
    assert_eq!(
        check(&f, &shr(&shr_payload(&at), key(2))).await,
        Err(AuthError::PopKeyNotBound)
    );
}

#[tokio::test]
async fn inner_token_from_another_app_is_refused() {
    let f = fixture().await;
    let claims = json!({
        "iss": format!("{}/{TENANT}/", f.server.base), "aud": "https://management.azure.com",
        "nbf": NOW - 60, "exp": NOW + 3600, "tid": TENANT, "appid": "00000000-1111-4000-8000-000000000000",
        "cnf": {"jwk": pop_jwk(key(2))}
    });
    let at = sign(&claims, key(0));
    assert_eq!(
        check(&f, &shr(&shr_payload(&at), key(2))).await,
        Err(AuthError::CallerNotAllowed)
    );
}

#[tokio::test]
async fn expired_inner_token_is_refused() {
    let f = fixture().await;
    let at = access_token(&f, json!({"jwk": pop_jwk(key(2))}));
    f.clock.advance(Duration::from_secs(3600 + 301));
    let mut payload = shr_payload(&at);
    payload["ts"] = json!(NOW + 3600 + 301);
    assert_eq!(check(&f, &shr(&payload, key(2))).await, Err(AuthError::Expired));
}

#[tokio::test]
async fn alg_none_outer_request_is_refused() {
    let f = fixture().await;
    let at = access_token(&f, json!({"jwk": pop_jwk(key(2))}));
    let token = format!(
        "{}.{}.",
        support::b64(&json!({"alg": "none"})),
        support::b64(&shr_payload(&at))
    );
    assert_eq!(
        check(&f, &token).await,
        Err(AuthError::UnsupportedAlg { alg: "none".into() })
    );
}

#[tokio::test]
async fn fixed_arm_binding_is_checked_instead_of_this_request() {
    let path = "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Logic/workflows/jitadmin-forwarder";
    let f = fixture_with(|c| {
        c.binding = PopBinding::Fixed {
            host: "management.azure.com".into(),
            path: path.into(),
        };
    })
    .await;
    let at = access_token(&f, json!({"jwk": pop_jwk(key(2))}));
    let mut payload = shr_payload(&at);
    payload["u"] = json!("management.azure.com");
    payload["p"] = json!(path);
    assert!(check(&f, &shr(&payload, key(2))).await.is_ok());
    assert_eq!(
        check(&f, &shr(&with_nonce(shr_payload(&at), "n2"), key(2))).await,
        Err(AuthError::PopMismatch { field: "u" })
    );
}

fn with_nonce(mut v: Value, nonce: &str) -> Value {
    v["nonce"] = json!(nonce);
    v
}
