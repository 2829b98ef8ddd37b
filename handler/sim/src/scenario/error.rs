//! Scenario errors: which file, which field, what is wrong.

/// A scenario could not be read, parsed or validated.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ScenarioError {
    /// The text is not valid TOML/JSON for the scenario format (the message has line and column).
    #[error("{source_name}: {message}")]
    Parse {
        /// The file (or label) the scenario came from.
        source_name: String,
        /// The parser's message.
        message: String,
    },
    /// A field has a value the simulator cannot accept.
    #[error("{source_name}: {field}: {message}")]
    Invalid {
        /// The file (or label) the scenario came from.
        source_name: String,
        /// The field's path, e.g. `users[2].managerId`.
        field: String,
        /// What is wrong with it.
        message: String,
    },
}

impl ScenarioError {
    pub(crate) fn parse(source: &str, message: String) -> Self {
        Self::Parse {
            source_name: source.to_owned(),
            message: message.trim_end().to_owned(),
        }
    }

    pub(crate) fn invalid(source: &str, field: impl Into<String>, message: impl Into<String>) -> Self {
        Self::Invalid {
            source_name: source.to_owned(),
            field: field.into(),
            message: message.into(),
        }
    }

    /// The offending field's path, when the error is about one field.
    pub fn field(&self) -> Option<&str> {
        match self {
            Self::Invalid { field, .. } => Some(field),
            Self::Parse { .. } => None,
        }
    }
}
