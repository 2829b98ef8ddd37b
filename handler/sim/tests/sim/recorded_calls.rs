//! Every request is recorded in order with its status; secrets are redacted.

use crate::support::*;

#[tokio::test]
async fn calls_are_recorded_in_order_with_status_and_redactions() {
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
    graph_get(&sim, &format!("/v1.0/users/{ADELE}?$select=id")).await;
    graph_get(&sim, "/v1.0/users/nobody").await;

    let calls = sim.calls();
    assert_eq!(calls.len(), 3);
    assert!(calls.windows(2).all(|w| w[0].seq < w[1].seq));
    assert_eq!(calls[0].method, "POST");
    assert!(
        calls[0].text().contains("client_secret=%3Credacted%3E"),
        "{}",
        calls[0].text()
    );
    assert!(!calls[0].text().contains(JITADMIN_SECRET));
    assert_eq!(calls[1].path, format!("/v1.0/users/{ADELE}"));
    assert_eq!(calls[1].query.as_deref(), Some("$select=id"));
    assert_eq!(calls[1].header("authorization"), Some("Bearer"));
    assert_eq!(calls[1].app_id.as_deref(), Some(JITADMIN_APP));
    assert_eq!(calls[1].status, Some(200));
    assert_eq!(calls[2].status, Some(404));

    assert_eq!(sim.calls_to("GET", "/v1.0/users/").len(), 2);
    assert_eq!(sim.calls_to("*", "/").len(), 3);
    assert_eq!(sim.calls_to("POST", "/v1.0").len(), 0);
    sim.clear_calls();
    assert!(sim.calls().is_empty());
}

#[tokio::test]
async fn json_bodies_are_kept() {
    let sim = demo().await;
    http()
        .post(format!("{}/v1.0/groups/{ADMINS}/members/$ref", sim.graph_url()))
        .bearer_auth(graph_token(&sim))
        .json(&serde_json::json!({ "@odata.id": format!("https://graph.microsoft.com/v1.0/directoryObjects/{ALEX}") }))
        .send()
        .await
        .unwrap();
    let call = &sim.calls_to("POST", "/v1.0/groups")[0];
    assert_eq!(
        call.json().unwrap()["@odata.id"].as_str().unwrap().rsplit('/').next(),
        Some(ALEX)
    );
    assert_eq!(call.status, Some(204));
}
