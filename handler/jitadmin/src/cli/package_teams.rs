//! `jitadmin package --teams-app --bot-id ID`: the Teams app package that installs the
//! approvals bot, from the template in `teams-app/`:
//!
//! ```text
//! dist/jitadmin-teams.zip
//!   manifest.json   (teams-app/manifest.json with {{BOT_ID}}, {{APP_ID}}, {{VERSION}} filled)
//!   color.png       (192×192, full colour)
//!   outline.png     (32×32, white on transparent)
//! ```
//!
//! The bot id is the Azure Bot's app id: with the bot of `infra/` (a user-assigned managed
//! identity bot) it is that identity's client id, which `azd` writes to the environment as
//! `JITADMIN_BOT_APP_ID`. Upload the zip in the Teams admin center (or Teams, "Upload a
//! custom app") and add the app to the approvers' team.

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::{bail, Context};

/// The Teams app's template folder, relative to the project root.
pub const TEMPLATE_DIR: &str = "teams-app";
/// The zip's file name inside the output folder.
pub const ZIP_NAME: &str = "jitadmin-teams.zip";
/// The icons the manifest names, with their required sizes (width, height).
pub const ICONS: [(&str, u32, u32); 2] = [("color.png", 192, 192), ("outline.png", 32, 32)];

/// What goes into the manifest.
#[derive(Debug, Clone)]
pub struct TeamsApp {
    /// The bot's Microsoft App ID (a GUID).
    pub bot_id: String,
    /// The Teams app id (a GUID); the bot id when not given.
    pub app_id: Option<String>,
    /// The app version (semver); the crate's version when not given.
    pub version: Option<String>,
}

/// Fill the manifest template in `template_dir` and zip it with its icons into
/// `out/jitadmin-teams.zip`; returns the zip's path.
pub fn build(template_dir: &Path, app: &TeamsApp, out: &Path) -> anyhow::Result<PathBuf> {
    let bot_id = guid("--bot-id", &app.bot_id)?;
    let app_id = match &app.app_id {
        Some(id) => guid("--app-id", id)?,
        None => bot_id.clone(),
    };
    let version = app
        .version
        .clone()
        .unwrap_or_else(|| env!("CARGO_PKG_VERSION").to_string());
    let template_path = template_dir.join("manifest.json");
    let template = fs::read_to_string(&template_path).with_context(|| {
        format!(
            "reading {} (run from the project root or pass --root)",
            template_path.display()
        )
    })?;
    let manifest = fill(&template, &bot_id, &app_id, &version);
    let parsed: serde_json::Value = serde_json::from_str(&manifest)
        .with_context(|| format!("{} is not valid JSON once filled", template_path.display()))?;

    let mut files = vec![("manifest.json".to_string(), manifest.into_bytes())];
    for (name, width, height) in ICONS {
        let named = parsed["icons"]
            .as_object()
            .is_some_and(|icons| icons.values().any(|v| v == name));
        if !named {
            bail!("{} does not name the icon {name}", template_path.display());
        }
        let path = template_dir.join(name);
        let bytes = fs::read(&path).with_context(|| format!("reading {}", path.display()))?;
        match png_size(&bytes) {
            Some((w, h)) if (w, h) == (width, height) => {}
            Some((w, h)) => bail!("{} is {w}×{h}; Teams needs {width}×{height}", path.display()),
            None => bail!("{} is not a PNG file", path.display()),
        }
        files.push((name.to_string(), bytes));
    }

    fs::create_dir_all(out).with_context(|| format!("creating {}", out.display()))?;
    let zip_path = out.join(ZIP_NAME);
    write_zip(&zip_path, &files).with_context(|| format!("writing {}", zip_path.display()))?;
    Ok(zip_path)
}

/// The template with its placeholders replaced.
pub fn fill(template: &str, bot_id: &str, app_id: &str, version: &str) -> String {
    template
        .replace("{{BOT_ID}}", bot_id)
        .replace("{{APP_ID}}", app_id)
        .replace("{{VERSION}}", version)
}

/// Width and height from a PNG's IHDR chunk, if `bytes` starts like a PNG file.
pub fn png_size(bytes: &[u8]) -> Option<(u32, u32)> {
    const SIGNATURE: &[u8] = b"\x89PNG\r\n\x1a\n";
    if bytes.len() < 24 || !bytes.starts_with(SIGNATURE) || &bytes[12..16] != b"IHDR" {
        return None;
    }
    let width = u32::from_be_bytes(bytes[16..20].try_into().ok()?);
    let height = u32::from_be_bytes(bytes[20..24].try_into().ok()?);
    Some((width, height))
}

fn guid(flag: &str, value: &str) -> anyhow::Result<String> {
    match uuid::Uuid::parse_str(value.trim()) {
        Ok(id) if value.trim().len() == 36 => Ok(id.hyphenated().to_string()),
        _ => bail!("{flag} {value:?} is not a GUID (the bot's Microsoft App ID, e.g. azd's JITADMIN_BOT_APP_ID)"),
    }
}

fn write_zip(path: &Path, files: &[(String, Vec<u8>)]) -> anyhow::Result<()> {
    let mut zip = zip::ZipWriter::new(fs::File::create(path)?);
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated)
        .unix_permissions(0o644);
    for (name, bytes) in files {
        zip.start_file(name.as_str(), options)?;
        zip.write_all(bytes)?;
    }
    zip.finish()?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    const BOT: &str = "0d5e4a56-3f0b-4a8e-9a43-2f1b6c7d8e9f";

    fn template_dir() -> PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../..").join(TEMPLATE_DIR)
    }

    fn entries(zip_path: &Path) -> Vec<String> {
        let mut archive = zip::ZipArchive::new(fs::File::open(zip_path).unwrap()).unwrap();
        (0..archive.len())
            .map(|i| archive.by_index(i).unwrap().name().to_string())
            .collect()
    }

    #[test]
    fn package_teams_app_zips_the_filled_manifest_and_both_icons_at_the_top() {
        let out = tempfile::tempdir().unwrap();
        let app = TeamsApp {
            bot_id: BOT.into(),
            app_id: None,
            version: Some("1.2.3".into()),
        };
        let zip_path = build(&template_dir(), &app, out.path()).unwrap();
        assert_eq!(entries(&zip_path), ["manifest.json", "color.png", "outline.png"]);
        let mut archive = zip::ZipArchive::new(fs::File::open(&zip_path).unwrap()).unwrap();
        let manifest: serde_json::Value = serde_json::from_reader(archive.by_name("manifest.json").unwrap()).unwrap();
        assert_eq!(manifest["bots"][0]["botId"], BOT);
        assert_eq!(manifest["id"], BOT, "the app id defaults to the bot id");
        assert_eq!(manifest["version"], "1.2.3");
        assert!(
            !manifest.to_string().contains("{{"),
            "a placeholder was left: {manifest}"
        );
    }

    #[test]
    fn package_teams_app_refuses_a_bot_id_that_is_not_a_guid() {
        let out = tempfile::tempdir().unwrap();
        let app = TeamsApp {
            bot_id: "my-bot".into(),
            app_id: None,
            version: None,
        };
        let err = build(&template_dir(), &app, out.path()).unwrap_err().to_string();
        assert!(err.contains("--bot-id") && err.contains("not a GUID"), "{err}");
        assert!(!out.path().join(ZIP_NAME).exists());
    }

    #[test]
    fn package_teams_app_refuses_an_icon_of_the_wrong_size() {
        let dir = tempfile::tempdir().unwrap();
        for name in ["manifest.json", "color.png"] {
            fs::copy(template_dir().join(name), dir.path().join(name)).unwrap();
        }
        // The colour icon where the outline icon should be: 192×192, not 32×32.
        fs::copy(template_dir().join("color.png"), dir.path().join("outline.png")).unwrap();
        let app = TeamsApp {
            bot_id: BOT.into(),
            app_id: None,
            version: None,
        };
        let err = build(dir.path(), &app, &dir.path().join("out"))
            .unwrap_err()
            .to_string();
        assert!(err.contains("outline.png is 192×192; Teams needs 32×32"), "{err}");
    }

    #[test]
    fn package_png_size_reads_the_ihdr_header() {
        let bytes = fs::read(template_dir().join("outline.png")).unwrap();
        assert_eq!(png_size(&bytes), Some((32, 32)));
        assert_eq!(png_size(b"GIF89a not a png at all, long enough"), None);
    }
}
