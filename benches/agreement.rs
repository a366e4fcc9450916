//! Timings of the agreement module on a deterministic synthetic reliability matrix
//! (10,000 units × 30 raters × 5 levels, ~10 % missing), against the targets: alpha ≤ 20 ms,
//! 1,000 bootstrap resamples ≤ 2 s, cost linear in units.
//!
//! Run with `cargo bench --bench agreement`.
#![allow(clippy::print_stdout, clippy::unwrap_used, clippy::expect_used)]

use std::hint::black_box;
use std::time::{Duration, Instant};

use checkmyogp::agreement::{
    BootstrapOptions, Metric, Ratings, Weighting, bootstrap_alpha, fleiss_kappa, gwet_ac1,
    krippendorff_alpha, pair_agreement, percent_agreement, rank_units_by_spread,
    rater_agreement_matrix,
};

/// Deterministic synthetic ratings: each unit has a "true" level; each rater reports it with
/// noise of −1/0/+1 and skips 10 % of units.
fn synthetic(units: usize, raters: usize, levels: usize) -> Ratings {
    let mut state = 0x5EED_u64;
    let mut next = move || {
        state = state
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        state >> 33
    };
    let mut cells = Vec::with_capacity(units * raters);
    for _ in 0..units {
        let truth = (next() % levels as u64) as i64;
        for _ in 0..raters {
            if next() % 10 == 0 {
                cells.push(None);
            } else {
                let noise = (next() % 3) as i64 - 1;
                cells.push(Some((truth + noise).clamp(0, levels as i64 - 1) as u16));
            }
        }
    }
    Ratings::with_levels(levels, raters, cells).unwrap()
}

/// Median wall time of `runs` calls.
fn time<T>(runs: usize, mut f: impl FnMut() -> T) -> Duration {
    let mut times: Vec<Duration> = (0..runs)
        .map(|_| {
            let t = Instant::now();
            black_box(f());
            t.elapsed()
        })
        .collect();
    times.sort();
    times[times.len() / 2]
}

fn ms(d: Duration) -> String {
    format!("{:9.3} ms", d.as_secs_f64() * 1e3)
}

fn main() {
    let (units, raters, levels) = (10_000, 30, 5);
    let r = synthetic(units, raters, levels);
    println!("synthetic matrix: {units} units × {raters} raters × {levels} levels");
    println!("\n-- point estimates (median of 21 runs) --");
    for metric in Metric::ALL {
        let d = time(21, || krippendorff_alpha(&r, metric).unwrap());
        let a = krippendorff_alpha(&r, metric).unwrap().alpha.unwrap();
        let flag = if d <= Duration::from_millis(20) {
            "ok"
        } else {
            "SLOW (target 20 ms)"
        };
        println!(
            "alpha {:<8} {}  alpha = {a:.4}  {flag}",
            metric.label(),
            ms(d)
        );
    }
    println!(
        "fleiss kappa   {}",
        ms(time(21, || fleiss_kappa(&r).unwrap()))
    );
    println!(
        "percent agr.   {}",
        ms(time(21, || percent_agreement(&r).unwrap()))
    );
    println!("gwet ac1       {}", ms(time(21, || gwet_ac1(&r).unwrap())));
    println!(
        "spread ranking {}",
        ms(time(5, || rank_units_by_spread(&r)))
    );
    println!(
        "rater matrix   {}  (30 × 30, quadratic kappa)",
        ms(time(5, || rater_agreement_matrix(&r, Weighting::Quadratic)))
    );
    println!(
        "every pair     {}  (435 pairs: percent, Cohen κ unweighted/linear/quadratic, π, AC1, BP)",
        ms(time(5, || {
            let mut n = 0usize;
            for a in 0..raters {
                for b in a + 1..raters {
                    n += pair_agreement(&r, a, b).unwrap().shared_units;
                }
            }
            n
        }))
    );

    println!("\n-- bootstrap, 1,000 resamples (median of 3 runs) --");
    for metric in Metric::ALL {
        for threads in [1, 2] {
            let opts = BootstrapOptions {
                resamples: 1000,
                seed: 42,
                confidence: 0.95,
                threads,
            };
            let d = time(3, || bootstrap_alpha(&r, metric, &opts, None).unwrap());
            let ci = bootstrap_alpha(&r, metric, &opts, None).unwrap();
            let flag = if d <= Duration::from_secs(2) {
                "ok"
            } else {
                "SLOW (target 2 s)"
            };
            println!(
                "{:<8} threads={threads} {}  95% CI [{:.4}, {:.4}]  {flag}",
                metric.label(),
                ms(d),
                ci.lower,
                ci.upper
            );
        }
    }

    println!("\n-- scaling of alpha (ordinal) in units --");
    for n in [2_500, 5_000, 10_000, 20_000, 40_000] {
        let m = synthetic(n, raters, levels);
        let d = time(11, || krippendorff_alpha(&m, Metric::Ordinal).unwrap());
        println!(
            "{n:>6} units {}  ({:.1} ns per cell)",
            ms(d),
            d.as_secs_f64() * 1e9 / (n * raters) as f64
        );
    }
}
