//! The app: `host.json` plus one `function.json` per function.

mod function_json;
mod host_json;
mod settings;

use std::path::{Path, PathBuf};

pub use function_json::{AuthLevel, FunctionDef, Output, Trigger};
pub use host_json::{HandlerDescription, HostConfig, ServiceBusOptions};
pub use settings::{parse_timespan, Settings};

use crate::error::AppError;

/// The folder this repository keeps function definitions in (a packaged app keeps them
/// next to `host.json`).
pub const FUNCTION_DEFS_DIR: &str = "function-defs";

/// A loaded app.
#[derive(Debug, Clone, PartialEq)]
pub struct App {
    /// The app root (where `host.json` is).
    pub root: PathBuf,
    /// `host.json`.
    pub host: HostConfig,
    /// The functions, sorted by name.
    pub functions: Vec<FunctionDef>,
}

impl App {
    /// Load `<root>/host.json` and the functions of `functions_dir`; without one,
    /// `<root>/function-defs` when it exists, else `<root>` (a packaged app).
    pub fn load(root: &Path, functions_dir: Option<&Path>, settings: &Settings) -> Result<Self, AppError> {
        let host_file = root.join("host.json");
        let text = std::fs::read_to_string(&host_file).map_err(|source| AppError::Read {
            file: host_file.clone(),
            source,
        })?;
        let host = HostConfig::parse(&host_file, &text, settings)?;
        let dir = match functions_dir {
            Some(dir) if dir.is_absolute() => dir.to_owned(),
            Some(dir) => root.join(dir),
            None if root.join(FUNCTION_DEFS_DIR).is_dir() => root.join(FUNCTION_DEFS_DIR),
            None => root.to_owned(),
        };
        let entries = std::fs::read_dir(&dir).map_err(|source| AppError::Read {
            file: dir.clone(),
            source,
        })?;
        let mut folders: Vec<PathBuf> = entries
            .filter_map(Result::ok)
            .map(|e| e.path())
            .filter(|p| p.is_dir())
            .collect();
        folders.sort();
        let mut functions = Vec::new();
        for folder in folders {
            let file = folder.join("function.json");
            if !file.is_file() {
                continue;
            }
            let name = folder
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            let text = std::fs::read_to_string(&file).map_err(|source| AppError::Read {
                file: file.clone(),
                source,
            })?;
            if let Some(function) = FunctionDef::parse(&name, &file, &text, settings)? {
                if let Trigger::Http { route, .. } = &function.trigger {
                    let first = route.split('/').next().unwrap_or("");
                    if host.route_prefix.is_empty() && first.eq_ignore_ascii_case("admin") {
                        return Err(AppError::field(
                            &file,
                            "route",
                            "routes may not start with 'admin' (reserved by the host)",
                        ));
                    }
                }
                functions.push(function);
            }
        }
        if functions.is_empty() {
            return Err(AppError::NoFunctions { dir });
        }
        Ok(App {
            root: root.to_owned(),
            host,
            functions,
        })
    }

    /// A function by name.
    pub fn function(&self, name: &str) -> Option<&FunctionDef> {
        self.functions.iter().find(|f| f.name == name)
    }

    /// True when a session-enabled trigger reads `queue` (Service Bus then refuses
    /// messages without a `SessionId`).
    pub fn requires_session(&self, queue: &str) -> bool {
        self.functions.iter().any(
            |f| matches!(&f.trigger, Trigger::ServiceBus { queue_name, sessions: true, .. } if queue_name == queue),
        )
    }

    /// Every queue a trigger reads or an output writes, sorted, without duplicates.
    pub fn queue_names(&self) -> Vec<String> {
        let mut names: Vec<String> = self
            .functions
            .iter()
            .flat_map(|f| {
                let trigger = match &f.trigger {
                    Trigger::ServiceBus { queue_name, .. } => Some(queue_name.clone()),
                    _ => None,
                };
                let outputs = f.outputs.iter().filter_map(|o| match o {
                    Output::ServiceBus { queue_name, .. } => Some(queue_name.clone()),
                    _ => None,
                });
                trigger.into_iter().chain(outputs).collect::<Vec<_>>()
            })
            .collect();
        names.sort();
        names.dedup();
        names
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn testdata() -> PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata/app")
    }

    #[test]
    fn repository_layout_reads_function_defs() {
        let app = App::load(&testdata(), None, &Settings::new().set("MODE", "serve")).unwrap();
        let names: Vec<_> = app.functions.iter().map(|f| f.name.as_str()).collect();
        assert_eq!(names, ["ingest", "tick", "work"]);
        assert_eq!(app.queue_names(), ["work-items"]);
    }

    #[test]
    fn packaged_layout_reads_folders_next_to_host_json() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("host.json"), r#"{"version":"2.0"}"#).unwrap();
        std::fs::create_dir(dir.path().join("hello")).unwrap();
        std::fs::write(
            dir.path().join("hello/function.json"),
            r#"{"bindings":[{"type":"httpTrigger","direction":"in","name":"req"}]}"#,
        )
        .unwrap();
        let app = App::load(dir.path(), None, &Settings::new()).unwrap();
        assert_eq!(app.functions[0].name, "hello");
    }

    #[test]
    fn a_missing_host_json_is_named() {
        let dir = tempfile::tempdir().unwrap();
        let err = App::load(dir.path(), None, &Settings::new()).unwrap_err();
        assert!(err.to_string().contains("host.json: cannot read"), "{err}");
    }
}
