//! The invocation envelope exchanged with the host: the request payload `{Data, Metadata}`
//! and the response payload `{Outputs, Logs, ReturnValue}`, see
//! <https://learn.microsoft.com/azure/azure-functions/functions-custom-handlers>.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::encoding;

/// The body the host POSTs to `/{FunctionName}`: input bindings and trigger metadata.
#[derive(Debug, Clone, Default, Deserialize, Serialize, PartialEq)]
pub struct InvocationRequest {
    /// One entry per input binding, keyed by binding name.
    #[serde(rename = "Data", default)]
    pub data: Map<String, Value>,
    /// Trigger metadata ("binding data"), `sys`, and `RetryContext` when retrying.
    #[serde(rename = "Metadata", default)]
    pub metadata: Map<String, Value>,
}

/// The `sys` member of the metadata.
#[derive(Debug, Clone, Default, Deserialize, Serialize, PartialEq)]
pub struct SysMetadata {
    /// The function name the host invoked.
    #[serde(rename = "MethodName", default)]
    pub method_name: Option<String>,
    /// The host's clock at invocation.
    #[serde(rename = "UtcNow", default)]
    pub utc_now: Option<String>,
    /// A random GUID per invocation.
    #[serde(rename = "RandGuid", default)]
    pub rand_guid: Option<String>,
}

impl InvocationRequest {
    /// Look a metadata key up case-insensitively (the host's binding data is).
    pub fn metadata_value(&self, key: &str) -> Option<&Value> {
        self.metadata.get(key).or_else(|| {
            self.metadata
                .iter()
                .find(|(k, _)| k.eq_ignore_ascii_case(key))
                .map(|(_, v)| v)
        })
    }

    /// A host-encoded string metadata value, decoded.
    pub fn metadata_string(&self, key: &str) -> Option<String> {
        self.metadata_value(key).and_then(encoding::decode_string)
    }

    /// The `sys` metadata, if present.
    pub fn sys(&self) -> SysMetadata {
        self.metadata_value("sys")
            .and_then(|v| serde_json::from_value(v.clone()).ok())
            .unwrap_or_default()
    }
}

/// The body the handler answers with: output bindings, log lines, and a return value.
#[derive(Debug, Clone, Default, Deserialize, Serialize, PartialEq)]
pub struct InvocationResponse {
    /// Output binding values keyed by binding name (matched exactly by the host).
    #[serde(rename = "Outputs")]
    pub outputs: Map<String, Value>,
    /// Lines the host writes to the invocation log.
    #[serde(rename = "Logs")]
    pub logs: Vec<String>,
    /// The value for a `$return` binding.
    #[serde(rename = "ReturnValue")]
    pub return_value: Option<Value>,
}
