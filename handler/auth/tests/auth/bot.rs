//! The Bot Framework matrix: every check Microsoft documents for tokens the Bot Connector sends
//! to a bot (issuer, audience, lifetime, signing key and its channel endorsement, `serviceUrl`).

use std::sync::Arc;
use std::time::Duration;

use crate::support::{jwk_endorsed, key, sign, sign_with_header, KeyServer, NOW};
use jitadmin_auth::{AuthError, BotConfig, BotValidator, KeySource, KeySourceConfig, ManualClock};
use serde_json::{json, Value};

const BOT_APP_ID: &str = "5e6f7a8b-9c0d-4e1f-a2b3-c4d5e6f7a8b9";
const SERVICE_URL: &str = "https://smba.trafficmanager.net/amer/84bd8158-6d4d-4958-8b9f-9d6445542f95/";
const ISSUER: &str = "https://api.botframework.com";

struct Fixture {
    server: KeyServer,
    validator: BotValidator,
}

async fn fixture() -> Fixture {
    // Key 0 is endorsed for Teams; key 1 only for another channel.
    let server = KeyServer::start(vec![
        jwk_endorsed(key(0), &["msteams", "webchat"]),
        jwk_endorsed(key(1), &["skype"]),
    ])
    .await;
    let clock = Arc::new(ManualClock::at_unix(NOW));
    let keys = Arc::new(
        KeySource::new(
            KeySourceConfig::openid(server.metadata_url()).min_refresh_interval(Duration::from_secs(60)),
            clock.clone(),
        )
        .unwrap(),
    );
    let validator = BotValidator::new(BotConfig::new(BOT_APP_ID), keys, clock);
    Fixture { server, validator }
}

fn claims() -> Value {
    json!({"iss": ISSUER, "aud": BOT_APP_ID, "nbf": NOW - 60, "exp": NOW + 3600, "serviceurl": SERVICE_URL})
}

fn with(mut v: Value, k: &str, value: Value) -> Value {
    v[k] = value;
    v
}

async fn check(f: &Fixture, token: &str) -> Result<jitadmin_auth::BotClaims, AuthError> {
    f.validator
        .validate(Some(&format!("Bearer {token}")), SERVICE_URL, "msteams")
        .await
}

#[tokio::test]
async fn good_token_for_teams_is_accepted() {
    let f = fixture().await;
    let c = check(&f, &sign(&claims(), key(0))).await.unwrap();
    assert_eq!(c.serviceurl.as_deref(), Some(SERVICE_URL));
}

#[tokio::test]
async fn missing_token_is_401() {
    let f = fixture().await;
    let err = f.validator.validate(None, SERVICE_URL, "msteams").await.unwrap_err();
    assert_eq!((err.clone(), err.status()), (AuthError::MissingHeader, 401));
}

#[tokio::test]
async fn wrong_issuer_is_refused() {
    let f = fixture().await;
    let c = with(
        claims(),
        "iss",
        json!("https://sts.windows.net/84bd8158-6d4d-4958-8b9f-9d6445542f95/"),
    );
    assert_eq!(check(&f, &sign(&c, key(0))).await, Err(AuthError::WrongIssuer));
}

#[tokio::test]
async fn wrong_audience_is_refused() {
    let f = fixture().await;
    let c = with(claims(), "aud", json!("another-bot"));
    assert_eq!(check(&f, &sign(&c, key(0))).await, Err(AuthError::WrongAudience));
}

#[tokio::test]
async fn expired_token_is_refused() {
    let f = fixture().await;
    let c = with(claims(), "exp", json!(NOW - 301));
    assert_eq!(check(&f, &sign(&c, key(0))).await, Err(AuthError::Expired));
}

#[tokio::test]
async fn bad_signature_is_refused() {
    let f = fixture().await;
    let token = sign_with_header(&json!({"alg": "RS256", "kid": key(0).kid}), &claims(), key(1));
    assert_eq!(check(&f, &token).await, Err(AuthError::BadSignature));
}

#[tokio::test]
async fn unknown_kid_is_refused_after_one_refresh() {
    let f = fixture().await;
    let token = sign_with_header(&json!({"alg": "RS256", "kid": "not-published"}), &claims(), key(0));
    assert_eq!(check(&f, &token).await, Err(AuthError::UnknownKey));
    assert_eq!(
        f.server.fetches(),
        1,
        "the first fetch served the lookup; no second within the minute"
    );
}

#[tokio::test]
async fn service_url_mismatch_is_refused() {
    let f = fixture().await;
    let c = with(claims(), "serviceurl", json!("https://evil.example/"));
    assert_eq!(check(&f, &sign(&c, key(0))).await, Err(AuthError::ServiceUrlMismatch));
    let mut c = claims();
    c.as_object_mut().unwrap().remove("serviceurl");
    assert_eq!(check(&f, &sign(&c, key(0))).await, Err(AuthError::ServiceUrlMismatch));
}

#[tokio::test]
async fn service_url_comparison_ignores_case_and_trailing_slash() {
    let f = fixture().await;
    let c = with(
        claims(),
        "serviceurl",
        json!(SERVICE_URL.trim_end_matches('/').to_uppercase()),
    );
    assert!(check(&f, &sign(&c, key(0))).await.is_ok());
}

#[tokio::test]
async fn key_not_endorsed_for_teams_is_403() {
    let f = fixture().await;
    let err = check(&f, &sign(&claims(), key(1))).await.unwrap_err();
    assert_eq!(err, AuthError::MissingEndorsement);
    assert_eq!(err.status(), 403);
}

#[tokio::test]
async fn hs256_token_is_refused() {
    let f = fixture().await;
    let mut header = jsonwebtoken::Header::new(jsonwebtoken::Algorithm::HS256);
    header.kid = Some(key(0).kid.clone());
    let secret = jsonwebtoken::EncodingKey::from_secret(key(0).public_pem.as_bytes());
    let token = jsonwebtoken::encode(&header, &claims(), &secret).unwrap();
    assert_eq!(
        check(&f, &token).await,
        Err(AuthError::UnsupportedAlg { alg: "HS256".into() })
    );
}
