//! jitadmin's Microsoft Graph client.
