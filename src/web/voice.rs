//! The voice assistant without a microphone: typed commands, the answer, Confirm
//! and Cancel for commands waiting for a yes, the history of every command, and
//! what one can say. (Push-to-talk is `static/voice.js`, which calls the API.)

use super::errors::WebError;
use super::forms::CursorQuery;
use super::layout::{csrf, page, page_with, when};
use super::session::{Posted, Viewer};
use crate::api::AppState;
use crate::domain::{Id, VoiceCommand, VoiceSource, VoiceStatus};
use axum::{
    extract::{Path, Query, State},
    http::StatusCode,
    response::Response,
};
use maud::{Markup, html};

fn status_text(s: VoiceStatus) -> &'static str {
    match s {
        VoiceStatus::Executed => "done",
        VoiceStatus::NeedsConfirmation => "waiting for your yes",
        VoiceStatus::Cancelled => "cancelled",
        VoiceStatus::Rejected => "refused",
        VoiceStatus::NotUnderstood => "not understood",
        VoiceStatus::Failed => "failed",
    }
}

fn answer_forms(v: &Viewer, id: Id) -> Markup {
    html! {
        div.actions {
            form.inline method="post" action=(format!("/voice/commands/{id}/confirm")) {
                (csrf(v)) button type="submit" { "Confirm" }
            }
            form.inline method="post" action=(format!("/voice/commands/{id}/cancel")) {
                (csrf(v)) button type="submit" .secondary { "Cancel" }
            }
        }
    }
}

fn outcome(v: &Viewer, c: &VoiceCommand, reply: &str) -> Markup {
    html! {
        h1 { "Voice assistant" }
        section.voice-result aria-labelledby="result-title" {
            h2 #result-title { "Your command" }
            dl.facts {
                dt { "Heard" } dd data-heard { (c.transcript) }
                dt { "Understood" } dd { (c.intent.as_deref().unwrap_or("nothing I can do")) }
                dt { "Status" } dd { (status_text(c.status)) }
            }
            p.reply role="status" { (reply) }
            @if c.status == VoiceStatus::NeedsConfirmation { (answer_forms(v, c.id)) }
        }
        p { a href="/voice" { "Voice history" } " · " a href="/voice/help" { "What can I say?" } }
    }
}

/// `POST /voice`: a typed command through the same pipeline as speech.
pub async fn say(State(state): State<AppState>, post: Posted) -> Result<Response, WebError> {
    let v = &post.viewer;
    let user = v.require()?;
    let text = post.form.text("text");
    if text.is_empty() || text.chars().count() > 1000 {
        return Err(WebError::Status(
            StatusCode::UNPROCESSABLE_ENTITY,
            "Type a command of 1 to 1000 characters.".into(),
        ));
    }
    let p = state.voice.pipeline_for(user).await.map_err(internal)?;
    let o = p.handle_text(VoiceSource::Transcript, text).await.map_err(internal)?;
    Ok(page(v, "Voice assistant", outcome(v, &o.command, &o.reply)))
}

fn internal(e: impl std::fmt::Display) -> WebError {
    tracing::error!(error = %e, "voice command failed");
    WebError::Status(StatusCode::INTERNAL_SERVER_ERROR, "The voice assistant failed; try again.".into())
}

/// `POST /voice/commands/{id}/confirm` and `/cancel`.
pub async fn answer(
    State(state): State<AppState>,
    Path((id, answer)): Path<(String, String)>,
    post: Posted,
) -> Result<Response, WebError> {
    let v = &post.viewer;
    let user = v.require()?;
    let id: Id = id.parse().map_err(|_| WebError::not_found("command"))?;
    let confirm = match answer.as_str() {
        "confirm" => true,
        "cancel" => false,
        _ => return Err(WebError::not_found("answer")),
    };
    state.market.voice_log().get(user, id).await?;
    let p = state.voice.pipeline_for(user).await.map_err(internal)?;
    match p.resolve(id, confirm).await.map_err(internal)? {
        Some(o) => Ok(page(v, "Voice assistant", outcome(v, &o.command, &o.reply))),
        None => Err(WebError::Status(StatusCode::CONFLICT, "That command is no longer waiting for an answer.".into())),
    }
}

/// `GET /voice`: every command, newest first.
pub async fn history(
    State(state): State<AppState>,
    v: Viewer,
    Query(q): Query<CursorQuery>,
) -> Result<Response, WebError> {
    let user = v.require()?;
    let list = state.market.voice_log().list(user, q.page(20)).await?;
    let body = html! {
        h1 { "Voice history" }
        p { "Every command you spoke or typed, newest first. " a href="/voice/help" { "What can I say?" } }
        @if list.items.is_empty() { p { "No commands yet. Use the voice assistant on any page." } }
        ol.history {
            @for r in &list.items {
                li {
                    article {
                        h2.h3 { "“" (state.voice.open_transcript(r).unwrap_or_default()) "”" }
                        p.meta { (when(r.created_at)) " · " (r.source) " · " (status_text(r.status)) @if let Some(i) = &r.intent { " · " (i) } }
                        p { (r.reply_text) }
                        @if r.status == VoiceStatus::NeedsConfirmation { (answer_forms(&v, r.id)) }
                    }
                }
            }
        }
        @if let Some(c) = &list.next_cursor { nav.pager aria-label="Pages" { a rel="next" href=(format!("/voice?cursor={c}")) { "Older commands" } } }
    };
    Ok(page(&v, "Voice history", body))
}

const EXAMPLES: &[(&str, &[&str])] = &[
    (
        "Finding chips",
        &[
            "what's new",
            "show me new chips from Alice Chen",
            "search for risc-v cores under 50 dollars",
            "recommend something",
        ],
    ),
    (
        "Buying",
        &[
            "buy the Falcon DSP",
            "buy Alice Chen's latest chip under 40 dollars",
            "what did I buy this month",
            "what's my balance",
        ],
    ),
    (
        "Following",
        &[
            "subscribe to Alice Chen and buy anything new under fifty dollars",
            "send me a weekly digest",
            "stop following Alice Chen",
            "who do I follow",
        ],
    ),
    ("Answers", &["yes", "no", "undo", "repeat", "help"]),
];

/// `GET /voice/help`: what one can say.
pub async fn help(v: Viewer) -> Response {
    let body = html! {
        h1 { "Voice commands" }
        p { "Hold the talk button (or Alt+Shift+V) and speak, or type a command. Anything that spends money asks for a yes first." }
        @for (title, lines) in EXAMPLES {
            section aria-label=(title) {
                h2 { (title) }
                ul { @for l in *lines { li { "“" (l) "”" } } }
            }
        }
    };
    page_with(&v, StatusCode::OK, "Voice commands", body)
}
