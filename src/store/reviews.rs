//! Reviews, with the rating aggregates of the chip and its designer kept in step.

use super::rows::ReviewRow;
use super::{Store, StoreError, page_of};
use crate::domain::{Id, Page, PageRequest, Review};

impl Store {
    /// Stores a review of a purchase and adds its rating to the chip's and the
    /// designer's aggregates, in one transaction.
    pub async fn insert_review(&self, r: &Review, purchase_id: Id) -> Result<(), StoreError> {
        let mut tx = self.db.begin_write().await?;
        tx.query(
            "INSERT INTO reviews (id, chip_id, reviewer_id, purchase_id, rating, body, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(r.id)
        .bind(r.chip_id)
        .bind(r.reviewer_id)
        .bind(purchase_id)
        .bind(r.rating)
        .bind(&r.body)
        .bind(r.created_at)
        .execute()
        .await?;
        let designer: Id = tx
            .query(
                "UPDATE chips SET rating_sum = rating_sum + $2, rating_count = rating_count + 1 WHERE id = $1 \
                 RETURNING designer_id",
            )
            .bind(r.chip_id)
            .bind(i64::from(r.rating))
            .scalar()
            .await?;
        tx.query("UPDATE designer_profiles SET rating_sum = rating_sum + $2, rating_count = rating_count + 1 WHERE user_id = $1")
            .bind(designer)
            .bind(i64::from(r.rating))
            .execute()
            .await?;
        tx.commit().await
    }

    /// A chip's reviews, newest first.
    pub async fn list_reviews(&self, chip_id: Id, page: PageRequest) -> Result<Page<Review>, StoreError> {
        let rows: Vec<ReviewRow> = self
            .db
            .query(
                "SELECT id, chip_id, reviewer_id, rating, body, created_at FROM reviews \
                 WHERE chip_id = $1 AND ($2 IS NULL OR id < $2) ORDER BY id DESC LIMIT $3",
            )
            .bind(chip_id)
            .bind(page.after)
            .bind(i64::from(page.limit) + 1)
            .fetch_all()
            .await?;
        let items: Vec<Review> = rows.into_iter().map(Into::into).collect();
        Ok(page_of(items, page.limit, |r| r.id))
    }
}
