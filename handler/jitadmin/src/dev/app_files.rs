//! The Functions app files (host.json, one function.json per function), embedded so
//! `jitadmin dev` works from any directory, and written under the state directory.

use std::fs;
use std::path::{Path, PathBuf};

use anyhow::Context;

const HOST_JSON: &str = include_str!("../../../../host.json");
const FUNCTIONS: [(&str, &str); 5] = [
    (
        "callout",
        include_str!("../../../../function-defs/callout/function.json"),
    ),
    (
        "notifications",
        include_str!("../../../../function-defs/notifications/function.json"),
    ),
    ("teams", include_str!("../../../../function-defs/teams/function.json")),
    (
        "process",
        include_str!("../../../../function-defs/process/function.json"),
    ),
    (
        "maintain",
        include_str!("../../../../function-defs/maintain/function.json"),
    ),
];

/// Write the app into `dir` (the packaged layout) and return it.
pub fn write(dir: &Path) -> anyhow::Result<PathBuf> {
    fs::create_dir_all(dir)?;
    fs::write(dir.join("host.json"), HOST_JSON)?;
    for (name, text) in FUNCTIONS {
        fs::create_dir_all(dir.join(name))?;
        fs::write(dir.join(name).join("function.json"), text)?;
    }
    Ok(dir.to_path_buf())
}

/// The function key of this state directory: made once, then kept in `function-key`.
pub fn function_key(state_dir: &Path) -> anyhow::Result<String> {
    let path = state_dir.join("function-key");
    if let Ok(existing) = fs::read_to_string(&path) {
        let key = existing.trim().to_owned();
        if !key.is_empty() {
            return Ok(key);
        }
    }
    let key = format!("dev-{}", uuid::Uuid::new_v4().simple());
    fs::write(&path, &key).with_context(|| format!("writing {}", path.display()))?;
    Ok(key)
}
