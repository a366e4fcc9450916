//! Order-preserving parallel work over `0..n` with scoped threads: large plans use both cores,
//! small ones stay on one thread, and the result never depends on the number of threads.
//! [`map_with`] collects every result; [`chunks_in_order`] hands results over chunk by chunk,
//! in order, so that only a few chunks are held at once; [`join`] runs two pieces of work side
//! by side; [`FirstError`] keeps, of the errors met by threads working on indices handed out in
//! order, the one a single thread would have met first.

use std::ops::Range;
use std::sync::{Mutex, MutexGuard, PoisonError, mpsc};

/// Maps `f` over `0..n`, giving each thread its own scratch state from `init`. Uses one thread
/// per `min_chunk` items, up to the available cores. A panic in a worker is passed on.
pub fn map_with<S, T, I, F>(n: usize, min_chunk: usize, init: I, f: F) -> Vec<T>
where
    T: Send,
    I: Fn() -> S + Sync,
    F: Fn(&mut S, usize) -> T + Sync,
{
    let threads = std::thread::available_parallelism()
        .map_or(1, usize::from)
        .min(n / min_chunk.max(1) + 1);
    if threads <= 1 {
        let mut state = init();
        return (0..n).map(|i| f(&mut state, i)).collect();
    }
    let chunk = n.div_ceil(threads);
    std::thread::scope(|scope| {
        let handles: Vec<_> = (0..n)
            .step_by(chunk)
            .map(|start| {
                let (init, f) = (&init, &f);
                scope.spawn(move || {
                    let mut state = init();
                    (start..(start + chunk).min(n))
                        .map(|i| f(&mut state, i))
                        .collect::<Vec<T>>()
                })
            })
            .collect();
        handles
            .into_iter()
            .flat_map(|h| {
                h.join()
                    .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
            })
            .collect()
    })
}

/// Runs `here` on this thread and `there` on a second one at the same time, and gives both
/// results. A panic in `there` is passed on.
pub fn join<A, B>(here: impl FnOnce() -> A, there: impl FnOnce() -> B + Send) -> (A, B)
where
    B: Send,
{
    std::thread::scope(|scope| {
        let there = scope.spawn(there);
        let a = here();
        let b = there
            .join()
            .unwrap_or_else(|panic| std::panic::resume_unwind(panic));
        (a, b)
    })
}

/// How many finished chunks a thread of [`chunks_in_order`] may hold before they are taken.
const AHEAD: usize = 4;

/// Runs `work` on consecutive chunks of `0..n` (`chunk` items each, the last one shorter) on
/// every core, and hands each chunk's result to `consume` on the calling thread, in order.
/// Chunk `k` always goes to thread `k % threads`, and each thread runs at most [`AHEAD`]
/// finished chunks ahead of `consume` (so that a thread the system pauses for a moment does not
/// stop the others at once), so at most `AHEAD + 2` chunks per thread are in memory at once,
/// whatever `n`. When `consume` fails, the workers stop after their current
/// chunk and the error is returned; a panic in a worker is passed on.
pub fn chunks_in_order<S, T, E, I, W, C>(
    n: usize,
    chunk: usize,
    init: I,
    work: W,
    mut consume: C,
) -> Result<(), E>
where
    T: Send,
    I: Fn() -> S + Sync,
    W: Fn(&mut S, Range<usize>) -> T + Sync,
    C: FnMut(T) -> Result<(), E>,
{
    let chunk = chunk.max(1);
    let chunks = n.div_ceil(chunk);
    let range = |k: usize| k * chunk..((k + 1) * chunk).min(n);
    let threads = std::thread::available_parallelism()
        .map_or(1, usize::from)
        .min(chunks);
    if threads <= 1 {
        let mut state = init();
        for k in 0..chunks {
            consume(work(&mut state, range(k)))?;
        }
        return Ok(());
    }
    std::thread::scope(|scope| {
        let mut receivers = Vec::with_capacity(threads);
        let mut handles = Vec::with_capacity(threads);
        for t in 0..threads {
            let (tx, rx) = mpsc::sync_channel::<T>(AHEAD);
            receivers.push(rx);
            let (init, work) = (&init, &work);
            handles.push(scope.spawn(move || {
                let mut state = init();
                for k in (t..chunks).step_by(threads) {
                    // The receiver is gone when `consume` failed: stop.
                    if tx.send(work(&mut state, range(k))).is_err() {
                        break;
                    }
                }
            }));
        }
        let mut outcome = Ok(());
        for k in 0..chunks {
            // A closed channel means its worker panicked: joined below.
            let Ok(result) = receivers[k % threads].recv() else {
                break;
            };
            if let Err(e) = consume(result) {
                outcome = Err(e);
                break;
            }
        }
        drop(receivers);
        for h in handles {
            h.join()
                .unwrap_or_else(|panic| std::panic::resume_unwind(panic));
        }
        outcome
    })
}

/// The error of the lowest index among threads that take indices in order (from a shared
/// counter, say): whichever thread meets its error first, the one kept is the one the same
/// work done on one thread would have met first, so messages do not depend on timing.
#[derive(Debug)]
pub struct FirstError<E>(Mutex<Option<(usize, E)>>);

impl<E> Default for FirstError<E> {
    fn default() -> Self {
        FirstError(Mutex::new(None))
    }
}

impl<E> FirstError<E> {
    fn lock(&self) -> MutexGuard<'_, Option<(usize, E)>> {
        self.0.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Keeps `error`, met at `index`, unless an error was kept at a lower index.
    pub fn keep(&self, index: usize, error: E) {
        let mut kept = self.lock();
        if kept.as_ref().is_none_or(|(j, _)| index < *j) {
            *kept = Some((index, error));
        }
    }

    /// The index of the error kept so far, if any.
    pub fn index(&self) -> Option<usize> {
        self.lock().as_ref().map(|(i, _)| *i)
    }

    /// The error kept, if any.
    pub fn into_inner(self) -> Option<E> {
        self.0
            .into_inner()
            .unwrap_or_else(PoisonError::into_inner)
            .map(|(_, e)| e)
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn keeps_order_whatever_the_split() {
        for n in [0, 1, 7, 1000, 5000] {
            let out = super::map_with(
                n,
                3,
                || 0u32,
                |calls, i| {
                    *calls += 1;
                    i * 2
                },
            );
            assert_eq!(out, (0..n).map(|i| i * 2).collect::<Vec<_>>());
        }
    }

    #[test]
    fn chunks_come_in_order_and_errors_stop_the_work() {
        for (n, chunk) in [(0, 4), (1, 4), (10, 1), (10, 3), (1000, 7), (64, 64)] {
            let mut seen = Vec::new();
            let done: Result<(), ()> = super::chunks_in_order(
                n,
                chunk,
                || (),
                |(), r| r.collect::<Vec<usize>>(),
                |part| {
                    assert!(part.len() <= chunk && !part.is_empty());
                    seen.extend(part);
                    Ok(())
                },
            );
            assert_eq!(done, Ok(()));
            assert_eq!(seen, (0..n).collect::<Vec<_>>());
        }
        let mut taken = 0;
        let failed = super::chunks_in_order(
            100,
            5,
            || (),
            |(), r| r.start,
            |start| {
                taken += 1;
                if start == 20 { Err(start) } else { Ok(()) }
            },
        );
        assert_eq!((failed, taken), (Err(20), 5));
    }

    #[test]
    fn the_first_error_is_the_one_of_the_lowest_index_whatever_the_order_met() {
        let first = super::FirstError::default();
        assert_eq!(first.index(), None);
        first.keep(7, "seventh");
        first.keep(9, "ninth");
        assert_eq!(first.index(), Some(7));
        first.keep(3, "third");
        first.keep(5, "fifth");
        assert_eq!(first.index(), Some(3));
        assert_eq!(first.into_inner(), Some("third"));
        assert_eq!(super::FirstError::<&str>::default().into_inner(), None);
    }
}
