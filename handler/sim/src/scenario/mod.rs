//! The scenario file: the tenant a simulator starts with (TOML or JSON).
//!
//! Field names are Graph's (camelCase) so a JSON scenario reads like Graph payloads.
//! Unknown fields are rejected, so a typo is an error rather than a silently missing value.
//! See `scenarios/demo.toml` for a complete example.

pub(crate) mod bot;
mod error;
mod types;
mod validate;

use std::path::Path;

pub use error::ScenarioError;
pub use types::{
    AccessPackage, AccessPackagePolicy, Application, ComplianceState, Group, ManagedDevice, ManagedIdentity,
    ManagedIdentityKind, Scenario, User, UserType,
};

const DEMO: &str = include_str!("../../scenarios/demo.toml");
const RECIPE: &str = include_str!("../../scenarios/recipe.toml");

impl Scenario {
    /// The bundled Contoso-like demo tenant (`scenarios/demo.toml`).
    pub fn demo() -> Self {
        // The demo is part of the crate and covered by a test; failing here is a build defect.
        Self::from_toml_str(DEMO, "scenarios/demo.toml").expect("bundled demo scenario is valid")
    }

    /// The original recipe's tenant (`scenarios/recipe.toml`): the demo's people and devices,
    /// and an access package with entitlement management's own approval stage and a 30-day
    /// default lifecycle.
    pub fn recipe() -> Self {
        // Part of the crate and covered by a test; failing here is a build defect.
        Self::from_toml_str(RECIPE, "scenarios/recipe.toml").expect("bundled recipe scenario is valid")
    }

    /// An empty tenant with the given id (no users, groups or apps).
    pub fn empty(tenant_id: impl Into<String>) -> Self {
        Self {
            tenant_id: tenant_id.into(),
            ..Self::default()
        }
    }

    /// Parses and validates a TOML scenario; `source` names it in errors (a file name).
    pub fn from_toml_str(text: &str, source: &str) -> Result<Self, ScenarioError> {
        let scenario: Self = toml::from_str(text).map_err(|e| ScenarioError::parse(source, e.to_string()))?;
        scenario.validated(source)
    }

    /// Parses and validates a JSON scenario; `source` names it in errors.
    pub fn from_json_str(text: &str, source: &str) -> Result<Self, ScenarioError> {
        let scenario: Self = serde_json::from_str(text).map_err(|e| ScenarioError::parse(source, e.to_string()))?;
        scenario.validated(source)
    }

    /// Reads a scenario file; `.json` is parsed as JSON, anything else as TOML.
    pub fn from_file(path: impl AsRef<Path>) -> Result<Self, ScenarioError> {
        let path = path.as_ref();
        let source = path.display().to_string();
        let text = std::fs::read_to_string(path).map_err(|e| ScenarioError::parse(&source, e.to_string()))?;
        if path.extension().is_some_and(|ext| ext.eq_ignore_ascii_case("json")) {
            Self::from_json_str(&text, &source)
        } else {
            Self::from_toml_str(&text, &source)
        }
    }

    /// Checks references and uniqueness; returns the scenario unchanged when it is valid.
    pub fn validated(self, source: &str) -> Result<Self, ScenarioError> {
        validate::validate(&self, source)?;
        Ok(self)
    }
}
