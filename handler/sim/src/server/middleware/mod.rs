//! The middleware every request passes (outermost first): record, request ids (in
//! `odata::errors`), faults, throttle. Each takes only the piece of state it works on.

pub(crate) mod faults;
pub(crate) mod record;
pub(crate) mod throttle;
