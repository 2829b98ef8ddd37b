//! Groups: members, adding and removing a member, and the delta query that reconciles one group's
//! membership (<https://learn.microsoft.com/graph/delta-query-groups>).

use serde::Deserialize;
use std::collections::HashMap;

use crate::path::{odata_string, query_value, segment};
use crate::{GraphClient, GraphError, GraphRequest};

/// A member of a group (`directoryObject`).
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DirectoryObject {
    /// Object id.
    pub id: String,
    /// `#microsoft.graph.user`, `#microsoft.graph.group`, ...
    #[serde(default, rename = "@odata.type")]
    pub odata_type: Option<String>,
    /// Display name.
    #[serde(default)]
    pub display_name: Option<String>,
    /// UPN (users).
    #[serde(default)]
    pub user_principal_name: Option<String>,
}

/// One member's change in a delta round.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MemberChange {
    /// The member's object id.
    pub id: String,
    /// `#microsoft.graph.user` etc., when Graph says (not documented to be always present).
    pub odata_type: Option<String>,
    /// Whether the membership ended (`@removed` present); otherwise it exists.
    pub removed: bool,
}

/// What kind of directory object a group member is: groups hold users, groups, service
/// principals, devices and organizational contacts
/// (<https://learn.microsoft.com/graph/api/group-post-members>).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MemberKind {
    /// `#microsoft.graph.user` (or no type given).
    User,
    /// `#microsoft.graph.group`: a nested group, whose members all inherit the membership.
    Group,
    /// `#microsoft.graph.device`.
    Device,
    /// `#microsoft.graph.servicePrincipal`.
    ServicePrincipal,
    /// `#microsoft.graph.orgContact`, or a type this version does not know.
    Other,
}

impl MemberKind {
    /// The noun for messages: `user`, `group`, `device`, `service principal`, `directory object`.
    pub fn noun(self) -> &'static str {
        match self {
            MemberKind::User => "user",
            MemberKind::Group => "group",
            MemberKind::Device => "device",
            MemberKind::ServicePrincipal => "service principal",
            MemberKind::Other => "directory object",
        }
    }
}

impl MemberChange {
    /// Whether the member is a user (or Graph did not say what it is).
    pub fn is_user(&self) -> bool {
        self.kind() == MemberKind::User
    }

    /// The member's kind, from `@odata.type`.
    pub fn kind(&self) -> MemberKind {
        let Some(t) = self.odata_type.as_deref() else {
            return MemberKind::User;
        };
        let name = t.trim_start_matches('#').trim_start_matches("microsoft.graph.");
        match name.to_ascii_lowercase().as_str() {
            "user" => MemberKind::User,
            "group" => MemberKind::Group,
            "device" => MemberKind::Device,
            "serviceprincipal" => MemberKind::ServicePrincipal,
            _ => MemberKind::Other,
        }
    }
}

/// The result of one delta round for one group.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeltaRound {
    /// Members' final state in this round, one entry per member, in first-seen order.
    pub changes: Vec<MemberChange>,
    /// The link for the next round: store it and pass it next time.
    pub delta_link: String,
    /// Pages fetched.
    pub pages: usize,
}

#[derive(Deserialize)]
struct DeltaGroup {
    id: String,
    #[serde(default, rename = "members@delta")]
    members: Vec<DeltaMember>,
}

#[derive(Deserialize)]
struct DeltaMember {
    id: String,
    #[serde(default, rename = "@odata.type")]
    odata_type: Option<String>,
    #[serde(default, rename = "@removed")]
    removed: Option<serde_json::Value>,
}

impl GraphClient {
    /// Every member of a group (all pages).
    pub async fn list_group_members(&self, group_id: &str) -> Result<Vec<DirectoryObject>, GraphError> {
        let target = format!(
            "/v1.0/groups/{}/members?$select=id,displayName,userPrincipalName",
            segment(group_id)?
        );
        Ok(self.get_all(&target).await?.items)
    }

    /// Adds a member (`POST /groups/{id}/members/$ref`). `Ok(false)` when it already was one.
    pub async fn add_group_member(&self, group_id: &str, member_id: &str) -> Result<bool, GraphError> {
        let target = format!("/v1.0/groups/{}/members/$ref", segment(group_id)?);
        let odata_id = format!(
            "{}/v1.0/directoryObjects/{}",
            self.base_url().as_str().trim_end_matches('/'),
            segment(member_id)?
        );
        match self
            .execute(GraphRequest::post(target, serde_json::json!({ "@odata.id": odata_id })))
            .await
        {
            Ok(_) => Ok(true),
            Err(e) if e.status() == Some(400) && e.api().is_some_and(|a| a.message.contains("already exist")) => {
                Ok(false)
            }
            Err(e) => Err(e),
        }
    }

    /// Removes a member (`DELETE /groups/{id}/members/{member}/$ref`). `Ok(false)` when it was not one.
    pub async fn remove_group_member(&self, group_id: &str, member_id: &str) -> Result<bool, GraphError> {
        let target = format!(
            "/v1.0/groups/{}/members/{}/$ref",
            segment(group_id)?,
            segment(member_id)?
        );
        match self.execute(GraphRequest::delete(target)).await {
            Ok(_) => Ok(true),
            Err(e) if e.is_not_found() => Ok(false),
            Err(e) => Err(e),
        }
    }

    /// One delta round of a group's membership: from `delta_link` when given, else a full sync
    /// (`/groups/delta?$filter=id eq '{id}'&$select=members`). Follows every nextLink; answers the
    /// changes merged per member and the new deltaLink. A 410 or `syncStateNotFound` becomes
    /// [`GraphError::DeltaReset`]: drop the stored link and call again without one.
    pub async fn group_members_delta(
        &self,
        group_id: &str,
        delta_link: Option<&str>,
    ) -> Result<DeltaRound, GraphError> {
        let target = match delta_link {
            Some(link) => link.to_string(),
            None => {
                let filter = format!("id eq {}", odata_string(group_id));
                format!("/v1.0/groups/delta?$filter={}&$select=members", query_value(&filter))
            }
        };
        let collected = self.get_all::<DeltaGroup>(&target).await.map_err(|e| {
            let reset =
                e.status() == Some(410) || e.code().is_some_and(|c| c.eq_ignore_ascii_case("syncStateNotFound"));
            match e {
                GraphError::Api(api) if reset => GraphError::DeltaReset {
                    path: api.path.clone(),
                    status: api.status,
                    code: api.code.clone(),
                },
                other => other,
            }
        })?;
        let delta_link = collected.delta_link.ok_or_else(|| GraphError::Decode {
            path: "/v1.0/groups/delta".into(),
            message: "the last page carried no @odata.deltaLink".into(),
        })?;
        let mut changes: Vec<MemberChange> = Vec::new();
        let mut index: HashMap<String, usize> = HashMap::new();
        for group in collected
            .items
            .into_iter()
            .filter(|g| g.id.eq_ignore_ascii_case(group_id))
        {
            for m in group.members {
                let change = MemberChange {
                    id: m.id.clone(),
                    odata_type: m.odata_type,
                    removed: m.removed.is_some(),
                };
                match index.get(&m.id.to_ascii_lowercase()) {
                    Some(&i) => changes[i] = change,
                    None => {
                        index.insert(m.id.to_ascii_lowercase(), changes.len());
                        changes.push(change);
                    }
                }
            }
        }
        Ok(DeltaRound {
            changes,
            delta_link,
            pages: collected.pages,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::paging::Page;

    #[test]
    fn delta_fixture_parses_added_and_removed_members() {
        let p: Page<DeltaGroup> =
            serde_json::from_slice(include_bytes!("../testdata/groups-delta-last-page.json")).expect("page");
        assert!(p.delta_link.is_some() && p.next_link.is_none());
        let g = &p.value[0];
        assert_eq!(g.members.len(), 2);
        assert!(g.members[0].removed.is_some());
        assert!(g.members[1].removed.is_none());
    }

    #[test]
    fn members_fixture_parses() {
        let p: Page<DirectoryObject> =
            serde_json::from_slice(include_bytes!("../testdata/group-members.json")).expect("page");
        assert_eq!(p.value.len(), 2);
        assert_eq!(p.value[1].odata_type.as_deref(), Some("#microsoft.graph.group"));
    }

    #[test]
    fn untyped_members_count_as_users() {
        let c = MemberChange {
            id: "a".into(),
            odata_type: None,
            removed: false,
        };
        assert!(c.is_user());
        let g = MemberChange {
            odata_type: Some("#microsoft.graph.group".into()),
            ..c
        };
        assert!(!g.is_user());
    }
}
