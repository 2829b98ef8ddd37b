//! `jitadmin package`: the deployable app, in the layout `func start` and zip deploy expect:
//!
//! ```text
//! dist/app/host.json
//! dist/app/jitadmin                 (executable)
//! dist/app/<function>/function.json (one folder per function)
//! dist/app/rules.toml               (with --rules: JITADMIN_RULES=rules.toml finds it)
//! dist/jitadmin.zip                 (the same, zipped, executable bit kept)
//! ```
//!
//! The zip gives the binary Unix mode 0755 and every other file 0644 whatever the build
//! machine, and marks every entry as made on Unix, so the binary stays executable when the
//! Linux host extracts it (a zip from Windows' own tools would lose the bit).
//!
//! With `--teams-app --bot-id ID` it builds the Teams app package instead
//! ([`teams`], in `package_teams.rs`).

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{bail, Context};
use clap::Args;

#[path = "package_teams.rs"]
pub mod teams;

/// Options of `jitadmin package`.
#[derive(Debug, Args)]
pub struct PackageArgs {
    /// The project root holding host.json and function-defs/.
    #[arg(long, default_value = ".")]
    pub root: PathBuf,
    /// Where to assemble the app.
    #[arg(long, default_value = "dist")]
    pub out: PathBuf,
    /// Use this binary instead of building one with `cargo build --release`.
    #[arg(long)]
    pub binary: Option<PathBuf>,
    /// Cargo target triple to build for (Flex Consumption: x86_64-unknown-linux-musl).
    #[arg(long)]
    pub target: Option<String>,
    /// A rules file to ship in the app as `rules.toml` (set JITADMIN_RULES=rules.toml).
    #[arg(long)]
    pub rules: Option<PathBuf>,
    /// Build the Teams app package (manifest + icons from teams-app/) instead of the app.
    #[arg(long, requires = "bot_id")]
    pub teams_app: bool,
    /// The bot's Microsoft App ID for the Teams app (azd output JITADMIN_BOT_APP_ID).
    #[arg(long, value_name = "GUID")]
    pub bot_id: Option<String>,
    /// The Teams app id (a GUID; default: the bot id).
    #[arg(long, value_name = "GUID")]
    pub app_id: Option<String>,
    /// The Teams app version (semver; default: jitadmin's version).
    #[arg(long, value_name = "SEMVER")]
    pub app_version: Option<String>,
}

/// The executable's name in the app folder (host.json `defaultExecutablePath`).
pub const EXECUTABLE: &str = "jitadmin";
/// Where `--rules` puts the rules file in the app folder.
pub const RULES_NAME: &str = "rules.toml";

/// What `package` produced.
#[derive(Debug)]
pub struct Packaged {
    /// The assembled app folder.
    pub app_dir: PathBuf,
    /// The zip of that folder.
    pub zip: PathBuf,
    /// The functions included.
    pub functions: Vec<String>,
}

/// Run the subcommand.
pub fn run(args: PackageArgs) -> anyhow::Result<()> {
    if args.teams_app {
        let app = teams::TeamsApp {
            bot_id: args.bot_id.clone().unwrap_or_default(),
            app_id: args.app_id.clone(),
            version: args.app_version.clone(),
        };
        let template = args.root.join(teams::TEMPLATE_DIR);
        let zip = teams::build(&template, &app, &args.out)?;
        println!("Teams app package: {}", zip.display());
        return Ok(());
    }
    let binary = match &args.binary {
        Some(path) => path.clone(),
        None => build_release(&args.root, args.target.as_deref())?,
    };
    let packaged = assemble(&args.root, &binary, &args.out)?;
    if let Some(rules) = &args.rules {
        fs::copy(rules, packaged.app_dir.join(RULES_NAME)).with_context(|| format!("copying {}", rules.display()))?;
        write_zip(&packaged.app_dir, &packaged.zip).with_context(|| format!("writing {}", packaged.zip.display()))?;
        println!("rules: {} (set JITADMIN_RULES={RULES_NAME})", rules.display());
    }
    println!(
        "assembled {} with functions {}",
        packaged.app_dir.display(),
        packaged.functions.join(", ")
    );
    println!("zip: {}", packaged.zip.display());
    Ok(())
}

/// The arguments of the deployed binary's build: release, without the default `dev` feature
/// (the simulated tenant and the local host stay out of what is deployed), in a target
/// directory of its own so that it does not replace the development builds' artefacts.
pub fn release_build_args(target_dir: &Path, target: Option<&str>) -> Vec<String> {
    let mut args: Vec<String> = [
        "build",
        "--release",
        "-p",
        "jitadmin",
        "--bin",
        "jitadmin",
        "--no-default-features",
    ]
    .into_iter()
    .map(String::from)
    .collect();
    args.extend(["--target-dir".to_string(), target_dir.display().to_string()]);
    if let Some(target) = target {
        args.extend(["--target".to_string(), target.to_string()]);
    }
    args
}

fn build_release(root: &Path, target: Option<&str>) -> anyhow::Result<PathBuf> {
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let target_dir = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| root.join("target"))
        .join("package");
    let mut command = Command::new(cargo);
    command.current_dir(root).args(release_build_args(&target_dir, target));
    let status = command.status().context("running cargo build --release")?;
    if !status.success() {
        bail!("cargo build --release failed ({status})");
    }
    let binary = match target {
        Some(t) => target_dir.join(t).join("release").join("jitadmin"),
        None => target_dir.join("release").join("jitadmin"),
    };
    if !binary.is_file() {
        bail!("the build finished but {} does not exist", binary.display());
    }
    Ok(binary)
}

/// Assemble `out/app` and `out/jitadmin.zip` from `root`'s host.json and function-defs/.
pub fn assemble(root: &Path, binary: &Path, out: &Path) -> anyhow::Result<Packaged> {
    let (app_dir, functions) = stage(root, binary, out)?;
    let zip = out.join("jitadmin.zip");
    write_zip(&app_dir, &zip).with_context(|| format!("writing {}", zip.display()))?;
    Ok(Packaged {
        app_dir,
        zip,
        functions,
    })
}

/// Assemble only the app folder `out/app`; returns it and the function names.
pub fn stage(root: &Path, binary: &Path, out: &Path) -> anyhow::Result<(PathBuf, Vec<String>)> {
    let host_json = root.join("host.json");
    let defs = root.join("function-defs");
    if !host_json.is_file() {
        bail!(
            "{} not found: run from the project root or pass --root",
            host_json.display()
        );
    }
    if !binary.is_file() {
        bail!("binary {} not found", binary.display());
    }
    let app_dir = out.join("app");
    if app_dir.exists() {
        fs::remove_dir_all(&app_dir).with_context(|| format!("clearing {}", app_dir.display()))?;
    }
    fs::create_dir_all(&app_dir).with_context(|| format!("creating {}", app_dir.display()))?;
    fs::copy(&host_json, app_dir.join("host.json")).context("copying host.json")?;

    let mut functions = Vec::new();
    let mut entries: Vec<_> = fs::read_dir(&defs)
        .with_context(|| format!("reading {}", defs.display()))?
        .collect::<Result<_, _>>()
        .with_context(|| format!("reading {}", defs.display()))?;
    entries.sort_by_key(|e| e.file_name());
    for entry in entries {
        let source = entry.path().join("function.json");
        if !source.is_file() {
            continue;
        }
        let name = entry.file_name().to_string_lossy().into_owned();
        let text = fs::read_to_string(&source).with_context(|| format!("reading {}", source.display()))?;
        serde_json::from_str::<serde_json::Value>(&text)
            .with_context(|| format!("{} is not valid JSON", source.display()))?;
        fs::create_dir_all(app_dir.join(&name))?;
        fs::write(app_dir.join(&name).join("function.json"), text)?;
        functions.push(name);
    }
    if functions.is_empty() {
        bail!("no function.json found under {}", defs.display());
    }

    let app_binary = app_dir.join(EXECUTABLE);
    fs::copy(binary, &app_binary).with_context(|| format!("copying {}", binary.display()))?;
    set_executable(&app_binary)?;
    Ok((app_dir, functions))
}

#[cfg(unix)]
fn set_executable(path: &Path) -> anyhow::Result<()> {
    use std::os::unix::fs::PermissionsExt;
    fs::set_permissions(path, fs::Permissions::from_mode(0o755)).context("chmod 755")
}

#[cfg(not(unix))]
fn set_executable(_: &Path) -> anyhow::Result<()> {
    Ok(())
}

fn write_zip(app_dir: &Path, zip_path: &Path) -> anyhow::Result<()> {
    let file = fs::File::create(zip_path)?;
    let mut zip = zip::ZipWriter::new(file);
    let mut files = Vec::new();
    collect_files(app_dir, &mut files)?;
    files.sort();
    for path in files {
        let relative = path.strip_prefix(app_dir)?.to_string_lossy().replace('\\', "/");
        // The mode is chosen, not copied: a build on Windows has no exec bit to copy.
        let mode = if relative == EXECUTABLE { 0o755 } else { 0o644 };
        let options = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Deflated)
            .unix_permissions(mode);
        zip.start_file(relative, options)?;
        zip.write_all(&fs::read(&path)?)?;
    }
    zip.finish()?;
    Ok(())
}

fn collect_files(dir: &Path, out: &mut Vec<PathBuf>) -> std::io::Result<()> {
    for entry in fs::read_dir(dir)? {
        let path = entry?.path();
        if path.is_dir() {
            collect_files(&path, out)?;
        } else {
            out.push(path);
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn repo_root() -> PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
    }

    fn args(binary: &Path, out: &Path, rules: Option<PathBuf>) -> PackageArgs {
        PackageArgs {
            root: repo_root(),
            out: out.to_path_buf(),
            binary: Some(binary.to_path_buf()),
            target: None,
            rules,
            teams_app: false,
            bot_id: None,
            app_id: None,
            app_version: None,
        }
    }

    fn modes(zip_path: &Path) -> Vec<(String, u32)> {
        let mut archive = zip::ZipArchive::new(fs::File::open(zip_path).unwrap()).unwrap();
        let mut modes: Vec<_> = (0..archive.len())
            .map(|i| {
                let entry = archive.by_index(i).unwrap();
                (entry.name().to_string(), entry.unix_mode().unwrap_or(0) & 0o777)
            })
            .collect();
        modes.sort();
        modes
    }

    #[test]
    fn package_ships_the_rules_file_as_rules_toml_in_the_app_and_the_zip() {
        let dir = tempfile::tempdir().unwrap();
        let binary = dir.path().join("jitadmin-build");
        fs::write(&binary, b"#!/bin/sh\n").unwrap();
        let rules = repo_root().join("rules.example.toml");
        run(args(&binary, &dir.path().join("dist"), Some(rules.clone()))).unwrap();
        let shipped = dir.path().join("dist/app").join(RULES_NAME);
        assert_eq!(fs::read(shipped).unwrap(), fs::read(rules).unwrap());
        let modes = modes(&dir.path().join("dist/jitadmin.zip"));
        assert!(modes.contains(&(RULES_NAME.to_string(), 0o644)), "{modes:?}");
    }

    #[test]
    fn package_zip_modes_are_chosen_not_copied_from_the_build_machine() {
        let dir = tempfile::tempdir().unwrap();
        let binary = dir.path().join("jitadmin-build");
        fs::write(&binary, b"#!/bin/sh\n").unwrap();
        let packaged = assemble(&repo_root(), &binary, &dir.path().join("dist")).unwrap();
        // A file that happens to be executable where it was built is not shipped as one.
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let host = packaged.app_dir.join("host.json");
            fs::set_permissions(&host, fs::Permissions::from_mode(0o755)).unwrap();
            write_zip(&packaged.app_dir, &packaged.zip).unwrap();
        }
        for (name, mode) in modes(&packaged.zip) {
            let expected = if name == EXECUTABLE { 0o755 } else { 0o644 };
            assert_eq!(mode, expected, "{name}");
        }
    }
}
