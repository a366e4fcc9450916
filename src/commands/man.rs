//! `checkmyogp man`: the manual page in roff, generated from the clap definitions (hidden from
//! help; used to install `checkmyogp.1`).

use std::io::Write;
use std::path::PathBuf;

use crate::cli::Outcome;

/// Print the manual page (roff), or write it to a file.
#[derive(Debug, clap::Args)]
#[command(after_help = "Example:\n  checkmyogp man --output checkmyogp.1 && man ./checkmyogp.1")]
pub struct Args {
    /// Write the page to this file instead of standard output.
    #[arg(long, value_name = "FILE")]
    pub output: Option<PathBuf>,

    /// Replace the file even if it was edited since checkmyogp wrote it.
    #[arg(long)]
    pub force: bool,
}

pub fn run(args: &Args) -> anyhow::Result<Outcome> {
    let mut page = Vec::new();
    clap_mangen::Man::new(crate::cli::command()).render(&mut page)?;
    match &args.output {
        Some(path) => crate::write::write_output(path, &page, args.force)?,
        None => {
            let mut out = std::io::stdout().lock();
            out.write_all(&page)?;
            out.flush()?;
        }
    }
    Ok(Outcome::Ok)
}
