//! Building paths and queries from ids safely.

use crate::GraphError;

/// Percent-encodes one path segment (an id, a UPN such as `x_contoso.com#EXT#@t.onmicrosoft.com`).
/// Empty values and `.`/`..` are refused so an id can never change the path's shape.
pub(crate) fn segment(value: &str) -> Result<String, GraphError> {
    if value.is_empty() || value == "." || value == ".." {
        return Err(GraphError::InvalidRequest(format!("{value:?} is not a valid id")));
    }
    Ok(encode(value, b"-._~@!$&'()*+,;=:"))
}

/// Percent-encodes a query value (keeps what OData needs readable, encodes `&`, `#`, `+`, `%`...).
pub(crate) fn query_value(value: &str) -> String {
    encode(value, b"-._~@!$'()*,;:/= ").replace(' ', "%20")
}

/// Quotes a string literal for an OData `$filter` (single quotes doubled).
pub(crate) fn odata_string(value: &str) -> String {
    format!("'{}'", value.replace('\'', "''"))
}

fn encode(value: &str, keep: &[u8]) -> String {
    let mut out = String::with_capacity(value.len());
    for b in value.bytes() {
        if b.is_ascii_alphanumeric() || keep.contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn guest_upn_is_encoded_so_hash_is_not_a_fragment() {
        let s = segment("adele_fabrikam.com#EXT#@contoso.onmicrosoft.com").expect("segment");
        assert_eq!(s, "adele_fabrikam.com%23EXT%23@contoso.onmicrosoft.com");
    }

    #[test]
    fn ids_cannot_change_the_path() {
        assert!(segment("").is_err());
        assert!(segment("..").is_err());
        assert_eq!(segment("a/b?c").expect("segment"), "a%2Fb%3Fc");
    }

    #[test]
    fn filter_values_are_quoted_and_encoded() {
        assert_eq!(odata_string("O'Brien"), "'O''Brien'");
        assert_eq!(query_value("id eq 'a&b'"), "id%20eq%20'a%26b'");
    }
}
