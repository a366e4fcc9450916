//! Krippendorff's alpha (nominal, ordinal, interval, ratio) via the coincidence matrix, and the
//! per-unit precomputation shared with the bootstrap.
//!
//! Definitions follow Krippendorff (2011), "Computing Krippendorff's Alpha-Reliability":
//! for each pairable unit `u` (at least two ratings, `m_u` of them, `n_uc` at level `c`) the
//! coincidence matrix gains `o_ck += n_uc (n_uk − [c = k]) / (m_u − 1)`; `n_c = Σ_k o_ck`,
//! `n = Σ_c n_c` (the number of pairable values), and
//!
//! ```text
//! D_o = Σ_c Σ_k o_ck δ²_ck / n
//! D_e = Σ_c Σ_k n_c n_k δ²_ck / (n (n − 1))
//! alpha = 1 − D_o / D_e
//! ```
//!
//! with `δ²` nominal (0 or 1), ordinal (`(Σ_{g=c..k} n_g − (n_c + n_k)/2)²`, over the declared
//! level order), interval (`(v_c − v_k)²`) or ratio (`((v_c − v_k)/(v_c + v_k))²`), `v` being
//! the declared level values. Alpha is undefined (`None`) when `D_e = 0`, which happens exactly
//! when all pairable values sit on one level.

use std::fmt;
use std::str::FromStr;

use serde::Serialize;

use super::{AgreementError, Ratings, Result};

/// The difference function (level of measurement) used by Krippendorff's alpha.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Metric {
    /// Any two different levels disagree equally.
    Nominal,
    /// Levels are ordered; distance grows with the number of values between them.
    Ordinal,
    /// Squared difference of the level values.
    Interval,
    /// Squared difference of the level values relative to their sum (values must be ≥ 0).
    Ratio,
}

impl Metric {
    /// All four metrics, in the usual order.
    pub const ALL: [Metric; 4] = [
        Metric::Nominal,
        Metric::Ordinal,
        Metric::Interval,
        Metric::Ratio,
    ];

    /// Lower-case English name: "nominal", "ordinal", "interval", "ratio".
    pub fn label(self) -> &'static str {
        match self {
            Metric::Nominal => "nominal",
            Metric::Ordinal => "ordinal",
            Metric::Interval => "interval",
            Metric::Ratio => "ratio",
        }
    }
}

impl fmt::Display for Metric {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label())
    }
}

impl FromStr for Metric {
    type Err = AgreementError;

    /// Parses "nominal", "ordinal", "interval" or "ratio", ignoring case and surrounding space.
    fn from_str(s: &str) -> Result<Self> {
        let name = s.trim();
        Metric::ALL
            .into_iter()
            .find(|m| m.label().eq_ignore_ascii_case(name))
            .ok_or_else(|| AgreementError::UnknownMetric {
                name: name.to_string(),
            })
    }
}

/// Krippendorff's alpha and the quantities it is made of.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AlphaResult {
    /// The metric used.
    pub metric: Metric,
    /// Alpha; `None` when the expected disagreement is 0 ("no variation": every pairable value
    /// is on the same level).
    pub alpha: Option<f64>,
    /// Units with at least two ratings (the others are dropped).
    pub units_pairable: usize,
    /// All units in the matrix.
    pub units_total: usize,
    /// `n..`: the number of ratings in pairable units.
    pub pairable_values: usize,
    /// Observed disagreement `D_o`.
    pub observed_disagreement: f64,
    /// Expected disagreement `D_e`.
    pub expected_disagreement: f64,
}

/// The coincidence matrix over the declared levels.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Coincidences {
    /// Declared level count `k`.
    pub levels: usize,
    /// `o_ck`, row-major `k × k`: `matrix[c * k + j]`.
    pub matrix: Vec<f64>,
    /// `n_c`, the row sums (how many pairable values sit on each level).
    pub marginals: Vec<f64>,
    /// `n..`, the number of pairable values.
    pub total: f64,
    /// Units with at least two ratings.
    pub units_pairable: usize,
}

impl Coincidences {
    /// `o_ck` for levels `c` and `k`; `None` if out of range.
    pub fn get(&self, c: usize, k: usize) -> Option<f64> {
        if c >= self.levels || k >= self.levels {
            return None;
        }
        self.matrix.get(c * self.levels + k).copied()
    }
}

/// Computes Krippendorff's alpha for `metric`.
///
/// Units with fewer than two ratings are dropped. Errors with
/// [`AgreementError::NoPairableUnits`] when no unit has two ratings, and with
/// [`AgreementError::NegativeRatioValue`] for the ratio metric on a scale with a negative value.
pub fn krippendorff_alpha(ratings: &Ratings, metric: Metric) -> Result<AlphaResult> {
    let prepared = Prepared::new(ratings, metric)?;
    let mut acc = prepared.accumulator();
    for p in 0..prepared.units_pairable() {
        prepared.add_unit(&mut acc, p, 1.0);
    }
    Ok(prepared.evaluate(&acc))
}

/// Builds the coincidence matrix over all declared levels (for display or checking).
pub fn coincidence_matrix(ratings: &Ratings) -> Result<Coincidences> {
    let k = ratings.levels();
    let mut matrix = vec![0.0; k * k];
    let mut counts = vec![0u32; k];
    let mut touched: Vec<usize> = Vec::with_capacity(ratings.raters());
    let mut pairable = 0usize;
    for row in ratings.unit_rows() {
        let m = row.iter().flatten().count();
        if m < 2 {
            continue;
        }
        pairable += 1;
        count_unit(row, &mut counts, &mut touched);
        let denom = (m - 1) as f64;
        for &c in &touched {
            let nc = f64::from(counts[c]);
            for &j in &touched {
                let nj = f64::from(counts[j]);
                let pairs = if c == j { nc * (nc - 1.0) } else { nc * nj };
                matrix[c * k + j] += pairs / denom;
            }
        }
        for &c in &touched {
            counts[c] = 0;
        }
    }
    if pairable == 0 {
        return Err(AgreementError::NoPairableUnits);
    }
    let marginals: Vec<f64> = matrix.chunks_exact(k).map(|r| r.iter().sum()).collect();
    let total = marginals.iter().sum();
    Ok(Coincidences {
        levels: k,
        matrix,
        marginals,
        total,
        units_pairable: pairable,
    })
}

/// Counts one unit's ratings into `counts` (indexed by declared level) and lists the levels
/// present, in ascending order, in `touched`. The caller resets `counts` for `touched`.
fn count_unit(row: &[Option<u16>], counts: &mut [u32], touched: &mut Vec<usize>) {
    touched.clear();
    for &level in row.iter().flatten() {
        let l = usize::from(level);
        if counts[l] == 0 {
            touched.push(l);
        }
        counts[l] += 1;
    }
    touched.sort_unstable();
}

/// Each pairable unit's contribution to the coincidence matrix, computed once.
///
/// Levels are compressed to those that occur in pairable units (`K` of them, ascending in
/// declared order); a level that never occurs has `n_c = 0` and adds nothing to any sum, so the
/// compression changes no result. For nominal, interval and ratio the distance between two
/// levels is fixed, so a unit's observed disagreement is one number; for ordinal it depends on
/// the marginals, so the unit's off-diagonal coincidences are kept (sparse).
#[derive(Debug)]
pub(crate) struct Prepared {
    metric: Metric,
    units_total: usize,
    /// Number of compressed levels `K`.
    k: usize,
    /// `δ²` between compressed levels, `K × K` (interval and ratio only).
    delta: Vec<f64>,
    /// CSR offsets into `marg` (length = pairable units + 1).
    marg_start: Vec<usize>,
    /// `(compressed level, n_uc)` for each pairable unit.
    marg: Vec<(usize, f64)>,
    /// Per unit `Σ_{c≠k} o_ck δ²_ck` (nominal, interval, ratio).
    obs: Vec<f64>,
    /// CSR offsets into `pairs` (ordinal only).
    pair_start: Vec<usize>,
    /// `(c * K + k, o_ck + o_kc)` for `c < k` (ordinal only).
    pairs: Vec<(usize, f64)>,
}

/// Running sums for one alpha evaluation.
#[derive(Debug)]
pub(crate) struct Accumulator {
    marginals: Vec<f64>,
    obs: f64,
    /// `K × K`, upper triangle used (ordinal only).
    coincidences: Vec<f64>,
}

impl Accumulator {
    pub(crate) fn clear(&mut self) {
        self.marginals.fill(0.0);
        self.obs = 0.0;
        self.coincidences.fill(0.0);
    }
}

/// A bootstrap resample's sums in whole numbers: each pairable unit's terms (its level counts,
/// and its observed term or ordinal coincidences as multiples of `unit`, a power of two), and
/// units with the same terms grouped into one profile.
///
/// A resample adds each unit's terms as many times as it was drawn. When every term is a
/// multiple of `unit` and no sum can reach 2^53 `unit`s, every partial sum the floating-point
/// loop of [`Prepared::add_draws`] makes is exact, so its result does not depend on the order
/// of the additions: counting the draws by profile and summing `count × term` in integers gives
/// the same bits. Rubric scales make this the usual case (whole-number level counts, and
/// observed terms over `m − 1 = 4` evaluators are quarters); a scale or a unit that does not
/// (`m − 1 = 3`, level values like 0.1) keeps the floating-point loop.
#[derive(Debug)]
pub(crate) struct Profiles {
    /// Each pairable unit's profile.
    of_unit: Vec<u32>,
    /// CSR offsets into `entries`, one per profile plus one.
    start: Vec<usize>,
    /// `(slot, term in units)`: slots `0..K` are the level counts, slot `K` the observed term
    /// (nominal, interval, ratio) or `K + c * K + j` the coincidence `c, j` (ordinal).
    entries: Vec<(u32, u64)>,
    /// Slots in all.
    slots: usize,
    /// The power of two the observed terms are whole multiples of.
    unit: f64,
}

/// The working space of [`Prepared::set_draws`], one per thread.
#[derive(Debug, Default)]
pub(crate) struct ProfileScratch {
    counts: Vec<u64>,
    totals: Vec<u64>,
}

impl Prepared {
    pub(crate) fn new(ratings: &Ratings, metric: Metric) -> Result<Self> {
        let levels = ratings.levels();
        if metric == Metric::Ratio
            && let Some((level, &value)) =
                ratings.values().iter().enumerate().find(|(_, v)| **v < 0.0)
        {
            return Err(AgreementError::NegativeRatioValue { level, value });
        }
        // Pass 1: which levels occur in pairable units.
        let mut used = vec![false; levels];
        let mut pairable = 0usize;
        for row in ratings.unit_rows() {
            if row.iter().flatten().count() >= 2 {
                pairable += 1;
                for &l in row.iter().flatten() {
                    used[usize::from(l)] = true;
                }
            }
        }
        if pairable == 0 {
            return Err(AgreementError::NoPairableUnits);
        }
        let mut compressed = vec![usize::MAX; levels];
        let mut used_values = Vec::new();
        for (l, _) in used.iter().enumerate().filter(|(_, u)| **u) {
            compressed[l] = used_values.len();
            used_values.push(ratings.values()[l]);
        }
        let k = used_values.len();
        let mut delta = Vec::new();
        if matches!(metric, Metric::Interval | Metric::Ratio) {
            delta = vec![0.0; k * k];
            for c in 0..k {
                for j in 0..k {
                    delta[c * k + j] = fixed_delta(metric, used_values[c], used_values[j]);
                }
            }
        }

        // Pass 2: per-unit contributions.
        let mut prepared = Prepared {
            metric,
            units_total: ratings.units(),
            k,
            delta,
            marg_start: Vec::with_capacity(pairable + 1),
            marg: Vec::new(),
            obs: Vec::with_capacity(pairable),
            pair_start: Vec::new(),
            pairs: Vec::new(),
        };
        prepared.marg_start.push(0);
        if metric == Metric::Ordinal {
            prepared.pair_start.push(0);
        }
        let mut counts = vec![0u32; levels];
        let mut touched = Vec::with_capacity(ratings.raters());
        for row in ratings.unit_rows() {
            let m = row.iter().flatten().count();
            if m < 2 {
                continue;
            }
            count_unit(row, &mut counts, &mut touched);
            let entry_start = prepared.marg.len();
            for &l in &touched {
                prepared.marg.push((compressed[l], f64::from(counts[l])));
                counts[l] = 0;
            }
            prepared.marg_start.push(prepared.marg.len());
            let entries = &prepared.marg[entry_start..];
            let denom = (m - 1) as f64;
            let obs = match metric {
                Metric::Nominal => {
                    let mf = m as f64;
                    let same: f64 = entries.iter().map(|(_, n)| n * n).sum();
                    (mf * mf - same) / denom
                }
                Metric::Interval | Metric::Ratio => {
                    let mut sum = 0.0;
                    for (i, &(c, nc)) in entries.iter().enumerate() {
                        for &(j, nj) in &entries[i + 1..] {
                            sum += 2.0 * nc * nj * prepared.delta[c * k + j];
                        }
                    }
                    sum / denom
                }
                Metric::Ordinal => {
                    for (i, &(c, nc)) in entries.iter().enumerate() {
                        for &(j, nj) in &entries[i + 1..] {
                            prepared.pairs.push((c * k + j, 2.0 * nc * nj / denom));
                        }
                    }
                    prepared.pair_start.push(prepared.pairs.len());
                    0.0
                }
            };
            prepared.obs.push(obs);
        }
        Ok(prepared)
    }

    /// Number of pairable units.
    pub(crate) fn units_pairable(&self) -> usize {
        self.obs.len()
    }

    pub(crate) fn accumulator(&self) -> Accumulator {
        let square = if self.metric == Metric::Ordinal {
            self.k * self.k
        } else {
            0
        };
        Accumulator {
            marginals: vec![0.0; self.k],
            obs: 0.0,
            coincidences: vec![0.0; square],
        }
    }

    /// Adds pairable unit `p`'s contribution `weight` times (the bootstrap passes how many
    /// times the unit was drawn).
    pub(crate) fn add_unit(&self, acc: &mut Accumulator, p: usize, weight: f64) {
        let (Some(&a), Some(&b)) = (self.marg_start.get(p), self.marg_start.get(p + 1)) else {
            return;
        };
        for &(c, n) in &self.marg[a..b] {
            acc.marginals[c] += weight * n;
        }
        if self.metric == Metric::Ordinal {
            let (Some(&a), Some(&b)) = (self.pair_start.get(p), self.pair_start.get(p + 1)) else {
                return;
            };
            for &(idx, o) in &self.pairs[a..b] {
                acc.coincidences[idx] += weight * o;
            }
        } else if let Some(o) = self.obs.get(p) {
            acc.obs += weight * o;
        }
    }

    /// Adds each pairable unit `p` `draws[p]` times (a bootstrap resample): the same terms
    /// as [`Prepared::add_unit`] of each drawn unit in turn, each running sum taking them in
    /// unit order, so the same bits, with the checks and the metric's test out of the loop
    /// and the observed sum kept in a register.
    pub(crate) fn add_draws(&self, acc: &mut Accumulator, draws: &[u32]) {
        let units = draws.len().min(self.units_pairable());
        let marginals = &mut acc.marginals[..];
        let starts = &self.marg_start[..=units];
        if self.metric == Metric::Ordinal {
            let pair_starts = &self.pair_start[..=units];
            let coincidences = &mut acc.coincidences[..];
            for (p, &d) in draws[..units].iter().enumerate() {
                if d == 0 {
                    continue;
                }
                let weight = f64::from(d);
                for &(c, n) in &self.marg[starts[p]..starts[p + 1]] {
                    marginals[c] += weight * n;
                }
                for &(idx, o) in &self.pairs[pair_starts[p]..pair_starts[p + 1]] {
                    coincidences[idx] += weight * o;
                }
            }
        } else {
            let obs = &self.obs[..units];
            let mut sum = acc.obs;
            for (p, &d) in draws[..units].iter().enumerate() {
                if d == 0 {
                    continue;
                }
                let weight = f64::from(d);
                for &(c, n) in &self.marg[starts[p]..starts[p + 1]] {
                    marginals[c] += weight * n;
                }
                sum += weight * obs[p];
            }
            acc.obs = sum;
        }
    }

    /// Frees the units' contributions, once their [`Profiles`] hold what the resamples need:
    /// only [`Prepared::set_draws`] and [`Prepared::alpha`] may be used afterwards.
    pub(crate) fn forget_units(&mut self) {
        self.marg_start = Vec::new();
        self.marg = Vec::new();
        self.obs = Vec::new();
        self.pair_start = Vec::new();
        self.pairs = Vec::new();
    }

    /// The resample sums in whole numbers, when they can be: see [`Profiles`]. `None` when
    /// a unit's observed term is not a small enough multiple of a power of two for every sum a
    /// resample makes to be exact.
    pub(crate) fn profiles(&self) -> Option<Profiles> {
        let units = self.units_pairable();
        let observed: &[f64] = if self.metric == Metric::Ordinal {
            &[]
        } else {
            &self.obs
        };
        let terms = || {
            observed
                .iter()
                .copied()
                .chain(self.pairs.iter().map(|&(_, o)| o))
        };
        // The finest power of two the observed terms are multiples of: 2^-shift.
        let mut shift = 0i32;
        for x in terms() {
            shift = shift.max(fraction_bits(x)?);
        }
        if shift > MAX_SHIFT {
            return None;
        }
        let scale = pow2(shift);
        let whole = |x: f64| -> Option<u64> {
            let q = x * scale;
            (q.fract() == 0.0 && q < EXACT_LIMIT).then_some(q as u64)
        };
        // A resample draws `units` units in all, so no sum exceeds `units` times the largest
        // term; below 2^53 every partial sum the floating-point loop makes is exact.
        let mut largest = 0u64;
        let mut entries: Vec<(u32, u64)> = Vec::new();
        let mut of_unit = Vec::with_capacity(units);
        let mut start = vec![0usize];
        let mut seen: std::collections::HashMap<Vec<(u32, u64)>, u32> =
            std::collections::HashMap::new();
        let mut key: Vec<(u32, u64)> = Vec::new();
        let k = self.k as u32;
        for p in 0..units {
            key.clear();
            for &(c, n) in &self.marg[self.marg_start[p]..self.marg_start[p + 1]] {
                // A count of ratings: a whole number already.
                let n =
                    (n.fract() == 0.0 && (0.0..EXACT_LIMIT).contains(&n)).then_some(n as u64)?;
                largest = largest.max(n);
                key.push((u32::try_from(c).ok()?, n));
            }
            if self.metric == Metric::Ordinal {
                for &(idx, o) in &self.pairs[self.pair_start[p]..self.pair_start[p + 1]] {
                    let q = whole(o)?;
                    largest = largest.max(q);
                    key.push((k.checked_add(u32::try_from(idx).ok()?)?, q));
                }
            } else {
                let q = whole(self.obs[p])?;
                largest = largest.max(q);
                key.push((k, q));
            }
            let id = match seen.get(key.as_slice()) {
                Some(&id) => id,
                None => {
                    let id = u32::try_from(seen.len()).ok()?;
                    entries.extend_from_slice(&key);
                    start.push(entries.len());
                    seen.insert(key.clone(), id);
                    id
                }
            };
            of_unit.push(id);
        }
        if u128::from(largest) * (units as u128) >= u128::from(EXACT_LIMIT as u64) {
            return None;
        }
        let slots = if self.metric == Metric::Ordinal {
            self.k + self.k * self.k
        } else {
            self.k + 1
        };
        Some(Profiles {
            of_unit,
            start,
            entries,
            slots,
            unit: pow2(-shift),
        })
    }

    /// What [`Prepared::add_draws`] of `draws` onto a cleared accumulator gives, bit for bit,
    /// from the units' [`Profiles`]: the draws counted by profile, each profile's whole-number
    /// terms times its count summed in integers, then converted.
    pub(crate) fn set_draws(
        &self,
        profiles: &Profiles,
        scratch: &mut ProfileScratch,
        acc: &mut Accumulator,
        draws: &[u32],
    ) {
        let counts = &mut scratch.counts;
        counts.clear();
        counts.resize(profiles.start.len() - 1, 0);
        for (&id, &d) in profiles.of_unit.iter().zip(draws) {
            counts[id as usize] += u64::from(d);
        }
        let totals = &mut scratch.totals;
        totals.clear();
        totals.resize(profiles.slots, 0);
        for (id, &count) in counts.iter().enumerate() {
            if count == 0 {
                continue;
            }
            for &(slot, q) in &profiles.entries[profiles.start[id]..profiles.start[id + 1]] {
                totals[slot as usize] += count * q;
            }
        }
        let k = self.k;
        for (m, &t) in acc.marginals.iter_mut().zip(&totals[..k]) {
            *m = t as f64;
        }
        if self.metric == Metric::Ordinal {
            for (o, &t) in acc.coincidences.iter_mut().zip(&totals[k..]) {
                *o = t as f64 * profiles.unit;
            }
        } else {
            acc.obs = totals[k] as f64 * profiles.unit;
        }
    }

    /// Alpha from accumulated sums.
    pub(crate) fn evaluate(&self, acc: &Accumulator) -> AlphaResult {
        let (alpha, d_o, d_e, n) = self.alpha_parts(acc);
        AlphaResult {
            metric: self.metric,
            alpha,
            units_pairable: self.units_pairable(),
            units_total: self.units_total,
            pairable_values: n.round() as usize,
            observed_disagreement: d_o,
            expected_disagreement: d_e,
        }
    }

    /// Alpha only (the bootstrap's inner loop).
    pub(crate) fn alpha(&self, acc: &Accumulator) -> Option<f64> {
        self.alpha_parts(acc).0
    }

    /// `(alpha, D_o, D_e, n)`.
    fn alpha_parts(&self, acc: &Accumulator) -> (Option<f64>, f64, f64, f64) {
        let k = self.k;
        let nc = &acc.marginals;
        let n: f64 = nc.iter().sum();
        let occupied = nc.iter().filter(|&&x| x > 0.0).count();
        let (obs_num, exp_num) = match self.metric {
            Metric::Nominal => {
                let same: f64 = nc.iter().map(|x| x * x).sum();
                (acc.obs, n * n - same)
            }
            Metric::Interval | Metric::Ratio => {
                let mut e = 0.0;
                for c in 0..k {
                    if nc[c] == 0.0 {
                        continue;
                    }
                    for j in c + 1..k {
                        e += 2.0 * nc[c] * nc[j] * self.delta[c * k + j];
                    }
                }
                (acc.obs, e)
            }
            Metric::Ordinal => {
                // prefix[i] = Σ_{g < i} n_g
                let mut prefix = Vec::with_capacity(k + 1);
                prefix.push(0.0);
                let mut run = 0.0;
                for &x in nc {
                    run += x;
                    prefix.push(run);
                }
                let mut o = 0.0;
                let mut e = 0.0;
                for c in 0..k {
                    for j in c + 1..k {
                        let d = prefix[j + 1] - prefix[c] - (nc[c] + nc[j]) / 2.0;
                        let d2 = d * d;
                        o += acc.coincidences[c * k + j] * d2;
                        e += 2.0 * nc[c] * nc[j] * d2;
                    }
                }
                (o, e)
            }
        };
        if n < 2.0 {
            return (None, 0.0, 0.0, n);
        }
        let d_o = obs_num / n;
        let d_e = exp_num / (n * (n - 1.0));
        // D_e > 0 exactly when two or more levels are occupied (every δ² between distinct
        // levels is positive); with a single level alpha is undefined.
        let alpha = if occupied >= 2 && exp_num > 0.0 {
            Some(1.0 - (n - 1.0) * obs_num / exp_num).filter(|a| a.is_finite())
        } else {
            None
        };
        (alpha, d_o, d_e, n)
    }
}

/// The finest fraction the terms of [`Profiles`] may have: multiples of 2^-MAX_SHIFT.
const MAX_SHIFT: i32 = 60;

/// 2^53: every whole number below it is a double, and so is every sum of two of them that
/// stays below it.
const EXACT_LIMIT: f64 = 9_007_199_254_740_992.0;

/// 2^e, exactly, for `e` in `-MAX_SHIFT..=MAX_SHIFT`.
fn pow2(e: i32) -> f64 {
    f64::from_bits(((1023 + i64::from(e)) as u64) << 52)
}

/// How many binary digits after the point a finite, non-negative `x` needs (0 for a whole
/// number); `None` for a negative, infinite or NaN `x`.
fn fraction_bits(x: f64) -> Option<i32> {
    if !(x.is_finite() && x >= 0.0) {
        return None;
    }
    if x == 0.0 {
        return Some(0);
    }
    let bits = x.to_bits();
    let biased = ((bits >> 52) & 0x7ff) as i32;
    let fraction = bits & ((1u64 << 52) - 1);
    // x = mantissa × 2^exponent, mantissa a 53-bit whole number.
    let (mantissa, exponent) = if biased == 0 {
        (fraction, -1074)
    } else {
        (fraction | (1u64 << 52), biased - 1075)
    };
    let lowest = exponent + mantissa.trailing_zeros() as i32;
    Some((-lowest).max(0))
}

/// `δ²` for the metrics whose distance depends only on the two values.
fn fixed_delta(metric: Metric, a: f64, b: f64) -> f64 {
    match metric {
        Metric::Nominal | Metric::Ordinal => {
            if a == b {
                0.0
            } else {
                1.0
            }
        }
        Metric::Interval => (a - b) * (a - b),
        Metric::Ratio => {
            let s = a + b;
            if s == 0.0 {
                0.0
            } else {
                let r = (a - b) / s;
                r * r
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::rng::Xoshiro256;
    use super::{Metric, Prepared, ProfileScratch};
    use crate::agreement::Ratings;

    /// `units` units of `raters` ratings over `values`, each rating missing with chance
    /// `missing` (in 1/8ths), levels drawn from the first `spread` levels.
    fn random(
        rng: &mut Xoshiro256,
        values: &[f64],
        raters: usize,
        units: usize,
        missing: u64,
    ) -> Ratings {
        let cells = (0..units * raters)
            .map(|_| (rng.below(8) >= missing).then(|| rng.below(values.len() as u64) as u16))
            .collect();
        Ratings::new(values.to_vec(), raters, cells).unwrap()
    }

    /// The profiles' whole-number sums give the floating-point loop's bits, for every metric,
    /// on scales and rater counts where they apply, and are refused where they would not.
    #[test]
    fn profile_sums_are_the_floating_point_sums_bit_for_bit() {
        let mut rng = Xoshiro256::seed_from(11);
        let scales: [&[f64]; 4] = [
            &[0.0, 1.0, 2.0, 3.0, 4.0],
            &[1.0, 2.0, 3.0],
            &[0.0, 0.5, 2.25, 10.0],
            &[0.0, 0.1, 0.3],
        ];
        let mut exact = 0;
        let mut refused = 0;
        for values in scales {
            for raters in [2, 3, 4, 5, 9] {
                for missing in [0, 2] {
                    let r = random(&mut rng, values, raters, 300, missing);
                    for metric in Metric::ALL {
                        let Ok(prepared) = Prepared::new(&r, metric) else {
                            continue;
                        };
                        let Some(profiles) = prepared.profiles() else {
                            refused += 1;
                            continue;
                        };
                        exact += 1;
                        let units = prepared.units_pairable();
                        let mut scratch = ProfileScratch::default();
                        let mut a = prepared.accumulator();
                        let mut b = prepared.accumulator();
                        for round in 0..40 {
                            let mut draws = vec![0u32; units];
                            for _ in 0..units {
                                // Some resamples lean on a few units, to draw them many times.
                                let bound = if round % 4 == 0 { 3 } else { units as u64 };
                                draws[rng.below(bound) as usize] += 1;
                            }
                            a.clear();
                            prepared.add_draws(&mut a, &draws);
                            prepared.set_draws(&profiles, &mut scratch, &mut b, &draws);
                            let bits =
                                |v: &[f64]| v.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
                            assert_eq!(bits(&a.marginals), bits(&b.marginals));
                            assert_eq!(bits(&a.coincidences), bits(&b.coincidences));
                            assert_eq!(a.obs.to_bits(), b.obs.to_bits());
                            assert_eq!(
                                prepared.alpha(&a).map(f64::to_bits),
                                prepared.alpha(&b).map(f64::to_bits)
                            );
                        }
                    }
                }
            }
        }
        assert!(
            exact > 20 && refused > 20,
            "{exact} exact, {refused} refused"
        );
    }

    #[test]
    fn profiles_apply_to_a_rubric_scale_rated_by_five_and_not_by_four() {
        let mut rng = Xoshiro256::seed_from(3);
        let scale = [0.0, 1.0, 2.0, 3.0, 4.0];
        let five = random(&mut rng, &scale, 5, 500, 0);
        let four = random(&mut rng, &scale, 4, 500, 0);
        for metric in [Metric::Nominal, Metric::Ordinal, Metric::Interval] {
            assert!(Prepared::new(&five, metric).unwrap().profiles().is_some());
        }
        // Ratio distances such as ((2 − 1) / (2 + 1))² are not.
        assert!(
            Prepared::new(&five, Metric::Ratio)
                .unwrap()
                .profiles()
                .is_none()
        );
        // Thirds are not multiples of any power of two.
        assert!(
            Prepared::new(&four, Metric::Ordinal)
                .unwrap()
                .profiles()
                .is_none()
        );
        assert!(
            Prepared::new(&four, Metric::Nominal)
                .unwrap()
                .profiles()
                .is_none()
        );
    }
}
