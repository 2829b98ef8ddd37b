//! The simulated Bot Framework channel token issuer, checked with jitadmin's own
//! `BotValidator` fetching the sim's OpenID metadata and JWKS: genuine tokens pass, each flaw
//! is refused with the error the messaging endpoint must answer.

use std::sync::Arc;

use crate::support::*;
use chrono::Utc;
use jitadmin_auth::{AuthError, BotConfig, BotValidator, KeySource, KeySourceConfig, SystemClock};
use serde_json::Value;
use tenant_sim::{ChannelSigner, ChannelToken, TenantSim};

fn validator(sim: &TenantSim) -> BotValidator {
    let clock = Arc::new(SystemClock);
    let keys = KeySource::new(KeySourceConfig::openid(sim.bot().openid_metadata_url()), clock.clone()).unwrap();
    BotValidator::new(BotConfig::new(JITADMIN_APP), Arc::new(keys), clock)
}

async fn check(sim: &TenantSim, v: &BotValidator, token: ChannelToken, channel: &str) -> Result<(), AuthError> {
    let jwt = sim.bot().mint(&token).unwrap();
    v.validate(Some(&format!("Bearer {jwt}")), &sim.bot().service_url(), channel)
        .await
        .map(|_| ())
}

#[tokio::test]
async fn the_issuer_publishes_metadata_and_keys_with_endorsements() {
    let sim = demo().await;
    let meta: Value = http()
        .get(sim.bot().openid_metadata_url())
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(meta["issuer"], "https://api.botframework.com");
    assert_eq!(meta["jwks_uri"], sim.bot().jwks_uri());
    assert_eq!(meta["id_token_signing_alg_values_supported"][0], "RS256");
    let jwks: Value = http()
        .get(sim.bot().jwks_uri())
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let keys = jwks["keys"].as_array().unwrap();
    let endorsed_for_teams = |k: &&Value| k["endorsements"].as_array().unwrap().iter().any(|e| e == "msteams");
    assert_eq!(keys.iter().filter(endorsed_for_teams).count(), 1);
    assert!(keys.iter().any(|k| !endorsed_for_teams(&k)));
    assert!(keys.iter().any(|k| k["kid"] == sim.bot().endorsed_kid().as_str()));
    assert!(keys.iter().any(|k| k["kid"] == sim.bot().unendorsed_kid().as_str()));
}

#[tokio::test]
async fn a_genuine_channel_token_validates_with_bot_validator() {
    let sim = demo().await;
    let v = validator(&sim);
    let jwt = sim.bot().channel_token().unwrap();
    let claims = v
        .validate(Some(&format!("Bearer {jwt}")), &sim.bot().service_url(), "msteams")
        .await
        .unwrap();
    assert_eq!(claims.iss, "https://api.botframework.com");
    assert_eq!(claims.serviceurl.as_deref(), Some(sim.bot().service_url().as_str()));
}

#[tokio::test]
async fn each_flawed_channel_token_is_refused_with_its_reason() {
    let sim = demo().await;
    let v = validator(&sim);
    let now = Utc::now().timestamp();
    let cases: Vec<(&str, ChannelToken, AuthError)> = vec![
        (
            "wrong issuer",
            ChannelToken::genuine().issuer("https://evil.example"),
            AuthError::WrongIssuer,
        ),
        (
            "wrong audience",
            ChannelToken::genuine().audience("another-bot"),
            AuthError::WrongAudience,
        ),
        ("expired", ChannelToken::genuine().expired(), AuthError::Expired),
        (
            "not yet valid",
            ChannelToken::genuine().not_before(now + 3600),
            AuthError::NotYetValid,
        ),
        (
            "bad signature",
            ChannelToken::genuine().signed_by(ChannelSigner::Forged),
            AuthError::BadSignature,
        ),
        (
            "unknown kid",
            ChannelToken::genuine().signed_by(ChannelSigner::UnknownKid("no-such-key".into())),
            AuthError::UnknownKey,
        ),
        (
            "serviceUrl mismatch",
            ChannelToken::genuine().service_url("https://smba.trafficmanager.net/amer/"),
            AuthError::ServiceUrlMismatch,
        ),
        (
            "no serviceUrl",
            ChannelToken::genuine().without("serviceurl"),
            AuthError::ServiceUrlMismatch,
        ),
        (
            "unendorsed key",
            ChannelToken::genuine().signed_by(ChannelSigner::Unendorsed),
            AuthError::MissingEndorsement,
        ),
    ];
    for (what, token, expected) in cases {
        assert_eq!(check(&sim, &v, token, "msteams").await, Err(expected), "{what}");
    }
    let missing = v.validate(None, &sim.bot().service_url(), "msteams").await;
    assert_eq!(missing.unwrap_err(), AuthError::MissingHeader);
    let endorsement = check(
        &sim,
        &v,
        ChannelToken::genuine().signed_by(ChannelSigner::Unendorsed),
        "msteams",
    )
    .await;
    assert_eq!(endorsement.unwrap_err().status(), 403);
}

#[tokio::test]
async fn a_genuine_token_for_another_channel_fails_only_without_endorsement() {
    let sim = demo().await;
    let v = validator(&sim);
    // The endorsed key also signs for webchat: the token is valid, the app must check channelId.
    assert_eq!(check(&sim, &v, ChannelToken::genuine(), "webchat").await, Ok(()));
    assert_eq!(
        check(&sim, &v, ChannelToken::genuine(), "slack").await,
        Err(AuthError::MissingEndorsement)
    );
}
