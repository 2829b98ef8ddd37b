//! Every card state is a fixture in `testdata/cards/<state>.json`, rendered from the sample
//! card and key in `support`, and so is the card a second approver gets
//! (`already-decided.json`). Each fixture must equal what `render` produces now and validate
//! against the official Adaptive Card 1.5 schema once the Teams-only `msteams` property is
//! taken off (and only that one). To rewrite the fixtures after an intended change:
//! `UPDATE_FIXTURES=1 cargo test -p jitadmin-teams --test card_fixtures matches_its_fixture`,
//! then review the diff.

use crate::support;

use crate::support::{
    fixture, fixture_dir, fixture_names, fixture_path, huge_card, rendered, schema_path, signer, states,
    strip_teams_only, UPDATE_ENV,
};
use jitadmin_teams::card::render;
use serde_json::Value;

fn check_against_fixture(name: &str) {
    let card = rendered(name);
    if std::env::var(UPDATE_ENV).is_ok_and(|v| v == "1") {
        let path = fixture_path(name);
        let text = serde_json::to_string_pretty(&card).expect("a card serialises") + "\n";
        std::fs::create_dir_all(fixture_dir()).expect("creating testdata/cards");
        std::fs::write(&path, text).unwrap_or_else(|e| panic!("writing {}: {e}", path.display()));
    }
    assert_eq!(
        card,
        fixture(name),
        "render() no longer matches {}; if the change is intended, rerun with {UPDATE_ENV}=1 and review the diff",
        fixture_path(name).display()
    );
}

fn validator() -> jsonschema::Validator {
    let path = schema_path("adaptive-card.schema.json");
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("reading {}: {e}", path.display()));
    let schema: Value = serde_json::from_str(&text).unwrap_or_else(|e| panic!("{} is not JSON: {e}", path.display()));
    assert_eq!(schema["$schema"], "http://json-schema.org/draft-06/schema#");
    jsonschema::draft6::new(&schema).expect("the Adaptive Card schema compiles")
}

fn schema_errors(card: &Value) -> Vec<String> {
    validator()
        .iter_errors(card)
        .map(|e| format!("{e} at {}", e.instance_path()))
        .collect()
}

fn check_against_schema(name: &str) {
    let mut card = fixture(name);
    let stripped = strip_teams_only(&mut card);
    assert_eq!(
        stripped,
        ["/msteams"],
        "{name}: only the card's msteams property is Teams-only"
    );
    assert_eq!(card["version"], "1.5");
    assert_eq!(
        schema_errors(&card),
        Vec::<String>::new(),
        "{name} against the Adaptive Card 1.5 schema"
    );
}

macro_rules! fixture_tests {
    ($($name:ident => $state:literal),* $(,)?) => {
        mod matches_its_fixture {
            $(#[test] fn $name() { super::check_against_fixture($state); })*
        }
        mod validates_against_the_adaptive_card_schema {
            $(#[test] fn $name() { super::check_against_schema($state); })*
        }
    };
}

fixture_tests! {
    pending => "pending",
    applying => "applying",
    approved => "approved",
    denied => "denied",
    expired => "expired",
    error => "error",
    already_decided => "already-decided",
}

#[test]
fn every_card_has_a_fixture_and_no_fixture_is_stale() {
    let mut on_disk: Vec<String> = std::fs::read_dir(fixture_dir())
        .expect("testdata/cards exists")
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    on_disk.sort();
    let mut expected: Vec<String> = fixture_names().iter().map(|n| format!("{n}.json")).collect();
    expected.sort();
    assert_eq!(on_disk, expected);
}

#[test]
fn the_schema_check_catches_a_teams_only_property_and_a_misspelt_one() {
    let card = fixture("pending");
    assert!(
        !schema_errors(&card).is_empty(),
        "msteams must fail the strict schema unstripped"
    );
    let mut card = card;
    strip_teams_only(&mut card);
    card["actions"][0]["associatedInput"] = "none".into();
    assert!(!schema_errors(&card).is_empty(), "a misspelt action property must fail");
}

#[test]
fn the_schema_copy_in_the_repository_is_the_shared_one() {
    let copy = support::repo_root()
        .join("tests")
        .join("schemas")
        .join("adaptive-card.schema.json");
    let copy = std::fs::read(&copy).unwrap_or_else(|e| panic!("reading {}: {e}", copy.display()));
    let shared = schema_path("adaptive-card.schema.json");
    let shared = std::fs::read(&shared).unwrap_or_else(|e| panic!("reading {}: {e}", shared.display()));
    assert_eq!(
        copy, shared,
        "tests/schemas/adaptive-card.schema.json must be a byte-for-byte copy"
    );
}

#[test]
fn a_shortened_card_still_validates() {
    for (name, state) in states() {
        let mut card = render(&huge_card("x"), &state, &signer());
        assert_eq!(strip_teams_only(&mut card), ["/msteams"]);
        assert_eq!(schema_errors(&card), Vec::<String>::new(), "shortened {name} card");
    }
}
