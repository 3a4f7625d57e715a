//! Profile views and catalog browsing: a designer's portfolio, rating and
//! collaborations; a client's buying pattern; the catalog in several orders.

use super::{Market, MarketError};
use crate::domain::{Chip, ChipFilter, ChipSort, ChipStatus, ClientStats, DesignerView, Id, Page};

/// How many published chips a designer view carries.
const PORTFOLIO_LIMIT: u32 = 100;

pub struct Profiles<'a> {
    pub(super) market: &'a Market,
}

impl Market {
    pub fn profiles(&self) -> Profiles<'_> {
        Profiles { market: self }
    }
}

impl Profiles<'_> {
    /// A designer as others see them: profile, rating, published chips (newest
    /// first) and collaboration history.
    #[tracing::instrument(skip_all)]
    pub async fn designer(&self, handle: &str) -> Result<DesignerView, MarketError> {
        let store = &self.market.store;
        let profile = store.designer_by_handle(handle).await.map_err(|e| MarketError::from_store("designer", e))?;
        let filter = ChipFilter {
            designer_id: Some(profile.user_id),
            status: Some(ChipStatus::Published),
            ..Default::default()
        };
        let portfolio = store
            .list_chips_sorted(&filter, ChipSort::Newest, None, PORTFOLIO_LIMIT)
            .await
            .map_err(|e| MarketError::from_store("designer", e))?
            .items;
        let collaborations =
            store.designer_collaborations(profile.user_id).await.map_err(|e| MarketError::from_store("designer", e))?;
        let rating_avg_milli = (profile.rating_count > 0)
            .then(|| profile.rating_sum.saturating_mul(1000).checked_div(profile.rating_count))
            .flatten();
        Ok(DesignerView { profile, rating_avg_milli, portfolio, collaborations })
    }

    /// How a client buys: typical spend, favourite categories and active hours.
    #[tracing::instrument(skip_all)]
    pub async fn client_stats(&self, user_id: Id) -> Result<ClientStats, MarketError> {
        let facts = self.market.store.purchase_facts(user_id).await.map_err(|e| MarketError::from_store("user", e))?;
        Ok(ClientStats::from_facts(&facts))
    }

    /// The catalog in `sort` order with a cursor that survives ties.
    pub async fn browse(
        &self,
        filter: &ChipFilter,
        sort: ChipSort,
        cursor: Option<&str>,
        limit: u32,
    ) -> Result<Page<Chip>, MarketError> {
        self.market
            .store
            .list_chips_sorted(filter, sort, cursor, limit)
            .await
            .map_err(|e| MarketError::from_store("chip", e))
    }
}
