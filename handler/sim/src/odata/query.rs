//! The OData query options of Graph's directory collections: `$select`, `$top`, `$skiptoken`.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use serde_json::{Map, Value};

use super::errors::GraphError;

/// Graph's largest page for directory collections.
pub(crate) const MAX_TOP: usize = 999;
/// The page size when `$top` is absent.
pub(crate) const DEFAULT_TOP: usize = 100;

/// Parsed query options (names are accepted with or without `$`, case-insensitively).
#[derive(Debug, Default)]
pub(crate) struct Query {
    pub select: Option<Vec<String>>,
    pub top: Option<usize>,
    pub skip: usize,
}

impl Query {
    pub fn parse(raw: Option<&str>) -> Result<Self, GraphError> {
        let mut q = Query::default();
        for (key, value) in url::form_urlencoded::parse(raw.unwrap_or_default().as_bytes()) {
            let key = key.trim_start_matches('$').to_ascii_lowercase();
            match key.as_str() {
                "select" => {
                    q.select = Some(
                        value
                            .split(',')
                            .map(|s| s.trim().to_owned())
                            .filter(|s| !s.is_empty())
                            .collect(),
                    )
                }
                "top" => {
                    let top: usize = value
                        .parse()
                        .ok()
                        .filter(|n| (1..=MAX_TOP).contains(n))
                        .ok_or_else(|| {
                            GraphError::bad_request(format!(
                                "Invalid page size specified: '{value}'. Must be between 1 and {MAX_TOP} inclusive."
                            ))
                        })?;
                    q.top = Some(top);
                }
                "skiptoken" => {
                    q.skip = decode_skiptoken(&value).ok_or_else(|| GraphError::bad_request("Invalid skip token."))?
                }
                _ => {}
            }
        }
        Ok(q)
    }

    /// The `(property list)` part of an `@odata.context` when `$select` is used.
    pub fn context_suffix(&self) -> String {
        match &self.select {
            Some(props) => format!("({})", props.join(",")),
            None => String::new(),
        }
    }
}

/// Keeps the selected properties (matched case-insensitively, returned with Graph's casing),
/// or the default set when nothing was selected. Unknown selected names are a 400, as in Graph.
pub(crate) fn project(
    full: &Map<String, Value>,
    select: Option<&[String]>,
    defaults: &[&str],
    type_name: &str,
) -> Result<Map<String, Value>, GraphError> {
    let mut out = Map::new();
    match select {
        Some(props) => {
            for prop in props {
                let found = full.iter().find(|(k, _)| k.eq_ignore_ascii_case(prop));
                match found {
                    Some((k, v)) => {
                        out.insert(k.clone(), v.clone());
                    }
                    None => {
                        return Err(GraphError::bad_request(format!(
                            "Could not find a property named '{prop}' on type 'microsoft.graph.{type_name}'."
                        )))
                    }
                }
            }
        }
        None => {
            for name in defaults {
                if let Some(v) = full.get(*name) {
                    out.insert((*name).to_owned(), v.clone());
                }
            }
        }
    }
    Ok(out)
}

pub(crate) fn encode_skiptoken(offset: usize) -> String {
    URL_SAFE_NO_PAD.encode(format!("sim-offset:{offset}"))
}

fn decode_skiptoken(token: &str) -> Option<usize> {
    let bytes = URL_SAFE_NO_PAD.decode(token).ok()?;
    String::from_utf8(bytes).ok()?.strip_prefix("sim-offset:")?.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn skiptoken_round_trips_and_rejects_garbage() {
        assert_eq!(decode_skiptoken(&encode_skiptoken(42)), Some(42));
        assert_eq!(decode_skiptoken("nope"), None);
    }

    #[test]
    fn top_outside_graph_limits_is_a_bad_request() {
        assert!(Query::parse(Some("$top=1000")).is_err());
        assert!(Query::parse(Some("$top=0")).is_err());
        assert_eq!(Query::parse(Some("%24top=5")).unwrap().top, Some(5));
    }
}
