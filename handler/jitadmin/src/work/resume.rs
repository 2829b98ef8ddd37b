//! Resuming a waiting request through Graph, and what the outcome means for the ledger.

use jitadmin_events::callout::RequestCallout;
use jitadmin_events::resume::ResumeRequest;
use jitadmin_graph::resume::{ResumeOutcome, ResumeTarget};

use super::WorkError;
use crate::app::App;

/// A resume that needs nothing more: done, by us now or by someone earlier.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ResumeResult {
    /// Graph accepted it (204).
    Resumed,
    /// Graph refused, and the request shows the stage is no longer waiting for us.
    AlreadyDone(String),
}

impl ResumeResult {
    /// A short tag for audit action names: `resumed` or `already-done`.
    pub fn tag(&self) -> &'static str {
        match self {
            ResumeResult::Resumed => "resumed",
            ResumeResult::AlreadyDone(_) => "already-done",
        }
    }

    /// One line for the ledger.
    pub fn describe(&self) -> String {
        match self {
            ResumeResult::Resumed => "resumed".to_string(),
            ResumeResult::AlreadyDone(why) => format!("not resumed: {why}"),
        }
    }
}

/// Let `callout`'s request continue, with `detail` shown to approvers.
pub async fn continue_request(
    app: &App,
    callout: &RequestCallout,
    key: &str,
    detail: &str,
) -> Result<ResumeResult, WorkError> {
    let body = callout.resume_continue(&app.config().resume_source, detail);
    send(app, callout, key, &body).await
}

/// Send `body` (continue or deny) to the request's resume endpoint. A request no longer
/// waiting for us (already resumed, decided, expired, gone) is done, not an error.
pub async fn send(
    app: &App,
    callout: &RequestCallout,
    key: &str,
    body: &ResumeRequest,
) -> Result<ResumeResult, WorkError> {
    let failed = |source| WorkError::Resume {
        key: key.to_string(),
        source,
    };
    let target = match callout.callback_uri_path.as_deref().filter(|p| !p.is_empty()) {
        Some(path) => ResumeTarget::from_callback_path(path),
        None => ResumeTarget::from_request_id(&callout.access_package_assignment_request_id),
    }
    .map_err(failed)?;
    let outcome = app
        .graph()
        .resume_with_body(&target, Some(&callout.custom_extension_stage_instance_id), body)
        .await;
    match outcome {
        ResumeOutcome::Resumed => Ok(ResumeResult::Resumed),
        ResumeOutcome::AlreadyResumed => Ok(ResumeResult::AlreadyDone("already resumed".into())),
        ResumeOutcome::AlreadyDecided { state } => Ok(ResumeResult::AlreadyDone(format!("already decided ({state})"))),
        ResumeOutcome::Expired => Ok(ResumeResult::AlreadyDone("the stage's callback expired".into())),
        ResumeOutcome::NotFound(_) => Ok(ResumeResult::AlreadyDone("the request no longer exists".into())),
        ResumeOutcome::Failed(source) => Err(failed(source)),
    }
}
