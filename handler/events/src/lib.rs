//! Typed inbound payloads for jitadmin: entitlement-management callouts, Graph notifications, Bot activities
