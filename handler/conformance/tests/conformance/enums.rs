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

/// Graph's members of `enum` after which jitadmin handles none it does not name: every
/// member of the metadata must be in `ours` (apart from `except`), and every one of ours must
/// be Graph's (apart from `beta_only`).
fn same_members(graph_enum: &str, ours: &[&str], except: &[&str], beta_only: &[&str]) {
    let graph = enum_members(graph_enum).unwrap_or_else(|| panic!("{graph_enum} is not in the metadata"));
    let unhandled: Vec<&&str> = graph
        .iter()
        .filter(|m| !ours.contains(m) && !except.contains(m))
        .collect();
    assert!(
        unhandled.is_empty(),
        "{graph_enum}: Graph has {unhandled:?}, which jitadmin does not handle"
    );
    let unknown: Vec<&&str> = ours
        .iter()
        .filter(|m| !graph.contains(m) && !beta_only.contains(m))
        .collect();
    assert!(unknown.is_empty(), "{graph_enum}: {unknown:?} are not Graph's members");
}

#[test]
fn request_types_states_and_assignment_states_match_graph() {
    use jitadmin_events::callout::{AssignmentState, RequestState, RequestType};
    same_members(
        "microsoft.graph.accessPackageRequestType",
        RequestType::MEMBERS,
        &[],
        &[],
    );
    same_members(
        "microsoft.graph.accessPackageRequestState",
        RequestState::MEMBERS,
        &[],
        &[],
    );
    same_members(
        "microsoft.graph.accessPackageAssignmentState",
        AssignmentState::MEMBERS,
        &[],
        &[],
    );
}

#[test]
fn stages_match_graph() {
    use jitadmin_events::callout::Stage;
    // `unknownFutureValue` reads as `Stage::Other`; the approval-requirements stage is beta.
    same_members(
        "microsoft.graph.accessPackageCustomExtensionStage",
        &Stage::GRAPH_MEMBERS,
        &["unknownFutureValue"],
        &["assignmentRequestDeterminingApprovalRequirements"],
    );
    for name in Stage::GRAPH_MEMBERS {
        assert_eq!(Stage::parse(name).as_str(), name, "{name} has its own variant");
    }
}

#[test]
fn notification_change_types_and_lifecycle_events_match_graph() {
    use jitadmin_events::notification::{ChangeType, LifecycleEvent};
    same_members("microsoft.graph.changeType", ChangeType::MEMBERS, &[], &[]);
    same_members("microsoft.graph.lifecycleEventType", LifecycleEvent::MEMBERS, &[], &[]);
}

#[test]
fn every_management_agent_and_compliance_state_is_classified() {
    use jitadmin_graph::devices::{is_mdm_agent, COMPLIANCE_STATES, MANAGEMENT_AGENTS};
    let agents: Vec<&str> = MANAGEMENT_AGENTS.iter().map(|(a, _)| *a).collect();
    same_members("microsoft.graph.managementAgentType", &agents, &[], &[]);
    let synced: Vec<&str> = agents.iter().copied().filter(|a| is_mdm_agent(a)).collect();
    assert_eq!(
        synced,
        [
            "mdm",
            "easMdm",
            "configurationManagerClientMdm",
            "configurationManagerClientMdmEas"
        ],
        "jitadmin syncs the devices Intune manages by MDM"
    );
    assert!(!is_mdm_agent("somethingNew"), "an agent not classified is not synced");
    same_members("microsoft.graph.complianceState", &COMPLIANCE_STATES, &[], &[]);
}
