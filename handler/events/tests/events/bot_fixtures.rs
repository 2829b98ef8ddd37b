//! One test per Bot Framework activity fixture in `testdata/`.

use jitadmin_events::bot::{Activity, ActivityType, ActivityValue, PersonalScope, Trigger};
use serde::Deserialize;

const TENANT: &str = "84bd8158-6d4d-4958-8b9f-9d6445542f95";

fn parse(bytes: &[u8]) -> Activity {
    Activity::from_slice(bytes).unwrap_or_else(|e| panic!("fixture does not parse: {e}"))
}

#[derive(Debug, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase")]
struct CardData {
    request_id: String,
    stage_instance_id: String,
    expires: i64,
    reason: Option<String>,
}

#[test]
fn invoke_card_action_carries_verb_data_user_and_place() {
    let a = parse(include_bytes!(
        "../../testdata/activity-invoke-adaptive-card-action.json"
    ));
    assert_eq!(a.kind, ActivityType::Invoke);
    assert_eq!(a.channel_id, "msteams");
    assert_eq!(
        a.service_url,
        "https://smba.trafficmanager.net/amer/84bd8158-6d4d-4958-8b9f-9d6445542f95/"
    );
    assert_eq!(a.from_aad_object_id(), Some("9f8e7d6c-5b4a-4321-8765-4321fedcba98"));
    assert_eq!(a.from.name.as_deref(), Some("Bob Approver"));
    assert_eq!(a.tenant_id(), Some(TENANT));
    assert_eq!(a.reply_to_id.as_deref(), Some("1767765488332"));
    let conv = a.conversation.as_ref().unwrap();
    assert_eq!(conv.conversation_type.as_deref(), Some("channel"));
    let cd = a.channel_data.as_ref().unwrap();
    assert_eq!(
        cd.team.as_ref().unwrap().id.as_deref(),
        Some("19:ffeeddccbbaa99887766554433221100@thread.tacv2")
    );
    assert!(cd.channel.is_some());
    assert_eq!(
        a.recipient.as_ref().unwrap().id,
        "28:5e6f7a8b-9c0d-4e1f-a2b3-c4d5e6f7a8b9"
    );
    let action = a.card_action().unwrap();
    assert_eq!(action.trigger, Some(Trigger::Manual));
    assert_eq!(action.action.kind.as_deref(), Some("Action.Execute"));
    assert_eq!(action.action.verb.as_deref(), Some("deny"));
    let data: CardData = action.action.data_as().unwrap();
    assert_eq!(data.request_id, "3cbea889-0b4f-4d07-9a3c-2f14dbb13565");
    assert_eq!(data.stage_instance_id, "d7e99664-0001-4c0a-9d2e-79b2a2e5d001");
    assert_eq!(data.expires, 1767852000);
    assert_eq!(data.reason.as_deref(), Some("No ticket referenced"));
}

#[test]
fn card_data_of_the_wrong_shape_names_its_path() {
    #[derive(Debug, Deserialize)]
    #[allow(dead_code)]
    struct Wrong {
        expires: String,
    }
    let a = parse(include_bytes!(
        "../../testdata/activity-invoke-adaptive-card-action.json"
    ));
    let err = a.card_action().unwrap().action.data_as::<Wrong>().unwrap_err();
    assert_eq!(err.path(), Some("value.action.data.expires"));
}

#[test]
fn channel_message_is_not_a_card_action() {
    let a = parse(include_bytes!("../../testdata/activity-message-channel.json"));
    assert_eq!(a.kind, ActivityType::Message);
    assert!(a.card_action().is_none());
    assert_eq!(a.value, ActivityValue::None);
    assert_eq!(a.text.as_deref(), Some("<at>jitadmin approvals</at> status"));
    assert_eq!(a.tenant_id(), Some(TENANT));
}

#[test]
fn conversation_update_lists_the_bot_as_added() {
    let a = parse(include_bytes!(
        "../../testdata/activity-conversation-update-bot-added.json"
    ));
    assert_eq!(a.kind, ActivityType::ConversationUpdate);
    assert_eq!(a.members_added.len(), 1);
    assert_eq!(a.members_added[0].id, "28:5e6f7a8b-9c0d-4e1f-a2b3-c4d5e6f7a8b9");
    assert_eq!(
        a.channel_data.as_ref().unwrap().event_type.as_deref(),
        Some("teamMemberAdded")
    );
}

#[test]
fn card_action_without_value_is_an_error() {
    let body = br#"{"type":"invoke","name":"adaptiveCard/action","channelId":"msteams","serviceUrl":"https://x/"}"#;
    let err = Activity::from_slice(body).unwrap_err();
    assert_eq!(err.path(), Some("value"));
}

#[test]
fn unknown_activity_type_is_kept() {
    let body = br#"{"type":"handoff","channelId":"msteams","serviceUrl":"https://x/"}"#;
    let a = Activity::from_slice(body).unwrap();
    assert_eq!(a.kind, ActivityType::Other("handoff".into()));
}

#[test]
fn personal_install_names_the_user_and_their_chat() {
    let a = parse(include_bytes!(
        "../../testdata/activity-conversation-update-personal-install.json"
    ));
    assert_eq!(a.kind, ActivityType::ConversationUpdate);
    assert!(a.is_personal());
    assert_eq!(a.personal_scope(), Some(PersonalScope::Installed));
    assert_eq!(a.from.id, "29:1Hq3b9Lk_Z0xV8mW2pR4tY6uI8oP0aS2dF4gH6jK8lZ");
    assert_eq!(a.from_aad_object_id(), Some("6f7e8d9c-0b1a-4c2d-8e3f-4a5b6c7d8e9f"));
    assert!(a.conversation.as_ref().unwrap().id.starts_with("a:"));
    assert_eq!(a.tenant_id(), Some(TENANT));
}

#[test]
fn personal_uninstall_is_a_removal() {
    let a = parse(include_bytes!(
        "../../testdata/activity-installation-update-personal-remove.json"
    ));
    assert_eq!(a.kind, ActivityType::InstallationUpdate);
    assert_eq!(a.action.as_deref(), Some("remove"));
    assert_eq!(a.personal_scope(), Some(PersonalScope::Removed));
}

#[test]
fn channel_activities_say_nothing_of_the_personal_scope() {
    let a = parse(include_bytes!(
        "../../testdata/activity-conversation-update-bot-added.json"
    ));
    assert!(!a.is_personal());
    assert_eq!(a.personal_scope(), None);
}
