//! Instance annotations in bodies: `@odata.type` casts, the `@odata.*` control information,
//! `@removed` in delta answers (<https://learn.microsoft.com/graph/delta-query-overview>), and
//! Graph's own `@microsoft.graph.*` annotations.

use serde_json::Value;

use crate::body::json_kind;
use crate::model::{Model, GRAPH_NS};
use crate::report::{FindingKind, Sink};

/// Reads an `@odata.type` value (`#microsoft.graph.x`, `microsoft.graph.x`, `#graph.x`) and answers
/// the type it selects, when that type exists and derives from `declared`.
pub(crate) fn cast(model: &Model, v: &Value, declared: &str, ptr: &str, sink: &mut Sink) -> Option<String> {
    let Some(text) = v.as_str() else {
        sink.body(
            FindingKind::WrongJsonType,
            ptr,
            declared,
            Some("@odata.type"),
            format!(
                "@odata.type is a string naming a type, but the value is {}",
                json_kind(v)
            ),
        );
        return None;
    };
    let name = text.trim_start_matches('#');
    let qualified = match name.strip_prefix("graph.") {
        Some(rest) => format!("{GRAPH_NS}.{rest}"),
        None => name.to_string(),
    };
    // Graph writes some types in other cases (`#Microsoft.Graph.Group` in change notifications).
    let found = model
        .types
        .get(&qualified)
        .or_else(|| model.types.values().find(|t| t.name.eq_ignore_ascii_case(&qualified)));
    let Some(actual) = found else {
        sink.body(
            FindingKind::UnknownType,
            ptr,
            declared,
            Some("@odata.type"),
            format!("@odata.type \"{text}\" names no type in the metadata (declared: {declared})"),
        );
        return None;
    };
    if !model.derives_from(&actual.name, declared) {
        // An open type (a notification's resourceData) may describe any resource.
        if model.is_open(declared) {
            return Some(declared.to_string());
        }
        sink.body(
            FindingKind::NotDerived,
            ptr,
            declared,
            Some("@odata.type"),
            format!("@odata.type \"{text}\" does not derive from {declared}, the declared type"),
        );
        return None;
    }
    Some(actual.name.clone())
}

/// Checks an instance annotation of an object of `type_name` (a key starting with `@`).
pub(crate) fn instance(model: &Model, key: &str, v: &Value, type_name: &str, ptr: &str, sink: &mut Sink) {
    let _ = model;
    match key {
        "@removed" => removed(v, type_name, ptr, sink),
        k if k.starts_with("@odata.") || k.starts_with("@microsoft.graph.") => {}
        other => sink.body(
            FindingKind::UnknownAnnotation,
            ptr,
            type_name,
            Some(other),
            format!("\"{other}\" is not an annotation Graph uses (on {type_name})"),
        ),
    }
}

/// `@removed`: `{"reason": "changed" | "deleted"}`.
fn removed(v: &Value, type_name: &str, ptr: &str, sink: &mut Sink) {
    let Some(obj) = v.as_object() else {
        sink.body(
            FindingKind::WrongJsonType,
            ptr,
            type_name,
            Some("@removed"),
            format!("@removed is an object with a reason, but the value is {}", json_kind(v)),
        );
        return;
    };
    for (k, reason) in obj {
        let ok = k == "reason" && matches!(reason.as_str(), Some("changed") | Some("deleted"));
        if !ok {
            sink.body(
                FindingKind::UnknownProperty,
                &format!("{ptr}/{k}"),
                type_name,
                Some(k),
                format!("@removed has only \"reason\": \"changed\" or \"deleted\", not \"{k}\": {reason}"),
            );
        }
    }
}
