//! What the daemon remembers between utterances: a pending confirmation or
//! clarification, the last reply (for "repeat") and what can be undone.

use super::actions::Action;
use crate::domain::{ClientPreferences, Id, Subscription};
use time::OffsetDateTime;

/// A spending command waiting for "yes" or "no".
#[derive(Debug, Clone)]
pub struct PendingConfirmation {
    pub command_id: Id,
    pub action: Action,
    pub deadline: OffsetDateTime,
}

/// A command whose designer was unclear: "Did you mean Alice Chen or Alicia Chan?"
#[derive(Debug, Clone)]
pub struct PendingClarification {
    pub command_id: Id,
    pub intent: String,
    pub slots: serde_json::Map<String, serde_json::Value>,
    /// `(display name, handle)` of the candidates, best first.
    pub candidates: Vec<(String, String)>,
    pub deadline: OffsetDateTime,
}

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

#[derive(Debug, Default)]
pub struct Session {
    pub confirmation: Option<PendingConfirmation>,
    pub clarification: Option<PendingClarification>,
    pub last_reply: Option<String>,
    pub undo: Vec<UndoEntry>,
}

impl Session {
    pub const UNDO_DEPTH: usize = 20;

    pub fn push_undo(&mut self, entry: UndoEntry) {
        self.undo.push(entry);
        if self.undo.len() > Self::UNDO_DEPTH {
            self.undo.remove(0);
        }
    }
}
