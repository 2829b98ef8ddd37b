//! `request.answers`: the answers to the access package policy's questions, each with its
//! question's id and text (two questions may share a text), in the form's order.

use std::collections::BTreeMap;

use serde::{Deserialize, Deserializer, Serialize};

/// One answer (`request.answerList[]`): which question, and what was answered.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct AnswerFact {
    /// The question's id ("" when the callout did not give it).
    #[serde(default, deserialize_with = "text")]
    pub question_id: String,
    /// The question's text.
    #[serde(default, deserialize_with = "text")]
    pub question: String,
    /// The answer as stored (a choice question's value).
    #[serde(default, deserialize_with = "text")]
    pub value: String,
    /// The answer as shown ("" when the same as the value).
    #[serde(default, deserialize_with = "text")]
    pub display_value: String,
}

impl AnswerFact {
    /// What to show: the displayed text, else the value.
    pub fn shown(&self) -> &str {
        if self.display_value.is_empty() {
            &self.value
        } else {
            &self.display_value
        }
    }
}

/// Answers as a list, or as the older `question text -> answer` object.
pub(crate) fn answers<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<AnswerFact>, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Form {
        List(Vec<AnswerFact>),
        Map(BTreeMap<String, String>),
    }
    Ok(match Option::<Form>::deserialize(d)? {
        None => Vec::new(),
        Some(Form::List(list)) => list,
        Some(Form::Map(map)) => map
            .into_iter()
            .map(|(question, value)| AnswerFact {
                question,
                value,
                ..AnswerFact::default()
            })
            .collect(),
    })
}

/// A string that may be `null` (Graph writes `null` for an empty answer).
fn text<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    Ok(Option::<String>::deserialize(d)?.unwrap_or_default())
}
