//! jitadmin: just-in-time local admin rights for Intune-managed Windows devices.
//!
//! The library behind the `jitadmin` binary. The parts with one job each live in their
//! own crates (handler/*) and are re-exported here under the names of DESIGN.md §2
//! as each lands.

pub mod cli;
pub mod functions;
