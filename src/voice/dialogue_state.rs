//! What the daemon remembers between utterances: a pending confirmation or
//! clarification, the last reply (for "repeat") and what can be undone.

use super::actions::Action;
use super::undo::UndoEntry;
use crate::domain::Id;
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

/// A sentence that could mean two things: "Did you mean to buy Falcon DSP, or to search
/// for falcon chips?"
#[derive(Debug, Clone)]
pub struct PendingChoice {
    pub command_id: Id,
    /// `(intent, slots)` of each reading, in the order they were offered.
    pub readings: Vec<(String, serde_json::Map<String, serde_json::Value>)>,
    pub deadline: OffsetDateTime,
}

#[derive(Debug, Default)]
pub struct DialogueState {
    pub confirmation: Option<PendingConfirmation>,
    pub clarification: Option<PendingClarification>,
    pub choice: Option<PendingChoice>,
    pub last_reply: Option<String>,
    pub undo: Vec<UndoEntry>,
}

impl DialogueState {
    pub const UNDO_DEPTH: usize = 20;

    pub fn push_undo(&mut self, entry: UndoEntry) {
        self.undo.push(entry);
        if self.undo.len() > Self::UNDO_DEPTH {
            self.undo.remove(0);
        }
    }
}
