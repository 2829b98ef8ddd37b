//! Scenario files: the demo, JSON, and clear errors.

use tenant_sim::scenario::{ComplianceState, UserType};
use tenant_sim::{Scenario, ScenarioError};

#[test]
fn demo_scenario_has_the_cast_the_story_needs() {
    let s = Scenario::demo();
    assert_eq!(s.users.len(), 8);
    assert!(s.users.iter().any(|u| u.user_type == UserType::Guest));
    assert!(s.users.iter().any(|u| !u.account_enabled));
    assert!(s.groups.iter().any(|g| g.display_name == "JIT Local Admins"));
    assert!(s
        .managed_devices
        .iter()
        .any(|d| d.compliance_state == ComplianceState::Noncompliant));
    assert!(s.managed_devices.iter().any(|d| d.operating_system != "Windows"));
    assert_eq!(s.access_packages[0].display_name, "Local admin (JIT)");
    assert_eq!(s.access_packages[0].policies.len(), 1);
    assert_eq!(s.managed_identities.len(), 1);
}

#[test]
fn json_scenario_round_trips() {
    let demo = Scenario::demo();
    let json = serde_json::to_string(&demo).unwrap();
    assert_eq!(Scenario::from_json_str(&json, "demo.json").unwrap(), demo);
}

#[test]
fn unknown_field_is_a_parse_error_naming_the_file_and_line() {
    let text = "tenantId = \"8f6a1c2e-4b3d-4e5f-9a7b-1c2d3e4f5a6b\"\n[[users]]\nid = \"u1\"\nuserPrincipalName = \"a@b\"\ndisplayName = \"A\"\ndepartmnt = \"IT\"\n";
    let err = Scenario::from_toml_str(text, "bad.toml").unwrap_err();
    let msg = err.to_string();
    assert!(msg.starts_with("bad.toml:"), "{msg}");
    assert!(msg.contains("departmnt"), "{msg}");
    assert!(msg.contains("line 6"), "{msg}");
}

#[test]
fn dangling_manager_is_an_error_naming_the_field() {
    let text = "tenantId = \"8f6a1c2e-4b3d-4e5f-9a7b-1c2d3e4f5a6b\"\n[[users]]\nid = \"u1\"\nuserPrincipalName = \"a@b\"\ndisplayName = \"A\"\nmanagerId = \"ghost\"\n";
    let err = Scenario::from_toml_str(text, "bad.toml").unwrap_err();
    assert_eq!(err.field(), Some("users[0].managerId"));
    assert!(err.to_string().contains("ghost"));
}

#[test]
fn invalid_values_are_reported_per_field() {
    let cases = [
        ("tenantId = \"not-a-guid\"\n", "tenantId"),
        (
            "tenantId = \"8f6a1c2e-4b3d-4e5f-9a7b-1c2d3e4f5a6b\"\n[[groups]]\nid = \"g1\"\ndisplayName = \"G\"\nmembers = [\"nobody\"]\n",
            "groups[0].members[0]",
        ),
        (
            "tenantId = \"8f6a1c2e-4b3d-4e5f-9a7b-1c2d3e4f5a6b\"\n[[users]]\nid = \"u1\"\nuserPrincipalName = \"a@b\"\ndisplayName = \"A\"\n[[users]]\nid = \"u2\"\nuserPrincipalName = \"A@B\"\ndisplayName = \"B\"\n",
            "users[1].userPrincipalName",
        ),
    ];
    for (text, field) in cases {
        let err = Scenario::from_toml_str(text, "s.toml").unwrap_err();
        assert!(matches!(err, ScenarioError::Invalid { .. }), "{err}");
        assert_eq!(err.field(), Some(field), "{err}");
    }
}

#[test]
fn bad_compliance_state_lists_the_allowed_values() {
    let text = "tenantId = \"8f6a1c2e-4b3d-4e5f-9a7b-1c2d3e4f5a6b\"\n[[managedDevices]]\nid = \"d1\"\ndeviceName = \"D\"\noperatingSystem = \"Windows\"\ncomplianceState = \"great\"\n";
    let msg = Scenario::from_toml_str(text, "s.toml").unwrap_err().to_string();
    assert!(msg.contains("great") && msg.contains("noncompliant"), "{msg}");
}
