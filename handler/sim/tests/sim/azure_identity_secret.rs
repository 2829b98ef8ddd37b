//! The real `azure_identity` ClientSecretCredential gets tokens from the sim.
//! azure_identity requires an https authority, so its transport sends the requests to the sim.

use crate::support::*;
use azure_core::credentials::TokenCredential;
use azure_identity::{ClientSecretCredential, ClientSecretCredentialOptions};

#[tokio::test]
async fn client_secret_credential_gets_a_token_that_validates_against_the_jwks() {
    let sim = demo().await;
    let options = ClientSecretCredentialOptions {
        client_options: tenant_sim::azure::client_options(&sim),
    };
    let credential = ClientSecretCredential::new(
        sim.tenant_id(),
        JITADMIN_APP.to_owned(),
        JITADMIN_SECRET.into(),
        Some(options),
    )
    .unwrap();
    let token = credential
        .get_token(&["https://graph.microsoft.com/.default"], None)
        .await
        .unwrap();
    let claims = validate_with_jwks(&sim, token.token.secret(), GRAPH, sim.issuer_v1()).await;
    assert_eq!(claims["appid"], JITADMIN_APP);
    assert_eq!(claims["oid"], JITADMIN_SP);
    let call = &sim.calls_to("POST", &format!("/{}/oauth2/v2.0/token", sim.tenant_id()))[0];
    assert_eq!(call.status, Some(200));
}

#[tokio::test]
async fn client_secret_credential_reports_entra_errors() {
    let sim = demo().await;
    let options = ClientSecretCredentialOptions {
        client_options: tenant_sim::azure::client_options(&sim),
    };
    let credential =
        ClientSecretCredential::new(sim.tenant_id(), JITADMIN_APP.to_owned(), "wrong".into(), Some(options)).unwrap();
    let err = credential
        .get_token(&["https://graph.microsoft.com/.default"], None)
        .await
        .unwrap_err();
    assert!(err.to_string().contains("AADSTS7000215"), "{err}");
}
