//! Inbound token validation for jitadmin: Entra bearer tokens, entitlement-management PoP tokens, Bot Framework tokens
