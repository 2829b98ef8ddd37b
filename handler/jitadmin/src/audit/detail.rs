//! The details of audit entries, one type per area, written and read through the same types
//! so that the trail names each field once. Every field is optional on reading: entries
//! written by earlier versions lack some of them.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// A callout's handling (`callout.*`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct CalloutDetail {
    /// The event's idempotency key.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub key: Option<String>,
    /// The stage, in the Graph spelling.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub stage: Option<String>,
    /// `customExtensionStageInstanceId`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub stage_instance_id: Option<String>,
    /// The invocation that received the callout.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub correlation_id: Option<String>,
    /// When the callout was received.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub received_at: Option<DateTime<Utc>>,
    /// One line: what handling did.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub outcome: Option<String>,
    /// The operator's replay marker, when the event was replayed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub replay: Option<String>,
    /// For a duplicate: what the first handling did.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub earlier_outcome: Option<String>,
    /// For a failure: whether a retry may succeed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub transient: Option<bool>,
    /// The access package.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub access_package: Option<String>,
    /// Who asked.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub requestor: Option<String>,
    /// The expiring assignment (pre-expiration stages).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub assignment: Option<String>,
    /// Whether a resume was sent.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub resumed: Option<bool>,
    /// The rules' decision, with its explanation.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub decision: Option<DecisionDetail>,
    /// The facts the decision was made on.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub facts: Option<Value>,
    /// For a denial, what `history.lastDenial` reads later.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub denial: Option<Denial>,
}

impl CalloutDetail {
    /// The whole rules decision recorded, when there is one.
    pub fn full_decision(&self) -> Option<jitadmin_decide::Decision> {
        let value = serde_json::to_value(self.decision.as_ref()?).ok()?;
        serde_json::from_value(value).ok()
    }
}

/// The parts of a rules decision the trail shows (the whole decision is kept beside them).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct DecisionDetail {
    /// `approve`, `deny` or `route`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub outcome: Option<String>,
    /// The rule that matched.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rule: Option<String>,
    /// The reason shown.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// Where a route goes.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub route_to: Option<String>,
    /// The rest of the decision (explanation, limits).
    #[serde(flatten)]
    pub rest: Map<String, Value>,
}

/// A denial, by a rule or a person (`rule` empty).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Denial {
    /// The reason the requestor saw.
    pub reason: String,
    /// The rule, or empty when a person denied.
    pub rule: String,
}

/// A Teams approval step (`teams.*` but the drift notices).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct ApprovalDetail {
    /// The approval's stage instance.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub stage_instance_id: Option<String>,
    /// The access package.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub access_package: Option<String>,
    /// The approver's object id.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub approver_id: Option<String>,
    /// The approver's display name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub approver_name: Option<String>,
    /// `approve` or `deny`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub verb: Option<String>,
    /// The approver's reason.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// Why a click was refused or a card closed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub why: Option<String>,
    /// What became of the resume.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub resume: Option<String>,
    /// The resume detail Entra shows.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub detail_text: Option<String>,
    /// `queue` when applied by a queued retry.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub via: Option<String>,
    /// The card's activity.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub activity_id: Option<String>,
    /// The card's conversation.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub conversation_id: Option<String>,
    /// The approvers' channel.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub channel_id: Option<String>,
    /// A repost after a lost answer: maybe a second copy.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub maybe_duplicate: Option<bool>,
    /// When the approval window ends.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub expires_at: Option<DateTime<Utc>>,
    /// Whether a card had been posted.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub posted: Option<bool>,
    /// A Bot Connector or Graph error.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    /// Whether a retry may succeed after that error.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub transient: Option<bool>,
}

/// A device-loop step (`device.*`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct DeviceDetail {
    /// The Intune managed device id.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub device_id: Option<String>,
    /// Its name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub device_name: Option<String>,
    /// `granted` or `removed`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// The sync's ledger key.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub key: Option<String>,
    /// When the sync was asked for.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub requested_at: Option<DateTime<Utc>>,
    /// The device's last check-in before the sync.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_sync_before: Option<String>,
    /// The check-in that confirmed the sync.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_sync_date_time: Option<DateTime<Utc>>,
    /// Why a sync was skipped or a check-in is missing.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub why: Option<String>,
}

/// The user's notice (`user.*`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct NoticeDetail {
    /// `teams` or `mail`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub channel: Option<String>,
    /// Why the user was not told.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub why: Option<String>,
    /// `granted`, `extended` or `removed`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// For a removal, who removed the elevation as far as Graph tells: `user`, `admin`,
    /// `approver`, `system` or `unknown`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub removal: Option<String>,
    /// The devices named in the notice.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub devices: Vec<String>,
    /// Why Teams was not used, when it was wanted.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub not_in_teams: Option<String>,
}

/// A drift finding and what came of it (`watch.*`, `teams.drift.*`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct DriftDetail {
    /// The watched group.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub group: Option<String>,
    /// The access packages that would back the membership.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub access_packages: Vec<String>,
    /// `report` or `remove`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub action: Option<String>,
    /// What the member is when not a user: `group`, `device`, `service principal`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub member_kind: Option<String>,
    /// Whether the member was still there when removed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub was_member: Option<bool>,
    /// The notice's activity.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub activity_id: Option<String>,
    /// The notice's conversation.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub conversation_id: Option<String>,
    /// Why the notice could not be posted.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

/// The denial an entry records, whatever its action: jitadmin writes one with every deny
/// decision ([`CalloutDetail::denial`]), and a person's denial can be recorded the same way.
pub fn denial_of(detail: &Value) -> Option<Denial> {
    #[derive(Deserialize)]
    struct Carrier {
        denial: Denial,
    }
    serde_json::from_value::<Carrier>(detail.clone()).ok().map(|c| c.denial)
}

/// Read a stored detail as `T`; a detail of another shape reads as `T::default()`.
pub fn read<T: for<'de> Deserialize<'de> + Default>(detail: &Value) -> T {
    serde_json::from_value(detail.clone()).unwrap_or_default()
}

/// A detail as stored: the JSON object of `detail`.
pub fn to_value(detail: &impl Serialize) -> Value {
    serde_json::to_value(detail).unwrap_or(Value::Null)
}
