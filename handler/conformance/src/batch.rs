//! JSON batching (<https://learn.microsoft.com/graph/json-batching>): the envelope
//! `{"requests": [{"id", "method", "url", "headers"?, "body"?, "dependsOn"?}]}` (at most 20 items,
//! ids unique, URLs relative to the version, a `Content-Type` header with every body, `dependsOn`
//! naming other items), each item checked as a request of its own; and the answer
//! `{"responses": [{"id", "status", "headers"?, "body"?}]}`, each item checked as the answer to
//! the request with its id.

use serde_json::{Map, Value};

use crate::model::Model;
use crate::report::{FindingKind, Report, Sink};
use crate::url::Version;
use crate::{check, Direction, Options};

/// Most requests one batch may hold.
pub const MAX_ITEMS: usize = 20;

const BATCH: &str = "$batch";

/// One request item as read from the envelope.
struct Item<'a> {
    id: &'a str,
    method: &'a str,
    url: &'a str,
    body: Option<&'a Value>,
    options: Options,
}

fn bad(sink: &mut Sink, ptr: &str, name: Option<&str>, message: String) {
    sink.body(FindingKind::BadBatch, ptr, BATCH, name, message);
}

/// The items of a batch request; shape problems go to `sink`.
fn items<'a>(body: &'a Value, options: &Options, sink: &mut Sink) -> Vec<Item<'a>> {
    let Some(obj) = body.as_object() else {
        bad(
            sink,
            "",
            None,
            "a $batch body is a JSON object with \"requests\"".into(),
        );
        return Vec::new();
    };
    for key in obj.keys().filter(|k| *k != "requests") {
        bad(
            sink,
            &format!("/{key}"),
            Some(key),
            format!("a $batch body has only \"requests\", not \"{key}\""),
        );
    }
    let Some(list) = obj.get("requests").and_then(Value::as_array) else {
        bad(
            sink,
            "/requests",
            Some("requests"),
            "\"requests\" is missing or not an array".into(),
        );
        return Vec::new();
    };
    if list.len() > MAX_ITEMS {
        bad(
            sink,
            "/requests",
            Some("requests"),
            format!("{} requests: a batch holds at most {MAX_ITEMS}", list.len()),
        );
    }
    let mut out: Vec<Item> = Vec::new();
    for (i, item) in list.iter().enumerate() {
        let ptr = format!("/requests/{i}");
        let Some(o) = item.as_object() else {
            bad(sink, &ptr, None, "a batch request is a JSON object".into());
            continue;
        };
        for key in o
            .keys()
            .filter(|k| !matches!(k.as_str(), "id" | "method" | "url" | "headers" | "body" | "dependsOn"))
        {
            bad(
                sink,
                &format!("{ptr}/{key}"),
                Some(key),
                format!("\"{key}\" is not a member of a batch request (id, method, url, headers, body, dependsOn)"),
            );
        }
        let text = |k: &str, sink: &mut Sink| -> Option<&str> {
            let v = o.get(k).and_then(Value::as_str).filter(|s| !s.is_empty());
            if v.is_none() {
                bad(
                    sink,
                    &format!("{ptr}/{k}"),
                    Some(k),
                    format!("a batch request needs a non-empty string \"{k}\""),
                );
            }
            v
        };
        let (id, method, url) = (text("id", sink), text("method", sink), text("url", sink));
        let headers = o.get("headers");
        if headers.is_some_and(|h| !h.as_object().is_some_and(|m| m.values().all(Value::is_string))) {
            bad(
                sink,
                &format!("{ptr}/headers"),
                Some("headers"),
                "\"headers\" is an object of strings".into(),
            );
        }
        let header = |name: &str| {
            headers
                .and_then(Value::as_object)
                .and_then(|m| m.iter().find(|(k, _)| k.eq_ignore_ascii_case(name)))
                .and_then(|(_, v)| v.as_str())
        };
        let body = o.get("body");
        if body.is_some() && header("Content-Type").is_none() {
            bad(
                sink,
                &format!("{ptr}/headers"),
                Some("Content-Type"),
                "a batch request with a body needs a Content-Type header".into(),
            );
        }
        if let Some(deps) = o.get("dependsOn") {
            let known = |d: &str| {
                out.iter().any(|it| it.id.eq_ignore_ascii_case(d))
                    || list.iter().any(|r| {
                        r.get("id")
                            .and_then(Value::as_str)
                            .is_some_and(|x| x.eq_ignore_ascii_case(d) && Some(x) != id)
                    })
            };
            let ok = deps
                .as_array()
                .is_some_and(|a| a.iter().all(|d| d.as_str().is_some_and(known)));
            if !ok {
                bad(
                    sink,
                    &format!("{ptr}/dependsOn"),
                    Some("dependsOn"),
                    "\"dependsOn\" lists the ids of other requests of the batch".into(),
                );
            }
        }
        let (Some(id), Some(method), Some(url)) = (id, method, url) else {
            continue;
        };
        if out.iter().any(|it| it.id.eq_ignore_ascii_case(id)) {
            bad(
                sink,
                &format!("{ptr}/id"),
                Some("id"),
                format!("the id \"{id}\" is used twice"),
            );
        }
        if url.contains("://")
            || url.trim_start_matches('/').starts_with("v1.0/")
            || url.trim_start_matches('/').starts_with("beta/")
        {
            bad(
                sink,
                &format!("{ptr}/url"),
                Some("url"),
                format!("\"{url}\" is not relative to the version (write /users/..., not the full URL)"),
            );
        }
        let mut inner = options.clone();
        if header("Prefer").is_some_and(crate::prefers_unknown_members) {
            inner.include_unknown_enum_members = true;
        }
        out.push(Item {
            id,
            method,
            url,
            body,
            options: inner,
        });
    }
    out
}

fn full_url(version: Version, url: &str) -> String {
    format!("/{}/{}", version.as_str(), url.trim_start_matches('/'))
}

/// Checks a batch request body and every item in it.
pub(crate) fn check_request(model: &Model, version: Version, body: &Value, options: &Options, sink: &mut Sink) {
    let found = items(body, options, sink);
    let mut report = Report::default();
    for (i, item) in found.iter().enumerate() {
        let r = check::run(
            model,
            item.method,
            &full_url(version, item.url),
            item.body,
            Direction::Request,
            &item.options,
        );
        report.absorb(r, &format!("/requests/{i}"));
    }
    sink.findings.extend(report.findings);
}

/// Checks a batch answer; with the request, each item's body is checked as the answer to the
/// request with the same id.
pub(crate) fn check_response(
    model: &Model,
    version: Version,
    request: Option<&Value>,
    body: &Value,
    options: &Options,
    sink: &mut Sink,
) {
    let mut ignored = Sink::new();
    let asked = request.map(|r| items(r, options, &mut ignored)).unwrap_or_default();
    let Some(obj) = body.as_object() else {
        bad(
            sink,
            "",
            None,
            "a $batch answer is a JSON object with \"responses\"".into(),
        );
        return;
    };
    for key in obj.keys().filter(|k| *k != "responses" && !k.starts_with("@odata.")) {
        bad(
            sink,
            &format!("/{key}"),
            Some(key),
            format!("a $batch answer has only \"responses\", not \"{key}\""),
        );
    }
    let Some(list) = obj.get("responses").and_then(Value::as_array) else {
        bad(
            sink,
            "/responses",
            Some("responses"),
            "\"responses\" is missing or not an array".into(),
        );
        return;
    };
    let mut answered: Vec<&str> = Vec::new();
    let mut report = Report::default();
    for (i, item) in list.iter().enumerate() {
        let ptr = format!("/responses/{i}");
        let Some(o) = item.as_object() else {
            bad(sink, &ptr, None, "a batch answer item is a JSON object".into());
            continue;
        };
        answer_shape(o, &ptr, sink);
        let (Some(id), Some(status)) = (
            o.get("id").and_then(Value::as_str),
            o.get("status").and_then(Value::as_u64),
        ) else {
            continue;
        };
        answered.push(id);
        if request.is_none() {
            continue;
        }
        let Some(req) = asked.iter().find(|r| r.id.eq_ignore_ascii_case(id)) else {
            bad(
                sink,
                &format!("{ptr}/id"),
                Some("id"),
                format!("the answer \"{id}\" matches no request of the batch"),
            );
            continue;
        };
        let status = u16::try_from(status).unwrap_or(u16::MAX);
        let r = check::run(
            model,
            req.method,
            &full_url(version, req.url),
            o.get("body"),
            Direction::Response { status },
            &req.options,
        );
        report.absorb(r, &ptr);
    }
    for req in &asked {
        if !answered.iter().any(|a| a.eq_ignore_ascii_case(req.id)) {
            bad(
                sink,
                "/responses",
                Some(req.id),
                format!("the request \"{}\" has no answer", req.id),
            );
        }
    }
    sink.findings.extend(report.findings);
}

fn answer_shape(o: &Map<String, Value>, ptr: &str, sink: &mut Sink) {
    for key in o
        .keys()
        .filter(|k| !matches!(k.as_str(), "id" | "status" | "headers" | "body"))
    {
        bad(
            sink,
            &format!("{ptr}/{key}"),
            Some(key),
            format!("\"{key}\" is not a member of a batch answer (id, status, headers, body)"),
        );
    }
    if !o.get("id").is_some_and(Value::is_string) {
        bad(
            sink,
            &format!("{ptr}/id"),
            Some("id"),
            "a batch answer item has a string \"id\"".into(),
        );
    }
    if !o.get("status").is_some_and(Value::is_u64) {
        bad(
            sink,
            &format!("{ptr}/status"),
            Some("status"),
            "a batch answer item has a numeric \"status\"".into(),
        );
    }
    if o.get("headers").is_some_and(|h| !h.is_object()) {
        bad(
            sink,
            &format!("{ptr}/headers"),
            Some("headers"),
            "\"headers\" is an object".into(),
        );
    }
}
