//! Order-preserving parallel map over `0..n` with scoped threads: large plans use both cores,
//! small ones stay on one thread, and the result never depends on the number of threads.

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
}
