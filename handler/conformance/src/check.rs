//! One exchange checked end to end: the URL (path and query), then the body as a request to the
//! addressed target or as Graph's answer to it.

use serde_json::{Map, Value};

use crate::body::{BodyCheck, Shape};
use crate::model::{Model, Operation, TypeRef};
use crate::path::{resolve, Target};
use crate::report::{FindingKind, Place, Report, Sink};
use crate::url::{GraphUrl, Version};
use crate::{allowlist, batch, beta, errors, query, Direction, Options};

/// Checks one exchange against `model`.
pub(crate) fn run(
    model: &Model,
    method: &str,
    url: &str,
    body: Option<&Value>,
    direction: Direction,
    options: &Options,
) -> Report {
    let mut sink = Sink::new();
    match crate::url::parse(url) {
        Ok(g) => exchange(model, method, &g, body, direction, options, &mut sink),
        Err(why) => sink.push(FindingKind::BadUrl, Place::Path, url, None, None, why),
    }
    finish(sink)
}

/// Splits the findings into reported and allowlisted ones.
pub(crate) fn finish(sink: Sink) -> Report {
    let mut report = Report::default();
    for f in sink.findings {
        match allowlist::excuse(&f) {
            Some(d) => report.allowed.push((f, d.link)),
            None => report.findings.push(f),
        }
    }
    report
}

#[allow(clippy::too_many_arguments)]
fn exchange(
    model: &Model,
    method: &str,
    url: &GraphUrl,
    body: Option<&Value>,
    direction: Direction,
    options: &Options,
    sink: &mut Sink,
) {
    let request = matches!(direction, Direction::Request);
    if let Direction::Response { status } = direction {
        if !(200..300).contains(&status) {
            errors::check(body, sink);
            return;
        }
        if status == 204 && body.is_some_and(|b| !b.is_null()) {
            sink.body(
                FindingKind::UnexpectedBody,
                "",
                "204",
                None,
                "a 204 No Content answer has no body".into(),
            );
            return;
        }
    }
    if url.version == Version::Beta {
        beta_exchange(model, url, body, request, sink);
        return;
    }
    let target = resolve(model, &url.segments, sink);
    let element = match &target {
        Target::Data(t) | Target::Ref(t) => Some(t.name.clone()),
        Target::Operation(op) => op.returns.as_ref().map(|r| r.name.clone()),
        _ => None,
    }
    .filter(|t| model.structured(t).is_some());
    let shape = query::check(model, url, element.as_deref(), sink);
    if let (true, Target::Operation(op)) = (request, &target) {
        let wanted = if op.is_action { "POST" } else { "GET" };
        if !method.eq_ignore_ascii_case(wanted) {
            sink.push(
                FindingKind::WrongMethod,
                Place::Path,
                &op.name,
                Some(&op.display_name()),
                Some(&op.name),
                format!("{} is called with {wanted}, not {method}", op.display_name()),
            );
        }
    }
    let Some(body) = body.filter(|b| !b.is_null()) else {
        if let (true, Target::Operation(op)) = (request, &target) {
            parameters(model, op, &Map::new(), options, sink);
        }
        return;
    };
    let mut bc = BodyCheck {
        model,
        request,
        include_unknown: options.include_unknown_enum_members,
        strict_open: options.strict_open_types,
        sink,
    };
    match target {
        Target::Batch if request => batch::check_request(model, url.version, body, options, bc.sink),
        Target::Batch => batch::check_response(model, url.version, None, body, options, bc.sink),
        Target::Operation(op) => {
            if request {
                match body.as_object() {
                    Some(obj) => parameters(model, op, obj, options, bc.sink),
                    None => bc.sink.body(
                        FindingKind::WrongJsonType,
                        "",
                        &op.display_name(),
                        None,
                        format!("the parameters of {} are a JSON object", op.display_name()),
                    ),
                }
            } else {
                match &op.returns {
                    Some(r) => answer(&mut bc, r, body, &shape),
                    None => bc.sink.body(
                        FindingKind::UnexpectedBody,
                        "",
                        &op.display_name(),
                        None,
                        format!("{} returns nothing, so its answer has no body", op.display_name()),
                    ),
                }
            }
        }
        Target::Data(t) if request => match body.as_object() {
            Some(obj) => bc.object(obj, &t.name, "", &Shape::default()),
            None => bc.value(body, &t.element(), true, "", &t.name, "body"),
        },
        // A POST to a collection creates one entity and answers it.
        Target::Data(t) if method.eq_ignore_ascii_case("POST") => answer(&mut bc, &t.element(), body, &shape),
        Target::Data(t) => answer(&mut bc, &t, body, &shape),
        Target::Ref(t) => reference(&mut bc, &t, body, request),
        Target::Count if !body.is_number() => bc.sink.body(
            FindingKind::WrongJsonType,
            "",
            "$count",
            None,
            "a $count answer is a number".into(),
        ),
        _ => {}
    }
}

/// An answer for `ty`: a collection page, an entity, or a primitive wrapped in `value`.
fn answer(bc: &mut BodyCheck<'_>, ty: &TypeRef, body: &Value, shape: &Shape) {
    let structured = bc.model.structured(&ty.name).is_some();
    if !ty.collection && structured {
        match body.as_object() {
            Some(obj) => bc.object(obj, &ty.name, "", shape),
            None => bc.value(body, ty, true, "", &ty.name, "answer"),
        }
        return;
    }
    let Some(obj) = body.as_object() else {
        bc.sink.body(
            FindingKind::WrongJsonType,
            "",
            &ty.name,
            None,
            format!("an answer of {} is a JSON object with \"value\"", describe(ty)),
        );
        return;
    };
    for key in obj.keys().filter(|k| *k != "value" && !k.starts_with("@odata.")) {
        bc.sink.body(
            FindingKind::UnknownProperty,
            &format!("/{}", crate::report::token(key)),
            &ty.name,
            Some(key),
            format!(
                "\"{key}\" is not part of an answer of {} (value and @odata.* only)",
                describe(ty)
            ),
        );
    }
    match obj.get("value") {
        Some(v) => bc.value_shaped(v, ty, true, "/value", &ty.name, "value", shape),
        None => bc.sink.body(
            FindingKind::MissingProperty,
            "/value",
            &ty.name,
            Some("value"),
            format!("an answer of {} carries \"value\"", describe(ty)),
        ),
    }
}

fn describe(ty: &TypeRef) -> String {
    if ty.collection {
        format!("Collection({})", ty.name)
    } else {
        ty.name.clone()
    }
}

/// `$ref` bodies: `{"@odata.id": url}` in a request; the same, or a page of them, in an answer.
fn reference(bc: &mut BodyCheck<'_>, ty: &TypeRef, body: &Value, request: bool) {
    let items: Vec<(String, &Value)> = match body.get("value").and_then(Value::as_array) {
        Some(list) if !request => list
            .iter()
            .enumerate()
            .map(|(i, v)| (format!("/value/{i}"), v))
            .collect(),
        _ => vec![(String::new(), body)],
    };
    for (ptr, item) in items {
        let Some(obj) = item.as_object() else {
            bc.sink.body(
                FindingKind::WrongJsonType,
                &ptr,
                &ty.name,
                None,
                "a $ref body is a JSON object".into(),
            );
            continue;
        };
        for key in obj.keys().filter(|k| *k != "@odata.id" && !k.starts_with("@odata.")) {
            bc.sink.body(
                FindingKind::UnknownProperty,
                &format!("{ptr}/{}", crate::report::token(key)),
                &ty.name,
                Some(key),
                format!("a $ref body has only \"@odata.id\", not \"{key}\""),
            );
        }
        match obj.get("@odata.id").and_then(Value::as_str) {
            Some(id) => referenced(bc, ty, id, &format!("{ptr}/@odata.id")),
            None => bc.sink.body(
                FindingKind::MissingProperty,
                &format!("{ptr}/@odata.id"),
                &ty.name,
                Some("@odata.id"),
                format!("a $ref body names the {} with \"@odata.id\"", ty.name),
            ),
        }
    }
}

/// The `@odata.id` URL must address one entity that can be the navigation's target.
fn referenced(bc: &mut BodyCheck<'_>, ty: &TypeRef, id: &str, ptr: &str) {
    let mut inner = Sink::new();
    let resolved = crate::url::parse(id).map(|u| resolve(bc.model, &u.segments, &mut inner));
    let fits = match &resolved {
        Ok(Target::Data(t)) => {
            !t.collection && (bc.model.derives_from(&t.name, &ty.name) || bc.model.derives_from(&ty.name, &t.name))
        }
        _ => false,
    };
    if !fits {
        bc.sink.body(
            FindingKind::WrongJsonType,
            ptr,
            &ty.name,
            Some("@odata.id"),
            format!(
                "@odata.id \"{id}\" does not address one {} (a URL such as .../v1.0/directoryObjects/{{id}})",
                ty.name
            ),
        );
    }
}

/// An action's body: every member a parameter, values typed, non-nullable parameters present.
fn parameters(model: &Model, op: &Operation, obj: &Map<String, Value>, options: &Options, sink: &mut Sink) {
    if !op.is_action {
        return;
    }
    let name = op.display_name();
    let expected: Vec<&str> = op.parameters.iter().map(|p| p.name.as_str()).collect();
    let mut bc = BodyCheck {
        model,
        request: true,
        include_unknown: options.include_unknown_enum_members,
        strict_open: options.strict_open_types,
        sink,
    };
    for (key, v) in obj {
        if key.starts_with('@') {
            continue;
        }
        let at = format!("/{}", crate::report::token(key));
        let param = op
            .parameters
            .iter()
            .find(|p| p.name == *key)
            .or_else(|| op.parameters.iter().find(|p| p.name.eq_ignore_ascii_case(key)));
        match param {
            Some(p) => bc.value(v, &p.ty, p.nullable, &at, &name, key),
            None => {
                let hint = crate::path::suggest(expected.iter().copied(), key);
                let list = if expected.is_empty() {
                    "none".to_string()
                } else {
                    expected.join(", ")
                };
                bc.sink.body(
                    FindingKind::UnknownParameter,
                    &at,
                    &name,
                    Some(key),
                    format!(
                        "{}: parameter \"{key}\" is not a parameter of {name} (expected {list}){hint}",
                        op.name
                    ),
                );
            }
        }
    }
    for p in op.parameters.iter().filter(|p| !p.nullable) {
        if !obj.keys().any(|k| k.eq_ignore_ascii_case(&p.name)) {
            bc.sink.body(
                FindingKind::MissingParameter,
                &format!("/{}", p.name),
                &name,
                Some(&p.name),
                format!(
                    "{}: the non-nullable parameter \"{}\" of {name} is missing",
                    op.name, p.name
                ),
            );
        }
    }
}

fn beta_exchange(model: &Model, url: &GraphUrl, body: Option<&Value>, request: bool, sink: &mut Sink) {
    let Some(body) = body else {
        return;
    };
    let Some((ty, collection)) = beta::resolve(model, &url.segments) else {
        // An operation or a name the mappings do not know: only typed nested objects are checked.
        if let Some(obj) = body.as_object() {
            beta::object(model, obj, None, "", sink);
        }
        return;
    };
    match (request, collection, body.as_object()) {
        (false, true, Some(obj)) => {
            let page = obj
                .get("value")
                .and_then(Value::as_array)
                .map(Vec::as_slice)
                .unwrap_or_default();
            for (i, item) in page.iter().enumerate() {
                if let Some(o) = item.as_object() {
                    beta::object(model, o, Some(&ty), &format!("/value/{i}"), sink);
                }
            }
        }
        (_, _, Some(obj)) => beta::object(model, obj, Some(&ty), "", sink),
        _ => {}
    }
}
