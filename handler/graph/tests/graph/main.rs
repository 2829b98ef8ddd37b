//! jitadmin-graph's integration tests in one binary (one binary per file made linking dominate
//! the build): the client against a mock Graph on loopback — retries and throttling, paging and
//! delta, `$batch`, resume, operations, logging.

mod support;

mod batch;
mod logging;
mod operations;
mod paging_delta;
mod resume;
mod retries;
