//! Recommendations: published chips the client has not bought, ranked by what they
//! follow, what they said they prefer (by its words and by its meaning), what they
//! bought before and what people who bought the same chips bought, each with the
//! reason it was chosen.

use super::{Market, MarketError};
use crate::domain::{Chip, ChipFilter, ChipStatus, Id, Money, PageRequest, User};
use std::collections::{HashMap, HashSet};

/// Published chips looked at (the newest).
const CANDIDATES: u32 = 100;
/// Purchases looked at (the newest).
const HISTORY: u32 = 100;
/// Chips closest in meaning to what the client said they like that count.
const MEANING_TOP: u32 = 20;

/// A chip worth a look and why.
#[derive(Debug, Clone, PartialEq, serde::Serialize, utoipa::ToSchema)]
pub struct Recommendation {
    pub chip: Chip,
    /// Why it is recommended, in a sentence ("from Alice Chen, whom you follow").
    pub reason: String,
}

impl Market {
    /// Up to `limit` chips for `user`, best first; only chips at or under `max_price`
    /// when one is given.
    pub async fn recommendations(
        &self,
        user: &User,
        max_price: Option<Money>,
        limit: usize,
    ) -> Result<Vec<Recommendation>, MarketError> {
        let store = |e| MarketError::from_store("chip", e);
        let filter = ChipFilter { status: Some(ChipStatus::Published), ..Default::default() };
        let mut chips = self.store.list_chips(&filter, PageRequest::first(CANDIDATES)).await.map_err(store)?.items;
        let bought = self.store.list_purchases(user.id, PageRequest::first(HISTORY)).await.map_err(store)?.items;
        let owned: HashSet<Id> = bought.iter().map(|p| p.chip_id).collect();
        let prefs = self.profiles().client_preferences(user).await?;
        // People who bought what this client bought: what else they bought.
        let mut shared: HashMap<Id, (Id, i64)> = HashMap::new();
        for (chip, because, n) in self.store.co_purchases(user.id).await.map_err(store)? {
            let e = shared.entry(chip).or_insert((because, 0));
            if n > e.1 {
                *e = (because, n);
            }
        }
        // Chips that mean what the client said they like.
        let mut close: HashMap<Id, usize> = HashMap::new();
        let said = prefs.stated.clone().or_else(|| {
            let words: Vec<&str> = prefs.keywords.iter().chain(&prefs.categories).map(String::as_str).collect();
            (!words.is_empty()).then(|| words.join(" "))
        });
        if let Some(said) = &said
            && let Some(page) = self.search().ranked(said, &filter, 0, MEANING_TOP).await?
        {
            close = page.items.iter().enumerate().map(|(i, c)| (c.id, i)).collect();
            chips.extend(page.items);
        }
        let known: HashSet<Id> = chips.iter().map(|c| c.id).collect();
        let mut wanted: Vec<Id> = shared.keys().chain(shared.values().map(|v| &v.0)).copied().collect();
        wanted.retain(|id| !known.contains(id));
        wanted.sort_unstable();
        wanted.dedup();
        chips.extend(self.store.chips_by_ids(&wanted).await.map_err(store)?);
        let titles: HashMap<Id, String> = chips.iter().map(|c| (c.id, c.title.clone())).collect();
        let mut seen = HashSet::new();
        chips.retain(|c| c.status == ChipStatus::Published && seen.insert(c.id));
        let mut bought_categories: HashMap<String, usize> = HashMap::new();
        for chip in chips.iter().filter(|c| owned.contains(&c.id)) {
            *bought_categories.entry(chip.category.clone()).or_default() += 1;
        }
        let followed: HashSet<Id> = self.subscriptions().list(user).await?.iter().map(|s| s.designer_id).collect();
        let mut names: HashMap<Id, String> = HashMap::new();
        let mut scored: Vec<(f32, Recommendation)> = Vec::new();
        for chip in chips {
            if owned.contains(&chip.id) || chip.designer_id == user.id {
                continue;
            }
            let limit = max_price.or(prefs.max_price);
            if limit.is_some_and(|m| m.currency == chip.price.currency && chip.price.amount_minor > m.amount_minor) {
                continue;
            }
            let mut score = 0.0f32;
            let mut reasons: Vec<String> = Vec::new();
            if prefs.categories.iter().any(|c| c.eq_ignore_ascii_case(&chip.category)) {
                score += 3.0;
                reasons.push(format!("matches your preference for {}", chip.category));
            }
            if prefs.process_nodes.iter().any(|n| n.eq_ignore_ascii_case(&chip.process_node)) {
                score += 2.0;
                reasons.push(format!("made for {}, a process node you prefer", chip.process_node));
            }
            let text = format!("{} {} {}", chip.title, chip.description, chip.tags.join(" ")).to_lowercase();
            if let Some(k) = prefs.keywords.iter().find(|k| text.contains(&k.to_lowercase())) {
                score += 1.5;
                reasons.push(format!("about {k}, which you said you like"));
            }
            if let (Some(rank), Some(said)) = (close.get(&chip.id), &said) {
                score += 2.0 * (1.0 - *rank as f32 / MEANING_TOP as f32);
                let short: String = said.chars().take(60).collect();
                reasons.push(format!("close to what you like (\"{short}\")"));
            }
            if let Some((because, n)) = shared.get(&chip.id) {
                score += 2.0 + 0.5 * (*n as f32).min(4.0);
                let title = titles.get(because).map_or("a chip you bought", String::as_str);
                reasons.push(format!("people who bought {title} bought this"));
            }
            if followed.contains(&chip.designer_id) {
                score += 2.5;
                let name = match names.get(&chip.designer_id) {
                    Some(n) => n.clone(),
                    None => {
                        let d = self.profiles().designer_of(chip.designer_id).await?;
                        let n = d.map_or_else(|| "a designer".to_owned(), |d| d.display_name);
                        names.insert(chip.designer_id, n.clone());
                        n
                    }
                };
                reasons.push(format!("from {name}, whom you follow"));
            }
            if let Some(n) = bought_categories.get(&chip.category) {
                score += 1.0 + 0.2 * (*n as f32).min(5.0);
                reasons.push(format!("like the {} chips you bought", chip.category));
            }
            // Popular chips rank a little higher; among equals, the newest first.
            score += (chip.sold_count as f32 + 1.0).ln() * 0.3;
            let reason = if reasons.is_empty() {
                "popular with other buyers".to_owned()
            } else {
                let mut r = reasons.join("; ");
                if let Some(first) = r.get_mut(0..1) {
                    first.make_ascii_uppercase();
                }
                r
            };
            scored.push((score, Recommendation { chip, reason }));
        }
        scored.sort_by(|a, b| b.0.total_cmp(&a.0).then(b.1.chip.id.cmp(&a.1.chip.id)));
        Ok(scored.into_iter().take(limit).map(|(_, r)| r).collect())
    }
}
