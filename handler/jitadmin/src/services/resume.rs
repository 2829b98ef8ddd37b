//! Resuming a waiting request through Graph, and what the outcome means: Graph's
//! `resume` action on the assignment request
//! (<https://learn.microsoft.com/graph/api/accesspackageassignmentrequest-resume>).
//!
//! The caller says which request waits and at which stage instance ([`Waiting`]); the
//! target is built from the request id, after the callout's `callbackUriPath` (when it gave
//! one) was checked to name the same request.

use jitadmin_events::callout::{callback_path, RequestCallout, Stage};
use jitadmin_events::resume::ResumeRequest;
use jitadmin_graph::resume::{ResumeOutcome, ResumeTarget};
use jitadmin_graph::{GraphClient, GraphError};

/// A request stage that waits for us.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Waiting {
    /// Where to send the resume.
    pub target: ResumeTarget,
    /// The waiting stage.
    pub stage: Stage,
    /// The waiting stage instance.
    pub stage_instance_id: String,
}

impl Waiting {
    /// The stage a callout waits at.
    pub fn of(callout: &RequestCallout) -> Result<Waiting, GraphError> {
        Waiting::new(
            &callout.access_package_assignment_request_id,
            callout.callback_uri_path.as_deref(),
            callout.stage.clone(),
            &callout.custom_extension_stage_instance_id,
        )
    }

    /// The stage of `request_id` at `stage_instance_id`, resumed at `callback_uri_path` when given.
    pub fn new(
        request_id: &str,
        callback_uri_path: Option<&str>,
        stage: Stage,
        stage_instance_id: &str,
    ) -> Result<Waiting, GraphError> {
        // A callout's path was checked at acknowledgement; an approval stored before that
        // check existed is checked here. Either way the resume goes to the request's own path.
        if let Some(path) = callback_uri_path.filter(|p| !p.is_empty()) {
            callback_path::check(path, request_id)
                .map_err(|e| GraphError::InvalidRequest(format!("{e} (request {request_id})")))?;
        }
        let target = ResumeTarget::from_request_id(request_id)?;
        Ok(Waiting {
            target,
            stage,
            stage_instance_id: stage_instance_id.to_string(),
        })
    }

    /// The body that lets the request continue, with `detail` shown to approvers.
    pub fn continue_body(&self, source: &str, detail: &str) -> ResumeRequest {
        ResumeRequest::continue_request(source, self.stage.clone(), &self.stage_instance_id, detail)
    }

    /// The body that denies the request, with `detail` shown to the requestor.
    pub fn deny_body(&self, source: &str, detail: &str) -> ResumeRequest {
        ResumeRequest::deny(source, self.stage.clone(), &self.stage_instance_id, detail)
    }
}

/// A resume that needs nothing more: done, by us now or by someone earlier.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ResumeResult {
    /// Graph accepted it (204).
    Resumed,
    /// Graph refused, and the request shows the stage is no longer waiting for us.
    AlreadyDone(NotWaiting),
}

/// Why a request no longer waits for us.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NotWaiting {
    /// The stage was resumed already.
    AlreadyResumed,
    /// The request was decided (the state, as Graph spelled it).
    Decided(String),
    /// The stage's callback expired.
    Expired,
    /// The request no longer exists.
    Gone,
}

impl NotWaiting {
    /// One line for people.
    pub fn describe(&self) -> String {
        match self {
            NotWaiting::AlreadyResumed => "already resumed".into(),
            NotWaiting::Decided(state) => format!("already decided ({state})"),
            NotWaiting::Expired => "the stage's callback expired".into(),
            NotWaiting::Gone => "the request no longer exists".into(),
        }
    }
}

impl ResumeResult {
    /// How the audit trail records it.
    pub fn audited(&self) -> crate::audit::Resumed {
        match self {
            ResumeResult::Resumed => crate::audit::Resumed::Resumed,
            ResumeResult::AlreadyDone(_) => crate::audit::Resumed::AlreadyDone,
        }
    }

    /// One line for the ledger.
    pub fn describe(&self) -> String {
        match self {
            ResumeResult::Resumed => "resumed".to_string(),
            ResumeResult::AlreadyDone(why) => format!("not resumed: {}", why.describe()),
        }
    }
}

/// Send `body` to the waiting stage. A request no longer waiting for us (already resumed,
/// decided, expired, gone) is done, not an error.
pub async fn send(graph: &GraphClient, waiting: &Waiting, body: &ResumeRequest) -> Result<ResumeResult, GraphError> {
    let outcome = graph
        .resume_with_body(&waiting.target, Some(&waiting.stage_instance_id), body)
        .await;
    match outcome {
        ResumeOutcome::Resumed => Ok(ResumeResult::Resumed),
        ResumeOutcome::AlreadyResumed => Ok(ResumeResult::AlreadyDone(NotWaiting::AlreadyResumed)),
        ResumeOutcome::AlreadyDecided { state } => Ok(ResumeResult::AlreadyDone(NotWaiting::Decided(state))),
        ResumeOutcome::Expired => Ok(ResumeResult::AlreadyDone(NotWaiting::Expired)),
        ResumeOutcome::NotFound(_) => Ok(ResumeResult::AlreadyDone(NotWaiting::Gone)),
        ResumeOutcome::Failed(source) => Err(source),
    }
}
