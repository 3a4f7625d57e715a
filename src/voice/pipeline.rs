//! The pipeline object: one per daemon user. Runs recognition off the async runtime,
//! understanding, the session rules (confirm, clarify, undo, repeat) and records
//! one `voice_commands` row per attempt.

use super::dialogue_state::DialogueState;
use super::{SharedGrammar, VoiceError};
use crate::asr::{Recognizer, TranscribeOptions};
use crate::crypto::FieldCipher;
use crate::domain::{Id, StageTimings, User, VoiceCommand, VoiceSource, new_id};
use crate::market::{Market, VoiceCommandRecord};
use serde_json::{Map, Value};
use std::sync::Arc;
use std::time::{Duration, Instant};
use time::OffsetDateTime;

/// What the pipeline needs.
pub struct PipelineParts {
    pub market: Market,
    /// The process's one compiled grammar (see [`SharedGrammar`]).
    pub grammar: Arc<SharedGrammar>,
    pub recognizer: Option<Arc<dyn Recognizer>>,
    pub asr_options: TranscribeOptions,
    pub cipher: Arc<FieldCipher>,
    pub user: User,
    pub confirm_window: Duration,
}

/// The result of one attempt: the stored command and the reply to speak.
#[derive(Debug, Clone)]
pub struct VoiceOutcome {
    pub command: VoiceCommand,
    pub reply: String,
}

pub struct VoicePipeline {
    pub(super) market: Market,
    grammar: Arc<SharedGrammar>,
    recognizer: Option<Arc<dyn Recognizer>>,
    asr_options: TranscribeOptions,
    cipher: Arc<FieldCipher>,
    pub(super) user: User,
    pub(super) confirm_window: Duration,
    session: tokio::sync::Mutex<DialogueState>,
}

fn ms(d: Duration) -> i64 {
    i64::try_from(d.as_millis()).unwrap_or(i64::MAX)
}

impl VoicePipeline {
    pub fn new(parts: PipelineParts) -> Self {
        Self {
            market: parts.market,
            grammar: parts.grammar,
            recognizer: parts.recognizer,
            asr_options: parts.asr_options,
            cipher: parts.cipher,
            user: parts.user,
            confirm_window: parts.confirm_window,
            session: tokio::sync::Mutex::new(DialogueState::default()),
        }
    }

    pub fn user(&self) -> &User {
        &self.user
    }

    /// Reloads designer and chip names into the shared grammar.
    pub async fn refresh_lists(&self) -> Result<(usize, usize), crate::market::MarketError> {
        self.grammar.refresh(&self.market).await
    }

    /// Recognises one utterance (16 kHz mono) and handles its transcript.
    pub async fn handle_audio(&self, source: VoiceSource, samples: Vec<f32>) -> Result<VoiceOutcome, VoiceError> {
        let recognizer = self.recognizer.clone().ok_or(VoiceError::NoRecognizer)?;
        self.grammar.ensure_fresh(&self.market).await;
        let audio_ms = i64::try_from(samples.len() / 16).unwrap_or(i64::MAX);
        let mut options = self.asr_options.clone();
        if options.initial_prompt.is_none() {
            options.initial_prompt = Some(self.initial_prompt());
        }
        if options.second_prompt.is_none() {
            options.second_prompt = Some(super::second_prompt(&self.grammar.read()));
        }
        let started = Instant::now();
        let grammar = self.grammar.clone();
        let heard = tokio::task::spawn_blocking(move || {
            super::hear(recognizer.as_ref(), &samples, &options, |text| {
                grammar.read().recognize(text, &Default::default())
            })
        })
        .await
        .map_err(|e| VoiceError::Asr(e.to_string()))?
        .map_err(|e| VoiceError::Asr(e.to_string()))?;
        let asr_ms = ms(started.elapsed());
        metrics::histogram!("voice_stage_seconds", "stage" => "asr").record(started.elapsed().as_secs_f64());
        if heard.hearings > 1 {
            metrics::counter!("voice_second_hearings_total").increment(1);
        }
        self.handle_text_timed(source, heard.transcript.text.trim(), Some(audio_ms), Some(asr_ms)).await
    }

    /// Speech to text only (for clients that want the transcript, e.g. Home Assistant's
    /// speech-to-text), biased with the same prompt as the pipeline.
    pub async fn transcribe(&self, samples: Vec<f32>) -> Result<String, VoiceError> {
        let recognizer = self.recognizer.clone().ok_or(VoiceError::NoRecognizer)?;
        let mut options = self.asr_options.clone();
        if options.initial_prompt.is_none() {
            options.initial_prompt = Some(self.initial_prompt());
        }
        let t = tokio::task::spawn_blocking(move || recognizer.transcribe(&samples, &options))
            .await
            .map_err(|e| VoiceError::Asr(e.to_string()))?
            .map_err(|e| VoiceError::Asr(e.to_string()))?;
        Ok(t.text.trim().to_owned())
    }

    /// Understanding only: the intent name and slots of `text`, if any.
    pub fn understand(&self, text: &str) -> Option<(String, Map<String, Value>)> {
        let m = self.grammar.read().recognize(text, &Default::default())?;
        let slots = match serde_json::to_value(&m.slots) {
            Ok(Value::Object(o)) => o,
            _ => Map::new(),
        };
        Some((m.intent, slots))
    }

    /// Handles a transcript (from speech recognition or forwarded by a client).
    pub async fn handle_text(&self, source: VoiceSource, text: &str) -> Result<VoiceOutcome, VoiceError> {
        self.handle_text_timed(source, text, None, None).await
    }

    /// Vocabulary that biases recognition towards the names and words of the grammar
    /// (see [`super::initial_prompt`]).
    pub fn initial_prompt(&self) -> String {
        super::initial_prompt(&self.grammar.read())
    }

    async fn handle_text_timed(
        &self,
        source: VoiceSource,
        text: &str,
        audio_ms: Option<i64>,
        asr_ms: Option<i64>,
    ) -> Result<VoiceOutcome, VoiceError> {
        let id = new_id();
        self.grammar.ensure_fresh(&self.market).await;
        let nlu_start = Instant::now();
        let matched = self.grammar.read().recognize(text, &Default::default());
        let nlu_ms = ms(nlu_start.elapsed());
        metrics::histogram!("voice_stage_seconds", "stage" => "nlu").record(nlu_start.elapsed().as_secs_f64());

        let exec_start = Instant::now();
        let mut session = self.session.lock().await;
        let decided = self.decide(&mut session, id, text, matched).await;
        let exec_ms = ms(exec_start.elapsed());
        metrics::histogram!("voice_stage_seconds", "stage" => "exec").record(exec_start.elapsed().as_secs_f64());
        if decided.intent.as_deref() != Some(crate::domain::Intent::Repeat.as_str()) {
            session.last_reply = Some(decided.reply.clone());
        }
        drop(session);

        let timings = StageTimings { audio: audio_ms, asr: asr_ms, nlu: Some(nlu_ms), exec: Some(exec_ms) };
        let created_at = OffsetDateTime::now_utc();
        let sealed = self
            .cipher
            .seal(text.as_bytes(), &crate::crypto::aad::transcript(id))
            .map_err(|e| VoiceError::Cipher(e.to_string()))?;
        let record = VoiceCommandRecord {
            id,
            user_id: Some(self.user.id),
            source,
            transcript_sealed: sealed,
            intent: decided.intent.clone(),
            slots: decided.slots.clone(),
            status: decided.status,
            reply_text: decided.reply.clone(),
            result: decided.result.clone(),
            timings,
            confirm_before: decided.confirm_before,
            created_at,
        };
        self.market.voice_log().record(&record).await?;
        metrics::counter!("voice_commands_total", "status" => decided.status.as_str()).increment(1);
        tracing::info!(command = %id, source = source.as_str(), intent = decided.intent.as_deref().unwrap_or("-"),
            status = decided.status.as_str(), asr_ms = asr_ms.unwrap_or(0), nlu_ms, exec_ms, reply = %decided.reply, "voice command");
        let command = VoiceCommand {
            id,
            user_id: Some(self.user.id),
            source,
            transcript: text.to_owned(),
            intent: decided.intent,
            slots: decided.slots,
            status: decided.status,
            reply_text: decided.reply.clone(),
            result: decided.result,
            timings,
            created_at,
        };
        Ok(VoiceOutcome { command, reply: decided.reply })
    }

    /// Opens a stored command's transcript.
    pub fn open_transcript(&self, record: &VoiceCommandRecord) -> Option<String> {
        open_transcript(&self.cipher, record)
    }

    /// Confirms or cancels a pending command by id (the HTTP confirm/cancel endpoints).
    pub async fn resolve(&self, command_id: Id, confirm: bool) -> Result<Option<VoiceOutcome>, VoiceError> {
        let pending = self.session.lock().await.confirmation.as_ref().map(|p| p.command_id);
        if pending != Some(command_id) {
            return Ok(None);
        }
        let text = if confirm { "yes" } else { "no" };
        self.handle_text(VoiceSource::Transcript, text).await.map(Some)
    }
}

/// Decrypts a stored transcript (sealed with the row id as associated data).
pub fn open_transcript(cipher: &FieldCipher, record: &VoiceCommandRecord) -> Option<String> {
    let plain = cipher.open(&record.transcript_sealed, &crate::crypto::aad::transcript(record.id)).ok()?;
    String::from_utf8(plain.to_vec()).ok()
}
