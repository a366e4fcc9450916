//! Spread ranking, the evaluator × evaluator matrix, and interpretation bands.

use checkmyogp::agreement::{
    AlphaBand, KappaBand, Weighting, pair_agreement, rank_units_by_spread, rater_agreement_matrix,
};

use super::{EXACT, close, vector1};

#[test]
fn units_are_ranked_by_spread() {
    let ranked = rank_units_by_spread(&vector1());
    // Unit 12 (index 11) has one rating and is left out.
    assert_eq!(ranked.len(), 11);
    assert!(ranked.iter().all(|u| u.unit != 11));
    // Unit 6 (index 5) was rated 1, 2, 3, 4: the widest spread.
    let top = &ranked[0];
    assert_eq!(
        (top.unit, top.spread, top.min, top.max, top.ratings),
        (5, 3, 0, 3, 4)
    );
    assert_eq!(top.levels, vec![Some(0), Some(1), Some(2), Some(3)]);
    // Then units 2 and 8 (spread 1), in unit order; the rest agree.
    assert_eq!((ranked[1].unit, ranked[1].spread), (1, 1));
    assert_eq!((ranked[2].unit, ranked[2].spread), (7, 1));
    assert!(ranked[3..].iter().all(|u| u.spread == 0));
    assert!(ranked.windows(2).all(|w| w[0].spread >= w[1].spread));
}

#[test]
fn rater_matrix_matches_pairwise_measures() {
    let r = vector1();
    let m = rater_agreement_matrix(&r, Weighting::Unweighted);
    assert_eq!(m.raters, 4);
    for a in 0..4 {
        for b in 0..4 {
            let cell = m.get(a, b).unwrap();
            assert_eq!(cell, m.get(b, a).unwrap());
            if a == b {
                assert_eq!(cell.percent, None);
                continue;
            }
            let p = pair_agreement(&r, a, b).unwrap();
            assert_eq!(cell.shared_units, p.shared_units);
            close(cell.percent.unwrap(), p.percent, EXACT);
            assert_eq!(cell.kappa, p.cohen_kappa.value);
        }
    }
    // Diagonal: units each rater rated (A 9, B 10, C 11, D 11).
    let rated: Vec<usize> = (0..4).map(|a| m.get(a, a).unwrap().shared_units).collect();
    assert_eq!(rated, vec![9, 10, 11, 11]);
    // Observer C departs most in Krippendorff's example.
    assert_eq!(m.most_departing(), Some(2));
    assert_eq!(m.departure_ranking()[0], 2);
    assert!(m.get(4, 0).is_none());
}

#[test]
fn alpha_bands() {
    assert_eq!(AlphaBand::of(0.8), AlphaBand::Reliable);
    assert_eq!(AlphaBand::of(0.95).label(), "reliable");
    assert_eq!(AlphaBand::of(0.799_999), AlphaBand::Tentative);
    assert_eq!(AlphaBand::of(0.667).label(), "tentative");
    assert_eq!(AlphaBand::of(2.0 / 3.0), AlphaBand::Unreliable);
    assert_eq!(AlphaBand::of(-0.5).label(), "unreliable");
    assert_eq!(AlphaBand::of(f64::NAN), AlphaBand::Unreliable);
}

#[test]
fn kappa_bands() {
    let cases = [
        (-0.01, "poor"),
        (0.0, "slight"),
        (0.20, "slight"),
        (0.21, "fair"),
        (0.40, "fair"),
        (0.4302445, "moderate"),
        (0.60, "moderate"),
        (0.61, "substantial"),
        (0.80, "substantial"),
        (0.7964094, "substantial"),
        (0.81, "almost perfect"),
        (1.0, "almost perfect"),
        (f64::NAN, "poor"),
    ];
    for (k, label) in cases {
        assert_eq!(KappaBand::of(k).label(), label, "kappa {k}");
    }
    assert_eq!(KappaBand::of(0.9), KappaBand::AlmostPerfect);
}
