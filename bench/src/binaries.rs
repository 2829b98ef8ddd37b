//! Finding the executables the bench starts: they are built next to it (`target/<profile>/`).
//! When the bench runs from a Cargo target directory (`cargo run -p bench` builds only the
//! bench itself), it first brings each one up to date with `cargo build` and the same profile
//! (a no-op when fresh), so a handler left from an older checkout is never measured.

use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{bail, Context};

/// The handler under test.
pub const JITADMIN: &str = "jitadmin";
/// The baseline handler of this crate.
pub const BASELINE: &str = "bench-baseline-handler";

/// The workspace the bench was built from.
const WORKSPACE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/..");

/// The executable `name` in the bench's own directory (or its parent, when the bench runs
/// from `target/<profile>/deps/` as a test), brought up to date with Cargo first; or, as it
/// is, in `$BENCH_BIN_DIR` when set.
pub fn sibling(name: &str) -> anyhow::Result<PathBuf> {
    let file = format!("{name}{}", std::env::consts::EXE_SUFFIX);
    let dirs = search_dirs()?;
    if std::env::var_os("BENCH_BIN_DIR").is_none() {
        if let Some(profile_dir) = dirs.iter().find(|d| is_profile_dir(d)) {
            build(name, profile_dir)?;
        }
    }
    if let Some(found) = find(&dirs, &file) {
        return Ok(found);
    }
    let release = if cfg!(debug_assertions) { "" } else { " --release" };
    bail!(
        "{file} is missing from {}: build it with `cargo build{release} -p bench -p jitadmin`, \
         or set BENCH_BIN_DIR to the directory holding it",
        list(&dirs)
    )
}

fn search_dirs() -> anyhow::Result<Vec<PathBuf>> {
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
    Ok(dirs)
}

fn find(dirs: &[PathBuf], file: &str) -> Option<PathBuf> {
    dirs.iter().map(|d| d.join(file)).find(|c| c.is_file())
}

/// `target/<profile>/`: a directory whose parent holds Cargo's `CACHEDIR.TAG`.
fn is_profile_dir(dir: &Path) -> bool {
    dir.parent().is_some_and(|t| t.join("CACHEDIR.TAG").is_file())
}

/// `cargo build` of the one binary `name`, into the target directory `profile_dir` is in,
/// with the bench's own profile.
fn build(name: &str, profile_dir: &Path) -> anyhow::Result<()> {
    let target_dir = profile_dir.parent().context("the target directory")?;
    let package = if name == JITADMIN { "jitadmin" } else { "bench" };
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let mut command = Command::new(&cargo);
    command
        .current_dir(WORKSPACE)
        .args(["build", "--quiet", "-p", package, "--bin", name, "--target-dir"])
        .arg(target_dir);
    if !cfg!(debug_assertions) {
        command.arg("--release");
    }
    eprintln!("bench: bringing {name} up to date (cargo build -p {package} --bin {name})...");
    let status = command
        .status()
        .with_context(|| format!("running {} to build {name}", Path::new(&cargo).display()))?;
    if !status.success() {
        bail!("cargo build of {name} failed ({status})");
    }
    Ok(())
}

fn list(dirs: &[PathBuf]) -> String {
    dirs.iter()
        .map(|d| Path::display(d).to_string())
        .collect::<Vec<_>>()
        .join(" and ")
}
