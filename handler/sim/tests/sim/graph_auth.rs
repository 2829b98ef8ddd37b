//! Graph refuses requests without a valid token for its audience, in Graph's error shape.

use crate::support::*;
use serde_json::Value;

async fn get_with(sim: &tenant_sim::TenantSim, token: Option<&str>) -> (u16, Value) {
    let mut req = http().get(format!("{}/v1.0/users/{ADELE}", sim.graph_url()));
    if let Some(t) = token {
        req = req.bearer_auth(t);
    }
    let resp = req.send().await.unwrap();
    (resp.status().as_u16(), resp.json().await.unwrap())
}

#[tokio::test]
async fn missing_token_is_invalid_authentication_token() {
    let sim = demo().await;
    let (status, body) = get_with(&sim, None).await;
    assert_eq!(status, 401);
    assert_eq!(body["error"]["code"], "InvalidAuthenticationToken");
    assert_eq!(body["error"]["message"], "Access token is empty.");
}

#[tokio::test]
async fn token_for_another_audience_is_refused() {
    let sim = demo().await;
    let token = sim.app_token(JITADMIN_APP, "https://management.azure.com").unwrap();
    let (status, body) = get_with(&sim, Some(&token)).await;
    assert_eq!(status, 401);
    assert!(body["error"]["message"].as_str().unwrap().contains("Invalid audience"));
}

#[tokio::test]
async fn token_signed_by_a_key_outside_the_jwks_is_refused() {
    let sim = demo().await;
    let claims = sim.app_claims(JITADMIN_APP, GRAPH).unwrap();
    let token = sim.mint_token_with_foreign_key(&claims).unwrap();
    let (status, body) = get_with(&sim, Some(&token)).await;
    assert_eq!(status, 401);
    assert_eq!(body["error"]["code"], "InvalidAuthenticationToken");
}

#[tokio::test]
async fn expired_token_is_refused() {
    let sim = demo().await;
    let mut claims = sim.app_claims(JITADMIN_APP, GRAPH).unwrap();
    claims["exp"] = (chrono::Utc::now().timestamp() - 3600).into();
    let token = sim.mint_token(&claims).unwrap();
    let (status, body) = get_with(&sim, Some(&token)).await;
    assert_eq!(status, 401);
    assert!(body["error"]["message"].as_str().unwrap().contains("expired"));
}

#[tokio::test]
async fn minted_token_with_custom_claims_is_accepted() {
    let sim = demo().await;
    let mut claims = sim.app_claims(JITADMIN_APP, GRAPH).unwrap();
    claims["roles"] = serde_json::json!(["Custom.Role"]);
    let token = sim.mint_token(&claims).unwrap();
    let (status, _) = get_with(&sim, Some(&token)).await;
    assert_eq!(status, 200);
}
