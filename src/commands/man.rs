//! `checkmyogp man`: the manual pages in roff, generated from the clap definitions: the main
//! page, one page per command (`man assess`, `man rubric-show`), or every page into a folder.

use std::io::Write;
use std::path::PathBuf;

use anyhow::Context;

use crate::cli::Outcome;

const EXAMPLES: &str = "\
Examples:
  checkmyogp man | man -l -
  checkmyogp man assess --output checkmyogp-assess.1
  checkmyogp man --dir man/man1            # every page: checkmyogp.1, checkmyogp-assess.1, …";

/// Print a manual page (roff), or write every page into a folder.
#[derive(Debug, clap::Args)]
#[command(after_help = EXAMPLES)]
pub struct Args {
    /// The command whose page to print (e.g. assess, or rubric-show); default: the main page.
    #[arg(value_name = "COMMAND")]
    pub page: Option<String>,

    /// Write the page to this file instead of standard output.
    #[arg(long, short, value_name = "FILE", conflicts_with = "dir")]
    pub output: Option<PathBuf>,

    /// Write every page (the main one and one per command) into this folder.
    #[arg(long, value_name = "DIR", conflicts_with = "page")]
    pub dir: Option<PathBuf>,

    /// Replace files even if they were edited since checkmyogp wrote them.
    #[arg(long)]
    pub force: bool,
}

/// Every page: (file name, roff), the main page first, then each command that is not hidden,
/// depth first. The same names the main page lists under SUBCOMMANDS.
pub fn pages() -> anyhow::Result<Vec<(String, Vec<u8>)>> {
    fn walk(cmd: &clap::Command, out: &mut Vec<(String, Vec<u8>)>) -> anyhow::Result<()> {
        let man = clap_mangen::Man::new(cmd.clone());
        let mut page = Vec::new();
        man.render(&mut page)?;
        out.push((man.get_filename(), page));
        for sub in cmd.get_subcommands().filter(|s| !s.is_hide_set()) {
            walk(sub, out)?;
        }
        Ok(())
    }
    let mut cmd = crate::cli::command().disable_help_subcommand(true);
    cmd.build();
    let mut out = Vec::new();
    walk(&cmd, &mut out)?;
    Ok(out)
}

pub fn run(args: &Args) -> anyhow::Result<Outcome> {
    let pages = pages()?;
    if let Some(dir) = &args.dir {
        std::fs::create_dir_all(dir)
            .with_context(|| format!("could not create the folder {}", dir.display()))?;
        // One batch: every page is checked before the first is written, and the folder's
        // ledger gets all the fingerprints in one append.
        let batch: Vec<(std::path::PathBuf, &[u8])> = pages
            .iter()
            .map(|(name, page)| (dir.join(name), page.as_slice()))
            .collect();
        crate::write::write_outputs(&batch, args.force)
            .with_context(|| format!("could not write the manual pages into {}", dir.display()))?;
        writeln!(
            crate::terminal::stderr(),
            "wrote {} manual pages into {}: {}",
            pages.len(),
            dir.display(),
            pages
                .iter()
                .map(|(n, _)| n.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        )?;
        return Ok(Outcome::Ok);
    }
    let wanted = match &args.page {
        None => "checkmyogp.1".to_string(),
        Some(p) => format!(
            "checkmyogp-{}.1",
            p.trim().trim_start_matches("checkmyogp-").replace(' ', "-")
        ),
    };
    let Some((_, page)) = pages.iter().find(|(n, _)| *n == wanted) else {
        let names: Vec<String> = pages
            .iter()
            .skip(1)
            .map(|(n, _)| {
                n.trim_start_matches("checkmyogp-")
                    .trim_end_matches(".1")
                    .to_string()
            })
            .collect();
        writeln!(
            crate::terminal::stderr(),
            "error: there is no manual page for \"{}\"\n  expected: {}",
            args.page.as_deref().unwrap_or(""),
            crate::suggest::one_of(&names.iter().map(String::as_str).collect::<Vec<_>>(), 40)
        )?;
        return Ok(Outcome::Usage);
    };
    // `--output -` is standard output, as for the other commands, not a file named `-`.
    match args.output.as_ref().filter(|p| p.as_os_str() != "-") {
        Some(path) => {
            crate::write::write_output(path, page, args.force)
                .with_context(|| format!("could not write {}", path.display()))?;
            writeln!(crate::terminal::stderr(), "wrote {}", path.display())?;
        }
        None => super::to_stdout(page, crate::terminal::Shown::Text)?,
    }
    Ok(Outcome::Ok)
}
