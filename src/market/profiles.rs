//! People's profiles: a designer's public page (portfolio, rating, collaborations)
//! and handle, a client's preferences and buying pattern, a user's name and time
//! zone; and the catalog in several orders.

use super::{Market, MarketError, hot_cache};
use crate::domain::{
    Audience, Chip, ChipFilter, ChipSort, ChipStatus, ClientPreferences, ClientStats, DesignerProfile, DesignerView,
    Handle, Id, Page, PageRequest, Role, User, WorkPatterns,
};
use crate::store::StoreError;

/// How many published chips a designer view carries.
const PORTFOLIO_LIMIT: u32 = 100;

pub struct Profiles<'a> {
    pub(super) market: &'a Market,
}

fn store(what: &'static str) -> impl Fn(StoreError) -> MarketError {
    move |e| MarketError::from_store(what, e)
}

impl Profiles<'_> {
    /// A designer as others see them: profile, rating, published chips (newest
    /// first) and collaboration history.
    #[tracing::instrument(skip_all)]
    pub async fn designer(&self, handle: &str) -> Result<DesignerView, MarketError> {
        let db = &self.market.store;
        let profile = db.designer_by_handle(handle).await.map_err(store("designer"))?;
        let filter = ChipFilter {
            designer_id: Some(profile.user_id),
            status: Some(ChipStatus::Published),
            ..Default::default()
        };
        let portfolio = db
            .list_chips_sorted(&filter, ChipSort::Newest, None, PORTFOLIO_LIMIT)
            .await
            .map_err(store("designer"))?
            .items;
        let collaborations = db.designer_collaborations(profile.user_id).await.map_err(store("designer"))?;
        let rating_avg_milli = (profile.rating_count > 0)
            .then(|| profile.rating_sum.saturating_mul(1000).checked_div(profile.rating_count))
            .flatten();
        Ok(DesignerView { profile, rating_avg_milli, portfolio, collaborations })
    }

    /// A designer's profile by handle.
    pub async fn designer_profile(&self, handle: &str) -> Result<DesignerProfile, MarketError> {
        self.market.store.designer_by_handle(handle).await.map_err(store("designer"))
    }

    /// The designer profile of a user, if they have one.
    pub async fn designer_of(&self, user_id: Id) -> Result<Option<DesignerProfile>, MarketError> {
        match self.market.store.designer_by_user(user_id).await {
            Ok(d) => Ok(Some(d)),
            Err(StoreError::NotFound) => Ok(None),
            Err(e) => Err(MarketError::from_store("designer", e)),
        }
    }

    /// Designers, newest first.
    pub async fn designers(&self, page: PageRequest) -> Result<Page<DesignerProfile>, MarketError> {
        self.market.store.list_designers(page).await.map_err(store("designer"))
    }

    /// Creates or changes the designer's public profile; a handle another designer
    /// has is a `Conflict`. Their page and every listing naming them go stale.
    pub async fn set_designer_profile(
        &self,
        designer: &User,
        handle: &Handle,
        bio: &str,
        skills: &[String],
    ) -> Result<DesignerProfile, MarketError> {
        let before = self.designer_of(designer.id).await?;
        let profile =
            self.market.store.upsert_designer_profile(designer.id, handle, bio, skills).await.map_err(|e| match e {
                StoreError::Conflict(_) => MarketError::HandleTaken(handle.to_string()),
                other => MarketError::from_store("designer", other),
            })?;
        let cache = self.market.cache.cache.as_ref();
        if let Some(old) = before {
            hot_cache::forget(cache, &hot_cache::designer_key(old.handle.as_str())).await;
        }
        hot_cache::forget(cache, &hot_cache::designer_key(profile.handle.as_str())).await;
        hot_cache::bump_catalog(cache).await;
        hot_cache::bump_names(cache).await;
        Ok(profile)
    }

    pub async fn client_preferences(&self, user: &User) -> Result<ClientPreferences, MarketError> {
        self.market.store.client_preferences(user.id).await.map_err(store("user"))
    }

    /// Replaces the client's stated preferences.
    pub async fn set_client_preferences(&self, user: &User, prefs: &ClientPreferences) -> Result<(), MarketError> {
        if let (Some(lo), Some(hi)) = (prefs.min_price, prefs.max_price)
            && (lo.currency != hi.currency || lo.amount_minor > hi.amount_minor)
        {
            return Err(MarketError::Invalid("the lowest price must not be above the highest".into()));
        }
        self.market.store.set_client_preferences(user.id, prefs).await.map_err(store("user"))
    }

    /// How a client buys: typical spend, favourite categories and active hours.
    #[tracing::instrument(skip_all)]
    pub async fn client_stats(&self, user_id: Id) -> Result<ClientStats, MarketError> {
        let facts = self.market.store.purchase_facts(user_id).await.map_err(store("user"))?;
        Ok(ClientStats::from_facts(&facts))
    }

    /// How a client works: what they buy and from whom, at what prices and times,
    /// how auto-buy serves them, what they search for and say.
    #[tracing::instrument(skip_all)]
    pub async fn patterns(&self, user: &User) -> Result<WorkPatterns, MarketError> {
        let db = &self.market.store;
        let purchases = db.purchase_traces(user.id).await.map_err(store("user"))?;
        let voice = db.voice_traces(user.id).await.map_err(store("user"))?;
        let subscriptions = db.subscription_counts(user.id).await.map_err(store("user"))?;
        Ok(WorkPatterns::derive(&purchases, &voice, subscriptions))
    }

    /// How a designer's buyers buy, in aggregate (no buyer is named); designers and
    /// admins only.
    #[tracing::instrument(skip_all)]
    pub async fn audience(&self, designer: &User) -> Result<Audience, MarketError> {
        if !matches!(designer.role, Role::Designer | Role::Admin) {
            return Err(MarketError::Forbidden("only designers have an audience".into()));
        }
        let db = &self.market.store;
        let sales = db.sale_traces(designer.id).await.map_err(store("user"))?;
        let elsewhere = db.also_bought(designer.id).await.map_err(store("user"))?;
        let subscribers = db.subscriber_counts(designer.id).await.map_err(store("user"))?;
        Ok(Audience::derive(&sales, &elsewhere, subscribers))
    }

    /// Changes a user's display name.
    pub async fn set_display_name(&self, user: &User, name: &str) -> Result<User, MarketError> {
        let name = name.trim();
        if name.is_empty() || name.chars().count() > 200 {
            return Err(MarketError::Invalid("display_name must be 1 to 200 characters".into()));
        }
        self.market.store.set_display_name(user.id, name).await.map_err(store("user"))
    }

    /// Sets a user's time zone (an IANA name); digests follow their local calendar.
    pub async fn set_timezone(&self, user: &User, timezone: &str) -> Result<User, MarketError> {
        super::digests::set_timezone(&self.market.store, user.id, timezone).await?;
        self.market.store.user_by_id(user.id).await.map_err(store("user"))
    }

    /// The catalog in `sort` order with a cursor that survives ties.
    pub async fn browse(
        &self,
        filter: &ChipFilter,
        sort: ChipSort,
        cursor: Option<&str>,
        limit: u32,
    ) -> Result<Page<Chip>, MarketError> {
        if sort == ChipSort::Relevance
            && filter.status == Some(ChipStatus::Published)
            && let Some(text) = filter.text.as_deref()
        {
            let offset = match cursor {
                Some(c) => relevance_offset(c)?,
                None => 0,
            };
            let rest = ChipFilter { text: None, ..filter.clone() };
            if let Some(page) = self.market.search().ranked(text, &rest, offset, limit).await? {
                return Ok(page);
            }
        }
        self.market.store.list_chips_sorted(filter, sort, cursor, limit).await.map_err(store("chip"))
    }
}

/// The position a relevance cursor (`offset:id`) continues from.
fn relevance_offset(cursor: &str) -> Result<usize, MarketError> {
    cursor
        .split_once(':')
        .and_then(|(n, _)| n.parse::<usize>().ok())
        .filter(|n| *n <= 100_000)
        .ok_or_else(|| MarketError::Invalid("cursor is malformed".into()))
}
