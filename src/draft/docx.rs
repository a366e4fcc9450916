//! Word documents through pandoc (<https://pandoc.org>), when it is installed: the Markdown
//! goes to a temporary folder, pandoc converts it there, and the caller writes the result
//! atomically. Nothing is written to the target when pandoc is missing or fails.

use std::process::{Command, Stdio};

/// Why a conversion did not happen.
#[derive(Debug, thiserror::Error)]
pub enum DocxError {
    /// pandoc is not on PATH.
    #[error(
        "--docx needs pandoc, which was not found on this computer (it is not on PATH): nothing was written.\n  \
         Install pandoc (https://pandoc.org/installing.html, or `apt install pandoc`, `brew install pandoc`, `winget install pandoc`),\n  \
         or write Markdown now (leave out --docx) and convert it later: pandoc draft.md -o draft.docx"
    )]
    Missing,
    /// pandoc ran and failed.
    #[error("pandoc could not convert the draft to Word: {0}\n  nothing was written")]
    Failed(String),
    /// The temporary files could not be used.
    #[error("could not prepare the conversion to Word: {0}")]
    Io(#[from] std::io::Error),
}

/// Whether pandoc can be run.
pub fn available() -> Result<(), DocxError> {
    match Command::new("pandoc")
        .arg("--version")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
    {
        Ok(s) if s.success() => Ok(()),
        Ok(s) => Err(DocxError::Failed(format!(
            "`pandoc --version` ended with {s}"
        ))),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Err(DocxError::Missing),
        Err(e) => Err(DocxError::Failed(e.to_string())),
    }
}

/// Converts Markdown to the bytes of a .docx file.
pub fn convert(markdown: &str) -> Result<Vec<u8>, DocxError> {
    let dir = tempfile::tempdir()?;
    let source = dir.path().join("draft.md");
    let target = dir.path().join("draft.docx");
    std::fs::write(&source, markdown)?;
    let out = match Command::new("pandoc")
        .arg("--from=markdown")
        .arg("--to=docx")
        .arg("--output")
        .arg(&target)
        .arg(&source)
        .stdin(Stdio::null())
        .output()
    {
        Ok(out) => out,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Err(DocxError::Missing),
        Err(e) => return Err(DocxError::Failed(e.to_string())),
    };
    if !out.status.success() {
        let why = String::from_utf8_lossy(&out.stderr).trim().to_string();
        return Err(DocxError::Failed(if why.is_empty() {
            format!("pandoc ended with {}", out.status)
        } else {
            why
        }));
    }
    Ok(std::fs::read(&target)?)
}
