//! jitadmin's benchmarks: every figure is a ratio against a baseline measured in
//! the same run, so the numbers mean something on a noisy, shared machine. `bench` prints a
//! table, then one JSON line with every figure as its last line. Nothing here asserts on
//! speed.
//!
//! One module per row: [`cold_start`], [`callout`], [`notifications`], [`decisions`],
//! [`burst`], [`memory`]; [`report`] builds the table and the JSON line.

pub mod ack;
pub mod binaries;
pub mod burst;
pub mod callout;
pub mod cold_start;
pub mod decisions;
pub mod envelope;
pub mod handler_process;
pub mod load;
pub mod memory;
pub mod notifications;
pub mod options;
pub mod report;
pub mod run;
pub mod stats;
pub mod tenant;
