// Parses Adaptive Cards with the official `adaptivecards` package in plain Node (no DOM is
// needed to parse and validate) and prints one JSON report on stdout.
//
// usage: node parse-cards.js <adaptivecards dist dir> <card.json>...
//
// For each card: the parse events (unknown elements or properties, properties newer than
// the card's 1.5, bad values) with the serialization context targeting version 1.5, the
// events of `validateProperties()` (required ids, labels of required inputs, duplicate ids,
// ...), and the actions as the renderer understood them.
"use strict";

const fs = require("fs");
const path = require("path");

const [distDir, ...files] = process.argv.slice(2);
if (!distDir || files.length === 0) {
  console.error("usage: node parse-cards.js <adaptivecards dist dir> <card.json>...");
  process.exit(2);
}
const AC = require(path.join(path.resolve(distDir), "adaptivecards.js"));

function describeEvent(e) {
  const source = e.source && typeof e.source.getJsonTypeName === "function" ? e.source.getJsonTypeName() : undefined;
  return { phase: e.phase, event: e.event, message: e.message, source };
}

function describeAction(action) {
  const out = { type: action.getJsonTypeName(), title: action.title, id: action.id };
  if (out.type === "Action.Execute") {
    out.verb = action.verb;
    out.data = action.data;
    out.associatedInputs = action.associatedInputs === undefined ? null : action.associatedInputs;
  }
  if (out.type === "Action.ShowCard") {
    out.card = describeCard(action.card);
  }
  return out;
}

function describeCard(card) {
  const actions = [];
  for (let i = 0; i < card.getActionCount(); i++) {
    actions.push(describeAction(card.getActionAt(i)));
  }
  const inputs = card.getAllInputs(false).map((input) => ({
    type: input.getJsonTypeName(),
    id: input.id,
    isRequired: input.isRequired,
    label: input.label,
    errorMessage: input.errorMessage,
  }));
  return { version: card.version ? card.version.toString() : null, items: card.getItemCount(), inputs, actions };
}

const report = files.map((file) => {
  const json = JSON.parse(fs.readFileSync(file, "utf8"));
  const card = new AC.AdaptiveCard();
  const context = new AC.SerializationContext(AC.Versions.v1_5);
  card.parse(json, context);
  const parseEvents = [];
  for (let i = 0; i < context.eventCount; i++) {
    parseEvents.push(describeEvent(context.getEventAt(i)));
  }
  const validationEvents = card.validateProperties().validationEvents.map(describeEvent);
  return { file: path.basename(file), parseEvents, validationEvents, card: describeCard(card) };
});

process.stdout.write(JSON.stringify(report, null, 2) + "\n");
