//! Section 5 edge cases, constructor validation, and "no NaN ever escapes".

use checkmyogp::agreement::{
    AgreementError, Metric, Ratings, Weighting, brennan_prediger, cohen_kappa, fleiss_kappa,
    gwet_ac1, krippendorff_alpha, pair_agreement, percent_agreement, rank_units_by_spread,
    rater_agreement_matrix,
};

use super::{EXACT, Lcg, close, close_some, vector1};

#[test]
fn two_raters_swapped_is_minus_one_half() {
    // Units [A, B] and [B, A].
    let r = Ratings::with_levels(2, 2, vec![Some(0), Some(1), Some(1), Some(0)]).unwrap();
    let a = krippendorff_alpha(&r, Metric::Nominal).unwrap();
    close_some(a.alpha, -0.5, EXACT);
}

#[test]
fn single_dissenting_one_among_threes_is_zero_under_every_metric() {
    for units in [1usize, 2, 5] {
        for odd_unit in 0..units {
            for odd_rater in [0usize, 4] {
                let mut cells = vec![Some(2u16); units * 5];
                cells[odd_unit * 5 + odd_rater] = Some(0);
                let r = Ratings::with_levels(5, 5, cells).unwrap();
                for metric in Metric::ALL {
                    let a = krippendorff_alpha(&r, metric).unwrap();
                    close_some(a.alpha, 0.0, EXACT);
                }
            }
        }
    }
}

#[test]
fn identical_ratings_are_undefined_not_zero_or_one() {
    let r = Ratings::with_levels(4, 3, vec![Some(2); 12]).unwrap();
    for metric in Metric::ALL {
        let a = krippendorff_alpha(&r, metric).unwrap();
        assert_eq!(a.alpha, None, "{metric:?}");
        assert_eq!(a.expected_disagreement, 0.0);
        assert_eq!(a.observed_disagreement, 0.0);
    }
    assert_eq!(fleiss_kappa(&r).unwrap().kappa, None);
    for w in [
        Weighting::Unweighted,
        Weighting::Linear,
        Weighting::Quadratic,
    ] {
        assert_eq!(cohen_kappa(&r, 0, 1, w).unwrap().value, None);
    }
    let p = pair_agreement(&r, 0, 2).unwrap();
    assert_eq!(p.scott_pi.value, None);
    close(p.percent, 1.0, EXACT);
    // AC1 and Brennan–Prediger stay defined (chance agreement is below 1).
    close_some(gwet_ac1(&r).unwrap().value, 1.0, EXACT);
    close_some(brennan_prediger(&r).unwrap().value, 1.0, EXACT);
}

#[test]
fn unit_with_one_rating_is_dropped() {
    let full = vector1();
    // Vector 1 without unit 12.
    let cells: Vec<_> = full.cells()[..11 * 4].to_vec();
    let trimmed = Ratings::with_levels(5, 4, cells).unwrap();
    for metric in Metric::ALL {
        let a = krippendorff_alpha(&full, metric).unwrap();
        let b = krippendorff_alpha(&trimmed, metric).unwrap();
        assert_eq!(a.alpha, b.alpha);
        assert_eq!(a.units_pairable, b.units_pairable);
    }
}

#[test]
fn no_pairable_unit_is_an_error_that_says_so() {
    // One rater only.
    let one = Ratings::with_levels(3, 1, vec![Some(0), Some(1), Some(2)]).unwrap();
    // Three raters, never two on the same unit.
    let sparse = Ratings::with_levels(
        3,
        3,
        vec![Some(0), None, None, None, Some(1), None, None, None, None],
    )
    .unwrap();
    // No units at all.
    let empty = Ratings::with_levels(3, 2, vec![]).unwrap();
    for r in [&one, &sparse, &empty] {
        for metric in Metric::ALL {
            let e = krippendorff_alpha(r, metric).unwrap_err();
            assert_eq!(e, AgreementError::NoPairableUnits);
            let msg = e.to_string();
            assert!(msg.contains("two or more raters"), "{msg}");
        }
        assert_eq!(
            percent_agreement(r).unwrap_err(),
            AgreementError::NoPairableUnits
        );
        assert_eq!(gwet_ac1(r).unwrap_err(), AgreementError::NoPairableUnits);
    }
    assert_eq!(
        fleiss_kappa(&one).unwrap_err(),
        AgreementError::TooFewRaters {
            raters: 1,
            needed: 2
        }
    );
    assert_eq!(
        fleiss_kappa(&sparse).unwrap_err(),
        AgreementError::NoCompleteUnits { raters: 3 }
    );
    assert_eq!(
        cohen_kappa(&sparse, 0, 1, Weighting::Unweighted).unwrap_err(),
        AgreementError::NoSharedUnits { a: 0, b: 1 }
    );
}

#[test]
fn fleiss_uses_only_complete_units() {
    // Units 2–9 of vector 1 are complete; units 1, 10, 11 and 12 each miss a rating.
    let r = vector1();
    let f = fleiss_kappa(&r).unwrap();
    assert_eq!(f.units_used, 8);
    assert_eq!(f.units_skipped, 4);
}

#[test]
fn constructor_rejects_bad_input_with_clear_messages() {
    let e = Ratings::with_levels(3, 2, vec![Some(0), Some(3)]).unwrap_err();
    assert_eq!(
        e,
        AgreementError::LevelOutOfRange {
            unit: 0,
            rater: 1,
            level: 3,
            levels: 3
        }
    );
    assert!(e.to_string().contains("only has 3 levels"));
    assert!(matches!(
        Ratings::new(vec![1.0, 1.0], 1, vec![]),
        Err(AgreementError::LevelValuesNotIncreasing { level: 1 })
    ));
    assert!(matches!(
        Ratings::new(vec![1.0, f64::NAN], 1, vec![]),
        Err(AgreementError::LevelValueOutOfRange { level: 1 })
    ));
    assert!(matches!(
        Ratings::new(vec![1.0, 1e300], 1, vec![]),
        Err(AgreementError::LevelValueOutOfRange { level: 1 })
    ));
    assert!(matches!(
        Ratings::new(vec![1.0], 1, vec![]),
        Err(AgreementError::TooFewLevels { levels: 1 })
    ));
    assert!(matches!(
        Ratings::with_levels(5000, 1, vec![]),
        Err(AgreementError::TooManyLevels { levels: 5000 })
    ));
    assert!(matches!(
        Ratings::new(vec![1.0, 2.0], 0, vec![]),
        Err(AgreementError::NoRaters)
    ));
    assert!(matches!(
        Ratings::new(vec![1.0, 2.0], 2, vec![None; 3]),
        Err(AgreementError::CellCountMismatch {
            cells: 3,
            raters: 2
        })
    ));
    assert!(matches!(
        Ratings::from_units(vec![1.0, 2.0], &[vec![None, None], vec![None]]),
        Err(AgreementError::RowLengthMismatch {
            row: 1,
            len: 1,
            expected: 2
        })
    ));
    assert!(matches!(
        Ratings::from_contingency(&[vec![1, 2], vec![3]]),
        Err(AgreementError::BadContingencyTable)
    ));
    let r = Ratings::with_levels(2, 2, vec![Some(0), Some(1)]).unwrap();
    assert!(matches!(
        pair_agreement(&r, 0, 0),
        Err(AgreementError::SameRater { rater: 0 })
    ));
    assert!(matches!(
        pair_agreement(&r, 0, 2),
        Err(AgreementError::RaterOutOfRange {
            rater: 2,
            raters: 2
        })
    ));
}

#[test]
fn ratio_metric_rejects_negative_values_but_interval_accepts_them() {
    let r = Ratings::new(
        vec![-1.0, 0.0, 1.0],
        2,
        vec![Some(0), Some(1), Some(2), Some(2)],
    )
    .unwrap();
    let e = krippendorff_alpha(&r, Metric::Ratio).unwrap_err();
    assert!(matches!(
        e,
        AgreementError::NegativeRatioValue { level: 0, .. }
    ));
    assert!(e.to_string().contains("interval"));
    assert!(
        krippendorff_alpha(&r, Metric::Interval)
            .unwrap()
            .alpha
            .is_some()
    );
}

#[test]
fn extreme_level_values_stay_finite() {
    let cells = vec![Some(0), Some(1), Some(1), Some(1), Some(0), Some(0)];
    let big = Ratings::new(vec![-1e100, 1e100], 2, cells.clone()).unwrap();
    let small = Ratings::new(vec![0.0, 1e-100], 2, cells).unwrap();
    for r in [&big, &small] {
        for metric in [Metric::Interval, Metric::Ratio] {
            if let Ok(a) = krippendorff_alpha(r, metric) {
                a.alpha.inspect(|x| assert_finite(*x, "alpha"));
                assert_finite(a.observed_disagreement, "D_o");
                assert_finite(a.expected_disagreement, "D_e");
            }
        }
    }
}

#[test]
fn metric_names_parse_and_display() {
    for m in Metric::ALL {
        assert_eq!(m.to_string().parse::<Metric>().unwrap(), m);
    }
    assert_eq!(" Ordinal ".parse::<Metric>().unwrap(), Metric::Ordinal);
    let e = "likert".parse::<Metric>().unwrap_err();
    assert!(
        e.to_string()
            .contains("nominal, ordinal, interval or ratio")
    );
}

#[test]
fn ratio_metric_with_a_zero_level() {
    // 0 against anything positive is the largest ratio distance (1); 0 with 0 is 0.
    let r = Ratings::new(
        vec![0.0, 1.0, 2.0],
        2,
        vec![Some(0), Some(0), Some(1), Some(2), Some(2), Some(2)],
    )
    .unwrap();
    let a = krippendorff_alpha(&r, Metric::Ratio).unwrap();
    assert!(a.alpha.unwrap().is_finite());
}

fn assert_finite(x: f64, what: &str) {
    assert!(x.is_finite(), "{what} is {x}");
}

#[test]
fn no_nan_escapes_on_random_small_matrices() {
    let mut rng = Lcg(12345);
    for _ in 0..2000 {
        let levels = 2 + rng.below(4) as usize;
        let raters = 1 + rng.below(4) as usize;
        let units = rng.below(5) as usize;
        let missing = rng.below(4);
        let concentrated = rng.below(3) == 0;
        let cells: Vec<Option<u16>> = (0..units * raters)
            .map(|_| {
                if rng.below(4) < missing {
                    None
                } else if concentrated {
                    Some(0)
                } else {
                    Some(rng.below(levels as u64) as u16)
                }
            })
            .collect();
        let r = Ratings::with_levels(levels, raters, cells).unwrap();
        for metric in Metric::ALL {
            if let Ok(a) = krippendorff_alpha(&r, metric) {
                a.alpha.inspect(|x| assert_finite(*x, "alpha"));
                assert_finite(a.observed_disagreement, "D_o");
                assert_finite(a.expected_disagreement, "D_e");
            }
        }
        if let Ok(f) = fleiss_kappa(&r) {
            f.kappa.inspect(|x| assert_finite(*x, "fleiss"));
            assert_finite(f.chance, "fleiss chance");
        }
        for c in [gwet_ac1(&r), brennan_prediger(&r)].into_iter().flatten() {
            c.value.inspect(|x| assert_finite(*x, "coefficient"));
        }
        if let Ok(p) = percent_agreement(&r) {
            assert_finite(p.value, "percent");
        }
        if raters >= 2
            && let Ok(p) = pair_agreement(&r, 0, 1)
        {
            for c in [
                p.cohen_kappa,
                p.linear_kappa,
                p.quadratic_kappa,
                p.scott_pi,
                p.gwet_ac1,
                p.brennan_prediger,
            ] {
                c.value.inspect(|x| assert_finite(*x, "pair coefficient"));
                assert_finite(c.observed, "observed");
                assert_finite(c.chance, "chance");
            }
        }
        let m = rater_agreement_matrix(&r, Weighting::Quadratic);
        for cell in &m.pairs {
            cell.percent
                .inspect(|x| assert_finite(*x, "matrix percent"));
            cell.kappa.inspect(|x| assert_finite(*x, "matrix kappa"));
        }
        let _ = rank_units_by_spread(&r);
    }
}

#[test]
fn results_serialise_with_null_for_undefined() {
    let r = Ratings::with_levels(3, 2, vec![Some(1); 4]).unwrap();
    let a = krippendorff_alpha(&r, Metric::Ordinal).unwrap();
    let json = serde_json::to_value(&a).unwrap();
    assert_eq!(json["alpha"], serde_json::Value::Null);
    assert_eq!(json["metric"], "ordinal");
    assert_eq!(json["units_pairable"], 2);
}
