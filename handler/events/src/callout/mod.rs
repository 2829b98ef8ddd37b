//! Entitlement-management custom-extension callouts: what EM posts to an extension's endpoint at
//! each stage of an access package request or assignment
//! (<https://learn.microsoft.com/entra/id-governance/entitlement-management-logic-apps-integration>).
//!
//! EM sends a flat object with PascalCase keys (`CustomExtensionStageInstanceId`, `Stage`,
//! `Assignment{Target{ObjectId}}`); Graph documents the same data in camelCase, possibly
//! wrapped in a `{type, source, data}` envelope. [`Callout::from_slice`] accepts all of
//! these: keys are normalised to camelCase, the envelope is unwrapped, stage names are
//! compared case-insensitively, and unknown fields are ignored.
//!
//! ```
//! use jitadmin_events::callout::{Callout, Stage};
//! let body = br#"{"Stage":"assignmentRequestGranted","CustomExtensionStageInstanceId":"i-1",
//!   "AccessPackageAssignmentRequestId":"r-1","Assignment":{"Target":{"ObjectId":"u-1"}}}"#;
//! let callout = Callout::from_slice(body).unwrap();
//! assert_eq!(callout.stage(), &Stage::AssignmentRequestGranted);
//! assert_eq!(callout.idempotency_key().as_deref(), Some("i-1:assignmentrequestgranted"));
//! assert_eq!(callout.target_user_id(), Some("u-1"));
//! ```

pub mod callback_path;
mod model;
mod stage;

pub use model::{
    Answer, Assignment, AssignmentState, CallbackConfiguration, Choice, Expiration, LocalizedContent, LocalizedText,
    Question, QuestionAttribute, Reference, RequestState, RequestType, Schedule, Subject,
};
pub use stage::{Stage, STAGE_TYPE_PREFIX};

use serde::Deserialize;
use serde_json::Value;

use crate::json::{camel_case_keys, from_value, null_as_empty, value_from_slice};
use crate::resume::ResumeRequest;
use crate::ParseError;

/// A parsed callout, by the kind of stage it was sent for.
#[derive(Debug, Clone, PartialEq)]
pub enum Callout {
    /// One of the four request stages (created, approved, granted, removed).
    Request(Box<RequestCallout>),
    /// One of the two pre-expiration stages (smaller payload, never launch-and-wait).
    PreExpiration(Box<PreExpirationCallout>),
    /// The reachability test: answer 2xx and do nothing.
    ConnectionTest(ConnectionTest),
}

/// `accessPackageAssignmentRequestCalloutData`: a callout for a request stage.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RequestCallout {
    /// The stage (always a request stage here).
    pub stage: Stage,
    /// This stage instance's id: copy it into the resume body.
    pub custom_extension_stage_instance_id: String,
    /// The assignment request's id.
    pub access_package_assignment_request_id: String,
    /// The resume path relative to the Graph version root; absent for some launch-and-continue callouts.
    #[serde(default)]
    pub callback_uri_path: Option<String>,
    /// Present (non-null) for launch-and-wait, by assumption: a captured launch-and-continue
    /// callout had it null, and no Microsoft page says when EM fills it.
    #[serde(default)]
    pub callback_configuration: Option<CallbackConfiguration>,
    /// Why the request exists (`userAdd`, `adminRemove`, ...).
    #[serde(default)]
    pub request_type: Option<RequestType>,
    /// The request's state (Graph form; the wire form carries state in `assignment`).
    #[serde(default)]
    pub state: Option<RequestState>,
    /// The request's status text (Graph form).
    #[serde(default)]
    pub status: Option<String>,
    /// The requestor's justification, when the payload carries it (the Graph type has it; EM's
    /// wire form is not documented to).
    #[serde(default)]
    pub justification: Option<String>,
    /// The requested schedule, when the payload carries it (the Graph type has it; EM's
    /// wire form is not documented to).
    #[serde(default)]
    pub schedule: Option<Schedule>,
    /// Who asked.
    #[serde(default)]
    pub requestor: Option<Subject>,
    /// The assignment and its target user.
    #[serde(default)]
    pub assignment: Option<Assignment>,
    /// The access package.
    #[serde(default)]
    pub access_package: Option<Reference>,
    /// Its catalog.
    #[serde(default)]
    pub access_package_catalog: Option<Reference>,
    /// Answers to the policy's questions, in order.
    #[serde(default, deserialize_with = "null_as_empty")]
    pub answers: Vec<Answer>,
}

/// `accessPackageAssignmentCalloutData`: a callout for a pre-expiration stage.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PreExpirationCallout {
    /// The stage (always a pre-expiration stage here).
    pub stage: Stage,
    /// This stage instance's id.
    pub custom_extension_stage_instance_id: String,
    /// The request that created the assignment, when present.
    #[serde(default)]
    pub access_package_assignment_request_id: Option<String>,
    /// Callback configuration (pre-expiration is never launch-and-wait; usually null).
    #[serde(default)]
    pub callback_configuration: Option<CallbackConfiguration>,
    /// The expiring assignment.
    #[serde(default)]
    pub assignment: Option<Assignment>,
    /// The access package.
    #[serde(default)]
    pub access_package: Option<Reference>,
    /// Its catalog.
    #[serde(default)]
    pub access_package_catalog: Option<Reference>,
}

/// The connection test: only the stage and whatever ids came with it.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ConnectionTest {
    /// Stage instance id, if the test carries one.
    #[serde(default)]
    pub custom_extension_stage_instance_id: Option<String>,
}

impl Callout {
    /// Parse a callout body in any of the accepted forms.
    pub fn from_slice(body: &[u8]) -> Result<Callout, ParseError> {
        let value = value_from_slice(body)?;
        Callout::from_value(value)
    }

    /// Parse an already-decoded JSON body.
    pub fn from_value(value: Value) -> Result<Callout, ParseError> {
        if !value.is_object() {
            return Err(ParseError::NotJson("a callout body must be a JSON object".into()));
        }
        let mut value = camel_case_keys(value);
        // Envelope form: {type, source, data:{...}}.
        if value.get("stage").is_none() && value.get("data").is_some_and(Value::is_object) {
            value = value["data"].take();
        }
        let (raw, path) = match (value.get("stage"), value.get("event")) {
            (Some(Value::String(s)), _) => (s.clone(), "stage"),
            (Some(v), _) if !v.is_null() => {
                return Err(ParseError::Invalid {
                    path: "stage".into(),
                    message: "expected a string".into(),
                })
            }
            (_, Some(Value::String(e))) => (e.clone(), "event"),
            _ => return Err(ParseError::Missing { path: "stage".into() }),
        };
        let raw = raw.as_str();
        let stage = Stage::parse(raw);
        if stage == Stage::ConnectionTest {
            return Ok(Callout::ConnectionTest(from_value(value)?));
        }
        if path == "event" {
            // The legacy `Event` key only ever carried the connection test.
            return Err(ParseError::unknown_value(path, raw));
        }
        if stage.is_request_stage() {
            Ok(Callout::Request(Box::new(from_value(value)?)))
        } else if stage.is_pre_expiration() {
            Ok(Callout::PreExpiration(Box::new(from_value(value)?)))
        } else {
            Err(ParseError::unknown_value(path, raw))
        }
    }

    /// The stage this callout was sent for.
    pub fn stage(&self) -> &Stage {
        match self {
            Callout::Request(r) => &r.stage,
            Callout::PreExpiration(p) => &p.stage,
            Callout::ConnectionTest(_) => &Stage::ConnectionTest,
        }
    }

    /// Whether this is EM's reachability test (answer 200, do nothing).
    pub fn is_connection_test(&self) -> bool {
        matches!(self, Callout::ConnectionTest(_))
    }

    /// The stage instance id, when present (always, except perhaps for a connection test).
    pub fn stage_instance_id(&self) -> Option<&str> {
        match self {
            Callout::Request(r) => Some(&r.custom_extension_stage_instance_id),
            Callout::PreExpiration(p) => Some(&p.custom_extension_stage_instance_id),
            Callout::ConnectionTest(t) => t.custom_extension_stage_instance_id.as_deref(),
        }
    }

    /// `customExtensionStageInstanceId:stage`, the stage in lower case
    /// (`d7e9…:assignmentrequestcreated`), so that the key is the same whatever casing EM
    /// used. `None` for a connection test, which is never queued.
    pub fn idempotency_key(&self) -> Option<String> {
        if self.is_connection_test() {
            return None;
        }
        let id = self.stage_instance_id()?;
        Some(format!("{id}:{}", self.stage().as_str().to_ascii_lowercase()))
    }

    /// The assignment request id.
    pub fn request_id(&self) -> Option<&str> {
        match self {
            Callout::Request(r) => Some(&r.access_package_assignment_request_id),
            Callout::PreExpiration(p) => p.access_package_assignment_request_id.as_deref(),
            Callout::ConnectionTest(_) => None,
        }
    }

    /// The Entra object id of the user the assignment is for (`assignment.target.objectId`).
    pub fn target_user_id(&self) -> Option<&str> {
        let assignment = match self {
            Callout::Request(r) => r.assignment.as_ref(),
            Callout::PreExpiration(p) => p.assignment.as_ref(),
            Callout::ConnectionTest(_) => None,
        }?;
        assignment.target.as_ref()?.object_id.as_deref()
    }

    /// The access package, if the payload names it.
    pub fn access_package(&self) -> Option<&Reference> {
        match self {
            Callout::Request(r) => r.access_package.as_ref(),
            Callout::PreExpiration(p) => p.access_package.as_ref(),
            Callout::ConnectionTest(_) => None,
        }
    }
}

impl RequestCallout {
    /// See [`Callout::idempotency_key`].
    pub fn idempotency_key(&self) -> String {
        format!(
            "{}:{}",
            self.custom_extension_stage_instance_id,
            self.stage.as_str().to_ascii_lowercase()
        )
    }

    /// The Entra object id of the target user.
    pub fn target_user_id(&self) -> Option<&str> {
        self.assignment.as_ref()?.target.as_ref()?.object_id.as_deref()
    }

    /// Whether the request extends or updates an assignment the target already has.
    pub fn is_update(&self) -> bool {
        self.request_type.as_ref().is_some_and(RequestType::is_update)
    }

    /// The Entra object id of the requestor.
    pub fn requestor_user_id(&self) -> Option<&str> {
        self.requestor.as_ref()?.object_id.as_deref()
    }

    /// Whether EM waits for a resume, judged from a non-null `callbackConfiguration`
    /// (an assumption Microsoft does not document: prefer the deployment's own configuration).
    pub fn looks_launch_and_wait(&self) -> bool {
        self.callback_configuration.is_some()
    }

    /// The request's state, from the top level (Graph form) or the assignment (wire form).
    pub fn request_state(&self) -> Option<&str> {
        self.state
            .as_ref()
            .map(RequestState::as_str)
            .or_else(|| self.assignment.as_ref()?.state.as_ref().map(AssignmentState::as_str))
    }

    /// The resume path, built from the request id (the callout's `callbackUriPath`, once
    /// [checked](Self::check_callback_path), names the same place).
    pub fn resume_path(&self) -> String {
        format!(
            "/identityGovernance/entitlementManagement/assignmentRequests/{}/resume",
            self.access_package_assignment_request_id
        )
    }

    /// Whether `callbackUriPath`, when present, has the documented shape and names this
    /// callout's own request ([`callback_path`]).
    pub fn check_callback_path(&self) -> Result<(), callback_path::CallbackPathError> {
        match self.callback_uri_path.as_deref().filter(|p| !p.is_empty()) {
            Some(path) => callback_path::check(path, &self.access_package_assignment_request_id),
            None => Ok(()),
        }
    }

    /// The resume body that lets the request continue.
    pub fn resume_continue(&self, source: &str, detail: &str) -> ResumeRequest {
        ResumeRequest::continue_request(
            source,
            self.stage.clone(),
            &self.custom_extension_stage_instance_id,
            detail,
        )
    }

    /// The resume body that denies the request (`state: denied`).
    pub fn resume_deny(&self, source: &str, detail: &str) -> ResumeRequest {
        ResumeRequest::deny(
            source,
            self.stage.clone(),
            &self.custom_extension_stage_instance_id,
            detail,
        )
    }
}

impl PreExpirationCallout {
    /// See [`Callout::idempotency_key`].
    pub fn idempotency_key(&self) -> String {
        format!(
            "{}:{}",
            self.custom_extension_stage_instance_id,
            self.stage.as_str().to_ascii_lowercase()
        )
    }
}
