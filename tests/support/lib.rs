//! Shared helpers of the end-to-end tests.

mod env;

use std::path::PathBuf;

pub use env::{jitadmin_binary, TestEnv};

/// The repository root (the parent of `tests/`).
pub fn repo_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .map(PathBuf::from)
        .unwrap_or_default()
}

/// `../shared` beside the repository, where the official schemas live; CI lays it there.
/// Falls back to the copies under `tests/schemas/` when the checkout stands alone.
pub fn schema_path(name: &str) -> PathBuf {
    let shared = repo_root().join("..").join("shared").join("schemas").join(name);
    if shared.is_file() {
        return shared;
    }
    repo_root().join("tests").join("schemas").join(name)
}

/// Read a JSON file, panicking with the path on failure (tests only).
pub fn read_json(path: &std::path::Path) -> serde_json::Value {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("reading {}: {e}", path.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{} is not JSON: {e}", path.display()))
}
