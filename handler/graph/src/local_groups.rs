//! The settings of Intune's "Local user group membership" policy (Account protection template
//! `22968f54-45fa-486c-848e-f8224aa69772_1`, the LocalUsersAndGroups CSP:
//! <https://learn.microsoft.com/windows/client-management/mdm/policy-csp-localusersandgroups>):
//! building the one rule jitadmin needs and reading the rules a policy has.
//!
//! A rule names local groups (`..._accessgroup_desc_administrators`, ...), an action (Add (Update)
//! `..._action_add_update`, Add (Replace) `..._action_add_restrict`, Remove (Update)
//! `..._action_remove_update`) and members: Entra group SIDs (`S-1-12-1-...`) with the `users`
//! selection type.

use serde_json::{json, Value};

/// The Account protection template of "Local user group membership".
pub const TEMPLATE_ID: &str = "22968f54-45fa-486c-848e-f8224aa69772_1";
/// The setting definition every rule lives under.
pub const CONFIGURE: &str = "device_vendor_msft_policy_config_localusersandgroups_configure";
const ACCESS_GROUP: &str =
    "device_vendor_msft_policy_config_localusersandgroups_configure_groupconfiguration_accessgroup";

/// What a rule does to the listed local groups.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GroupAction {
    /// Add (Update): add the members, leave everyone else alone.
    AddUpdate,
    /// Add (Replace): the listed members become the only members (can lock everyone out).
    AddReplace,
    /// Remove (Update): remove the members.
    RemoveUpdate,
}

impl GroupAction {
    /// The option id Intune stores.
    pub fn option_id(self) -> String {
        let suffix = match self {
            GroupAction::AddUpdate => "add_update",
            GroupAction::AddReplace => "add_restrict",
            GroupAction::RemoveUpdate => "remove_update",
        };
        format!("{ACCESS_GROUP}_action_{suffix}")
    }

    /// The name the Intune portal shows.
    pub fn label(self) -> &'static str {
        match self {
            GroupAction::AddUpdate => "Add (Update)",
            GroupAction::AddReplace => "Add (Replace)",
            GroupAction::RemoveUpdate => "Remove (Update)",
        }
    }

    /// Reads an option id (the retired `add_replace` counts as Add (Replace)).
    pub fn from_option_id(id: &str) -> Option<GroupAction> {
        let suffix = id.rsplit("_action_").next()?;
        match suffix {
            "add_update" => Some(GroupAction::AddUpdate),
            "add_restrict" | "add_replace" => Some(GroupAction::AddReplace),
            "remove_update" => Some(GroupAction::RemoveUpdate),
            _ => None,
        }
    }
}

/// One rule of a policy, as read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LocalGroupRule {
    /// Local groups, by their option's last word (`administrators`, `users`, ...).
    pub groups: Vec<String>,
    /// The action (`None` when Intune answered an option we do not know).
    pub action: Option<GroupAction>,
    /// The selection type's last word (`users` or `manual`).
    pub selection: Option<String>,
    /// Members (SIDs, `AzureAD\user`, names).
    pub members: Vec<String>,
}

/// The `settings` of a policy with one rule: `members` (Entra group SIDs) get `action` on the
/// local Administrators group.
pub fn administrators_settings(members: &[String], action: GroupAction) -> Value {
    let values: Vec<Value> = members
        .iter()
        .map(|m| json!({ "@odata.type": "#microsoft.graph.deviceManagementConfigurationStringSettingValue", "value": m }))
        .collect();
    let rule = json!({
        "children": [{
            "@odata.type": "#microsoft.graph.deviceManagementConfigurationGroupSettingCollectionInstance",
            "settingDefinitionId": ACCESS_GROUP,
            "settingInstanceTemplateReference": { "settingInstanceTemplateId": "76fa254e-cbdb-4718-8bdd-cd41e57caa02" },
            "groupSettingCollectionValue": [{
                "children": [
                    {
                        "@odata.type": "#microsoft.graph.deviceManagementConfigurationChoiceSettingCollectionInstance",
                        "settingDefinitionId": format!("{ACCESS_GROUP}_desc"),
                        "settingInstanceTemplateReference": { "settingInstanceTemplateId": "6c7f2209-31aa-4853-a49f-985264ce91ef" },
                        "choiceSettingCollectionValue": [{
                            "@odata.type": "#microsoft.graph.deviceManagementConfigurationChoiceSettingValue",
                            "value": format!("{ACCESS_GROUP}_desc_administrators"),
                            "children": []
                        }]
                    },
                    {
                        "@odata.type": "#microsoft.graph.deviceManagementConfigurationChoiceSettingInstance",
                        "settingDefinitionId": format!("{ACCESS_GROUP}_action"),
                        "settingInstanceTemplateReference": { "settingInstanceTemplateId": "6c55c2ff-5ff9-4b08-a9b9-3fd2e2ce8405" },
                        "choiceSettingValue": {
                            "@odata.type": "#microsoft.graph.deviceManagementConfigurationChoiceSettingValue",
                            "value": action.option_id(),
                            "settingValueTemplateReference": { "settingValueTemplateId": "85c598ae-56d1-4715-b0c0-85bdadaec38d" },
                            "children": []
                        }
                    },
                    {
                        "@odata.type": "#microsoft.graph.deviceManagementConfigurationChoiceSettingInstance",
                        "settingDefinitionId": format!("{ACCESS_GROUP}_userselectiontype"),
                        "settingInstanceTemplateReference": { "settingInstanceTemplateId": "6f8c9cb0-3085-4476-ba18-6be49c87a1e6" },
                        "choiceSettingValue": {
                            "@odata.type": "#microsoft.graph.deviceManagementConfigurationChoiceSettingValue",
                            "value": format!("{ACCESS_GROUP}_userselectiontype_users"),
                            "settingValueTemplateReference": { "settingValueTemplateId": "02908882-5aee-491c-a356-5833fe55ab93" },
                            "children": [{
                                "@odata.type": "#microsoft.graph.deviceManagementConfigurationSimpleSettingCollectionInstance",
                                "settingDefinitionId": format!("{ACCESS_GROUP}_users"),
                                "simpleSettingCollectionValue": values
                            }]
                        }
                    }
                ]
            }]
        }]
    });
    json!([{
        "@odata.type": "#microsoft.graph.deviceManagementConfigurationSetting",
        "settingInstance": {
            "@odata.type": "#microsoft.graph.deviceManagementConfigurationGroupSettingCollectionInstance",
            "settingDefinitionId": CONFIGURE,
            "settingInstanceTemplateReference": { "settingInstanceTemplateId": "de06bec1-4852-48a0-9799-cf7b85992d45" },
            "groupSettingCollectionValue": [rule]
        }
    }])
}

/// The rules in a policy's settings (the items of `GET .../settings`, or a create body's `settings`).
pub fn rules(settings: &[Value]) -> Vec<LocalGroupRule> {
    let mut out = Vec::new();
    for setting in settings {
        let Some(instance) = setting.get("settingInstance") else {
            continue;
        };
        if instance.get("settingDefinitionId").and_then(Value::as_str) != Some(CONFIGURE) {
            continue;
        }
        for value in array(instance, "groupSettingCollectionValue") {
            for child in array(value, "children") {
                if child.get("settingDefinitionId").and_then(Value::as_str) != Some(ACCESS_GROUP) {
                    continue;
                }
                for entry in array(child, "groupSettingCollectionValue") {
                    out.push(rule(array(entry, "children")));
                }
            }
        }
    }
    out
}

fn rule(children: &[Value]) -> LocalGroupRule {
    let mut r = LocalGroupRule {
        groups: Vec::new(),
        action: None,
        selection: None,
        members: Vec::new(),
    };
    let last_word = |s: &str, marker: &str| s.rsplit(marker).next().unwrap_or(s).to_string();
    for c in children {
        let def = c.get("settingDefinitionId").and_then(Value::as_str).unwrap_or_default();
        if def.ends_with("_accessgroup_desc") {
            for v in array(c, "choiceSettingCollectionValue") {
                if let Some(id) = v.get("value").and_then(Value::as_str) {
                    r.groups.push(last_word(id, "_desc_"));
                }
            }
        } else if def.ends_with("_accessgroup_action") {
            r.action = c
                .pointer("/choiceSettingValue/value")
                .and_then(Value::as_str)
                .and_then(GroupAction::from_option_id);
        } else if def.ends_with("_accessgroup_userselectiontype") {
            r.selection = c
                .pointer("/choiceSettingValue/value")
                .and_then(Value::as_str)
                .map(|v| last_word(v, "_userselectiontype_"));
            let nested = c.pointer("/choiceSettingValue/children").and_then(Value::as_array);
            for n in nested.map(Vec::as_slice).unwrap_or_default() {
                for m in array(n, "simpleSettingCollectionValue") {
                    if let Some(text) = m.get("value").and_then(Value::as_str) {
                        r.members.push(text.to_string());
                    }
                }
            }
        }
    }
    r
}

fn array<'a>(v: &'a Value, key: &str) -> &'a [Value] {
    v.get(key)
        .and_then(Value::as_array)
        .map(Vec::as_slice)
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::paging::Page;

    #[test]
    fn settings_fixture_reads_one_add_update_rule_for_administrators() {
        let p: Page<Value> = serde_json::from_slice(include_bytes!(
            "../testdata/configuration-policy-local-admins-settings.json"
        ))
        .expect("page");
        let r = rules(&p.value);
        assert_eq!(r.len(), 1);
        assert_eq!(r[0].groups, vec!["administrators"]);
        assert_eq!(r[0].action, Some(GroupAction::AddUpdate));
        assert_eq!(r[0].selection.as_deref(), Some("users"));
        assert_eq!(
            r[0].members,
            vec!["S-1-12-1-1134101088-1151655155-3051483063-1663312217"]
        );
    }

    #[test]
    fn built_settings_read_back_as_the_same_rule() {
        let sid = "S-1-12-1-1-2-3-4".to_string();
        for action in [GroupAction::AddUpdate, GroupAction::AddReplace] {
            let built = administrators_settings(std::slice::from_ref(&sid), action);
            let r = rules(built.as_array().expect("array"));
            assert_eq!(r.len(), 1);
            assert_eq!(r[0].action, Some(action));
            assert_eq!(r[0].members, vec![sid.clone()]);
            assert_eq!(r[0].groups, vec!["administrators"]);
        }
    }

    #[test]
    fn replace_option_ids_old_and_new_are_recognised() {
        assert_eq!(
            GroupAction::from_option_id(&GroupAction::AddReplace.option_id()),
            Some(GroupAction::AddReplace)
        );
        assert_eq!(
            GroupAction::from_option_id(&format!("{ACCESS_GROUP}_action_add_replace")),
            Some(GroupAction::AddReplace)
        );
        assert_eq!(GroupAction::from_option_id("something_else"), None);
    }
}
