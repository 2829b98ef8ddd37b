//! The stage a callout was sent for (`accessPackageCustomExtensionStage`).

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// Prefix Graph uses for the stage in a resume body's `type`.
pub const STAGE_TYPE_PREFIX: &str = "microsoft.graph.accessPackageCustomExtensionStage.";

/// An entitlement-management custom-extension stage.
///
/// Parsed case-insensitively (the casing on the wire is not documented), also when the
/// value carries the `microsoft.graph.accessPackageCustomExtensionStage.` prefix.
/// Serialised in the Graph enum spelling (`assignmentRequestCreated`). A value we do not
/// know is kept in [`Stage::Other`] so that callers can name it in an error.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Stage {
    /// A request was created (`assignmentRequestCreated`); launch-and-wait allowed.
    AssignmentRequestCreated,
    /// A request was approved (`assignmentRequestApproved`); launch-and-wait allowed.
    AssignmentRequestApproved,
    /// The assignment was granted (`assignmentRequestGranted`); launch-and-wait allowed.
    AssignmentRequestGranted,
    /// The assignment was removed (`assignmentRequestRemoved`); launch-and-wait allowed.
    AssignmentRequestRemoved,
    /// 14 days before the assignment expires (`assignmentFourteenDaysBeforeExpiration`).
    AssignmentFourteenDaysBeforeExpiration,
    /// 1 day before the assignment expires (`assignmentOneDayBeforeExpiration`).
    AssignmentOneDayBeforeExpiration,
    /// The preview approval-stage extension (`assignmentRequestDeterminingApprovalRequirements`).
    AssignmentRequestDeterminingApprovalRequirements,
    /// EM's reachability test (`CustomExtensionConnectionTest`; legacy `CustomActionConnectionTest`).
    ConnectionTest,
    /// Any other value, as received.
    Other(String),
}

impl Stage {
    /// Parse a stage name, case-insensitively.
    pub fn parse(value: &str) -> Stage {
        let trimmed = value.trim();
        let name = match trimmed.len().checked_sub(STAGE_TYPE_PREFIX.len()) {
            Some(_) if trimmed[..STAGE_TYPE_PREFIX.len()].eq_ignore_ascii_case(STAGE_TYPE_PREFIX) => {
                &trimmed[STAGE_TYPE_PREFIX.len()..]
            }
            _ => trimmed,
        };
        match name.to_ascii_lowercase().as_str() {
            "assignmentrequestcreated" => Stage::AssignmentRequestCreated,
            "assignmentrequestapproved" => Stage::AssignmentRequestApproved,
            "assignmentrequestgranted" => Stage::AssignmentRequestGranted,
            "assignmentrequestremoved" => Stage::AssignmentRequestRemoved,
            "assignmentfourteendaysbeforeexpiration" => Stage::AssignmentFourteenDaysBeforeExpiration,
            "assignmentonedaybeforeexpiration" => Stage::AssignmentOneDayBeforeExpiration,
            "assignmentrequestdeterminingapprovalrequirements" => {
                Stage::AssignmentRequestDeterminingApprovalRequirements
            }
            "customextensionconnectiontest" | "customactionconnectiontest" => Stage::ConnectionTest,
            _ => Stage::Other(value.to_string()),
        }
    }

    /// The Graph enum spelling (`assignmentRequestCreated`); `Other` as received.
    pub fn as_str(&self) -> &str {
        match self {
            Stage::AssignmentRequestCreated => "assignmentRequestCreated",
            Stage::AssignmentRequestApproved => "assignmentRequestApproved",
            Stage::AssignmentRequestGranted => "assignmentRequestGranted",
            Stage::AssignmentRequestRemoved => "assignmentRequestRemoved",
            Stage::AssignmentFourteenDaysBeforeExpiration => "assignmentFourteenDaysBeforeExpiration",
            Stage::AssignmentOneDayBeforeExpiration => "assignmentOneDayBeforeExpiration",
            Stage::AssignmentRequestDeterminingApprovalRequirements => {
                "assignmentRequestDeterminingApprovalRequirements"
            }
            Stage::ConnectionTest => "CustomExtensionConnectionTest",
            Stage::Other(s) => s,
        }
    }

    /// The Graph names of the stages this type knows (the connection test, which is not a
    /// stage of the Graph enum, aside). `assignmentRequestDeterminingApprovalRequirements`, the
    /// approval-stage extension, is not in Graph v1.0's metadata: it is a beta stage setting
    /// (<https://learn.microsoft.com/graph/api/resources/customextensionstagesetting?view=graph-rest-beta>).
    pub const GRAPH_MEMBERS: [&'static str; 7] = [
        "assignmentRequestCreated",
        "assignmentRequestApproved",
        "assignmentRequestGranted",
        "assignmentRequestRemoved",
        "assignmentFourteenDaysBeforeExpiration",
        "assignmentOneDayBeforeExpiration",
        "assignmentRequestDeterminingApprovalRequirements",
    ];

    /// The four request stages (`accessPackageAssignmentRequestCalloutData`), which may be launch-and-wait.
    pub fn is_request_stage(&self) -> bool {
        matches!(
            self,
            Stage::AssignmentRequestCreated
                | Stage::AssignmentRequestApproved
                | Stage::AssignmentRequestGranted
                | Stage::AssignmentRequestRemoved
        )
    }

    /// The two pre-expiration stages (`accessPackageAssignmentCalloutData`), never launch-and-wait.
    pub fn is_pre_expiration(&self) -> bool {
        matches!(
            self,
            Stage::AssignmentFourteenDaysBeforeExpiration | Stage::AssignmentOneDayBeforeExpiration
        )
    }

    /// The resume body's `type`: `microsoft.graph.accessPackageCustomExtensionStage.<stage>`.
    pub fn resume_type(&self) -> String {
        format!("{STAGE_TYPE_PREFIX}{}", self.as_str())
    }
}

impl fmt::Display for Stage {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for Stage {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for Stage {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        Ok(Stage::parse(&s))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stage_names_are_compared_case_insensitively() {
        assert_eq!(
            Stage::parse("AssignmentRequestCreated"),
            Stage::AssignmentRequestCreated
        );
        assert_eq!(
            Stage::parse("assignmentrequestgranted"),
            Stage::AssignmentRequestGranted
        );
        assert_eq!(Stage::parse("customExtensionConnectionTest"), Stage::ConnectionTest);
        assert_eq!(Stage::parse("CustomActionConnectionTest"), Stage::ConnectionTest);
    }

    #[test]
    fn prefixed_stage_names_are_understood() {
        let s = Stage::parse("microsoft.graph.accessPackageCustomExtensionStage.assignmentRequestApproved");
        assert_eq!(s, Stage::AssignmentRequestApproved);
        assert_eq!(
            s.resume_type(),
            "microsoft.graph.accessPackageCustomExtensionStage.assignmentRequestApproved"
        );
    }

    #[test]
    fn unknown_stage_is_kept_as_other() {
        assert_eq!(
            Stage::parse("assignmentSomethingNew"),
            Stage::Other("assignmentSomethingNew".into())
        );
    }
}
