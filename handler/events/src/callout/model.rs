//! The objects a callout carries: subjects, access package, catalog, policy, assignment,
//! answers, schedule. Field names follow Graph (camelCase); the PascalCase wire form is
//! normalised to them before parsing (see [`crate::callout`]).

use chrono::{DateTime, Utc};
use serde::Deserialize;

use crate::json::{lenient_string, null_as_empty};
use crate::string_enum::string_enum;

string_enum! {
    /// `accessPackageRequestType`: why the request exists.
    pub enum RequestType {
        /// `notSpecified`
        NotSpecified = "notSpecified",
        /// `userAdd`: a user asked for the package.
        UserAdd = "userAdd",
        /// `userUpdate`
        UserUpdate = "userUpdate",
        /// `userRemove`
        UserRemove = "userRemove",
        /// `adminAdd`
        AdminAdd = "adminAdd",
        /// `adminUpdate`
        AdminUpdate = "adminUpdate",
        /// `adminRemove`
        AdminRemove = "adminRemove",
        /// `systemAdd`
        SystemAdd = "systemAdd",
        /// `systemUpdate`
        SystemUpdate = "systemUpdate",
        /// `systemRemove`: e.g. expiry.
        SystemRemove = "systemRemove",
        /// `onBehalfAdd`
        OnBehalfAdd = "onBehalfAdd",
        /// `approverRemove`
        ApproverRemove = "approverRemove",
        /// `unknownFutureValue`
        UnknownFutureValue = "unknownFutureValue",
    }
}

impl RequestType {
    /// Whether the request changes an assignment the target already has (an extension or
    /// another update) rather than asking for one or removing it
    /// (<https://learn.microsoft.com/graph/api/entitlementmanagement-post-assignmentrequests>).
    pub fn is_update(&self) -> bool {
        matches!(
            self,
            RequestType::UserUpdate | RequestType::AdminUpdate | RequestType::SystemUpdate
        )
    }
}

string_enum! {
    /// `accessPackageRequestState`.
    pub enum RequestState {
        /// `submitted`
        Submitted = "submitted",
        /// `pendingApproval`
        PendingApproval = "pendingApproval",
        /// `delivering`
        Delivering = "delivering",
        /// `delivered`
        Delivered = "delivered",
        /// `deliveryFailed`
        DeliveryFailed = "deliveryFailed",
        /// `denied`
        Denied = "denied",
        /// `scheduled`
        Scheduled = "scheduled",
        /// `canceled`
        Canceled = "canceled",
        /// `partiallyDelivered`
        PartiallyDelivered = "partiallyDelivered",
        /// `unknownFutureValue`
        UnknownFutureValue = "unknownFutureValue",
    }
}

string_enum! {
    /// `accessPackageAssignmentState` (the assignment, not the request).
    pub enum AssignmentState {
        /// `delivering`
        Delivering = "delivering",
        /// `partiallyDelivered`
        PartiallyDelivered = "partiallyDelivered",
        /// `delivered`
        Delivered = "delivered",
        /// `expired`
        Expired = "expired",
        /// `deliveryFailed`
        DeliveryFailed = "deliveryFailed",
        /// `unknownFutureValue`
        UnknownFutureValue = "unknownFutureValue",
    }
}

/// An `accessPackageSubject`: the requestor or the assignment's target.
///
/// `id` is entitlement management's subject id; `object_id` is the Entra directory
/// object id to use for `/users/{id}`.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Subject {
    /// EM subject id (not the user id).
    pub id: Option<String>,
    /// Entra object id of the user or service principal.
    pub object_id: Option<String>,
    /// Display name.
    pub display_name: Option<String>,
    /// Mail address.
    pub email: Option<String>,
    /// User principal name (`principalName`).
    pub principal_name: Option<String>,
    /// `user` or `servicePrincipal` (kept as received).
    pub subject_type: Option<String>,
    /// Wire-only `Type`, e.g. `User`.
    #[serde(rename = "type")]
    pub kind: Option<String>,
    /// On-premises SID, when synchronised.
    pub on_premises_security_identifier: Option<String>,
    /// The connected organisation of an external subject.
    pub connected_organization: Option<Reference>,
    /// Its id, as the wire form also carries it flat.
    pub connected_organization_id: Option<String>,
}

/// An object referred to by id with a name: access package, catalog, policy, organisation.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Reference {
    /// Object id.
    pub id: Option<String>,
    /// Display name.
    pub display_name: Option<String>,
    /// Description.
    pub description: Option<String>,
}

/// The assignment the request concerns.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Assignment {
    /// Assignment id.
    pub id: Option<String>,
    /// Assignment state (`delivered`, ...).
    pub state: Option<AssignmentState>,
    /// Free-text status (e.g. `Delivered`, `PendingApproval`).
    pub status: Option<String>,
    /// The user the assignment is for.
    pub target: Option<Subject>,
    /// The target's EM subject id, as the wire form also carries it flat.
    pub target_id: Option<String>,
    /// The policy, as `AssignmentPolicy` on the wire.
    pub assignment_policy: Option<Reference>,
    /// The policy, as `AccessPackageAssignmentPolicy` in some payloads.
    pub access_package_assignment_policy: Option<Reference>,
    /// The assignment's schedule, when present.
    pub schedule: Option<Schedule>,
}

impl Assignment {
    /// The policy, whichever key carried it.
    pub fn policy(&self) -> Option<&Reference> {
        self.assignment_policy
            .as_ref()
            .or(self.access_package_assignment_policy.as_ref())
    }
}

/// `entitlementManagementSchedule`: when an assignment starts and ends.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Schedule {
    /// Start.
    pub start_date_time: Option<DateTime<Utc>>,
    /// End, as a date, a duration or "never".
    pub expiration: Option<Expiration>,
}

/// `expirationPattern`.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Expiration {
    /// Fixed end.
    pub end_date_time: Option<DateTime<Utc>>,
    /// ISO-8601 duration (`PT8H`).
    pub duration: Option<String>,
    /// `notSpecified`, `noExpiration`, `afterDateTime`, `afterDuration` (kept as received).
    #[serde(rename = "type")]
    pub kind: Option<String>,
}

impl Expiration {
    /// The length of `duration`, when it is a readable ISO 8601 duration.
    pub fn length(&self) -> Option<chrono::Duration> {
        self.duration.as_deref().and_then(crate::duration::parse)
    }
}

/// `CallbackConfiguration`: Microsoft does not document its shape inside a callout; both names
/// of the timeout (`timeoutDuration` in the Graph schema, `durationBeforeTimeout` in examples)
/// are accepted.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct CallbackConfiguration {
    /// `timeoutDuration` (schema name).
    pub timeout_duration: Option<String>,
    /// `durationBeforeTimeout` (name seen in examples).
    pub duration_before_timeout: Option<String>,
}

impl CallbackConfiguration {
    /// The launch-and-wait timeout's length, when it is a readable ISO 8601 duration.
    pub fn timeout_length(&self) -> Option<chrono::Duration> {
        self.timeout().and_then(crate::duration::parse)
    }

    /// The launch-and-wait timeout (ISO-8601), whichever name carried it.
    pub fn timeout(&self) -> Option<&str> {
        self.timeout_duration
            .as_deref()
            .or(self.duration_before_timeout.as_deref())
    }
}

/// An answer to one of the policy's questions.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Answer {
    /// The answer as given (choice answers carry the choice's value).
    #[serde(deserialize_with = "lenient_string")]
    pub value: Option<String>,
    /// The answer as displayed (choice answers).
    #[serde(deserialize_with = "lenient_string")]
    pub display_value: Option<String>,
    /// The question answered.
    pub answered_question: Option<Question>,
}

impl Answer {
    /// The question's text, when the callout carries it.
    pub fn question_text(&self) -> Option<&str> {
        let q = self.answered_question.as_ref()?;
        q.text_string
            .as_deref()
            .or(q.text.as_ref().and_then(|t| t.default_text.as_deref()))
    }
}

/// `accessPackageQuestion` as embedded in an answer.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Question {
    /// Question id.
    pub id: Option<String>,
    /// Must be answered.
    pub is_required: Option<bool>,
    /// Order in the form.
    pub sequence: Option<i64>,
    /// The text with its translations.
    pub text: Option<LocalizedContent>,
    /// The text, flattened (wire only).
    pub text_string: Option<String>,
    /// For choice questions: several answers allowed.
    pub is_multiple_selection_allowed: Option<bool>,
    /// For choice questions: the choices.
    #[serde(deserialize_with = "null_as_empty")]
    pub choices: Vec<Choice>,
    /// The user attribute the question maps to, if any.
    pub attribute: Option<QuestionAttribute>,
}

/// `accessPackageLocalizedContent`.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct LocalizedContent {
    /// Default text.
    pub default_text: Option<String>,
    /// Translations.
    #[serde(deserialize_with = "null_as_empty")]
    pub localized_texts: Vec<LocalizedText>,
}

/// One translation.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct LocalizedText {
    /// Text.
    pub text: Option<String>,
    /// Language code (`en-US`).
    pub language_code: Option<String>,
}

/// A choice of a multiple-choice question.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Choice {
    /// Value stored when chosen.
    #[serde(deserialize_with = "lenient_string")]
    pub actual_value: Option<String>,
    /// Text shown.
    pub display_value: Option<LocalizedContent>,
}

/// The user attribute a question maps to.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct QuestionAttribute {
    /// Attribute id.
    pub id: Option<String>,
    /// Attribute name (`givenName`).
    pub name: Option<String>,
}
