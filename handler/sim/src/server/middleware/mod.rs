//! The middleware every request passes (outermost first): record, request ids (in
//! `odata::errors`), faults, throttle; and on the Graph routes, inside the bearer check, the
//! conformance check. Each takes only the piece of state it works on.

pub(crate) mod conformance;
pub(crate) mod faults;
pub(crate) mod record;
pub(crate) mod throttle;
