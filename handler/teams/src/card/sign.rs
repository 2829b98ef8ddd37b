//! The signature in every action's data: an HMAC-SHA256 over the approval's ids and expiry.
//!
//! Both buttons of a card carry the same `data` apart from the verb, and the MAC covers only
//! the verb-independent fields (`stageInstanceId`, `requestId`, `expiresAt`). Swapping the verb
//! gains an attacker nothing: anyone who holds a card can press either button, and whether the
//! clicker may decide at all is the app's authorisation check, not the card's. What the MAC
//! does prevent is pointing a click at another approval (other ids) or reviving an expired
//! card (a later expiry).

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use chrono::{DateTime, Utc};
use hmac::{Hmac, Mac};
use serde_json::{Map, Value};
use sha2::Sha256;
use subtle::ConstantTimeEq;

use super::model::Verb;

type HmacSha256 = Hmac<Sha256>;

/// Domain separation: a MAC made with the same key for anything else never matches a card's.
const DOMAIN: &[u8] = b"jitadmin/approval-card/v1";

/// The longest reason accepted (characters); the card's input asks for at most this many.
pub const REASON_MAX_CHARS: usize = 500;

/// Why an action's data is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CardError {
    /// The data is not what our cards send.
    #[error("malformed card action data: {0}")]
    Malformed(String),
    /// The MAC does not match: data altered, forged, or signed with another key.
    #[error("the card's signature does not match (altered or forged card data)")]
    BadMac,
    /// The card expired.
    #[error("the card expired at {expired_at}")]
    Expired {
        /// When.
        expired_at: DateTime<Utc>,
    },
}

/// Signs and verifies card action data with an HMAC-SHA256 key.
#[derive(Clone)]
pub struct CardSigner {
    key: Vec<u8>,
}

impl std::fmt::Debug for CardSigner {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CardSigner").field("key", &"<redacted>").finish()
    }
}

/// The data of a clicked action, as the invoke's `value.action.data` carries it (the card's
/// `data` with the input values merged in by Teams).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ActionData {
    /// Which button.
    pub verb: Verb,
    /// The approval's stage instance id.
    pub stage_instance_id: String,
    /// The access package assignment request id.
    pub request_id: String,
    /// The card's expiry, Unix seconds.
    pub expires_at: i64,
    /// The MAC, base64url without padding.
    pub mac: String,
    /// The approver's reason (the `reason` input), trimmed; `None` when empty.
    pub reason: Option<String>,
}

impl CardSigner {
    /// A signer with this key (any length; use 32 random bytes).
    pub fn new(key: &[u8]) -> Self {
        CardSigner { key: key.to_vec() }
    }

    /// The MAC for these fields, base64url without padding.
    pub fn sign(&self, stage_instance_id: &str, request_id: &str, expires_at: i64) -> String {
        URL_SAFE_NO_PAD.encode(self.mac_bytes(stage_instance_id, request_id, expires_at))
    }

    /// Checks the MAC in constant time, then the expiry (`now` at or after `expires_at` is
    /// expired). A bad MAC is reported before expiry, so a forged card learns nothing more.
    pub fn verify(&self, data: &ActionData, now: DateTime<Utc>) -> Result<(), CardError> {
        let given = URL_SAFE_NO_PAD
            .decode(data.mac.as_bytes())
            .map_err(|_| CardError::BadMac)?;
        let expected = self.mac_bytes(&data.stage_instance_id, &data.request_id, data.expires_at);
        if given.len() != expected.len() || !bool::from(given.as_slice().ct_eq(expected.as_slice())) {
            return Err(CardError::BadMac);
        }
        let expired_at = DateTime::from_timestamp(data.expires_at, 0)
            .ok_or_else(|| CardError::Malformed(format!("expiresAt {} is out of range", data.expires_at)))?;
        if now >= expired_at {
            return Err(CardError::Expired { expired_at });
        }
        Ok(())
    }

    fn mac_bytes(&self, stage_instance_id: &str, request_id: &str, expires_at: i64) -> Vec<u8> {
        // Length-prefixed fields: no two different field tuples encode the same bytes.
        let mut mac = <HmacSha256 as Mac>::new_from_slice(&self.key).expect("HMAC takes keys of any length");
        mac.update(DOMAIN);
        for field in [stage_instance_id.as_bytes(), request_id.as_bytes()] {
            mac.update(&(field.len() as u64).to_be_bytes());
            mac.update(field);
        }
        mac.update(&expires_at.to_be_bytes());
        mac.finalize().into_bytes().to_vec()
    }
}

impl ActionData {
    /// Reads the invoke's `value.action.data`. Unknown keys are ignored; `expiresAt` may be a
    /// number or a string of digits. A Deny without a reason, a reason over
    /// [`REASON_MAX_CHARS`], a wrong type or a missing field is [`CardError::Malformed`].
    /// This does not check the MAC: call [`CardSigner::verify`].
    pub fn from_value(v: &Value) -> Result<ActionData, CardError> {
        let obj = v
            .as_object()
            .ok_or_else(|| CardError::Malformed(format!("data is {}, not an object", kind(v))))?;
        let verb_text = text(obj, "verb")?;
        let verb = Verb::parse(verb_text).ok_or_else(|| CardError::Malformed(format!("unknown verb {verb_text:?}")))?;
        let reason = match obj.get("reason") {
            None | Some(Value::Null) => None,
            Some(Value::String(s)) => Some(s.trim()).filter(|s| !s.is_empty()).map(str::to_string),
            Some(other) => return Err(CardError::Malformed(format!("reason is {}, not a string", kind(other)))),
        };
        if let Some(r) = &reason {
            let chars = r.chars().count();
            if chars > REASON_MAX_CHARS {
                return Err(CardError::Malformed(format!(
                    "reason has {chars} characters, more than {REASON_MAX_CHARS}"
                )));
            }
        }
        if verb == Verb::Deny && reason.is_none() {
            return Err(CardError::Malformed("a denial needs a reason".into()));
        }
        Ok(ActionData {
            verb,
            stage_instance_id: id(obj, "stageInstanceId")?,
            request_id: id(obj, "requestId")?,
            expires_at: seconds(obj, "expiresAt")?,
            mac: text(obj, "mac")?.to_string(),
            reason,
        })
    }

    /// Like [`ActionData::from_value`], and also checks the invoke's `value.action.verb`
    /// (when present) against the verb in `data`: they differ only in a hand-made invoke.
    pub fn from_invoke(verb: Option<&str>, data: &Value) -> Result<ActionData, CardError> {
        let parsed = ActionData::from_value(data)?;
        match verb {
            Some(v) if v != parsed.verb.as_str() => Err(CardError::Malformed(format!(
                "action verb {v:?} differs from the data's verb {:?}",
                parsed.verb.as_str()
            ))),
            _ => Ok(parsed),
        }
    }
}

/// Reads the same shape as [`ActionData::from_value`], so a typed invoke's
/// `InvokeAction::data_as::<ActionData>()` works too.
impl<'de> serde::Deserialize<'de> for ActionData {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let v = Value::deserialize(d)?;
        ActionData::from_value(&v).map_err(serde::de::Error::custom)
    }
}

fn kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

fn text<'a>(obj: &'a Map<String, Value>, key: &str) -> Result<&'a str, CardError> {
    match obj.get(key) {
        Some(Value::String(s)) => Ok(s),
        None | Some(Value::Null) => Err(CardError::Malformed(format!("{key} is missing"))),
        Some(other) => Err(CardError::Malformed(format!("{key} is {}, not a string", kind(other)))),
    }
}

fn id(obj: &Map<String, Value>, key: &str) -> Result<String, CardError> {
    let s = text(obj, key)?;
    if s.is_empty() {
        return Err(CardError::Malformed(format!("{key} is empty")));
    }
    Ok(s.to_string())
}

fn seconds(obj: &Map<String, Value>, key: &str) -> Result<i64, CardError> {
    let secs = match obj.get(key) {
        Some(Value::Number(n)) => n.as_i64(),
        Some(Value::String(s)) => s.parse::<i64>().ok(),
        None | Some(Value::Null) => return Err(CardError::Malformed(format!("{key} is missing"))),
        Some(other) => return Err(CardError::Malformed(format!("{key} is {}, not a number", kind(other)))),
    };
    let secs = secs.ok_or_else(|| CardError::Malformed(format!("{key} is not a whole number of seconds")))?;
    DateTime::from_timestamp(secs, 0)
        .map(|_| secs)
        .ok_or_else(|| CardError::Malformed(format!("{key} {secs} is out of range")))
}
