//! Facts as CEL values, built once per decision. Strings are borrowed from the
//! facts, not copied.

use crate::facts::{Device, Facts, History, Person};
use cel::common::types::{CelBool, CelDouble, CelInt, CelList, CelMap, CelMapKey, CelString, CelTimestamp};
use cel::common::value::Val;
use cel::{Context, Value};
use chrono::{DateTime, Datelike, FixedOffset, Offset, TimeZone, Timelike, Utc};
use chrono_tz::Tz;
use std::collections::HashMap;

type V<'f> = Box<dyn Val + 'f>;

/// A CEL object under construction: string keys, fields absent when `None`.
struct Obj<'f>(HashMap<CelMapKey<'f>, V<'f>>);

impl<'f> Obj<'f> {
    fn new() -> Self {
        Obj(HashMap::with_capacity(12))
    }
    fn s(self, k: &'static str, v: &'f str) -> Self {
        self.v(k, Box::new(CelString::from(v)))
    }
    fn v(mut self, k: &'static str, v: V<'f>) -> Self {
        self.0.insert(CelMapKey::from(k), v);
        self
    }
    fn opt(self, k: &'static str, v: Option<V<'f>>) -> Self {
        match v {
            Some(v) => self.v(k, v),
            None => self,
        }
    }
    fn done(self) -> V<'f> {
        Box::new(CelMap::from(self.0))
    }
}

fn ts<'f>(t: DateTime<Utc>) -> V<'f> {
    Box::new(CelTimestamp::from(t.fixed_offset()))
}

fn boolean<'f>(b: bool) -> V<'f> {
    Box::new(CelBool::from(b))
}

/// Binds the variables (`target`, its older name `requestor`, `requestedBy`, `request`,
/// `devices`, `history`, `now`) in `ctx`.
pub(crate) fn bind<'f>(ctx: &mut Context<'_, 'f>, facts: &'f Facts, tz: Tz) {
    ctx.add_variable_as_val("target", person(&facts.target));
    ctx.add_variable_as_val("requestor", person(&facts.target));
    ctx.add_variable_as_val("requestedBy", person(facts.requester()));
    ctx.add_variable_as_val("request", request(facts));
    let devices: Vec<V<'f>> = facts.devices.iter().map(device).collect();
    ctx.add_variable_as_val("devices", Box::new(CelList::from(devices)));
    ctx.add_variable_as_val("history", history(&facts.history));
    ctx.add_variable_as_val("now", now(facts.now, tz));
}

fn person(r: &Person) -> V<'_> {
    Obj::new()
        .s("id", &r.id)
        .s("userPrincipalName", &r.user_principal_name)
        .s("displayName", &r.display_name)
        .s("department", &r.department)
        .s("jobTitle", &r.job_title)
        .s("userType", &r.user_type)
        .v("accountEnabled", boolean(r.account_enabled))
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

fn request(facts: &Facts) -> V<'_> {
    let r = &facts.request;
    // By text and by id; where two questions share a text, the first answer keeps the text
    // key (read the others by id).
    let mut answers: HashMap<CelMapKey<'_>, V<'_>> = HashMap::with_capacity(r.answers.len() * 2);
    for a in r.answers.iter().rev() {
        let value = || Box::new(CelString::from(a.value.as_str())) as V<'_>;
        if !a.question_id.is_empty() {
            answers.insert(CelMapKey::from(a.question_id.as_str()), value());
        }
        answers.insert(CelMapKey::from(a.question.as_str()), value());
    }
    let answer_list: Vec<V<'_>> = r
        .answers
        .iter()
        .map(|a| {
            Obj::new()
                .s("questionId", &a.question_id)
                .s("question", &a.question)
                .s("value", &a.value)
                .s("displayValue", a.shown())
                .done()
        })
        .collect();
    Obj::new()
        .s("id", &r.id)
        .s("type", &r.request_type)
        .s("justification", &r.justification)
        .v("isOnBehalf", boolean(facts.is_on_behalf()))
        .v("isExtension", boolean(r.is_extension))
        .opt("currentEnd", r.current_end.map(ts))
        .v("answers", Box::new(CelMap::from(answers)))
        .v("answerList", Box::new(CelList::from(answer_list)))
        .v("start", ts(r.start))
        .opt("end", r.end.map(ts))
        .opt(
            "durationHours",
            r.duration_hours().map(|h| Box::new(CelDouble::from(h)) as V<'_>),
        )
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

fn device(d: &Device) -> V<'_> {
    Obj::new()
        .s("id", &d.id)
        .s("deviceName", &d.device_name)
        .s("operatingSystem", &d.operating_system)
        .s("osVersion", &d.os_version)
        .s("complianceState", &d.compliance_state)
        .v("isPrimaryUser", boolean(d.is_primary_user))
        .opt("lastSyncDateTime", d.last_sync_date_time.map(ts))
        .s("managementAgent", &d.management_agent)
        .done()
}

fn history(h: &History) -> V<'_> {
    Obj::new()
        .v("activeElevation", boolean(h.active_elevation))
        .v("grantsLast30Days", Box::new(CelInt::from(h.grants_last30_days)))
        .v(
            "elevatedHoursLast30Days",
            Box::new(CelDouble::from(h.elevated_hours_last30_days)),
        )
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

fn now<'f>(at: DateTime<Utc>, tz: Tz) -> V<'f> {
    let local = tz.from_utc_datetime(&at.naive_utc());
    let offset: FixedOffset = local.offset().fix();
    Obj::new()
        .v("time", Box::new(CelTimestamp::from(at.with_timezone(&offset))))
        .s("weekday", weekday_name(local.weekday()))
        .v("hour", Box::new(CelInt::from(i64::from(local.hour()))))
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

/// Reads a dotted path (`requestor.displayName`) from the bound variables, for reason placeholders.
pub(crate) fn lookup(ctx: &Context<'_, '_>, path: &str) -> Option<Value> {
    let mut parts = path.split('.');
    let var = ctx.get_variable(parts.next()?)?;
    let mut v: &dyn Val = &*var;
    for part in parts {
        let map = v.downcast_ref::<CelMap>()?;
        v = map.inner().get(&CelMapKey::from(part))?.as_ref();
    }
    Value::try_from(v).ok()
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
        format!("{f:.2}")
            .trim_end_matches('0')
            .trim_end_matches('.')
            .to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(ctx: &Context<'_, '_>, path: &str) -> Option<String> {
        lookup(ctx, path).as_ref().map(display)
    }

    #[test]
    fn now_is_told_in_the_rules_time_zone() {
        let facts = Facts {
            now: "2026-03-29T22:30:00Z".parse().expect("time"),
            ..Facts::default()
        };
        let mut ctx = Context::default();
        bind(&mut ctx, &facts, chrono_tz::Europe::Paris);
        assert_eq!(lookup(&ctx, "now.hour"), Some(Value::Int(0)));
        assert_eq!(text(&ctx, "now.weekday").as_deref(), Some("Monday"));
        assert_eq!(text(&ctx, "now.timeZone").as_deref(), Some("Europe/Paris"));
    }

    #[test]
    fn absent_optional_facts_are_absent_keys() {
        let facts = Facts::default();
        let mut ctx = Context::default();
        bind(&mut ctx, &facts, Tz::UTC);
        assert!(lookup(&ctx, "requestor.manager").is_none());
        assert!(lookup(&ctx, "request.durationHours").is_none());
        assert_eq!(text(&ctx, "requestor.department").as_deref(), Some(""));
    }
}
