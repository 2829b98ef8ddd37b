//! `jitadmin dev --demo`: a scripted story played through the front door, told as a
//! timeline. It grows as features land.

use std::time::Duration;

use anyhow::Context;
use azfn_local::app::Trigger;
use azfn_local::InvocationRecord;
use serde_json::json;
use tenant_sim::{NewRequest, RequestView, Stage};
use tokio::sync::broadcast::error::RecvError;

use super::timeline::Timeline;
use super::DevEnvironment;

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

/// A user requests the access package in My Access: entitlement management calls
/// `/api/callout`, the event is queued, `process` resumes the request, the grant is
/// reported by the granted-stage callout, and later the assignment is removed.
async fn request_granted_and_removed(
    env: &DevEnvironment,
    timeline: &mut Timeline,
    invocations: &mut tokio::sync::broadcast::Receiver<InvocationRecord>,
    report: &mut StoryReport,
) -> anyhow::Result<()> {
    let (user, package) = env.sim.with_state(|s| {
        let user = s
            .users
            .iter()
            .find(|u| u.account_enabled && u.user_type == tenant_sim::UserType::Member)
            .cloned();
        let package = s
            .access_packages
            .first()
            .map(|p| (p.id.clone(), p.display_name.clone()));
        (user, package)
    });
    let (Some(user), Some((package_id, package_name))) = (user, package) else {
        timeline.add(
            "tenant-sim",
            "the scenario has no enabled member or no access package; skipping the request",
        );
        return Ok(());
    };
    let request_id = env
        .sim
        .create_assignment_request(
            NewRequest::new(&user.id, &package_id).justification("INC0012345: install the printer driver"),
        )
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    timeline.add(
        "entra (sim)",
        format!(
            "{} requests '{package_name}' in My Access (request {request_id})",
            user.user_principal_name
        ),
    );
    let request = env
        .sim
        .wait_for_request(&request_id, Duration::from_secs(30), |r| {
            r.callout(Stage::AssignmentRequestGranted).is_some()
        })
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    describe_callout(timeline, &request, Stage::AssignmentRequestCreated);
    collect(invocations, timeline, report, Duration::from_millis(300)).await;
    for resume in &request.resumes {
        let detail = resume
            .body
            .pointer("/data/customExtensionStageInstanceDetail")
            .and_then(|v| v.as_str());
        timeline.add(
            "entra (sim)",
            format!(
                "resume received -> {} ({})",
                resume.status,
                detail.unwrap_or("no detail")
            ),
        );
    }
    timeline.add(
        "entra (sim)",
        format!("request {request_id} is {} / {}", request.state, request.status),
    );
    collect(invocations, timeline, report, Duration::from_millis(300)).await;
    let request = env.sim.assignment_request(&request_id).unwrap_or(request);
    describe_callout(timeline, &request, Stage::AssignmentRequestGranted);

    if let Some(assignment) = request.assignment_id.as_deref() {
        env.sim
            .remove_assignment(assignment)
            .map_err(|e| anyhow::anyhow!("{e}"))?;
        timeline.add(
            "entra (sim)",
            format!("assignment {assignment} removed (the 8-hour schedule ended)"),
        );
        collect(invocations, timeline, report, Duration::from_millis(500)).await;
    }
    Ok(())
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
    let (users, groups, devices) = env.sim.with_state(|s| (s.users.len(), s.groups.len(), s.devices.len()));
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
