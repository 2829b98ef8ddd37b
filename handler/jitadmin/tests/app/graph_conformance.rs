//! jitadmin's Graph client against tenant-sim: every request the client sent (as the sim recorded
//! it) is checked, and every GET is sent again to check the sim's answer.

use graph_conformance::{check_with, Direction, Options};
use jitadmin_graph::mail::Mail;
use jitadmin_graph::{GraphClient, GraphConfig, GraphRequest, StaticToken};
use std::time::Duration;

use tenant_sim::{NewRequest, Scenario, TenantSim};

const APP: &str = "66666666-0000-4000-8000-000000000001";
const ADELE: &str = "11111111-0000-4000-8000-000000000002";
const GROUP: &str = "22222222-0000-4000-8000-000000000002";
const PACKAGE: &str = "55555555-0000-4000-8000-000000000001";

/// The findings on tenant-sim's traffic that are known and reported; anything else fails.
const KNOWN: &[&str] = &[];

/// Asks for the access package and, once delivered, removes it again.
async fn entitlement(sim: &TenantSim, client: &GraphClient) {
    let Ok(id) = sim.create_assignment_request(NewRequest::new(ADELE, PACKAGE)) else {
        return;
    };
    let _ = sim
        .wait_for_request(&id, Duration::from_secs(10), |r| r.state == "delivered")
        .await;
    let _ = client.get_assignment_request(&id).await;
    if let Some(a) = sim.assignments().first() {
        if let Ok(removal) = sim.remove_assignment(&a.id) {
            let _ = sim
                .wait_for_request(&removal, Duration::from_secs(10), |r| r.state == "delivered")
                .await;
            let _ = client.get_assignment_request(&removal).await;
        }
    }
}

async fn drive(client: &GraphClient) {
    let _ = client.get_user("adele.vance@contoso.example").await;
    let _ = client.get_manager(ADELE).await;
    let _ = client.list_group_members(GROUP).await;
    let _ = client.group_security_identifier(GROUP).await;
    let _ = client.group_members_delta(GROUP, None).await;
    let devices = client.list_user_devices(ADELE).await.unwrap_or_default();
    let ids: Vec<String> = devices.iter().map(|d| d.id.clone()).collect();
    let _ = client.sync_devices(&ids).await;
    let _ = client.list_user_assignments(PACKAGE, ADELE).await;
    let _ = client.list_user_assignment_requests(PACKAGE, ADELE).await;
    let mail = Mail {
        subject: "Your admin rights are ready".into(),
        body: "Sign out and in again.".into(),
        html: false,
        to: vec!["adele.vance@contoso.example".into()],
    };
    let _ = client.send_mail("megan.bowen@contoso.example", &mail).await;
    let _ = client
        .add_group_member(GROUP, "11111111-0000-4000-8000-000000000004")
        .await;
    let _ = client
        .remove_group_member(GROUP, "11111111-0000-4000-8000-000000000004")
        .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn jitadmin_requests_and_tenant_sim_answers_conform() {
    let sim = TenantSim::start(Scenario::demo()).await.expect("sim");
    let token = sim.app_token(APP, "https://graph.microsoft.com").expect("token");
    let config = GraphConfig {
        base_url: sim.graph_url().to_string(),
        intune_limits: None,
        ..GraphConfig::default()
    };
    let client = GraphClient::builder(StaticToken::new(token))
        .config(config)
        .build()
        .expect("client");
    drive(&client).await;
    entitlement(&sim, &client).await;
    let strict = Options {
        strict_open_types: true,
        ..Options::default()
    };
    let mut found = Vec::new();
    let mut checked = 0;
    for call in sim.calls() {
        if !(call.path.starts_with("/v1.0/") || call.path.starts_with("/beta/")) {
            continue;
        }
        let url = match &call.query {
            Some(q) => format!("{}?{q}", call.path),
            None => call.path.clone(),
        };
        let options = Options {
            include_unknown_enum_members: Options::from_headers(
                call.headers.iter().map(|(k, v)| (k.as_str(), v.as_str())),
            )
            .include_unknown_enum_members,
            ..strict.clone()
        };
        let body = call.json();
        let r = check_with(&call.method, &url, body.as_ref(), Direction::Request, &options);
        found.extend(r.findings.iter().map(|f| format!("request {} {url}: {f}", call.method)));
        if call.method == "POST" && call.path.ends_with("/$batch") {
            // The batch answer is checked against its request below, by sending it again.
            let again = client
                .execute(GraphRequest::post(url.clone(), body.clone().unwrap_or_default()))
                .await;
            if let (Ok(resp), Some(req)) = (again, &body) {
                let answer: serde_json::Value = resp.json().unwrap_or_default();
                let r = graph_conformance::check_batch_response("v1.0", req, &answer, &options);
                found.extend(r.findings.iter().map(|f| format!("answer POST {url}: {f}")));
            }
        }
        if call.method == "GET" {
            if let Ok(resp) = client.execute(GraphRequest::get(url.clone())).await {
                let answer: Option<serde_json::Value> = serde_json::from_slice(&resp.body).ok();
                let r = check_with(
                    "GET",
                    &url,
                    answer.as_ref(),
                    Direction::Response { status: resp.status },
                    &options,
                );
                found.extend(r.findings.iter().map(|f| format!("answer GET {url}: {f}")));
            }
        }
        checked += 1;
    }
    sim.shutdown().await;
    eprintln!("{checked} Graph calls checked");
    for f in &found {
        eprintln!("{f}");
    }
    assert!(checked >= 10, "only {checked} Graph calls were recorded");
    let unexpected: Vec<&String> = found.iter().filter(|f| !KNOWN.iter().any(|k| f.contains(k))).collect();
    assert!(unexpected.is_empty(), "{} unexpected finding(s)", unexpected.len());
}

/// A Graph call of jitadmin's identity that `docs/graph.md` does not list is refused and
/// recorded by the tenant (this sim only records, so the test can look).
#[tokio::test]
async fn a_call_missing_from_the_table_of_graph_calls_is_caught() {
    let config = tenant_sim::SimConfig {
        conformance: tenant_sim::ConformanceMode::Record,
        ..tenant_sim::SimConfig::default()
    };
    let sim = TenantSim::start_with(Scenario::demo(), config).await.unwrap();
    let built = crate::harness::Harness::on_sim(&sim).build().await;
    let graph = built.app.graph();
    // In the table: reading a user.
    graph.get_user(ADELE).await.expect("a listed call");
    assert!(
        sim.conformance_violations().is_empty(),
        "{:?}",
        sim.conformance_violations()
    );
    // Not in the table: jitadmin never adds members to groups.
    let _ = graph
        .add_group_member(GROUP, "11111111-0000-4000-8000-000000000004")
        .await;
    let seen = sim.conformance_violations();
    assert!(
        seen.iter()
            .any(|v| v.contains("POST /v1.0/groups/") && v.contains("is not in the table of Graph calls")),
        "{seen:#?}"
    );
}

/// jitadmin's Graph client asks for the members of evolvable enums after `unknownFutureValue`,
/// so an approver's removal reads as `approverRemove`, not `unknownFutureValue`.
#[tokio::test]
async fn jitadmin_reads_the_members_graph_adds_after_unknown_future_value() {
    let sim = TenantSim::start(Scenario::demo()).await.unwrap();
    let built = crate::harness::Harness::on_sim(&sim).build().await;
    let id = sim
        .create_assignment_request(NewRequest::new("11111111-0000-4000-8000-000000000003", PACKAGE))
        .unwrap();
    sim.wait_for_request(&id, Duration::from_secs(10), |r| r.state == "delivered")
        .await
        .unwrap();
    let assignment = sim.assignments().into_iter().next().expect("an assignment");
    let removal = sim.remove_assignment_as(&assignment.id, "approverRemove").unwrap();
    let read = built.app.graph().get_assignment_request(&removal).await.unwrap();
    assert_eq!(read.request_type.as_deref(), Some("approverRemove"));
}
