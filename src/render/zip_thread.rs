//! A zip archive made in memory and deflated on a second thread: the caller makes each part's
//! bytes and hands them over in chunks, so making the XML and compressing it overlap on two
//! cores. The archive is the same, byte for byte, as one written on a single thread. Used by
//! the streaming workbook writer (`super::xlsx_stream`) and by the Word writer
//! ([`crate::draft::docx`]).

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
pub(crate) struct Archive {
    inner: Inner,
}

enum Inner {
    /// The compressor runs on its own thread.
    Threaded {
        steps: SyncSender<Step>,
        compressor: JoinHandle<Result<Vec<u8>>>,
    },
    /// No thread could be started: everything is done on the caller's thread.
    Inline(Box<ZipWriter<Cursor<Vec<u8>>>>),
    /// Finished, or failed.
    Done,
}

impl Archive {
    pub(crate) fn new() -> Self {
        let (steps, received) = sync_channel(QUEUE);
        let started = std::thread::Builder::new()
            .name("zip-deflate".into())
            .spawn(move || compress(&received));
        let inner = match started {
            Ok(compressor) => Inner::Threaded { steps, compressor },
            Err(_) => Inner::Inline(Box::new(ZipWriter::new(Cursor::new(Vec::new())))),
        };
        Archive { inner }
    }

    /// Starts the part `name`; what is written next belongs to it.
    pub(crate) fn start_file(&mut self, name: impl Into<String>) -> Result<()> {
        self.step(Step::Part(name.into()))
    }

    /// Adds bytes to the current part.
    pub(crate) fn write_all(&mut self, bytes: &[u8]) -> Result<()> {
        if bytes.is_empty() {
            return Ok(());
        }
        self.step(Step::Bytes(bytes.to_vec()))
    }

    /// Ends the archive and gives its bytes.
    pub(crate) fn finish(mut self) -> Result<Vec<u8>> {
        match std::mem::replace(&mut self.inner, Inner::Done) {
            Inner::Threaded { steps, compressor } => {
                drop(steps);
                joined(compressor)
            }
            Inner::Inline(zip) => Ok(zip.finish()?.into_inner()),
            Inner::Done => anyhow::bail!("the archive was already finished"),
        }
    }

    /// Hands `step` to the compressor, or takes it here.
    fn step(&mut self, step: Step) -> Result<()> {
        match &mut self.inner {
            Inner::Threaded { steps, .. } => match steps.send(step) {
                Ok(()) => Ok(()),
                Err(_) => Err(self.stopped()),
            },
            Inner::Inline(zip) => take(zip, step),
            Inner::Done => anyhow::bail!("the archive was already finished"),
        }
    }

    /// Why the compressor stopped taking steps: its error.
    fn stopped(&mut self) -> anyhow::Error {
        match std::mem::replace(&mut self.inner, Inner::Done) {
            Inner::Threaded { compressor, .. } => match joined(compressor) {
                Err(e) => e,
                Ok(_) => anyhow::anyhow!("the compressor stopped before the archive was finished"),
            },
            _ => anyhow::anyhow!("the archive was already finished"),
        }
    }
}

/// Every part is deflated.
fn options() -> SimpleFileOptions {
    SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated)
}

/// One step, taken by the zip writer.
fn take(zip: &mut ZipWriter<Cursor<Vec<u8>>>, step: Step) -> Result<()> {
    match step {
        Step::Part(name) => zip.start_file(name, options())?,
        Step::Bytes(bytes) => zip.write_all(&bytes)?,
    }
    Ok(())
}

/// The compressor's loop: parts and bytes in the order they were sent, until the sender is
/// dropped.
fn compress(steps: &Receiver<Step>) -> Result<Vec<u8>> {
    let mut zip = ZipWriter::new(Cursor::new(Vec::new()));
    for step in steps {
        take(&mut zip, step)?;
    }
    Ok(zip.finish()?.into_inner())
}

fn joined(compressor: JoinHandle<Result<Vec<u8>>>) -> Result<Vec<u8>> {
    compressor
        .join()
        .map_err(|_| anyhow::anyhow!("the compressor stopped unexpectedly"))
        .and_then(|done| done)
        .context("compressing the file")
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
    fn the_archive_is_the_one_a_single_thread_writes_with_or_without_the_compressor_thread() {
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
        let threaded = Archive::new();
        assert!(matches!(threaded.inner, Inner::Threaded { .. }));
        // As when no thread can be started.
        let inline = Archive {
            inner: Inner::Inline(Box::new(ZipWriter::new(Cursor::new(Vec::new())))),
        };
        for mut archive in [threaded, inline] {
            for (name, chunks) in &parts {
                archive.start_file(*name).unwrap();
                for c in chunks {
                    archive.write_all(c).unwrap();
                }
            }
            assert_eq!(archive.finish().unwrap(), single_threaded(&parts));
        }
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
