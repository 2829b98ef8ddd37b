//! The HMAC in every action's data: a round trip passes; any altered field, a forged or
//! foreign MAC, an expired card and malformed data are refused without a panic.

use crate::support::{at, sample_card, signer, KEY};
use chrono::Duration;
use jitadmin_teams::card::{render, ActionData, CardError, CardSigner, CardState, Verb, REASON_MAX_CHARS};
use serde_json::{json, Value};

/// What Teams sends for a click: the card's action data plus the inputs.
fn clicked(verb: Verb, reason: Option<&str>) -> Value {
    let card = render(&sample_card(), &CardState::Pending, &signer());
    let mut data = match verb {
        Verb::Approve => card["actions"][0]["data"].clone(),
        Verb::Deny => card["actions"][1]["card"]["actions"][0]["data"].clone(),
    };
    if let Some(r) = reason {
        data["reason"] = r.into();
    }
    data
}

fn before_expiry() -> chrono::DateTime<chrono::Utc> {
    sample_card().expires_at - Duration::minutes(5)
}

fn verify(data: &Value) -> Result<ActionData, CardError> {
    let parsed = ActionData::from_value(data)?;
    signer().verify(&parsed, before_expiry())?;
    Ok(parsed)
}

#[test]
fn approve_round_trips() {
    let data = verify(&clicked(Verb::Approve, None)).expect("a genuine approve is accepted");
    let card = sample_card();
    assert_eq!(data.verb, Verb::Approve);
    assert_eq!(data.stage_instance_id, card.stage_instance_id);
    assert_eq!(data.request_id, card.request_id);
    assert_eq!(data.expires_at, card.expires_at.timestamp());
    assert_eq!(data.reason, None);
}

#[test]
fn deny_round_trips_with_its_reason_trimmed() {
    let data = verify(&clicked(Verb::Deny, Some("  not needed \n"))).expect("a genuine deny is accepted");
    assert_eq!(data.verb, Verb::Deny);
    assert_eq!(data.reason.as_deref(), Some("not needed"));
}

#[test]
fn an_approve_may_carry_a_comment() {
    let data = verify(&clicked(Verb::Approve, Some("ok for today"))).expect("accepted");
    assert_eq!(data.reason.as_deref(), Some("ok for today"));
}

#[test]
fn each_signed_field_altered_is_refused() {
    let genuine = clicked(Verb::Approve, None);
    let alterations: [(&str, Value); 4] = [
        ("stageInstanceId", "5c7b1a2e-0d4f-4e8a-9b61-2f3c4d5e6f71".into()),
        ("requestId", "a1b2c3d4-e5f6-4789-8abc-def012345679".into()),
        ("expiresAt", json!(genuine["expiresAt"].as_i64().unwrap() + 86_400)),
        ("expiresAt", json!(genuine["expiresAt"].as_i64().unwrap() - 1)),
    ];
    for (field, value) in alterations {
        let mut data = genuine.clone();
        data[field] = value.clone();
        assert_eq!(verify(&data).unwrap_err(), CardError::BadMac, "{field} = {value}");
    }
}

#[test]
fn ids_cannot_be_shifted_between_fields() {
    // Length-prefixed fields: moving characters from one id to the other changes the MAC.
    let s = CardSigner::new(KEY);
    assert_ne!(s.sign("ab", "c", 1), s.sign("a", "bc", 1));
    assert_ne!(s.sign("a", "b", 1), s.sign("a", "b", 2));
}

#[test]
fn a_forged_or_mangled_mac_is_refused() {
    for mac in [
        "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
        "",
        "not base64 !",
        "mmjVnMP9yoERCBL3v9ZAK8Cg",
        "mmjVnMP9yoERCBL3v9ZAK8CgchV8sMu2icY7ZwfGfRwAAAA",
    ] {
        let mut data = clicked(Verb::Approve, None);
        data["mac"] = mac.into();
        assert_eq!(verify(&data).unwrap_err(), CardError::BadMac, "mac {mac:?}");
    }
}

#[test]
fn a_card_signed_with_another_key_is_refused() {
    let data = ActionData::from_value(&clicked(Verb::Approve, None)).unwrap();
    let other = CardSigner::new(b"another-deployment-key");
    assert_eq!(other.verify(&data, before_expiry()).unwrap_err(), CardError::BadMac);
}

#[test]
fn an_expired_card_is_refused_after_its_mac_checks() {
    let data = ActionData::from_value(&clicked(Verb::Approve, None)).unwrap();
    let expires = sample_card().expires_at;
    assert_eq!(
        signer().verify(&data, expires).unwrap_err(),
        CardError::Expired { expired_at: expires }
    );
    assert_eq!(
        signer().verify(&data, at("2027-01-01T00:00:00Z")).unwrap_err(),
        CardError::Expired { expired_at: expires }
    );
    assert!(signer().verify(&data, expires - Duration::seconds(1)).is_ok());
    // A forged MAC on an expired card says BadMac, not Expired.
    let mut forged = data.clone();
    forged.mac = "AAAA".into();
    assert_eq!(signer().verify(&forged, expires).unwrap_err(), CardError::BadMac);
}

#[test]
fn swapping_the_verb_gains_nothing_but_the_other_button() {
    // Both buttons carry the same MAC; a verb swap is the other (equally available) button,
    // still subject to the app's approver check, and a Deny still needs its reason.
    let mut data = clicked(Verb::Approve, None);
    data["verb"] = "deny".into();
    assert!(matches!(verify(&data), Err(CardError::Malformed(m)) if m.contains("reason")));
    data["reason"] = "no".into();
    assert_eq!(verify(&data).unwrap().verb, Verb::Deny);
}

#[test]
fn the_invoke_verb_must_match_the_data_verb() {
    let data = clicked(Verb::Approve, None);
    assert_eq!(
        ActionData::from_invoke(Some("approve"), &data).unwrap().verb,
        Verb::Approve
    );
    assert_eq!(ActionData::from_invoke(None, &data).unwrap().verb, Verb::Approve);
    assert!(matches!(
        ActionData::from_invoke(Some("deny"), &data),
        Err(CardError::Malformed(m)) if m.contains("differs")
    ));
}

#[test]
fn a_denial_without_a_reason_is_malformed() {
    for reason in [None, Some(""), Some("   \n ")] {
        let data = clicked(Verb::Deny, reason);
        assert!(
            matches!(ActionData::from_value(&data), Err(CardError::Malformed(m)) if m.contains("reason")),
            "{reason:?}"
        );
    }
}

#[test]
fn an_overlong_reason_is_malformed() {
    let long = "x".repeat(REASON_MAX_CHARS + 1);
    let data = clicked(Verb::Deny, Some(&long));
    assert!(matches!(ActionData::from_value(&data), Err(CardError::Malformed(_))));
    let just_fits = "é".repeat(REASON_MAX_CHARS);
    assert!(verify(&clicked(Verb::Deny, Some(&just_fits))).is_ok());
}

#[test]
fn malformed_data_is_malformed_not_a_panic() {
    let genuine = clicked(Verb::Approve, None);
    let mut cases: Vec<(String, Value)> = vec![
        ("null".into(), Value::Null),
        ("a string".into(), json!("approve")),
        ("an array".into(), json!([genuine.clone()])),
        ("empty".into(), json!({})),
    ];
    for field in ["verb", "stageInstanceId", "requestId", "expiresAt", "mac"] {
        let mut missing = genuine.clone();
        missing.as_object_mut().unwrap().remove(field);
        cases.push((format!("without {field}"), missing));
        for bad in [json!(null), json!(true), json!([1]), json!({"a": 1})] {
            let mut wrong = genuine.clone();
            wrong[field] = bad.clone();
            cases.push((format!("{field} = {bad}"), wrong));
        }
    }
    for (field, bad) in [
        ("verb", json!("approve-all")),
        ("verb", json!("APPROVE")),
        ("stageInstanceId", json!("")),
        ("requestId", json!("")),
        ("expiresAt", json!(1.5)),
        ("expiresAt", json!("soon")),
        ("expiresAt", json!(i64::MAX)),
        ("expiresAt", json!(u64::MAX)),
        ("reason", json!(42)),
    ] {
        let mut wrong = genuine.clone();
        wrong[field] = bad.clone();
        cases.push((format!("{field} = {bad}"), wrong));
    }
    for (what, data) in cases {
        assert!(
            matches!(ActionData::from_value(&data), Err(CardError::Malformed(_))),
            "{what}: {:?}",
            ActionData::from_value(&data)
        );
    }
}

#[test]
fn expiry_as_a_string_of_digits_is_read() {
    let mut data = clicked(Verb::Approve, None);
    data["expiresAt"] = data["expiresAt"].to_string().into();
    assert!(verify(&data).is_ok());
}

#[test]
fn the_signer_does_not_print_its_key() {
    let shown = format!("{:?}", CardSigner::new(b"super-secret-key"));
    assert!(!shown.contains("super") && !shown.contains("115"), "{shown}");
}

#[test]
fn action_data_deserialises_like_from_value() {
    let data = clicked(Verb::Deny, Some("no"));
    let parsed: ActionData = serde_json::from_value(data.clone()).expect("deserialises");
    assert_eq!(parsed, ActionData::from_value(&data).unwrap());
    let err = serde_json::from_value::<ActionData>(json!({"verb": "deny"})).unwrap_err();
    assert!(err.to_string().contains("malformed"), "{err}");
}
