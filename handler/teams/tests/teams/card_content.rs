//! What the cards say and refuse to do: buttons only while pending, decisions say who, when
//! and why, user text never reaches Markdown, long input stays bounded.

use crate::support::{at, huge_card, rendered, sample_card, signer, states};
use jitadmin_teams::card::{already_decided, render, ApprovalCard, CardState, RequestedBy, Verb};
use serde_json::Value;

/// Every string under `key` in objects whose `type` is `kind`, anywhere in `v`.
fn texts_of(v: &Value, kind: &str, key: &str, out: &mut Vec<String>) {
    match v {
        Value::Object(map) => {
            if map.get("type").and_then(Value::as_str) == Some(kind) {
                if let Some(s) = map.get(key).and_then(Value::as_str) {
                    out.push(s.to_string());
                }
            }
            map.values().for_each(|c| texts_of(c, kind, key, out));
        }
        Value::Array(items) => items.iter().for_each(|c| texts_of(c, kind, key, out)),
        _ => {}
    }
}

/// All visible text of a card, joined.
fn all_text(card: &Value) -> String {
    let mut out = Vec::new();
    texts_of(card, "TextBlock", "text", &mut out);
    texts_of(card, "TextRun", "text", &mut out);
    out.join("")
}

fn count_of(v: &Value, kind: &str) -> usize {
    let mut out = Vec::new();
    texts_of(v, kind, "type", &mut out);
    out.len()
}

#[test]
fn only_a_pending_card_has_buttons() {
    for (name, _) in states() {
        let card = rendered(name);
        let executes = count_of(&card, "Action.Execute");
        if name == "pending" {
            assert_eq!(executes, 2, "{name}: Approve and Deny");
            assert_eq!(count_of(&card, "Input.Text"), 1, "{name}: the reason");
        } else {
            assert!(card.get("actions").is_none(), "{name} has actions");
            assert_eq!(executes + count_of(&card, "Input.Text"), 0, "{name}");
        }
        assert!(card.get("refresh").is_none(), "{name}: no refresh (see render.rs)");
    }
}

#[test]
fn the_pending_card_shows_every_fact() {
    let text = all_text(&rendered("pending"));
    for fact in [
        "Alex Wilber",
        "AlexW@contoso.example",
        "Engineering",
        "Megan Bowen",
        "Local admin – engineering laptops",
        "8 hours",
        "Install the **VPN** driver",
        "Which device needs admin rights?",
        "- INC-1234 - _urgent_",
        "PC-0042",
        "Windows 11 24H2",
        "noncompliant",
        "last sync 2026-11-28 08:55 UTC",
        "never synced",
        "2026-11-21 09:14 UTC",
        "Elevated for 4 hours",
        "Routed because the requestor has a noncompliant device",
        "expires 2026-11-28 12:00 UTC",
    ] {
        assert!(text.contains(fact), "missing {fact:?} in {text}");
    }
}

#[test]
fn a_request_for_someone_else_names_both_people() {
    let mut card = sample_card();
    card.requested_by = Some(RequestedBy {
        display_name: "Megan Bowen".into(),
        upn: "MeganB@contoso.example".into(),
    });
    for (name, state) in states() {
        let text = all_text(&render(&card, &state, &signer()));
        assert!(text.contains("Megan Bowen asks for Alex Wilber"), "{name}: {text}");
        assert!(text.contains("MeganB@contoso.example"), "{name}");
    }
    let own = all_text(&rendered("pending"));
    assert!(!own.contains("Requested by"), "a request for oneself names one person");
}

#[test]
fn a_requestor_cannot_draw_fake_blocks_on_the_card() {
    let mut card = sample_card();
    let forged = "Need it.\n\n\u{2028}Manager pre-approved \u{2705}\u{2029}Risk: low\u{200B}\u{200E}";
    card.justification = Some(forged.repeat(30));
    let rendered = render(&card, &CardState::Pending, &signer());
    let mut runs = Vec::new();
    texts_of(&rendered, "TextRun", "text", &mut runs);
    for run in &runs {
        assert!(
            !run.contains(['\n', '\u{2028}', '\u{2029}', '\u{200E}']),
            "no line of the requestor's own: {run:?}"
        );
    }
    let justification = runs
        .iter()
        .find(|r| r.contains("Manager pre-approved"))
        .expect("shown, inline");
    assert!(justification.starts_with('\u{201C}'), "quoted: {justification}");
    assert!(justification.chars().count() <= 1002, "capped");
    assert!(all_text(&rendered).contains("Justification (the requestor's words)"));
}

#[test]
fn decided_cards_say_who_when_and_why() {
    let approved = all_text(&rendered("approved"));
    for s in [
        "Approved",
        "Megan Bowen",
        "2026-11-28 09:31 UTC",
        "Known lab work, ticket checked",
    ] {
        assert!(approved.contains(s), "approved card lacks {s:?}");
    }
    let denied = all_text(&rendered("denied"));
    for s in [
        "Denied",
        "Megan Bowen",
        "2026-11-28 09:31 UTC",
        "Use the packaged VPN installer",
    ] {
        assert!(denied.contains(s), "denied card lacks {s:?}");
    }
    assert!(all_text(&rendered("applying")).contains("recorded, applying"));
    assert!(all_text(&rendered("expired")).contains("timed out"));
    assert!(all_text(&rendered("error")).contains("Entra ID refused to resume the request"));
}

#[test]
fn an_expired_card_gives_the_reason_it_was_given() {
    let state = CardState::Expired {
        at: at("2026-11-28T10:00:00Z"),
        why: "Cancelled by the requestor in My Access".into(),
    };
    let text = all_text(&render(&sample_card(), &state, &signer()));
    assert!(text.contains("Cancelled by the requestor in My Access") && !text.contains("timed out"));
}

#[test]
fn user_text_never_lands_in_a_markdown_text_block() {
    let card = sample_card();
    let user_strings = [
        card.requestor.display_name.as_str(),
        card.requestor.upn.as_str(),
        "Engineering",
        "Megan Bowen",
        card.access_package.as_str(),
        "VPN",
        "INC-1234",
        "PC-0042",
        "Elevated for",
        "noncompliant-device",
        "Known lab work",
        "packaged VPN installer",
        "Entra ID refused",
    ];
    for (name, _) in states() {
        let mut blocks = Vec::new();
        texts_of(&rendered(name), "TextBlock", "text", &mut blocks);
        for block in &blocks {
            for s in user_strings {
                assert!(!block.contains(s), "{name}: user text {s:?} in a TextBlock: {block:?}");
            }
        }
    }
}

#[test]
fn date_macros_in_user_text_are_broken() {
    let text = all_text(&rendered("pending"));
    assert!(
        !text.contains("{{"),
        "a {{DATE(…)}} macro would be expanded by the renderer"
    );
    assert!(text.contains("{\u{200B}{DATE(2026-01-01T00:00:00Z)}}"));
}

#[test]
fn second_approver_is_told_who_decided() {
    let card = already_decided("Megan Bowen", Verb::Deny, at("2026-11-28T09:31:00Z"));
    assert_eq!(card["type"], "AdaptiveCard");
    assert_eq!(card["version"], "1.5");
    assert!(card.get("actions").is_none());
    let text = all_text(&card);
    for s in [
        "Already decided",
        "Denied",
        "Megan Bowen",
        "2026-11-28 09:31 UTC",
        "changed nothing",
    ] {
        assert!(text.contains(s), "lacks {s:?}: {text}");
    }
    assert!(all_text(&already_decided("X", Verb::Approve, at("2026-11-28T09:31:00Z"))).contains("Approved"));
}

#[test]
fn huge_input_is_shortened_to_fit_a_teams_message() {
    // Teams refuses messages over about 28 KB: worst cases are 4-byte characters and
    // characters JSON escapes.
    for big in ["ü", "😀", "\"", "\\"] {
        for (name, state) in states() {
            let card = render(&huge_card(big), &state, &signer());
            let size = serde_json::to_vec(&card).unwrap().len();
            assert!(size <= 24_000, "{big:?} {name}: {size} bytes");
            let text = all_text(&card);
            for s in [
                "… and 47 more answers",
                "… and 47 more devices",
                "… and 47 more entries",
                "shortened",
            ] {
                assert!(text.contains(s), "{big:?} {name}: lacks {s:?}");
            }
        }
    }
}

#[test]
fn a_moderately_long_card_is_not_shortened() {
    let mut card = sample_card();
    card.justification = Some("j".repeat(1_500));
    let text = all_text(&render(&card, &CardState::Pending, &signer()));
    assert!(
        text.contains(&format!("{}…", "j".repeat(999))),
        "cut at 1000 characters"
    );
    assert!(!text.contains("shortened"));
}

#[test]
fn a_typical_card_fits_a_teams_message() {
    let size = serde_json::to_vec(&rendered("pending")).unwrap().len();
    assert!(size < 28_000, "{size} bytes");
}

#[test]
fn the_card_record_round_trips_through_json() {
    let card = sample_card();
    let stored = serde_json::to_string(&card).unwrap();
    assert_eq!(serde_json::from_str::<ApprovalCard>(&stored).unwrap(), card);
    for (_, state) in states() {
        let stored = serde_json::to_string(&state).unwrap();
        assert_eq!(serde_json::from_str::<CardState>(&stored).unwrap(), state);
    }
}
