//! The table of the Graph calls an application makes, read from its Markdown (one row per call:
//! `| METHOD | /path/{id}/... | v1.0 or beta | ...`), and matching a request against it.

/// One row: a method, a version and a path template (`{...}` stands for one segment).
#[derive(Debug, Clone, PartialEq, Eq)]
struct Row {
    method: String,
    version: String,
    segments: Vec<String>,
}

/// The calls a table lists.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct GraphCallTable {
    rows: Vec<Row>,
}

const METHODS: [&str; 5] = ["GET", "POST", "PUT", "PATCH", "DELETE"];

fn segments(path: &str) -> Vec<String> {
    path.split('/').filter(|s| !s.is_empty()).map(str::to_string).collect()
}

impl GraphCallTable {
    /// Read the rows of a Markdown table whose first three columns are method, path and
    /// version; other lines are ignored. An error names the line of a row that cannot be read.
    pub fn from_markdown(text: &str) -> Result<GraphCallTable, String> {
        let mut rows = Vec::new();
        for (n, line) in text.lines().enumerate() {
            let cells: Vec<&str> = line.trim().trim_matches('|').split('|').map(str::trim).collect();
            let Some(method) = cells.first().filter(|m| METHODS.contains(m)) else {
                continue;
            };
            let (Some(path), Some(version)) = (cells.get(1), cells.get(2)) else {
                return Err(format!("line {}: a row needs a path and a version", n + 1));
            };
            if !path.starts_with('/') || !matches!(*version, "v1.0" | "beta") {
                return Err(format!(
                    "line {}: {path:?} is not a path or {version:?} not v1.0 or beta",
                    n + 1
                ));
            }
            rows.push(Row {
                method: method.to_string(),
                version: version.to_string(),
                segments: segments(path),
            });
        }
        if rows.is_empty() {
            return Err("no rows: expected | METHOD | /path | version | ...".into());
        }
        Ok(GraphCallTable { rows })
    }

    /// Whether `method` on `path` (`/v1.0/...` or `/beta/...`, the query ignored) is listed.
    pub fn allows(&self, method: &str, path: &str) -> bool {
        let path = path.split('?').next().unwrap_or(path);
        let mut parts = segments(path);
        if parts.is_empty() {
            return false;
        }
        let version = parts.remove(0);
        self.rows.iter().any(|row| {
            row.method.eq_ignore_ascii_case(method)
                && row.version == version
                && row.segments.len() == parts.len()
                && row
                    .segments
                    .iter()
                    .zip(&parts)
                    .all(|(t, p)| (t.starts_with('{') && t.ends_with('}')) || t.eq_ignore_ascii_case(p))
        })
    }

    /// How many calls the table lists.
    pub fn len(&self) -> usize {
        self.rows.len()
    }

    /// Whether the table lists none.
    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const TABLE: &str = "intro\n\n| method | path | version | permission |\n|---|---|---|---|\n\
        | GET | /users/{id} | v1.0 | User.Read.All |\n\
        | POST | /$batch | v1.0 | (each) |\n\
        | GET | /deviceManagement/configurationPolicies | beta | x |\n";

    #[test]
    fn rows_match_by_method_version_and_template() {
        let table = GraphCallTable::from_markdown(TABLE).unwrap();
        assert_eq!(table.len(), 3);
        assert!(table.allows("GET", "/v1.0/users/abc?$select=id"));
        assert!(!table.allows("PATCH", "/v1.0/users/abc"));
        assert!(!table.allows("GET", "/beta/users/abc"));
        assert!(!table.allows("GET", "/v1.0/users/abc/manager"));
        assert!(table.allows("POST", "/v1.0/$batch"));
        assert!(table.allows("GET", "/beta/deviceManagement/configurationPolicies"));
    }

    #[test]
    fn a_broken_row_is_named_by_its_line() {
        let err = GraphCallTable::from_markdown("| GET | users | v1.0 |").unwrap_err();
        assert!(err.starts_with("line 1"), "{err}");
        assert!(GraphCallTable::from_markdown("no table here").is_err());
    }
}
