//! Callout acknowledgement: `POST /callout` with a created-stage body and the forwarder's
//! bearer token in the envelope's headers, so every invocation validates the token (RS256
//! against the cached JWKS), parses the callout and answers 202 with the `events` message
//! in its outputs. Called directly, the handler returns that message in the reply rather
//! than a queue taking it: the reply is the whole acknowledgement cost.

use bytes::Bytes;

use crate::ack::AckTarget;
use crate::envelope;

/// What `callout` answers a created-stage callout.
pub const ACCEPTED: u16 = 202;

/// The callout target, authenticated with `token`.
pub fn target(token: &str) -> AckTarget {
    AckTarget {
        function: "callout",
        envelope: Bytes::from(envelope::callout(token)),
        items: 1,
        jitadmin_status: ACCEPTED,
        placeholder: false,
        queued: 1,
    }
}
