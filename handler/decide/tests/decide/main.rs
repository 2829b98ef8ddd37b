//! jitadmin-decide's integration tests in one binary (one binary per file made linking dominate
//! the build): broken rules files, the decision table and the shipped example rules.

mod support;

mod broken_rules;
mod decision_table;
mod example_rules;
