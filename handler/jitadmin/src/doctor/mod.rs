//! `jitadmin doctor`: reads the access package's policy, its custom extensions and stage
//! settings, entitlement management's own approval, the admin group and the Intune policy
//! through Graph (with the operator's own credentials, as `provision` does), and says in plain
//! words what would break requests, what could be better, and which supported combination is
//! in effect.

pub mod findings;
mod intune;
mod policy;

use jitadmin_decide::Summary;

use crate::app::App;
pub use findings::{Finding, Report, Severity};

/// What to check.
#[derive(Debug, Clone)]
pub struct DoctorSettings {
    /// The access package.
    pub access_package_id: String,
    /// Its assignment policy.
    pub policy_id: String,
    /// The admin group (the package's resource).
    pub admin_group: Option<String>,
    /// The Intune policy's name.
    pub intune_policy_name: String,
    /// The rules file's summary, when one is configured.
    pub rules: Option<Summary>,
}

/// Run every check. Graph failures are findings too (a check that could not run).
pub async fn run(app: &App, settings: &DoctorSettings) -> Report {
    let mut report = Report::default();
    let config = app.config();
    let packages = &config.packages;
    report.findings.push(if packages.is_unrestricted() {
        Finding::new(
            Severity::Warning,
            "settings",
            "JITADMIN_ACCESS_PACKAGES is not set: jitadmin acts on callouts of every access package (and refuses to start in Azure)",
        )
        .fix(format!("set JITADMIN_ACCESS_PACKAGES={}", settings.access_package_id))
    } else if packages.manages(Some(&settings.access_package_id)) {
        Finding::new(
            Severity::Ok,
            "settings",
            "JITADMIN_ACCESS_PACKAGES names this access package",
        )
    } else {
        Finding::new(
            Severity::Problem,
            "settings",
            "JITADMIN_ACCESS_PACKAGES does not name this access package: its callouts are refused with 403",
        )
        .fix(format!("add {} to JITADMIN_ACCESS_PACKAGES", settings.access_package_id))
    });
    let graph = app.graph();
    match graph.get_assignment_policy(&settings.policy_id).await {
        Ok(read) => {
            let doc = &read.document;
            if read
                .access_package_id
                .as_deref()
                .is_some_and(|p| !p.eq_ignore_ascii_case(&settings.access_package_id))
            {
                report.findings.push(Finding::new(
                    Severity::Problem,
                    "policy",
                    format!("policy {} belongs to another access package", settings.policy_id),
                ));
            }
            report.findings.extend(policy::stages(doc));
            report.findings.extend(policy::timeouts(doc));
            report
                .findings
                .extend(policy::approval(doc, settings.rules.as_ref(), config.teams.is_some()));
            report.findings.extend(policy::lifecycle(doc, settings.rules.as_ref()));
        }
        Err(error) => report.findings.push(
            Finding::new(
                Severity::Problem,
                "policy",
                format!(
                    "the assignment policy {} could not be read: {error}",
                    settings.policy_id
                ),
            )
            .fix("check --policy-id and that your sign-in may read entitlement management"),
        ),
    }
    match &settings.admin_group {
        Some(group) => match intune::check(graph, &settings.intune_policy_name, group).await {
            Ok(found) => report.findings.extend(found),
            Err(error) => report.findings.push(Finding::new(
                Severity::Problem,
                "intune",
                format!("the Intune policy could not be checked: {error}"),
            )),
        },
        None => report.findings.push(
            Finding::new(
                Severity::Warning,
                "intune",
                "no admin group given: the Intune policy was not checked",
            )
            .fix("pass --admin-group (or set JITADMIN_WATCH_GROUPS to the one admin group)"),
        ),
    }
    report
}
