//! Source files that diagnostics point into: their display names, their text (for TOML files)
//! and the byte-offset → line:column arithmetic.

use std::ops::Range;
use std::path::{Path, PathBuf};

/// Index of a file in a [`SourceMap`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct FileId(pub u16);

/// Where a value came from: a byte range in a TOML file of the [`SourceMap`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Span {
    pub file: FileId,
    pub range: Range<usize>,
}

/// One input file.
#[derive(Debug)]
pub struct SourceFile {
    pub path: PathBuf,
    /// The name shown to people: the path as they gave it, without a leading `./`.
    pub display: String,
    /// The decoded text, kept for TOML files so diagnostics can quote the offending line.
    pub text: Option<String>,
    line_starts: Vec<usize>,
}

impl SourceFile {
    pub fn new(path: &Path, text: Option<String>) -> Self {
        let line_starts = match &text {
            Some(t) => {
                let mut starts =
                    Vec::with_capacity(memchr::memchr_iter(b'\n', t.as_bytes()).count() + 1);
                starts.push(0);
                starts.extend(memchr::memchr_iter(b'\n', t.as_bytes()).map(|i| i + 1));
                starts
            }
            None => Vec::new(),
        };
        SourceFile {
            path: path.to_path_buf(),
            display: display_path(path),
            text,
            line_starts,
        }
    }

    /// 1-based line and column (in characters) of a byte offset.
    pub fn line_col(&self, offset: usize) -> (usize, usize) {
        let Some(text) = &self.text else {
            return (1, 1);
        };
        let offset = offset.min(text.len());
        let line = match self.line_starts.binary_search(&offset) {
            Ok(i) => i,
            Err(i) => i.saturating_sub(1),
        };
        let start = self.line_starts.get(line).copied().unwrap_or(0);
        let col = text
            .get(start..offset)
            .map_or(offset - start, |s| s.chars().count());
        (line + 1, col + 1)
    }

    /// The text of a 1-based line, without its line ending.
    pub fn line_text(&self, line: usize) -> Option<&str> {
        let text = self.text.as_deref()?;
        let start = *self.line_starts.get(line.checked_sub(1)?)?;
        let end = self
            .line_starts
            .get(line)
            .map_or(text.len(), |e| e.saturating_sub(1));
        text.get(start..end).map(|s| s.trim_end_matches('\r'))
    }
}

/// A path as people wrote it: `./plan.toml` becomes `plan.toml`.
pub fn display_path(path: &Path) -> String {
    let shown = path.strip_prefix(".").unwrap_or(path);
    if shown.as_os_str().is_empty() {
        ".".to_string()
    } else {
        shown.display().to_string()
    }
}

/// What a path is when it is not a regular file, in words ("a folder", "a device", "a named
/// pipe (FIFO)"); `None` for a regular file. Symbolic links are followed.
pub fn not_a_file(meta: &std::fs::Metadata) -> Option<&'static str> {
    let t = meta.file_type();
    if t.is_file() {
        return None;
    }
    if t.is_dir() {
        return Some("a folder");
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if t.is_char_device() || t.is_block_device() {
            return Some("a device");
        }
        if t.is_fifo() {
            return Some("a pipe (FIFO)");
        }
        if t.is_socket() {
            return Some("a socket");
        }
    }
    Some("not a regular file")
}

/// Why a file could not be read by [`read_file`].
#[derive(Debug)]
pub enum ReadError {
    /// The path names a folder, a device, a pipe or a socket: only regular files are read, so
    /// `/dev/zero` or a FIFO cannot make the tool read forever.
    NotAFile(&'static str),
    /// The file holds more than the limit (checked while reading, not only from its size).
    TooLarge {
        limit: u64,
    },
    Io(std::io::Error),
}

impl std::fmt::Display for ReadError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ReadError::NotAFile(what) => write!(f, "it is {what}, not a file"),
            ReadError::TooLarge { limit } => {
                write!(f, "it is larger than {} MB", limit / 1024 / 1024)
            }
            ReadError::Io(e) if e.kind() == std::io::ErrorKind::NotFound => {
                f.write_str("no such file")
            }
            ReadError::Io(e) if e.kind() == std::io::ErrorKind::PermissionDenied => {
                f.write_str("permission denied")
            }
            ReadError::Io(e) => write!(f, "{e}"),
        }
    }
}

impl std::error::Error for ReadError {}

/// Reads a whole input file of at most `limit` bytes. Only regular files are read (checked
/// before opening, so opening a FIFO cannot block, and again on the open file), and the read
/// itself stops past `limit`, whatever size the file claims.
pub fn read_file(path: &Path, limit: u64) -> Result<Vec<u8>, ReadError> {
    use std::io::Read;
    let meta = std::fs::metadata(path).map_err(ReadError::Io)?;
    if let Some(what) = not_a_file(&meta) {
        return Err(ReadError::NotAFile(what));
    }
    if meta.len() > limit {
        return Err(ReadError::TooLarge { limit });
    }
    let file = std::fs::File::open(path).map_err(ReadError::Io)?;
    let meta = file.metadata().map_err(ReadError::Io)?;
    if let Some(what) = not_a_file(&meta) {
        return Err(ReadError::NotAFile(what));
    }
    let mut bytes = Vec::with_capacity(usize::try_from(meta.len().min(limit)).unwrap_or(0));
    file.take(limit + 1)
        .read_to_end(&mut bytes)
        .map_err(ReadError::Io)?;
    if bytes.len() as u64 > limit {
        return Err(ReadError::TooLarge { limit });
    }
    Ok(bytes)
}

/// All files read for one run.
#[derive(Debug, Default)]
pub struct SourceMap {
    files: Vec<SourceFile>,
}

impl SourceMap {
    pub fn add(&mut self, file: SourceFile) -> FileId {
        // More than 65 535 input files is far beyond any assessment; the id saturates rather
        // than wrapping, so a diagnostic can at worst name the wrong late file.
        let id = FileId(u16::try_from(self.files.len()).unwrap_or(u16::MAX));
        self.files.push(file);
        id
    }

    pub fn get(&self, id: FileId) -> Option<&SourceFile> {
        self.files.get(usize::from(id.0))
    }

    pub fn display(&self, id: FileId) -> &str {
        self.get(id).map_or("?", |f| f.display.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_and_column_count_characters() {
        let f = SourceFile::new(Path::new("./a.toml"), Some("a = 1\r\nб = \"ж\"\n".into()));
        assert_eq!(f.display, "a.toml");
        assert_eq!(f.line_col(0), (1, 1));
        let zh = "a = 1\r\nб = \"".len();
        assert_eq!(f.line_col(zh), (2, 6));
        assert_eq!(f.line_text(1), Some("a = 1"));
        assert_eq!(f.line_text(2), Some("б = \"ж\""));
        assert_eq!(f.line_text(9), None);
    }
}
