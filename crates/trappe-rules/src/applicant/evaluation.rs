//! Evaluation: every criterion for a household and a takeover date.

use std::collections::BTreeSet;

use chrono::{Datelike, Months};

use super::{
    ApplicantRules, CompletedEducation, CriterionId, CriterionOutcome, DatedAmount, DocumentKind,
    DocumentNeed, EducationLevel, EnrolmentKind, Finding, Household, Law, Member, Relation,
    TakenIn, Why, Work, WorkKind,
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

/// The income threshold in force on a date: the newest value from on or before it.
pub fn income_threshold(rules: &ApplicantRules, on: Date) -> Option<&DatedAmount> {
    rules
        .income_thresholds
        .iter()
        .filter(|t| t.from <= on)
        .max_by_key(|t| t.from)
}

struct Ctx<'a> {
    rules: &'a ApplicantRules,
    on: Date,
    threshold: Option<&'a DatedAmount>,
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

    /// Whether a member works in the sense of A1 (also used by tightened employment),
    /// with the reason and the documents that prove it.
    fn works(&self, m: &Member) -> (bool, Why, Vec<DocumentKind>) {
        let r = self.rules;
        let age = member_age(m, self.on);
        if age >= r.senior_age.value {
            return (
                true,
                Why::Senior {
                    senior_age: r.senior_age.value,
                },
                age_documents(m),
            );
        }
        if let Some(p) = m.pension {
            return (
                true,
                Why::Pension { pension: p },
                vec![DocumentKind::PensionStatement],
            );
        }
        let mut best: Option<(bool, Why, Vec<DocumentKind>)> = None;
        for w in &m.work {
            let result = self.job(w);
            let better = match &best {
                None => true,
                Some((met, _, _)) => result.0 && !met,
            };
            if better {
                best = Some(result);
            }
        }
        best.unwrap_or((false, Why::NoWork, Vec::new()))
    }

    fn job(&self, w: &Work) -> (bool, Why, Vec<DocumentKind>) {
        use DocumentKind::*;
        let r = self.rules;
        if let Some(starts) = w.starts.filter(|s| *s > self.on) {
            return (false, Why::WorkStartsLater { starts }, Vec::new());
        }
        // A job that has not run three months is proven by the contract alone [CPH B4 IV.1 A.1].
        let payslips = |docs: &mut Vec<DocumentKind>| {
            if w.starts.is_none_or(|s| {
                s.checked_add_months(Months::new(3))
                    .is_some_and(|d| d <= self.on)
            }) {
                docs.push(Payslips);
            }
        };
        let min = r.work_min_hours.value;
        match w.kind {
            WorkKind::Fleksjob => (true, Why::Fleksjob, vec![EmploymentContract, FleksjobGrant]),
            WorkKind::SelfEmployed => (
                true,
                Why::SelfEmployed,
                vec![CvrRegistration, AnnualAccounts],
            ),
            WorkKind::Apprentice => (false, Why::ApprenticeNotWork, Vec::new()),
            WorkKind::Permanent => match w.weekly_hours {
                Some(h) if h >= min => {
                    let mut d = vec![EmploymentContract];
                    payslips(&mut d);
                    (
                        true,
                        Why::Hours {
                            hours: h,
                            min_hours: min,
                            parental_leave: w.parental_leave,
                        },
                        d,
                    )
                }
                Some(h) => (
                    false,
                    Why::TooFewHours {
                        hours: h,
                        min_hours: min,
                        parental_leave: w.parental_leave,
                    },
                    Vec::new(),
                ),
                None => (false, Why::HoursMissing, Vec::new()),
            },
            WorkKind::Temporary => {
                let months = w.months_documented.unwrap_or(0);
                let min_months = r.temporary_min_months.value;
                // Three months documented, at 25 hours a week or at the income threshold
                // [CPH B4 IV.1 A.1].
                if months >= min_months && w.weekly_hours.is_some_and(|h| h >= min) {
                    (
                        true,
                        Why::TemporaryMonths { months, min_months },
                        vec![EmploymentContract, Payslips],
                    )
                } else if let (Some(t), Some(x), true) =
                    (self.threshold, w.monthly_gross_income, months >= min_months)
                {
                    if x >= t.amount {
                        (
                            true,
                            Why::TemporaryIncome {
                                threshold: t.amount,
                            },
                            vec![EmploymentContract, Payslips],
                        )
                    } else {
                        (
                            false,
                            Why::TemporaryNotEnough {
                                months,
                                min_months,
                                min_hours: min,
                                threshold: t.amount,
                            },
                            Vec::new(),
                        )
                    }
                } else {
                    let threshold = self.threshold.map(|t| t.amount).unwrap_or_default();
                    (
                        false,
                        Why::TemporaryNotEnough {
                            months,
                            min_months,
                            min_hours: min,
                            threshold,
                        },
                        Vec::new(),
                    )
                }
            }
        }
    }

    /// Whether a member is in education: an enrolment (or apprenticeship) that starts
    /// no later than the takeover date; unless `a2`, also a member marked `student`
    /// (uddannelsessøgende) on a dated enrolment statement. A2 needs an SU-eligible
    /// education or an education agreement [CPH B4 IV.1 A.2].
    fn in_education(&self, m: &Member, a2: bool) -> (bool, Why, Vec<DocumentKind>) {
        if let Some(e) = &m.education {
            let doc = match e.kind {
                EnrolmentKind::SuEligible => DocumentKind::EnrolmentStatement,
                _ => DocumentKind::EducationAgreement,
            };
            if e.starts > self.on {
                return (
                    false,
                    Why::EnrolmentStartsLater { starts: e.starts },
                    Vec::new(),
                );
            }
            return (true, Why::Enrolled { kind: e.kind }, vec![doc]);
        }
        if let Some(w) = m.work.iter().find(|w| w.kind == WorkKind::Apprentice) {
            if let Some(starts) = w.starts.filter(|s| *s > self.on) {
                return (false, Why::EnrolmentStartsLater { starts }, Vec::new());
            }
            return (
                true,
                Why::Apprentice,
                vec![DocumentKind::EducationAgreement],
            );
        }
        if m.student && !a2 {
            return (
                true,
                Why::StudentOnly,
                vec![DocumentKind::EnrolmentStatement],
            );
        }
        (false, Why::NotEnrolled, Vec::new())
    }

    /// Whether a member can carry the household's ordinary criteria (A1, A2): the
    /// applicant, a spouse, or a cohabitant with two years at a shared address.
    fn partner(&self, i: usize, m: &Member) -> Result<Vec<DocumentKind>, Finding> {
        match m.relation {
            Relation::Applicant | Relation::Spouse => Ok(Vec::new()),
            Relation::Cohabitant => {
                let years = self.rules.cohabitation_years.value;
                let since = m.cohabiting_since.unwrap_or(self.on);
                if since <= sub_years(self.on, years) {
                    Ok(vec![DocumentKind::ResidenceCertificate])
                } else {
                    Err(self.finding(i, m, false, Why::CohabitationTooShort { since, years }))
                }
            }
            other => Err(self.finding(i, m, false, Why::NotAPartner { relation: other })),
        }
    }
}

/// The age is proven by a passport, or by other photo ID with the health card
/// [CPH B4 IV.2].
fn age_documents(m: &Member) -> Vec<DocumentKind> {
    if m.documents.iter().any(|d| d.kind == DocumentKind::Passport) {
        vec![DocumentKind::Passport]
    } else {
        vec![DocumentKind::PhotoId, DocumentKind::HealthCard]
    }
}

fn documents(
    h: &Household,
    needs: impl IntoIterator<Item = (u32, DocumentKind)>,
) -> (Vec<DocumentNeed>, bool) {
    let mut seen = BTreeSet::new();
    let mut out = Vec::new();
    for (member, kind) in needs {
        if !seen.insert((member, kind)) {
            continue;
        }
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

fn outcome(
    h: &Household,
    criterion: CriterionId,
    met: bool,
    findings: Vec<Finding>,
    needs: Vec<(u32, DocumentKind)>,
    source: &str,
) -> CriterionOutcome {
    let (documents, documents_complete) = documents(h, needs);
    CriterionOutcome {
        criterion,
        met,
        findings,
        documents,
        documents_complete,
        source: source.to_string(),
    }
}

/// Evaluates every criterion for a household and a takeover date. The household must
/// have passed [`check_household`](super::check_household).
pub fn evaluate(rules: &ApplicantRules, h: &Household, on: Date) -> Vec<CriterionOutcome> {
    let cx = Ctx {
        rules,
        on,
        threshold: income_threshold(rules, on),
    };
    CriterionId::ALL
        .iter()
        .map(|c| evaluate_one(&cx, h, *c))
        .collect()
}

fn evaluate_one(cx: &Ctx<'_>, h: &Household, c: CriterionId) -> CriterionOutcome {
    let r = cx.rules;
    let on = cx.on;
    let members = h.members.iter().enumerate();
    match c {
        CriterionId::A1 | CriterionId::A2 => {
            let (mut met, mut findings, mut needs) = (false, Vec::new(), Vec::new());
            for (i, m) in members {
                let partner_docs = match cx.partner(i, m) {
                    Ok(d) => d,
                    Err(f) => {
                        if m.relation == Relation::Cohabitant {
                            findings.push(f);
                        }
                        continue;
                    }
                };
                let (ok, why, docs) = if c == CriterionId::A1 {
                    cx.works(m)
                } else if !r.young.value.contains(member_age(m, on)) {
                    (
                        false,
                        Why::NotYoung {
                            from: r.young.value.from,
                            to: r.young.value.to,
                        },
                        Vec::new(),
                    )
                } else {
                    cx.in_education(m, true)
                };
                if ok {
                    met = true;
                    let n = i as u32 + 1;
                    needs.extend(docs.into_iter().chain(partner_docs).map(|d| (n, d)));
                }
                findings.push(cx.finding(i, m, ok, why));
            }
            outcome(h, c, met, findings, needs, r.source_of(c))
        }
        CriterionId::B1 => {
            let source = r.source_of(c);
            let Some(s) = &h.separation else {
                return outcome(
                    h,
                    c,
                    false,
                    vec![household(false, Why::NoSeparation)],
                    Vec::new(),
                    source,
                );
            };
            let until = add_years(s.date, r.separation_years.value);
            let mut findings = Vec::new();
            let lapsed = on > until;
            findings.push(household(
                !lapsed,
                if lapsed {
                    Why::SeparationLapsed {
                        date: s.date,
                        until,
                    }
                } else {
                    Why::Separated {
                        date: s.date,
                        until,
                    }
                },
            ));
            let mut met = !lapsed;
            if !s.lived_in_municipality {
                met = false;
                findings.push(household(false, Why::NotInMunicipality));
            }
            if !s.married {
                let years = r.separation_cohabitation_years.value;
                let since = s.shared_address_since.unwrap_or(s.date);
                if since > sub_years(s.date, years) {
                    met = false;
                    findings.push(household(
                        false,
                        Why::SharedAddressTooShort { since, years },
                    ));
                }
            }
            let proof = if s.married {
                DocumentKind::DivorcePapers
            } else {
                DocumentKind::ResidenceCertificate
            };
            let applicant = h
                .members
                .iter()
                .position(|m| m.relation == Relation::Applicant)
                .map_or(1, |i| i as u32 + 1);
            let needs = if met {
                vec![
                    (applicant, proof),
                    (applicant, DocumentKind::ResidenceCertificate),
                ]
            } else {
                Vec::new()
            };
            outcome(h, c, met, findings, needs, source)
        }
        CriterionId::C1 => {
            let mut findings = Vec::new();
            let mut needs = Vec::new();
            for (i, m) in members {
                if m.disability_needs_accessible_home {
                    findings.push(cx.finding(i, m, true, Why::NeedsAccessibleHome));
                    needs.push((i as u32 + 1, DocumentKind::DisabilityStatement));
                }
            }
            let met = !findings.is_empty();
            if !met {
                findings.push(household(false, Why::NoAccessibleHomeNeed));
            }
            outcome(h, c, met, findings, needs, r.source_of(c))
        }
        _ => tightened(cx, h, c),
    }
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

fn tightened(cx: &Ctx<'_>, h: &Household, c: CriterionId) -> CriterionOutcome {
    let r = cx.rules;
    let on = cx.on;
    let group = match c {
        CriterionId::TightenedEmployment => &r.employment_ages,
        CriterionId::TightenedConvictions => &r.convictions_ages,
        CriterionId::TightenedEducation => &r.education_ages,
        _ => &r.income_ages,
    };
    let g = group.value;
    let mut met = true;
    let mut findings = Vec::new();
    let mut needs = Vec::new();
    let mut in_group = 0;
    for (i, m) in h.members.iter().enumerate() {
        let n = i as u32 + 1;
        // Every mover's age is documented [CPH B4 IV.2].
        needs.extend(age_documents(m).into_iter().map(|d| (n, d)));
        let age = member_age(m, on);
        if !g.contains(age) {
            findings.push(cx.finding(
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
        let (ok, why, docs) = match c {
            CriterionId::TightenedEmployment => cx.tightened_employment(m),
            CriterionId::TightenedConvictions => cx.tightened_convictions(m),
            CriterionId::TightenedEducation => cx.tightened_education(m),
            _ => cx.tightened_income(m),
        };
        if !ok {
            met = false;
        }
        needs.extend(docs.into_iter().map(|d| (n, d)));
        findings.push(cx.finding(i, m, ok, why));
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
    if c == CriterionId::TightenedIncome {
        match cx.threshold {
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
    let source = r.source_of(c);
    outcome(h, c, met, findings, needs, source)
}

/// The tightened criteria, one member at a time [CPH 5.2.4, B4 IV].
impl Ctx<'_> {
    /// Tightened employment: works (as for A1) or is in education.
    fn tightened_employment(&self, m: &Member) -> (bool, Why, Vec<DocumentKind>) {
        let (w, why_w, docs_w) = self.works(m);
        if w {
            (true, why_w, docs_w)
        } else {
            let (e, why_e, docs_e) = self.in_education(m, false);
            if e {
                (true, why_e, docs_e)
            } else if matches!(why_w, Why::NoWork) {
                (false, Why::NotWorkingOrInEducation, Vec::new())
            } else {
                (false, why_w, Vec::new())
            }
        }
    }

    /// Tightened convictions: no conviction under the criminal code, the weapons act or
    /// the drugs act in the current and the previous `convictions_years_back` calendar years.
    fn tightened_convictions(&self, m: &Member) -> (bool, Why, Vec<DocumentKind>) {
        let r = self.rules;
        let on = self.on;
        let back = r.convictions_years_back.value as i32;
        let (from_year, to_year) = (on.year() - back, on.year());
        let convicted = m
            .convictions
            .iter()
            .any(|cv| cv.law != Law::Other && cv.date.year() >= from_year && cv.date <= on);
        if convicted {
            (
                false,
                Why::Convicted { from_year, to_year },
                vec![DocumentKind::CriminalRecord],
            )
        } else {
            (
                true,
                Why::NotConvicted { from_year, to_year },
                vec![DocumentKind::CriminalRecord],
            )
        }
    }

    /// Tightened education: an education above primary school, taken or approved in
    /// Denmark, completed by the agreement's day of the previous calendar year.
    fn tightened_education(&self, m: &Member) -> (bool, Why, Vec<DocumentKind>) {
        let r = self.rules;
        let on = self.on;
        let (month, day) = r.education_completed_by.value;
        let by = Date::from_ymd_opt(on.year() - 1, month, day).unwrap_or(on);
        // Any education above primary school, taken or approved in Denmark
        // and completed in time, meets it: the highest or an earlier one.
        let all: Vec<&CompletedEducation> = m
            .completed_education
            .iter()
            .chain(&m.earlier_educations)
            .collect();
        let above = |e: &CompletedEducation| e.level != EducationLevel::Primary;
        let recognised = |e: &CompletedEducation| e.taken_in != TakenIn::AbroadNotApproved;
        let in_time = all
            .iter()
            .filter(|e| above(e) && recognised(e) && e.completed_on <= by)
            .min_by_key(|e| e.completed_on);
        match in_time {
            Some(e) => {
                let mut d = vec![DocumentKind::Diploma];
                if e.taken_in == TakenIn::AbroadApproved {
                    d.push(DocumentKind::DanishApproval);
                }
                (true, Why::EducationCompleted { by }, d)
            }
            None if all.is_empty() => (false, Why::NoEducation, Vec::new()),
            None if !all.iter().any(|e| above(e)) => (false, Why::OnlyPrimaryEducation, Vec::new()),
            None if !all.iter().any(|e| above(e) && recognised(e)) => {
                (false, Why::AbroadNotApproved, Vec::new())
            }
            None => (false, Why::EducationTooLate { by }, Vec::new()),
        }
    }

    /// Tightened income: a gross income at the threshold in force, unless in education or
    /// not taxable in Denmark.
    fn tightened_income(&self, m: &Member) -> (bool, Why, Vec<DocumentKind>) {
        let threshold = self.threshold.map(|t| t.amount).unwrap_or_default();
        let self_employed = m.work.iter().any(|w| w.kind == WorkKind::SelfEmployed);
        let (studying, _, study_docs) = self.in_education(m, false);
        if studying {
            (true, Why::InEducation, study_docs)
        } else if !m.taxable_in_denmark {
            (true, Why::NotTaxable, Vec::new())
        } else {
            let docs = if self_employed {
                vec![DocumentKind::TaxStatement]
            } else {
                vec![DocumentKind::EmploymentContract, DocumentKind::Payslips]
            };
            match m.monthly_gross_income {
                None => (false, Why::IncomeMissing { threshold }, Vec::new()),
                Some(x) if self.threshold.is_some() && x >= threshold => {
                    (true, Why::IncomeAtLeast { threshold }, docs)
                }
                Some(_) => (false, Why::IncomeBelow { threshold }, Vec::new()),
            }
        }
    }
}
