//! `<function>/function.json`: the trigger and the output bindings of one function.

use std::path::Path;

use serde_json::Value;

use super::settings::Settings;
use crate::error::AppError;

/// An HTTP trigger's `authLevel`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AuthLevel {
    /// No key needed.
    Anonymous,
    /// A function key (or the master key); the default.
    Function,
    /// The master key only.
    Admin,
}

/// A function's trigger.
#[derive(Debug, Clone, PartialEq)]
pub enum Trigger {
    /// `httpTrigger`.
    Http {
        /// Binding name (`Data.<name>`).
        name: String,
        /// `authLevel`.
        auth_level: AuthLevel,
        /// `methods`, upper case; `None` = all.
        methods: Option<Vec<String>>,
        /// `route` (default: the function name), without leading or trailing slashes.
        route: String,
    },
    /// `serviceBusTrigger` on a queue.
    ServiceBus {
        /// Binding name.
        name: String,
        /// `queueName`, settings expanded.
        queue_name: String,
        /// `isSessionsEnabled`.
        sessions: bool,
        /// `dataType` is `binary`: the body is sent as base64.
        binary: bool,
    },
    /// `timerTrigger`.
    Timer {
        /// Binding name.
        name: String,
        /// The six-field NCRONTAB schedule, settings expanded.
        schedule: String,
        /// `runOnStartup`.
        run_on_startup: bool,
    },
}

impl Trigger {
    /// The trigger binding's name.
    pub fn name(&self) -> &str {
        match self {
            Trigger::Http { name, .. } | Trigger::ServiceBus { name, .. } | Trigger::Timer { name, .. } => name,
        }
    }
}

/// An output binding.
#[derive(Debug, Clone, PartialEq)]
pub enum Output {
    /// `http` output (`$return` when named so).
    Http {
        /// Binding name.
        name: String,
    },
    /// `serviceBus` output to a queue.
    ServiceBus {
        /// Binding name.
        name: String,
        /// `queueName`, settings expanded.
        queue_name: String,
        /// `dataType` is `binary` (no base64 guessing on strings).
        binary: bool,
    },
}

impl Output {
    /// The binding's name.
    pub fn name(&self) -> &str {
        match self {
            Output::Http { name } | Output::ServiceBus { name, .. } => name,
        }
    }
}

/// One function.
#[derive(Debug, Clone, PartialEq)]
pub struct FunctionDef {
    /// The function's name: its folder name.
    pub name: String,
    /// The trigger.
    pub trigger: Trigger,
    /// The output bindings.
    pub outputs: Vec<Output>,
}

impl FunctionDef {
    /// The `http` output binding's name, if any.
    pub fn http_output(&self) -> Option<&str> {
        self.outputs.iter().find_map(|o| match o {
            Output::Http { name } => Some(name.as_str()),
            _ => None,
        })
    }

    /// True when the host would forward the raw HTTP request (<https://learn.microsoft.com/azure/azure-functions/functions-custom-handlers>): exactly an
    /// HTTP trigger and one `http` output, nothing else.
    pub fn qualifies_for_forwarding(&self) -> bool {
        matches!(self.trigger, Trigger::Http { .. })
            && self.outputs.len() == 1
            && matches!(self.outputs[0], Output::Http { .. })
    }

    /// Parse a `function.json`; `name` is the folder name, `file` names it in errors.
    /// Returns `Ok(None)` for a function marked `"disabled": true`.
    pub fn parse(name: &str, file: &Path, text: &str, settings: &Settings) -> Result<Option<Self>, AppError> {
        let root: Value = serde_json::from_str(text).map_err(|source| AppError::Json {
            file: file.to_owned(),
            source,
        })?;
        if root.get("disabled").and_then(Value::as_bool) == Some(true) {
            return Ok(None);
        }
        let bindings = root
            .get("bindings")
            .and_then(Value::as_array)
            .ok_or_else(|| AppError::field(file, "bindings", "required: an array of bindings"))?;
        let mut trigger = None;
        let mut outputs = Vec::new();
        for (i, binding) in bindings.iter().enumerate() {
            let at = |key: &str| format!("bindings[{i}].{key}");
            let text_of = |key: &str, required: bool| -> Result<Option<String>, AppError> {
                match binding.get(key) {
                    None | Some(Value::Null) if !required => Ok(None),
                    Some(Value::String(s)) if !s.is_empty() => settings
                        .expand(s)
                        .map(Some)
                        .map_err(|m| AppError::field(file, at(key), m)),
                    _ => Err(AppError::field(file, at(key), "required: a non-empty string")),
                }
            };
            let flag = |key: &str| -> Result<bool, AppError> {
                match binding.get(key) {
                    None | Some(Value::Null) => Ok(false),
                    Some(Value::Bool(b)) => Ok(*b),
                    Some(Value::String(s)) if s.eq_ignore_ascii_case("true") || s.eq_ignore_ascii_case("false") => {
                        Ok(s.eq_ignore_ascii_case("true"))
                    }
                    Some(_) => Err(AppError::field(file, at(key), "must be true or false")),
                }
            };
            let kind = text_of("type", true)?.unwrap_or_default();
            let direction = text_of("direction", true)?.unwrap_or_default().to_ascii_lowercase();
            let binding_name = text_of("name", true)?.unwrap_or_default();
            let binary = text_of("dataType", false)?.is_some_and(|d| d.eq_ignore_ascii_case("binary"));
            let lower = kind.to_ascii_lowercase();
            if lower.ends_with("trigger") {
                if trigger.is_some() {
                    return Err(AppError::field(file, at("type"), "a function has exactly one trigger"));
                }
                trigger = Some(match lower.as_str() {
                    "httptrigger" => Trigger::Http {
                        auth_level: match text_of("authLevel", false)?.map(|s| s.to_ascii_lowercase()).as_deref() {
                            None | Some("function") => AuthLevel::Function,
                            Some("anonymous") => AuthLevel::Anonymous,
                            Some("admin") => AuthLevel::Admin,
                            Some(other) => {
                                return Err(AppError::field(
                                    file,
                                    at("authLevel"),
                                    format!("'{other}' is not one of anonymous, function, admin"),
                                ))
                            }
                        },
                        methods: match binding.get("methods") {
                            None | Some(Value::Null) => None,
                            Some(Value::Array(items)) => Some(
                                items
                                    .iter()
                                    .map(|m| {
                                        m.as_str()
                                            .map(str::to_ascii_uppercase)
                                            .ok_or_else(|| AppError::field(file, at("methods"), "must be strings"))
                                    })
                                    .collect::<Result<_, _>>()?,
                            ),
                            Some(_) => return Err(AppError::field(file, at("methods"), "must be an array")),
                        },
                        route: text_of("route", false)?
                            .unwrap_or_else(|| name.to_owned())
                            .trim_matches('/')
                            .to_owned(),
                        name: binding_name,
                    },
                    "servicebustrigger" => Trigger::ServiceBus {
                        queue_name: text_of("queueName", false)?.ok_or_else(|| {
                            AppError::field(file, at("queueName"), "required (topics are not supported locally)")
                        })?,
                        sessions: flag("isSessionsEnabled")?,
                        binary,
                        name: binding_name,
                    },
                    "timertrigger" => Trigger::Timer {
                        schedule: text_of("schedule", true)?.unwrap_or_default(),
                        run_on_startup: flag("runOnStartup")?,
                        name: binding_name,
                    },
                    _ => {
                        return Err(AppError::field(
                            file,
                            at("type"),
                            format!(
                            "unsupported trigger '{kind}' (supported: httpTrigger, serviceBusTrigger, timerTrigger)"
                        ),
                        ))
                    }
                });
            } else if direction == "out" {
                match lower.as_str() {
                    "http" => outputs.push(Output::Http { name: binding_name }),
                    "servicebus" => outputs.push(Output::ServiceBus {
                        queue_name: text_of("queueName", false)?.ok_or_else(|| {
                            AppError::field(file, at("queueName"), "required (topics are not supported locally)")
                        })?,
                        binary,
                        name: binding_name,
                    }),
                    _ => {
                        return Err(AppError::field(
                            file,
                            at("type"),
                            format!("unsupported output binding '{kind}' (supported: http, serviceBus)"),
                        ))
                    }
                }
            } else {
                return Err(AppError::field(
                    file,
                    at("type"),
                    format!("unsupported input binding '{kind}'"),
                ));
            }
        }
        let trigger = trigger.ok_or_else(|| AppError::field(file, "bindings", "no trigger binding"))?;
        Ok(Some(FunctionDef {
            name: name.to_owned(),
            trigger,
            outputs,
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<Option<FunctionDef>, AppError> {
        let settings = Settings::new().set("EVENTS_QUEUE", "events");
        FunctionDef::parse("fn", Path::new("fn/function.json"), text, &settings)
    }

    #[test]
    fn http_trigger_defaults_to_function_level_and_the_function_name_as_route() {
        let f = parse(r#"{"bindings":[{"type":"httpTrigger","direction":"in","name":"req"},{"type":"http","direction":"out","name":"$return"}]}"#)
            .unwrap()
            .unwrap();
        assert_eq!(
            f.trigger,
            Trigger::Http {
                name: "req".into(),
                auth_level: AuthLevel::Function,
                methods: None,
                route: "fn".into()
            }
        );
        assert_eq!(f.http_output(), Some("$return"));
        assert!(f.qualifies_for_forwarding());
    }

    #[test]
    fn service_bus_queue_names_expand_settings() {
        let f = parse(r#"{"bindings":[{"type":"serviceBusTrigger","direction":"in","name":"msg","queueName":"%EVENTS_QUEUE%","isSessionsEnabled":true},
            {"type":"serviceBus","direction":"out","name":"out","queueName":"parked"}]}"#)
        .unwrap()
        .unwrap();
        assert_eq!(
            f.trigger,
            Trigger::ServiceBus {
                name: "msg".into(),
                queue_name: "events".into(),
                sessions: true,
                binary: false
            }
        );
        assert_eq!(
            f.outputs[0],
            Output::ServiceBus {
                name: "out".into(),
                queue_name: "parked".into(),
                binary: false
            }
        );
    }

    #[test]
    fn errors_name_the_file_and_the_binding_field() {
        let err =
            parse(r#"{"bindings":[{"type":"serviceBusTrigger","direction":"in","name":"msg","queueName":"%NOPE%"}]}"#)
                .unwrap_err();
        assert!(
            err.to_string().starts_with("fn/function.json: bindings[0].queueName: "),
            "{err}"
        );
        let err = parse(r#"{"bindings":[{"type":"blobTrigger","direction":"in","name":"b"}]}"#).unwrap_err();
        assert!(
            err.to_string()
                .contains("bindings[0].type: unsupported trigger 'blobTrigger'"),
            "{err}"
        );
        let err = parse(r#"{"bindings":[]}"#).unwrap_err();
        assert!(err.to_string().contains("no trigger"), "{err}");
    }

    #[test]
    fn disabled_functions_are_skipped() {
        assert!(parse(r#"{"disabled": true, "bindings": []}"#).unwrap().is_none());
    }
}
