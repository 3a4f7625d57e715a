//! The dialogue: what an understood (or not understood) utterance leads to, given
//! what is pending: confirmations ("yes"/"no"), clarifications ("did you mean…?"),
//! undo, repeat and help, and the plan of every other intent.

use super::actions::{self, Action, Done, Failed};
use super::dialogue_state::{DialogueState, PendingClarification, PendingConfirmation};
use super::intents::{Plan, plan};
use super::pipeline::VoicePipeline;
use super::replies::{HELP_TEXT, NOT_UNDERSTOOD, join_or};
use crate::domain::{Id, Intent, VoiceStatus};
use crate::market::check_subscription_change;
use crate::nlu::MatchStatus;
use serde_json::{Map, Value, json};
use time::OffsetDateTime;

/// How one attempt ended, before it is stored.
pub(super) struct Decided {
    pub status: VoiceStatus,
    pub intent: Option<String>,
    pub slots: Value,
    pub reply: String,
    pub result: Value,
    pub confirm_before: Option<OffsetDateTime>,
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

impl VoicePipeline {
    pub(super) async fn decide(
        &self,
        session: &mut DialogueState,
        id: Id,
        text: &str,
        matched: Option<crate::nlu::Match>,
    ) -> Decided {
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

        if let Some(decided) = self.answer_choice(session, id, text, matched.as_ref(), now).await {
            return decided;
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
        if let Some(rival) = &m.rival {
            return self.ask_choice(session, id, &m, rival, now).await;
        }
        self.run_intent(session, id, &m.intent, slots, text).await
    }

    pub(super) async fn run_intent(
        &self,
        session: &mut DialogueState,
        id: Id,
        intent: &str,
        slots: Map<String, Value>,
        text: &str,
    ) -> Decided {
        let slots_value = Value::Object(slots.clone());
        let Ok(known) = intent.parse::<Intent>() else {
            let reply = format!("I understood {intent}, but I can't do that yet. Say \"help\" for what I can do.");
            return Decided::failed(Some(intent), slots_value, Failed::new("unsupported", reply));
        };
        match known {
            Intent::Confirm => match session.confirmation.take() {
                Some(p) => {
                    let (status, reply, result) = match actions::execute(&self.market, &self.user, &p.action).await {
                        Ok(done) => self.finish(session, done),
                        Err(f) => (VoiceStatus::Failed, f.reply, json!({ "error": f.code })),
                    };
                    self.settle(p.command_id, status, &reply, &result).await;
                    Decided {
                        status,
                        intent: Some(Intent::Confirm.as_str().into()),
                        slots: slots_value,
                        reply,
                        result: json!({ "confirmed": p.command_id }),
                        confirm_before: None,
                    }
                }
                None => Decided::answer(
                    Intent::Confirm.as_str(),
                    slots_value,
                    "There's nothing waiting for a yes. Say \"help\" to hear what I can do.".into(),
                    Value::Null,
                ),
            },
            Intent::Cancel => {
                let pending = if let Some(p) = session.confirmation.take() {
                    Some((p.command_id, "Okay, cancelled. Nothing was changed."))
                } else {
                    session
                        .clarification
                        .take()
                        .map(|c| c.command_id)
                        .or_else(|| session.choice.take().map(|c| c.command_id))
                        .map(|command_id| (command_id, "Okay, never mind."))
                };
                match pending {
                    Some((pending_id, reply)) => {
                        self.settle(pending_id, VoiceStatus::Cancelled, "Cancelled.", &json!({ "cancelled_by": id }))
                            .await;
                        Decided::answer(
                            Intent::Cancel.as_str(),
                            slots_value,
                            reply.into(),
                            json!({ "cancelled": pending_id }),
                        )
                    }
                    None => Decided::answer(
                        Intent::Cancel.as_str(),
                        slots_value,
                        "There's nothing to cancel.".into(),
                        Value::Null,
                    ),
                }
            }
            Intent::Repeat => {
                let reply = session
                    .last_reply
                    .clone()
                    .unwrap_or_else(|| "I haven't said anything yet. Say \"help\" to start.".into());
                Decided::answer(Intent::Repeat.as_str(), slots_value, reply, Value::Null)
            }
            Intent::Help => Decided::answer(Intent::Help.as_str(), slots_value, HELP_TEXT.to_owned(), Value::Null),
            Intent::Undo => match session.undo.pop() {
                Some(entry) => match actions::undo(&self.market, &self.user, &entry).await {
                    Ok(()) => Decided::answer(
                        Intent::Undo.as_str(),
                        slots_value,
                        format!("Undone: {}.", entry.description),
                        json!({ "undone": entry.description }),
                    ),
                    Err(f) => {
                        session.undo.push(entry);
                        Decided::failed(Some(Intent::Undo.as_str()), slots_value, f)
                    }
                },
                None => Decided::answer(
                    Intent::Undo.as_str(),
                    slots_value,
                    "There's nothing I can undo.".into(),
                    Value::Null,
                ),
            },
            _ => match plan(&self.market, &self.user, known, &slots, text).await {
                Plan::Answer { reply, result } => Decided::answer(intent, slots_value, reply, result),
                Plan::Fail(f) => Decided::failed(Some(intent), slots_value, f),
                Plan::Act(action) => self.act(session, id, intent, slots_value, action).await,
            },
        }
    }

    async fn act(&self, session: &mut DialogueState, id: Id, intent: &str, slots: Value, action: Action) -> Decided {
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
        // A change the service would refuse is refused now, not after a "yes".
        if let Action::Subscribe { change, .. } = &action
            && let Some(e) = current.iter().find_map(|c| check_subscription_change(c.as_ref(), change).err())
        {
            return Decided::failed(Some(intent), slots, Failed::from_market(&e, "that"));
        }
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
    pub(super) async fn settle(&self, command_id: Id, status: VoiceStatus, reply: &str, result: &Value) {
        if let Err(e) = self.market.voice_log().settle(command_id, status, reply, result).await {
            tracing::warn!(command = %command_id, error = %e, "could not update an earlier voice command");
        }
    }

    fn finish(&self, session: &mut DialogueState, done: Done) -> (VoiceStatus, String, Value) {
        if let Some(u) = done.undo {
            session.push_undo(u);
        }
        (VoiceStatus::Executed, done.reply, done.result)
    }
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
    if matched.is_some_and(|m| m.intent == Intent::Confirm.as_str()) || t.contains("first") {
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
