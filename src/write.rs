//! The one way this tool writes files: atomically (a temporary file in the same folder,
//! flushed and synced, then renamed over the target), and never over a file a person may have
//! edited unless they pass `--force`.
//!
//! To tell "a file this tool wrote and nobody touched since" from "a file a person edited", every
//! written file's fingerprint (an FNV-1a hash of its bytes) is recorded in a small ledger,
//! `.checkmyogp-written`, in the same folder. A target that exists is overwritten only when its
//! current fingerprint matches the ledger, or with `--force`. A command writing many files
//! checks them all before writing any ([`untouched_each`]: on every core, each folder's ledger
//! looked at once for all of them, and again at the end in case another run wrote it meanwhile).

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};

use crate::par::FirstError;

/// The ledger of fingerprints, one per folder.
pub const LEDGER: &str = ".checkmyogp-written";

/// A stable 64-bit FNV-1a hash (stable across platforms and Rust versions, unlike std's).
pub fn fingerprint(bytes: &[u8]) -> u64 {
    fingerprint_on(FNV_START, bytes)
}

const FNV_START: u64 = 0xcbf2_9ce4_8422_2325;

/// The FNV-1a hash `h` of some bytes, carried on over `bytes`.
fn fingerprint_on(mut h: u64, bytes: &[u8]) -> u64 {
    for &b in bytes {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    h
}

/// A writer that passes bytes on and keeps the [`fingerprint`] of all it passed.
struct Fingerprinting<W> {
    inner: W,
    hash: u64,
}

impl<W: Write> Write for Fingerprinting<W> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let n = self.inner.write(buf)?;
        self.hash = fingerprint_on(self.hash, buf.get(..n).unwrap_or_default());
        Ok(n)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.inner.flush()
    }
}

/// A temporary file beside `path`, with the permissions the final file should have
/// ([`permissions_of`]).
fn temp_beside(path: &Path) -> Result<tempfile::NamedTempFile> {
    temp_in(&folder_of(path), None, permissions_of(path))
}

/// The permissions a file replacing `path` should have: those of the file it replaces, or
/// read-write for the owner and readable by others (temporary files are created private,
/// which is wrong for a report meant to be shared).
fn permissions_of(path: &Path) -> Option<fs::Permissions> {
    match fs::metadata(path) {
        Ok(m) => Some(m.permissions()),
        Err(_) => default_permissions(),
    }
}

/// [`permissions_of`] `path`, whose metadata not following a link (`None` if it could not be
/// had) was just read: only a link is looked at again, to be followed.
fn permissions_from(path: &Path, meta: Option<&fs::Metadata>) -> Option<fs::Permissions> {
    match meta {
        Some(m) if !m.file_type().is_symlink() => Some(m.permissions()),
        Some(_) => permissions_of(path),
        None => default_permissions(),
    }
}

/// A temporary file in `dir` with `permissions`. It is made in `base`, the same folder from
/// the root, when the caller knows it: the temporary file's path is kept from the root, and
/// for a folder given relative to the current one, that is otherwise asked of the system for
/// each file.
fn temp_in(
    dir: &Path,
    base: Option<&Path>,
    permissions: Option<fs::Permissions>,
) -> Result<tempfile::NamedTempFile> {
    let mut builder = tempfile::Builder::new();
    builder.prefix(".checkmyogp-").suffix(".tmp");
    if let Some(p) = permissions {
        builder.permissions(p);
    }
    builder
        .tempfile_in(base.unwrap_or(dir))
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
    replace(staged(path, bytes)?, path)
}

/// A temporary file beside `path` holding `bytes`, synced to disk and closed, ready to replace
/// it. Closed, because many may wait at once (`draft --split`): an open file each would pass
/// the limit on open files, 256 on macOS and 1,024 on most Linux systems, long before a plan's
/// 5,000 commitments.
fn staged(path: &Path, bytes: &[u8]) -> Result<tempfile::TempPath> {
    let mut tmp = temp_beside(path)?;
    tmp.write_all(bytes)
        .and_then(|()| tmp.flush())
        .and_then(|()| tmp.as_file().sync_all())
        .with_context(|| format!("cannot write {}", path.display()))?;
    Ok(tmp.into_temp_path())
}

/// Renames a synced temporary file over `path`.
fn replace(tmp: tempfile::TempPath, path: &Path) -> Result<()> {
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
    replace(synced(w, path)?, path)
}

/// The temporary file behind `w`, its buffer written out and the file synced to disk and
/// closed, ready to be renamed over `path`.
fn synced(
    w: std::io::BufWriter<tempfile::NamedTempFile>,
    path: &Path,
) -> Result<tempfile::TempPath> {
    let tmp = w
        .into_inner()
        .map_err(|e| e.into_error())
        .with_context(|| format!("cannot write {}", path.display()))?;
    tmp.as_file()
        .sync_all()
        .with_context(|| format!("cannot write {}", path.display()))?;
    Ok(tmp.into_temp_path())
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

/// The largest ledger read (far beyond the lines of any folder's outputs).
const MAX_LEDGER_BYTES: u64 = 64 * 1024 * 1024;

/// The ledger's first line.
const LEDGER_HEADER: &str =
    "# Files written by checkmyogp and their fingerprints, so it never overwrites your edits.\n";

/// The ledger's entries, oldest first. A name may have several: a fingerprint is recorded
/// *before* its file replaces the target, so a run killed in between leaves the old file still
/// recognised, and entries are only ever appended, so two runs writing into one folder at once
/// cannot drop each other's.
fn read_ledger(dir: &Path) -> Vec<(String, u64)> {
    let Ok(bytes) = read_ledger_bytes(&dir.join(LEDGER)) else {
        return Vec::new();
    };
    String::from_utf8_lossy(&bytes)
        .lines()
        .filter_map(|line| {
            let (name, hash) = line.rsplit_once('\t')?;
            Some((name.to_string(), u64::from_str_radix(hash, 16).ok()?))
        })
        .collect()
}

/// The bytes of a ledger: only a regular file is read, never a link (see [`check_ledger`]).
fn read_ledger_bytes(path: &Path) -> Result<Vec<u8>> {
    use std::io::Read;
    check_ledger(path)?;
    let file = open_ledger(path, fs::OpenOptions::new().read(true))?;
    let mut bytes = Vec::new();
    file.take(MAX_LEDGER_BYTES + 1).read_to_end(&mut bytes)?;
    if bytes.len() as u64 > MAX_LEDGER_BYTES {
        bail!("{} is too large", path.display());
    }
    Ok(bytes)
}

/// Refuses a ledger that is a symbolic link or not a regular file: a folder someone else
/// shared could hold a `.checkmyogp-written` that leads to a file elsewhere, and the tool
/// would then read it and append to it. A ledger that does not exist yet is fine.
fn check_ledger(path: &Path) -> Result<()> {
    let Ok(meta) = fs::symlink_metadata(path) else {
        return Ok(());
    };
    let kind = if meta.file_type().is_symlink() {
        "a symbolic link"
    } else {
        match crate::source::not_a_file(&meta) {
            None => return Ok(()),
            Some(kind) => kind,
        }
    };
    bail!(
        "{} is {kind}, not a file: checkmyogp keeps its record of the files it writes only in a regular file, never through a link (which could lead out of the folder), so nothing was written.\n\
         Remove it, then run again (files already in that folder will then need --force once).",
        crate::source::display_path(path)
    )
}

/// Opens a ledger checked by [`check_ledger`], without following a link or waiting on a pipe
/// put in its place since (on Linux), and makes sure the file opened is a regular file.
fn open_ledger(path: &Path, options: &mut fs::OpenOptions) -> Result<fs::File> {
    #[cfg(any(target_os = "linux", target_os = "android"))]
    {
        use std::os::unix::fs::OpenOptionsExt;
        let flags = rustix::fs::OFlags::NOFOLLOW | rustix::fs::OFlags::NONBLOCK;
        options.custom_flags(i32::try_from(flags.bits()).unwrap_or_default());
    }
    let file = options
        .open(path)
        .with_context(|| format!("cannot open {}", path.display()))?;
    if !file.metadata().is_ok_and(|m| m.is_file()) {
        bail!("{} is not a regular file", path.display());
    }
    Ok(file)
}

/// What a target is, for [`is_untouched`]: absent, not a regular file this tool could read
/// (or not readable), or a regular file with its fingerprint.
enum Target {
    Absent,
    Unreadable,
    File(u64),
}

/// What `path` is ([`Target`]), its fingerprint read in pieces through `buf` (never whole
/// into memory), and only when it is a regular file (a link is followed, and its target must
/// be one). A target that is not a link is looked at once: its own metadata is also the one a
/// link would be followed to.
fn target_at(path: &Path, buf: &mut [u8]) -> Target {
    use std::io::Read;
    let meta = match fs::symlink_metadata(path) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Target::Absent,
        Err(_) => return Target::Unreadable,
        Ok(meta) if meta.file_type().is_symlink() => match fs::metadata(path) {
            Ok(meta) => meta,
            Err(_) => return Target::Unreadable,
        },
        Ok(meta) => meta,
    };
    if crate::source::not_a_file(&meta).is_some() {
        return Target::Unreadable;
    }
    let Ok(mut file) = fs::File::open(path) else {
        return Target::Unreadable;
    };
    let mut h = FNV_START;
    loop {
        let Ok(n) = file.read(buf) else {
            return Target::Unreadable;
        };
        if n == 0 {
            return Target::File(h);
        }
        h = fingerprint_on(h, buf.get(..n).unwrap_or_default());
    }
}

/// The size of the pieces a target is read in to be fingerprinted.
const READ_PIECE: usize = 1 << 16;

fn file_name(path: &Path) -> String {
    name_of(path).into_owned()
}

/// The name of `path` in its folder's ledger.
fn name_of(path: &Path) -> std::borrow::Cow<'_, str> {
    path.file_name()
        .map_or(std::borrow::Cow::Borrowed(""), |n| n.to_string_lossy())
}

/// Whether `path` may be replaced without `--force`: it does not exist, or it is a regular
/// file exactly as this tool last wrote it there.
pub fn is_untouched(path: &Path) -> bool {
    match target_at(path, &mut vec![0u8; READ_PIECE]) {
        Target::Absent => true,
        Target::Unreadable => false,
        Target::File(current) => recorded(&folder_of(path), &name_of(path), current),
    }
}

/// Whether each of `paths` may be replaced without `--force`, as [`is_untouched`] says, in
/// their order: the targets are read and fingerprinted on every core (`draft --split` checks
/// a file per commitment before writing any), and each folder's ledger is looked at once per
/// pass over the targets, not once per target. Should a ledger have changed by the end of a
/// pass (another run recorded files there meanwhile), every target is checked again against
/// it, up to three passes in all, so the answer is the one the ledger gives as it stands.
pub fn untouched_each(paths: &[PathBuf]) -> Vec<bool> {
    let mut folders: Vec<PathBuf> = Vec::new();
    let mut index: std::collections::HashMap<PathBuf, usize> = std::collections::HashMap::new();
    let folder_of_each: Vec<usize> = paths
        .iter()
        .map(|path| {
            let dir = folder_of(path);
            *index.entry(dir).or_insert_with_key(|dir| {
                folders.push(dir.clone());
                folders.len() - 1
            })
        })
        .collect();
    let mut passes = 0;
    loop {
        passes += 1;
        let ledgers: Vec<std::sync::OnceLock<std::sync::Arc<Ledger>>> =
            folders.iter().map(|_| std::sync::OnceLock::new()).collect();
        let answers = crate::par::map_with(
            paths.len(),
            UNTOUCHED_CHUNK,
            || vec![0u8; READ_PIECE],
            |buf, i| {
                let (Some(path), Some(&f)) = (paths.get(i), folder_of_each.get(i)) else {
                    return false;
                };
                match target_at(path, buf) {
                    Target::Absent => true,
                    Target::Unreadable => false,
                    Target::File(current) => {
                        let (Some(ledger), Some(dir)) = (ledgers.get(f), folders.get(f)) else {
                            return false;
                        };
                        ledger
                            .get_or_init(|| ledger_of(dir))
                            .holds(&name_of(path), current)
                    }
                }
            },
        );
        let changed = ledgers
            .iter()
            .zip(&folders)
            .any(|(ledger, dir)| ledger.get().is_some_and(|l| l.stamp != stamp_of(dir)));
        if !changed || passes == 3 {
            return answers;
        }
    }
}

/// Targets checked per thread at least, in [`untouched_each`] (fewer stay on one thread).
const UNTOUCHED_CHUNK: usize = 64;

/// A ledger's size and time of change: when both are as they were, it was not written since.
type Stamp = (u64, Option<std::time::SystemTime>);

/// The [`Stamp`] of the ledger of `dir` (an absent ledger's is `(0, None)`).
fn stamp_of(dir: &Path) -> Stamp {
    let meta = fs::metadata(dir.join(LEDGER)).ok();
    (
        meta.as_ref().map_or(0, fs::Metadata::len),
        meta.as_ref().and_then(|m| m.modified().ok()),
    )
}

/// A folder's ledger as read: its [`Stamp`] just before, and each name's fingerprints.
struct Ledger {
    stamp: Stamp,
    by_name: std::collections::HashMap<String, Vec<u64>>,
}

impl Ledger {
    /// Whether it records `hash` for `name`.
    fn holds(&self, name: &str, hash: u64) -> bool {
        self.by_name
            .get(name)
            .is_some_and(|hashes| hashes.contains(&hash))
    }
}

/// The last ledger read, with its folder: checking thousands of targets in one folder
/// (`draft --split`) reads its ledger once, not once per target.
static LEDGER_CACHE: std::sync::Mutex<Option<(PathBuf, std::sync::Arc<Ledger>)>> =
    std::sync::Mutex::new(None);

/// The ledger of `dir` as it stands: its [`Stamp`] is looked at, and the ledger read again
/// only when it is not the one last read.
fn ledger_of(dir: &Path) -> std::sync::Arc<Ledger> {
    let stamp = stamp_of(dir);
    let mut cache = lock(&LEDGER_CACHE);
    if let Some((d, ledger)) = &*cache
        && d == dir
        && ledger.stamp == stamp
    {
        return std::sync::Arc::clone(ledger);
    }
    let mut by_name: std::collections::HashMap<String, Vec<u64>> = std::collections::HashMap::new();
    for (n, h) in read_ledger(dir) {
        by_name.entry(n).or_default().push(h);
    }
    let ledger = std::sync::Arc::new(Ledger { stamp, by_name });
    *cache = Some((dir.to_path_buf(), std::sync::Arc::clone(&ledger)));
    ledger
}

/// Whether the ledger of `dir` records `hash` for `name`.
fn recorded(dir: &Path, name: &str, hash: u64) -> bool {
    ledger_of(dir).holds(name, hash)
}

/// Refuses a target that exists but is not a regular file (a device such as /dev/null or
/// /dev/zero, a FIFO, a socket, a folder, or a symbolic link, even to a regular file, such as
/// /dev/stdout), with or without `--force`: the tool only ever replaces regular files, and
/// never reads such a target to compare it.
pub fn check_target(path: &Path) -> Result<()> {
    let Ok(meta) = fs::symlink_metadata(path) else {
        return Ok(());
    };
    if meta.file_type().is_symlink() {
        return Err(link_target(path));
    }
    match crate::source::not_a_file(&meta) {
        None => Ok(()),
        Some("a folder") => bail!("{} is a folder; give a file name", path.display()),
        Some(kind) => bail!(
            "{} is {kind}, not a file: checkmyogp only writes regular files (even with --force).\n\
             To print to standard output, leave out --output (or give --output -); otherwise give a file name.",
            path.display()
        ),
    }
}

/// The error for a target that is a symbolic link. It is never replaced, with or without
/// `--force`: renaming a file over it would replace the link itself (`/dev/stdout` when run as
/// root), and writing through it could write outside the folder. A link into `/dev` or
/// `/proc` (`/dev/stdout`, `/proc/self/fd/1`) is a way of asking for standard output, which
/// has its own spelling.
fn link_target(path: &Path) -> anyhow::Error {
    let to = fs::read_link(path).unwrap_or_default();
    let device = |p: &Path| p.starts_with("/dev") || p.starts_with("/proc");
    let hint = if device(&to) || device(path) {
        "To print to standard output, leave out --output (or give --output -)."
    } else {
        "Give the file the link points to, or remove the link."
    };
    anyhow::anyhow!(
        "{} is a symbolic link, not a file: checkmyogp never replaces a link (even with --force).\n{hint}",
        path.display()
    )
}

/// Writes an output file the way every command should: refuses to replace a file a person
/// may have edited (unless `force`) or anything that is not a regular file, records the
/// fingerprint, and writes atomically.
pub fn write_output(path: &Path, bytes: &[u8], force: bool) -> Result<()> {
    write_outputs(&[(path.to_path_buf(), bytes)], force)
}

/// Refuses to replace `path` when a person made or edited it, unless `force`.
fn refuse_if_edited(path: &Path, force: bool) -> Result<()> {
    if !force && !is_untouched(path) {
        refuse(path)?;
    }
    Ok(())
}

/// Refuses, as [`refuse_if_edited`] does, the first of `paths` a person made or edited (all
/// checked at once, by [`untouched_each`]).
fn refuse_first_edited(paths: &[PathBuf]) -> Result<()> {
    let untouched = untouched_each(paths);
    match paths
        .iter()
        .zip(untouched)
        .find(|(_, untouched)| !untouched)
    {
        Some((path, _)) => refuse(path),
        None => Ok(()),
    }
}

/// The refusal of a target a person made or edited.
fn refuse(path: &Path) -> Result<()> {
    // A ledger that cannot be read is the cause, not the file: say so.
    check_ledger(&folder_of(path).join(LEDGER))?;
    bail!(
        "{} already exists and was not written by checkmyogp (or was edited since): it was left as it is.\n\
             Choose another --output, move the file away, or add --force to replace it.",
        path.display()
    )
}

/// Like [`write_output`], for content produced piece by piece (an `assess --format json` of
/// hundreds of megabytes): `fill` writes straight into the temporary file, through a buffer,
/// and the fingerprint is taken as the bytes pass, so the content is never held whole. The
/// order is [`write_outputs`']: the target is checked first, the ledger gets the fingerprint
/// before the file replaces its target. An error from `fill` leaves the target as it was (the
/// temporary file is removed) and is returned as it is.
pub fn write_output_with(
    path: &Path,
    force: bool,
    fill: impl FnOnce(&mut dyn Write) -> Result<()>,
) -> Result<()> {
    check_target(path)?;
    refuse_if_edited(path, force)?;
    write_with(path, fill)
}

/// [`write_output_with`] for a target the caller has just found free to replace (with
/// [`is_untouched`], or because of `--force`) while checking every target of a command before
/// writing any: the target is not read a second time (reading and fingerprinting a report of
/// 27 MB again took 40 ms).
pub fn write_checked_output_with(
    path: &Path,
    fill: impl FnOnce(&mut dyn Write) -> Result<()>,
) -> Result<()> {
    check_target(path)?;
    write_with(path, fill)
}

/// The writing of [`write_output_with`], once the target is known free to replace.
fn write_with(path: &Path, fill: impl FnOnce(&mut dyn Write) -> Result<()>) -> Result<()> {
    let tmp = temp_beside(path)?;
    let mut w = Fingerprinting {
        inner: std::io::BufWriter::with_capacity(1 << 20, tmp),
        hash: FNV_START,
    };
    fill(&mut w)?;
    w.flush()
        .with_context(|| format!("cannot write {}", path.display()))?;
    let hash = w.hash;
    let tmp = synced(w.inner, path)?;
    let dir = folder_of(path);
    let (before, after) = append_ledger(&dir, &[(file_name(path), hash)])?;
    replace(tmp, path)?;
    if ledger_step(after) > ledger_step(before) {
        tidy_ledger(&dir);
    }
    Ok(())
}

/// The ledger is tidied only when it passes 64 KiB, 128 KiB, 256 KiB, …: writing many files one
/// by one then reads the ledger a few times in all, not once per file.
fn ledger_step(size: u64) -> u32 {
    64 - (size / (64 * 1024)).leading_zeros()
}

/// Writes several output files in one go (`draft --split`, a report with its charts): every
/// target is checked before the first is written (nothing is written if one was edited,
/// unless `force`), each folder's ledger gets all the new fingerprints in one append before
/// any file replaces its target, and is tidied once at the end.
pub fn write_outputs<B: AsRef<[u8]> + Sync>(files: &[(PathBuf, B)], force: bool) -> Result<()> {
    for (path, _) in files {
        check_target(path)?;
    }
    if !force {
        let paths: Vec<PathBuf> = files.iter().map(|(path, _)| path.clone()).collect();
        refuse_first_edited(&paths)?;
    }
    let grown = record(
        files
            .iter()
            .map(|(path, bytes)| (path.as_path(), fingerprint(bytes.as_ref()))),
    )?;
    atomic_write_all(files)?;
    tidy_grown(&grown);
    Ok(())
}

/// Records new fingerprints in their folders' ledgers, one append per folder (in the order the
/// folders come); returns each folder with its ledger's size before and after.
fn record<'p>(files: impl Iterator<Item = (&'p Path, u64)>) -> Result<Vec<(PathBuf, (u64, u64))>> {
    let mut by_folder: Vec<(PathBuf, Vec<(String, u64)>)> = Vec::new();
    for (path, hash) in files {
        let dir = folder_of(path);
        let entry = (file_name(path), hash);
        match by_folder.iter_mut().find(|(d, _)| *d == dir) {
            Some((_, entries)) => entries.push(entry),
            None => by_folder.push((dir, vec![entry])),
        }
    }
    let mut grown = Vec::new();
    for (dir, entries) in by_folder {
        let sizes = append_ledger(&dir, &entries)?;
        grown.push((dir, sizes));
    }
    Ok(grown)
}

/// Tidies the ledgers that [`record`] made pass a step (see [`ledger_step`]).
fn tidy_grown(grown: &[(PathBuf, (u64, u64))]) {
    for (dir, (before, after)) in grown {
        if ledger_step(*after) > ledger_step(*before) {
            tidy_ledger(dir);
        }
    }
}

/// Like [`write_outputs`], for files whose contents are made one after the other (`draft
/// --split` renders one per commitment): `make` hands each file's bytes to `put`, with the
/// file's position in `paths` (each once), and while it makes the next ones, several threads
/// write each to a temporary file beside its target, ask the system to start putting it on
/// disk ([`start_writing`]) and close it, and more threads sync the files written
/// [`SYNC_LAG`] files before, many at once (see [`SYNCING_THREADS`]); the last ones are synced
/// when `make` is done. Then every target is checked, the fingerprints are appended to the
/// ledger in one go, and only then do the temporary files replace their targets, in order:
/// the same files, the same ledger and the same guarantees as [`write_outputs`] (each file
/// whole or not at all, every file synced and its fingerprint recorded before any file
/// replaces its target), with the writing done during the making instead of after it. A
/// target that already holds exactly the bytes made for it (a draft made again from the same
/// assessment) is left as it is: not written, not renamed, its time of change kept, and its
/// fingerprint recorded only if the ledger lacks it; no edit can be lost that way, so such a
/// file is never refused. Returns what `make` returned and how many files were left so. An
/// error from `make` is returned inside `Ok`, and leaves everything as it was (the temporary
/// files are removed).
pub fn write_outputs_as_made<T, E>(
    paths: &[PathBuf],
    force: bool,
    make: impl FnOnce(&(dyn Fn(usize, Vec<u8>) + Sync)) -> std::result::Result<T, E>,
) -> Result<std::result::Result<(T, usize), E>> {
    /// A file made: its temporary file (`None` when its target holds it already), and its
    /// fingerprint.
    type Staged = Option<(Option<tempfile::TempPath>, u64)>;
    let slots: Vec<std::sync::Mutex<Staged>> =
        paths.iter().map(|_| std::sync::Mutex::new(None)).collect();
    let failed = FirstError::default();
    let to_sync = SyncQueue::default();
    let synced = std::sync::atomic::AtomicUsize::new(0);
    let (sender, receiver) = std::sync::mpsc::channel::<(usize, Vec<u8>)>();
    let receiver = std::sync::Mutex::new(receiver);
    // The current folder, asked for once: the temporary files are made from the root (see
    // `temp_in`).
    let current = std::env::current_dir().ok();
    let stage = |i: usize, bytes: Vec<u8>| {
        if failed.index().is_some() {
            return;
        }
        let (Some(path), Some(slot)) = (paths.get(i), slots.get(i)) else {
            return;
        };
        // The target is looked at once, to see whether it holds the bytes already and for
        // the permissions of the file replacing it.
        let target = fs::symlink_metadata(path).ok();
        if target
            .as_ref()
            .is_some_and(|meta| holds_already(path, meta, &bytes))
        {
            *lock(slot) = Some((None, fingerprint(&bytes)));
            synced.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            return;
        }
        let base = current.as_ref().map(|c| c.join(folder_of(path)));
        let permissions = permissions_from(path, target.as_ref());
        match unsynced(path, base.as_deref(), permissions, &bytes) {
            Ok((tmp, sync)) => {
                *lock(slot) = Some((Some(tmp), fingerprint(&bytes)));
                match sync {
                    SyncWhen::Later => to_sync.push(i),
                    SyncWhen::Done => {
                        synced.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                    }
                }
            }
            Err(e) => {
                failed.keep(i, e);
                to_sync.stop();
            }
        }
    };
    let sync = |i: usize| {
        let (Some(path), Some(slot)) = (paths.get(i), slots.get(i)) else {
            return;
        };
        let done = match &*lock(slot) {
            Some((Some(tmp), _)) => sync_file(tmp),
            _ => return,
        };
        match done {
            Ok(()) => {
                synced.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            }
            Err(e) => {
                failed.keep(
                    i,
                    anyhow::Error::new(e).context(format!("cannot write {}", path.display())),
                );
                to_sync.stop();
            }
        }
    };
    let made = std::thread::scope(|scope| {
        // A thread that cannot be started leaves its share to the others (or to this thread,
        // at the end, if none could be).
        let writers: Vec<_> = (0..WRITING_THREADS)
            .filter_map(|_| {
                std::thread::Builder::new()
                    .spawn_scoped(scope, || {
                        loop {
                            let next = lock(&receiver).recv();
                            let Ok((i, bytes)) = next else {
                                return;
                            };
                            stage(i, bytes);
                        }
                    })
                    .ok()
            })
            .collect();
        for _ in 0..SYNCING_THREADS {
            let _ = std::thread::Builder::new()
                .stack_size(SYNCING_STACK)
                .spawn_scoped(scope, || {
                    while let Some(i) = to_sync.next() {
                        sync(i);
                    }
                });
        }
        // Should `make` panic, the syncing threads still end (when all is synced).
        let _finish = Finishing(&to_sync);
        let put = move |i: usize, bytes: Vec<u8>| {
            let _ = sender.send((i, bytes));
        };
        let made = make(&put);
        // With `put` goes the sender: the writing threads end when they have written what was
        // sent.
        drop(put);
        for writer in writers {
            let _ = writer.join();
        }
        for (i, bytes) in lock(&receiver).try_iter() {
            stage(i, bytes);
        }
        if made.is_err() {
            to_sync.stop();
        }
        // The syncing threads sync the files still waiting, and end.
        to_sync.finish();
        made
    });
    let made = match made {
        Ok(made) => made,
        Err(e) => return Ok(Err(e)),
    };
    // Files no syncing thread took (none could be started).
    while let Some(i) = to_sync.next() {
        sync(i);
    }
    if let Some(e) = failed.into_inner() {
        return Err(e);
    }
    let mut files = Vec::with_capacity(paths.len());
    for (path, slot) in paths.iter().zip(slots) {
        let Some((tmp, hash)) = slot
            .into_inner()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
        else {
            bail!("{} was not made", path.display());
        };
        files.push((path, tmp, hash));
    }
    if synced.into_inner() != files.len() {
        bail!("not every file could be synced to disk; nothing was replaced");
    }
    for (path, _, _) in &files {
        check_target(path)?;
    }
    if !force {
        let replacing: Vec<PathBuf> = files
            .iter()
            .filter(|(_, tmp, _)| tmp.is_some())
            .map(|(path, _, _)| path.to_path_buf())
            .collect();
        refuse_first_edited(&replacing)?;
    }
    // The files left as they are whose fingerprint the ledger lacks are recorded too: each
    // folder's ledger is looked at once here, as it stands now.
    let mut ledgers: Vec<(PathBuf, std::sync::Arc<Ledger>)> = Vec::new();
    let mut lacking = |path: &Path, hash: u64| {
        let dir = folder_of(path);
        let ledger = match ledgers.iter().find(|(d, _)| *d == dir) {
            Some((_, ledger)) => std::sync::Arc::clone(ledger),
            None => {
                let ledger = ledger_of(&dir);
                ledgers.push((dir, std::sync::Arc::clone(&ledger)));
                ledger
            }
        };
        !ledger.holds(&name_of(path), hash)
    };
    let grown = record(
        files
            .iter()
            .filter(|(path, tmp, hash)| tmp.is_some() || lacking(path, *hash))
            .map(|(path, _, hash)| (path.as_path(), *hash)),
    )?;
    let mut unchanged = 0;
    for (path, tmp, _) in files {
        match tmp {
            Some(tmp) => replace(tmp, path)?,
            None => unchanged += 1,
        }
    }
    tidy_grown(&grown);
    Ok(Ok((made, unchanged)))
}

/// Whether `path`, whose metadata not following a link is `meta`, is a regular file (not a
/// link) that holds exactly `bytes`, read no further than one byte past their length (a file
/// of another size is not read at all).
fn holds_already(path: &Path, meta: &fs::Metadata, bytes: &[u8]) -> bool {
    use std::io::Read;
    if !meta.file_type().is_file() || meta.len() != bytes.len() as u64 {
        return false;
    }
    let Ok(file) = fs::File::open(path) else {
        return false;
    };
    let mut held = Vec::with_capacity(bytes.len() + 1);
    file.take(bytes.len() as u64 + 1)
        .read_to_end(&mut held)
        .is_ok_and(|_| held == bytes)
}

/// How many files [`write_outputs_as_made`] writes ahead of the ones it syncs: each file is
/// synced once that many more have been started on their way to disk ([`start_writing`]), so
/// that a file system with a journal commits them together (one commit for those that came
/// before a sync, then only a flush of the disk's cache for each of them).
const SYNC_LAG: usize = 256;

/// The files written and waiting for their sync, handed out in the order they were written,
/// each once [`SYNC_LAG`] more are written, or when all are ([`Self::finish`]).
#[derive(Default)]
struct SyncQueue {
    state: std::sync::Mutex<(std::collections::VecDeque<usize>, Ending)>,
    ready: std::sync::Condvar,
}

/// Finishes a [`SyncQueue`] when dropped.
struct Finishing<'a>(&'a SyncQueue);

impl Drop for Finishing<'_> {
    fn drop(&mut self) {
        self.0.finish();
    }
}

/// Whether more files may come to a [`SyncQueue`].
#[derive(Default, Clone, Copy, PartialEq)]
enum Ending {
    /// More may come.
    #[default]
    Open,
    /// All have come: the last ones are handed out without waiting.
    Finished,
    /// Something failed: no more are handed out.
    Stopped,
}

impl SyncQueue {
    /// A file written, to be synced.
    fn push(&self, i: usize) {
        let mut state = lock(&self.state);
        state.0.push_back(i);
        if state.0.len() > SYNC_LAG {
            self.ready.notify_one();
        }
    }

    /// All files are written: the ones still waiting are handed out without waiting.
    fn finish(&self) {
        let mut state = lock(&self.state);
        if state.1 == Ending::Open {
            state.1 = Ending::Finished;
        }
        self.ready.notify_all();
    }

    /// No more files are handed out.
    fn stop(&self) {
        lock(&self.state).1 = Ending::Stopped;
        self.ready.notify_all();
    }

    /// The next file to sync, waiting for it if needed; `None` when there is none left.
    fn next(&self) -> Option<usize> {
        let mut state = lock(&self.state);
        loop {
            match state.1 {
                Ending::Stopped => return None,
                Ending::Finished => return state.0.pop_front(),
                Ending::Open if state.0.len() > SYNC_LAG => return state.0.pop_front(),
                Ending::Open => {
                    state = self
                        .ready
                        .wait(state)
                        .unwrap_or_else(std::sync::PoisonError::into_inner);
                }
            }
        }
    }
}

/// A temporary file beside `path` holding `bytes`, closed, and whether it is synced already.
/// Where it can be opened again to be synced later ([`sync_later`]), the system is asked to
/// start putting it on disk ([`start_writing`]) and [`sync_file`] will wait for that;
/// otherwise it is synced here, before it is closed.
fn unsynced(
    path: &Path,
    base: Option<&Path>,
    permissions: Option<fs::Permissions>,
    bytes: &[u8],
) -> Result<(tempfile::TempPath, SyncWhen)> {
    let mut tmp = temp_in(&folder_of(path), base, permissions)?;
    tmp.write_all(bytes)
        .with_context(|| format!("cannot write {}", path.display()))?;
    let sync = if sync_later(tmp.as_file()) {
        start_writing(tmp.as_file(), bytes.len());
        SyncWhen::Later
    } else {
        tmp.as_file()
            .sync_all()
            .with_context(|| format!("cannot write {}", path.display()))?;
        SyncWhen::Done
    };
    Ok((tmp.into_temp_path(), sync))
}

/// Whether a file written by [`unsynced`] is synced already or is to be synced by
/// [`sync_file`].
enum SyncWhen {
    Done,
    Later,
}

/// Whether a temporary file can be opened again, once closed, to be synced by [`sync_file`]:
/// on Linux, if its owner may read it (it takes the permissions of the file it replaces,
/// which may deny that). Elsewhere files are synced as they are written, as before:
/// [`start_writing`] does nothing there, so there is nothing to gain by waiting, and Windows
/// cannot sync a read-only file opened again.
#[cfg(any(target_os = "linux", target_os = "android"))]
fn sync_later(file: &fs::File) -> bool {
    use std::os::unix::fs::PermissionsExt;
    file.metadata()
        .is_ok_and(|m| m.permissions().mode() & 0o400 != 0)
}

#[cfg(not(any(target_os = "linux", target_os = "android")))]
fn sync_later(_file: &fs::File) -> bool {
    false
}

/// Asks the system to start putting a new file of `len` bytes on disk now, without waiting:
/// the sync that follows then finds it written, and, on a journaled file system (ext4), files
/// started one after the other have their blocks allocated in the same transaction, so one
/// commit holds many of them where each file's sync made a commit (and a flush of the disk's
/// cache) of its own. Only a hint, on Linux only (elsewhere the sync does all the writing):
/// nothing depends on it but speed.
///
/// The call for it that the tree has without `unsafe` is `posix_fadvise(POSIX_FADV_DONTNEED)`
/// (`rustix`), with which Linux starts writing back the range's dirty pages (not waited for)
/// before it drops the range's *whole* pages from the cache. It is given each page but its
/// first byte, a range that holds no whole page, so that nothing is dropped: pages still being
/// written cannot be, and Linux then drains every core's page lists, which is slow. Files
/// larger than [`MOST_STARTED`] are left to the sync.
#[cfg(any(target_os = "linux", target_os = "android"))]
fn start_writing(file: &fs::File, len: usize) {
    const PAGE: u64 = 4096;
    let len = len as u64;
    if len > MOST_STARTED {
        return;
    }
    let mut page = 0;
    while page < len {
        let _ = rustix::fs::fadvise(
            file,
            page + 1,
            std::num::NonZeroU64::new(PAGE - 1),
            rustix::fs::Advice::DontNeed,
        );
        page += PAGE;
    }
}

#[cfg(not(any(target_os = "linux", target_os = "android")))]
fn start_writing(_file: &fs::File, _len: usize) {}

/// The largest file [`start_writing`] starts (16 pages; `draft --split`'s files are a few kB).
#[cfg(any(target_os = "linux", target_os = "android"))]
const MOST_STARTED: u64 = 64 * 1024;

/// Opens a closed file again, for reading (enough to sync it on Linux; see [`sync_later`]),
/// and syncs it to disk.
fn sync_file(path: &Path) -> std::io::Result<()> {
    fs::File::open(path)?.sync_all()
}

/// Threads that sync written files ([`write_outputs_as_made`]). Each waits for the disk, not for the
/// processor, and holds one open file: a journaled file system commits, and flushes the
/// disk's cache, once for all the syncs waiting at that moment, so the more wait together the
/// fewer commits (5,001 files on ext4 with a journal: 6.6 s with 8 threads, 0.6 s with 32 and
/// [`start_writing`]), within the limit on open files. None outside Linux: there every file
/// is synced as it is written ([`sync_later`]), and these threads would only wait.
const SYNCING_THREADS: usize = if cfg!(any(target_os = "linux", target_os = "android")) {
    32
} else {
    0
};

/// The stack of a syncing thread: it only opens, syncs and closes a file.
const SYNCING_STACK: usize = 256 * 1024;

/// The value behind a mutex, even if a thread panicked holding it.
fn lock<T>(m: &std::sync::Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// Threads that write files: they wait for the disk (not for the processor), so more than the
/// cores pays; syncs waited for together are committed together by the file system. For
/// [`write_outputs_as_made`] they only write (and start) each file; [`SYNCING_THREADS`] sync.
const WRITING_THREADS: usize = 8;

/// Writes each file with [`atomic_write`]; many files on several threads, because each
/// file's sync waits for the disk, and syncs waited for together are committed together
/// (`draft --split` writes a file per commitment: 5,000 syncs one after the other took
/// seconds). Each file is still written whole or not at all. On an error, the files not yet
/// begun are left as they were, and the first failing file's error is returned.
fn atomic_write_all<B: AsRef<[u8]> + Sync>(files: &[(PathBuf, B)]) -> Result<()> {
    const THREADS: usize = WRITING_THREADS;
    if files.len() < 2 * THREADS {
        for (path, bytes) in files {
            atomic_write(path, bytes.as_ref())?;
        }
        return Ok(());
    }
    let next = std::sync::atomic::AtomicUsize::new(0);
    let failed = FirstError::default();
    std::thread::scope(|scope| {
        for _ in 0..THREADS {
            // A thread that cannot be started leaves its share to the others (or to the loop
            // after the scope, if none could be).
            let _ = std::thread::Builder::new().spawn_scoped(scope, || {
                loop {
                    let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                    let Some((path, bytes)) = files.get(i) else {
                        return;
                    };
                    if let Err(e) = atomic_write(path, bytes.as_ref()) {
                        failed.keep(i, e);
                        // No more files are begun.
                        next.store(files.len(), std::sync::atomic::Ordering::Relaxed);
                        return;
                    }
                }
            });
        }
    });
    if let Some(e) = failed.into_inner() {
        return Err(e);
    }
    let done = next.into_inner().min(files.len());
    for (path, bytes) in &files[done..] {
        atomic_write(path, bytes.as_ref())?;
    }
    Ok(())
}

/// Appends entries to a folder's ledger in one write (creating it with its header); returns
/// its size before and after.
fn append_ledger(dir: &Path, entries: &[(String, u64)]) -> Result<(u64, u64)> {
    let path = dir.join(LEDGER);
    check_ledger(&path)?;
    let mut text = String::new();
    let before = fs::symlink_metadata(&path).map(|m| m.len());
    if before.is_err() {
        text.push_str(LEDGER_HEADER);
    }
    let before = before.unwrap_or(0);
    for (name, hash) in entries {
        // A name that would break the one-line format is not recorded: its file is then
        // treated as edited, the safe side.
        if !name.contains(['\n', '\r', '\t']) {
            text.push_str(&format!("{name}\t{hash:016x}\n"));
        }
    }
    let mut file = open_ledger(&path, fs::OpenOptions::new().create(true).append(true))
        .with_context(|| format!("cannot record what was written in {}", path.display()))?;
    file.write_all(text.as_bytes())
        .and_then(|()| file.sync_all())
        .with_context(|| format!("cannot record what was written in {}", path.display()))?;
    Ok((before, before + text.len() as u64))
}

/// Rewrites a ledger that has grown well past its distinct names, keeping each name's last two
/// fingerprints. A run appending at the same moment may lose its entry, which errs on the
/// safe side (that file then needs `--force` once).
fn tidy_ledger(dir: &Path) {
    let entries = read_ledger(dir);
    let mut last: Vec<(String, Vec<u64>)> = Vec::new();
    let mut index: std::collections::HashMap<String, usize> = std::collections::HashMap::new();
    for (name, hash) in entries.iter().cloned() {
        match index.get(&name) {
            Some(&i) => last[i].1.push(hash),
            None => {
                index.insert(name.clone(), last.len());
                last.push((name, vec![hash]));
            }
        }
    }
    if entries.len() <= 2 * last.len() + 64 {
        return;
    }
    last.sort();
    let mut text = String::from(LEDGER_HEADER);
    for (name, hashes) in &last {
        for h in &hashes[hashes.len().saturating_sub(2)..] {
            text.push_str(&format!("{name}\t{h:016x}\n"));
        }
    }
    let _ = atomic_write(&dir.join(LEDGER), text.as_bytes());
}

#[cfg(test)]
mod tests {
    use super::*;

    /// [`write_outputs_as_made`] with `text(i)` made for each of `paths`, in order.
    fn made_each(
        paths: &[PathBuf],
        force: bool,
        text: impl Fn(usize) -> String,
    ) -> Result<std::result::Result<((), usize), ()>> {
        write_outputs_as_made(paths, force, |put| {
            for i in 0..paths.len() {
                put(i, text(i).into_bytes());
            }
            Ok(())
        })
    }

    #[test]
    fn fingerprint_is_fnv1a() {
        assert_eq!(fingerprint(b""), 0xcbf2_9ce4_8422_2325);
        assert_eq!(fingerprint(b"a"), 0xaf63_dc4c_8601_ec8c);
    }

    #[test]
    fn a_file_written_piece_by_piece_is_recorded_and_guarded_like_a_whole_one() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("out.json");
        // In pieces larger and smaller than the buffer, fingerprinted as they pass.
        let big = vec![b'x'; 3 << 20];
        write_output_with(&target, false, |w| {
            w.write_all(b"{")?;
            w.write_all(&big)?;
            w.write_all(b"}")?;
            Ok(())
        })
        .unwrap();
        let written = fs::read(&target).unwrap();
        assert_eq!(written.len(), big.len() + 2);
        assert_eq!(
            read_ledger(dir.path()).last().unwrap(),
            &("out.json".to_string(), fingerprint(&written))
        );
        assert!(is_untouched(&target));
        // Replaced as the tool's own; a failed fill leaves the target as it was, and no
        // temporary file behind.
        write_output_with(&target, false, |w| Ok(w.write_all(b"[1]")?)).unwrap();
        assert_eq!(fs::read(&target).unwrap(), b"[1]");
        let err = write_output_with(&target, false, |w| {
            w.write_all(b"[2")?;
            anyhow::bail!("the results could not be built")
        })
        .unwrap_err();
        assert_eq!(err.to_string(), "the results could not be built");
        assert_eq!(fs::read(&target).unwrap(), b"[1]");
        let mut names: Vec<String> = fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        assert_eq!(names, [LEDGER, "out.json"]);
        // Edited by a person: refused without --force, before anything is made.
        fs::write(&target, b"[1, 2]").unwrap();
        let err = write_output_with(&target, false, |_| panic!("not asked for")).unwrap_err();
        assert!(
            err.to_string().contains("add --force to replace it"),
            "{err}"
        );
        write_output_with(&target, true, |w| Ok(w.write_all(b"[3]")?)).unwrap();
        assert_eq!(fs::read(&target).unwrap(), b"[3]");
        assert!(is_untouched(&target));
    }

    #[test]
    fn a_run_killed_between_recording_and_renaming_leaves_its_file_recognised() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("out.md");
        write_output(&target, b"one", false).unwrap();
        // Killed after the ledger got the new fingerprint, before the rename.
        let (before, after) =
            append_ledger(dir.path(), &[("out.md".into(), fingerprint(b"two"))]).unwrap();
        assert_eq!(after - before, "out.md\t".len() as u64 + 17);
        assert!(is_untouched(&target), "the old file is still ours");
        // Killed after the rename: the new file is recognised too.
        fs::write(&target, b"two").unwrap();
        assert!(is_untouched(&target));
        write_output(&target, b"three", false).unwrap();
        assert_eq!(fs::read(&target).unwrap(), b"three");
    }

    #[test]
    fn runs_writing_into_one_folder_at_once_keep_each_other_s_fingerprints() {
        let dir = tempfile::tempdir().unwrap();
        let threads: Vec<_> = (0..6)
            .map(|t| {
                let dir = dir.path().to_path_buf();
                std::thread::spawn(move || {
                    for i in 0..20 {
                        let path = dir.join(format!("t{t}-{}.md", i % 5));
                        write_output(&path, format!("{t} {i}").as_bytes(), false).unwrap();
                    }
                })
            })
            .collect();
        for t in threads {
            t.join().unwrap();
        }
        for t in 0..6 {
            for i in 0..5 {
                let path = dir.path().join(format!("t{t}-{i}.md"));
                assert!(is_untouched(&path), "{}", path.display());
            }
        }
    }

    #[test]
    fn a_batch_appends_the_ledger_once_and_keeps_it_small() {
        let dir = tempfile::tempdir().unwrap();
        let files: Vec<(PathBuf, Vec<u8>)> = (0..1000)
            .map(|i| (dir.path().join(format!("{i}.md")), vec![b'x'; i % 7]))
            .collect();
        write_outputs(&files, false).unwrap();
        write_outputs(&files, false).unwrap();
        let ledger = fs::read_to_string(dir.path().join(LEDGER)).unwrap();
        // One header, and each file's fingerprint once per run.
        assert_eq!(ledger.lines().count(), 1 + 2 * 1000);
        assert!(files.iter().all(|(p, _)| is_untouched(p)));
        // Growing past twice its names (plus some), it is tidied to the last two each.
        for _ in 0..3 {
            write_outputs(&files, false).unwrap();
        }
        let ledger = fs::read_to_string(dir.path().join(LEDGER)).unwrap();
        assert_eq!(ledger.lines().count(), 1 + 2 * 1000);
    }

    #[test]
    fn files_written_as_made_are_whole_synced_and_recorded_whatever_their_size() {
        // Sizes around a page and past the largest file started early (`start_writing`): the
        // hint never changes what is written.
        let dir = tempfile::tempdir().unwrap();
        let sizes = [0, 1, 4095, 4096, 4097, 8193, 70_000, 300];
        let paths: Vec<PathBuf> = (0..40)
            .map(|i| dir.path().join(format!("{i}.md")))
            .collect();
        let content = |i: usize| -> Vec<u8> {
            (0..sizes[i % sizes.len()])
                .map(|j| b'a' + ((i + j) % 26) as u8)
                .collect()
        };
        let made = write_outputs_as_made(&paths, false, |put| {
            // Out of order, as several render threads hand them over.
            for i in (0..paths.len()).rev() {
                put(i, content(i));
            }
            Ok::<_, ()>("made")
        })
        .unwrap();
        assert_eq!(made, Ok(("made", 0)));
        for (i, path) in paths.iter().enumerate() {
            assert_eq!(fs::read(path).unwrap(), content(i), "{}", path.display());
            assert!(is_untouched(path));
        }
        let names = fs::read_dir(dir.path()).unwrap().count();
        assert_eq!(
            names,
            paths.len() + 1,
            "the files and the ledger, nothing else"
        );
    }

    #[cfg(unix)]
    #[test]
    fn files_written_as_made_replace_files_their_owner_may_not_read_and_keep_their_permissions() {
        // A temporary file takes the permissions of the file it replaces; one its owner may
        // not read cannot be opened again to be synced later, so it is synced as written.
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let paths: Vec<PathBuf> = (0..3).map(|i| dir.path().join(format!("{i}.md"))).collect();
        let modes = [0o200, 0o644, 0o000];
        for (path, mode) in paths.iter().zip(modes) {
            fs::write(path, "edited by a person\n").unwrap();
            fs::set_permissions(path, fs::Permissions::from_mode(mode)).unwrap();
        }
        let made = made_each(&paths, true, |i| format!("file {i}\n")).unwrap();
        assert_eq!(made, Ok(((), 0)));
        for (i, (path, mode)) in paths.iter().zip(modes).enumerate() {
            let kept = fs::metadata(path).unwrap().permissions().mode() & 0o777;
            assert_eq!(kept, mode, "{}", path.display());
            fs::set_permissions(path, fs::Permissions::from_mode(0o600)).unwrap();
            assert_eq!(fs::read_to_string(path).unwrap(), format!("file {i}\n"));
        }
    }

    #[cfg(unix)]
    #[test]
    fn files_written_as_made_keep_their_target_s_permissions_and_never_replace_a_link() {
        // The target is looked at once (not following a link): a file replaced keeps its
        // permissions, a new one is readable by all; a link among the targets is refused, with
        // or without --force, and nothing is replaced.
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let elsewhere = tempfile::tempdir().unwrap();
        let pointed = elsewhere.path().join("pointed.md");
        fs::write(&pointed, "theirs\n").unwrap();
        let plain = dir.path().join("plain.md");
        fs::write(&plain, "mine\n").unwrap();
        fs::set_permissions(&plain, fs::Permissions::from_mode(0o604)).unwrap();
        let paths = [plain.clone(), dir.path().join("new.md")];
        let made = made_each(&paths, true, |i| format!("file {i}\n")).unwrap();
        assert_eq!(made, Ok(((), 0)));
        for (i, (path, mode)) in paths.iter().zip([0o604, 0o644]).enumerate() {
            let meta = fs::symlink_metadata(path).unwrap();
            assert!(meta.file_type().is_file(), "{}", path.display());
            assert_eq!(
                meta.permissions().mode() & 0o777,
                mode,
                "{}",
                path.display()
            );
            assert_eq!(fs::read_to_string(path).unwrap(), format!("file {i}\n"));
        }
        let link = dir.path().join("link.md");
        std::os::unix::fs::symlink(&pointed, &link).unwrap();
        let paths = [plain.clone(), link.clone()];
        for force in [false, true] {
            let refused = made_each(&paths, force, |i| format!("again {i}\n"));
            assert!(
                format!("{:#}", refused.unwrap_err()).contains("is a symbolic link, not a file")
            );
        }
        assert!(
            fs::symlink_metadata(&link)
                .unwrap()
                .file_type()
                .is_symlink()
        );
        assert_eq!(fs::read_to_string(&pointed).unwrap(), "theirs\n");
        assert_eq!(fs::read_to_string(&plain).unwrap(), "file 0\n");
        let left: Vec<_> = fs::read_dir(dir.path())
            .unwrap()
            .filter_map(|e| e.ok())
            .filter(|e| e.file_name().to_string_lossy().ends_with(".tmp"))
            .collect();
        assert!(left.is_empty(), "no temporary file is left");
    }

    #[cfg(unix)]
    #[test]
    fn files_made_again_the_same_are_left_as_they_are() {
        use std::os::unix::fs::MetadataExt;
        let dir = tempfile::tempdir().unwrap();
        let paths: Vec<PathBuf> = (0..6).map(|i| dir.path().join(format!("{i}.md"))).collect();
        let first = |i: usize| format!("file {i}\n").into_bytes();
        let made = made_each(&paths, false, |i| {
            if i == 3 {
                "old\n".to_string()
            } else {
                format!("file {i}\n")
            }
        })
        .unwrap();
        assert_eq!(made, Ok(((), 0)));
        let ledger = dir.path().join(LEDGER);
        let ledger_before = fs::read(&ledger).unwrap();
        // 3 is a file a person wrote with exactly what is made for it now (the ledger does
        // not know it, yet it is not refused); 4 a link to a file that holds it; 5 changes.
        fs::remove_file(&paths[3]).unwrap();
        fs::write(&paths[3], first(3)).unwrap();
        let elsewhere = tempfile::tempdir().unwrap();
        let linked = elsewhere.path().join("linked.md");
        fs::write(&linked, first(4)).unwrap();
        fs::remove_file(&paths[4]).unwrap();
        std::os::unix::fs::symlink(&linked, &paths[4]).unwrap();
        let inode = |p: &Path| fs::symlink_metadata(p).unwrap().ino();
        let before: Vec<u64> = paths.iter().map(|p| inode(p)).collect();
        // Made again: 5 changes, the others are as made the first time.
        let make = |answer| {
            write_outputs_as_made(&paths, false, |put| {
                for i in 0..paths.len() {
                    put(
                        i,
                        if i == 5 {
                            b"changed\n".to_vec()
                        } else {
                            first(i)
                        },
                    );
                }
                Ok::<_, ()>(answer)
            })
        };
        // A link is never replaced, even by what it holds already: nothing is written.
        let err = make("refused").unwrap_err();
        assert_eq!(
            err.to_string(),
            format!(
                "{} is a symbolic link, not a file: checkmyogp never replaces a link (even with --force).\nGive the file the link points to, or remove the link.",
                paths[4].display()
            )
        );
        assert_eq!(fs::read(&ledger).unwrap(), ledger_before);
        assert_eq!(
            fs::read(&linked).unwrap(),
            first(4),
            "the link's target is left"
        );
        for i in 0..paths.len() {
            assert_eq!(inode(&paths[i]), before[i], "{i}.md not replaced");
        }
        assert_eq!(fs::read_dir(dir.path()).unwrap().count(), paths.len() + 1);
        // Without the link, 4 is a file a person copied from it.
        fs::remove_file(&paths[4]).unwrap();
        fs::copy(&linked, &paths[4]).unwrap();
        let before: Vec<u64> = paths.iter().map(|p| inode(p)).collect();
        let again = |answer| make(answer).unwrap();
        let made = again("again");
        assert_eq!(made, Ok(("again", 5)), "0 to 4 left as they are");
        for i in 0..5 {
            assert_eq!(inode(&paths[i]), before[i], "{i}.md not replaced");
            assert_eq!(fs::read(&paths[i]).unwrap(), first(i));
            assert!(is_untouched(&paths[i]), "{i}.md recorded");
        }
        assert_eq!(fs::read(&paths[5]).unwrap(), b"changed\n");
        // Only 3 (which it lacked) and 5 were appended to the ledger.
        let ledger_after = fs::read_to_string(&ledger).unwrap();
        assert!(ledger_after.starts_with(std::str::from_utf8(&ledger_before).unwrap()));
        let appended: Vec<&str> = ledger_after[ledger_before.len()..]
            .lines()
            .map(|l| l.split('\t').next().unwrap())
            .collect();
        assert_eq!(appended, ["3.md", "5.md"]);
        // Made a third time the same: nothing is written at all, not even the ledger.
        let made = again("third");
        assert_eq!(made, Ok(("third", 6)));
        assert_eq!(fs::read_to_string(&ledger).unwrap(), ledger_after);
        let names = fs::read_dir(dir.path()).unwrap().count();
        assert_eq!(names, paths.len() + 1, "no temporary file left");
    }

    #[test]
    fn files_are_synced_in_the_order_written_a_lag_behind_and_all_once_finished() {
        let queue = SyncQueue::default();
        let total = SYNC_LAG + 10;
        let taken = std::sync::Mutex::new(Vec::new());
        std::thread::scope(|scope| {
            for _ in 0..3 {
                scope.spawn(|| {
                    while let Some(i) = queue.next() {
                        // Never more than the lag ahead of what was written.
                        let waiting = lock(&queue.state).0.len();
                        assert!(waiting >= SYNC_LAG || lock(&queue.state).1 != Ending::Open);
                        lock(&taken).push(i);
                    }
                });
            }
            for i in 0..total {
                queue.push(i);
            }
            let begun = std::time::Instant::now();
            while lock(&taken).len() < total - SYNC_LAG && begun.elapsed().as_secs() < 20 {
                std::thread::sleep(std::time::Duration::from_millis(5));
            }
            std::thread::sleep(std::time::Duration::from_millis(20));
            assert_eq!(lock(&taken).len(), total - SYNC_LAG, "the last ones wait");
            queue.finish();
        });
        let mut taken = taken.into_inner().unwrap();
        taken.sort_unstable();
        assert_eq!(taken, (0..total).collect::<Vec<_>>(), "each once");

        // Stopped: nothing more is handed out, waiting or not.
        let queue = SyncQueue::default();
        for i in 0..SYNC_LAG + 5 {
            queue.push(i);
        }
        queue.stop();
        queue.finish();
        assert_eq!(queue.next(), None);
    }

    #[test]
    fn a_make_that_fails_or_panics_leaves_nothing_behind() {
        let dir = tempfile::tempdir().unwrap();
        let paths: Vec<PathBuf> = (0..SYNC_LAG * 2)
            .map(|i| dir.path().join(format!("{i}.md")))
            .collect();
        let failed = write_outputs_as_made(&paths, false, |put| {
            for i in 0..paths.len() / 2 {
                put(i, b"text".to_vec());
            }
            Err::<(), _>("the template failed")
        })
        .unwrap();
        assert_eq!(failed, Err("the template failed"));
        // A panic ends the threads too (the test would hang otherwise), and is passed on.
        let panicked = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            write_outputs_as_made(&paths, false, |put| -> std::result::Result<(), ()> {
                for i in 0..paths.len() / 2 {
                    put(i, b"text".to_vec());
                }
                panic!("the renders stopped");
            })
        }));
        assert!(panicked.is_err());
        assert_eq!(fs::read_dir(dir.path()).unwrap().count(), 0, "nothing left");
    }

    #[test]
    fn a_file_that_cannot_be_synced_is_an_error() {
        let dir = tempfile::tempdir().unwrap();
        assert!(sync_file(&dir.path().join("gone.tmp")).is_err());
        let there = dir.path().join("there.tmp");
        fs::write(&there, "x").unwrap();
        assert!(sync_file(&there).is_ok());
    }

    #[cfg(unix)]
    #[test]
    fn only_regular_files_are_replaced_or_read() {
        for device in ["/dev/null", "/dev/zero"] {
            let err = write_output(Path::new(device), b"x", true).unwrap_err();
            assert_eq!(
                err.to_string(),
                format!(
                    "{device} is a device, not a file: checkmyogp only writes regular files (even with --force).\nTo print to standard output, leave out --output (or give --output -); otherwise give a file name."
                )
            );
            assert!(!is_untouched(Path::new(device)));
        }
        let dir = tempfile::tempdir().unwrap();
        let fifo = dir.path().join("fifo");
        let made = std::process::Command::new("mkfifo").arg(&fifo).status();
        if made.is_ok_and(|s| s.success()) {
            let err = write_output(&fifo, b"x", false).unwrap_err();
            assert!(
                err.to_string()
                    .starts_with(&format!("{} is a pipe (FIFO), not a file", fifo.display()))
            );
        }
    }

    #[test]
    fn targets_checked_together_get_each_one_s_answer_in_order() {
        let dir = tempfile::tempdir().unwrap();
        let other = dir.path().join("other");
        fs::create_dir(&other).unwrap();
        let mut paths: Vec<PathBuf> = (0..300)
            .map(|i| dir.path().join(format!("{i}.md")))
            .collect();
        paths.extend((0..40).map(|i| other.join(format!("{i}.md"))));
        let files: Vec<(PathBuf, Vec<u8>)> = paths
            .iter()
            .enumerate()
            .map(|(i, p)| (p.clone(), format!("file {i}\n").into_bytes()))
            .collect();
        write_outputs(&files, false).unwrap();
        assert!(untouched_each(&paths).iter().all(|&u| u));
        // One edited wherever it is, in either folder: it alone is found.
        for at in [0, 1, 150, 299, 300, 339] {
            let kept = fs::read(&paths[at]).unwrap();
            fs::write(&paths[at], "edited\n").unwrap();
            let each = untouched_each(&paths);
            let edited: Vec<usize> = (0..paths.len()).filter(|&i| !each[i]).collect();
            assert_eq!(edited, [at]);
            fs::write(&paths[at], kept).unwrap();
        }
        // Absent, a folder, a link to one of its files and a dangling link, as `is_untouched`.
        let mut mixed = paths.clone();
        mixed.push(dir.path().join("absent.md"));
        mixed.push(other.clone());
        #[cfg(unix)]
        {
            let link = dir.path().join("link.md");
            std::os::unix::fs::symlink(&paths[3], &link).unwrap();
            let dangling = dir.path().join("dangling.md");
            std::os::unix::fs::symlink(dir.path().join("gone"), &dangling).unwrap();
            mixed.extend([link, dangling, PathBuf::from("/dev/null")]);
        }
        let alone: Vec<bool> = mixed.iter().map(|p| is_untouched(p)).collect();
        assert_eq!(untouched_each(&mixed), alone);
        assert_eq!(alone[paths.len()..].iter().filter(|&&u| u).count(), 1);
        // A ledger appended since the last look is seen (the files are written again by
        // another writer, which records them).
        let changed: Vec<(PathBuf, Vec<u8>)> = files
            .iter()
            .map(|(p, b)| (p.clone(), [b.as_slice(), b"more\n"].concat()))
            .collect();
        write_outputs(&changed, false).unwrap();
        assert!(untouched_each(&paths).iter().all(|&u| u));
        fs::remove_file(dir.path().join(LEDGER)).unwrap();
        let each = untouched_each(&paths);
        assert!(each[..300].iter().all(|&u| !u) && each[300..].iter().all(|&u| u));
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
