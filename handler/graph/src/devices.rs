//! Intune managed devices: list a user's devices, keep the Windows MDM ones, trigger syncs
//! (<https://learn.microsoft.com/graph/api/resources/intune-devices-manageddevice>). Every call here goes through the Intune limiter.

use serde::Deserialize;

use crate::batch::BatchRequest;
use crate::path::segment;
use crate::{GraphClient, GraphError};

/// The managedDevice fields jitadmin reads.
pub const DEVICE_SELECT: &str = "id,userId,deviceName,operatingSystem,osVersion,complianceState,lastSyncDateTime,\
azureADDeviceId,managementAgent,userPrincipalName,deviceEnrollmentType,deviceActionResults";

/// Every `managementAgentType` Graph v1.0 has, and whether jitadmin syncs such a device
/// (<https://learn.microsoft.com/graph/api/resources/intune-devices-managementagenttype>):
/// only agents with Intune MDM enrolment receive the local-group policy; the others (Exchange
/// ActiveSync alone, the legacy PC client, Configuration Manager without co-management, Jamf,
/// Google, Defender for Endpoint security management, unknown) are left alone. A member
/// Graph adds later is not synced until it is classified here (a test compares this table
/// with Graph's metadata).
pub const MANAGEMENT_AGENTS: [(&str, bool); 13] = [
    ("eas", false),
    ("mdm", true),
    ("easMdm", true),
    ("intuneClient", false),
    ("easIntuneClient", false),
    ("configurationManagerClient", false),
    ("configurationManagerClientMdm", true),
    ("configurationManagerClientMdmEas", true),
    ("unknown", false),
    ("jamf", false),
    ("googleCloudDevicePolicyController", false),
    ("microsoft365ManagedMdm", false),
    ("msSense", false),
];

/// Whether a device with this management agent is managed by Intune MDM, i.e. one Intune can
/// sync and push the local-group policy to (case-insensitive; an agent not in
/// [`MANAGEMENT_AGENTS`] is not).
pub fn is_mdm_agent(agent: &str) -> bool {
    MANAGEMENT_AGENTS
        .iter()
        .any(|(name, mdm)| *mdm && name.eq_ignore_ascii_case(agent))
}

/// Every `complianceState` Graph v1.0 has, as the rules and the approval card see it
/// (<https://learn.microsoft.com/graph/api/resources/intune-devices-compliancestate>): only
/// `compliant` is compliant; `inGracePeriod` is noncompliant with time left to fix it.
pub const COMPLIANCE_STATES: [&str; 7] = [
    "unknown",
    "compliant",
    "noncompliant",
    "conflict",
    "error",
    "inGracePeriod",
    "configManager",
];

/// An Intune managed device.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ManagedDevice {
    /// Intune device id (what `syncDevice` takes).
    pub id: String,
    /// Associated user's object id.
    #[serde(default)]
    pub user_id: Option<String>,
    /// Device name.
    #[serde(default)]
    pub device_name: Option<String>,
    /// `Windows`, `iOS`... (compare case-insensitively).
    #[serde(default)]
    pub operating_system: Option<String>,
    /// OS version.
    #[serde(default)]
    pub os_version: Option<String>,
    /// `compliant`, `noncompliant`, ... kept as text.
    #[serde(default)]
    pub compliance_state: Option<String>,
    /// Last successful Intune sync (ISO 8601).
    #[serde(default)]
    pub last_sync_date_time: Option<String>,
    /// Entra device id.
    #[serde(default, rename = "azureADDeviceId")]
    pub azure_ad_device_id: Option<String>,
    /// `mdm`, `eas`, `configurationManagerClientMdm`, ... kept as text.
    #[serde(default)]
    pub management_agent: Option<String>,
    /// Device user's UPN.
    #[serde(default)]
    pub user_principal_name: Option<String>,
    /// Enrollment type.
    #[serde(default)]
    pub device_enrollment_type: Option<String>,
    /// Remote-action results.
    #[serde(default)]
    pub device_action_results: Vec<DeviceActionResult>,
}

/// A remote action's state on a device.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DeviceActionResult {
    /// E.g. `syncDevice`.
    #[serde(default)]
    pub action_name: Option<String>,
    /// `none`, `pending`, `done`, `failed`, ...
    #[serde(default)]
    pub action_state: Option<String>,
    /// Started.
    #[serde(default)]
    pub start_date_time: Option<String>,
    /// Last updated.
    #[serde(default)]
    pub last_updated_date_time: Option<String>,
}

impl ManagedDevice {
    /// Whether this is a Windows device under MDM management: the ones a sync can reach.
    pub fn is_windows_mdm(&self) -> bool {
        let windows = self
            .operating_system
            .as_deref()
            .is_some_and(|os| os.eq_ignore_ascii_case("windows"));
        let mdm = self.management_agent.as_deref().is_some_and(is_mdm_agent);
        windows && mdm
    }
}

/// What became of one device's sync request.
#[derive(Debug)]
pub enum SyncOutcome {
    /// Graph accepted it (204).
    Requested,
    /// The device no longer exists in Intune (404).
    DeviceGone,
    /// Graph refused it for this device (400, 409: e.g. retired or not MDM); not worth retrying.
    Skipped(GraphError),
    /// Anything else, including throttling that outlasted the retries.
    Failed(GraphError),
}

impl SyncOutcome {
    fn from_error(e: GraphError) -> SyncOutcome {
        match e.status() {
            Some(404) => SyncOutcome::DeviceGone,
            Some(400) | Some(409) => SyncOutcome::Skipped(e),
            _ => SyncOutcome::Failed(e),
        }
    }
}

impl GraphClient {
    /// Every managed device of a user (`GET /v1.0/users/{id}/managedDevices`, all pages).
    ///
    /// No `$filter` is sent: Intune was reported to silently ignore `userId` filters and to mishandle
    /// `operatingSystem ne`, so filter with [`windows_mdm_devices`] on our side.
    pub async fn list_user_devices(&self, user_id: &str) -> Result<Vec<ManagedDevice>, GraphError> {
        let target = format!(
            "/v1.0/users/{}/managedDevices?$select={DEVICE_SELECT}",
            segment(user_id)?
        );
        Ok(self.get_all(&target).await?.items)
    }

    /// A user's Windows MDM devices, re-checking that each is associated with that user.
    pub async fn list_user_windows_devices(&self, user_id: &str) -> Result<Vec<ManagedDevice>, GraphError> {
        let devices = self.list_user_devices(user_id).await?;
        Ok(windows_mdm_devices(devices)
            .into_iter()
            .filter(|d| d.user_id.as_deref().is_none_or(|u| u.eq_ignore_ascii_case(user_id)))
            .collect())
    }

    /// `POST /v1.0/deviceManagement/managedDevices/{id}/syncDevice` (204; v1.0 is GA for this action).
    pub async fn sync_device(&self, device_id: &str) -> SyncOutcome {
        let target = match segment(device_id) {
            Ok(id) => format!("/v1.0/deviceManagement/managedDevices/{id}/syncDevice"),
            Err(e) => return SyncOutcome::Failed(e),
        };
        match self
            .execute(crate::GraphRequest::new(reqwest::Method::POST, target))
            .await
        {
            Ok(_) => SyncOutcome::Requested,
            Err(e) => SyncOutcome::from_error(e),
        }
    }

    /// `POST /beta/deviceManagement/comanagedDevices/{id}/syncDevice` (204): the beta-only variant for
    /// co-managed (Configuration Manager + Intune) devices.
    pub async fn sync_comanaged_device(&self, device_id: &str) -> SyncOutcome {
        let target = match segment(device_id) {
            Ok(id) => format!("/beta/deviceManagement/comanagedDevices/{id}/syncDevice"),
            Err(e) => return SyncOutcome::Failed(e),
        };
        match self
            .execute(crate::GraphRequest::new(reqwest::Method::POST, target))
            .await
        {
            Ok(_) => SyncOutcome::Requested,
            Err(e) => SyncOutcome::from_error(e),
        }
    }

    /// Syncs many devices through `$batch` (20 per batch, throttled items retried); one outcome per id,
    /// in order. Repeated ids are synced once and reported for each occurrence.
    pub async fn sync_devices(&self, device_ids: &[String]) -> Result<Vec<(String, SyncOutcome)>, GraphError> {
        let mut unique: Vec<&String> = Vec::new();
        for id in device_ids {
            if !unique.iter().any(|u| u.eq_ignore_ascii_case(id)) {
                unique.push(id);
            }
        }
        let mut requests = Vec::new();
        for (n, id) in unique.iter().enumerate() {
            let url = format!("/deviceManagement/managedDevices/{}/syncDevice", segment(id)?);
            requests.push(BatchRequest::new((n + 1).to_string(), "POST", url));
        }
        let answers = self.batch("v1.0", requests.clone()).await?;
        let mut outcomes = Vec::new();
        for id in device_ids {
            let Some(n) = unique.iter().position(|u| u.eq_ignore_ascii_case(id)) else {
                continue;
            };
            let (req, answer) = (&requests[n], &answers[n]);
            let outcome = match answer.error(&req.method, &req.url) {
                None => SyncOutcome::Requested,
                Some(e) => SyncOutcome::from_error(e),
            };
            outcomes.push((id.clone(), outcome));
        }
        Ok(outcomes)
    }
}

/// Keeps the Windows MDM devices (see [`ManagedDevice::is_windows_mdm`]).
pub fn windows_mdm_devices(devices: Vec<ManagedDevice>) -> Vec<ManagedDevice> {
    devices.into_iter().filter(ManagedDevice::is_windows_mdm).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::paging::Page;

    fn fixture_devices() -> Vec<ManagedDevice> {
        let p1: Page<ManagedDevice> =
            serde_json::from_slice(include_bytes!("../testdata/managed-devices-page-1.json")).expect("page 1");
        let p2: Page<ManagedDevice> =
            serde_json::from_slice(include_bytes!("../testdata/managed-devices-page-2.json")).expect("page 2");
        p1.value.into_iter().chain(p2.value).collect()
    }

    #[test]
    fn device_fixtures_parse_with_the_spec_fields() {
        let d = fixture_devices();
        assert_eq!(d.len(), 4);
        assert_eq!(
            d[0].azure_ad_device_id.as_deref(),
            Some("0f1d5b3c-7a2e-4a88-9e2d-5b1e8f6c4a10")
        );
        assert_eq!(d[0].device_action_results[0].action_state.as_deref(), Some("done"));
        assert_eq!(d[3].last_sync_date_time, None);
    }

    #[test]
    fn only_windows_mdm_devices_are_kept_case_insensitively() {
        let names: Vec<_> = windows_mdm_devices(fixture_devices())
            .into_iter()
            .filter_map(|d| d.device_name)
            .collect();
        assert_eq!(names, vec!["FIN-LT-042", "FIN-WS-007"]);
    }
}
