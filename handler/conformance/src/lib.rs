//! graph-conformance: checks Microsoft Graph requests and answers against the metadata Graph is
//! built from, so that a misspelt property, an enum member Graph does not have, or a resume body
//! with a wrong parameter is found in tests instead of in a real tenant.
//!
//! The v1.0 metadata (`metadata/v1.0.csdl`, OData CSDL; Graph publishes it at
//! `https://graph.microsoft.com/v1.0/$metadata`: <https://learn.microsoft.com/graph/traverse-the-graph>)
//! is embedded and parsed once per process, on first use. Beta types are known only by their
//! property names (see the `beta` module).
//!
//! ```
//! use graph_conformance::{check, Direction, FindingKind};
//! use serde_json::json;
//!
//! let body = json!({
//!     "sourse": "jitadmin",
//!     "type": "microsoft.graph.accessPackageCustomExtensionStage.assignmentRequestCreated",
//!     "data": {
//!         "@odata.type": "microsoft.graph.accessPackageAssignmentRequestCallbackData",
//!         "stage": "assignmentRequestCreated",
//!         "customExtensionStageInstanceId": "i-1",
//!         "customExtensionStageInstanceDetail": "ok"
//!     }
//! });
//! let url = "/v1.0/identityGovernance/entitlementManagement/assignmentRequests/r-1/resume";
//! let report = check("POST", url, Some(&body), Direction::Request);
//! assert!(report.has(FindingKind::UnknownParameter));
//! ```

#![deny(clippy::all)]
#![warn(missing_docs)]

pub mod allowlist;
mod annotations;
mod batch;
mod beta;
mod body;
mod check;
mod csdl;
mod errors;
mod filter;
mod formats;
mod model;
mod path;
mod query;
mod report;
mod url;

use std::sync::OnceLock;

use serde_json::Value;

pub use allowlist::{Deviation, DEVIATIONS};
pub use batch::MAX_ITEMS as MAX_BATCH_ITEMS;
pub use report::{Finding, FindingKind, Place, Report};

/// The embedded v1.0 metadata.
const CSDL: &str = include_str!("../metadata/v1.0.csdl");

/// Which side of an exchange a body is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    /// What a client sends to Graph.
    Request,
    /// What Graph answers, with the HTTP status.
    Response {
        /// HTTP status of the answer.
        status: u16,
    },
}

/// How the client asked.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Options {
    /// The client sent `Prefer: include-unknown-enum-members`, so members after
    /// `unknownFutureValue` of an evolvable enum are expected
    /// (<https://learn.microsoft.com/graph/best-practices-concept>).
    pub include_unknown_enum_members: bool,
    /// Also report unknown properties on open types (Graph's `user`, `group` and
    /// `directoryObject` are open, for directory extensions), except `extension_*` names.
    pub strict_open_types: bool,
}

impl Options {
    /// Options read from the request's headers (names compared case-insensitively).
    pub fn from_headers<'a>(headers: impl IntoIterator<Item = (&'a str, &'a str)>) -> Options {
        Options {
            include_unknown_enum_members: headers
                .into_iter()
                .any(|(k, v)| k.eq_ignore_ascii_case("prefer") && prefers_unknown_members(v)),
            strict_open_types: false,
        }
    }
}

/// Whether a `Prefer` header value asks for the members after `unknownFutureValue`.
pub(crate) fn prefers_unknown_members(value: &str) -> bool {
    value
        .split(',')
        .any(|p| p.trim().eq_ignore_ascii_case("include-unknown-enum-members"))
}

fn model() -> Result<&'static model::Model, &'static str> {
    static MODEL: OnceLock<Result<model::Model, String>> = OnceLock::new();
    MODEL.get_or_init(|| csdl::parse(CSDL)).as_ref().map_err(String::as_str)
}

fn unavailable(why: &str) -> Report {
    Report {
        findings: vec![Finding {
            kind: FindingKind::BadUrl,
            place: Place::Path,
            pointer: String::new(),
            type_name: None,
            name: None,
            message: format!("the embedded metadata could not be read: {why}"),
        }],
        allowed: Vec::new(),
    }
}

/// Checks one request or answer: `url` is a Graph URL or path (`https://graph.microsoft.com/v1.0/...`,
/// `/v1.0/...`, `/beta/...`, with any query), `body` the JSON body if any.
pub fn check(method: &str, url: &str, body: Option<&Value>, direction: Direction) -> Report {
    check_with(method, url, body, direction, &Options::default())
}

/// [`check`] with the client's [`Options`].
pub fn check_with(method: &str, url: &str, body: Option<&Value>, direction: Direction, options: &Options) -> Report {
    match model() {
        Ok(m) => check::run(m, method, url, body, direction, options),
        Err(why) => unavailable(why),
    }
}

/// Checks a `$batch` answer against the batch request it answers: each item's body is checked as
/// the answer to the request item with the same id (`version` is `v1.0` or `beta`).
pub fn check_batch_response(version: &str, request_body: &Value, response_body: &Value, options: &Options) -> Report {
    let m = match model() {
        Ok(m) => m,
        Err(why) => return unavailable(why),
    };
    let v = if version == "beta" {
        url::Version::Beta
    } else {
        url::Version::V1
    };
    let mut sink = report::Sink::new();
    batch::check_response(m, v, Some(request_body), response_body, options, &mut sink);
    check::finish(sink)
}

/// The members of a v1.0 enum (`microsoft.graph.accessPackageRequestType`, or unqualified), in
/// the metadata's order.
pub fn enum_members(name: &str) -> Option<Vec<&'static str>> {
    let (_, e) = model().ok()?.enumeration(name)?;
    Some(e.members.iter().map(String::as_str).collect())
}

/// The members of a v1.0 enum after `unknownFutureValue` (sent only on
/// `Prefer: include-unknown-enum-members`); empty for an enum that is not evolvable.
pub fn evolvable_members(name: &str) -> Option<Vec<&'static str>> {
    let (_, e) = model().ok()?.enumeration(name)?;
    Some(e.evolvable().iter().map(String::as_str).collect())
}

/// Every property name (structural and navigation, inherited included) of a v1.0 entity or
/// complex type.
pub fn property_names(type_name: &str) -> Option<Vec<&'static str>> {
    model().ok()?.property_names(type_name)
}

/// The property names a beta type may carry, as far as the beta mappings tell (sorted).
pub fn beta_property_names(type_name: &str) -> Option<Vec<String>> {
    let m = model().ok()?;
    let q = if type_name.contains('.') {
        type_name.trim_start_matches('#').to_string()
    } else {
        format!("{}.{type_name}", model::GRAPH_NS)
    };
    let mut names: Vec<String> = beta::names(m, &q)?.into_iter().collect();
    names.sort();
    Some(names)
}

/// Checks a JSON value as an instance of a v1.0 entity or complex type, without a URL: e.g. a
/// change notification (`microsoft.graph.changeNotificationCollection`) Graph posts to a subscriber.
pub fn check_type(type_name: &str, value: &Value, direction: Direction, options: &Options) -> Report {
    let m = match model() {
        Ok(m) => m,
        Err(why) => return unavailable(why),
    };
    let mut sink = report::Sink::new();
    match m.structured(type_name) {
        Some(t) => {
            let ty = model::TypeRef {
                collection: false,
                name: t.name.clone(),
            };
            let mut bc = body::BodyCheck {
                model: m,
                request: matches!(direction, Direction::Request),
                include_unknown: options.include_unknown_enum_members,
                strict_open: options.strict_open_types,
                sink: &mut sink,
            };
            bc.value(value, &ty, true, "", &t.name, "value");
        }
        None => sink.body(
            FindingKind::UnknownType,
            "",
            type_name,
            None,
            format!("{type_name} is no entity or complex type of the v1.0 metadata"),
        ),
    }
    check::finish(sink)
}
