//! Gathering the facts a created-stage request is decided on: the callout payload, Graph
//! (the user, their manager, their Intune devices, the request's justification and
//! schedule) and the store (their elevation history), fetched concurrently.
//!
//! Two people: the assignment's target (who would become a local administrator; the
//! devices and history are theirs) and, when someone else filed the request (a manager for a
//! report, an administrator), who asked (`requestedBy`). The requestor stands in for the
//! target when the callout names no target. A fact that cannot be fetched is listed in
//! [`Facts::unavailable`], so the rules fall back to `on_error` and never approve on it.

mod history;
mod request;
mod requestor;

use chrono::{DateTime, Utc};
use jitadmin_decide::Facts;
use jitadmin_events::callout::RequestCallout;
use jitadmin_graph::GraphClient;
use jitadmin_store::Store;

use crate::config::ManagedPackages;
use crate::services::requests::Details;

pub use history::HISTORY_DAYS;
pub use request::new_end;

/// Where facts come from.
#[derive(Debug, Clone, Copy)]
pub struct Sources<'a> {
    /// Graph: users, managers, managed devices, assignment requests.
    pub graph: &'a GraphClient,
    /// The store: elevations and the audit trail. `None` marks `history` unavailable.
    pub store: Option<&'a Store>,
    /// The managed access packages: only their elevations count in the history.
    pub packages: &'a ManagedPackages,
}

/// The facts of `callout`'s request at `now`. Never fails: what cannot be fetched is
/// marked unavailable (and logged).
pub async fn gather(sources: Sources<'_>, callout: &RequestCallout, now: DateTime<Utc>) -> Facts {
    gather_with(sources, callout, None, now).await
}

/// [`gather`], with the request already read from Graph (`known`), so it is not read twice.
pub async fn gather_with(
    sources: Sources<'_>,
    callout: &RequestCallout,
    known: Option<Details>,
    now: DateTime<Utc>,
) -> Facts {
    let mut facts = Facts {
        now,
        ..Facts::default()
    };
    let request_id = callout.access_package_assignment_request_id.as_str();
    let user = callout.target_user_id().or(callout.requestor_user_id());
    let Some(user) = user.filter(|u| !u.is_empty()) else {
        let (request, details_unavailable) = request::facts(callout, Ok(None), now);
        facts.request = request;
        facts.unavailable.extend(details_unavailable);
        for part in ["target", "devices", "history"] {
            facts.mark_unavailable(part, "the callout names no target user or requestor");
        }
        warn_unavailable(request_id, &facts);
        return facts;
    };
    facts.target.id = user.to_string();
    let filer = callout
        .requestor_user_id()
        .filter(|r| !r.is_empty() && !r.eq_ignore_ascii_case(user));

    let graph = sources.graph;
    let (user_result, manager, devices, details, history, filer_result) = tokio::join!(
        graph.get_user(user),
        graph.get_manager(user),
        graph.list_user_devices(user),
        request::details(graph, callout, known),
        history::read(sources.store, sources.packages, user, now),
        async {
            match filer {
                Some(id) => Some(graph.get_user(id).await),
                None => None,
            }
        },
    );

    let (request, details_unavailable) = request::facts(callout, details, now);
    facts.request = request;
    facts.unavailable.extend(details_unavailable);
    if facts.request.is_extension && facts.request.current_end.is_none() {
        match request::current_end(graph, &facts.request.access_package.id, user).await {
            Ok(end) => facts.request.current_end = end,
            Err(e) => facts.mark_unavailable("request.currentEnd", e.to_string()),
        }
    }
    match user_result {
        Ok(found) => facts.target = requestor::from_graph(found),
        Err(e) => facts.mark_unavailable("target", e.to_string()),
    }
    match manager {
        Ok(m) => facts.target.manager = m.map(requestor::manager),
        // A missing user already makes all of `target` unavailable.
        Err(e) if !facts.is_unavailable("target") => facts.mark_unavailable("target.manager", e.to_string()),
        Err(_) => {}
    }
    match (filer, filer_result) {
        (Some(_), Some(Ok(found))) => facts.requested_by = Some(requestor::from_graph(found)),
        (Some(id), Some(Err(e))) => {
            facts.requested_by = Some(jitadmin_decide::Person {
                id: id.to_string(),
                ..Default::default()
            });
            facts.mark_unavailable("requestedBy", e.to_string());
        }
        _ => {}
    }
    match devices {
        Ok(list) => facts.devices = list.into_iter().map(|d| requestor::device(d, user)).collect(),
        Err(e) => facts.mark_unavailable("devices", e.to_string()),
    }
    match history {
        Ok(h) => facts.history = h,
        Err(e) => facts.mark_unavailable("history", e),
    }
    warn_unavailable(request_id, &facts);
    facts
}

fn warn_unavailable(request_id: &str, facts: &Facts) {
    for u in &facts.unavailable {
        tracing::warn!(request_id, user = %facts.target.id, fact = %u.fact, error = %u.error, "fact unavailable");
    }
}
