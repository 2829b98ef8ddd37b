//! Entitlement management's request types, end to end through the real binary against
//! tenant-sim: a request filed for someone else (the card names both people; neither may
//! decide it), an extension of a delivered assignment (decided as an extension, no second
//! device sync, the user told the new end), removals of every type (devices synced, the user
//! told why), and admin requests and extensions under both readings of which stages call out.

use std::time::Duration;

use jitadmin_tests::TestEnv;
use serde_json::json;
use tenant_sim::em::{CalloutCoverage, StageCoverage};
use tenant_sim::{NewRequest, RequestView, Stage};

const MEGAN: &str = "11111111-0000-4000-8000-000000000001";
const ADELE: &str = "11111111-0000-4000-8000-000000000002";
const LEE: &str = "11111111-0000-4000-8000-000000000003";
const ALEX: &str = "11111111-0000-4000-8000-000000000005";
const ALEX_WINDOWS: &str = "33333333-0000-4000-8000-000000000001";
const PACKAGE: &str = "55555555-0000-4000-8000-000000000001";
const MAILBOX: &str = "megan.bowen@contoso.example";

/// Rules that approve a first request and an extension, each by its own rule.
const RULES: &str = r#"
[default]
decision = "deny"
reason = "Neither a first request nor an extension."

[[rule]]
name = "extension"
when = "request.isExtension && request.type == 'userUpdate' && has(request.durationHours)"
decision = "approve"
reason = "An extension of the rights the user has."

[[rule]]
name = "first"
when = "!request.isExtension && !request.isOnBehalf"
decision = "approve"
reason = "A first request."
"#;

/// An environment deciding by [`RULES`], syncing every event's devices (no coalescing) and
/// mailing notices from [`MAILBOX`]; the rules file lives in the returned directory.
async fn environment(coverage: CalloutCoverage) -> (TestEnv, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let rules = dir.path().join("request-types.rules.toml");
    std::fs::write(&rules, RULES).unwrap();
    let test = TestEnv::start_with(|options| {
        let rules = rules.display().to_string();
        options.extra_settings.push(("JITADMIN_RULES".into(), rules));
        options
            .extra_settings
            .push(("JITADMIN_SYNC_COALESCE_MINS".into(), "0".into()));
        options.extra_settings.push(("JITADMIN_NOTIFY".into(), "mail".into()));
        options
            .extra_settings
            .push(("JITADMIN_NOTIFY_MAILBOX".into(), MAILBOX.into()));
    })
    .await;
    test.env.sim.set_callout_coverage(coverage);
    (test, dir)
}

async fn granted(test: &TestEnv, request_id: &str) -> RequestView {
    test.env
        .sim
        .wait_for_request(request_id, Duration::from_secs(30), |r| {
            r.state == "delivered" && r.callout(Stage::AssignmentRequestGranted).is_some()
        })
        .await
        .expect("the request is granted")
}

async fn mails(test: &TestEnv, count: usize) -> Vec<tenant_sim::SentMail> {
    crate::helpers::wait_until(&format!("{count} mail(s) are sent"), || {
        test.env.sim.sent_mail().len() >= count
    })
    .await;
    crate::helpers::settled(&test.env).await;
    test.env.sim.sent_mail()
}

fn syncs(test: &TestEnv) -> Vec<String> {
    test.env.sim.device_syncs().into_iter().map(|s| s.device_id).collect()
}

async fn store(test: &TestEnv) -> jitadmin::store::Store {
    let path = test.dir.path().join("state").join("jitadmin.db");
    jitadmin::store::Store::open_setting(&format!("sqlite:{}", path.display()), None)
        .await
        .expect("the dev store opens")
}

#[tokio::test]
async fn an_extension_is_decided_as_one_and_tells_the_new_end_without_syncing_again() {
    let (test, _rules) = environment(CalloutCoverage::default()).await;
    let first = test
        .env
        .sim
        .create_assignment_request(NewRequest::new(ALEX, PACKAGE).justification("month end"))
        .unwrap();
    let first = granted(&test, &first).await;
    assert_eq!(mails(&test, 1).await.len(), 1);
    assert_eq!(syncs(&test), [ALEX_WINDOWS]);

    let extension = test
        .env
        .sim
        .create_assignment_request(
            NewRequest::new(ALEX, PACKAGE)
                .of_type("userUpdate")
                .justification("month end runs late")
                .for_duration("PT12H"),
        )
        .expect("an extension of the delivered assignment");
    let extension = granted(&test, &extension).await;
    assert_eq!(extension.assignment_id, first.assignment_id, "the same assignment");
    let sent = mails(&test, 2).await;
    assert_eq!(sent.len(), 2, "{sent:?}");
    assert!(sent[1].subject.contains("extended"), "{}", sent[1].subject);
    assert!(sent[1].body.contains("extended until"), "{}", sent[1].body);
    assert_eq!(syncs(&test), [ALEX_WINDOWS], "no second device sync");

    let store = store(&test).await;
    let trail = store.audit_by_request(&extension.id).await.unwrap();
    let decided = trail
        .iter()
        .find(|r| r.event.action == "callout.created.approved.resumed")
        .expect("the extension was decided");
    assert_eq!(decided.event.detail["decision"]["rule"], "extension");
    assert_eq!(decided.event.detail["facts"]["request"]["isExtension"], true);
    assert!(
        decided.event.detail["facts"]["request"]["currentEnd"].is_string(),
        "the current assignment's end: {}",
        decided.event.detail["facts"]["request"]
    );
    let elevations = store.elevations(ALEX).await.unwrap();
    assert_eq!(elevations.len(), 1, "one elevation, continued: {elevations:?}");
    test.shutdown().await;
}

#[tokio::test]
async fn a_removal_syncs_the_devices_and_tells_the_user_why() {
    let (test, _rules) = environment(CalloutCoverage::default()).await;
    let cases = [
        ("userRemove", "You removed"),
        ("adminRemove", "An administrator removed"),
        ("approverRemove", "access reviewer removed"),
        ("systemRemove", "time ran out"),
    ];
    for (n, (kind, says)) in cases.into_iter().enumerate() {
        let request_id = test
            .env
            .sim
            .create_assignment_request(NewRequest::new(ALEX, PACKAGE))
            .unwrap();
        let request = granted(&test, &request_id).await;
        // The grant's notice first: entitlement management may call out for the removal
        // before jitadmin has handled the grant.
        let told = |what: &str| {
            test.env
                .sim
                .sent_mail()
                .iter()
                .filter(|m| m.body.contains(what))
                .count()
        };
        crate::helpers::wait_until("the grant's notice", || told("was granted") == n + 1).await;
        let assignment = request.assignment_id.expect("an assignment");
        test.env.sim.remove_assignment_as(&assignment, kind).unwrap();
        crate::helpers::wait_until(&format!("the {kind} notice"), || told(says) == 1).await;
        assert_eq!(
            mails(&test, 2 * n + 2).await.len(),
            2 * n + 2,
            "{kind}: one notice each"
        );
        assert_eq!(syncs(&test).len(), 2 * n + 2, "{kind}: granted and removed each sync");
    }
    let store = store(&test).await;
    let removals: Vec<String> = store
        .audit_by_user(ALEX)
        .await
        .unwrap()
        .iter()
        .filter(|r| r.event.action == "user.notified" && r.event.detail["reason"] == "removed")
        .filter_map(|r| r.event.detail["removal"].as_str().map(str::to_string))
        .collect();
    assert_eq!(removals, ["user", "admin", "approver", "system"]);
    test.shutdown().await;
}

#[tokio::test]
async fn admin_requests_and_extensions_work_whichever_stages_call_out() {
    for coverage in [StageCoverage::AllStages, StageCoverage::GrantedAndRemovedOnly] {
        let (test, _rules) = environment(CalloutCoverage {
            admin: coverage,
            updates: coverage,
        })
        .await;
        let added = test
            .env
            .sim
            .create_assignment_request(NewRequest::new(MEGAN, PACKAGE).on_behalf_of(ALEX).of_type("adminAdd"))
            .unwrap();
        let added = test
            .env
            .sim
            .wait_for_request(&added, Duration::from_secs(30), |r| {
                r.completed_at.is_some()
                    && (r.state != "delivered" || r.callout(Stage::AssignmentRequestGranted).is_some())
            })
            .await
            .unwrap();
        if coverage == StageCoverage::AllStages {
            // Decided: an admin asking for someone else is not a first request of the target's.
            assert_eq!(added.state, "denied", "{coverage:?}: {added:?}");
            test.shutdown().await;
            continue;
        }
        // Without a created callout, entitlement management's own policy grants it.
        assert_eq!(added.state, "delivered", "{coverage:?}");
        assert_eq!(mails(&test, 1).await.len(), 1);
        let extended = test
            .env
            .sim
            .create_assignment_request(
                NewRequest::new(MEGAN, PACKAGE)
                    .on_behalf_of(ALEX)
                    .of_type("adminUpdate")
                    .for_duration("PT4H"),
            )
            .unwrap();
        granted(&test, &extended).await;
        let sent = mails(&test, 2).await;
        assert!(sent[1].body.contains("extended until"), "{}", sent[1].body);
        assert_eq!(
            syncs(&test),
            [ALEX_WINDOWS],
            "{coverage:?}: the extension syncs nothing"
        );
        test.shutdown().await;
    }
}

#[tokio::test]
async fn a_request_filed_for_someone_else_names_both_and_neither_may_decide_it() {
    let test = TestEnv::start().await;
    // Megan (an approver) asks for Adele (an approver too; IT without a ticket: routed).
    let request_id = test
        .env
        .sim
        .create_assignment_request(
            NewRequest::new(MEGAN, PACKAGE)
                .on_behalf_of(ADELE)
                .justification("Adele installs the plotter driver"),
        )
        .unwrap();
    let card = crate::helpers::card_of(&test.env, &request_id).await;
    let posted = test.env.sim.bot().card(&card.0, &card.1).unwrap().to_string();
    assert!(posted.contains("Megan Bowen"), "{posted}");
    assert!(posted.contains(" asks for "), "{posted}");
    assert!(posted.contains("Adele Vance"), "{posted}");

    let client = test.env.sim.teams_client();
    for party in [MEGAN, ADELE] {
        let answer = client.click(party, &card.0, &card.1, "approve").send().await.unwrap();
        let answer = answer.response.expect("an invoke response");
        assert_eq!(
            (answer.status_code, answer.value["code"].clone()),
            (403, json!("Forbidden")),
            "{party}"
        );
    }
    crate::helpers::settled(&test.env).await;
    assert!(test.env.sim.assignment_request(&request_id).unwrap().resumes.is_empty());

    let answer = client.click(LEE, &card.0, &card.1, "approve").send().await.unwrap();
    assert_eq!(answer.status, Some(200), "{:?}", answer.body);
    test.env
        .sim
        .wait_for_request(&request_id, Duration::from_secs(30), |r| r.resumes.len() == 1)
        .await
        .expect("one resume");

    let store = store(&test).await;
    let refused: Vec<(String, String)> = store
        .audit_by_request(&request_id)
        .await
        .unwrap()
        .iter()
        .filter(|r| r.event.action == "teams.refused")
        .map(|r| {
            (
                r.event.actor.clone(),
                r.event.detail["why"].as_str().unwrap_or_default().to_string(),
            )
        })
        .collect();
    assert_eq!(refused.len(), 2, "{refused:?}");
    assert!(
        refused.iter().any(|(who, why)| who == MEGAN && why.contains("filed")),
        "{refused:?}"
    );
    assert!(
        refused.iter().any(|(who, why)| who == ADELE && why.contains("target")),
        "{refused:?}"
    );
    let approval = store.approvals_open().await.unwrap();
    assert!(approval.is_empty());
    test.shutdown().await;
}

/// Route every request whose ticket answer (read by the question's id) is a ticket number.
const ANSWER_RULES: &str = r#"
[default]
decision = "route"
reason = "An approver looks at every request with a ticket."

[[rule]]
name = "deny-without-ticket"
when = "!request.answers['q-ticket'].matches('^INC[0-9]+$')"
decision = "deny"
reason = "Give a ticket number."
"#;

#[tokio::test]
async fn two_questions_with_the_same_text_are_read_by_id_and_listed_in_order() {
    let dir = tempfile::tempdir().unwrap();
    let rules = dir.path().join("answers.rules.toml");
    std::fs::write(&rules, ANSWER_RULES).unwrap();
    let test = TestEnv::start_with(|options| {
        let rules = rules.display().to_string();
        options.extra_settings.push(("JITADMIN_RULES".into(), rules));
    })
    .await;
    let asked = |user: &str, ticket: &str| {
        NewRequest::new(user, PACKAGE)
            .answer_to("q-device", "Which one?", "PC-0042")
            .answer_to("q-ticket", "Which one?", ticket)
    };
    let routed = test.env.sim.create_assignment_request(asked(ALEX, "INC0042")).unwrap();
    let card = crate::helpers::card_of(&test.env, &routed).await;
    let text = test.env.sim.bot().card(&card.0, &card.1).unwrap().to_string();
    let (device, ticket) = (text.find("PC-0042"), text.find("INC0042"));
    assert!(device.is_some() && ticket.is_some(), "{text}");
    assert!(device < ticket, "the card lists the answers in order: {text}");

    let denied = test.env.sim.create_assignment_request(asked(LEE, "none")).unwrap();
    let denied = test
        .env
        .sim
        .wait_for_request(&denied, Duration::from_secs(30), |r| r.completed_at.is_some())
        .await
        .unwrap();
    assert_eq!(denied.state, "denied", "the ticket answer was read by its id");
    test.shutdown().await;
}
