//! `checkmyogp generate DIR` (hidden): a synthetic assessment of any size, for benchmarks and
//! load tests. Deterministic for a given seed.

use std::io::Write;
use std::path::PathBuf;

use anyhow::bail;

use crate::cli::Outcome;
use crate::write::atomic_write_with;

/// Write a synthetic assessment (plan, rubric, one long-form score file) for benchmarks.
#[derive(Debug, clap::Args)]
#[command(
    after_help = "Example:\n  checkmyogp generate /tmp/big --commitments 10000 --evaluators 30 --criteria 8"
)]
pub struct Args {
    /// The folder to create (must be empty or absent).
    pub dir: PathBuf,
    #[arg(long, default_value_t = 100)]
    pub commitments: usize,
    #[arg(long, default_value_t = 5)]
    pub evaluators: usize,
    /// Ordinal criteria, five levels each, rated per commitment.
    #[arg(long, default_value_t = 8)]
    pub criteria: usize,
    /// Share of ratings left out (0–1), so that coverage varies.
    #[arg(long, default_value_t = 0.0)]
    pub missing: f64,
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
}

const LEVELS: [&str; 5] = ["None", "Low", "Medium", "High", "Full"];

pub fn run(args: &Args) -> anyhow::Result<Outcome> {
    if let Some(listing) = crate::write::occupied(&args.dir)? {
        bail!(
            "{} is not empty (it holds {listing}); give a new folder",
            args.dir.display()
        );
    }
    if args.criteria == 0 || args.evaluators == 0 {
        bail!("--criteria and --evaluators must be at least 1");
    }
    std::fs::create_dir_all(args.dir.join("scores"))?;
    let (n, e, k) = (args.commitments, args.evaluators, args.criteria);
    atomic_write_with(&args.dir.join("plan.toml"), |w| {
        writeln!(
            w,
            "[plan]\ncountry = \"Synthetica\"\ntitle = \"Synthetic plan: {n} commitments\"\n"
        )?;
        writeln!(
            w,
            "[assessment]\nrubric = \"rubric.toml\"\nas_of = 2024-06-30\n"
        )?;
        for j in 0..e {
            writeln!(w, "[[evaluator]]\nid = \"e{j}\"\n")?;
        }
        for i in 0..n {
            writeln!(
                w,
                "[[commitment]]\nid = \"c{i}\"\ntitle = \"Commitment {i}\"\nlead = \"Agency {}\"\nend = 2024-12-31\n",
                i % 17
            )?;
        }
        Ok(())
    })?;
    atomic_write_with(&args.dir.join("rubric.toml"), |w| {
        writeln!(
            w,
            "[rubric]\nid = \"synthetic\"\nname = \"Synthetic rubric\"\ncompletion = \"k0\"\n\n[rating]\ncriterion = \"k0\"\n"
        )?;
        for c in 0..k {
            writeln!(
                w,
                "[[criterion]]\nid = \"k{c}\"\nname = \"Criterion {c}\"\nquestion = \"How good is it?\"\nscale = \"ordinal\"\nweight = {}",
                1 + c % 3
            )?;
            for (v, l) in LEVELS.iter().enumerate() {
                writeln!(w, "[[criterion.level]]\nlabel = \"{l}\"\nvalue = {v}")?;
            }
            writeln!(w)?;
        }
        writeln!(
            w,
            "[[flag]]\nid = \"top\"\nname = \"Top\"\nstar = true\n[[flag.condition]]\ncriterion = \"k0\"\nat_least = \"High\""
        )?;
        Ok(())
    })?;
    let mut state = args.seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
    let mut next = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    let skip = (args.missing.clamp(0.0, 1.0) * u64::MAX as f64) as u64;
    atomic_write_with(&args.dir.join("scores/scores.csv"), |w| {
        writeln!(w, "evaluator,commitment,criterion,level,evidence,comment")?;
        for i in 0..n {
            // Each commitment has a "true" level; evaluators scatter around it.
            let truth = (next() % 5) as i64;
            for j in 0..e {
                for c in 0..k {
                    if next() < skip {
                        continue;
                    }
                    let noise = (next() % 3) as i64 - 1;
                    let level = (truth + noise).clamp(0, 4) as usize;
                    let evidence = if level >= 3 {
                        "https://example.org/evidence"
                    } else {
                        ""
                    };
                    writeln!(w, "e{j},c{i},k{c},{},{evidence},", LEVELS[level])?;
                }
            }
        }
        Ok(())
    })?;
    writeln!(
        crate::terminal::stderr(),
        "wrote {}: {n} commitments × {e} evaluators × {k} criteria",
        args.dir.display()
    )?;
    Ok(Outcome::Ok)
}
