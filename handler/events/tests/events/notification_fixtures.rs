//! One test per notification fixture in `testdata/`.

use jitadmin_events::notification::{
    ChangeNotificationCollection, ChangeType, LifecycleEvent, NotificationKind, ValidationHandshake,
};

const SECRET: &str = "kq8sD1vX-per-subscription-secret";
const GROUP: &str = "2f8e7d6c-5b4a-4938-8271-6a5b4c3d2e1f";

fn parse(bytes: &[u8]) -> ChangeNotificationCollection {
    ChangeNotificationCollection::from_slice(bytes).unwrap_or_else(|e| panic!("fixture does not parse: {e}"))
}

#[test]
fn membership_change_carries_group_and_member_hints_in_both_removed_forms() {
    let batch = parse(include_bytes!(
        "../../testdata/notification-group-membership-change.json"
    ));
    assert_eq!(batch.value.len(), 1);
    let n = &batch.value[0];
    assert_eq!(n.subscription_id, "7f105c7d-2dc5-4530-97cd-4e7ae6534c07");
    assert_eq!(n.tenant_id, "84bd8158-6d4d-4958-8b9f-9d6445542f95");
    assert_eq!(n.kind(), NotificationKind::Change(Some(&ChangeType::Updated)));
    assert_eq!(n.group_id(), Some(GROUP));
    assert!(n.client_state_matches(SECRET));
    let data = n.resource_data.as_ref().unwrap();
    assert_eq!(data.sequence_number, Some(638999999999999999));
    assert_eq!(data.members_delta.len(), 3);
    assert!(!data.members_delta[0].is_removal());
    assert_eq!(data.members_delta[1].removed.as_ref().unwrap().reason, "deleted");
    assert_eq!(data.members_delta[2].removed.as_ref().unwrap().reason, "deleted");
    assert_eq!(
        n.subscription_expiration_date_time.unwrap().to_rfc3339(),
        "2026-11-30T18:23:45.935691300+00:00"
    );
}

#[test]
fn group_update_without_members_uses_resource_data_and_offset_times() {
    let batch = parse(include_bytes!(
        "../../testdata/notification-group-updated-no-members.json"
    ));
    let n = &batch.value[0];
    assert_eq!(n.group_id(), Some(GROUP));
    assert!(n.resource_data.as_ref().unwrap().members_delta.is_empty());
    assert_eq!(
        n.resource.as_deref(),
        Some("groups/2f8e7d6c-5b4a-4938-8271-6a5b4c3d2e1f")
    );
    assert!(n.subscription_expiration_date_time.is_some());
}

#[test]
fn reauthorization_required_is_a_lifecycle_event() {
    let batch = parse(include_bytes!(
        "../../testdata/notification-lifecycle-reauthorization-required.json"
    ));
    let n = &batch.value[0];
    assert_eq!(
        n.kind(),
        NotificationKind::Lifecycle(&LifecycleEvent::ReauthorizationRequired)
    );
    assert!(n.client_state_matches(SECRET));
    assert_eq!(n.group_id(), None);
}

#[test]
fn mixed_lifecycle_batch_keeps_unknown_events() {
    let batch = parse(include_bytes!(
        "../../testdata/notification-lifecycle-mixed-events.json"
    ));
    let events: Vec<_> = batch.value.iter().map(|n| n.lifecycle_event.clone().unwrap()).collect();
    assert_eq!(
        events,
        vec![
            LifecycleEvent::ReauthorizationRequired,
            LifecycleEvent::SubscriptionRemoved,
            LifecycleEvent::Missed,
            LifecycleEvent::Other("somethingNewFromGraph".into()),
        ]
    );
}

#[test]
fn client_state_good_bad_and_missing_are_told_apart() {
    let batch = parse(include_bytes!("../../testdata/notification-mixed-client-state.json"));
    let matches: Vec<bool> = batch.value.iter().map(|n| n.client_state_matches(SECRET)).collect();
    assert_eq!(matches, vec![true, false, false]);
}

#[test]
fn handshake_token_is_form_decoded() {
    let query = include_str!("../../testdata/notification-handshake-query.txt");
    let h = ValidationHandshake::from_query(query).unwrap();
    assert_eq!(
        h.token(),
        "Validation: Testing client application reachability for subscription Request-Id: 1b2c3d4e-5f60-4718-9a0b-1c2d3e4f5a6b"
    );
    assert_eq!(ValidationHandshake::from_query(&format!("?{query}")), Some(h));
    assert_eq!(ValidationHandshake::from_query("code=abc"), None);
}

#[test]
fn handshake_from_decoded_pairs_keeps_the_token_unchanged() {
    let h = ValidationHandshake::from_decoded_pairs([("code", "k"), ("validationToken", "a+b c")]).unwrap();
    assert_eq!(h.token(), "a+b c");
}

#[test]
fn item_without_subscription_id_names_its_path() {
    let err =
        ChangeNotificationCollection::from_slice(br#"{"value":[{"tenantId":"t"},{"tenantId":"t"}]}"#).unwrap_err();
    assert_eq!(err.path(), Some("value[0].subscriptionId"));
}
