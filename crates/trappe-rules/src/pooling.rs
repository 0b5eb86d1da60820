//! Pooling of small departments [CPH B17 "Små afdelinger puljes"].
//!
//! Figures can only be drawn for departments with enough homes and residents. Smaller
//! departments are pooled: first with departments of the same organisation in the same
//! local district, then across organisations in the district, then (a last resort the
//! source does not describe, recorded as such) across the municipality. A pool takes
//! members only until it reaches the threshold ("just large enough"); a remainder too
//! small to stand alone joins the smallest pool of its district (or municipality).

use std::collections::BTreeMap;

use serde::Serialize;

use crate::agreement::SmallDepartmentRule;
use crate::criteria::Figures;
use crate::Pct;

/// What pooling needs to know about one department.
#[derive(Debug, Clone)]
pub struct PoolMember<'a> {
    pub department_id: &'a str,
    pub organisation_id: &'a str,
    pub local_district: &'a str,
    pub homes: u32,
    pub residents: u32,
    pub figures: Option<Figures>,
}

/// How widely a pool had to reach to become large enough.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum PoolStage {
    SameOrganisationAndDistrict,
    AcrossOrganisations,
    AcrossDistricts,
}

/// A proposed pool: indices into the member slice given to [`propose_pools`].
#[derive(Debug, Clone, Serialize)]
pub struct Pool {
    pub id: String,
    pub members: Vec<usize>,
    pub homes: u32,
    pub residents: u32,
    pub stage: PoolStage,
    /// False when even all small departments together stay below the threshold.
    pub reaches_threshold: bool,
}

impl Pool {
    fn new(stage: PoolStage) -> Self {
        Pool {
            id: String::new(),
            members: Vec::new(),
            homes: 0,
            residents: 0,
            stage,
            reaches_threshold: false,
        }
    }

    fn add(&mut self, index: usize, member: &PoolMember<'_>) {
        self.members.push(index);
        self.homes += member.homes;
        self.residents += member.residents;
    }

    fn large_enough(&self, rule: &SmallDepartmentRule) -> bool {
        !rule.is_small(self.homes, self.residents)
    }
}

/// Proposes pools for the small departments among `members` (all departments may be
/// passed; large ones are skipped). Deterministic: members are taken in the order of
/// their department id within each group.
pub fn propose_pools(members: &[PoolMember<'_>], rule: &SmallDepartmentRule) -> Vec<Pool> {
    let mut small: Vec<usize> = (0..members.len())
        .filter(|&i| rule.is_small(members[i].homes, members[i].residents))
        .collect();
    small.sort_by(|&a, &b| members[a].department_id.cmp(members[b].department_id));

    let mut pools: Vec<Pool> = Vec::new();

    // Stage 1: same organisation, same local district.
    let mut groups: BTreeMap<(&str, &str), Vec<usize>> = BTreeMap::new();
    for &i in &small {
        groups
            .entry((members[i].local_district, members[i].organisation_id))
            .or_default()
            .push(i);
    }
    let mut leftovers: Vec<usize> = Vec::new();
    for group in groups.values() {
        leftovers.extend(fill(
            group,
            members,
            rule,
            PoolStage::SameOrganisationAndDistrict,
            &mut pools,
        ));
    }

    // Stage 2: across organisations within the district.
    let mut by_district: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
    leftovers.sort_by(|&a, &b| members[a].department_id.cmp(members[b].department_id));
    for &i in &leftovers {
        by_district
            .entry(members[i].local_district)
            .or_default()
            .push(i);
    }
    let mut remainder: Vec<usize> = Vec::new();
    for (district, group) in &by_district {
        let rest = fill(
            group,
            members,
            rule,
            PoolStage::AcrossOrganisations,
            &mut pools,
        );
        for i in rest {
            // Join the smallest pool of the district, if the district has one.
            let target = pools
                .iter_mut()
                .filter(|p| members[p.members[0]].local_district == *district)
                .min_by_key(|p| p.homes);
            match target {
                Some(pool) => pool.add(i, &members[i]),
                None => remainder.push(i),
            }
        }
    }

    // Stage 3: across districts (not described by the source; recorded as a last resort).
    let rest = fill(
        &remainder,
        members,
        rule,
        PoolStage::AcrossDistricts,
        &mut pools,
    );
    if !rest.is_empty() {
        if let Some(pool) = pools.iter_mut().min_by_key(|p| p.homes) {
            for i in rest {
                pool.add(i, &members[i]);
            }
        } else {
            let mut pool = Pool::new(PoolStage::AcrossDistricts);
            for i in rest {
                pool.add(i, &members[i]);
            }
            pools.push(pool);
        }
    }

    for (n, pool) in pools.iter_mut().enumerate() {
        pool.id = format!("pool-{:03}", n + 1);
        pool.reaches_threshold = pool.large_enough(rule);
        pool.members
            .sort_by(|&a, &b| members[a].department_id.cmp(members[b].department_id));
    }
    pools
}

/// Fills pools greedily from `group`, closing each as soon as it is large enough.
/// Returns the members of the last, unfinished pool.
fn fill(
    group: &[usize],
    members: &[PoolMember<'_>],
    rule: &SmallDepartmentRule,
    stage: PoolStage,
    pools: &mut Vec<Pool>,
) -> Vec<usize> {
    let mut current = Pool::new(stage);
    for &i in group {
        current.add(i, &members[i]);
        if current.large_enough(rule) {
            pools.push(std::mem::replace(&mut current, Pool::new(stage)));
        }
    }
    current.members
}

/// The pool's figures computed from its members' own figures, weighted by residents.
/// `None` when no member has figures. This approximates the official pool figures
/// (whose denominators are age groups, not all residents); official figures, where
/// given, take precedence.
pub fn computed_figures(pool: &Pool, members: &[PoolMember<'_>]) -> Option<Figures> {
    let mut weight = Pct::ZERO;
    let mut sum = [Pct::ZERO; 4];
    for &i in &pool.members {
        let Some(f) = members[i].figures else {
            continue;
        };
        let w = Pct::from(members[i].residents.max(1));
        weight += w;
        sum[0] += f.unemployment_pct * w;
        sum[1] += f.convictions_pct * w;
        sum[2] += f.primary_education_pct * w;
        sum[3] += f.income_pct * w;
    }
    if weight.is_zero() {
        return None;
    }
    let avg = |s: Pct| (s / weight).round_dp(2);
    Some(Figures {
        unemployment_pct: avg(sum[0]),
        convictions_pct: avg(sum[1]),
        primary_education_pct: avg(sum[2]),
        income_pct: avg(sum[3]),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::agreement::Sourced;

    fn rule() -> SmallDepartmentRule {
        let s = |v| Sourced {
            value: v,
            source: "test".into(),
            interpretation: None,
        };
        SmallDepartmentRule {
            min_homes: s(50),
            min_residents: s(100),
        }
    }

    fn m<'a>(id: &'a str, org: &'a str, district: &'a str, homes: u32, res: u32) -> PoolMember<'a> {
        PoolMember {
            department_id: id,
            organisation_id: org,
            local_district: district,
            homes,
            residents: res,
            figures: None,
        }
    }

    // CPH B17: same organisation and local district first, just until the pool is large enough.
    #[test]
    fn pools_same_organisation_and_district_first_and_stop_when_large_enough() {
        let members = [
            m("a1", "org1", "Amager", 20, 40),
            m("a2", "org1", "Amager", 20, 40),
            m("a3", "org1", "Amager", 20, 40),
            m("a4", "org1", "Amager", 20, 40),
            m("a5", "org1", "Amager", 20, 40),
            m("a6", "org1", "Amager", 20, 40),
            m("big", "org1", "Amager", 200, 400),
        ];
        let pools = propose_pools(&members, &rule());
        assert_eq!(pools.len(), 2);
        assert_eq!(pools[0].members, vec![0, 1, 2]);
        assert_eq!((pools[0].homes, pools[0].residents), (60, 120));
        assert_eq!(pools[1].members, vec![3, 4, 5]);
        assert!(pools.iter().all(|p| p.reaches_threshold));
        assert!(pools
            .iter()
            .all(|p| p.stage == PoolStage::SameOrganisationAndDistrict));
    }

    // CPH B17: "across organisations where needed".
    #[test]
    fn pools_across_organisations_when_one_organisation_is_too_small() {
        let members = [
            m("a1", "org1", "Amager", 30, 60),
            m("b1", "org2", "Amager", 30, 60),
            m("c1", "org3", "Valby", 30, 60),
        ];
        let pools = propose_pools(&members, &rule());
        assert_eq!(pools.len(), 1);
        assert_eq!(pools[0].members, vec![0, 1, 2]);
        assert_eq!(pools[0].stage, PoolStage::AcrossOrganisations);
    }

    #[test]
    fn a_remainder_joins_the_smallest_pool_of_its_district() {
        let members = [
            m("a1", "org1", "Amager", 50, 60),
            m("a2", "org1", "Amager", 10, 50),
            m("a3", "org1", "Amager", 10, 20),
        ];
        let pools = propose_pools(&members, &rule());
        assert_eq!(pools.len(), 1);
        assert_eq!(pools[0].members, vec![0, 1, 2]);
        assert!(pools[0].reaches_threshold);
    }

    #[test]
    fn everything_too_small_forms_one_pool_flagged_below_threshold() {
        let members = [
            m("a1", "org1", "Amager", 5, 10),
            m("b1", "org2", "Valby", 5, 10),
        ];
        let pools = propose_pools(&members, &rule());
        assert_eq!(pools.len(), 1);
        assert!(!pools[0].reaches_threshold);
    }
}
