//! The tenant's mutable data, shared by the HTTP handlers and the Rust API.

use std::collections::HashMap;

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

/// The simulated tenant's directory and Intune data. Lookups by id are case-insensitive, and
/// users and devices are indexed (a burst of thousands of users must not scan the tenant per
/// call): they change only through [`TenantState::add_user`] and [`TenantState::upsert_device`].
#[derive(Debug, Clone, Default)]
pub struct TenantState {
    /// Tenant id.
    pub tenant_id: String,
    users: Vec<User>,
    /// Groups, in scenario order (members in insertion order).
    pub groups: Vec<Group>,
    devices: Vec<ManagedDevice>,
    /// Access packages and their policies.
    pub access_packages: Vec<AccessPackage>,
    /// Registered applications.
    pub applications: Vec<Application>,
    /// Managed identities.
    pub managed_identities: Vec<ManagedIdentity>,
    /// Every membership change since start, in order.
    pub membership_log: Vec<MembershipChange>,
    next_seq: u64,
    index: Index,
}

/// Positions in `users` and `devices` by lower-case key.
#[derive(Debug, Clone, Default)]
struct Index {
    user_by_id: HashMap<String, usize>,
    user_by_upn: HashMap<String, usize>,
    device_by_id: HashMap<String, usize>,
    devices_by_user: HashMap<String, Vec<usize>>,
}

impl Index {
    fn add_user(&mut self, at: usize, user: &User) {
        self.user_by_id.insert(user.id.to_ascii_lowercase(), at);
        self.user_by_upn
            .insert(user.user_principal_name.to_ascii_lowercase(), at);
    }

    fn add_device(&mut self, at: usize, device: &ManagedDevice) {
        self.device_by_id.insert(device.id.to_ascii_lowercase(), at);
        if let Some(user) = &device.user_id {
            self.devices_by_user
                .entry(user.to_ascii_lowercase())
                .or_default()
                .push(at);
        }
    }

    fn remove_device_owner(&mut self, at: usize, device: &ManagedDevice) {
        if let Some(user) = &device.user_id {
            if let Some(list) = self.devices_by_user.get_mut(&user.to_ascii_lowercase()) {
                list.retain(|&i| i != at);
            }
        }
    }
}

impl TenantState {
    /// The state a scenario describes.
    pub fn from_scenario(s: &Scenario) -> Self {
        let mut state = Self {
            tenant_id: s.tenant_id.clone(),
            groups: s.groups.clone(),
            access_packages: s.access_packages.clone(),
            applications: s.applications.clone(),
            managed_identities: s.managed_identities.clone(),
            ..Self::default()
        };
        for (at, user) in s.users.iter().enumerate() {
            state.index.add_user(at, user);
        }
        state.users = s.users.clone();
        for (at, device) in s.managed_devices.iter().enumerate() {
            state.index.add_device(at, device);
        }
        state.devices = s.managed_devices.clone();
        state
    }

    /// Users, in scenario order then as added.
    pub fn users(&self) -> &[User] {
        &self.users
    }

    /// Intune managed devices, in scenario order then as added.
    pub fn devices(&self) -> &[ManagedDevice] {
        &self.devices
    }

    /// A user by object id or userPrincipalName.
    pub fn user(&self, id_or_upn: &str) -> Option<&User> {
        let key = id_or_upn.to_ascii_lowercase();
        let at = self
            .index
            .user_by_id
            .get(&key)
            .or_else(|| self.index.user_by_upn.get(&key))?;
        self.users.get(*at)
    }

    /// The managed devices whose primary user is `user_id`, in order.
    pub fn user_devices(&self, user_id: &str) -> impl Iterator<Item = &ManagedDevice> {
        self.index
            .devices_by_user
            .get(&user_id.to_ascii_lowercase())
            .into_iter()
            .flatten()
            .filter_map(|&at| self.devices.get(at))
    }

    /// A group by object id.
    pub fn group(&self, id: &str) -> Option<&Group> {
        self.groups.iter().find(|g| g.id.eq_ignore_ascii_case(id))
    }

    /// A managed device by Intune id.
    pub fn device(&self, id: &str) -> Option<&ManagedDevice> {
        let at = self.index.device_by_id.get(&id.to_ascii_lowercase())?;
        self.devices.get(*at)
    }

    /// A managed device by Intune id, to change (not its id or primary user: use
    /// [`TenantState::upsert_device`] for those).
    pub(crate) fn device_mut(&mut self, id: &str) -> Option<&mut ManagedDevice> {
        let at = self.index.device_by_id.get(&id.to_ascii_lowercase())?;
        self.devices.get_mut(*at)
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
        self.user(id).is_some() || self.service_principal(id).is_some() || self.group(id).is_some()
    }

    /// Adds a user (error if the id or UPN is taken).
    pub fn add_user(&mut self, user: User) -> Result<()> {
        if self.user(&user.id).is_some() || self.user(&user.user_principal_name).is_some() {
            return Err(SimError::Conflict {
                kind: "user",
                id: user.id,
            });
        }
        self.index.add_user(self.users.len(), &user);
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
        match self.index.device_by_id.get(&device.id.to_ascii_lowercase()).copied() {
            Some(at) => {
                let old = std::mem::replace(&mut self.devices[at], device);
                self.index.remove_device_owner(at, &old);
                let new = &self.devices[at];
                if let Some(user) = &new.user_id {
                    self.index
                        .devices_by_user
                        .entry(user.to_ascii_lowercase())
                        .or_default()
                        .push(at);
                }
            }
            None => {
                self.index.add_device(self.devices.len(), &device);
                self.devices.push(device);
            }
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
        if member_id.eq_ignore_ascii_case(group_id) {
            return Err(SimError::Conflict {
                kind: "group as its own member",
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

#[cfg(test)]
mod tests {
    use super::*;

    fn device(id: &str, user: Option<&str>) -> ManagedDevice {
        ManagedDevice {
            id: id.into(),
            device_name: id.into(),
            user_id: user.map(Into::into),
            ..ManagedDevice::default()
        }
    }

    #[test]
    fn users_and_devices_are_found_through_the_index_whatever_the_case() {
        let mut state = TenantState::default();
        let user = User {
            id: "AAAA".into(),
            user_principal_name: "Ann@Contoso.example".into(),
            ..User::default()
        };
        state.add_user(user).unwrap();
        assert_eq!(state.user("aaaa").map(|u| u.id.as_str()), Some("AAAA"));
        assert_eq!(state.user("ann@contoso.EXAMPLE").map(|u| u.id.as_str()), Some("AAAA"));
        assert!(state.user("bbbb").is_none());
        assert!(state
            .add_user(User {
                id: "aaaa".into(),
                ..User::default()
            })
            .is_err());

        state.upsert_device(device("D1", Some("aaaa")));
        state.upsert_device(device("D2", Some("AAAA")));
        let ids = |s: &TenantState, u: &str| s.user_devices(u).map(|d| d.id.clone()).collect::<Vec<_>>();
        assert_eq!(ids(&state, "AaAa"), ["D1", "D2"]);
        // A new primary user moves the device; replacing keeps one entry.
        state.upsert_device(device("d1", Some("bbbb")));
        assert_eq!(ids(&state, "aaaa"), ["D2"]);
        assert_eq!(ids(&state, "bbbb"), ["d1"]);
        assert_eq!(state.devices().len(), 2);
        state.device_mut("D2").unwrap().device_name = "renamed".into();
        assert_eq!(state.device("d2").unwrap().device_name, "renamed");
    }
}
