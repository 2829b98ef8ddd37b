//! The idempotency keys of queued events and of the steps they lead to, built in one place.
//! A key names what must happen once: Service Bus drops a second message with the same
//! MessageId inside its duplicate-detection window, and the ledger remembers a key done.

/// A Teams decision on the approval of `stage_instance_id` (also the claim of the decision).
pub fn teams_decision(stage_instance_id: &str) -> String {
    format!("teams-decision:{stage_instance_id}")
}

/// A change of `group`; `marker` tells two changes of one group apart.
pub fn group_change(group: &str, marker: &str) -> String {
    format!("group-change:{}:{marker}", group.to_ascii_lowercase())
}

/// A lifecycle `event` of `subscription`, received by `correlation_id`.
pub fn lifecycle(subscription: &str, event: &str, correlation_id: &str) -> String {
    format!(
        "lifecycle:{}:{event}:{correlation_id}",
        subscription.to_ascii_lowercase()
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_keep_their_published_shapes() {
        assert_eq!(teams_decision("i-1"), "teams-decision:i-1");
        assert_eq!(group_change("Group-1", "42"), "group-change:group-1:42");
        assert_eq!(lifecycle("Sub-1", "missed", "inv"), "lifecycle:sub-1:missed:inv");
    }
}
