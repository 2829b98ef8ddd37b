//! `GET /{version}/groups/delta` (<https://learn.microsoft.com/graph/api/group-delta>,
//! <https://learn.microsoft.com/graph/delta-query-groups>): `$filter=id eq '..' [or
//! id eq '..']` (at most 50), `$select` (`members` gives `members@delta`), `$deltatoken=latest`;
//! pages of at most `SimConfig::delta_page_size` member entries linked by `@odata.nextLink`
//! (a group may span pages), the last page carrying `@odata.deltaLink`. A deltaLink returns the
//! changes since its round, collapsed per member (`@removed: {"reason": "deleted"}` when the
//! membership ended). Options in a nextLink/deltaLink request are ignored: they are baked into
//! the token.
//!
//! [`TenantSim::expire_delta_links`](crate::TenantSim::expire_delta_links) expires every issued
//! deltaLink: using one then answers 410 `resyncRequired` with a `Location` of the round's first
//! query, or 400 `syncStateNotFound` (users report both forms; the codes are assumed). An
//! unknown token is 400 `syncStateNotFound`.

use std::collections::HashMap;

use axum::extract::{RawQuery, State};
use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::{Extension, Json};
use serde_json::{json, Map, Value};

use super::area::GraphArea;
use super::groups::group_json;
use crate::odata::errors::GraphError;
use crate::odata::ApiVersion;
use crate::state::{MembershipChangeKind, TenantState};

/// How an expired deltaLink is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DeltaExpiry {
    /// 410 Gone with a `Location` header: start over.
    Gone,
    /// 400 `syncStateNotFound`.
    SyncStateNotFound,
}

#[derive(Debug, Clone)]
struct Round {
    groups: Option<Vec<String>>,
    select: Option<Vec<String>>,
    /// The first query of the round (for `Location` on 410).
    initial_query: String,
}

#[derive(Debug, Clone)]
struct Link {
    round: Round,
    /// Membership-log position the link is relative to.
    seq: u64,
    expired: Option<DeltaExpiry>,
}

#[derive(Debug, Clone)]
struct Pending {
    round: Round,
    seq: u64,
    rows: Vec<(String, Option<Value>)>,
}

/// Issued tokens.
#[derive(Debug, Default)]
pub(crate) struct DeltaTokens {
    links: HashMap<String, Link>,
    pages: HashMap<String, Pending>,
}

impl DeltaTokens {
    /// Expires every issued deltaLink.
    pub fn expire_all(&mut self, how: DeltaExpiry) -> usize {
        for l in self.links.values_mut() {
            l.expired = Some(how);
        }
        self.links.len()
    }
}

fn token() -> String {
    use base64::Engine;
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(uuid::Uuid::new_v4().as_bytes())
}

fn sync_state_not_found() -> GraphError {
    GraphError::new(
        StatusCode::BAD_REQUEST,
        "syncStateNotFound",
        "The sync state generation is not found. Delta tokens may be expired, restart the sync with no token.",
    )
}

fn parse_round(raw: &str) -> Result<Round, GraphError> {
    let mut round = Round {
        groups: None,
        select: None,
        initial_query: raw.to_owned(),
    };
    for (k, v) in url::form_urlencoded::parse(raw.as_bytes()) {
        match k.trim_start_matches('$').to_ascii_lowercase().as_str() {
            "filter" => {
                let mut ids = Vec::new();
                for clause in v.split(" or ") {
                    let id = clause
                        .trim()
                        .strip_prefix("id eq '")
                        .and_then(|r| r.strip_suffix('\''))
                        .ok_or_else(|| GraphError::bad_request(format!("Unsupported filter clause '{clause}'.")))?;
                    ids.push(id.to_owned());
                }
                if ids.len() > 50 {
                    return Err(GraphError::bad_request("At most 50 ids may be filtered."));
                }
                round.groups = Some(ids);
            }
            "select" => round.select = Some(v.split(',').map(|s| s.trim().to_owned()).collect()),
            "expand" | "top" | "orderby" => {
                return Err(GraphError::bad_request(format!("${k} is not supported with delta.")))
            }
            _ => {}
        }
    }
    Ok(round)
}

fn wants_members(round: &Round) -> bool {
    round
        .select
        .as_ref()
        .is_some_and(|s| s.iter().any(|p| p.eq_ignore_ascii_case("members")))
}

/// A `members@delta` entry: the member's type and id
/// (<https://learn.microsoft.com/graph/api/group-delta>); groups hold users, groups,
/// service principals, devices and contacts
/// (<https://learn.microsoft.com/graph/api/group-post-members>).
fn member_entry(state: &TenantState, id: &str, removed: bool) -> Value {
    let kind = if state.user(id).is_some() {
        "#microsoft.graph.user"
    } else if state.group(id).is_some() {
        "#microsoft.graph.group"
    } else {
        "#microsoft.graph.servicePrincipal"
    };
    let mut m = json!({ "@odata.type": kind, "id": id });
    if removed {
        m["@removed"] = json!({ "reason": "deleted" });
    }
    m
}

/// `(group id, member entry)` rows: every member on the first round, the changes since `since`
/// otherwise. A group with nothing to list still appears once on a first round (entry `None`).
fn rows(state: &TenantState, round: &Round, since: Option<u64>) -> Vec<(String, Option<Value>)> {
    let in_scope = |gid: &str| {
        round
            .groups
            .as_ref()
            .is_none_or(|ids| ids.iter().any(|i| i.eq_ignore_ascii_case(gid)))
    };
    let members = wants_members(round);
    let mut out = Vec::new();
    match since {
        None => {
            for g in state.groups.iter().filter(|g| in_scope(&g.id)) {
                if !members || g.members.is_empty() {
                    out.push((g.id.clone(), None));
                    continue;
                }
                for m in &g.members {
                    out.push((g.id.clone(), Some(member_entry(state, m, false))));
                }
            }
        }
        Some(seq) => {
            let mut last: Vec<(String, String, MembershipChangeKind)> = Vec::new();
            for c in state
                .membership_log
                .iter()
                .filter(|c| c.seq > seq && in_scope(&c.group_id))
            {
                last.retain(|(g, m, _)| !(g.eq_ignore_ascii_case(&c.group_id) && m.eq_ignore_ascii_case(&c.member_id)));
                last.push((c.group_id.clone(), c.member_id.clone(), c.kind));
            }
            for (g, m, kind) in last {
                let entry = members.then(|| member_entry(state, &m, kind == MembershipChangeKind::Removed));
                if entry.is_none() && out.iter().any(|(og, _): &(String, Option<Value>)| *og == g) {
                    continue;
                }
                out.push((g, entry));
            }
        }
    }
    out
}

/// Groups the rows of one page into group objects, a group's entries merged.
fn page_value(state: &TenantState, round: &Round, rows: &[(String, Option<Value>)]) -> Vec<Value> {
    let mut value: Vec<Value> = Vec::new();
    for (gid, entry) in rows {
        let pos = value.iter().position(|v| v["id"].as_str() == Some(gid.as_str()));
        let pos = match pos {
            Some(p) => p,
            None => {
                let mut obj = Map::new();
                obj.insert("id".into(), json!(gid));
                if let Some(g) = state.group(gid) {
                    let all = group_json(g);
                    let select: Vec<String> = round.select.clone().unwrap_or_else(|| all.keys().cloned().collect());
                    for p in select {
                        if let Some((k, v)) = all.iter().find(|(k, _)| k.eq_ignore_ascii_case(&p)) {
                            obj.insert(k.clone(), v.clone());
                        }
                    }
                }
                if wants_members(round) {
                    obj.insert("members@delta".into(), json!([]));
                }
                value.push(Value::Object(obj));
                value.len() - 1
            }
        };
        if let (Some(e), Some(list)) = (entry, value[pos]["members@delta"].as_array_mut()) {
            list.push(e.clone());
        }
    }
    value
}

/// `GET /{version}/groups/delta`.
pub(super) async fn delta(
    State(area): State<GraphArea>,
    Extension(version): Extension<ApiVersion>,
    RawQuery(raw): RawQuery,
) -> Result<Response, GraphError> {
    let raw = raw.unwrap_or_default();
    let params: HashMap<String, String> = url::form_urlencoded::parse(raw.as_bytes())
        .map(|(k, v)| (k.trim_start_matches('$').to_ascii_lowercase(), v.into_owned()))
        .collect();
    let state = area.directory.state();
    let seq_now = state.membership_log.last().map(|c| c.seq).unwrap_or(0);
    let mut tokens = area.delta();
    let pending = if let Some(skip) = params.get("skiptoken") {
        tokens.pages.remove(skip).ok_or_else(sync_state_not_found)?
    } else if let Some(dt) = params.get("deltatoken") {
        if dt == "latest" {
            let round = parse_round(&raw)?;
            Pending {
                round,
                seq: seq_now,
                rows: Vec::new(),
            }
        } else {
            let link = tokens.links.get(dt).cloned().ok_or_else(sync_state_not_found)?;
            match link.expired {
                Some(DeltaExpiry::SyncStateNotFound) => return Err(sync_state_not_found()),
                Some(DeltaExpiry::Gone) => {
                    let location = format!(
                        "{}/{}/groups/delta?{}",
                        area.authority.base_url, version.0, link.round.initial_query
                    );
                    let mut r = GraphError::new(
                        StatusCode::GONE,
                        "resyncRequired",
                        "The delta token has expired; a full resync is required.",
                    )
                    .into_response();
                    if let Ok(v) = HeaderValue::from_str(&location) {
                        r.headers_mut().insert(http::header::LOCATION, v);
                    }
                    return Ok(r);
                }
                None => Pending {
                    rows: rows(&state, &link.round, Some(link.seq)),
                    round: link.round,
                    seq: seq_now,
                },
            }
        }
    } else {
        let round = parse_round(&raw)?;
        Pending {
            rows: rows(&state, &round, None),
            round,
            seq: seq_now,
        }
    };
    let size = area.delta_page_size.max(1);
    let (this, rest) = pending.rows.split_at(pending.rows.len().min(size));
    let value = page_value(&state, &pending.round, this);
    let link = |param: &str, t: &str| format!("{}/{}/groups/delta?${param}={t}", area.authority.base_url, version.0);
    let mut body = json!({
        "@odata.context": format!("{}/{}/$metadata#groups", area.authority.base_url, version.0),
        "value": value,
    });
    if rest.is_empty() {
        let t = token();
        body["@odata.deltaLink"] = json!(link("deltatoken", &t));
        tokens.links.insert(
            t,
            Link {
                round: pending.round,
                seq: pending.seq,
                expired: None,
            },
        );
    } else {
        let t = token();
        body["@odata.nextLink"] = json!(link("skiptoken", &t));
        tokens.pages.insert(
            t,
            Pending {
                round: pending.round,
                seq: pending.seq,
                rows: rest.to_vec(),
            },
        );
    }
    Ok((StatusCode::OK, Json(body)).into_response())
}
