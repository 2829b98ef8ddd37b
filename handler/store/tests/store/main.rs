//! jitadmin-store's integration tests in one binary (one binary per file made linking dominate
//! the build): the conformance suite on SQLite and on Table Storage (Azurite, started by the
//! tests), and Table Storage client behaviour against a scripted server.

mod support;

mod conformance;
mod sqlite;
mod table;
mod table_http;
