//! The resume body we send to `POST /v1.0{callbackUriPath}`
//! (<https://learn.microsoft.com/graph/api/accesspackageassignmentrequest-resume>).
//!
//! ```
//! use jitadmin_events::callout::Stage;
//! use jitadmin_events::resume::ResumeRequest;
//! let body = ResumeRequest::deny("jitadmin", Stage::AssignmentRequestCreated, "i-1", "No compliant device");
//! let json = serde_json::to_value(&body).unwrap();
//! assert_eq!(json["data"]["state"], "denied");
//! ```

use serde::Serialize;

use crate::callout::Stage;

/// `@odata.type` of the callback data (written without `#`, as the docs do).
pub const CALLBACK_DATA_TYPE: &str = "microsoft.graph.accessPackageAssignmentRequestCallbackData";

/// The body of a `resume` call.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ResumeRequest {
    /// Free text naming our system; Graph stores it for auditing.
    pub source: String,
    /// `microsoft.graph.accessPackageCustomExtensionStage.<stage>`.
    #[serde(rename = "type")]
    pub kind: String,
    /// The callback data.
    pub data: CallbackData,
}

/// `accessPackageAssignmentRequestCallbackData`.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CallbackData {
    /// Always [`CALLBACK_DATA_TYPE`].
    #[serde(rename = "@odata.type")]
    pub odata_type: String,
    /// The stage being resumed, in the Graph enum spelling.
    pub stage: Stage,
    /// Copied from the callout.
    pub custom_extension_stage_instance_id: String,
    /// Human-readable text shown to approvers in the request details.
    pub custom_extension_stage_instance_detail: String,
    /// `denied` or `canceled` to stop the request; absent to let it continue.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub state: Option<ResumeState>,
}

/// What the resume does to the request besides continuing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ResumeState {
    /// Deny the request (`denied`, lower case as in the docs' example).
    Denied,
    /// Cancel the request (`canceled`).
    Canceled,
}

impl ResumeRequest {
    fn new(source: &str, stage: Stage, instance_id: &str, detail: &str, state: Option<ResumeState>) -> Self {
        ResumeRequest {
            source: source.to_string(),
            kind: stage.resume_type(),
            data: CallbackData {
                odata_type: CALLBACK_DATA_TYPE.to_string(),
                stage,
                custom_extension_stage_instance_id: instance_id.to_string(),
                custom_extension_stage_instance_detail: detail.to_string(),
                state,
            },
        }
    }

    /// Let the request continue.
    pub fn continue_request(source: &str, stage: Stage, instance_id: &str, detail: &str) -> Self {
        Self::new(source, stage, instance_id, detail, None)
    }

    /// Deny the request (`state: denied`). Microsoft's pages disagree on which stages accept
    /// this; `assignmentRequestCreated` is the one the callback data documents
    /// (<https://learn.microsoft.com/graph/api/resources/accesspackageassignmentrequestcallbackdata>).
    pub fn deny(source: &str, stage: Stage, instance_id: &str, detail: &str) -> Self {
        Self::new(source, stage, instance_id, detail, Some(ResumeState::Denied))
    }

    /// Cancel the request (`state: canceled`).
    pub fn cancel(source: &str, stage: Stage, instance_id: &str, detail: &str) -> Self {
        Self::new(source, stage, instance_id, detail, Some(ResumeState::Canceled))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn continue_body_matches_the_spec_example() {
        let body = ResumeRequest::continue_request(
            "Contoso.SodCheck",
            Stage::AssignmentRequestApproved,
            "<from callout>",
            "Checks passed",
        );
        let expected: serde_json::Value =
            serde_json::from_str(include_str!("../testdata/resume-continue-approved.json")).unwrap();
        assert_eq!(serde_json::to_value(&body).unwrap(), expected);
    }

    #[test]
    fn deny_body_is_the_continue_body_plus_state_denied() {
        let body = ResumeRequest::deny("jitadmin", Stage::parse("AssignmentRequestCreated"), "i-1", "No device");
        let expected: serde_json::Value =
            serde_json::from_str(include_str!("../testdata/resume-deny-created.json")).unwrap();
        assert_eq!(serde_json::to_value(&body).unwrap(), expected);
    }

    #[test]
    fn continue_body_has_no_state_key() {
        let body = ResumeRequest::continue_request("s", Stage::AssignmentRequestGranted, "i", "ok");
        let v = serde_json::to_value(&body).unwrap();
        assert!(v["data"].get("state").is_none());
        assert_eq!(v["data"]["@odata.type"], json!(CALLBACK_DATA_TYPE));
    }
}
