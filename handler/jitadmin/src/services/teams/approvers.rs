//! Who may decide: the transitive members of `JITADMIN_APPROVERS_GROUP`, read through Graph
//! (the group's members, nested groups expanded), at most `JITADMIN_APPROVERS_CACHE_SECS` old
//! when a click is decided (5 seconds by default: someone removed from the group stops being
//! an approver at once).

use std::collections::HashSet;
use std::sync::Arc;
use std::time::{Duration, Instant};

use jitadmin_graph::{GraphClient, GraphError};
use tokio::sync::Mutex;

/// Nested groups expanded at most (a guard against huge or cyclic nesting).
const MAX_GROUPS: usize = 100;

/// The approvers' group with its cached membership.
#[derive(Debug)]
pub struct Approvers {
    group: String,
    ttl: Duration,
    cache: Mutex<Option<(Instant, Arc<HashSet<String>>)>>,
}

impl Approvers {
    /// The members of `group`, cached for `ttl`.
    pub fn new(group: &str, ttl: Duration) -> Self {
        Approvers {
            group: group.to_string(),
            ttl,
            cache: Mutex::new(None),
        }
    }

    /// The group's object id.
    pub fn group(&self) -> &str {
        &self.group
    }

    /// Whether `user` (an object id) is a member, directly or through nested groups.
    pub async fn contains(&self, graph: &GraphClient, user: &str) -> Result<bool, GraphError> {
        let members = self.members(graph).await?;
        Ok(members.contains(&user.to_ascii_lowercase()))
    }

    async fn members(&self, graph: &GraphClient) -> Result<Arc<HashSet<String>>, GraphError> {
        // Held across the fetch: concurrent clicks share one read of the group.
        let mut cache = self.cache.lock().await;
        if let Some((at, members)) = cache.as_ref() {
            if at.elapsed() < self.ttl {
                return Ok(members.clone());
            }
        }
        let members = Arc::new(transitive_members(graph, &self.group).await?);
        tracing::debug!(group = %self.group, members = members.len(), "approvers read");
        *cache = Some((Instant::now(), members.clone()));
        Ok(members)
    }
}

/// The user members of `group` and of the groups nested in it, lower-cased.
async fn transitive_members(graph: &GraphClient, group: &str) -> Result<HashSet<String>, GraphError> {
    let mut users = HashSet::new();
    let mut seen = HashSet::from([group.to_ascii_lowercase()]);
    let mut queue = vec![group.to_string()];
    while let Some(next) = queue.pop() {
        for member in graph.list_group_members(&next).await? {
            let kind = member.odata_type.as_deref().unwrap_or("#microsoft.graph.user");
            if kind.eq_ignore_ascii_case("#microsoft.graph.group") {
                if seen.len() < MAX_GROUPS && seen.insert(member.id.to_ascii_lowercase()) {
                    queue.push(member.id);
                }
            } else if kind.eq_ignore_ascii_case("#microsoft.graph.user") {
                users.insert(member.id.to_ascii_lowercase());
            }
        }
    }
    Ok(users)
}
