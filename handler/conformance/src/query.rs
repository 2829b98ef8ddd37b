//! The query string: `$`-options Graph knows, `$select` and `$expand` names (nested options
//! included), `$filter`/`$orderby` property paths, and numeric `$top`/`$skip`
//! (<https://learn.microsoft.com/graph/query-parameters>). Options without `$` are the
//! operation's own and are not checked.
//!
//! Graph's directory answers a `directoryObject` collection with the derived types' properties
//! (`/groups/{id}/members?$select=displayName`), so a name that a derived type has is accepted.

use crate::body::Shape;
use crate::filter;
use crate::model::Model;
use crate::report::{FindingKind, Place, Sink};
use crate::url::{split_top, GraphUrl};

const SYSTEM_OPTIONS: [&str; 16] = [
    "$select",
    "$expand",
    "$filter",
    "$orderby",
    "$top",
    "$skip",
    "$count",
    "$search",
    "$format",
    "$skiptoken",
    "$deltatoken",
    "$apply",
    "$compute",
    "$id",
    "$levels",
    "$index",
];

/// Checks the options against `element` (the addressed type, or the element type of the addressed
/// collection, when it is structured) and answers what `$select`/`$expand` ask of the answer.
pub(crate) fn check(model: &Model, url: &GraphUrl, element: Option<&str>, sink: &mut Sink) -> Shape {
    let mut shape = Shape::default();
    for (name, value) in &url.query {
        if !name.starts_with('$') {
            continue;
        }
        let lower = name.to_ascii_lowercase();
        if !SYSTEM_OPTIONS.contains(&lower.as_str()) {
            sink.push(
                FindingKind::UnknownQueryOption,
                Place::Query,
                name,
                None,
                Some(name),
                format!("{name} is not an OData query option Graph supports"),
            );
            continue;
        }
        match lower.as_str() {
            "$top" | "$skip" if value.parse::<u64>().is_err() => sink.push(
                FindingKind::BadQueryValue,
                Place::Query,
                name,
                None,
                Some(name),
                format!("{name}={value} is not a non-negative integer"),
            ),
            "$count" if !matches!(value.as_str(), "true" | "false") => sink.push(
                FindingKind::BadQueryValue,
                Place::Query,
                name,
                None,
                Some(name),
                format!("$count={value} is neither true nor false"),
            ),
            _ => {}
        }
        let Some(element) = element else {
            continue;
        };
        match lower.as_str() {
            "$select" => shape.select = Some(select(model, element, value, sink)),
            "$expand" => shape.expand = expand(model, element, value, sink),
            "$filter" => filter::check(model, element, "$filter", value, sink),
            "$orderby" => filter::check_orderby(model, element, value, sink),
            _ => {}
        }
    }
    shape
}

fn select(model: &Model, element: &str, value: &str, sink: &mut Sink) -> Vec<String> {
    let names: Vec<String> = value
        .split(',')
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty())
        .collect();
    for n in &names {
        let prop = n.rsplit('/').next().unwrap_or(n);
        if n == "*" || has_property(model, element, prop, false) {
            continue;
        }
        let all = model.property_names(element).unwrap_or_default();
        let hint = crate::path::suggest(all.into_iter(), prop);
        sink.push(
            FindingKind::UnknownSelect,
            Place::Query,
            "$select",
            Some(element),
            Some(prop),
            format!("$select names \"{prop}\", which is not a property of {element}{hint}"),
        );
    }
    names
}

fn expand(model: &Model, element: &str, value: &str, sink: &mut Sink) -> Vec<(String, Shape)> {
    let mut out = Vec::new();
    for item in split_top(value, ',') {
        let (name, options) = match item.find('(') {
            Some(i) if item.ends_with(')') => (item[..i].trim(), Some(&item[i + 1..item.len() - 1])),
            _ => (item.as_str(), None),
        };
        let name = name.trim_end_matches("/$ref");
        if name == "*" {
            continue;
        }
        let nav = name.rsplit('/').next().unwrap_or(name);
        let target = nav_target(model, element, nav);
        let Some(target) = target else {
            let navs: Vec<&str> = model
                .chain(element)
                .into_iter()
                .flat_map(|t| t.properties.iter().filter(|p| p.navigation).map(|p| p.name.as_str()))
                .collect();
            let hint = crate::path::suggest(navs.into_iter(), nav);
            sink.push(
                FindingKind::UnknownExpand,
                Place::Query,
                "$expand",
                Some(element),
                Some(nav),
                format!("$expand names \"{nav}\", which is not a navigation property of {element}{hint}"),
            );
            continue;
        };
        let mut shape = Shape::default();
        for opt in options.map(|o| split_top(o, ';')).unwrap_or_default() {
            let Some((k, v)) = opt.split_once('=') else {
                continue;
            };
            match k.trim().to_ascii_lowercase().as_str() {
                "$select" => shape.select = Some(select(model, &target, v, sink)),
                "$expand" => shape.expand = expand(model, &target, v, sink),
                "$filter" => filter::check(model, &target, "$expand/$filter", v, sink),
                _ => {}
            }
        }
        out.push((nav.to_string(), shape));
    }
    out
}

/// The target type of a navigation property of `element` (or of a type derived from it).
fn nav_target(model: &Model, element: &str, nav: &str) -> Option<String> {
    model
        .chain(element)
        .into_iter()
        .find_map(|t| {
            t.properties
                .iter()
                .find(|p| p.navigation && p.name.eq_ignore_ascii_case(nav))
        })
        .or_else(|| {
            model
                .derived_property(element, nav)
                .map(|(_, p)| p)
                .filter(|p| p.navigation)
        })
        .map(|p| p.ty.name.clone())
}

/// Whether the type, a base or a derived type has `prop` (any case).
pub(crate) fn has_property(model: &Model, element: &str, prop: &str, exact: bool) -> bool {
    let own = model.chain(element).into_iter().any(|t| {
        t.properties.iter().any(|p| {
            if exact {
                p.name == prop
            } else {
                p.name.eq_ignore_ascii_case(prop)
            }
        })
    });
    own || model.derived_property(element, prop).is_some() || (!exact && lower_derived(model, element, prop))
}

fn lower_derived(model: &Model, element: &str, prop: &str) -> bool {
    let mut stack: Vec<&String> = model
        .derived
        .get(element)
        .map(|d| d.iter().collect())
        .unwrap_or_default();
    while let Some(name) = stack.pop() {
        if let Some(t) = model.types.get(name) {
            if t.properties.iter().any(|p| p.name.eq_ignore_ascii_case(prop)) {
                return true;
            }
        }
        if let Some(d) = model.derived.get(name) {
            stack.extend(d.iter());
        }
    }
    false
}
