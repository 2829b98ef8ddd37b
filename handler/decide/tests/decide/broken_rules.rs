//! Every broken rules file in `testdata/broken/` gives exactly the messages in its
//! `.expected` file, one `FILE:LINE:COL: message` per line.
//!
//! To (re)write the expected files after a deliberate change, run with
//! `BLESS=1` and review the diff.

use jitadmin_decide::check_str;
use std::path::Path;

fn messages(name: &str) -> String {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata/broken");
    let text = std::fs::read_to_string(dir.join(name)).expect("broken file");
    match check_str(&format!("testdata/broken/{name}"), &text) {
        Ok(summary) => panic!("{name} should not pass the checker: {summary}"),
        Err(diags) => diags.iter().map(|d| format!("{d}\n")).collect(),
    }
}

#[test]
fn every_broken_file_gives_its_exact_messages() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata/broken");
    let mut files: Vec<String> = std::fs::read_dir(&dir)
        .expect("testdata/broken")
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".toml"))
        .collect();
    files.sort();
    assert!(files.len() >= 10, "at least 10 broken files, found {}", files.len());
    let bless = std::env::var_os("BLESS").is_some();
    let mut failures = Vec::new();
    for name in &files {
        let got = messages(name);
        let expected_path = dir.join(name.replace(".toml", ".expected"));
        if bless {
            std::fs::write(&expected_path, &got).expect("write expected");
            continue;
        }
        let expected = std::fs::read_to_string(&expected_path).unwrap_or_default();
        if got != expected {
            failures.push(format!("{name}:\n  expected:\n{expected}  got:\n{got}"));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn an_unknown_field_points_at_the_field_and_suggests_the_right_one() {
    assert_eq!(
        messages("unknown-field.toml"),
        "testdata/broken/unknown-field.toml:5:19: unknown field `departmnt` of `requestor`; did you mean `department`?\n"
    );
}
