//! The facts an approval card shows, in every state: requestor, request, answers, devices,
//! history and the rule's explanation. User text goes only into `TextRun`s (see [`super::text`]).

use super::adaptive::{Color, Element, RichTextBlock, Size, Spacing, TextBlock, TextRun, Weight};
use super::model::{ApprovalCard, DeviceLine};
use super::text::{inert, when, Limits};

/// A plain run of user text.
pub fn run(text: String) -> TextRun {
    TextRun {
        text,
        ..TextRun::default()
    }
}

/// A bold run.
pub fn bold(text: String) -> TextRun {
    TextRun {
        weight: Some(Weight::Bolder),
        ..run(text)
    }
}

/// A toned-down run.
pub fn subtle(text: String) -> TextRun {
    TextRun {
        is_subtle: Some(true),
        ..run(text)
    }
}

/// A paragraph of runs.
pub fn para(inlines: Vec<TextRun>) -> Element {
    RichTextBlock {
        inlines,
        spacing: Some(Spacing::Small),
    }
    .into()
}

/// Our own words (never user text): a `TextBlock`.
pub fn own(text: String) -> TextBlock {
    TextBlock {
        text,
        wrap: true,
        ..TextBlock::default()
    }
}

fn heading(text: &str) -> Element {
    TextBlock {
        weight: Some(Weight::Bolder),
        spacing: Some(Spacing::Medium),
        separator: Some(true),
        ..own(text.to_string())
    }
    .into()
}

/// Text in quotation marks: someone else's words.
fn quoted(text: &str) -> String {
    format!("\u{201C}{text}\u{201D}")
}

fn field(label: &str, value: String) -> Element {
    para(vec![subtle(format!("{label}: ")), run(value)])
}

fn more(hidden: usize, what: &str) -> Option<Element> {
    (hidden > 0).then(|| {
        TextBlock {
            is_subtle: Some(true),
            size: Some(Size::Small),
            spacing: Some(Spacing::Small),
            ..own(format!("… and {hidden} more {what}"))
        }
        .into()
    })
}

/// All fact sections, in order.
pub fn facts(card: &ApprovalCard, l: Limits) -> Vec<Element> {
    let mut out = Vec::new();
    requestor(card, l, &mut out);
    request(card, l, &mut out);
    answers(card, l, &mut out);
    devices(card, l, &mut out);
    history(card, l, &mut out);
    out.push(heading("Why you see this"));
    out.push(para(vec![run(inert(&card.explanation, l.long))]));
    out.push(para(vec![subtle(format!(
        "Request {} · stage {}",
        inert(&card.request_id, l.name),
        inert(&card.stage_instance_id, l.name)
    ))]));
    out
}

fn requestor(card: &ApprovalCard, l: Limits, out: &mut Vec<Element>) {
    let r = &card.requestor;
    if let Some(by) = &card.requested_by {
        out.push(heading("Requested by (for someone else)"));
        out.push(field("Name", inert(&by.display_name, l.name)));
        out.push(field("UPN", inert(&by.upn, l.name)));
        out.push(heading("For"));
    } else {
        out.push(heading("Requestor"));
    }
    out.push(field("Name", inert(&r.display_name, l.name)));
    out.push(field("UPN", inert(&r.upn, l.name)));
    let department = r.department.as_deref().map_or("(none)".into(), |d| inert(d, l.name));
    out.push(field("Department", department));
    let manager = r.manager.as_deref().map_or("(none)".into(), |m| inert(m, l.name));
    out.push(field("Manager", manager));
}

fn request(card: &ApprovalCard, l: Limits, out: &mut Vec<Element>) {
    out.push(heading("Request"));
    out.push(field("Access package", inert(&card.access_package, l.name)));
    let duration = card
        .duration
        .as_deref()
        .map_or("(not given)".into(), |d| inert(d, l.name));
    out.push(field("Duration", duration));
    // The requestor's own words, quoted and labelled so that they cannot pass for ours.
    let justification = card
        .justification
        .as_deref()
        .filter(|j| !j.trim().is_empty())
        .map_or("(none given)".into(), |j| quoted(&inert(j, l.long)));
    out.push(field("Justification (the requestor's words)", justification));
}

fn answers(card: &ApprovalCard, l: Limits, out: &mut Vec<Element>) {
    if card.answers.is_empty() {
        return;
    }
    out.push(heading("Answers (the requestor's words)"));
    for a in card.answers.iter().take(l.list) {
        out.push(para(vec![
            subtle(format!("{}: ", inert(&a.question, l.line))),
            run(quoted(&inert(&a.answer, l.long))),
        ]));
    }
    out.extend(more(card.answers.len().saturating_sub(l.list), "answers"));
}

fn devices(card: &ApprovalCard, l: Limits, out: &mut Vec<Element>) {
    out.push(heading("Devices"));
    if card.devices.is_empty() {
        out.push(para(vec![subtle("No Intune-managed devices found".into())]));
        return;
    }
    for d in card.devices.iter().take(l.list) {
        out.push(para(device(d, l)));
    }
    out.extend(more(card.devices.len().saturating_sub(l.list), "devices"));
}

fn device(d: &DeviceLine, l: Limits) -> Vec<TextRun> {
    let mut runs = vec![bold(inert(&d.name, l.name))];
    if let Some(os) = &d.os {
        runs.push(run(format!(" · {}", inert(os, l.name))));
    }
    runs.push(run(" · ".into()));
    runs.push(TextRun {
        color: Some(compliance_color(&d.compliance)),
        ..run(inert(&d.compliance, l.name))
    });
    let sync = d
        .last_sync
        .map_or("never synced".into(), |t| format!("last sync {}", when(t)));
    runs.push(subtle(format!(" · {sync}")));
    runs
}

fn compliance_color(state: &str) -> Color {
    match state.to_ascii_lowercase().as_str() {
        "compliant" => Color::Good,
        "noncompliant" | "error" | "conflict" => Color::Attention,
        _ => Color::Warning,
    }
}

fn history(card: &ApprovalCard, l: Limits, out: &mut Vec<Element>) {
    out.push(heading("Recent elevations"));
    if card.history.is_empty() {
        out.push(para(vec![subtle("None".into())]));
        return;
    }
    for h in card.history.iter().take(l.list) {
        out.push(para(vec![
            subtle(format!("{}  ", when(h.at))),
            run(inert(&h.text, l.line)),
        ]));
    }
    out.extend(more(card.history.len().saturating_sub(l.list), "entries"));
}
