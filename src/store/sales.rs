//! The steps of a sale, each inside the caller's transaction (the purchase service
//! decides the order and the rules), plus the reads of purchases and earnings.

use super::rows::{PURCHASE_COLUMNS, PurchaseRow, stable_hash};
use super::sql::now;
use super::{Store, StoreError, Tx, page_of};
use crate::domain::{ChipStatus, Currency, Earnings, Id, Licence, Money, Page, PageRequest, Purchase};
use sqlx::types::Json;
use time::OffsetDateTime;

/// A stored answer to an idempotent request.
#[derive(Debug, Clone)]
pub struct IdempotencyRecord {
    pub request_hash: String,
    /// The stored response body, once the request completed.
    pub response: Option<serde_json::Value>,
    pub expires_at: OffsetDateTime,
}

/// The edition a sale just took: the chip's seller, price and the edition's number.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Edition {
    pub designer_id: Id,
    pub price_minor: i64,
    pub currency: String,
    pub supply: Option<i64>,
    pub edition: i64,
}

/// One ledger line of a purchase, as a refund reverses it.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct RefundLine {
    pub wallet_id: Option<Id>,
    pub user_id: Option<Id>,
    pub party: String,
    pub account: String,
    pub amount_minor: i64,
    pub currency: String,
}

impl Tx {
    /// Guards `(user, key)` until the transaction ends; `false` when another
    /// transaction holds it (a request with the same key is in flight).
    pub async fn lock_idempotency_key(&mut self, user_id: Id, key: &str) -> Result<bool, StoreError> {
        self.try_lock(stable_hash(&[user_id.as_bytes(), key.as_bytes()])).await
    }

    pub async fn idempotency_record(
        &mut self,
        user_id: Id,
        key: &str,
    ) -> Result<Option<IdempotencyRecord>, StoreError> {
        let row: Option<(String, Option<Json<serde_json::Value>>, OffsetDateTime)> = self
            .query(
                "SELECT request_hash, response_body, expires_at FROM idempotency_keys WHERE user_id = $1 AND key = $2",
            )
            .bind(user_id)
            .bind(key)
            .fetch_optional()
            .await?;
        Ok(row.map(|(request_hash, body, expires_at)| IdempotencyRecord {
            request_hash,
            response: body.map(|j| j.0),
            expires_at,
        }))
    }

    pub async fn delete_idempotency_key(&mut self, user_id: Id, key: &str) -> Result<(), StoreError> {
        self.query("DELETE FROM idempotency_keys WHERE user_id = $1 AND key = $2")
            .bind(user_id)
            .bind(key)
            .execute()
            .await
            .map(drop)
    }

    /// Stores the completed response of an idempotent request until `expires_at`.
    pub async fn save_idempotent_response(
        &mut self,
        user_id: Id,
        key: &str,
        request_hash: &str,
        status: u16,
        body: &serde_json::Value,
        expires_at: OffsetDateTime,
    ) -> Result<(), StoreError> {
        self.query(
            "INSERT INTO idempotency_keys (user_id, key, request_hash, state, response_status, response_body, \
             created_at, expires_at) VALUES ($1, $2, $3, 'completed', $4, $5, $6, $7)",
        )
        .bind(user_id)
        .bind(key)
        .bind(request_hash)
        .bind(i32::from(status))
        .bind(Json(body))
        .bind(now())
        .bind(expires_at)
        .execute()
        .await
        .map(drop)
    }

    /// Takes one edition of a published chip that is in stock: the stock check and
    /// the count are one statement. `None` when the chip is missing, not published or
    /// sold out (see [`Tx::chip_status`]).
    pub async fn take_edition(&mut self, chip_id: Id) -> Result<Option<Edition>, StoreError> {
        self.query(
            "UPDATE chips SET sold_count = sold_count + 1, editions_issued = editions_issued + 1 \
             WHERE id = $1 AND status = 'published' AND (supply IS NULL OR sold_count < supply) \
             RETURNING designer_id, price_minor, currency, supply, editions_issued AS edition",
        )
        .bind(chip_id)
        .fetch_optional()
        .await
    }

    pub async fn chip_status(&mut self, chip_id: Id) -> Result<Option<ChipStatus>, StoreError> {
        let status: Option<String> =
            self.query("SELECT status FROM chips WHERE id = $1").bind(chip_id).scalar_optional().await?;
        status.map(|s| s.parse().map_err(StoreError::corrupt)).transpose()
    }

    /// The chip's IP-block contributors and their shares, in listing order.
    pub async fn contributions(&mut self, chip_id: Id) -> Result<Vec<(Id, u16)>, StoreError> {
        let rows: Vec<(Id, i32)> = self
            .query("SELECT contributor_id, share_bps FROM chip_contributions WHERE chip_id = $1 ORDER BY id")
            .bind(chip_id)
            .fetch_all()
            .await?;
        rows.into_iter().map(|(id, b)| Ok((id, u16::try_from(b).map_err(StoreError::corrupt)?))).collect()
    }

    pub async fn insert_purchase(&mut self, p: &Purchase) -> Result<(), StoreError> {
        self.query(
            "INSERT INTO purchases (id, chip_id, buyer_id, price_minor, currency, status, source, split, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
        )
        .bind(p.id)
        .bind(p.chip_id)
        .bind(p.buyer_id)
        .bind(p.price.amount_minor)
        .bind(p.price.currency.as_str())
        .bind(p.status.as_str())
        .bind(p.source.as_str())
        .bind(Json(&p.split))
        .bind(p.created_at)
        .execute()
        .await
        .map(drop)
    }

    pub async fn insert_licence(&mut self, purchase_id: Id, l: &Licence) -> Result<(), StoreError> {
        self.query(
            "INSERT INTO licences (id, purchase_id, chip_id, owner_id, edition, token, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(l.id)
        .bind(purchase_id)
        .bind(l.chip_id)
        .bind(l.owner_id)
        .bind(l.edition)
        .bind(&l.token)
        .bind(now())
        .execute()
        .await
        .map(drop)
    }

    /// Counts a sale on the designer's profile.
    pub async fn count_designer_sale(&mut self, designer_id: Id) -> Result<(), StoreError> {
        self.query("UPDATE designer_profiles SET sales_count = sales_count + 1 WHERE user_id = $1")
            .bind(designer_id)
            .execute()
            .await
            .map(drop)
    }

    /// Marks a completed purchase refunded. Of two concurrent refunds exactly one
    /// gets `Some`; the other finds it refunded already and gets `None`.
    pub async fn mark_refunded(&mut self, purchase_id: Id) -> Result<Option<Id>, StoreError> {
        self.query("UPDATE purchases SET status = 'refunded' WHERE id = $1 AND status = 'completed' RETURNING chip_id")
            .bind(purchase_id)
            .scalar_optional()
            .await
    }

    /// Puts a refunded purchase's unit back on sale.
    pub async fn return_unit(&mut self, chip_id: Id) -> Result<(), StoreError> {
        self.query("UPDATE chips SET sold_count = sold_count - 1 WHERE id = $1 AND sold_count > 0")
            .bind(chip_id)
            .execute()
            .await
            .map(drop)
    }

    /// The ledger lines the purchase wrote, oldest first.
    pub async fn purchase_ledger_lines(&mut self, purchase_id: Id) -> Result<Vec<RefundLine>, StoreError> {
        self.query(
            "SELECT wallet_id, user_id, party, account, amount_minor, currency FROM ledger_entries \
             WHERE purchase_id = $1 ORDER BY id",
        )
        .bind(purchase_id)
        .fetch_all()
        .await
    }

    pub async fn revoke_licences(&mut self, purchase_id: Id) -> Result<(), StoreError> {
        self.query("UPDATE licences SET revoked_at = $2 WHERE purchase_id = $1")
            .bind(purchase_id)
            .bind(now())
            .execute()
            .await
            .map(drop)
    }
}

impl Store {
    pub async fn purchase_by_id(&self, id: Id) -> Result<Purchase, StoreError> {
        let row: PurchaseRow = self
            .db
            .query(format!("SELECT {PURCHASE_COLUMNS} FROM purchases WHERE id = $1"))
            .bind(id)
            .fetch_one()
            .await?;
        row.try_into()
    }

    /// A buyer's purchases, newest first.
    pub async fn list_purchases(&self, buyer_id: Id, page: PageRequest) -> Result<Page<Purchase>, StoreError> {
        let rows: Vec<PurchaseRow> = self
            .db
            .query(format!(
                "SELECT {PURCHASE_COLUMNS} FROM purchases WHERE buyer_id = $1 AND ($2 IS NULL OR id < $2) \
                 ORDER BY id DESC LIMIT $3"
            ))
            .bind(buyer_id)
            .bind(page.after)
            .bind(i64::from(page.limit) + 1)
            .fetch_all()
            .await?;
        let items = rows.into_iter().map(TryInto::try_into).collect::<Result<Vec<Purchase>, _>>()?;
        Ok(page_of(items, page.limit, |p| p.id))
    }

    /// Whether the user has a completed (not refunded) purchase of the chip.
    pub async fn completed_purchase_of(&self, buyer_id: Id, chip_id: Id) -> Result<Option<Id>, StoreError> {
        self.db
            .query(
                "SELECT id FROM purchases WHERE buyer_id = $1 AND chip_id = $2 AND status = 'completed' \
                 ORDER BY id LIMIT 1",
            )
            .bind(buyer_id)
            .bind(chip_id)
            .scalar_optional()
            .await
    }

    /// A designer's income in `currency`: sales as the seller, royalties as a contributor.
    pub async fn earnings(&self, user_id: Id, currency: Currency) -> Result<Earnings, StoreError> {
        let rows: Vec<(String, i64)> = self
            .db
            .query(
                "SELECT party, CAST(SUM(amount_minor) AS BIGINT) FROM ledger_entries \
                 WHERE user_id = $1 AND currency = $2 AND party IN ('seller', 'contributor') GROUP BY party",
            )
            .bind(user_id)
            .bind(currency.as_str())
            .fetch_all()
            .await?;
        let get = |p: &str| rows.iter().find(|(party, _)| party == p).map_or(0, |(_, v)| *v);
        let (sales, royalties) = (get("seller"), get("contributor"));
        Ok(Earnings {
            currency: currency.as_str().to_owned(),
            sales_minor: sales,
            royalties_minor: royalties,
            total_minor: sales.saturating_add(royalties),
        })
    }
}

impl Edition {
    pub fn price(&self) -> Result<Money, StoreError> {
        Ok(Money::new(self.price_minor, self.currency.trim().parse().map_err(StoreError::corrupt)?))
    }
}
