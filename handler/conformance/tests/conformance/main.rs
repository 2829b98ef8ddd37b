//! graph-conformance against realistic bodies: jitadmin's Graph client and fixtures, and
//! tenant-sim's answers.

mod batch;
mod beta;
mod delta;
mod enums;
mod fixtures;
mod paths;
mod resume;
mod sim;
