//! From an understood intent and its slots to a plan: answer now, act now, act after
//! a confirmation, or ask which designer was meant.

use super::actions::{Action, Failed, slot_frequency, slot_money, subscription_summary};
use super::replies::{self, join_and};
use crate::domain::{
    Chip, ChipFilter, ChipSort, ChipStatus, DesignerProfile, Intent, PageRequest, SubscriptionChange, User,
};
use crate::market::{Market, MarketError};
use serde_json::{Map, Value, json};
use time::OffsetDateTime;

/// What to do with an understood command.
#[derive(Debug)]
pub enum Plan {
    /// A question answered from the store; nothing changes.
    Answer {
        reply: String,
        result: Value,
    },
    /// A change (carried out at once unless it spends money).
    Act(Action),
    Fail(Failed),
}

fn text<'a>(slots: &'a Map<String, Value>, name: &str) -> Option<&'a str> {
    slots.get(name).and_then(Value::as_str)
}

async fn designer(market: &Market, slots: &Map<String, Value>) -> Result<Option<DesignerProfile>, Failed> {
    let Some(handle) = text(slots, "designer") else { return Ok(None) };
    market.profiles().designer_profile(handle).await.map(Some).map_err(|_| {
        Failed::new(
            "not_found",
            format!("I couldn't find the designer {handle}. Say \"my subscriptions\" to hear who you follow."),
        )
    })
}

/// Plans `intent` with `slots` for `user`.
pub async fn plan(market: &Market, user: &User, intent: Intent, slots: &Map<String, Value>, transcript: &str) -> Plan {
    match plan_inner(market, user, intent, slots, transcript).await {
        Ok(p) => p,
        Err(f) => Plan::Fail(f),
    }
}

async fn plan_inner(
    market: &Market,
    user: &User,
    intent: Intent,
    slots: &Map<String, Value>,
    transcript: &str,
) -> Result<Plan, Failed> {
    let max_price = slot_money(slots.get("max_price"));
    match intent {
        Intent::SubscribeToDesigner
        | Intent::SetAutoPurchase
        | Intent::SetPriceLimit
        | Intent::SetNotificationFrequency => {
            let auto = match intent {
                Intent::SetAutoPurchase => slots.get("enabled").and_then(Value::as_bool).or(Some(true)),
                _ => slots.get("auto_purchase").and_then(Value::as_bool),
            };
            let change = SubscriptionChange {
                auto_purchase: auto,
                max_price: max_price.map(Some),
                monthly_budget: slot_money(slots.get("monthly_budget")).map(Some),
                notify: slot_frequency(slots.get("frequency")),
                paused: None,
                email: None,
                push: None,
            };
            let designers = match designer(market, slots).await? {
                Some(d) => vec![d],
                None if intent == Intent::SubscribeToDesigner => {
                    return Err(Failed::new(
                        "missing_designer",
                        "Which designer? Say for example \"subscribe to Alice Chen\".",
                    ));
                }
                None => {
                    let subs = market.subscriptions().list(user).await.unwrap_or_default();
                    if subs.is_empty() {
                        return Err(Failed::new(
                            "no_subscriptions",
                            "You have no subscriptions yet. Say \"subscribe to\" and a designer's name first.",
                        ));
                    }
                    let mut ds = Vec::new();
                    for s in subs {
                        if let Ok(Some(d)) = market.profiles().designer_of(s.designer_id).await {
                            ds.push(d);
                        }
                    }
                    ds
                }
            };
            let names: Vec<String> = designers.iter().map(|d| d.display_name.clone()).collect();
            let new = intent == Intent::SubscribeToDesigner;
            let who = if designers.len() > 1 { "all your designers".to_owned() } else { join_and(&names) };
            let summary = subscription_summary(&who, &change, new);
            Ok(Plan::Act(Action::Subscribe { designers, change, summary }))
        }
        Intent::UnsubscribeFromDesigner => match designer(market, slots).await? {
            Some(d) => Ok(Plan::Act(Action::Unsubscribe { designer: d })),
            None => Err(Failed::new("missing_designer", "Which designer should I unsubscribe you from?")),
        },
        Intent::BuyChip => {
            let title = text(slots, "chip").unwrap_or_default();
            let chip = market.catalog().published_by_title(title).await.ok().flatten().ok_or_else(|| {
                Failed::new(
                    "not_found",
                    format!("I couldn't find a chip called {title}. Say \"what's new\" to hear the latest."),
                )
            })?;
            Ok(Plan::Act(Action::Buy { chip: Box::new(chip), max_price }))
        }
        Intent::BuyLatestChip => {
            let d = designer(market, slots)
                .await?
                .ok_or_else(|| Failed::new("missing_designer", "Whose latest chip should I buy?"))?;
            let chip = market.catalog().latest_of(&d).await.ok().flatten().ok_or_else(|| {
                Failed::new(
                    "not_found",
                    format!("{} has no chips for sale yet. I can tell you when they publish one.", d.display_name),
                )
            })?;
            if let Some(m) = max_price.filter(|m| chip.price.amount_minor > m.amount_minor) {
                return Ok(Plan::Answer {
                    reply: format!(
                        "{}'s latest chip, {}, costs {}, above your limit of {}. Nothing was bought.",
                        d.display_name,
                        chip.title,
                        replies::money(&chip.price),
                        replies::money(&m)
                    ),
                    result: json!({ "chip_id": chip.id, "skipped": "price_above_limit" }),
                });
            }
            Ok(Plan::Act(Action::Buy { chip: Box::new(chip), max_price }))
        }
        Intent::ListNewChips | Intent::SearchChips => {
            let d = designer(market, slots).await?;
            let filter = ChipFilter {
                designer_id: d.as_ref().map(|d| d.user_id),
                status: Some(ChipStatus::Published),
                max_price_minor: max_price.map(|m| m.amount_minor),
                text: text(slots, "query").map(str::to_owned),
                ..Default::default()
            };
            let since = period_start(text(slots, "period"));
            // Words said are searched by meaning too, best match first.
            let chips: Vec<Chip> = market
                .profiles()
                .browse(&filter, ChipSort::Relevance, None, 20)
                .await
                .map_err(|_| Failed::new("internal", "I couldn't read the catalog. Please try again."))?
                .items
                .into_iter()
                .filter(|c| since.is_none_or(|s| c.published_at.is_some_and(|p| p >= s)))
                .collect();
            let from = d.as_ref().map(|d| format!(" from {}", d.display_name)).unwrap_or_default();
            let reply = if chips.is_empty() {
                format!(
                    "There are no new chips{from} right now. I can tell you when there are: say \"subscribe to\" a designer."
                )
            } else {
                let named: Vec<String> =
                    chips.iter().take(3).map(|c| format!("{} for {}", c.title, replies::money(&c.price))).collect();
                let more = if chips.len() > 3 { format!(", and {} more", chips.len() - 3) } else { String::new() };
                format!(
                    "{} chip{}{from}: {}{more}.",
                    chips.len(),
                    if chips.len() == 1 { "" } else { "s" },
                    join_and(&named)
                )
            };
            let ids: Vec<_> = chips.iter().map(|c| c.id).collect();
            Ok(Plan::Answer { reply, result: json!({ "chips": ids }) })
        }
        Intent::PurchaseHistory => {
            let since = period_start(text(slots, "period"));
            let items = market
                .purchases()
                .list(user, PageRequest::first(50))
                .await
                .map_err(|_| Failed::new("internal", "I couldn't read your purchases. Please try again."))?
                .items;
            let items: Vec<_> = items.into_iter().filter(|p| since.is_none_or(|s| p.created_at >= s)).collect();
            let reply = if items.is_empty() {
                "You haven't bought any chips in that time. Say \"what's new\" to hear what's for sale.".to_owned()
            } else {
                let mut titles = Vec::new();
                for p in items.iter().take(3) {
                    if let Ok(c) = market.catalog().chip(p.chip_id).await {
                        titles.push(c.title);
                    }
                }
                format!(
                    "You bought {} chip{}, most recently {}.",
                    items.len(),
                    if items.len() == 1 { "" } else { "s" },
                    join_and(&titles)
                )
            };
            Ok(Plan::Answer { reply, result: json!({ "purchases": items.iter().map(|p| p.id).collect::<Vec<_>>() }) })
        }
        Intent::WalletBalance => {
            let w = market
                .payments()
                .wallet(user, market.settings().currency)
                .await
                .map_err(|_| Failed::new("internal", "I couldn't read your wallet. Please try again."))?;
            Ok(Plan::Answer {
                reply: format!("You have {} in your wallet.", replies::money(&w.balance)),
                result: json!({ "balance": w.balance }),
            })
        }
        Intent::ListSubscriptions => {
            let subs = market.subscriptions().list(user).await.unwrap_or_default();
            if subs.is_empty() {
                return Ok(Plan::Answer {
                    reply: "You don't follow any designers yet. Say \"subscribe to\" and a designer's name.".into(),
                    result: json!({ "subscriptions": [] }),
                });
            }
            let mut parts = Vec::new();
            for s in &subs {
                let name = market
                    .profiles()
                    .designer_of(s.designer_id)
                    .await
                    .ok()
                    .flatten()
                    .map(|d| d.display_name)
                    .unwrap_or_default();
                let detail = match (s.auto_purchase, s.max_price) {
                    (true, Some(m)) => format!("{name}, auto-buying under {}", replies::money(&m)),
                    (true, None) => format!("{name}, auto-buying"),
                    _ => name,
                };
                parts.push(detail);
            }
            Ok(Plan::Answer {
                reply: format!("You follow {}.", join_and(&parts)),
                result: json!({ "subscriptions": subs }),
            })
        }
        Intent::RateDesigner => {
            let d = designer(market, slots)
                .await?
                .ok_or_else(|| Failed::new("missing_designer", "Which designer would you like to rate?"))?;
            let rating = slots.get("rating").and_then(Value::as_i64).unwrap_or(0);
            let purchases = market
                .purchases()
                .list(user, PageRequest::first(100))
                .await
                .unwrap_or_else(|_| crate::domain::Page { items: Vec::new(), next_cursor: None });
            let mut chip = None;
            for p in purchases.items {
                if let Ok(c) = market.catalog().chip(p.chip_id).await
                    && c.designer_id == d.user_id
                {
                    chip = Some(c);
                    break;
                }
            }
            let chip = chip.ok_or_else(|| {
                Failed::new("forbidden", format!("You can rate {} after buying one of their chips.", d.display_name))
            })?;
            let stars = i16::try_from(rating).unwrap_or(0);
            match market.reviews().add(user, &chip, stars, transcript).await {
                Ok(r) => Ok(Plan::Answer {
                    reply: format!(
                        "Thanks. You gave {} {} star{} for {}.",
                        d.display_name,
                        rating,
                        if rating == 1 { "" } else { "s" },
                        chip.title
                    ),
                    result: json!(r),
                }),
                Err(MarketError::AlreadyReviewed) => {
                    Err(Failed::new("conflict", format!("You already rated {}.", chip.title)))
                }
                Err(_) => Err(Failed::new(
                    "invalid",
                    "Ratings go from 1 to 5 stars. Say for example \"rate Alice Chen 5 stars\".",
                )),
            }
        }
        Intent::SetPreference => {
            let said = text(slots, "preference").unwrap_or(transcript);
            let current = market.profiles().client_preferences(user).await.unwrap_or_default();
            let prefs = super::parse_preferences(said, &current, market.settings().currency);
            Ok(Plan::Act(Action::Preferences { prefs }))
        }
        Intent::Recommend => {
            let picks = market
                .recommendations(user, max_price, 3)
                .await
                .map_err(|_| Failed::new("internal", "I couldn't read the catalog. Please try again."))?;
            let reply = if picks.is_empty() {
                "I have nothing new to suggest right now. Say \"what's new\" to hear the latest chips.".to_owned()
            } else {
                let named: Vec<String> = picks
                    .iter()
                    .map(|r| {
                        format!("{} for {} ({})", r.chip.title, replies::money(&r.chip.price), r.reason.to_lowercase())
                    })
                    .collect();
                format!("You might like {}. Say \"buy\" and a name to get one.", join_and(&named))
            };
            let result: Vec<Value> =
                picks.iter().map(|r| json!({ "chip_id": r.chip.id, "reason": r.reason })).collect();
            Ok(Plan::Answer { reply, result: json!({ "recommendations": result }) })
        }
        Intent::BuyingPatterns => {
            let p = market
                .profiles()
                .patterns(user)
                .await
                .map_err(|_| Failed::new("internal", "I couldn't read your purchases. Please try again."))?;
            let result = serde_json::to_value(&p).unwrap_or(Value::Null);
            // Designers are named as people say them, not by handle.
            let mut spoken = p;
            for d in spoken.designers.iter_mut().take(1) {
                if let Ok(profile) = market.profiles().designer_profile(&d.name).await {
                    d.name = profile.display_name;
                }
            }
            Ok(Plan::Answer { reply: replies::patterns(&spoken), result })
        }
        other => Err(Failed::new(
            "unsupported",
            format!("I understood {other}, but I can't do that yet. Say \"help\" for what I can do."),
        )),
    }
}

/// The start of a spoken period (today, this week, …) in UTC.
fn period_start(period: Option<&str>) -> Option<OffsetDateTime> {
    let now = OffsetDateTime::now_utc();
    let midnight = now.replace_time(time::Time::MIDNIGHT);
    let week = midnight - time::Duration::days(i64::from(now.weekday().number_days_from_monday()));
    let month = midnight.replace_day(1).unwrap_or(midnight);
    match period? {
        "today" => Some(midnight),
        "this_week" => Some(week),
        "last_week" => Some(week - time::Duration::days(7)),
        "this_month" => Some(month),
        "last_month" => Some(month - time::Duration::days(31)),
        _ => None,
    }
}
