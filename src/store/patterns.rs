//! The facts work patterns are derived from: purchases with their chips, voice
//! commands, subscription counts (see [`crate::domain::WorkPatterns`]).

use super::{Store, StoreError};
use crate::domain::{Id, PurchaseTrace, SubscriptionCounts, VoiceTrace};

/// At most this many of the latest purchases or commands are looked at.
const RECENT: i64 = 5000;

type TraceRow = (Id, i64, String, String, String, Option<String>, String, String, time::OffsetDateTime);

fn trace(
    (buyer_id, price_minor, currency, category, process_node, designer, status, source, created_at): TraceRow,
) -> PurchaseTrace {
    PurchaseTrace {
        buyer_id,
        price_minor,
        currency: currency.trim().to_owned(),
        category,
        process_node,
        designer: designer.unwrap_or_default(),
        refunded: status == "refunded",
        automatic: source == "auto",
        created_at,
    }
}

const TRACE_COLUMNS: &str = "p.buyer_id, p.price_minor, CAST(p.currency AS TEXT), c.category, c.process_node, d.handle, \
     p.status, p.source, p.created_at";

impl Store {
    /// A buyer's latest purchases with their chips' category, node and designer.
    pub async fn purchase_traces(&self, buyer_id: Id) -> Result<Vec<PurchaseTrace>, StoreError> {
        self.traces("p.buyer_id", buyer_id).await
    }

    /// The latest sales of a designer's chips.
    pub async fn sale_traces(&self, designer_id: Id) -> Result<Vec<PurchaseTrace>, StoreError> {
        self.traces("c.designer_id", designer_id).await
    }

    /// The latest purchases whose `column` is `id`.
    async fn traces(&self, column: &'static str, id: Id) -> Result<Vec<PurchaseTrace>, StoreError> {
        let rows: Vec<TraceRow> = self
            .db
            .query(format!(
                "SELECT {TRACE_COLUMNS} FROM purchases p JOIN chips c ON c.id = p.chip_id \
                 LEFT JOIN designer_profiles d ON d.user_id = c.designer_id \
                 WHERE {column} = $1 ORDER BY p.created_at DESC LIMIT $2"
            ))
            .bind(id)
            .bind(RECENT)
            .fetch_all()
            .await?;
        Ok(rows.into_iter().map(trace).collect())
    }

    /// The categories of completed purchases from other designers by people who bought
    /// one of `designer_id`'s chips (one entry per purchase).
    pub async fn also_bought(&self, designer_id: Id) -> Result<Vec<String>, StoreError> {
        self.db
            .query(
                "SELECT c.category FROM purchases p JOIN chips c ON c.id = p.chip_id \
                 WHERE p.status = 'completed' AND c.designer_id <> $1 AND p.buyer_id IN \
                 (SELECT p2.buyer_id FROM purchases p2 JOIN chips c2 ON c2.id = p2.chip_id WHERE c2.designer_id = $1) \
                 ORDER BY p.created_at DESC LIMIT $2",
            )
            .bind(designer_id)
            .bind(RECENT)
            .scalars()
            .await
    }

    /// Chips bought by people who bought what `buyer_id` bought: (chip, the buyer's
    /// chip that links them, how many such people), most shared first.
    pub async fn co_purchases(&self, buyer_id: Id) -> Result<Vec<(Id, Id, i64)>, StoreError> {
        self.db
            .query(
                "SELECT other.chip_id, mine.chip_id, COUNT(DISTINCT other.buyer_id) AS n FROM purchases mine \
                 JOIN purchases peer ON peer.chip_id = mine.chip_id AND peer.buyer_id <> mine.buyer_id \
                 AND peer.status = 'completed' \
                 JOIN purchases other ON other.buyer_id = peer.buyer_id AND other.chip_id <> mine.chip_id \
                 AND other.status = 'completed' \
                 WHERE mine.buyer_id = $1 AND mine.status = 'completed' \
                 GROUP BY other.chip_id, mine.chip_id ORDER BY n DESC, other.chip_id LIMIT 200",
            )
            .bind(buyer_id)
            .fetch_all()
            .await
    }

    /// A user's latest voice commands: intent, whether understood, what was searched.
    pub async fn voice_traces(&self, user_id: Id) -> Result<Vec<VoiceTrace>, StoreError> {
        let rows: Vec<(Option<String>, String, String)> = self
            .db
            .query(
                "SELECT intent, status, CAST(slots AS TEXT) FROM voice_commands WHERE user_id = $1 \
                 ORDER BY created_at DESC LIMIT $2",
            )
            .bind(user_id)
            .bind(RECENT)
            .fetch_all()
            .await?;
        Ok(rows
            .into_iter()
            .map(|(intent, status, slots)| {
                let query = (intent.as_deref() == Some("SearchChips"))
                    .then(|| serde_json::from_str::<serde_json::Value>(&slots).ok())
                    .flatten()
                    .and_then(|s| s.get("query").and_then(|q| q.as_str()).map(str::to_owned));
                VoiceTrace { understood: intent.is_some() && status != "not_understood", intent, query }
            })
            .collect())
    }

    /// Subscriptions a user holds (all, with auto-buy), paused ones left out.
    pub async fn subscription_counts(&self, subscriber_id: Id) -> Result<SubscriptionCounts, StoreError> {
        self.counts("subscriber_id", subscriber_id).await
    }

    /// Subscriptions to a designer (all, with auto-buy), paused ones left out.
    pub async fn subscriber_counts(&self, designer_id: Id) -> Result<SubscriptionCounts, StoreError> {
        self.counts("designer_id", designer_id).await
    }

    async fn counts(&self, column: &'static str, id: Id) -> Result<SubscriptionCounts, StoreError> {
        let (all, auto): (i64, i64) = self
            .db
            .query(format!(
                "SELECT COUNT(*), COALESCE(SUM(CASE WHEN auto_purchase THEN 1 ELSE 0 END), 0) FROM subscriptions \
                 WHERE {column} = $1 AND NOT paused"
            ))
            .bind(id)
            .fetch_one()
            .await?;
        Ok((u64::try_from(all).unwrap_or(0), u64::try_from(auto).unwrap_or(0)))
    }
}
