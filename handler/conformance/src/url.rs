//! Splitting a Graph URL (`https://graph.microsoft.com/v1.0/users/{id}?$select=id`, a loopback
//! base such as tenant-sim's, or a bare `/v1.0/...` path) into its version, decoded path segments
//! and decoded query options.

/// Which Graph version a URL addresses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Version {
    V1,
    Beta,
}

impl Version {
    pub fn as_str(self) -> &'static str {
        match self {
            Version::V1 => "v1.0",
            Version::Beta => "beta",
        }
    }
}

/// A Graph URL in pieces.
#[derive(Debug, Clone)]
pub(crate) struct GraphUrl {
    pub version: Version,
    /// Path segments after the version, percent-decoded.
    pub segments: Vec<String>,
    /// Query options in order, names and values decoded (`+` read as a space).
    pub query: Vec<(String, String)>,
}

impl GraphUrl {
    /// The value of a query option, name compared case-insensitively.
    #[cfg(test)]
    pub fn option(&self, name: &str) -> Option<&str> {
        self.query
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// Reads `url`; `Err` says why it is not a Graph URL.
pub(crate) fn parse(url: &str) -> Result<GraphUrl, String> {
    let url = url.split('#').next().unwrap_or_default().trim();
    let rest = match url.split_once("://") {
        // Drop the scheme and authority: tenant-sim serves Graph on a loopback base.
        Some((_, after)) => after.find('/').map(|i| &after[i..]).unwrap_or(""),
        None => url,
    };
    let (path, query) = match rest.split_once('?') {
        Some((p, q)) => (p, Some(q)),
        None => (rest, None),
    };
    let mut raw = path.split('/').filter(|s| !s.is_empty());
    let version = match raw.next() {
        Some("v1.0") => Version::V1,
        Some("beta") => Version::Beta,
        Some(other) => return Err(format!("\"{other}\" is not a Graph version (v1.0 or beta)")),
        None => return Err("the URL has no path".into()),
    };
    let segments = raw.map(|s| decode(s, false)).collect();
    let query = query
        .unwrap_or_default()
        .split('&')
        .filter(|p| !p.is_empty())
        .map(|pair| match pair.split_once('=') {
            Some((k, v)) => (decode(k, true), decode(v, true)),
            None => (decode(pair, true), String::new()),
        })
        .collect();
    Ok(GraphUrl {
        version,
        segments,
        query,
    })
}

/// Percent-decodes (invalid escapes are kept as written); in a query, `+` is a space.
pub(crate) fn decode(text: &str, query: bool) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'%' if i + 2 < bytes.len() => {
                let hex = std::str::from_utf8(&bytes[i + 1..i + 3])
                    .ok()
                    .and_then(|h| u8::from_str_radix(h, 16).ok());
                match hex {
                    Some(b) => {
                        out.push(b);
                        i += 3;
                        continue;
                    }
                    None => out.push(b'%'),
                }
            }
            b'+' if query => out.push(b' '),
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Splits at `sep` outside parentheses and quotes (`$expand=a($select=x,y),b`).
pub(crate) fn split_top(text: &str, sep: char) -> Vec<String> {
    let mut out = Vec::new();
    let mut depth = 0i32;
    let mut quoted = false;
    let mut cur = String::new();
    for c in text.chars() {
        match c {
            '\'' => quoted = !quoted,
            '(' if !quoted => depth += 1,
            ')' if !quoted => depth -= 1,
            c if c == sep && depth == 0 && !quoted => {
                out.push(std::mem::take(&mut cur));
                continue;
            }
            _ => {}
        }
        cur.push(c);
    }
    out.push(cur);
    out.into_iter()
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn absolute_loopback_and_relative_urls_read_alike() {
        for u in [
            "https://graph.microsoft.com/v1.0/users/a%40b.com?$select=id,mail",
            "http://127.0.0.1:4000/v1.0/users/a%40b.com?%24select=id%2Cmail",
            "/v1.0/users/a%40b.com?$select=id,mail",
        ] {
            let g = parse(u).expect("url");
            assert_eq!(g.version, Version::V1);
            assert_eq!(g.segments, vec!["users", "a@b.com"]);
            assert_eq!(g.option("$select"), Some("id,mail"));
        }
        assert!(parse("/v2/users").is_err());
        assert_eq!(parse("/beta/x").expect("beta").version, Version::Beta);
    }

    #[test]
    fn decoding_keeps_bad_escapes_and_reads_plus_in_queries() {
        assert_eq!(decode("a%2", false), "a%2");
        assert_eq!(decode("a+b%20c", true), "a b c");
        assert_eq!(decode("a+b", false), "a+b");
    }

    #[test]
    fn top_level_split_ignores_nested_and_quoted_commas() {
        assert_eq!(
            split_top("a($select=x,y),b,'c,d'", ','),
            vec!["a($select=x,y)", "b", "'c,d'"]
        );
    }
}
