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

    pub(crate) fn unknown_value(path: impl Into<String>, value: &str) -> Self {
        ParseError::UnknownValue {
            path: path.into(),
            value: value.chars().take(100).collect(),
        }
    }
}
