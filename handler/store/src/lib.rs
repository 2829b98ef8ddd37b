//! jitadmin's state: ledger, approvals, subscriptions, delta links, elevations and audit trail on Azure Table Storage or SQLite
