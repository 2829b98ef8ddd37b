//! `request`: from the callout, completed from Graph's assignment request where the
//! callout lacks the justification or the schedule (EM's wire form carries neither).

use chrono::{DateTime, Utc};
use jitadmin_decide::{AccessPackage, AnswerFact, Request, Unavailable};
use jitadmin_events::callout::{RequestCallout, Schedule};
use jitadmin_graph::{GraphClient, GraphError};

use crate::services::requests::{self, Details};

/// Reads the request from Graph, unless the callout already carries what it would give or
/// it was read already (`known`).
pub async fn details(
    graph: &GraphClient,
    callout: &RequestCallout,
    known: Option<Details>,
) -> Result<Option<Details>, GraphError> {
    if known.is_some() {
        return Ok(known);
    }
    if callout.justification.is_some() && schedule_of(callout).is_some() {
        return Ok(None);
    }
    requests::fetch(graph, &callout.access_package_assignment_request_id)
        .await
        .map(Some)
}

fn schedule_of(callout: &RequestCallout) -> Option<&Schedule> {
    callout
        .schedule
        .as_ref()
        .or_else(|| callout.assignment.as_ref()?.schedule.as_ref())
}

/// The request's facts, and the ones that could not be had because Graph failed.
pub fn facts(
    callout: &RequestCallout,
    details: Result<Option<Details>, GraphError>,
    now: DateTime<Utc>,
) -> (Request, Vec<Unavailable>) {
    let mut unavailable = Vec::new();
    let details = match details {
        Ok(d) => d.unwrap_or_default(),
        Err(e) => {
            let error = e.to_string();
            if callout.justification.is_none() {
                unavailable.push(missing("request.justification", &error));
            }
            if schedule_of(callout).is_none() {
                for fact in ["request.start", "request.end", "request.durationHours"] {
                    unavailable.push(missing(fact, &error));
                }
            }
            Details::default()
        }
    };
    let schedule = schedule_of(callout).or(details.schedule.as_ref());
    let start = schedule
        .and_then(|s| s.start_date_time)
        .or(details.created_date_time)
        .unwrap_or(now);
    let end = match schedule.map(|s| end_of(s, start)) {
        Some(Ok(end)) => end,
        Some(Err(why)) => {
            for fact in ["request.end", "request.durationHours"] {
                unavailable.push(missing(fact, &why));
            }
            None
        }
        None => None,
    };
    let package = callout.access_package.as_ref();
    let request = Request {
        id: callout.access_package_assignment_request_id.clone(),
        request_type: callout
            .request_type
            .as_ref()
            .map(|t| t.as_str().to_string())
            .unwrap_or_default(),
        justification: callout
            .justification
            .clone()
            .or(details.justification)
            .unwrap_or_default(),
        answers: answers(callout),
        is_extension: callout.is_update(),
        current_end: callout
            .assignment
            .as_ref()
            .and_then(|a| a.schedule.as_ref())
            .and_then(|s| s.expiration.as_ref())
            .and_then(|e| e.end_date_time)
            .filter(|_| callout.is_update()),
        start,
        end,
        duration_hours: end.map(|end| (end - start).num_seconds() as f64 / 3600.0),
        access_package: AccessPackage {
            id: package.and_then(|p| p.id.clone()).unwrap_or_default(),
            display_name: package.and_then(|p| p.display_name.clone()).unwrap_or_default(),
        },
        policy_id: callout
            .assignment
            .as_ref()
            .and_then(|a| a.policy())
            .and_then(|p| p.id.clone())
            .unwrap_or_default(),
    };
    (request, unavailable)
}

/// The callout's answers in the form's order (by the questions' `sequence` where given),
/// each with its question's id and text: two questions may share a text.
fn answers(callout: &RequestCallout) -> Vec<AnswerFact> {
    let mut answers: Vec<(Option<i64>, AnswerFact)> = callout
        .answers
        .iter()
        .map(|a| {
            let question = a.answered_question.as_ref();
            let value = a.value.clone().or_else(|| a.display_value.clone()).unwrap_or_default();
            let fact = AnswerFact {
                question_id: question.and_then(|q| q.id.clone()).unwrap_or_default(),
                question: a.question_text().unwrap_or_default().to_string(),
                display_value: a.display_value.clone().filter(|d| *d != value).unwrap_or_default(),
                value,
            };
            (question.and_then(|q| q.sequence), fact)
        })
        .collect();
    // A stable sort: answers without a sequence keep their place after those with one.
    answers.sort_by_key(|(sequence, _)| sequence.unwrap_or(i64::MAX));
    answers.into_iter().map(|(_, a)| a).collect()
}

/// The end of the schedule `callout`'s request asks for (from the callout, else from Graph),
/// when it has one: the new end of an extension.
pub async fn new_end(graph: &GraphClient, callout: &RequestCallout) -> Option<DateTime<Utc>> {
    let details = details(graph, callout, None).await.ok().flatten().unwrap_or_default();
    let schedule = callout.schedule.as_ref().or(details.schedule.as_ref())?;
    let start = schedule
        .start_date_time
        .or(details.created_date_time)
        .unwrap_or_else(Utc::now);
    end_of(schedule, start).ok().flatten()
}

/// When `user`'s delivered assignment of `package` ends (`None`: open-ended, or none
/// delivered), for an extension's `request.currentEnd`.
pub async fn current_end(graph: &GraphClient, package: &str, user: &str) -> Result<Option<DateTime<Utc>>, GraphError> {
    if package.is_empty() {
        return Ok(None);
    }
    let assignments = graph.list_user_assignments(package, user).await?;
    let delivered = assignments
        .into_iter()
        .find(|a| a.state.as_deref().is_some_and(|s| s.eq_ignore_ascii_case("delivered")));
    let schedule: Option<Schedule> = delivered
        .and_then(|a| a.schedule)
        .and_then(|s| serde_json::from_value(s).ok());
    Ok(schedule.and_then(|s| {
        let start = s.start_date_time?;
        end_of(&s, start).ok().flatten()
    }))
}

fn missing(fact: &str, error: &str) -> Unavailable {
    Unavailable {
        fact: fact.to_string(),
        error: error.to_string(),
    }
}

/// The end of a schedule starting at `start`: a fixed end, or start + duration; `None`
/// when open-ended (`noExpiration`, or nothing given). A duration whose end no calendar
/// holds is an error (the end is then unavailable, so the rules cannot approve on it).
fn end_of(schedule: &Schedule, start: DateTime<Utc>) -> Result<Option<DateTime<Utc>>, String> {
    let Some(expiration) = schedule.expiration.as_ref() else {
        return Ok(None);
    };
    if expiration.kind.as_deref() == Some("noExpiration") {
        return Ok(None);
    }
    if let Some(end) = expiration.end_date_time {
        return Ok(Some(end));
    }
    let Some(length) = expiration.length() else {
        return Ok(None);
    };
    start
        .checked_add_signed(length)
        .map(Some)
        .ok_or_else(|| "the requested duration is out of range".to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Duration;
    use jitadmin_events::callout::Callout;

    fn created(extra: serde_json::Value) -> RequestCallout {
        let mut body = serde_json::json!({
            "Stage": "assignmentRequestCreated",
            "CustomExtensionStageInstanceId": "i-1",
            "AccessPackageAssignmentRequestId": "r-1",
            "RequestType": "userAdd",
            "AccessPackage": {"Id": "p-1", "DisplayName": "Local admin"},
            "Assignment": {"Target": {"ObjectId": "u-1"}, "AssignmentPolicy": {"Id": "pol-1"}},
            "Answers": [{"Value": "INC0012345", "AnsweredQuestion": {"TextString": "Ticket?"}}],
        });
        if let (Some(b), Some(e)) = (body.as_object_mut(), extra.as_object()) {
            b.extend(e.clone());
        }
        match Callout::from_value(body).expect("callout") {
            Callout::Request(r) => *r,
            other => panic!("not a request callout: {other:?}"),
        }
    }

    #[test]
    fn graph_gives_the_justification_and_schedule_the_wire_callout_lacks() {
        let now = Utc::now();
        let start: DateTime<Utc> = "2026-11-28T08:00:00Z".parse().unwrap();
        let details: Details = serde_json::from_value(serde_json::json!({
            "justification": "INC0012345: printer driver",
            "schedule": {"startDateTime": "2026-11-28T08:00:00Z", "recurrence": null,
                         "expiration": {"endDateTime": null, "duration": "PT8H", "type": "afterDuration"}},
        }))
        .unwrap();
        let (request, unavailable) = facts(&created(serde_json::json!({})), Ok(Some(details)), now);
        assert!(unavailable.is_empty());
        assert_eq!(request.justification, "INC0012345: printer driver");
        assert_eq!(request.start, start);
        assert_eq!(request.end, Some(start + Duration::hours(8)));
        assert_eq!(request.duration_hours, Some(8.0));
        assert_eq!(request.request_type, "userAdd");
        assert_eq!(request.policy_id, "pol-1");
        assert_eq!(request.access_package.display_name, "Local admin");
        assert_eq!(request.answers[0].question, "Ticket?");
        assert_eq!(request.answers[0].value, "INC0012345");
    }

    #[test]
    fn a_graph_failure_marks_the_justification_and_schedule_unavailable() {
        let error = GraphError::InvalidRequest("boom".into());
        let (request, unavailable) = facts(&created(serde_json::json!({})), Err(error), Utc::now());
        let names: Vec<&str> = unavailable.iter().map(|u| u.fact.as_str()).collect();
        assert_eq!(
            names,
            [
                "request.justification",
                "request.start",
                "request.end",
                "request.durationHours"
            ]
        );
        assert_eq!(request.end, None);
    }

    #[test]
    fn two_questions_with_the_same_text_keep_their_ids_and_order() {
        let callout = created(serde_json::json!({
            "Answers": [
                {"Value": "second", "AnsweredQuestion": {"Id": "q-2", "Sequence": 1, "TextString": "Why?"}},
                {"Value": "pc-1", "DisplayValue": "PC 1", "AnsweredQuestion": {"Id": "q-1", "Sequence": 0, "TextString": "Why?"}},
            ],
        }));
        let (request, _) = facts(&callout, Ok(None), Utc::now());
        let ids: Vec<&str> = request.answers.iter().map(|a| a.question_id.as_str()).collect();
        assert_eq!(ids, ["q-1", "q-2"]);
        assert_eq!(request.answers[0].shown(), "PC 1");
        assert_eq!(request.answers[0].value, "pc-1");
        assert_eq!(request.answers[1].question, "Why?");
    }

    #[test]
    fn a_duration_beyond_the_calendar_is_unavailable_not_a_panic() {
        let callout = created(serde_json::json!({
            "Justification": "x",
            "Schedule": {"StartDateTime": "2026-11-28T08:00:00Z",
                         "Expiration": {"Type": "afterDuration", "Duration": "P999999999D"}},
        }));
        let (request, unavailable) = facts(&callout, Ok(None), Utc::now());
        let names: Vec<&str> = unavailable.iter().map(|u| u.fact.as_str()).collect();
        assert_eq!(names, ["request.end", "request.durationHours"]);
        assert_eq!(request.end, None);
        assert_eq!(request.duration_hours, None);
    }

    #[test]
    fn an_open_ended_request_has_no_end_or_duration() {
        let callout = created(serde_json::json!({
            "Justification": "x",
            "Schedule": {"StartDateTime": "2026-11-28T08:00:00Z", "Expiration": {"Type": "noExpiration"}},
        }));
        let (request, unavailable) = facts(&callout, Ok(None), Utc::now());
        assert!(unavailable.is_empty());
        assert_eq!(request.end, None);
        assert_eq!(request.duration_hours, None);
    }
}
