//! Resolving a v1.0 path against the metadata: entity sets and singletons of the container,
//! navigation and structural properties, keys (`users/{id}` and `users('id')`), type casts
//! (`/microsoft.graph.user`), `$count`, `$ref`, `$value`, and bound or imported operations
//! (`resume`, `microsoft.graph.syncDevice`, `delta()`), following
//! <https://learn.microsoft.com/graph/traverse-the-graph>.
//!
//! Graph treats path names case-insensitively (same page), so a segment that matches a name only
//! in another case is accepted.

use crate::model::{ContainerItem, Model, Operation, TypeRef};
use crate::report::{FindingKind, Place, Sink};

/// What a path addresses.
#[derive(Debug, Clone)]
pub(crate) enum Target<'m> {
    /// `/$batch`.
    Batch,
    /// `/$metadata` and anything else the checker does not look into.
    Unchecked,
    /// Entities or a property value of `ty` (a collection when `ty.collection`).
    Data(TypeRef),
    /// `.../$ref` of a navigation property whose target is `ty`.
    Ref(TypeRef),
    /// `.../$count`.
    Count,
    /// `.../$value` (raw media).
    Value,
    /// A bound or imported action or function.
    Operation(&'m Operation),
}

/// Resolves the segments after the version; findings go to `sink`. A segment that names nothing
/// stops resolution with an `UnknownSegment` finding and [`Target::Unchecked`].
pub(crate) fn resolve<'m>(model: &'m Model, segments: &[String], sink: &mut Sink) -> Target<'m> {
    let Some(first) = segments.first() else {
        return Target::Unchecked;
    };
    if first == "$batch" {
        return Target::Batch;
    }
    if first.starts_with("$metadata") {
        return Target::Unchecked;
    }
    let (name, key) = split_call(first);
    let mut cur = match container_item(model, name) {
        Some(ContainerItem::Data(t)) => {
            if key.is_some() && t.collection {
                t.element()
            } else {
                t.clone()
            }
        }
        Some(ContainerItem::Import(q)) => match model.unbound_operation(q) {
            Some(op) if segments.len() == 1 => return Target::Operation(op),
            Some(op) => match &op.returns {
                Some(r) => r.clone(),
                None => return Target::Unchecked,
            },
            None => return Target::Unchecked,
        },
        None => {
            let hint = suggest(model.container.keys().map(String::as_str), name);
            sink.push(
                FindingKind::UnknownSegment,
                Place::Path,
                first,
                None,
                Some(name),
                format!("\"{name}\" is not an entity set, singleton or operation import of the v1.0 service{hint}"),
            );
            return Target::Unchecked;
        }
    };
    for (i, seg) in segments.iter().enumerate().skip(1) {
        let last = i + 1 == segments.len();
        match seg.as_str() {
            "$count" => return Target::Count,
            "$value" => return Target::Value,
            "$ref" => return Target::Ref(cur),
            _ => {}
        }
        if model.structured(&cur.name).is_none() {
            sink.push(
                FindingKind::UnknownSegment,
                Place::Path,
                seg,
                Some(&cur.name),
                Some(seg),
                format!("\"{seg}\" follows a value of {}, which has no segments", cur.name),
            );
            return Target::Unchecked;
        }
        if let Some(cast) = cast(model, seg) {
            if !model.derives_from(&cast, &cur.name) {
                sink.push(
                    FindingKind::NotDerived,
                    Place::Path,
                    seg,
                    Some(&cur.name),
                    Some(seg),
                    format!("cast to {cast}, which does not derive from {}", cur.name),
                );
                return Target::Unchecked;
            }
            cur = TypeRef {
                collection: cur.collection,
                name: cast,
            };
            continue;
        }
        let (name, key) = split_call(seg);
        if let Some(op) = model
            .bound_operation(name, &cur)
            .or_else(|| bound_ignoring_case(model, name, &cur))
        {
            if last {
                return Target::Operation(op);
            }
            match &op.returns {
                Some(r) => cur = r.clone(),
                None => return Target::Unchecked,
            }
            continue;
        }
        if cur.collection {
            // Anything else after a collection is a key.
            cur = cur.element();
            continue;
        }
        let prop = model.property(&cur.name, name).or_else(|| {
            model
                .chain(&cur.name)
                .into_iter()
                .find_map(|t| t.properties.iter().find(|p| p.name.eq_ignore_ascii_case(name)))
        });
        match prop {
            Some(p) => {
                cur = if key.is_some() && p.ty.collection {
                    p.ty.element()
                } else {
                    p.ty.clone()
                };
            }
            None => {
                let names = model.property_names(&cur.name).unwrap_or_default();
                let hint = suggest(names.into_iter(), name);
                sink.push(
                    FindingKind::UnknownSegment,
                    Place::Path,
                    seg,
                    Some(&cur.name),
                    Some(name),
                    format!(
                        "\"{name}\" is not a property, navigation property, cast or bound operation of {}{hint}",
                        cur.name
                    ),
                );
                return Target::Unchecked;
            }
        }
    }
    Target::Data(cur)
}

/// `users('a')` → (`users`, `Some("'a'")`); `delta()` → (`delta`, `Some("")`); `users` → (`users`, `None`).
pub(crate) fn split_call(seg: &str) -> (&str, Option<&str>) {
    match seg.find('(') {
        Some(i) if seg.ends_with(')') => (&seg[..i], Some(&seg[i + 1..seg.len() - 1])),
        _ => (seg, None),
    }
}

fn container_item<'m>(model: &'m Model, name: &str) -> Option<&'m ContainerItem> {
    model.container.get(name).or_else(|| {
        model
            .container
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v)
    })
}

/// A namespace-qualified type name used as a cast segment.
fn cast(model: &Model, seg: &str) -> Option<String> {
    if !seg.contains('.') || seg.contains('(') {
        return None;
    }
    model.types.get(seg).map(|t| t.name.clone())
}

fn bound_ignoring_case<'m>(model: &'m Model, name: &str, cur: &TypeRef) -> Option<&'m Operation> {
    let (_, bare) = crate::model::split_qualified(name);
    let real = model.operations.keys().find(|k| k.eq_ignore_ascii_case(bare))?;
    if real == bare {
        return None;
    }
    model.bound_operation(real, cur)
}

/// ` (did you mean "x"?)` or nothing.
pub(crate) fn suggest<'a>(candidates: impl Iterator<Item = &'a str>, wanted: &str) -> String {
    let close = Model::suggest(wanted, candidates);
    if close.is_empty() {
        String::new()
    } else {
        let list: Vec<String> = close.iter().map(|c| format!("\"{c}\"")).collect();
        format!(" (did you mean {}?)", list.join(" or "))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn calls_and_keys_split_at_the_parenthesis() {
        assert_eq!(split_call("users('a')"), ("users", Some("'a'")));
        assert_eq!(split_call("delta()"), ("delta", Some("")));
        assert_eq!(split_call("users"), ("users", None));
    }
}
