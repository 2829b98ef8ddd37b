//! graph-conformance against realistic bodies: jitadmin's Graph client and tenant-sim's answers.

mod smoke;
