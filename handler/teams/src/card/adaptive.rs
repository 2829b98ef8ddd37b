//! The subset of Adaptive Card 1.5 the approval cards use, as typed structs. Field names and
//! values follow `adaptive-card.schema.json`; `None` and empty lists are left out.

use serde::Serialize;
use serde_json::{Map, Value};

/// The card version Teams asks for with `Action.Execute`.
pub const VERSION: &str = "1.5";
/// The schema URL cards name in `$schema`.
pub const SCHEMA: &str = "http://adaptivecards.io/schemas/adaptive-card.json";

/// `AdaptiveCard`: the root card, or the card inside an `Action.ShowCard`.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase", tag = "type", rename = "AdaptiveCard")]
pub struct AdaptiveCard {
    /// `$schema` (root card only).
    #[serde(rename = "$schema", skip_serializing_if = "Option::is_none")]
    pub schema: Option<&'static str>,
    /// Required on the root card, absent in a show-card.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub version: Option<&'static str>,
    /// Shown by clients older than `version`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fallback_text: Option<String>,
    /// The elements.
    pub body: Vec<Element>,
    /// The action bar.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub actions: Vec<Action>,
    /// Teams-only (not in the Adaptive Card schema).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub msteams: Option<MsTeams>,
}

/// Teams' `msteams` card property.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct MsTeams {
    /// `Full`: use the whole message width.
    pub width: &'static str,
}

/// A card element.
#[derive(Debug, Clone, Serialize)]
#[serde(tag = "type")]
pub enum Element {
    /// `TextBlock`: Markdown is processed in its text, so only our own text goes in one.
    TextBlock(TextBlock),
    /// `RichTextBlock`: text runs, no Markdown; where text from users goes.
    RichTextBlock(RichTextBlock),
    /// `Container`.
    Container(Container),
    /// `Input.Text`.
    #[serde(rename = "Input.Text")]
    InputText(InputText),
}

/// Spacing before an element.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum Spacing {
    /// `small`
    Small,
    /// `medium`
    Medium,
}

/// Text colour.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum Color {
    /// `accent`
    Accent,
    /// `good`
    Good,
    /// `warning`
    Warning,
    /// `attention`
    Attention,
}

/// Text size.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum Size {
    /// `small`
    Small,
    /// `large`
    Large,
}

/// Text weight.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum Weight {
    /// `bolder`
    Bolder,
}

/// `Container` style.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum ContainerStyle {
    /// `emphasis`
    Emphasis,
    /// `good`
    Good,
    /// `attention`
    Attention,
    /// `warning`
    Warning,
    /// `accent`
    Accent,
}

/// `TextBlock`.
#[derive(Debug, Clone, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct TextBlock {
    /// The text (Markdown subset).
    pub text: String,
    /// Wrap instead of clipping.
    pub wrap: bool,
    /// `heading` for section titles (accessibility).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub style: Option<&'static str>,
    /// Size.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub size: Option<Size>,
    /// Weight.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub weight: Option<Weight>,
    /// Colour.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub color: Option<Color>,
    /// Toned down.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub is_subtle: Option<bool>,
    /// Spacing before.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub spacing: Option<Spacing>,
    /// A line above.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub separator: Option<bool>,
}

/// `RichTextBlock`.
#[derive(Debug, Clone, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RichTextBlock {
    /// The runs.
    pub inlines: Vec<TextRun>,
    /// Spacing before.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub spacing: Option<Spacing>,
}

/// `TextRun`: plain text, never Markdown.
#[derive(Debug, Clone, Default, Serialize)]
#[serde(rename_all = "camelCase", tag = "type", rename = "TextRun")]
pub struct TextRun {
    /// The text.
    pub text: String,
    /// Weight.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub weight: Option<Weight>,
    /// Colour.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub color: Option<Color>,
    /// Toned down.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub is_subtle: Option<bool>,
    /// Italic.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub italic: Option<bool>,
}

/// `Container`.
#[derive(Debug, Clone, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Container {
    /// The elements.
    pub items: Vec<Element>,
    /// Style.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub style: Option<ContainerStyle>,
    /// Bleed through the card's padding.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub bleed: Option<bool>,
    /// Spacing before.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub spacing: Option<Spacing>,
    /// A line above.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub separator: Option<bool>,
}

/// `Input.Text`.
#[derive(Debug, Clone, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct InputText {
    /// The key of its value in the action data.
    pub id: &'static str,
    /// Label shown above it.
    pub label: &'static str,
    /// Placeholder.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub placeholder: Option<&'static str>,
    /// Multi-line.
    pub is_multiline: bool,
    /// Required: the action that submits it is blocked while empty.
    pub is_required: bool,
    /// Shown when a required value is missing.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error_message: Option<&'static str>,
    /// Maximum length (a hint some clients ignore).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max_length: Option<usize>,
}

/// An action.
#[derive(Debug, Clone, Serialize)]
#[serde(tag = "type")]
pub enum Action {
    /// `Action.Execute` (Universal Actions): an `adaptiveCard/action` invoke to the bot.
    #[serde(rename = "Action.Execute")]
    Execute(Execute),
    /// `Action.ShowCard`: reveals a card below the actions.
    #[serde(rename = "Action.ShowCard")]
    ShowCard(ShowCard),
}

/// `Action.Execute`.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Execute {
    /// Action id.
    pub id: &'static str,
    /// Button label.
    pub title: &'static str,
    /// The verb the bot receives.
    pub verb: &'static str,
    /// `positive` or `destructive`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub style: Option<ActionStyle>,
    /// Data merged with the input values.
    pub data: Map<String, Value>,
    /// `auto` (inputs of this card and its parents) or `none`.
    pub associated_inputs: AssociatedInputs,
}

/// `Action.ShowCard`.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ShowCard {
    /// Action id.
    pub id: &'static str,
    /// Button label.
    pub title: &'static str,
    /// `positive` or `destructive`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub style: Option<ActionStyle>,
    /// The card shown.
    pub card: Box<AdaptiveCard>,
}

/// Action style.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum ActionStyle {
    /// `positive`
    Positive,
    /// `destructive`
    Destructive,
}

/// Which inputs an action submits.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum AssociatedInputs {
    /// `auto`
    Auto,
    /// `none`
    None,
}

impl From<TextBlock> for Element {
    fn from(t: TextBlock) -> Self {
        Element::TextBlock(t)
    }
}

impl From<RichTextBlock> for Element {
    fn from(t: RichTextBlock) -> Self {
        Element::RichTextBlock(t)
    }
}

impl From<Container> for Element {
    fn from(c: Container) -> Self {
        Element::Container(c)
    }
}
