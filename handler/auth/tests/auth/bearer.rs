//! The bearer-token matrix: every check, the key refresh limit, and an unreachable key set.

use std::sync::Arc;
use std::time::Duration;

use crate::support::{b64, jwk, key, sign, sign_with_header, KeyServer, NOW, TENANT};
use jitadmin_auth::{
    AuthError, BearerConfig, BearerValidator, CallerClaim, EntraAuthority, KeySource, KeySourceConfig, ManualClock,
};
use jsonwebtoken::{EncodingKey, Header};
use serde_json::{json, Value};

const AUD: &str = "api://jitadmin";
const CALLER: &str = "11111111-2222-4333-8444-555555555555";

struct Fixture {
    server: KeyServer,
    clock: Arc<ManualClock>,
    validator: BearerValidator,
}

async fn fixture_with(configure: impl FnOnce(&mut BearerConfig)) -> Fixture {
    let server = KeyServer::start(vec![jwk(key(0))]).await;
    let clock = Arc::new(ManualClock::at_unix(NOW));
    let keys = Arc::new(KeySource::new(KeySourceConfig::openid(server.metadata_url()), clock.clone()).unwrap());
    let mut config = BearerConfig::new(TENANT, &[AUD, "a0c0e0f0-0000-4000-8000-000000000001"], &[CALLER]);
    config.authority = EntraAuthority::single(&server.base);
    configure(&mut config);
    let validator = BearerValidator::new(config, keys, clock.clone());
    Fixture {
        server,
        clock,
        validator,
    }
}

async fn fixture() -> Fixture {
    fixture_with(|_| {}).await
}

fn claims(f: &Fixture) -> Value {
    json!({
        "iss": format!("{}/{TENANT}/", f.server.base),
        "aud": AUD,
        "iat": NOW - 60, "nbf": NOW - 60, "exp": NOW + 3600,
        "tid": TENANT, "oid": CALLER, "sub": CALLER,
        "appid": "f0f0f0f0-0000-4000-8000-000000000002", "idtyp": "app", "ver": "1.0"
    })
}

fn with(mut v: Value, key_: &str, value: Value) -> Value {
    v[key_] = value;
    v
}

async fn check(f: &Fixture, token: &str) -> Result<jitadmin_auth::EntraClaims, AuthError> {
    f.validator.validate(Some(&format!("Bearer {token}"))).await
}

#[tokio::test]
async fn good_token_returns_its_claims() {
    let f = fixture().await;
    let c = check(&f, &sign(&claims(&f), key(0))).await.unwrap();
    assert_eq!(c.oid.as_deref(), Some(CALLER));
    assert_eq!(c.tid.as_deref(), Some(TENANT));
}

#[tokio::test]
async fn v2_issuer_and_audience_list_are_accepted() {
    let f = fixture().await;
    let c = with(claims(&f), "iss", json!(format!("{}/{TENANT}/v2.0", f.server.base)));
    let c = with(
        c,
        "aud",
        json!(["something-else", "a0c0e0f0-0000-4000-8000-000000000001"]),
    );
    assert!(check(&f, &sign(&c, key(0))).await.is_ok());
}

#[tokio::test]
async fn missing_header_is_401() {
    let f = fixture().await;
    let err = f.validator.validate(None).await.unwrap_err();
    assert_eq!(err, AuthError::MissingHeader);
    assert_eq!(err.status(), 401);
}

#[tokio::test]
async fn wrong_scheme_is_refused() {
    let f = fixture().await;
    let token = sign(&claims(&f), key(0));
    let err = f.validator.validate(Some(&format!("PoP {token}"))).await.unwrap_err();
    assert_eq!(err, AuthError::WrongScheme { expected: "Bearer" });
    assert_eq!(err.status(), 401);
}

#[tokio::test]
async fn garbage_token_is_malformed() {
    let f = fixture().await;
    assert!(matches!(check(&f, "not-a-jwt").await, Err(AuthError::Malformed { .. })));
}

#[tokio::test]
async fn alg_none_is_refused() {
    let f = fixture().await;
    let token = format!(
        "{}.{}.",
        b64(&json!({"alg": "none", "kid": key(0).kid})),
        b64(&claims(&f))
    );
    assert_eq!(
        check(&f, &token).await,
        Err(AuthError::UnsupportedAlg { alg: "none".into() })
    );
}

#[tokio::test]
async fn hs256_signed_with_the_public_key_is_refused() {
    let f = fixture().await;
    let mut header = Header::new(jsonwebtoken::Algorithm::HS256);
    header.kid = Some(key(0).kid.clone());
    let secret = EncodingKey::from_secret(key(0).public_pem.as_bytes());
    let token = jsonwebtoken::encode(&header, &claims(&f), &secret).unwrap();
    assert_eq!(
        check(&f, &token).await,
        Err(AuthError::UnsupportedAlg { alg: "HS256".into() })
    );
}

#[tokio::test]
async fn other_algorithms_are_refused() {
    let f = fixture().await;
    let header = json!({"alg": "PS256", "kid": key(0).kid});
    let token = sign_with_header(&header, &claims(&f), key(0));
    assert_eq!(
        check(&f, &token).await,
        Err(AuthError::UnsupportedAlg { alg: "PS256".into() })
    );
}

#[tokio::test]
async fn bad_signature_is_refused() {
    let f = fixture().await;
    // Signed by key 1 but claiming key 0's kid.
    let header = json!({"alg": "RS256", "kid": key(0).kid});
    let token = sign_with_header(&header, &claims(&f), key(1));
    assert_eq!(check(&f, &token).await, Err(AuthError::BadSignature));
}

#[tokio::test]
async fn tampered_payload_is_a_bad_signature() {
    let f = fixture().await;
    let token = sign(&claims(&f), key(0));
    let parts: Vec<&str> = token.split('.').collect();
    let forged = with(claims(&f), "oid", json!("99999999-0000-4000-8000-000000000000"));
    let token = format!("{}.{}.{}", parts[0], b64(&forged), parts[2]);
    assert_eq!(check(&f, &token).await, Err(AuthError::BadSignature));
}

#[tokio::test]
async fn expired_token_is_refused_beyond_the_skew() {
    let f = fixture().await;
    let c = with(claims(&f), "exp", json!(NOW - 301));
    assert_eq!(check(&f, &sign(&c, key(0))).await, Err(AuthError::Expired));
    let c = with(claims(&f), "exp", json!(NOW - 200));
    assert!(
        check(&f, &sign(&c, key(0))).await.is_ok(),
        "within five minutes of skew"
    );
}

#[tokio::test]
async fn not_yet_valid_token_is_refused() {
    let f = fixture().await;
    let c = with(claims(&f), "nbf", json!(NOW + 400));
    assert_eq!(check(&f, &sign(&c, key(0))).await, Err(AuthError::NotYetValid));
}

#[tokio::test]
async fn wrong_issuer_is_refused() {
    let f = fixture().await;
    let c = with(
        claims(&f),
        "iss",
        json!("https://sts.windows.net/00000000-0000-0000-0000-000000000000/"),
    );
    assert_eq!(check(&f, &sign(&c, key(0))).await, Err(AuthError::WrongIssuer));
}

#[tokio::test]
async fn wrong_audience_is_refused() {
    let f = fixture().await;
    let c = with(claims(&f), "aud", json!("https://graph.microsoft.com"));
    assert_eq!(check(&f, &sign(&c, key(0))).await, Err(AuthError::WrongAudience));
}

#[tokio::test]
async fn wrong_tenant_is_refused() {
    let f = fixture().await;
    let c = with(claims(&f), "tid", json!("00000000-0000-0000-0000-000000000000"));
    assert_eq!(check(&f, &sign(&c, key(0))).await, Err(AuthError::WrongTenant));
}

#[tokio::test]
async fn caller_not_in_the_allow_list_is_refused() {
    let f = fixture().await;
    let c = with(claims(&f), "oid", json!("99999999-0000-4000-8000-000000000000"));
    assert_eq!(check(&f, &sign(&c, key(0))).await, Err(AuthError::CallerNotAllowed));
}

#[tokio::test]
async fn caller_can_be_matched_by_azp_of_a_v2_token() {
    let f = fixture_with(|c| {
        c.caller_claim = CallerClaim::AppId;
        c.allowed_callers = vec!["f0f0f0f0-0000-4000-8000-000000000099".into()];
    })
    .await;
    let mut c = claims(&f);
    c.as_object_mut().unwrap().remove("appid");
    c["azp"] = json!("f0f0f0f0-0000-4000-8000-000000000099");
    assert!(check(&f, &sign(&c, key(0))).await.is_ok());
}

#[tokio::test]
async fn unknown_kid_refreshes_once_and_forged_kids_cause_no_further_fetch() {
    let f = fixture().await;
    check(&f, &sign(&claims(&f), key(0))).await.unwrap();
    assert_eq!(f.server.fetches(), 1);

    // A new key appears; a token signed with it triggers exactly one refresh.
    f.server.set_keys(vec![jwk(key(0)), jwk(key(1))]);
    f.clock.advance(Duration::from_secs(61));
    check(&f, &sign(&claims(&f), key(1))).await.unwrap();
    assert_eq!(f.server.fetches(), 2);

    // Forged kids within the minute: refused, and no fetch at all.
    for i in 0..5 {
        let header = json!({"alg": "RS256", "kid": format!("forged-{i}")});
        let token = sign_with_header(&header, &claims(&f), key(1));
        assert_eq!(check(&f, &token).await, Err(AuthError::UnknownKey));
    }
    assert_eq!(f.server.fetches(), 2);

    // After the interval, one more refresh is allowed.
    f.clock.advance(Duration::from_secs(61));
    let header = json!({"alg": "RS256", "kid": "forged-late"});
    assert_eq!(
        check(&f, &sign_with_header(&header, &claims(&f), key(1))).await,
        Err(AuthError::UnknownKey)
    );
    assert_eq!(f.server.fetches(), 3);
}

#[tokio::test]
async fn a_slow_key_fetch_does_not_hold_up_tokens_whose_key_is_cached() {
    let f = Arc::new(fixture().await);
    check(&f, &sign(&claims(&f), key(0))).await.unwrap();
    f.server.set_keys(vec![jwk(key(0)), jwk(key(1))]);
    f.clock.advance(Duration::from_secs(61));
    // A token with a new key starts a fetch that the endpoint holds.
    f.server.hold();
    let waiting = {
        let f = f.clone();
        tokio::spawn(async move { check(&f, &sign(&claims(&f), key(1))).await })
    };
    tokio::time::timeout(Duration::from_secs(10), f.server.wait_for_fetches(2))
        .await
        .expect("the fetch starts");
    // Meanwhile a token whose key is cached is checked without waiting for it: were the cache
    // locked during the fetch, this would not finish before the release below.
    let cached = tokio::time::timeout(Duration::from_secs(10), check(&f, &sign(&claims(&f), key(0)))).await;
    assert!(matches!(cached, Ok(Ok(_))), "{cached:?}");
    // Another new-key token waits for the fetch in flight instead of starting its own.
    let second = {
        let f = f.clone();
        tokio::spawn(async move { check(&f, &sign(&claims(&f), key(1))).await })
    };
    f.server.release();
    assert!(waiting.await.unwrap().is_ok());
    assert!(second.await.unwrap().is_ok());
    assert_eq!(f.server.fetches(), 2, "one fetch for both");
}

#[tokio::test]
async fn forged_kids_after_a_failed_fetch_do_not_fetch_more_often_than_a_minute() {
    let f = fixture().await;
    check(&f, &sign(&claims(&f), key(0))).await.unwrap();
    f.server.set_down(true);
    let forged = |i: usize| {
        sign_with_header(
            &json!({"alg": "RS256", "kid": format!("forged-{i}")}),
            &claims(&f),
            key(0),
        )
    };
    f.clock.advance(Duration::from_secs(61));
    assert_eq!(check(&f, &forged(0)).await, Err(AuthError::KeysUnavailable));
    let after_failure = f.server.fetches();
    for i in 1..6 {
        f.clock.advance(Duration::from_secs(6));
        assert!(check(&f, &forged(i)).await.is_err());
    }
    assert_eq!(
        f.server.fetches(),
        after_failure,
        "the cache is good: no fetch before a minute"
    );
    // The cached key still works throughout.
    assert!(check(&f, &sign(&claims(&f), key(0))).await.is_ok());
}

#[tokio::test]
async fn key_set_unreachable_with_nothing_cached_is_503_and_not_hammered() {
    let f = fixture().await;
    f.server.set_down(true);
    let err = check(&f, &sign(&claims(&f), key(0))).await.unwrap_err();
    assert_eq!(err, AuthError::KeysUnavailable);
    assert_eq!(err.status(), 503);
    let before = f.server.fetches();
    assert_eq!(
        check(&f, &sign(&claims(&f), key(0))).await,
        Err(AuthError::KeysUnavailable)
    );
    assert_eq!(f.server.fetches(), before, "no second fetch at once");
    f.clock.advance(Duration::from_secs(4));
    assert_eq!(
        check(&f, &sign(&claims(&f), key(0))).await,
        Err(AuthError::KeysUnavailable)
    );
    assert_eq!(
        f.server.fetches(),
        before,
        "no second fetch within the failure retry interval"
    );
    // Back up: after the (short) failure retry interval the next request fetches and succeeds.
    f.server.set_down(false);
    f.clock.advance(Duration::from_secs(2));
    assert!(check(&f, &sign(&claims(&f), key(0))).await.is_ok());
    assert_eq!(f.server.fetches(), before + 1);
}

#[tokio::test]
async fn stale_cached_keys_are_used_while_the_key_set_is_down() {
    let f = fixture().await;
    check(&f, &sign(&claims(&f), key(0))).await.unwrap();
    f.server.set_down(true);
    f.clock.advance(Duration::from_secs(25 * 3600));
    let mut c = claims(&f);
    let now = NOW + 25 * 3600;
    c["nbf"] = json!(now - 60);
    c["exp"] = json!(now + 3600);
    assert!(check(&f, &sign(&c, key(0))).await.is_ok());
}

#[tokio::test]
async fn keys_older_than_a_day_are_refetched() {
    let f = fixture().await;
    check(&f, &sign(&claims(&f), key(0))).await.unwrap();
    f.clock.advance(Duration::from_secs(24 * 3600 + 1));
    let now = NOW + 24 * 3600 + 1;
    let c = with(with(claims(&f), "nbf", json!(now - 60)), "exp", json!(now + 3600));
    check(&f, &sign(&c, key(0))).await.unwrap();
    assert_eq!(f.server.fetches(), 2);
}

#[tokio::test]
async fn error_messages_carry_no_token_material() {
    let f = fixture().await;
    let token = sign(&with(claims(&f), "aud", json!("x")), key(0));
    let err = check(&f, &token).await.unwrap_err();
    let text = err.to_string();
    assert!(!text.contains(&token[..20]));
    assert!(!text.contains(&key(0).n[..20]));
    assert_eq!(err.code(), "wrong_audience");
}

#[tokio::test]
async fn key_is_found_by_x5t_when_kid_is_absent() {
    let f = fixture().await;
    let token = sign_with_header(&json!({"alg": "RS256", "x5t": key(0).kid}), &claims(&f), key(0));
    assert!(check(&f, &token).await.is_ok());
    let token = sign_with_header(&json!({"alg": "RS256"}), &claims(&f), key(0));
    assert_eq!(
        check(&f, &token).await,
        Err(AuthError::Malformed { what: "kid missing" })
    );
}

#[tokio::test]
async fn concurrent_lookups_of_forged_kids_share_one_fetch() {
    let f = fixture().await;
    check(&f, &sign(&claims(&f), key(0))).await.unwrap();
    f.clock.advance(Duration::from_secs(61));
    let mut tasks = Vec::new();
    for i in 0..20 {
        let validator = f.validator.clone();
        let header = json!({"alg": "RS256", "kid": format!("forged-{i}")});
        let token = sign_with_header(&header, &claims(&f), key(0));
        tasks.push(tokio::spawn(async move {
            validator.validate(Some(&format!("Bearer {token}"))).await
        }));
    }
    for t in tasks {
        assert_eq!(t.await.unwrap(), Err(AuthError::UnknownKey));
    }
    assert_eq!(f.server.fetches(), 2, "one initial fetch, one refresh for all twenty");
}
