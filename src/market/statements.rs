//! Statements: the licences a buyer holds and a designer's income by day (the
//! earnings chart).

use super::{MarketError, Purchases};
use crate::domain::{Currency, User};
use crate::store::HeldLicence;
use time::{Date, Duration, OffsetDateTime};

/// Longest earnings history a chart asks for.
pub const MAX_INCOME_DAYS: u32 = 366;

impl Purchases<'_> {
    /// The buyer's licences, newest first.
    pub async fn licences(&self, owner: &User) -> Result<Vec<HeldLicence>, MarketError> {
        self.market.store.licences_of(owner.id).await.map_err(|e| MarketError::from_store("licence", e))
    }

    /// A designer's income (sales and royalties) in `currency` for each of the last
    /// `days` days up to `today` (UTC), oldest first; days without income are 0.
    pub async fn income_by_day(
        &self,
        user: &User,
        currency: Currency,
        days: u32,
        now: OffsetDateTime,
    ) -> Result<Vec<(Date, i64)>, MarketError> {
        let days = days.clamp(1, MAX_INCOME_DAYS);
        let today = now.to_offset(time::UtcOffset::UTC).date();
        let first = today - Duration::days(i64::from(days) - 1);
        let since = first.midnight().assume_utc();
        let lines = self
            .market
            .store
            .income_lines(user.id, currency, since)
            .await
            .map_err(|e| MarketError::from_store("earnings", e))?;
        let mut totals: Vec<(Date, i64)> = (0..days).map(|i| (first + Duration::days(i64::from(i)), 0)).collect();
        for (when, amount) in lines {
            let day = when.to_offset(time::UtcOffset::UTC).date();
            let index = usize::try_from((day - first).whole_days()).ok();
            if let Some(slot) = index.and_then(|i| totals.get_mut(i)) {
                slot.1 = slot.1.saturating_add(amount);
            }
        }
        Ok(totals)
    }
}
