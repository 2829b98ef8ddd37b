// In-page harness for drive-chromium.js: renders a card with the official renderer
// (window.AdaptiveCards, loaded before this file) and records what onExecuteAction receives.
"use strict";

window.__cards = {
  executed: [],

  // Renders `json` into #card; returns the parse events and the buttons shown.
  render(json) {
    this.executed = [];
    const host = document.getElementById("card");
    host.innerHTML = "";
    const card = new AdaptiveCards.AdaptiveCard();
    card.hostConfig = new AdaptiveCards.HostConfig({
      fontFamily: "'Segoe UI', 'Liberation Sans', 'DejaVu Sans', sans-serif",
    });
    card.onExecuteAction = (action) => {
      this.executed.push({
        type: action.getJsonTypeName(),
        verb: action.verb === undefined ? null : action.verb,
        title: action.title,
        data: action.data === undefined ? null : JSON.parse(JSON.stringify(action.data)),
      });
    };
    const context = new AdaptiveCards.SerializationContext(AdaptiveCards.Versions.v1_5);
    card.parse(json, context);
    const events = [];
    for (let i = 0; i < context.eventCount; i++) {
      events.push(context.getEventAt(i).message);
    }
    const element = card.render();
    if (!element) {
      return { events, rendered: false, buttons: [] };
    }
    host.appendChild(element);
    return { events, rendered: true, buttons: this.buttons() };
  },

  // Titles of the visible buttons.
  buttons() {
    return [...document.querySelectorAll("#card button")]
      .filter((b) => b.offsetParent !== null)
      .map((b) => b.textContent.trim());
  },

  // The centre of the visible element `selector` whose text is `text` (any text if null),
  // scrolled into view, in CSS pixels of the viewport.
  locate(selector, text) {
    const el = [...document.querySelectorAll(selector)].find(
      (e) => e.offsetParent !== null && (text === null || e.textContent.trim() === text)
    );
    if (!el) {
      return null;
    }
    el.scrollIntoView({ block: "center" });
    const r = el.getBoundingClientRect();
    return { x: r.left + r.width / 2, y: r.top + r.height / 2 };
  },

  // The card's box in page coordinates, for the screenshot clip.
  box() {
    const r = document.getElementById("card").getBoundingClientRect();
    return { x: r.left + window.scrollX, y: r.top + window.scrollY, width: r.width, height: r.height };
  },

  // What the reason input shows after a blocked click.
  validation() {
    const failed = [...document.querySelectorAll("#card .ac-input-validation-failed")];
    const text = document.getElementById("card").innerText;
    return { failedInputs: failed.length, focused: document.activeElement ? document.activeElement.tagName : null, text };
  },

  take() {
    const out = this.executed;
    this.executed = [];
    return out;
  },
};
