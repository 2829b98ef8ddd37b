//! Finding the executables the bench starts: they are built next to it
//! (`target/<profile>/`), by `cargo build --release -p bench -p jitadmin`.

use std::path::{Path, PathBuf};

use anyhow::{bail, Context};

/// The handler under test.
pub const JITADMIN: &str = "jitadmin";
/// The baseline handler of this crate.
pub const BASELINE: &str = "bench-baseline-handler";

/// The executable `name` in the bench's own directory (or its parent, when the bench runs
/// from `target/<profile>/deps/` as a test), or in `$BENCH_BIN_DIR` when set.
pub fn sibling(name: &str) -> anyhow::Result<PathBuf> {
    let file = format!("{name}{}", std::env::consts::EXE_SUFFIX);
    let mut dirs: Vec<PathBuf> = Vec::new();
    if let Some(dir) = std::env::var_os("BENCH_BIN_DIR") {
        dirs.push(PathBuf::from(dir));
    }
    let exe = std::env::current_exe().context("finding the bench executable")?;
    if let Some(dir) = exe.parent() {
        dirs.push(dir.to_path_buf());
        if dir.file_name().is_some_and(|n| n == "deps") {
            if let Some(parent) = dir.parent() {
                dirs.push(parent.to_path_buf());
            }
        }
    }
    for dir in &dirs {
        let candidate = dir.join(&file);
        if candidate.is_file() {
            return Ok(candidate);
        }
    }
    let release = if cfg!(debug_assertions) { "" } else { " --release" };
    bail!(
        "{file} is missing from {}: build it first with `cargo build{release} -p bench -p jitadmin` \
         (`cargo run -p bench` builds only the bench itself), or set BENCH_BIN_DIR to the directory holding it",
        list(&dirs)
    )
}

fn list(dirs: &[PathBuf]) -> String {
    dirs.iter()
        .map(|d| Path::display(d).to_string())
        .collect::<Vec<_>>()
        .join(" and ")
}
