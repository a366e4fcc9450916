//! `checkmyogp completions SHELL`: shell completion scripts, generated from the clap definitions.

use clap_complete::Shell;

use crate::cli::Outcome;

/// Print a shell completion script.
///
/// Example: checkmyogp completions bash > ~/.local/share/bash-completion/completions/checkmyogp
#[derive(Debug, clap::Args)]
#[command(
    after_help = "Example:\n  checkmyogp completions bash > ~/.local/share/bash-completion/completions/checkmyogp"
)]
pub struct Args {
    /// The shell: bash, zsh, fish, elvish or powershell.
    #[arg(value_enum)]
    pub shell: Shell,
}

pub fn run(args: &Args) -> anyhow::Result<Outcome> {
    let mut cmd = crate::cli::command();
    let mut out = std::io::stdout().lock();
    clap_complete::generate(args.shell, &mut cmd, "checkmyogp", &mut out);
    Ok(Outcome::Ok)
}
