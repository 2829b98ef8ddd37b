//! The static type of every variable and field the rules can read.

use std::fmt;

/// A CEL type as the static checker knows it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Ty {
    /// `bool`
    Bool,
    /// `int` (64-bit signed)
    Int,
    /// `uint`
    Uint,
    /// `double`
    Double,
    /// `string`
    String,
    /// `bytes`
    Bytes,
    /// `null`
    Null,
    /// `google.protobuf.Timestamp`
    Timestamp,
    /// `google.protobuf.Duration`
    Duration,
    /// A type value, e.g. `int` in `type(x) == int`.
    Type,
    /// A list of elements of one type.
    List(&'static Ty),
    /// A map from keys of one type to values of one type.
    Map(&'static Ty, &'static Ty),
    /// One of the facts' objects, with named fields.
    Object(&'static ObjectType),
    /// Unknown until run time.
    Dyn,
}

/// An object of the facts (a CEL map with known keys).
#[derive(Debug, PartialEq)]
pub struct ObjectType {
    /// Its name, as shown in messages (`Requestor`).
    pub name: &'static str,
    /// Its fields.
    pub fields: &'static [Field],
}

/// One field of an [`ObjectType`].
#[derive(Debug, PartialEq)]
pub struct Field {
    /// The CEL (and JSON) name, camelCase.
    pub name: &'static str,
    /// Its type.
    pub ty: Ty,
    /// Absent when unknown: read it under `has(...)`, or the rule errors.
    pub optional: bool,
    /// What it holds.
    pub doc: &'static str,
}

impl ObjectType {
    /// The field called `name`.
    pub fn field(&self, name: &str) -> Option<&'static Field> {
        self.fields.iter().find(|f| f.name == name)
    }
}

impl Ty {
    /// `'static` storage for a type built while checking (lists of lists become `list(dyn)`).
    pub(crate) fn to_static(self) -> &'static Ty {
        match self {
            Ty::Bool => &Ty::Bool,
            Ty::Int => &Ty::Int,
            Ty::Uint => &Ty::Uint,
            Ty::Double => &Ty::Double,
            Ty::String => &Ty::String,
            Ty::Bytes => &Ty::Bytes,
            Ty::Null => &Ty::Null,
            Ty::Timestamp => &Ty::Timestamp,
            Ty::Duration => &Ty::Duration,
            Ty::Type => &Ty::Type,
            _ => &Ty::Dyn,
        }
    }

    /// Whether this is `int`, `uint` or `double`.
    pub fn is_numeric(self) -> bool {
        matches!(self, Ty::Int | Ty::Uint | Ty::Double)
    }
}

impl fmt::Display for Ty {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Ty::Bool => f.write_str("bool"),
            Ty::Int => f.write_str("int"),
            Ty::Uint => f.write_str("uint"),
            Ty::Double => f.write_str("double"),
            Ty::String => f.write_str("string"),
            Ty::Bytes => f.write_str("bytes"),
            Ty::Null => f.write_str("null"),
            Ty::Timestamp => f.write_str("timestamp"),
            Ty::Duration => f.write_str("duration"),
            Ty::Type => f.write_str("type"),
            Ty::List(e) => write!(f, "list({e})"),
            Ty::Map(k, v) => write!(f, "map({k}, {v})"),
            Ty::Object(o) => f.write_str(o.name),
            Ty::Dyn => f.write_str("dyn"),
        }
    }
}

const fn field(name: &'static str, ty: Ty, doc: &'static str) -> Field {
    Field {
        name,
        ty,
        optional: false,
        doc,
    }
}

const fn optional(name: &'static str, ty: Ty, doc: &'static str) -> Field {
    Field {
        name,
        ty,
        optional: true,
        doc,
    }
}

/// `target.manager`
pub static MANAGER: ObjectType = ObjectType {
    name: "Manager",
    fields: &[
        field("id", Ty::String, "the manager's directory object id"),
        field("displayName", Ty::String, "the manager's display name"),
    ],
};

/// `target`, `requestedBy` (and `requestor`, the older name of `target`)
pub static PERSON: ObjectType = ObjectType {
    name: "Person",
    fields: &[
        field("id", Ty::String, "directory object id"),
        field("userPrincipalName", Ty::String, "UPN"),
        field("displayName", Ty::String, "display name"),
        field("department", Ty::String, "department ('' when unset)"),
        field("jobTitle", Ty::String, "job title ('' when unset)"),
        field("userType", Ty::String, "'Member' or 'Guest'"),
        field("accountEnabled", Ty::Bool, "whether the account is enabled"),
        field("employeeType", Ty::String, "employee type ('' when unset)"),
        field("companyName", Ty::String, "company name ('' when unset)"),
        field("country", Ty::String, "country ('' when unset)"),
        optional("createdDateTime", Ty::Timestamp, "when the account was created"),
        optional("manager", Ty::Object(&MANAGER), "the manager, absent when none"),
    ],
};

/// An element of `request.answerList`
pub static ANSWER: ObjectType = ObjectType {
    name: "Answer",
    fields: &[
        field("questionId", Ty::String, "the question's id ('' when not given)"),
        field("question", Ty::String, "the question's text"),
        field("value", Ty::String, "the answer as stored (a choice's value)"),
        field("displayValue", Ty::String, "the answer as shown"),
    ],
};

/// `request.accessPackage`
pub static ACCESS_PACKAGE: ObjectType = ObjectType {
    name: "AccessPackage",
    fields: &[
        field("id", Ty::String, "access package id"),
        field("displayName", Ty::String, "access package name"),
    ],
};

/// `request`
pub static REQUEST: ObjectType = ObjectType {
    name: "Request",
    fields: &[
        field("id", Ty::String, "assignment request id"),
        field("type", Ty::String, "request type, e.g. 'userAdd'"),
        field(
            "justification",
            Ty::String,
            "the requestor's justification ('' when none)",
        ),
        field(
            "answers",
            Ty::Map(&Ty::String, &Ty::String),
            "question id or text -> answer value (questions sharing a text: read by id)",
        ),
        field(
            "answerList",
            Ty::List(&Ty::Object(&ANSWER)),
            "the answers in the form's order",
        ),
        field(
            "isOnBehalf",
            Ty::Bool,
            "whether someone other than the target filed it (requestedBy is not target)",
        ),
        field(
            "isExtension",
            Ty::Bool,
            "whether it extends or updates an assignment the target already has",
        ),
        optional(
            "currentEnd",
            Ty::Timestamp,
            "for an extension: when the current assignment ends, absent when unknown",
        ),
        field("start", Ty::Timestamp, "requested start"),
        optional("end", Ty::Timestamp, "requested end, absent when open-ended"),
        optional(
            "durationHours",
            Ty::Double,
            "end - start in hours, absent when open-ended",
        ),
        field("accessPackage", Ty::Object(&ACCESS_PACKAGE), "the access package"),
        field("policyId", Ty::String, "assignment policy id"),
    ],
};

/// An element of `devices`
pub static DEVICE: ObjectType = ObjectType {
    name: "Device",
    fields: &[
        field("id", Ty::String, "Intune managed device id"),
        field("deviceName", Ty::String, "device name"),
        field("operatingSystem", Ty::String, "e.g. 'Windows'"),
        field("osVersion", Ty::String, "e.g. '10.0.22631.4037'"),
        field("complianceState", Ty::String, "e.g. 'compliant', 'noncompliant'"),
        field(
            "isPrimaryUser",
            Ty::Bool,
            "whether the requestor is the device's primary user",
        ),
        optional("lastSyncDateTime", Ty::Timestamp, "last Intune sync"),
        field("managementAgent", Ty::String, "e.g. 'mdm'"),
    ],
};

/// `history.lastDenial`
pub static DENIAL: ObjectType = ObjectType {
    name: "Denial",
    fields: &[
        field("dateTime", Ty::Timestamp, "when it was denied"),
        field("reason", Ty::String, "the reason given"),
        field("rule", Ty::String, "the rule that denied ('' when a person did)"),
    ],
};

/// `history`
pub static HISTORY: ObjectType = ObjectType {
    name: "History",
    fields: &[
        field("activeElevation", Ty::Bool, "whether an elevation is active now"),
        field("grantsLast30Days", Ty::Int, "grants in the last 30 days"),
        field(
            "elevatedHoursLast30Days",
            Ty::Double,
            "elevated hours in the last 30 days",
        ),
        optional("lastDenial", Ty::Object(&DENIAL), "the last denial, absent when none"),
    ],
};

/// `now`
pub static NOW: ObjectType = ObjectType {
    name: "Now",
    fields: &[
        field("time", Ty::Timestamp, "the decision time, in the rules' time zone"),
        field("weekday", Ty::String, "'Monday' .. 'Sunday' in the rules' time zone"),
        field("hour", Ty::Int, "0 .. 23 in the rules' time zone"),
        field("timeZone", Ty::String, "the rules' time zone, e.g. 'Europe/Paris'"),
    ],
};

/// The variables a rule can read, with their types.
#[derive(Debug)]
pub struct FactsSchema {
    /// (name, type) of each top-level variable.
    pub variables: &'static [(&'static str, Ty)],
}

/// The facts schema: `target`, `requestedBy`, `requestor` (the older name of `target`),
/// `request`, `devices`, `history`, `now`.
pub static FACTS_SCHEMA: FactsSchema = FactsSchema {
    variables: &[
        ("target", Ty::Object(&PERSON)),
        ("requestedBy", Ty::Object(&PERSON)),
        ("requestor", Ty::Object(&PERSON)),
        ("request", Ty::Object(&REQUEST)),
        ("devices", Ty::List(&Ty::Object(&DEVICE))),
        ("history", Ty::Object(&HISTORY)),
        ("now", Ty::Object(&NOW)),
    ],
};

impl FactsSchema {
    /// The type of the variable `name`.
    pub fn variable(&self, name: &str) -> Option<Ty> {
        self.variables.iter().find(|(n, _)| *n == name).map(|(_, t)| *t)
    }

    /// Every variable and field, one per line: `requestor.manager.id  string  the manager's ...`
    /// (`?` marks a field that may be absent), for documentation and `--help` text.
    pub fn describe(&self) -> String {
        fn walk(out: &mut String, path: &str, ty: Ty, optional: bool, doc: &str) {
            let mark = if optional { "?" } else { "" };
            out.push_str(&format!(
                "{:<40} {:<24} {doc}\n",
                format!("{path}{mark}"),
                ty.to_string()
            ));
            let inner = match ty {
                Ty::Object(o) => Some((o, path.to_string())),
                Ty::List(Ty::Object(o)) => Some((*o, format!("{path}[]"))),
                _ => None,
            };
            if let Some((o, prefix)) = inner {
                for f in o.fields {
                    walk(out, &format!("{prefix}.{}", f.name), f.ty, f.optional, f.doc);
                }
            }
        }
        let mut out = String::new();
        for (name, ty) in self.variables {
            walk(&mut out, name, *ty, false, "");
        }
        out
    }

    /// The type at a dotted path such as `requestor.manager.id` (lists are not entered).
    pub fn path(&self, path: &str) -> Option<Ty> {
        let mut parts = path.split('.');
        let mut ty = self.variable(parts.next()?)?;
        for part in parts {
            ty = match ty {
                Ty::Object(o) => o.field(part)?.ty,
                _ => return None,
            };
        }
        Some(ty)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_description_lists_every_field() {
        let text = FACTS_SCHEMA.describe();
        assert!(text.contains("requestor.manager?"));
        assert!(text.contains("devices[].complianceState"));
        assert_eq!(text.lines().count(), 7 + 3 * (12 + 2) + 13 + 4 + 2 + 8 + 4 + 3 + 4);
    }

    #[test]
    fn paths_resolve_through_objects() {
        assert_eq!(FACTS_SCHEMA.path("requestor.manager.id"), Some(Ty::String));
        assert_eq!(FACTS_SCHEMA.path("history.grantsLast30Days"), Some(Ty::Int));
        assert_eq!(FACTS_SCHEMA.path("requestor.nope"), None);
        assert_eq!(
            FACTS_SCHEMA.path("devices").map(|t| t.to_string()),
            Some("list(Device)".into())
        );
    }
}
