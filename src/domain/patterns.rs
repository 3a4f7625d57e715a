//! Work patterns: what a client buys, searches and says, and, for a designer, how their
//! buyers buy in aggregate. Derived here from plain facts the store reads; nothing in
//! an audience names a buyer.

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;
use time::OffsetDateTime;

use super::{Currency, Id};

/// One purchase, as patterns see it.
#[derive(Debug, Clone, PartialEq)]
pub struct PurchaseTrace {
    pub buyer_id: Id,
    pub price_minor: i64,
    pub currency: String,
    pub category: String,
    pub process_node: String,
    /// The chip's designer's handle ("" when they have no profile).
    pub designer: String,
    pub refunded: bool,
    /// Bought by auto-buy.
    pub automatic: bool,
    pub created_at: OffsetDateTime,
}

/// One voice command, as patterns see it.
#[derive(Debug, Clone, PartialEq)]
pub struct VoiceTrace {
    pub intent: Option<String>,
    pub understood: bool,
    /// What was searched for (`SearchChips`).
    pub query: Option<String>,
}

/// A name and how often it came up.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Tally {
    pub name: String,
    pub count: u64,
}

/// Purchases in a price range, `[min_minor, max_minor)`; no upper end for the last.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct PriceBand {
    pub min_minor: i64,
    pub max_minor: Option<i64>,
    pub count: u64,
}

/// When purchases happen.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Activity {
    /// Up to three hours of the day (UTC, 0–23), busiest first.
    pub hours_utc: Vec<u8>,
    /// Up to three days of the week ("monday" …), busiest first.
    pub weekdays: Vec<String>,
}

/// How a client works: `GET /v1/me/patterns`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, utoipa::ToSchema)]
pub struct WorkPatterns {
    /// Completed purchases (refunded ones are counted apart).
    pub purchases: u64,
    pub refunded: u64,
    /// The currency of the amounts below (the one most bought in).
    pub currency: Option<String>,
    /// The median price paid, in minor units.
    pub typical_spend_minor: Option<i64>,
    pub total_spent_minor: i64,
    /// Most bought first (up to five each).
    pub categories: Vec<Tally>,
    pub process_nodes: Vec<Tally>,
    /// Handles of the designers bought from most.
    pub designers: Vec<Tally>,
    pub price_bands: Vec<PriceBand>,
    pub active: Activity,
    /// Purchases made by auto-buy, and how many of them were refunded.
    pub auto_purchases: u64,
    pub auto_refunded: u64,
    pub subscriptions: u64,
    pub auto_buy_subscriptions: u64,
    /// Words searched for most by voice.
    pub searched: Vec<Tally>,
    pub voice_commands: u64,
    pub voice_understood: u64,
    /// The commands said most.
    pub intents: Vec<Tally>,
}

/// How a designer's buyers buy, without naming any: `GET /v1/me/audience`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Audience {
    pub buyers: u64,
    /// Buyers with more than one completed purchase of the designer's chips.
    pub repeat_buyers: u64,
    pub purchases: u64,
    pub refunded: u64,
    pub currency: Option<String>,
    pub typical_price_minor: Option<i64>,
    /// The designer's categories and process nodes that sell most.
    pub categories: Vec<Tally>,
    pub process_nodes: Vec<Tally>,
    /// What the same buyers buy from other designers.
    pub also_bought: Vec<Tally>,
    pub price_bands: Vec<PriceBand>,
    pub active: Activity,
    pub subscribers: u64,
    pub auto_buy_subscribers: u64,
    /// Sales made by auto-buy.
    pub auto_purchases: u64,
}

/// Subscriptions as patterns count them: (all, with auto-buy).
pub type SubscriptionCounts = (u64, u64);

const TOP: usize = 5;
/// Price band edges in major units.
const BAND_EDGES: [i64; 4] = [10, 50, 100, 500];

fn top<'a>(names: impl Iterator<Item = &'a str>, n: usize) -> Vec<Tally> {
    let mut counts: BTreeMap<&str, u64> = BTreeMap::new();
    for name in names.filter(|s| !s.trim().is_empty()) {
        *counts.entry(name).or_default() += 1;
    }
    let mut v: Vec<Tally> = counts.into_iter().map(|(name, count)| Tally { name: name.to_owned(), count }).collect();
    v.sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.name.cmp(&b.name)));
    v.truncate(n);
    v
}

fn median(values: &mut [i64]) -> Option<i64> {
    values.sort_unstable();
    values.len().checked_sub(1).and_then(|last| values.get(last / 2).copied())
}

/// The currency most amounts are in (ties: alphabetical), and the traces in it.
fn main_currency<'a>(traces: &[&'a PurchaseTrace]) -> (Option<String>, Vec<&'a PurchaseTrace>) {
    let Some(c) = top(traces.iter().map(|t| t.currency.trim()), 1).pop() else { return (None, Vec::new()) };
    let inside = traces.iter().copied().filter(|t| t.currency.trim() == c.name).collect();
    (Some(c.name), inside)
}

fn bands(traces: &[&PurchaseTrace], currency: Option<&str>) -> Vec<PriceBand> {
    if traces.is_empty() {
        return Vec::new();
    }
    let exponent = currency.and_then(|c| c.parse::<Currency>().ok()).map_or(2, |c| c.exponent());
    let unit = 10_i64.pow(exponent);
    let mut edges = vec![0];
    edges.extend(BAND_EDGES.iter().map(|e| e * unit));
    edges
        .iter()
        .enumerate()
        .map(|(i, &lo)| {
            let hi = edges.get(i + 1).copied();
            let count = traces.iter().filter(|t| t.price_minor >= lo && hi.is_none_or(|h| t.price_minor < h)).count();
            PriceBand { min_minor: lo, max_minor: hi, count: count as u64 }
        })
        .filter(|b| b.count > 0)
        .collect()
}

const WEEKDAYS: [&str; 7] = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"];

fn activity(traces: &[&PurchaseTrace]) -> Activity {
    let utc = |t: &&PurchaseTrace| t.created_at.to_offset(time::UtcOffset::UTC);
    let hours: Vec<String> = traces.iter().map(|t| format!("{:02}", utc(t).hour())).collect();
    let days: Vec<&str> = traces
        .iter()
        .filter_map(|t| WEEKDAYS.get(usize::from(utc(t).weekday().number_days_from_monday())))
        .copied()
        .collect();
    Activity {
        hours_utc: top(hours.iter().map(String::as_str), 3).iter().filter_map(|t| t.name.parse().ok()).collect(),
        weekdays: top(days.into_iter(), 3).into_iter().map(|t| t.name).collect(),
    }
}

impl WorkPatterns {
    /// A client's patterns from their purchases (any order), voice commands and
    /// subscription counts.
    pub fn derive(purchases: &[PurchaseTrace], voice: &[VoiceTrace], subscriptions: SubscriptionCounts) -> Self {
        let done: Vec<&PurchaseTrace> = purchases.iter().filter(|p| !p.refunded).collect();
        let (currency, priced) = main_currency(&done);
        let mut prices: Vec<i64> = priced.iter().map(|p| p.price_minor).collect();
        let searched_words: Vec<String> =
            voice.iter().filter_map(|v| v.query.as_deref()).flat_map(search_words).collect();
        WorkPatterns {
            purchases: done.len() as u64,
            refunded: purchases.iter().filter(|p| p.refunded).count() as u64,
            typical_spend_minor: median(&mut prices),
            total_spent_minor: prices.iter().sum(),
            price_bands: bands(&priced, currency.as_deref()),
            currency,
            categories: top(done.iter().map(|p| p.category.as_str()), TOP),
            process_nodes: top(done.iter().map(|p| p.process_node.as_str()), TOP),
            designers: top(done.iter().map(|p| p.designer.as_str()), TOP),
            active: activity(&done),
            auto_purchases: purchases.iter().filter(|p| p.automatic).count() as u64,
            auto_refunded: purchases.iter().filter(|p| p.automatic && p.refunded).count() as u64,
            subscriptions: subscriptions.0,
            auto_buy_subscriptions: subscriptions.1,
            searched: top(searched_words.iter().map(String::as_str), TOP),
            voice_commands: voice.len() as u64,
            voice_understood: voice.iter().filter(|v| v.understood).count() as u64,
            intents: top(voice.iter().filter_map(|v| v.intent.as_deref()), TOP),
        }
    }
}

impl Audience {
    /// A designer's audience from the sales of their chips, the categories the same
    /// buyers bought elsewhere, and subscriber counts.
    pub fn derive(sales: &[PurchaseTrace], also_bought: &[String], subscribers: SubscriptionCounts) -> Self {
        let done: Vec<&PurchaseTrace> = sales.iter().filter(|p| !p.refunded).collect();
        let mut per_buyer: BTreeMap<Id, u64> = BTreeMap::new();
        for p in &done {
            *per_buyer.entry(p.buyer_id).or_default() += 1;
        }
        let buyers: BTreeSet<Id> = sales.iter().map(|p| p.buyer_id).collect();
        let (currency, priced) = main_currency(&done);
        let mut prices: Vec<i64> = priced.iter().map(|p| p.price_minor).collect();
        Audience {
            buyers: buyers.len() as u64,
            repeat_buyers: per_buyer.values().filter(|n| **n > 1).count() as u64,
            purchases: done.len() as u64,
            refunded: sales.iter().filter(|p| p.refunded).count() as u64,
            typical_price_minor: median(&mut prices),
            price_bands: bands(&priced, currency.as_deref()),
            currency,
            categories: top(done.iter().map(|p| p.category.as_str()), TOP),
            process_nodes: top(done.iter().map(|p| p.process_node.as_str()), TOP),
            also_bought: top(also_bought.iter().map(String::as_str), TOP),
            active: activity(&done),
            subscribers: subscribers.0,
            auto_buy_subscribers: subscribers.1,
            auto_purchases: done.iter().filter(|p| p.automatic).count() as u64,
        }
    }
}

/// Content words of a search, lower case (for counting what is searched for).
pub fn search_words(query: &str) -> Vec<String> {
    const FILLER: &[&str] = &["a", "an", "the", "for", "with", "and", "or", "of", "to", "me", "some", "chips", "chip"];
    query
        .to_lowercase()
        .split(|c: char| !c.is_alphanumeric() && c != '-')
        .filter(|w| w.len() > 1 && !FILLER.contains(w))
        .map(str::to_owned)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    fn trace(buyer: u128, cents: i64, category: &str, designer: &str, at: OffsetDateTime) -> PurchaseTrace {
        PurchaseTrace {
            buyer_id: Id::from_u128(buyer),
            price_minor: cents,
            currency: "USD".into(),
            category: category.into(),
            process_node: "28nm".into(),
            designer: designer.into(),
            refunded: false,
            automatic: false,
            created_at: at,
        }
    }

    #[test]
    fn a_client_pattern_counts_what_was_kept() {
        let mon = datetime!(2026-11-30 20:15 UTC);
        let mut refunded = trace(1, 90_000, "gpu", "bob", mon);
        refunded.refunded = true;
        refunded.automatic = true;
        let purchases = [
            trace(1, 4000, "dsp", "alice", mon),
            trace(1, 6000, "dsp", "alice", mon + time::Duration::days(1)),
            trace(1, 1500, "memory", "bob", mon),
            refunded,
        ];
        let voice = [
            VoiceTrace { intent: Some("SearchChips".into()), understood: true, query: Some("low power dsp".into()) },
            VoiceTrace { intent: None, understood: false, query: None },
        ];
        let p = WorkPatterns::derive(&purchases, &voice, (2, 1));
        assert_eq!((p.purchases, p.refunded, p.auto_purchases, p.auto_refunded), (3, 1, 1, 1));
        assert_eq!(p.typical_spend_minor, Some(4000));
        assert_eq!(p.total_spent_minor, 11_500);
        assert_eq!(p.categories[0], Tally { name: "dsp".into(), count: 2 });
        assert_eq!(p.designers[0].name, "alice");
        assert_eq!(p.active.hours_utc, [20]);
        assert_eq!(p.active.weekdays[0], "monday");
        // $10–50: 15.00 and 40.00; $50–100: 60.00 (the refunded 900.00 is left out).
        assert_eq!(p.price_bands.iter().map(|b| b.count).collect::<Vec<_>>(), [2, 1]);
        assert_eq!(p.price_bands[1].min_minor, 5000);
        assert_eq!((p.voice_commands, p.voice_understood), (2, 1));
        assert!(p.searched.iter().any(|t| t.name == "dsp"));
    }

    #[test]
    fn an_audience_has_no_buyer_in_it() {
        let at = datetime!(2026-12-01 09:00 UTC);
        let sales = [trace(1, 5000, "dsp", "me", at), trace(1, 5000, "dsp", "me", at), trace(2, 2000, "cpu", "me", at)];
        let a = Audience::derive(&sales, &["memory".into(), "memory".into(), "rf".into()], (4, 1));
        assert_eq!((a.buyers, a.repeat_buyers, a.purchases), (2, 1, 3));
        assert_eq!(a.also_bought[0], Tally { name: "memory".into(), count: 2 });
        let json = serde_json::to_string(&a).expect("json");
        assert!(!json.contains(&Id::from_u128(1).to_string()));
    }
}
