//! The Copenhagen example loaded into an empty database, for `trappe serve --demo`:
//! the state's list of 2023, the decisions, the key figures of 2024-03-01 and the homes.

use std::path::{Path, PathBuf};

use trappe_formats::table_in::TableOptions;
use trappe_store::import::{ImportContext, ImportFile, Kind};
use trappe_store::Store;

use crate::Error;

/// The folder of the bundled Copenhagen example (in the source tree).
pub fn example_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../examples/copenhagen")
}

/// Loads the example from `dir` (see [`example_dir`]) unless the database already has
/// a placement in force today; every file is one import, as a user's would be.
pub fn load_if_empty(
    store: &mut Store,
    dir: &Path,
    today: trappe_rules::Date,
) -> Result<bool, Error> {
    if store.overview(today).is_ok() {
        return Ok(false);
    }
    let read = |f: &str| -> Result<Vec<u8>, Error> {
        let path = dir.join(f);
        std::fs::read(&path)
            .map_err(|e| Error::Input(format!("the demo needs {}: {e}", path.display())))
    };
    load(
        store,
        &read("areas.csv")?,
        &read("decisions.csv")?,
        &read("departments.csv")?,
        &read("homes.csv")?,
    )?;
    Ok(true)
}

/// Loads the example's four files into the store.
pub fn load(
    store: &mut Store,
    areas: &[u8],
    decisions: &[u8],
    departments: &[u8],
    homes: &[u8],
) -> Result<(), Error> {
    let agreement =
        trappe_formats::load_builtin("copenhagen-2024").map_err(|e| Error::Input(e.to_string()))?;
    let files: [(Kind, &str, &str, &[u8]); 3] = [
        (Kind::Areas, "2023-12-01", "areas.csv", areas),
        (Kind::Decisions, "2024-01-15", "decisions.csv", decisions),
        (
            Kind::Departments,
            "2024-03-01",
            "departments.csv",
            departments,
        ),
    ];
    for (i, (kind, date, name, bytes)) in files.into_iter().enumerate() {
        store.import(
            &ImportFile {
                kind,
                reference_date: date
                    .parse()
                    .map_err(|e| Error::Input(format!("{date}: {e}")))?,
                file_name: name,
                bytes,
                options: TableOptions::default(),
            },
            &ImportContext {
                actor: "demo",
                agreement: (i == 0).then_some(&agreement),
                any_municipality: None,
                program_version: env!("CARGO_PKG_VERSION"),
                allow_drop: false,
                municipality: None,
                change_agreement: None,
            },
        )?;
    }
    let homes = trappe_formats::table_in::read_homes(homes, "homes.csv")
        .map_err(|e| Error::Input(e.to_string()))?;
    store.import_homes(&homes, "homes.csv", "demo")?;
    Ok(())
}
