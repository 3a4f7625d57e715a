//! Sorted catalog pages (price, rating, sales, newest) with compound cursors, and
//! the purchase facts behind client statistics; SQL shared by both backends.

/// The filters of a sorted catalog query (`$1`–`$6`), the cursor (`$7` key, `$8` id)
/// and the limit (`$9`), around one sort key expression and direction.
macro_rules! sorted_chips_sql {
    ($key:literal, $cmp:literal, $dir:literal) => {
        concat!(
            "SELECT ",
            chip_columns!(),
            ", CAST(",
            $key,
            " AS BIGINT) AS sort_key FROM chips WHERE ($1 IS NULL OR designer_id = $1) \
             AND ($2 IS NULL OR category = $2) AND ($3 IS NULL OR process_node = $3) \
             AND ($4 IS NULL OR price_minor <= $4) AND ($5 IS NULL OR status = $5) \
             AND ($6 IS NULL OR lower(title || ' ' || description || ' ' || category) LIKE $6) \
             AND ($8 IS NULL OR (",
            $key,
            ", id) ",
            $cmp,
            " ($7, $8)) ORDER BY ",
            $key,
            " ",
            $dir,
            ", id ",
            $dir,
            " LIMIT $9"
        )
    };
}
pub(super) use sorted_chips_sql;

/// Adds the sorted catalog and purchase-fact queries to a backend type.
macro_rules! impl_catalog_sort {
    ($ty:ty) => {
        #[derive(sqlx::FromRow)]
        struct SortedChipRow {
            #[sqlx(flatten)]
            chip: ChipRow,
            sort_key: i64,
        }

        impl $ty {
            async fn sorted_chips(
                &self,
                f: &$crate::domain::ChipFilter,
                sort: $crate::domain::ChipSort,
                cursor: Option<&str>,
                limit: u32,
            ) -> Result<$crate::domain::Page<$crate::domain::Chip>, StoreError> {
                use $crate::domain::ChipSort;
                use $crate::store::catalog_sort_sql::sorted_chips_sql;
                let limit = limit.clamp(1, $crate::domain::PageRequest::MAX_LIMIT);
                let after = cursor.map($crate::store::community::decode_sort_cursor).transpose()?;
                // Newest has no key of its own: a constant 0 leaves the id to decide.
                let sql = match sort {
                    ChipSort::Newest => sorted_chips_sql!("CAST(0 AS BIGINT)", "<", "DESC"),
                    ChipSort::Price => sorted_chips_sql!("price_minor", ">", "ASC"),
                    ChipSort::Rating => sorted_chips_sql!(
                        "CASE WHEN rating_count > 0 THEN rating_sum * 1000 / rating_count ELSE 0 END",
                        "<",
                        "DESC"
                    ),
                    ChipSort::Sales => sorted_chips_sql!("sold_count", "<", "DESC"),
                };
                let pattern = f.text.as_ref().map(|t| format!("%{}%", t.to_lowercase().replace(['%', '_'], "")));
                let rows: Vec<SortedChipRow> = sqlx::query_as(sql)
                    .bind(f.designer_id)
                    .bind(f.category.as_deref())
                    .bind(f.process_node.as_deref())
                    .bind(f.max_price_minor)
                    .bind(f.status.map(|s| s.as_str()))
                    .bind(pattern)
                    .bind(after.map_or(0, |a| a.0))
                    .bind(after.map(|a| a.1))
                    .bind(i64::from(limit) + 1)
                    .fetch_all(&self.pool)
                    .await?;
                let keys: Vec<i64> = rows.iter().map(|r| r.sort_key).collect();
                let chips = self.attach_contributions(rows.into_iter().map(|r| r.chip).collect()).await?;
                let mut page = page_of(chips, limit, |c| c.id);
                if page.next_cursor.is_some() {
                    let last = page.items.len().checked_sub(1);
                    page.next_cursor = last.and_then(|i| {
                        let key = keys.get(i)?;
                        let chip = page.items.get(i)?;
                        Some($crate::store::community::encode_sort_cursor(*key, chip.id))
                    });
                }
                Ok(page)
            }

            async fn buyer_purchase_facts(
                &self,
                buyer_id: $crate::domain::Id,
            ) -> Result<Vec<$crate::domain::PurchaseFact>, StoreError> {
                let rows: Vec<(i64, String, String, time::OffsetDateTime)> = sqlx::query_as(
                    "SELECT p.price_minor, p.currency, c.category, p.created_at FROM purchases p \
                     JOIN chips c ON c.id = p.chip_id WHERE p.buyer_id = $1 AND p.status = 'completed' ORDER BY p.id",
                )
                .bind(buyer_id)
                .fetch_all(&self.pool)
                .await?;
                Ok(rows
                    .into_iter()
                    .map(|(price_minor, currency, category, created_at)| $crate::domain::PurchaseFact {
                        price_minor,
                        currency,
                        category,
                        created_at,
                    })
                    .collect())
            }
        }
    };
}

pub(super) use impl_catalog_sort;
