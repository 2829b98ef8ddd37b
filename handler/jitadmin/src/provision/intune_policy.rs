//! Step 4: the Intune "Local user group membership" policy (settings catalog, beta): one rule putting
//! the admin group's SID into the local Administrators group with Add (Update) (or, forced, Add
//! (Replace)), assigned to the device group. The policy is found by name; assignments other than
//! the device group's are kept.

use jitadmin_graph::config_policies::{local_admins_policy, PolicyAssignment};
use jitadmin_graph::local_groups::{rules, GroupAction, LocalGroupRule, TEMPLATE_ID};

use super::{Action, Change, ProvisionError, Step, StepReport};

/// Whether the policy's rules are exactly the one jitadmin wants.
fn matches(have: &[LocalGroupRule], sid: &str, action: GroupAction) -> bool {
    match have {
        [one] => {
            one.groups.len() == 1
                && one.groups[0].eq_ignore_ascii_case("administrators")
                && one.action == Some(action)
                && one.members.len() == 1
                && one.members[0].eq_ignore_ascii_case(sid)
        }
        _ => false,
    }
}

pub(crate) async fn run(step: &Step<'_>) -> Result<StepReport, ProvisionError> {
    let s = step.settings;
    let graph = step.app.graph();
    let sid = graph
        .group_security_identifier(&s.admin_group)
        .await
        .map_err(step.graph(format!("reading the SID of admin group {}", s.admin_group)))?
        .ok_or_else(|| step.invalid(format!("admin group {} has no securityIdentifier", s.admin_group)))?;
    let body = local_admins_policy(
        &s.intune_policy_name,
        "Managed by jitadmin: members of the just-in-time admin group are local administrators",
        std::slice::from_ref(&sid),
        s.membership,
    );
    let rule = format!(
        "\"{}\": {} {sid} (admin group {}) to local Administrators",
        s.intune_policy_name,
        s.membership.label(),
        s.admin_group
    );
    let policies = graph
        .list_configuration_policies()
        .await
        .map_err(step.graph("listing Intune configuration policies"))?;
    let found = policies
        .iter()
        .find(|p| p.name.eq_ignore_ascii_case(&s.intune_policy_name));
    let mut actions = Vec::new();
    let policy_id = match found {
        None => {
            actions.push(Action::new(Change::Create, rule));
            if step.apply() {
                let created = graph
                    .create_configuration_policy(body)
                    .await
                    .map_err(step.graph(format!("creating Intune policy \"{}\"", s.intune_policy_name)))?;
                tracing::info!(policy = %created.id, "Intune policy created");
                Some(created.id)
            } else {
                None
            }
        }
        Some(policy) => {
            let settings = graph
                .configuration_policy_settings(&policy.id)
                .await
                .map_err(step.graph(format!("reading the settings of Intune policy {}", policy.id)))?;
            let template = policy
                .template_reference
                .as_ref()
                .and_then(|t| t.template_id.as_deref());
            if template != Some(TEMPLATE_ID) {
                return Err(step.invalid(format!(
                    "Intune policy \"{}\" ({}) is not a Local user group membership policy; choose another --intune-policy-name",
                    policy.name, policy.id
                )));
            }
            if matches(&rules(&settings), &sid, s.membership) {
                actions.push(Action::new(Change::Unchanged, rule));
            } else {
                actions.push(Action::new(Change::Update, rule));
                if step.apply() {
                    graph
                        .replace_configuration_policy(&policy.id, body)
                        .await
                        .map_err(step.graph(format!("updating Intune policy {}", policy.id)))?;
                    tracing::info!(policy = %policy.id, "Intune policy updated");
                }
            }
            Some(policy.id.clone())
        }
    };
    let assignment = format!("assignment to device group {}", s.device_group);
    let existing = match &policy_id {
        Some(id) if found.is_some() || step.apply() => graph
            .configuration_policy_assignments(id)
            .await
            .map_err(step.graph(format!("reading the assignments of Intune policy {id}")))?,
        _ => Vec::new(),
    };
    if existing.iter().any(|a| a.targets_group(&s.device_group)) {
        actions.push(Action::new(Change::Unchanged, assignment));
    } else {
        actions.push(Action::new(Change::Create, assignment));
        if let (Some(id), true) = (&policy_id, step.apply()) {
            let mut all: Vec<PolicyAssignment> = existing
                .into_iter()
                .map(|a| PolicyAssignment { id: None, ..a })
                .collect();
            all.push(PolicyAssignment::to_group(&s.device_group));
            graph
                .assign_configuration_policy(id, &all)
                .await
                .map_err(step.graph(format!("assigning Intune policy {id}")))?;
            tracing::info!(policy = %id, group = %s.device_group, "Intune policy assigned");
        }
    }
    Ok(step.report(actions))
}
