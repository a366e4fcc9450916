//! Tests of `checkmyogp::agreement` through its public API: every value of
//! `shared/reference/agreement-test-vectors.md`, the edge cases, the bootstrap's determinism,
//! and invariance properties; and of the `agreement` command end to end (`cli`).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod bootstrap;
mod cli;
mod disagreement;
mod edges;
mod properties;
mod vectors;

use checkmyogp::agreement::Ratings;

/// Tolerance for published decimal values (given to 6–7 places).
pub(crate) const TOL: f64 = 1e-6;
/// Tolerance for exact fractions.
pub(crate) const EXACT: f64 = 1e-12;

#[track_caller]
pub(crate) fn close(actual: f64, expected: f64, tol: f64) {
    assert!(
        (actual - expected).abs() <= tol,
        "expected {expected}, got {actual} (difference {})",
        (actual - expected).abs()
    );
}

#[track_caller]
pub(crate) fn close_some(actual: Option<f64>, expected: f64, tol: f64) {
    match actual {
        Some(a) => close(a, expected, tol),
        None => panic!("expected {expected}, got None (undefined)"),
    }
}

/// Parses space-separated ratings written on a 1-based scale (`.` = missing) into level indices.
pub(crate) fn parse_row(row: &str) -> Vec<Option<u16>> {
    row.split_whitespace()
        .map(|t| match t {
            "." => None,
            d => Some(d.parse::<u16>().unwrap() - 1),
        })
        .collect()
}

/// Test vector 1: Krippendorff (2011) reliability data C, 4 observers × 12 units, levels 1–5.
pub(crate) fn vector1() -> Ratings {
    let rows = [
        "1 2 3 3 2 1 4 1 2 . . .",
        "1 2 3 3 2 2 4 1 2 5 . .",
        ". 3 3 3 2 3 4 2 2 5 1 3",
        "1 2 3 3 2 4 4 1 2 5 1 .",
    ];
    let raters: Vec<_> = rows.iter().map(|r| parse_row(r)).collect();
    Ratings::from_raters(vec![1.0, 2.0, 3.0, 4.0, 5.0], &raters).unwrap()
}

/// Test vector 2: Fleiss (1971), 30 subjects × 6 raters, 5 categories.
pub(crate) fn vector2() -> Ratings {
    let subjects = "444444 222555 233335 555555 222444 113333 333355 113334 114444 555555 \
                    144444 124444 222333 144444 224445 333335 111455 111112 224444 133555 \
                    555555 244444 224555 114444 144445 222224 111155 224444 133333 555555";
    let units: Vec<Vec<Option<u16>>> = subjects
        .split_whitespace()
        .map(|s| {
            s.bytes()
                .map(|b| Some(u16::from(b - b'1')))
                .collect::<Vec<_>>()
        })
        .collect();
    assert_eq!(units.len(), 30);
    Ratings::from_units(vec![1.0, 2.0, 3.0, 4.0, 5.0], &units).unwrap()
}

/// Test vector 3: two raters, 3 categories, n = 100.
pub(crate) fn vector3() -> Ratings {
    Ratings::from_contingency(&[vec![13, 0, 0], vec![0, 20, 7], vec![0, 4, 56]]).unwrap()
}

/// Test vector 4: two raters, 3 ordered categories, n = 19.
pub(crate) fn vector4() -> Ratings {
    Ratings::from_contingency(&[vec![0, 4, 1], vec![0, 8, 0], vec![0, 1, 5]]).unwrap()
}

/// A small deterministic generator for synthetic data in tests.
pub(crate) struct Lcg(pub(crate) u64);

impl Lcg {
    pub(crate) fn next(&mut self) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        self.0 >> 33
    }

    pub(crate) fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}
