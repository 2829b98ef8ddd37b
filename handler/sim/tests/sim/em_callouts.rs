//! Entitlement management calls custom extensions as EM does: body, authentication, timeout
//! and retry.

use std::time::Duration;

use crate::support::endpoint::Endpoint;
use crate::support::*;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use jsonwebtoken::{Algorithm, DecodingKey, Validation};
use serde_json::Value;
use sha2::{Digest, Sha256};
use tenant_sim::em::ClientTiming;
use tenant_sim::{
    CalloutStatus, NewRequest, PopBinding, PopOptions, Scenario, SimConfig, Stage, StageSetting, TenantSim, EM_APP_ID,
};

const PACKAGE: &str = "55555555-0000-4000-8000-000000000001";
const POLICY: &str = "55555555-0000-4000-8000-0000000000a1";
const JITADMIN_URI: &str = "api://66666666-0000-4000-8000-000000000001";
const WAIT: Duration = Duration::from_secs(5);

fn created_wait(endpoint: &Endpoint) -> StageSetting {
    StageSetting::wait(
        Stage::AssignmentRequestCreated,
        &endpoint.url,
        Duration::from_secs(3600),
    )
}

fn part(token: &str, n: usize) -> Value {
    let seg = token.split('.').nth(n).expect("JWS part");
    serde_json::from_slice(&URL_SAFE_NO_PAD.decode(seg).expect("base64url")).expect("JSON")
}

#[tokio::test]
async fn created_request_posts_the_pascalcase_callout_with_the_forwarders_bearer_token() {
    let sim = demo().await;
    let endpoint = Endpoint::start().await;
    sim.set_stage_setting(POLICY, created_wait(&endpoint).with_bearer(MI_CLIENT, JITADMIN_URI))
        .unwrap();
    let id = sim
        .create_assignment_request(
            NewRequest::new(LEE, PACKAGE)
                .justification("Install the VPN client")
                .answer("Ticket number", "INC0012345"),
        )
        .unwrap();

    let got = endpoint.wait_for(1).await;
    let body = got[0].json();
    assert_eq!(got[0].path, "/api/callout");
    assert_eq!(body["AccessPackageAssignmentRequestId"], id.as_str());
    assert_eq!(body["Stage"], "assignmentRequestCreated");
    assert_eq!(body["RequestType"], "userAdd");
    assert_eq!(
        body["CallbackUriPath"],
        format!("/identityGovernance/entitlementManagement/assignmentRequests/{id}/resume").as_str()
    );
    assert_eq!(body["CallbackConfiguration"]["DurationBeforeTimeout"], "PT1H");
    assert_eq!(body["AccessPackage"]["Id"], PACKAGE);
    assert_eq!(body["AccessPackageCatalog"]["DisplayName"], "Device administration");
    assert_eq!(body["Assignment"]["AssignmentPolicy"]["Id"], POLICY);
    assert_eq!(body["Assignment"]["Target"]["ObjectId"], LEE);
    assert_eq!(body["Requestor"]["ObjectId"], LEE);
    assert_eq!(body["Requestor"]["PrincipalName"], "lee.gu@contoso.example");
    assert_ne!(
        body["Requestor"]["Id"], body["Requestor"]["ObjectId"],
        "subject id is not the object id"
    );
    assert_eq!(body["Answers"][0]["Value"], "INC0012345");
    assert_eq!(
        body["Answers"][0]["AnsweredQuestion"]["Text"]["DefaultText"],
        "Ticket number"
    );

    let auth = got[0].authorization().expect("authorization header");
    let token = auth.strip_prefix("Bearer ").expect("bearer scheme");
    let claims = validate_with_jwks(&sim, token, JITADMIN_URI, sim.issuer_v1()).await;
    assert_eq!(claims["appid"], MI_CLIENT);
    assert_eq!(claims["oid"], MI_OBJECT);

    let view = sim
        .wait_for_request(&id, WAIT, |r| {
            r.callouts.first().is_some_and(|c| !c.attempts.is_empty())
        })
        .await
        .unwrap();
    let callout = view.callout(Stage::AssignmentRequestCreated).unwrap();
    assert_eq!(callout.status, CalloutStatus::WaitingForCallback);
    assert_eq!(callout.attempts.len(), 1);
    assert_eq!(callout.attempts[0].status, Some(202));
    assert_eq!(
        callout.stage_instance_id,
        body["CustomExtensionStageInstanceId"].as_str().unwrap()
    );
    assert_eq!(
        (view.state.as_str(), view.status.as_str()),
        ("submitted", "WaitingForCallback")
    );
    sim.shutdown().await;
}

#[tokio::test]
async fn pop_callout_carries_a_signed_request_bound_to_the_endpoint_and_the_inner_token() {
    let sim = demo().await;
    let endpoint = Endpoint::start().await;
    sim.set_stage_setting(POLICY, created_wait(&endpoint)).unwrap();
    sim.create_assignment_request(NewRequest::new(LEE, PACKAGE)).unwrap();

    let got = endpoint.wait_for(1).await;
    let auth = got[0].authorization().unwrap();
    let shr = auth.strip_prefix("PoP ").expect("PoP scheme");
    let header = part(shr, 0);
    let payload = part(shr, 1);
    assert_eq!(header["alg"], "RS256");
    assert_eq!(header["typ"], "pop");
    let url = url::Url::parse(&endpoint.url).unwrap();
    assert_eq!(payload["m"], "POST");
    assert_eq!(payload["u"], format!("127.0.0.1:{}", url.port().unwrap()).as_str());
    assert_eq!(payload["p"], "/api/callout");
    assert!(payload["nonce"].as_str().is_some_and(|n| !n.is_empty()));
    let ts = payload["ts"].as_i64().unwrap();
    assert!((chrono::Utc::now().timestamp() - ts).abs() < 60);

    // The SHR verifies with the key it presents, and that key is the one the token binds.
    let jwk = &payload["cnf"]["jwk"];
    let (n, e) = (jwk["n"].as_str().unwrap(), jwk["e"].as_str().unwrap());
    let key = DecodingKey::from_rsa_components(n, e).unwrap();
    let mut v = Validation::new(Algorithm::RS256);
    v.validate_exp = false;
    v.required_spec_claims.clear();
    jsonwebtoken::decode::<Value>(shr, &key, &v).expect("SHR signature");
    let thumbprint = URL_SAFE_NO_PAD.encode(Sha256::digest(format!(r#"{{"e":"{e}","kty":"RSA","n":"{n}"}}"#)));
    assert_eq!(header["kid"], thumbprint.as_str());

    let at = payload["at"].as_str().unwrap();
    let claims = validate_with_jwks(&sim, at, "https://management.azure.com", sim.issuer_v1()).await;
    assert_eq!(claims["appid"], EM_APP_ID);
    assert_eq!(claims["tid"], sim.tenant_id());
    assert_eq!(claims["cnf"]["kid"], thumbprint.as_str());
    sim.shutdown().await;
}

#[tokio::test]
async fn pop_binding_can_name_the_logic_app_resource_instead() {
    let sim = demo().await;
    let endpoint = Endpoint::start().await;
    let arm_path = "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Logic/workflows/jit";
    let pop = PopOptions {
        binding: PopBinding::Fixed {
            host: "management.azure.com".into(),
            path: arm_path.into(),
        },
        nonce: false,
        ..PopOptions::default()
    };
    sim.set_stage_setting(
        POLICY,
        created_wait(&endpoint).with_auth(tenant_sim::CalloutAuth::Pop(pop)),
    )
    .unwrap();
    sim.create_assignment_request(NewRequest::new(LEE, PACKAGE)).unwrap();
    let got = endpoint.wait_for(1).await;
    let payload = part(got[0].authorization().unwrap().strip_prefix("PoP ").unwrap(), 1);
    assert_eq!(payload["u"], "management.azure.com");
    assert_eq!(payload["p"], arm_path);
    assert!(payload.get("nonce").is_none());
    sim.shutdown().await;
}

#[tokio::test]
async fn a_slow_endpoint_gets_exactly_one_retry_then_the_request_fails() {
    let config = SimConfig {
        callout_timeout: Duration::from_millis(200),
        ..SimConfig::default()
    };
    let sim = TenantSim::start_with(Scenario::demo(), config).await.unwrap();
    let endpoint = Endpoint::start().await;
    endpoint.always(Duration::from_millis(600), 202);
    sim.set_stage_setting(POLICY, created_wait(&endpoint)).unwrap();
    let id = sim.create_assignment_request(NewRequest::new(LEE, PACKAGE)).unwrap();

    let view = sim
        .wait_for_request(&id, WAIT, |r| r.state == "deliveryFailed")
        .await
        .unwrap();
    let callout = &view.callouts[0];
    assert_eq!(callout.status, CalloutStatus::CalloutFailed);
    assert_eq!(callout.attempts.len(), 2, "one try and one retry");
    assert!(callout.attempts.iter().all(|a| a.error.as_deref() == Some("timeout")));
    assert_eq!(view.status, "CalloutFailed");
    // The request is done (callout failed), so no further attempt can come: the endpoint saw
    // exactly the attempts the sim recorded.
    assert_eq!(endpoint.wait_for(2).await.len(), callout.attempts.len());
    sim.shutdown().await;
}

#[tokio::test]
async fn the_extensions_client_configuration_sets_the_wait_and_the_retries() {
    let sim = demo().await;
    let endpoint = Endpoint::start().await;
    endpoint.always(Duration::from_millis(600), 202);
    let mut setting = created_wait(&endpoint);
    setting.client = Some(ClientTiming {
        timeout: Duration::from_millis(300),
        retries: 0,
    });
    sim.set_stage_setting(POLICY, setting).unwrap();
    let id = sim.create_assignment_request(NewRequest::new(LEE, PACKAGE)).unwrap();
    let view = sim
        .wait_for_request(&id, WAIT, |r| r.state == "deliveryFailed")
        .await
        .unwrap();
    let attempts = &view.callouts[0].attempts;
    assert_eq!(attempts.len(), 1, "no retry: maximumRetries 0");
    assert_eq!(
        attempts[0].error.as_deref(),
        Some("timeout"),
        "300 ms, not the default 2 s"
    );
    sim.shutdown().await;
}

#[tokio::test]
async fn a_non_2xx_answer_is_retried_once_and_a_2xx_retry_leaves_the_request_waiting() {
    let sim = demo().await;
    let endpoint = Endpoint::start().await;
    endpoint.then(Duration::ZERO, 503);
    sim.set_stage_setting(POLICY, created_wait(&endpoint)).unwrap();
    let id = sim.create_assignment_request(NewRequest::new(LEE, PACKAGE)).unwrap();
    let view = sim
        .wait_for_request(&id, WAIT, |r| r.callouts.first().is_some_and(|c| c.attempts.len() == 2))
        .await
        .unwrap();
    let statuses: Vec<_> = view.callouts[0].attempts.iter().map(|a| a.status).collect();
    assert_eq!(statuses, vec![Some(503), Some(202)]);
    assert_eq!(view.callouts[0].status, CalloutStatus::WaitingForCallback);
    assert_eq!(view.status, "WaitingForCallback");
    let got = endpoint.received();
    assert_eq!(got[0].json(), got[1].json(), "the retry sends the same body");
    sim.shutdown().await;
}

#[tokio::test]
async fn launch_and_continue_stages_call_out_and_carry_on_to_the_grant() {
    let sim = demo().await;
    let endpoint = Endpoint::start().await;
    sim.set_stage_setting(
        POLICY,
        StageSetting::continue_at(Stage::AssignmentRequestCreated, &endpoint.url),
    )
    .unwrap();
    let id = sim.create_assignment_request(NewRequest::new(LEE, PACKAGE)).unwrap();
    let view = sim
        .wait_for_request(&id, WAIT, |r| r.state == "delivered")
        .await
        .unwrap();
    assert_eq!(view.callouts[0].status, CalloutStatus::CalloutSent);
    assert!(endpoint.received()[0].json()["CallbackConfiguration"].is_null());
    assert!(sim.group_members(ADMINS).unwrap().iter().any(|m| m == LEE));
    sim.shutdown().await;
}

#[tokio::test]
async fn the_connection_test_posts_its_stage_with_the_settings_auth() {
    let sim = demo().await;
    let endpoint = Endpoint::start().await;
    endpoint.then(std::time::Duration::ZERO, 200);
    let attempt = sim.test_custom_extension(&created_wait(&endpoint)).await;
    assert_eq!(attempt.status, Some(200));
    assert_eq!(attempt.auth_scheme.as_deref(), Some("PoP"));
    let got = endpoint.received();
    assert_eq!(got.len(), 1);
    assert_eq!(got[0].json()["Stage"], "CustomExtensionConnectionTest");
    assert!(got[0].json()["CallbackUriPath"].is_null());
    sim.shutdown().await;
}

#[tokio::test]
async fn an_extension_attached_through_graph_calls_out_like_one_set_in_rust() {
    let sim = demo().await;
    let endpoint = Endpoint::start().await;
    let em = format!("{}/v1.0/identityGovernance/entitlementManagement", sim.graph_url());
    let created: Value = http()
        .post(format!("{em}/catalogs/55555555-0000-4000-8000-0000000000ca/customWorkflowExtensions"))
        .bearer_auth(graph_token(&sim))
        .json(&serde_json::json!({
            "@odata.type": "#microsoft.graph.accessPackageAssignmentRequestWorkflowExtension",
            "displayName": "jitadmin",
            "endpointConfiguration": { "@odata.type": "#microsoft.graph.logicAppTriggerEndpointConfiguration", "url": endpoint.url },
            "authenticationConfiguration": { "@odata.type": "#microsoft.graph.azureAdTokenAuthentication", "resourceId": JITADMIN_URI },
            "callbackConfiguration": { "@odata.type": "#microsoft.graph.customExtensionCallbackConfiguration", "durationBeforeTimeout": "PT1H" }
        }))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let ext_id = created["id"].as_str().unwrap();
    assert_eq!(created["callbackConfiguration"]["timeoutDuration"], "PT1H");
    let r = http()
        .put(format!("{em}/assignmentPolicies/{POLICY}"))
        .bearer_auth(graph_token(&sim))
        .json(
            &serde_json::json!({ "displayName": "Employees", "customExtensionStageSettings": [
            { "stage": "assignmentRequestCreated", "customExtension": {
                "@odata.type": "#microsoft.graph.accessPackageAssignmentRequestWorkflowExtension", "id": ext_id } } ] }),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let policy: Value = graph_get(
        &sim,
        &format!("/v1.0/identityGovernance/entitlementManagement/assignmentPolicies/{POLICY}"),
    )
    .await
    .json()
    .await
    .unwrap();
    assert_eq!(
        policy["customExtensionStageSettings"][0]["customExtension"]["id"],
        ext_id
    );

    sim.create_assignment_request(NewRequest::new(LEE, PACKAGE)).unwrap();
    let got = endpoint.wait_for(1).await;
    let token = got[0].authorization().unwrap();
    let claims = validate_with_jwks(
        &sim,
        token.strip_prefix("Bearer ").unwrap(),
        JITADMIN_URI,
        sim.issuer_v1(),
    )
    .await;
    assert_eq!(claims["appid"], EM_APP_ID, "EM's own (\"Regular\") bearer token");
    assert_eq!(got[0].json()["CallbackConfiguration"]["DurationBeforeTimeout"], "PT1H");
    sim.shutdown().await;
}
