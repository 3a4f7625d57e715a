//! The catalog in price, rating, sales or newest order with compound cursors, and
//! the purchase facts behind client statistics.

use super::rows::{CHIP_COLUMNS, ChipRow};
use super::{Store, StoreError, page_of};
use crate::domain::{Chip, ChipFilter, ChipSort, Id, Page, PageRequest, PurchaseFact};

#[derive(sqlx::FromRow)]
struct SortedChipRow {
    #[sqlx(flatten)]
    chip: ChipRow,
    sort_key: i64,
}

/// The sort key expression, the cursor comparison and the direction of `sort`.
/// Newest has no key of its own: a constant 0 leaves the id to decide.
fn sort_parts(sort: ChipSort) -> (&'static str, &'static str, &'static str) {
    match sort {
        ChipSort::Newest | ChipSort::Relevance => ("CAST(0 AS BIGINT)", "<", "DESC"),
        ChipSort::Price => ("price_minor", ">", "ASC"),
        ChipSort::Rating => {
            ("CASE WHEN rating_count > 0 THEN rating_sum * 1000 / rating_count ELSE 0 END", "<", "DESC")
        }
        ChipSort::Sales => ("sold_count", "<", "DESC"),
    }
}

/// Encodes a sorted-catalog cursor: the last item's sort key and id.
fn encode_sort_cursor(key: i64, id: Id) -> String {
    format!("{key}:{}", id.simple())
}

/// Decodes a sorted-catalog cursor; a malformed one is the client's error.
fn decode_sort_cursor(cursor: &str) -> Result<(i64, Id), StoreError> {
    let bad = || StoreError::Invalid("cursor is malformed".into());
    let (key, id) = cursor.split_once(':').ok_or_else(bad)?;
    Ok((key.parse().map_err(|_| bad())?, uuid::Uuid::try_parse(id).map_err(|_| bad())?))
}

impl Store {
    /// The catalog in `sort` order; `cursor` is the previous page's `next_cursor`.
    /// Each order ends with the id, so pages neither repeat nor skip chips that tie.
    pub async fn list_chips_sorted(
        &self,
        f: &ChipFilter,
        sort: ChipSort,
        cursor: Option<&str>,
        limit: u32,
    ) -> Result<Page<Chip>, StoreError> {
        let limit = limit.clamp(1, PageRequest::MAX_LIMIT);
        let after = cursor.map(decode_sort_cursor).transpose()?;
        let (key, cmp, dir) = sort_parts(sort);
        let sql = format!(
            "SELECT {CHIP_COLUMNS}, CAST({key} AS BIGINT) AS sort_key FROM chips WHERE ($1 IS NULL OR designer_id = $1) \
             AND ($2 IS NULL OR category = $2) AND ($3 IS NULL OR process_node = $3) \
             AND ($4 IS NULL OR price_minor <= $4) AND ($5 IS NULL OR status = $5) \
             AND ($6 IS NULL OR lower(title || ' ' || description || ' ' || category) LIKE $6) \
             AND ($8 IS NULL OR ({key}, id) {cmp} ($7, $8)) ORDER BY {key} {dir}, id {dir} LIMIT $9"
        );
        let pattern = f.text.as_ref().map(|t| format!("%{}%", t.to_lowercase().replace(['%', '_'], "")));
        let rows: Vec<SortedChipRow> = self
            .db
            .query(sql)
            .bind(f.designer_id)
            .bind(f.category.as_deref())
            .bind(f.process_node.as_deref())
            .bind(f.max_price_minor)
            .bind(f.status.map(|s| s.as_str()))
            .bind(pattern)
            .bind(after.map_or(0, |a| a.0))
            .bind(after.map(|a| a.1))
            .bind(i64::from(limit) + 1)
            .fetch_all()
            .await?;
        let keys: Vec<i64> = rows.iter().map(|r| r.sort_key).collect();
        let chips = self.attach_contributions(rows.into_iter().map(|r| r.chip).collect()).await?;
        let mut page = page_of(chips, limit, |c| c.id);
        if page.next_cursor.is_some() {
            let last = page.items.len().checked_sub(1);
            page.next_cursor = last.and_then(|i| Some(encode_sort_cursor(*keys.get(i)?, page.items.get(i)?.id)));
        }
        Ok(page)
    }

    /// A buyer's completed purchases with the chips' categories.
    pub async fn purchase_facts(&self, buyer_id: Id) -> Result<Vec<PurchaseFact>, StoreError> {
        let rows: Vec<(i64, String, String, time::OffsetDateTime)> = self
            .db
            .query(
                "SELECT p.price_minor, p.currency, c.category, p.created_at FROM purchases p \
                 JOIN chips c ON c.id = p.chip_id WHERE p.buyer_id = $1 AND p.status = 'completed' ORDER BY p.id",
            )
            .bind(buyer_id)
            .fetch_all()
            .await?;
        Ok(rows
            .into_iter()
            .map(|(price_minor, currency, category, created_at)| PurchaseFact {
                price_minor,
                currency,
                category,
                created_at,
            })
            .collect())
    }
}
