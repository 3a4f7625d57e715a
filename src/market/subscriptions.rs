//! Subscribing to designers: limits, budgets and notification frequency.

use super::{Market, MarketError};
use crate::domain::{Currency, Id, NotifyFrequency, Subscription, SubscriptionChange, User, new_id};
use crate::store::StoreError;

pub struct Subscriptions<'a> {
    pub(super) market: &'a Market,
}

fn store(what: &'static str) -> impl Fn(StoreError) -> MarketError {
    move |e| MarketError::from_store(what, e)
}

/// Why a subscription may not be saved as it is: auto-buy without a price limit or a
/// monthly budget would let a designer price a chip at the subscriber's whole balance.
pub fn check_limits(s: &Subscription) -> Result<(), MarketError> {
    if s.auto_purchase && s.max_price.is_none() && s.monthly_budget.is_none() {
        return Err(MarketError::Invalid(
            "auto-buy needs a price limit or a monthly budget, for example \"under fifty dollars\"".into(),
        ));
    }
    Ok(())
}

/// Whether `change` may be made to `current` (`None`: a new subscription), before
/// asking anyone to confirm it.
pub fn check_change(current: Option<&Subscription>, change: &SubscriptionChange) -> Result<(), MarketError> {
    let (subscriber, designer) = current.map_or((Id::nil(), Id::nil()), |s| (s.subscriber_id, s.designer_id));
    check_limits(&apply(current.cloned(), subscriber, designer, change))
}

/// `change` applied to `current` (or to a new subscription's defaults).
fn apply(
    current: Option<Subscription>,
    subscriber_id: Id,
    designer_id: Id,
    change: &SubscriptionChange,
) -> Subscription {
    let base = current.unwrap_or(Subscription {
        id: new_id(),
        subscriber_id,
        designer_id,
        auto_purchase: false,
        max_price: None,
        monthly_budget: None,
        notify: NotifyFrequency::Immediate,
        paused: false,
        email: true,
        push: true,
    });
    Subscription {
        auto_purchase: change.auto_purchase.unwrap_or(base.auto_purchase),
        max_price: change.max_price.unwrap_or(base.max_price),
        monthly_budget: change.monthly_budget.unwrap_or(base.monthly_budget),
        notify: change.notify.unwrap_or(base.notify),
        paused: change.paused.unwrap_or(base.paused),
        email: change.email.unwrap_or(base.email),
        push: change.push.unwrap_or(base.push),
        ..base
    }
}

/// The one currency of a subscription's limit and budget (`default` when it has none).
fn limits_currency(s: &Subscription, default: Currency) -> Result<Currency, MarketError> {
    let cur = s.max_price.or(s.monthly_budget).map_or(default, |m| m.currency);
    if s.max_price.is_some_and(|m| m.currency != cur) || s.monthly_budget.is_some_and(|m| m.currency != cur) {
        return Err(MarketError::Invalid("price limit and budget must use one currency".into()));
    }
    Ok(cur)
}

impl Subscriptions<'_> {
    /// Creates or changes the subscriber's subscription to the designer with `handle`.
    pub async fn set(
        &self,
        subscriber: &User,
        handle: &str,
        change: &SubscriptionChange,
    ) -> Result<Subscription, MarketError> {
        for m in [change.max_price, change.monthly_budget].into_iter().flatten().flatten() {
            if m.amount_minor < 0 {
                return Err(MarketError::Invalid("limits must not be negative".into()));
            }
        }
        let designer = self.market.store.designer_by_handle(handle).await.map_err(store("designer"))?;
        if designer.user_id == subscriber.id {
            return Err(MarketError::Invalid("you cannot subscribe to yourself".into()));
        }
        self.write(subscriber.id, designer.user_id, |current| {
            Some(apply(current, subscriber.id, designer.user_id, change))
        })
        .await?
        .ok_or(MarketError::NotFound("subscription"))
    }

    /// Ends the subscription and returns what it was (so it can be undone).
    pub async fn cancel(&self, subscriber: &User, handle: &str) -> Result<Subscription, MarketError> {
        let designer = self.market.store.designer_by_handle(handle).await.map_err(store("designer"))?;
        self.market.store.delete_subscription(subscriber.id, designer.user_id).await.map_err(store("subscription"))
    }

    /// Puts a subscription back as it was (`None`: there was none), for undo.
    pub async fn restore(
        &self,
        subscriber: &User,
        designer_id: Id,
        before: Option<&Subscription>,
    ) -> Result<(), MarketError> {
        match before {
            None => match self.market.store.delete_subscription(subscriber.id, designer_id).await {
                Ok(_) | Err(StoreError::NotFound) => Ok(()),
                Err(e) => Err(MarketError::from_store("subscription", e)),
            },
            Some(s) => {
                let change = SubscriptionChange {
                    auto_purchase: Some(s.auto_purchase),
                    max_price: Some(s.max_price),
                    monthly_budget: Some(s.monthly_budget),
                    notify: Some(s.notify),
                    paused: Some(s.paused),
                    email: Some(s.email),
                    push: Some(s.push),
                };
                self.write(subscriber.id, designer_id, |current| {
                    Some(apply(current, subscriber.id, designer_id, &change))
                })
                .await
                .map(drop)
            }
        }
    }

    /// Reads the current subscription for a change and writes `next(current)`.
    async fn write(
        &self,
        subscriber_id: Id,
        designer_id: Id,
        next: impl FnOnce(Option<Subscription>) -> Option<Subscription>,
    ) -> Result<Option<Subscription>, MarketError> {
        let mut tx = self.market.store.begin().await.map_err(MarketError::Store)?;
        let current = tx.subscription(subscriber_id, designer_id).await.map_err(store("subscription"))?;
        let Some(next) = next(current) else { return Ok(None) };
        check_limits(&next)?;
        let currency = limits_currency(&next, self.market.settings.currency)?;
        tx.save_subscription(&next, currency).await.map_err(store("subscription"))?;
        tx.commit().await.map_err(store("subscription"))?;
        self.market.store.subscription(subscriber_id, designer_id).await.map(Some).map_err(store("subscription"))
    }

    /// The subscriber's subscription to a designer, if any.
    pub async fn to_designer(&self, subscriber: &User, designer_id: Id) -> Result<Option<Subscription>, MarketError> {
        match self.market.store.subscription(subscriber.id, designer_id).await {
            Ok(s) => Ok(Some(s)),
            Err(StoreError::NotFound) => Ok(None),
            Err(e) => Err(MarketError::from_store("subscription", e)),
        }
    }

    /// The subscriber's subscriptions, oldest first.
    pub async fn list(&self, subscriber: &User) -> Result<Vec<Subscription>, MarketError> {
        self.market.store.list_subscriptions(subscriber.id).await.map_err(store("subscription"))
    }
}
