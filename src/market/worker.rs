//! The outbox worker: claims events, fans published chips out to subscribers and
//! announces every event on the bus; between passes it makes the notification
//! digests that are due. Several workers may run at once.

use super::{Market, MarketError};
use crate::domain::OutboxEvent;
use std::time::Duration;

/// The bus topic on which chip events are announced.
pub fn chip_topic() -> &'static str {
    "chips"
}

pub struct OutboxWorker {
    market: Market,
    batch: u32,
    lease_secs: i64,
}

impl OutboxWorker {
    pub fn new(market: Market) -> Self {
        Self { market, batch: 16, lease_secs: 60 }
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
                match self.handle(&event).await {
                    Ok(()) => {
                        self.market.store.complete_event(event.id).await.map_err(MarketError::Store)?;
                        handled += 1;
                    }
                    Err(e) => {
                        tracing::warn!(event = %event.id, kind = %event.kind, error = %e, "outbox event failed; will retry");
                        self.market.store.fail_event(event.id, &e.to_string()).await.map_err(MarketError::Store)?;
                    }
                }
            }
        }
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
        tokio::pin!(shutdown);
        let mut digests_due = tokio::time::Instant::now();
        loop {
            if let Err(e) = self.run_once().await {
                tracing::warn!(error = %e, "outbox worker pass failed");
            }
            // Digests are due once a user's day or week has ended; overlapping runs
            // make each digest once, so every worker may try, once a minute.
            if tokio::time::Instant::now() >= digests_due {
                digests_due = tokio::time::Instant::now() + Duration::from_secs(60);
                match self.market.run_digests(time::OffsetDateTime::now_utc()).await {
                    Ok(r) if r.created > 0 => tracing::info!(created = r.created, "made notification digests"),
                    Ok(_) => {}
                    Err(e) => tracing::warn!(error = %e, "digest pass failed"),
                }
            }
            tokio::select! {
                () = &mut shutdown => return,
                () = tokio::time::sleep(every) => {}
            }
        }
    }
}
