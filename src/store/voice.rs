//! Voice commands (every spoken attempt) and the device tokens that act for a user.

use super::rows::{USER_COLUMNS, UserRow};
use super::sql::now;
use super::{Store, StoreError, page_of};
use crate::domain::{Id, Page, PageRequest, StageTimings, User, VoiceSource, VoiceStatus, new_id};
use sqlx::types::Json;
use time::OffsetDateTime;

/// A voice command as stored: the transcript is sealed (encrypted) by the caller.
#[derive(Debug, Clone, PartialEq)]
pub struct VoiceCommandRecord {
    pub id: Id,
    pub user_id: Option<Id>,
    pub source: VoiceSource,
    pub transcript_sealed: Vec<u8>,
    pub intent: Option<String>,
    pub slots: serde_json::Value,
    pub status: VoiceStatus,
    pub reply_text: String,
    pub result: serde_json::Value,
    pub timings: StageTimings,
    pub confirm_before: Option<OffsetDateTime>,
    pub created_at: OffsetDateTime,
}

impl Store {
    pub async fn insert_voice_command(&self, c: &VoiceCommandRecord) -> Result<(), StoreError> {
        self.db
            .query(
                "INSERT INTO voice_commands (id, user_id, source, transcript_enc, intent, slots, status, reply_text, \
                 result, audio_ms, asr_ms, nlu_ms, exec_ms, confirm_before, created_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)",
            )
            .bind(c.id)
            .bind(c.user_id)
            .bind(c.source.as_str())
            .bind(&c.transcript_sealed)
            .bind(c.intent.as_deref())
            .bind(Json(&c.slots))
            .bind(c.status.as_str())
            .bind(&c.reply_text)
            .bind(Json(&c.result))
            .bind(c.timings.audio)
            .bind(c.timings.asr)
            .bind(c.timings.nlu)
            .bind(c.timings.exec)
            .bind(c.confirm_before)
            .bind(c.created_at)
            .execute()
            .await
            .map(drop)
    }

    pub async fn voice_command(&self, id: Id) -> Result<VoiceCommandRecord, StoreError> {
        let row: VoiceRow = self
            .db
            .query(format!("SELECT {VOICE_COLUMNS} FROM voice_commands WHERE id = $1"))
            .bind(id)
            .fetch_one()
            .await?;
        row.try_into()
    }

    /// Records what became of a command that waited for a confirmation.
    pub async fn update_voice_command(
        &self,
        id: Id,
        status: VoiceStatus,
        reply_text: &str,
        result: &serde_json::Value,
    ) -> Result<(), StoreError> {
        let done = self
            .db
            .query("UPDATE voice_commands SET status = $2, reply_text = $3, result = $4, confirm_before = NULL WHERE id = $1")
            .bind(id)
            .bind(status.as_str())
            .bind(reply_text)
            .bind(Json(result))
            .execute()
            .await?;
        if done == 0 { Err(StoreError::NotFound) } else { Ok(()) }
    }

    /// A user's commands, newest first.
    pub async fn list_voice_commands(
        &self,
        user_id: Id,
        page: PageRequest,
    ) -> Result<Page<VoiceCommandRecord>, StoreError> {
        let rows: Vec<VoiceRow> = self
            .db
            .query(format!(
                "SELECT {VOICE_COLUMNS} FROM voice_commands WHERE user_id = $1 AND ($2 IS NULL OR id < $2) \
                 ORDER BY id DESC LIMIT $3"
            ))
            .bind(user_id)
            .bind(page.after)
            .bind(i64::from(page.limit) + 1)
            .fetch_all()
            .await?;
        let items = rows.into_iter().map(TryInto::try_into).collect::<Result<Vec<VoiceCommandRecord>, _>>()?;
        Ok(page_of(items, page.limit, |c| c.id))
    }

    /// Stores a device token (its SHA-256 only) for `user_id`; returns its id.
    pub async fn create_device_token(&self, user_id: Id, name: &str, token_hash: &[u8]) -> Result<Id, StoreError> {
        let id = new_id();
        self.db
            .query("INSERT INTO device_tokens (id, user_id, name, token_hash, created_at) VALUES ($1, $2, $3, $4, $5)")
            .bind(id)
            .bind(user_id)
            .bind(name)
            .bind(token_hash)
            .bind(now())
            .execute()
            .await?;
        Ok(id)
    }

    /// The user a live (not revoked) device token belongs to, if not disabled.
    pub async fn device_token_user(&self, token_hash: &[u8]) -> Result<User, StoreError> {
        let row: UserRow = self
            .db
            .query(format!(
                "SELECT {USER_COLUMNS} FROM users WHERE NOT disabled AND id = \
                 (SELECT user_id FROM device_tokens WHERE token_hash = $1 AND revoked_at IS NULL)"
            ))
            .bind(token_hash)
            .fetch_one()
            .await?;
        row.try_into()
    }

    /// Revokes one of the user's device tokens; `NotFound` if it is not theirs.
    pub async fn revoke_device_token(&self, user_id: Id, token_id: Id) -> Result<(), StoreError> {
        let done = self
            .db
            .query("UPDATE device_tokens SET revoked_at = $3 WHERE id = $1 AND user_id = $2 AND revoked_at IS NULL")
            .bind(token_id)
            .bind(user_id)
            .bind(now())
            .execute()
            .await?;
        if done == 0 { Err(StoreError::NotFound) } else { Ok(()) }
    }
}

const VOICE_COLUMNS: &str = "id, user_id, source, transcript_enc, intent, slots, status, reply_text, \
     result, audio_ms, asr_ms, nlu_ms, exec_ms, confirm_before, created_at";

#[derive(sqlx::FromRow)]
struct VoiceRow {
    id: Id,
    user_id: Option<Id>,
    source: String,
    transcript_enc: Vec<u8>,
    intent: Option<String>,
    slots: Json<serde_json::Value>,
    status: String,
    reply_text: String,
    result: Json<serde_json::Value>,
    audio_ms: Option<i64>,
    asr_ms: Option<i64>,
    nlu_ms: Option<i64>,
    exec_ms: Option<i64>,
    confirm_before: Option<OffsetDateTime>,
    created_at: OffsetDateTime,
}

impl TryFrom<VoiceRow> for VoiceCommandRecord {
    type Error = StoreError;
    fn try_from(r: VoiceRow) -> Result<Self, StoreError> {
        Ok(VoiceCommandRecord {
            id: r.id,
            user_id: r.user_id,
            source: r.source.parse().map_err(StoreError::corrupt)?,
            transcript_sealed: r.transcript_enc,
            intent: r.intent,
            slots: r.slots.0,
            status: r.status.parse().map_err(StoreError::corrupt)?,
            reply_text: r.reply_text,
            result: r.result.0,
            timings: StageTimings { audio: r.audio_ms, asr: r.asr_ms, nlu: r.nlu_ms, exec: r.exec_ms },
            confirm_before: r.confirm_before,
            created_at: r.created_at,
        })
    }
}
