//! Step 2: the policy's custom extension stage settings. created → "jitadmin request" (launch and
//! wait); granted and removed → "jitadmin notify" (launch and continue); optionally a pre-expiration
//! stage → "jitadmin pre-expiration". Stages jitadmin does not manage keep their extensions. The
//! policy is replaced with `PUT`, so every other property goes back as read.

use jitadmin_graph::custom_extensions::{ASSIGNMENT_WORKFLOW_EXTENSION, REQUEST_WORKFLOW_EXTENSION};

use super::extensions::ExtensionIds;
use super::{
    Action, Change, ProvisionError, Step, StepReport, NOTIFY_EXTENSION, PRE_EXPIRATION_EXTENSION, REQUEST_EXTENSION,
};

const PRE_EXPIRATION_STAGES: [&str; 2] = [
    "assignmentFourteenDaysBeforeExpiration",
    "assignmentOneDayBeforeExpiration",
];

/// `(stage, extension name, extension id)` jitadmin wants.
fn wanted<'a>(step: &'a Step<'_>, ids: &'a ExtensionIds) -> Vec<(&'a str, &'static str, Option<&'a str>)> {
    let mut out = vec![
        ("assignmentRequestCreated", REQUEST_EXTENSION, ids.request.as_deref()),
        ("assignmentRequestGranted", NOTIFY_EXTENSION, ids.notify.as_deref()),
        ("assignmentRequestRemoved", NOTIFY_EXTENSION, ids.notify.as_deref()),
    ];
    if let Some(stage) = step.settings.pre_expiration_stage.as_deref() {
        out.push((stage, PRE_EXPIRATION_EXTENSION, ids.pre_expiration.as_deref()));
    }
    out
}

fn kind_of(stage: &str) -> &'static str {
    if PRE_EXPIRATION_STAGES.iter().any(|s| s.eq_ignore_ascii_case(stage)) {
        ASSIGNMENT_WORKFLOW_EXTENSION
    } else {
        REQUEST_WORKFLOW_EXTENSION
    }
}

pub(crate) async fn run(step: &Step<'_>, ids: &ExtensionIds) -> Result<StepReport, ProvisionError> {
    let s = step.settings;
    if let Some(stage) = s.pre_expiration_stage.as_deref() {
        if !PRE_EXPIRATION_STAGES.contains(&stage) {
            return Err(step.invalid(format!(
                "{stage:?} is not a pre-expiration stage ({})",
                PRE_EXPIRATION_STAGES.join(" or ")
            )));
        }
    }
    let graph = step.app.graph();
    let mut policy = graph
        .get_assignment_policy(&s.policy_id)
        .await
        .map_err(step.graph(format!("reading policy {}", s.policy_id)))?;
    if let Some(package) = policy.access_package_id.as_deref() {
        if !package.eq_ignore_ascii_case(&s.access_package_id) {
            return Err(step.invalid(format!(
                "policy {} belongs to access package {package}, not {}",
                s.policy_id, s.access_package_id
            )));
        }
    }
    // A policy read without its access package still goes back with it (a PUT replaces).
    policy
        .access_package_id
        .get_or_insert_with(|| s.access_package_id.clone());
    let current = |stage: &str| {
        policy
            .stage_settings
            .iter()
            .find(|x| x.stage.eq_ignore_ascii_case(stage))
            .and_then(|x| x.extension_id())
    };
    let mut actions = Vec::new();
    for (stage, name, id) in wanted(step, ids) {
        let have = current(stage);
        let change = match (have, id) {
            (Some(h), Some(w)) if h.eq_ignore_ascii_case(w) => Change::Unchanged,
            (None, _) => Change::Create,
            _ => Change::Update,
        };
        let note = if id.is_none() { " (created in step 1)" } else { "" };
        actions.push(Action::new(change, format!("{stage} → \"{name}\"{note}")));
    }
    let changed = actions.iter().any(|a| a.change != Change::Unchanged);
    if changed && step.apply() {
        let managed: Vec<(&str, &str)> = wanted(step, ids)
            .into_iter()
            .filter_map(|(stage, _, id)| id.map(|id| (stage, id)))
            .collect();
        let mut list: Vec<(String, String, String)> = policy
            .stage_settings
            .iter()
            .filter(|x| !managed.iter().any(|(stage, _)| x.stage.eq_ignore_ascii_case(stage)))
            .filter_map(|x| {
                let kind = x
                    .custom_extension
                    .as_ref()
                    .and_then(|e| e.odata_type.clone())
                    .unwrap_or_else(|| kind_of(&x.stage).to_string());
                x.extension_id().map(|id| (x.stage.clone(), kind, id.to_string()))
            })
            .collect();
        list.extend(
            managed
                .iter()
                .map(|(stage, id)| (stage.to_string(), kind_of(stage).to_string(), id.to_string())),
        );
        graph
            .put_assignment_policy(&s.policy_id, policy.with_stage_settings(&list))
            .await
            .map_err(step.graph(format!("updating the stage settings of policy {}", s.policy_id)))?;
        tracing::info!(policy = %s.policy_id, settings = list.len(), "policy stage settings updated");
    }
    Ok(step.report(actions))
}
