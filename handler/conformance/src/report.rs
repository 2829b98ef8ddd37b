//! What a check found: [`Finding`]s gathered in a [`Report`].

use std::fmt;

/// What kind of disagreement with the metadata a finding is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum FindingKind {
    /// The URL is not a Graph URL (no `/v1.0` or `/beta`), or cannot be read.
    BadUrl,
    /// A path segment names nothing at that point (no entity set, navigation, property, cast or
    /// bound operation of that name).
    UnknownSegment,
    /// A `$`-option Graph does not know.
    UnknownQueryOption,
    /// A `$select` name that is not a property of the type.
    UnknownSelect,
    /// A `$expand` name that is not a navigation property of the type.
    UnknownExpand,
    /// A property named in `$filter` or `$orderby` that the type does not have.
    UnknownFilterProperty,
    /// A query option whose value cannot be read (`$top=abc`, unbalanced parentheses).
    BadQueryValue,
    /// A body property the type (and its base types) does not have.
    UnknownProperty,
    /// A body member the type requires but is absent (e.g. `@odata.id` of a `$ref`).
    MissingProperty,
    /// A property appears in an answer although `$select` did not ask for it.
    NotSelected,
    /// An enum value that is not a member of the enum.
    NotAnEnumMember,
    /// A member after `unknownFutureValue`, though the client did not send
    /// `Prefer: include-unknown-enum-members`.
    UnrequestedEnumMember,
    /// The JSON type does not fit the property type (a number for a string, an object for a list...).
    WrongJsonType,
    /// A string that is not in the format of its type (a GUID, a date-time, a duration).
    BadFormat,
    /// `null` where the property is declared `Nullable="false"`.
    NullNotAllowed,
    /// An `@odata.type` that names no type in the metadata.
    UnknownType,
    /// An `@odata.type` naming a type that does not derive from the declared one.
    NotDerived,
    /// An object of an abstract type sent without the `@odata.type` of a concrete one.
    AbstractType,
    /// A non-nullable action parameter is missing.
    MissingParameter,
    /// A body member that is not a parameter of the action.
    UnknownParameter,
    /// An instance annotation Graph does not use (`@foo`, `prop@bar`).
    UnknownAnnotation,
    /// The method does not fit the target (GET of an action, POST of a function).
    WrongMethod,
    /// The `$batch` envelope or one of its items has the wrong shape.
    BadBatch,
    /// An error answer that is not `{"error": {"code", "message", ...}}`.
    BadError,
    /// A body where none is expected (a 204), or none where one is.
    UnexpectedBody,
}

/// Where in the exchange a finding is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Place {
    /// The URL's path.
    Path,
    /// The URL's query string.
    Query,
    /// The JSON body (see [`Finding::pointer`]).
    Body,
}

/// One disagreement with Graph's metadata.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    /// What kind it is.
    pub kind: FindingKind,
    /// Path, query or body.
    pub place: Place,
    /// JSON pointer (RFC 6901) into the body for [`Place::Body`] (`/data/stage`); for the path
    /// and query, the offending segment or option.
    pub pointer: String,
    /// The qualified type (or operation) the finding is about, when there is one.
    pub type_name: Option<String>,
    /// The property, parameter, segment or option name at fault, when there is one.
    pub name: Option<String>,
    /// One line naming the type and property.
    pub message: String,
}

impl fmt::Display for Finding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let place = match self.place {
            Place::Path => "path",
            Place::Query => "query",
            Place::Body => "body",
        };
        write!(f, "{place} {}: {:?}: {}", self.pointer, self.kind, self.message)
    }
}

/// The findings of one check.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Report {
    /// What disagrees with the metadata.
    pub findings: Vec<Finding>,
    /// Findings the allowlist excuses, with the entry's link.
    pub allowed: Vec<(Finding, &'static str)>,
}

impl Report {
    /// Whether nothing was found.
    pub fn is_clean(&self) -> bool {
        self.findings.is_empty()
    }

    /// Whether a finding of `kind` was made.
    pub fn has(&self, kind: FindingKind) -> bool {
        self.findings.iter().any(|f| f.kind == kind)
    }

    /// The findings of `kind`.
    pub fn of_kind(&self, kind: FindingKind) -> Vec<&Finding> {
        self.findings.iter().filter(|f| f.kind == kind).collect()
    }

    /// Adds a `$batch` item's findings: body pointers move under `{prefix}/body`, URL findings
    /// point at `{prefix}/url`.
    pub(crate) fn absorb(&mut self, other: Report, prefix: &str) {
        let shift = |mut f: Finding| {
            if f.place == Place::Body {
                f.pointer = format!("{prefix}/body{}", f.pointer);
            } else {
                f.pointer = format!("{prefix}/url {}", f.pointer);
                f.place = Place::Body;
            }
            f
        };
        self.findings.extend(other.findings.into_iter().map(shift));
        self.allowed
            .extend(other.allowed.into_iter().map(|(f, link)| (shift(f), link)));
    }
}

impl fmt::Display for Report {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.findings.is_empty() {
            write!(f, "conforms to the Graph metadata")?;
        } else {
            write!(f, "{} finding(s):", self.findings.len())?;
            for finding in &self.findings {
                write!(f, "\n  {finding}")?;
            }
        }
        for (finding, link) in &self.allowed {
            write!(f, "\n  allowed ({link}): {finding}")?;
        }
        Ok(())
    }
}

/// Builds findings with the common fields.
pub(crate) struct Sink {
    pub findings: Vec<Finding>,
}

impl Sink {
    pub fn new() -> Sink {
        Sink { findings: Vec::new() }
    }

    pub fn push(
        &mut self,
        kind: FindingKind,
        place: Place,
        pointer: &str,
        type_name: Option<&str>,
        name: Option<&str>,
        message: String,
    ) {
        self.findings.push(Finding {
            kind,
            place,
            pointer: pointer.to_string(),
            type_name: type_name.map(str::to_string),
            name: name.map(str::to_string),
            message,
        });
    }

    /// A body finding.
    pub fn body(&mut self, kind: FindingKind, pointer: &str, type_name: &str, name: Option<&str>, message: String) {
        self.push(kind, Place::Body, pointer, Some(type_name), name, message);
    }
}

/// Escapes one JSON-pointer reference token (`~` → `~0`, `/` → `~1`).
pub(crate) fn token(name: &str) -> String {
    name.replace('~', "~0").replace('/', "~1")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_report_prints_one_line_per_finding() {
        let mut sink = Sink::new();
        sink.body(
            FindingKind::UnknownProperty,
            "/sourse",
            "microsoft.graph.x",
            Some("sourse"),
            "no such property".into(),
        );
        let r = Report {
            findings: sink.findings,
            allowed: Vec::new(),
        };
        assert!(!r.is_clean());
        assert_eq!(
            r.to_string(),
            "1 finding(s):\n  body /sourse: UnknownProperty: no such property"
        );
        assert_eq!(token("a/b~c"), "a~1b~0c");
    }
}
