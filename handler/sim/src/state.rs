//! The tenant's mutable data, shared by the HTTP handlers and the Rust API.

use chrono::{DateTime, Utc};
use serde::Serialize;

use crate::error::{Result, SimError};
use crate::scenario::{AccessPackage, Application, Group, ManagedDevice, ManagedIdentity, Scenario, User};

/// Whether a member was added to or removed from a group.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum MembershipChangeKind {
    /// The member was added.
    Added,
    /// The member was removed.
    Removed,
}

/// One entry of a group's membership change log (the basis for delta and notifications).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct MembershipChange {
    /// Position in the tenant-wide change sequence (strictly increasing, starting at 1).
    pub seq: u64,
    /// The group.
    pub group_id: String,
    /// The member's object id.
    pub member_id: String,
    /// Added or removed.
    pub kind: MembershipChangeKind,
    /// When it happened.
    pub at: DateTime<Utc>,
}

/// The simulated tenant's directory and Intune data. Lookups by id are case-insensitive.
#[derive(Debug, Clone, Default)]
pub struct TenantState {
    /// Tenant id.
    pub tenant_id: String,
    /// Users, in scenario order.
    pub users: Vec<User>,
    /// Groups, in scenario order (members in insertion order).
    pub groups: Vec<Group>,
    /// Intune managed devices.
    pub devices: Vec<ManagedDevice>,
    /// Access packages and their policies.
    pub access_packages: Vec<AccessPackage>,
    /// Registered applications.
    pub applications: Vec<Application>,
    /// Managed identities.
    pub managed_identities: Vec<ManagedIdentity>,
    /// Every membership change since start, in order.
    pub membership_log: Vec<MembershipChange>,
    next_seq: u64,
}

impl TenantState {
    /// The state a scenario describes.
    pub fn from_scenario(s: &Scenario) -> Self {
        Self {
            tenant_id: s.tenant_id.clone(),
            users: s.users.clone(),
            groups: s.groups.clone(),
            devices: s.managed_devices.clone(),
            access_packages: s.access_packages.clone(),
            applications: s.applications.clone(),
            managed_identities: s.managed_identities.clone(),
            ..Self::default()
        }
    }

    /// A user by object id or userPrincipalName.
    pub fn user(&self, id_or_upn: &str) -> Option<&User> {
        self.users
            .iter()
            .find(|u| u.id.eq_ignore_ascii_case(id_or_upn) || u.user_principal_name.eq_ignore_ascii_case(id_or_upn))
    }

    /// A group by object id.
    pub fn group(&self, id: &str) -> Option<&Group> {
        self.groups.iter().find(|g| g.id.eq_ignore_ascii_case(id))
    }

    /// A managed device by Intune id.
    pub fn device(&self, id: &str) -> Option<&ManagedDevice> {
        self.devices.iter().find(|d| d.id.eq_ignore_ascii_case(id))
    }

    /// An application by client id.
    pub fn application(&self, client_id: &str) -> Option<&Application> {
        self.applications
            .iter()
            .find(|a| a.client_id.eq_ignore_ascii_case(client_id))
    }

    /// A service principal (application or managed identity) by object id: `(client id, display name)`.
    pub fn service_principal(&self, object_id: &str) -> Option<(&str, &str)> {
        let app = self
            .applications
            .iter()
            .find(|a| a.service_principal_id.eq_ignore_ascii_case(object_id));
        if let Some(a) = app {
            return Some((&a.client_id, &a.display_name));
        }
        self.managed_identities
            .iter()
            .find(|m| m.object_id.eq_ignore_ascii_case(object_id))
            .map(|m| {
                (
                    m.client_id.as_str(),
                    m.display_name.as_deref().unwrap_or("managed identity"),
                )
            })
    }

    /// Whether a user, application or managed identity has this object id.
    pub fn object_exists(&self, id: &str) -> bool {
        self.user(id).is_some() || self.service_principal(id).is_some()
    }

    /// Adds a user (error if the id or UPN is taken).
    pub fn add_user(&mut self, user: User) -> Result<()> {
        if self.user(&user.id).is_some() || self.user(&user.user_principal_name).is_some() {
            return Err(SimError::Conflict {
                kind: "user",
                id: user.id,
            });
        }
        self.users.push(user);
        Ok(())
    }

    /// Adds a group (error if the id is taken).
    pub fn add_group(&mut self, group: Group) -> Result<()> {
        if self.group(&group.id).is_some() {
            return Err(SimError::Conflict {
                kind: "group",
                id: group.id,
            });
        }
        self.groups.push(group);
        Ok(())
    }

    /// Adds or replaces a managed device.
    pub fn upsert_device(&mut self, device: ManagedDevice) {
        match self.devices.iter_mut().find(|d| d.id.eq_ignore_ascii_case(&device.id)) {
            Some(d) => *d = device,
            None => self.devices.push(device),
        }
    }

    /// Adds a member to a group and logs the change. `Ok(false)` if it was already a member.
    pub fn add_member(&mut self, group_id: &str, member_id: &str) -> Result<bool> {
        if !self.object_exists(member_id) {
            return Err(SimError::NotFound {
                kind: "directory object",
                id: member_id.to_owned(),
            });
        }
        let group = self.group_mut(group_id)?;
        if group.members.iter().any(|m| m.eq_ignore_ascii_case(member_id)) {
            return Ok(false);
        }
        group.members.push(member_id.to_owned());
        let gid = group.id.clone();
        self.log(gid, member_id, MembershipChangeKind::Added);
        Ok(true)
    }

    /// Removes a member from a group and logs the change. `Ok(false)` if it was not a member.
    pub fn remove_member(&mut self, group_id: &str, member_id: &str) -> Result<bool> {
        let group = self.group_mut(group_id)?;
        let Some(pos) = group.members.iter().position(|m| m.eq_ignore_ascii_case(member_id)) else {
            return Ok(false);
        };
        let removed = group.members.remove(pos);
        let gid = group.id.clone();
        self.log(gid, &removed, MembershipChangeKind::Removed);
        Ok(true)
    }

    /// The change log of one group, oldest first.
    pub fn membership_changes(&self, group_id: &str) -> Vec<MembershipChange> {
        self.membership_log
            .iter()
            .filter(|c| c.group_id.eq_ignore_ascii_case(group_id))
            .cloned()
            .collect()
    }

    fn group_mut(&mut self, id: &str) -> Result<&mut Group> {
        self.groups
            .iter_mut()
            .find(|g| g.id.eq_ignore_ascii_case(id))
            .ok_or_else(|| SimError::NotFound {
                kind: "group",
                id: id.to_owned(),
            })
    }

    fn log(&mut self, group_id: String, member_id: &str, kind: MembershipChangeKind) {
        self.next_seq += 1;
        let change = MembershipChange {
            seq: self.next_seq,
            group_id,
            member_id: member_id.to_owned(),
            kind,
            at: Utc::now(),
        };
        tracing::debug!(group = %change.group_id, member = %change.member_id, kind = ?kind, "membership changed");
        self.membership_log.push(change);
    }
}
