//! graph-conformance against realistic bodies: what jitadmin's Graph client builds, and the
//! fixtures of Graph's answers. (tenant-sim checks its own traffic with it on every request.)

mod batch;
mod beta;
mod delta;
mod enums;
mod fixtures;
mod paths;
mod resume;
