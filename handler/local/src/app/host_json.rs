//! `host.json`: the custom handler's description and the extension settings we honour.

use std::path::Path;
use std::time::Duration;

use serde_json::Value;

use super::settings::{parse_timespan, Settings};
use crate::error::AppError;

/// How to start the handler (`customHandler.description`).
#[derive(Debug, Clone, PartialEq)]
pub struct HandlerDescription {
    /// `defaultExecutablePath`: resolved against the app root when such a file exists.
    pub executable: String,
    /// `workingDirectory`, if set (relative to the app root).
    pub working_directory: Option<String>,
    /// `arguments`, with `%NAME%` expanded.
    pub arguments: Vec<String>,
}

/// `extensions.serviceBus` settings that shape delivery.
#[derive(Debug, Clone, PartialEq)]
pub struct ServiceBusOptions {
    /// Parallel invocations per non-session trigger (default 16).
    pub max_concurrent_calls: usize,
    /// Parallel sessions per session trigger (default 8).
    pub max_concurrent_sessions: usize,
    /// How long a running invocation keeps its message locked (default 5 min).
    pub max_auto_lock_renewal: Duration,
}

impl Default for ServiceBusOptions {
    fn default() -> Self {
        ServiceBusOptions {
            max_concurrent_calls: 16,
            max_concurrent_sessions: 8,
            max_auto_lock_renewal: Duration::from_secs(300),
        }
    }
}

/// The parts of `host.json` the local host uses.
#[derive(Debug, Clone, PartialEq)]
pub struct HostConfig {
    /// `customHandler.description`, when present.
    pub handler: Option<HandlerDescription>,
    /// `customHandler.enableForwardingHttpRequest`.
    pub forward_http_requests: bool,
    /// `extensions.http.routePrefix` (default `api`), without slashes.
    pub route_prefix: String,
    /// `extensions.serviceBus`.
    pub service_bus: ServiceBusOptions,
    /// `functionTimeout`; `None` when unset or `-1`.
    pub function_timeout: Option<Duration>,
}

impl HostConfig {
    /// Parse `host.json` text; `file` names it in errors.
    pub fn parse(file: &Path, text: &str, settings: &Settings) -> Result<Self, AppError> {
        let root: Value = serde_json::from_str(text).map_err(|source| AppError::Json {
            file: file.to_owned(),
            source,
        })?;
        if !root.is_object() {
            return Err(AppError::field(file, "(root)", "must be a JSON object"));
        }
        let field = |f: &str, m: &str| AppError::field(file, f, m);
        let handler = match root.pointer("/customHandler/description") {
            None | Some(Value::Null) => None,
            Some(desc) => {
                let executable = match desc.get("defaultExecutablePath") {
                    Some(Value::String(s)) if !s.trim().is_empty() => s.clone(),
                    _ => {
                        return Err(field(
                            "customHandler.description.defaultExecutablePath",
                            "required: a non-empty string naming the handler executable",
                        ))
                    }
                };
                let working_directory = match desc.get("workingDirectory") {
                    None | Some(Value::Null) => None,
                    Some(Value::String(s)) if s.is_empty() => None,
                    Some(Value::String(s)) => Some(s.clone()),
                    Some(_) => return Err(field("customHandler.description.workingDirectory", "must be a string")),
                };
                let arguments = match desc.get("arguments") {
                    None | Some(Value::Null) => Vec::new(),
                    Some(Value::Array(items)) => items
                        .iter()
                        .enumerate()
                        .map(|(i, v)| {
                            let name = format!("customHandler.description.arguments[{i}]");
                            let text = v.as_str().ok_or_else(|| field(&name, "must be a string"))?;
                            settings.expand(text).map_err(|m| field(&name, &m))
                        })
                        .collect::<Result<_, _>>()?,
                    Some(_) => {
                        return Err(field(
                            "customHandler.description.arguments",
                            "must be an array of strings",
                        ))
                    }
                };
                Some(HandlerDescription {
                    executable,
                    working_directory,
                    arguments,
                })
            }
        };
        let forward_http_requests = match root.pointer("/customHandler/enableForwardingHttpRequest") {
            None | Some(Value::Null) => false,
            Some(Value::Bool(b)) => *b,
            Some(_) => {
                return Err(field(
                    "customHandler.enableForwardingHttpRequest",
                    "must be true or false",
                ))
            }
        };
        let route_prefix = match root.pointer("/extensions/http/routePrefix") {
            None | Some(Value::Null) => "api".to_owned(),
            Some(Value::String(s)) => s.trim_matches('/').to_owned(),
            Some(_) => return Err(field("extensions.http.routePrefix", "must be a string")),
        };
        let mut service_bus = ServiceBusOptions::default();
        if let Some(sb) = root.pointer("/extensions/serviceBus") {
            let count =
                |key: &str, default: usize| -> Result<usize, AppError> {
                    match sb.get(key) {
                        None | Some(Value::Null) => Ok(default),
                        Some(v) => v.as_u64().filter(|n| *n > 0).map(|n| n as usize).ok_or_else(|| {
                            field(&format!("extensions.serviceBus.{key}"), "must be a positive integer")
                        }),
                    }
                };
            service_bus.max_concurrent_calls = count("maxConcurrentCalls", service_bus.max_concurrent_calls)?;
            service_bus.max_concurrent_sessions = count("maxConcurrentSessions", service_bus.max_concurrent_sessions)?;
            if let Some(v) = sb.get("maxAutoLockRenewalDuration").filter(|v| !v.is_null()) {
                let name = "extensions.serviceBus.maxAutoLockRenewalDuration";
                let text = v
                    .as_str()
                    .ok_or_else(|| field(name, "must be a TimeSpan string like 00:05:00"))?;
                service_bus.max_auto_lock_renewal = parse_timespan(text)
                    .map_err(|m| field(name, &m))?
                    .unwrap_or(Duration::from_secs(u32::MAX as u64));
            }
        }
        let function_timeout = match root.get("functionTimeout") {
            None | Some(Value::Null) => None,
            Some(Value::String(s)) => parse_timespan(s).map_err(|m| field("functionTimeout", &m))?,
            Some(_) => return Err(field("functionTimeout", "must be a TimeSpan string like 00:05:00")),
        };
        Ok(HostConfig {
            handler,
            forward_http_requests,
            route_prefix,
            service_bus,
            function_timeout,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<HostConfig, AppError> {
        HostConfig::parse(Path::new("host.json"), text, &Settings::new().set("MODE", "serve"))
    }

    #[test]
    fn defaults_apply_to_a_minimal_host_json() {
        let c = parse(r#"{"version": "2.0"}"#).unwrap();
        assert_eq!(c.route_prefix, "api");
        assert_eq!(c.service_bus, ServiceBusOptions::default());
        assert!(c.handler.is_none());
        assert!(c.function_timeout.is_none());
    }

    #[test]
    fn handler_description_and_extensions_are_read() {
        let c = parse(include_str!("../../testdata/app/host.json")).unwrap();
        let h = c.handler.unwrap();
        assert_eq!(h.executable, "handler");
        assert_eq!(h.arguments, vec!["serve".to_owned()]);
        assert_eq!(c.service_bus.max_concurrent_calls, 4);
        assert_eq!(c.function_timeout, Some(Duration::from_secs(300)));
    }

    #[test]
    fn bad_fields_are_named() {
        let err = parse(r#"{"customHandler": {"description": {"defaultExecutablePath": ""}}}"#).unwrap_err();
        assert!(
            err.to_string()
                .contains("host.json: customHandler.description.defaultExecutablePath"),
            "{err}"
        );
        let err = parse(r#"{"extensions": {"serviceBus": {"maxConcurrentCalls": "many"}}}"#).unwrap_err();
        assert!(
            err.to_string().contains("extensions.serviceBus.maxConcurrentCalls"),
            "{err}"
        );
        let err = parse(r#"{"functionTimeout": "soon"}"#).unwrap_err();
        assert!(err.to_string().contains("functionTimeout"), "{err}");
    }
}
