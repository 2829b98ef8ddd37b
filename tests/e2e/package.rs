//! What `jitadmin package` builds: the Teams app package (a manifest valid against the
//! official v1.30 schema, two icons of the right sizes), and the deployed binary, built
//! without the simulated tenant and the local host.

use std::path::Path;

use jitadmin_tests::{read_json, repo_root, schema_path};
use serde_json::Value;

/// Width, height and colour type from a PNG's IHDR (read here, independently of the app).
fn ihdr(bytes: &[u8]) -> (u32, u32, u8) {
    assert_eq!(&bytes[..8], b"\x89PNG\r\n\x1a\n", "not a PNG");
    assert_eq!(&bytes[12..16], b"IHDR", "IHDR is not the first chunk");
    let be = |at: usize| u32::from_be_bytes([bytes[at], bytes[at + 1], bytes[at + 2], bytes[at + 3]]);
    (be(16), be(20), bytes[25])
}

fn zip_entry(archive: &mut zip::ZipArchive<std::fs::File>, name: &str) -> Vec<u8> {
    use std::io::Read;
    let mut entry = archive
        .by_name(name)
        .unwrap_or_else(|_| panic!("{name} not in the zip"));
    let mut bytes = Vec::new();
    entry.read_to_end(&mut bytes).unwrap();
    bytes
}

#[test]
fn teams_app_package_holds_a_valid_manifest_and_icons_of_the_right_sizes() {
    let out = tempfile::tempdir().unwrap();
    let bot_id = "6f1c2d3e-4b5a-4c6d-8e7f-9a0b1c2d3e4f";
    let args = ["jitadmin", "package", "--teams-app", "--bot-id", bot_id, "--out"];
    let cli = <jitadmin::cli::Cli as clap::Parser>::try_parse_from(
        args.iter()
            .copied()
            .chain([out.path().to_str().unwrap(), "--root"])
            .chain([repo_root().to_str().unwrap()]),
    )
    .unwrap();
    let jitadmin::cli::Command::Package(package) = cli.command else {
        panic!("not the package command");
    };
    jitadmin::cli::package::run(package).unwrap();
    let zip_path = out.path().join(jitadmin::cli::package::teams::ZIP_NAME);
    let mut archive = zip::ZipArchive::new(std::fs::File::open(&zip_path).unwrap()).unwrap();
    let mut names: Vec<String> = archive.file_names().map(str::to_owned).collect();
    names.sort();
    assert_eq!(
        names,
        ["color.png", "manifest.json", "outline.png"],
        "all at the top level"
    );

    let manifest: Value = serde_json::from_slice(&zip_entry(&mut archive, "manifest.json")).unwrap();
    let schema = read_json(&schema_path("teams-manifest.schema.json"));
    let validator = jsonschema::draft7::new(&schema).expect("the Teams schema compiles");
    let errors: Vec<String> = validator
        .iter_errors(&manifest)
        .map(|e| format!("{e} at {}", e.instance_path()))
        .collect();
    assert_eq!(errors, Vec::<String>::new());
    assert_eq!(manifest["manifestVersion"], "1.30");
    assert_eq!(manifest["bots"][0]["botId"], bot_id);
    assert_eq!(manifest["bots"][0]["scopes"], serde_json::json!(["team", "personal"]));

    let color = manifest["icons"]["color"].as_str().unwrap();
    let outline = manifest["icons"]["outline"].as_str().unwrap();
    assert_eq!(ihdr(&zip_entry(&mut archive, color)), (192, 192, 6));
    // Colour type 6 = RGBA: the outline icon can be transparent.
    assert_eq!(ihdr(&zip_entry(&mut archive, outline)), (32, 32, 6));
}

#[test]
fn the_teams_schema_rejects_a_manifest_without_a_bot_id() {
    let schema = read_json(&schema_path("teams-manifest.schema.json"));
    let validator = jsonschema::draft7::new(&schema).unwrap();
    let template = std::fs::read_to_string(repo_root().join("teams-app/manifest.json")).unwrap();
    let filled = jitadmin::cli::package::teams::fill(&template, "not-a-guid", "also-not", "1.0.0");
    let manifest: Value = serde_json::from_str(&filled).unwrap();
    assert!(
        validator.iter_errors(&manifest).count() >= 2,
        "botId and id must be GUIDs"
    );
    assert!(Path::new(&schema_path("teams-manifest.schema.json")).is_file());
}

#[test]
fn the_deployed_binary_is_built_without_the_simulated_tenant_or_the_local_host() {
    let args = jitadmin::cli::package::release_build_args(std::path::Path::new("target/package"), None);
    assert!(args.iter().any(|a| a == "--no-default-features"), "{args:?}");
    assert!(args.iter().any(|a| a == "--release"), "{args:?}");
    let yaml = std::fs::read_to_string(repo_root().join("azure.yaml")).unwrap();
    for build in yaml.lines().filter(|l| l.contains("cargo zigbuild")) {
        assert!(
            build.contains("--no-default-features"),
            "azure.yaml builds with dev: {build}"
        );
    }
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let tree = std::process::Command::new(cargo)
        .current_dir(repo_root())
        .args([
            "tree",
            "--offline",
            "-p",
            "jitadmin",
            "--no-default-features",
            "-e",
            "normal",
            "--prefix",
            "none",
        ])
        .output()
        .expect("cargo tree runs");
    let text = String::from_utf8_lossy(&tree.stdout);
    assert!(tree.status.success(), "{}", String::from_utf8_lossy(&tree.stderr));
    assert!(
        text.contains("jitadmin-store"),
        "the tree lists the app's crates: {text}"
    );
    for absent in ["tenant-sim", "azfn-local"] {
        assert!(
            !text.lines().any(|l| l.starts_with(absent)),
            "{absent} is in the deployed build:\n{text}"
        );
    }
    let with_dev = std::process::Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()))
        .current_dir(repo_root())
        .args([
            "tree",
            "--offline",
            "-p",
            "jitadmin",
            "-e",
            "normal",
            "--prefix",
            "none",
        ])
        .output()
        .expect("cargo tree runs");
    assert!(
        String::from_utf8_lossy(&with_dev.stdout)
            .lines()
            .any(|l| l.starts_with("tenant-sim")),
        "the default build has the dev environment"
    );
}
