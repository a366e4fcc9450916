//! A zip archive made in memory and deflated on a second thread: the caller makes each part's
//! bytes and hands them over in chunks, so making the XML and compressing it overlap on two
//! cores. The archive is the same, byte for byte, as one written on a single thread. Used by
//! the streaming workbook writer ([`super::xlsx_stream`]).

use std::io::{Cursor, Write};
use std::sync::mpsc::{Receiver, SyncSender, sync_channel};
use std::thread::JoinHandle;

use anyhow::{Context, Result};
use zip::ZipWriter;
use zip::write::SimpleFileOptions;

/// Chunks waiting for the compressor at most: a few hundred kilobytes in flight.
const QUEUE: usize = 4;

/// What the compressor is told.
enum Step {
    /// Starts the next part of the archive.
    Part(String),
    /// More bytes of the current part.
    Bytes(Vec<u8>),
}

/// A zip archive being written, every part deflated.
pub(super) struct Archive {
    inner: Inner,
}

enum Inner {
    /// The compressor runs on its own thread.
    Threaded {
        steps: SyncSender<Step>,
        compressor: JoinHandle<Result<Vec<u8>>>,
    },
    /// No thread could be started: everything is done on the caller's thread.
    Inline(Box<ZipWriter<Cursor<Vec<u8>>>>, SimpleFileOptions),
    /// Finished, or failed.
    Done,
}

fn options() -> SimpleFileOptions {
    SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated)
}

impl Archive {
    pub(super) fn new() -> Self {
        let (steps, received) = sync_channel(QUEUE);
        let started = std::thread::Builder::new()
            .name("zip-deflate".into())
            .spawn(move || compress(&received));
        let inner = match started {
            Ok(compressor) => Inner::Threaded { steps, compressor },
            Err(_) => Inner::Inline(Box::new(ZipWriter::new(Cursor::new(Vec::new()))), options()),
        };
        Archive { inner }
    }

    /// Starts the part `name`; what is written next belongs to it.
    pub(super) fn start_file(&mut self, name: impl Into<String>) -> Result<()> {
        let name = name.into();
        match &mut self.inner {
            Inner::Threaded { .. } => self.send(Step::Part(name)),
            Inner::Inline(zip, options) => Ok(zip.start_file(name, *options)?),
            Inner::Done => anyhow::bail!("the archive was already finished"),
        }
    }

    /// Adds bytes to the current part.
    pub(super) fn write_all(&mut self, bytes: &[u8]) -> Result<()> {
        if bytes.is_empty() {
            return Ok(());
        }
        match &mut self.inner {
            Inner::Threaded { .. } => self.send(Step::Bytes(bytes.to_vec())),
            Inner::Inline(zip, _) => Ok(zip.write_all(bytes)?),
            Inner::Done => anyhow::bail!("the archive was already finished"),
        }
    }

    /// Ends the archive and gives its bytes.
    pub(super) fn finish(mut self) -> Result<Vec<u8>> {
        match std::mem::replace(&mut self.inner, Inner::Done) {
            Inner::Threaded { steps, compressor } => {
                drop(steps);
                joined(compressor)
            }
            Inner::Inline(zip, _) => Ok(zip.finish()?.into_inner()),
            Inner::Done => anyhow::bail!("the archive was already finished"),
        }
    }

    fn send(&mut self, step: Step) -> Result<()> {
        let Inner::Threaded { steps, .. } = &self.inner else {
            unreachable!("send is only called on a threaded archive")
        };
        if steps.send(step).is_ok() {
            return Ok(());
        }
        // The compressor stopped: its error says why.
        match std::mem::replace(&mut self.inner, Inner::Done) {
            Inner::Threaded { compressor, .. } => match joined(compressor) {
                Err(e) => Err(e),
                Ok(_) => anyhow::bail!("the compressor stopped before the archive was finished"),
            },
            _ => unreachable!("matched above"),
        }
    }
}

impl Default for Archive {
    fn default() -> Self {
        Self::new()
    }
}

/// The compressor's loop: parts and bytes in the order they were sent, until the sender is
/// dropped.
fn compress(steps: &Receiver<Step>) -> Result<Vec<u8>> {
    let mut zip = ZipWriter::new(Cursor::new(Vec::new()));
    let options = options();
    for step in steps {
        match step {
            Step::Part(name) => zip.start_file(name, options)?,
            Step::Bytes(bytes) => zip.write_all(&bytes)?,
        }
    }
    Ok(zip.finish()?.into_inner())
}

fn joined(compressor: JoinHandle<Result<Vec<u8>>>) -> Result<Vec<u8>> {
    compressor
        .join()
        .map_err(|_| anyhow::anyhow!("the compressor stopped unexpectedly"))
        .and_then(|done| done)
        .context("compressing the workbook")
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The same parts written on one thread, the way the archive was made before.
    fn single_threaded(parts: &[(&str, Vec<&[u8]>)]) -> Vec<u8> {
        let mut zip = ZipWriter::new(Cursor::new(Vec::new()));
        for (name, chunks) in parts {
            zip.start_file(*name, options()).unwrap();
            for c in chunks {
                zip.write_all(c).unwrap();
            }
        }
        zip.finish().unwrap().into_inner()
    }

    #[test]
    fn the_archive_is_the_one_a_single_thread_writes() {
        let big: Vec<u8> = (0..200_000u32)
            .flat_map(|i| (i % 251).to_le_bytes())
            .collect();
        let parts: Vec<(&str, Vec<&[u8]>)> = vec![
            (
                "a.xml",
                vec![b"<a>".as_slice(), b"hello".as_slice(), b"</a>".as_slice()],
            ),
            ("empty.xml", vec![]),
            ("big.bin", big.chunks(65_536).collect()),
        ];
        let mut archive = Archive::new();
        assert!(matches!(archive.inner, Inner::Threaded { .. }));
        for (name, chunks) in &parts {
            archive.start_file(*name).unwrap();
            for c in chunks {
                archive.write_all(c).unwrap();
            }
        }
        assert_eq!(archive.finish().unwrap(), single_threaded(&parts));
    }

    #[test]
    fn bytes_before_any_part_are_an_error_not_a_panic() {
        let mut archive = Archive::new();
        // The compressor fails on the first bytes (no part started); the error surfaces on a
        // later send or at the end.
        let mut failed = archive.write_all(b"stray").is_err();
        for _ in 0..(QUEUE + 2) {
            if failed {
                break;
            }
            failed = archive.write_all(b"more").is_err();
        }
        assert!(failed || archive.finish().is_err());
    }
}
