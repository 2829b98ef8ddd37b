//! Beta bodies: property names only, from the beta type mappings.

use graph_conformance::{check, Direction, FindingKind};
use jitadmin_graph::config_policies::{local_admins_policy, PolicyAssignment};
use jitadmin_graph::local_groups::GroupAction;
use serde_json::json;

const POLICIES: &str = "/beta/deviceManagement/configurationPolicies";

fn policy() -> serde_json::Value {
    local_admins_policy(
        "jitadmin local admins",
        "managed by jitadmin",
        &["S-1-12-1-1-2-3-4".to_string()],
        GroupAction::AddUpdate,
    )
}

#[test]
fn jitadmin_local_admins_policy_is_clean() {
    let r = check("POST", POLICIES, Some(&policy()), Direction::Request);
    assert!(r.is_clean(), "{r}");
    let r = check("PUT", &format!("{POLICIES}/p"), Some(&policy()), Direction::Request);
    assert!(r.is_clean(), "{r}");
    let assign = json!({ "assignments": [PolicyAssignment::to_group("g")] });
    let r = check(
        "POST",
        &format!("{POLICIES}/p/assign"),
        Some(&assign),
        Direction::Request,
    );
    assert!(r.is_clean(), "{r}");
}

#[test]
fn a_misspelt_policy_property_is_reported() {
    let mut body = policy();
    body["platfroms"] = body["platforms"].take();
    body.as_object_mut().expect("object").remove("platforms");
    body["settings"][0]["settingInstance"]["settingDefinitionIdd"] = json!("x");
    let r = check("POST", POLICIES, Some(&body), Direction::Request);
    let f = r.of_kind(FindingKind::UnknownProperty);
    assert_eq!(f.len(), 2, "{r}");
    assert_eq!(f[0].pointer, "/platfroms");
    assert!(
        f[0].message
            .contains("beta microsoft.graph.deviceManagementConfigurationPolicy"),
        "{r}"
    );
    assert!(f[0].message.contains("did you mean \"platforms\"?"), "{r}");
    assert_eq!(f[1].pointer, "/settings/0/settingInstance/settingDefinitionIdd");
}

#[test]
fn beta_names_include_inherited_ones() {
    let names =
        graph_conformance::beta_property_names("deviceManagementConfigurationChoiceSettingValue").expect("type");
    for n in ["value", "children", "settingValueTemplateReference"] {
        assert!(names.iter().any(|x| x == n), "{n} in {names:?}");
    }
    let names = graph_conformance::beta_property_names("groupAssignmentTarget").expect("type");
    assert!(
        names.iter().any(|x| x == "deviceAndAppManagementAssignmentFilterId"),
        "{names:?}"
    );
}
