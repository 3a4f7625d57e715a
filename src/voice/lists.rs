//! Fills the grammar's dynamic lists (`designer`, `chip`) from the store.

use crate::domain::{ChipFilter, ChipStatus, PageRequest};
use crate::nlu::{Engine, ListValue};
use crate::store::{Store, StoreError, decode_cursor};

/// Loads every designer (display name → handle) and published chip (title) into the
/// engine's lists; the templates are not recompiled.
pub async fn refresh_lists(
    store: &dyn Store,
    engine: &std::sync::RwLock<Engine>,
) -> Result<(usize, usize), StoreError> {
    let mut designers = Vec::new();
    let mut page = PageRequest::first(PageRequest::MAX_LIMIT);
    loop {
        let p = store.list_designers(page).await?;
        designers.extend(p.items.into_iter().map(|d| ListValue::new(d.display_name, d.handle.as_str().to_owned())));
        match p.next_cursor {
            Some(c) => page = PageRequest { after: Some(decode_cursor(&c)?), limit: PageRequest::MAX_LIMIT },
            None => break,
        }
    }
    let mut chips = Vec::new();
    let filter = ChipFilter { status: Some(ChipStatus::Published), ..Default::default() };
    let mut page = PageRequest::first(PageRequest::MAX_LIMIT);
    loop {
        let p = store.list_chips(&filter, page).await?;
        chips.extend(p.items.into_iter().map(|c| ListValue::plain(c.title)));
        match p.next_cursor {
            Some(c) => page = PageRequest { after: Some(decode_cursor(&c)?), limit: PageRequest::MAX_LIMIT },
            None => break,
        }
    }
    let counts = (designers.len(), chips.len());
    let mut engine = engine.write().unwrap_or_else(std::sync::PoisonError::into_inner);
    engine.set_list("designer", designers);
    engine.set_list("chip", chips);
    Ok(counts)
}
