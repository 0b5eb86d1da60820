//! Applicant outcomes rendered in Danish (the default) or English: criteria, findings,
//! documents, ranking reasons and allocation limits.

use rust_decimal::Decimal;
use trappe_rules::applicant::{
    ApplicantRules, AreaStatus, Benefit, CriterionId, DocumentKind, EnrolmentKind, Finding, Limit,
    LimitFact, Node, Pension, RankWhy, Relation, Texts, Tier, Why,
};

use crate::text::Lang;

fn pick(lang: Lang, da: &'static str, en: &'static str) -> &'static str {
    match lang {
        Lang::Da => da,
        Lang::En => en,
    }
}

/// An amount in kroner with two decimals and the language's separators:
/// "22.904,30 kr." in Danish, "22,904.30 kr" in English.
pub fn kr(amount: Decimal, lang: Lang) -> String {
    let unit = match lang {
        Lang::Da => "kr.",
        Lang::En => "kr",
    };
    format!("{} {unit}", crate::report::grouped_dec(amount, 2, lang))
}

fn num(d: Decimal, lang: Lang) -> String {
    crate::text::pct(d, lang)
}

/// A text of the agreement file in the language.
pub fn texts(t: &Texts, lang: Lang) -> &str {
    match lang {
        Lang::Da => &t.da,
        Lang::En => &t.en,
    }
}

/// A criterion's label as the agreement file writes it ("A1 arbejde" / "A1 work"); the
/// id where the file has no such criterion.
pub fn criterion(rules: Option<&ApplicantRules>, c: &CriterionId, lang: Lang) -> String {
    match rules.and_then(|r| r.criterion(c)) {
        Some(d) => texts(&d.label, lang).to_string(),
        None => c.as_str().to_string(),
    }
}

/// What a criterion asks, in the agreement file's own words: the reason text of each
/// condition ("Ansøger … har arbejde på mindst 20 timer om ugen …"); a choice between
/// conditions is joined by "or".
pub fn criterion_rule(rules: Option<&ApplicantRules>, c: &CriterionId, lang: Lang) -> String {
    fn walk(n: &Node, lang: Lang, nested: bool) -> String {
        let (of, sep) = match n {
            Node::Leaf(c) => return texts(&c.reason, lang).to_string(),
            Node::All(of) => (of, "; "),
            Node::Any { of, .. } => (of, pick(lang, " eller ", " or ")),
        };
        let text = of
            .iter()
            .map(|n| walk(n, lang, true))
            .collect::<Vec<_>>()
            .join(sep);
        // A group inside another is bracketed, so "a; (b or c)" is not "(a; b) or c".
        if nested && of.len() > 1 {
            format!("({text})")
        } else {
            text
        }
    }
    rules
        .and_then(|r| r.criterion(c))
        .map(|d| walk(&d.condition, lang, false))
        .unwrap_or_default()
}

pub use crate::text::criteria_set;

pub fn relation(r: Relation, lang: Lang) -> &'static str {
    match r {
        Relation::Applicant => pick(lang, "ansøger", "applicant"),
        Relation::Spouse => pick(lang, "ægtefælle", "spouse"),
        Relation::Cohabitant => pick(lang, "samlever", "cohabitant"),
        Relation::Child => pick(lang, "barn", "child"),
        Relation::Other => pick(lang, "anden", "other"),
    }
}

fn pension(p: Pension, lang: Lang) -> &'static str {
    match p {
        Pension::AgePension => pick(lang, "alderspension", "age pension"),
        Pension::Efterloen => pick(lang, "efterløn", "efterløn (voluntary early retirement)"),
        Pension::Tjenestemandspension => {
            pick(lang, "tjenestemandspension", "civil-service pension")
        }
        Pension::Seniorpension => pick(lang, "seniorpension", "senior pension"),
        Pension::TidligPension => pick(lang, "tidlig pension", "early pension"),
    }
}

fn enrolment(k: EnrolmentKind, lang: Lang) -> &'static str {
    match k {
        EnrolmentKind::SuEligible => {
            pick(lang, "SU-berettiget uddannelse", "SU-eligible education")
        }
        EnrolmentKind::EducationAgreement => pick(lang, "uddannelsesaftale", "education agreement"),
        EnrolmentKind::Apprenticeship => pick(lang, "lærlingekontrakt", "apprenticeship contract"),
    }
}

pub fn document(d: DocumentKind, lang: Lang) -> &'static str {
    use DocumentKind::*;
    match d {
        Passport => pick(lang, "pas", "passport"),
        PhotoId => pick(
            lang,
            "pas eller anden billedlegitimation",
            "passport or other photo ID",
        ),
        HealthCard => pick(
            lang,
            "sygesikringsbevis (ikke nødvendigt ved pas)",
            "health card (not needed with a passport)",
        ),
        EmploymentContract => pick(lang, "ansættelseskontrakt", "employment contract"),
        Payslips => pick(
            lang,
            "lønsedler for de seneste 3 måneder",
            "payslips for the last 3 months",
        ),
        FleksjobGrant => pick(
            lang,
            "kommunens bevilling af fleksjob",
            "the municipality's grant of the fleksjob",
        ),
        CvrRegistration => pick(lang, "CVR-registrering", "CVR registration"),
        AnnualAccounts => pick(lang, "seneste årsregnskab", "latest annual accounts"),
        TaxStatement => pick(
            lang,
            "årsopgørelse for sidste år",
            "last year's tax statement",
        ),
        PensionStatement => pick(lang, "pensionsmeddelelse", "pension statement"),
        EnrolmentStatement => pick(
            lang,
            "dateret erklæring om indskrivning (studiekort er ikke nok)",
            "dated enrolment statement (a student card is not enough)",
        ),
        EducationAgreement => pick(
            lang,
            "uddannelsesaftale eller lærlingekontrakt",
            "education agreement or apprenticeship contract",
        ),
        Diploma => pick(lang, "eksamensbevis", "diploma"),
        DanishApproval => pick(
            lang,
            "dansk godkendelse af udenlandsk uddannelse",
            "Danish approval of the foreign education",
        ),
        CriminalRecord => pick(lang, "straffeattest", "criminal record certificate"),
        ResidenceCertificate => pick(lang, "bopælsattest", "residence certificate"),
        DivorcePapers => pick(
            lang,
            "skilsmisse- eller separationspapirer",
            "divorce or separation papers",
        ),
        DisabilityStatement => pick(
            lang,
            "erklæring fra kommunens handicapcenter",
            "statement from the municipality's disability centre",
        ),
        MedicalCertificate => pick(lang, "lægeerklæring", "medical certificate"),
    }
}

fn ages(from: u32, to: Option<u32>, lang: Lang) -> String {
    match (to, lang) {
        (Some(to), Lang::Da) => format!("{from}–{to} år"),
        (Some(to), Lang::En) => format!("aged {from}–{to}"),
        (None, Lang::Da) => format!("{from} år og derover"),
        (None, Lang::En) => format!("aged {from} or over"),
    }
}

/// Why one member meets a criterion or not, as a sentence without the member prefix.
pub fn why(w: &Why, lang: Lang) -> String {
    let da = lang == Lang::Da;
    match w {
        Why::Senior { senior_age } => {
            if da {
                format!("fyldt {senior_age} år: sidestilles med arbejde")
            } else {
                format!("aged {senior_age} or over: counts as working")
            }
        }
        Why::Pension { pension: p } => {
            if da {
                format!("modtager {}: sidestilles med arbejde", pension(*p, lang))
            } else {
                format!("receives {}: counts as working", pension(*p, lang))
            }
        }
        Why::Fleksjob => pick(
            lang,
            "fleksjob: sidestilles med fuldtid, uden krav om timetal",
            "fleksjob: counts as full time, without hours",
        )
        .into(),
        Why::Hours {
            hours,
            min_hours,
            parental_leave,
        } => {
            let leave = if *parental_leave {
                pick(
                    lang,
                    " (stillingens timetal under forældreorlov)",
                    " (the position's hours, on parental leave)",
                )
            } else {
                ""
            };
            if da {
                format!(
                    "fast arbejde {} timer om ugen{leave}, mindst {} kræves",
                    num(*hours, lang),
                    num(*min_hours, lang)
                )
            } else {
                format!(
                    "permanent work {} hours a week{leave}, at least {} needed",
                    num(*hours, lang),
                    num(*min_hours, lang)
                )
            }
        }
        Why::TooFewHours {
            hours,
            min_hours,
            parental_leave,
        } => {
            let leave = if *parental_leave {
                pick(
                    lang,
                    " (stillingens timetal under forældreorlov)",
                    " (the position's hours, on parental leave)",
                )
            } else {
                ""
            };
            if da {
                format!(
                    "arbejde {} timer om ugen{leave}, under de {} timer der kræves",
                    num(*hours, lang),
                    num(*min_hours, lang)
                )
            } else {
                format!(
                    "work {} hours a week{leave}, below the {} hours needed",
                    num(*hours, lang),
                    num(*min_hours, lang)
                )
            }
        }
        Why::HoursMissing => pick(
            lang,
            "arbejde uden oplyst timetal",
            "work without weekly hours given",
        )
        .into(),
        Why::TemporaryMonths { months, min_months } => {
            if da {
                format!(
                    "midlertidig ansættelse dokumenteret i {months} måneder (mindst {min_months})"
                )
            } else {
                format!("temporary work documented for {months} months (at least {min_months})")
            }
        }
        Why::TemporaryIncome { threshold } => {
            if da {
                format!(
                    "midlertidig ansættelse med bruttoindkomst på mindst {} om måneden",
                    kr(*threshold, lang)
                )
            } else {
                format!(
                    "temporary work with a gross income of at least {} a month",
                    kr(*threshold, lang)
                )
            }
        }
        Why::TemporaryNotEnough {
            months,
            min_months,
            min_hours,
            threshold,
        } => {
            if da {
                format!("midlertidig ansættelse: {months} måneder dokumenteret; der kræves mindst {min_months} måneder à {} timer om ugen eller med en bruttoindkomst på mindst {} om måneden", num(*min_hours, lang), kr(*threshold, lang))
            } else {
                format!("temporary work: {months} months documented; at least {min_months} months at {} hours a week, or at a gross income of at least {} a month, are needed", num(*min_hours, lang), kr(*threshold, lang))
            }
        }
        Why::SelfEmployed => pick(lang, "selvstændigt erhvervsdrivende", "self-employed").into(),
        Why::ApprenticeNotWork => pick(
            lang,
            "elevstilling: ikke fast arbejde (tæller som uddannelse, A2)",
            "apprentice: not work (counts as education, A2)",
        )
        .into(),
        Why::WorkStartsLater { starts } => {
            if da {
                format!("ansættelsen begynder {starts}, efter overtagelsesdatoen")
            } else {
                format!("the job starts on {starts}, after the takeover date")
            }
        }
        Why::NoWork => pick(lang, "intet arbejde oplyst", "no work given").into(),
        Why::CohabitationTooShort { since, years } => {
            if da {
                format!(
                    "fælles adresse siden {since}: under de {years} år der kræves for en samlever"
                )
            } else {
                format!(
                    "shared address since {since}: less than the {years} years a cohabitant needs"
                )
            }
        }
        Why::NotAPartner { relation: r } => {
            if da {
                format!(
                    "{} tæller ikke for de almindelige kriterier",
                    relation(*r, lang)
                )
            } else {
                format!(
                    "a {} does not count for the ordinary criteria",
                    relation(*r, lang)
                )
            }
        }
        Why::Enrolled { kind } => {
            if da {
                format!("under uddannelse: {}", enrolment(*kind, lang))
            } else {
                format!("in education: {}", enrolment(*kind, lang))
            }
        }
        Why::Apprentice => pick(
            lang,
            "elev: under uddannelse (uddannelsesaftale)",
            "apprentice: in education (education agreement)",
        )
        .into(),
        Why::EnrolmentStartsLater { starts } => {
            if da {
                format!("uddannelsen begynder {starts}, efter overtagelsesdatoen")
            } else {
                format!("the education starts on {starts}, after the takeover date")
            }
        }
        Why::AgeWithin { from, to } => {
            if da {
                format!("i aldersgruppen ({})", ages(*from, *to, lang))
            } else {
                format!("in the age group ({})", ages(*from, *to, lang))
            }
        }
        Why::NotYoung { from, to } => {
            if da {
                format!(
                    "ikke i målgruppen for ungdomsboliger ({})",
                    ages(*from, *to, lang)
                )
            } else {
                format!(
                    "not in the youth-housing group ({})",
                    ages(*from, *to, lang)
                )
            }
        }
        Why::NotEnrolled => pick(lang, "ikke under uddannelse", "not in education").into(),
        Why::StudentOnly => pick(
            lang,
            "uddannelsessøgende (dokumenteres med dateret erklæring om indskrivning)",
            "a student (proven by a dated enrolment statement)",
        )
        .into(),
        Why::Separated { date, until } => {
            if da {
                format!("samlivsophævelse {date}: fortrinsret til og med {until}")
            } else {
                format!("separated on {date}: priority up to and including {until}")
            }
        }
        Why::SeparationLapsed { date, until } => {
            if da {
                format!("samlivsophævelse {date}: fortrinsretten udløb {until}")
            } else {
                format!("separated on {date}: the priority lapsed after {until}")
            }
        }
        Why::NotInMunicipality => pick(
            lang,
            "havde ikke adresse i kommunen før samlivsophævelsen",
            "had no address in the municipality before the separation",
        )
        .into(),
        Why::SharedAddressTooShort { since, years } => {
            if da {
                format!(
                    "ugifte: fælles bopæl siden {since}, under {years} år før samlivsophævelsen"
                )
            } else {
                format!("unmarried: shared address since {since}, less than {years} years before the separation")
            }
        }
        Why::NoSeparation => {
            pick(lang, "ingen samlivsophævelse oplyst", "no separation given").into()
        }
        Why::NeedsAccessibleHome => pick(
            lang,
            "fysisk handicap med behov for en tilgængelighedsbolig",
            "a physical disability needing an accessibility home",
        )
        .into(),
        Why::LivesIn { municipality } => {
            if da {
                format!("husstanden bor i kommunen ({municipality})")
            } else {
                format!("the household lives in the municipality ({municipality})")
            }
        }
        Why::LivesOutside { municipality } => {
            if da {
                format!("husstanden bor uden for kommunen ({municipality})")
            } else {
                format!("the household lives outside the municipality ({municipality})")
            }
        }
        Why::LivesInTooShort {
            municipality,
            years,
        } => {
            if da {
                format!("husstanden har ikke boet {years} år i kommunen ({municipality})")
            } else {
                format!("the household has not lived {years} years in the municipality ({municipality})")
            }
        }
        Why::ResidenceMissing => pick(
            lang,
            "husstandens bopæl er ikke oplyst (bopælsattest)",
            "the household's residence is not given (residence certificate)",
        )
        .into(),
        Why::ResidenceSinceMissing => pick(
            lang,
            "det er ikke oplyst, siden hvornår husstanden har boet i kommunen (bopælsattest)",
            "since when the household has lived in the municipality is not given (residence certificate)",
        )
        .into(),
        Why::EducationNotOfKind => pick(
            lang,
            "ingen afsluttet uddannelse af den art, kriteriet nævner",
            "no completed education of the kind the criterion names",
        )
        .into(),
        Why::SpecialNeed => pick(
            lang,
            "særlige behov (sygdom, handicap, gangbesvær, ældrenærhed)",
            "a special need (illness, disability, walking difficulty, near family)",
        )
        .into(),
        Why::NoSpecialNeed => pick(
            lang,
            "intet medlem har særlige behov efter det sociale kriterium",
            "no member has a special need under the social criterion",
        )
        .into(),
        Why::RecentlyGraduated { since } => {
            if da {
                format!("uddannelse afsluttet {since} eller senere")
            } else {
                format!("education completed on or after {since}")
            }
        }
        Why::GraduatedTooLongAgo { since } => {
            if da {
                format!("ingen uddannelse afsluttet {since} eller senere")
            } else {
                format!("no education completed on or after {since}")
            }
        }
        Why::AgeOutside { from, to } => {
            if da {
                format!("ikke i aldersgruppen ({})", ages(*from, *to, lang))
            } else {
                format!("not in the age group ({})", ages(*from, *to, lang))
            }
        }
        Why::NoAccessibleHomeNeed => pick(
            lang,
            "intet medlem har behov for en tilgængelighedsbolig",
            "no member needs an accessibility home",
        )
        .into(),
        Why::OutsideAgeGroup { from, to } => {
            if da {
                format!("uden for aldersgruppen ({})", ages(*from, *to, lang))
            } else {
                format!("outside the age group ({})", ages(*from, *to, lang))
            }
        }
        Why::NotWorkingOrInEducation => pick(
            lang,
            "hverken i beskæftigelse eller under uddannelse",
            "neither working nor in education",
        )
        .into(),
        Why::Convicted { from_year, to_year } => {
            if da {
                format!("dømt efter straffeloven, våbenloven eller lov om euforiserende stoffer i {from_year}–{to_year}")
            } else {
                format!("convicted under the criminal code, the weapons act or the drugs act in {from_year}–{to_year}")
            }
        }
        Why::NotConvicted { from_year, to_year } => {
            if da {
                format!("ingen dom efter straffeloven, våbenloven eller lov om euforiserende stoffer i {from_year}–{to_year}")
            } else {
                format!("no conviction under the criminal code, the weapons act or the drugs act in {from_year}–{to_year}")
            }
        }
        Why::EducationCompleted { by } => {
            if da {
                format!("uddannelse over grundskoleniveau, taget eller godkendt i Danmark, færdig senest {by}")
            } else {
                format!("education above primary school, taken or approved in Denmark, completed by {by}")
            }
        }
        Why::EducationTooLate { by } => {
            if da {
                format!("ingen uddannelse over grundskoleniveau færdiggjort senest {by}")
            } else {
                format!("no education above primary school completed by {by}")
            }
        }
        Why::OnlyPrimaryEducation => pick(lang, "kun grundskole", "primary school only").into(),
        Why::NoEducation => pick(
            lang,
            "ingen færdig uddannelse oplyst",
            "no completed education given",
        )
        .into(),
        Why::AbroadNotApproved => pick(
            lang,
            "uddannelse fra udlandet, ikke godkendt i Danmark",
            "education from abroad, not approved in Denmark",
        )
        .into(),
        Why::IncomeAtLeast { threshold } => {
            if da {
                format!(
                    "bruttoindkomst på mindst {} om måneden",
                    kr(*threshold, lang)
                )
            } else {
                format!("gross income of at least {} a month", kr(*threshold, lang))
            }
        }
        Why::IncomeBelow { threshold } => {
            if da {
                format!("bruttoindkomst under {} om måneden", kr(*threshold, lang))
            } else {
                format!("gross income below {} a month", kr(*threshold, lang))
            }
        }
        Why::IncomeMissing { threshold } => {
            if da {
                format!(
                    "ingen indkomst oplyst (mindst {} om måneden kræves)",
                    kr(*threshold, lang)
                )
            } else {
                format!(
                    "no income given (at least {} a month needed)",
                    kr(*threshold, lang)
                )
            }
        }
        Why::NotTaxable => pick(
            lang,
            "ikke skattepligtig i Danmark: indkomsten dokumenteres ikke",
            "not taxable in Denmark: income is not documented",
        )
        .into(),
        Why::InEducation => pick(
            lang,
            "uddannelsessøgende: uden for indkomstkriteriet",
            "in education: outside the income criterion",
        )
        .into(),
        Why::ThresholdFrom { from, amount } => {
            if da {
                format!(
                    "grænsen er {} om måneden pr. {from} (reguleres årligt)",
                    kr(*amount, lang)
                )
            } else {
                format!(
                    "the threshold is {} a month as of {from} (adjusted yearly)",
                    kr(*amount, lang)
                )
            }
        }
        Why::NobodyInAgeGroup { from, to } => {
            if da {
                format!("ingen i husstanden er {}", ages(*from, *to, lang))
            } else {
                format!("nobody in the household is {}", ages(*from, *to, lang))
            }
        }
    }
}

/// "member 2 (spouse), age 34: …" or the household sentence.
pub fn finding(f: &Finding, lang: Lang) -> String {
    let text = why(&f.why, lang);
    match (f.member, f.age, f.relation) {
        (Some(n), Some(age), Some(r)) => match lang {
            Lang::Da => format!("medlem {n} ({}), {age} år: {text}", relation(r, lang)),
            Lang::En => format!("member {n} ({}), age {age}: {text}", relation(r, lang)),
        },
        _ => text,
    }
}

pub fn tier(t: Tier, lang: Lang) -> &'static str {
    match t {
        Tier::Internal => pick(lang, "intern oprykning", "internal transfer"),
        Tier::Meets => pick(lang, "opfylder kriterierne", "meets the criteria"),
        Tier::EmploymentOnly => pick(
            lang,
            "opfylder beskæftigelseskriteriet",
            "meets the employment criterion",
        ),
        Tier::OtherCriteria => pick(lang, "opfylder andre kriterier", "meets other criteria"),
        Tier::WithoutPriority => pick(lang, "uden fortrinsret", "without priority"),
    }
}

pub fn rank_why(w: &RankWhy, lang: Lang) -> String {
    match w {
        RankWhy::MeetsRequirement => pick(lang, "opfylder pladsens kriterier", "meets the slot's criteria").into(),
        RankWhy::DoesNotMeetRequirement => pick(lang, "opfylder ikke pladsens kriterier", "does not meet the slot's criteria").into(),
        RankWhy::NoCriteria => pick(lang, "almindelig venteliste: efter anciennitet", "ordinary waiting list: by seniority").into(),
        RankWhy::EmploymentCriterionMet => pick(lang, "opfylder beskæftigelseskriteriet: går forud for ansøgere, der kun opfylder øvrige kriterier [CPH B4 III]", "meets the employment criterion: goes before applicants meeting only other criteria [CPH B4 III]").into(),
        RankWhy::OtherCriteriaMet { count } => match lang {
            Lang::Da => format!("opfylder {count} af de øvrige skærpede kriterier"),
            Lang::En => format!("meets {count} of the other tightened criteria"),
        },
        RankWhy::PriorityGroup { group } => match lang {
            Lang::Da => format!("opfylder {group}. prioritet i aftalens rækkefølge"),
            Lang::En => format!("meets priority {group} of the agreement's order"),
        },
        RankWhy::AccessibilityPriority => pick(lang, "tilgængelighedsbolig: C1 går forud for længere anciennitet", "accessibility home: C1 goes before longer seniority").into(),
        RankWhy::InternalOwnDepartment => pick(lang, "intern oprykning i egen afdeling", "internal transfer within the own department").into(),
        RankWhy::InternalSameArea => pick(lang, "intern oprykning inden for samme område", "internal transfer within the same area").into(),
        RankWhy::InternalOtherDepartment => pick(lang, "intern oprykning fra en anden afdeling i boligorganisationen", "internal transfer from another department of the organisation").into(),
        RankWhy::InternalRehoused => pick(lang, "genhuset som led i en helhedsplan: ingen fleksible kriterier", "rehoused under a helhedsplan: no flexible criteria").into(),
        RankWhy::InternalMeetsCriteria => pick(lang, "intern oprykning: opfylder de fleksible kriterier som eksterne ansøgere", "internal transfer: meets the flexible criteria as external applicants must").into(),
        RankWhy::InternalMustMeetCriteria => pick(lang, "intern ansøger fra en anden afdeling/et andet område skal opfylde de fleksible kriterier og gør det ikke", "an internal applicant from another department or area must meet the flexible criteria and does not").into(),
        RankWhy::InternalNotThisVacancy => pick(lang, "boligen tilbydes ikke til intern oprykning: ranglistes som ekstern ansøger", "the home is not offered for internal transfer: ranked as an external applicant").into(),
        RankWhy::DocumentsMissing { count } => match lang {
            Lang::Da => format!("{count} dokument(er) mangler før lejekontrakt"),
            Lang::En => format!("{count} document(s) missing before a lease"),
        },
    }
}

pub fn area_status(a: AreaStatus, lang: Lang) -> &'static str {
    match a {
        AreaStatus::Udsat => pick(
            lang,
            "udsat boligområde (herunder parallelsamfund og omdannelsesområder)",
            "disadvantaged area (incl. parallel societies and transformation areas)",
        ),
        AreaStatus::FormerOmdannelse => pick(
            lang,
            "tidligere omdannelsesområde (begrænsningerne gælder stadig)",
            "former transformation area (the limits still apply)",
        ),
        AreaStatus::Forebyggelse => pick(lang, "forebyggelsesområde", "prevention area"),
        AreaStatus::NotDesignated => pick(
            lang,
            "ikke udpeget: ingen lovbestemte begrænsninger",
            "not designated: no limits in law",
        ),
    }
}

fn benefit(b: Benefit, lang: Lang) -> &'static str {
    match b {
        Benefit::SelfSupport => pick(
            lang,
            "selvforsørgelses- og hjemrejseydelse",
            "self-support and return benefit",
        ),
        Benefit::Transition => pick(lang, "overgangsydelse", "transition benefit"),
        Benefit::EducationAid => pick(lang, "uddannelseshjælp", "education aid"),
        Benefit::CashBenefit => pick(lang, "kontanthjælp", "cash benefit"),
        Benefit::DisabilityPension => pick(
            lang,
            "førtidspension",
            "disability pension (førtidspension)",
        ),
        Benefit::UnemploymentBenefit => {
            pick(lang, "arbejdsløshedsdagpenge", "unemployment benefit")
        }
        Benefit::SicknessBenefit => pick(lang, "sygedagpenge", "sickness benefit"),
        Benefit::ResourceCourse => pick(lang, "ressourceforløbsydelse", "resource-course benefit"),
    }
}

fn or_list(items: &[Benefit], lang: Lang) -> String {
    let names: Vec<&str> = items.iter().map(|b| benefit(*b, lang)).collect();
    match names.split_last() {
        None => String::new(),
        Some((last, [])) => last.to_string(),
        Some((last, rest)) => format!("{} {} {last}", rest.join(", "), pick(lang, "eller", "or")),
    }
}

/// One limit on municipal allocation, from its parameters.
pub fn limit(l: &Limit, lang: Lang) -> String {
    let da = lang == Lang::Da;
    match &l.fact {
        LimitFact::ReleasedFromPrison { months } => {
            if da {
                format!("løsladt fra kriminalforsorgens institutioner inden for de seneste {months} måneder (med handleplan)")
            } else {
                format!("released from the prison service within the last {months} months (with an action plan)")
            }
        }
        LimitFact::ReleasedMinor { months, under_age } => {
            if da {
                format!("under {under_age} år og løsladt fra institution uden for kriminalforsorgen inden for de seneste {months} måneder")
            } else {
                format!("under {under_age} and released from an institution outside the prison service within the last {months} months")
            }
        }
        LimitFact::TenancyEnded { months } => {
            if da {
                format!("lejemål ophævet eller opsagt for grove overtrædelser af god skik og orden inden for de seneste {months} måneder")
            } else {
                format!("tenancy ended for gross breaches of good order within the last {months} months")
            }
        }
        LimitFact::NonEuCitizen => pick(
            lang,
            "ikke statsborger i EU/EØS eller Schweiz (studerende undtaget)",
            "not a citizen of the EU/EEA or Switzerland (students excepted)",
        )
        .into(),
        LimitFact::Benefits { benefits, months } => {
            if da {
                format!(
                    "{} i {months} sammenhængende kalendermåneder",
                    or_list(benefits, lang)
                )
            } else {
                format!(
                    "{} for {months} consecutive calendar months",
                    or_list(benefits, lang)
                )
            }
        }
        LimitFact::Receives { benefits } => {
            if da {
                format!("modtager {}", or_list(benefits, lang))
            } else {
                format!("receives {}", or_list(benefits, lang))
            }
        }
    }
}

/// The warning for an income threshold more than a year old (it is adjusted yearly).
pub fn old_threshold(t: &trappe_rules::applicant::DatedAmount, l: Lang) -> String {
    match l {
        Lang::Da => format!("advarsel: indkomstgrænsen {} er fra {}; den reguleres årligt – tilføj den nyere værdi under [[applicants.amount]] i aftalefilen", kr(t.amount, l), t.from),
        Lang::En => format!("warning: the income threshold {} is from {}; it is adjusted yearly – add the newer value under [[applicants.amount]] in the agreement file", kr(t.amount, l), t.from),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kroner_in_both_languages() {
        let d = |s: &str| s.parse::<Decimal>().unwrap();
        assert_eq!(kr(d("22904.3"), Lang::Da), "22.904,30 kr.");
        assert_eq!(kr(d("22904.3"), Lang::En), "22,904.30 kr");
        assert_eq!(kr(d("950"), Lang::En), "950.00 kr");
        assert_eq!(kr(d("1234567.891"), Lang::Da), "1.234.567,89 kr.");
    }
}
