//! The tables both front-ends show and export: the overview, a department's history,
//! the changes between two placement runs, and the letting reports of bilag 15 (lettings
//! by channel, realised allocation against "every nth vacancy", homes for the municipal
//! allocation). The command line writes them as a table, CSV, JSON or XLSX; the web
//! application shows and downloads the same [`Report`].

use trappe_formats::report::{Cell, Column, Report};
use trappe_formats::text::{self, Lang};
use trappe_rules::Date;
use trappe_store::read::{ChangesReport, HistoryEntry, Overview, OverviewUpdate, StoredPlacement};
use trappe_store::Store;

use crate::Error;

/// Which letting report [CPH B15], with its parameters.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LettingReport {
    /// Lettings by channel per department (or per organisation), move-in dates from–to.
    Lettings {
        from: Date,
        to: Date,
        by_organisation: bool,
    },
    /// Per department on the steps the agreement's "every nth vacancy" rule covers:
    /// did realised allocation exceed it in the year?
    EveryNthVacancy { year: i32 },
    /// Homes offered to, used by and returned by the municipality (vacancy dates
    /// from–to).
    Allocation {
        from: Date,
        to: Date,
        by_organisation: bool,
    },
}

impl LettingReport {
    /// The report's code, as the command line and the web's address name it. The old
    /// name `every_third` (`every-third`) is accepted too, so scripts keep working.
    pub fn name(&self) -> &'static str {
        match self {
            LettingReport::Lettings { .. } => "lettings",
            LettingReport::EveryNthVacancy { .. } => "every_nth_vacancy",
            LettingReport::Allocation { .. } => "allocation",
        }
    }

    /// The same report by department, not by organisation (an organisation sees only
    /// its own departments, so rows by organisation would hold the others' figures).
    pub fn by_department(self) -> LettingReport {
        match self {
            LettingReport::Lettings { from, to, .. } => LettingReport::Lettings {
                from,
                to,
                by_organisation: false,
            },
            LettingReport::Allocation { from, to, .. } => LettingReport::Allocation {
                from,
                to,
                by_organisation: false,
            },
            other => other,
        }
    }

    fn check(&self) -> Result<(), Error> {
        match self {
            LettingReport::Lettings { from, to, .. }
            | LettingReport::Allocation { from, to, .. }
                if from > to =>
            {
                Err(Error::Input(format!(
                    "the period starts {from}, after it ends {to}"
                )))
            }
            _ => Ok(()),
        }
    }
}

fn dec(value: Option<trappe_rules::Pct>) -> Cell {
    value.map_or(Cell::Empty, |value| Cell::Dec { value, places: 1 })
}

fn text_cell(s: Option<&str>) -> Cell {
    s.map_or(Cell::Empty, |s| Cell::Text(s.to_string()))
}

/// A step as a table shows it: the staircases' numbers as they are, a colour by its name.
fn step_cell(staircase: trappe_rules::agreement::Staircase, step: &str, lang: Lang) -> Cell {
    match staircase {
        trappe_rules::agreement::Staircase::TrafficLight => Cell::Coded {
            code: step.to_string(),
            label: text::step_name(staircase, step, lang),
        },
        _ => Cell::Text(step.to_string()),
    }
}

fn placement_cells(p: Option<&StoredPlacement>, lang: Lang) -> [Cell; 4] {
    match p {
        Some(p) => [
            Cell::Text(text::staircase(p.staircase, lang).to_string()),
            step_cell(p.staircase, &p.step, lang),
            text_cell(p.need.as_deref()),
            text_cell(p.allocated_band.as_deref()),
        ],
        None => [Cell::Empty, Cell::Empty, Cell::Empty, Cell::Empty],
    }
}

const PLACEMENT_COLUMNS: [Column; 4] = [
    Column {
        key: "staircase",
        da: "Trappe",
        en: "Staircase",
    },
    Column {
        key: "step",
        da: "Trin",
        en: "Step",
    },
    Column {
        key: "need",
        da: "Behov",
        en: "Need",
    },
    Column {
        key: "allocated_band",
        da: "Anvisningsinterval",
        en: "Allocated band",
    },
];

const FIGURE_COLUMNS: [Column; 5] = [
    Column {
        key: "unemployment_pct",
        da: "Ledighed %",
        en: "Unemployment %",
    },
    Column {
        key: "convictions_pct",
        da: "Dømte %",
        en: "Convictions %",
    },
    Column {
        key: "primary_education_pct",
        da: "Kun grundskole %",
        en: "Primary education only %",
    },
    Column {
        key: "income_pct",
        da: "Indkomst %",
        en: "Income %",
    },
    Column {
        key: "allocated_pct",
        da: "Kommunalt anviste %",
        en: "Allocated %",
    },
];

/// A department's id, name, organisation and area.
const DEPARTMENT_COLUMNS: [Column; 4] = [
    Column {
        key: "department_id",
        da: "Afdeling",
        en: "Department",
    },
    Column {
        key: "name",
        da: "Navn",
        en: "Name",
    },
    Column {
        key: "organisation_id",
        da: "Boligorganisation",
        en: "Organisation",
    },
    Column {
        key: "area_id",
        da: "Boligområde",
        en: "Housing area",
    },
];

/// A department's family homes and residents.
const HOMES_COLUMNS: [Column; 2] = [
    Column {
        key: "family_homes",
        da: "Familieboliger",
        en: "Family homes",
    },
    Column {
        key: "residents",
        da: "Beboere",
        en: "Residents",
    },
];

fn figure_cells(d: &trappe_rules::placement::Department) -> [Cell; 5] {
    let f = d.figures;
    [
        dec(f.map(|f| f.unemployment_pct)),
        dec(f.map(|f| f.convictions_pct)),
        dec(f.map(|f| f.primary_education_pct)),
        dec(f.map(|f| f.income_pct)),
        dec(d.allocated_pct),
    ]
}

pub fn overview_report(o: &Overview, lang: Lang) -> Report {
    let mut columns = DEPARTMENT_COLUMNS.to_vec();
    columns.extend(HOMES_COLUMNS);
    columns.extend(PLACEMENT_COLUMNS);
    columns.push(Column {
        key: "pool_id",
        da: "Pulje",
        en: "Pool",
    });
    columns.extend(FIGURE_COLUMNS);
    // Where the agreement puts another placement in force (the municipality's
    // overview), the basis and trappe's computed estimate beside it.
    let beside = o.rows.iter().any(|r| r.placement.computed.is_some());
    if beside {
        columns.extend(IN_FORCE_COLUMNS);
    }
    let rows = o
        .rows
        .iter()
        .map(|r| {
            let d = &r.department;
            let mut row = vec![
                Cell::Text(d.id.clone()),
                Cell::Text(d.name.clone()),
                Cell::Text(d.organisation_id.clone()),
                text_cell(d.area_id.as_deref()),
                Cell::Int(i64::from(d.family_homes)),
                Cell::Int(i64::from(d.residents)),
            ];
            row.extend(placement_cells(Some(&r.placement), lang));
            row.push(text_cell(r.placement.pool_id.as_deref()));
            row.extend(figure_cells(d));
            if beside {
                row.extend(in_force_cells(&r.placement, lang));
            }
            row
        })
        .collect();
    let provisional = o.rows.iter().any(|r| r.placement.basis == "provisional");
    let (note_da, note_en) = if provisional {
        (
            " — foreløbig: beregnet, ikke kommunens (kommunens oversigt er ikke indlæst)",
            " — provisional: computed, not the municipality's (its overview is not imported)",
        )
    } else {
        ("", "")
    };
    Report {
        title_da: format!("Oversigt pr. {}{note_da}", o.on_date),
        title_en: format!("Overview on {}{note_en}", o.on_date),
        columns,
        rows,
    }
}

/// "Data sammenholdes - og med udgangspunkt heri, samles røde og gule afdelinger i én
/// oversigt" [AAL Monitorering]: the red and yellow departments in force with their
/// figures and trappe's estimate, and — since the municipality's previous update — every
/// department whose colour changed, also those that left red and yellow.
pub fn red_yellow_report(o: &Overview, updates: &[OverviewUpdate], lang: Lang) -> Report {
    use trappe_rules::agreement::Staircase;
    let mut columns = DEPARTMENT_COLUMNS.to_vec();
    columns.extend([
        Column {
            key: "colour",
            da: "Farve",
            en: "Colour",
        },
        Column {
            key: "changed",
            da: "Ændret siden forrige opdatering",
            en: "Changed since the previous update",
        },
    ]);
    columns.extend(HOMES_COLUMNS);
    columns.extend(FIGURE_COLUMNS);
    columns.extend(IN_FORCE_COLUMNS);
    let changed: std::collections::HashMap<&str, &trappe_store::read::ColourChange> = updates
        .iter()
        .flat_map(|u| u.changes.iter())
        .map(|c| (c.department_id.as_str(), c))
        .collect();
    let rank = |step: &str| match step {
        "red" => 0,
        "yellow" => 1,
        _ => 2,
    };
    let mut rows: Vec<(u8, &trappe_store::read::OverviewRow)> = o
        .rows
        .iter()
        .filter(|r| r.placement.staircase == Staircase::TrafficLight)
        .filter(|r| rank(&r.placement.step) < 2 || changed.contains_key(r.department.id.as_str()))
        .map(|r| (rank(&r.placement.step), r))
        .collect();
    rows.sort_by(|a, b| (a.0, &a.1.department.id).cmp(&(b.0, &b.1.department.id)));
    let colour = |step: Option<&String>| match step {
        Some(s) => text::step_name(Staircase::TrafficLight, s, lang).to_lowercase(),
        None => lang.pick("ikke med", "not in it").to_string(),
    };
    let rows = rows
        .into_iter()
        .map(|(_, r)| {
            let d = &r.department;
            let mut row = vec![
                Cell::Text(d.id.clone()),
                Cell::Text(d.name.clone()),
                Cell::Text(d.organisation_id.clone()),
                text_cell(d.area_id.as_deref()),
                step_cell(r.placement.staircase, &r.placement.step, lang),
                match changed.get(d.id.as_str()) {
                    Some(c) => Cell::Text(format!(
                        "{} {} → {}",
                        lang.pick("ja:", "yes:"),
                        colour(c.before.as_ref()),
                        colour(c.after.as_ref())
                    )),
                    None => Cell::Empty,
                },
                Cell::Int(i64::from(d.family_homes)),
                Cell::Int(i64::from(d.residents)),
            ];
            row.extend(figure_cells(d));
            row.extend(in_force_cells(&r.placement, lang));
            row
        })
        .collect();
    let (title_da, title_en) = match updates {
        [u] => (
            format!(
                "Røde og gule afdelinger pr. {} — kommunens oversigt pr. {}{}",
                o.on_date,
                u.as_of,
                u.previous
                    .map(|p| format!(", ændringer siden {p}"))
                    .unwrap_or_default()
            ),
            format!(
                "Red and yellow departments on {} — the municipality's overview of {}{}",
                o.on_date,
                u.as_of,
                u.previous
                    .map(|p| format!(", changes since {p}"))
                    .unwrap_or_default()
            ),
        ),
        [_, _, ..] => {
            let list = |prev: &str| {
                updates
                    .iter()
                    .map(|u| {
                        format!(
                            "{} {}{}",
                            crate::text::municipality(&u.municipality, lang),
                            u.as_of,
                            u.previous.map(|p| format!(" ({prev} {p})")).unwrap_or_default()
                        )
                    })
                    .collect::<Vec<_>>()
                    .join("; ")
            };
            (
                format!(
                    "Røde og gule afdelinger pr. {} — kommunernes oversigter: {}",
                    o.on_date,
                    list("ændringer siden")
                ),
                format!(
                    "Red and yellow departments on {} — the municipalities' overviews: {}",
                    o.on_date,
                    list("changes since")
                ),
            )
        }
        [] if !o.rows.iter().any(|r| r.placement.basis == "provisional") => (
            format!("Røde og gule afdelinger pr. {}", o.on_date),
            format!("Red and yellow departments on {}", o.on_date),
        ),
        [] => (
            format!(
                "Røde og gule afdelinger pr. {} — foreløbig: beregnet, ikke kommunens (kommunens oversigt er ikke indlæst)",
                o.on_date
            ),
            format!(
                "Red and yellow departments on {} — provisional: computed, not the municipality's (its overview is not imported)",
                o.on_date
            ),
        ),
    };
    Report {
        title_da,
        title_en,
        columns,
        rows,
    }
}

const IN_FORCE_COLUMNS: [Column; 3] = [
    Column {
        key: "basis",
        da: "Gældende trin fra",
        en: "In force by",
    },
    Column {
        key: "computed_step",
        da: "Beregnet trin (skøn, ikke gældende)",
        en: "Computed step (estimate, not in force)",
    },
    Column {
        key: "differs",
        da: "Beregnet afviger",
        en: "Computed differs",
    },
];

fn in_force_cells(p: &StoredPlacement, lang: Lang) -> [Cell; 3] {
    [
        Cell::Coded {
            code: p.basis.clone(),
            label: crate::text::basis(&p.basis, lang).to_string(),
        },
        p.computed
            .as_ref()
            .map_or(Cell::Empty, |c| step_cell(c.staircase, &c.step, lang)),
        Cell::Bool(p.differs_from_computed()),
    ]
}

pub fn history_report(department: &str, h: &[HistoryEntry], lang: Lang) -> Report {
    let mut columns = vec![
        Column {
            key: "on_date",
            da: "Gældende fra",
            en: "In force from",
        },
        Column {
            key: "figures_date",
            da: "Nøgletal pr.",
            en: "Figures as of",
        },
        Column {
            key: "list_date",
            da: "Liste pr.",
            en: "List of",
        },
        Column {
            key: "residents",
            da: "Beboere",
            en: "Residents",
        },
    ];
    columns.extend(FIGURE_COLUMNS);
    columns.extend(PLACEMENT_COLUMNS);
    // Where another placement is in force (the municipality's overview, a placement held
    // until approved), the basis and the computed step beside it.
    let beside = h
        .iter()
        .any(|e| e.placement.as_ref().is_some_and(|p| p.computed.is_some()));
    if beside {
        columns.extend(IN_FORCE_COLUMNS);
    }
    let rows = h
        .iter()
        .map(|e| {
            let mut row = vec![
                Cell::Date(e.on_date),
                Cell::Date(e.figures_date),
                e.list_date.map_or(Cell::Empty, Cell::Date),
                Cell::Int(i64::from(e.department.residents)),
            ];
            row.extend(figure_cells(&e.department));
            row.extend(placement_cells(e.placement.as_ref(), lang));
            if beside {
                match &e.placement {
                    Some(p) => row.extend(in_force_cells(p, lang)),
                    None => row.extend([Cell::Empty, Cell::Empty, Cell::Empty]),
                }
            }
            row
        })
        .collect();
    let name = h.last().map_or("", |e| e.department.name.as_str());
    Report {
        title_da: format!("Historik {department} {name}"),
        title_en: format!("History {department} {name}"),
        columns,
        rows,
    }
}

pub fn changes_report(c: &ChangesReport, lang: Lang) -> Report {
    let columns = vec![
        Column {
            key: "department_id",
            da: "Afdeling",
            en: "Department",
        },
        Column {
            key: "name",
            da: "Navn",
            en: "Name",
        },
        Column {
            key: "before",
            da: "Før",
            en: "Before",
        },
        Column {
            key: "after",
            da: "Efter",
            en: "After",
        },
        Column {
            key: "why",
            da: "Hvorfor",
            en: "Why",
        },
        Column {
            key: "in_force",
            da: "Gældende",
            en: "In force",
        },
    ];
    let rows = c
        .changes
        .iter()
        .map(|ch| {
            vec![
                Cell::Text(ch.department_id.clone()),
                Cell::Text(ch.name.clone()),
                Cell::Text(crate::text::placement_before(ch, lang)),
                Cell::Text(crate::text::placement_after(ch, lang)),
                Cell::Text(
                    ch.why
                        .iter()
                        .map(|w| crate::text::change_why(w, lang))
                        .collect::<Vec<_>>()
                        .join("; "),
                ),
                Cell::Bool(ch.in_force),
            ]
        })
        .collect();
    let d = |x: Option<(i64, Date)>| x.map_or("–".to_string(), |(_, d)| d.to_string());
    Report {
        title_da: format!("Ændringer {} – {}", d(c.from), d(c.to)),
        title_en: format!("Changes {} – {}", d(c.from), d(c.to)),
        columns,
        rows,
    }
}

/// The first column of a report grouped by department or by organisation.
fn group_column(by_organisation: bool) -> Column {
    if by_organisation {
        Column::new("organisation_id", "Boligorganisation", "Organisation")
    } else {
        Column::new("department_id", "Afdeling", "Department")
    }
}

/// A letting report as a table (the CLI writes it; the web application shows and exports
/// it).
pub fn letting_report(store: &mut Store, which: LettingReport) -> Result<Report, Error> {
    which.check()?;
    Ok(match which {
        LettingReport::Lettings {
            from,
            to,
            by_organisation,
        } => {
            let rows = store.lettings_report(from, to, by_organisation)?;
            let keys = [
                "waiting_list",
                "flexible",
                "municipal_allocation",
                "urban_renewal",
                "internal_transfer",
                "exchange",
            ];
            Report {
                title_da: format!("Udlejninger efter kanal {from} – {to}"),
                title_en: format!("Lettings by channel {from} – {to}"),
                columns: vec![
                    group_column(by_organisation),
                    Column::new("name", "Navn", "Name"),
                    Column::new("waiting_list", "Alm. venteliste", "Waiting list"),
                    Column::new("flexible", "Fleksibel", "Flexible"),
                    Column::new(
                        "municipal_allocation",
                        "Kommunal anvisning",
                        "Municipal allocation",
                    ),
                    Column::new("urban_renewal", "Byfornyelse", "Urban renewal"),
                    Column::new("internal_transfer", "Intern oprykning", "Internal transfer"),
                    Column::new("exchange", "Bytte", "Exchange"),
                    Column::new("total", "I alt", "Total"),
                ],
                rows: rows
                    .iter()
                    .map(|r| {
                        let mut row = vec![Cell::from(r.key.as_str()), Cell::from(r.name.as_str())];
                        row.extend(keys.iter().map(|k| {
                            Cell::Int(i64::from(r.by_channel.get(*k).copied().unwrap_or(0)))
                        }));
                        row.push(Cell::Int(i64::from(r.total)));
                        row
                    })
                    .collect(),
            }
        }
        LettingReport::EveryNthVacancy { year } => {
            let report = store.every_nth_vacancy_report(year)?;
            let (nth, source) = (report.nth, report.source.clone());
            let rows = report.rows;
            Report {
                title_da: format!(
                    "Realiseret anvisning over hver {nth}. ledige bolig, {year} [{source}]"
                ),
                title_en: format!(
                    "Realised allocation above 1 in {nth} vacancies, {year} [{source}]"
                ),
                columns: vec![
                    Column::new("department_id", "Afdeling", "Department"),
                    Column::new("step", "Trin", "Step"),
                    Column::new("vacancies", "Ledige boliger", "Vacancies"),
                    Column::new(
                        "realised_allocations",
                        "Realiseret anvisning",
                        "Realised allocations",
                    ),
                    Column::new("exceeded", "Over grænsen", "Above the limit"),
                    Column::new(
                        "approved_for_next_year",
                        "Fritagelse godkendt næste år",
                        "Exemption approved next year",
                    ),
                ],
                rows: rows
                    .iter()
                    .map(|r| {
                        vec![
                            Cell::from(r.department_id.as_str()),
                            Cell::from(r.step.as_str()),
                            Cell::Int(i64::from(r.vacancies)),
                            Cell::Int(i64::from(r.realised_allocations)),
                            Cell::Bool(r.exceeded),
                            Cell::Bool(r.approved_for_next_year),
                        ]
                    })
                    .collect(),
            }
        }
        LettingReport::Allocation {
            from,
            to,
            by_organisation,
        } => {
            let rows = store.allocation_report(from, to, by_organisation)?;
            Report {
                title_da: format!("Boliger til kommunal anvisning {from} – {to}"),
                title_en: format!("Homes for municipal allocation {from} – {to}"),
                columns: vec![
                    group_column(by_organisation),
                    Column::new("name", "Navn", "Name"),
                    Column::new("offered", "Stillet til rådighed", "Offered"),
                    Column::new("used", "Anvendt", "Used"),
                    Column::new("returned", "Returneret", "Returned"),
                    Column::new("open", "Uafsluttet", "Open"),
                ],
                rows: rows
                    .iter()
                    .map(|r| {
                        vec![
                            Cell::from(r.key.as_str()),
                            Cell::from(r.name.as_str()),
                            Cell::Int(i64::from(r.offered)),
                            Cell::Int(i64::from(r.used)),
                            Cell::Int(i64::from(r.returned)),
                            Cell::Int(i64::from(r.open)),
                        ]
                    })
                    .collect(),
            }
        }
    })
}
