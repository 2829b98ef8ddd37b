//! Shared by the card tests: the fixed card and key the fixtures are rendered from, the
//! fixture files, the Adaptive Card schema, and the external tools (`tools.rs`).
#![allow(dead_code)]

pub mod tools;

use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};
use jitadmin_teams::card::{
    already_decided, render, Answer, ApprovalCard, CardSigner, CardState, DeviceLine, HistoryLine, RequestedBy,
    Requestor, Verb,
};
use serde_json::Value;

/// The fixtures' signing key (not a secret).
pub const KEY: &[u8] = b"jitadmin-card-fixture-key-not-a-secret";

/// Set to `1` to rewrite the fixtures from `render`.
pub const UPDATE_ENV: &str = "UPDATE_FIXTURES";

/// A UTC time from RFC 3339 (tests only).
pub fn at(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s)
        .unwrap_or_else(|e| panic!("{s}: {e}"))
        .to_utc()
}

/// The signer the fixtures are rendered with.
pub fn signer() -> CardSigner {
    CardSigner::new(KEY)
}

/// The card every fixture shows. Its justification and an answer carry Markdown and a date
/// macro to show they stay inert.
pub fn sample_card() -> ApprovalCard {
    ApprovalCard {
        stage_instance_id: "5c7b1a2e-0d4f-4e8a-9b61-2f3c4d5e6f70".into(),
        request_id: "a1b2c3d4-e5f6-4789-8abc-def012345678".into(),
        expires_at: at("2026-11-28T12:00:00Z"),
        requestor: Requestor {
            display_name: "Alex Wilber".into(),
            upn: "AlexW@contoso.example".into(),
            department: Some("Engineering".into()),
            manager: Some("Megan Bowen".into()),
        },
        requested_by: None,
        access_package: "Local admin – engineering laptops".into(),
        duration: Some("8 hours".into()),
        justification: Some(
            "Install the **VPN** driver for the lab (see [INC-1234](https://evil.example/x)) {{DATE(2026-01-01T00:00:00Z)}}"
                .into(),
        ),
        answers: vec![
            Answer {
                question: "Which device needs admin rights?".into(),
                answer: "PC-0042".into(),
            },
            Answer {
                question: "Ticket number".into(),
                answer: "- INC-1234\n- _urgent_".into(),
            },
        ],
        devices: vec![
            DeviceLine {
                name: "PC-0042".into(),
                os: Some("Windows 11 24H2".into()),
                compliance: "compliant".into(),
                last_sync: Some(at("2026-11-28T08:55:00Z")),
            },
            DeviceLine {
                name: "PC-0077".into(),
                os: Some("Windows 10 22H2".into()),
                compliance: "noncompliant".into(),
                last_sync: Some(at("2026-11-20T17:02:00Z")),
            },
            DeviceLine {
                name: "LAB-3".into(),
                os: None,
                compliance: "unknown".into(),
                last_sync: None,
            },
        ],
        history: vec![
            HistoryLine {
                at: at("2026-11-21T09:14:00Z"),
                text: "Elevated for 4 hours (approved by Megan Bowen)".into(),
            },
            HistoryLine {
                at: at("2026-11-02T15:40:00Z"),
                text: "Denied automatically: device noncompliant".into(),
            },
        ],
        explanation: "Routed because the requestor has a noncompliant device (rule `noncompliant-device-needs-human`)"
            .into(),
    }
}

/// Every state with its fixture name, in a fixed order.
pub fn states() -> Vec<(&'static str, CardState)> {
    vec![
        ("pending", CardState::Pending),
        (
            "applying",
            CardState::Applying {
                by: "Megan Bowen".into(),
                verb: Verb::Approve,
                at: at("2026-11-28T09:31:00Z"),
            },
        ),
        (
            "approved",
            CardState::Approved {
                by: "Megan Bowen".into(),
                at: at("2026-11-28T09:31:00Z"),
                reason: Some("Known lab work, ticket checked".into()),
            },
        ),
        (
            "denied",
            CardState::Denied {
                by: "Megan Bowen".into(),
                at: at("2026-11-28T09:31:00Z"),
                reason: "Use the packaged VPN installer from Company Portal".into(),
            },
        ),
        (
            "expired",
            CardState::Expired {
                at: at("2026-11-28T12:00:00Z"),
                why: String::new(),
            },
        ),
        (
            "error",
            CardState::Error {
                message: "Entra ID refused to resume the request (stage already completed)".into(),
            },
        ),
    ]
}

/// The state named `name`.
pub fn state(name: &str) -> CardState {
    states()
        .into_iter()
        .find(|(n, _)| *n == name)
        .map(|(_, s)| s)
        .unwrap_or_else(|| panic!("no state {name}"))
}

/// The card a second approver gets (`already_decided`), a fixture besides the states.
pub const ALREADY_DECIDED: &str = "already-decided";

/// Every fixture's name: the states, then [`ALREADY_DECIDED`].
pub fn fixture_names() -> Vec<&'static str> {
    let mut names: Vec<_> = states().into_iter().map(|(n, _)| n).collect();
    names.push(ALREADY_DECIDED);
    names
}

/// The card of the fixture named `name`: `render` of the sample card in that state, or
/// `already_decided` for [`ALREADY_DECIDED`].
pub fn rendered(name: &str) -> Value {
    if name == ALREADY_DECIDED {
        return already_decided("Megan Bowen", Verb::Approve, at("2026-11-28T09:31:00Z"));
    }
    render(&sample_card(), &state(name), &signer())
}

/// A card whose every text is `unit` repeated 10,000 times, with 50 answers, devices and
/// history lines: far over a Teams message unless shortened.
pub fn huge_card(unit: &str) -> ApprovalCard {
    let big = unit.repeat(10_000);
    let mut card = sample_card();
    card.requestor.display_name = big.clone();
    card.requested_by = Some(RequestedBy {
        display_name: big.clone(),
        upn: big.clone(),
    });
    card.justification = Some(big.clone());
    card.explanation = big.clone();
    card.answers = (0..50)
        .map(|i| Answer {
            question: format!("Q{i} {big}"),
            answer: big.clone(),
        })
        .collect();
    card.devices = (0..50)
        .map(|i| DeviceLine {
            name: format!("PC-{i} {big}"),
            os: Some(big.clone()),
            compliance: big.clone(),
            last_sync: None,
        })
        .collect();
    card.history = (0..50)
        .map(|i| HistoryLine {
            at: card.expires_at - chrono::Duration::days(i),
            text: big.clone(),
        })
        .collect();
    card
}

/// `handler/teams/testdata/cards`.
pub fn fixture_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata").join("cards")
}

/// The fixture of the state named `name`.
pub fn fixture_path(name: &str) -> PathBuf {
    fixture_dir().join(format!("{name}.json"))
}

/// Reads a fixture.
pub fn fixture(name: &str) -> Value {
    let path = fixture_path(name);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| {
        panic!(
            "reading {}: {e} (run the tests with {UPDATE_ENV}=1 to write the fixtures)",
            path.display()
        )
    });
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{} is not JSON: {e}", path.display()))
}

/// The repository root.
pub fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..").join("..")
}

/// An official schema: `../shared/schemas/<name>` beside the checkout, else the copy in
/// `tests/schemas/` (same pattern as the workspace tests' `schema_path`).
pub fn schema_path(name: &str) -> PathBuf {
    let shared = repo_root().join("..").join("shared").join("schemas").join(name);
    if shared.is_file() {
        return shared;
    }
    repo_root().join("tests").join("schemas").join(name)
}

/// Teams-only card properties, which the strict Adaptive Card schema rejects.
pub const TEAMS_ONLY: &[&str] = &["msteams"];

/// Removes the Teams-only properties everywhere in `card`; returns the JSON pointers removed.
pub fn strip_teams_only(card: &mut Value) -> Vec<String> {
    let mut removed = Vec::new();
    strip_at(card, String::new(), &mut removed);
    removed
}

fn strip_at(v: &mut Value, at: String, removed: &mut Vec<String>) {
    match v {
        Value::Object(map) => {
            for key in TEAMS_ONLY {
                if map.remove(*key).is_some() {
                    removed.push(format!("{at}/{key}"));
                }
            }
            for (k, child) in map.iter_mut() {
                strip_at(child, format!("{at}/{k}"), removed);
            }
        }
        Value::Array(items) => {
            for (i, child) in items.iter_mut().enumerate() {
                strip_at(child, format!("{at}/{i}"), removed);
            }
        }
        _ => {}
    }
}
