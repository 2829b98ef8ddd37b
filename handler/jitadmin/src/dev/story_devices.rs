//! The device loop in the demo: a grant reaching the user's Windows devices, and a
//! member added to the admin group outside the access package caught as drift.

use std::time::Duration;

use anyhow::Context;
use jitadmin_store::Store;
use serde_json::json;

use super::timeline::Timeline;
use super::DevEnvironment;
use crate::audit::Action;

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
    told(env, timeline, user, reason).await;
}

/// The requestor adds the jitadmin app in Teams (personal scope): Teams tells the bot, which
/// keeps their 1:1 chat for notices. Nothing when Teams is off.
pub async fn adds_the_app(env: &DevEnvironment, timeline: &mut Timeline, user: &tenant_sim::User) {
    if env.sim.bot().messaging_endpoint().is_none() {
        return;
    }
    let upn = &user.user_principal_name;
    match env.sim.teams_client().install_personal(&user.id).await {
        Ok(o) if o.acknowledged() => timeline.add(
            "teams (sim)",
            format!("{upn} adds the jitadmin app in Teams; the bot keeps their 1:1 chat for notices"),
        ),
        Ok(o) => timeline.add(
            "teams (sim)",
            format!(
                "{upn} adds the jitadmin app; the messaging endpoint answered {:?}",
                o.statuses
            ),
        ),
        Err(e) => timeline.add("teams (sim)", format!("{upn} cannot add the jitadmin app: {e}")),
    }
}

/// How the user was told about the grant or removal: their Teams chat or a mail, waiting
/// briefly for it.
async fn told(env: &DevEnvironment, timeline: &mut Timeline, user: &str, reason: &str) {
    let keyword = if reason == "grant" { "granted" } else { "ended" };
    let address = env.sim.user(user).map(|u| (u.mail, u.user_principal_name));
    let deadline = tokio::time::Instant::now() + Duration::from_secs(5);
    loop {
        let chat = env.sim.teams_client().personal_messages(user);
        if let Some(text) = chat.iter().rev().filter_map(|m| m.text()).find(|t| t.contains(keyword)) {
            let first = text.lines().next().unwrap_or_default().trim_matches('*').to_string();
            timeline.add(
                "teams (sim)",
                format!("jitadmin writes in the user's 1:1 chat: \"{first}\""),
            );
            timeline.add(
                "teams (sim)",
                "  ... and says to sign out and in: group SIDs reach the token only at sign-in",
            );
            return;
        }
        let mail = env.sim.sent_mail().into_iter().rev().find(|m| {
            m.subject.contains(keyword)
                && address.as_ref().is_some_and(|(mail, upn)| {
                    m.to.iter()
                        .any(|to| Some(to) == mail.as_ref() || to.eq_ignore_ascii_case(upn))
                })
        });
        if let Some(mail) = mail {
            timeline.add(
                "mail (sim)",
                format!("jitadmin mails {}: \"{}\"", mail.to.join(", "), mail.subject),
            );
            return;
        }
        if tokio::time::Instant::now() >= deadline {
            timeline.add(
                "jitadmin",
                "the user's notice has not gone out yet (see jitadmin audit)",
            );
            return;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
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
        if let Some(entry) = trail.iter().find(|r| {
            matches!(
                Action::parse(&r.event.action),
                Action::WatchDrift | Action::WatchDriftRemoved
            )
        }) {
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
