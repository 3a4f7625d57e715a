//! The designer directory: search by words, orders by rating, sales or arrival, and
//! the reviews of all of a designer's chips.

use super::{MarketError, Profiles};
use crate::domain::{
    ChipFilter, ChipSort, DesignerProfile, DesignerSort, Id, Page, PageRequest, Review, encode_cursor,
};

/// How many designers a search or a non-default order looks through.
const MAX_SCAN: usize = 10_000;
/// How many of a designer's chips their review list gathers from.
const MAX_CHIPS: u32 = 100;

/// A designer's average rating in thousandths of a star (0 when unrated).
pub fn rating_milli(d: &DesignerProfile) -> i64 {
    if d.rating_count > 0 { d.rating_sum.saturating_mul(1000) / d.rating_count } else { 0 }
}

/// Whether `q` (lower case) appears in the designer's handle, name, bio or skills.
fn matches(d: &DesignerProfile, q: &str) -> bool {
    d.handle.as_str().contains(q)
        || d.display_name.to_lowercase().contains(q)
        || d.bio.to_lowercase().contains(q)
        || d.skills.iter().any(|s| s.to_lowercase().contains(q))
}

/// Encodes a sorted-list cursor `<sort key>:<id>`.
pub fn encode_sort_cursor(key: i64, id: Id) -> String {
    format!("{key}:{}", id.simple())
}

impl Profiles<'_> {
    /// Designers matching `text` (lower case) in `sort` order, after the sorted
    /// cursor `after` (`(sort key, id)`) or, newest first without text, after the
    /// id of `page`.
    pub async fn directory(
        &self,
        text: Option<&str>,
        sort: DesignerSort,
        page: PageRequest,
        after: Option<(i64, Id)>,
    ) -> Result<Page<DesignerProfile>, MarketError> {
        if text.is_none() && sort == DesignerSort::Newest {
            return self.designers(page).await;
        }
        let key = |d: &DesignerProfile| match sort {
            DesignerSort::Rating => rating_milli(d),
            DesignerSort::Sales => d.sales_count,
            DesignerSort::Newest => 0,
        };
        let mut all: Vec<(i64, DesignerProfile)> = self
            .scan()
            .await?
            .into_iter()
            .filter(|d| text.is_none_or(|t| matches(d, t)))
            .map(|d| (key(&d), d))
            .filter(|(k, d)| after.is_none_or(|a| (*k, d.user_id) < a))
            .collect();
        all.sort_by_key(|(k, d)| std::cmp::Reverse((*k, d.user_id)));
        let more = all.len() > page.limit as usize;
        all.truncate(page.limit as usize);
        let next_cursor = if more { all.last().map(|(k, d)| encode_sort_cursor(*k, d.user_id)) } else { None };
        Ok(Page { items: all.into_iter().map(|(_, d)| d).collect(), next_cursor })
    }

    /// Every designer, up to [`MAX_SCAN`].
    async fn scan(&self) -> Result<Vec<DesignerProfile>, MarketError> {
        let mut all = Vec::new();
        let mut page = PageRequest::first(PageRequest::MAX_LIMIT);
        loop {
            let p = self.designers(page).await?;
            all.extend(p.items);
            match p.next_cursor.and_then(|c| PageRequest::after_cursor(&c, PageRequest::MAX_LIMIT)) {
                Some(next) if all.len() < MAX_SCAN => page = next,
                _ => return Ok(all),
            }
        }
    }

    /// Reviews of the designer's chips, newest first.
    pub async fn designer_reviews(&self, handle: &str, page: PageRequest) -> Result<Page<Review>, MarketError> {
        let designer = self.designer_profile(handle).await?;
        let filter = ChipFilter { designer_id: Some(designer.user_id), ..Default::default() };
        let chips = self.browse(&filter, ChipSort::Newest, None, MAX_CHIPS).await?.items;
        let mut reviews: Vec<Review> = Vec::new();
        for chip in chips {
            reviews.extend(self.market.reviews().of_chip(chip.id, page).await?.items);
        }
        reviews.sort_by_key(|r| std::cmp::Reverse(r.id));
        let more = reviews.len() > page.limit as usize;
        reviews.truncate(page.limit as usize);
        let next_cursor = if more { reviews.last().map(|r| encode_cursor(r.id)) } else { None };
        Ok(Page { items: reviews, next_cursor })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::Handle;

    fn profile(handle: &str, sum: i64, count: i64) -> DesignerProfile {
        DesignerProfile {
            user_id: crate::domain::new_id(),
            handle: Handle::parse(handle).unwrap_or_else(|_| Handle::from_display_name(handle)),
            display_name: handle.to_uppercase(),
            bio: "FPGA person".into(),
            skills: vec!["Verilog".into()],
            rating_count: count,
            rating_sum: sum,
            sales_count: 0,
        }
    }

    #[test]
    fn ratings_and_search() {
        assert_eq!(rating_milli(&profile("ann", 9, 2)), 4500);
        assert_eq!(rating_milli(&profile("bob", 0, 0)), 0);
        let d = profile("carol", 0, 0);
        assert!(matches(&d, "verilog") && matches(&d, "fpga") && matches(&d, "caro"));
        assert!(!matches(&d, "asic"));
    }
}
