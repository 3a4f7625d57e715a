//! The stored record of every voice command: what was heard (sealed), what it was
//! understood as, what became of it.

use super::{Market, MarketError};
use crate::domain::{Id, Page, PageRequest, User, VoiceStatus};
use crate::store::VoiceCommandRecord;

pub struct VoiceLog<'a> {
    pub(super) market: &'a Market,
}

impl VoiceLog<'_> {
    pub async fn record(&self, command: &VoiceCommandRecord) -> Result<(), MarketError> {
        self.market.store.insert_voice_command(command).await.map_err(MarketError::Store)
    }

    /// What became of a command that waited for a confirmation.
    pub async fn settle(
        &self,
        id: Id,
        status: VoiceStatus,
        reply_text: &str,
        result: &serde_json::Value,
    ) -> Result<(), MarketError> {
        self.market
            .store
            .update_voice_command(id, status, reply_text, result)
            .await
            .map_err(|e| MarketError::from_store("voice command", e))
    }

    /// One of the user's commands; someone else's is not found.
    pub async fn get(&self, user: &User, id: Id) -> Result<VoiceCommandRecord, MarketError> {
        let record =
            self.market.store.voice_command(id).await.map_err(|e| MarketError::from_store("voice command", e))?;
        if record.user_id != Some(user.id) {
            return Err(MarketError::NotFound("voice command"));
        }
        Ok(record)
    }

    /// The user's commands, newest first.
    pub async fn list(&self, user: &User, page: PageRequest) -> Result<Page<VoiceCommandRecord>, MarketError> {
        self.market.store.list_voice_commands(user.id, page).await.map_err(MarketError::Store)
    }
}
