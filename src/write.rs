//! The one way this tool writes files: atomically (a temporary file in the same folder,
//! flushed and synced, then renamed over the target), and never over a file a person may have
//! edited unless they pass `--force`.
//!
//! To tell "a file this tool wrote and nobody touched since" from "a file a person edited", every
//! written file's fingerprint (an FNV-1a hash of its bytes) is recorded in a small ledger,
//! `.checkmyogp-written`, in the same folder. A target that exists is overwritten only when its
//! current fingerprint matches the ledger, or with `--force`.

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};

/// The ledger of fingerprints, one per folder.
pub const LEDGER: &str = ".checkmyogp-written";

/// A stable 64-bit FNV-1a hash (stable across platforms and Rust versions, unlike std's).
pub fn fingerprint(bytes: &[u8]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for &b in bytes {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    h
}

/// A temporary file beside `path`, with the permissions the final file should have: those of
/// the file it replaces, or read-write for the owner and readable by others (temporary files
/// are created private, which is wrong for a report meant to be shared).
fn temp_beside(path: &Path) -> Result<tempfile::NamedTempFile> {
    let dir = folder_of(path);
    let mut builder = tempfile::Builder::new();
    builder.prefix(".checkmyogp-").suffix(".tmp");
    let permissions = match fs::metadata(path) {
        Ok(m) => Some(m.permissions()),
        Err(_) => default_permissions(),
    };
    if let Some(p) = permissions {
        builder.permissions(p);
    }
    builder
        .tempfile_in(&dir)
        .with_context(|| format!("cannot create a temporary file in {}", dir.display()))
}

#[cfg(unix)]
fn default_permissions() -> Option<fs::Permissions> {
    use std::os::unix::fs::PermissionsExt;
    Some(fs::Permissions::from_mode(0o644))
}

#[cfg(not(unix))]
fn default_permissions() -> Option<fs::Permissions> {
    None
}

fn folder_of(path: &Path) -> PathBuf {
    match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    }
}

/// Writes `bytes` to `path` atomically: readers see the old file or the new one, never a
/// half-written one, and an interrupted write leaves the old file intact.
pub fn atomic_write(path: &Path, bytes: &[u8]) -> Result<()> {
    let mut tmp = temp_beside(path)?;
    tmp.write_all(bytes)
        .and_then(|()| tmp.flush())
        .and_then(|()| tmp.as_file().sync_all())
        .with_context(|| format!("cannot write {}", path.display()))?;
    tmp.persist(path)
        .map_err(|e| e.error)
        .with_context(|| format!("cannot replace {}", path.display()))?;
    Ok(())
}

/// Like [`atomic_write`], for content produced piece by piece (large generated files).
pub fn atomic_write_with(
    path: &Path,
    fill: impl FnOnce(&mut dyn Write) -> std::io::Result<()>,
) -> Result<()> {
    let tmp = temp_beside(path)?;
    let mut w = std::io::BufWriter::with_capacity(1 << 20, tmp);
    fill(&mut w)
        .and_then(|()| w.flush())
        .with_context(|| format!("cannot write {}", path.display()))?;
    let tmp = w
        .into_inner()
        .map_err(|e| e.into_error())
        .with_context(|| format!("cannot write {}", path.display()))?;
    tmp.as_file()
        .sync_all()
        .with_context(|| format!("cannot write {}", path.display()))?;
    tmp.persist(path)
        .map_err(|e| e.error)
        .with_context(|| format!("cannot replace {}", path.display()))?;
    Ok(())
}

/// What a folder holds, for commands that only fill a new or empty folder: `None` when it does
/// not exist or is empty, otherwise a short listing ("plan.toml, scores and 2 more"). A path
/// that is a file is an error.
pub fn occupied(dir: &Path) -> Result<Option<String>> {
    if !dir.exists() {
        return Ok(None);
    }
    if !dir.is_dir() {
        bail!(
            "{} is a file, not a folder; give the name of a new folder",
            dir.display()
        );
    }
    let mut names: Vec<String> = fs::read_dir(dir)
        .with_context(|| format!("could not read the folder {}", dir.display()))?
        .filter_map(std::result::Result::ok)
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    if names.is_empty() {
        return Ok(None);
    }
    names.sort();
    let more = names.len().saturating_sub(3);
    names.truncate(3);
    let mut listing = names.join(", ");
    if more > 0 {
        listing.push_str(&format!(" and {more} more"));
    }
    Ok(Some(listing))
}

fn read_ledger(dir: &Path) -> Vec<(String, u64)> {
    let Ok(text) = fs::read_to_string(dir.join(LEDGER)) else {
        return Vec::new();
    };
    text.lines()
        .filter_map(|line| {
            let (name, hash) = line.rsplit_once('\t')?;
            Some((name.to_string(), u64::from_str_radix(hash, 16).ok()?))
        })
        .collect()
}

/// Whether `path` may be replaced without `--force`: it does not exist, or it is exactly what
/// this tool last wrote there.
pub fn is_untouched(path: &Path) -> bool {
    let Ok(current) = fs::read(path) else {
        return !path.exists();
    };
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    read_ledger(&folder_of(path))
        .iter()
        .any(|(n, h)| *n == name && *h == fingerprint(&current))
}

/// Writes an output file the way every command should: refuses to replace a file a person
/// may have edited (unless `force`), writes atomically, and records the fingerprint.
pub fn write_output(path: &Path, bytes: &[u8], force: bool) -> Result<()> {
    if path.is_dir() {
        bail!("{} is a folder; give a file name", path.display());
    }
    if !force && !is_untouched(path) {
        bail!(
            "{} already exists and was not written by checkmyogp (or was edited since): it was left as it is.\n\
             Choose another --output, move the file away, or add --force to replace it.",
            path.display()
        );
    }
    atomic_write(path, bytes)?;
    record(path, bytes)
}

fn record(path: &Path, bytes: &[u8]) -> Result<()> {
    let dir = folder_of(path);
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let mut ledger: Vec<(String, u64)> = read_ledger(&dir)
        .into_iter()
        .filter(|(n, _)| *n != name)
        .collect();
    ledger.push((name, fingerprint(bytes)));
    ledger.sort();
    let mut text = String::from(
        "# Files written by checkmyogp and their fingerprints, so it never overwrites your edits.\n",
    );
    for (n, h) in &ledger {
        text.push_str(&format!("{n}\t{h:016x}\n"));
    }
    atomic_write(&dir.join(LEDGER), text.as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fingerprint_is_fnv1a() {
        assert_eq!(fingerprint(b""), 0xcbf2_9ce4_8422_2325);
        assert_eq!(fingerprint(b"a"), 0xaf63_dc4c_8601_ec8c);
    }

    #[test]
    fn refuses_edited_files_and_replaces_own_ones() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("out.md");
        write_output(&target, b"one", false).unwrap();
        write_output(&target, b"two", false).unwrap();
        assert_eq!(fs::read(&target).unwrap(), b"two");
        fs::write(&target, b"edited by a person").unwrap();
        let err = write_output(&target, b"three", false).unwrap_err();
        assert!(err.to_string().contains("was left as it is"));
        assert_eq!(fs::read(&target).unwrap(), b"edited by a person");
        write_output(&target, b"three", true).unwrap();
        assert_eq!(fs::read(&target).unwrap(), b"three");
        let names: Vec<_> = fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(names.len(), 2, "no temporary files left behind: {names:?}");
    }
}
