//! The bundled examples loaded into an empty database, for `trappe serve --demo`: two
//! municipalities in one database, each under its own agreement. Copenhagen: the state's
//! list of 2023, the decisions, the key figures of 2024-03-01 and of the mid-term status
//! of 2026-03-01 (six departments whose computed step moved: the re-placement proposal),
//! and the homes. Aalborg: its
//! list, key figures and homes, and the municipality's colour overview updated twice (so
//! the red and yellow overview shows what changed).

use std::path::{Path, PathBuf};

use trappe_formats::table_in::TableOptions;
use trappe_store::import::{ImportContext, ImportFile, Kind};
use trappe_store::Store;

use crate::Error;

/// The folder of the bundled examples (in the source tree).
pub fn example_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../examples")
}

/// One file of the demo: its kind, date, file (under the examples folder), and the
/// agreement its import names (the first import of each municipality).
type DemoFile = (Kind, &'static str, &'static str, Option<&'static str>);

/// The demo's imports, in order.
const FILES: [DemoFile; 8] = [
    (
        Kind::Areas,
        "2023-12-01",
        "copenhagen/areas.csv",
        Some("copenhagen-2024"),
    ),
    (
        Kind::Decisions,
        "2024-01-15",
        "copenhagen/decisions.csv",
        None,
    ),
    (
        Kind::Departments,
        "2024-03-01",
        "copenhagen/departments.csv",
        None,
    ),
    // The mid-term status of spring 2026 [CPH 6.2]: six departments' figures moved; the
    // department staircase holds until Samarbejdsforum approves, so they are the
    // re-placement proposal.
    (
        Kind::Departments,
        "2026-03-01",
        "copenhagen/departments-2026-03-01.csv",
        None,
    ),
    (
        Kind::Areas,
        "2023-12-01",
        "aalborg/areas.csv",
        Some("aalborg-2023"),
    ),
    (
        Kind::Departments,
        "2024-03-01",
        "aalborg/departments.csv",
        None,
    ),
    (
        Kind::Overview,
        "2024-04-01",
        "aalborg/overview-2024-04-01.csv",
        None,
    ),
    (
        Kind::Overview,
        "2024-08-01",
        "aalborg/overview-2024-08-01.csv",
        None,
    ),
];

/// The homes registers loaded after the imports.
const HOMES: [&str; 2] = ["copenhagen/homes.csv", "aalborg/homes.csv"];

/// Loads the examples from `dir` (see [`example_dir`]) unless the database already has a
/// placement in force today; every file is one import, as a user's would be.
pub fn load_if_empty(
    store: &mut Store,
    dir: &Path,
    today: trappe_rules::Date,
) -> Result<bool, Error> {
    if store.overview(today).is_ok() {
        return Ok(false);
    }
    load(store, dir)?;
    Ok(true)
}

/// Loads the examples' files from `dir` into the store.
pub fn load(store: &mut Store, dir: &Path) -> Result<(), Error> {
    let read = |f: &str| -> Result<Vec<u8>, Error> {
        let path = dir.join(f);
        std::fs::read(&path)
            .map_err(|e| Error::Input(format!("the demo needs {}: {e}", path.display())))
    };
    for (kind, date, file, agreement) in FILES {
        let agreement = agreement
            .map(trappe_formats::load_builtin)
            .transpose()
            .map_err(|e| Error::Input(e.to_string()))?;
        let bytes = read(file)?;
        store.import(
            &ImportFile {
                kind,
                reference_date: date
                    .parse()
                    .map_err(|e| Error::Input(format!("{date}: {e}")))?,
                file_name: file,
                bytes: &bytes,
                options: TableOptions::default(),
            },
            &ImportContext {
                actor: "demo",
                agreement: agreement.as_ref(),
                any_municipality: None,
                program_version: env!("CARGO_PKG_VERSION"),
                allow_drop: false,
                municipality: None,
                change_agreement: None,
            },
        )?;
    }
    for file in HOMES {
        let homes = trappe_formats::table_in::read_homes(&read(file)?, file)
            .map_err(|e| Error::Input(e.to_string()))?;
        store.import_homes(&homes, file, "demo")?;
    }
    Ok(())
}
