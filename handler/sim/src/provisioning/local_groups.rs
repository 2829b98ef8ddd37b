//! Checks of the "Local user group membership" settings (LocalUsersAndGroups CSP,
//! <https://learn.microsoft.com/windows/client-management/mdm/policy-csp-localusersandgroups>) in a configuration
//! policy body: the definitions carry `visibility: template`, so they are
//! accepted only under the Account protection template; each rule needs local groups, an action
//! (Add (Update), Add (Replace) or Remove (Update); the retired `add_replace` is refused) and at
//! least one member.

use serde_json::Value;

use super::bad;
use crate::odata::errors::GraphError;

/// The Account protection "Local user group membership" template.
pub(crate) const TEMPLATE_ID: &str = "22968f54-45fa-486c-848e-f8224aa69772_1";
const CONFIGURE: &str = "device_vendor_msft_policy_config_localusersandgroups_configure";
const ACCESS_GROUP: &str =
    "device_vendor_msft_policy_config_localusersandgroups_configure_groupconfiguration_accessgroup";

fn array<'a>(v: &'a Value, key: &str) -> &'a [Value] {
    v.get(key)
        .and_then(Value::as_array)
        .map(Vec::as_slice)
        .unwrap_or_default()
}

/// Whether a setting is a LocalUsersAndGroups one.
pub(crate) fn is_local_groups(setting: &Value) -> bool {
    setting
        .pointer("/settingInstance/settingDefinitionId")
        .and_then(Value::as_str)
        == Some(CONFIGURE)
}

/// Checks one LocalUsersAndGroups setting's rules.
pub(crate) fn check(setting: &Value, template_id: Option<&str>) -> Result<(), GraphError> {
    if template_id != Some(TEMPLATE_ID) {
        return Err(bad(format!(
            "Setting '{CONFIGURE}' is only available through template '{TEMPLATE_ID}' (templateReference.templateId)."
        )));
    }
    let instance = setting.get("settingInstance").cloned().unwrap_or(Value::Null);
    let values = array(&instance, "groupSettingCollectionValue");
    if values.is_empty() {
        return Err(bad(
            "LocalUsersAndGroups needs at least one rule (groupSettingCollectionValue).",
        ));
    }
    for value in values {
        for child in array(value, "children") {
            if child.get("settingDefinitionId").and_then(Value::as_str) != Some(ACCESS_GROUP) {
                return Err(bad(format!("Unexpected child setting under '{CONFIGURE}'.")));
            }
            for entry in array(child, "groupSettingCollectionValue") {
                check_rule(array(entry, "children"))?;
            }
        }
    }
    Ok(())
}

fn check_rule(children: &[Value]) -> Result<(), GraphError> {
    let find = |suffix: &str| {
        children.iter().find(|c| {
            c.get("settingDefinitionId")
                .and_then(Value::as_str)
                .is_some_and(|d| d == format!("{ACCESS_GROUP}_{suffix}"))
        })
    };
    let desc = find("desc").ok_or_else(|| bad("A rule needs its local groups (accessgroup_desc)."))?;
    if array(desc, "choiceSettingCollectionValue").is_empty() {
        return Err(bad("A rule needs at least one local group."));
    }
    let action = find("action")
        .and_then(|a| a.pointer("/choiceSettingValue/value"))
        .and_then(Value::as_str)
        .ok_or_else(|| bad("A rule needs an action (accessgroup_action)."))?;
    let known = ["add_update", "add_restrict", "remove_update"]
        .iter()
        .any(|a| action == format!("{ACCESS_GROUP}_action_{a}"));
    if !known {
        return Err(bad(format!("'{action}' is not a valid option of accessgroup_action.")));
    }
    let selection = find("userselectiontype")
        .ok_or_else(|| bad("A rule needs a user selection type (accessgroup_userselectiontype)."))?;
    let members: usize = selection
        .pointer("/choiceSettingValue/children")
        .and_then(Value::as_array)
        .map(|c| c.iter().map(|n| array(n, "simpleSettingCollectionValue").len()).sum())
        .unwrap_or(0);
    if members == 0 {
        return Err(bad("A rule needs at least one member (accessgroup_users)."));
    }
    Ok(())
}
