//! `jitadmin dev --demo`: a scripted story played through the front door, told as a
//! timeline: the connection test, then one request of each outcome of the example rules
//! (approve, deny, route) with its explanation. It grows as features land.

use std::time::Duration;

use anyhow::Context;
use azfn_local::app::Trigger;
use azfn_local::InvocationRecord;
use jitadmin_store::Store;
use serde_json::json;
use tenant_sim::{NewRequest, RequestView, Stage};
use tokio::sync::broadcast::error::RecvError;

use super::timeline::Timeline;
use super::DevEnvironment;
use crate::audit::{self, detail::CalloutDetail};

/// What the story saw, for callers that check it (the end-to-end tests).
#[derive(Debug, Default)]
pub struct StoryReport {
    /// Every invocation the host made, in order.
    pub invocations: Vec<InvocationRecord>,
}

/// Play the story and print the timeline.
pub async fn play(env: &DevEnvironment, timeline: &mut Timeline) -> anyhow::Result<StoryReport> {
    let mut invocations = env.host.invocations();
    introduce(env, timeline).await;

    let client = reqwest::Client::new();
    // Entitlement management's connection test, the first call an admin's new custom
    // extension makes, through the front door with the forwarder's bearer token.
    let token = forwarder_token(env)?;
    let response = client
        .post(format!("{}/callout", env.api_url()))
        .header("x-functions-key", &env.function_key)
        .bearer_auth(token)
        .json(
            &json!({"Stage": "CustomExtensionConnectionTest", "Type": "microsoft.graph.customExtensionConnectionTest"}),
        )
        .send()
        .await
        .context("calling /api/callout")?;
    let status = response.status();
    let body = response.text().await.unwrap_or_default();
    timeline.add(
        "entra (sim)",
        format!(
            "POST /api/callout (connection test) -> {} {}",
            status.as_u16(),
            summarise(&body)
        ),
    );

    let mut report = StoryReport::default();
    collect(&mut invocations, timeline, &mut report, Duration::from_millis(300)).await;

    request_granted_and_removed(env, timeline, &mut invocations, &mut report).await?;
    super::story_devices::drift_caught(env, timeline).await?;
    collect(&mut invocations, timeline, &mut report, Duration::from_millis(300)).await;
    for queue in env.host.queues().queues().unwrap_or_default() {
        timeline.add(
            "local host",
            format!(
                "queue {}: {} active, {} dead-lettered",
                queue.name, queue.active, queue.dead_lettered
            ),
        );
    }
    Ok(report)
}

/// Three people request the access package in My Access, and the example rules decide
/// each: an IT administrator with a ticket number is approved (entitlement management
/// calls `/api/callout`, `process` decides and resumes, the grant is reported, later the
/// assignment is removed); a guest is denied with the rule's reason; someone from
/// Finance is routed to the approvers: the card appears in Teams and an approver's click
/// approves it.
async fn request_granted_and_removed(
    env: &DevEnvironment,
    timeline: &mut Timeline,
    invocations: &mut tokio::sync::broadcast::Receiver<InvocationRecord>,
    report: &mut StoryReport,
) -> anyhow::Result<()> {
    let package = env.sim.with_state(|s| {
        s.access_packages
            .first()
            .map(|p| (p.id.clone(), p.display_name.clone()))
    });
    let Some((package_id, package_name)) = package else {
        timeline.add(
            "tenant-sim",
            "the scenario has no access package; skipping the requests",
        );
        return Ok(());
    };
    timeline.add(
        "jitadmin",
        format!(
            "decides created requests by {} (the repository's example rules)",
            super::settings::RULES_FILE
        ),
    );
    let people = env.sim.with_state(|s| {
        let has_compliant_windows = |user: &str| {
            s.devices().iter().any(|d| {
                d.user_id.as_deref() == Some(user)
                    && d.operating_system.eq_ignore_ascii_case("windows")
                    && d.compliance_state == tenant_sim::ComplianceState::Compliant
            })
        };
        let member = |u: &&tenant_sim::User| u.account_enabled && u.user_type == tenant_sim::UserType::Member;
        let it = s
            .users()
            .iter()
            .filter(member)
            .find(|u| u.department.as_deref() == Some("IT") && has_compliant_windows(&u.id))
            .cloned();
        let guest = s
            .users()
            .iter()
            .find(|u| u.user_type == tenant_sim::UserType::Guest)
            .cloned();
        let other = s
            .users()
            .iter()
            .filter(member)
            .find(|u| u.department.as_deref() != Some("IT") && has_compliant_windows(&u.id))
            .cloned();
        (it, guest, other)
    });
    let (it, guest, other) = people;

    // 1. Approved: the whole way, from the request to the grant and its removal.
    if let Some(user) = it {
        super::story_devices::adds_the_app(env, timeline, &user).await;
        let request_id = ask(
            env,
            timeline,
            &user,
            &package_id,
            &package_name,
            "INC0012345: install the printer driver",
        )?;
        let request = env
            .sim
            .wait_for_request(&request_id, Duration::from_secs(30), |r| {
                r.callout(Stage::AssignmentRequestGranted).is_some()
            })
            .await
            .map_err(|e| anyhow::anyhow!("{e}"))?;
        describe_callout(timeline, &request, Stage::AssignmentRequestCreated);
        collect(invocations, timeline, report, Duration::from_millis(300)).await;
        explain(env, timeline, &request_id).await;
        describe_resumes(timeline, &request);
        collect(invocations, timeline, report, Duration::from_millis(300)).await;
        let request = env.sim.assignment_request(&request_id).unwrap_or(request);
        describe_callout(timeline, &request, Stage::AssignmentRequestGranted);
        super::story_devices::synced_devices(env, timeline, &user.id, "grant").await;
        if let Some(assignment) = request.assignment_id.as_deref() {
            env.sim
                .remove_assignment(assignment)
                .map_err(|e| anyhow::anyhow!("{e}"))?;
            timeline.add(
                "entra (sim)",
                format!("assignment {assignment} removed (the 8-hour schedule ended)"),
            );
            collect(invocations, timeline, report, Duration::from_millis(500)).await;
            super::story_devices::synced_devices(env, timeline, &user.id, "removal").await;
        }
    }

    // 2. Denied: resumed with state denied and the rule's reason.
    if let Some(user) = guest {
        let request_id = ask(
            env,
            timeline,
            &user,
            &package_id,
            &package_name,
            "Need to install a VPN client",
        )?;
        let request = env
            .sim
            .wait_for_request(&request_id, Duration::from_secs(30), |r| !r.resumes.is_empty())
            .await
            .map_err(|e| anyhow::anyhow!("{e}"))?;
        collect(invocations, timeline, report, Duration::from_millis(300)).await;
        explain(env, timeline, &request_id).await;
        let request = env.sim.assignment_request(&request_id).unwrap_or(request);
        describe_resumes(timeline, &request);
    }

    // 3. Routed: an open approval for the Teams card, the request left waiting.
    if let Some(user) = other {
        let request_id = ask(
            env,
            timeline,
            &user,
            &package_id,
            &package_name,
            "Install the Power BI Desktop update",
        )?;
        collect(invocations, timeline, report, Duration::from_millis(500)).await;
        explain(env, timeline, &request_id).await;
        if let Some(request) = env.sim.assignment_request(&request_id) {
            describe_resumes(timeline, &request);
        }
        // 4. An approver decides in Teams: the card, the click, the resume, everyone's card.
        super::story_teams::approve_in_teams(env, timeline, &request_id, &user.id).await;
        collect(invocations, timeline, report, Duration::from_millis(500)).await;
    }
    Ok(())
}

/// A user asks for the package in My Access.
fn ask(
    env: &DevEnvironment,
    timeline: &mut Timeline,
    user: &tenant_sim::User,
    package_id: &str,
    package_name: &str,
    justification: &str,
) -> anyhow::Result<String> {
    let request_id = env
        .sim
        .create_assignment_request(NewRequest::new(&user.id, package_id).justification(justification))
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    timeline.add(
        "entra (sim)",
        format!(
            "{} requests '{package_name}' for 8 hours: \"{justification}\" (request {request_id})",
            user.user_principal_name
        ),
    );
    Ok(request_id)
}

fn describe_resumes(timeline: &mut Timeline, request: &RequestView) {
    for resume in &request.resumes {
        let detail = resume
            .body
            .pointer("/data/customExtensionStageInstanceDetail")
            .and_then(|v| v.as_str());
        let state = resume.body.pointer("/data/state").and_then(|v| v.as_str());
        timeline.add(
            "entra (sim)",
            format!(
                "resume received{} -> {} ({})",
                state.map(|s| format!(" with state {s}")).unwrap_or_default(),
                resume.status,
                detail.unwrap_or("no detail")
            ),
        );
    }
    if request.resumes.is_empty() {
        timeline.add(
            "entra (sim)",
            format!("request {} is waiting for an approver", request.id),
        );
    } else {
        timeline.add(
            "entra (sim)",
            format!("request {} is {} / {}", request.id, request.state, request.status),
        );
    }
}

/// The decision `process` made on the request, with its explanation, from the audit trail
/// (waits up to 30 s for it).
async fn explain(env: &DevEnvironment, timeline: &mut Timeline, request_id: &str) {
    let store = match Store::open_setting(&env.store_setting, None).await {
        Ok(store) => store,
        Err(e) => {
            timeline.add("jitadmin", format!("cannot read the audit trail: {e}"));
            return;
        }
    };
    let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
    loop {
        let records = store.audit_by_request(request_id).await.unwrap_or_default();
        let decided = records.iter().find_map(|r| {
            let recorded: CalloutDetail = audit::detail::read(&r.event.detail);
            Some((r.event.action.clone(), recorded.full_decision()?))
        });
        if let Some((action, decision)) = decided {
            timeline.add("jitadmin", format!("decided ({action}): {}", decision.short()));
            for line in decision.to_text().lines().skip(1) {
                timeline.add("jitadmin", format!("  {line}"));
            }
            if decision.outcome == jitadmin_decide::Outcome::Route {
                let open = store.approvals_open().await.unwrap_or_default();
                if open.iter().any(|a| a.value.request_id == request_id) {
                    timeline.add(
                        "jitadmin",
                        "  approval recorded as open; the request waits for an approver in Teams",
                    );
                }
            }
            return;
        }
        if tokio::time::Instant::now() >= deadline {
            timeline.add("jitadmin", format!("no decision recorded for request {request_id}"));
            return;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

fn describe_callout(timeline: &mut Timeline, request: &RequestView, stage: Stage) {
    let Some(callout) = request.callout(stage) else { return };
    for attempt in &callout.attempts {
        let answer = match (attempt.status, &attempt.error) {
            (Some(status), _) => status.to_string(),
            (None, Some(error)) => summarise(error),
            (None, None) => "no answer".into(),
        };
        timeline.add(
            "entra (sim)",
            format!(
                "callout {} -> {answer} in {} ms",
                stage.as_str(),
                attempt.elapsed.as_millis()
            ),
        );
    }
}

async fn introduce(env: &DevEnvironment, timeline: &mut Timeline) {
    let (users, groups, devices) = env
        .sim
        .with_state(|s| (s.users().len(), s.groups.len(), s.devices().len()));
    timeline.add(
        "tenant-sim",
        format!(
            "tenant {} with {users} users, {groups} groups, {devices} Intune devices at {}",
            env.sim.tenant_id(),
            env.sim.base_url()
        ),
    );
    for function in &env.host.app().functions {
        let what = match &function.trigger {
            Trigger::Http { route, auth_level, .. } => {
                format!("HTTP {}/{route} (authLevel {auth_level:?})", env.api_url())
            }
            Trigger::ServiceBus {
                queue_name, sessions, ..
            } => {
                format!(
                    "Service Bus queue '{queue_name}'{}",
                    if *sessions { " with sessions" } else { "" }
                )
            }
            Trigger::Timer { schedule, .. } => format!("timer '{schedule}'"),
        };
        timeline.add("local host", format!("function {:<13} {what}", function.name));
    }
    if let Some(url) = env.host.handler_url().await {
        timeline.add(
            "local host",
            format!("started `jitadmin serve`; it answers GET / at {url}"),
        );
    }
}

fn forwarder_token(env: &DevEnvironment) -> anyhow::Result<String> {
    let identity = env
        .sim
        .with_state(|s| s.managed_identities.first().map(|m| m.client_id.clone()));
    let identity = identity.context("the demo tenant has no managed identity for the forwarder")?;
    env.sim
        .app_token(&identity, super::settings::CALLOUT_AUDIENCE)
        .context("minting the forwarder's token")
}

async fn collect(
    events: &mut tokio::sync::broadcast::Receiver<InvocationRecord>,
    timeline: &mut Timeline,
    report: &mut StoryReport,
    quiet: Duration,
) {
    loop {
        match tokio::time::timeout(quiet, events.recv()).await {
            Ok(Ok(record)) => {
                let outcome = match &record.error {
                    None => format!("ok, {} message(s) queued", record.messages_sent.len()),
                    Some(error) => format!("failed: {}", summarise(error)),
                };
                timeline.add("local host", format!("invoked {} ({})", record.function, outcome));
                report.invocations.push(record);
            }
            Ok(Err(RecvError::Lagged(n))) => timeline.add("local host", format!("({n} invocations not shown)")),
            Ok(Err(RecvError::Closed)) | Err(_) => return,
        }
    }
}

fn summarise(text: &str) -> String {
    let one_line: String = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if one_line.chars().count() > 140 {
        format!("{}…", one_line.chars().take(140).collect::<String>())
    } else {
        one_line
    }
}
