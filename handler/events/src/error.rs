//! The one error type of this crate: what was wrong with a payload, and where.

/// A payload could not be parsed into its typed form.
///
/// Every variant that concerns a field carries its JSON path (`assignment.target.objectId`,
/// `value[2].lifecycleEvent`). Callout paths use the camelCase spelling whichever form was
/// received, because both forms are normalised to camelCase before parsing.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ParseError {
    /// The body is not JSON at all (or not an object where one is required).
    #[error("body is not valid JSON: {0}")]
    NotJson(String),
    /// A required field is absent.
    #[error("required field `{path}` is missing")]
    Missing {
        /// JSON path of the missing field.
        path: String,
    },
    /// A field has a value we know to be wrong (unknown stage, wrong type, ...).
    #[error("field `{path}` has an unsupported value `{value}`")]
    UnknownValue {
        /// JSON path of the field.
        path: String,
        /// The value received (truncated to 100 characters).
        value: String,
    },
    /// A field has the wrong type or shape.
    #[error("field `{path}`: {message}")]
    Invalid {
        /// JSON path of the field.
        path: String,
        /// What serde said about it.
        message: String,
    },
}

/// A JSON path as it may be shown: letters, digits and `.[]_$@-` only, at most 100 characters.
fn safe_path(path: &str) -> String {
    path.chars()
        .filter(|c| c.is_ascii_alphanumeric() || ".[]_$@-".contains(*c))
        .take(100)
        .collect()
}

impl ParseError {
    /// The JSON path of the offending field, when the error concerns one.
    pub fn path(&self) -> Option<&str> {
        match self {
            ParseError::NotJson(_) => None,
            ParseError::Missing { path } | ParseError::UnknownValue { path, .. } | ParseError::Invalid { path, .. } => {
                Some(path)
            }
        }
    }

    /// What may be said to the sender: the field, never the value they sent (a 400 must not
    /// echo input). The full message, with the value, is for our own log, escaped.
    pub fn public(&self) -> String {
        let path = self.path().map(safe_path);
        match (self, path) {
            (ParseError::NotJson(_), _) => "the body is not valid JSON".to_string(),
            (ParseError::Missing { .. }, Some(p)) => format!("required field `{p}` is missing"),
            (ParseError::UnknownValue { .. }, Some(p)) => format!("field `{p}` has an unsupported value"),
            (ParseError::Invalid { .. }, Some(p)) => format!("field `{p}` has the wrong type or shape"),
            (_, None) => "the body is not valid".to_string(),
        }
    }

    pub(crate) fn unknown_value(path: impl Into<String>, value: &str) -> Self {
        ParseError::UnknownValue {
            path: path.into(),
            value: value.chars().take(100).collect(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_public_message_names_the_field_never_the_value() {
        let e = ParseError::unknown_value("stage", "<script>\nforged log line");
        assert_eq!(e.public(), "field `stage` has an unsupported value");
        let e = ParseError::NotJson("expected value at line 1 column 1: \"<b>\"".into());
        assert_eq!(e.public(), "the body is not valid JSON");
        let e = ParseError::Invalid {
            path: "value[0].<x>\n".into(),
            message: "invalid type: string \"<b>\"".into(),
        };
        assert_eq!(e.public(), "field `value[0].x` has the wrong type or shape");
    }
}
