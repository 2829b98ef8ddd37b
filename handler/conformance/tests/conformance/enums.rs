//! jitadmin's enum spellings against Graph's enums.

use graph_conformance::{enum_members, property_names};
use jitadmin_graph::resume::ResumeStage;

#[test]
fn resume_stages_are_members_of_graph_enum() {
    let members = enum_members("microsoft.graph.accessPackageCustomExtensionStage").expect("enum");
    for stage in [
        ResumeStage::AssignmentRequestCreated,
        ResumeStage::AssignmentRequestApproved,
        ResumeStage::AssignmentRequestGranted,
        ResumeStage::AssignmentRequestRemoved,
    ] {
        assert!(
            members.contains(&stage.as_str()),
            "{} not in {members:?}",
            stage.as_str()
        );
    }
}

#[test]
fn mdm_management_agents_are_members_of_graph_enum() {
    let members = enum_members("managementAgentType").expect("enum");
    for agent in jitadmin_graph::devices::MDM_AGENTS {
        assert!(members.contains(&agent), "{agent} not in {members:?}");
    }
}

#[test]
fn selected_fields_are_properties() {
    let user = property_names("microsoft.graph.user").expect("user");
    for f in jitadmin_graph::users::USER_SELECT.split(',') {
        assert!(user.contains(&f), "user.{f}");
    }
    let device = property_names("managedDevice").expect("managedDevice");
    for f in jitadmin_graph::devices::DEVICE_SELECT.split(',') {
        assert!(device.contains(&f), "managedDevice.{f}");
    }
    assert!(enum_members("noSuchEnum").is_none() && property_names("noSuchType").is_none());
}
