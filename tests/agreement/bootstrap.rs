//! Bootstrap confidence intervals: determinism across runs and thread counts, skipped
//! resamples, progress reporting and errors.

use checkmyogp::agreement::{
    AgreementError, BootstrapOptions, Metric, Ratings, bootstrap_alpha, krippendorff_alpha,
};

use super::{Lcg, vector1, vector2};

fn opts(resamples: usize, seed: u64, threads: usize) -> BootstrapOptions {
    BootstrapOptions {
        resamples,
        seed,
        confidence: 0.95,
        threads,
    }
}

#[test]
fn same_seed_gives_same_interval() {
    let r = vector1();
    for metric in Metric::ALL {
        let a = bootstrap_alpha(&r, metric, &opts(500, 7, 1), None).unwrap();
        let b = bootstrap_alpha(&r, metric, &opts(500, 7, 1), None).unwrap();
        assert_eq!(a, b);
        assert!(a.lower <= a.upper);
        assert_eq!(a.defined + a.undefined, 500);
        assert_eq!(a.units_resampled, 11);
        assert_eq!(a.estimate, krippendorff_alpha(&r, metric).unwrap().alpha);
    }
}

#[test]
fn thread_count_does_not_change_the_interval() {
    let r = vector2();
    let one = bootstrap_alpha(&r, Metric::Ordinal, &opts(1001, 99, 1), None).unwrap();
    for threads in [0, 2, 3, 8, 2000] {
        let many = bootstrap_alpha(&r, Metric::Ordinal, &opts(1001, 99, threads), None).unwrap();
        assert_eq!(one, many, "threads = {threads}");
        assert_eq!(one.distribution, many.distribution);
    }
}

#[test]
fn different_seeds_give_different_resamples() {
    let r = vector2();
    let a = bootstrap_alpha(&r, Metric::Nominal, &opts(200, 1, 1), None).unwrap();
    let b = bootstrap_alpha(&r, Metric::Nominal, &opts(200, 2, 1), None).unwrap();
    assert_ne!(a.distribution, b.distribution);
}

#[test]
fn interval_is_plausible_for_fleiss_data() {
    let r = vector2();
    let ci = bootstrap_alpha(&r, Metric::Nominal, &opts(2000, 2024, 2), None).unwrap();
    let est = ci.estimate.unwrap();
    assert!(ci.lower < est && est < ci.upper, "{ci:?}");
    assert!(
        ci.upper - ci.lower > 0.05 && ci.upper - ci.lower < 0.6,
        "{ci:?}"
    );
    assert!(ci.share_below(-10.0) == 0.0 && ci.share_below(10.0) == 1.0);
    let below = ci.share_below(0.667);
    assert!(
        below > 0.95,
        "alpha ≈ 0.43 should almost never reach 0.667: {below}"
    );
}

#[test]
fn undefined_resamples_are_skipped_and_counted() {
    // One unit with variation and many identical ones: resamples that miss the varied unit have
    // no variation, so their alpha is undefined.
    let mut cells = vec![Some(0u16), Some(1)];
    cells.extend(std::iter::repeat_n(Some(1u16), 2 * 4));
    let r = Ratings::with_levels(2, 2, cells).unwrap();
    let ci = bootstrap_alpha(&r, Metric::Nominal, &opts(400, 3, 2), None).unwrap();
    assert!(ci.undefined > 0, "{ci:?}");
    assert!(ci.defined > 0, "{ci:?}");
    assert_eq!(ci.defined + ci.undefined, 400);
    assert_eq!(ci.distribution.len(), ci.defined);
}

#[test]
fn all_undefined_is_an_error() {
    let r = Ratings::with_levels(3, 2, vec![Some(2); 10]).unwrap();
    let e = bootstrap_alpha(&r, Metric::Interval, &opts(50, 0, 1), None).unwrap_err();
    assert_eq!(e, AgreementError::AllResamplesUndefined { resamples: 50 });
    assert!(e.to_string().contains("no variation"));
}

#[test]
fn invalid_options_are_errors() {
    let r = vector1();
    assert_eq!(
        bootstrap_alpha(&r, Metric::Nominal, &opts(0, 0, 1), None).unwrap_err(),
        AgreementError::NoResamples
    );
    for confidence in [0.0, 1.0, -0.5, 95.0, f64::NAN] {
        let o = BootstrapOptions {
            confidence,
            ..opts(10, 0, 1)
        };
        assert!(matches!(
            bootstrap_alpha(&r, Metric::Nominal, &o, None),
            Err(AgreementError::InvalidConfidence { .. })
        ));
    }
    let lone = Ratings::with_levels(3, 1, vec![Some(0), Some(1)]).unwrap();
    assert_eq!(
        bootstrap_alpha(&lone, Metric::Nominal, &opts(10, 0, 1), None).unwrap_err(),
        AgreementError::NoPairableUnits
    );
}

#[test]
fn progress_is_reported_monotonically_to_the_end() {
    let r = vector1();
    for threads in [1, 2] {
        let mut seen = Vec::new();
        let mut cb = |done: usize| seen.push(done);
        let with =
            bootstrap_alpha(&r, Metric::Nominal, &opts(1000, 5, threads), Some(&mut cb)).unwrap();
        assert!(!seen.is_empty());
        assert!(seen.windows(2).all(|w| w[0] < w[1]), "{seen:?}");
        assert_eq!(seen.last(), Some(&1000));
        assert!(seen.len() <= 210);
        let without = bootstrap_alpha(&r, Metric::Nominal, &opts(1000, 5, threads), None).unwrap();
        assert_eq!(with, without);
    }
}

#[test]
fn larger_random_matrix_is_deterministic_across_threads() {
    let mut rng = Lcg(77);
    let (units, raters) = (300usize, 6usize);
    let cells: Vec<Option<u16>> = (0..units * raters)
        .map(|i| {
            if rng.below(10) == 0 {
                None
            } else {
                let base = (i / raters) % 5;
                let noise = rng.below(3) as i64 - 1;
                Some((base as i64 + noise).clamp(0, 4) as u16)
            }
        })
        .collect();
    let r = Ratings::with_levels(5, raters, cells).unwrap();
    for metric in Metric::ALL {
        let a = bootstrap_alpha(&r, metric, &opts(300, 11, 1), None).unwrap();
        let b = bootstrap_alpha(&r, metric, &opts(300, 11, 2), None).unwrap();
        assert_eq!(a, b);
    }
}
