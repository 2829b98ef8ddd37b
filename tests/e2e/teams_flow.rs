//! Teams approvals end to end: the real `jitadmin` binary under azfn-local against tenant-sim and
//! its Bot Framework (Bot Connector, channel tokens, a Teams client clicking cards as the
//! tenant's users). `jitadmin dev` configures the bot: cards go to the demo's "JIT
//! approvals" channel; the "JIT Approvers" (Megan Bowen, Adele Vance, Lee Gu) decide.
//!
//! A request the example rules route (Alex Wilber, Finance, no ticket) gets one card; an
//! approver's click resumes it and every copy of the card shows the outcome; the requestor
//! and outsiders are refused; two approvers at once make one resume; a denial's reason
//! reaches Entra; `maintain` closes the card of an expired request; a Bot Connector 429 on
//! posting retries the event and still yields one card.

use std::time::Duration;

use jitadmin_tests::TestEnv;
use serde_json::{json, Value};
use tenant_sim::bot::BotActivity;
use tenant_sim::{FaultKind, FaultRule, NewRequest, RequestView, RoutePattern, Stage};

const MEGAN: &str = "11111111-0000-4000-8000-000000000001";
const ADELE: &str = "11111111-0000-4000-8000-000000000002";
const LEE: &str = "11111111-0000-4000-8000-000000000003";
const LYNNE: &str = "11111111-0000-4000-8000-000000000004";
const ALEX: &str = "11111111-0000-4000-8000-000000000005";
const PACKAGE: &str = "55555555-0000-4000-8000-000000000001";

/// `user` asks for the package without a ticket: the example rules route it.
fn request(test: &TestEnv, user: &str) -> String {
    test.env
        .sim
        .create_assignment_request(NewRequest::new(user, PACKAGE).justification("Install the Power BI Desktop update"))
        .expect("the sim accepts the request")
}

/// The card posted for `request_id` (waits up to 30 s): (conversation id, activity id).
async fn card_of(test: &TestEnv, request_id: &str) -> (String, String) {
    crate::helpers::card_of(&test.env, request_id).await
}

fn text(a: &BotActivity) -> String {
    crate::helpers::card_text(a)
}

fn cards_for(test: &TestEnv, request_id: &str) -> usize {
    test.env
        .sim
        .bot()
        .activities()
        .iter()
        .filter(|a| text(a).contains(request_id))
        .count()
}

async fn resumed(test: &TestEnv, request_id: &str) -> RequestView {
    test.env
        .sim
        .wait_for_request(request_id, Duration::from_secs(30), |r| !r.resumes.is_empty())
        .await
        .expect("the request is resumed")
}

/// The base card of the activity once `done` holds for it (waits up to 30 s).
async fn base_card_when(test: &TestEnv, card: &(String, String), done: impl Fn(&str) -> bool) -> String {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
    loop {
        let current = test
            .env
            .sim
            .bot()
            .card(&card.0, &card.1)
            .unwrap_or(Value::Null)
            .to_string();
        if done(&current) {
            return current;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "the card never reached the state: {current}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

#[tokio::test]
async fn an_approvers_click_resumes_the_request_and_every_copy_of_the_card_shows_it() {
    let test = TestEnv::start().await;
    let request_id = request(&test, ALEX);
    let card = card_of(&test, &request_id).await;

    // A replay of the callout (EM retries; an operator replays): no second card.
    let waiting = test.env.sim.assignment_request(&request_id).expect("request");
    let created = waiting
        .callout(Stage::AssignmentRequestCreated)
        .expect("callout")
        .body
        .clone();
    let forwarder = test.env.sim.with_state(|s| s.managed_identities[0].client_id.clone());
    let token = test
        .env
        .sim
        .app_token(&forwarder, jitadmin::dev::CALLOUT_AUDIENCE)
        .unwrap();
    let replay = reqwest::Client::new()
        .post(format!("{}/callout", test.env.api_url()))
        .header("x-functions-key", &test.env.function_key)
        .bearer_auth(token)
        .json(&created)
        .send()
        .await
        .unwrap();
    assert_eq!(replay.status().as_u16(), 202);
    crate::helpers::settled(&test.env).await;
    assert_eq!(cards_for(&test, &request_id), 1, "exactly one card after the replay");

    let clicked = test
        .env
        .sim
        .teams_client()
        .click(MEGAN, &card.0, &card.1, "approve")
        .send()
        .await
        .expect("the click is delivered");
    assert_eq!(clicked.status, Some(200), "{:?}", clicked.body);
    let mine = clicked.card().expect("Megan gets the refreshed card").to_string();
    assert!(mine.contains("Approved") && mine.contains("Megan Bowen"), "{mine}");

    let request = resumed(&test, &request_id).await;
    assert_eq!(request.resumes.len(), 1);
    let body = &request.resumes[0].body;
    assert!(body["data"].get("state").is_none(), "continue, not deny: {body}");
    let detail = body["data"]["customExtensionStageInstanceDetail"]
        .as_str()
        .unwrap_or_default();
    assert!(detail.contains("Approved in Teams by Megan Bowen"), "{detail}");

    // Everyone sees it: the base message was updated, and no button is left.
    let base = base_card_when(&test, &card, |c| c.contains("Approved")).await;
    assert!(
        !base.contains("Action.Execute"),
        "no buttons after the decision: {base}"
    );
    let lynne = test
        .env
        .sim
        .teams_client()
        .card_seen_by(LYNNE, &card.0, &card.1)
        .unwrap()
        .to_string();
    assert!(lynne.contains("Approved") && lynne.contains("Megan Bowen"));
    test.env
        .sim
        .wait_for_request(&request_id, Duration::from_secs(30), |r| {
            r.callout(Stage::AssignmentRequestGranted).is_some()
        })
        .await
        .expect("the request is granted");
    test.shutdown().await;
}

#[tokio::test]
async fn the_requestor_and_a_non_approver_are_refused() {
    let test = TestEnv::start().await;
    // Adele Vance is an approver, but this is her own request (IT, no ticket: routed).
    let request_id = request(&test, ADELE);
    let card = card_of(&test, &request_id).await;
    let client = test.env.sim.teams_client();

    let own = client.click(ADELE, &card.0, &card.1, "approve").send().await.unwrap();
    let own = own.response.expect("an invoke response");
    assert_eq!((own.status_code, own.value["code"].clone()), (403, json!("Forbidden")));

    let outsider = client.click(LYNNE, &card.0, &card.1, "approve").send().await.unwrap();
    let outsider = outsider.response.expect("an invoke response");
    assert_eq!(outsider.status_code, 403);

    crate::helpers::settled(&test.env).await;
    let request = test.env.sim.assignment_request(&request_id).unwrap();
    assert!(request.resumes.is_empty(), "nothing resumed");
    assert!(
        base_card_when(&test, &card, |_| true).await.contains("Action.Execute"),
        "still pending"
    );
    test.shutdown().await;
}

#[tokio::test]
async fn two_approvers_at_once_make_one_resume_and_one_already_decided() {
    let test = TestEnv::start().await;
    let request_id = request(&test, ALEX);
    let card = card_of(&test, &request_id).await;
    let client = test.env.sim.teams_client();
    let megan = client.click(MEGAN, &card.0, &card.1, "approve");
    let adele = client
        .click(ADELE, &card.0, &card.1, "deny")
        .input("reason", "Not this week");
    let (a, b) = tokio::join!(megan.send(), adele.send());
    let (a, b) = (a.unwrap(), b.unwrap());
    let cards = [a.card().unwrap().to_string(), b.card().unwrap().to_string()];
    assert_eq!(
        cards.iter().filter(|c| c.contains("Already decided")).count(),
        1,
        "one of them is told who already decided: {cards:?}"
    );
    resumed(&test, &request_id).await;
    crate::helpers::settled(&test.env).await;
    let request = test.env.sim.assignment_request(&request_id).expect("the request");
    assert_eq!(request.resumes.len(), 1, "one resume");
    test.shutdown().await;
}

#[tokio::test]
async fn a_denial_carries_the_approvers_reason_into_entra() {
    let test = TestEnv::start().await;
    let request_id = request(&test, ALEX);
    let card = card_of(&test, &request_id).await;
    let clicked = test
        .env
        .sim
        .teams_client()
        .click(LEE, &card.0, &card.1, "deny")
        .input("reason", "Use the software portal instead")
        .send()
        .await
        .unwrap();
    assert!(clicked.card().unwrap().to_string().contains("Denied"));
    let request = resumed(&test, &request_id).await;
    let body = &request.resumes[0].body;
    assert_eq!(body["data"]["state"], "denied");
    let detail = body["data"]["customExtensionStageInstanceDetail"]
        .as_str()
        .unwrap_or_default();
    assert_eq!(detail, "Denied in Teams by Lee Gu: Use the software portal instead");
    let denied = test
        .env
        .sim
        .wait_for_request(&request_id, Duration::from_secs(30), |r| r.state == "denied")
        .await
        .expect("the request ends denied");
    assert!(denied.callout(Stage::AssignmentRequestGranted).is_none());
    base_card_when(&test, &card, |c| c.contains("Denied") && c.contains("software portal")).await;
    test.shutdown().await;
}

#[tokio::test]
async fn maintain_closes_the_card_of_an_expired_request() {
    let test = TestEnv::start().await;
    let request_id = request(&test, ALEX);
    let card = card_of(&test, &request_id).await;
    assert_eq!(test.env.sim.expire_waiting(&request_id).unwrap(), 1);

    let handler = test.env.host.handler_url().await.expect("the handler runs");
    let tick = json!({"Data": {"tick": {"IsPastDue": false}}, "Metadata": {}});
    let answer = reqwest::Client::new()
        .post(format!("{}/maintain", handler.trim_end_matches('/')))
        .header("x-azure-functions-invocationid", "e2e-maintain-teams")
        .json(&tick)
        .send()
        .await
        .unwrap();
    assert!(
        answer.status().is_success(),
        "{}",
        answer.text().await.unwrap_or_default()
    );
    let base = base_card_when(&test, &card, |c| c.contains("No longer open")).await;
    assert!(!base.contains("Action.Execute"), "{base}");

    // A click on the closed card changes nothing.
    let late = test
        .env
        .sim
        .teams_client()
        .click(MEGAN, &card.0, &card.1, "approve")
        .on_card(test.env.sim.bot().activity(&card.0, &card.1).unwrap().card_versions()[0].clone())
        .send()
        .await
        .unwrap();
    assert!(late.card().unwrap().to_string().contains("No longer open"));
    let request = test.env.sim.assignment_request(&request_id).unwrap();
    assert!(request.resumes.is_empty());
    test.shutdown().await;
}

#[tokio::test]
async fn a_bot_connector_429_on_posting_retries_the_event_and_still_yields_one_card() {
    let test = TestEnv::start().await;
    test.env.sim.faults().inject(
        FaultRule::new(
            RoutePattern::new("POST", "/botconnector/v3/conversations"),
            FaultKind::TooManyRequests { retry_after: Some(1) },
        )
        .times(1),
    );
    let mut invocations = test.env.host.invocations();
    let request_id = request(&test, ALEX);
    let card = card_of(&test, &request_id).await;
    crate::helpers::settled(&test.env).await;
    assert_eq!(cards_for(&test, &request_id), 1);
    let mut failed = 0;
    while let Ok(record) = invocations.try_recv() {
        if record.function == "process" && !record.succeeded() {
            failed += 1;
        }
    }
    assert!(failed >= 1, "the throttled post failed the invocation for a retry");
    let posts = test.env.sim.calls_to("POST", "/botconnector/v3/conversations").len();
    assert_eq!(posts, 2, "one throttled post, one that worked");
    assert!(base_card_when(&test, &card, |_| true).await.contains("Action.Execute"));
    test.shutdown().await;
}

#[test]
fn the_demo_approves_a_routed_request_in_teams() {
    let dir = tempfile::tempdir().unwrap();
    let output = std::process::Command::new(jitadmin_tests::jitadmin_binary())
        .args(["dev", "--demo", "--state"])
        .arg(dir.path().join("state"))
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "{stdout}\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(stdout.contains("approval card posted in channel"), "{stdout}");
    assert!(
        stdout.contains("clicks Approve -> /api/teams/messages answers 200"),
        "{stdout}"
    );
    assert!(
        stdout.contains("Approved in Teams by"),
        "the resume carries the approver:\n{stdout}"
    );
    assert!(
        stdout.contains("the channel's card now reads: Local admin request"),
        "{stdout}"
    );
}

#[tokio::test]
async fn drift_in_the_watched_admin_group_is_posted_to_the_approvers_channel() {
    const ADMIN_GROUP: &str = "22222222-0000-4000-8000-000000000001";
    let test = TestEnv::start().await;
    // The timer subscribes to the watched group (the handshake goes through the front door).
    let handler = test.env.host.handler_url().await.expect("the handler runs");
    let tick = json!({"Data": {"tick": {"IsPastDue": false}}, "Metadata": {}});
    let answer = reqwest::Client::new()
        .post(format!("{}/maintain", handler.trim_end_matches('/')))
        .header("x-azure-functions-invocationid", "e2e-maintain-drift")
        .json(&tick)
        .send()
        .await
        .unwrap();
    assert!(
        answer.status().is_success(),
        "{}",
        answer.text().await.unwrap_or_default()
    );
    test.env.sim.add_group_member(ADMIN_GROUP, LYNNE).unwrap();
    let activities = test
        .env
        .sim
        .bot()
        .wait_for_activities(Duration::from_secs(30), |all| {
            all.iter().any(|a| is_drift_of(a, "Lynne Robbins"))
        })
        .await
        .expect("the drift is posted to the approvers' channel");
    let notice = activities.iter().find(|a| is_drift_of(a, "Lynne Robbins")).unwrap();
    assert!(!text(notice).contains("Action.Execute"), "a notice, no buttons");
    test.shutdown().await;
}

fn is_drift_of(a: &BotActivity, name: &str) -> bool {
    let text = text(a);
    text.contains("Local admin group drift") && text.contains(name)
}
