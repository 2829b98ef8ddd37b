//! jitadmin's decisions: facts, CEL rules from rules.toml, and explained outcomes
