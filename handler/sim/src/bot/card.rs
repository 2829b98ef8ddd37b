//! Reading Adaptive Cards the way a Teams client does: the card of an activity, its
//! `Action.Execute` actions (in `actions`, in `ActionSet`s, as `selectAction`, and inside
//! `Action.ShowCard` cards), and the inputs a click sends along.

use serde_json::{Map, Value};

/// The attachment content type of an Adaptive Card.
pub const ADAPTIVE_CARD: &str = "application/vnd.microsoft.card.adaptive";

/// The first Adaptive Card attachment's content of an activity.
pub(crate) fn first_card(activity: &Value) -> Option<&Value> {
    activity
        .get("attachments")?
        .as_array()?
        .iter()
        .find(|a| a.get("contentType").and_then(Value::as_str) == Some(ADAPTIVE_CARD))?
        .get("content")
}

/// An `Action.Execute` found on a card, with the inputs a click on it sends.
#[derive(Debug, Clone, PartialEq)]
pub struct CardAction {
    /// The action's `id`, if it has one.
    pub id: Option<String>,
    /// The action's `verb`.
    pub verb: String,
    /// The action's `title`.
    pub title: Option<String>,
    /// The action's `data` (`Value::Null` when absent).
    pub data: Value,
    /// The inputs sent with a click: those of the action's card and of every card enclosing
    /// it (`associatedInputs: "auto"`, the default), none for `associatedInputs: "none"`.
    pub inputs: Vec<CardInput>,
}

/// An input element of a card.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CardInput {
    /// The input's `id` (its key in the action's data).
    pub id: String,
    /// Its type, e.g. `Input.Text`.
    pub kind: String,
    /// The value sent when the user types nothing: the input's `value` (for `Input.Toggle`
    /// without one, its `valueOff`, default `"false"`).
    pub default: Option<String>,
    /// `isRequired`.
    pub is_required: bool,
}

impl CardAction {
    /// The `data` Teams sends for a click: the action's data with the input values merged in
    /// (input ids as keys; a typed value wins over the default, an input wins over data).
    /// `typed` holds what the user entered; inputs left out send their default, if any.
    pub fn merged_data(&self, typed: &Map<String, Value>) -> Value {
        let mut data = match &self.data {
            Value::Object(map) => map.clone(),
            Value::Null => Map::new(),
            // A string `data` cannot take inputs (UNCONFIRMED what Teams does): sent as is.
            other => return other.clone(),
        };
        for input in &self.inputs {
            let value = typed
                .get(&input.id)
                .cloned()
                .or_else(|| input.default.clone().map(Value::String));
            if let Some(value) = value {
                data.insert(input.id.clone(), value);
            }
        }
        Value::Object(data)
    }
}

/// Every `Action.Execute` on the card (outside its `refresh`): those in `body`, then in
/// `actions`, then in `Action.ShowCard` cards.
pub fn execute_actions(card: &Value) -> Vec<CardAction> {
    let mut found = Vec::new();
    walk_card(card, &mut Vec::new(), &mut found);
    found
}

/// The first `Action.Execute` with this verb on the card (outside its `refresh`).
pub fn find_action(card: &Value, verb: &str) -> Option<CardAction> {
    execute_actions(card).into_iter().find(|a| a.verb == verb)
}

/// The card's `refresh.action` (an `Action.Execute`; a refresh sends no inputs).
pub fn refresh_action(card: &Value) -> Option<CardAction> {
    let action = card.get("refresh")?.get("action")?;
    (action.get("type").and_then(Value::as_str) == Some("Action.Execute")).then(|| CardAction {
        id: str_field(action, "id"),
        verb: str_field(action, "verb").unwrap_or_default(),
        title: str_field(action, "title"),
        data: action.get("data").cloned().unwrap_or(Value::Null),
        inputs: Vec::new(),
    })
}

/// Walks one card: collects its inputs, then its actions with the inputs of `enclosing` cards.
fn walk_card(card: &Value, enclosing: &mut Vec<Vec<CardInput>>, found: &mut Vec<CardAction>) {
    let mut own = Vec::new();
    let mut subcards = Vec::new();
    let mut actions = Vec::new();
    if let Some(map) = card.as_object() {
        // `body` before `actions`, as a card renders (JSON maps here are sorted by key).
        let first = ["body", "actions"].into_iter().filter_map(|k| map.get(k));
        let rest = map
            .iter()
            .filter(|(k, _)| !matches!(k.as_str(), "body" | "actions" | "refresh"))
            .map(|(_, v)| v);
        for value in first.chain(rest) {
            scan(value, &mut own, &mut actions, &mut subcards);
        }
    }
    enclosing.push(own);
    for action in actions {
        let inputs = match action.get("associatedInputs").and_then(Value::as_str) {
            Some(mode) if mode.eq_ignore_ascii_case("none") => Vec::new(),
            _ => enclosing.iter().flatten().cloned().collect(),
        };
        found.push(CardAction {
            id: str_field(action, "id"),
            verb: str_field(action, "verb").unwrap_or_default(),
            title: str_field(action, "title"),
            data: action.get("data").cloned().unwrap_or(Value::Null),
            inputs,
        });
    }
    for sub in subcards {
        walk_card(sub, enclosing, found);
    }
    enclosing.pop();
}

/// Finds inputs, `Action.Execute`s and `Action.ShowCard` cards in one card's elements.
fn scan<'a>(
    value: &'a Value,
    inputs: &mut Vec<CardInput>,
    actions: &mut Vec<&'a Value>,
    subcards: &mut Vec<&'a Value>,
) {
    match value {
        Value::Array(items) => items.iter().for_each(|v| scan(v, inputs, actions, subcards)),
        Value::Object(map) => {
            let kind = map.get("type").and_then(Value::as_str).unwrap_or_default();
            if kind == "Action.ShowCard" {
                if let Some(card) = map.get("card") {
                    subcards.push(card);
                }
                return;
            }
            if kind == "Action.Execute" {
                actions.push(value);
            }
            if kind.starts_with("Input.") {
                if let Some(id) = map.get("id").and_then(Value::as_str) {
                    inputs.push(CardInput {
                        id: id.to_owned(),
                        kind: kind.to_owned(),
                        default: input_default(kind, map),
                        is_required: map.get("isRequired").and_then(Value::as_bool).unwrap_or(false),
                    });
                }
            }
            for (key, v) in map {
                if key != "data" {
                    scan(v, inputs, actions, subcards);
                }
            }
        }
        _ => {}
    }
}

fn input_default(kind: &str, map: &Map<String, Value>) -> Option<String> {
    let text = |v: &Value| match v {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    };
    match map.get("value").and_then(text) {
        Some(v) => Some(v),
        None if kind == "Input.Toggle" => Some(map.get("valueOff").and_then(text).unwrap_or_else(|| "false".into())),
        None => None,
    }
}

fn str_field(v: &Value, key: &str) -> Option<String> {
    v.get(key).and_then(Value::as_str).map(str::to_owned)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn card() -> Value {
        json!({
            "type": "AdaptiveCard", "version": "1.5",
            "refresh": { "action": { "type": "Action.Execute", "verb": "refresh", "data": {"r": 1} } },
            "body": [
                { "type": "Input.Text", "id": "comment", "value": "none" },
                { "type": "ActionSet", "actions": [
                    { "type": "Action.Execute", "verb": "approve", "title": "Approve", "data": { "requestId": "R1" } }
                ] }
            ],
            "actions": [
                { "type": "Action.ShowCard", "title": "Deny…", "card": {
                    "type": "AdaptiveCard",
                    "body": [ { "type": "Input.Text", "id": "reason", "isRequired": true } ],
                    "actions": [ { "type": "Action.Execute", "id": "deny", "verb": "deny", "data": { "requestId": "R1" } } ]
                } },
                { "type": "Action.Execute", "verb": "quiet", "associatedInputs": "none", "data": { "requestId": "R1" } }
            ]
        })
    }

    #[test]
    fn actions_are_found_in_action_sets_and_show_cards_but_not_in_refresh() {
        let verbs: Vec<String> = execute_actions(&card()).into_iter().map(|a| a.verb).collect();
        assert_eq!(verbs, ["approve", "quiet", "deny"]);
        let refresh = refresh_action(&card()).unwrap();
        assert_eq!((refresh.verb.as_str(), &refresh.data), ("refresh", &json!({"r": 1})));
    }

    #[test]
    fn a_nested_action_sends_its_card_inputs_and_the_enclosing_ones() {
        let deny = find_action(&card(), "deny").unwrap();
        let ids: Vec<&str> = deny.inputs.iter().map(|i| i.id.as_str()).collect();
        assert_eq!(ids, ["comment", "reason"]);
        let mut typed = Map::new();
        typed.insert("reason".into(), json!("no ticket"));
        assert_eq!(
            deny.merged_data(&typed),
            json!({ "requestId": "R1", "comment": "none", "reason": "no ticket" })
        );
        assert!(find_action(&card(), "quiet").unwrap().inputs.is_empty());
        let approve = find_action(&card(), "approve").unwrap();
        assert_eq!(approve.inputs.len(), 1);
    }
}
