//! `jitadmin provision`: the Graph set-up Bicep cannot do, idempotent. Each step reads,
//! compares and creates or updates only what differs; a dry run only reads.
//!
//! 1. [`extensions`]: the catalog's custom extensions: "jitadmin request" (request workflow,
//!    launch-and-wait with the callback timeout), "jitadmin notify" (request workflow,
//!    launch-and-continue) and "jitadmin pre-expiration" (assignment workflow), all pointing at the
//!    forwarder (the Logic App trigger) with proof-of-possession authentication.
//! 2. [`stage_settings`]: the policy's stages: created → request; granted and removed → notify;
//!    optionally a pre-expiration stage → pre-expiration; other stages are kept.
//! 3. [`catalog_role`]: "Access package assignment manager" on the catalog for the managed identity.
//! 4. [`intune_policy`]: the Intune "Local user group membership" policy putting the admin group
//!    into the local Administrators group with Add (Update) (Add (Replace) only with `--force`),
//!    assigned to the device group.
//! 5. [`subscription`]: the admin group's change subscription, through the app's own code
//!    ([`crate::watch::subscriptions`]), so `maintain` keeps renewing it.
//!
//! A failure stops the run, names the step and carries Graph's status, code and message; what
//! earlier steps did stays done and a second run finishes the job.

mod catalog_role;
mod extensions;
mod intune_policy;
pub mod report;
mod stage_settings;
mod subscription;

use jitadmin_graph::local_groups::GroupAction;
use jitadmin_graph::GraphError;

use crate::app::App;
use crate::error::WatchError;
pub use report::{Action, Change, Report, StepReport};

/// Names of the extensions jitadmin owns in the catalog (found again by name).
pub const REQUEST_EXTENSION: &str = "jitadmin request";
/// The launch-and-continue extension of the granted and removed stages.
pub const NOTIFY_EXTENSION: &str = "jitadmin notify";
/// The pre-expiration extension.
pub const PRE_EXPIRATION_EXTENSION: &str = "jitadmin pre-expiration";

/// The warning Add (Replace) always comes with.
pub const REPLACE_WARNING: &str = "Add (Replace) makes the listed members the ONLY members of the local \
    Administrators group on every device in the device group: every other administrator, including the \
    built-in Administrator account and your support staff, is removed. A mistake can lock everyone out of \
    those devices.";

/// The Logic App the forwarder is (for `logicAppTriggerEndpointConfiguration`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LogicApp {
    /// Azure subscription id.
    pub subscription_id: String,
    /// Resource group.
    pub resource_group: String,
    /// Workflow name.
    pub workflow: String,
}

impl LogicApp {
    /// Reads `/subscriptions/{s}/resourceGroups/{rg}/providers/Microsoft.Logic/workflows/{name}`.
    pub fn from_resource_id(id: &str) -> Option<LogicApp> {
        let parts: Vec<&str> = id.trim_matches('/').split('/').collect();
        match parts.as_slice() {
            [s, sub, r, rg, p, ns, w, name]
                if s.eq_ignore_ascii_case("subscriptions")
                    && r.eq_ignore_ascii_case("resourceGroups")
                    && p.eq_ignore_ascii_case("providers")
                    && ns.eq_ignore_ascii_case("Microsoft.Logic")
                    && w.eq_ignore_ascii_case("workflows") =>
            {
                Some(LogicApp {
                    subscription_id: (*sub).to_string(),
                    resource_group: (*rg).to_string(),
                    workflow: (*name).to_string(),
                })
            }
            _ => None,
        }
    }
}

/// What to provision.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProvisionSettings {
    /// The access package catalog.
    pub catalog_id: String,
    /// The access package (checked against the policy's).
    pub access_package_id: String,
    /// The access package's assignment policy.
    pub policy_id: String,
    /// The forwarder's (Logic App's) trigger URL.
    pub forwarder_url: String,
    /// The forwarder's ARM identity, when known.
    pub logic_app: Option<LogicApp>,
    /// The callback timeout of the created stage (ISO 8601, 5 minutes to 14 days).
    pub callback_timeout: String,
    /// A pre-expiration stage to attach the pre-expiration extension to, if any.
    pub pre_expiration_stage: Option<String>,
    /// The managed identity's service principal object id.
    pub managed_identity: String,
    /// The Entra device group the Intune policy is assigned to.
    pub device_group: String,
    /// The admin group put into local Administrators (and watched).
    pub admin_group: String,
    /// The Intune policy's name.
    pub intune_policy_name: String,
    /// Add (Update) or Add (Replace).
    pub membership: GroupAction,
    /// Allow Add (Replace).
    pub force: bool,
    /// Read only.
    pub dry_run: bool,
}

/// Why provisioning stopped.
#[derive(Debug, thiserror::Error)]
pub enum ProvisionError {
    /// Graph refused or failed a call.
    #[error("step {step} ({name}): {what}: {source}")]
    Graph {
        /// Step number.
        step: usize,
        /// Step name.
        name: &'static str,
        /// What we were doing.
        what: String,
        /// Graph's error: status, code, message, request-id.
        source: Box<GraphError>,
    },
    /// The subscription code failed.
    #[error("step {step} ({name}): {source}")]
    Watch {
        /// Step number.
        step: usize,
        /// Step name.
        name: &'static str,
        /// What failed.
        source: Box<WatchError>,
    },
    /// Something in the tenant or the settings is not as provisioning needs it.
    #[error("step {step} ({name}): {message}")]
    Invalid {
        /// Step number.
        step: usize,
        /// Step name.
        name: &'static str,
        /// What and what to do.
        message: String,
    },
    /// The run was refused before any step (e.g. Add (Replace) without `--force`).
    #[error("{0}")]
    Refused(String),
}

/// One step's context: the app (Graph client, store, settings), what to do, and whether to write.
pub(crate) struct Step<'a> {
    pub app: &'a App,
    pub settings: &'a ProvisionSettings,
    pub number: usize,
    pub name: &'static str,
}

impl Step<'_> {
    pub(crate) fn apply(&self) -> bool {
        !self.settings.dry_run
    }

    /// A `map_err` helper naming the step and the call.
    pub(crate) fn graph(&self, what: impl Into<String>) -> impl FnOnce(GraphError) -> ProvisionError {
        let (step, name, what) = (self.number, self.name, what.into());
        move |source| ProvisionError::Graph {
            step,
            name,
            what,
            source: Box::new(source),
        }
    }

    pub(crate) fn invalid(&self, message: impl Into<String>) -> ProvisionError {
        ProvisionError::Invalid {
            step: self.number,
            name: self.name,
            message: message.into(),
        }
    }

    pub(crate) fn report(&self, actions: Vec<Action>) -> StepReport {
        StepReport {
            number: self.number,
            name: self.name.to_string(),
            actions,
        }
    }
}

const STEPS: [&str; 5] = [
    "custom extensions",
    "policy stage settings",
    "catalog role for the managed identity",
    "Intune local administrators policy",
    "admin group change subscription",
];

/// Checks what must hold before anything is read or written.
pub fn preflight(settings: &ProvisionSettings) -> Result<Vec<String>, ProvisionError> {
    let mut warnings = Vec::new();
    if settings.membership == GroupAction::AddReplace {
        if !settings.force {
            return Err(ProvisionError::Refused(format!(
                "refusing Add (Replace) without --force. {REPLACE_WARNING} Use the default Add (Update) \
                 unless you are sure."
            )));
        }
        warnings.push(format!("--force given: using Add (Replace). {REPLACE_WARNING}"));
    }
    if settings.membership == GroupAction::RemoveUpdate {
        return Err(ProvisionError::Refused(
            "Remove (Update) would take the admin group out of local Administrators: not something \
             provision sets up"
                .into(),
        ));
    }
    jitadmin_events::duration::parse(&settings.callback_timeout)
        .map(|d| d.num_seconds().max(0) as u64)
        .filter(|s| (300..=14 * 86_400).contains(s))
        .ok_or_else(|| {
            ProvisionError::Refused(format!(
                "the callback timeout {:?} is not an ISO 8601 duration from 5 minutes (PT5M) to 14 days (P14D)",
                settings.callback_timeout
            ))
        })?;
    Ok(warnings)
}

/// Runs the five steps in order; the report says what each found and did, and what failed.
pub async fn run(app: &App, settings: &ProvisionSettings) -> Result<Report, ProvisionError> {
    let warnings = preflight(settings)?;
    let mut report = Report {
        dry_run: settings.dry_run,
        warnings,
        total_steps: STEPS.len(),
        ..Report::default()
    };
    let step = |number: usize| Step {
        app,
        settings,
        number,
        name: STEPS[number - 1],
    };
    let result = async {
        let (r, ids) = extensions::run(&step(1)).await?;
        report.steps.push(r);
        report.steps.push(stage_settings::run(&step(2), &ids).await?);
        report.steps.push(catalog_role::run(&step(3)).await?);
        report.steps.push(intune_policy::run(&step(4)).await?);
        report.steps.push(subscription::run(&step(5)).await?);
        Ok::<(), ProvisionError>(())
    }
    .await;
    if let Err(e) = result {
        tracing::warn!(error = %e, "provisioning failed");
        report.failure = Some(e.to_string());
    }
    Ok(report)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn settings(membership: GroupAction, force: bool) -> ProvisionSettings {
        ProvisionSettings {
            catalog_id: "c".into(),
            access_package_id: "ap".into(),
            policy_id: "p".into(),
            forwarder_url: "https://logic/x".into(),
            logic_app: None,
            callback_timeout: "P1D".into(),
            pre_expiration_stage: None,
            managed_identity: "mi".into(),
            device_group: "dg".into(),
            admin_group: "ag".into(),
            intune_policy_name: "n".into(),
            membership,
            force,
            dry_run: true,
        }
    }

    #[test]
    fn replace_is_refused_without_force_and_warned_about_with_it() {
        let err = preflight(&settings(GroupAction::AddReplace, false)).unwrap_err();
        assert!(err.to_string().contains("--force") && err.to_string().contains("lock everyone out"));
        let warnings = preflight(&settings(GroupAction::AddReplace, true)).expect("forced");
        assert!(warnings[0].contains("lock everyone out"));
        assert!(preflight(&settings(GroupAction::AddUpdate, false))
            .expect("update")
            .is_empty());
    }

    #[test]
    fn a_callback_timeout_outside_what_em_allows_is_refused() {
        let mut s = settings(GroupAction::AddUpdate, false);
        s.callback_timeout = "PT1M".into();
        assert!(preflight(&s).is_err());
        s.callback_timeout = "P15D".into();
        assert!(preflight(&s).is_err());
        s.callback_timeout = "PT5M".into();
        assert!(preflight(&s).is_ok());
    }

    #[test]
    fn logic_app_resource_ids_are_read() {
        let l = LogicApp::from_resource_id(
            "/subscriptions/s1/resourceGroups/rg-j/providers/Microsoft.Logic/workflows/logic-fwd",
        )
        .expect("logic app");
        assert_eq!(
            (
                l.subscription_id.as_str(),
                l.resource_group.as_str(),
                l.workflow.as_str()
            ),
            ("s1", "rg-j", "logic-fwd")
        );
        assert!(LogicApp::from_resource_id("/subscriptions/s1").is_none());
    }
}
