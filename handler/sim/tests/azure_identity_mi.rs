//! The real `azure_identity` ManagedIdentityCredential (App Service source) gets tokens from the sim.
//! Its own test binary: it sets the process-global IDENTITY_ENDPOINT/IDENTITY_HEADER.

mod common;

use azure_core::credentials::TokenCredential;
use azure_identity::{ManagedIdentityCredential, ManagedIdentityCredentialOptions, UserAssignedId};
use common::*;

#[tokio::test]
async fn managed_identity_credential_gets_a_token_that_validates_against_the_jwks() {
    let sim = demo().await;
    // SAFETY-free in edition 2021; this binary has a single test, so nothing races on the environment.
    std::env::set_var("IDENTITY_ENDPOINT", sim.identity_endpoint());
    std::env::set_var("IDENTITY_HEADER", sim.identity_header());

    let credential = ManagedIdentityCredential::new(None).unwrap();
    let token = credential
        .get_token(&["https://graph.microsoft.com/.default"], None)
        .await
        .unwrap();
    let claims = validate_with_jwks(&sim, token.token.secret(), GRAPH, sim.issuer_v1()).await;
    assert_eq!(claims["appid"], MI_CLIENT);
    assert_eq!(claims["oid"], MI_OBJECT);
    assert_eq!(claims["tid"], sim.tenant_id());

    let call = &sim.calls_to("GET", "/msi/token")[0];
    assert!(call.query.as_deref().unwrap().contains("api-version=2019-08-01"));
    assert_eq!(call.header("x-identity-header"), Some("<redacted>"));

    // A user-assigned identity by client id, as Functions apps select one.
    let options = ManagedIdentityCredentialOptions {
        user_assigned_id: Some(UserAssignedId::ClientId(MI_CLIENT.to_owned())),
        ..Default::default()
    };
    let by_id = ManagedIdentityCredential::new(Some(options)).unwrap();
    let token = by_id
        .get_token(&["https://graph.microsoft.com/.default"], None)
        .await
        .unwrap();
    assert_eq!(
        sim.verify_token(token.token.secret(), &tenant_sim::GRAPH_AUDIENCES)
            .unwrap()["appid"],
        MI_CLIENT
    );

    // The token works against the sim's Graph.
    let resp = http()
        .get(format!("{}/v1.0/users/{ADELE}", sim.graph_url()))
        .bearer_auth(token.token.secret())
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
}
