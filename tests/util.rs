//! Shared helpers: run the real binary in a temporary folder and capture what it printed.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

pub(crate) fn bin() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_checkmyogp"))
}

/// The repository root (where Cargo.toml is).
pub(crate) fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// What a run printed and how it ended.
#[derive(Debug)]
pub(crate) struct Run {
    pub(crate) code: i32,
    pub(crate) stdout: String,
    pub(crate) stderr: String,
}

/// Runs `checkmyogp ARGS` in `dir` without colour.
pub(crate) fn run_in(dir: &Path, args: &[&str]) -> Run {
    let out = Command::new(bin())
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .env_remove("CLICOLOR_FORCE")
        // Tables follow COLUMNS: outputs compared with files must not depend on the terminal.
        .env_remove("COLUMNS")
        .stdin(Stdio::null())
        .output()
        .expect("the binary runs");
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// A synthetic assessment made by the hidden `generate` command in `parent/name`, with 8
/// criteria.
pub(crate) fn generated(parent: &Path, name: &str, commitments: &str, evaluators: &str) -> PathBuf {
    let run = run_in(
        parent,
        &[
            "generate",
            name,
            "--commitments",
            commitments,
            "--evaluators",
            evaluators,
            "--criteria",
            "8",
        ],
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    parent.join(name)
}

/// Copies a folder tree.
pub(crate) fn copy_tree(from: &Path, to: &Path) {
    fs::create_dir_all(to).unwrap();
    for entry in fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_tree(&entry.path(), &target);
        } else {
            fs::copy(entry.path(), &target).unwrap();
        }
    }
}

/// A temporary copy of a shipped sample.
pub(crate) fn sample(name: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    copy_tree(&root().join("samples").join(name), dir.path());
    dir
}

/// Compares `actual` with the snapshot file `tests/snapshots/NAME`, or rewrites it with `SNAPSHOTS=overwrite`.
pub(crate) fn check_snapshot(name: &str, actual: &str) {
    let path = root().join("tests/snapshots").join(name);
    if std::env::var("SNAPSHOTS").is_ok_and(|v| v == "overwrite") {
        fs::create_dir_all(path.parent().unwrap()).unwrap();
        fs::write(&path, actual).unwrap();
        return;
    }
    let expected = fs::read_to_string(&path).unwrap_or_else(|_| {
        panic!(
            "{} is missing; run with SNAPSHOTS=overwrite",
            path.display()
        )
    });
    pretty_assertions::assert_eq!(
        expected,
        actual,
        "{name} differs from its snapshot (SNAPSHOTS=overwrite rewrites it)"
    );
}

/// Every file under `dir` with its bytes, for before/after comparisons.
pub(crate) fn snapshot_tree(dir: &Path) -> Vec<(PathBuf, Vec<u8>)> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in fs::read_dir(&d).unwrap() {
            let entry = entry.unwrap();
            if entry.file_type().unwrap().is_dir() {
                stack.push(entry.path());
            } else {
                out.push((entry.path(), fs::read(entry.path()).unwrap()));
            }
        }
    }
    out.sort();
    out
}

/// Runs `checkmyogp ARGS` in `dir` under a memory ceiling (address space, `ulimit -v`) and a
/// time limit; returns (exit code, stderr, elapsed). A run over the ceiling fails to allocate
/// and aborts, which the caller sees as an exit code other than 0, 1 or 2.
pub(crate) fn bounded(
    dir: &Path,
    args: &[&str],
    max_mb: u64,
    max_secs: u64,
) -> (i32, String, std::time::Duration) {
    bounded_in(dir, args, max_mb, max_secs, &[])
}

/// [`bounded`] with one malloc arena (`MALLOC_ARENA_MAX=1`), so that the ceiling measures what
/// the program allocates rather than the address space glibc reserves for each thread's own
/// arena (64 MB each), which depends on how many threads happened to allocate.
pub(crate) fn bounded_heap(
    dir: &Path,
    args: &[&str],
    max_mb: u64,
    max_secs: u64,
) -> (i32, String, std::time::Duration) {
    bounded_in(dir, args, max_mb, max_secs, &[("MALLOC_ARENA_MAX", "1")])
}

/// [`bounded`] with more environment variables.
pub(crate) fn bounded_in(
    dir: &Path,
    args: &[&str],
    max_mb: u64,
    max_secs: u64,
    env: &[(&str, &str)],
) -> (i32, String, std::time::Duration) {
    use std::io::Read;
    use std::time::{Duration, Instant};
    let shell_args = args
        .iter()
        .map(|a| format!("'{a}'"))
        .collect::<Vec<_>>()
        .join(" ");
    let script = format!(
        "ulimit -v {}; exec '{}' {shell_args}",
        max_mb * 1024,
        bin().display()
    );
    let start = Instant::now();
    let mut child = Command::new("sh")
        .args(["-c", &script])
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .envs(env.iter().copied())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stderr = child.stderr.take().unwrap();
    let reader = std::thread::spawn(move || {
        let mut err = String::new();
        let _ = stderr.read_to_string(&mut err);
        err
    });
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            let err = reader.join().unwrap();
            return (status.code().unwrap_or(-1), err, start.elapsed());
        }
        if start.elapsed() > Duration::from_secs(max_secs) {
            let _ = child.kill();
            panic!("{args:?} took more than {max_secs} s");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}
