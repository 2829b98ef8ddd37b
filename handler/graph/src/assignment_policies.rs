//! An access package assignment policy and its custom extension stage settings
//! (<https://learn.microsoft.com/graph/api/accesspackageassignmentpolicy-update>).
//!
//! - `GET .../assignmentPolicies/{id}?$expand=accessPackage,customExtensionStageSettings($expand=customExtension)`
//! - `PUT .../assignmentPolicies/{id}` (200): replaces the whole policy, so the body is the policy as
//!   read (every property kept) with its stage settings changed.

use serde::Deserialize;
use serde_json::Value;

use crate::custom_extensions::CustomExtension;
use crate::path::segment;
use crate::{GraphClient, GraphError, GraphRequest};

const POLICIES: &str = "/v1.0/identityGovernance/entitlementManagement/assignmentPolicies";
const EXPAND: &str = "$expand=accessPackage,customExtensionStageSettings($expand=customExtension)";

/// Properties Graph sets itself, dropped from a policy before it is sent back.
/// What the PUT body leaves out: read-only properties, and the beta-only `accessPackageId` (v1.0
/// names the package by the `accessPackage` reference the body carries instead).
const READ_ONLY: [&str; 5] = [
    "@odata.context",
    "createdDateTime",
    "modifiedDateTime",
    "@odata.etag",
    "accessPackageId",
];

/// One `customExtensionStageSetting`: at this stage, call that extension.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct StageSetting {
    /// The setting's id.
    #[serde(default)]
    pub id: Option<String>,
    /// `assignmentRequestCreated`, ..., `assignmentOneDayBeforeExpiration`, kept as text.
    pub stage: String,
    /// The extension (expanded, or `{id}` only).
    #[serde(default)]
    pub custom_extension: Option<CustomExtension>,
}

impl StageSetting {
    /// The extension's id.
    pub fn extension_id(&self) -> Option<&str> {
        self.custom_extension.as_ref().and_then(|e| e.id.as_deref())
    }
}

/// A policy as read: the typed parts provisioning needs, and the whole document to send back.
#[derive(Debug, Clone, PartialEq)]
pub struct AssignmentPolicy {
    /// Policy id.
    pub id: String,
    /// Display name.
    pub display_name: Option<String>,
    /// The access package's id (`accessPackage.id` when expanded, else beta's `accessPackageId`).
    pub access_package_id: Option<String>,
    /// The stage settings.
    pub stage_settings: Vec<StageSetting>,
    /// Every property Graph returned.
    pub document: Value,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct PolicyView {
    id: String,
    #[serde(default)]
    display_name: Option<String>,
    #[serde(default)]
    access_package: Option<IdOnly>,
    #[serde(default)]
    access_package_id: Option<String>,
    #[serde(default)]
    custom_extension_stage_settings: Vec<StageSetting>,
}

#[derive(Deserialize)]
struct IdOnly {
    #[serde(default)]
    id: Option<String>,
}

impl AssignmentPolicy {
    /// Reads a policy document.
    pub fn from_document(document: Value) -> Result<AssignmentPolicy, serde_json::Error> {
        let view: PolicyView = serde_json::from_value(document.clone())?;
        Ok(AssignmentPolicy {
            id: view.id,
            display_name: view.display_name,
            access_package_id: view.access_package.and_then(|p| p.id).or(view.access_package_id),
            stage_settings: view.custom_extension_stage_settings,
            document,
        })
    }

    /// The body of a `PUT` that keeps every property and sets these stage settings, each
    /// `(stage, extension @odata.type, extension id)`.
    pub fn with_stage_settings(&self, settings: &[(String, String, String)]) -> Value {
        let mut body = self.document.clone();
        if let Some(map) = body.as_object_mut() {
            for key in READ_ONLY {
                map.remove(key);
            }
            // An expanded access package goes back as a reference.
            if let Some(id) = &self.access_package_id {
                map.insert("accessPackage".into(), serde_json::json!({ "id": id }));
            }
            let list: Vec<Value> = settings
                .iter()
                .map(|(stage, kind, id)| {
                    serde_json::json!({ "stage": stage, "customExtension": { "@odata.type": kind, "id": id } })
                })
                .collect();
            map.insert("customExtensionStageSettings".into(), Value::Array(list));
        }
        body
    }
}

impl GraphClient {
    /// An assignment policy with its access package and stage settings expanded.
    pub async fn get_assignment_policy(&self, policy_id: &str) -> Result<AssignmentPolicy, GraphError> {
        let target = format!("{POLICIES}/{}?{EXPAND}", segment(policy_id)?);
        let resp = self.execute(GraphRequest::get(target)).await?;
        let document: Value = resp.json()?;
        AssignmentPolicy::from_document(document).map_err(|e| GraphError::Decode {
            path: resp.path.clone(),
            message: e.to_string(),
        })
    }

    /// Replaces a policy (`PUT`, 200) with `body` (see [`AssignmentPolicy::with_stage_settings`]).
    pub async fn put_assignment_policy(&self, policy_id: &str, body: Value) -> Result<(), GraphError> {
        let target = format!("{POLICIES}/{}", segment(policy_id)?);
        self.execute(GraphRequest::new(reqwest::Method::PUT, target).with_body(body))
            .await
            .map(|_| ())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fixture() -> AssignmentPolicy {
        let doc: Value = serde_json::from_slice(include_bytes!(
            "../testdata/assignment-policy-stage-settings-expanded.json"
        ))
        .expect("json");
        AssignmentPolicy::from_document(doc).expect("policy")
    }

    #[test]
    fn expanded_policy_fixture_gives_its_stage_settings() {
        let p = fixture();
        assert_eq!(p.id, "4540a08f-8ab5-43f6-a923-015275799197");
        assert_eq!(
            p.access_package_id.as_deref(),
            Some("ba5807c7-2aa9-4c8a-907e-4a17ee587500")
        );
        assert_eq!(p.stage_settings.len(), 1);
        assert_eq!(p.stage_settings[0].stage, "assignmentRequestCreated");
        assert_eq!(
            p.stage_settings[0].extension_id(),
            Some("219f57b6-7983-45a1-be01-2c228b7a43f8")
        );
        assert!(p.stage_settings[0]
            .custom_extension
            .as_ref()
            .is_some_and(CustomExtension::is_request_workflow));
    }

    #[test]
    fn put_body_keeps_every_other_property_and_replaces_the_settings() {
        let p = fixture();
        let body = p.with_stage_settings(&[(
            "assignmentRequestGranted".into(),
            crate::custom_extensions::REQUEST_WORKFLOW_EXTENSION.into(),
            "e1".into(),
        )]);
        assert_eq!(body["requestorSettings"]["enableTargetsToSelfAddAccess"], true);
        assert_eq!(body["expiration"]["duration"], "P30D");
        assert!(body.get("accessPackageId").is_none() && body.get("createdDateTime").is_none());
        assert_eq!(body["accessPackage"]["id"], "ba5807c7-2aa9-4c8a-907e-4a17ee587500");
        let settings = body["customExtensionStageSettings"].as_array().expect("settings");
        assert_eq!(settings.len(), 1);
        assert_eq!(settings[0]["stage"], "assignmentRequestGranted");
        assert_eq!(settings[0]["customExtension"]["id"], "e1");
    }
}
