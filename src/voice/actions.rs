//! Turning an understood intent into a marketplace action, and carrying it out as
//! the daemon's user through the same services as the HTTP API.

use super::replies::{self, join_and};
use super::undo::{UndoEntry, UndoStep};
use crate::domain::{
    Chip, ClientPreferences, DesignerProfile, Money, NotifyFrequency, PurchaseSource, Subscription, SubscriptionChange,
    User,
};
use crate::market::{Market, MarketError};
use serde_json::{Value, json};

/// A change that is carried out now or after a confirmation.
#[derive(Debug, Clone)]
pub enum Action {
    /// Create or change subscriptions (several when no designer was named).
    Subscribe {
        designers: Vec<DesignerProfile>,
        change: SubscriptionChange,
        summary: String,
    },
    Unsubscribe {
        designer: DesignerProfile,
    },
    Buy {
        chip: Box<Chip>,
        max_price: Option<Money>,
    },
    Preferences {
        prefs: ClientPreferences,
    },
}

/// What carrying out an action produced.
#[derive(Debug)]
pub struct Done {
    pub reply: String,
    pub result: Value,
    pub undo: Option<UndoEntry>,
}

/// A failure, with a reply that says what to try instead.
#[derive(Debug)]
pub struct Failed {
    pub reply: String,
    pub code: &'static str,
}

impl Failed {
    pub fn new(code: &'static str, reply: impl Into<String>) -> Self {
        Self { reply: reply.into(), code }
    }

    pub fn from_market(e: &MarketError, what: &str) -> Self {
        let reply = match e {
            MarketError::InsufficientFunds => {
                format!("You don't have enough money for {what}. Add funds to your wallet, then try again.")
            }
            MarketError::SoldOut => format!("Sorry, {what} is sold out. Say \"what's new\" to hear other chips."),
            MarketError::PriceAboveLimit { price, limit } => format!(
                "{what} costs {}, above your limit of {}. Say a higher limit to buy it.",
                replies::money(price),
                replies::money(limit)
            ),
            MarketError::NotFound(thing) => format!("I couldn't find that {thing}. Say \"help\" for what you can do."),
            MarketError::Forbidden(m) | MarketError::Invalid(m) | MarketError::NotForSale(m) => {
                format!("I can't do that: {m}.")
            }
            _ => "Something went wrong on my side. Please try again in a moment.".to_owned(),
        };
        Self { reply, code: e.code() }
    }
}

/// Whether the action spends money and so needs a "yes" first.
pub fn needs_confirmation(action: &Action, current: &[Option<Subscription>]) -> bool {
    match action {
        Action::Buy { .. } => true,
        Action::Subscribe { change, .. } => {
            let enables = change.auto_purchase == Some(true)
                && current.iter().any(|s| !s.as_ref().is_some_and(|s| s.auto_purchase));
            let raises = match change.max_price {
                Some(Some(new)) => current.iter().any(|s| {
                    s.as_ref().is_some_and(|s| {
                        s.auto_purchase && s.max_price.is_none_or(|old| new.amount_minor > old.amount_minor)
                    })
                }),
                Some(None) => {
                    current.iter().any(|s| s.as_ref().is_some_and(|s| s.auto_purchase && s.max_price.is_some()))
                }
                None => false,
            };
            let budget_up = match change.monthly_budget {
                Some(Some(new)) => current.iter().any(|s| {
                    s.as_ref().is_some_and(|s| s.monthly_budget.is_none_or(|old| new.amount_minor > old.amount_minor))
                }),
                _ => false,
            };
            enables || raises || budget_up
        }
        Action::Unsubscribe { .. } | Action::Preferences { .. } => false,
    }
}

/// The question asked before a spending action.
pub fn confirmation_question(action: &Action) -> String {
    match action {
        Action::Buy { chip, .. } => {
            format!("Buy {} for {}? Say yes to confirm or no to cancel.", chip.title, replies::money(&chip.price))
        }
        Action::Subscribe { summary, .. } => format!("{summary}? Say yes to confirm or no to cancel."),
        Action::Unsubscribe { designer } => format!("Unsubscribe from {}?", designer.display_name),
        Action::Preferences { .. } => "Update your preferences?".into(),
    }
}

/// Carries out an action as `user`.
pub async fn execute(market: &Market, user: &User, action: &Action) -> Result<Done, Failed> {
    match action {
        Action::Subscribe { designers, change, summary } => {
            let mut steps = Vec::new();
            let mut results = Vec::new();
            for d in designers {
                let before = market.subscriptions().to_designer(user, d.user_id).await.ok().flatten();
                let sub = market
                    .subscriptions()
                    .set(user, d.handle.as_str(), change)
                    .await
                    .map_err(|e| Failed::from_market(&e, &d.display_name))?;
                steps.push(UndoStep::Subscription { designer_id: d.user_id, before });
                results.push(json!(sub));
            }
            let done = summary.replacen("Subscribe to", "You're subscribed to", 1).replacen(
                "Update your subscription to",
                "Updated your subscription to",
                1,
            );
            Ok(Done {
                reply: format!("Done. {done}."),
                result: json!({ "subscriptions": results }),
                undo: Some(UndoEntry { description: summary.to_lowercase(), steps }),
            })
        }
        Action::Unsubscribe { designer } => {
            let before = market.subscriptions().cancel(user, designer.handle.as_str()).await.map_err(|e| match e {
                MarketError::NotFound(_) => Failed::new(
                    "not_found",
                    format!(
                        "You are not subscribed to {}. Say \"my subscriptions\" to hear them.",
                        designer.display_name
                    ),
                ),
                other => Failed::from_market(&other, &designer.display_name),
            })?;
            Ok(Done {
                reply: format!("Unsubscribed from {}. Say undo to subscribe again.", designer.display_name),
                result: json!({ "unsubscribed": designer.handle }),
                undo: Some(UndoEntry {
                    description: format!("unsubscribing from {}", designer.display_name),
                    steps: vec![UndoStep::Subscription { designer_id: designer.user_id, before: Some(before) }],
                }),
            })
        }
        Action::Buy { chip, max_price } => {
            let receipt = market
                .purchases()
                .buy(user, chip.id, PurchaseSource::Voice, *max_price, None)
                .await
                .map_err(|e| Failed::from_market(&e, &chip.title))?;
            let edition = receipt.licence.edition.map(|e| format!(", edition {e}")).unwrap_or_default();
            Ok(Done {
                reply: format!("Bought {} for {}{edition}.", chip.title, replies::money(&chip.price)),
                result: json!(receipt),
                undo: None,
            })
        }
        Action::Preferences { prefs } => {
            let before = market.profiles().client_preferences(user).await.unwrap_or_default();
            market.profiles().set_client_preferences(user, prefs).await.map_err(|_| {
                Failed::new("internal", "I couldn't save your preferences. Please try again in a moment.")
            })?;
            Ok(Done {
                reply: format!("Got it. {}", describe_preferences(prefs)),
                result: json!({ "preferences": prefs }),
                undo: Some(UndoEntry {
                    description: "your preference change".into(),
                    steps: vec![UndoStep::Preferences(before)],
                }),
            })
        }
    }
}

fn describe_preferences(p: &ClientPreferences) -> String {
    let mut parts: Vec<String> = Vec::new();
    parts.extend(p.keywords.iter().cloned());
    parts.extend(p.categories.iter().map(|c| if c == "risc-v" { "RISC-V".to_owned() } else { c.clone() }));
    parts.extend(p.process_nodes.iter().cloned());
    let mut s =
        if parts.is_empty() { "I'll remember that".to_owned() } else { format!("I'll favour {}", join_and(&parts)) };
    if let Some(m) = &p.max_price {
        s.push_str(&format!(" under {}", replies::money(m)));
    }
    s.push('.');
    s
}

/// Puts back what an undo entry recorded.
pub async fn undo(market: &Market, user: &User, entry: &UndoEntry) -> Result<(), Failed> {
    let fail = |_| Failed::new("internal", "I couldn't undo that. Please try again in a moment.");
    for step in entry.steps.iter().rev() {
        match step {
            UndoStep::Subscription { designer_id, before } => {
                market.subscriptions().restore(user, *designer_id, before.as_ref()).await.map_err(fail)?;
            }
            UndoStep::Preferences(p) => market.profiles().set_client_preferences(user, p).await.map_err(fail)?,
        }
    }
    Ok(())
}

/// Describes a subscription change for the reply and the confirmation question.
pub fn subscription_summary(name: &str, change: &SubscriptionChange, new: bool) -> String {
    let mut s = if new { format!("Subscribe to {name}") } else { format!("Update your subscription to {name}") };
    match (change.auto_purchase, change.max_price) {
        (Some(true), Some(Some(m))) => s.push_str(&format!(" and auto-buy new chips under {}", replies::money(&m))),
        (Some(true), _) => s.push_str(" and auto-buy new chips"),
        (Some(false), _) => s.push_str(", with auto-buy off"),
        (None, Some(Some(m))) => s.push_str(&format!(" with a price limit of {}", replies::money(&m))),
        (None, Some(None)) => s.push_str(" without a price limit"),
        (None, None) => {}
    }
    if let Some(Some(b)) = change.monthly_budget {
        s.push_str(&format!(", spending at most {} a month", replies::money(&b)));
    }
    if let Some(f) = change.notify {
        s.push_str(&format!(", telling you about new chips {}", replies::frequency(f)));
    }
    s
}

/// Reads a money slot (`{amount_minor, currency}`).
pub fn slot_money(v: Option<&Value>) -> Option<Money> {
    let v = v?;
    let amount = v.get("amount_minor")?.as_i64()?;
    let currency = v.get("currency")?.as_str()?.parse().ok()?;
    Some(Money::new(amount, currency))
}

pub fn slot_frequency(v: Option<&Value>) -> Option<NotifyFrequency> {
    v?.as_str()?.parse().ok()
}
