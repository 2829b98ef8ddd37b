//! Facts as CEL values, built once per decision.

use crate::facts::{Device, Facts, History, Requestor};
use cel::objects::{Key, Map};
use cel::Value;
use chrono::{DateTime, Datelike, FixedOffset, Offset, TimeZone, Timelike, Utc};
use chrono_tz::Tz;
use std::collections::HashMap;
use std::sync::Arc;

/// A CEL object under construction: string keys, fields absent when `None`.
struct Obj(HashMap<Key, Value>);

impl Obj {
    fn new() -> Self {
        Obj(HashMap::new())
    }
    fn s(mut self, k: &str, v: &str) -> Self {
        self.0.insert(key(k), Value::String(Arc::new(v.to_string())));
        self
    }
    fn v(mut self, k: &str, v: Value) -> Self {
        self.0.insert(key(k), v);
        self
    }
    fn opt(mut self, k: &str, v: Option<Value>) -> Self {
        if let Some(v) = v {
            self.0.insert(key(k), v);
        }
        self
    }
    fn done(self) -> Value {
        Value::Map(Map { map: Arc::new(self.0) })
    }
}

fn key(k: &str) -> Key {
    Key::String(Arc::new(k.to_string()))
}

fn ts(t: DateTime<Utc>) -> Value {
    Value::Timestamp(t.fixed_offset())
}

/// The five variables, in schema order.
pub(crate) fn variables(facts: &Facts, tz: Tz) -> [(&'static str, Value); 5] {
    [
        ("requestor", requestor(&facts.requestor)),
        ("request", request(facts)),
        (
            "devices",
            Value::List(Arc::new(facts.devices.iter().map(device).collect())),
        ),
        ("history", history(&facts.history)),
        ("now", now(facts.now, tz)),
    ]
}

fn requestor(r: &Requestor) -> Value {
    Obj::new()
        .s("id", &r.id)
        .s("userPrincipalName", &r.user_principal_name)
        .s("displayName", &r.display_name)
        .s("department", &r.department)
        .s("jobTitle", &r.job_title)
        .s("userType", &r.user_type)
        .v("accountEnabled", Value::Bool(r.account_enabled))
        .s("employeeType", &r.employee_type)
        .s("companyName", &r.company_name)
        .s("country", &r.country)
        .opt("createdDateTime", r.created_date_time.map(ts))
        .opt(
            "manager",
            r.manager
                .as_ref()
                .map(|m| Obj::new().s("id", &m.id).s("displayName", &m.display_name).done()),
        )
        .done()
}

fn request(facts: &Facts) -> Value {
    let r = &facts.request;
    let answers: HashMap<Key, Value> = r
        .answers
        .iter()
        .map(|(q, a)| (key(q), Value::String(Arc::new(a.clone()))))
        .collect();
    Obj::new()
        .s("id", &r.id)
        .s("type", &r.request_type)
        .s("justification", &r.justification)
        .v("answers", Value::Map(Map { map: Arc::new(answers) }))
        .v("start", ts(r.start))
        .opt("end", r.end.map(ts))
        .opt("durationHours", r.duration_hours().map(Value::Float))
        .v(
            "accessPackage",
            Obj::new()
                .s("id", &r.access_package.id)
                .s("displayName", &r.access_package.display_name)
                .done(),
        )
        .s("policyId", &r.policy_id)
        .done()
}

fn device(d: &Device) -> Value {
    Obj::new()
        .s("id", &d.id)
        .s("deviceName", &d.device_name)
        .s("operatingSystem", &d.operating_system)
        .s("osVersion", &d.os_version)
        .s("complianceState", &d.compliance_state)
        .v("isPrimaryUser", Value::Bool(d.is_primary_user))
        .opt("lastSyncDateTime", d.last_sync_date_time.map(ts))
        .s("managementAgent", &d.management_agent)
        .done()
}

fn history(h: &History) -> Value {
    Obj::new()
        .v("activeElevation", Value::Bool(h.active_elevation))
        .v("grantsLast30Days", Value::Int(h.grants_last30_days))
        .v("elevatedHoursLast30Days", Value::Float(h.elevated_hours_last30_days))
        .opt(
            "lastDenial",
            h.last_denial.as_ref().map(|d| {
                Obj::new()
                    .v("dateTime", ts(d.date_time))
                    .s("reason", &d.reason)
                    .s("rule", &d.rule)
                    .done()
            }),
        )
        .done()
}

fn now(at: DateTime<Utc>, tz: Tz) -> Value {
    let local = tz.from_utc_datetime(&at.naive_utc());
    let offset: FixedOffset = local.offset().fix();
    Obj::new()
        .v("time", Value::Timestamp(at.with_timezone(&offset)))
        .s("weekday", weekday_name(local.weekday()))
        .v("hour", Value::Int(i64::from(local.hour())))
        .s("timeZone", tz.name())
        .done()
}

fn weekday_name(w: chrono::Weekday) -> &'static str {
    use chrono::Weekday::*;
    match w {
        Mon => "Monday",
        Tue => "Tuesday",
        Wed => "Wednesday",
        Thu => "Thursday",
        Fri => "Friday",
        Sat => "Saturday",
        Sun => "Sunday",
    }
}

/// Reads a dotted path (`requestor.displayName`) from the variables, for reason placeholders.
pub(crate) fn lookup<'a>(vars: &'a [(&'static str, Value)], path: &str) -> Option<&'a Value> {
    let mut parts = path.split('.');
    let first = parts.next()?;
    let mut v = &vars.iter().find(|(n, _)| *n == first)?.1;
    for part in parts {
        v = match v {
            Value::Map(m) => m.map.get(&key(part))?,
            _ => return None,
        };
    }
    Some(v)
}

/// A value as plain text, for reasons and explanations.
pub(crate) fn display(v: &Value) -> String {
    match v {
        Value::String(s) => s.to_string(),
        Value::Int(i) => i.to_string(),
        Value::UInt(u) => u.to_string(),
        Value::Float(f) => format_number(*f),
        Value::Bool(b) => b.to_string(),
        Value::Timestamp(t) => t.to_rfc3339(),
        Value::Duration(d) => format!("{}s", d.num_seconds()),
        Value::Null => "null".into(),
        Value::List(l) => format!("[{} items]", l.len()),
        Value::Map(m) => format!("{{{} entries}}", m.map.len()),
        other => format!("{other:?}"),
    }
}

/// 8 -> "8", 4.5 -> "4.5".
pub(crate) fn format_number(f: f64) -> String {
    if f.fract() == 0.0 && f.abs() < 1e15 {
        format!("{}", f as i64)
    } else {
        format!("{:.2}", f)
            .trim_end_matches('0')
            .trim_end_matches('.')
            .to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn now_is_told_in_the_rules_time_zone() {
        let facts = Facts {
            now: "2026-03-29T22:30:00Z".parse().expect("time"),
            ..Facts::default()
        };
        let vars = variables(&facts, chrono_tz::Europe::Paris);
        assert_eq!(lookup(&vars, "now.hour"), Some(&Value::Int(0)));
        assert_eq!(lookup(&vars, "now.weekday").map(display).as_deref(), Some("Monday"));
        assert_eq!(
            lookup(&vars, "now.timeZone").map(display).as_deref(),
            Some("Europe/Paris")
        );
    }

    #[test]
    fn absent_optional_facts_are_absent_keys() {
        let vars = variables(&Facts::default(), Tz::UTC);
        assert!(lookup(&vars, "requestor.manager").is_none());
        assert!(lookup(&vars, "request.durationHours").is_none());
        assert_eq!(lookup(&vars, "requestor.department").map(display).as_deref(), Some(""));
    }
}
