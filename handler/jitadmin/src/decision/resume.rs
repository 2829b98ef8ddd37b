//! Resuming the waiting request with a decision's body (continue or deny).

use jitadmin_events::callout::RequestCallout;
use jitadmin_events::resume::ResumeRequest;
use jitadmin_graph::resume::{ResumeOutcome, ResumeTarget};

use crate::app::App;
use crate::work::{ResumeResult, WorkError};

/// Send `body` to the request's resume endpoint. A request no longer waiting for us
/// (already resumed, decided, expired, gone) is done, not an error.
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
