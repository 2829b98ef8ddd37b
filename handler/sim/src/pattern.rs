//! Route patterns used by faults and throttle classes: a method (or any) and a path glob.

use std::fmt;

/// Matches requests by method and path. In the path, `*` matches any run of characters
/// (including `/`), so `/v1.0/groups/*` matches every path under groups and
/// `/v1.0/users/*/manager` matches the manager of any user. The query string is ignored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RoutePattern {
    method: Option<String>,
    path: String,
}

impl RoutePattern {
    /// A pattern for one method (`GET`, `POST`, ... case-insensitive) and a path glob.
    pub fn new(method: &str, path: impl Into<String>) -> Self {
        let method = method.trim().to_ascii_uppercase();
        let method = if method.is_empty() || method == "*" {
            None
        } else {
            Some(method)
        };
        Self {
            method,
            path: path.into(),
        }
    }

    /// A pattern for any method.
    pub fn any(path: impl Into<String>) -> Self {
        Self {
            method: None,
            path: path.into(),
        }
    }

    /// Whether the request's method and path match.
    pub fn matches(&self, method: &str, path: &str) -> bool {
        if let Some(m) = &self.method {
            if !m.eq_ignore_ascii_case(method) {
                return false;
            }
        }
        glob_match(&self.path, path)
    }
}

impl fmt::Display for RoutePattern {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.method.as_deref().unwrap_or("*"), self.path)
    }
}

/// `*` matches any (possibly empty) run of characters; everything else matches itself.
pub(crate) fn glob_match(pattern: &str, text: &str) -> bool {
    let mut parts = pattern.split('*');
    let Some(first) = parts.next() else {
        return text.is_empty();
    };
    let Some(mut rest) = text.strip_prefix(first) else {
        return false;
    };
    let pieces: Vec<&str> = parts.collect();
    let Some((last, middle)) = pieces.split_last() else {
        return rest.is_empty();
    };
    for piece in middle {
        match rest.find(piece) {
            Some(at) => rest = &rest[at + piece.len()..],
            None => return false,
        }
    }
    rest.ends_with(last)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn star_matches_across_segments_and_prefixes() {
        assert!(glob_match("/v1.0/groups/*", "/v1.0/groups/g1/members"));
        assert!(glob_match("/v1.0/users/*/manager", "/v1.0/users/u1/manager"));
        assert!(!glob_match("/v1.0/users/*/manager", "/v1.0/users/u1"));
        assert!(glob_match("*", "/anything"));
        assert!(glob_match("/exact", "/exact"));
        assert!(!glob_match("/exact", "/exact/more"));
        assert!(glob_match("/a/*/c/*", "/a/b/c/d"));
        assert!(!glob_match("/a*b*c", "/axxbyy"));
    }

    #[test]
    fn method_is_case_insensitive_and_star_means_any() {
        let p = RoutePattern::new("post", "/x");
        assert!(p.matches("POST", "/x"));
        assert!(!p.matches("GET", "/x"));
        assert!(RoutePattern::new("*", "/x").matches("DELETE", "/x"));
    }
}
