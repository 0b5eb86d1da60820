//! Reasons, warnings and labels rendered in Danish (the default) or English.

use trappe_rules::agreement::{Need, Staircase, ThresholdLevel};
use trappe_rules::criteria::Criterion;
use trappe_rules::placement::Warning;
use trappe_rules::reason::{CheckedAgainst, Reason};
use trappe_rules::{Designation, Pct};

/// The language of user-facing text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Lang {
    #[default]
    Da,
    En,
}

impl Lang {
    fn pick(self, da: &'static str, en: &'static str) -> &'static str {
        match self {
            Lang::Da => da,
            Lang::En => en,
        }
    }
}

/// A percentage as the user's language writes it ("4,5" in Danish).
pub fn pct(value: Pct, lang: Lang) -> String {
    let mut s = value.normalize().to_string();
    if lang == Lang::Da {
        if let Some(i) = s.find('.') {
            s.replace_range(i..=i, ",");
        }
    }
    s
}

pub fn criterion(c: Criterion, lang: Lang) -> &'static str {
    match c {
        Criterion::Unemployment => lang.pick("ledighed", "unemployment"),
        Criterion::Convictions => lang.pick("dømte", "convictions"),
        Criterion::PrimaryEducation => lang.pick("kun grundskole", "primary education only"),
        Criterion::Income => lang.pick("indkomst", "income"),
    }
}

pub fn designation(d: Designation, lang: Lang) -> &'static str {
    match d {
        Designation::None => lang.pick("ingen udpegning", "not designated"),
        Designation::Forebyggelse => lang.pick("forebyggelsesområde", "prevention area"),
        Designation::Udsat => lang.pick("udsat boligområde", "disadvantaged area"),
        Designation::Parallelsamfund => lang.pick("parallelsamfund", "parallel society"),
        Designation::Omdannelse => lang.pick("omdannelsesområde", "transformation area"),
    }
}

pub fn need(n: Need, lang: Lang) -> &'static str {
    match n {
        Need::High => lang.pick("højt", "high"),
        Need::Medium => lang.pick("mellem", "medium"),
        Need::Low => lang.pick("lavt", "low"),
    }
}

pub fn staircase(s: Staircase, lang: Lang) -> &'static str {
    match s {
        Staircase::Area => lang.pick("Områdetrappen", "Area staircase"),
        Staircase::Department => lang.pick("Afdelingstrappen", "Department staircase"),
        Staircase::TrafficLight => lang.pick("Trafiklys", "Traffic light"),
    }
}

pub fn step_name(s: Staircase, step: &str, lang: Lang) -> String {
    match (s, step) {
        (Staircase::TrafficLight, "red") => lang.pick("Rød", "Red").into(),
        (Staircase::TrafficLight, "yellow") => lang.pick("Gul", "Yellow").into(),
        (Staircase::TrafficLight, "green") => lang.pick("Grøn", "Green").into(),
        _ => format!(
            "{} {} {step}",
            staircase(s, lang),
            lang.pick("trin", "step")
        ),
    }
}

fn against(a: CheckedAgainst, lang: Lang) -> &'static str {
    match a {
        CheckedAgainst::Udsat => lang.pick(
            "grænsen for udsatte boligområder",
            "the disadvantaged-area threshold",
        ),
        CheckedAgainst::RiskZone => lang.pick("risikozonen", "the risk zone"),
        CheckedAgainst::Forebyggelse => lang.pick(
            "grænsen for forebyggelsesområder",
            "the prevention-area threshold",
        ),
    }
}

fn level(l: ThresholdLevel, lang: Lang) -> &'static str {
    against(l.into(), lang)
}

fn yes(b: bool, lang: Lang) -> &'static str {
    if b {
        lang.pick("opfyldt", "met")
    } else {
        lang.pick("ikke opfyldt", "not met")
    }
}

/// One reason as a sentence.
pub fn reason(r: &Reason, lang: Lang) -> String {
    use Lang::*;
    match (r, lang) {
        (Reason::AreaDesignated { area_id, designation: d, list_date, step }, _) => match lang {
            Da => format!("Området {area_id} er {} på listen pr. {list_date}: områdetrappen trin {step}", designation(*d, lang)),
            En => format!("Area {area_id} is a {} on the list of {list_date}: area staircase step {step}", designation(*d, lang)),
        },
        (Reason::AreaDesignationDisagrees { area_id, official, computed }, _) => match lang {
            Da => format!("Bemærk: områdets {area_id} officielle udpegning ({}) afviger fra den beregnede ({}); den officielle bruges", designation(*official, lang), designation(*computed, lang)),
            En => format!("Note: the official designation of area {area_id} ({}) differs from the computed one ({}); the official one is used", designation(*official, lang), designation(*computed, lang)),
        },
        (Reason::AreaStaircaseByDecision { area_id, residents, would_be, ground, decided_by, decided_on, step }, _) => match lang {
            Da => format!("Området {area_id} har {residents} beboere og ville være {}; placeret på områdetrappen trin {step} efter beslutning ({ground}) truffet af {decided_by} den {decided_on}", designation(*would_be, lang)),
            En => format!("Area {area_id} has {residents} residents and would be a {}; placed on area staircase step {step} by decision ({ground}) of {decided_by} on {decided_on}", designation(*would_be, lang)),
        },
        (Reason::AreaStaircaseCandidate { area_id, residents, above, would_be }, _) => match lang {
            Da => format!("Området {area_id} har {residents} beboere (over {above}) og ville være {}: kan placeres på områdetrappen efter beslutning i Samarbejdsforum, men ingen beslutning er registreret", designation(*would_be, lang)),
            En => format!("Area {area_id} has {residents} residents (over {above}) and would be a {}: it may go on the area staircase by decision of the Samarbejdsforum, but no decision is recorded", designation(*would_be, lang)),
        },
        (Reason::Criterion { against: a, criterion: c, value, comparison, threshold, met }, _) => format!(
            "{} {} % {} {}: {} {} % — {} ({} {} {})",
            capitalise(criterion(*c, lang)),
            pct(*value, lang),
            lang.pick("mod", "against"),
            against(*a, lang),
            comparison.symbol(),
            pct(*threshold, lang),
            yes(*met, lang),
            lang.pick("afstand", "distance"),
            pct((*value - *threshold).abs(), lang),
            lang.pick("pct.-point", "percentage points"),
        ),
        (Reason::AreaChallenged { area_id, criterion: c, value, risk_zone_threshold, within_risk_zone, persons_to_udsat, persons_margin, challenged }, _) => {
            let persons = persons_to_udsat.map_or_else(
                || lang.pick("antal personer ukendt", "number of persons unknown").to_string(),
                |p| match lang {
                    Da => format!("{p} personer fra grænsen for udsatte (margen {persons_margin})"),
                    En => format!("{p} persons from the disadvantaged-area threshold (margin {persons_margin})"),
                },
            );
            match lang {
                Da => format!("Området {area_id}, {} {} % (risikozone {} %): {}, {persons} — skærpet kriterium {}", criterion(*c, lang), pct(*value, lang), pct(*risk_zone_threshold, lang), if *within_risk_zone { "inden for risikozonen" } else { "uden for risikozonen" }, if *challenged { "gælder" } else { "gælder ikke" }),
                En => format!("Area {area_id}, {} {} % (risk zone {} %): {}, {persons} — tightened criterion {}", criterion(*c, lang), pct(*value, lang), pct(*risk_zone_threshold, lang), if *within_risk_zone { "within the risk zone" } else { "outside the risk zone" }, if *challenged { "applies" } else { "does not apply" }),
            }
        }
        (Reason::AreaFiguresMissing { area_id }, Da) => format!("Områdets {area_id} nøgletal mangler: kommunen afgør, hvilke skærpede kriterier der gælder (6.1.5)"),
        (Reason::AreaFiguresMissing { area_id }, En) => format!("The figures of area {area_id} are missing: the municipality decides which tightened criteria apply (6.1.5)"),
        (Reason::NeedLevel { need: n, udsat_met, high_min, risk_zone_met, medium_min }, Da) => format!("Behov {}: {udsat_met} kriterier over grænsen for udsatte (højt ved mindst {high_min}), {risk_zone_met} i risikozonen (mellem ved mindst {medium_min})", need(*n, lang)),
        (Reason::NeedLevel { need: n, udsat_met, high_min, risk_zone_met, medium_min }, En) => format!("Need {}: {udsat_met} criteria beyond the disadvantaged-area threshold (high from {high_min}), {risk_zone_met} within the risk zone (medium from {medium_min})", need(*n, lang)),
        (Reason::AllocatedBand { allocated_pct, band, from_pct, to_pct }, _) => {
            let to = to_pct.map_or_else(|| "∞".to_string(), |t| format!("{} %", pct(t, lang)));
            match lang {
                Da => format!("Andel anviste {} % ligger i båndet {band} ({} % ≤ andel < {to})", pct(*allocated_pct, lang), pct(*from_pct, lang)),
                En => format!("Allocated share {} % is in band {band} ({} % ≤ share < {to})", pct(*allocated_pct, lang), pct(*from_pct, lang)),
            }
        }
        (Reason::StepFromTable { need: n, band, step }, Da) => format!("Behov {} × bånd {band} giver afdelingstrappen trin {step} (figur 5)", need(*n, lang)),
        (Reason::StepFromTable { need: n, band, step }, En) => format!("Need {} × band {band} gives department staircase step {step} (figure 5)", need(*n, lang)),
        (Reason::PoolFigures { pool_id, homes, residents, min_homes, min_residents, members, computed }, Da) => format!("Lille afdeling: puljens {pool_id} nøgletal bruges ({members} afdelinger, {homes} boliger, {residents} beboere; grænse {min_homes} boliger og {min_residents} beboere){}", if *computed { "; beregnet af medlemmernes tal, vægtet med beboere" } else { "" }),
        (Reason::PoolFigures { pool_id, homes, residents, min_homes, min_residents, members, computed }, En) => format!("Small department: the figures of pool {pool_id} are used ({members} departments, {homes} homes, {residents} residents; limit {min_homes} homes and {min_residents} residents){}", if *computed { "; computed from members' figures weighted by residents" } else { "" }),
        (Reason::RedByDesignation { area_id, designation: d, list_date }, Da) => format!("Rød: området {area_id} er {} på listen pr. {list_date}", designation(*d, lang)),
        (Reason::RedByDesignation { area_id, designation: d, list_date }, En) => format!("Red: area {area_id} is a {} on the list of {list_date}", designation(*d, lang)),
        (Reason::YellowRule { level: l, met, min, yellow }, Da) => format!("{met} af 4 kriterier over {} (gul ved mindst {min}): {}", level(*l, lang), if *yellow { "gul" } else { "grøn" }),
        (Reason::YellowRule { level: l, met, min, yellow }, En) => format!("{met} of 4 criteria beyond {} (yellow from {min}): {}", level(*l, lang), if *yellow { "yellow" } else { "green" }),
        (Reason::NoAreaData, Da) => "Ingen områdefil: områdetrappen/udpegning er ikke vurderet".into(),
        (Reason::NoAreaData, En) => "No areas file: the area staircase/designation was not evaluated".into(),
        (Reason::NotMainlyFamilyHomes { family_homes, youth_homes, elderly_homes }, Da) => format!("Bemærk: afdelingen har flere ungdoms- eller ældreboliger ({youth_homes}/{elderly_homes}) end familieboliger ({family_homes}); se afsnit 7.1"),
        (Reason::NotMainlyFamilyHomes { family_homes, youth_homes, elderly_homes }, En) => format!("Note: the department has more youth or elderly homes ({youth_homes}/{elderly_homes}) than family homes ({family_homes}); see section 7.1"),
    }
}

fn capitalise(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().collect::<String>() + c.as_str(),
        None => String::new(),
    }
}

/// One warning as a sentence.
pub fn warning(w: &Warning, lang: Lang) -> String {
    match (w, lang) {
        (Warning::ThresholdsFallback { list_in_force, values_from_list }, Lang::Da) => format!("advarsel: der kendes ingen grænseværdier for listen pr. {list_in_force}; værdierne fra listen pr. {values_from_list} bruges"),
        (Warning::ThresholdsFallback { list_in_force, values_from_list }, Lang::En) => format!("warning: no threshold values are known for the list of {list_in_force}; the values of the list of {values_from_list} are used"),
        (Warning::NoAreaData, Lang::Da) => "advarsel: ingen områdefil (--areas); alle afdelinger vurderes uden områdets udpegning".into(),
        (Warning::NoAreaData, Lang::En) => "warning: no areas file (--areas); every department is judged without its area's designation".into(),
        (Warning::PoolBelowThreshold { pool_id, homes, residents }, Lang::Da) => format!("advarsel: puljen {pool_id} når ikke grænsen ({homes} boliger, {residents} beboere)"),
        (Warning::PoolBelowThreshold { pool_id, homes, residents }, Lang::En) => format!("warning: pool {pool_id} does not reach the threshold ({homes} homes, {residents} residents)"),
        (Warning::DecisionNotApplied { area_id, would_be }, Lang::Da) => format!("advarsel: beslutningen for område {area_id} er ikke anvendt: området opfylder ikke betingelserne (beregnet: {})", would_be.map_or("ukendt", |d| designation(d, lang))),
        (Warning::DecisionNotApplied { area_id, would_be }, Lang::En) => format!("warning: the decision for area {area_id} was not applied: the area does not meet the conditions (computed: {})", would_be.map_or("unknown", |d| designation(d, lang))),
        (Warning::DesignationDisagrees { area_id, official, computed }, Lang::Da) => format!("advarsel: område {area_id}: officiel udpegning {} afviger fra beregnet {}", official, computed),
        (Warning::DesignationDisagrees { area_id, official, computed }, Lang::En) => format!("warning: area {area_id}: official designation {} differs from computed {}", official, computed),
    }
}
