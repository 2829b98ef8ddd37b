//! jitadmin-events' integration tests in one binary (one binary per file made linking dominate
//! the build): callouts, Graph notifications and Bot activities parsed from the fixtures in
//! `testdata/`.

mod bot_fixtures;
mod callout_fixtures;
mod notification_fixtures;
