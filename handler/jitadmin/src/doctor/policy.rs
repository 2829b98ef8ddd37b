//! Checks of the access package's assignment policy as Graph returns it
//! (<https://learn.microsoft.com/graph/api/resources/accesspackageassignmentpolicy>): the
//! custom extension on each stage, how long entitlement management waits for it, its own
//! approval stage against the rules, and the lifecycle against the rules' limits.

use jitadmin_decide::{Outcome, Summary};
use jitadmin_graph::custom_extensions::ClientConfiguration;
use serde_json::Value;

use super::findings::{Finding, Severity};

const REQUEST_WORKFLOW: &str = "accessPackageAssignmentRequestWorkflowExtension";

/// The extension attached to `stage`, if any.
fn extension<'a>(policy: &'a Value, stage: &str) -> Option<&'a Value> {
    policy
        .get("customExtensionStageSettings")?
        .as_array()?
        .iter()
        .find(|s| s.get("stage").and_then(Value::as_str) == Some(stage))?
        .get("customExtension")
}

fn kind(ext: &Value) -> &str {
    ext.get("@odata.type")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .trim_start_matches('#')
        .trim_start_matches("microsoft.graph.")
}

/// The stages: created must call jitadmin and wait; granted and removed should call it.
pub fn stages(policy: &Value) -> Vec<Finding> {
    let mut out = Vec::new();
    match extension(policy, "assignmentRequestCreated") {
        None => out.push(
            Finding::new(
                Severity::Problem,
                "policy",
                "no custom extension on the \"request is created\" stage: jitadmin never sees new requests",
            )
            .fix("run `jitadmin provision` (it attaches \"jitadmin request\" to that stage)"),
        ),
        Some(ext) if kind(ext) != REQUEST_WORKFLOW => out.push(
            Finding::new(
                Severity::Problem,
                "policy",
                "the \"request is created\" stage calls an extension that is not a request workflow extension",
            )
            .fix("attach \"jitadmin request\" (run `jitadmin provision`)"),
        ),
        Some(ext) if ext.get("callbackConfiguration").is_none_or(Value::is_null) => out.push(
            Finding::new(
                Severity::Problem,
                "policy",
                "the \"request is created\" extension is launch-and-continue: entitlement management does not wait for jitadmin's decision",
            )
            .fix("make it launch-and-wait with a callback timeout (run `jitadmin provision`)"),
        ),
        Some(_) => out.push(Finding::new(
            Severity::Ok,
            "policy",
            "\"request is created\" calls jitadmin and waits for its decision",
        )),
    }
    for (stage, words) in [
        ("assignmentRequestGranted", "assignment is granted"),
        ("assignmentRequestRemoved", "assignment is removed"),
    ] {
        match extension(policy, stage) {
            Some(_) => out.push(Finding::new(
                Severity::Ok,
                "policy",
                format!("\"{words}\" calls jitadmin"),
            )),
            None => out.push(
                Finding::new(
                    Severity::Warning,
                    "policy",
                    format!(
                        "no custom extension on the \"{words}\" stage: devices are not synced and the user is not told"
                    ),
                )
                .fix("run `jitadmin provision` (it attaches \"jitadmin notify\")"),
            ),
        }
    }
    out
}

/// Each attached extension's `clientConfiguration` against what `provision` sets.
pub fn timeouts(policy: &Value) -> Vec<Finding> {
    let want = ClientConfiguration::PROVISIONED;
    let mut out = Vec::new();
    let settings = policy
        .get("customExtensionStageSettings")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    let mut seen = Vec::new();
    for setting in &settings {
        let Some(ext) = setting.get("customExtension") else {
            continue;
        };
        let name = ext.get("displayName").and_then(Value::as_str).unwrap_or("(unnamed)");
        if seen.contains(&name.to_string()) {
            continue;
        }
        seen.push(name.to_string());
        let client = ext.get("clientConfiguration");
        let timeout = client
            .and_then(|c| c.get("timeoutInMilliseconds"))
            .and_then(Value::as_i64);
        let retries = client.and_then(|c| c.get("maximumRetries")).and_then(Value::as_i64);
        if timeout == want.timeout_in_milliseconds.map(i64::from) && retries == want.maximum_retries.map(i64::from) {
            out.push(Finding::new(
                Severity::Ok,
                "extensions",
                format!("\"{name}\": entitlement management waits 2000 ms and retries once"),
            ));
        } else {
            out.push(
                Finding::new(
                    Severity::Warning,
                    "extensions",
                    format!(
                        "\"{name}\": entitlement management waits {} and retries {}: a slow forwarder or a cold start fails the callout",
                        timeout.map_or("1000 ms (the default)".to_string(), |t| format!("{t} ms")),
                        retries.map_or("as the service decides".to_string(), |r| format!("{r} time(s)"))
                    ),
                )
                .fix("set clientConfiguration to 2000 ms and one retry (run `jitadmin provision`)"),
            );
        }
    }
    out
}

/// Entitlement management's own approval stage against the rules: the supported combination
/// in effect, explained.
pub fn approval(policy: &Value, rules: Option<&Summary>, teams: bool) -> Vec<Finding> {
    let settings = policy.get("requestApprovalSettings");
    let required = settings
        .and_then(|s| s.get("isApprovalRequiredForAdd"))
        .and_then(Value::as_bool)
        .unwrap_or(false);
    let stages = settings
        .and_then(|s| s.get("stages"))
        .and_then(Value::as_array)
        .is_some_and(|s| !s.is_empty());
    let approves = rules.is_some_and(|r| r.rules.iter().any(|x| x.decision == Outcome::Approve));
    let routes = rules.is_none_or(|r| {
        r.default.decision == Outcome::Route
            || r.on_error.decision == Outcome::Route
            || r.rules.iter().any(|x| x.decision == Outcome::Route)
    });
    let mut out = Vec::new();
    if required && stages {
        let mut what = "entitlement management's own approval is on: jitadmin pre-screens. A request the rules deny \
                        is denied; every other one goes on to the approver in My Access, with jitadmin's explanation, \
                        and no Teams card is posted"
            .to_string();
        if approves {
            what.push_str(". The rules' approve decisions hand the request to that approver: they do not grant it");
        }
        out.push(Finding::new(Severity::Note, "approval", what));
    } else {
        out.push(Finding::new(
            Severity::Note,
            "approval",
            "entitlement management's own approval is off: jitadmin decides (the rules approve or deny, and route the rest to the approvers in Teams)",
        ));
        if rules.is_none() {
            out.push(
                Finding::new(
                    Severity::Warning,
                    "approval",
                    "no rules file (JITADMIN_RULES): created requests are continued or left waiting as JITADMIN_CREATED_STAGE says, unchecked",
                )
                .fix("set JITADMIN_RULES (start from rules.example.toml)"),
            );
        } else if routes && !teams {
            out.push(
                Finding::new(
                    Severity::Problem,
                    "approval",
                    "the rules route requests to people, but Teams is not configured: a routed request waits until entitlement management's callback timeout and is then failed",
                )
                .fix("configure Teams (JITADMIN_BOT_APP_ID and the rest), or turn on entitlement management's approval stage so that jitadmin only pre-screens"),
            );
        }
    }
    out
}

/// The policy's default lifecycle against the longest the rules approve on their own.
pub fn lifecycle(policy: &Value, rules: Option<&Summary>) -> Vec<Finding> {
    let Some(rules) = rules else {
        return Vec::new();
    };
    let expiration = policy.get("expiration");
    let kind = expiration.and_then(|e| e.get("type")).and_then(Value::as_str);
    let hours = expiration
        .and_then(|e| e.get("duration"))
        .and_then(Value::as_str)
        .and_then(jitadmin_events::duration::parse)
        .map(|d| d.num_minutes() as f64 / 60.0);
    let longest = rules
        .rules
        .iter()
        .filter(|r| r.decision == Outcome::Approve)
        .map(|r| r.max_duration_hours)
        .try_fold(0f64, |acc, h| h.map(|h| acc.max(h)));
    let default = match (kind, hours) {
        (Some("noExpiration"), _) => "no end".to_string(),
        (_, Some(h)) => format!("{h} hours"),
        _ => return Vec::new(),
    };
    match longest {
        Some(limit) if limit > 0.0 && hours.is_none_or(|h| h > limit) => vec![Finding::new(
            Severity::Note,
            "lifecycle",
            format!(
                "the policy's default assignment lasts {default}, longer than any the rules approve on their own (at most {limit} hours): default requests go to a person"
            ),
        )],
        _ => vec![Finding::new(
            Severity::Ok,
            "lifecycle",
            format!("the policy's default assignment lasts {default}"),
        )],
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn policy(stages: Value, approval: bool) -> Value {
        json!({
            "expiration": {"type": "afterDuration", "duration": "P30D"},
            "requestApprovalSettings": {"isApprovalRequiredForAdd": approval, "stages": if approval { json!([{}]) } else { json!([]) }},
            "customExtensionStageSettings": stages,
        })
    }

    fn ext(name: &str, wait: bool, client: Value) -> Value {
        let mut e = json!({"@odata.type": "#microsoft.graph.accessPackageAssignmentRequestWorkflowExtension", "displayName": name, "clientConfiguration": client});
        if wait {
            e["callbackConfiguration"] = json!({"timeoutDuration": "P1D"});
        }
        e
    }

    #[test]
    fn a_missing_or_continuing_created_stage_breaks_requests() {
        let none = policy(json!([]), false);
        assert_eq!(stages(&none)[0].severity, Severity::Problem);
        let continuing = policy(
            json!([{"stage": "assignmentRequestCreated", "customExtension": ext("x", false, Value::Null)}]),
            false,
        );
        assert_eq!(stages(&continuing)[0].severity, Severity::Problem);
        let good = policy(
            json!([{"stage": "assignmentRequestCreated", "customExtension": ext("x", true, Value::Null)}]),
            false,
        );
        let found = stages(&good);
        assert_eq!(found[0].severity, Severity::Ok);
        assert_eq!(found[1].severity, Severity::Warning, "granted missing");
    }

    #[test]
    fn the_callout_budget_is_checked_per_extension() {
        let provisioned = json!({"timeoutInMilliseconds": 2000, "maximumRetries": 1});
        let p = policy(
            json!([
                {"stage": "assignmentRequestCreated", "customExtension": ext("a", true, provisioned.clone())},
                {"stage": "assignmentRequestGranted", "customExtension": ext("b", false, Value::Null)},
                {"stage": "assignmentRequestRemoved", "customExtension": ext("b", false, Value::Null)},
            ]),
            false,
        );
        let found = timeouts(&p);
        assert_eq!(found.len(), 2, "each extension once");
        assert_eq!(found[0].severity, Severity::Ok);
        assert_eq!(found[1].severity, Severity::Warning);
        assert!(found[1].what.contains("1000 ms (the default)"));
    }
}
