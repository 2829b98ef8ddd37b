//! The facts a decision is made on: plain typed structs that the gatherer fills
//! (from the callout, Graph and the store) or that a facts JSON file holds.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Deserializer, Serialize};
use std::path::Path;

pub use crate::answers::AnswerFact;

/// Everything the rules can read. JSON is camelCase; see `testdata/facts-*.json`.
/// Unknown fields in a facts file are errors (a misspelt fact would otherwise read as empty).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Facts {
    /// Who would get the right: the assignment's target. `requestor` in older facts
    /// files and rules, which always meant the target.
    #[serde(default, alias = "requestor")]
    pub target: Person,
    /// Who filed the request: the target themselves, or a manager or administrator for them.
    /// A facts file without it was filed by the target.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub requested_by: Option<Person>,
    /// What they asked for.
    #[serde(default)]
    pub request: Request,
    /// The requestor's Intune managed devices.
    #[serde(default)]
    pub devices: Vec<Device>,
    /// The requestor's elevation history.
    #[serde(default)]
    pub history: History,
    /// The decision time (UTC). The rules' `time_zone` gives `now.weekday` and `now.hour`.
    /// A facts file without it is decided at the current time.
    #[serde(default = "Utc::now")]
    pub now: DateTime<Utc>,
    /// Facts that could not be fetched. A rule that reads one of them errors, and no
    /// decision made while any is listed is an approval: it becomes the `on_error` decision.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub unavailable: Vec<Unavailable>,
}

/// A fact that could not be fetched, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Unavailable {
    /// The fact's path: a variable (`devices`) or a field (`requestor.manager`).
    pub fact: String,
    /// What went wrong, for the explanation (e.g. "Graph 503 on /users/{id}/managedDevices").
    pub error: String,
}

/// The older name of [`Person`], when `requestor` was the only person of the facts.
pub type Requestor = Person;

/// `target` or `requestedBy`: a user, from Graph `/users/{id}` (and, for the target, `/manager`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Person {
    /// Directory object id.
    #[serde(default, deserialize_with = "null_as_default")]
    pub id: String,
    /// UPN.
    #[serde(default, deserialize_with = "null_as_default")]
    pub user_principal_name: String,
    /// Display name.
    #[serde(default, deserialize_with = "null_as_default")]
    pub display_name: String,
    /// Department ("" when unset).
    #[serde(default, deserialize_with = "null_as_default")]
    pub department: String,
    /// Job title ("" when unset).
    #[serde(default, deserialize_with = "null_as_default")]
    pub job_title: String,
    /// "Member" or "Guest".
    #[serde(default, deserialize_with = "null_as_default")]
    pub user_type: String,
    /// Whether the account is enabled (false when unknown).
    #[serde(default, deserialize_with = "null_as_default")]
    pub account_enabled: bool,
    /// Employee type ("" when unset).
    #[serde(default, deserialize_with = "null_as_default")]
    pub employee_type: String,
    /// Company name ("" when unset).
    #[serde(default, deserialize_with = "null_as_default")]
    pub company_name: String,
    /// Country ("" when unset).
    #[serde(default, deserialize_with = "null_as_default")]
    pub country: String,
    /// When the account was created.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created_date_time: Option<DateTime<Utc>>,
    /// The manager, when there is one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub manager: Option<Manager>,
}

/// `target.manager`
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Manager {
    /// Directory object id.
    #[serde(default, deserialize_with = "null_as_default")]
    pub id: String,
    /// Display name.
    #[serde(default, deserialize_with = "null_as_default")]
    pub display_name: String,
}

/// `request`: the assignment request, from the callout and Graph.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Request {
    /// Assignment request id.
    #[serde(default, deserialize_with = "null_as_default")]
    pub id: String,
    /// Request type, e.g. "userAdd".
    #[serde(rename = "type", default, deserialize_with = "null_as_default")]
    pub request_type: String,
    /// The requestor's justification ("" when none).
    #[serde(default, deserialize_with = "null_as_default")]
    pub justification: String,
    /// The answers to the policy's questions, in the form's order. A facts file may give
    /// them as a list or, as older files do, as a `question text -> answer` object.
    #[serde(default, deserialize_with = "crate::answers::answers")]
    pub answers: Vec<AnswerFact>,
    /// Whether the request changes an assignment the target already has (an extension or
    /// another update), rather than asking for a new one.
    #[serde(default)]
    pub is_extension: bool,
    /// For an extension: when the current assignment ends (absent when unknown or open-ended).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub current_end: Option<DateTime<Utc>>,
    /// Requested start (the request time when not scheduled).
    #[serde(default)]
    pub start: DateTime<Utc>,
    /// Requested end; `None` when open-ended.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub end: Option<DateTime<Utc>>,
    /// Requested duration in hours; computed from `start` and `end` when not given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub duration_hours: Option<f64>,
    /// The access package.
    #[serde(default)]
    pub access_package: AccessPackage,
    /// Assignment policy id.
    #[serde(default, deserialize_with = "null_as_default")]
    pub policy_id: String,
}

impl Request {
    /// The requested duration in hours: given, or `end - start`, or `None` when open-ended.
    pub fn duration_hours(&self) -> Option<f64> {
        self.duration_hours
            .or_else(|| self.end.map(|end| (end - self.start).num_seconds() as f64 / 3600.0))
    }
}

/// `request.accessPackage`
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct AccessPackage {
    /// Access package id.
    #[serde(default, deserialize_with = "null_as_default")]
    pub id: String,
    /// Access package name.
    #[serde(default, deserialize_with = "null_as_default")]
    pub display_name: String,
}

/// An element of `devices`: an Intune managed device of the requestor.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Device {
    /// Intune managed device id.
    #[serde(default, deserialize_with = "null_as_default")]
    pub id: String,
    /// Device name.
    #[serde(default, deserialize_with = "null_as_default")]
    pub device_name: String,
    /// e.g. "Windows".
    #[serde(default, deserialize_with = "null_as_default")]
    pub operating_system: String,
    /// e.g. "10.0.22631.4037".
    #[serde(default, deserialize_with = "null_as_default")]
    pub os_version: String,
    /// e.g. "compliant", "noncompliant", "unknown".
    #[serde(default, deserialize_with = "null_as_default")]
    pub compliance_state: String,
    /// Whether the requestor is the device's primary user.
    #[serde(default, deserialize_with = "null_as_default")]
    pub is_primary_user: bool,
    /// Last Intune sync.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_sync_date_time: Option<DateTime<Utc>>,
    /// e.g. "mdm".
    #[serde(default, deserialize_with = "null_as_default")]
    pub management_agent: String,
}

/// `history`: the requestor's elevations, from the store.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct History {
    /// Whether an elevation is active now.
    #[serde(default)]
    pub active_elevation: bool,
    /// Grants in the last 30 days.
    #[serde(default)]
    pub grants_last30_days: i64,
    /// Elevated hours in the last 30 days.
    #[serde(default)]
    pub elevated_hours_last30_days: f64,
    /// The last denial, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_denial: Option<Denial>,
}

/// `history.lastDenial`
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Denial {
    /// When it was denied.
    pub date_time: DateTime<Utc>,
    /// The reason given.
    #[serde(default, deserialize_with = "null_as_default")]
    pub reason: String,
    /// The rule that denied ("" when a person did).
    #[serde(default, deserialize_with = "null_as_default")]
    pub rule: String,
}

/// A facts file could not be read.
#[derive(Debug, thiserror::Error)]
pub enum FactsError {
    /// The file could not be read.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: String,
        /// Why.
        source: std::io::Error,
    },
    /// The JSON is malformed or has a wrongly typed field.
    #[error("{path}:{line}:{column}: {message}")]
    Json {
        /// The file.
        path: String,
        /// 1-based line.
        line: usize,
        /// 1-based column.
        column: usize,
        /// What is wrong.
        message: String,
    },
    /// A part of the facts is neither given nor listed as unavailable.
    #[error("{path}: facts lack `{part}` (list it under \"unavailable\" if it could not be fetched)")]
    Missing {
        /// The file.
        path: String,
        /// The missing part.
        part: &'static str,
    },
}

impl Facts {
    /// The top-level parts a facts file must give (or list as unavailable); `target` may be
    /// given as `requestor`.
    pub const PARTS: [&'static str; 4] = ["target", "request", "devices", "history"];

    /// Reads a facts JSON file (the format of `jitadmin decide --facts FILE`).
    pub fn from_json_file(path: impl AsRef<Path>) -> Result<Facts, FactsError> {
        let path = path.as_ref();
        let name = path.display().to_string();
        let text = std::fs::read_to_string(path).map_err(|source| FactsError::Io {
            path: name.clone(),
            source,
        })?;
        Facts::from_json(&name, &text)
    }

    /// Parses facts JSON; `name` is used in errors.
    pub fn from_json(name: &str, text: &str) -> Result<Facts, FactsError> {
        let json_err = |e: serde_json::Error| FactsError::Json {
            path: name.to_string(),
            line: e.line(),
            column: e.column(),
            message: {
                let m = e.to_string();
                m.rfind(" at line ").map_or(m.clone(), |i| m[..i].to_string())
            },
        };
        let value: serde_json::Value = serde_json::from_str(text).map_err(json_err)?;
        let facts: Facts = serde_json::from_str(text).map_err(json_err)?;
        for part in Facts::PARTS {
            let given = value.get(part).is_some() || (part == "target" && value.get("requestor").is_some());
            if !given && !facts.is_unavailable(part) {
                return Err(FactsError::Missing {
                    path: name.to_string(),
                    part,
                });
            }
        }
        Ok(facts)
    }

    /// Whether `path` (or a part containing it) is listed as unavailable. `requestor` is read
    /// as `target`, and `requestedBy` is unavailable with the target when the target filed it.
    pub fn is_unavailable(&self, path: &str) -> bool {
        let path = canonical(path);
        let path = match path.strip_prefix("requestedBy") {
            Some(rest) if self.requested_by.is_none() => format!("target{rest}"),
            _ => path,
        };
        self.unavailable.iter().any(|u| overlaps(&canonical(&u.fact), &path))
    }

    /// Marks a fact as unavailable (for gatherers).
    pub fn mark_unavailable(&mut self, fact: impl Into<String>, error: impl Into<String>) {
        self.unavailable.push(Unavailable {
            fact: fact.into(),
            error: error.into(),
        });
    }

    /// Who filed the request: [`Facts::requested_by`], or the target when they filed it.
    pub fn requester(&self) -> &Person {
        self.requested_by.as_ref().unwrap_or(&self.target)
    }

    /// Whether someone other than the target filed the request.
    pub fn is_on_behalf(&self) -> bool {
        self.requested_by
            .as_ref()
            .is_some_and(|by| !by.id.is_empty() && !by.id.eq_ignore_ascii_case(&self.target.id))
    }
}

/// `requestor...` as `target...`: the old name of the same fact.
fn canonical(path: &str) -> String {
    match path.strip_prefix("requestor") {
        Some(rest) if rest.is_empty() || rest.starts_with('.') => format!("target{rest}"),
        _ => path.to_string(),
    }
}

/// Whether one dotted path contains the other (`devices` and `devices`,
/// `requestor` and `requestor.manager.id`).
pub(crate) fn overlaps(a: &str, b: &str) -> bool {
    let (short, long) = if a.len() <= b.len() { (a, b) } else { (b, a) };
    long.starts_with(short) && (long.len() == short.len() || long.as_bytes()[short.len()] == b'.')
}

fn null_as_default<'de, D, T>(d: D) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
    T: Default + Deserialize<'de>,
{
    Ok(Option::<T>::deserialize(d)?.unwrap_or_default())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_overlap_on_dot_boundaries_only() {
        assert!(overlaps("devices", "devices"));
        assert!(overlaps("requestor", "requestor.manager.id"));
        assert!(overlaps("requestor.manager.id", "requestor.manager"));
        assert!(!overlaps("request", "requestor"));
        assert!(!overlaps("requestor.id", "requestor.manager"));
    }

    #[test]
    fn duration_is_computed_from_start_and_end() {
        let facts = Facts::from_json(
            "t",
            r#"{"requestor":{},"devices":[],"history":{},
               "request":{"start":"2026-01-05T08:00:00Z","end":"2026-01-05T12:30:00Z"}}"#,
        )
        .expect("facts");
        assert_eq!(facts.request.duration_hours(), Some(4.5));
    }

    #[test]
    fn a_part_neither_given_nor_unavailable_is_an_error() {
        let err = Facts::from_json("f.json", r#"{"requestor":{},"request":{},"history":{}}"#).unwrap_err();
        assert_eq!(
            err.to_string(),
            "f.json: facts lack `devices` (list it under \"unavailable\" if it could not be fetched)"
        );
        let ok = Facts::from_json(
            "f.json",
            r#"{"requestor":{},"request":{},"history":{},"unavailable":[{"fact":"devices","error":"503"}]}"#,
        );
        assert!(ok.is_ok());
    }

    #[test]
    fn a_misspelt_fact_is_an_error() {
        let err = Facts::from_json(
            "f.json",
            r#"{"requestor":{"departmnt":"IT"},"request":{},"devices":[],"history":{}}"#,
        )
        .unwrap_err();
        assert!(
            err.to_string()
                .starts_with("f.json:1:25: unknown field `departmnt`, expected one of `id`"),
            "{err}"
        );
    }

    #[test]
    fn nulls_from_graph_become_empty_strings() {
        let facts = Facts::from_json(
            "t",
            r#"{"requestor":{"department":null},"request":{},"devices":[],"history":{}}"#,
        )
        .expect("facts");
        assert_eq!(facts.target.department, "");
    }

    #[test]
    fn answers_are_read_as_a_list_or_as_the_older_map() {
        let old = Facts::from_json(
            "t",
            r#"{"target":{},"request":{"answers":{"Ticket?":"INC1"}},"devices":[],"history":{}}"#,
        )
        .unwrap();
        assert_eq!(old.request.answers[0].question, "Ticket?");
        assert_eq!(old.request.answers[0].value, "INC1");
        let new = Facts::from_json(
            "t",
            r#"{"target":{},"request":{"answers":[{"questionId":"q1","question":"Why?","value":"a"},
               {"questionId":"q2","question":"Why?","value":"b","displayValue":"B"}]},"devices":[],"history":{}}"#,
        )
        .unwrap();
        assert_eq!(new.request.answers.len(), 2);
        assert_eq!(new.request.answers[1].shown(), "B");
    }

    #[test]
    fn requestor_is_the_older_name_of_target() {
        let facts = Facts::from_json(
            "t",
            r#"{"requestor":{"id":"u-1"},"request":{},"devices":[],"history":{},
               "unavailable":[{"fact":"requestor.manager","error":"503"}]}"#,
        )
        .expect("facts");
        assert_eq!(facts.target.id, "u-1");
        assert!(facts.is_unavailable("target.manager.id"));
        assert!(facts.is_unavailable("requestor.manager"));
        // Filed by the target: who asked is the target, and as unavailable.
        assert_eq!(facts.requester().id, "u-1");
        assert!(facts.is_unavailable("requestedBy.manager"));
        assert!(!facts.is_on_behalf());
        let both = Facts::from_json(
            "t",
            r#"{"requestor":{},"target":{},"request":{},"devices":[],"history":{}}"#,
        );
        assert!(both.is_err(), "target given twice");
    }

    #[test]
    fn a_request_filed_for_someone_else_is_on_behalf() {
        let facts = Facts::from_json(
            "t",
            r#"{"target":{"id":"lynne"},"requestedBy":{"id":"megan"},"request":{},"devices":[],"history":{}}"#,
        )
        .expect("facts");
        assert!(facts.is_on_behalf());
        assert_eq!(facts.requester().id, "megan");
    }
}
