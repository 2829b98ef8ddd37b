//! The crate's layers point one way (see "Layers" in the crate docs): the leaves → the areas,
//! each using only areas of a strictly lower rank → `server` → `sim` → `azure`. This reads every
//! `crate::` and `super::` path in `src/` (comments aside; grouped `use crate::{a, b}` included)
//! and fails when a module names one of its own or a higher layer (leaves may use each other),
//! when the top-level modules import each other in a circle, or when a top-level module has no
//! layer.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// The layer of each top-level module. Layer 0 (the leaves) may use other leaves; every other
/// module uses only modules of a lower layer.
const LAYERS: &[(&str, u8)] = &[
    // Leaves: data types, the directory, the authority, Graph's wire conventions, helpers.
    ("authority", 0),
    ("config", 0),
    ("connection", 0),
    ("directory", 0),
    ("duration", 0),
    ("error", 0),
    ("faults", 0),
    ("ids", 0),
    ("odata", 0),
    ("outbound", 0),
    ("pattern", 0),
    ("record", 0),
    ("scenario", 0),
    ("state", 0),
    ("throttle", 0),
    ("conformance", 0),
    ("work", 0),
    // Areas on the leaves alone.
    ("bot", 1),
    ("entra", 1),
    ("intune", 1),
    ("mail", 1),
    ("service_bus", 1),
    // Areas on a lower area: Graph's directory on Intune, entitlement management on Entra's tokens.
    ("em", 2),
    ("graph", 2),
    // Provisioning on entitlement management's store, subscriptions on Graph's bearer check.
    ("provisioning", 3),
    ("subs", 3),
    // The router: `Shared`, its `FromRef` impls, the middleware, route registration.
    ("server", 4),
    // `TenantSim` and its API per area.
    ("sim", 5),
    // The azure_core adapter over a running `TenantSim`.
    ("azure", 6),
];

/// A reference from one top-level module to another.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
struct Edge {
    from: String,
    to: String,
    file: String,
    line: usize,
}

/// What is wrong with a source tree.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Violation {
    /// `from` names `to`, which is in its own layer (above the leaves) or a higher one.
    Upward(Edge),
    /// The top-level modules in a circle.
    Cycle(Vec<String>),
    /// A top-level module that has no layer.
    Unplaced(String),
}

fn layer(module: &str) -> Option<u8> {
    LAYERS.iter().find(|(m, _)| *m == module).map(|(_, l)| *l)
}

/// The module path of a source file: `src/em/flow.rs` → `["em", "flow"]`; `lib.rs` → `[]`.
fn module_path(relative: &Path) -> Vec<String> {
    let mut parts: Vec<String> = relative
        .iter()
        .map(|p| p.to_string_lossy().trim_end_matches(".rs").to_string())
        .collect();
    if matches!(parts.last().map(String::as_str), Some("mod" | "lib" | "main")) {
        parts.pop();
    }
    parts
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// Every `.rs` file under `src` as (path relative to `src`, text), sorted by path.
fn read_tree(src: &Path) -> Vec<(String, String)> {
    let mut paths = Vec::new();
    rust_files(src, &mut paths);
    paths.sort();
    paths
        .into_iter()
        .map(|path| {
            let relative = path.strip_prefix(src).unwrap_or(&path).display().to_string();
            (relative, std::fs::read_to_string(&path).unwrap_or_default())
        })
        .collect()
}

fn ident(text: &str) -> Option<String> {
    let name: String = text
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
        .collect();
    (!name.is_empty()).then_some(name)
}

/// The names a `{...}` group opening `text` imports at its top level: `{a, b::c, d as e}` →
/// `a`, `b`, `d`.
fn group_names(text: &str) -> Vec<String> {
    let mut names = Vec::new();
    let mut depth = 0;
    let mut expect_name = true;
    let mut i = 0;
    while i < text.len() {
        let rest = &text[i..];
        let c = rest.chars().next().unwrap_or(' ');
        match c {
            '{' => {
                depth += 1;
                expect_name = depth == 1;
            }
            '}' => {
                depth -= 1;
                if depth == 0 {
                    break;
                }
            }
            ',' if depth == 1 => expect_name = true,
            c if c.is_whitespace() => {}
            _ if depth == 1 && expect_name => {
                names.extend(ident(rest));
                expect_name = false;
            }
            _ => {}
        }
        i += c.len_utf8();
    }
    names
}

/// The top-level modules each `crate::x`, `crate::{x, y}` or `super::…::x` path in `code`
/// reaches, with the offset it starts at; `module` is the path of the file's module.
fn targets(code: &str, module: &[String]) -> Vec<(usize, String)> {
    let mut found = Vec::new();
    let bytes = code.as_bytes();
    let mut i = 0;
    while i < code.len() {
        let rest = &code[i..];
        let boundary =
            i == 0 || !(bytes[i - 1].is_ascii_alphanumeric() || bytes[i - 1] == b'_' || bytes[i - 1] == b':');
        if boundary && rest.starts_with("crate::") {
            let tail = &rest["crate::".len()..];
            if tail.starts_with('{') {
                found.extend(group_names(tail).into_iter().map(|n| (i, n)));
            } else {
                found.extend(ident(tail).map(|n| (i, n)));
            }
        } else if boundary && rest.starts_with("super::") {
            // Climb one module per `super::`; at the crate root the next name is a top-level module.
            let mut depth = module.len();
            let mut tail = rest;
            while let Some(next) = tail.strip_prefix("super::") {
                depth = depth.saturating_sub(1);
                tail = next;
            }
            if depth == 0 {
                if tail.starts_with('{') {
                    found.extend(group_names(tail).into_iter().map(|n| (i, n)));
                } else {
                    found.extend(ident(tail).map(|n| (i, n)));
                }
            }
        }
        i += rest.chars().next().map_or(1, char::len_utf8);
    }
    found
}

/// The text of a file without its comments (whole-line comments and trailing ` //` ones), so a
/// doc comment that names a module does not count as a use of it.
fn code_of(text: &str) -> String {
    text.lines()
        .map(|line| {
            if line.trim_start().starts_with("//") {
                ""
            } else {
                line.split(" //").next().unwrap_or(line)
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// Every reference between top-level modules in `files` (paths relative to `src`).
fn edges(files: &[(String, String)], modules: &BTreeSet<String>) -> Vec<Edge> {
    let mut edges = Vec::new();
    for (file, text) in files {
        let module = module_path(Path::new(file));
        let Some(from) = module.first().cloned() else { continue };
        let code = code_of(text);
        for (at, to) in targets(&code, &module) {
            if to != from && modules.contains(&to) {
                let line = code[..at].matches('\n').count() + 1;
                edges.push(Edge {
                    from: from.clone(),
                    to,
                    file: file.clone(),
                    line,
                });
            }
        }
    }
    edges
}

/// The top-level modules of a tree: its files and folders directly under `src` (`lib.rs` aside).
fn modules(files: &[(String, String)]) -> BTreeSet<String> {
    files
        .iter()
        .filter_map(|(file, _)| module_path(Path::new(file)).first().cloned())
        .collect()
}

fn check(files: &[(String, String)]) -> Vec<Violation> {
    let modules = modules(files);
    let edges = edges(files, &modules);
    let mut violations = Vec::new();
    for module in &modules {
        if layer(module).is_none() {
            violations.push(Violation::Unplaced(module.clone()));
        }
    }
    for edge in &edges {
        if let (Some(from), Some(to)) = (layer(&edge.from), layer(&edge.to)) {
            if to > from || (to == from && from > 0) {
                violations.push(Violation::Upward(edge.clone()));
            }
        }
    }
    let mut graph: BTreeMap<&str, BTreeSet<&str>> = BTreeMap::new();
    for edge in &edges {
        graph.entry(&edge.from).or_default().insert(&edge.to);
    }
    if let Some(cycle) = find_cycle(&graph) {
        violations.push(Violation::Cycle(cycle));
    }
    violations
}

/// One circle in `graph`, if there is any.
fn find_cycle(graph: &BTreeMap<&str, BTreeSet<&str>>) -> Option<Vec<String>> {
    fn visit<'a>(
        node: &'a str,
        graph: &BTreeMap<&'a str, BTreeSet<&'a str>>,
        path: &mut Vec<&'a str>,
        done: &mut BTreeSet<&'a str>,
    ) -> Option<Vec<String>> {
        if let Some(start) = path.iter().position(|n| *n == node) {
            return Some(
                path[start..]
                    .iter()
                    .map(|n| n.to_string())
                    .chain([node.to_string()])
                    .collect(),
            );
        }
        if done.contains(node) {
            return None;
        }
        path.push(node);
        for next in graph.get(node).into_iter().flatten() {
            if let Some(cycle) = visit(next, graph, path, done) {
                return Some(cycle);
            }
        }
        path.pop();
        done.insert(node);
        None
    }
    let mut done = BTreeSet::new();
    graph
        .keys()
        .find_map(|node| visit(node, graph, &mut Vec::new(), &mut done))
}

fn src() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("src")
}

/// A small tree written for a test: (path under src, text).
fn tree(files: &[(&str, &str)]) -> Vec<(String, String)> {
    files
        .iter()
        .map(|(path, text)| (path.to_string(), text.to_string()))
        .collect()
}

#[test]
fn the_layers_point_one_way() {
    let files = read_tree(&src());
    let violations = check(&files);
    assert!(violations.is_empty(), "{violations:#?}");
    // The check saw the crate: each layer reaches the one below it.
    let edges = edges(&files, &modules(&files));
    for (from, to) in [
        ("sim", "server"),
        ("server", "provisioning"),
        ("provisioning", "em"),
        ("em", "entra"),
        ("subs", "graph"),
        ("graph", "intune"),
        ("entra", "authority"),
        ("directory", "state"),
    ] {
        assert!(
            edges.iter().any(|e| e.from == from && e.to == to),
            "no {from} → {to} found"
        );
    }
}

#[test]
fn an_upward_import_is_found_with_its_file_and_line() {
    let files = tree(&[
        ("lib.rs", "mod em;\nmod sim;\n"),
        ("sim/mod.rs", "use crate::em::x;\n"),
        ("em/mod.rs", "pub mod x;\n"),
        (
            "em/x.rs",
            "// crate::sim in a comment is fine\nuse crate::sim::TenantSim;\n",
        ),
    ]);
    let violations = check(&files);
    assert_eq!(
        violations[0],
        Violation::Upward(Edge {
            from: "em".into(),
            to: "sim".into(),
            file: "em/x.rs".into(),
            line: 2,
        })
    );
    assert!(
        violations.iter().any(|v| matches!(v, Violation::Cycle(_))),
        "{violations:?}"
    );
}

#[test]
fn areas_of_one_rank_may_not_use_each_other_but_leaves_may() {
    let files = tree(&[
        ("mail/mod.rs", "use crate::bot::X;\n"),
        ("bot.rs", "pub struct X;\n"),
        ("state.rs", "use crate::error::Result;\n"),
        ("error.rs", "\n"),
    ]);
    let violations = check(&files);
    assert_eq!(violations.len(), 1, "{violations:?}");
    assert!(
        matches!(&violations[0], Violation::Upward(e) if e.from == "mail" && e.to == "bot"),
        "{violations:?}"
    );
}

#[test]
fn a_circle_through_grouped_and_super_paths_and_an_unplaced_module_are_found() {
    let files = tree(&[
        ("state.rs", "pub fn f() { super::error::g() }\n"),
        ("error.rs", "use crate::{\n    config::C,\n    state::{self, f},\n};\n"),
        ("config.rs", "\n"),
        ("misc.rs", "\n"),
    ]);
    let violations = check(&files);
    assert!(
        violations.contains(&Violation::Unplaced("misc".into())),
        "{violations:?}"
    );
    assert!(
        violations.iter().any(
            |v| matches!(v, Violation::Cycle(c) if c.contains(&"state".to_string()) && c.contains(&"error".to_string()))
        ),
        "{violations:?}"
    );
}
