//! The access packages jitadmin manages (`JITADMIN_ACCESS_PACKAGES`): only their callouts are
//! acted on, only their assignments make a member of a watched group legitimate, and only
//! their elevations count in a user's history.

/// The managed access packages.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ManagedPackages {
    ids: Vec<String>,
}

impl ManagedPackages {
    /// Exactly these packages (ids, compared case-insensitively).
    pub fn of(ids: Vec<String>) -> ManagedPackages {
        ManagedPackages { ids }
    }

    /// No package named: every package is acted on (allowed outside Azure only, with a
    /// warning at start-up).
    pub fn is_unrestricted(&self) -> bool {
        self.ids.is_empty()
    }

    /// Whether a callout for `package` (its id, if the callout named one) is ours.
    pub fn manages(&self, package: Option<&str>) -> bool {
        if self.is_unrestricted() {
            return true;
        }
        package.is_some_and(|p| self.ids.iter().any(|id| id.eq_ignore_ascii_case(p)))
    }

    /// The ids, as configured.
    pub fn ids(&self) -> &[String] {
        &self.ids
    }
}

#[cfg(test)]
mod tests {
    use super::ManagedPackages;

    #[test]
    fn only_named_packages_are_managed_unless_none_is_named() {
        let managed = ManagedPackages::of(vec!["AAA".into(), "bbb".into()]);
        assert!(managed.manages(Some("aaa")));
        assert!(managed.manages(Some("BBB")));
        assert!(!managed.manages(Some("ccc")));
        assert!(!managed.manages(None));
        assert!(ManagedPackages::default().manages(Some("ccc")));
        assert!(ManagedPackages::default().manages(None));
    }
}
