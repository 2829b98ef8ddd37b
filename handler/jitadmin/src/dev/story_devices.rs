//! The device loop in the demo: a grant reaching the user's Windows devices, and a
//! member added to the admin group outside the access package caught as drift.

use std::time::Duration;

use anyhow::Context;
use jitadmin_store::Store;
use serde_json::json;

use super::timeline::Timeline;
use super::DevEnvironment;

/// Show the Intune syncs jitadmin requested for `user`'s devices (after a grant or a
/// removal), waiting briefly for them.
pub async fn synced_devices(env: &DevEnvironment, timeline: &mut Timeline, user: &str, reason: &str) {
    let devices: Vec<(String, String, String)> = env.sim.with_state(|s| {
        s.devices()
            .iter()
            .filter(|d| d.user_id.as_deref() == Some(user))
            .map(|d| (d.id.clone(), d.device_name.clone(), d.operating_system.clone()))
            .collect()
    });
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    let windows = devices.iter().filter(|d| d.2.eq_ignore_ascii_case("windows")).count();
    loop {
        let synced = synced_ids(env, &devices);
        if synced.len() >= windows || tokio::time::Instant::now() >= deadline {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let synced = synced_ids(env, &devices);
    for (id, name, os) in &devices {
        let what = if synced.contains(id) {
            format!("syncDevice requested for {name} ({os}) after the {reason}")
        } else {
            format!("{name} ({os}) not synced: jitadmin syncs Windows devices only")
        };
        timeline.add("intune (sim)", what);
    }
    if windows > 0 {
        timeline.add(
            "jitadmin",
            "the user is told to sign out and in: group SIDs reach the token only with a new sign-in",
        );
    }
}

fn synced_ids(env: &DevEnvironment, devices: &[(String, String, String)]) -> Vec<String> {
    env.sim
        .device_syncs()
        .into_iter()
        .map(|s| s.device_id)
        .filter(|id| devices.iter().any(|d| &d.0 == id))
        .collect()
}

/// `maintain` subscribes to the admin group; someone adds a member directly in Entra;
/// Graph notifies `/api/notifications`; `process` reconciles by delta and reports drift.
pub async fn drift_caught(env: &DevEnvironment, timeline: &mut Timeline) -> anyhow::Result<()> {
    let group = env.sim.with_state(|s| {
        s.access_packages
            .iter()
            .find_map(|p| p.resource_group_id.clone())
            .and_then(|id| {
                let name = s.groups.iter().find(|g| g.id == id).map(|g| g.display_name.clone())?;
                Some((id, name))
            })
    });
    let Some((group_id, group_name)) = group else {
        timeline.add(
            "tenant-sim",
            "no access package grants a group; skipping the group watch",
        );
        return Ok(());
    };
    // The timer fires every five minutes; the demo runs `maintain` once right away.
    let handler = env.host.handler_url().await.context("the handler is not running")?;
    let tick = json!({"Data": {"tick": {"Schedule": {"AdjustForDST": true}, "IsPastDue": false}}, "Metadata": {}});
    let answer = reqwest::Client::new()
        .post(format!("{handler}/maintain"))
        .json(&tick)
        .send()
        .await?;
    timeline.add(
        "local host",
        format!("timer fired maintain -> {}", answer.status().as_u16()),
    );
    let subscribed = env.sim.subscriptions().iter().any(|s| s.resource.contains(&group_id));
    timeline.add(
        "graph (sim)",
        if subscribed {
            format!("subscription to '{group_name}' created after the validation handshake with /api/notifications")
        } else {
            format!("no subscription to '{group_name}' yet")
        },
    );

    let outsider = env.sim.with_state(|s| {
        let members = s
            .groups
            .iter()
            .find(|g| g.id == group_id)
            .map(|g| g.members.clone())
            .unwrap_or_default();
        s.users()
            .iter()
            .find(|u| u.account_enabled && !members.contains(&u.id))
            .cloned()
    });
    let Some(outsider) = outsider else { return Ok(()) };
    env.sim
        .add_group_member(&group_id, &outsider.id)
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    timeline.add(
        "entra (sim)",
        format!(
            "an admin adds {} to '{group_name}' directly, outside the access package",
            outsider.user_principal_name
        ),
    );
    let delivered = env
        .sim
        .wait_for_deliveries(Duration::from_secs(10), |d| !d.is_empty())
        .await
        .map(|d| d.len())
        .unwrap_or(0);
    timeline.add(
        "graph (sim)",
        format!("{delivered} change notification(s) delivered to /api/notifications"),
    );

    let store = Store::open_setting(&env.store_setting, None)
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    let deadline = tokio::time::Instant::now() + Duration::from_secs(15);
    loop {
        let trail = store.audit_by_user(&outsider.id).await.unwrap_or_default();
        if let Some(entry) = trail.iter().find(|r| r.event.action.contains("drift")) {
            timeline.add(
                "jitadmin",
                format!(
                    "drift caught: {} is in '{group_name}' without an active assignment ({})",
                    outsider.user_principal_name, entry.event.action
                ),
            );
            return Ok(());
        }
        if tokio::time::Instant::now() >= deadline {
            timeline.add("jitadmin", "no drift recorded yet");
            return Ok(());
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}
