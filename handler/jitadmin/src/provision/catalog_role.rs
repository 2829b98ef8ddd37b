//! Step 3: the built-in catalog role "Access package assignment manager" for the Function App's
//! managed identity, so it can resume requests without `EntitlementManagement.ReadWrite.All`.

use jitadmin_graph::em_roles::ACCESS_PACKAGE_ASSIGNMENT_MANAGER;

use super::{Action, Change, ProvisionError, Step, StepReport};

pub(crate) async fn run(step: &Step<'_>) -> Result<StepReport, ProvisionError> {
    let s = step.settings;
    let graph = step.app.graph();
    let assignments = graph
        .list_catalog_role_assignments(&s.catalog_id)
        .await
        .map_err(step.graph(format!("listing the role assignments of catalog {}", s.catalog_id)))?;
    let what = format!(
        "Access package assignment manager on catalog {} for {}",
        s.catalog_id, s.managed_identity
    );
    if assignments
        .iter()
        .any(|a| a.grants(&s.managed_identity, ACCESS_PACKAGE_ASSIGNMENT_MANAGER))
    {
        return Ok(step.report(vec![Action::new(Change::Unchanged, what)]));
    }
    if step.apply() {
        let created = graph
            .create_catalog_role_assignment(&s.catalog_id, &s.managed_identity, ACCESS_PACKAGE_ASSIGNMENT_MANAGER)
            .await
            .map_err(step.graph("assigning the catalog role"))?;
        tracing::info!(assignment = ?created.id, principal = %s.managed_identity, "catalog role assigned");
    }
    Ok(step.report(vec![Action::new(Change::Create, what)]))
}
