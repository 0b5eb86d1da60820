//! Synthetic example data, labelled synthetic, with a fixed seed.
//!
//! Figures are drawn relative to the thresholds of the agreement and law given (never
//! from numbers written here), so that a data set lands on chosen steps: the Copenhagen
//! preset aims at the baseline of CPH 6.2 figs 6–9 and B15 (departments and family homes
//! per step, 13 forebyggelse areas, 1 omdannelse area).

use std::fmt::Write as _;

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

use trappe_rules::agreement::{Model, Need};
use trappe_rules::criteria::{Comparison, Criterion, Threshold, ThresholdSet};
use trappe_rules::law::ListThresholds;
use trappe_rules::{Agreement, Pct};

/// A target group: `departments` departments with `homes` family homes in total, placed
/// by these (need, allocated band) draws.
struct Target {
    departments: usize,
    homes: u32,
    draws: &'static [(Need, Band)],
    small: usize,
}

#[derive(Clone, Copy)]
enum Band {
    // Index into Limits::bands.
    Low,
    Mid,
    High,
}

/// The generated files.
pub struct Generated {
    pub departments_csv: String,
    pub areas_csv: String,
    pub decisions_csv: String,
}

const DISTRICTS: &[&str] = &[
    "Amager Vest",
    "Amager Øst",
    "Bispebjerg",
    "Brønshøj-Husum",
    "Indre By",
    "Nørrebro",
    "Østerbro",
    "Valby",
    "Vanløse",
    "Vesterbro",
    "Christianshavn",
    "Nordvest",
];

struct Gen<'a> {
    rng: ChaCha8Rng,
    udsat: &'a ThresholdSet,
    forebyggelse: &'a ThresholdSet,
    risk: ThresholdSet,
    limits: Limits,
    deps: String,
    areas: String,
    n: usize,
}

fn dec(x: f64, dp: u32) -> Pct {
    Pct::from_f64_retain(x).unwrap_or_default().round_dp(dp)
}

fn f(p: Pct) -> f64 {
    use rust_decimal::prelude::ToPrimitive;
    p.to_f64().unwrap_or(0.0)
}

/// The limits the generator draws around, all taken from the agreement and the law list.
struct Limits {
    /// Ranges to draw an allocated share from for the low, middle and top band.
    bands: [(f64, f64); 3],
    small_homes: u32,
    small_residents: u32,
    area_min_residents: u32,
    decision_residents_above: Option<u32>,
    forebyggelse_origin: f64,
    parallelsamfund_origin: f64,
}

impl Limits {
    fn new(agreement: &Agreement, list: &ListThresholds) -> Self {
        // With a band table: inside the lowest, a middle and the top band. Without one
        // (traffic light), allocated shares are not used for placement: any spread will do.
        let (bands, decision) = match &agreement.model {
            Model::Staircases { area, department } if department.bands.len() >= 3 => {
                let b = &department.bands;
                let lo = |i: usize| f(b[i].from_pct);
                let hi = |i: usize| b[i].to_pct.map_or(lo(i) + 13.0, f);
                let top = b.len() - 1;
                (
                    [
                        (lo(0) + 2.0, hi(0) - 0.1),
                        (lo(top - 1), hi(top - 1) - 0.1),
                        (lo(top), hi(top)),
                    ],
                    Some(area.decision_residents_above.value),
                )
            }
            _ => ([(0.0, 40.0); 3], None),
        };
        Limits {
            bands,
            // A named list pools nothing; the generator still makes some small
            // departments, below Copenhagen's limits (synthetic data only).
            small_homes: agreement
                .small_departments
                .as_ref()
                .map_or(20, |s| s.min_homes.value),
            small_residents: agreement
                .small_departments
                .as_ref()
                .map_or(40, |s| s.min_residents.value),
            area_min_residents: list.min_residents,
            decision_residents_above: decision,
            forebyggelse_origin: f(list.forebyggelse_origin_above_pct),
            parallelsamfund_origin: f(list.parallelsamfund_origin_above_pct),
        }
    }
}

impl<'a> Gen<'a> {
    fn new(seed: u64, agreement: &Agreement, list: &'a ListThresholds) -> Self {
        Gen {
            rng: ChaCha8Rng::seed_from_u64(seed),
            udsat: &list.udsat,
            forebyggelse: &list.forebyggelse,
            // Without a risk zone (a named list), figures are spread around the
            // forebyggelse thresholds instead.
            risk: agreement
                .risk_zone
                .as_ref()
                .map_or(list.forebyggelse, |r| r.for_list(list).thresholds),
            limits: Limits::new(agreement, list),
            deps: "department_id,name,organisation_id,municipality_code,area_id,local_district,family_homes,youth_homes,elderly_homes,residents,unemployment_pct,convictions_pct,primary_education_pct,income_pct,non_western_pct,allocated_pct\n".into(),
            areas: "area_id,name,residents,designation,unemployment_pct,convictions_pct,primary_education_pct,income_pct,non_western_pct,unemployed_count,aged_18_64_count,convicted_count,aged_18_plus_count,primary_education_count,aged_30_59_count,prior_parallelsamfund_lists\n".into(),
            n: 0,
        }
    }

    /// A value on the met side of `t` (beyond it by up to `spread` relative).
    fn beyond(&mut self, t: Threshold, spread: f64) -> f64 {
        let v = f(t.value);
        let d = v * self.rng.gen_range(0.02..spread);
        match t.comparison {
            Comparison::Above | Comparison::AtLeast => v + d,
            Comparison::Below => v - d,
        }
    }

    /// A value between the risk-zone limit and the udsat threshold (within the risk zone,
    /// not meeting udsat).
    fn between(&mut self, risk: Threshold, udsat: Threshold) -> f64 {
        let (a, b) = (f(risk.value), f(udsat.value));
        let (lo, hi) = if a < b { (a, b) } else { (b, a) };
        // Without a risk zone (a named list) the limits may coincide.
        if hi - lo < 0.01 {
            return lo;
        }
        self.rng
            .gen_range(lo + (hi - lo) * 0.15..hi - (hi - lo) * 0.15)
    }

    /// A value well on the safe side of the forebyggelse threshold.
    fn safe(&mut self, t: Threshold) -> f64 {
        let v = f(t.value);
        match t.comparison {
            Comparison::Above | Comparison::AtLeast => v * self.rng.gen_range(0.25..0.8),
            Comparison::Below => v * self.rng.gen_range(1.15..1.8),
        }
    }

    fn figures(&mut self, need: Need) -> [Pct; 4] {
        let mut order = Criterion::ALL;
        for i in (1..4).rev() {
            let j = self.rng.gen_range(0..=i);
            order.swap(i, j);
        }
        let (beyond, risky) = match need {
            Need::High => (self.rng.gen_range(2..=3), 0),
            Need::Medium => (self.rng.gen_range(0..=1), 2),
            Need::Low => (0, self.rng.gen_range(0..=1)),
        };
        let mut out = [Pct::ZERO; 4];
        for (k, c) in order.iter().enumerate() {
            let (u, r, fb) = (
                self.udsat.get(*c),
                self.risk.get(*c),
                self.forebyggelse.get(*c),
            );
            let x = if k < beyond {
                self.beyond(u, 0.3)
            } else if k < beyond + risky {
                self.between(r, u)
            } else {
                self.safe(fb)
            };
            let dp = if *c == Criterion::Convictions { 2 } else { 1 };
            out[Criterion::ALL.iter().position(|x| x == c).unwrap_or(0)] = dec(x, dp);
        }
        out
    }

    fn allocated(&mut self, band: Band) -> Pct {
        let (lo, hi) = self.limits.bands[band as usize];
        let x = self.rng.gen_range(lo..hi);
        dec(x, 1)
    }

    /// Splits `total` homes into `n` parts between `lo` and `hi` each (approximately).
    fn split(&mut self, total: u32, n: usize, lo: u32, hi: u32) -> Vec<u32> {
        if n == 0 {
            return vec![];
        }
        let weights: Vec<f64> = (0..n).map(|_| self.rng.gen_range(0.5..1.5)).collect();
        let sum: f64 = weights.iter().sum();
        let mut parts: Vec<u32> = weights
            .iter()
            .map(|w| {
                ((w / sum) * total as f64)
                    .round()
                    .clamp(lo as f64, hi as f64) as u32
            })
            .collect();
        // Put the rounding difference on the largest part.
        let got: i64 = parts.iter().map(|&p| i64::from(p)).sum();
        let diff = i64::from(total) - got;
        if let Some(max) = parts.iter_mut().max() {
            *max = (i64::from(*max) + diff).max(i64::from(lo)) as u32;
        }
        parts
    }

    #[allow(clippy::too_many_arguments)]
    fn department(
        &mut self,
        municipality: &str,
        org: usize,
        area: &str,
        district: &str,
        homes: u32,
        small: bool,
        figures: Option<[Pct; 4]>,
        allocated: Pct,
    ) {
        let id = format!("{municipality}-{:04}", self.n + 1);
        let org = format!("org-{org:02}");
        self.department_named(
            &id,
            &org,
            municipality,
            area,
            district,
            homes,
            small,
            figures,
            allocated,
        );
    }

    /// A department with its own id and organisation (a named list's).
    #[allow(clippy::too_many_arguments)]
    fn department_named(
        &mut self,
        id: &str,
        org: &str,
        municipality: &str,
        area: &str,
        district: &str,
        homes: u32,
        small: bool,
        figures: Option<[Pct; 4]>,
        allocated: Pct,
    ) {
        self.n += 1;
        let residents = if small {
            self.rng
                .gen_range(homes..(homes * 2).clamp(homes + 1, self.limits.small_residents - 1))
        } else {
            (f64::from(homes) * self.rng.gen_range(1.7..2.3)) as u32
        };
        let youth = if self.rng.gen_bool(0.1) {
            self.rng.gen_range(1..10)
        } else {
            0
        };
        let nw = self.rng.gen_range(8.0..55.0);
        let fig = figures.map_or(",,,".to_string(), |x| {
            format!("{},{},{},{}", x[0], x[1], x[2], x[3])
        });
        let _ = writeln!(
            self.deps,
            "{id},Syntetisk afdeling {:04},{org},{municipality},{area},{district},{homes},{youth},0,{residents},{fig},{},{allocated}",
            self.n, dec(nw, 1)
        );
    }

    fn area(
        &mut self,
        id: &str,
        residents: u32,
        designation: &str,
        need: Option<Need>,
        origin: f64,
        prior: u32,
    ) {
        let fig = match need {
            Some(n) => self.figures(n),
            None => {
                // Forebyggelse figures: two criteria beyond the lower thresholds, one of
                // them within the risk zone, none meeting udsat.
                let mut out = [Pct::ZERO; 4];
                for (i, c) in Criterion::ALL.iter().enumerate() {
                    let (fb, r, u) = (
                        self.forebyggelse.get(*c),
                        self.risk.get(*c),
                        self.udsat.get(*c),
                    );
                    let x = match i {
                        0 => self.between(r, u),
                        3 => self.between(fb, r),
                        _ => self.safe(fb),
                    };
                    out[i] = dec(x, if *c == Criterion::Convictions { 2 } else { 1 });
                }
                out
            }
        };
        let aged = (f64::from(residents) * 0.62) as u32;
        let adults = (f64::from(residents) * 0.78) as u32;
        let aged_30_59 = (f64::from(residents) * 0.4) as u32;
        let cnt = |p: Pct, of: u32| ((f(p) / 100.0) * f64::from(of)).round() as u32;
        let _ = writeln!(
            self.areas,
            "{id},Syntetisk område {id},{residents},{designation},{},{},{},{},{},{},{aged},{},{adults},{},{aged_30_59},{prior}",
            fig[0], fig[1], fig[2], fig[3], dec(origin, 1),
            cnt(fig[0], aged), cnt(fig[1], adults), cnt(fig[2], aged_30_59)
        );
    }
}

/// The Copenhagen-sized example: ≈ 400 departments, ≈ 52,000 family homes, placing close
/// to the baseline of CPH 6.2 figs 6–9.
pub fn copenhagen(seed: u64, agreement: &Agreement, list: &ListThresholds) -> Generated {
    let mut g = Gen::new(seed, agreement, list);
    let (fb, ps) = (
        g.limits.forebyggelse_origin,
        g.limits.parallelsamfund_origin,
    );
    let muni = "101";
    let targets = [
        Target {
            departments: 16,
            homes: 3324,
            draws: &[(Need::High, Band::High)],
            small: 0,
        },
        Target {
            departments: 21,
            homes: 4202,
            draws: &[(Need::High, Band::Mid), (Need::Medium, Band::High)],
            small: 0,
        },
        Target {
            departments: 20,
            homes: 3968,
            draws: &[(Need::High, Band::Low), (Need::Medium, Band::Mid)],
            small: 0,
        },
        Target {
            departments: 307,
            homes: 27253,
            draws: &[
                (Need::Low, Band::Low),
                (Need::Low, Band::Mid),
                (Need::Low, Band::High),
                (Need::Medium, Band::Low),
                (Need::Low, Band::Low),
            ],
            small: 140,
        },
    ];
    staircase_departments(&mut g, muni, &targets);
    forebyggelse_areas(&mut g, muni, fb, ps);
    omdannelse_and_decision_areas(&mut g, muni, fb, ps);
    // Large undesignated areas holding department-staircase departments are left out:
    // a department with no area_id is on the department staircase as well.
    Generated {
        departments_csv: g.deps,
        areas_csv: g.areas,
        decisions_csv: "area_id,ground,decided_by,decided_on\nA15,residents_over_threshold,Samarbejdsforum,2024-02-15\n".into(),
    }
}

/// The departments outside designated areas: for each target its large departments with
/// the target's draws, and its small ones, low-need and few organisations per district so
/// that pools form.
fn staircase_departments(g: &mut Gen<'_>, muni: &str, targets: &[Target]) {
    for t in targets {
        let large = t.departments - t.small;
        let small_homes: Vec<u32> = (0..t.small)
            .map(|_| g.rng.gen_range(8..g.limits.small_homes - 5))
            .collect();
        let small_total: u32 = small_homes.iter().sum();
        let large_homes = g.split(t.homes - small_total, large, 60, 900);
        for homes in large_homes {
            let (need, band) = t.draws[g.rng.gen_range(0..t.draws.len())];
            let figures = g.figures(need);
            let allocated = g.allocated(band);
            let org = g.rng.gen_range(1..=25);
            let district = DISTRICTS[g.rng.gen_range(0..DISTRICTS.len())];
            g.department(
                muni,
                org,
                "",
                district,
                homes,
                false,
                Some(figures),
                allocated,
            );
        }
        // Small departments: few organisations per district so that pools form; their
        // own figures are low-need (they are pooled, see CPH B17).
        for homes in small_homes {
            let figures = g.figures(Need::Low);
            let allocated = g.allocated(Band::Low);
            let org = g.rng.gen_range(1..=6);
            let district = DISTRICTS[g.rng.gen_range(0..4)];
            g.department(
                muni,
                org,
                "",
                district,
                homes,
                true,
                Some(figures),
                allocated,
            );
        }
    }
}

/// 13 forebyggelse areas with 38 departments and ≈ 13,400 homes [CPH B15].
fn forebyggelse_areas(g: &mut Gen<'_>, muni: &str, fb: f64, ps: f64) {
    let per_area: Vec<usize> = (0..13).map(|i| if i < 12 { 3 } else { 2 }).collect();
    let area_homes = g.split(13_400, 13, 700, 1500);
    for (i, (&n, &homes)) in per_area.iter().zip(&area_homes).enumerate() {
        let id = format!("A{:02}", i + 1);
        let residents = (f64::from(homes) * 2.1) as u32;
        let origin = g.rng.gen_range(fb + 1.0..ps - 1.0);
        g.area(
            &id,
            residents.max(g.limits.area_min_residents),
            "forebyggelse",
            None,
            origin,
            0,
        );
        let district = DISTRICTS[i % DISTRICTS.len()];
        for h in g.split(homes, n, 100, 900) {
            let org = g.rng.gen_range(1..=25);
            let allocated = g.allocated(Band::Mid);
            let figures = g.figures(Need::Medium);
            g.department(muni, org, &id, district, h, false, Some(figures), allocated);
        }
    }
}

/// The omdannelse area, and a small area that is a candidate for the area staircase by
/// decision.
fn omdannelse_and_decision_areas(g: &mut Gen<'_>, muni: &str, fb: f64, ps: f64) {
    // 1 omdannelse area with 1 department of ≈ 560 homes [CPH B15].
    let list_min = g.limits.area_min_residents;
    g.area(
        "A14",
        list_min + 300,
        "omdannelse",
        Some(Need::High),
        ps + 8.0,
        4,
    );
    let figures = g.figures(Need::High);
    let allocated = g.allocated(Band::Mid);
    g.department(
        muni,
        3,
        "A14",
        "Nordvest",
        560,
        false,
        Some(figures),
        allocated,
    );
    // A small area (951–999 residents) whose figures would make it a forebyggelsesområde:
    // a candidate for the area staircase by decision [CPH 6 (1)]. Its two departments
    // stay on the department staircase unless the decisions file is passed.
    let above = g.limits.decision_residents_above.unwrap_or(list_min);
    g.area(
        "A15",
        above + (list_min - above) / 2,
        "none",
        None,
        (fb + ps) / 2.0,
        0,
    );
    for h in [230, 210] {
        let figures = g.figures(Need::Low);
        g.department(
            muni,
            7,
            "A15",
            "Bispebjerg",
            h,
            false,
            Some(figures),
            dec(12.5, 1),
        );
    }
}

/// A municipality of `departments` departments with random figures (no baseline), used
/// for Aalborg-sized and national examples.
fn municipality(g: &mut Gen<'_>, muni: &str, departments: usize, area_prefix: &str) {
    municipality_with(g, muni, departments, area_prefix, true);
}

/// [`municipality`]; `small_figures: false` leaves small departments without figures, as
/// Landsbyggefonden publishes none for them.
fn municipality_with(
    g: &mut Gen<'_>,
    muni: &str,
    departments: usize,
    area_prefix: &str,
    small_figures: bool,
) {
    let (fb, ps) = (
        g.limits.forebyggelse_origin,
        g.limits.parallelsamfund_origin,
    );
    let designated = (departments / 60).max(1);
    let mut area_ids = Vec::new();
    for i in 0..designated {
        let id = format!("{area_prefix}{:02}", i + 1);
        let (designation, need, origin, prior) = match i % 3 {
            0 => ("forebyggelse", None, (fb + ps) / 2.0, 0),
            1 => ("udsat", Some(Need::High), fb + 5.0, 0),
            _ => ("parallelsamfund", Some(Need::High), ps + 5.0, 1),
        };
        let residents = g.limits.area_min_residents + g.rng.gen_range(0..2500);
        g.area(&id, residents, designation, need, origin, prior);
        area_ids.push(id);
    }
    for i in 0..departments {
        let small = g.rng.gen_bool(0.3);
        let homes = if small {
            g.rng.gen_range(8..g.limits.small_homes - 5)
        } else {
            g.rng.gen_range(g.limits.small_homes..700)
        };
        let need = match g.rng.gen_range(0..100) {
            0..=79 => Need::Low,
            80..=91 => Need::Medium,
            _ => Need::High,
        };
        let figures = g.figures(if small { Need::Low } else { need });
        let band = match g.rng.gen_range(0..10) {
            0..=6 => Band::Low,
            7..=8 => Band::Mid,
            _ => Band::High,
        };
        let allocated = g.allocated(band);
        let area = if i % 25 == 0 {
            area_ids[(i / 25) % area_ids.len()].clone()
        } else {
            String::new()
        };
        let org = g.rng.gen_range(1..=8);
        let district = if muni == "851" {
            AALBORG_DISTRICTS[g.rng.gen_range(0..4)]
        } else {
            DISTRICTS[g.rng.gen_range(0..4)]
        };
        g.department(
            muni,
            org,
            &area,
            district,
            homes,
            small,
            (small_figures || !small).then_some(figures),
            allocated,
        );
    }
}

/// Parts of Aalborg for the Aalborg example's departments.
const AALBORG_DISTRICTS: [&str; 4] = ["Aalborg Øst", "Nørresundby", "Vejgaard", "Hasseris"];

/// An Aalborg-sized example (≈ 220 departments) for the traffic light.
pub fn aalborg(seed: u64, agreement: &Agreement, list: &ListThresholds) -> Generated {
    let mut g = Gen::new(seed, agreement, list);
    // Aalborg pools no small departments: they come without figures ("no data" until
    // the municipality's overview gives them a colour).
    municipality_with(
        &mut g,
        "851",
        220,
        "AAL-",
        agreement.small_departments.is_some(),
    );
    Generated {
        departments_csv: g.deps,
        areas_csv: g.areas,
        decisions_csv: "area_id,ground,decided_by,decided_on\n".into(),
    }
}

/// The municipality's colour overviews of the Aalborg example, as (date, CSV): the first
/// update mostly follows trappe's computed colours (`computed`: each department's id and
/// computed step), with some departments the municipality judged otherwise and every
/// department without figures given a colour; the second, four months later, changes a
/// few colours and leaves one department out.
pub fn aalborg_overviews(seed: u64, computed: &[(String, String)]) -> Vec<(&'static str, String)> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed ^ 0x0a11_0b06);
    let mut first: Vec<(String, &'static str)> = Vec::new();
    for (i, (id, step)) in computed.iter().enumerate() {
        let colour = match step.as_str() {
            "red" => "red",
            // The municipality's own judgement differs now and then from the estimate.
            "yellow" if i % 9 == 4 => "green",
            "yellow" => "yellow",
            "green" if i % 23 == 7 => "yellow",
            "green" => "green",
            // No figures: the municipality knows the department all the same.
            _ if rng.gen_bool(0.1) => "yellow",
            _ => "green",
        };
        first.push((id.clone(), colour));
    }
    let mut second = first.clone();
    let mut changed = 0;
    for (i, row) in second.iter_mut().enumerate() {
        if changed < 4 && i % 17 == 3 && row.1 != "red" {
            row.1 = if row.1 == "green" { "yellow" } else { "green" };
            changed += 1;
        }
    }
    // A department the second update leaves out (no colour in force from then on).
    if let Some(pos) = second.iter().rposition(|r| r.1 == "green") {
        second.remove(pos);
    }
    let csv = |rows: &[(String, &str)]| {
        let mut out = String::from("department_id,colour\n");
        for (id, colour) in rows {
            let _ = writeln!(out, "{id},{colour}");
        }
        out
    };
    vec![("2024-04-01", csv(&first)), ("2024-08-01", csv(&second))]
}

/// The Esbjerg example (municipality 561) for a named list: every department the
/// agreement names, some more of the organisations it takes whole, one department in a
/// designated area (the law's group before the list) and one organisation the agreement
/// does not name (not covered).
pub fn esbjerg(seed: u64, agreement: &Agreement, list: &ListThresholds) -> Generated {
    const TOWNS: &[&str] = &[
        "Esbjerg",
        "Grimstrup",
        "Gredstedbro",
        "Ribe",
        "Gørding",
        "St. Darum",
        "Bramming",
    ];
    let mut g = Gen::new(seed, agreement, list);
    // One udsat area, so a department there shows the law's group.
    let residents = g.limits.area_min_residents + 400;
    let fb = g.limits.forebyggelse_origin;
    g.area("ESB-01", residents, "udsat", Some(Need::High), fb + 5.0, 0);
    let mut ids: Vec<(String, String)> = Vec::new();
    if let Model::NamedList(named) = &agreement.model {
        for group in &named.groups {
            match &group.all_except {
                None => ids.extend(
                    group
                        .departments
                        .iter()
                        .map(|d| (d.clone(), group.organisation.clone())),
                ),
                // Organisations the list takes whole: a few departments each.
                Some(except) => {
                    let count = if group.organisation == "ABE" { 12 } else { 4 };
                    let mut k = 0;
                    let mut made = 0;
                    while made < count {
                        k += 1;
                        let id = format!("{}-{k}", group.organisation);
                        if !except.contains(&id) {
                            ids.push((id, group.organisation.clone()));
                            made += 1;
                        }
                    }
                }
            }
        }
    }
    // An organisation the agreement does not name.
    ids.extend((1..=3).map(|k| (format!("ESBO-{k}"), "ESBO".to_string())));
    for (i, (id, org)) in ids.iter().enumerate() {
        let homes = g.rng.gen_range(24..400);
        let figures = g.figures(Need::Low);
        let allocated = g.allocated(Band::Low);
        // The first of AB Esbjerg's whole-organisation departments lies in the area.
        let area = if id == "ABE-1" { "ESB-01" } else { "" };
        let town = TOWNS[i % TOWNS.len()];
        g.department_named(
            id,
            org,
            "561",
            area,
            town,
            homes,
            false,
            Some(figures),
            allocated,
        );
    }
    Generated {
        departments_csv: g.deps,
        areas_csv: g.areas,
        decisions_csv: "area_id,ground,decided_by,decided_on\n".into(),
    }
}

/// A national-scale set: `municipalities` × `per_municipality` departments.
pub fn national(
    seed: u64,
    agreement: &Agreement,
    list: &ListThresholds,
    municipalities: usize,
    per_municipality: usize,
) -> Generated {
    let mut g = Gen::new(seed, agreement, list);
    for m in 0..municipalities {
        let code = format!("{}", 101 + m * 8);
        municipality(&mut g, &code, per_municipality, &format!("M{code}-"));
    }
    Generated {
        departments_csv: g.deps,
        areas_csv: g.areas,
        decisions_csv: "area_id,ground,decided_by,decided_on\n".into(),
    }
}

/// The same table as an XLSX workbook (one sheet), numbers as numeric cells: the
/// form municipalities often receive their figures in. Used by `trappe generate` and
/// the import benchmark.
pub fn csv_to_xlsx(csv_text: &str, sheet: &str) -> Result<Vec<u8>, rust_xlsxwriter::XlsxError> {
    let mut book = rust_xlsxwriter::Workbook::new();
    let ws = book.add_worksheet();
    ws.set_name(sheet)?;
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(csv_text.as_bytes());
    for (r, rec) in reader.records().enumerate() {
        let Ok(rec) = rec else { continue };
        let row = u32::try_from(r).unwrap_or(u32::MAX);
        for (c, cell) in rec.iter().enumerate() {
            let col = u16::try_from(c).unwrap_or(u16::MAX);
            // Ids such as "0101" keep their leading zero as text.
            let numeric =
                r > 0 && !(cell.len() > 1 && cell.starts_with('0') && !cell.starts_with("0."));
            match cell.parse::<f64>() {
                Ok(n) if numeric => ws.write_number(row, col, n)?,
                _ => ws.write_string(row, col, cell)?,
            };
        }
    }
    book.save_to_buffer()
}

/// A homes register for generated departments (synthetic, deterministic): every family
/// and youth home, with a few of each special kind spread over the departments so the
/// letting rules can be tried — accessibility homes (2 % of family homes, under the
/// 5 % limit), særboliger, youth shared homes, disability-fitted and subsidised homes,
/// and shared kitchens in departments mainly of youth homes.
pub fn homes_csv(departments: &[trappe_rules::placement::Department]) -> String {
    use std::fmt::Write as _;
    let mut out = String::from(
        "department_id,home_id,address,kind,accessibility,disability_fitted_kr,disability_fitted_on,special,special_since,cheap,first_use,shared_kitchen\n",
    );
    for (i, d) in departments.iter().enumerate() {
        let mainly_youth = d.youth_homes > d.family_homes;
        let total = d.family_homes + d.youth_homes;
        for n in 1..=total {
            let family = n <= d.family_homes;
            let kind = if family { "family" } else { "youth" };
            let accessibility = family && n % 50 == 25;
            let (fitted_kr, fitted_on) = if family && i % 7 == 2 && n == 11 {
                ("48000", "2021-05-01")
            } else {
                ("", "")
            };
            let (special, since) = match (family, i % 10, i % 13, i % 17, n) {
                (true, 3, _, _, 7) => ("saerbolig", ""),
                (true, _, 5, _, 13) => ("youth_shared", ""),
                // Subsidised homes may not be designated in designated areas (CPH
                // 8.5.2); in the examples a department with an area is in one.
                (true, _, _, 1, 17) if d.area_id.is_none() => ("subsidy", "2024-06-01"),
                _ => ("", ""),
            };
            let kitchen = if !family && mainly_youth {
                format!("K{}", (n - d.family_homes - 1) / 6 + 1)
            } else {
                String::new()
            };
            let _ = writeln!(
                out,
                "{},{n:04},Syntetisk vej {} nr. {n},{kind},{},{fitted_kr},{fitted_on},{special},{since},0,,{kitchen}",
                d.id,
                d.id,
                u8::from(accessibility)
            );
        }
    }
    out
}

/// A deterministic applicants file (a JSON array, for the ranking benchmark and the web
/// tests): households of 1–4 members with varied work, education, income and the odd
/// conviction.
pub fn applicants_json(n: usize) -> String {
    let mut seed: u64 = 2024;
    let mut next = |m: u64| {
        seed = seed
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (seed >> 33) % m
    };
    let mut out = Vec::with_capacity(n);
    for i in 0..n {
        let members = 1 + next(4) as usize;
        let mut ms = Vec::new();
        for m in 0..members {
            let relation = match m {
                0 => "applicant",
                1 => "spouse",
                _ => "child",
            };
            let age = if m >= 2 { next(18) } else { 18 + next(60) };
            let work = match next(5) {
                0 => String::new(),
                1 => r#", "work": [{"kind": "fleksjob"}]"#.to_string(),
                2 => format!(
                    r#", "work": [{{"kind": "permanent", "weekly_hours": {}}}]"#,
                    15 + next(25)
                ),
                3 => {
                    r#", "education": {"kind": "su_eligible", "starts": "2023-09-01"}"#.to_string()
                }
                _ => r#", "work": [{"kind": "apprentice"}]"#.to_string(),
            };
            let conviction = if next(20) == 0 {
                r#", "convictions": [{"law": "criminal_code", "date": "2023-05-01"}]"#
            } else {
                ""
            };
            ms.push(format!(
                r#"{{"relation": "{relation}", "age": {age}{work}{conviction}, "monthly_gross_income": {}, "completed_education": {{"level": "{}", "completed_on": "2005-06-30", "taken_in": "denmark"}}}}"#,
                15000 + next(25000),
                if next(3) == 0 { "primary" } else { "vocational" }
            ));
        }
        out.push(format!(
            r#"{{"id": "V-{i:05}", "seniority": "{}-{:02}-{:02}", "members": [{}]}}"#,
            2000 + next(24),
            1 + next(12),
            1 + next(28),
            ms.join(", ")
        ));
    }
    format!("[{}]", out.join(",\n"))
}
