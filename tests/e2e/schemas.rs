//! host.json and every function.json against the official SchemaStore schemas.
//! function.json is validated with draft-07 semantics: the schema declares draft-04
//! but uses `const`, which a strict draft-04 validator mis-reads (schemas README).

use jitadmin_tests::{read_json, repo_root, schema_path};

fn errors(validator: &jsonschema::Validator, instance: &serde_json::Value) -> Vec<String> {
    validator
        .iter_errors(instance)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect()
}

#[test]
fn host_json_validates_against_the_official_schema() {
    let schema = read_json(&schema_path("host.schema.json"));
    let validator = jsonschema::draft7::new(&schema).expect("host schema compiles");
    let host = read_json(&repo_root().join("host.json"));
    assert_eq!(errors(&validator, &host), Vec::<String>::new());
    assert_eq!(
        host["customHandler"]["description"]["defaultExecutablePath"],
        "jitadmin"
    );
    assert_eq!(host["customHandler"]["description"]["arguments"][0], "serve");
}

#[test]
fn host_schema_rejects_a_misspelt_custom_handler_key() {
    let schema = read_json(&schema_path("host.schema.json"));
    let validator = jsonschema::draft7::new(&schema).expect("host schema compiles");
    let mut host = read_json(&repo_root().join("host.json"));
    host["customHandler"]["enableForwardingHttpRequests"] = serde_json::json!(true);
    assert!(!errors(&validator, &host).is_empty(), "the validator must catch a typo");
}

#[test]
fn every_function_json_validates_with_draft7_semantics() {
    let schema = read_json(&schema_path("function.schema.json"));
    let validator = jsonschema::draft7::new(&schema).expect("function schema compiles");
    let defs = repo_root().join("function-defs");
    let mut seen = Vec::new();
    for name in ["callout", "notifications", "teams", "process", "maintain"] {
        let path = defs.join(name).join("function.json");
        let function = read_json(&path);
        assert_eq!(
            errors(&validator, &function),
            Vec::<String>::new(),
            "{}",
            path.display()
        );
        seen.push(name);
    }
    let on_disk = std::fs::read_dir(&defs).unwrap().count();
    assert_eq!(on_disk, seen.len(), "a function folder without a schema check");
}

#[test]
fn function_bindings_match_the_design() {
    let defs = repo_root().join("function-defs");
    let binding = |f: &str, i: usize| read_json(&defs.join(f).join("function.json"))["bindings"][i].clone();
    for f in ["callout", "notifications", "teams"] {
        assert_eq!(binding(f, 0)["type"], "httpTrigger", "{f}");
        assert_eq!(binding(f, 0)["name"], "req", "{f}");
        assert_eq!(binding(f, 1)["type"], "http", "{f}");
        assert_eq!(binding(f, 2)["type"], "serviceBus", "{f}");
        assert_eq!(binding(f, 2)["queueName"], "events", "{f}");
    }
    assert_eq!(binding("callout", 0)["authLevel"], "function");
    assert_eq!(binding("teams", 0)["route"], "teams/messages");
    assert_eq!(binding("process", 0)["type"], "serviceBusTrigger");
    assert_eq!(binding("process", 0)["isSessionsEnabled"], true);
    assert_eq!(binding("maintain", 0)["type"], "timerTrigger");
}
