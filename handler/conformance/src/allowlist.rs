//! Documented deviations from the metadata: what Microsoft's pages show but the published metadata
//! lacks (or the other way round). Each entry names the type and property, the kind of finding
//! it excuses, the learn.microsoft.com page that shows it, and why it is excused. An entry
//! without a link does not belong here.

use crate::report::{Finding, FindingKind};

/// One excused deviation.
#[derive(Debug, Clone, Copy)]
pub struct Deviation {
    /// The qualified type (or operation) the finding names, e.g. `microsoft.graph.x`.
    pub type_name: &'static str,
    /// The property, parameter or enum-typed property the finding names.
    pub name: &'static str,
    /// The finding kind excused.
    pub kind: FindingKind,
    /// The learn.microsoft.com page that documents the deviation.
    pub link: &'static str,
    /// Why it is excused.
    pub reason: &'static str,
}

/// The excused deviations.
pub const DEVIATIONS: &[Deviation] = &[Deviation {
    type_name: "microsoft.graph.customExtensionCallbackConfiguration",
    name: "durationBeforeTimeout",
    kind: FindingKind::UnknownProperty,
    link: "https://learn.microsoft.com/graph/api/accesspackagecatalog-post-accesspackagecustomworkflowextensions",
    reason: "Graph's own example creates a request workflow extension with a callback configuration of \
             `durationBeforeTimeout` (and answers with it), a name the metadata does not have \
             (it has `timeoutDuration`)",
}];

/// The entry that excuses `finding`, if any.
pub(crate) fn excuse(finding: &Finding) -> Option<&'static Deviation> {
    DEVIATIONS.iter().find(|d| {
        d.kind == finding.kind
            && finding.type_name.as_deref() == Some(d.type_name)
            && finding.name.as_deref() == Some(d.name)
    })
}
