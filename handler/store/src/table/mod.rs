//! The Azure Table Storage backend over its REST API (OData JSON).

pub mod auth;
mod http;

use reqwest::{Method, StatusCode};
use serde_json::{Map, Value};
use url::Url;

use self::auth::Authorizer;
use self::http::{error_from, send, TableRequest};
use crate::entity::{BackendError, Continuation, ETag, Entity, Page, Query, WriteMode, PAGE_SIZE};
use crate::StoreError;

/// A Table Storage account endpoint and its authoriser.
#[derive(Debug, Clone)]
pub(crate) struct TableBackend {
    http: reqwest::Client,
    /// The endpoint without a trailing slash, e.g. `http://127.0.0.1:10002/devstoreaccount1`.
    base: String,
    account: String,
    auth: Authorizer,
}

/// Percent-encodes everything but RFC 3986 unreserved characters.
fn encode_path_segment(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// JSON with every non-ASCII character escaped as `\uXXXX`.
///
/// Equivalent JSON for Table Storage, and immune to Azurite 3.35 decoding each request-body chunk
/// separately, which corrupts a multi-byte UTF-8 character split across chunks
/// (<https://github.com/Azure/Azurite/issues/2670>).
fn ascii_json(v: &Value) -> Vec<u8> {
    let text = v.to_string();
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if c.is_ascii() {
            out.push(c);
        } else {
            let mut units = [0u16; 2];
            for unit in c.encode_utf16(&mut units) {
                out.push_str(&format!("\\u{unit:04x}"));
            }
        }
    }
    out.into_bytes()
}

/// An OData string literal: single quotes, with inner quotes doubled.
fn literal(s: &str) -> String {
    format!("'{}'", s.replace('\'', "''"))
}

fn header(resp: &reqwest::Response, name: &str) -> Option<String> {
    resp.headers()
        .get(name)
        .and_then(|v| v.to_str().ok())
        .map(str::to_string)
}

const SYSTEM_PROPS: [&str; 3] = ["PartitionKey", "RowKey", "Timestamp"];

fn entity_from_json(table: &str, mut v: Map<String, Value>, etag: Option<String>) -> Result<Entity, BackendError> {
    let corrupt = |reason: &str| {
        BackendError::Other(StoreError::Corrupt {
            record: "entity",
            id: "?".to_string(),
            table: table.to_string(),
            reason: reason.to_string(),
        })
    };
    let key = |v: &mut Map<String, Value>, k: &str| match v.remove(k) {
        Some(Value::String(s)) => Ok(s),
        _ => Err(corrupt(&format!("no {k}"))),
    };
    let partition = key(&mut v, "PartitionKey")?;
    let row = key(&mut v, "RowKey")?;
    let etag = match v.remove("odata.etag") {
        Some(Value::String(s)) => s,
        _ => etag.ok_or_else(|| corrupt("no ETag"))?,
    };
    v.retain(|k, _| !k.starts_with("odata.") && !k.contains("@odata.") && !SYSTEM_PROPS.contains(&k.as_str()));
    Ok(Entity {
        partition,
        row,
        etag: ETag(etag),
        props: v,
    })
}

impl TableBackend {
    pub(crate) fn new(endpoint: &Url, account: &str, auth: Authorizer) -> Result<Self, StoreError> {
        let http = reqwest::Client::builder()
            .connect_timeout(std::time::Duration::from_secs(10))
            .timeout(std::time::Duration::from_secs(30))
            .build()
            .map_err(|source| StoreError::Transport {
                operation: "build HTTP client",
                table: String::new(),
                attempts: 0,
                source,
            })?;
        Ok(TableBackend {
            http,
            base: endpoint.as_str().trim_end_matches('/').to_string(),
            account: account.to_string(),
            auth,
        })
    }

    fn url(&self, suffix: &str) -> Result<Url, StoreError> {
        let raw = format!("{}/{}", self.base, suffix);
        Url::parse(&raw).map_err(|e| {
            StoreError::Config(crate::ConfigError::BadEndpoint {
                endpoint: self.base.clone(),
                reason: format!("cannot form a request URL: {e}"),
            })
        })
    }

    fn entity_url(&self, table: &str, partition: &str, row: &str) -> Result<Url, StoreError> {
        self.url(&format!(
            "{table}(PartitionKey={},RowKey={})",
            encode_path_segment(&literal(partition)),
            encode_path_segment(&literal(row))
        ))
    }

    async fn send(&self, req: TableRequest<'_>) -> Result<reqwest::Response, StoreError> {
        let resp = send(&self.http, &self.auth, &self.account, &req).await?;
        tracing::trace!(
            operation = req.operation,
            table = req.table,
            status = resp.status().as_u16(),
            "Table Storage"
        );
        Ok(resp)
    }

    /// Creates a table unless it exists.
    pub(crate) async fn ensure_table(&self, table: &str) -> Result<(), StoreError> {
        let body = serde_json::to_vec(&serde_json::json!({ "TableName": table })).unwrap_or_default();
        let resp = self
            .send(TableRequest {
                operation: "create table",
                table,
                method: Method::POST,
                url: self.url("Tables")?,
                body: Some(body),
                if_match: None,
            })
            .await?;
        match resp.status() {
            s if s.is_success() => {
                tracing::info!(table, "created table");
                Ok(())
            }
            StatusCode::CONFLICT => Ok(()),
            _ => Err(error_from("create table", table, resp).await),
        }
    }

    pub(crate) async fn get(&self, table: &str, partition: &str, row: &str) -> Result<Option<Entity>, BackendError> {
        let resp = self
            .send(TableRequest {
                operation: "get",
                table,
                method: Method::GET,
                url: self.entity_url(table, partition, row)?,
                body: None,
                if_match: None,
            })
            .await?;
        match resp.status() {
            StatusCode::OK => {
                let etag = header(&resp, "etag");
                let v: Map<String, Value> = resp.json().await.map_err(|e| {
                    BackendError::Other(StoreError::Corrupt {
                        record: "entity",
                        id: format!("{partition}/{row}"),
                        table: table.to_string(),
                        reason: e.to_string(),
                    })
                })?;
                entity_from_json(table, v, etag).map(Some)
            }
            StatusCode::NOT_FOUND => Ok(None),
            _ => Err(error_from("get", table, resp).await.into()),
        }
    }

    pub(crate) async fn write(
        &self,
        table: &str,
        partition: &str,
        row: &str,
        props: &Map<String, Value>,
        mode: WriteMode,
    ) -> Result<ETag, BackendError> {
        let mut body = props.clone();
        body.insert("PartitionKey".to_string(), Value::String(partition.to_string()));
        body.insert("RowKey".to_string(), Value::String(row.to_string()));
        let body = ascii_json(&Value::Object(body));
        let (operation, method, url, if_match) = match &mode {
            WriteMode::Insert => ("insert", Method::POST, self.url(table)?, None),
            WriteMode::Upsert => ("upsert", Method::PUT, self.entity_url(table, partition, row)?, None),
            WriteMode::Replace(etag) => (
                "replace",
                Method::PUT,
                self.entity_url(table, partition, row)?,
                Some(etag.0.as_str()),
            ),
        };
        let resp = self
            .send(TableRequest {
                operation,
                table,
                method,
                url,
                body: Some(body),
                if_match,
            })
            .await?;
        match resp.status() {
            s if s.is_success() => match header(&resp, "etag") {
                Some(etag) => Ok(ETag(etag)),
                None => Err(BackendError::Other(StoreError::Corrupt {
                    record: "entity",
                    id: format!("{partition}/{row}"),
                    table: table.to_string(),
                    reason: format!("{operation} answered without an ETag"),
                })),
            },
            StatusCode::CONFLICT if matches!(mode, WriteMode::Insert) => Err(BackendError::AlreadyExists),
            StatusCode::PRECONDITION_FAILED => Err(BackendError::ETagMismatch),
            StatusCode::NOT_FOUND if matches!(mode, WriteMode::Replace(_)) => Err(BackendError::NotFound),
            _ => Err(error_from(operation, table, resp).await.into()),
        }
    }

    pub(crate) async fn delete(&self, table: &str, partition: &str, row: &str) -> Result<bool, BackendError> {
        let resp = self
            .send(TableRequest {
                operation: "delete",
                table,
                method: Method::DELETE,
                url: self.entity_url(table, partition, row)?,
                body: None,
                if_match: Some("*"),
            })
            .await?;
        match resp.status() {
            s if s.is_success() => Ok(true),
            StatusCode::NOT_FOUND => Ok(false),
            _ => Err(error_from("delete", table, resp).await.into()),
        }
    }

    pub(crate) async fn query(
        &self,
        table: &str,
        query: &Query,
        from: Option<Continuation>,
    ) -> Result<Page, BackendError> {
        let mut filters = Vec::new();
        if let Some(p) = &query.partition {
            filters.push(format!("PartitionKey eq {}", literal(p)));
        }
        if let Some(r) = &query.row_from {
            filters.push(format!("RowKey ge {}", literal(r)));
        }
        if let Some(r) = &query.row_to {
            filters.push(format!("RowKey lt {}", literal(r)));
        }
        let mut url = self.url(&format!("{table}()"))?;
        {
            let mut q = url.query_pairs_mut();
            if !filters.is_empty() {
                q.append_pair("$filter", &filters.join(" and "));
            }
            q.append_pair("$top", &PAGE_SIZE.to_string());
            if let Some(c) = &from {
                q.append_pair("NextPartitionKey", &c.partition);
                if let Some(r) = &c.row {
                    q.append_pair("NextRowKey", r);
                }
            }
        }
        let resp = self
            .send(TableRequest {
                operation: "query",
                table,
                method: Method::GET,
                url,
                body: None,
                if_match: None,
            })
            .await?;
        if resp.status() != StatusCode::OK {
            return Err(error_from("query", table, resp).await.into());
        }
        let next = header(&resp, "x-ms-continuation-NextPartitionKey").map(|partition| Continuation {
            partition,
            row: header(&resp, "x-ms-continuation-NextRowKey"),
        });
        let body: Value = resp.json().await.map_err(|e| {
            BackendError::Other(StoreError::Corrupt {
                record: "query page",
                id: String::new(),
                table: table.to_string(),
                reason: e.to_string(),
            })
        })?;
        let entities = match body.get("value") {
            Some(Value::Array(items)) => items
                .iter()
                .filter_map(|v| v.as_object().cloned())
                .map(|m| entity_from_json(table, m, None))
                .collect::<Result<Vec<_>, _>>()?,
            _ => Vec::new(),
        };
        Ok(Page { entities, next })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entity_urls_quote_and_percent_encode_keys() {
        assert_eq!(encode_path_segment(&literal("a b'ü")), "%27a%20b%27%27%C3%BC%27");
    }

    #[test]
    fn bodies_are_ascii_json_that_reads_back_the_same() {
        let v = serde_json::json!({ "k": "é😀\"\\x\u{1}" });
        let bytes = ascii_json(&v);
        assert!(bytes.is_ascii());
        assert_eq!(serde_json::from_slice::<Value>(&bytes).unwrap(), v);
    }

    #[test]
    fn query_results_drop_odata_and_system_properties() {
        let v = serde_json::json!({
            "odata.etag": "W/\"x\"", "PartitionKey": "p", "RowKey": "r",
            "Timestamp": "2026-01-01T00:00:00Z", "Timestamp@odata.type": "Edm.DateTime", "name": "n"
        });
        let e = entity_from_json("t", v.as_object().cloned().unwrap_or_default(), None).unwrap();
        assert_eq!(
            (e.partition.as_str(), e.row.as_str(), e.etag.as_str()),
            ("p", "r", "W/\"x\"")
        );
        assert_eq!(e.props.keys().collect::<Vec<_>>(), ["name"]);
    }
}
