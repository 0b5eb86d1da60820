//! Sentences about what the store holds, in the user's language: why a department
//! moved between two placement runs, where it stood, and a decision refused for its
//! date. They live here, not in the store (which keeps only its English error
//! messages) and not in `trappe-formats::text` (which lies below the store and cannot
//! see its types); both front-ends call them.

use trappe_formats::text::{self, Lang};
use trappe_rules::agreement::Need;
use trappe_rules::{Designation, Pct};
use trappe_store::letting::OutsidePeriod;
use trappe_store::read::{Change, Why};

/// A municipality as a list shows it: its code, or every municipality for `*`.
pub fn municipality_code(code: &str, lang: Lang) -> String {
    if code == trappe_store::import::ANY_MUNICIPALITY {
        lang.pick("alle kommuner", "every municipality").to_string()
    } else {
        code.to_string()
    }
}

/// A municipality in a sentence: "kommune 101", or every municipality for `*`.
pub fn municipality(code: &str, lang: Lang) -> String {
    if code == trappe_store::import::ANY_MUNICIPALITY {
        municipality_code(code, lang)
    } else {
        format!("{} {code}", lang.pick("kommune", "municipality"))
    }
}

/// The heading of the computed placement's reasons beside a placement in force on
/// `basis`; `None` where they are the placement in force's own (shown already).
pub fn computed_heading(basis: &str, lang: Lang) -> Option<&'static str> {
    match basis {
        "overview" | "not_in_overview" => Some(lang.pick(
            "Trappes beregning (skøn, ikke kommunens farve):",
            "trappe's computation (an estimate, not the municipality's colour):",
        )),
        "held" | "approved" => Some(lang.pick(
            "Trappes beregning på de nyeste data (forslag til omplacering, gælder først når det er godkendt):",
            "trappe's computation on the newest data (a re-placement proposal, in force only once approved):",
        )),
        _ => None,
    }
}

/// What the computed step beside a placement in force on `basis` is.
pub fn estimate_hint(basis: &str, lang: Lang) -> &'static str {
    match basis {
        "held" | "approved" => lang.pick(
            "forslag til omplacering på de nyeste data; det gælder først, når omplaceringen er godkendt",
            "a re-placement proposal on the newest data; it is in force only once the re-placement is approved",
        ),
        "awaiting_decision" | "decided" => lang.pick(
            "samme trin; risikozonens skærpede kriterier er forslaget, kommunen beslutter",
            "the same step; the risk zone's tightened criteria are the proposal the municipality decides on",
        ),
        _ => lang.pick(
            "rød efter statens udpegning; gul og grøn efter nøgletallene er trappes eget bud, ikke kommunens",
            "red by the state's designation; yellow and green by the figures are trappe's own proxy, not the municipality's",
        ),
    }
}

/// A department a decision names that the proposal does not hold, in a sentence.
pub fn not_proposed(e: &trappe_store::placement_decisions::NotProposed, lang: Lang) -> String {
    let (d, on) = (&e.department, e.on);
    match (e.criteria, lang) {
        (false, Lang::Da) => format!("Afdeling {d} er ikke i forslaget til omplacering pr. {on} (dens beregnede trin er det gældende); angiv trinnet, der er godkendt."),
        (false, Lang::En) => format!("Department {d} is not in the re-placement proposal on {on} (its computed step is the one in force); give the step approved."),
        (true, Lang::Da) => format!("Afdeling {d} afventer ingen beslutning om kriterier pr. {on}: den ligger ikke i et nyudpeget forebyggelsesområde, der afventer en."),
        (true, Lang::En) => format!("Department {d} awaits no decision on its criteria on {on}: it is not in a newly designated prevention area awaiting one."),
    }
}

/// On what basis a placement is in force (`StoredPlacement::basis`).
pub fn basis(code: &str, lang: Lang) -> &'static str {
    match code {
        "provisional" => lang.pick(
            "foreløbig: beregnet, ikke kommunens",
            "provisional: computed, not the municipality's",
        ),
        "overview" => lang.pick("kommunens oversigt", "the municipality's overview"),
        "not_in_overview" => lang.pick(
            "ingen: kommunens oversigt nævner den ikke",
            "none: the municipality's overview omits it",
        ),
        "held" => lang.pick(
            "fastholdt: periodens første placering, til en omplacering godkendes",
            "held: the period's first placement, until a re-placement is approved",
        ),
        "approved" => lang.pick("godkendt omplacering", "approved re-placement"),
        "continued" => lang.pick(
            "videreført: området er ikke længere udpeget, afdelingens data mangler",
            "continued: the area is no longer designated, the department's data is missing",
        ),
        "awaiting_decision" => lang.pick(
            "almindelige kriterier, til kommunen beslutter de skærpede",
            "ordinary criteria, until the municipality decides the tightened ones",
        ),
        "decided" => lang.pick(
            "kommunens beslutning om skærpede kriterier",
            "the municipality's decision on tightened criteria",
        ),
        _ => lang.pick("beregnet", "computed"),
    }
}

fn num(n: &Option<serde_json::Number>, lang: Lang) -> String {
    match n {
        Some(n) => match n.to_string().parse::<Pct>() {
            Ok(d) => text::pct(d, lang),
            Err(_) => n.to_string(),
        },
        None => "–".into(),
    }
}

/// Why a department moved, as one sentence in the user's language.
pub fn change_why(why: &Why, lang: Lang) -> String {
    match why {
        Why::Criterion {
            criterion,
            against,
            before,
            after,
            threshold,
            met_now,
        } => {
            let level = match (against.as_str(), lang) {
                ("udsat", Lang::Da) => "grænsen for udsatte områder",
                ("udsat", Lang::En) => "the disadvantaged-area threshold",
                ("risk_zone", Lang::Da) => "risikozonen",
                ("risk_zone", Lang::En) => "the risk zone",
                (_, Lang::Da) => "grænsen for forebyggelsesområder",
                (_, Lang::En) => "the prevention-area threshold",
            };
            let state = match (met_now, lang) {
                (true, Lang::Da) => "nu opfyldt",
                (false, Lang::Da) => "ikke længere opfyldt",
                (true, Lang::En) => "now met",
                (false, Lang::En) => "no longer met",
            };
            format!(
                "{} {} → {} ({} {}): {state}",
                text::criterion(*criterion, lang),
                num(before, lang),
                num(after, lang),
                level,
                num(threshold, lang)
            )
        }
        Why::Designation { before, after } => {
            let d = |d: &Option<Designation>| {
                text::designation(d.unwrap_or(Designation::None), lang).to_string()
            };
            match lang {
                Lang::Da => format!("områdets udpegning: {} → {}", d(before), d(after)),
                Lang::En => format!("the area's designation: {} → {}", d(before), d(after)),
            }
        }
        // The band ids are the agreement's own (e.g. `20_to_25`); the shares say
        // the same to a reader.
        Why::AllocatedBand {
            allocated_before: None,
            allocated_after: Some(after),
            ..
        } => format!(
            "{} {} %",
            match lang {
                Lang::Da => "andel kommunalt anviste nu",
                Lang::En => "share allocated by the municipality now",
            },
            num(&Some(after.clone()), lang),
        ),
        Why::AllocatedBand {
            allocated_before,
            allocated_after,
            ..
        } => {
            format!(
                "{} {} → {} %",
                match lang {
                    Lang::Da => "andel kommunalt anviste",
                    Lang::En => "share allocated by the municipality",
                },
                num(allocated_before, lang),
                num(allocated_after, lang),
            )
        }
        Why::Need { before, after } => format!(
            "{} {} → {}",
            match lang {
                Lang::Da => "behov for at styrke beboersammensætningen",
                Lang::En => "need to strengthen the resident mix",
            },
            need_text(before.as_deref(), lang),
            need_text(after.as_deref(), lang)
        ),
        Why::NewDepartment => match lang {
            Lang::Da => "ny afdeling i data".into(),
            Lang::En => "new department in the data".into(),
        },
        Why::DepartmentGone => match lang {
            Lang::Da => "afdelingen er ikke længere i data".into(),
            Lang::En => "the department is no longer in the data".into(),
        },
        Why::Overview { as_of } => match lang {
            Lang::Da => format!("kommunens oversigt pr. {as_of}"),
            Lang::En => format!("the municipality's overview of {as_of}"),
        },
        Why::OmittedFromOverview { as_of } => match lang {
            Lang::Da => format!("kommunens oversigt pr. {as_of} nævner ikke afdelingen"),
            Lang::En => format!("the municipality's overview of {as_of} omits the department"),
        },
        Why::Approved { decision } => match lang {
            Lang::Da => format!(
                "omplacering godkendt af {} den {} (ref. {}), gældende fra {}",
                decision.decided_by, decision.decided_on, decision.reference, decision.from
            ),
            Lang::En => format!(
                "re-placement approved by {} on {} (ref. {}), in force from {}",
                decision.decided_by, decision.decided_on, decision.reference, decision.from
            ),
        },
        Why::CriteriaDecided { decision, criteria } => match lang {
            Lang::Da => format!(
                "{} besluttede den {} (ref. {}) skærpede kriterier fra {}: {}",
                decision.decided_by,
                decision.decided_on,
                decision.reference,
                decision.from,
                text::criteria_list(criteria, lang)
            ),
            Lang::En => format!(
                "{} decided on {} (ref. {}) the tightened criteria from {}: {}",
                decision.decided_by,
                decision.decided_on,
                decision.reference,
                decision.from,
                text::criteria_list(criteria, lang)
            ),
        },
        Why::AwaitingCriteria { since } => match lang {
            Lang::Da => format!("nyudpeget forebyggelsesområde: almindelige kriterier fra {since}, til kommunen beslutter de skærpede"),
            Lang::En => format!("newly designated prevention area: the ordinary criteria from {since} until the municipality decides the tightened ones"),
        },
        Why::Continued { since } => match lang {
            Lang::Da => format!(
                "området er ikke længere udpeget: den hidtidige udlejning videreføres fra {since}"
            ),
            Lang::En => format!(
                "the area is no longer designated: the letting of before continues from {since}"
            ),
        },
    }
}

fn need_text(need: Option<&str>, lang: Lang) -> String {
    let known = [Need::High, Need::Medium, Need::Low];
    match need {
        Some(n) => known
            .into_iter()
            .find(|k| k.as_str() == n)
            .map_or_else(|| n.to_string(), |k| text::need(k, lang).to_string()),
        None => "–".into(),
    }
}

/// Where a changed department stood before, as a step's name ("–" for none): the
/// placement in force, or the computed one where only it moved.
pub fn placement_before(c: &Change, lang: Lang) -> String {
    c.moved().0.map_or_else(
        || "–".into(),
        |p| text::step_name(p.staircase, &p.step, lang),
    )
}

/// Where a changed department stands after, as a step's name ("–" for none); a move of
/// the computed placement only is marked as a proposal, not in force.
pub fn placement_after(c: &Change, lang: Lang) -> String {
    let after = c.moved().1.map_or_else(
        || "–".into(),
        |p| text::step_name(p.staircase, &p.step, lang),
    );
    if c.in_force {
        after
    } else {
        format!(
            "{after} ({})",
            lang.pick(
                "beregnet forslag, ikke gældende",
                "computed proposal, not in force"
            )
        )
    }
}

/// A decision's date or year outside the agreement's period: the refusal, naming the
/// value and the allowed period, in the user's language.
pub fn outside_period(o: &OutsidePeriod, lang: Lang) -> String {
    let da = lang == Lang::Da;
    let what = match (o.field, da) {
        ("year", true) => "Året",
        ("year", false) => "The year",
        ("from", true) => "Fra-datoen",
        ("from", false) => "The from date",
        ("to", true) => "Til-datoen",
        ("to", false) => "The to date",
        (_, true) => "Beslutningsdatoen",
        (_, false) => "The decision date",
    };
    let (from, to) = (o.period.from, o.period.to);
    match (to, da) {
            (Some(to), true) => format!(
                "{what} {} ligger uden for aftalens periode, {from} til {to}.",
                o.value
            ),
            (Some(to), false) => format!(
                "{what} {} is outside the agreement's period, {from} to {to}.",
                o.value
            ),
            (None, true) => format!(
                "{what} {} ligger uden for aftalens periode, fra {from} (et år højst til året efter beslutningen).",
                o.value
            ),
            (None, false) => format!(
                "{what} {} is outside the agreement's period, from {from} (a year at most the year after the decision).",
                o.value
            ),
        }
}
