//! Results as bytes: the Danish/English table an analyst reads, CSV for spreadsheets and
//! JSON for scripts. Writers take any `io::Write`; nothing here prints by itself.

use std::collections::BTreeMap;
use std::io::{self, Write};

use serde::Serialize;
use serde_json::value::RawValue;

use trappe_rules::agreement::{AllocationRule, Channel, FlexibleLetting, Staircase, StepRule};
use trappe_rules::designation::DesignationResult;
use trappe_rules::placement::{Area, Classification, Department, Placement};
use trappe_rules::reason::{CheckedAgainst, Reason};
use trappe_rules::receipt::Receipt;
use trappe_rules::{Agreement, Criterion, Designation};

use crate::text::{self, Lang};

/// Output format of `classify` and `designate`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Table,
    Csv,
    /// Reasons as codes with parameters (the stable, scriptable form).
    Json,
    /// As `Json`, with each reason also rendered as a sentence in the chosen language.
    JsonWithText,
}

/// A cell as a spreadsheet program may open it without running it: text that begins with
/// `=`, `+`, `-`, `@`, a tab or a carriage return would be read by Excel or LibreOffice as
/// a formula (a name imported as `=HYPERLINK(…)` would become a link), so it gets a
/// leading `'`, which the spreadsheet shows as text. Numbers ("-3", "-2,5") are left as
/// they are.
pub fn spreadsheet_safe(cell: &str) -> std::borrow::Cow<'_, str> {
    let risky = matches!(
        cell.as_bytes().first(),
        Some(b'=' | b'+' | b'-' | b'@' | b'\t' | b'\r')
    );
    let number = || {
        let rest = cell.strip_prefix(['-', '+']).unwrap_or(cell);
        !rest.is_empty()
            && rest.bytes().next().is_some_and(|b| b.is_ascii_digit())
            && rest
                .bytes()
                .all(|b| b.is_ascii_digit() || b == b'.' || b == b',')
    };
    if risky && !number() {
        std::borrow::Cow::Owned(format!("'{cell}"))
    } else {
        std::borrow::Cow::Borrowed(cell)
    }
}

/// A CSV writer for every CSV trappe exports: each cell goes through
/// [`spreadsheet_safe`], so no caller can forget it.
pub struct CsvWriter<W: Write>(csv::Writer<W>);

impl<W: Write> CsvWriter<W> {
    pub fn new(writer: csv::Writer<W>) -> Self {
        CsvWriter(writer)
    }

    /// A comma-separated writer.
    pub fn from_writer(w: W) -> Self {
        CsvWriter(csv::Writer::from_writer(w))
    }

    pub fn write_record<I, T>(&mut self, record: I) -> csv::Result<()>
    where
        I: IntoIterator<Item = T>,
        T: AsRef<str>,
    {
        self.0.write_record(
            record
                .into_iter()
                .map(|cell| spreadsheet_safe(cell.as_ref()).into_owned()),
        )
    }

    pub fn flush(&mut self) -> io::Result<()> {
        self.0.flush()
    }

    /// The underlying writer, flushed.
    pub fn into_inner(self) -> io::Result<W> {
        self.0.into_inner().map_err(|e| e.into_error())
    }
}

/// A whole number with the language's thousands separator ("52.000" in Danish).
pub fn int(n: u64, lang: Lang) -> String {
    let digits = n.to_string();
    let sep = match lang {
        Lang::Da => '.',
        Lang::En => ',',
    };
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(sep);
        }
        out.push(c);
    }
    out
}

#[derive(Serialize)]
struct Consequences<'a> {
    label: &'a str,
    channels: &'a [Channel],
    municipal_allocation: AllocationRule,
    report_homes_to_allocation: bool,
    flexible: FlexibleLetting,
    criteria_sets: &'a [String],
    source: &'a str,
}

#[derive(Serialize)]
struct PlacementOut<'a> {
    department_id: &'a str,
    name: &'a str,
    organisation_id: &'a str,
    area_id: Option<&'a str>,
    family_homes: u32,
    staircase: Staircase,
    step: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    need: Option<trappe_rules::agreement::Need>,
    #[serde(
        skip_serializing_if = "Option::is_none",
        serialize_with = "trappe_rules::opt_pct_number"
    )]
    allocated_pct: Option<trappe_rules::Pct>,
    #[serde(skip_serializing_if = "Option::is_none")]
    allocated_band: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pool_id: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    tightened_criteria: Option<&'a [Criterion]>,
    consequences: &'a RawValue,
}

fn label(rule: &StepRule, lang: Lang) -> &str {
    match lang {
        Lang::Da => &rule.label_da,
        Lang::En => &rule.label_en,
    }
}

/// Writes a classification in the chosen format.
pub fn write_classification(
    out: &mut dyn Write,
    format: Format,
    lang: Lang,
    agreement: &Agreement,
    departments: &[Department],
    result: &Classification,
) -> io::Result<()> {
    match format {
        Format::Json => write_json(out, lang, false, agreement, departments, result),
        Format::JsonWithText => write_json(out, lang, true, agreement, departments, result),
        Format::Csv => write_csv(out, lang, agreement, departments, result),
        Format::Table => write_table(out, lang, agreement, departments, result),
    }
}

/// A classification's receipt as JSON. With `parameters`, every parameter value with its
/// source and validity; always `parameters_sha256`, the SHA-256 of the compact JSON array
/// of those parameters, so a placement's compact receipt names the values it used.
pub fn receipt_json(r: &Receipt, parameters: bool) -> io::Result<serde_json::Value> {
    let params = serde_json::to_vec(&r.parameters).map_err(io::Error::other)?;
    let mut v = serde_json::json!({
        "agreement": r.agreement,
        "agreement_sha256": r.agreement_sha256,
        "law": r.law,
        "placement_date": r.placement_date,
        "data_reference_date": r.data_reference_date,
        "list_in_force": r.list_in_force,
        "thresholds_from_list": r.thresholds_from_list,
        "thresholds_fallback": r.thresholds_fallback,
        "parameters_sha256": crate::agreement_file::sha256_hex(&params),
        "program_version": r.program_version,
    });
    if parameters {
        v["parameters"] = serde_json::to_value(&r.parameters).map_err(io::Error::other)?;
    }
    Ok(v)
}

/// With `with_text`, each reason also carries its sentence in `lang`.
fn write_json(
    out: &mut dyn Write,
    lang: Lang,
    with_text: bool,
    agreement: &Agreement,
    departments: &[Department],
    result: &Classification,
) -> io::Result<()> {
    // Each object carries the receipt; the parameter values are named by their hash (they
    // follow from the agreement's content hash and the law list) to keep the output small.
    // `--receipt FILE` writes the receipt with every parameter.
    let compact = receipt_json(&result.receipt, false)?;
    let receipt = serde_json::to_vec(&compact).map_err(io::Error::other)?;
    // What each step means is the same for every department on it: write it once per rule.
    let consequences = agreement
        .steps
        .iter()
        .map(|rule| {
            serde_json::value::to_raw_value(&Consequences {
                label: label(rule, lang),
                channels: &rule.channels,
                municipal_allocation: rule.municipal_allocation,
                report_homes_to_allocation: rule.report_homes_to_allocation,
                flexible: rule.flexible,
                criteria_sets: &rule.criteria_sets,
                source: &rule.source,
            })
            .map_err(io::Error::other)
        })
        .collect::<io::Result<Vec<_>>>()?;
    let shared = Shared {
        lang,
        with_text,
        departments,
        receipt: &receipt,
        consequences: &consequences,
    };
    // Rendering the reasons dominates; split the departments over the machine's cores and
    // join the parts in order, so the output is the same as from one thread.
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    let chunk = result.placements.len().div_ceil(threads).max(1);
    let parts: Vec<io::Result<Vec<u8>>> = std::thread::scope(|scope| {
        let handles: Vec<_> = result
            .placements
            .chunks(chunk)
            .map(|ps| scope.spawn(|| json_items(ps, &shared)))
            .collect();
        handles
            .into_iter()
            .map(|h| {
                h.join()
                    .unwrap_or_else(|_| Err(io::Error::other("a JSON writer thread panicked")))
            })
            .collect()
    });
    out.write_all(b"[")?;
    let mut first = true;
    for part in parts {
        let part = part?;
        if part.is_empty() {
            continue;
        }
        out.write_all(if first { b"\n" } else { b",\n" })?;
        first = false;
        out.write_all(&part)?;
    }
    out.write_all(b"\n]\n")?;
    out.flush()
}

/// What every JSON object shares, prepared once.
struct Shared<'a> {
    lang: Lang,
    with_text: bool,
    departments: &'a [Department],
    receipt: &'a [u8],
    /// The consequences object of each of the agreement's step rules, by index.
    consequences: &'a [Box<RawValue>],
}

/// The JSON objects of `placements`, separated by ",\n", without the array brackets.
fn json_items(placements: &[Placement], shared: &Shared<'_>) -> io::Result<Vec<u8>> {
    let Shared {
        lang,
        with_text,
        departments,
        receipt,
        consequences,
    } = *shared;
    let mut w: Vec<u8> = Vec::with_capacity(placements.len() * 4096);
    for (i, p) in placements.iter().enumerate() {
        if i > 0 {
            w.extend_from_slice(b",\n");
        }
        let d = &departments[p.department];
        let item = PlacementOut {
            department_id: &d.id,
            name: &d.name,
            organisation_id: &d.organisation_id,
            area_id: d.area_id.as_deref(),
            family_homes: d.family_homes,
            staircase: p.staircase,
            step: &p.step,
            need: p.need,
            allocated_pct: if p.staircase == Staircase::Department {
                d.allocated_pct
            } else {
                None
            },
            allocated_band: p.allocated_band.as_deref(),
            pool_id: p.pool_id.as_deref(),
            tightened_criteria: p.tightened_criteria.as_deref(),
            consequences: &consequences[p.step_rule],
        };
        serde_json::to_writer(&mut w, &item).map_err(io::Error::other)?;
        // Append the reasons and the receipt inside the object just written: each reason
        // is its code and parameters with the rendered sentence added as "text".
        w.pop(); // the object's closing brace
        w.extend_from_slice(b",\"reasons\":[");
        for (k, r) in p.reasons.iter().enumerate() {
            if k > 0 {
                w.push(b',');
            }
            serde_json::to_writer(&mut w, r).map_err(io::Error::other)?;
            if with_text {
                w.pop(); // the reason's closing brace
                w.extend_from_slice(b",\"text\":");
                serde_json::to_writer(&mut w, &text::reason(r, lang)).map_err(io::Error::other)?;
                w.push(b'}');
            }
        }
        w.extend_from_slice(b"],\"receipt\":");
        w.extend_from_slice(receipt);
        w.push(b'}');
    }
    Ok(w)
}

fn write_csv(
    out: &mut dyn Write,
    lang: Lang,
    agreement: &Agreement,
    departments: &[Department],
    result: &Classification,
) -> io::Result<()> {
    let mut w = CsvWriter::from_writer(out);
    w.write_record([
        "department_id",
        "name",
        "organisation_id",
        "area_id",
        "family_homes",
        "staircase",
        "step",
        "label",
        "need",
        "allocated_pct",
        "allocated_band",
        "pool_id",
        "tightened_criteria",
        "reasons",
    ])?;
    for p in &result.placements {
        let d = &departments[p.department];
        let rule = &agreement.steps[p.step_rule];
        w.write_record([
            d.id.as_str(),
            &d.name,
            &d.organisation_id,
            d.area_id.as_deref().unwrap_or(""),
            &d.family_homes.to_string(),
            p.staircase.as_str(),
            &p.step,
            label(rule, lang),
            p.need.map_or("", |n| n.as_str()),
            &d.allocated_pct.map_or(String::new(), |a| a.to_string()),
            p.allocated_band.as_deref().unwrap_or(""),
            p.pool_id.as_deref().unwrap_or(""),
            &p.tightened_criteria.as_ref().map_or(String::new(), |c| {
                c.iter().map(|c| c.as_str()).collect::<Vec<_>>().join(" ")
            }),
            &p.reasons
                .iter()
                .map(|r| text::reason(r, lang))
                .collect::<Vec<_>>()
                .join(" | "),
        ])?;
    }
    w.flush()
}

/// Groups placements by (staircase, step), in display order.
fn groups(result: &Classification) -> BTreeMap<(Staircase, u8, &str), Vec<&Placement>> {
    let mut g: BTreeMap<(Staircase, u8, &str), Vec<&Placement>> = BTreeMap::new();
    for p in &result.placements {
        // Highest step first within a staircase; red before yellow before green.
        let order = match p.step.as_str() {
            "red" => 0,
            "yellow" => 1,
            "green" => 2,
            s => 100u8.saturating_sub(s.parse::<u8>().unwrap_or(0)),
        };
        g.entry((p.staircase, order, p.step.as_str()))
            .or_default()
            .push(p);
    }
    g
}

fn write_table(
    out: &mut dyn Write,
    lang: Lang,
    agreement: &Agreement,
    departments: &[Department],
    result: &Classification,
) -> io::Result<()> {
    let da = lang == Lang::Da;
    let r = &result.receipt;
    let mut w = io::BufWriter::new(out);
    writeln!(w, "{} ({})", agreement.title, agreement.id)?;
    if da {
        writeln!(w, "Placering pr. {} · grænseværdier fra listen pr. {} (listen i kraft: {}) · aftale-sha256 {}…", r.placement_date, r.thresholds_from_list, r.list_in_force, &r.agreement_sha256[..12])?;
    } else {
        writeln!(w, "Placement on {} · thresholds from the list of {} (list in force: {}) · agreement sha256 {}…", r.placement_date, r.thresholds_from_list, r.list_in_force, &r.agreement_sha256[..12])?;
    }
    let groups = groups(result);
    let traffic = groups.keys().all(|(s, _, _)| *s == Staircase::TrafficLight);
    writeln!(w)?;
    write_summary(&mut w, lang, agreement, departments, &groups)?;
    write_groups(&mut w, lang, agreement, departments, &groups, traffic)?;
    write_pools(&mut w, lang, result)?;
    writeln!(w)?;
    writeln!(
        w,
        "{}",
        if da {
            "Begrundelser pr. afdeling: brug --format json eller --format csv."
        } else {
            "Reasons per department: use --format json or --format csv."
        }
    )?;
    w.flush()
}

/// The table of steps: departments and family homes per step, with the total.
fn write_summary(
    w: &mut impl Write,
    lang: Lang,
    agreement: &Agreement,
    departments: &[Department],
    groups: &BTreeMap<(Staircase, u8, &str), Vec<&Placement>>,
) -> io::Result<()> {
    let da = lang == Lang::Da;
    let (h_step, h_depts, h_homes) = if da {
        ("Trin", "Afdelinger", "Familieboliger")
    } else {
        ("Step", "Departments", "Family homes")
    };
    writeln!(w, "{h_step:<34} {h_depts:>11} {h_homes:>15}")?;
    let mut total = (0u64, 0u64);
    for ((staircase, _, step), ps) in groups {
        let homes: u64 = ps
            .iter()
            .map(|p| u64::from(departments[p.department].family_homes))
            .sum();
        total.0 += ps.len() as u64;
        total.1 += homes;
        writeln!(
            w,
            "{:<34} {:>11} {:>15}",
            text::step_title(Some(agreement), *staircase, step, lang),
            int(ps.len() as u64, lang),
            int(homes, lang)
        )?;
    }
    writeln!(
        w,
        "{:<34} {:>11} {:>15}",
        if da { "I alt" } else { "Total" },
        int(total.0, lang),
        int(total.1, lang)
    )?;
    Ok(())
}

/// The departments of each step (not the green ones in a traffic-light agreement, whose
/// red and yellow departments are one overview).
fn write_groups(
    w: &mut impl Write,
    lang: Lang,
    agreement: &Agreement,
    departments: &[Department],
    groups: &BTreeMap<(Staircase, u8, &str), Vec<&Placement>>,
    traffic: bool,
) -> io::Result<()> {
    let da = lang == Lang::Da;
    if traffic {
        writeln!(w)?;
        writeln!(
            w,
            "{}",
            if da {
                "Samlet oversigt over røde og gule afdelinger"
            } else {
                "One overview of red and yellow departments"
            }
        )?;
    }
    for ((staircase, _, step), ps) in groups {
        if traffic && *step == "green" {
            continue;
        }
        writeln!(w)?;
        let homes: u64 = ps
            .iter()
            .map(|p| u64::from(departments[p.department].family_homes))
            .sum();
        writeln!(
            w,
            "== {} — {} {}, {} {} ==",
            text::step_title(Some(agreement), *staircase, step, lang),
            int(ps.len() as u64, lang),
            match (da, ps.len()) {
                (true, 1) => "afdeling",
                (true, _) => "afdelinger",
                (false, 1) => "department",
                (false, _) => "departments",
            },
            int(homes, lang),
            match (da, homes) {
                (true, 1) => "familiebolig",
                (true, _) => "familieboliger",
                (false, 1) => "family home",
                (false, _) => "family homes",
            }
        )?;
        let cols = if da {
            [
                "Afdeling",
                "Navn",
                "Organisation",
                "Område",
                "Fam.boliger",
                "Behov",
                "Anviste %",
                "Pulje",
            ]
        } else {
            [
                "Department",
                "Name",
                "Organisation",
                "Area",
                "Fam. homes",
                "Need",
                "Allocated %",
                "Pool",
            ]
        };
        writeln!(
            w,
            "{:<12} {:<28} {:<12} {:<10} {:>11} {:<7} {:>11} {:<8}",
            cols[0], cols[1], cols[2], cols[3], cols[4], cols[5], cols[6], cols[7]
        )?;
        for p in ps {
            let d = &departments[p.department];
            writeln!(
                w,
                "{:<12} {:<28} {:<12} {:<10} {:>11} {:<7} {:>11} {:<8}",
                d.id,
                truncate(&d.name, 28),
                d.organisation_id,
                d.area_id.as_deref().unwrap_or("-"),
                int(u64::from(d.family_homes), lang),
                p.need.map_or("-", |n| text::need(n, lang)),
                d.allocated_pct
                    .map_or("-".to_string(), |a| text::pct(a, lang)),
                p.pool_id.as_deref().unwrap_or("-"),
            )?;
        }
    }
    Ok(())
}

/// The pools of small departments, if any.
fn write_pools(w: &mut impl Write, lang: Lang, result: &Classification) -> io::Result<()> {
    let da = lang == Lang::Da;
    if !result.pools.is_empty() {
        writeln!(w)?;
        writeln!(
            w,
            "{}",
            if da {
                "Puljer af små afdelinger"
            } else {
                "Pools of small departments"
            }
        )?;
        for pool in &result.pools {
            writeln!(
                w,
                "  {}: {} ({} {}, {} {}; {})",
                pool.id,
                pool.members.join(" "),
                int(u64::from(pool.homes), lang),
                if da { "boliger" } else { "homes" },
                int(u64::from(pool.residents), lang),
                if da { "beboere" } else { "residents" },
                pool.figures_source
            )?;
        }
    }
    Ok(())
}

fn truncate(s: &str, n: usize) -> String {
    if s.chars().count() <= n {
        s.to_string()
    } else {
        s.chars().take(n - 1).collect::<String>() + "…"
    }
}

#[derive(Serialize)]
struct DesignationOut<'a> {
    area_id: &'a str,
    name: &'a str,
    residents: u32,
    designation: Designation,
    would_be: Designation,
    #[serde(skip_serializing_if = "Option::is_none")]
    official: Option<Designation>,
    disagrees_with_official: bool,
    list_in_force: trappe_rules::Date,
    thresholds_from_list: trappe_rules::Date,
    result: &'a DesignationResult,
    reasons: Vec<String>,
}

/// Reasons for a designation, as sentences.
pub fn designation_reasons(r: &DesignationResult, lang: Lang) -> Vec<String> {
    let da = lang == Lang::Da;
    let mut out = Vec::new();
    out.push(if da {
        format!(
            "{} beboere (mindst {} kræves)",
            r.residents, r.min_residents
        )
    } else {
        format!("{} residents ({} required)", r.residents, r.min_residents)
    });
    for (against, checks) in [
        (CheckedAgainst::Udsat, &r.udsat_checks),
        (CheckedAgainst::Forebyggelse, &r.forebyggelse_checks),
    ] {
        out.extend(
            checks
                .iter()
                .map(|c| text::reason(&Reason::from_check(against, c), lang)),
        );
    }
    out.push(if da {
        format!("{} af 4 kriterier over grænsen for udsatte, {} over grænsen for forebyggelse (mindst {} kræves)", r.udsat_met, r.forebyggelse_met, r.min_criteria)
    } else {
        format!("{} of 4 criteria beyond the disadvantaged-area thresholds, {} beyond the prevention thresholds ({} required)", r.udsat_met, r.forebyggelse_met, r.min_criteria)
    });
    out.push(if da {
        format!("Ikke-vestlig herkomst {} % (forebyggelse > {} %, parallelsamfund > {} %); parallelsamfund på {} lister i træk før denne (omdannelse efter {})", text::pct(r.non_western_pct, lang), text::pct(r.forebyggelse_origin_above_pct, lang), text::pct(r.parallelsamfund_origin_above_pct, lang), r.prior_parallelsamfund_lists, r.omdannelse_consecutive_lists)
    } else {
        format!("Non-western origin {} % (prevention > {} %, parallel society > {} %); parallel society on {} lists in a row before this one (transformation after {})", text::pct(r.non_western_pct, lang), text::pct(r.forebyggelse_origin_above_pct, lang), text::pct(r.parallelsamfund_origin_above_pct, lang), r.prior_parallelsamfund_lists, r.omdannelse_consecutive_lists)
    });
    out
}

/// Writes computed designations.
pub fn write_designations(
    out: &mut dyn Write,
    format: Format,
    lang: Lang,
    list_in_force: trappe_rules::Date,
    thresholds_from_list: trappe_rules::Date,
    areas: &[Area],
    results: &[DesignationResult],
) -> io::Result<()> {
    let da = lang == Lang::Da;
    match format {
        Format::Json | Format::JsonWithText => {
            let items: Vec<DesignationOut<'_>> = areas
                .iter()
                .zip(results)
                .map(|(a, r)| DesignationOut {
                    area_id: &a.id,
                    name: &a.name,
                    residents: a.residents,
                    designation: r.designation,
                    would_be: r.would_be,
                    official: a.official,
                    disagrees_with_official: a.official.is_some_and(|o| o != r.designation),
                    list_in_force,
                    thresholds_from_list,
                    result: r,
                    reasons: designation_reasons(r, lang),
                })
                .collect();
            serde_json::to_writer_pretty(&mut *out, &items).map_err(io::Error::other)?;
            writeln!(out)
        }
        Format::Csv => {
            let mut w = CsvWriter::from_writer(out);
            w.write_record([
                "area_id",
                "name",
                "residents",
                "designation",
                "would_be",
                "official",
                "disagrees_with_official",
                "udsat_criteria_met",
                "forebyggelse_criteria_met",
                "reasons",
            ])?;
            for (a, r) in areas.iter().zip(results) {
                w.write_record([
                    a.id.as_str(),
                    &a.name,
                    &a.residents.to_string(),
                    r.designation.as_str(),
                    r.would_be.as_str(),
                    a.official.map_or("", |d| d.as_str()),
                    if a.official.is_some_and(|o| o != r.designation) {
                        "true"
                    } else {
                        "false"
                    },
                    &r.udsat_met.to_string(),
                    &r.forebyggelse_met.to_string(),
                    &designation_reasons(r, lang).join(" | "),
                ])?;
            }
            w.flush()
        }
        Format::Table => {
            writeln!(
                out,
                "{} {} ({} {})",
                if da {
                    "Udpegning for listen pr."
                } else {
                    "Designation for the list of"
                },
                list_in_force,
                if da {
                    "grænseværdier fra"
                } else {
                    "thresholds from"
                },
                thresholds_from_list
            )?;
            writeln!(out)?;
            for (a, r) in areas.iter().zip(results) {
                let official = match a.official {
                    Some(o) if o != r.designation => format!(
                        " — {} {}",
                        if da {
                            "AFVIGER fra officiel:"
                        } else {
                            "DIFFERS from official:"
                        },
                        text::designation(o, lang)
                    ),
                    Some(_) => format!(" ({})", if da { "som officiel" } else { "as official" }),
                    None => String::new(),
                };
                writeln!(
                    out,
                    "{} {}: {}{}",
                    a.id,
                    a.name,
                    text::designation(r.designation, lang),
                    official
                )?;
                for line in designation_reasons(r, lang) {
                    writeln!(out, "    {line}")?;
                }
            }
            Ok(())
        }
    }
}

#[cfg(test)]
mod csv_safety {
    use super::spreadsheet_safe;

    // OWASP's "CSV injection": cells beginning with = + - @ tab or CR are formulas to
    // Excel and LibreOffice.
    #[rstest::rstest]
    #[case("=HYPERLINK(\"http://x\")", "'=HYPERLINK(\"http://x\")")]
    #[case("+1+cmd", "'+1+cmd")]
    #[case("-2+3", "'-2+3")]
    #[case("@SUM(A1)", "'@SUM(A1)")]
    #[case("\tx", "'\tx")]
    #[case("\rx", "'\rx")]
    #[case("-", "'-")]
    #[case("-3", "-3")]
    #[case("-2,5", "-2,5")]
    #[case("+4.5", "+4.5")]
    #[case("101-0001", "101-0001")]
    #[case("Øresund", "Øresund")]
    #[case("", "")]
    fn risky_cells_become_text(#[case] cell: &str, #[case] expected: &str) {
        assert_eq!(spreadsheet_safe(cell), expected);
    }
}
