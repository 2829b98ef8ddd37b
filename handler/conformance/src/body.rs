//! Checking JSON values against v1.0 types: objects against entity and complex types (base
//! types, `@odata.type` casts, open types), enums (flags enums as comma-separated members,
//! evolvable members), primitive JSON types and formats, and nullability.
//!
//! JSON forms follow OData's JSON format as Graph uses it: strings for `Edm.String`, `Edm.Guid`,
//! `Edm.DateTimeOffset`, `Edm.Date`, `Edm.Duration`, `Edm.Binary`; numbers for the numeric types
//! (`Edm.Int64` and `Edm.Decimal` also as numeric strings, `Edm.Double` also as `NaN`/`INF`).
//! Graph takes property names and values case-insensitively in requests
//! (<https://learn.microsoft.com/graph/traverse-the-graph>), so a request is checked ignoring case;
//! an answer must use the declared spelling, as clients such as jitadmin's deserialise it exactly.

use serde_json::{Map, Value};

use crate::annotations;
use crate::formats;
use crate::model::{Model, Property, TypeRef};
use crate::report::{token, FindingKind, Sink};

/// What `$select`/`$expand` asked of an answer's entities.
#[derive(Debug, Clone, Default)]
pub(crate) struct Shape {
    /// The selected property names; `None` for all.
    pub select: Option<Vec<String>>,
    /// Expanded navigation properties and what was asked of them.
    pub expand: Vec<(String, Shape)>,
}

/// One body check in progress.
pub(crate) struct BodyCheck<'a> {
    pub model: &'a Model,
    /// A request (client to Graph) rather than an answer.
    pub request: bool,
    /// The client sent `Prefer: include-unknown-enum-members`.
    pub include_unknown: bool,
    /// Report unknown properties of open types too (except `extension_*`).
    pub strict_open: bool,
    pub sink: &'a mut Sink,
}

impl BodyCheck<'_> {
    /// Checks `v` as the value of `owner.prop`, typed `ty`.
    pub fn value(&mut self, v: &Value, ty: &TypeRef, nullable: bool, ptr: &str, owner: &str, prop: &str) {
        self.value_shaped(v, ty, nullable, ptr, owner, prop, &Shape::default());
    }

    #[allow(clippy::too_many_arguments)]
    pub fn value_shaped(
        &mut self,
        v: &Value,
        ty: &TypeRef,
        nullable: bool,
        ptr: &str,
        owner: &str,
        prop: &str,
        shape: &Shape,
    ) {
        if v.is_null() {
            if !nullable {
                self.sink.body(
                    FindingKind::NullNotAllowed,
                    ptr,
                    owner,
                    Some(prop),
                    format!("{owner}.{prop} is not nullable, but the value is null"),
                );
            }
            return;
        }
        if ty.collection {
            let Some(items) = v.as_array() else {
                self.wrong(ptr, owner, prop, &format!("Collection({})", ty.name), v);
                return;
            };
            let element = ty.element();
            for (i, item) in items.iter().enumerate() {
                self.value_shaped(item, &element, nullable, &format!("{ptr}/{i}"), owner, prop, shape);
            }
            return;
        }
        if let Some(primitive) = ty.name.strip_prefix("Edm.") {
            self.primitive(v, primitive, ptr, owner, prop);
        } else if self.model.enumeration(&ty.name).is_some() {
            self.enum_value(v, &ty.name, ptr, owner, prop);
        } else if self.model.structured(&ty.name).is_some() {
            match v.as_object() {
                Some(obj) => self.object(obj, &ty.name, ptr, shape),
                None => self.wrong(ptr, owner, prop, &ty.name, v),
            }
        }
    }

    fn wrong(&mut self, ptr: &str, owner: &str, prop: &str, expected: &str, v: &Value) {
        self.sink.body(
            FindingKind::WrongJsonType,
            ptr,
            owner,
            Some(prop),
            format!("{owner}.{prop} is {expected}, but the value is {}", json_kind(v)),
        );
    }

    fn primitive(&mut self, v: &Value, edm: &str, ptr: &str, owner: &str, prop: &str) {
        let fits = match edm {
            "String" | "Binary" | "Stream" => v.is_string(),
            "Guid" | "DateTimeOffset" | "Date" | "TimeOfDay" | "Duration" => match v.as_str() {
                Some(s) => {
                    if let Err(why) = formats::check(edm, s) {
                        self.sink.body(
                            FindingKind::BadFormat,
                            ptr,
                            owner,
                            Some(prop),
                            format!("{owner}.{prop} is Edm.{edm}, but \"{s}\" {why}"),
                        );
                    }
                    true
                }
                None => false,
            },
            "Boolean" => v.is_boolean(),
            "Int16" | "Int32" | "Byte" | "SByte" => v.is_i64() || v.is_u64(),
            "Int64" => v.is_i64() || v.is_u64() || v.as_str().is_some_and(|s| s.parse::<i64>().is_ok()),
            "Decimal" => v.is_number() || v.as_str().is_some_and(|s| s.parse::<f64>().is_ok()),
            "Double" | "Single" => v.is_number() || v.as_str().is_some_and(|s| matches!(s, "NaN" | "INF" | "-INF")),
            // Untyped, PrimitiveType, geography and geometry values take any JSON.
            _ => true,
        };
        if !fits {
            self.wrong(ptr, owner, prop, &format!("Edm.{edm}"), v);
        }
    }

    fn enum_value(&mut self, v: &Value, enum_name: &str, ptr: &str, owner: &str, prop: &str) {
        let Some((qualified, e)) = self.model.enumeration(enum_name) else {
            return;
        };
        let Some(text) = v.as_str() else {
            self.wrong(ptr, owner, prop, qualified, v);
            return;
        };
        let values: Vec<&str> = if e.flags {
            text.split(',').map(str::trim).collect()
        } else {
            vec![text]
        };
        for value in values {
            let exact = e.members.iter().find(|m| *m == value);
            let loose = e.members.iter().find(|m| m.eq_ignore_ascii_case(value));
            let member = if self.request { exact.or(loose) } else { exact };
            match member {
                None => {
                    let case = match loose {
                        Some(m) => format!(" (Graph answers it as \"{m}\")"),
                        None => String::new(),
                    };
                    self.sink.body(
                        FindingKind::NotAnEnumMember,
                        ptr,
                        owner,
                        Some(prop),
                        format!(
                            "\"{value}\" is not a member of {qualified}, the type of {owner}.{prop}{case} (members: {})",
                            e.members.join(", ")
                        ),
                    );
                }
                Some(m) if !self.include_unknown && e.evolvable().contains(m) => {
                    let who = if self.request { "may send" } else { "answers" };
                    self.sink.body(
                        FindingKind::UnrequestedEnumMember,
                        ptr,
                        owner,
                        Some(prop),
                        format!(
                            "\"{m}\" of {qualified} ({owner}.{prop}) comes after unknownFutureValue: a client {who} it \
                             only with Prefer: include-unknown-enum-members; otherwise Graph uses unknownFutureValue"
                        ),
                    );
                }
                Some(_) => {}
            }
        }
    }

    /// Checks an object declared as `declared` (an `@odata.type` may select a derived type).
    pub fn object(&mut self, obj: &Map<String, Value>, declared: &str, ptr: &str, shape: &Shape) {
        let Some(declared_type) = self.model.structured(declared) else {
            return;
        };
        let declared = declared_type.name.clone();
        let actual = match obj.get("@odata.type") {
            Some(t) => match annotations::cast(self.model, t, &declared, &format!("{ptr}/@odata.type"), self.sink) {
                Some(actual) => actual,
                None => return,
            },
            None => {
                let derived = self.model.derived.get(&declared).is_some_and(|d| !d.is_empty());
                if self.request && declared_type.is_abstract && derived {
                    self.sink.body(
                        FindingKind::AbstractType,
                        ptr,
                        &declared,
                        None,
                        format!("{declared} is abstract: the object needs the @odata.type of a derived type"),
                    );
                }
                declared
            }
        };
        let open = self.model.is_open(&actual);
        let strict = self.strict_open;
        let lenient = |key: &str| open && (!strict || key.starts_with("extension_"));
        for (key, v) in obj {
            let at = format!("{ptr}/{}", token(key));
            if key.starts_with('@') {
                annotations::instance(self.model, key, v, &actual, &at, self.sink);
                continue;
            }
            if let Some((prop, annotation)) = key.split_once('@') {
                self.property_annotation(prop, annotation, v, &actual, &at);
                continue;
            }
            match self.find(&actual, key) {
                Some(p) => {
                    let p = p.clone();
                    if !self.request && !p.navigation {
                        self.selected(shape, key, &actual, &at);
                    }
                    let nested = shape
                        .expand
                        .iter()
                        .find(|(n, _)| n.eq_ignore_ascii_case(key))
                        .map(|(_, s)| s.clone())
                        .unwrap_or_default();
                    self.value_shaped(v, &p.ty, p.nullable, &at, &actual, key, &nested);
                }
                None if lenient(key) => {}
                None => self.unknown_property(&actual, key, v, &at),
            }
        }
    }

    fn find(&self, type_name: &str, key: &str) -> Option<&Property> {
        self.model.property(type_name, key).or_else(|| {
            if !self.request {
                return None;
            }
            self.model
                .chain(type_name)
                .into_iter()
                .find_map(|t| t.properties.iter().find(|p| p.name.eq_ignore_ascii_case(key)))
        })
    }

    fn selected(&mut self, shape: &Shape, key: &str, type_name: &str, at: &str) {
        let Some(select) = &shape.select else {
            return;
        };
        let asked = select
            .iter()
            .any(|s| s == "*" || s.eq_ignore_ascii_case(key) || s.ends_with(&format!("/{key}")));
        if !asked && key != "id" {
            self.sink.body(
                FindingKind::NotSelected,
                at,
                type_name,
                Some(key),
                format!(
                    "{type_name}.{key} is in the answer, but $select asked only for {}",
                    select.join(",")
                ),
            );
        }
    }

    fn unknown_property(&mut self, type_name: &str, key: &str, v: &Value, at: &str) {
        if let Some((derived, p)) = self.model.derived_property(type_name, key) {
            let (derived, p) = (derived.to_string(), p.clone());
            if self.request {
                self.sink.body(
                    FindingKind::UnknownProperty,
                    at,
                    type_name,
                    Some(key),
                    format!(
                        "\"{key}\" is not a property of {type_name} but of the derived {derived}: send \"@odata.type\": \"#{derived}\""
                    ),
                );
            } else {
                // Graph's directory answers directoryObject collections with the derived types' properties.
                self.value(v, &p.ty, p.nullable, at, &derived, key);
            }
            return;
        }
        let names = self.model.property_names(type_name).unwrap_or_default();
        let hint = crate::path::suggest(names.into_iter(), key);
        self.sink.body(
            FindingKind::UnknownProperty,
            at,
            type_name,
            Some(key),
            format!("\"{key}\" is not a property of {type_name}{hint}"),
        );
    }

    /// `members@odata.bind`, `members@delta`, `value@odata.nextLink`...
    fn property_annotation(&mut self, prop: &str, annotation: &str, v: &Value, type_name: &str, at: &str) {
        let Some(p) = self.find(type_name, prop).cloned() else {
            if !self.model.is_open(type_name) {
                self.unknown_property(type_name, prop, v, at);
            }
            return;
        };
        match annotation {
            "delta" if p.navigation && p.ty.collection => match v.as_array() {
                Some(items) => {
                    let element = p.ty.element();
                    for (i, item) in items.iter().enumerate() {
                        self.value(item, &element, true, &format!("{at}/{i}"), type_name, prop);
                    }
                }
                None => self.wrong(at, type_name, prop, &format!("Collection({})", p.ty.name), v),
            },
            "odata.bind" => {
                let ok = v.is_string() || v.as_array().is_some_and(|a| a.iter().all(Value::is_string));
                if !ok || !p.navigation {
                    self.sink.body(
                        FindingKind::WrongJsonType,
                        at,
                        type_name,
                        Some(prop),
                        format!("{prop}@odata.bind binds a navigation property with URL strings ({type_name}.{prop})"),
                    );
                }
            }
            a if a.starts_with("odata.") || a.starts_with("microsoft.graph.") => {}
            other => self.sink.body(
                FindingKind::UnknownAnnotation,
                at,
                type_name,
                Some(prop),
                format!("\"{prop}@{other}\" is not an annotation Graph uses on {type_name}.{prop}"),
            ),
        }
    }
}

/// How a JSON value reads in a message.
pub(crate) fn json_kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}
