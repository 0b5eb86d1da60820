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
    /// The Danish or the English of a word: the one way a language is chosen.
    pub fn pick(self, da: &'static str, en: &'static str) -> &'static str {
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

/// What a department lacks for its own placement.
pub fn missing_data(m: trappe_rules::reason::MissingData, lang: Lang) -> &'static str {
    use trappe_rules::reason::MissingData;
    match m {
        MissingData::Figures => lang.pick("afdelingens nøgletal", "the department's key figures"),
        MissingData::AllocatedShare => lang.pick(
            "andelen af kommunalt anviste familieboliger",
            "the share of municipally allocated family homes",
        ),
    }
}

/// Criteria by name, comma-separated; none: the ordinary criteria only.
pub fn criteria_list(criteria: &[Criterion], lang: Lang) -> String {
    if criteria.is_empty() {
        return lang
            .pick(
                "ingen skærpede (almindelige kriterier)",
                "none tightened (the ordinary criteria)",
            )
            .to_string();
    }
    criteria
        .iter()
        .map(|c| criterion(*c, lang))
        .collect::<Vec<_>>()
        .join(", ")
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
        Staircase::List => lang.pick("Aftalens liste", "The agreement's list"),
    }
}

/// A step's name, with a named list's group by the label the agreement gives it.
pub fn step_title(
    agreement: Option<&trappe_rules::Agreement>,
    s: Staircase,
    step: &str,
    lang: Lang,
) -> String {
    let label = agreement
        .filter(|_| s == Staircase::List)
        .and_then(|a| a.steps.iter().find(|r| r.staircase == s && r.step == step));
    match label {
        Some(r) => match lang {
            Lang::Da => r.label_da.clone(),
            Lang::En => r.label_en.clone(),
        },
        None => step_name(s, step, lang),
    }
}

pub fn step_name(s: Staircase, step: &str, lang: Lang) -> String {
    match (s, step) {
        (Staircase::TrafficLight, "red") => lang.pick("Rød", "Red").into(),
        (Staircase::TrafficLight, "yellow") => lang.pick("Gul", "Yellow").into(),
        (Staircase::TrafficLight, "green") => lang.pick("Grøn", "Green").into(),
        (Staircase::List, trappe_rules::agreement::NOT_COVERED) => lang
            .pick("Ikke omfattet af aftalen", "Not covered by the agreement")
            .into(),
        (Staircase::TrafficLight, trappe_rules::agreement::NO_DATA) => {
            lang.pick("Ingen data", "No data").into()
        }
        (Staircase::TrafficLight, trappe_rules::agreement::NOT_IN_OVERVIEW) => lang
            .pick(
                "Ingen farve i kommunens oversigt",
                "No colour in the municipality's overview",
            )
            .into(),
        (Staircase::List, group) => format!("{}: {group}", staircase(s, lang)),
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
        (Reason::YellowRule { level: l, met, min, yellow }, Da) => format!("{met} af 4 kriterier over {} (gul ved mindst {min}): {} — trappes skøn efter nøgletallene, ikke kommunens farve (aftalen giver ingen grænser for gul)", level(*l, lang), if *yellow { "gul" } else { "grøn" }),
        (Reason::YellowRule { level: l, met, min, yellow }, En) => format!("{met} of 4 criteria beyond {} (yellow from {min}): {} — trappe's estimate from the figures, not the municipality's colour (the agreement gives no thresholds for yellow)", level(*l, lang), if *yellow { "yellow" } else { "green" }),
        (Reason::NamedInList { organisation, step, all_except, source }, Da) => format!("Aftalen nævner afdelingen{} under {organisation}: gruppe {step} [{source}]", if *all_except { " (alle organisationens afdelinger på nær de undtagne)" } else { "" }),
        (Reason::NamedInList { organisation, step, all_except, source }, En) => format!("The agreement names the department{} under {organisation}: group {step} [{source}]", if *all_except { " (all the organisation's departments but those excepted)" } else { "" }),
        (Reason::NotNamed { organisation }, Da) => format!("Aftalen nævner ikke afdelingen under {organisation}: den er ikke omfattet af aftalen"),
        (Reason::NotNamed { organisation }, En) => format!("The agreement does not name the department under {organisation}: it is not covered by the agreement"),
        (Reason::ListDesignatedArea { area_id, designation: d, list_date, step }, Da) => format!("Området {area_id} er {} på listen pr. {list_date}: lovens gruppe {step} gælder før aftalens liste", designation(*d, lang)),
        (Reason::ListDesignatedArea { area_id, designation: d, list_date, step }, En) => format!("Area {area_id} is a {} on the list of {list_date}: the law's group {step} applies before the agreement's list", designation(*d, lang)),
        (Reason::NoFigures, Da) => "Afdelingen har ingen nøgletal, og aftalen puljer ikke små afdelinger: ingen beregnet farve (ingen data)".into(),
        (Reason::NoFigures, En) => "The department has no figures and the agreement pools no small departments: no computed colour (no data)".into(),
        (Reason::InForceByOverview { as_of, step }, Da) => format!("Kommunens oversigt pr. {as_of} giver afdelingen farven {}: den gælder for udlejningen", step_name(Staircase::TrafficLight, step, lang).to_lowercase()),
        (Reason::InForceByOverview { as_of, step }, En) => format!("The municipality's overview of {as_of} gives the department {}: it is in force for letting", step_name(Staircase::TrafficLight, step, lang).to_lowercase()),
        (Reason::OmittedFromOverview { as_of }, Da) => format!("Kommunens seneste oversigt (pr. {as_of}) nævner ikke afdelingen: den har ingen gældende farve, og aftalen udlejer intet der, før en oversigt giver den en"),
        (Reason::OmittedFromOverview { as_of }, En) => format!("The municipality's latest overview (of {as_of}) omits the department: it has no colour in force, and the agreement lets nothing there until an overview gives it one"),
        (Reason::HeldUntilApproval { since, approved_by }, Da) => format!("Placeringen fra {since} (den første i aftaleperioden) gælder, indtil {approved_by} godkender en omplacering; trappes nye beregning er et forslag"),
        (Reason::HeldUntilApproval { since, approved_by }, En) => format!("The placement of {since} (the first in the agreement period) is in force until {approved_by} approves a re-placement; trappe's new computation is a proposal"),
        (Reason::InForceByApproval { decision, step }, Da) => format!("{} godkendte den {} omplacering til trin {step} (ref. {}), gældende fra {}", decision.decided_by, decision.decided_on, decision.reference, decision.from),
        (Reason::InForceByApproval { decision, step }, En) => format!("{} approved on {} the re-placement to step {step} (ref. {}), in force from {}", decision.decided_by, decision.decided_on, decision.reference, decision.from),
        (Reason::ContinuedUntilDepartmentData { area_id, since, missing }, Da) => format!("Området{} er ikke længere udpeget: den hidtidige udlejning videreføres fra {since}, indtil afdelingens egne data er opgjort (mangler: {})", area_id.as_deref().map(|a| format!(" {a}")).unwrap_or_default(), missing_data(*missing, lang)),
        (Reason::ContinuedUntilDepartmentData { area_id, since, missing }, En) => format!("The area{} is no longer designated: the letting of before continues from {since} until the department's own data is in (missing: {})", area_id.as_deref().map(|a| format!(" {a}")).unwrap_or_default(), missing_data(*missing, lang)),
        (Reason::TightenedAwaitDecision { since, proposed }, Da) => format!("Nyudpeget forebyggelsesområde: fra {since} udlejes efter almindelige fleksible kriterier, indtil kommunen beslutter de skærpede; forslag: {}", criteria_list(proposed, lang)),
        (Reason::TightenedAwaitDecision { since, proposed }, En) => format!("Newly designated prevention area: from {since} the ordinary flexible criteria apply until the municipality decides the tightened ones; proposal: {}", criteria_list(proposed, lang)),
        (Reason::TightenedByDecision { decision, criteria }, Da) => format!("{} besluttede den {} (ref. {}) skærpede kriterier fra {}: {}", decision.decided_by, decision.decided_on, decision.reference, decision.from, criteria_list(criteria, lang)),
        (Reason::TightenedByDecision { decision, criteria }, En) => format!("{} decided on {} (ref. {}) the tightened criteria from {}: {}", decision.decided_by, decision.decided_on, decision.reference, decision.from, criteria_list(criteria, lang)),
        (Reason::ProvisionalUntilOverview, Da) => "Foreløbig — ikke kommunens: kommunen har endnu ikke indlæst sin oversigt, så den beregnede farve gælder indtil da".into(),
        (Reason::ProvisionalUntilOverview, En) => "Provisional — not the municipality's: the municipality has not yet imported its overview, so the computed colour is in force until then".into(),
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
        (Warning::NamedDepartmentMissing { organisation, department }, Lang::Da) => format!("advarsel: aftalens liste nævner afdeling {department} under {organisation}, men afdelingsfilen har den ikke"),
        (Warning::NamedDepartmentMissing { organisation, department }, Lang::En) => format!("warning: the agreement's list names department {department} under {organisation}, but the departments file does not hold it"),
        (Warning::OverviewDepartmentMissing { department, as_of }, Lang::Da) => format!("advarsel: kommunens oversigt pr. {as_of} giver afdeling {department} en farve, men afdelingsdata har den ikke"),
        (Warning::OverviewDepartmentMissing { department, as_of }, Lang::En) => format!("warning: the municipality's overview of {as_of} gives department {department} a colour, but the departments data does not hold it"),
    }
}

/// A letting channel in the user's language.
pub fn channel(c: trappe_rules::agreement::Channel, lang: Lang) -> &'static str {
    use trappe_rules::agreement::Channel;
    match c {
        Channel::WaitingList => lang.pick("almindelig venteliste", "ordinary waiting list"),
        Channel::Flexible => lang.pick("fleksibel udlejning", "flexible letting"),
        Channel::MunicipalAllocation => lang.pick("kommunal anvisning", "municipal allocation"),
        Channel::UrbanRenewal => lang.pick("byfornyelsesgenhusning", "urban-renewal rehousing"),
    }
}

/// Where a let home went, in the user's language.
pub fn let_channel(c: trappe_rules::ledger::LetChannel, lang: Lang) -> &'static str {
    use trappe_rules::ledger::LetChannel;
    match c.channel() {
        Some(ch) => channel(ch, lang),
        None => match c {
            LetChannel::InternalTransfer => lang.pick("intern oprykning", "internal transfer"),
            _ => lang.pick("bytte", "exchange"),
        },
    }
}

/// What a ledger entry records, in the user's language (the same words on the command
/// line and the web).
pub fn ledger_action(a: trappe_rules::ledger::LedgerAction, lang: Lang) -> &'static str {
    use trappe_rules::ledger::LedgerAction as A;
    match a {
        A::Register => lang.pick("registreret", "registered"),
        A::Allocated => lang.pick("anvist af kommunen", "allocated by the municipality"),
        A::Returned => lang.pick("returneret af kommunen", "returned by the municipality"),
        A::NotUsed => lang.pick(
            "ikke brugt (videre til næste kanal)",
            "not used (on to the next channel)",
        ),
        A::Let => lang.pick("udlejet", "let"),
        A::Withdrawn => lang.pick(
            "trukket tilbage (registreret ved en fejl)",
            "withdrawn (registered in error)",
        ),
        A::ExemptionApproved => lang.pick("fritagelse godkendt", "exemption approved"),
        A::ExemptionInAdvance => lang.pick("fritagelse på forhånd", "exemption in advance"),
        A::Safeguard => lang.pick("særlig sikring", "safeguard"),
        A::OrganisationChoice => lang.pick("boligorganisationens valg", "organisation's choice"),
        A::ShareDecided => lang.pick(
            "afdelingens andel fastsat",
            "the department's share decided",
        ),
    }
}

/// " [source]" after a sentence, or nothing where the agreement gives no source.
fn cite(source: &str) -> String {
    if source.is_empty() {
        String::new()
    } else {
        format!(" [{source}]")
    }
}

/// Why a vacancy got its channel, as a sentence, citing the agreement file's source.
/// A slot's criteria set as the user reads it, from the labels of the file's sets
/// ("A (arbejde eller uddannelse) eller B (skilsmisse/samlivsophævelse)").
pub fn criteria_set(
    rules: Option<&trappe_rules::applicant::ApplicantRules>,
    set: Option<&str>,
    lang: Lang,
) -> String {
    let Some(set) = set else {
        return lang
            .pick(
                "almindelig venteliste (ingen kriterier)",
                "ordinary waiting list (no criteria)",
            )
            .into();
    };
    let mut marks: Vec<&str> = Vec::new();
    let parts: Vec<String> = set
        .split('|')
        .map(|p| {
            let p = p.trim();
            match rules.and_then(|r| r.set(p)) {
                Some(d) => {
                    if let Some(t) = &d.to_confirm {
                        let t = texts_in(t, lang);
                        if !marks.contains(&t) {
                            marks.push(t);
                        }
                    }
                    texts_in(&d.label, lang).to_string()
                }
                None => p.to_string(),
            }
        })
        .collect();
    let mut out = parts.join(lang.pick(" eller ", " or "));
    // Criteria written on the parties' behalf, not yet confirmed: said wherever used.
    for m in marks {
        out.push_str(&format!(
            " [{}: {m}]",
            lang.pick(
                "afventer parternes bekræftelse",
                "awaiting the parties' confirmation"
            )
        ));
    }
    out
}

/// A text of the agreement file in the language.
fn texts_in(t: &trappe_rules::applicant::Texts, lang: Lang) -> &str {
    match lang {
        Lang::Da => &t.da,
        Lang::En => &t.en,
    }
}

/// A letting wheel as people read it, from its key (`WheelKey`'s spelling:
/// "department:3", "traffic-light:red", "list:abe@25%", "youth", "new_build:below_10",
/// "new_build:first_letting"); a key of another shape is shown as it is.
pub fn wheel_name(key: &str, lang: Lang) -> String {
    let (stairs, rest) = match key.split_once(':') {
        Some(x) => x,
        None if key == "youth" => {
            return lang
                .pick("ungdomsboligernes hjul", "the youth wheel")
                .to_string()
        }
        None => return key.to_string(),
    };
    if stairs == "new_build" {
        if rest == "first_letting" {
            return lang
                .pick(
                    "nybyggeriets første udlejning",
                    "the new build's first letting",
                )
                .to_string();
        }
        // Band ids read "below_10", "10_to_15", "at_least_20" (per cent cheap homes).
        let band = match (
            rest.split_once("_to_"),
            rest.strip_prefix("below_"),
            rest.strip_prefix("at_least_"),
        ) {
            (Some((a, b)), _, _) => format!("{a}–{b} %"),
            (_, Some(n), _) => format!("{} {n} %", lang.pick("under", "below")),
            (_, _, Some(n)) => format!("{} {n} %", lang.pick("mindst", "at least")),
            _ => rest.to_string(),
        };
        return format!(
            "{} ({band} {})",
            lang.pick("nybyggeriets hjul", "the new build's wheel"),
            lang.pick("billige boliger", "cheap homes")
        );
    }
    let Ok(staircase) = stairs.parse::<Staircase>() else {
        return key.to_string();
    };
    match rest.split_once('@') {
        Some((step, pct)) => format!(
            "{} ({} {})",
            step_name(staircase, step, lang),
            pct.trim_end_matches('%').replace('.', lang.pick(",", ".")),
            "%"
        ),
        None => step_name(staircase, rest, lang),
    }
}

pub fn letting_reason(
    r: &trappe_rules::wheel::LettingReason,
    rules: Option<&trappe_rules::applicant::ApplicantRules>,
    lang: Lang,
) -> String {
    use trappe_rules::wheel::LettingReason as R;
    let ch = |c: &trappe_rules::agreement::Channel| channel(*c, lang);
    let da = lang == Lang::Da;
    let none = || {
        lang.pick(
            "ingen dato i aftalen for afdelingens trin",
            "no date in the agreement for the department's step",
        )
        .to_string()
    };
    match r {
        R::WheelSlot { wheel, slot, round, channel: c, criteria, alternating, source } => {
            let crit = criteria
                .as_ref()
                .map(|k| format!(" ({})", criteria_set(rules, Some(k), lang)))
                .unwrap_or_default();
            let alt = if *alternating { lang.pick(", på skift", ", alternating") } else { "" };
            if da {
                format!("Udlejningshjul {}: plads {slot} i runde {round}{alt} går til {}{crit}{}", wheel_name(wheel, lang), ch(c), cite(source))
            } else {
                format!("Letting wheel {}: slot {slot} in round {round}{alt} goes to {}{crit}{}", wheel_name(wheel, lang), ch(c), cite(source))
            }
        }
        R::OrganisationChoice { chosen, recorded, criteria_not_offered } => {
            match (da, recorded, criteria_not_offered) {
                (true, _, Some(k)) => format!("Boligorganisationen udlejer efter {k}-kriterier, som denne plads ikke giver: {}", ch(chosen)),
                (false, _, Some(k)) => format!("The organisation lets by criteria {k}, which this slot does not offer: {}", ch(chosen)),
                (true, true, None) => format!("Boligorganisationens valg i den individuelle aftale: {}", ch(chosen)),
                (true, false, None) => format!("Intet valg registreret for boligorganisationen: første mulighed, {}", ch(chosen)),
                (false, true, None) => format!("The organisation's choice in its individual agreement: {}", ch(chosen)),
                (false, false, None) => format!("No choice recorded for the organisation: the first option, {}", ch(chosen)),
            }
        }
        R::WheelRestarted { previous, now } => {
            let p = previous
                .as_deref()
                .map(|p| wheel_name(p, lang))
                .unwrap_or_default();
            let now = wheel_name(now, lang);
            if da {
                format!("Afdelingen har ikke brugt hjulet {now} før (senest {p}): det starter på plads 1")
            } else {
                format!("The department has not used the wheel {now} before (last {p}): it starts at slot 1")
            }
        }
        R::ExtraShareExempt { instead, source } => {
            if da {
                format!("Afdelingen er fritaget for den ekstra anvisning i år: i stedet {}{}", ch(instead), cite(source))
            } else {
                format!("The department is exempt from the extra share this year: {} instead{}", ch(instead), cite(source))
            }
        }
        R::DisabilityCreditUsed { instead, source } => {
            if da {
                format!("En handicapindrettet bolig er tidligere gået tilbage til anvisningen, så boligorganisationen udlejer denne anvisningsbolig: {}{}", ch(instead), cite(source))
            } else {
                format!("A disability-fitted home went back to the allocation earlier, so the organisation lets this allocation home: {}{}", ch(instead), cite(source))
            }
        }
        R::DisabilityFittedHome { cost_kr, fitted_on, source } => {
            if da {
                format!("Boligen er indrettet til fysisk handicap for {} kr. ({fitted_on}) og tilbydes kommunen til fornyet anvisning{}", pct(*cost_kr, lang), cite(source))
            } else {
                format!("The home is fitted for a physical disability for {} kr ({fitted_on}) and goes back to the allocation{}", pct(*cost_kr, lang), cite(source))
            }
        }
        R::Safeguard { nth, realised, instead, source } => {
            if da {
                format!("Særlig sikring: {nth}. anvisningsbolig i runden, og de {realised} før er realiseret: {}{}", ch(instead), cite(source))
            } else {
                format!("Safeguard: allocation home {nth} of the round, and the {realised} before it were realised: {}{}", ch(instead), cite(source))
            }
        }
        R::SharedKitchenCap { kitchen, instead, source } => {
            if da {
                format!("Fælleskøkken {kitchen} har allerede en anvist lejer: {}{}", ch(instead), cite(source))
            } else {
                format!("Shared kitchen {kitchen} already has an allocated tenant: {}{}", ch(instead), cite(source))
            }
        }
        R::NewBuildCheapHome { first_use, until, source } => {
            if da {
                format!("Billig nybygget bolig (ibrugtaget {first_use}): kommunal anvisning til {until}{}", cite(source))
            } else {
                format!("Cheap new-build home (first used {first_use}): municipal allocation until {until}{}", cite(source))
            }
        }
        R::NewBuildFirstLetting { instead, source } => {
            if da {
                format!("Førstegangsudlejning i nybyggeri: ingen anvisning til de øvrige boliger, i stedet {}{}", ch(instead), cite(source))
            } else {
                format!("First letting of a new build: no allocation to the other homes, {} instead{}", ch(instead), cite(source))
            }
        }
        R::NewBuildBand { band, cheap_share_pct, until, source } => {
            if da {
                format!("Nybyggeri med {} % billige boliger: hjulet {band} til {until}{}", pct(*cheap_share_pct, lang), cite(source))
            } else {
                format!("New build with {} % cheap homes: wheel {band} until {until}{}", pct(*cheap_share_pct, lang), cite(source))
            }
        }
        R::NewBuildAllocationCap { allocated, homes, max_share, instead, source } => {
            if da {
                format!("Afdelingen har {allocated} anviste af {homes} boliger; mere end {max_share} er ikke tilladt: {}{}", ch(instead), cite(source))
            } else {
                format!("The department has {allocated} allocated of {homes} homes; more than {max_share} is not allowed: {}{}", ch(instead), cite(source))
            }
        }
        R::SaerboligEarmarked { phase_out_from, source } => {
            let from = phase_out_from.map_or_else(none, |d| d.to_string());
            if da {
                format!("Særbolig, øremærket kommunal anvisning indtil udfasningen (fra {from}){}", cite(source))
            } else {
                format!("Særbolig, earmarked for the allocation until the phase-out (from {from}){}", cite(source))
            }
        }
        R::SaerboligPhasedOut { phase_out_from, source } => {
            if da {
                format!("Særboligen er udfaset fra {phase_out_from} og indgår i udlejningshjulet{}", cite(source))
            } else {
                format!("The særbolig is phased out from {phase_out_from} and joins the letting wheel{}", cite(source))
            }
        }
        R::YouthSharedPhasedOut { phase_out_from, source } => {
            if da {
                format!("Delebolig for unge under udfasning (fra {phase_out_from}): genudlejes ikke; kommunen betaler tomgangslejen{}", cite(source))
            } else {
                format!("Youth shared home being phased out (from {phase_out_from}): not re-let; the municipality pays the empty-home rent{}", cite(source))
            }
        }
        R::YouthSharedEarmarked { phase_out_from, source } => {
            let from = phase_out_from.map_or_else(none, |d| d.to_string());
            if da {
                format!("Delebolig for unge: kommunal anvisning indtil udfasningen (fra {from}){}", cite(source))
            } else {
                format!("Youth shared home: municipal allocation until the phase-out (from {from}){}", cite(source))
            }
        }
        R::SpecialGroupHome => lang
            .pick(
                "Bolig finansieret til en særlig målgruppe: kommunal anvisning",
                "Home financed for a special group: municipal allocation",
            )
            .into(),
        R::SubsidyHome { since, until, source } => {
            if da {
                format!("Tilskudsbolig (tilskud fra {since}): kan udlejes til en ny tilskudsberettiget indtil {until}{}", cite(source))
            } else {
                format!("Subsidised home (subsidy from {since}): may go to another subsidy tenant until {until}{}", cite(source))
            }
        }
        R::YouthDepartment { source } => format!(
            "{}{}",
            lang.pick(
                "Afdelingen består primært af ungdomsboliger: ungdomshjulet",
                "The department is mainly youth homes: the youth wheel"
            ),
            cite(source)
        ),
        R::DevelopmentPlanTransition { instead, source } => {
            if da {
                format!("Området er i overgangsperioden efter sin udviklingsplan: den boligsociale anvisning er suspenderet, og boligen udlejes i stedet ved {}{}", ch(instead), cite(source))
            } else {
                format!("The area is in the transition after its development plan: municipal allocation is suspended, and the home is let through {} instead{}", ch(instead), cite(source))
            }
        }
        R::AllocationSuspended { instead } => {
            if da {
                format!("Trinnet suspenderer den kommunale anvisning: boligen udlejes i stedet ved {}", ch(instead))
            } else {
                format!("The step suspends municipal allocation: the home is let through {} instead", ch(instead))
            }
        }
        R::AccessibilityHome { source } => format!(
            "{}{}",
            lang.pick(
                "Tilgængelighedsbolig: en ansøger, der opfylder C-kriteriet (og pladsens kriterier), går forud; en anvist borger behøver ikke at have behov for den",
                "Accessibility home: an applicant meeting the C criterion (and the slot's criteria) goes first; an allocated citizen need not need it"
            ),
            cite(source)
        ),
    }
}
