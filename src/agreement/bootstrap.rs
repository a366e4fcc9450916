//! Percentile bootstrap confidence intervals for Krippendorff's alpha, resampling units.
//!
//! Method: the pairable units (those with at least two ratings) are resampled with
//! replacement, as many draws as there are pairable units; alpha is recomputed on each resample;
//! resamples where alpha is undefined (no variation) are skipped and counted; the interval is
//! the `(1 − c)/2` and `(1 + c)/2` quantiles of the defined alphas, using linear interpolation
//! between order statistics (R's default quantile type 7).
//!
//! Speed: each unit's coincidence contributions are computed once (see `alpha::Prepared`); a
//! resample draws how many times each unit is taken and adds the weighted contributions, so a
//! resample costs `O(units × levels present per unit)` plus `O(k²)`.
//!
//! Determinism: resample `i` draws from xoshiro256** seeded with output `i` of SplitMix64 on
//! the master seed, and sums its units in unit order. The interval therefore depends only on the
//! data, metric, seed, resample count and confidence level — not on the thread count or the
//! machine.

use std::sync::mpsc;

use serde::Serialize;

use super::alpha::{Metric, Prepared, ProfileScratch, Profiles};
use super::rng::{SplitMix64, Xoshiro256};
use super::{AgreementError, Ratings, Result};

/// Bootstrap settings.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct BootstrapOptions {
    /// Number of resamples (at least 1; 1,000 is customary, 10,000 for publication).
    pub resamples: usize,
    /// Master seed; the same seed gives the same interval.
    pub seed: u64,
    /// Confidence level, strictly between 0 and 1 (e.g. 0.95).
    pub confidence: f64,
    /// Worker threads; `0` means one per available core. Does not change the result.
    pub threads: usize,
}

impl Default for BootstrapOptions {
    /// 1,000 resamples, seed 0, 95 % confidence, one thread per core.
    fn default() -> Self {
        Self {
            resamples: 1000,
            seed: 0,
            confidence: 0.95,
            threads: 0,
        }
    }
}

/// A bootstrap percentile confidence interval for alpha.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BootstrapCi {
    /// The metric used.
    pub metric: Metric,
    /// Alpha on the full data (`None` if undefined there).
    pub estimate: Option<f64>,
    /// Lower bound.
    pub lower: f64,
    /// Upper bound.
    pub upper: f64,
    /// Confidence level used.
    pub confidence: f64,
    /// Resamples drawn.
    pub resamples: usize,
    /// Resamples whose alpha was defined (the interval is built from these).
    pub defined: usize,
    /// Resamples skipped because alpha was undefined (no variation).
    pub undefined: usize,
    /// Master seed used.
    pub seed: u64,
    /// Pairable units resampled.
    pub units_resampled: usize,
    /// The defined resample alphas, sorted ascending (not serialised).
    #[serde(skip)]
    pub distribution: Vec<f64>,
}

impl BootstrapCi {
    /// Share of defined resamples with alpha below `threshold` (e.g. the probability of failing
    /// to reach 0.667 or 0.800, as Krippendorff reports it).
    pub fn share_below(&self, threshold: f64) -> f64 {
        if self.distribution.is_empty() {
            return 0.0;
        }
        let below = self.distribution.partition_point(|&a| a < threshold);
        below as f64 / self.distribution.len() as f64
    }
}

/// Bootstraps a percentile confidence interval for Krippendorff's alpha.
///
/// `progress`, if given, is called on the calling thread with the number of resamples completed
/// so far (increasing, ending at `options.resamples`), at most about 200 times.
///
/// Errors: [`AgreementError::NoResamples`], [`AgreementError::InvalidConfidence`], the errors of
/// [`krippendorff_alpha`](super::krippendorff_alpha), and
/// [`AgreementError::AllResamplesUndefined`] when no resample had a defined alpha.
pub fn bootstrap_alpha(
    ratings: &Ratings,
    metric: Metric,
    options: &BootstrapOptions,
    progress: Option<&mut dyn FnMut(usize)>,
) -> Result<BootstrapCi> {
    check_options(options)?;
    let one = Resampled::new(ratings, metric)?;
    bootstrap_many(std::slice::from_ref(&one), options, progress)?
        .pop()
        .ok_or(AgreementError::WorkerFailed)?
}

/// The errors of options that cannot give an interval: no resample, or a confidence level
/// not strictly between 0 and 1.
pub(crate) fn check_options(options: &BootstrapOptions) -> Result<()> {
    if options.resamples == 0 {
        return Err(AgreementError::NoResamples);
    }
    let confidence = options.confidence;
    if !(confidence > 0.0 && confidence < 1.0) {
        return Err(AgreementError::InvalidConfidence { confidence });
    }
    Ok(())
}

/// One alpha to bootstrap, prepared: its units' contributions (only their [`Profiles`] when
/// those make the sums exact) and its estimate on the full data.
#[derive(Debug)]
pub(crate) struct Resampled {
    prepared: Prepared,
    profiles: Option<Profiles>,
    metric: Metric,
    estimate: Option<f64>,
    units: usize,
}

impl Resampled {
    /// Errors: those of [`krippendorff_alpha`](super::krippendorff_alpha).
    pub(crate) fn new(ratings: &Ratings, metric: Metric) -> Result<Self> {
        let mut prepared = Prepared::new(ratings, metric)?;
        let estimate = {
            let mut acc = prepared.accumulator();
            for p in 0..prepared.units_pairable() {
                prepared.add_unit(&mut acc, p, 1.0);
            }
            prepared.alpha(&acc)
        };
        let units = prepared.units_pairable();
        let profiles = prepared.profiles();
        if profiles.is_some() {
            // The profiles hold all a resample needs of the units.
            prepared.forget_units();
        }
        Ok(Self {
            prepared,
            profiles,
            metric,
            estimate,
            units,
        })
    }
}

/// Bootstraps each of `items` with `options`, as [`bootstrap_alpha`] does each alone, with
/// the same result for each. Resample `i` draws its units from a generator seeded by `i` and
/// the seed only, so items with as many pairable units (the criteria of one scope, rated by
/// the same evaluators) draw the same units in every resample: the draws are made once for
/// all of them.
///
/// `progress` is told how many (item, resample) pairs are done so far, in all.
pub(crate) fn bootstrap_many(
    items: &[Resampled],
    options: &BootstrapOptions,
    mut progress: Option<&mut dyn FnMut(usize)>,
) -> Result<Vec<Result<BootstrapCi>>> {
    check_options(options)?;
    let n = options.resamples;
    let mut out: Vec<Option<Result<BootstrapCi>>> = items.iter().map(|_| None).collect();
    let mut done_before = 0usize;
    for (g, item) in items.iter().enumerate() {
        if out[g].is_some() {
            continue;
        }
        // Every item with as many units, in order.
        let group: Vec<usize> = (g..items.len())
            .filter(|&j| items[j].units == item.units && out[j].is_none())
            .collect();
        let members: Vec<&Resampled> = group.iter().map(|&j| &items[j]).collect();
        let mut tick = |done: usize| {
            if let Some(cb) = progress.as_mut() {
                cb(done_before + done);
            }
        };
        let alphas = resample_group(&members, options, &mut tick)?;
        done_before += n * members.len();
        for (m, &j) in group.iter().enumerate() {
            let mine = alphas.iter().skip(m).step_by(members.len()).copied();
            out[j] = Some(interval(&items[j], options, mine));
        }
    }
    Ok(out.into_iter().flatten().collect())
}

/// The interval of `item` from its resample alphas.
fn interval(
    item: &Resampled,
    options: &BootstrapOptions,
    alphas: impl Iterator<Item = Option<f64>>,
) -> Result<BootstrapCi> {
    let n = options.resamples;
    let confidence = options.confidence;
    let mut distribution: Vec<f64> = alphas.flatten().collect();
    let undefined = n - distribution.len();
    if distribution.is_empty() {
        return Err(AgreementError::AllResamplesUndefined { resamples: n });
    }
    distribution.sort_by(f64::total_cmp);
    let tail = (1.0 - confidence) / 2.0;
    let lower = quantile(&distribution, tail);
    let upper = quantile(&distribution, 1.0 - tail);
    Ok(BootstrapCi {
        metric: item.metric,
        estimate: item.estimate,
        lower,
        upper,
        confidence,
        resamples: n,
        defined: distribution.len(),
        undefined,
        seed: options.seed,
        units_resampled: item.units,
        distribution,
    })
}

/// Every resample of `members` (all with as many units), resample-major: resample `i` of
/// member `m` at `i * members.len() + m`. `progress` is told the (member, resample) pairs
/// done so far, on the calling thread.
fn resample_group(
    members: &[&Resampled],
    options: &BootstrapOptions,
    progress: &mut dyn FnMut(usize),
) -> Result<Vec<Option<f64>>> {
    let n = options.resamples;
    let width = members.len();
    let threads = match options.threads {
        0 => std::thread::available_parallelism().map_or(1, |t| t.get()),
        t => t,
    }
    .clamp(1, n);
    let batch = (n / 200).max(1);
    let seed = options.seed;
    let mut alphas: Vec<Option<f64>> = vec![None; n * width];

    if threads == 1 {
        let mut done = 0usize;
        let mut report = |k: usize| {
            done += k * width;
            progress(done);
        };
        run_range(members, seed, 0, &mut alphas, batch, &mut report);
    } else {
        let chunk = n.div_ceil(threads);
        std::thread::scope(|scope| -> Result<()> {
            let (tx, rx) = mpsc::channel::<usize>();
            let mut handles = Vec::with_capacity(threads);
            for (ci, slice) in alphas.chunks_mut(chunk * width).enumerate() {
                let tx = tx.clone();
                handles.push(scope.spawn(move || {
                    let mut report = |k: usize| {
                        // The receiver outlives the workers; a failed send only loses a
                        // progress tick.
                        let _ = tx.send(k);
                    };
                    run_range(members, seed, ci * chunk, slice, batch, &mut report);
                }));
            }
            drop(tx);
            let mut done = 0usize;
            for k in rx {
                done += k * width;
                progress(done);
            }
            for h in handles {
                h.join().map_err(|_| AgreementError::WorkerFailed)?;
            }
            Ok(())
        })?;
    }
    Ok(alphas)
}

/// Computes resamples `start ..` of every member into `out` (resample-major, as many as fit),
/// reporting progress in batches of resamples. Each resample's draws are made once and summed
/// by every member: with its [`Profiles`] when it has them (the same bits, faster), else unit
/// by unit.
fn run_range(
    members: &[&Resampled],
    seed: u64,
    start: usize,
    out: &mut [Option<f64>],
    batch: usize,
    report: &mut dyn FnMut(usize),
) {
    let Some(first) = members.first() else {
        return;
    };
    let units = first.units;
    let mut accs: Vec<_> = members.iter().map(|m| m.prepared.accumulator()).collect();
    let mut scratch = ProfileScratch::default();
    let mut draws = vec![0u32; units];
    let mut pending = 0usize;
    for (offset, slots) in out.chunks_mut(members.len()).enumerate() {
        let index = (start + offset) as u64;
        let mut rng = Xoshiro256::seed_from(SplitMix64::nth(seed, index));
        draws.fill(0);
        for _ in 0..units {
            let u = rng.below(units as u64) as usize;
            if let Some(d) = draws.get_mut(u) {
                *d += 1;
            }
        }
        for ((member, acc), slot) in members.iter().zip(&mut accs).zip(slots) {
            let prepared = &member.prepared;
            match &member.profiles {
                Some(profiles) => prepared.set_draws(profiles, &mut scratch, acc, &draws),
                None => {
                    acc.clear();
                    prepared.add_draws(acc, &draws);
                }
            }
            *slot = prepared.alpha(acc);
        }
        pending += 1;
        if pending >= batch {
            report(pending);
            pending = 0;
        }
    }
    if pending > 0 {
        report(pending);
    }
}

/// Quantile of sorted, non-empty data by linear interpolation (R type 7).
fn quantile(sorted: &[f64], p: f64) -> f64 {
    let last = sorted.len().saturating_sub(1);
    let h = last as f64 * p.clamp(0.0, 1.0);
    let lo = (h.floor() as usize).min(last);
    let hi = (lo + 1).min(last);
    let frac = h - lo as f64;
    match (sorted.get(lo), sorted.get(hi)) {
        (Some(&a), Some(&b)) => a + frac * (b - a),
        _ => 0.0,
    }
}

#[cfg(test)]
mod tests {
    use super::{BootstrapOptions, Resampled, bootstrap_alpha, bootstrap_many, quantile};
    use crate::agreement::rng::Xoshiro256;
    use crate::agreement::{Metric, Ratings};

    /// Bootstrapped together (the criteria with as many units sharing their draws), each
    /// criterion gets the interval it gets alone, to the bit: with profiles or without (three
    /// raters missing some ratings give thirds), and with units counts that differ.
    #[test]
    fn together_is_each_alone() {
        let mut rng = Xoshiro256::seed_from(21);
        let options = BootstrapOptions {
            resamples: 300,
            seed: 9,
            confidence: 0.9,
            threads: 2,
        };
        for (raters, missing) in [(5, 0), (3, 2), (4, 0)] {
            let mut matrices: Vec<(Ratings, Metric)> = Vec::new();
            for (units, metric) in [
                (150, Metric::Ordinal),
                (150, Metric::Nominal),
                (90, Metric::Interval),
                (150, Metric::Ordinal),
            ] {
                let cells = (0..units * raters)
                    .map(|_| (rng.below(8) >= missing).then(|| rng.below(5) as u16))
                    .collect();
                let values = vec![0.0, 1.0, 2.0, 3.0, 4.0];
                matrices.push((Ratings::new(values, raters, cells).unwrap(), metric));
            }
            let items: Vec<Resampled> = matrices
                .iter()
                .map(|(r, m)| Resampled::new(r, *m).unwrap())
                .collect();
            let together = bootstrap_many(&items, &options, None).unwrap();
            for ((r, m), ci) in matrices.iter().zip(together) {
                let alone = bootstrap_alpha(r, *m, &options, None).unwrap();
                let ci = ci.unwrap();
                assert_eq!(ci, alone);
                let bits = |d: &[f64]| d.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
                assert_eq!(bits(&ci.distribution), bits(&alone.distribution));
            }
        }
    }

    #[test]
    fn quantile_type_7() {
        let x = [1.0, 2.0, 3.0, 4.0];
        assert_eq!(quantile(&x, 0.0), 1.0);
        assert_eq!(quantile(&x, 1.0), 4.0);
        assert!((quantile(&x, 0.5) - 2.5).abs() < 1e-12);
        assert!((quantile(&x, 0.25) - 1.75).abs() < 1e-12);
        assert_eq!(quantile(&[7.0], 0.3), 7.0);
    }
}
