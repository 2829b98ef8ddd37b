//! Timer-trigger invocations.

use chrono::{DateTime, Utc};
use serde_json::{json, Map, Value};

use crate::invocation::InvocationRequest;

/// A timer-triggered invocation: `Data.<binding>` is the serialised `TimerInfo`
/// `{Schedule: {AdjustForDST}, ScheduleStatus: {Last, Next, LastUpdated}, IsPastDue}`. See
/// <https://learn.microsoft.com/azure/azure-functions/functions-bindings-timer>.
/// The binding is `timer` unless set.
///
/// ```
/// use azfn_runtime::testing::TimerInvocation;
/// use azfn_runtime::{InvocationRequest, TimerInfo, Trigger};
///
/// let request: InvocationRequest = TimerInvocation::new().past_due(true).into();
/// assert!(TimerInfo::from_request(&request, "timer").unwrap().is_past_due);
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct TimerInvocation {
    binding: String,
    is_past_due: bool,
    last: Option<DateTime<Utc>>,
    next: Option<DateTime<Utc>>,
    last_updated: DateTime<Utc>,
}

impl Default for TimerInvocation {
    fn default() -> Self {
        TimerInvocation::new()
    }
}

impl TimerInvocation {
    /// An on-time run with no previous run and no next one known.
    pub fn new() -> Self {
        TimerInvocation {
            binding: "timer".to_owned(),
            is_past_due: false,
            last: None,
            next: None,
            last_updated: Utc::now(),
        }
    }

    /// Name the trigger binding (the `name` in function.json); `timer` by default.
    pub fn binding(mut self, name: &str) -> Self {
        name.clone_into(&mut self.binding);
        self
    }

    /// Mark the run late (the host missed the scheduled time).
    pub fn past_due(mut self, is_past_due: bool) -> Self {
        self.is_past_due = is_past_due;
        self
    }

    /// Set the previous run.
    pub fn last(mut self, at: DateTime<Utc>) -> Self {
        self.last = Some(at);
        self
    }

    /// Set the next scheduled run.
    pub fn next(mut self, at: DateTime<Utc>) -> Self {
        self.next = Some(at);
        self
    }

    /// The envelope the host would POST for this run.
    pub fn to_request(&self) -> InvocationRequest {
        let info = json!({
            "Schedule": {"AdjustForDST": true},
            "ScheduleStatus": {
                "Last": timestamp(self.last),
                "Next": timestamp(self.next),
                "LastUpdated": timestamp(Some(self.last_updated)),
            },
            "IsPastDue": self.is_past_due,
        });
        let mut data = Map::new();
        data.insert(self.binding.clone(), info);
        InvocationRequest {
            data,
            metadata: Map::new(),
        }
    }
}

impl From<TimerInvocation> for InvocationRequest {
    fn from(invocation: TimerInvocation) -> Self {
        invocation.to_request()
    }
}

fn timestamp(at: Option<DateTime<Utc>>) -> Value {
    match at {
        Some(at) => Value::String(at.format("%Y-%m-%dT%H:%M:%S%.f+00:00").to_string()),
        // .NET's `DateTime.MinValue`, what the host reports when it has no time.
        None => Value::String("0001-01-01T00:00:00".into()),
    }
}
