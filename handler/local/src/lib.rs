#![deny(clippy::all)]
#![warn(missing_docs)]
//! azfn-local
pub mod app;
pub mod encoding;
pub mod error;
pub mod store;
