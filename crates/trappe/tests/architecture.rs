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
                needles.extend([".conn.", ".conn\n"]);
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
    // The store's schema tests reach the connection through `test_support::sql`
    // (only with the store's `test-support` feature); no other crate may, tests too.
    for c in crates.iter().filter(|c| *c != "trappe-store") {
        for (path, text) in sources(&workspace().join("crates").join(c)) {
            if path.ends_with("tests/architecture.rs") {
                continue; // this file names what it looks for
            }
            let uses = text.replace(char::is_whitespace, "");
            if uses.contains("test_support::sql")
                || (uses.contains("test_support::{")
                    && statement_names(&text, "test_support", "sql"))
            {
                found.push(format!("{}: uses test_support::sql", path.display()));
            }
        }
    }
    // Only the store talks to a database engine: no other crate depends on one.
    for c in crates.iter().filter(|c| *c != "trappe-store") {
        let direct = direct_dependencies(c);
        for engine in ["rusqlite", "postgres", "tokio-postgres", "sqlx", "diesel"] {
            if direct.contains(engine) {
                found.push(format!("crates/{c}/Cargo.toml: depends on {engine}"));
            }
        }
    }
    assert!(
        found.is_empty(),
        "SQL or the store's connection outside trappe-store:\n{}",
        found.join("\n")
    );
}

/// Whether a `use` statement of `text` that names `module` also names `item`.
fn statement_names(text: &str, module: &str, item: &str) -> bool {
    use_statements(text)
        .iter()
        .filter(|u| u.contains(module))
        .any(|u| {
            u.split(|c: char| !(c.is_alphanumeric() || c == '_'))
                .any(|w| w == item)
        })
}

/// Every `use …;` statement of a file, on one line, whitespace removed.
fn use_statements(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = text;
    while let Some(i) = rest.find("use ") {
        let before = &rest[..i];
        let at_start = before.rsplit('\n').next().is_some_and(|l| {
            l.trim().is_empty() || l.trim() == "pub" || l.trim().starts_with("pub(")
        });
        if !at_start {
            rest = &rest[i + 4..];
            continue;
        }
        let Some(end) = rest[i..].find(';') else {
            break;
        };
        out.push(rest[i + 4..i + end].replace(char::is_whitespace, ""));
        rest = &rest[i + end + 1..];
    }
    out
}

/// The direct normal dependencies of a workspace crate (`cargo tree --depth 1`).
fn direct_dependencies(krate: &str) -> BTreeSet<String> {
    let out = std::process::Command::new(env!("CARGO"))
        .args([
            "tree", "-p", krate, "-e", "normal", "--depth", "1", "--prefix", "none",
        ])
        .args(["--format", "{p}", "--offline"])
        .current_dir(workspace())
        .output()
        .expect("cargo tree runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter_map(|l| l.split_whitespace().next())
        .filter(|n| *n != krate)
        .map(str::to_string)
        .collect()
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
    assert!(direct_dependencies("trappe-store").contains("rusqlite"));
    assert!(statement_names(
        "// we use it\nuse trappe_store::test_support::{\n    needs,\n    sql,\n};",
        "test_support",
        "sql"
    ));
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
        "std::{",
        "Utc::today",
        "Local::today",
        "dbg!",
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
    let files = sources(&workspace().join("crates/trappe-rules/src"));
    assert!(
        files.len() > 10,
        "the rules crate's sources: {}",
        files.len()
    );
    for (path, text) in files {
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

/// The modules of the web crate each module imports: a `use super::…`/`use crate::…`
/// statement that names a sibling module at the start of a path (`pages`, `{pages,`,
/// `pages::render`), or a path `super::pages::…`/`crate::pages::…` in the code. Test
/// modules count too.
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
        let code: String = text
            .lines()
            .filter(|l| !l.trim_start().starts_with("//"))
            .collect::<Vec<_>>()
            .join("\n");
        let mut uses = BTreeSet::new();
        for u in use_statements(&code) {
            let Some(tree) = u
                .strip_prefix("super::")
                .or_else(|| u.strip_prefix("crate::"))
            else {
                continue;
            };
            // The first segment of every path in the tree: after the start, `{` or `,`.
            let mut start = true;
            let mut word = String::new();
            for c in tree.chars().chain([';']) {
                if c.is_alphanumeric() || c == '_' {
                    word.push(c);
                    continue;
                }
                if start && modules.contains(&word) {
                    uses.insert(word.clone());
                }
                word.clear();
                start = c == '{' || c == ',';
            }
        }
        for m in &modules {
            let flat = code.replace(char::is_whitespace, "");
            if flat.contains(&format!("super::{m}::")) || flat.contains(&format!("crate::{m}::")) {
                uses.insert(m.clone());
            }
        }
        uses.remove(&me);
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

#[test]
fn the_store_makes_no_sentences() {
    // Users' sentences about stored things are trappe-app's (`text`), the rest
    // trappe-formats'; the store keeps only its English error messages.
    let files = sources(&workspace().join("crates/trappe-store/src"));
    assert!(files.len() > 5);
    let mut found = Vec::new();
    for (path, text) in files {
        for (line, l) in hits(&text, &["Lang::", "text::Lang", "Lang}", "lang: Lang"]) {
            found.push(format!("{}:{line}: {l}", path.display()));
        }
    }
    assert!(
        found.is_empty(),
        "the store chooses a language:\n{}",
        found.join("\n")
    );
}
