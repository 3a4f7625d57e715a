//! Crash points for the fault suite. Built with the `failpoints` feature, a process
//! started with `HOLOMESH_FAILPOINTS=purchase.before_commit` (names separated by commas,
//! each optionally `@n`: the n-th time, default the first) aborts when it reaches that
//! point, as if it were killed with `kill -9` there: nothing after it runs, open
//! transactions are rolled back by the database. Without the feature, [`hit`] does nothing.
//!
//! The points: `purchase.before_commit`, `purchase.after_commit`, `refund.before_commit`,
//! `refund.after_commit`, `fanout.subscriber` (after one subscriber's share of a fan-out
//! is committed) and `outbox.before_ack` (an event handled, not yet marked done).

/// Aborts the process if `name` is armed and this is its turn.
#[cfg(feature = "failpoints")]
pub fn hit(name: &str) {
    use std::sync::OnceLock;
    use std::sync::atomic::{AtomicU64, Ordering};
    static ARMED: OnceLock<Vec<(String, u64, AtomicU64)>> = OnceLock::new();
    let armed = ARMED.get_or_init(|| {
        std::env::var("HOLOMESH_FAILPOINTS")
            .unwrap_or_default()
            .split(',')
            .filter(|p| !p.trim().is_empty())
            .map(|p| match p.trim().split_once('@') {
                Some((n, at)) => (n.to_owned(), at.parse().unwrap_or(1), AtomicU64::new(0)),
                None => (p.trim().to_owned(), 1, AtomicU64::new(0)),
            })
            .collect()
    });
    for (point, at, seen) in armed {
        if point == name && seen.fetch_add(1, Ordering::SeqCst) + 1 == *at {
            eprintln!("failpoint {name}@{at}: aborting");
            std::process::abort();
        }
    }
}

/// Does nothing: this build has no failpoints.
#[cfg(not(feature = "failpoints"))]
#[inline(always)]
pub fn hit(_name: &str) {}
