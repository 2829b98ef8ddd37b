//! `assignmentPolicies/{id}` and their `customExtensionStageSettings`
//! (<https://learn.microsoft.com/graph/api/resources/customextensionstagesetting>):
//!
//! - `GET`: the policy; `accessPackage` only with `$expand=accessPackage`. `customExtensionStageSettings`
//!   are always returned with their extension (Graph returns them only when expanded, which is what
//!   clients should ask for: the sim is lenient here).
//! - `PUT`: replaces the policy; its `requestApprovalSettings` become the policy's approval
//!   stage (`crate::em::approval`). Required: `displayName`; `accessPackage.id`, when sent, must be the
//!   policy's package. Each stage setting needs a known `stage` (the six of
//!   `accessPackageCustomExtensionStage`), at most one per stage, and an extension of the policy's
//!   catalog of the kind the stage takes: a request workflow extension for the four request stages,
//!   a pre-expiration (assignment workflow) one for the two pre-expiration stages. Properties not sent
//!   are gone afterwards (a `PUT` replaces). Request-stage settings drive the simulated callouts.

use axum::extract::{Path, RawQuery, State};
use axum::{Extension, Json};
use bytes::Bytes;
use serde_json::{json, Map, Value};

use super::area::ProvisioningArea;
use super::{bad, not_found, now, object_body, STAGES};
use crate::em::approval::{ApprovalSettings, Approver};
use crate::em::extensions::CustomExtension;
use crate::em::types::{Stage, StageSetting};
use crate::odata::errors::GraphError;
use crate::odata::filter::expands;
use crate::odata::query::{project, Query};
use crate::odata::ApiVersion;

/// Properties Graph computes; never stored from a request body.
const COMPUTED: [&str; 6] = [
    "@odata.context",
    "id",
    "accessPackage",
    "customExtensionStageSettings",
    "createdDateTime",
    "modifiedDateTime",
];

/// `(access package id, catalog id)` of a scenario policy.
fn owner(area: &ProvisioningArea, policy_id: &str) -> Option<(String, String)> {
    area.directory
        .state()
        .access_packages
        .iter()
        .find(|p| p.policies.iter().any(|x| x.id.eq_ignore_ascii_case(policy_id)))
        .map(|p| (p.id.clone(), p.catalog_id.clone()))
}

/// The stored document, or the seeded one a scenario policy starts with.
fn document(area: &ProvisioningArea, policy_id: &str) -> Option<Map<String, Value>> {
    let key = policy_id.to_ascii_lowercase();
    if let Some(Value::Object(doc)) = area.provisioning().policies.get(&key) {
        return Some(doc.clone());
    }
    let st = area.directory.state();
    let policy = st
        .access_packages
        .iter()
        .flat_map(|p| p.policies.iter())
        .find(|x| x.id.eq_ignore_ascii_case(policy_id))?;
    let seeded = json!({
        "displayName": policy.display_name,
        "description": "Temporary local administrator rights, decided by jitadmin",
        "allowedTargetScope": "allMemberUsers",
        "specificAllowedTargets": [],
        "expiration": { "endDateTime": null, "duration": policy.duration.as_deref().unwrap_or("PT8H"), "type": "afterDuration" },
        "requestorSettings": {
            "enableTargetsToSelfAddAccess": true,
            "enableTargetsToSelfUpdateAccess": false,
            "enableTargetsToSelfRemoveAccess": true,
            "allowCustomAssignmentSchedule": policy.custom_schedule,
            "enableOnBehalfRequestorsToAddAccess": false,
            "enableOnBehalfRequestorsToUpdateAccess": false,
            "enableOnBehalfRequestorsToRemoveAccess": false,
            "onBehalfRequestors": []
        },
        "requestApprovalSettings": seeded_approval(&policy.approvers),
        "automaticRequestSettings": null,
        "createdDateTime": "2026-01-05T09:00:00Z",
        "modifiedDateTime": "2026-01-05T09:00:00Z",
    });
    seeded.as_object().cloned()
}

/// A scenario policy's approval stage as Graph shows it.
fn seeded_approval(approvers: &[String]) -> Value {
    match approvers.is_empty() {
        true => ApprovalSettings::default().to_graph(),
        false => ApprovalSettings::single_stage(approvers.iter().cloned().map(Approver::User).collect()).to_graph(),
    }
}

/// Sets a policy document's `requestApprovalSettings` (the sim's Rust API changing the
/// approval stage, so that Graph shows what the flow does).
pub(crate) fn set_request_approval(area: &ProvisioningArea, policy_id: &str, settings: &Value) {
    let Some(mut doc) = document(area, policy_id) else {
        return;
    };
    doc.insert("requestApprovalSettings".into(), settings.clone());
    area.provisioning()
        .policies
        .insert(policy_id.to_ascii_lowercase(), Value::Object(doc));
}

/// The policy's stage settings, request stages first, each with its extension.
fn stage_settings(area: &ProvisioningArea, policy_id: &str) -> Vec<Value> {
    let em = area.em();
    let setting = |stage: &str, ext_id: &str| {
        let ext = em.extensions.iter().find(|e| e.id.eq_ignore_ascii_case(ext_id));
        json!({
            "id": uuid::Uuid::new_v5(&uuid::Uuid::NAMESPACE_OID, format!("{}{stage}", policy_id.to_ascii_lowercase()).as_bytes()).to_string(),
            "stage": stage,
            "customExtension": ext.map(|e| e.json.clone()).unwrap_or_else(|| json!({ "id": ext_id })),
        })
    };
    let mut out: Vec<Value> = em
        .settings(policy_id)
        .iter()
        .map(|s| setting(s.stage.as_str(), &s.custom_extension_id))
        .collect();
    let pre = area
        .provisioning()
        .pre_expiration
        .get(&policy_id.to_ascii_lowercase())
        .cloned()
        .unwrap_or_default();
    out.extend(pre.iter().map(|(stage, id)| setting(stage, id)));
    out
}

fn policy_json(area: &ProvisioningArea, version: ApiVersion, policy_id: &str, expand: &[String]) -> Option<Value> {
    let (package, _) = owner(area, policy_id)?;
    let mut doc = document(area, policy_id)?;
    doc.insert(
        "@odata.context".into(),
        json!(format!(
            "{}/{}/$metadata#identityGovernance/entitlementManagement/assignmentPolicies/$entity",
            area.authority.base_url, version.0
        )),
    );
    doc.insert("id".into(), json!(policy_id));
    if expand.iter().any(|e| e == "accesspackage") {
        let name = area
            .directory
            .state()
            .access_packages
            .iter()
            .find(|p| p.id == package)
            .map(|p| p.display_name.clone());
        doc.insert("accessPackage".into(), json!({ "id": package, "displayName": name }));
    }
    doc.insert(
        "customExtensionStageSettings".into(),
        Value::Array(stage_settings(area, policy_id)),
    );
    Some(Value::Object(doc))
}

/// `GET .../assignmentPolicies/{id}`, with `$select` honoured as Graph does.
pub(crate) async fn get_policy(
    State(area): State<ProvisioningArea>,
    Extension(version): Extension<ApiVersion>,
    Path(id): Path<String>,
    RawQuery(raw): RawQuery,
) -> Result<Json<Value>, GraphError> {
    let query = Query::parse(raw.as_deref())?;
    let full = policy_json(&area, version, &id, &expands(raw.as_deref())).ok_or_else(|| not_found("Policy", &id))?;
    let Some(select) = query.select.as_deref() else {
        return Ok(Json(full));
    };
    let Value::Object(map) = full else {
        return Ok(Json(full));
    };
    let mut selected = project(&map, Some(select), &[], "accessPackageAssignmentPolicy")?;
    if let Some(context) = map.get("@odata.context") {
        selected.insert("@odata.context".into(), context.clone());
    }
    Ok(Json(Value::Object(selected)))
}

/// `PUT .../assignmentPolicies/{id}` → 200 with the policy.
pub(crate) async fn put_policy(
    State(area): State<ProvisioningArea>,
    Extension(version): Extension<ApiVersion>,
    Path(id): Path<String>,
    body: Bytes,
) -> Result<Json<Value>, GraphError> {
    let (package, catalog) = owner(&area, &id).ok_or_else(|| not_found("Policy", &id))?;
    let body = object_body(&body)?;
    if body
        .get("displayName")
        .and_then(Value::as_str)
        .is_none_or(|n| n.trim().is_empty())
    {
        return Err(bad("displayName is required."));
    }
    if let Some(sent) = body
        .get("accessPackage")
        .and_then(|p| p.get("id"))
        .and_then(Value::as_str)
    {
        if !sent.eq_ignore_ascii_case(&package) {
            return Err(bad(format!(
                "The policy belongs to access package '{package}', not '{sent}'."
            )));
        }
    }
    let list = match body.get("customExtensionStageSettings") {
        None | Some(Value::Null) => Vec::new(),
        Some(Value::Array(items)) => items.clone(),
        Some(_) => return Err(bad("customExtensionStageSettings must be an array.")),
    };
    let (request, pre) = checked_settings(&area, &catalog, &list)?;
    let approval = ApprovalSettings::from_graph(body.get("requestApprovalSettings").unwrap_or(&Value::Null))
        .map_err(|e| bad(format!("requestApprovalSettings: {e}")))?;
    let created = document(&area, &id)
        .and_then(|d| d.get("createdDateTime").cloned())
        .unwrap_or_else(|| json!(now()));
    let mut doc = body;
    for key in COMPUTED {
        doc.remove(key);
    }
    doc.insert("createdDateTime".into(), created);
    doc.insert("modifiedDateTime".into(), json!(now()));
    {
        let mut em = area.em();
        em.clear_settings(&id);
        for s in request {
            em.set_setting(&id, s);
        }
        em.set_approval(&id, approval);
    }
    {
        let mut p = area.provisioning();
        p.policies.insert(id.to_ascii_lowercase(), Value::Object(doc));
        p.pre_expiration.insert(id.to_ascii_lowercase(), pre);
    }
    tracing::info!(policy = %id, "assignment policy replaced");
    policy_json(&area, version, &id, &[])
        .map(Json)
        .ok_or_else(|| not_found("Policy", &id))
}

type Checked = (Vec<StageSetting>, Vec<(String, String)>);

fn checked_settings(area: &ProvisioningArea, catalog: &str, list: &[Value]) -> Result<Checked, GraphError> {
    let em = area.em();
    let mut request = Vec::new();
    let mut pre = Vec::new();
    let mut seen: Vec<String> = Vec::new();
    for item in list {
        let name = item.get("stage").and_then(Value::as_str).unwrap_or_default();
        let stage = STAGES
            .iter()
            .find(|s| s.eq_ignore_ascii_case(name))
            .ok_or_else(|| bad(format!("Unknown stage '{name}'.")))?;
        if seen.iter().any(|s| s == stage) {
            return Err(bad(format!("Stage '{stage}' is set more than once.")));
        }
        seen.push((*stage).to_owned());
        let ext_id = item
            .pointer("/customExtension/id")
            .and_then(Value::as_str)
            .ok_or_else(|| bad(format!("customExtension.id is required for stage '{stage}'.")))?;
        let ext = em
            .extensions
            .iter()
            .find(|e| e.id.eq_ignore_ascii_case(ext_id) && e.catalog_id.eq_ignore_ascii_case(catalog))
            .ok_or_else(|| {
                bad(format!(
                    "Custom extension '{ext_id}' was not found in the policy's catalog."
                ))
            })?;
        match Stage::parse(stage) {
            Some(request_stage) => {
                if ext.is_assignment_workflow() {
                    return Err(bad(format!(
                        "Stage '{stage}' needs a request workflow extension; '{ext_id}' is a pre-expiration extension."
                    )));
                }
                request.push(setting_for(request_stage, ext));
            }
            None => {
                if !ext.is_assignment_workflow() {
                    return Err(bad(format!(
                        "Stage '{stage}' needs a pre-expiration (assignment workflow) extension; '{ext_id}' is a request workflow extension."
                    )));
                }
                pre.push(((*stage).to_owned(), ext.id.clone()));
            }
        }
    }
    Ok((request, pre))
}

fn setting_for(stage: Stage, ext: &CustomExtension) -> StageSetting {
    StageSetting {
        stage,
        endpoint: ext.endpoint.clone(),
        mode: ext.mode,
        auth: ext.auth.clone(),
        client: ext.client,
        custom_extension_id: ext.id.clone(),
    }
}

/// After an extension changed, the request-stage settings that use it call out with its new values.
pub(crate) fn refresh_settings(area: &ProvisioningArea, ext: &CustomExtension) {
    let policies: Vec<String> = area
        .directory
        .state()
        .access_packages
        .iter()
        .flat_map(|p| p.policies.iter().map(|x| x.id.clone()))
        .collect();
    let mut em = area.em();
    for policy in policies {
        for s in em.settings(&policy) {
            if s.custom_extension_id.eq_ignore_ascii_case(&ext.id) {
                em.set_setting(&policy, setting_for(s.stage, ext));
            }
        }
    }
}
