//! The original recipe's configuration end to end, through the real binary against
//! tenant-sim's recipe tenant (`Scenario::recipe()`: entitlement management's own approval
//! stage with Megan Bowen as approver, a 30-day default, requestors choosing their timeline)
//! under the example rules (`rules.example.toml`, which `jitadmin dev` configures).
//!
//! With the approval stage on, jitadmin pre-screens: a request the rules deny is denied; the
//! rest continue to the approver in My Access, without a Teams card. With it off, jitadmin
//! decides: the rules approve short ticketed requests and send the rest to Teams.

use std::time::Duration;

use jitadmin_tests::TestEnv;
use tenant_sim::em::approval::ApprovalSettings;
use tenant_sim::{NewRequest, RequestView, Scenario, Stage};

const MEGAN: &str = "11111111-0000-4000-8000-000000000001";
const ADELE: &str = "11111111-0000-4000-8000-000000000002";
const ALEX: &str = "11111111-0000-4000-8000-000000000005";
const PAT_GUEST: &str = "11111111-0000-4000-8000-000000000008";
const ALEX_WINDOWS: &str = "33333333-0000-4000-8000-000000000001";
const PACKAGE: &str = "55555555-0000-4000-8000-000000000001";
const POLICY: &str = "55555555-0000-4000-8000-0000000000a1";
const MAILBOX: &str = "megan.bowen@contoso.example";
const WAIT: Duration = Duration::from_secs(30);

async fn recipe() -> TestEnv {
    TestEnv::start_with(|options| {
        options.scenario = Scenario::recipe();
        for (name, value) in [
            ("JITADMIN_NOTIFY", "mail"),
            ("JITADMIN_NOTIFY_MAILBOX", MAILBOX),
            ("JITADMIN_SYNC_COALESCE_MINS", "0"),
        ] {
            options.extra_settings.push((name.into(), value.into()));
        }
    })
    .await
}

/// A request as My Access files it for the recipe's package, with its questions answered.
fn asked(user: &str, justification: &str) -> NewRequest {
    NewRequest::new(user, PACKAGE)
        .justification(justification)
        .answer_to("q-device", "Which device needs admin rights?", "FIN-LT-042")
        .answer_to("q-why", "What will you install?", "The CRM plug-in")
}

async fn until(test: &TestEnv, id: &str, what: &str, done: impl Fn(&RequestView) -> bool) -> RequestView {
    test.env
        .sim
        .wait_for_request(id, WAIT, done)
        .await
        .unwrap_or_else(|e| panic!("{what}: {e}"))
}

fn cards_for(test: &TestEnv, id: &str) -> usize {
    test.env
        .sim
        .bot()
        .activities()
        .iter()
        .filter(|a| crate::helpers::card_text(a).contains(id))
        .count()
}

fn created_detail(view: &RequestView) -> String {
    view.callout(Stage::AssignmentRequestCreated)
        .and_then(|c| c.detail.clone())
        .unwrap_or_default()
}

#[tokio::test]
async fn with_entitlement_managements_approval_jitadmin_pre_screens() {
    let test = recipe().await;
    let sim = &test.env.sim;

    // The recipe's default: 30 days, no ticket. Not denied: continued to the approver.
    let default = sim
        .create_assignment_request(asked(ALEX, "Quarter-end reporting tools"))
        .unwrap();
    let waiting = until(&test, &default, "waits for Megan", |r| r.state == "pendingApproval").await;
    assert!(
        created_detail(&waiting).starts_with("Pre-screened by jitadmin"),
        "{waiting:?}"
    );
    crate::helpers::settled(&test.env).await;
    assert_eq!(
        cards_for(&test, &default),
        0,
        "no Teams card: the approver is in My Access"
    );
    sim.decide_approval(&default, MEGAN, true, Some("fine")).unwrap();
    let granted = until(&test, &default, "granted", |r| {
        r.callout(Stage::AssignmentRequestGranted).is_some()
    })
    .await;
    crate::helpers::wait_until("the device syncs", || !sim.device_syncs().is_empty()).await;
    assert_eq!(sim.device_syncs()[0].device_id, ALEX_WINDOWS);

    // An extension: pre-screened, approved by Megan, no second sync, the new end told.
    let extension = sim
        .create_assignment_request(asked(ALEX, "One more day").of_type("userUpdate").for_duration("P31D"))
        .unwrap();
    until(&test, &extension, "the extension waits for Megan", |r| {
        r.state == "pendingApproval"
    })
    .await;
    sim.decide_approval(&extension, MEGAN, true, None).unwrap();
    until(&test, &extension, "extended", |r| {
        r.callout(Stage::AssignmentRequestGranted).is_some()
    })
    .await;
    crate::helpers::wait_until("the extension notice", || {
        sim.sent_mail().iter().any(|m| m.body.contains("extended until"))
    })
    .await;
    crate::helpers::settled(&test.env).await;
    assert_eq!(sim.device_syncs().len(), 1, "the extension syncs nothing");

    // The recurring access review removes Alex.
    let assignment = granted.assignment_id.expect("an assignment");
    sim.remove_assignment_as(&assignment, "approverRemove").unwrap();
    crate::helpers::wait_until("the removal notice", || {
        sim.sent_mail()
            .iter()
            .any(|m| m.body.contains("access reviewer removed"))
    })
    .await;
    crate::helpers::wait_until("the removal sync", || sim.device_syncs().len() == 2).await;

    // A guest is denied by the rules, before Megan sees anything.
    let guest = sim.create_assignment_request(asked(PAT_GUEST, "Need it")).unwrap();
    let denied = until(&test, &guest, "denied", |r| r.state == "denied").await;
    assert!(denied.approval.is_none(), "never reached the approver");
    assert!(created_detail(&denied).contains("deny-guests"), "{denied:?}");

    // IT staff with a ticket for 4 hours: the rules would approve, Megan still decides.
    let short = sim
        .create_assignment_request(asked(ADELE, "INC0042 printer driver").for_duration("PT4H"))
        .unwrap();
    let waiting = until(&test, &short, "waits for Megan", |r| r.state == "pendingApproval").await;
    assert!(created_detail(&waiting).contains("approve by rule approve-it-staff-with-ticket"));
    test.shutdown().await;
}

#[tokio::test]
async fn without_entitlement_managements_approval_jitadmin_decides() {
    let test = recipe().await;
    let sim = &test.env.sim;
    sim.set_policy_approval(POLICY, ApprovalSettings::default());

    let short = sim
        .create_assignment_request(asked(ADELE, "INC0042 printer driver").for_duration("PT4H"))
        .unwrap();
    let granted = until(&test, &short, "approved by the rules", |r| r.state == "delivered").await;
    assert!(granted.approval.is_none());

    // The 30-day default is not denied: it goes to a person, in Teams.
    let long = sim
        .create_assignment_request(asked(ALEX, "Quarter-end reporting tools"))
        .unwrap();
    crate::helpers::card_of(&test.env, &long).await;
    let waiting = sim.assignment_request(&long).unwrap();
    assert_eq!(waiting.status, "WaitingForCallback", "{waiting:?}");
    test.shutdown().await;
}
