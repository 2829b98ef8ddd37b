//! The app crate's layers point one way: the entry points (`functions` with `app`, and the
//! command line: `cli`, `dev`, `provision`, `ops`) → `flows` → `services` → the leaves
//! (`queue`, `audit`, `error`, `config`, `inbound`). This reads every `crate::` and `super::`
//! path in `src/` (comments aside) and fails when a module names one of a higher layer, or
//! when the top-level modules import each other in a circle.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// The layer of each top-level module: higher numbers may use lower ones, never the reverse.
const LAYERS: &[(&str, u8)] = &[
    ("app", 3),
    ("cli", 3),
    ("dev", 3),
    ("doctor", 3),
    ("functions", 3),
    ("ops", 3),
    ("provision", 3),
    ("flows", 2),
    ("services", 1),
    ("audit", 0),
    ("config", 0),
    ("error", 0),
    ("inbound", 0),
    ("queue", 0),
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
    /// `from` (a lower layer) names `to` (a higher one).
    Upward(Edge),
    /// The top-level modules in a circle.
    Cycle(Vec<String>),
    /// A top-level module that has no layer.
    Unplaced(String),
}

fn layer(module: &str) -> Option<u8> {
    LAYERS.iter().find(|(m, _)| *m == module).map(|(_, l)| *l)
}

/// The module path of a source file: `src/flows/watch/mod.rs` → `["flows", "watch"]`.
fn module_path(src: &Path, file: &Path) -> Vec<String> {
    let relative = file.strip_prefix(src).unwrap_or(file);
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

/// The top-level module each `crate::x` or `super::…::x` path on `line` reaches.
fn targets(line: &str, module: &[String]) -> Vec<String> {
    let mut found = Vec::new();
    let bytes = line.as_bytes();
    let mut i = 0;
    while i < line.len() {
        let rest = &line[i..];
        let boundary =
            i == 0 || !(bytes[i - 1].is_ascii_alphanumeric() || bytes[i - 1] == b'_' || bytes[i - 1] == b':');
        if boundary && rest.starts_with("crate::") {
            if let Some(name) = ident(&rest["crate::".len()..]) {
                found.push(name);
            }
        } else if boundary && rest.starts_with("super::") {
            // Climb one module per `super::`, then the next name is a child of where we stand.
            let mut depth = module.len();
            let mut tail = rest;
            while let Some(next) = tail.strip_prefix("super::") {
                depth = depth.saturating_sub(1);
                tail = next;
            }
            let name = if depth == 0 {
                ident(tail)
            } else {
                module.first().cloned()
            };
            found.extend(name);
        }
        i += rest.chars().next().map_or(1, char::len_utf8);
    }
    found
}

fn ident(text: &str) -> Option<String> {
    let name: String = text
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
        .collect();
    (!name.is_empty()).then_some(name)
}

/// Every reference between top-level modules in the crate whose sources are `src`.
fn edges(src: &Path) -> Vec<Edge> {
    let mut files = Vec::new();
    rust_files(src, &mut files);
    files.sort();
    let mut edges = Vec::new();
    for file in files {
        let module = module_path(src, &file);
        let Some(from) = module.first().cloned() else { continue };
        let text = std::fs::read_to_string(&file).unwrap_or_default();
        for (n, line) in text.lines().enumerate() {
            let code = line.trim_start();
            if code.starts_with("//") {
                continue;
            }
            let code = code.split(" //").next().unwrap_or(code);
            for to in targets(code, &module) {
                if to != from && layer(&to).is_some() {
                    edges.push(Edge {
                        from: from.clone(),
                        to,
                        file: file.strip_prefix(src).unwrap_or(&file).display().to_string(),
                        line: n + 1,
                    });
                }
            }
        }
    }
    edges
}

fn check(src: &Path) -> Vec<Violation> {
    let edges = edges(src);
    let mut violations = Vec::new();
    let mut modules = BTreeSet::new();
    for dir in std::fs::read_dir(src).into_iter().flatten().flatten() {
        let name = dir
            .path()
            .file_stem()
            .map(|s| s.to_string_lossy().to_string())
            .unwrap_or_default();
        if !matches!(name.as_str(), "lib" | "main") {
            modules.insert(name);
        }
    }
    for module in &modules {
        if layer(module).is_none() {
            violations.push(Violation::Unplaced(module.clone()));
        }
    }
    for edge in &edges {
        if let (Some(from), Some(to)) = (layer(&edge.from), layer(&edge.to)) {
            if to > from {
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
        if !done.insert(node) {
            return None;
        }
        path.push(node);
        for next in graph.get(node).into_iter().flatten() {
            if let Some(cycle) = visit(next, graph, path, done) {
                return Some(cycle);
            }
        }
        path.pop();
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

#[test]
fn the_layers_point_one_way() {
    let violations = check(&src());
    assert!(violations.is_empty(), "{violations:#?}");
    // The check saw the crate: the entry points reach the flows, the flows the services.
    let edges = edges(&src());
    for (from, to) in [("functions", "flows"), ("flows", "services"), ("services", "audit")] {
        assert!(
            edges.iter().any(|e| e.from == from && e.to == to),
            "no {from} → {to} found"
        );
    }
}

/// A small tree written for the test, `files` as (path under src, text).
fn tree(files: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for (path, text) in files {
        let path = dir.path().join(path);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }
    dir
}

#[test]
fn an_upward_import_is_found_with_its_file_and_line() {
    let dir = tree(&[
        ("lib.rs", "pub mod flows;\npub mod services;\n"),
        ("flows/mod.rs", "use crate::services::x;\n"),
        ("services/mod.rs", "pub mod x;\n"),
        (
            "services/x.rs",
            "// crate::flows in a comment is fine\nuse crate::flows::y;\n",
        ),
    ]);
    let violations = check(dir.path());
    assert_eq!(
        violations[0],
        Violation::Upward(Edge {
            from: "services".into(),
            to: "flows".into(),
            file: "services/x.rs".into(),
            line: 2,
        })
    );
    assert!(
        violations.iter().any(|v| matches!(v, Violation::Cycle(_))),
        "{violations:?}"
    );
}

#[test]
fn a_circle_inside_one_layer_and_an_unplaced_module_are_found() {
    let dir = tree(&[
        ("queue/mod.rs", "pub fn f() { super::audit::g() }\n"),
        ("audit.rs", "use crate::queue::f;\n"),
        ("misc.rs", "\n"),
    ]);
    let violations = check(dir.path());
    assert!(
        violations.contains(&Violation::Unplaced("misc".into())),
        "{violations:?}"
    );
    assert!(
        violations
            .iter()
            .any(|v| matches!(v, Violation::Cycle(c) if c.contains(&"queue".to_string()))),
        "{violations:?}"
    );
}
