//! The pipeline object: one per daemon user. Runs recognition off the async runtime,
//! understanding, the session rules (confirm, clarify, undo, repeat) and records
//! one `voice_commands` row per attempt.

use super::actions::{self, Action, Done, Failed};
use super::intents::{Plan, plan};
use super::replies::{HELP_TEXT, NOT_UNDERSTOOD, join_or};
use super::session::{PendingClarification, PendingConfirmation, Session};
use super::{SharedGrammar, VoiceError};
use crate::asr::{Recognizer, TranscribeOptions};
use crate::crypto::FieldCipher;
use crate::domain::{Id, StageTimings, User, VoiceCommand, VoiceSource, VoiceStatus, new_id};
use crate::market::{Market, VoiceCommandRecord};
use crate::nlu::MatchStatus;
use serde_json::{Map, Value, json};
use std::sync::Arc;
use std::time::{Duration, Instant};
use time::OffsetDateTime;

/// Designer and chip names put into the recognizer's prompt (see
/// [`VoicePipeline::initial_prompt`]).
const PROMPT_DESIGNERS: usize = 6;
const PROMPT_CHIPS: usize = 4;

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
    market: Market,
    grammar: Arc<SharedGrammar>,
    recognizer: Option<Arc<dyn Recognizer>>,
    asr_options: TranscribeOptions,
    cipher: Arc<FieldCipher>,
    user: User,
    confirm_window: Duration,
    session: tokio::sync::Mutex<Session>,
}

/// How one attempt ended, before it is stored.
struct Decided {
    status: VoiceStatus,
    intent: Option<String>,
    slots: Value,
    reply: String,
    result: Value,
    confirm_before: Option<OffsetDateTime>,
}

impl Decided {
    fn answer(intent: &str, slots: Value, reply: String, result: Value) -> Self {
        Self {
            status: VoiceStatus::Executed,
            intent: Some(intent.to_owned()),
            slots,
            reply,
            result,
            confirm_before: None,
        }
    }

    fn failed(intent: Option<&str>, slots: Value, f: Failed) -> Self {
        Self {
            status: if f.code == "internal" { VoiceStatus::Failed } else { VoiceStatus::Rejected },
            intent: intent.map(str::to_owned),
            slots,
            reply: f.reply,
            result: json!({ "error": f.code }),
            confirm_before: None,
        }
    }
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
            session: tokio::sync::Mutex::new(Session::default()),
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
        let audio_ms = i64::try_from(samples.len() / 16).unwrap_or(i64::MAX);
        let mut options = self.asr_options.clone();
        if options.initial_prompt.is_none() {
            options.initial_prompt = Some(self.initial_prompt());
        }
        let started = Instant::now();
        let transcript = tokio::task::spawn_blocking(move || recognizer.transcribe(&samples, &options))
            .await
            .map_err(|e| VoiceError::Asr(e.to_string()))?
            .map_err(|e| VoiceError::Asr(e.to_string()))?;
        let asr_ms = ms(started.elapsed());
        metrics::histogram!("voice_stage_seconds", "stage" => "asr").record(started.elapsed().as_secs_f64());
        self.handle_text_timed(source, transcript.text.trim(), Some(audio_ms), Some(asr_ms)).await
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

    /// Vocabulary that biases recognition towards the names and words of the grammar.
    ///
    /// Only a few names: whisper.cpp computes the full vocabulary's logits for every prompt
    /// token, and on the benchmark clips 10 names the speaker did not say added about 80 ms and
    /// raised word error rate from 0.16 to 0.23. Names left out are still resolved by the
    /// understanding layer's sound-alike matching.
    pub fn initial_prompt(&self) -> String {
        let engine = self.grammar.read();
        let mut names = engine.list_texts("designer", PROMPT_DESIGNERS);
        names.extend(engine.list_texts("chip", PROMPT_CHIPS));
        format!(
            "Subscribe to designers, buy chips, auto-buy under fifty dollars, what's my balance, notifications weekly. {}.",
            names.join(", ")
        )
    }

    async fn handle_text_timed(
        &self,
        source: VoiceSource,
        text: &str,
        audio_ms: Option<i64>,
        asr_ms: Option<i64>,
    ) -> Result<VoiceOutcome, VoiceError> {
        let id = new_id();
        let nlu_start = Instant::now();
        let matched = self.grammar.read().recognize(text, &Default::default());
        let nlu_ms = ms(nlu_start.elapsed());
        metrics::histogram!("voice_stage_seconds", "stage" => "nlu").record(nlu_start.elapsed().as_secs_f64());

        let exec_start = Instant::now();
        let mut session = self.session.lock().await;
        let decided = self.decide(&mut session, id, text, matched).await;
        let exec_ms = ms(exec_start.elapsed());
        metrics::histogram!("voice_stage_seconds", "stage" => "exec").record(exec_start.elapsed().as_secs_f64());
        if decided.intent.as_deref() != Some("Repeat") {
            session.last_reply = Some(decided.reply.clone());
        }
        drop(session);

        let timings = StageTimings { audio: audio_ms, asr: asr_ms, nlu: Some(nlu_ms), exec: Some(exec_ms) };
        let created_at = OffsetDateTime::now_utc();
        let sealed = self
            .cipher
            .seal(text.as_bytes(), format!("voice_commands.transcript:{id}").as_bytes())
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
        let plain = self
            .cipher
            .open(&record.transcript_sealed, format!("voice_commands.transcript:{}", record.id).as_bytes())
            .ok()?;
        String::from_utf8(plain.to_vec()).ok()
    }

    async fn decide(&self, session: &mut Session, id: Id, text: &str, matched: Option<crate::nlu::Match>) -> Decided {
        let now = OffsetDateTime::now_utc();
        if session.confirmation.as_ref().is_some_and(|p| p.deadline < now)
            && let Some(p) = session.confirmation.take()
        {
            self.settle(
                p.command_id,
                VoiceStatus::Cancelled,
                "Timed out without a confirmation.",
                &json!({ "timeout": true }),
            )
            .await;
        }
        if session.clarification.as_ref().is_some_and(|c| c.deadline < now) {
            session.clarification = None;
        }

        // An answer to "Did you mean …?" may be just a name.
        if let Some(c) = session.clarification.clone()
            && let Some(handle) = pick_candidate(&c.candidates, text, matched.as_ref())
        {
            session.clarification = None;
            let mut slots = c.slots.clone();
            slots.insert("designer".into(), Value::String(handle));
            self.settle(c.command_id, VoiceStatus::Executed, "Clarified.", &json!({ "clarified_by": id })).await;
            return self.run_intent(session, id, &c.intent, slots, text).await;
        }

        let Some(m) = matched else {
            return Decided {
                status: VoiceStatus::NotUnderstood,
                intent: None,
                slots: json!({}),
                reply: NOT_UNDERSTOOD.to_owned(),
                result: Value::Null,
                confirm_before: None,
            };
        };
        let slots: Map<String, Value> = match serde_json::to_value(&m.slots) {
            Ok(Value::Object(o)) => o,
            _ => Map::new(),
        };
        if m.status == MatchStatus::NearMiss {
            let mut candidates = candidate_names(&m);
            for (name, handle) in &mut candidates {
                if let Ok(d) = self.market.profiles().designer_profile(handle).await {
                    *name = d.display_name;
                }
            }
            if !candidates.is_empty() {
                let names: Vec<String> = candidates.iter().map(|(n, _)| n.clone()).collect();
                let reply = format!("Did you mean {}?", join_or(&names));
                session.clarification = Some(PendingClarification {
                    command_id: id,
                    intent: m.intent.clone(),
                    slots: slots.clone(),
                    candidates,
                    deadline: now + self.confirm_window,
                });
                return Decided {
                    status: VoiceStatus::NeedsConfirmation,
                    intent: Some(m.intent.clone()),
                    slots: Value::Object(slots),
                    reply,
                    result: json!({ "clarify": names }),
                    confirm_before: Some(now + self.confirm_window),
                };
            }
        }
        self.run_intent(session, id, &m.intent, slots, text).await
    }

    async fn run_intent(
        &self,
        session: &mut Session,
        id: Id,
        intent: &str,
        slots: Map<String, Value>,
        text: &str,
    ) -> Decided {
        let slots_value = Value::Object(slots.clone());
        match intent {
            "Confirm" => match session.confirmation.take() {
                Some(p) => {
                    let (status, reply, result) = match actions::execute(&self.market, &self.user, &p.action).await {
                        Ok(done) => self.finish(session, done),
                        Err(f) => (VoiceStatus::Failed, f.reply, json!({ "error": f.code })),
                    };
                    self.settle(p.command_id, status, &reply, &result).await;
                    Decided {
                        status,
                        intent: Some("Confirm".into()),
                        slots: slots_value,
                        reply,
                        result: json!({ "confirmed": p.command_id }),
                        confirm_before: None,
                    }
                }
                None => Decided::answer(
                    "Confirm",
                    slots_value,
                    "There's nothing waiting for a yes. Say \"help\" to hear what I can do.".into(),
                    Value::Null,
                ),
            },
            "Cancel" => {
                let pending = if let Some(p) = session.confirmation.take() {
                    Some((p.command_id, "Okay, cancelled. Nothing was changed."))
                } else {
                    session.clarification.take().map(|c| (c.command_id, "Okay, never mind."))
                };
                match pending {
                    Some((pending_id, reply)) => {
                        self.settle(pending_id, VoiceStatus::Cancelled, "Cancelled.", &json!({ "cancelled_by": id }))
                            .await;
                        Decided::answer("Cancel", slots_value, reply.into(), json!({ "cancelled": pending_id }))
                    }
                    None => Decided::answer("Cancel", slots_value, "There's nothing to cancel.".into(), Value::Null),
                }
            }
            "Repeat" => {
                let reply = session
                    .last_reply
                    .clone()
                    .unwrap_or_else(|| "I haven't said anything yet. Say \"help\" to start.".into());
                Decided::answer("Repeat", slots_value, reply, Value::Null)
            }
            "Help" => Decided::answer("Help", slots_value, HELP_TEXT.to_owned(), Value::Null),
            "Undo" => match session.undo.pop() {
                Some(entry) => match actions::undo(&self.market, &self.user, &entry).await {
                    Ok(()) => Decided::answer(
                        "Undo",
                        slots_value,
                        format!("Undone: {}.", entry.description),
                        json!({ "undone": entry.description }),
                    ),
                    Err(f) => {
                        session.undo.push(entry);
                        Decided::failed(Some("Undo"), slots_value, f)
                    }
                },
                None => Decided::answer("Undo", slots_value, "There's nothing I can undo.".into(), Value::Null),
            },
            _ => match plan(&self.market, &self.user, intent, &slots, text).await {
                Plan::Answer { reply, result } => Decided::answer(intent, slots_value, reply, result),
                Plan::Fail(f) => Decided::failed(Some(intent), slots_value, f),
                Plan::Act(action) => self.act(session, id, intent, slots_value, action).await,
            },
        }
    }

    async fn act(&self, session: &mut Session, id: Id, intent: &str, slots: Value, action: Action) -> Decided {
        let current = match &action {
            Action::Subscribe { designers, .. } => {
                let mut v = Vec::new();
                for d in designers {
                    v.push(self.market.subscriptions().to_designer(&self.user, d.user_id).await.ok().flatten());
                }
                v
            }
            _ => Vec::new(),
        };
        if actions::needs_confirmation(&action, &current) {
            let deadline = OffsetDateTime::now_utc() + self.confirm_window;
            let reply = actions::confirmation_question(&action);
            if let Some(old) = session.confirmation.replace(PendingConfirmation { command_id: id, action, deadline }) {
                self.settle(
                    old.command_id,
                    VoiceStatus::Cancelled,
                    "Replaced by a newer request.",
                    &json!({ "replaced_by": id }),
                )
                .await;
            }
            return Decided {
                status: VoiceStatus::NeedsConfirmation,
                intent: Some(intent.to_owned()),
                slots,
                reply,
                result: Value::Null,
                confirm_before: Some(deadline),
            };
        }
        match actions::execute(&self.market, &self.user, &action).await {
            Ok(done) => {
                let (status, reply, result) = self.finish(session, done);
                Decided { status, intent: Some(intent.to_owned()), slots, reply, result, confirm_before: None }
            }
            Err(f) => Decided::failed(Some(intent), slots, f),
        }
    }

    /// Records what became of an earlier command (confirmed, cancelled, timed out…).
    /// The current attempt still gets its own row if this fails, so it is logged, not fatal.
    async fn settle(&self, command_id: Id, status: VoiceStatus, reply: &str, result: &Value) {
        if let Err(e) = self.market.voice_log().settle(command_id, status, reply, result).await {
            tracing::warn!(command = %command_id, error = %e, "could not update an earlier voice command");
        }
    }

    fn finish(&self, session: &mut Session, done: Done) -> (VoiceStatus, String, Value) {
        if let Some(u) = done.undo {
            session.push_undo(u);
        }
        (VoiceStatus::Executed, done.reply, done.result)
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
    let plain =
        cipher.open(&record.transcript_sealed, format!("voice_commands.transcript:{}", record.id).as_bytes()).ok()?;
    String::from_utf8(plain.to_vec()).ok()
}

/// The designer candidates of a near miss as `(display name, handle)`.
fn candidate_names(m: &crate::nlu::Match) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = Vec::new();
    for a in &m.alternatives {
        if a.slot.as_deref() != Some("designer") {
            continue;
        }
        let handle =
            a.value.as_ref().and_then(|v| serde_json::to_value(v).ok()).and_then(|v| v.as_str().map(str::to_owned));
        if let Some(h) = handle
            && !out.iter().any(|(_, x)| x == &h)
        {
            out.push((a.text.clone(), h));
        }
    }
    out.truncate(3);
    out
}

/// Which candidate an answer names: "Alice Chen", "the first one", "yes" (the first).
fn pick_candidate(candidates: &[(String, String)], text: &str, matched: Option<&crate::nlu::Match>) -> Option<String> {
    let t = text.to_lowercase();
    let t = t.trim_matches(|c: char| !c.is_alphanumeric());
    if let Some((_, h)) = candidates.iter().find(|(name, _)| t.contains(&name.to_lowercase())) {
        return Some(h.clone());
    }
    if matched.is_some_and(|m| m.intent == "Confirm") || t.contains("first") {
        return candidates.first().map(|(_, h)| h.clone());
    }
    if t.contains("second") {
        return candidates.get(1).map(|(_, h)| h.clone());
    }
    let best = candidates
        .iter()
        .map(|(name, h)| (strsim::jaro_winkler(&name.to_lowercase(), t), h))
        .max_by(|a, b| a.0.total_cmp(&b.0))?;
    (best.0 >= 0.88).then(|| best.1.clone())
}
