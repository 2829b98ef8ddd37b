//! jitadmin-auth's integration tests in one binary (one binary per file made linking dominate
//! the build): bearer tokens, PoP tokens and Bot Framework tokens against a local key server.

mod support;

mod bearer;
mod bot;
mod pop;
