//! Key encoding: any id becomes a safe Table Storage PartitionKey/RowKey.
//!
//! Table Storage forbids `/ \ # ?` and control characters (U+0000–U+001F, U+007F–U+009F) in keys,
//! and `%` and `'` make trouble in entity URLs and filters. Each such character (and the escape
//! character `~` itself) becomes `~XX` per UTF-8 byte, upper-case hex; everything else, unicode
//! included, stays as it is. The encoding is reversible and keeps ids apart.
//!
//! Keys are limited to 1 KiB (UTF-16); an encoded key longer than [`MAX_PLAIN_KEY_UNITS`] UTF-16
//! units becomes its first characters, `~~` (which no plain encoding contains) and the SHA-256 of the whole
//! encoded key. Such keys cannot be decoded, which is why every record also stores its ids as
//! ordinary properties.

use sha2::{Digest, Sha256};

/// Encoded keys longer than this (in UTF-16 units) are shortened with a hash, so that a key with a
/// short prefix (as the audit partitions have) stays far below Table Storage's 1 KiB.
pub const MAX_PLAIN_KEY_UNITS: usize = 256;
/// How many chars of a long encoded key are kept before the hash (at most 256 UTF-16 units).
const KEPT_PREFIX_CHARS: usize = 128;

fn must_escape(c: char) -> bool {
    matches!(c, '/' | '\\' | '#' | '?' | '%' | '\'' | '~') || c.is_control()
}

/// Encodes an id for use as (part of) a PartitionKey or RowKey.
pub fn encode_key(id: &str) -> String {
    let mut out = String::with_capacity(id.len());
    for c in id.chars() {
        if must_escape(c) {
            let mut buf = [0u8; 4];
            for b in c.encode_utf8(&mut buf).bytes() {
                out.push('~');
                out.push_str(&format!("{b:02X}"));
            }
        } else {
            out.push(c);
        }
    }
    if out.encode_utf16().count() <= MAX_PLAIN_KEY_UNITS {
        return out;
    }
    let digest = Sha256::digest(out.as_bytes());
    let prefix: String = out.chars().take(KEPT_PREFIX_CHARS).collect();
    // Do not cut an escape sequence in half: drop a trailing partial `~X`.
    let prefix = match prefix.rfind('~') {
        Some(i) if prefix.len() - i < 3 => prefix[..i].to_string(),
        _ => prefix,
    };
    let hex: String = digest.iter().map(|b| format!("{b:02x}")).collect();
    format!("{prefix}~~{hex}")
}

/// Decodes a key made by [`encode_key`]; `None` for hashed (long) keys or text that is not an
/// encoding.
pub fn decode_key(key: &str) -> Option<String> {
    if key.contains("~~") {
        return None;
    }
    let mut bytes = Vec::with_capacity(key.len());
    let mut rest = key.as_bytes();
    while let Some((&b, tail)) = rest.split_first() {
        if b == b'~' {
            let hex = tail.get(..2)?;
            let hex = std::str::from_utf8(hex).ok()?;
            bytes.push(u8::from_str_radix(hex, 16).ok()?);
            rest = &tail[2..];
        } else {
            bytes.push(b);
            rest = tail;
        }
    }
    String::from_utf8(bytes).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn is_table_safe(key: &str) -> bool {
        !key.chars()
            .any(|c| matches!(c, '/' | '\\' | '#' | '?' | '%' | '\'') || c.is_control())
    }

    #[test]
    fn hostile_ids_round_trip_and_are_safe() {
        let ids = [
            "plain-id",
            "a/b\\c#d?e%f'g~h",
            "tab\there\nnewline\u{0}\u{7f}\u{9f}",
            "ünïcödé 🎉 日本",
            "~41",
            "",
        ];
        for id in ids {
            let key = encode_key(id);
            assert!(is_table_safe(&key), "{key:?}");
            assert_eq!(decode_key(&key).as_deref(), Some(id));
        }
    }

    #[test]
    fn distinct_ids_stay_distinct() {
        assert_ne!(encode_key("a/b"), encode_key("a~2Fb"));
        assert_ne!(encode_key("~"), encode_key("~7E"));
    }

    #[test]
    fn long_ids_are_hashed_deterministically_and_fit() {
        let long = "/".repeat(1024);
        let key = encode_key(&long);
        assert_eq!(key, encode_key(&long));
        assert!(key.chars().count() <= KEPT_PREFIX_CHARS + 2 + 64);
        assert!(is_table_safe(&key));
        let emoji = encode_key(&"😀".repeat(200));
        assert!(
            emoji.encode_utf16().count() <= 2 * KEPT_PREFIX_CHARS + 2 + 64,
            "{}",
            emoji.len()
        );
        assert_eq!(decode_key(&key), None);
        let other = format!("{}x", "/".repeat(1023));
        assert_ne!(encode_key(&other), key);
    }

    #[test]
    fn malformed_keys_do_not_decode() {
        assert_eq!(decode_key("~4"), None);
        assert_eq!(decode_key("~ZZ"), None);
        assert_eq!(decode_key("~FF"), None);
    }
}
