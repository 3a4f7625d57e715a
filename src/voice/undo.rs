//! What a command changed, recorded so that "undo" can put it back.

use crate::domain::{ClientPreferences, Id, Subscription};

/// How to put back what a command changed.
#[derive(Debug, Clone)]
pub enum UndoStep {
    /// The subscription to `designer_id` as it was before (`None`: there was none).
    Subscription {
        designer_id: Id,
        before: Option<Subscription>,
    },
    Preferences(ClientPreferences),
}

/// One reversible command: its steps and how to describe it.
#[derive(Debug, Clone)]
pub struct UndoEntry {
    pub description: String,
    pub steps: Vec<UndoStep>,
}
