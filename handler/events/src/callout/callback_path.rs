//! `CallbackUriPath`: where a launch-and-wait callout is to be resumed.
//!
//! Entitlement management sends a Graph path relative to the version root,
//! `/identityGovernance/entitlementManagement/assignmentRequests/{requestId}/resume`, and
//! Microsoft's how-to appends it to `https://graph.microsoft.com/beta`
//! (<https://learn.microsoft.com/entra/id-governance/entitlement-management-dynamic-approval>;
//! the action itself: <https://learn.microsoft.com/graph/api/accesspackageassignmentrequest-resume>).
//! The older beta collection name `accessPackageAssignmentRequests` is accepted too.
//!
//! The path arrives in the callout body, so it is checked before anything is queued: it is
//! percent-decoded once, must then have exactly that shape (an optional `/v1.0` or `/beta`
//! prefix aside), and must name the callout's own request. A URL parser would turn
//! `.%2e/%2e.` into `..`, so nothing is resolved: the decoded text is compared segment by
//! segment, and the resume is sent to a path built from the request id, never to the text.

use std::fmt;

/// The collections a resume path may name.
const COLLECTIONS: [&str; 2] = ["assignmentRequests", "accessPackageAssignmentRequests"];

/// Why a `CallbackUriPath` was refused. The messages never repeat the path itself.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CallbackPathError {
    /// A `%` not followed by two hex digits, or escapes that do not decode to UTF-8.
    BadEscape,
    /// Decoded, it is not `[/v1.0|/beta]/identityGovernance/entitlementManagement/assignmentRequests/{id}/resume`.
    NotTheDocumentedShape,
    /// It names another request than the callout's `accessPackageAssignmentRequestId`.
    ForeignRequest,
}

impl fmt::Display for CallbackPathError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            CallbackPathError::BadEscape => "callbackUriPath has a malformed percent-escape",
            CallbackPathError::NotTheDocumentedShape => {
                "callbackUriPath is not /identityGovernance/entitlementManagement/assignmentRequests/{id}/resume"
            }
            CallbackPathError::ForeignRequest => {
                "callbackUriPath names another request than accessPackageAssignmentRequestId"
            }
        })
    }
}

impl std::error::Error for CallbackPathError {}

/// Checks `raw` against the documented shape and `request_id`.
pub fn check(raw: &str, request_id: &str) -> Result<(), CallbackPathError> {
    let decoded = percent_decode(raw).ok_or(CallbackPathError::BadEscape)?;
    let rest = decoded
        .strip_prefix("/v1.0")
        .or_else(|| decoded.strip_prefix("/beta"))
        .unwrap_or(&decoded);
    let segments: Vec<&str> = match rest.strip_prefix('/') {
        Some(r) => r.split('/').collect(),
        None => return Err(CallbackPathError::NotTheDocumentedShape),
    };
    let [root, em, collection, id, action] = segments.as_slice() else {
        return Err(CallbackPathError::NotTheDocumentedShape);
    };
    let shaped = *root == "identityGovernance"
        && *em == "entitlementManagement"
        && COLLECTIONS.contains(collection)
        && *action == "resume"
        && is_id(id);
    if !shaped {
        return Err(CallbackPathError::NotTheDocumentedShape);
    }
    if !id.eq_ignore_ascii_case(request_id) {
        return Err(CallbackPathError::ForeignRequest);
    }
    Ok(())
}

/// Request ids are GUIDs; letters, digits and dashes are all a segment may hold.
fn is_id(s: &str) -> bool {
    !s.is_empty() && s.len() <= 64 && s.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
}

/// `%XX` decoded once; `None` when an escape is malformed or the bytes are not UTF-8.
fn percent_decode(raw: &str) -> Option<String> {
    let bytes = raw.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = bytes.get(i + 1..i + 3)?;
            let hex = std::str::from_utf8(hex).ok()?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    const ID: &str = "3cbea889-1a2b-4c3d-9e8f-2f14dbb13565";

    fn path(id: &str) -> String {
        format!("/identityGovernance/entitlementManagement/assignmentRequests/{id}/resume")
    }

    #[test]
    fn the_documented_shape_naming_the_callouts_request_is_accepted() {
        assert_eq!(check(&path(ID), ID), Ok(()));
        assert_eq!(check(&format!("/beta{}", path(ID)), ID), Ok(()));
        assert_eq!(check(&format!("/v1.0{}", path(ID)), &ID.to_uppercase()), Ok(()));
        let older = format!("/identityGovernance/entitlementManagement/accessPackageAssignmentRequests/{ID}/resume");
        assert_eq!(check(&older, ID), Ok(()));
        // Escapes of ordinary characters decode to the same path.
        assert_eq!(check(&path(ID).replace("resume", "res%75me"), ID), Ok(()));
    }

    #[test]
    fn encoded_traversal_is_refused() {
        let sneaky =
            format!("/identityGovernance/entitlementManagement/assignmentRequests/{ID}/.%2e/%2e./groups/g/resume");
        assert_eq!(check(&sneaky, ID), Err(CallbackPathError::NotTheDocumentedShape));
        let dotted = format!("/identityGovernance/entitlementManagement/assignmentRequests/%2e%2e/{ID}/resume");
        assert_eq!(check(&dotted, ID), Err(CallbackPathError::NotTheDocumentedShape));
        let slash = format!("/identityGovernance/entitlementManagement/assignmentRequests/{ID}%2f..%2fx/resume");
        assert_eq!(check(&slash, ID), Err(CallbackPathError::NotTheDocumentedShape));
        assert_eq!(
            check(&format!("{}?x=1", path(ID)), ID),
            Err(CallbackPathError::NotTheDocumentedShape)
        );
        assert_eq!(
            check("/groups/g/resume", ID),
            Err(CallbackPathError::NotTheDocumentedShape)
        );
        assert_eq!(
            check("https://evil.example/x", ID),
            Err(CallbackPathError::NotTheDocumentedShape)
        );
        assert_eq!(check(&path("%zz"), ID), Err(CallbackPathError::BadEscape));
        assert_eq!(check(&path("%"), ID), Err(CallbackPathError::BadEscape));
    }

    #[test]
    fn another_requests_id_is_refused() {
        let other = "0000aaaa-1a2b-4c3d-9e8f-2f14dbb13565";
        assert_eq!(check(&path(other), ID), Err(CallbackPathError::ForeignRequest));
    }

    #[test]
    fn the_message_does_not_repeat_the_path() {
        let error = check("/<script>/x", ID).unwrap_err();
        assert!(!error.to_string().contains("<script>"));
    }
}
