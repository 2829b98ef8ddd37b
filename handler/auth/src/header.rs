//! The `Authorization` header.

use crate::AuthError;

/// The credentials after `scheme ` in an `Authorization` header value, the scheme
/// compared case-insensitively.
pub(crate) fn credentials<'a>(authorization: Option<&'a str>, scheme: &'static str) -> Result<&'a str, AuthError> {
    let value = authorization
        .map(str::trim)
        .filter(|v| !v.is_empty())
        .ok_or(AuthError::MissingHeader)?;
    let Some((got, rest)) = value.split_once(' ') else {
        return Err(if value.eq_ignore_ascii_case(scheme) {
            AuthError::Malformed {
                what: "empty credentials",
            }
        } else {
            AuthError::WrongScheme { expected: scheme }
        });
    };
    if !got.eq_ignore_ascii_case(scheme) {
        return Err(AuthError::WrongScheme { expected: scheme });
    }
    let token = rest.trim();
    if token.is_empty() {
        return Err(AuthError::Malformed {
            what: "empty credentials",
        });
    }
    Ok(token)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scheme_is_case_insensitive_and_token_trimmed() {
        assert_eq!(credentials(Some("bearer  abc "), "Bearer"), Ok("abc"));
        assert_eq!(credentials(Some("PoP x.y.z"), "PoP"), Ok("x.y.z"));
    }

    #[test]
    fn missing_and_wrong_headers_are_told_apart() {
        assert_eq!(credentials(None, "Bearer"), Err(AuthError::MissingHeader));
        assert_eq!(credentials(Some("  "), "Bearer"), Err(AuthError::MissingHeader));
        assert_eq!(
            credentials(Some("Basic dXNlcg=="), "Bearer"),
            Err(AuthError::WrongScheme { expected: "Bearer" })
        );
        assert_eq!(
            credentials(Some("abc"), "Bearer"),
            Err(AuthError::WrongScheme { expected: "Bearer" })
        );
        assert_eq!(
            credentials(Some("Bearer "), "Bearer"),
            Err(AuthError::Malformed {
                what: "empty credentials"
            })
        );
    }
}
