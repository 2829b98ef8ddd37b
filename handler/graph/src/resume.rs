//! Resuming a waiting access-package assignment request
//! (<https://learn.microsoft.com/graph/api/accesspackageassignmentrequest-resume>), and telling
//! "already resumed / decided / expired" from a real failure when Graph refuses.
//!
//! Graph documents only the success answer (204). What it answers to a second or late resume is
//! undocumented, so any 4xx leads to a GET of the request, and the outcome is read from the
//! request's callout instance for our stage instance (most precise), else from its `status` and
//! `state`. When that still looks like "waiting", the resume really failed: [`ResumeOutcome::Failed`].

use serde::Serialize;

use crate::entitlement::AssignmentRequest;
use crate::path::segment;
use crate::{GraphClient, GraphError, GraphRequest};

const EM_REQUESTS: &str = "/identityGovernance/entitlementManagement/assignmentRequests";

/// The request stage a resume continues.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ResumeStage {
    /// `assignmentRequestCreated`.
    AssignmentRequestCreated,
    /// `assignmentRequestApproved`.
    AssignmentRequestApproved,
    /// `assignmentRequestGranted`.
    AssignmentRequestGranted,
    /// `assignmentRequestRemoved`.
    AssignmentRequestRemoved,
    /// Any other stage name, sent as given.
    Other(String),
}

impl ResumeStage {
    /// The stage as Graph writes it in a resume body (camelCase).
    pub fn as_str(&self) -> &str {
        match self {
            ResumeStage::AssignmentRequestCreated => "assignmentRequestCreated",
            ResumeStage::AssignmentRequestApproved => "assignmentRequestApproved",
            ResumeStage::AssignmentRequestGranted => "assignmentRequestGranted",
            ResumeStage::AssignmentRequestRemoved => "assignmentRequestRemoved",
            ResumeStage::Other(s) => s,
        }
    }

    /// Reads a stage name in any casing (the callout's PascalCase or Graph's camelCase).
    pub fn parse(name: &str) -> ResumeStage {
        [
            ResumeStage::AssignmentRequestCreated,
            ResumeStage::AssignmentRequestApproved,
            ResumeStage::AssignmentRequestGranted,
            ResumeStage::AssignmentRequestRemoved,
        ]
        .into_iter()
        .find(|s| s.as_str().eq_ignore_ascii_case(name))
        .unwrap_or_else(|| ResumeStage::Other(name.to_string()))
    }
}

/// How the extension ends its stage.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ResumeDecision {
    /// Let the request continue.
    Continue,
    /// Deny it (`state: "denied"`; Microsoft's pages disagree on which stages accept this).
    Deny,
    /// Cancel it (`state: "canceled"`).
    Cancel,
}

/// The resume's callback data (`accessPackageAssignmentRequestCallbackData`:
/// <https://learn.microsoft.com/graph/api/resources/accesspackageassignmentrequestcallbackdata>).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResumeCallback {
    /// Our name, stored by Graph for auditing (e.g. `jitadmin`).
    pub source: String,
    /// The stage being resumed.
    pub stage: ResumeStage,
    /// `CustomExtensionStageInstanceId` from the callout.
    pub stage_instance_id: String,
    /// Human-readable detail approvers and the requestor see.
    pub detail: String,
    /// Continue, deny or cancel.
    pub decision: ResumeDecision,
}

#[derive(Serialize)]
struct Wire<'a> {
    source: &'a str,
    #[serde(rename = "type")]
    kind: String,
    data: WireData<'a>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct WireData<'a> {
    #[serde(rename = "@odata.type")]
    odata_type: &'static str,
    stage: &'a str,
    custom_extension_stage_instance_id: &'a str,
    custom_extension_stage_instance_detail: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    state: Option<&'static str>,
}

impl Serialize for ResumeCallback {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        Wire {
            source: &self.source,
            kind: format!(
                "microsoft.graph.accessPackageCustomExtensionStage.{}",
                self.stage.as_str()
            ),
            data: WireData {
                odata_type: "microsoft.graph.accessPackageAssignmentRequestCallbackData",
                stage: self.stage.as_str(),
                custom_extension_stage_instance_id: &self.stage_instance_id,
                custom_extension_stage_instance_detail: &self.detail,
                state: match self.decision {
                    ResumeDecision::Continue => None,
                    ResumeDecision::Deny => Some("denied"),
                    ResumeDecision::Cancel => Some("canceled"),
                },
            },
        }
        .serialize(serializer)
    }
}

/// Where to resume: the request id, and the callout's `CallbackUriPath` when it gave one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResumeTarget {
    /// The assignment request id.
    pub request_id: String,
    /// Path to POST to, starting with `/v1.0` or `/beta`.
    pub path: String,
}

impl ResumeTarget {
    /// `/v1.0/identityGovernance/entitlementManagement/assignmentRequests/{id}/resume`.
    pub fn from_request_id(request_id: &str) -> Result<ResumeTarget, GraphError> {
        Ok(ResumeTarget {
            request_id: request_id.to_string(),
            path: format!("/v1.0{EM_REQUESTS}/{}/resume", segment(request_id)?),
        })
    }

    /// `/v1.0{CallbackUriPath}` (kept as-is when it already starts with a version). The path comes
    /// from a callout, so it must be an entitlement-management `.../{id}/resume` path; the request id
    /// is read from it.
    pub fn from_callback_path(callback_uri_path: &str) -> Result<ResumeTarget, GraphError> {
        let bad = |why: &str| GraphError::InvalidRequest(format!("CallbackUriPath {callback_uri_path:?} {why}"));
        let p = callback_uri_path.trim();
        // No escapes at all: a URL parser would turn `.%2e` into `..`.
        if !p.starts_with('/') || p.contains(['?', '#', '\\', '%']) || p.split('/').any(|s| s == ".." || s == ".") {
            return Err(bad("is not a plain absolute path"));
        }
        let path = if p.starts_with("/v1.0/") || p.starts_with("/beta/") {
            p.to_string()
        } else {
            format!("/v1.0{p}")
        };
        let rest = path.trim_start_matches("/v1.0").trim_start_matches("/beta");
        if !rest.starts_with("/identityGovernance/entitlementManagement/") {
            return Err(bad("is not an entitlement-management path"));
        }
        let mut segments = rest.trim_end_matches('/').rsplit('/');
        if segments.next() != Some("resume") {
            return Err(bad("does not end in /resume"));
        }
        let id = segments
            .next()
            .filter(|s| !s.is_empty())
            .ok_or_else(|| bad("names no request"))?;
        Ok(ResumeTarget {
            request_id: id.to_string(),
            path,
        })
    }
}

/// What came of a resume.
#[derive(Debug)]
pub enum ResumeOutcome {
    /// Graph accepted the resume (204).
    Resumed,
    /// Refused, and the request shows our stage was already resumed (by us earlier, or someone else).
    AlreadyResumed,
    /// Refused, and the request has reached a final decision (`state` as Graph gave it).
    AlreadyDecided {
        /// The request's state, e.g. `denied`, `delivered`, `canceled`.
        state: String,
    },
    /// Refused, and the stage's callback timed out.
    Expired,
    /// Refused, and the request itself no longer exists (the GET answered 404).
    NotFound(GraphError),
    /// A real failure: the request still waits, or its state could not be read. Retry or surface.
    Failed(GraphError),
}

impl ResumeOutcome {
    /// Whether nothing is left to do for this stage instance (everything but `Failed`).
    pub fn is_done(&self) -> bool {
        !matches!(self, ResumeOutcome::Failed(_))
    }
}

/// Reads a request fetched after a refused resume. `None`: it still looks like it is waiting (or its
/// state is unknown to us), so the refusal was a real failure.
pub fn classify_refused_resume(request: &AssignmentRequest, stage_instance_id: Option<&str>) -> Option<ResumeOutcome> {
    let state = request.state.clone().unwrap_or_default();
    let status = request.status.as_deref().unwrap_or_default().to_ascii_lowercase();
    let instance = stage_instance_id.and_then(|id| {
        request
            .custom_extension_callout_instances
            .iter()
            .find(|i| i.id.eq_ignore_ascii_case(id))
    });
    if let Some(inst) = instance {
        match inst.status.as_deref().unwrap_or_default().to_ascii_lowercase().as_str() {
            "callbackreceived" => return Some(ResumeOutcome::AlreadyResumed),
            "callbacktimedout" => return Some(ResumeOutcome::Expired),
            "calloutfailed" => {
                let state = if state.is_empty() {
                    "calloutFailed".to_string()
                } else {
                    state
                };
                return Some(ResumeOutcome::AlreadyDecided { state });
            }
            "waitingforcallback" | "calloutsent" => return None,
            _ => {}
        }
    }
    if status.contains("waitingforcallback") {
        return None;
    }
    if status.contains("expired") || status.contains("timedout") || status.contains("timeout") {
        return Some(ResumeOutcome::Expired);
    }
    match state.to_ascii_lowercase().as_str() {
        "denied" | "canceled" | "cancelled" | "delivered" | "deliveryfailed" | "partiallydelivered" => {
            Some(ResumeOutcome::AlreadyDecided { state })
        }
        // The request moved past the stage that waited for us.
        "pendingapproval" | "delivering" | "scheduled" | "accepted" => Some(ResumeOutcome::AlreadyResumed),
        _ => None,
    }
}

impl GraphClient {
    /// Resumes with `callback` as the body's `data`.
    pub async fn resume(&self, target: &ResumeTarget, callback: &ResumeCallback) -> ResumeOutcome {
        self.resume_with_body(target, Some(&callback.stage_instance_id), callback)
            .await
    }

    /// Resumes with any body (e.g. the events crate's own type); `stage_instance_id` lets a refusal be
    /// matched to the request's callout instance.
    pub async fn resume_with_body<B: Serialize>(
        &self,
        target: &ResumeTarget,
        stage_instance_id: Option<&str>,
        body: &B,
    ) -> ResumeOutcome {
        let body = match serde_json::to_value(body) {
            Ok(b) => b,
            Err(e) => return ResumeOutcome::Failed(GraphError::InvalidRequest(format!("resume body: {e}"))),
        };
        let refused = match self.execute(GraphRequest::post(&target.path, body)).await {
            Ok(_) => {
                tracing::info!(request = %target.request_id, stage_instance = stage_instance_id, "resumed");
                return ResumeOutcome::Resumed;
            }
            Err(e) if e.status().is_some_and(|s| (400..500).contains(&s) && s != 429) => e,
            Err(e) => return ResumeOutcome::Failed(e),
        };
        let outcome = match self.get_assignment_request(&target.request_id).await {
            Ok(request) => {
                classify_refused_resume(&request, stage_instance_id).unwrap_or(ResumeOutcome::Failed(refused))
            }
            Err(e) if e.is_not_found() => ResumeOutcome::NotFound(refused),
            Err(e) => {
                tracing::warn!(request = %target.request_id, error = %e, "could not read the request after a refused resume");
                ResumeOutcome::Failed(refused)
            }
        };
        tracing::info!(request = %target.request_id, stage_instance = stage_instance_id, outcome = ?outcome, "resume refused");
        outcome
    }
}

#[cfg(test)]
#[path = "resume_tests.rs"]
mod tests;
