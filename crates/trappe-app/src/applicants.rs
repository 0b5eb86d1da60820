//! Applicants against a vacancy or a department: the letting context (the placement,
//! the slot, the criteria that apply there), what the slot requires, checking one
//! household, and ranking an applicants file — the command line and the web call these
//! same functions, so the same file for the same vacancy gives the same stored ranking.

use std::path::Path;

use trappe_formats::agreement_file::sha256_hex;
use trappe_formats::applicant_text as at;
use trappe_formats::household::{read_applicants, read_household};
use trappe_formats::text::{self, Lang};
use trappe_rules::agreement::Channel;
use trappe_rules::applicant::{
    self, evaluate, rank, CriterionOutcome, DatedAmount, RankVacancy, Ranked, Requirement,
};
use trappe_rules::Date;
use trappe_store::applicants::LettingContext;
use trappe_store::{Store, StoreError};

use crate::Error;

/// Which vacancy, or which department on which date, a check or ranking is about.
#[derive(Debug, Clone, Default)]
pub struct Target {
    /// A registered vacancy: its slot and department decide.
    pub vacancy: Option<i64>,
    /// A department, with `on`: its placement on that date decides.
    pub department: Option<String>,
    /// The agreement the placement must be made with (its id or file name), a check
    /// that the database holds what the user expects.
    pub agreement: Option<String>,
    /// The takeover date; for a vacancy it defaults to the date the home fell vacant.
    pub on: Option<Date>,
}

/// The letting context of a target, checked against its `agreement` and required to
/// have applicant criteria.
pub fn context(store: &mut Store, t: &Target) -> Result<LettingContext, Error> {
    let ctx = match (t.vacancy, &t.department) {
        (Some(v), _) => store.vacancy_context(v, t.on)?,
        (None, Some(d)) => {
            let on =
                t.on.ok_or_else(|| Error::Input("a department needs a date (--on)".into()))?;
            store.department_context(d, on)?
        }
        (None, None) => return Err(Error::Input("give a vacancy or a department".into())),
    };
    if let Some(a) = &t.agreement {
        let id = Path::new(a)
            .file_stem()
            .and_then(|s| s.to_str())
            .unwrap_or(a);
        if ctx.agreement.id != *a && ctx.agreement.id != id {
            return Err(Error::Refused(format!(
                "department {} is placed by agreement {} on {}, not {a}",
                ctx.department, ctx.agreement.id, ctx.on
            )));
        }
    }
    rules(&ctx)?;
    Ok(ctx)
}

/// The agreement's applicant criteria, or an error naming the agreement.
pub fn rules(ctx: &LettingContext) -> Result<&applicant::ApplicantRules, Error> {
    rules_of(&ctx.agreement)
}

fn rules_of(agreement: &trappe_rules::Agreement) -> Result<&applicant::ApplicantRules, Error> {
    agreement.applicants.as_ref().ok_or_else(|| {
        Error::NoCriteria(format!(
            "agreement {} has no [applicants] section: its criteria are not defined",
            agreement.id
        ))
    })
}

/// The income threshold in force on `on` when it is more than a year old: it is
/// adjusted yearly, so a newer value belongs in the agreement file. Both front-ends
/// show it as a warning ([`trappe_formats::applicant_text::old_threshold`]).
pub fn old_threshold(rules: &applicant::ApplicantRules, on: Date) -> Option<DatedAmount> {
    rules
        .amounts
        .keys()
        .filter_map(|id| rules.amount(id, on))
        .find(|t| (on - t.from).num_days() > 366)
        .cloned()
}

/// One household checked against every criterion and the requirements of the target.
pub struct Checked {
    pub outcomes: Vec<CriterionOutcome>,
    pub requirements: Vec<Requirement>,
    pub old_threshold: Option<DatedAmount>,
}

/// Checks one household (a JSON file's text) in a context; nothing is stored.
pub fn check(ctx: &LettingContext, file: &str, text: &str) -> Result<Checked, Error> {
    let rules = rules(ctx)?;
    let h = read_household(file, text, ctx.on).map_err(|e| Error::Input(e.to_string()))?;
    Ok(Checked {
        outcomes: evaluate(rules, &h, ctx.on),
        requirements: requirements(ctx)?,
        old_threshold: old_threshold(rules, ctx.on),
    })
}

/// How to rank an applicants file.
pub struct RankInput<'a> {
    /// The file's name, for error messages.
    pub file: &'a str,
    /// The file's text (JSON; see the household schema).
    pub text: &'a str,
    /// With a department (not a vacancy): the criteria set to rank by (default: the
    /// step's first) — one of the sets the step's wheel uses.
    pub criteria: Option<String>,
    /// With a department: the home is an accessibility home.
    pub accessibility_home: bool,
    /// Internal applicants first (the organisation's internal transfer).
    pub internal: bool,
    /// The organisation decided that internal applicants meet the flexible criteria
    /// also within their own department or area.
    pub internal_criteria_everywhere: bool,
    /// Store the run (a dry run does not).
    pub keep: bool,
    /// Who ranks, kept with the run and in the audit log.
    pub actor: &'a str,
}

/// A ranking: its context, what the slot requires, the ranked applicants, the stored
/// run's id (none for a dry run) and a warning about an old income threshold.
pub struct Ranking {
    pub ctx: LettingContext,
    pub requirement: Requirement,
    pub ranked: Vec<Ranked>,
    pub run: Option<i64>,
    pub old_threshold: Option<DatedAmount>,
}

/// Ranks an applicants file for a context (a vacancy's slot decides; for a department
/// the input's criteria set and accessibility flag do) and stores the run.
pub fn rank_applicants(
    store: &mut Store,
    mut ctx: LettingContext,
    input: &RankInput<'_>,
) -> Result<Ranking, Error> {
    if ctx.vacancy.is_some() && (input.criteria.is_some() || input.accessibility_home) {
        return Err(Error::Input(
            "a criteria set and an accessibility home go with a department; a vacancy's slot and home decide them".into(),
        ));
    }
    if let Some(set) = &input.criteria {
        let allowed = ctx.wheel_criteria_sets();
        if !allowed.contains(set) {
            return Err(Error::Refused(format!(
                "criteria set {set:?} is not used on {} on {} (its wheel lets by {}): rank by one of those",
                text::step_name(ctx.staircase, &ctx.step, Lang::En),
                ctx.on,
                if allowed.is_empty() {
                    "no flexible criteria".to_string()
                } else {
                    allowed.join(", ")
                }
            )));
        }
    }
    if ctx.vacancy.is_none() {
        ctx.criteria = input.criteria.clone().or_else(|| ctx.default_criteria());
        ctx.channel = Some(if ctx.criteria.is_some() {
            Channel::Flexible
        } else {
            Channel::WaitingList
        });
        ctx.accessibility_home = input.accessibility_home;
    }
    // The agreement is shared (an Arc): the context moves into the answer, the rules
    // are read through this handle without copying them.
    let agreement = std::sync::Arc::clone(&ctx.agreement);
    let rules = rules_of(&agreement)?;
    let channel = ctx.channel.unwrap_or(Channel::WaitingList);
    let requirement = requirement_for(&ctx, channel, ctx.criteria.as_deref())
        .map_err(|e| Error::Refused(e.to_string()))?;
    let mut households =
        read_applicants(input.file, input.text, ctx.on).map_err(|e| Error::Input(e.to_string()))?;
    internal_areas(store, input.file, &mut households)?;
    let ranked = rank(
        rules,
        &RankVacancy {
            department: &ctx.department,
            area: ctx.area.as_deref(),
            on: ctx.on,
            requirement: &requirement,
            internal_priority: input.internal,
            internal_criteria_everywhere: input.internal_criteria_everywhere,
        },
        &households,
    );
    let run = if input.keep {
        Some(store.store_ranking(
            &ctx,
            &requirement,
            &sha256_hex(input.text.as_bytes()),
            &ranked,
            input.actor,
        )?)
    } else {
        None
    };
    let old_threshold = old_threshold(rules, ctx.on);
    Ok(Ranking {
        ctx,
        requirement,
        ranked,
        run,
        old_threshold,
    })
}

/// The requirements to show for a check: the vacancy's slot, or each criteria set of
/// the department's step.
pub fn requirements(ctx: &LettingContext) -> Result<Vec<Requirement>, Error> {
    let req = |channel: Channel, set: Option<&str>| requirement_for(ctx, channel, set);
    match ctx.channel {
        Some(channel) => Ok(vec![
            req(channel, ctx.criteria.as_deref()).map_err(|e| Error::Refused(e.to_string()))?
        ]),
        None => {
            let sets = ctx.wheel_criteria_sets();
            if sets.is_empty() {
                return Ok(vec![
                    req(Channel::WaitingList, None).map_err(|e| Error::Refused(e.to_string()))?
                ]);
            }
            Ok(sets
                .iter()
                .map(|s| req(Channel::Flexible, Some(s)))
                .collect::<Result<_, _>>()
                .map_err(|e: applicant::RequirementError| Error::Refused(e.to_string()))?)
        }
    }
}

/// What a slot with `channel` and `set` requires in the context's department, with the
/// criteria that apply there whatever the slot [CPH 6.1.6].
pub fn requirement_for(
    ctx: &LettingContext,
    channel: Channel,
    set: Option<&str>,
) -> Result<Requirement, applicant::RequirementError> {
    let (always, source) = ctx.always_tightened();
    let rules = ctx.agreement.applicants.as_ref();
    let req = applicant::requirement(
        rules,
        channel,
        set,
        ctx.staircase,
        &ctx.step,
        &ctx.tightened,
        ctx.accessibility_home,
        &ctx.step_source(),
    )?;
    Ok(match rules {
        Some(r) => req.and_tightened(r, &always, &source),
        None => req,
    })
}

/// Why these criteria apply here: the area's challenges on area step 1, the
/// development-plan transition.
pub fn context_lines(ctx: &LettingContext, l: Lang) -> Vec<String> {
    let mut out = Vec::new();
    // A set of the step that adds the risk zone's criteria (CPH: tightened:relevant on
    // area step 1 [CPH 6.1.2]): the lines say what it does here, citing the set.
    let rules = ctx.agreement.applicants.as_ref();
    let named: Vec<String> = ctx
        .criteria
        .iter()
        .cloned()
        .chain(ctx.wheel_criteria_sets())
        .collect();
    let risk = rules.and_then(|r| {
        named
            .iter()
            .flat_map(|s| s.split('|'))
            .find_map(|p| r.set(p.trim()).filter(|d| d.risk_zone))
    });
    if let (Some(r), Some(set)) = (rules, risk) {
        let src = &set.source;
        let ordinary: Vec<String> = set.any.iter().map(|c| at::criterion(rules, c, l)).collect();
        let ordinary = ordinary.join(l.pick(" eller ", " or "));
        if ctx.tightened.is_empty() {
            out.push(match l {
                Lang::Da => format!("Området er ikke inden for risikozonen på nogen parameter: de almindelige kriterier gælder ({ordinary}) [{src}]"),
                Lang::En => format!("The area is inside the risk zone on no parameter: the ordinary criteria apply ({ordinary}) [{src}]"),
            });
        } else {
            let names: Vec<&str> = ctx
                .tightened
                .iter()
                .map(|c| text::criterion(*c, l))
                .collect();
            out.push(match l {
                Lang::Da => format!("Området er inden for risikozonen på: {} – de tilsvarende skærpede kriterier gælder [{src}]", names.join(", ")),
                Lang::En => format!("The area is inside the risk zone on: {} – the matching tightened criteria apply [{src}]", names.join(", ")),
            });
            // A required criterion that replaces the ordinary ones, with its age group.
            let replacing = ctx
                .tightened
                .iter()
                .filter_map(|c| r.mirroring(*c))
                .find(|d| set.any_dropped_when.contains(&d.id));
            if let Some(d) = replacing {
                let name = at::criterion(rules, &d.id, l);
                let ages = match &d.who {
                    applicant::Who::EveryMember { ages, .. } => match ages.value.to {
                        Some(to) => format!("{}–{to}", ages.value.from),
                        None => format!("{}+", ages.value.from),
                    },
                    _ => String::new(),
                };
                out.push(match l {
                    Lang::Da => format!("{name} erstatter de almindelige kriterier ({ordinary}): det gælder alle indflyttere på {ages} år [{src}]"),
                    Lang::En => format!("{name} replaces the ordinary criteria ({ordinary}): it applies to everyone moving in aged {ages} [{src}]"),
                });
            }
        }
    }
    if let Some(d) = &ctx.development_plan {
        out.push(match l {
            Lang::Da => format!("Område {} er et tidligere omdannelsesområde med udviklingsplan: den boligsociale anvisning er suspenderet i overgangsperioden [{}]", d.area_id, d.suspension_source),
            Lang::En => format!("Area {} is a former transformation area under a development plan: municipal allocation is suspended during the transition [{}]", d.area_id, d.suspension_source),
        });
        if d.convictions_criterion {
            out.push(match l {
                Lang::Da => format!("Andelen af dømte i område {} er over grænsen for forebyggelsesområder: dømte-kriteriet gælder alle ansøgere [{}]", d.area_id, d.source),
                Lang::En => format!("The share of convicted residents in area {} is above the prevention-area threshold: the convictions criterion applies to every applicant [{}]", d.area_id, d.source),
            });
        }
    }
    out
}

/// Why a criteria set is met or not, one line per part of it.
pub fn requirement_reasons(
    rules: Option<&applicant::ApplicantRules>,
    req: &Requirement,
    outcomes: &[CriterionOutcome],
    l: Lang,
) -> Vec<String> {
    let name = |c: &applicant::CriterionId| at::criterion(rules, c, l);
    let status = |c: &applicant::CriterionId| outcomes.iter().any(|o| o.criterion == *c && o.met);
    let mut out = Vec::new();
    if !req.priority.is_empty() {
        // The agreement's priority order: which group is met first.
        let groups: Vec<String> = req
            .priority
            .iter()
            .enumerate()
            .map(|(i, g)| {
                let names: Vec<String> = g.iter().map(name).collect();
                format!("{}. {}", i + 1, names.join(l.pick(" eller ", " or ")))
            })
            .collect();
        let first = req.priority.iter().position(|g| g.iter().any(status));
        out.push(match (l, first) {
            (Lang::Da, Some(i)) => format!(
                "i prioriteret rækkefølge ({}): opfyldt, {}. prioritet",
                groups.join("; "),
                i + 1
            ),
            (Lang::Da, None) => format!(
                "i prioriteret rækkefølge ({}): ingen opfyldt",
                groups.join("; ")
            ),
            (Lang::En, Some(i)) => format!(
                "in priority order ({}): met, priority {}",
                groups.join("; "),
                i + 1
            ),
            (Lang::En, None) => format!("in priority order ({}): none met", groups.join("; ")),
        });
    } else if !req.any_of.is_empty() {
        let met: Vec<String> = req.any_of.iter().filter(|c| status(c)).map(name).collect();
        let all: Vec<String> = req.any_of.iter().map(name).collect();
        out.push(match (l, met.is_empty()) {
            (Lang::Da, false) => format!(
                "mindst ét af {}: opfyldt ({})",
                all.join(", "),
                met.join(", ")
            ),
            (Lang::Da, true) => format!("mindst ét af {}: ingen opfyldt", all.join(", ")),
            (Lang::En, false) => format!(
                "at least one of {}: met ({})",
                all.join(", "),
                met.join(", ")
            ),
            (Lang::En, true) => format!("at least one of {}: none met", all.join(", ")),
        });
    }
    for a in &req.at_least {
        let met = a.of.iter().filter(|c| status(c)).count();
        let all: Vec<String> = a.of.iter().map(name).collect();
        out.push(match l {
            Lang::Da => format!("mindst {} af {}: {met} opfyldt", a.n, all.join(", ")),
            Lang::En => format!("at least {} of {}: {met} met", a.n, all.join(", ")),
        });
    }
    for c in &req.all_of {
        let ok = status(c);
        out.push(match (l, ok) {
            (Lang::Da, true) => format!("{}: opfyldt for alle i aldersgruppen", name(c)),
            (Lang::Da, false) => format!("{}: ikke opfyldt", name(c)),
            (Lang::En, true) => format!("{}: met for everyone in the age group", name(c)),
            (Lang::En, false) => format!("{}: not met", name(c)),
        });
    }
    if !req.has_criteria() {
        out.push(
            l.pick(
                "ingen kriterier: almindelig venteliste",
                "no criteria: ordinary waiting list",
            )
            .into(),
        );
    }
    out
}

/// An internal applicant's area is the area of the department it moves from, as the
/// database knows it: filled in where the file leaves it out, an error where the file
/// says otherwise.
pub fn internal_areas(
    store: &mut Store,
    file: &str,
    households: &mut [applicant::Household],
) -> Result<(), Error> {
    for (i, h) in households.iter_mut().enumerate() {
        let who = h.id.clone().unwrap_or_else(|| format!("#{}", i + 1));
        if let Some(t) = h.internal.as_mut() {
            let known = match store.department_area(&t.from_department) {
                Ok(k) => k,
                Err(StoreError::NotFound(e)) => {
                    return Err(Error::Input(format!(
                        "{file}: applicant {who}, field internal.from_department: {e}"
                    )))
                }
                Err(e) => return Err(e.into()),
            };
            match (&t.from_area, &known) {
                (Some(given), Some(k)) if given != k => return Err(Error::Input(format!(
                    "{file}: applicant {who}, field internal.from_area: {given:?}, but department {} lies in area {k}",
                    t.from_department
                ))),
                (Some(given), None) => return Err(Error::Input(format!(
                    "{file}: applicant {who}, field internal.from_area: {given:?}, but department {} lies in no housing area",
                    t.from_department
                ))),
                _ => t.from_area = known,
            }
        }
    }
    Ok(())
}
