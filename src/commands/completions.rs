//! `checkmyogp completions SHELL`: shell completion scripts, generated from the clap
//! definitions: commands, options, formats and built-in rubric ids, plus the evaluator ids of
//! the plan in the current folder for `sheet --evaluator` (bash, zsh and fish ask
//! `checkmyogp completions --ids evaluators` for them).

use std::io::Write;

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
    #[arg(value_enum, required_unless_present = "ids")]
    pub shell: Option<Shell>,

    /// Print the ids of this kind from ./plan.toml, one a line (used by the scripts).
    #[arg(long, hide = true, value_enum, conflicts_with = "shell")]
    pub ids: Option<Ids>,
}

/// What `--ids` lists.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Ids {
    Evaluators,
    Commitments,
}

/// The command the scripts run to list evaluator ids (quietly: no plan, no ids).
const EVALUATORS: &str = "checkmyogp completions --ids evaluators 2>/dev/null";

/// Makes `sheet --evaluator` complete the plan's evaluator ids.
fn with_evaluator_ids(shell: Shell, script: String) -> String {
    match shell {
        Shell::Bash => {
            let Some(at) = script.find("\n        checkmyogp__subcmd__sheet)") else {
                return script;
            };
            let (head, tail) = script.split_at(at);
            let mut tail = tail.to_string();
            for option in ["--evaluator)", "-e)"] {
                let from =
                    format!("{option}\n                    COMPREPLY=($(compgen -f \"${{cur}}\"))");
                let to = format!(
                    "{option}\n                    COMPREPLY=($(compgen -W \"$({EVALUATORS})\" -- \"${{cur}}\"))"
                );
                tail = tail.replacen(&from, &to, 1);
            }
            format!("{head}{tail}")
        }
        Shell::Zsh => {
            script
                .lines()
                .map(|l| {
                    if (l.starts_with("'--evaluator=[The evaluator")
                        || l.starts_with("'-e+[The evaluator"))
                        && l.ends_with(":ID:_default' \\")
                    {
                        l.replace(
                            ":ID:_default' \\",
                            &format!(":ID:{{compadd -- $({EVALUATORS})}}' \\"),
                        )
                    } else {
                        l.to_string()
                    }
                })
                .collect::<Vec<_>>()
                .join("\n")
                + "\n"
        }
        Shell::Fish => {
            script
                .lines()
                .map(|l| {
                    if l.contains("__fish_checkmyogp_using_subcommand sheet\" -s e -l evaluator") {
                        format!("{l} -f -a \"({EVALUATORS})\"")
                    } else {
                        l.to_string()
                    }
                })
                .collect::<Vec<_>>()
                .join("\n")
                + "\n"
        }
        _ => script,
    }
}

/// The script for a shell.
pub fn script(shell: Shell) -> String {
    let mut cmd = crate::cli::command();
    let mut out = Vec::new();
    clap_complete::generate(shell, &mut cmd, "checkmyogp", &mut out);
    with_evaluator_ids(shell, String::from_utf8_lossy(&out).into_owned())
}

pub fn run(args: &Args) -> anyhow::Result<Outcome> {
    let mut out = crate::terminal::stdout(crate::terminal::Shown::Text);
    if let Some(kind) = args.ids {
        let mut report = crate::diag::Report::new();
        let mut sources = crate::source::SourceMap::default();
        if let Some(plan) =
            crate::load::load_plan(std::path::Path::new("plan.toml"), &mut sources, &mut report)
        {
            let ids: Vec<&str> = match kind {
                Ids::Evaluators => plan.evaluators.iter().map(|e| e.id.as_str()).collect(),
                Ids::Commitments => plan.commitments.iter().map(|c| c.id.as_str()).collect(),
            };
            for id in ids {
                writeln!(out, "{id}")?;
            }
        }
        return Ok(Outcome::Ok);
    }
    if let Some(shell) = args.shell {
        drop(out);
        // A closed pipe (`completions bash | head`) is not a failure; see cli.rs.
        super::to_stdout(script(shell).as_bytes(), crate::terminal::Shown::Text)?;
    }
    Ok(Outcome::Ok)
}
