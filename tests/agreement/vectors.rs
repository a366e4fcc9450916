//! Every value in agreement-test-vectors.md, sections 1–4.

use checkmyogp::agreement::{
    Metric, Weighting, brennan_prediger, cohen_kappa, coincidence_matrix, fleiss_kappa, gwet_ac1,
    krippendorff_alpha, pair_agreement, percent_agreement, scott_pi,
};

use super::{EXACT, TOL, close, close_some, vector1, vector2, vector3, vector4};

#[test]
fn vector1_nominal_is_113_over_152() {
    let r = krippendorff_alpha(&vector1(), Metric::Nominal).unwrap();
    close_some(r.alpha, 113.0 / 152.0, EXACT);
    close_some(r.alpha, 0.743421, TOL);
    assert_eq!(
        r.units_pairable, 11,
        "unit 12 has one rating and must be dropped"
    );
    assert_eq!(r.units_total, 12);
    assert_eq!(r.pairable_values, 40);
}

#[test]
fn vector1_ordinal_is_108577_over_133160() {
    let r = krippendorff_alpha(&vector1(), Metric::Ordinal).unwrap();
    close_some(r.alpha, 108_577.0 / 133_160.0, EXACT);
    close_some(r.alpha, 0.815388, TOL);
}

#[test]
fn vector1_interval_is_951_over_1120() {
    let r = krippendorff_alpha(&vector1(), Metric::Interval).unwrap();
    close_some(r.alpha, 951.0 / 1120.0, EXACT);
    close_some(r.alpha, 0.849107, TOL);
}

#[test]
fn vector1_ratio() {
    let r = krippendorff_alpha(&vector1(), Metric::Ratio).unwrap();
    close_some(r.alpha, 0.797403, TOL);
}

#[test]
fn vector1_disagreements_are_consistent() {
    for metric in Metric::ALL {
        let r = krippendorff_alpha(&vector1(), metric).unwrap();
        let alpha = r.alpha.unwrap();
        close(
            1.0 - r.observed_disagreement / r.expected_disagreement,
            alpha,
            EXACT,
        );
    }
}

#[test]
fn vector1_coincidence_matrix() {
    let c = coincidence_matrix(&vector1()).unwrap();
    close(c.total, 40.0, EXACT);
    let expected = [9.0, 13.0, 10.0, 5.0, 3.0];
    for (m, e) in c.marginals.iter().zip(expected) {
        close(*m, e, EXACT);
    }
    for i in 0..5 {
        for j in 0..5 {
            close(c.get(i, j).unwrap(), c.get(j, i).unwrap(), EXACT);
        }
    }
    // Level "1" coincides with itself 7 times: 3 in unit 1, 2 in unit 8, 2 in unit 11.
    close(c.get(0, 0).unwrap(), 7.0, EXACT);
    assert_eq!(c.units_pairable, 11);
    assert_eq!(c.get(5, 0), None);
}

#[test]
fn vector2_fleiss_kappa() {
    let f = fleiss_kappa(&vector2()).unwrap();
    close_some(f.kappa, 0.4302445, TOL);
    close(f.observed, 0.555556, TOL);
    close(f.chance, 0.219938, TOL);
    assert_eq!(f.category_totals, vec![26, 26, 30, 55, 43]);
    assert_eq!(f.units_used, 30);
    assert_eq!(f.units_skipped, 0);
    assert_eq!(f.raters, 6);
}

#[test]
fn vector2_nominal_alpha() {
    let r = krippendorff_alpha(&vector2(), Metric::Nominal).unwrap();
    close_some(r.alpha, 0.433410, TOL);
    assert_eq!(r.pairable_values, 180);
}

#[test]
fn vector2_percent_agreement_is_fleiss_observed() {
    let p = percent_agreement(&vector2()).unwrap();
    close(p.value, 0.555556, TOL);
    assert_eq!(p.units_used, 30);
}

#[test]
fn vector3_two_rater_measures() {
    let p = pair_agreement(&vector3(), 0, 1).unwrap();
    assert_eq!(p.shared_units, 100);
    close(p.percent, 0.89, EXACT);
    close_some(p.cohen_kappa.value, 0.7964094, TOL);
    close_some(p.scott_pi.value, 0.7962397, TOL);
    close_some(p.gwet_ac1.value, 0.8493305, TOL);
    close_some(p.brennan_prediger.value, 0.835, EXACT);
    assert_eq!(p.cohen_kappa.units, 100);
}

#[test]
fn vector3_single_measure_functions() {
    let r = vector3();
    close_some(
        cohen_kappa(&r, 0, 1, Weighting::Unweighted).unwrap().value,
        0.7964094,
        TOL,
    );
    close_some(scott_pi(&r, 1, 0).unwrap().value, 0.7962397, TOL);
}

#[test]
fn vector3_multi_rater_forms_reduce_to_two_rater_values() {
    let r = vector3();
    close_some(gwet_ac1(&r).unwrap().value, 0.8493305, TOL);
    close_some(brennan_prediger(&r).unwrap().value, 0.835, EXACT);
    close(percent_agreement(&r).unwrap().value, 0.89, EXACT);
    // Fleiss' kappa with two raters and no missing data is Scott's pi.
    close_some(fleiss_kappa(&r).unwrap().kappa, 0.7962397, TOL);
}

#[test]
fn vector4_cohen_unweighted_and_linear() {
    let r = vector4();
    let p = pair_agreement(&r, 0, 1).unwrap();
    assert_eq!(p.shared_units, 19);
    close_some(p.cohen_kappa.value, 0.484163, TOL);
    close_some(p.linear_kappa.value, 0.470120, TOL);
    close_some(
        cohen_kappa(&r, 0, 1, Weighting::Linear).unwrap().value,
        0.470120,
        TOL,
    );
}

#[test]
fn vector4_quadratic_exact() {
    // Recomputed with exact fractions: 140/311.
    let p = pair_agreement(&vector4(), 0, 1).unwrap();
    close_some(p.quadratic_kappa.value, 140.0 / 311.0, EXACT);
    close_some(p.cohen_kappa.value, 107.0 / 221.0, EXACT);
    close_some(p.linear_kappa.value, 118.0 / 251.0, EXACT);
}

#[test]
fn weighted_kappa_uses_declared_levels_not_observed_ones() {
    // Vector 4 on a declared 4-level scale whose third level nobody used. Weights come from the
    // declared indices (0, 1, 3), so linear and quadratic kappa differ from vector 4, where the
    // same data sit on adjacent levels (0, 1, 2). Exact fractions recomputed independently.
    let gap = checkmyogp::agreement::Ratings::from_contingency(&[
        vec![0, 4, 0, 1],
        vec![0, 8, 0, 0],
        vec![0, 0, 0, 0],
        vec![0, 1, 0, 5],
    ])
    .unwrap();
    let p = pair_agreement(&gap, 0, 1).unwrap();
    close_some(p.cohen_kappa.value, 107.0 / 221.0, EXACT);
    close_some(p.linear_kappa.value, 236.0 / 407.0, EXACT);
    close_some(p.quadratic_kappa.value, 516.0 / 839.0, EXACT);
}

#[test]
fn ac1_and_brennan_prediger_use_declared_level_count() {
    // Vector 3 with a fourth declared, unused level.
    let padded = checkmyogp::agreement::Ratings::from_contingency(&[
        vec![13, 0, 0, 0],
        vec![0, 20, 7, 0],
        vec![0, 4, 56, 0],
        vec![0, 0, 0, 0],
    ])
    .unwrap();
    let p = pair_agreement(&padded, 0, 1).unwrap();
    close_some(p.gwet_ac1.value, 0.8658618376928237, 1e-12);
    close_some(p.brennan_prediger.value, (0.89 - 0.25) / 0.75, EXACT);
    // Cohen and Scott do not depend on empty levels.
    close_some(p.cohen_kappa.value, 0.7964094, TOL);
    close_some(p.scott_pi.value, 0.7962397, TOL);
}
