//! Entra: metadata, JWKS, the client-credentials endpoint and key rotation.

use crate::support::*;
use serde_json::Value;
use tenant_sim::{Scenario, SimConfig, TenantSim};

#[tokio::test]
async fn openid_metadata_v2_and_v1_name_their_issuers_and_jwks() {
    let sim = demo().await;
    let v2: Value = http()
        .get(sim.openid_config_url())
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(v2["issuer"], format!("{}/{}/v2.0", sim.base_url(), sim.tenant_id()));
    assert_eq!(v2["jwks_uri"], sim.jwks_uri());
    assert_eq!(v2["token_endpoint"], sim.token_url());
    let v1_url = format!(
        "{}/{}/.well-known/openid-configuration",
        sim.authority_url(),
        sim.tenant_id()
    );
    let v1: Value = http().get(v1_url).send().await.unwrap().json().await.unwrap();
    assert_eq!(v1["issuer"], format!("{}/{}/", sim.base_url(), sim.tenant_id()));
    let keys: Value = http()
        .get(v1["jwks_uri"].as_str().unwrap())
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let key = &keys["keys"][0];
    assert_eq!(key["kty"], "RSA");
    assert_eq!(key["kid"], key["x5t"]);
    assert_eq!(key["e"], "AQAB");
}

#[tokio::test]
async fn issuers_can_mirror_production_strings() {
    let config = SimConfig {
        issuer_v1: "https://sts.windows.net/{tid}/".into(),
        ..SimConfig::default()
    };
    let sim = TenantSim::start_with(Scenario::demo(), config).await.unwrap();
    assert_eq!(sim.issuer_v1(), format!("https://sts.windows.net/{}/", sim.tenant_id()));
    let claims = sim.app_claims(JITADMIN_APP, GRAPH).unwrap();
    assert_eq!(claims["iss"], sim.issuer_v1());
}

#[tokio::test]
async fn client_credentials_token_carries_v1_claims_and_validates_against_jwks() {
    let sim = demo().await;
    let resp = http()
        .post(sim.token_url())
        .form(&[
            ("client_id", JITADMIN_APP),
            ("client_secret", JITADMIN_SECRET),
            ("scope", "https://graph.microsoft.com/.default"),
            ("grant_type", "client_credentials"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    let body: Value = resp.json().await.unwrap();
    assert_eq!(body["token_type"], "Bearer");
    assert_eq!(body["expires_in"], 3599);
    assert_eq!(body["ext_expires_in"], 3599);
    let token = body["access_token"].as_str().unwrap();
    let claims = validate_with_jwks(&sim, token, GRAPH, sim.issuer_v1()).await;
    assert_eq!(claims["ver"], "1.0");
    assert_eq!(claims["appid"], JITADMIN_APP);
    assert_eq!(claims["oid"], JITADMIN_SP);
    assert_eq!(claims["sub"], JITADMIN_SP);
    assert_eq!(claims["tid"], sim.tenant_id());
    assert_eq!(claims["idtyp"], "app");
    let roles: Vec<&str> = claims["roles"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r.as_str().unwrap())
        .collect();
    assert!(roles.contains(&"GroupMember.ReadWrite.All"));
}

#[tokio::test]
async fn token_for_an_app_accepting_v2_tokens_has_v2_claims() {
    let mut scenario = Scenario::demo();
    scenario.applications[0].access_token_version = Some(2);
    let sim = TenantSim::start(scenario).await.unwrap();
    let resp: Value = http()
        .post(sim.token_url())
        .form(&[
            ("client_id", JITADMIN_APP),
            ("client_secret", JITADMIN_SECRET),
            ("scope", &format!("api://{JITADMIN_APP}/.default")),
            ("grant_type", "client_credentials"),
        ])
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let claims = validate_with_jwks(
        &sim,
        resp["access_token"].as_str().unwrap(),
        JITADMIN_APP,
        sim.issuer_v2(),
    )
    .await;
    assert_eq!(claims["ver"], "2.0");
    assert_eq!(claims["azp"], JITADMIN_APP);
    assert!(claims.get("appid").is_none());
}

#[tokio::test]
async fn wrong_secret_gets_invalid_client_with_aadsts_code() {
    let sim = demo().await;
    let resp = http()
        .post(sim.token_url())
        .form(&[
            ("client_id", JITADMIN_APP),
            ("client_secret", "wrong"),
            ("scope", "https://graph.microsoft.com/.default"),
            ("grant_type", "client_credentials"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 401);
    let body: Value = resp.json().await.unwrap();
    assert_eq!(body["error"], "invalid_client");
    assert_eq!(body["error_codes"][0], 7000215);
    assert!(body["error_description"].as_str().unwrap().starts_with("AADSTS7000215"));
}

#[tokio::test]
async fn unknown_client_and_bad_scope_are_refused() {
    let sim = demo().await;
    let unknown: Value = http()
        .post(sim.token_url())
        .form(&[
            ("client_id", "nope"),
            ("client_secret", "x"),
            ("scope", "a/.default"),
            ("grant_type", "client_credentials"),
        ])
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(unknown["error"], "unauthorized_client");
    let scope: Value = http()
        .post(sim.token_url())
        .form(&[
            ("client_id", JITADMIN_APP),
            ("client_secret", JITADMIN_SECRET),
            ("scope", "User.Read"),
            ("grant_type", "client_credentials"),
        ])
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(scope["error"], "invalid_scope");
}

#[tokio::test]
async fn rotated_key_signs_while_old_key_stays_published_until_retired() {
    let sim = demo().await;
    let old_kid = sim.current_key_id();
    let old_token = graph_token(&sim);
    let new_kid = sim.rotate_signing_key().await.unwrap();
    assert_ne!(old_kid, new_kid);
    assert_eq!(sim.published_key_ids(), vec![old_kid.clone(), new_kid.clone()]);

    let new_token = graph_token(&sim);
    assert_eq!(jsonwebtoken::decode_header(&new_token).unwrap().kid.unwrap(), new_kid);
    validate_with_jwks(&sim, &new_token, GRAPH, sim.issuer_v1()).await;
    validate_with_jwks(&sim, &old_token, GRAPH, sim.issuer_v1()).await;
    assert_eq!(graph_get(&sim, &format!("/v1.0/users/{ADELE}")).await.status(), 200);

    assert!(
        sim.retire_signing_key(&new_kid).is_err(),
        "the signing key cannot be retired"
    );
    sim.retire_signing_key(&old_kid).unwrap();
    let jwks: Value = http().get(sim.jwks_uri()).send().await.unwrap().json().await.unwrap();
    let kids: Vec<&str> = jwks["keys"]
        .as_array()
        .unwrap()
        .iter()
        .map(|k| k["kid"].as_str().unwrap())
        .collect();
    assert_eq!(kids, vec![new_kid.as_str()]);
    let resp = http()
        .get(format!("{}/v1.0/users/{ADELE}", sim.graph_url()))
        .bearer_auth(&old_token)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 401, "tokens of a retired key no longer validate");
}

#[tokio::test]
async fn v1_token_endpoint_takes_a_resource() {
    let sim = demo().await;
    let body: Value = http()
        .post(format!("{}/{}/oauth2/token", sim.authority_url(), sim.tenant_id()))
        .form(&[
            ("client_id", JITADMIN_APP),
            ("client_secret", JITADMIN_SECRET),
            ("resource", GRAPH),
            ("grant_type", "client_credentials"),
        ])
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(body["resource"], GRAPH);
    assert!(body["expires_on"].is_string());
    validate_with_jwks(&sim, body["access_token"].as_str().unwrap(), GRAPH, sim.issuer_v1()).await;
}

#[tokio::test]
async fn identity_endpoint_requires_the_identity_header_and_a_known_identity() {
    let sim = demo().await;
    let url = format!("{}?api-version=2019-08-01&resource={GRAPH}", sim.identity_endpoint());
    let no_header = http().get(&url).send().await.unwrap();
    assert_eq!(no_header.status(), 401);
    let unknown = http()
        .get(format!("{url}&client_id=not-assigned"))
        .header("X-IDENTITY-HEADER", sim.identity_header())
        .send()
        .await
        .unwrap();
    assert_eq!(unknown.status(), 400);
    let ok: Value = http()
        .get(&url)
        .header("X-IDENTITY-HEADER", sim.identity_header())
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(ok["client_id"], MI_CLIENT);
    assert_eq!(ok["token_type"], "Bearer");
    assert_eq!(ok["resource"], GRAPH);
    assert!(ok["expires_on"].as_str().unwrap().parse::<i64>().is_ok());
}

#[tokio::test]
async fn unknown_tenant_gets_aadsts90002() {
    let sim = demo().await;
    let resp = http()
        .get(format!("{}/some-other-tenant/discovery/v2.0/keys", sim.base_url()))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 400);
    let body: Value = resp.json().await.unwrap();
    assert_eq!(body["error_codes"][0], 90002);
}
