//! Graph's JSON for assignment requests and assignments (camelCase, as Graph serialises them), and the small
//! `$filter` dialect jitadmin sends (`a/b eq 'v' and c eq 'w'`).

use serde_json::{json, Map, Value};

use crate::em::callout_body::subject_id;
use crate::em::types::{AssignmentView, RequestView};
use crate::graph::errors::GraphError;
use crate::state::TenantState;

/// An `accessPackageSubject` for a directory object.
pub(crate) fn subject(state: &TenantState, object_id: &str) -> Value {
    let user = state.user(object_id);
    json!({
        "id": subject_id(object_id),
        "objectId": object_id,
        "displayName": user.map(|u| u.display_name.clone()),
        "email": user.and_then(|u| u.mail.clone().or_else(|| Some(u.user_principal_name.clone()))),
        "principalName": user.map(|u| u.user_principal_name.clone()),
        "subjectType": "user",
    })
}

fn access_package(state: &TenantState, id: &str) -> Value {
    let p = state.access_packages.iter().find(|p| p.id.eq_ignore_ascii_case(id));
    json!({
        "id": id,
        "displayName": p.map(|p| p.display_name.clone()),
        "description": p.and_then(|p| p.description.clone()),
        "isHidden": false,
    })
}

fn time(t: &chrono::DateTime<chrono::Utc>) -> String {
    t.to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}

/// Which navigation properties to expand (names lower-cased, nested options dropped).
pub(crate) fn expands(raw: Option<&str>) -> Vec<String> {
    let mut out = Vec::new();
    for (k, v) in url::form_urlencoded::parse(raw.unwrap_or_default().as_bytes()) {
        if k.trim_start_matches('$').eq_ignore_ascii_case("expand") {
            let mut depth = 0;
            let mut cur = String::new();
            for c in v.chars() {
                match c {
                    '(' => depth += 1,
                    ')' => depth -= 1,
                    ',' if depth == 0 => out.push(std::mem::take(&mut cur).trim().to_ascii_lowercase()),
                    _ if depth == 0 => cur.push(c),
                    _ => {}
                }
            }
            out.push(cur.trim().to_ascii_lowercase());
        }
    }
    out.retain(|s| !s.is_empty());
    out
}

/// An `accessPackageAssignment`.
pub(crate) fn assignment(state: &TenantState, a: &AssignmentView, expand: &[String]) -> Value {
    let mut m = Map::new();
    m.insert("id".into(), json!(a.id));
    m.insert("state".into(), json!(a.state));
    m.insert("status".into(), json!(a.status));
    m.insert("expiredDateTime".into(), Value::Null);
    m.insert("schedule".into(), a.schedule.clone());
    if expand.iter().any(|e| e == "target") {
        m.insert("target".into(), subject(state, &a.target_id));
    }
    if expand.iter().any(|e| e == "accesspackage") {
        m.insert("accessPackage".into(), access_package(state, &a.access_package_id));
    }
    if expand.iter().any(|e| e == "assignmentpolicy") {
        m.insert("assignmentPolicy".into(), json!({ "id": a.policy_id }));
    }
    Value::Object(m)
}

/// An `accessPackageAssignmentRequest` with its `customExtensionCalloutInstances`.
pub(crate) fn request(
    state: &TenantState,
    r: &RequestView,
    assignment_view: Option<&AssignmentView>,
    expand: &[String],
) -> Value {
    let instances: Vec<Value> = r
        .callouts
        .iter()
        .map(|c| {
            json!({
                "id": c.stage_instance_id,
                "status": c.status.as_str(),
                "customExtensionId": c.custom_extension_id,
                "detail": c.detail,
                "externalCorrelationId": null,
            })
        })
        .collect();
    let answers: Vec<Value> = r
        .answers
        .iter()
        .map(|a| {
            json!({
                "@odata.type": "#microsoft.graph.accessPackageAnswerString",
                "value": a.value,
                "displayValue": a.display_value.clone().unwrap_or_else(|| a.value.clone()),
            })
        })
        .collect();
    let mut m = Map::new();
    m.insert("id".into(), json!(r.id));
    m.insert("requestType".into(), json!(r.request_type));
    m.insert("state".into(), json!(r.state));
    m.insert("status".into(), json!(r.status));
    m.insert("createdDateTime".into(), json!(time(&r.created_at)));
    m.insert("completedDateTime".into(), json!(r.completed_at.as_ref().map(time)));
    m.insert("justification".into(), json!(r.justification));
    m.insert("schedule".into(), r.schedule.clone());
    m.insert("answers".into(), Value::Array(answers));
    m.insert("customExtensionCalloutInstances".into(), Value::Array(instances));
    if expand.iter().any(|e| e == "requestor") {
        m.insert("requestor".into(), subject(state, &r.requestor_id));
    }
    if expand.iter().any(|e| e == "accesspackage") {
        m.insert("accessPackage".into(), access_package(state, &r.access_package_id));
    }
    if expand.iter().any(|e| e == "assignment") {
        let a = match assignment_view {
            Some(a) => assignment(state, a, &["target".to_owned()]),
            None => json!({ "id": null, "target": subject(state, &r.target_id) }),
        };
        m.insert("assignment".into(), a);
    }
    Value::Object(m)
}

/// `path eq 'value'` clauses joined by `and`: `(path lower-cased, value)`. Anything else is 400.
pub(crate) fn filter_clauses(raw: Option<&str>) -> Result<Vec<(String, String)>, GraphError> {
    let filter = url::form_urlencoded::parse(raw.unwrap_or_default().as_bytes())
        .find(|(k, _)| k.trim_start_matches('$').eq_ignore_ascii_case("filter"))
        .map(|(_, v)| v.into_owned());
    let Some(filter) = filter else {
        return Ok(Vec::new());
    };
    let invalid = || GraphError::bad_request(format!("Invalid filter clause: '{filter}'."));
    let mut out = Vec::new();
    let mut rest = filter.trim();
    while !rest.is_empty() {
        let (path, after) = rest.split_once(' ').ok_or_else(invalid)?;
        let after = after.trim_start();
        let after = after
            .strip_prefix("eq ")
            .or_else(|| after.strip_prefix("EQ "))
            .ok_or_else(invalid)?
            .trim_start();
        let after = after.strip_prefix('\'').ok_or_else(invalid)?;
        // A quote is escaped by doubling it.
        let mut value = String::new();
        let mut chars = after.char_indices().peekable();
        let mut end = None;
        while let Some((i, c)) = chars.next() {
            if c == '\'' {
                if chars.peek().is_some_and(|(_, n)| *n == '\'') {
                    chars.next();
                    value.push('\'');
                    continue;
                }
                end = Some(i + 1);
                break;
            }
            value.push(c);
        }
        let end = end.ok_or_else(invalid)?;
        out.push((path.to_ascii_lowercase(), value));
        rest = after[end..].trim_start();
        if !rest.is_empty() {
            rest = rest
                .strip_prefix("and ")
                .or_else(|| rest.strip_prefix("AND "))
                .ok_or_else(invalid)?
                .trim_start();
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn filter_clauses_read_what_jitadmin_sends() {
        let raw = "%24filter=accessPackage%2Fid%20eq%20%27ap%27%27s%27%20and%20target%2FobjectId%20eq%20%27u1%27&%24expand=target";
        assert_eq!(
            filter_clauses(Some(raw)).unwrap(),
            vec![
                ("accesspackage/id".to_owned(), "ap's".to_owned()),
                ("target/objectid".to_owned(), "u1".to_owned())
            ]
        );
        assert_eq!(expands(Some(raw)), vec!["target".to_owned()]);
        assert!(filter_clauses(Some("$filter=state ne 'x'")).is_err());
        assert!(filter_clauses(Some("$filter=state eq 'x")).is_err());
    }

    #[test]
    fn nested_expand_options_are_dropped() {
        assert_eq!(
            expands(Some("$expand=requestor,assignment($expand=target),accessPackage")),
            vec!["requestor", "assignment", "accesspackage"]
        );
    }
}
