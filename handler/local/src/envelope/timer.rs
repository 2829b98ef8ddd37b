//! The timer trigger's `TimerInfo` (<https://learn.microsoft.com/azure/azure-functions/functions-bindings-timer>).

use chrono::{DateTime, Utc};
use serde_json::{json, Map, Value};

use super::envelope;
use crate::encoding::sys;

/// The schedule status a timer invocation reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TimerStatus {
    /// The previous occurrence, if any ran.
    pub last: Option<DateTime<Utc>>,
    /// The next occurrence.
    pub next: Option<DateTime<Utc>>,
    /// True when this run is late.
    pub is_past_due: bool,
}

fn timestamp(at: Option<DateTime<Utc>>) -> Value {
    match at {
        Some(at) => Value::String(at.format("%Y-%m-%dT%H:%M:%S%.f+00:00").to_string()),
        // DateTime.MinValue: what the host reports before a first run.
        None => Value::String("0001-01-01T00:00:00".into()),
    }
}

/// The envelope of a timer-triggered invocation: `Data.<binding>` is the serialised
/// `TimerInfo` object `{Schedule: {AdjustForDST}, ScheduleStatus: {Last, Next,
/// LastUpdated}, IsPastDue}`; `Metadata` holds `sys`.
pub fn timer_invocation(function: &str, binding: &str, status: TimerStatus, now: DateTime<Utc>) -> Value {
    let info = json!({
        "Schedule": {"AdjustForDST": true},
        "ScheduleStatus": {"Last": timestamp(status.last), "Next": timestamp(status.next), "LastUpdated": timestamp(Some(now))},
        "IsPastDue": status.is_past_due
    });
    let mut data = Map::new();
    data.insert(binding.to_owned(), info);
    let mut metadata = Map::new();
    metadata.insert("sys".into(), sys(function, now));
    envelope(data, metadata)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timer_info_has_the_shape_of_a_real_host_request() {
        let fixture: Value = serde_json::from_str(include_str!(
            "../../testdata/host-requests/custom-handler-request-timer-trigger.azfunc-go-fixture.json"
        ))
        .unwrap();
        let now = Utc::now();
        let env = timer_invocation(
            "helloTimer",
            "timer",
            TimerStatus {
                last: Some(now),
                next: Some(now),
                is_past_due: false,
            },
            now,
        );
        let (ours, theirs) = (&env["Data"]["timer"], &fixture["Data"]["timer"]);
        assert_eq!(ours["Schedule"], theirs["Schedule"]);
        assert_eq!(ours["IsPastDue"], theirs["IsPastDue"]);
        let keys = |v: &Value| v.as_object().unwrap().keys().cloned().collect::<Vec<_>>();
        assert_eq!(keys(&ours["ScheduleStatus"]), keys(&theirs["ScheduleStatus"]));
        assert_eq!(keys(&env["Metadata"]["sys"]), keys(&fixture["Metadata"]["sys"]));
    }
}
