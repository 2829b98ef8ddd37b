//! The crate's integration tests, one binary.

mod fixtures;
mod graceful_shutdown;
mod layers;
mod server;
mod support;
mod testing;
