//! Reviews: only a chip's buyers review it, once, with 1 to 5 stars.

use super::{Market, MarketError};
use crate::domain::{Chip, Id, Page, PageRequest, Review, User, new_id, now_micros};
use crate::store::StoreError;

/// The longest review body, in characters.
pub const MAX_REVIEW_CHARS: usize = 10_000;

pub struct Reviews<'a> {
    pub(super) market: &'a Market,
}

impl Reviews<'_> {
    /// `reviewer` reviews `chip` (which they may see). Refused unless they bought
    /// it and have not reviewed it yet; the rating counts toward the chip's and
    /// its designer's averages.
    pub async fn add(&self, reviewer: &User, chip: &Chip, rating: i16, body: &str) -> Result<Review, MarketError> {
        if !(1..=5).contains(&rating) {
            return Err(MarketError::Invalid("rating must be 1 to 5".into()));
        }
        let body = body.trim();
        if body.is_empty() || body.chars().count() > MAX_REVIEW_CHARS {
            return Err(MarketError::Invalid(format!("body must be 1 to {MAX_REVIEW_CHARS} characters")));
        }
        let store = &self.market.store;
        let purchase = store
            .completed_purchase_of(reviewer.id, chip.id)
            .await
            .map_err(|e| MarketError::from_store("chip", e))?
            .ok_or_else(|| MarketError::Forbidden("only buyers of a chip can review it".into()))?;
        let review = Review {
            id: new_id(),
            chip_id: chip.id,
            reviewer_id: reviewer.id,
            rating,
            body: body.to_owned(),
            created_at: now_micros(),
        };
        store.insert_review(&review, purchase).await.map_err(|e| match e {
            StoreError::Conflict(_) => MarketError::AlreadyReviewed,
            other => MarketError::from_store("chip", other),
        })?;
        self.market.chip_changed(chip.id, chip.designer_id).await;
        Ok(review)
    }

    /// A chip's reviews, newest first.
    pub async fn of_chip(&self, chip_id: Id, page: PageRequest) -> Result<Page<Review>, MarketError> {
        self.market.store.list_reviews(chip_id, page).await.map_err(|e| MarketError::from_store("chip", e))
    }
}
