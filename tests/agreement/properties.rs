//! Invariance properties: permuting raters or units leaves every statistic unchanged.

use checkmyogp::agreement::{
    Metric, Ratings, fleiss_kappa, gwet_ac1, krippendorff_alpha, pair_agreement, percent_agreement,
};

use super::{Lcg, close, vector1, vector2};

fn permuted(r: &Ratings, unit_order: &[usize], rater_order: &[usize]) -> Ratings {
    let mut cells = Vec::with_capacity(r.cells().len());
    for &u in unit_order {
        for &k in rater_order {
            cells.push(r.rating(u, k));
        }
    }
    Ratings::new(r.values().to_vec(), r.raters(), cells).unwrap()
}

fn shuffle(rng: &mut Lcg, n: usize) -> Vec<usize> {
    let mut v: Vec<usize> = (0..n).collect();
    for i in (1..n).rev() {
        let j = rng.below(i as u64 + 1) as usize;
        v.swap(i, j);
    }
    v
}

fn random_matrix(rng: &mut Lcg, units: usize, raters: usize, levels: usize) -> Ratings {
    let cells = (0..units * raters)
        .map(|_| (rng.below(5) != 0).then(|| rng.below(levels as u64) as u16))
        .collect();
    Ratings::new(
        (0..levels).map(|l| (l * l + 1) as f64).collect(),
        raters,
        cells,
    )
    .unwrap()
}

#[test]
fn permuting_raters_or_units_does_not_change_alpha() {
    let mut rng = Lcg(2026);
    let mut cases = vec![vector1(), vector2()];
    for _ in 0..20 {
        let units = 2 + rng.below(40) as usize;
        let raters = 2 + rng.below(6) as usize;
        let levels = 2 + rng.below(6) as usize;
        cases.push(random_matrix(&mut rng, units, raters, levels));
    }
    for r in &cases {
        for _ in 0..5 {
            let units = shuffle(&mut rng, r.units());
            let raters = shuffle(&mut rng, r.raters());
            let p = permuted(r, &units, &raters);
            for metric in Metric::ALL {
                let (a, b) = (
                    krippendorff_alpha(r, metric),
                    krippendorff_alpha(&p, metric),
                );
                match (a, b) {
                    (Ok(a), Ok(b)) => {
                        assert_eq!(a.alpha.is_some(), b.alpha.is_some());
                        if let (Some(x), Some(y)) = (a.alpha, b.alpha) {
                            close(x, y, 1e-12);
                        }
                        assert_eq!(a.units_pairable, b.units_pairable);
                        assert_eq!(a.pairable_values, b.pairable_values);
                    }
                    (Err(a), Err(b)) => assert_eq!(a, b),
                    (a, b) => panic!("{a:?} vs {b:?}"),
                }
            }
            if let (Ok(a), Ok(b)) = (percent_agreement(r), percent_agreement(&p)) {
                close(a.value, b.value, 1e-12);
            }
            if let (Ok(a), Ok(b)) = (gwet_ac1(r), gwet_ac1(&p)) {
                close(a.value.unwrap_or(9.0), b.value.unwrap_or(9.0), 1e-12);
            }
            if let (Ok(a), Ok(b)) = (fleiss_kappa(r), fleiss_kappa(&p)) {
                close(a.kappa.unwrap_or(9.0), b.kappa.unwrap_or(9.0), 1e-12);
            }
        }
    }
}

#[test]
fn two_rater_measures_are_symmetric_where_they_should_be() {
    let r = vector1();
    for a in 0..4 {
        for b in 0..4 {
            if a == b {
                continue;
            }
            let x = pair_agreement(&r, a, b).unwrap();
            let y = pair_agreement(&r, b, a).unwrap();
            assert_eq!(x.shared_units, y.shared_units);
            for (p, q) in [
                (x.cohen_kappa, y.cohen_kappa),
                (x.linear_kappa, y.linear_kappa),
                (x.quadratic_kappa, y.quadratic_kappa),
                (x.scott_pi, y.scott_pi),
                (x.gwet_ac1, y.gwet_ac1),
            ] {
                close(p.value.unwrap_or(9.0), q.value.unwrap_or(9.0), 1e-12);
            }
        }
    }
}
