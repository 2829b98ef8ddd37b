//! The Intune "Local user group membership" policy: it must add the admin group's SID to the
//! local Administrators group with Add (Update), and be assigned
//! (<https://learn.microsoft.com/mem/intune/protect/endpoint-security-account-protection-policy>).

use jitadmin_graph::local_groups::{rules, GroupAction, TEMPLATE_ID};
use jitadmin_graph::{GraphClient, GraphError};

use super::findings::{Finding, Severity};

/// Reads the policy named `name` and checks it against the admin group `group`.
pub async fn check(graph: &GraphClient, name: &str, group: &str) -> Result<Vec<Finding>, GraphError> {
    let Some(sid) = graph.group_security_identifier(group).await? else {
        return Ok(vec![Finding::new(
            Severity::Problem,
            "intune",
            format!("the admin group {group} has no security identifier: Intune cannot name it"),
        )
        .fix(
            "use a security group (not a Microsoft 365 group) as the package's resource",
        )]);
    };
    let policies = graph.list_configuration_policies().await?;
    let Some(policy) = policies.iter().find(|p| p.name.eq_ignore_ascii_case(name)) else {
        return Ok(vec![Finding::new(
            Severity::Problem,
            "intune",
            format!("no Intune policy named \"{name}\": granted users never become local administrators"),
        )
        .fix(
            "run `jitadmin provision`, or pass --intune-policy-name with your policy's name",
        )]);
    };
    let template = policy
        .template_reference
        .as_ref()
        .and_then(|t| t.template_id.as_deref());
    if template != Some(TEMPLATE_ID) {
        return Ok(vec![Finding::new(
            Severity::Problem,
            "intune",
            format!(
                "Intune policy \"{}\" is not a Local user group membership policy",
                policy.name
            ),
        )
        .fix(
            "name the Account protection > Local user group membership policy with --intune-policy-name",
        )]);
    }
    let settings = graph.configuration_policy_settings(&policy.id).await?;
    let mut out = Vec::new();
    let admins: Vec<_> = rules(&settings)
        .into_iter()
        .filter(|r| r.groups.iter().any(|g| g.eq_ignore_ascii_case("administrators")))
        .collect();
    match admins.iter().find(|r| r.members.iter().any(|m| m.eq_ignore_ascii_case(&sid))) {
        None => out.push(
            Finding::new(
                Severity::Problem,
                "intune",
                format!("\"{}\" does not put the admin group ({sid}) into the local Administrators group", policy.name),
            )
            .fix("add the group (Intune stores it by its SID) with Add (Update), or run `jitadmin provision`"),
        ),
        Some(rule) if rule.action == Some(GroupAction::AddReplace) => out.push(
            Finding::new(
                Severity::Problem,
                "intune",
                format!(
                    "\"{}\" uses Add (Replace): the admin group becomes the ONLY member of local Administrators, every other administrator is removed",
                    policy.name
                ),
            )
            .fix("change the action to Add (Update)"),
        ),
        Some(rule) if rule.action == Some(GroupAction::AddUpdate) => out.push(Finding::new(
            Severity::Ok,
            "intune",
            format!("\"{}\" adds the admin group to local Administrators with Add (Update)", policy.name),
        )),
        Some(_) => out.push(
            Finding::new(
                Severity::Problem,
                "intune",
                format!("\"{}\" does not add the admin group (the action is not Add (Update))", policy.name),
            )
            .fix("change the action to Add (Update)"),
        ),
    }
    let assignments = graph.configuration_policy_assignments(&policy.id).await?;
    out.push(match assignments.is_empty() {
        true => Finding::new(
            Severity::Problem,
            "intune",
            format!("\"{}\" is not assigned: no device applies it", policy.name),
        )
        .fix("assign it to the devices (or users) that should honour it"),
        false => Finding::new(
            Severity::Ok,
            "intune",
            format!("\"{}\" is assigned ({} assignment(s))", policy.name, assignments.len()),
        ),
    });
    Ok(out)
}
