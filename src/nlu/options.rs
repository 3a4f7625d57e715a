//! The engine's tunables.

use super::values::{SlotKind, marketplace_slot_kinds};
use std::collections::BTreeMap;

/// Tunables of the engine.
#[derive(Debug, Clone)]
pub struct EngineOptions {
    /// Currency of amounts spoken without one.
    pub default_currency: crate::domain::Currency,
    /// Sound-alike resolutions at or above this confidence are accepted.
    pub fuzzy_threshold: f32,
    /// Below this a sound-alike reading is dropped; between the two it is a near miss.
    pub fuzzy_floor: f32,
    /// Slot name to value type.
    pub slot_kinds: BTreeMap<String, SlotKind>,
    /// How many alternatives a match lists.
    pub max_alternatives: usize,
    /// A reading less confident than this is not an answer: nothing is understood.
    pub accept: f32,
}

impl Default for EngineOptions {
    fn default() -> Self {
        EngineOptions {
            default_currency: crate::domain::Currency::USD,
            fuzzy_threshold: 0.72,
            fuzzy_floor: 0.42,
            slot_kinds: marketplace_slot_kinds(),
            max_alternatives: 3,
            accept: 0.5,
        }
    }
}

impl EngineOptions {
    /// The value type of `slot` (raw text when not declared).
    pub fn kind(&self, slot: &str) -> SlotKind {
        self.slot_kinds.get(slot).copied().unwrap_or(SlotKind::Raw)
    }
}
