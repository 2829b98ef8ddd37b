//! Renders an [`ApprovalCard`] in a [`CardState`] as Adaptive Card 1.5 JSON.
//!
//! Layout: a coloured header (title, who asks for what, where the approval stands), the
//! facts ([`super::sections`]), and, only while pending, the actions:
//!
//! - **Approve**: `Action.Execute`, verb `approve`, `associatedInputs: "none"` (one click).
//! - **Deny…**: an `Action.ShowCard` revealing a required `Input.Text` `reason` (with label
//!   and error message) and the **Deny** `Action.Execute`, verb `deny`, `associatedInputs:
//!   "auto"`: the client blocks the click while the reason is empty, and Teams merges the
//!   reason into the action data under `reason`. Inputs in a show-card are never submitted
//!   by an action on the parent card, so Approve cannot carry (or be blocked by) it.
//!
//! Both actions carry the same signed data (`stageInstanceId`, `requestId`, `expiresAt`,
//! `mac`) plus their `verb`; see [`super::sign`].
//!
//! **Refresh**: the cards carry no `refresh`. Every viewer sees the same card,
//! so no user-specific view is needed; the clicking approver gets the new card as the invoke
//! answer, and the app PUTs the base message after each state change, which updates every
//! viewer's card. A `refresh` would instead make each viewer's client invoke the bot
//! (automatically for up to 60 users) for nothing. How `refresh` behaves:
//! <https://learn.microsoft.com/microsoftteams/platform/task-modules-and-cards/cards/universal-actions-for-adaptive-cards/work-with-universal-actions-for-adaptive-cards>
//!
//! No `fallback: "Action.Submit"`: an `Action.Submit` click would not reach the bot as an
//! `adaptiveCard/action` invoke, and clients older than 1.5 show the card's `fallbackText`.
//!
//! The card sets Teams' `msteams.width = "Full"` (not part of the Adaptive Card schema).

use chrono::{DateTime, Utc};
use serde_json::{Map, Value};

use super::adaptive::{
    Action, ActionStyle, AdaptiveCard, AssociatedInputs, Color, Container, ContainerStyle, Element, Execute, InputText,
    MsTeams, ShowCard, Size, TextBlock, TextRun, Weight, SCHEMA, VERSION,
};
use super::model::{ApprovalCard, CardState, Verb};
use super::sections::{bold, facts, own, para, run, subtle};
use super::sign::{CardSigner, REASON_MAX_CHARS};
use super::text::{inert, when, Limits, CARD_BUDGET_BYTES};

/// The id of the reason input, and so its key in the Deny action's data.
pub const REASON_INPUT_ID: &str = "reason";

const TITLE: &str = "Local admin request";
const SHORTENED: &str = "Some details were shortened to fit a Teams message.";
const FALLBACK: &str = "A local admin request needs an approver. Open it in Microsoft Teams to decide.";

/// The Adaptive Card for `card` in `state`; signed Approve and Deny actions when pending,
/// no actions otherwise.
///
/// User text is cut to at most 1,000 characters a field and 10 entries a list; if the card's
/// JSON is still over 24,000 bytes (Teams refuses messages over about 28 KB) it is rendered
/// again with tighter limits (200 characters, 3 entries) and says details were shortened.
pub fn render(card: &ApprovalCard, state: &CardState, signer: &CardSigner) -> Value {
    let full = render_with(card, state, signer, Limits::FULL);
    if serde_json::to_vec(&full).map_or(0, |b| b.len()) <= CARD_BUDGET_BYTES {
        return full;
    }
    render_with(card, state, signer, Limits::COMPACT)
}

fn render_with(card: &ApprovalCard, state: &CardState, signer: &CardSigner, l: Limits) -> Value {
    let mut body = vec![header(card, state, l)];
    body.extend(facts(card, l));
    if l == Limits::COMPACT {
        body.push(
            TextBlock {
                is_subtle: Some(true),
                size: Some(Size::Small),
                ..own(SHORTENED.into())
            }
            .into(),
        );
    }
    let actions = match state {
        CardState::Pending => actions(card, signer),
        _ => Vec::new(),
    };
    to_value(root(body, actions))
}

/// A small card for an approver who clicks after someone else decided: who, what, when.
pub fn already_decided(by: &str, verb: Verb, at: DateTime<Utc>) -> Value {
    let (done, style) = decided_words(verb);
    let banner = Container {
        items: vec![
            title_block("Already decided"),
            para(vec![
                run(format!("{done} by ")),
                bold(inert(by, Limits::FULL.name)),
                run(format!(" at {}. Your click changed nothing.", when(at))),
            ]),
        ],
        style: Some(style),
        bleed: Some(true),
        ..Container::default()
    };
    to_value(root(vec![banner.into()], Vec::new()))
}

fn root(body: Vec<Element>, actions: Vec<Action>) -> AdaptiveCard {
    AdaptiveCard {
        schema: Some(SCHEMA),
        version: Some(VERSION),
        fallback_text: Some(FALLBACK.into()),
        body,
        actions,
        msteams: Some(MsTeams { width: "Full" }),
    }
}

fn to_value(card: AdaptiveCard) -> Value {
    // Plain structs of strings, numbers and maps: serialising cannot fail.
    serde_json::to_value(card).unwrap_or(Value::Null)
}

fn title_block(text: &str) -> Element {
    TextBlock {
        size: Some(Size::Large),
        weight: Some(Weight::Bolder),
        ..own(text.to_string())
    }
    .into()
}

fn decided_words(verb: Verb) -> (&'static str, ContainerStyle) {
    match verb {
        Verb::Approve => ("Approved", ContainerStyle::Good),
        Verb::Deny => ("Denied", ContainerStyle::Attention),
    }
}

fn header(card: &ApprovalCard, state: &CardState, l: Limits) -> Element {
    let mut asks = match &card.requested_by {
        // Filed for someone else: "Megan Bowen asks for Lynne Robbins: Local admin".
        Some(by) => vec![
            bold(inert(&by.display_name, l.name)),
            run(" asks for ".into()),
            bold(inert(&card.requestor.display_name, l.name)),
            run(": ".into()),
            bold(inert(&card.access_package, l.name)),
        ],
        None => vec![
            bold(inert(&card.requestor.display_name, l.name)),
            run(" asks for ".into()),
            bold(inert(&card.access_package, l.name)),
        ],
    };
    if let Some(d) = &card.duration {
        asks.push(run(format!(" for {}", inert(d, l.name))));
    }
    let mut items = vec![title_block(TITLE), para(asks)];
    items.extend(status(card, state, l));
    Container {
        items,
        style: Some(header_style(state)),
        bleed: Some(true),
        ..Container::default()
    }
    .into()
}

fn header_style(state: &CardState) -> ContainerStyle {
    match state {
        CardState::Pending => ContainerStyle::Emphasis,
        CardState::Applying { .. } => ContainerStyle::Accent,
        CardState::Approved { .. } => ContainerStyle::Good,
        CardState::Denied { .. } | CardState::Error { .. } => ContainerStyle::Attention,
        CardState::Expired { .. } => ContainerStyle::Warning,
    }
}

fn colored(text: String, color: Color) -> TextRun {
    TextRun {
        color: Some(color),
        ..bold(text)
    }
}

fn status(card: &ApprovalCard, state: &CardState, l: Limits) -> Vec<Element> {
    match state {
        CardState::Pending => vec![para(vec![
            colored("Waiting for an approver".into(), Color::Accent),
            subtle(format!(" · expires {}", when(card.expires_at))),
        ])],
        CardState::Applying { by, verb, at } => {
            let decision = match verb {
                Verb::Approve => "Approval",
                Verb::Deny => "Denial",
            };
            vec![para(vec![
                colored(format!("{decision} recorded, applying…"), Color::Accent),
                run(" by ".into()),
                bold(inert(by, l.name)),
                subtle(format!(" at {}", when(*at))),
            ])]
        }
        CardState::Approved { by, at, reason } => {
            let mut out = vec![decided("Approved", Color::Good, by, *at, l)];
            out.extend(
                reason
                    .as_deref()
                    .filter(|r| !r.trim().is_empty())
                    .map(|r| reason_line(r, l)),
            );
            out
        }
        CardState::Denied { by, at, reason } => {
            vec![decided("Denied", Color::Attention, by, *at, l), reason_line(reason, l)]
        }
        CardState::Expired { at, why } => {
            let why = match why.trim() {
                "" => "The request timed out before anyone decided.".to_string(),
                why => inert(why, l.line),
            };
            vec![
                para(vec![
                    colored("No longer open".into(), Color::Warning),
                    subtle(format!(" · {}", when(*at))),
                ]),
                para(vec![run(why)]),
            ]
        }
        CardState::Error { message } => vec![para(vec![
            colored("Error: ".into(), Color::Attention),
            run(inert(message, l.line)),
        ])],
    }
}

fn decided(word: &str, color: Color, by: &str, at: DateTime<Utc>, l: Limits) -> Element {
    para(vec![
        colored(word.to_string(), color),
        run(" by ".into()),
        bold(inert(by, l.name)),
        subtle(format!(" at {}", when(at))),
    ])
}

fn reason_line(reason: &str, l: Limits) -> Element {
    para(vec![subtle("Reason: ".into()), run(inert(reason, l.line))])
}

fn action_data(card: &ApprovalCard, verb: Verb, signer: &CardSigner) -> Map<String, Value> {
    let expires_at = card.expires_at.timestamp();
    let mac = signer.sign(&card.stage_instance_id, &card.request_id, expires_at);
    let mut data = Map::new();
    data.insert("verb".into(), verb.as_str().into());
    data.insert("stageInstanceId".into(), card.stage_instance_id.clone().into());
    data.insert("requestId".into(), card.request_id.clone().into());
    data.insert("expiresAt".into(), expires_at.into());
    data.insert("mac".into(), mac.into());
    data
}

fn actions(card: &ApprovalCard, signer: &CardSigner) -> Vec<Action> {
    let approve = Execute {
        id: "approve",
        title: "Approve",
        verb: Verb::Approve.as_str(),
        style: Some(ActionStyle::Positive),
        data: action_data(card, Verb::Approve, signer),
        associated_inputs: AssociatedInputs::None,
    };
    let deny = Execute {
        id: "deny",
        title: "Deny",
        verb: Verb::Deny.as_str(),
        style: Some(ActionStyle::Destructive),
        data: action_data(card, Verb::Deny, signer),
        associated_inputs: AssociatedInputs::Auto,
    };
    let reason = InputText {
        id: REASON_INPUT_ID,
        label: "Reason for denying (the requestor sees it)",
        placeholder: Some("Why is this request denied?"),
        is_multiline: true,
        is_required: true,
        error_message: Some("Give a reason to deny the request."),
        max_length: Some(REASON_MAX_CHARS),
    };
    let deny_card = AdaptiveCard {
        schema: None,
        version: None,
        fallback_text: None,
        body: vec![Element::InputText(reason)],
        actions: vec![Action::Execute(deny)],
        msteams: None,
    };
    vec![
        Action::Execute(approve),
        Action::ShowCard(ShowCard {
            id: "deny-reason",
            title: "Deny…",
            style: Some(ActionStyle::Destructive),
            card: Box::new(deny_card),
        }),
    ]
}
