//! The outbox worker: claims events, fans published chips out to subscribers and
//! announces every event on the bus; between passes it makes the notification
//! digests that are due. Several workers may run at once.
//!
//! An event that fails is tried again after a pause that doubles with each attempt;
//! after the last attempt it is set aside as dead (listed for administrators, counted
//! in `/metrics`) so one broken event never holds up the others. Shutdown never waits
//! for a pass to finish: an interrupted event's lease runs out and it is tried again.

use super::{Market, MarketError};
use crate::domain::{DeadEvent, Id, OutboxEvent, Page, PageRequest};
use std::time::Duration;

/// The bus topic on which chip events are announced.
pub fn chip_topic() -> &'static str {
    "chips"
}

/// How often a failing event is tried and how long the pauses between tries are.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Attempts in all, the first included; after the last failure the event is dead.
    pub max_attempts: i32,
    /// The pause after the first failure; it doubles with every further one.
    pub first_pause: Duration,
    /// The longest pause.
    pub max_pause: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        Self { max_attempts: 8, first_pause: Duration::from_secs(2), max_pause: Duration::from_secs(3600) }
    }
}

impl RetryPolicy {
    /// The pause after the `attempt`-th failure (1-based), or `None` when the attempts
    /// are used up.
    pub fn pause_after(&self, attempt: i32) -> Option<Duration> {
        if attempt >= self.max_attempts {
            return None;
        }
        let doublings = u32::try_from(attempt.saturating_sub(1)).unwrap_or(0).min(30);
        Some(self.first_pause.saturating_mul(1 << doublings).min(self.max_pause))
    }
}

pub struct OutboxWorker {
    market: Market,
    batch: u32,
    lease_secs: i64,
    retry: RetryPolicy,
}

impl OutboxWorker {
    pub fn new(market: Market) -> Self {
        Self { market, batch: 16, lease_secs: 60, retry: RetryPolicy::default() }
    }

    /// The same worker holding each event it claims for `secs` seconds.
    pub fn with_lease(self, secs: u32) -> Self {
        Self { lease_secs: i64::from(secs.max(1)), ..self }
    }

    /// The same worker with another retry policy.
    pub fn with_retry(self, retry: RetryPolicy) -> Self {
        Self { retry, ..self }
    }

    /// Processes what is pending now; returns how many events were handled.
    pub async fn run_once(&self) -> Result<usize, MarketError> {
        let mut handled = 0;
        loop {
            let events =
                self.market.store.claim_events(self.batch, self.lease_secs).await.map_err(MarketError::Store)?;
            if events.is_empty() {
                return Ok(handled);
            }
            for event in events {
                // An event that hangs gives up its place when its lease would run out.
                let limit = Duration::from_secs(u64::try_from(self.lease_secs).unwrap_or(60));
                let outcome = match tokio::time::timeout(limit, self.handle(&event)).await {
                    Ok(outcome) => outcome.map_err(|e| e.to_string()),
                    Err(_) => Err(format!("not finished within {} s", limit.as_secs())),
                };
                match outcome {
                    Ok(()) => {
                        crate::failpoint::hit("outbox.before_ack");
                        self.market.store.complete_event(event.id).await.map_err(MarketError::Store)?;
                        handled += 1;
                    }
                    Err(error) => self.failed(&event, &error).await?,
                }
            }
        }
    }

    async fn failed(&self, event: &OutboxEvent, error: &str) -> Result<(), MarketError> {
        let pause = self.retry.pause_after(event.attempts);
        let retry_at = pause.map(|p| time::OffsetDateTime::now_utc() + p);
        match pause {
            Some(p) => tracing::warn!(event = %event.id, kind = %event.kind, attempt = event.attempts, error,
                retry_in_ms = p.as_millis() as u64, "outbox event failed; will retry"),
            None => tracing::error!(event = %event.id, kind = %event.kind, attempts = event.attempts, error,
                "outbox event failed on its last attempt; set aside as dead"),
        }
        self.market.store.fail_event(event.id, error, retry_at).await.map_err(MarketError::Store)
    }

    async fn handle(&self, event: &OutboxEvent) -> Result<(), MarketError> {
        if event.kind == "chip.published" {
            let report = self.market.fan_out_chip(event.aggregate_id).await?;
            tracing::info!(chip = %event.aggregate_id, notified = report.notified, purchased = report.purchased,
                skipped = report.skipped.len(), "fanned out chip");
        }
        let message = serde_json::json!({ "kind": event.kind, "id": event.aggregate_id, "payload": event.payload });
        if let Err(e) = self.market.cache.bus.publish(chip_topic(), &message.to_string()).await {
            tracing::warn!(error = %e, "could not announce event on the bus");
        }
        Ok(())
    }

    /// Runs until `shutdown` resolves, polling every `every`.
    pub async fn run(self, every: Duration, shutdown: impl std::future::Future<Output = ()>) {
        let digests_due = std::sync::Mutex::new(tokio::time::Instant::now());
        repeat(every, shutdown, || async {
            if let Err(e) = self.run_once().await {
                tracing::warn!(error = %e, "outbox worker pass failed");
            }
            // Digests are due once a user's day or week has ended; overlapping runs
            // make each digest once, so every worker may try, once a minute.
            let due = {
                let mut at = digests_due.lock().unwrap_or_else(|p| p.into_inner());
                let due = tokio::time::Instant::now() >= *at;
                if due {
                    *at = tokio::time::Instant::now() + Duration::from_secs(60);
                }
                due
            };
            if due {
                match self.market.run_digests(time::OffsetDateTime::now_utc()).await {
                    Ok(r) if r.created > 0 => tracing::info!(created = r.created, "made notification digests"),
                    Ok(_) => {}
                    Err(e) => tracing::warn!(error = %e, "digest pass failed"),
                }
            }
            self.report_counts().await;
        })
        .await;
    }

    /// Publishes the outbox's size as gauges for `/metrics`.
    async fn report_counts(&self) {
        match self.market.store.outbox_counts().await {
            Ok(c) => {
                metrics::gauge!("outbox_pending_events").set(c.pending as f64);
                metrics::gauge!("outbox_dead_events").set(c.dead as f64);
            }
            Err(e) => tracing::warn!(error = %e, "could not count outbox events"),
        }
    }
}

/// Runs `pass` every `every` until `shutdown` resolves; shutdown never waits for a
/// pass to finish.
pub(super) async fn repeat<F, Fut>(every: Duration, shutdown: impl std::future::Future<Output = ()>, mut pass: F)
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = ()>,
{
    tokio::pin!(shutdown);
    loop {
        tokio::select! {
            () = &mut shutdown => return,
            () = pass() => {}
        }
        tokio::select! {
            () = &mut shutdown => return,
            () = tokio::time::sleep(every) => {}
        }
    }
}

impl Market {
    /// Outbox events that failed on every attempt, oldest first (administrators).
    pub async fn dead_events(&self, page: PageRequest) -> Result<Page<DeadEvent>, MarketError> {
        self.store.dead_events(page).await.map_err(MarketError::Store)
    }

    /// Puts a dead event back in the queue with fresh attempts.
    pub async fn retry_dead_event(&self, id: Id) -> Result<(), MarketError> {
        self.store.revive_event(id).await.map_err(|e| MarketError::from_store("dead event", e))
    }
}
