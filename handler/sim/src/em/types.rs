//! The public types of simulated entitlement management: stage settings (which stages call
//! out, how, where, with which authentication), new requests, and what happened to them.

use std::time::Duration;

use chrono::{DateTime, Utc};
use serde_json::Value;

/// The four request stages a request-workflow custom extension can be attached to
/// (`accessPackageCustomExtensionStage`,
/// <https://learn.microsoft.com/graph/api/resources/customextensionstagesetting>).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Stage {
    /// `assignmentRequestCreated`: the request was created.
    AssignmentRequestCreated,
    /// `assignmentRequestApproved`: the request was approved.
    AssignmentRequestApproved,
    /// `assignmentRequestGranted`: the assignment was granted.
    AssignmentRequestGranted,
    /// `assignmentRequestRemoved`: the assignment was removed.
    AssignmentRequestRemoved,
}

impl Stage {
    /// All four, in the order a request meets them.
    pub const ALL: [Stage; 4] = [
        Stage::AssignmentRequestCreated,
        Stage::AssignmentRequestApproved,
        Stage::AssignmentRequestGranted,
        Stage::AssignmentRequestRemoved,
    ];

    /// The Graph enum spelling (`assignmentRequestCreated`), also what the callout's `Stage` carries.
    pub fn as_str(self) -> &'static str {
        match self {
            Stage::AssignmentRequestCreated => "assignmentRequestCreated",
            Stage::AssignmentRequestApproved => "assignmentRequestApproved",
            Stage::AssignmentRequestGranted => "assignmentRequestGranted",
            Stage::AssignmentRequestRemoved => "assignmentRequestRemoved",
        }
    }

    /// Reads a stage name in any casing; `None` for anything else.
    pub fn parse(name: &str) -> Option<Stage> {
        Stage::ALL.into_iter().find(|s| s.as_str().eq_ignore_ascii_case(name))
    }

    /// Whether a resume at this stage may carry `state: denied`. Microsoft's pages disagree
    /// (the callback data says created only, the Logic Apps integration article created and
    /// approved); the sim follows Microsoft's Logic Apps integration article: created and approved only.
    pub fn allows_deny(self) -> bool {
        matches!(self, Stage::AssignmentRequestCreated | Stage::AssignmentRequestApproved)
    }
}

/// Launch-and-continue or launch-and-wait: whether EM waits for a resume (`callbackConfiguration`,
/// <https://learn.microsoft.com/graph/api/resources/customextensioncallbackconfiguration>).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LaunchMode {
    /// EM calls out and carries on; nothing is expected back.
    Continue,
    /// EM pauses the request until a resume arrives or `timeout` (simulated time, scaled by the
    /// sim's time scale; EM allows 5 minutes to 14 days) passes.
    Wait {
        /// `callbackConfiguration.timeoutDuration`.
        timeout: Duration,
    },
}

/// What `u`/`p` of a PoP SHR name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PopBinding {
    /// The endpoint's own host (with port when not default) and path: a direct endpoint.
    ThisRequest,
    /// Fixed values, e.g. `management.azure.com` and a Logic App's ARM resource path (what
    /// Microsoft's sample Logic App template checks).
    Fixed {
        /// `u`.
        host: String,
        /// `p`.
        path: String,
    },
}

/// How the PoP access token binds the SHR's key (`cnf`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CnfForm {
    /// `cnf: {kid: <RFC 7638 thumbprint>}` in the token, the key itself in the SHR's `cnf.jwk`
    /// (what MSAL does; the default).
    Thumbprint,
    /// `cnf: {jwk: {...}}` in the token, and the SHR header carries `jwk` too.
    InlineJwk,
}

/// Options of EM's proof-of-possession callouts (Microsoft does not document the SHR layout, so
/// each guess is an option).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PopOptions {
    /// `u`/`p` of the SHR.
    pub binding: PopBinding,
    /// The inner access token's audience (default `https://management.azure.com`, by analogy
    /// with Lifecycle Workflows).
    pub audience: String,
    /// How the key is bound.
    pub cnf: CnfForm,
    /// Whether the SHR carries a `nonce` (default true).
    pub nonce: bool,
}

impl Default for PopOptions {
    fn default() -> Self {
        Self {
            binding: PopBinding::ThisRequest,
            audience: "https://management.azure.com".to_owned(),
            cnf: CnfForm::Thumbprint,
            nonce: true,
        }
    }
}

/// How a callout is authenticated.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CalloutAuth {
    /// `Authorization: Bearer <token>` minted by the sim for `client_id` (an application or a
    /// managed identity of the scenario) and `audience`. With the forwarding Logic App's managed
    /// identity this is the forwarder shape (a Logic App receives EM's callout and calls on with
    /// its own managed identity's token); with EM's app id and the extension's `resourceId` it is
    /// EM's old "Regular" token.
    Bearer {
        /// Who the token is for (`appid`/`azp`, `oid`).
        client_id: String,
        /// The resource asked for (`aud`; v2 apps get their client id).
        audience: String,
    },
    /// `Authorization: PoP <shr>`: EM's own proof-of-possession token
    /// (<https://learn.microsoft.com/graph/api/resources/azureadpoptokenauthentication>).
    Pop(PopOptions),
    /// No `Authorization` header (negative tests).
    None,
}

/// An extension's `clientConfiguration`
/// (<https://learn.microsoft.com/graph/api/resources/customextensionclientconfiguration>):
/// 200 to 2000 ms, 0 or 1 retry. Unset values take the documented default timeout (1000 ms)
/// and, for retries, the sim's default (Microsoft does not document the service's).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ClientTiming {
    /// How long each attempt may take.
    pub timeout: Duration,
    /// Attempts after the first.
    pub retries: u32,
}

/// A policy's custom extension for one stage (`customExtensionStageSetting` with its extension).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StageSetting {
    /// The stage that triggers the callout.
    pub stage: Stage,
    /// The URL EM posts to (the extension's endpoint: a Logic App, or jitadmin's `/api/callout`).
    pub endpoint: String,
    /// Continue or wait.
    pub mode: LaunchMode,
    /// How the callout authenticates.
    pub auth: CalloutAuth,
    /// How long EM waits for the endpoint and how often it tries again
    /// (`clientConfiguration`); `None`: the sim's defaults (`SimConfig`).
    pub client: Option<ClientTiming>,
    /// The custom extension's id (`customExtensionId` of the callout instances).
    pub custom_extension_id: String,
}

impl StageSetting {
    /// Launch-and-wait at `stage`, posting to `endpoint`, timing out after `timeout` (simulated).
    /// Authenticated with PoP by default, as EM does since GA.
    pub fn wait(stage: Stage, endpoint: impl Into<String>, timeout: Duration) -> Self {
        Self {
            stage,
            endpoint: endpoint.into(),
            mode: LaunchMode::Wait { timeout },
            auth: CalloutAuth::Pop(PopOptions::default()),
            client: None,
            custom_extension_id: uuid::Uuid::new_v4().to_string(),
        }
    }

    /// Launch-and-continue at `stage`, posting to `endpoint`.
    pub fn continue_at(stage: Stage, endpoint: impl Into<String>) -> Self {
        Self {
            mode: LaunchMode::Continue,
            ..Self::wait(stage, endpoint, Duration::from_secs(3600))
        }
    }

    /// The same setting with another authentication.
    pub fn with_auth(mut self, auth: CalloutAuth) -> Self {
        self.auth = auth;
        self
    }

    /// The same setting with bearer authentication for `client_id` and `audience`.
    pub fn with_bearer(self, client_id: impl Into<String>, audience: impl Into<String>) -> Self {
        self.with_auth(CalloutAuth::Bearer {
            client_id: client_id.into(),
            audience: audience.into(),
        })
    }
}

/// An answer to one of the policy's questions.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Answer {
    /// The question's id (`accessPackageQuestion.id`); by default derived from its text.
    pub question_id: Option<String>,
    /// The question text.
    pub question: String,
    /// The answer value.
    pub value: String,
    /// For choice questions, the shown text of the chosen value.
    pub display_value: Option<String>,
}

/// A request to create (what a user does in My Access).
#[derive(Debug, Clone, PartialEq)]
pub struct NewRequest {
    /// The requestor's object id.
    pub requestor_id: String,
    /// The target's object id (default: the requestor).
    pub target_id: Option<String>,
    /// The access package.
    pub access_package_id: String,
    /// The policy (default: the package's first).
    pub policy_id: Option<String>,
    /// `userAdd` (default), `adminAdd`, ...
    pub request_type: String,
    /// The requestor's justification.
    pub justification: Option<String>,
    /// Answers to the policy's questions.
    pub answers: Vec<Answer>,
    /// The requested schedule, as Graph's `entitlementManagementSchedule` JSON (default:
    /// starting now, expiring after 8 hours).
    pub schedule: Option<Value>,
}

impl NewRequest {
    /// `requestor_id` asks for `access_package_id` for themself.
    pub fn new(requestor_id: impl Into<String>, access_package_id: impl Into<String>) -> Self {
        Self {
            requestor_id: requestor_id.into(),
            target_id: None,
            access_package_id: access_package_id.into(),
            policy_id: None,
            request_type: "userAdd".to_owned(),
            justification: None,
            answers: Vec::new(),
            schedule: None,
        }
    }

    /// With a justification.
    pub fn justification(mut self, text: impl Into<String>) -> Self {
        self.justification = Some(text.into());
        self
    }

    /// Filed for `target_id` by the requestor: a manager for a direct report, as My Access
    /// lets managers do (<https://learn.microsoft.com/entra/id-governance/entitlement-management-request-behalf>;
    /// Graph's own example files it as `userAdd` with the employee as the target).
    pub fn on_behalf_of(mut self, target_id: impl Into<String>) -> Self {
        self.target_id = Some(target_id.into());
        self
    }

    /// Of another request type (`adminAdd`, `userUpdate`, ...).
    pub fn of_type(mut self, request_type: impl Into<String>) -> Self {
        self.request_type = request_type.into();
        self
    }

    /// Starting now and ending after `duration` (an ISO 8601 duration such as `PT12H`): the
    /// schedule an extension asks for.
    pub fn for_duration(mut self, duration: &str) -> Self {
        let now = chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
        self.schedule = Some(serde_json::json!({
            "startDateTime": now,
            "recurrence": null,
            "expiration": {"endDateTime": null, "duration": duration, "type": "afterDuration"},
        }));
        self
    }

    /// With one more answer, to the question with id `question_id` (two questions of a
    /// policy may have the same text:
    /// <https://learn.microsoft.com/graph/api/resources/accesspackagequestion>).
    pub fn answer_to(
        mut self,
        question_id: impl Into<String>,
        question: impl Into<String>,
        value: impl Into<String>,
    ) -> Self {
        self.answers.push(Answer {
            question_id: Some(question_id.into()),
            question: question.into(),
            value: value.into(),
            display_value: None,
        });
        self
    }

    /// With one more answer.
    pub fn answer(mut self, question: impl Into<String>, value: impl Into<String>) -> Self {
        self.answers.push(Answer {
            question_id: None,
            question: question.into(),
            value: value.into(),
            display_value: None,
        });
        self
    }
}

/// A callout instance's status (Graph's `customExtensionCalloutInstanceStatus`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CalloutStatus {
    /// Sent (launch-and-continue, or a launch-and-wait callout still in flight).
    CalloutSent,
    /// Launch-and-wait: waiting for the resume.
    WaitingForCallback,
    /// The resume arrived.
    CallbackReceived,
    /// Every attempt failed.
    CalloutFailed,
    /// No resume before the timeout.
    CallbackTimedOut,
}

impl CalloutStatus {
    /// Graph's spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            CalloutStatus::CalloutSent => "calloutSent",
            CalloutStatus::WaitingForCallback => "waitingForCallback",
            CalloutStatus::CallbackReceived => "callbackReceived",
            CalloutStatus::CalloutFailed => "calloutFailed",
            CalloutStatus::CallbackTimedOut => "callbackTimedOut",
        }
    }
}

/// One HTTP attempt of a callout.
#[derive(Debug, Clone, PartialEq)]
pub struct CalloutAttempt {
    /// When it was sent.
    pub at: DateTime<Utc>,
    /// How long until the answer (or the timeout).
    pub elapsed: Duration,
    /// The endpoint's status, `None` on timeout or connection error.
    pub status: Option<u16>,
    /// `timeout`, or the connection error.
    pub error: Option<String>,
    /// The `Authorization` scheme sent (`Bearer`, `PoP`), if any.
    pub auth_scheme: Option<String>,
}

impl CalloutAttempt {
    /// Whether the endpoint answered 2xx.
    pub fn succeeded(&self) -> bool {
        self.status.is_some_and(|s| (200..300).contains(&s))
    }
}

/// One custom-extension callout of a request.
#[derive(Debug, Clone, PartialEq)]
pub struct CalloutView {
    /// `CustomExtensionStageInstanceId` (the callout instance's `id`).
    pub stage_instance_id: String,
    /// The stage.
    pub stage: Stage,
    /// The extension.
    pub custom_extension_id: String,
    /// Where it was sent.
    pub endpoint: String,
    /// Continue or wait.
    pub mode: LaunchMode,
    /// Current status.
    pub status: CalloutStatus,
    /// The detail text of the resume, once received.
    pub detail: Option<String>,
    /// The JSON body sent (the same for every attempt).
    pub body: Value,
    /// Each HTTP attempt, in order.
    pub attempts: Vec<CalloutAttempt>,
}

/// A resume the Graph endpoint received for a request, accepted or not.
#[derive(Debug, Clone, PartialEq)]
pub struct ResumeRecord {
    /// When it arrived.
    pub at: DateTime<Utc>,
    /// `data.customExtensionStageInstanceId`, if present.
    pub stage_instance_id: Option<String>,
    /// The body as received (JSON, or a string if not JSON).
    pub body: Value,
    /// The answer: 204, or the error status.
    pub status: u16,
    /// The Graph error code, when refused.
    pub error_code: Option<String>,
}

/// An assignment request as the sim holds it.
#[derive(Debug, Clone, PartialEq)]
pub struct RequestView {
    /// Request id.
    pub id: String,
    /// `userAdd`, `adminRemove`, ...
    pub request_type: String,
    /// `submitted`, `delivered`, `denied`, `deliveryFailed`, ...
    pub state: String,
    /// `Accepted`, `WaitingForCallback`, `Delivered`, `Denied`, `TimedOut`, ...
    pub status: String,
    /// Requestor object id.
    pub requestor_id: String,
    /// Target object id.
    pub target_id: String,
    /// Access package.
    pub access_package_id: String,
    /// Policy.
    pub policy_id: String,
    /// Justification.
    pub justification: Option<String>,
    /// Answers.
    pub answers: Vec<Answer>,
    /// The assignment this request created or removes.
    pub assignment_id: Option<String>,
    /// The schedule JSON (`entitlementManagementSchedule`; null for removals).
    pub schedule: Value,
    /// Created.
    pub created_at: DateTime<Utc>,
    /// Completed (delivered, denied, failed).
    pub completed_at: Option<DateTime<Utc>>,
    /// The approval stage, when the policy has one for this request.
    pub approval: Option<crate::em::approval::ApprovalView>,
    /// Callouts, in order.
    pub callouts: Vec<CalloutView>,
    /// Resumes received, in order.
    pub resumes: Vec<ResumeRecord>,
}

impl RequestView {
    /// The callout of a stage (the latest, if several).
    pub fn callout(&self, stage: Stage) -> Option<&CalloutView> {
        self.callouts.iter().rev().find(|c| c.stage == stage)
    }
}

/// An access-package assignment.
#[derive(Debug, Clone, PartialEq)]
pub struct AssignmentView {
    /// Assignment id.
    pub id: String,
    /// Target object id.
    pub target_id: String,
    /// Access package.
    pub access_package_id: String,
    /// Policy.
    pub policy_id: String,
    /// `delivered`, or `expired` once removed.
    pub state: String,
    /// `Delivered`, `Expired`.
    pub status: String,
    /// The schedule JSON.
    pub schedule: Value,
}
