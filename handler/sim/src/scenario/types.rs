//! The scenario's types, one per entity, named and shaped as in Graph.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// A simulated tenant's starting data.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Scenario {
    /// The tenant (directory) id, a GUID.
    pub tenant_id: String,
    /// The tenant's display name.
    #[serde(default)]
    pub display_name: Option<String>,
    /// The tenant's default domain, e.g. `contoso.example`.
    #[serde(default)]
    pub domain: Option<String>,
    /// Users (members and guests).
    #[serde(default)]
    pub users: Vec<User>,
    /// Security groups with their direct members.
    #[serde(default)]
    pub groups: Vec<Group>,
    /// Intune managed devices.
    #[serde(default)]
    pub managed_devices: Vec<ManagedDevice>,
    /// Entitlement-management access packages with their assignment policies.
    #[serde(default)]
    pub access_packages: Vec<AccessPackage>,
    /// Registered applications (client-credentials callers) and their service principals.
    #[serde(default)]
    pub applications: Vec<Application>,
    /// Managed identities the App Service identity endpoint can issue tokens for.
    #[serde(default)]
    pub managed_identities: Vec<ManagedIdentity>,
    /// The Teams bot and where it is installed (the simulated Bot Framework).
    #[serde(default)]
    pub bot: Option<super::bot::BotScenario>,
}

/// Member or guest.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum UserType {
    /// An internal user.
    #[default]
    Member,
    /// A B2B guest.
    Guest,
}

/// A user, with the properties jitadmin reads from Graph.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct User {
    /// Object id.
    pub id: String,
    /// Sign-in name, unique in the tenant (compared case-insensitively).
    pub user_principal_name: String,
    /// Display name.
    pub display_name: String,
    /// Given name.
    #[serde(default)]
    pub given_name: Option<String>,
    /// Surname.
    #[serde(default)]
    pub surname: Option<String>,
    /// Primary SMTP address.
    #[serde(default)]
    pub mail: Option<String>,
    /// Department (returned by Graph only when `$select`ed).
    #[serde(default)]
    pub department: Option<String>,
    /// Job title.
    #[serde(default)]
    pub job_title: Option<String>,
    /// `Member` or `Guest`.
    #[serde(default)]
    pub user_type: UserType,
    /// Whether the account can sign in (default true).
    #[serde(default = "yes")]
    pub account_enabled: bool,
    /// Employee type, e.g. `Employee`, `Contractor`.
    #[serde(default)]
    pub employee_type: Option<String>,
    /// Company name.
    #[serde(default)]
    pub company_name: Option<String>,
    /// Country or region.
    #[serde(default)]
    pub country: Option<String>,
    /// Office location.
    #[serde(default)]
    pub office_location: Option<String>,
    /// When the account was created (RFC 3339 string).
    #[serde(default)]
    pub created_date_time: Option<DateTime<Utc>>,
    /// The manager's object id (served by `GET /users/{id}/manager`).
    #[serde(default)]
    pub manager_id: Option<String>,
}

/// A group and its direct members (user or service-principal object ids).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Group {
    /// Object id.
    pub id: String,
    /// Display name.
    pub display_name: String,
    /// Description.
    #[serde(default)]
    pub description: Option<String>,
    /// Whether it is a security group (default true).
    #[serde(default = "yes")]
    pub security_enabled: bool,
    /// Whether it is mail-enabled (default false).
    #[serde(default)]
    pub mail_enabled: bool,
    /// Direct members' object ids.
    #[serde(default)]
    pub members: Vec<String>,
}

/// Intune compliance state of a managed device.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum ComplianceState {
    /// Unknown.
    #[default]
    Unknown,
    /// Compliant.
    Compliant,
    /// Not compliant.
    Noncompliant,
    /// Conflicting policies.
    Conflict,
    /// Evaluation error.
    Error,
    /// Not compliant but inside the grace period.
    InGracePeriod,
    /// Managed by Configuration Manager.
    ConfigManager,
}

/// An Intune managed device (Graph `managedDevice`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ManagedDevice {
    /// Intune device id (used for `syncDevice`).
    pub id: String,
    /// Device name.
    pub device_name: String,
    /// The associated (primary) user's object id; absent for shared devices.
    #[serde(default)]
    pub user_id: Option<String>,
    /// The "device user principal name" (may differ from the primary user's, as in Intune).
    #[serde(default)]
    pub user_principal_name: Option<String>,
    /// The user who enrolled the device (immutable in Intune, unlike the primary user).
    #[serde(default)]
    pub enrolled_by_user_id: Option<String>,
    /// e.g. `Windows`, `iOS`, `Android`, `macOS`.
    pub operating_system: String,
    /// OS version string.
    #[serde(default)]
    pub os_version: Option<String>,
    /// Compliance state.
    #[serde(default)]
    pub compliance_state: ComplianceState,
    /// e.g. `mdm`, `easMdm`, `eas`, `configurationManagerClientMdm`.
    #[serde(default = "mdm")]
    pub management_agent: String,
    /// e.g. `windowsAzureADJoin`.
    #[serde(default)]
    pub device_enrollment_type: Option<String>,
    /// Last successful Intune sync (RFC 3339).
    #[serde(default)]
    pub last_sync_date_time: Option<DateTime<Utc>>,
    /// The Entra device id.
    #[serde(default, rename = "azureADDeviceId")]
    pub azure_ad_device_id: Option<String>,
}

/// An access package: requests for it are simulated by the entitlement-management endpoints.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct AccessPackage {
    /// Access package id.
    pub id: String,
    /// Display name.
    pub display_name: String,
    /// Description.
    #[serde(default)]
    pub description: Option<String>,
    /// The catalog's id.
    pub catalog_id: String,
    /// The catalog's display name (sent in callouts; default "General").
    #[serde(default)]
    pub catalog_display_name: Option<String>,
    /// The group whose membership the package grants (e.g. the local-admin group): a granted
    /// assignment adds the target user, a removed one removes them.
    #[serde(default)]
    pub resource_group_id: Option<String>,
    /// Assignment policies.
    #[serde(default)]
    pub policies: Vec<AccessPackagePolicy>,
}

/// An access package assignment policy.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct AccessPackagePolicy {
    /// Policy id.
    pub id: String,
    /// Display name.
    pub display_name: String,
    /// Entitlement management's own approval stage: the users who approve in My Access (none:
    /// no approval). New requests and extensions both need it.
    #[serde(default)]
    pub approvers: Vec<String>,
    /// How long an assignment lasts by default (ISO 8601; default `PT8H`).
    #[serde(default)]
    pub duration: Option<String>,
    /// Whether requestors may choose their own start and end ("users can request specific
    /// timeline").
    #[serde(default)]
    pub custom_schedule: bool,
}

/// A registered application and its service principal in this tenant.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Application {
    /// The application (client) id.
    pub client_id: String,
    /// Display name (`app_displayname` in tokens).
    pub display_name: String,
    /// The service principal's object id (`oid`/`sub` in its tokens).
    pub service_principal_id: String,
    /// Accepted client secrets.
    #[serde(default)]
    pub secrets: Vec<String>,
    /// Application id URIs under which other apps can request tokens for this app (`api://...`).
    #[serde(default)]
    pub identifier_uris: Vec<String>,
    /// Version of access tokens issued *for* this app as a resource (1 or 2; default 1).
    #[serde(default)]
    pub access_token_version: Option<u8>,
    /// Application permissions granted to this app: resource (e.g. `https://graph.microsoft.com`)
    /// to role values (e.g. `User.Read.All`), placed in the `roles` claim.
    #[serde(default)]
    pub app_roles: BTreeMap<String, Vec<String>>,
}

/// System- or user-assigned.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum ManagedIdentityKind {
    /// The app's system-assigned identity (used when the request names no identity).
    #[default]
    SystemAssigned,
    /// A user-assigned identity (selected by `client_id` or `object_id`).
    UserAssigned,
}

/// A managed identity of the (simulated) Function App.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ManagedIdentity {
    /// The identity's client id (`appid` in its tokens).
    pub client_id: String,
    /// The service principal's object id (`oid`).
    pub object_id: String,
    /// Display name.
    #[serde(default)]
    pub display_name: Option<String>,
    /// System- or user-assigned.
    #[serde(default)]
    pub kind: ManagedIdentityKind,
    /// Application permissions granted: resource to role values.
    #[serde(default)]
    pub app_roles: BTreeMap<String, Vec<String>>,
}

fn yes() -> bool {
    true
}

fn mdm() -> String {
    "mdm".to_owned()
}
