//! What `jitadmin provision` sets up, as tenant-sim serves it: custom extensions, policy stage
//! settings, catalog role assignments and Intune "Local user group membership" policies.

use crate::support::*;
use serde_json::{json, Value};

const CATALOG: &str = "55555555-0000-4000-8000-0000000000ca";
const POLICY: &str = "55555555-0000-4000-8000-0000000000a1";
const EM: &str = "/v1.0/identityGovernance/entitlementManagement";
const INTUNE: &str = "/deviceManagement/configurationPolicies";

async fn send(sim: &tenant_sim::TenantSim, method: &str, path: &str, body: Value) -> (u16, Value) {
    let method = reqwest::Method::from_bytes(method.as_bytes()).unwrap();
    let r = http()
        .request(method, format!("{}{path}", sim.graph_url()))
        .bearer_auth(graph_token(sim))
        .json(&body)
        .send()
        .await
        .unwrap();
    let status = r.status().as_u16();
    (status, r.json().await.unwrap_or(Value::Null))
}

fn extension(kind: &str, name: &str, timeout: Option<&str>) -> Value {
    let mut v = json!({
        "@odata.type": format!("#microsoft.graph.{kind}"),
        "displayName": name,
        "endpointConfiguration": { "@odata.type": "#microsoft.graph.logicAppTriggerEndpointConfiguration", "url": "http://127.0.0.1:9/api/callout" },
        "authenticationConfiguration": { "@odata.type": "#microsoft.graph.azureAdPopTokenAuthentication" }
    });
    if let Some(t) = timeout {
        v["callbackConfiguration"] =
            json!({ "@odata.type": "#microsoft.graph.customExtensionCallbackConfiguration", "timeoutDuration": t });
    }
    v
}

#[tokio::test]
async fn extensions_are_validated_listed_and_updated() {
    let sim = demo_recording().await;
    let path = format!("{EM}/catalogs/{CATALOG}/customWorkflowExtensions");
    let mut no_type = extension("accessPackageAssignmentRequestWorkflowExtension", "x", None);
    no_type.as_object_mut().unwrap().remove("@odata.type");
    assert_eq!(send(&sim, "POST", &path, no_type).await.0, 400);
    let waiting_pre = extension("accessPackageAssignmentWorkflowExtension", "pre", Some("PT1H"));
    let (status, body) = send(&sim, "POST", &path, waiting_pre).await;
    assert_eq!(status, 400, "{body}");
    assert!(body["error"]["message"].as_str().unwrap().contains("launch-and-wait"));
    let (status, _) = send(
        &sim,
        "POST",
        &format!("{EM}/catalogs/nope/customWorkflowExtensions"),
        extension("accessPackageAssignmentRequestWorkflowExtension", "x", None),
    )
    .await;
    assert_eq!(status, 404);

    let (status, created) = send(
        &sim,
        "POST",
        &path,
        extension("accessPackageAssignmentRequestWorkflowExtension", "req", Some("PT2H")),
    )
    .await;
    assert_eq!(status, 201);
    let id = created["id"].as_str().unwrap().to_owned();
    let (_, list) = send(&sim, "GET", &path, Value::Null).await;
    assert_eq!(list["value"].as_array().unwrap().len(), 1);
    let (status, updated) = send(&sim, "PUT", &format!("{path}/{id}"), json!({ "@odata.type": "#microsoft.graph.accessPackageAssignmentRequestWorkflowExtension", "callbackConfiguration": { "timeoutDuration": "PT3H" } })).await;
    assert_eq!(status, 200, "{updated}");
    assert_eq!(updated["callbackConfiguration"]["timeoutDuration"], "PT3H");
    assert_eq!(updated["displayName"], "req", "properties not sent are kept");
    let (status, _) = send(
        &sim,
        "PUT",
        &format!("{path}/{id}"),
        json!({ "@odata.type": "#microsoft.graph.accessPackageAssignmentWorkflowExtension" }),
    )
    .await;
    assert_eq!(status, 400, "the kind cannot change");
    sim.shutdown().await;
}

#[tokio::test]
async fn client_configuration_is_held_to_its_documented_ranges() {
    let sim = demo_recording().await;
    let path = format!("{EM}/catalogs/{CATALOG}/customWorkflowExtensions");
    for (config, status) in [
        (json!({"timeoutInMilliseconds": 5000}), 400),
        (json!({"timeoutInMilliseconds": 100}), 400),
        (json!({"maximumRetries": 2}), 400),
        (json!({"timeoutInMilliseconds": 2000, "maximumRetries": 1}), 201),
    ] {
        let mut ext = extension("accessPackageAssignmentRequestWorkflowExtension", "req", Some("PT1H"));
        ext["clientConfiguration"] = config.clone();
        let (got, body) = send(&sim, "POST", &path, ext).await;
        assert_eq!(got, status, "{config}: {body}");
        if status == 201 {
            assert_eq!(body["clientConfiguration"], config);
        }
    }
    sim.shutdown().await;
}

#[tokio::test]
async fn stage_settings_take_the_extension_kind_their_stage_needs() {
    let sim = demo_recording().await;
    let path = format!("{EM}/catalogs/{CATALOG}/customWorkflowExtensions");
    let (_, req) = send(
        &sim,
        "POST",
        &path,
        extension("accessPackageAssignmentRequestWorkflowExtension", "req", Some("PT1H")),
    )
    .await;
    let (_, pre) = send(
        &sim,
        "POST",
        &path,
        extension("accessPackageAssignmentWorkflowExtension", "pre", None),
    )
    .await;
    let policy = format!("{EM}/assignmentPolicies/{POLICY}");
    let (_, doc) = send(&sim, "GET", &format!("{policy}?$expand=accessPackage"), Value::Null).await;
    assert_eq!(doc["accessPackage"]["id"], "55555555-0000-4000-8000-000000000001");
    let setting = |stage: &str, ext: &Value| json!({ "stage": stage, "customExtension": { "id": ext["id"] } });
    let mut body = doc.clone();
    body["customExtensionStageSettings"] = json!([setting("assignmentOneDayBeforeExpiration", &req)]);
    assert_eq!(send(&sim, "PUT", &policy, body.clone()).await.0, 400);
    body["customExtensionStageSettings"] = json!([setting("assignmentRequestCreated", &pre)]);
    assert_eq!(send(&sim, "PUT", &policy, body.clone()).await.0, 400);
    let mut nameless = body.clone();
    nameless.as_object_mut().unwrap().remove("displayName");
    assert_eq!(send(&sim, "PUT", &policy, nameless).await.0, 400);
    body["customExtensionStageSettings"] = json!([
        setting("assignmentRequestCreated", &req),
        setting("assignmentOneDayBeforeExpiration", &pre)
    ]);
    let (status, after) = send(&sim, "PUT", &policy, body).await;
    assert_eq!(status, 200, "{after}");
    assert_eq!(sim.policy_stage_settings(POLICY).len(), 2);
    assert_eq!(
        after["requestorSettings"]["enableTargetsToSelfAddAccess"], true,
        "other properties are kept"
    );
    sim.shutdown().await;
}

#[tokio::test]
async fn catalog_role_assignments_are_created_once_and_filtered() {
    let sim = demo().await;
    let path = "/v1.0/roleManagement/entitlementManagement/roleAssignments";
    let body = json!({ "principalId": MI_OBJECT, "roleDefinitionId": "e2182095-804a-4656-ae11-64734e9b7ae5", "appScopeId": format!("/AccessPackageCatalog/{CATALOG}") });
    let (status, created) = send(&sim, "POST", path, body.clone()).await;
    assert_eq!(status, 201, "{created}");
    assert_eq!(send(&sim, "POST", path, body).await.0, 409);
    let unknown = json!({ "principalId": "99999999-0000-4000-8000-000000000000", "roleDefinitionId": "e2182095-804a-4656-ae11-64734e9b7ae5", "appScopeId": format!("/AccessPackageCatalog/{CATALOG}") });
    assert_eq!(send(&sim, "POST", path, unknown).await.0, 400);
    let filter = format!("{path}?$filter=appScopeId%20eq%20'%2FAccessPackageCatalog%2F{CATALOG}'");
    let (_, list) = send(&sim, "GET", &filter, Value::Null).await;
    assert_eq!(list["value"].as_array().unwrap().len(), 1);
    let (_, defs) = send(
        &sim,
        "GET",
        "/v1.0/roleManagement/entitlementManagement/roleDefinitions",
        Value::Null,
    )
    .await;
    assert_eq!(defs["value"].as_array().unwrap().len(), 5);
    sim.shutdown().await;
}

fn local_admins(action: &str, members: &[&str]) -> Value {
    let a = "device_vendor_msft_policy_config_localusersandgroups_configure_groupconfiguration_accessgroup";
    let values: Vec<Value> = members.iter().map(|m| json!({ "@odata.type": "#microsoft.graph.deviceManagementConfigurationStringSettingValue", "value": m })).collect();
    json!({
        "name": "local admins", "platforms": "windows10", "technologies": "mdm",
        "templateReference": { "templateId": "22968f54-45fa-486c-848e-f8224aa69772_1" },
        "settings": [{ "@odata.type": "#microsoft.graph.deviceManagementConfigurationSetting", "settingInstance": {
            "@odata.type": "#microsoft.graph.deviceManagementConfigurationGroupSettingCollectionInstance",
            "settingDefinitionId": "device_vendor_msft_policy_config_localusersandgroups_configure",
            "groupSettingCollectionValue": [{ "children": [{
                "@odata.type": "#microsoft.graph.deviceManagementConfigurationGroupSettingCollectionInstance",
                "settingDefinitionId": a,
                "groupSettingCollectionValue": [{ "children": [
                    { "@odata.type": "#microsoft.graph.deviceManagementConfigurationChoiceSettingCollectionInstance", "settingDefinitionId": format!("{a}_desc"),
                      "choiceSettingCollectionValue": [{ "value": format!("{a}_desc_administrators"), "children": [] }] },
                    { "@odata.type": "#microsoft.graph.deviceManagementConfigurationChoiceSettingInstance", "settingDefinitionId": format!("{a}_action"),
                      "choiceSettingValue": { "value": format!("{a}_action_{action}"), "children": [] } },
                    { "@odata.type": "#microsoft.graph.deviceManagementConfigurationChoiceSettingInstance", "settingDefinitionId": format!("{a}_userselectiontype"),
                      "choiceSettingValue": { "value": format!("{a}_userselectiontype_users"), "children": [
                        { "@odata.type": "#microsoft.graph.deviceManagementConfigurationSimpleSettingCollectionInstance", "settingDefinitionId": format!("{a}_users"), "simpleSettingCollectionValue": values } ] } }
                ] }]
            }] }]
        } }]
    })
}

#[tokio::test]
async fn intune_local_group_policies_are_beta_checked_and_assigned() {
    let sim = demo_recording().await;
    let sid = tenant_sim::TenantSim::security_identifier(ADMINS).unwrap();
    assert_eq!(
        send(
            &sim,
            "POST",
            &format!("/v1.0{INTUNE}"),
            local_admins("add_update", &[&sid])
        )
        .await
        .0,
        400
    );
    assert_eq!(
        send(&sim, "POST", &format!("/beta{INTUNE}"), local_admins("add_update", &[]))
            .await
            .0,
        400
    );
    assert_eq!(
        send(
            &sim,
            "POST",
            &format!("/beta{INTUNE}"),
            local_admins("add_replace", &[&sid])
        )
        .await
        .0,
        400
    );
    let mut no_template = local_admins("add_update", &[&sid]);
    no_template.as_object_mut().unwrap().remove("templateReference");
    assert_eq!(send(&sim, "POST", &format!("/beta{INTUNE}"), no_template).await.0, 400);
    let (status, created) = send(
        &sim,
        "POST",
        &format!("/beta{INTUNE}"),
        local_admins("add_update", &[&sid]),
    )
    .await;
    assert_eq!(status, 201, "{created}");
    let id = created["id"].as_str().unwrap();
    let device_group = "22222222-0000-4000-8000-0000000000d1";
    let assign = json!({ "assignments": [{ "target": { "@odata.type": "#microsoft.graph.groupAssignmentTarget", "groupId": device_group } }] });
    let (status, assigned) = send(&sim, "POST", &format!("/beta{INTUNE}/{id}/assign"), assign).await;
    assert_eq!(status, 200, "{assigned}");
    let (_, list) = send(&sim, "GET", &format!("/beta{INTUNE}/{id}/assignments"), Value::Null).await;
    assert_eq!(list["value"][0]["target"]["groupId"], device_group);
    let (_, settings) = send(&sim, "GET", &format!("/beta{INTUNE}/{id}/settings"), Value::Null).await;
    assert_eq!(settings["value"][0]["id"], "0");
    let (_, group) = send(
        &sim,
        "GET",
        &format!("/v1.0/groups/{ADMINS}?$select=id,securityIdentifier"),
        Value::Null,
    )
    .await;
    assert_eq!(group["securityIdentifier"], sid.as_str());
    assert_eq!(
        send(&sim, "GET", &format!("/beta{INTUNE}/nope/settings"), Value::Null)
            .await
            .0,
        404
    );
    sim.shutdown().await;
}
