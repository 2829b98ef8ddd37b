//! A catalog's custom extensions (`customAccessPackageWorkflowExtension`): list, create, update.
//!
//! - `GET  /v1.0/identityGovernance/entitlementManagement/catalogs/{catalogId}/customWorkflowExtensions`
//! - `POST .../catalogs/{catalogId}/customWorkflowExtensions` (201; `@odata.type` is required)
//! - `PUT  .../catalogs/{catalogId}/customWorkflowExtensions/{id}` (200)
//!
//! Two kinds exist: the request workflow extension (`accessPackageAssignmentRequestWorkflowExtension`,
//! the four request stages, launch-and-wait when it has a `callbackConfiguration`) and the
//! pre-expiration one (`accessPackageAssignmentWorkflowExtension`, never launch-and-wait).

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::path::segment;
use crate::{GraphClient, GraphError, GraphRequest};

/// `@odata.type` of a request workflow extension.
pub const REQUEST_WORKFLOW_EXTENSION: &str = "#microsoft.graph.accessPackageAssignmentRequestWorkflowExtension";
/// `@odata.type` of a pre-expiration (assignment workflow) extension.
pub const ASSIGNMENT_WORKFLOW_EXTENSION: &str = "#microsoft.graph.accessPackageAssignmentWorkflowExtension";
/// `@odata.type` of a Logic App trigger endpoint.
pub const LOGIC_APP_ENDPOINT: &str = "#microsoft.graph.logicAppTriggerEndpointConfiguration";
/// `@odata.type` of proof-of-possession authentication (the default since GA).
pub const POP_AUTHENTICATION: &str = "#microsoft.graph.azureAdPopTokenAuthentication";
/// `@odata.type` of a callback configuration.
pub const CALLBACK_CONFIGURATION: &str = "#microsoft.graph.customExtensionCallbackConfiguration";

const EM: &str = "/v1.0/identityGovernance/entitlementManagement";

/// A custom extension as Graph returns it, or as we send it.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CustomExtension {
    /// Which kind (`#microsoft.graph.accessPackageAssignmentRequestWorkflowExtension`, ...).
    #[serde(rename = "@odata.type", default, skip_serializing_if = "Option::is_none")]
    pub odata_type: Option<String>,
    /// Id (absent when creating).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// Display name: how jitadmin finds its own extensions again.
    #[serde(default)]
    pub display_name: String,
    /// Description.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Where EM calls.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub endpoint_configuration: Option<EndpointConfiguration>,
    /// How EM authenticates its calls.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub authentication_configuration: Option<AuthenticationConfiguration>,
    /// Launch-and-wait's timeout; absent for launch-and-continue.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub callback_configuration: Option<CallbackConfiguration>,
    /// How long entitlement management waits for the endpoint's answer, and whether it tries
    /// again.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_configuration: Option<ClientConfiguration>,
}

/// `customExtensionClientConfiguration`
/// (<https://learn.microsoft.com/graph/api/resources/customextensionclientconfiguration>):
/// `timeoutInMilliseconds` 200 to 2000 (1000 when unset), `maximumRetries` 0 or 1.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ClientConfiguration {
    /// How long EM waits for an answer, in milliseconds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timeout_in_milliseconds: Option<i32>,
    /// How often EM tries again after a failed or timed-out call.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub maximum_retries: Option<i32>,
}

impl ClientConfiguration {
    /// The longest wait and one retry: what `jitadmin provision` sets, so that the forwarder and
    /// a warm function answer within it and a lost first call is tried once more.
    pub const PROVISIONED: ClientConfiguration = ClientConfiguration {
        timeout_in_milliseconds: Some(2000),
        maximum_retries: Some(1),
    };
}

/// `customExtensionEndpointConfiguration`: for EM, a Logic App trigger.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct EndpointConfiguration {
    /// `#microsoft.graph.logicAppTriggerEndpointConfiguration`.
    #[serde(rename = "@odata.type", default, skip_serializing_if = "Option::is_none")]
    pub odata_type: Option<String>,
    /// The Logic App's Azure subscription.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subscription_id: Option<String>,
    /// The Logic App's resource group.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resource_group_name: Option<String>,
    /// The Logic App's name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub logic_app_workflow_name: Option<String>,
    /// The trigger URL ("only required for app-only token scenarios").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
}

/// `customExtensionAuthenticationConfiguration`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AuthenticationConfiguration {
    /// `#microsoft.graph.azureAdPopTokenAuthentication` or `#microsoft.graph.azureAdTokenAuthentication`.
    #[serde(rename = "@odata.type", default, skip_serializing_if = "Option::is_none")]
    pub odata_type: Option<String>,
    /// The audience app of `azureAdTokenAuthentication`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resource_id: Option<String>,
}

/// `customExtensionCallbackConfiguration`. The schema names the timeout `timeoutDuration`
/// (<https://learn.microsoft.com/graph/api/resources/customextensioncallbackconfiguration>); Microsoft's examples send and
/// return `durationBeforeTimeout`: both are read, `timeoutDuration` is sent.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CallbackConfiguration {
    /// `#microsoft.graph.customExtensionCallbackConfiguration`.
    #[serde(rename = "@odata.type", default, skip_serializing_if = "Option::is_none")]
    pub odata_type: Option<String>,
    /// ISO 8601 duration, 5 minutes to 14 days.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timeout_duration: Option<String>,
    /// The examples' name for the same duration (read only).
    #[serde(default, skip_serializing)]
    pub duration_before_timeout: Option<String>,
}

impl CallbackConfiguration {
    /// The timeout, whichever name Graph used.
    pub fn timeout(&self) -> Option<&str> {
        self.timeout_duration
            .as_deref()
            .or(self.duration_before_timeout.as_deref())
    }
}

impl CustomExtension {
    /// Whether this is a request workflow extension (the `@odata.type`, with or without `#`).
    pub fn is_request_workflow(&self) -> bool {
        same_type(self.odata_type.as_deref(), REQUEST_WORKFLOW_EXTENSION)
    }

    /// Whether this is a pre-expiration (assignment workflow) extension.
    pub fn is_assignment_workflow(&self) -> bool {
        same_type(self.odata_type.as_deref(), ASSIGNMENT_WORKFLOW_EXTENSION)
    }
}

/// Whether two `@odata.type` values name the same type (a leading `#` is optional, case ignored).
pub fn same_type(a: Option<&str>, b: &str) -> bool {
    a.is_some_and(|a| {
        a.trim_start_matches('#')
            .eq_ignore_ascii_case(b.trim_start_matches('#'))
    })
}

fn to_body(ext: &CustomExtension) -> Result<Value, GraphError> {
    let mut body = serde_json::to_value(ext).map_err(|e| GraphError::InvalidRequest(e.to_string()))?;
    if let Some(map) = body.as_object_mut() {
        map.remove("id");
    }
    Ok(body)
}

impl GraphClient {
    /// Every custom extension of a catalog (all pages).
    pub async fn list_custom_extensions(&self, catalog_id: &str) -> Result<Vec<CustomExtension>, GraphError> {
        let target = format!("{EM}/catalogs/{}/customWorkflowExtensions", segment(catalog_id)?);
        Ok(self.get_all(&target).await?.items)
    }

    /// Creates a custom extension in a catalog (201). `odata_type` must be set.
    pub async fn create_custom_extension(
        &self,
        catalog_id: &str,
        ext: &CustomExtension,
    ) -> Result<CustomExtension, GraphError> {
        if ext.odata_type.is_none() {
            return Err(GraphError::InvalidRequest(
                "a custom extension needs its @odata.type".into(),
            ));
        }
        let target = format!("{EM}/catalogs/{}/customWorkflowExtensions", segment(catalog_id)?);
        self.execute(GraphRequest::post(target, to_body(ext)?)).await?.json()
    }

    /// Updates a custom extension (`PUT`, 200). Graph documents the answer wrapped in `value`; both
    /// forms are read.
    pub async fn update_custom_extension(
        &self,
        catalog_id: &str,
        id: &str,
        ext: &CustomExtension,
    ) -> Result<CustomExtension, GraphError> {
        let target = format!(
            "{EM}/catalogs/{}/customWorkflowExtensions/{}",
            segment(catalog_id)?,
            segment(id)?
        );
        let req = GraphRequest::new(reqwest::Method::PUT, target).with_body(to_body(ext)?);
        let resp = self.execute(req).await?;
        if resp.body.is_empty() {
            return Ok(CustomExtension {
                id: Some(id.to_string()),
                ..ext.clone()
            });
        }
        let value: Value = resp.json()?;
        let inner = match value.get("value") {
            Some(v) if v.is_object() => v.clone(),
            _ => value,
        };
        serde_json::from_value(inner).map_err(|e| GraphError::Decode {
            path: resp.path.clone(),
            message: e.to_string(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::paging::Page;

    #[test]
    fn created_request_workflow_extension_fixture_parses() {
        let e: CustomExtension = serde_json::from_slice(include_bytes!(
            "../testdata/custom-extension-request-workflow-created.json"
        ))
        .expect("extension");
        assert!(e.is_request_workflow() && !e.is_assignment_workflow());
        assert_eq!(e.id.as_deref(), Some("98ffaec5-ae8e-4902-a434-5ffc5d3d3cd0"));
        let endpoint = e.endpoint_configuration.expect("endpoint");
        assert!(same_type(endpoint.odata_type.as_deref(), LOGIC_APP_ENDPOINT));
        assert_eq!(endpoint.logic_app_workflow_name.as_deref(), Some("elm-extension-email"));
        assert!(same_type(
            e.authentication_configuration.and_then(|a| a.odata_type).as_deref(),
            POP_AUTHENTICATION
        ));
        // Microsoft's example answers with the examples' name for the timeout.
        assert_eq!(
            e.callback_configuration.as_ref().and_then(|c| c.timeout()),
            Some("PT1H")
        );
    }

    #[test]
    fn catalog_extensions_fixture_lists_both_kinds() {
        let p: Page<CustomExtension> =
            serde_json::from_slice(include_bytes!("../testdata/custom-extensions-list.json")).expect("page");
        assert_eq!(p.value.len(), 2);
        assert!(p.value[0].is_request_workflow());
        assert!(p.value[1].is_assignment_workflow());
        assert!(p.value[1].callback_configuration.is_none());
    }

    #[test]
    fn new_extension_is_sent_with_timeout_duration_and_without_an_id() {
        let body = to_body(&CustomExtension {
            odata_type: Some(REQUEST_WORKFLOW_EXTENSION.into()),
            id: Some("x".into()),
            display_name: "jitadmin request".into(),
            callback_configuration: Some(CallbackConfiguration {
                odata_type: Some(CALLBACK_CONFIGURATION.into()),
                timeout_duration: Some("PT8H".into()),
                duration_before_timeout: Some("ignored".into()),
            }),
            ..CustomExtension::default()
        })
        .expect("body");
        assert!(body.get("id").is_none());
        assert_eq!(body["@odata.type"], REQUEST_WORKFLOW_EXTENSION);
        assert_eq!(body["callbackConfiguration"]["timeoutDuration"], "PT8H");
        assert!(body["callbackConfiguration"].get("durationBeforeTimeout").is_none());
    }
}
