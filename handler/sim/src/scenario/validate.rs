//! Scenario validation: ids present and unique, references resolvable.

use std::collections::HashSet;

use super::{Scenario, ScenarioError};

pub(super) fn validate(s: &Scenario, src: &str) -> Result<(), ScenarioError> {
    let bad = |field: String, msg: String| ScenarioError::invalid(src, field, msg);
    if uuid::Uuid::parse_str(&s.tenant_id).is_err() {
        return Err(bad("tenantId".into(), format!("'{}' is not a GUID", s.tenant_id)));
    }
    let mut objects = HashSet::new();
    let mut upns = HashSet::new();
    for (i, u) in s.users.iter().enumerate() {
        require(src, &format!("users[{i}].id"), &u.id)?;
        require(src, &format!("users[{i}].userPrincipalName"), &u.user_principal_name)?;
        if !objects.insert(u.id.to_ascii_lowercase()) {
            return Err(bad(format!("users[{i}].id"), format!("duplicate object id '{}'", u.id)));
        }
        if !upns.insert(u.user_principal_name.to_ascii_lowercase()) {
            return Err(bad(
                format!("users[{i}].userPrincipalName"),
                format!("duplicate userPrincipalName '{}'", u.user_principal_name),
            ));
        }
    }
    let users: HashSet<String> = s.users.iter().map(|u| u.id.to_ascii_lowercase()).collect();
    for (i, u) in s.users.iter().enumerate() {
        if let Some(m) = &u.manager_id {
            if !users.contains(&m.to_ascii_lowercase()) {
                return Err(bad(format!("users[{i}].managerId"), format!("no user has id '{m}'")));
            }
            if m.eq_ignore_ascii_case(&u.id) {
                return Err(bad(
                    format!("users[{i}].managerId"),
                    "a user cannot manage themself".into(),
                ));
            }
        }
    }
    for (i, a) in s.applications.iter().enumerate() {
        require(src, &format!("applications[{i}].clientId"), &a.client_id)?;
        require(
            src,
            &format!("applications[{i}].servicePrincipalId"),
            &a.service_principal_id,
        )?;
        if !objects.insert(a.service_principal_id.to_ascii_lowercase()) {
            return Err(bad(
                format!("applications[{i}].servicePrincipalId"),
                "duplicate object id".into(),
            ));
        }
        if let Some(v) = a.access_token_version {
            if v != 1 && v != 2 {
                return Err(bad(
                    format!("applications[{i}].accessTokenVersion"),
                    format!("{v} is not 1 or 2"),
                ));
            }
        }
    }
    let mut system_assigned = 0;
    for (i, m) in s.managed_identities.iter().enumerate() {
        require(src, &format!("managedIdentities[{i}].clientId"), &m.client_id)?;
        require(src, &format!("managedIdentities[{i}].objectId"), &m.object_id)?;
        if !objects.insert(m.object_id.to_ascii_lowercase()) {
            return Err(bad(
                format!("managedIdentities[{i}].objectId"),
                "duplicate object id".into(),
            ));
        }
        if m.kind == super::ManagedIdentityKind::SystemAssigned {
            system_assigned += 1;
            if system_assigned > 1 {
                return Err(bad(
                    format!("managedIdentities[{i}].kind"),
                    "only one systemAssigned identity".into(),
                ));
            }
        }
    }
    let mut client_ids = HashSet::new();
    let apps = s.applications.iter().map(|a| &a.client_id);
    let mis = s.managed_identities.iter().map(|m| &m.client_id);
    for id in apps.chain(mis) {
        if !client_ids.insert(id.to_ascii_lowercase()) {
            return Err(bad(
                "applications/managedIdentities".into(),
                format!("duplicate client id '{id}'"),
            ));
        }
    }
    let mut groups = HashSet::new();
    for (i, g) in s.groups.iter().enumerate() {
        require(src, &format!("groups[{i}].id"), &g.id)?;
        if !groups.insert(g.id.to_ascii_lowercase()) || objects.contains(&g.id.to_ascii_lowercase()) {
            return Err(bad(
                format!("groups[{i}].id"),
                format!("duplicate object id '{}'", g.id),
            ));
        }
        let mut seen = HashSet::new();
        for (j, m) in g.members.iter().enumerate() {
            let key = m.to_ascii_lowercase();
            if !objects.contains(&key) {
                return Err(bad(
                    format!("groups[{i}].members[{j}]"),
                    format!("no user or service principal '{m}'"),
                ));
            }
            if !seen.insert(key) {
                return Err(bad(
                    format!("groups[{i}].members[{j}]"),
                    format!("'{m}' is listed twice"),
                ));
            }
        }
    }
    let mut devices = HashSet::new();
    for (i, d) in s.managed_devices.iter().enumerate() {
        require(src, &format!("managedDevices[{i}].id"), &d.id)?;
        if !devices.insert(d.id.to_ascii_lowercase()) {
            return Err(bad(
                format!("managedDevices[{i}].id"),
                format!("duplicate device id '{}'", d.id),
            ));
        }
        for (name, id) in [("userId", &d.user_id), ("enrolledByUserId", &d.enrolled_by_user_id)] {
            if let Some(id) = id {
                if !users.contains(&id.to_ascii_lowercase()) {
                    return Err(bad(
                        format!("managedDevices[{i}].{name}"),
                        format!("no user has id '{id}'"),
                    ));
                }
            }
        }
    }
    let mut packages = HashSet::new();
    for (i, p) in s.access_packages.iter().enumerate() {
        require(src, &format!("accessPackages[{i}].id"), &p.id)?;
        if !packages.insert(p.id.to_ascii_lowercase()) {
            return Err(bad(
                format!("accessPackages[{i}].id"),
                format!("duplicate access package id '{}'", p.id),
            ));
        }
        for (j, pol) in p.policies.iter().enumerate() {
            require(src, &format!("accessPackages[{i}].policies[{j}].id"), &pol.id)?;
            for (k, approver) in pol.approvers.iter().enumerate() {
                if !s.users.iter().any(|u| u.id.eq_ignore_ascii_case(approver)) {
                    return Err(bad(
                        format!("accessPackages[{i}].policies[{j}].approvers[{k}]"),
                        format!("no user has id '{approver}'"),
                    ));
                }
            }
            if let Some(d) = &pol.duration {
                if crate::duration::parse_iso8601(d).is_none() {
                    return Err(bad(
                        format!("accessPackages[{i}].policies[{j}].duration"),
                        format!("'{d}' is not an ISO 8601 duration (e.g. P30D)"),
                    ));
                }
            }
        }
        if let Some(gid) = &p.resource_group_id {
            if !s.groups.iter().any(|g| g.id.eq_ignore_ascii_case(gid)) {
                return Err(bad(
                    format!("accessPackages[{i}].resourceGroupId"),
                    format!("no group has id '{gid}'"),
                ));
            }
        }
    }
    super::bot::validate(s, src)?;
    Ok(())
}

fn require(src: &str, field: &str, value: &str) -> Result<(), ScenarioError> {
    if value.trim().is_empty() {
        return Err(ScenarioError::invalid(src, field, "must not be empty"));
    }
    Ok(())
}
