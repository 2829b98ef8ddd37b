//! The real `azure_identity` ManagedIdentityCredential (App Service source) gets tokens from the sim.
//!
//! The credential reads `IDENTITY_ENDPOINT`/`IDENTITY_HEADER` from the process environment, and
//! setting them in this process would race every other test reading the environment. So the test
//! runs the credential in a child process (this same test binary, filtered to
//! [`credential_in_child_process`]) with the two variables set there, and checks the tokens it
//! prints against the sim.

use std::process::Command;

use azure_core::credentials::TokenCredential;
use azure_identity::{ManagedIdentityCredential, ManagedIdentityCredentialOptions, UserAssignedId};

use crate::support::*;

/// Set only in the child process: tells [`credential_in_child_process`] to run.
const CHILD_MARKER: &str = "TENANT_SIM_TEST_MI_CHILD";
const SYSTEM_ASSIGNED: &str = "system-assigned-token=";
const BY_CLIENT_ID: &str = "client-id-token=";

#[tokio::test]
async fn managed_identity_credential_gets_a_token_that_validates_against_the_jwks() {
    let sim = demo().await;
    let exe = std::env::current_exe().unwrap();
    let mut child = Command::new(exe);
    child
        .args([
            "azure_identity_mi::credential_in_child_process",
            "--exact",
            "--ignored",
            "--nocapture",
            "--test-threads=1",
        ])
        .env(CHILD_MARKER, "1")
        .env("IDENTITY_ENDPOINT", sim.identity_endpoint())
        .env("IDENTITY_HEADER", sim.identity_header());
    // The sim keeps serving on this runtime while the child runs on a blocking thread.
    let output = tokio::task::spawn_blocking(move || child.output())
        .await
        .unwrap()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "child failed: {stdout}\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let printed = |prefix: &str| {
        stdout
            .lines()
            // libtest's "test ... " may share the line: take what follows the prefix.
            .find_map(|l| l.split_once(prefix).map(|(_, token)| token.trim()))
            .unwrap_or_else(|| panic!("the child printed no {prefix}: {stdout}"))
            .to_owned()
    };

    let token = printed(SYSTEM_ASSIGNED);
    let claims = validate_with_jwks(&sim, &token, GRAPH, sim.issuer_v1()).await;
    assert_eq!(claims["appid"], MI_CLIENT);
    assert_eq!(claims["oid"], MI_OBJECT);
    assert_eq!(claims["tid"], sim.tenant_id());

    let call = &sim.calls_to("GET", "/msi/token")[0];
    assert!(call.query.as_deref().unwrap().contains("api-version=2019-08-01"));
    assert_eq!(call.header("x-identity-header"), Some("<redacted>"));

    // A user-assigned identity by client id, as Functions apps select one.
    let token = printed(BY_CLIENT_ID);
    assert_eq!(
        sim.verify_token(&token, &tenant_sim::GRAPH_AUDIENCES).unwrap()["appid"],
        MI_CLIENT
    );

    // The token works against the sim's Graph.
    let resp = http()
        .get(format!("{}/v1.0/users/{ADELE}", sim.graph_url()))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
}

/// The credential's half of the test above, run only in its child process (where the identity
/// variables are set); elsewhere it returns at once.
#[tokio::test]
#[ignore = "run in a child process by managed_identity_credential_gets_a_token_that_validates_against_the_jwks"]
async fn credential_in_child_process() {
    if std::env::var_os(CHILD_MARKER).is_none() {
        return;
    }
    let credential = ManagedIdentityCredential::new(None).unwrap();
    let token = credential
        .get_token(&["https://graph.microsoft.com/.default"], None)
        .await
        .unwrap();
    println!("{SYSTEM_ASSIGNED}{}", token.token.secret());

    let options = ManagedIdentityCredentialOptions {
        user_assigned_id: Some(UserAssignedId::ClientId(MI_CLIENT.to_owned())),
        ..Default::default()
    };
    let by_id = ManagedIdentityCredential::new(Some(options)).unwrap();
    let token = by_id
        .get_token(&["https://graph.microsoft.com/.default"], None)
        .await
        .unwrap();
    println!("{BY_CLIENT_ID}{}", token.token.secret());
}
