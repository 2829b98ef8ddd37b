//! Beta (`/beta/...`): Microsoft publishes only the property names of beta types
//! (`metadata/type-mappings/beta-*-types.json`), without property types, base types or
//! operations. So a beta path is resolved as far as the names allow, and a body's property names
//! (never its types or enum values) are checked against the type that `@odata.type` or the path
//! names.
//!
//! Inherited names are missing from the mappings. A beta type's base is taken from the v1.0
//! metadata when v1.0 has the type; otherwise every beta type whose name is the type's name with
//! words left out, first and last word kept (`deviceManagementConfigurationSettingValue` for
//! `deviceManagementConfigurationChoiceSettingValue`), counts as a base. That errs toward
//! accepting a name.

use std::collections::{HashMap, HashSet};
use std::sync::OnceLock;

use serde_json::{Map, Value};

use crate::annotations;
use crate::model::{ContainerItem, Model, GRAPH_NS};
use crate::report::{token, FindingKind, Sink};

const ENTITIES: &str = include_str!("../metadata/type-mappings/beta-entity-types.json");
const COMPLEX: &str = include_str!("../metadata/type-mappings/beta-complex-types.json");

/// The names of one beta type.
#[derive(Debug, Default)]
pub(crate) struct BetaType {
    pub properties: Vec<String>,
    pub navigations: Vec<String>,
    pub entity: bool,
}

/// Beta types by qualified name.
pub(crate) type BetaTypes = HashMap<String, BetaType>;

/// The beta mappings, read once.
pub(crate) fn types() -> &'static BetaTypes {
    static TYPES: OnceLock<BetaTypes> = OnceLock::new();
    TYPES.get_or_init(|| {
        let mut out = HashMap::new();
        read(ENTITIES, true, &mut out);
        read(COMPLEX, false, &mut out);
        out
    })
}

fn read(text: &str, entity: bool, out: &mut BetaTypes) {
    let Ok(Value::Object(namespaces)) = serde_json::from_str::<Value>(text) else {
        return;
    };
    let names = |v: Option<&Value>| -> Vec<String> {
        v.and_then(Value::as_array)
            .map(|a| a.iter().filter_map(Value::as_str).map(str::to_string).collect())
            .unwrap_or_default()
    };
    for (ns, types) in namespaces {
        let Some(types) = types.as_object() else {
            continue;
        };
        for (name, t) in types {
            out.insert(
                format!("{ns}.{name}"),
                BetaType {
                    properties: names(t.get("properties")),
                    navigations: names(t.get("navigationProperties")),
                    entity,
                },
            );
        }
    }
}

fn words(name: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for c in name.chars() {
        match out.last_mut() {
            Some(w) if !c.is_ascii_uppercase() => w.push(c),
            _ => out.push(c.to_string()),
        }
    }
    out
}

/// Whether `small`'s words are `big`'s with some left out, the first and last kept.
fn omits_words(big: &[String], small: &[String]) -> bool {
    if small.len() >= big.len() || small.len() < 2 || small.first() != big.first() || small.last() != big.last() {
        return false;
    }
    let mut it = big.iter();
    small.iter().all(|w| it.any(|b| b == w))
}

/// Every name an object of beta type `qualified` may carry (own, inherited, `id` for entities).
pub(crate) fn names(model: &Model, qualified: &str) -> Option<HashSet<String>> {
    let all = types();
    let own = all.get(qualified)?;
    let mut out: HashSet<String> = own.properties.iter().chain(&own.navigations).cloned().collect();
    if own.entity {
        out.insert("id".into());
    }
    let chain = model.chain(qualified);
    if chain.len() > 1 {
        for t in chain {
            if let Some(b) = all.get(&t.name) {
                out.extend(b.properties.iter().chain(&b.navigations).cloned());
            }
            out.extend(t.properties.iter().map(|p| p.name.clone()));
        }
    } else {
        let (ns, bare) = qualified.rsplit_once('.').unwrap_or((GRAPH_NS, qualified));
        let mine = words(bare);
        for (name, b) in all {
            let Some(other) = name.strip_prefix(ns).and_then(|n| n.strip_prefix('.')) else {
                continue;
            };
            if omits_words(&mine, &words(other)) {
                out.extend(b.properties.iter().chain(&b.navigations).cloned());
            }
        }
    }
    Some(out)
}

/// Resolves a beta path as far as the names allow: the type of the last segment and whether it
/// is a collection, or `None` when a segment cannot be followed (an action, an unknown name).
pub(crate) fn resolve(model: &Model, segments: &[String]) -> Option<(String, bool)> {
    let first = segments.first()?;
    let (mut cur, mut collection) = match model.container.get(first.as_str()) {
        Some(ContainerItem::Data(t)) => (t.name.clone(), t.collection),
        _ => (guess(None, first)?, first.ends_with('s')),
    };
    for seg in &segments[1..] {
        if collection {
            if seg.contains('.') && types().contains_key(seg.as_str()) {
                cur = seg.clone();
            } else {
                collection = false;
            }
            continue;
        }
        let beta = types().get(&cur)?;
        if !beta.navigations.iter().any(|n| n == seg) {
            return None;
        }
        // The v1.0 metadata knows the target when v1.0 has the navigation too.
        match model.property(&cur, seg) {
            Some(p) => {
                cur = p.ty.name.clone();
                collection = p.ty.collection;
            }
            None => {
                cur = guess(Some(&cur), seg)?;
                collection = seg.ends_with('s');
            }
        }
    }
    Some((cur, collection))
}

/// The beta type a navigation named `nav` of `parent` most likely targets: the parent's name
/// with words dropped from the end, followed by the singular of `nav`
/// (`deviceManagement` + `configurationPolicies` → `deviceManagementConfigurationPolicy`).
fn guess(parent: Option<&str>, nav: &str) -> Option<String> {
    let singular = if let Some(s) = nav.strip_suffix("ies") {
        format!("{s}y")
    } else if let Some(s) = nav.strip_suffix('s') {
        s.to_string()
    } else {
        nav.to_string()
    };
    let mut cap = singular.clone();
    if let Some(first) = cap.get_mut(0..1) {
        first.make_ascii_uppercase();
    }
    let parent_words = parent
        .map(|p| words(p.rsplit('.').next().unwrap_or(p)))
        .unwrap_or_default();
    for k in (1..=parent_words.len()).rev() {
        let candidate = format!("{GRAPH_NS}.{}{cap}", parent_words[..k].concat());
        if types().contains_key(&candidate) {
            return Some(candidate);
        }
    }
    let bare = format!("{GRAPH_NS}.{singular}");
    types().contains_key(&bare).then_some(bare)
}

/// Checks the property names of a beta object of `declared` (when known), recursing into nested
/// values; a nested object is checked only when its `@odata.type` names its type.
pub(crate) fn object(model: &Model, obj: &Map<String, Value>, declared: Option<&str>, ptr: &str, sink: &mut Sink) {
    let ty = match obj.get("@odata.type") {
        Some(Value::String(t)) => {
            let q = t.trim_start_matches('#').replace("#graph.", "microsoft.graph.");
            if types().contains_key(&q) {
                Some(q)
            } else {
                sink.body(
                    FindingKind::UnknownType,
                    &format!("{ptr}/@odata.type"),
                    declared.unwrap_or("?"),
                    Some("@odata.type"),
                    format!("@odata.type \"{t}\" names no beta type"),
                );
                None
            }
        }
        _ => declared.map(str::to_string),
    };
    let allowed = ty.as_deref().and_then(|t| names(model, t));
    for (key, v) in obj {
        let at = format!("{ptr}/{}", token(key));
        if key.starts_with('@') {
            annotations::instance(model, key, v, ty.as_deref().unwrap_or("?"), &at, sink);
            continue;
        }
        let prop = key.split('@').next().unwrap_or(key);
        if let (Some(t), Some(allowed)) = (&ty, &allowed) {
            if !allowed.contains(prop) {
                let hint = crate::path::suggest(allowed.iter().map(String::as_str), prop);
                sink.body(
                    FindingKind::UnknownProperty,
                    &at,
                    t,
                    Some(prop),
                    format!("\"{prop}\" is not a property of beta {t}{hint}"),
                );
            }
        }
        value(model, v, &at, sink);
    }
}

fn value(model: &Model, v: &Value, ptr: &str, sink: &mut Sink) {
    match v {
        Value::Object(o) => object(model, o, None, ptr, sink),
        Value::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                value(model, item, &format!("{ptr}/{i}"), sink);
            }
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_split_at_capitals_and_omissions_keep_the_ends() {
        let big = words("deviceManagementConfigurationChoiceSettingValue");
        assert_eq!(big[0], "device");
        assert!(omits_words(&big, &words("deviceManagementConfigurationSettingValue")));
        assert!(!omits_words(
            &big,
            &words("deviceManagementConfigurationSettingInstance")
        ));
    }

    #[test]
    fn configuration_policies_resolve_to_the_policy_type() {
        assert_eq!(
            guess(Some("microsoft.graph.deviceManagement"), "configurationPolicies").as_deref(),
            Some("microsoft.graph.deviceManagementConfigurationPolicy")
        );
    }
}
