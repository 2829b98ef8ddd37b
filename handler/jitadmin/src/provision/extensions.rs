//! Step 1: the catalog's custom extensions, found by name and kind, created or updated to point at
//! the forwarder with proof-of-possession authentication.

use jitadmin_graph::custom_extensions::{
    same_type, AuthenticationConfiguration, CallbackConfiguration, ClientConfiguration, CustomExtension,
    EndpointConfiguration, ASSIGNMENT_WORKFLOW_EXTENSION, CALLBACK_CONFIGURATION, LOGIC_APP_ENDPOINT,
    POP_AUTHENTICATION, REQUEST_WORKFLOW_EXTENSION,
};

use super::{
    Action, Change, ProvisionError, Step, StepReport, NOTIFY_EXTENSION, PRE_EXPIRATION_EXTENSION, REQUEST_EXTENSION,
};
use jitadmin_events::duration::same_length as same;

/// The ids of jitadmin's extensions (`None` in a dry run for one still to be created).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct ExtensionIds {
    pub request: Option<String>,
    pub notify: Option<String>,
    pub pre_expiration: Option<String>,
}

/// The three extensions as they should be.
fn desired(step: &Step<'_>) -> [CustomExtension; 3] {
    let s = step.settings;
    let endpoint = EndpointConfiguration {
        odata_type: Some(LOGIC_APP_ENDPOINT.into()),
        subscription_id: s.logic_app.as_ref().map(|l| l.subscription_id.clone()),
        resource_group_name: s.logic_app.as_ref().map(|l| l.resource_group.clone()),
        logic_app_workflow_name: s.logic_app.as_ref().map(|l| l.workflow.clone()),
        url: Some(s.forwarder_url.clone()),
    };
    let auth = AuthenticationConfiguration {
        odata_type: Some(POP_AUTHENTICATION.into()),
        resource_id: None,
    };
    let base = |kind: &str, name: &str, description: &str| CustomExtension {
        odata_type: Some(kind.into()),
        id: None,
        display_name: name.into(),
        description: Some(description.into()),
        endpoint_configuration: Some(endpoint.clone()),
        authentication_configuration: Some(auth.clone()),
        callback_configuration: None,
        client_configuration: Some(ClientConfiguration::PROVISIONED),
    };
    let mut request = base(
        REQUEST_WORKFLOW_EXTENSION,
        REQUEST_EXTENSION,
        "jitadmin decides the request (launch and wait)",
    );
    request.callback_configuration = Some(CallbackConfiguration {
        odata_type: Some(CALLBACK_CONFIGURATION.into()),
        timeout_duration: Some(s.callback_timeout.clone()),
        duration_before_timeout: None,
    });
    [
        request,
        base(
            REQUEST_WORKFLOW_EXTENSION,
            NOTIFY_EXTENSION,
            "jitadmin syncs the user's devices when access is granted or removed (launch and continue)",
        ),
        base(
            ASSIGNMENT_WORKFLOW_EXTENSION,
            PRE_EXPIRATION_EXTENSION,
            "jitadmin is told before an assignment expires",
        ),
    ]
}

/// What differs between an existing extension and the wanted one, in words (empty: nothing).
fn differences(have: &CustomExtension, want: &CustomExtension) -> Vec<String> {
    let mut out = Vec::new();
    let (he, we) = (
        have.endpoint_configuration.clone().unwrap_or_default(),
        want.endpoint_configuration.clone().unwrap_or_default(),
    );
    if !same_type(he.odata_type.as_deref(), LOGIC_APP_ENDPOINT) || he.url != we.url {
        out.push("endpoint".to_string());
    }
    let logic_app_differs = we.subscription_id.is_some()
        && (he.subscription_id != we.subscription_id
            || he.resource_group_name != we.resource_group_name
            || he.logic_app_workflow_name != we.logic_app_workflow_name);
    if logic_app_differs {
        out.push("Logic App".to_string());
    }
    let auth = have
        .authentication_configuration
        .as_ref()
        .and_then(|a| a.odata_type.as_deref());
    if !same_type(auth, POP_AUTHENTICATION) {
        out.push("authentication (not PoP)".to_string());
    }
    let have_timeout = have.callback_configuration.as_ref().and_then(|c| c.timeout());
    let want_timeout = want.callback_configuration.as_ref().and_then(|c| c.timeout());
    let timeout_same = match (have_timeout, want_timeout) {
        (Some(h), Some(w)) => same(h, w),
        (None, None) => true,
        _ => false,
    };
    if have.client_configuration != want.client_configuration {
        let show = |c: Option<ClientConfiguration>| match c {
            Some(c) => format!(
                "{} ms, {} retr{}",
                c.timeout_in_milliseconds.map_or("default".into(), |t| t.to_string()),
                c.maximum_retries.map_or("default".into(), |r| r.to_string()),
                if c.maximum_retries == Some(1) { "y" } else { "ies" }
            ),
            None => "the service's defaults".to_string(),
        };
        out.push(format!(
            "callout timeout {} → {}",
            show(have.client_configuration),
            show(want.client_configuration)
        ));
    }
    if !timeout_same {
        out.push(format!(
            "callback timeout {} → {}",
            have_timeout.unwrap_or("none (launch and continue)"),
            want_timeout.unwrap_or("none (launch and continue)")
        ));
    }
    out
}

fn describe(e: &CustomExtension) -> String {
    let mode = match e.callback_configuration.as_ref().and_then(|c| c.timeout()) {
        Some(t) => format!("launch and wait, timeout {t}"),
        None if e.is_assignment_workflow() => "pre-expiration".to_string(),
        None => "launch and continue".to_string(),
    };
    // The trigger URL's query may carry a SAS signature: never printed.
    let url = e
        .endpoint_configuration
        .as_ref()
        .and_then(|c| c.url.as_deref())
        .map(|u| u.split('?').next().unwrap_or(u))
        .unwrap_or("?");
    format!("\"{}\": {mode}, PoP, → {url}", e.display_name)
}

pub(crate) async fn run(step: &Step<'_>) -> Result<(StepReport, ExtensionIds), ProvisionError> {
    let graph = step.app.graph();
    let catalog = &step.settings.catalog_id;
    let existing = graph
        .list_custom_extensions(catalog)
        .await
        .map_err(step.graph(format!("listing the custom extensions of catalog {catalog}")))?;
    let mut actions = Vec::new();
    let mut ids = Vec::new();
    for want in desired(step) {
        let found = existing
            .iter()
            .find(|e| e.display_name.eq_ignore_ascii_case(&want.display_name));
        let id = match found {
            None => {
                actions.push(Action::new(Change::Create, describe(&want)));
                if step.apply() {
                    let created = graph
                        .create_custom_extension(catalog, &want)
                        .await
                        .map_err(step.graph(format!("creating \"{}\"", want.display_name)))?;
                    tracing::info!(extension = ?created.id, name = %want.display_name, "custom extension created");
                    created.id
                } else {
                    None
                }
            }
            Some(have) => {
                if !same_type(
                    have.odata_type.as_deref(),
                    want.odata_type.as_deref().unwrap_or_default(),
                ) {
                    return Err(step.invalid(format!(
                        "catalog {catalog} has an extension named \"{}\" of another kind ({}); rename or delete it",
                        have.display_name,
                        have.odata_type.as_deref().unwrap_or("no @odata.type")
                    )));
                }
                let id = have
                    .id
                    .clone()
                    .ok_or_else(|| step.invalid(format!("\"{}\" has no id", have.display_name)))?;
                let diff = differences(have, &want);
                if diff.is_empty() {
                    actions.push(Action::new(Change::Unchanged, describe(have)));
                } else {
                    actions.push(Action::new(
                        Change::Update,
                        format!("{} ({})", describe(&want), diff.join(", ")),
                    ));
                    if step.apply() {
                        graph
                            .update_custom_extension(catalog, &id, &want)
                            .await
                            .map_err(step.graph(format!("updating \"{}\" ({id})", want.display_name)))?;
                        tracing::info!(extension = %id, name = %want.display_name, "custom extension updated");
                    }
                }
                Some(id)
            }
        };
        ids.push(id);
    }
    let mut ids = ids.into_iter();
    let ids = ExtensionIds {
        request: ids.next().flatten(),
        notify: ids.next().flatten(),
        pre_expiration: ids.next().flatten(),
    };
    Ok((step.report(actions), ids))
}
