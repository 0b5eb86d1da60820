//! The architecture's invariants, checked on the source and the dependency graph so
//! that they stay true (ARCHITECTURE.md, "Invariants"):
//!
//! - SQL and the store's connection live only in `trappe-store`;
//! - the library crates (`trappe-web`, `trappe-app`, `trappe-store`, `trappe-formats`,
//!   `trappe-rules`) do not depend on clap, directly or through another crate: only the
//!   binary parses a command line (`cargo tree`);
//! - the stack points one way: rules ← formats ← store ← app ← web ← the binary;
//! - the rules crate does no IO: no clock, file system, environment or printing (the
//!   crate's `clippy.toml` refuses the same methods where clippy runs);
//! - no two modules of the web application import each other, directly or round a
//!   circle.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// The `.rs` files under a folder, recursively, with their text.
fn sources(dir: &Path) -> Vec<(PathBuf, String)> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&d) else {
            continue;
        };
        for e in entries.flatten() {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
            } else if p.extension().is_some_and(|x| x == "rs") {
                let text = std::fs::read_to_string(&p).unwrap();
                out.push((p, text));
            }
        }
    }
    out.sort();
    out
}

/// The crates of the workspace (folder names under `crates/`).
fn crates() -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(workspace().join("crates"))
        .unwrap()
        .flatten()
        .filter(|e| e.path().join("Cargo.toml").exists())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    v.sort();
    v
}

/// Lines of `text` (with their numbers) that contain one of `needles`, skipping
/// comment lines.
fn hits(text: &str, needles: &[&str]) -> Vec<(usize, String)> {
    text.lines()
        .enumerate()
        .filter(|(_, l)| {
            let t = l.trim_start();
            !t.starts_with("//") && needles.iter().any(|n| l.contains(n))
        })
        .map(|(i, l)| (i + 1, l.trim().to_string()))
        .collect()
}

/// SQL statements as they start inside a string literal.
const SQL: &[&str] = &[
    "\"SELECT ",
    "\"INSERT INTO",
    "\"UPDATE ",
    "\"DELETE FROM",
    "\"CREATE TABLE",
    "\"CREATE INDEX",
    "\"ALTER TABLE",
    "\"DROP TABLE",
    "\"BEGIN",
    "\"PRAGMA",
    "pg_advisory",
];

#[test]
fn sql_and_the_connection_live_only_in_the_store() {
    let crates = crates();
    assert!(
        crates.contains(&"trappe-store".to_string()) && crates.contains(&"trappe-web".to_string()),
        "{crates:?}"
    );
    let mut found = Vec::new();
    for c in crates.iter().filter(|c| *c != "trappe-store") {
        // The code and the benchmarks of every other crate. (Their integration tests
        // set up and break test databases — a schema per test, a table dropped under a
        // running server — and are the one place outside the store allowed to.)
        for dir in ["src", "benches"] {
            for (path, text) in sources(&workspace().join("crates").join(c).join(dir)) {
                let mut needles: Vec<&str> = SQL.to_vec();
                needles.extend([".conn.", ".conn\n", "test_support::sql"]);
                for (line, l) in hits(&text, &needles) {
                    found.push(format!("{}:{line}: {l}", path.display()));
                }
                // `.conn` at the end of a line, followed by a method on the next.
                for (i, l) in text.lines().enumerate() {
                    if l.trim_end().ends_with(".conn") || l.trim() == ".conn" {
                        found.push(format!("{}:{}: {}", path.display(), i + 1, l.trim()));
                    }
                }
            }
        }
    }
    assert!(
        found.is_empty(),
        "SQL or the store's connection outside trappe-store:\n{}",
        found.join("\n")
    );
}

#[test]
fn the_check_finds_sql_where_it_is() {
    // The scan above must be able to fail: it finds the store's own SQL.
    let store = sources(&workspace().join("crates/trappe-store/src"));
    let n: usize = store.iter().map(|(_, t)| hits(t, SQL).len()).sum();
    assert!(n > 50, "the scan found only {n} SQL lines in the store");
    assert_eq!(
        hits(
            "let x = store\n    .conn.query(\"SELECT 1\")",
            &[".conn.", "\"SELECT "]
        )
        .len(),
        1
    );
    assert!(hits("// \"SELECT in a comment", SQL).is_empty());
}

/// Every package `root` depends on (normal dependencies, transitively, for this
/// machine's target), by name: `cargo tree`, offline (the build has fetched them all).
fn closure(root: &str) -> BTreeSet<String> {
    let out = std::process::Command::new(env!("CARGO"))
        .args(["tree", "-p", root, "-e", "normal", "--prefix", "none"])
        .args(["--format", "{p}", "--offline"])
        .current_dir(workspace())
        .output()
        .expect("cargo tree runs");
    assert!(
        out.status.success(),
        "cargo tree -p {root}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter_map(|l| l.split_whitespace().next())
        .filter(|n| *n != root)
        .map(str::to_string)
        .collect()
}

#[test]
fn only_the_binary_parses_a_command_line_and_the_stack_points_one_way() {
    let binary = closure("trappe");
    assert!(
        binary.contains("clap"),
        "the check must be able to see clap"
    );
    // Each library and what it may build on: nothing above it in the stack.
    let stack = [
        ("trappe-rules", vec![]),
        ("trappe-formats", vec!["trappe-rules"]),
        ("trappe-store", vec!["trappe-rules", "trappe-formats"]),
        (
            "trappe-app",
            vec!["trappe-rules", "trappe-formats", "trappe-store"],
        ),
        (
            "trappe-web",
            vec![
                "trappe-rules",
                "trappe-formats",
                "trappe-store",
                "trappe-app",
            ],
        ),
    ];
    for (lib, allowed) in stack {
        let deps = closure(lib);
        assert!(!deps.contains("clap"), "{lib} depends on clap");
        let ours: Vec<&String> = deps
            .iter()
            .filter(|d| d.starts_with("trappe"))
            .filter(|d| !allowed.contains(&d.as_str()))
            .collect();
        assert!(ours.is_empty(), "{lib} depends on {ours:?}, above it");
    }
}

#[test]
fn the_rules_crate_does_no_io() {
    let forbidden = [
        "std::fs",
        "std::env",
        "std::io",
        "std::net",
        "std::process",
        "Local::now",
        "Utc::now",
        "SystemTime",
        "Instant::now",
        "println!",
        "eprintln!",
        "print!(",
        "File::",
    ];
    let mut found = Vec::new();
    for (path, text) in sources(&workspace().join("crates/trappe-rules/src")) {
        for (line, l) in hits(&text, &forbidden) {
            found.push(format!("{}:{line}: {l}", path.display()));
        }
    }
    assert!(
        found.is_empty(),
        "the rules crate reads the world:\n{}",
        found.join("\n")
    );
    // And clippy refuses the same where it runs (.ci/run): the file is there.
    let clippy = std::fs::read_to_string(workspace().join("crates/trappe-rules/clippy.toml"))
        .expect("crates/trappe-rules/clippy.toml");
    for m in ["Utc::now", "std::fs::read", "std::env::var"] {
        assert!(clippy.contains(m), "clippy.toml does not refuse {m}");
    }
}

/// The modules of the web crate each module imports (`super::x`, `crate::x`).
fn web_imports() -> BTreeMap<String, BTreeSet<String>> {
    let dir = workspace().join("crates/trappe-web/src");
    let files = sources(&dir);
    let modules: BTreeSet<String> = files
        .iter()
        .map(|(p, _)| p.file_stem().unwrap().to_string_lossy().into_owned())
        .filter(|m| m != "lib")
        .collect();
    let mut graph = BTreeMap::new();
    for (path, text) in &files {
        let me = path.file_stem().unwrap().to_string_lossy().into_owned();
        let mut uses = BTreeSet::new();
        // A file's own test module (`mod tests { use super::*; }`) is not an import.
        let code = text.split("#[cfg(test)]").next().unwrap_or(text);
        for m in &modules {
            if *m == me {
                continue;
            }
            let named = [
                format!("super::{m}::"),
                format!("crate::{m}::"),
                format!("super::{{{m}"),
                format!("super::{{{m},"),
                format!(", {m},"),
                format!(", {m}}}"),
            ];
            let imports = code.lines().any(|l| {
                let t = l.trim_start();
                !t.starts_with("//")
                    && (named[..2].iter().any(|n| l.contains(n.as_str()))
                        || (t.starts_with("use super::") || t.starts_with("use crate::"))
                            && named[2..].iter().any(|n| l.contains(n.as_str())))
            });
            if imports {
                uses.insert(m.clone());
            }
        }
        graph.insert(me, uses);
    }
    graph
}

/// A circle in a graph, if there is one (as the path round it).
fn circle(graph: &BTreeMap<String, BTreeSet<String>>) -> Option<Vec<String>> {
    fn visit(
        n: &str,
        graph: &BTreeMap<String, BTreeSet<String>>,
        path: &mut Vec<String>,
        done: &mut BTreeSet<String>,
    ) -> Option<Vec<String>> {
        if let Some(i) = path.iter().position(|p| p == n) {
            let mut c = path[i..].to_vec();
            c.push(n.to_string());
            return Some(c);
        }
        if done.contains(n) {
            return None;
        }
        path.push(n.to_string());
        for m in graph.get(n).into_iter().flatten() {
            if let Some(c) = visit(m, graph, path, done) {
                return Some(c);
            }
        }
        path.pop();
        done.insert(n.to_string());
        None
    }
    let mut done = BTreeSet::new();
    graph
        .keys()
        .find_map(|n| visit(n, graph, &mut Vec::new(), &mut done))
}

#[test]
fn no_two_web_modules_import_each_other_round_a_circle() {
    let graph = web_imports();
    assert!(
        graph.get("applicants").is_some_and(|u| u.contains("pages")),
        "the scan must see imports: {graph:?}"
    );
    assert_eq!(circle(&graph), None, "{graph:#?}");
    // The detector finds a circle where there is one.
    let mut g = graph.clone();
    g.entry("pages".into())
        .or_default()
        .insert("applicants".into());
    assert!(circle(&g).is_some());
}
