//! The `checkmyogp` binary: everything happens in [`checkmyogp::cli::main`].

fn main() -> std::process::ExitCode {
    checkmyogp::cli::main()
}
