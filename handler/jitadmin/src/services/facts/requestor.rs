//! `requestor` and `devices` from Graph's user, manager and managed devices.

use chrono::{DateTime, Utc};
use jitadmin_decide::{Device, Manager, Requestor};
use jitadmin_graph::devices::ManagedDevice;
use jitadmin_graph::users::{Manager as GraphManager, User};

/// The user's facts (the manager is filled in separately).
pub fn from_graph(user: User) -> Requestor {
    Requestor {
        id: user.id,
        user_principal_name: user.user_principal_name.unwrap_or_default(),
        display_name: user.display_name.unwrap_or_default(),
        department: user.department.unwrap_or_default(),
        job_title: user.job_title.unwrap_or_default(),
        user_type: user.user_type.unwrap_or_default(),
        account_enabled: user.account_enabled.unwrap_or(false),
        employee_type: user.employee_type.unwrap_or_default(),
        company_name: user.company_name.unwrap_or_default(),
        country: user.country.unwrap_or_default(),
        created_date_time: user.created_date_time.as_deref().and_then(timestamp),
        manager: None,
    }
}

/// `requestor.manager`.
pub fn manager(m: GraphManager) -> Manager {
    Manager {
        id: m.id,
        display_name: m.display_name.unwrap_or_default(),
    }
}

/// One of `devices`; `is_primary_user` when Intune associates the device with `user`.
pub fn device(d: ManagedDevice, user: &str) -> Device {
    Device {
        is_primary_user: d.user_id.as_deref().is_some_and(|u| u.eq_ignore_ascii_case(user)),
        id: d.id,
        device_name: d.device_name.unwrap_or_default(),
        operating_system: d.operating_system.unwrap_or_default(),
        os_version: d.os_version.unwrap_or_default(),
        compliance_state: d.compliance_state.unwrap_or_default(),
        last_sync_date_time: d.last_sync_date_time.as_deref().and_then(timestamp),
        management_agent: d.management_agent.unwrap_or_default(),
    }
}

/// An RFC 3339 timestamp; Intune's "never" (`0001-01-01T00:00:00Z`) reads as absent.
fn timestamp(text: &str) -> Option<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(text)
        .ok()
        .map(|t| t.with_timezone(&Utc))
        .filter(|t| t.timestamp() > 0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn intunes_never_synced_date_reads_as_absent() {
        assert_eq!(timestamp("0001-01-01T00:00:00Z"), None);
        assert!(timestamp("2026-11-27T08:15:00Z").is_some());
        assert_eq!(timestamp("yesterday"), None);
    }
}
