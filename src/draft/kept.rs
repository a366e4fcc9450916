//! Commitments kept from one walk over `commitments` to the next, while a whole document
//! renders ([`super::render_all`]).
//!
//! A template goes through `commitments` in order, often several times: the built-in one three
//! times with `--appendix` (the sections, then the table of ratings and the list of
//! disagreements, which the filters of [`super::appendix`] write, or a template's own loops).
//! Each commitment was assessed and its results built anew for each walk (see
//! [`context::Commitments`]), a tenth of the appendix's work. When the template lets go of a
//! commitment, what its fields are built from ([`context::CommitmentParts`]: the assessment
//! and the results, without the fields themselves) is kept here, up to a cap, and the next
//! walk takes it instead of building it again. The fields a template reads are built again
//! from it, the same: the engine is deterministic, so nothing a template sees changes.
//!
//! Only a draft with the appendix keeps them (the built-in template walks the commitments once
//! without it: a render then holds one commitment at a time), at most [`KEEP`] of them, about
//! 4 kB each at OGP's size (5 evaluators, 8 criteria: about 20 MB for 5,000; 7.5 kB when the
//! results held every criterion's result, which is now built from the assessment when read):
//! on a larger plan, the first ones are kept and the others built for each walk, as before. `draft --split` keeps
//! none (each of its renders reads one commitment once).

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};

use super::context;

/// How many commitments are kept at most: OGP's whole database (5,000) at about 4 kB each.
pub(super) const KEEP: usize = 5_000;

/// The commitments the template let go of, by their index, for its next walk.
#[derive(Debug)]
pub(super) struct Kept {
    parts: Mutex<HashMap<usize, context::CommitmentParts>>,
    /// The most kept at once.
    cap: usize,
}

impl Kept {
    /// Keeps up to `cap` commitments.
    pub(super) fn new(cap: usize) -> Kept {
        Kept {
            parts: Mutex::default(),
            cap,
        }
    }

    /// The `i`th commitment's parts: the ones kept (no longer kept then), else built now.
    pub(super) fn take(
        &self,
        all: &Arc<context::Commitments>,
        i: usize,
    ) -> Option<context::CommitmentParts> {
        let kept = self
            .parts
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .remove(&i);
        kept.or_else(|| all.get(i))
    }

    /// Keeps the parts of a commitment the template let go of, their fields let go of
    /// ([`context::CommitmentParts::forget_fields`]), unless `cap` are kept already.
    pub(super) fn keep(&self, mut parts: context::CommitmentParts) {
        let mut kept = self.parts.lock().unwrap_or_else(PoisonError::into_inner);
        if kept.len() < self.cap && !kept.contains_key(&parts.index()) {
            parts.forget_fields();
            kept.insert(parts.index(), parts);
        } else {
            drop(kept);
            drop(parts);
        }
    }

    /// How many are kept now.
    #[cfg(test)]
    pub(super) fn len(&self) -> usize {
        self.parts
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .len()
    }
}
