//! Timer trigger input: the serialised `TimerInfo` the host sends, see
//! <https://learn.microsoft.com/azure/azure-functions/functions-bindings-timer>.

use chrono::{DateTime, Utc};
use serde::Deserialize;
use serde_json::Value;

use crate::encoding;
use crate::error::BindingError;

/// The serialised `TimerInfo` of a timer-triggered invocation.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct TimerInfo {
    /// True when this run is late (the host missed the scheduled time).
    pub is_past_due: bool,
    /// The last run, if the host tracks schedule status.
    pub last: Option<DateTime<Utc>>,
    /// The next scheduled run.
    pub next: Option<DateTime<Utc>>,
    /// When the status was last updated.
    pub last_updated: Option<DateTime<Utc>>,
    /// Whether the schedule adjusts for daylight saving time.
    pub adjust_for_dst: Option<bool>,
}

#[derive(Deserialize)]
struct RawTimer {
    #[serde(rename = "Schedule", alias = "schedule", default)]
    schedule: Option<Value>,
    #[serde(rename = "ScheduleStatus", alias = "scheduleStatus", default)]
    schedule_status: Option<Value>,
    #[serde(rename = "IsPastDue", alias = "isPastDue", default)]
    is_past_due: Option<Value>,
}

impl TimerInfo {
    /// Parse `Data.<name>` of a timer-triggered invocation.
    pub fn from_value(value: &Value) -> Result<Self, BindingError> {
        let raw: RawTimer =
            encoding::from_json_body(value).map_err(|e| BindingError::Malformed(format!("TimerInfo: {e}")))?;
        let status = raw.schedule_status.unwrap_or(Value::Null);
        let field = |name: &str| status.get(name).and_then(encoding::decode_datetime);
        Ok(TimerInfo {
            is_past_due: raw
                .is_past_due
                .as_ref()
                .and_then(encoding::decode_bool)
                .unwrap_or(false),
            last: field("Last"),
            next: field("Next"),
            last_updated: field("LastUpdated"),
            adjust_for_dst: raw
                .schedule
                .as_ref()
                .and_then(|s| s.get("AdjustForDST"))
                .and_then(encoding::decode_bool),
        })
    }
}
