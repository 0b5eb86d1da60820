//! Evaluation: every criterion of the agreement file for a household and a takeover date.
//! This is the one place that reads a household's facts for the criteria: each condition
//! kind of [`ConditionKind`] is read here and nowhere else.

use chrono::{Datelike, Months};

use super::definition::{
    CompletedBy, Condition, ConditionKind, CriterionDef, DocNeed, HoursCount, Node, Period,
    SeparationRule, Who, WorkRule,
};
use super::{
    ApplicantRules, CompletedEducation, CriterionOutcome, DocumentKind, DocumentNeed,
    EnrolmentKind, Finding, Household, Member, Relation, TakenIn, Why, Work, WorkKind,
};
use crate::Date;

/// Completed years of age on `on`.
pub fn age_on(birth: Date, on: Date) -> u32 {
    let mut years = on.year() - birth.year();
    if (on.month(), on.day()) < (birth.month(), birth.day()) {
        years -= 1;
    }
    years.max(0) as u32
}

/// `date` plus `years` calendar years (29 February → 28 February).
pub fn add_years(date: Date, years: u32) -> Date {
    date.checked_add_months(Months::new(12 * years))
        .unwrap_or(date)
}

fn sub_years(date: Date, years: u32) -> Date {
    date.checked_sub_months(Months::new(12 * years))
        .unwrap_or(date)
}

pub(super) fn member_age(m: &Member, on: Date) -> u32 {
    match m.birth_date {
        Some(b) => age_on(b, on),
        None => m.age.unwrap_or(0),
    }
}

/// What one condition found for one member (or the household).
struct Out {
    met: bool,
    why: Why,
    /// The way it was met (or, for a record asked of everyone, looked at): its documents
    /// are those the condition lists for this way; `None`: no documents.
    way: Option<&'static str>,
    /// When the way is a job: its start, for documents asked once it has run some months.
    job_start: Option<Date>,
    /// No fact at all was found (no work): an `any` may then give its own reason.
    absent: bool,
    /// Further household findings (a separation's conditions, each with its reason).
    parts: Vec<(bool, Why)>,
}

impl Out {
    fn met(why: Why, way: &'static str) -> Out {
        Out {
            met: true,
            why,
            way: Some(way),
            job_start: None,
            absent: false,
            parts: Vec::new(),
        }
    }

    fn fails(why: Why) -> Out {
        Out {
            met: false,
            why,
            way: None,
            job_start: None,
            absent: false,
            parts: Vec::new(),
        }
    }

    fn absent(why: Why) -> Out {
        Out {
            absent: true,
            ..Out::fails(why)
        }
    }
}

/// One node's result: the reason and the documents of the way it was met.
struct NodeResult {
    met: bool,
    why: Why,
    docs: Vec<DocumentKind>,
    absent: bool,
    parts: Vec<(bool, Why)>,
}

struct Ctx<'a> {
    rules: &'a ApplicantRules,
    on: Date,
}

impl Ctx<'_> {
    fn finding(&self, i: usize, m: &Member, met: bool, why: Why) -> Finding {
        Finding {
            member: Some(i as u32 + 1),
            age: Some(member_age(m, self.on)),
            relation: Some(m.relation),
            met,
            why,
        }
    }

    /// The age is proven by the first alternative of `[applicants] age_documents` whose
    /// documents were all seen, else by the last (e.g. a passport, or photo ID with the
    /// health card [CPH B4 IV.2]).
    fn age_documents(&self, m: &Member) -> Vec<DocumentKind> {
        let seen = |k: &DocumentKind| m.documents.iter().any(|d| d.kind == *k);
        let alts = &self.rules.age_documents;
        alts.iter()
            .find(|alt| alt.iter().all(seen))
            .or(alts.last())
            .cloned()
            .unwrap_or_default()
    }

    fn documents(&self, c: &Condition, out: &Out, m: Option<&Member>) -> Vec<DocumentKind> {
        let Some(needs) = out.way.and_then(|w| c.documents.get(w)) else {
            return Vec::new();
        };
        let mut docs = Vec::new();
        for need in needs {
            match need {
                DocNeed::Kind(k) => docs.push(*k),
                DocNeed::Age => docs.extend(m.map(|m| self.age_documents(m)).unwrap_or_default()),
                DocNeed::OnceRunningMonths { kind, months } => {
                    // A job that has not run the months is proven by its contract alone.
                    if out.job_start.is_none_or(|s| {
                        s.checked_add_months(Months::new(*months))
                            .is_some_and(|d| d <= self.on)
                    }) {
                        docs.push(*kind);
                    }
                }
            }
        }
        docs
    }

    fn node(&self, n: &Node, m: Option<&Member>, h: &Household) -> NodeResult {
        match n {
            Node::Leaf(c) => {
                let out = self.leaf(&c.kind, m, h);
                NodeResult {
                    docs: self.documents(c, &out, m),
                    met: out.met,
                    why: out.why,
                    absent: out.absent,
                    parts: out.parts,
                }
            }
            Node::All(children) => {
                let mut docs = Vec::new();
                let mut last = None;
                for child in children {
                    let r = self.node(child, m, h);
                    if !r.met {
                        return r;
                    }
                    docs.extend(r.docs.iter().copied());
                    last = Some(r);
                }
                match last {
                    Some(r) => NodeResult { docs, ..r },
                    None => NodeResult {
                        met: true,
                        why: Why::NoWork,
                        docs,
                        absent: false,
                        parts: Vec::new(),
                    },
                }
            }
            Node::Any { of, none } => {
                let mut first: Option<NodeResult> = None;
                for child in of {
                    let r = self.node(child, m, h);
                    if r.met {
                        return r;
                    }
                    first.get_or_insert(r);
                }
                let first = first.unwrap_or(NodeResult {
                    met: false,
                    why: Why::NoWork,
                    docs: Vec::new(),
                    absent: true,
                    parts: Vec::new(),
                });
                match none {
                    Some(why) if first.absent => NodeResult {
                        why: why.clone(),
                        docs: Vec::new(),
                        ..first
                    },
                    _ => first,
                }
            }
        }
    }

    fn leaf(&self, k: &ConditionKind, m: Option<&Member>, h: &Household) -> Out {
        let on = self.on;
        let Some(m) = m else {
            return match k {
                ConditionKind::Separation(rule) => self.separation(rule, h),
                ConditionKind::Residence {
                    municipality,
                    inside,
                    min_years,
                } => self.residence(h, municipality, *inside, min_years.as_ref()),
                // A member's condition asked of the household: read by the checker as an
                // error; here it cannot be met.
                _ => Out::absent(Why::NoSeparation),
            };
        };
        match k {
            ConditionKind::Age { ages, youth_group } => {
                let (from, to) = (ages.value.from, ages.value.to);
                if ages.value.contains(member_age(m, on)) {
                    Out::met(Why::AgeWithin { from, to }, "age")
                } else if *youth_group {
                    Out::fails(Why::NotYoung { from, to })
                } else {
                    Out::fails(Why::AgeOutside { from, to })
                }
            }
            ConditionKind::Residence {
                municipality,
                inside,
                min_years,
            } => self.residence(h, municipality, *inside, min_years.as_ref()),
            ConditionKind::SpecialNeed => {
                if m.special_need {
                    Out::met(Why::SpecialNeed, "need")
                } else {
                    Out::absent(Why::NoSpecialNeed)
                }
            }
            ConditionKind::Work(rule) => self.works(rule, m),
            ConditionKind::Enrolled { student_counts } => self.enrolled(m, *student_counts),
            ConditionKind::CompletedEducation { levels, by } => {
                self.completed_education(m, levels, by)
            }
            ConditionKind::Income {
                period,
                at_least,
                exempt_in_education,
                exempt_not_taxable,
            } => {
                let t = self.rules.amount(at_least, on);
                let threshold = t.map(|t| t.amount).unwrap_or_default();
                if *exempt_in_education {
                    let e = self.enrolled(m, true);
                    if e.met {
                        return Out {
                            why: Why::InEducation,
                            ..e
                        };
                    }
                }
                if *exempt_not_taxable && !m.taxable_in_denmark {
                    return Out {
                        way: None,
                        ..Out::met(Why::NotTaxable, "")
                    };
                }
                let way = if m.work.iter().any(|w| w.kind == WorkKind::SelfEmployed) {
                    "self_employed"
                } else {
                    "employed"
                };
                let income = m.monthly_gross_income.map(|x| match period {
                    Period::Monthly => x,
                    Period::Yearly => x * rust_decimal::Decimal::from(12),
                });
                match income {
                    None => Out::fails(Why::IncomeMissing { threshold }),
                    Some(x) if t.is_some() && x >= threshold => {
                        Out::met(Why::IncomeAtLeast { threshold }, way)
                    }
                    Some(_) => Out::fails(Why::IncomeBelow { threshold }),
                }
            }
            ConditionKind::Separation(rule) => self.separation(rule, h),
            ConditionKind::AccessibilityNeed => {
                if m.disability_needs_accessible_home {
                    Out::met(Why::NeedsAccessibleHome, "need")
                } else {
                    Out::absent(Why::NoAccessibleHomeNeed)
                }
            }
            ConditionKind::NoConviction {
                laws,
                calendar_years_back,
            } => {
                let back = calendar_years_back.value as i32;
                let (from_year, to_year) = (on.year() - back, on.year());
                let convicted = m.convictions.iter().any(|cv| {
                    laws.contains(&cv.law) && cv.date.year() >= from_year && cv.date <= on
                });
                // The record is asked of everyone, met or not.
                if convicted {
                    Out {
                        way: Some("record"),
                        ..Out::fails(Why::Convicted { from_year, to_year })
                    }
                } else {
                    Out::met(Why::NotConvicted { from_year, to_year }, "record")
                }
            }
        }
    }

    /// Work in the sense of the rule: senior age, a pension, or the first job that
    /// qualifies (the first job's reason when none does).
    fn works(&self, r: &WorkRule, m: &Member) -> Out {
        let age = member_age(m, self.on);
        if let Some(senior) = r.senior_from_age.as_ref().filter(|s| age >= s.value) {
            return Out::met(
                Why::Senior {
                    senior_age: senior.value,
                },
                "senior",
            );
        }
        if let Some(p) = m.pension.filter(|p| r.pensions.contains(p)) {
            return Out::met(Why::Pension { pension: p }, "pension");
        }
        let mut best: Option<Out> = None;
        for w in &m.work {
            let result = self.job(r, w);
            let better = match &best {
                None => true,
                Some(b) => result.met && !b.met,
            };
            if better {
                best = Some(result);
            }
        }
        if r.hours.value == HoursCount::SummedPermanent && !best.as_ref().is_some_and(|b| b.met) {
            if let Some(summed) = self.summed_hours(r, m) {
                return summed;
            }
        }
        best.unwrap_or(Out::absent(Why::NoWork))
    }

    /// The hours of the started permanent positions added up, when there are several.
    fn summed_hours(&self, r: &WorkRule, m: &Member) -> Option<Out> {
        let deadline = self.deadline(r);
        let jobs: Vec<&Work> = m
            .work
            .iter()
            .filter(|w| w.kind == WorkKind::Permanent && w.starts.is_none_or(|s| s <= deadline))
            .collect();
        if jobs.len() < 2 {
            return None;
        }
        let hours: rust_decimal::Decimal = jobs.iter().filter_map(|w| w.weekly_hours).sum();
        let min = r.min_weekly_hours.value;
        let parental_leave = jobs.iter().any(|w| w.parental_leave);
        if hours < min {
            return Some(Out::fails(Why::TooFewHours {
                hours,
                min_hours: min,
                parental_leave,
            }));
        }
        Some(Out {
            job_start: jobs.iter().filter_map(|w| w.starts).max(),
            ..Out::met(
                Why::Hours {
                    hours,
                    min_hours: min,
                    parental_leave,
                },
                "permanent",
            )
        })
    }

    /// A job must have started by the takeover date plus the rule's months.
    fn deadline(&self, r: &WorkRule) -> Date {
        self.on
            .checked_add_months(Months::new(r.starts_within_months.value))
            .unwrap_or(self.on)
    }

    fn job(&self, r: &WorkRule, w: &Work) -> Out {
        let deadline = self.deadline(r);
        if let Some(starts) = w.starts.filter(|s| *s > deadline) {
            return Out::fails(Why::WorkStartsLater { starts });
        }
        let min = r.min_weekly_hours.value;
        let with_start = |o: Out| Out {
            job_start: w.starts,
            ..o
        };
        let hours = |way: &'static str| match w.weekly_hours {
            Some(h) if h >= min => with_start(Out::met(
                Why::Hours {
                    hours: h,
                    min_hours: min,
                    parental_leave: w.parental_leave,
                },
                way,
            )),
            Some(h) => Out::fails(Why::TooFewHours {
                hours: h,
                min_hours: min,
                parental_leave: w.parental_leave,
            }),
            None => Out::fails(Why::HoursMissing),
        };
        match w.kind {
            WorkKind::Apprentice => Out::fails(Why::ApprenticeNotWork),
            WorkKind::Fleksjob if r.without_hours.contains(&WorkKind::Fleksjob) => {
                with_start(Out::met(Why::Fleksjob, "fleksjob"))
            }
            WorkKind::SelfEmployed if r.without_hours.contains(&WorkKind::SelfEmployed) => {
                with_start(Out::met(Why::SelfEmployed, "self_employed"))
            }
            WorkKind::Temporary => match &r.temporary {
                Some(t) => self.temporary(t, min, w),
                None => hours("temporary"),
            },
            _ => hours("permanent"),
        }
    }

    /// Temporary work: the months documented at the hours, or at the income
    /// (e.g. three months at 25 hours or at the income threshold [CPH B4 IV.1 A.1]).
    fn temporary(
        &self,
        t: &super::definition::TemporaryRule,
        min: rust_decimal::Decimal,
        w: &Work,
    ) -> Out {
        let months = w.months_documented.unwrap_or(0);
        let min_months = t.min_months.value;
        let amount = t
            .or_income_at_least
            .as_deref()
            .and_then(|id| self.rules.amount(id, self.on));
        let with_start = |o: Out| Out {
            job_start: w.starts,
            ..o
        };
        let not_enough = |threshold| {
            Out::fails(Why::TemporaryNotEnough {
                months,
                min_months,
                min_hours: min,
                threshold,
            })
        };
        if months >= min_months && w.weekly_hours.is_some_and(|h| h >= min) {
            with_start(Out::met(
                Why::TemporaryMonths { months, min_months },
                "temporary",
            ))
        } else if let (Some(a), Some(x), true) =
            (amount, w.monthly_gross_income, months >= min_months)
        {
            if x >= a.amount {
                with_start(Out::met(
                    Why::TemporaryIncome {
                        threshold: a.amount,
                    },
                    "temporary",
                ))
            } else {
                not_enough(a.amount)
            }
        } else {
            not_enough(amount.map(|a| a.amount).unwrap_or_default())
        }
    }

    /// In education: an enrolment (or apprenticeship) that starts no later than the
    /// takeover date; when `student_counts`, also a member marked `student`
    /// (uddannelsessøgende).
    fn enrolled(&self, m: &Member, student_counts: bool) -> Out {
        if let Some(e) = &m.education {
            if e.starts > self.on {
                return Out::fails(Why::EnrolmentStartsLater { starts: e.starts });
            }
            let way = match e.kind {
                EnrolmentKind::SuEligible => "su_eligible",
                EnrolmentKind::EducationAgreement => "education_agreement",
                EnrolmentKind::Apprenticeship => "apprenticeship",
            };
            return Out::met(Why::Enrolled { kind: e.kind }, way);
        }
        if let Some(w) = m.work.iter().find(|w| w.kind == WorkKind::Apprentice) {
            if let Some(starts) = w.starts.filter(|s| *s > self.on) {
                return Out::fails(Why::EnrolmentStartsLater { starts });
            }
            return Out::met(Why::Apprentice, "apprentice");
        }
        if m.student && student_counts {
            return Out::met(Why::StudentOnly, "student");
        }
        Out::absent(Why::NotEnrolled)
    }

    /// An education of one of `levels`, taken or approved in Denmark, completed by the
    /// (month, day) of the previous calendar year: the highest or an earlier one.
    fn completed_education(
        &self,
        m: &Member,
        levels: &[super::EducationLevel],
        by: &CompletedBy,
    ) -> Out {
        let on = self.on;
        let (month, day) = match by {
            CompletedBy::DayOfPreviousYear(d) => d.value,
            CompletedBy::WithinYears(y) => return self.recently_graduated(m, levels, y.value),
        };
        let by = Date::from_ymd_opt(on.year() - 1, month, day).unwrap_or(on);
        let all: Vec<&CompletedEducation> = m
            .completed_education
            .iter()
            .chain(&m.earlier_educations)
            .collect();
        let above = |e: &CompletedEducation| levels.contains(&e.level);
        let recognised = |e: &CompletedEducation| e.taken_in != TakenIn::AbroadNotApproved;
        let in_time = all
            .iter()
            .filter(|e| above(e) && recognised(e) && e.completed_on <= by)
            .min_by_key(|e| e.completed_on);
        match in_time {
            Some(e) => Out::met(
                Why::EducationCompleted { by },
                if e.taken_in == TakenIn::AbroadApproved {
                    "abroad_approved"
                } else {
                    "denmark"
                },
            ),
            None if all.is_empty() => Out::absent(Why::NoEducation),
            None if !all.iter().any(|e| above(e)) => Out::fails(Why::OnlyPrimaryEducation),
            None if !all.iter().any(|e| above(e) && recognised(e)) => {
                Out::fails(Why::AbroadNotApproved)
            }
            None => Out::fails(Why::EducationTooLate { by }),
        }
    }

    /// Newly graduated: an education of one of `levels` (not abroad unapproved) completed
    /// on or after the takeover date less `years` and no later than the takeover date.
    fn recently_graduated(&self, m: &Member, levels: &[super::EducationLevel], years: u32) -> Out {
        let since = sub_years(self.on, years);
        let fits = |e: &&CompletedEducation| {
            levels.contains(&e.level) && e.taken_in != TakenIn::AbroadNotApproved
        };
        let any = m.completed_education.is_some() || !m.earlier_educations.is_empty();
        let all: Vec<&CompletedEducation> = m
            .completed_education
            .iter()
            .chain(&m.earlier_educations)
            .filter(fits)
            .collect();
        match all
            .iter()
            .filter(|e| e.completed_on >= since && e.completed_on <= self.on)
            .max_by_key(|e| e.completed_on)
        {
            Some(e) => Out::met(
                Why::RecentlyGraduated { since },
                if e.taken_in == TakenIn::AbroadApproved {
                    "abroad_approved"
                } else {
                    "denmark"
                },
            ),
            None if !any => Out::absent(Why::NoEducation),
            None if all.is_empty() => Out::fails(Why::EducationNotOfKind),
            None => Out::fails(Why::GraduatedTooLongAgo { since }),
        }
    }

    /// Where the household lives: inside or outside the municipality (and since when).
    fn residence(
        &self,
        h: &Household,
        municipality: &str,
        inside: bool,
        min_years: Option<&crate::agreement::Sourced<u32>>,
    ) -> Out {
        let Some(r) = &h.residence else {
            return Out::absent(Why::ResidenceMissing);
        };
        let municipality = municipality.to_string();
        // "0561" and "561" are the same municipality.
        let code = |c: &str| c.trim_start_matches('0').to_string();
        let lives_in = code(&r.municipality_code) == code(&municipality);
        match (inside, lives_in) {
            (false, false) => Out::met(Why::LivesOutside { municipality }, "outside"),
            (false, true) => Out::fails(Why::LivesIn { municipality }),
            (true, false) => Out::fails(Why::LivesOutside { municipality }),
            (true, true) => match min_years {
                Some(_) if r.since.is_none() => Out::absent(Why::ResidenceSinceMissing),
                Some(y) if r.since.is_some_and(|s| s > sub_years(self.on, y.value)) => {
                    Out::fails(Why::LivesInTooShort {
                        municipality,
                        years: y.value,
                    })
                }
                _ => Out::met(Why::LivesIn { municipality }, "inside"),
            },
        }
    }

    /// A separation within the years, with its conditions on residence and a shared
    /// address, each a household finding.
    fn separation(&self, r: &SeparationRule, h: &Household) -> Out {
        let Some(s) = &h.separation else {
            return Out::absent(Why::NoSeparation);
        };
        let until = add_years(s.date, r.within_years.value);
        let lapsed = self.on > until;
        let first = if lapsed {
            Why::SeparationLapsed {
                date: s.date,
                until,
            }
        } else {
            Why::Separated {
                date: s.date,
                until,
            }
        };
        let mut parts = vec![(!lapsed, first.clone())];
        let mut met = !lapsed;
        if r.lived_in_municipality && !s.lived_in_municipality {
            met = false;
            parts.push((false, Why::NotInMunicipality));
        }
        if let Some(years) = &r.shared_address_years {
            if !s.married || r.shared_address_married_too {
                let since = s.shared_address_since.unwrap_or(s.date);
                if since > sub_years(s.date, years.value) {
                    met = false;
                    parts.push((
                        false,
                        Why::SharedAddressTooShort {
                            since,
                            years: years.value,
                        },
                    ));
                }
            }
        }
        Out {
            met,
            why: first,
            way: met.then_some(if s.married { "married" } else { "unmarried" }),
            job_start: None,
            absent: false,
            parts,
        }
    }

    /// Whether a member can carry a criterion of the applicant or a partner: the
    /// applicant, a spouse, or a cohabitant (after the years at a shared address).
    fn partner(
        &self,
        i: usize,
        m: &Member,
        years: Option<&crate::agreement::Sourced<u32>>,
        cohabitant_documents: &[DocumentKind],
    ) -> Result<Vec<DocumentKind>, Option<Finding>> {
        match m.relation {
            Relation::Applicant | Relation::Spouse => Ok(Vec::new()),
            Relation::Cohabitant => match years {
                None => Ok(cohabitant_documents.to_vec()),
                Some(y) => {
                    let since = m.cohabiting_since.unwrap_or(self.on);
                    if since <= sub_years(self.on, y.value) {
                        Ok(cohabitant_documents.to_vec())
                    } else {
                        Err(Some(self.finding(
                            i,
                            m,
                            false,
                            Why::CohabitationTooShort {
                                since,
                                years: y.value,
                            },
                        )))
                    }
                }
            },
            _ => Err(None),
        }
    }

    fn criterion(&self, h: &Household, c: &CriterionDef) -> CriterionOutcome {
        let mut met = false;
        let mut findings = Vec::new();
        let mut needs: Vec<(u32, DocumentKind)> = Vec::new();
        match &c.who {
            Who::ApplicantOrPartner {
                cohabitation_years,
                cohabitant_documents,
            } => {
                for (i, m) in h.members.iter().enumerate() {
                    let partner_docs =
                        match self.partner(i, m, cohabitation_years.as_ref(), cohabitant_documents)
                        {
                            Ok(d) => d,
                            Err(f) => {
                                findings.extend(f);
                                continue;
                            }
                        };
                    let r = self.node(&c.condition, Some(m), h);
                    if r.met {
                        met = true;
                        let n = i as u32 + 1;
                        needs.extend(r.docs.into_iter().chain(partner_docs).map(|d| (n, d)));
                    }
                    findings.push(self.finding(i, m, r.met, r.why));
                }
            }
            Who::Applicant => {
                for (i, m) in h.members.iter().enumerate() {
                    if m.relation != Relation::Applicant {
                        continue;
                    }
                    let r = self.node(&c.condition, Some(m), h);
                    met |= r.met;
                    if r.met {
                        let n = i as u32 + 1;
                        needs.extend(r.docs.into_iter().map(|d| (n, d)));
                    }
                    findings.push(self.finding(i, m, r.met, r.why));
                }
            }
            Who::AnyMember => {
                let mut last = None;
                for (i, m) in h.members.iter().enumerate() {
                    let r = self.node(&c.condition, Some(m), h);
                    if r.met {
                        met = true;
                        let n = i as u32 + 1;
                        needs.extend(r.docs.into_iter().map(|d| (n, d)));
                        findings.push(self.finding(i, m, true, r.why));
                    } else {
                        last = Some(r.why);
                    }
                }
                if !met {
                    if let Some(why) = last {
                        findings.push(household(false, why));
                    }
                }
            }
            Who::EveryMember {
                ages,
                age_documents,
            } => {
                let g = ages.value;
                met = true;
                let mut in_group = 0;
                for (i, m) in h.members.iter().enumerate() {
                    let n = i as u32 + 1;
                    if *age_documents {
                        needs.extend(self.age_documents(m).into_iter().map(|d| (n, d)));
                    }
                    if !g.contains(member_age(m, self.on)) {
                        findings.push(self.finding(
                            i,
                            m,
                            true,
                            Why::OutsideAgeGroup {
                                from: g.from,
                                to: g.to,
                            },
                        ));
                        continue;
                    }
                    in_group += 1;
                    let r = self.node(&c.condition, Some(m), h);
                    met &= r.met;
                    needs.extend(r.docs.into_iter().map(|d| (n, d)));
                    findings.push(self.finding(i, m, r.met, r.why));
                }
                if in_group == 0 {
                    findings.push(household(
                        true,
                        Why::NobodyInAgeGroup {
                            from: g.from,
                            to: g.to,
                        },
                    ));
                }
            }
            Who::Household => {
                let r = self.node(&c.condition, None, h);
                met = r.met;
                if r.parts.is_empty() {
                    findings.push(household(r.met, r.why));
                } else {
                    findings.extend(r.parts.into_iter().map(|(ok, why)| household(ok, why)));
                }
                let applicant = h
                    .members
                    .iter()
                    .position(|m| m.relation == Relation::Applicant)
                    .map_or(1, |i| i as u32 + 1);
                needs.extend(r.docs.into_iter().map(|d| (applicant, d)));
            }
        }
        // An income criterion says which threshold it used; without one in force it
        // cannot be met.
        for id in income_amounts(&c.condition) {
            match self.rules.amount(id, self.on) {
                Some(t) => findings.push(household(
                    true,
                    Why::ThresholdFrom {
                        from: t.from,
                        amount: t.amount,
                    },
                )),
                None => met = false,
            }
        }
        let (documents, documents_complete) = documents(h, needs);
        CriterionOutcome {
            criterion: c.id.clone(),
            met,
            findings,
            documents,
            documents_complete,
            source: c.source.clone(),
        }
    }
}

/// The amounts the income conditions of a tree compare with.
fn income_amounts(n: &Node) -> Vec<&str> {
    match n {
        Node::Leaf(c) => match &c.kind {
            ConditionKind::Income { at_least, .. } => vec![at_least.as_str()],
            _ => Vec::new(),
        },
        Node::All(of) | Node::Any { of, .. } => of.iter().flat_map(income_amounts).collect(),
    }
}

fn documents(
    h: &Household,
    needs: impl IntoIterator<Item = (u32, DocumentKind)>,
) -> (Vec<DocumentNeed>, bool) {
    // A criterion needs a handful of documents: a list is cheaper than a set here.
    let mut seen: Vec<(u32, DocumentKind)> = Vec::new();
    let mut out = Vec::new();
    for (member, kind) in needs {
        if seen.contains(&(member, kind)) {
            continue;
        }
        seen.push((member, kind));
        let seen_on = h.members.get(member as usize - 1).and_then(|m| {
            m.documents
                .iter()
                .filter(|d| d.kind == kind)
                .map(|d| d.seen_on)
                .max()
        });
        out.push(DocumentNeed {
            member,
            kind,
            seen_on,
        });
    }
    let complete = out.iter().all(|d| d.seen_on.is_some());
    (out, complete)
}

fn household(met: bool, why: Why) -> Finding {
    Finding {
        member: None,
        age: None,
        relation: None,
        met,
        why,
    }
}

/// Evaluates every criterion of the agreement for a household and a takeover date, in
/// the file's order. The household must have passed
/// [`check_household`](super::check_household).
pub fn evaluate(rules: &ApplicantRules, h: &Household, on: Date) -> Vec<CriterionOutcome> {
    evaluate_some(rules, h, on, |_| true)
}

/// Evaluates the criteria `wanted` picks, in the file's order (a ranking needs only
/// those its requirement and ranking rules look at).
pub fn evaluate_some(
    rules: &ApplicantRules,
    h: &Household,
    on: Date,
    wanted: impl Fn(&super::CriterionId) -> bool,
) -> Vec<CriterionOutcome> {
    let cx = Ctx { rules, on };
    rules
        .criteria
        .iter()
        .filter(|c| wanted(&c.id))
        .map(|c| cx.criterion(h, c))
        .collect()
}
