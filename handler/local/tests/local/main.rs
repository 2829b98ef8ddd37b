//! azfn-local's integration tests in one binary (one binary per file made linking dominate the
//! build): a local host started per test against the in-process test handler (or the spawned
//! `test-handler` example), with its front door, queues, timers, keys and admin API.

mod support;

mod admin_api;
mod crash_recovery;
mod forwarding;
mod front_door_to_queue;
mod function_keys;
mod handler_logs;
mod idle;
mod retries_and_dead_letters;
mod sessions;
mod spawn_mode;
mod timers;
