//! jitadmin-teams' integration tests in one binary (one binary per file made linking dominate
//! the build): approval cards (content, fixtures, signing, the official parser and renderer in
//! headless Chromium) and the Bot Connector client against tenant-sim.

mod support;

mod card_chromium;
mod card_content;
mod card_fixtures;
mod card_official_parser;
mod card_signing;
mod connector;
