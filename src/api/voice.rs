//! `/v1/voice/...`: transcripts and WAV uploads through the pipeline, the command
//! history, and confirming or cancelling a pending command.

use super::AuthUser;
use super::{AppState, Problem};
use crate::domain::{Id, PageRequest, VoiceCommand, VoiceSource, VoiceStatus, decode_cursor};
use crate::market::{MarketError, VoiceCommandRecord};
use crate::voice::{VoiceHub, VoiceOutcome};
use axum::{
    Json,
    body::Bytes,
    extract::{Path, Query, State},
    http::{HeaderMap, StatusCode},
};
use serde::{Deserialize, Serialize};
use std::sync::Arc;
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::{router::OpenApiRouter, routes};

pub(super) fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(transcript))
        .routes(routes!(audio))
        .routes(routes!(list))
        .routes(routes!(confirm))
        .routes(routes!(cancel))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
struct TranscriptBody {
    text: String,
}

#[derive(Debug, Serialize, ToSchema)]
struct Reply {
    text: String,
}

#[derive(Debug, Serialize, ToSchema)]
struct CommandAnswer {
    command: VoiceCommand,
    reply: Reply,
}

impl From<VoiceOutcome> for CommandAnswer {
    fn from(o: VoiceOutcome) -> Self {
        Self { command: o.command, reply: Reply { text: o.reply } }
    }
}

fn hub(state: &AppState) -> Result<&Arc<VoiceHub>, Problem> {
    Ok(&state.voice)
}

fn internal(e: impl std::fmt::Display) -> Problem {
    tracing::error!(error = %e, "voice request failed");
    Problem::internal()
}

fn invalid(code: &str, detail: impl Into<String>) -> Problem {
    Problem::new(StatusCode::UNPROCESSABLE_ENTITY, code, detail)
}

/// Runs a transcript (what a home assistant heard) through the voice pipeline.
#[utoipa::path(post, path = "/v1/voice/transcripts", tag = "voice", security(("bearer" = [])), request_body = TranscriptBody,
    responses((status = 200, body = CommandAnswer), (status = 401, body = Problem), (status = 422, body = Problem),
              (status = 503, body = Problem, description = "the pipeline is not running here")))]
async fn transcript(
    State(state): State<AppState>,
    AuthUser(user): AuthUser,
    super::ApiJson(body): super::ApiJson<TranscriptBody>,
) -> Result<Json<CommandAnswer>, Problem> {
    let text = body.text.trim();
    if text.is_empty() || text.chars().count() > 1000 {
        return Err(invalid("invalid_text", "text must be 1 to 1000 characters"));
    }
    let p = hub(&state)?.pipeline_for(&user).await.map_err(internal)?;
    let o = p.handle_text(VoiceSource::Transcript, text).await.map_err(internal)?;
    Ok(Json(o.into()))
}

/// Runs a spoken command (a WAV file) through the voice pipeline.
#[utoipa::path(post, path = "/v1/voice/audio", tag = "voice", security(("bearer" = [])),
    request_body(content = Vec<u8>, content_type = "audio/wav"),
    responses((status = 200, body = CommandAnswer), (status = 415, body = Problem), (status = 422, body = Problem),
              (status = 503, body = Problem)))]
async fn audio(
    State(state): State<AppState>,
    AuthUser(user): AuthUser,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Json<CommandAnswer>, Problem> {
    let ctype = headers.get(axum::http::header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or("");
    if !matches!(ctype.split(';').next().map(str::trim), Some("audio/wav" | "audio/x-wav" | "audio/wave")) {
        return Err(Problem::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported_media_type",
            "send a WAV file as audio/wav",
        ));
    }
    let hub = hub(&state)?;
    if !hub.has_recognizer() {
        return Err(Problem::unavailable("speech recognition is not loaded; run `holomesh models fetch` and restart"));
    }
    let samples =
        crate::asr::decode_wav(std::io::Cursor::new(body)).map_err(|e| invalid("invalid_audio", e.to_string()))?;
    let p = hub.pipeline_for(&user).await.map_err(internal)?;
    let o = p.handle_audio(VoiceSource::Upload, samples).await.map_err(|e| match e {
        crate::voice::VoiceError::Asr(m) => invalid("invalid_audio", m),
        other => internal(other),
    })?;
    Ok(Json(o.into()))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
struct ListQuery {
    cursor: Option<String>,
    limit: Option<u32>,
}

#[derive(Debug, Serialize, ToSchema)]
struct CommandList {
    items: Vec<VoiceCommand>,
    next_cursor: Option<String>,
}

fn to_command(hub: &VoiceHub, r: VoiceCommandRecord) -> VoiceCommand {
    VoiceCommand {
        transcript: hub.open_transcript(&r).unwrap_or_default(),
        id: r.id,
        user_id: r.user_id,
        source: r.source,
        intent: r.intent,
        slots: r.slots,
        status: r.status,
        reply_text: r.reply_text,
        result: r.result,
        timings: r.timings,
        created_at: r.created_at,
    }
}

/// The caller's voice commands, newest first.
#[utoipa::path(get, path = "/v1/voice/commands", tag = "voice", security(("bearer" = [])), params(ListQuery),
    responses((status = 200, body = CommandList), (status = 400, body = Problem), (status = 401, body = Problem)))]
async fn list(
    State(state): State<AppState>,
    AuthUser(user): AuthUser,
    query: Result<Query<ListQuery>, axum::extract::rejection::QueryRejection>,
) -> Result<Json<CommandList>, Problem> {
    let Query(q) = query.map_err(|e| Problem::new(StatusCode::BAD_REQUEST, "invalid_query", e.body_text()))?;
    let after = match q.cursor.as_deref() {
        Some(c) => Some(
            decode_cursor(c)
                .ok_or_else(|| Problem::new(StatusCode::BAD_REQUEST, "invalid_cursor", "cursor is malformed"))?,
        ),
        None => None,
    };
    let page = PageRequest { after, limit: q.limit.unwrap_or(20).clamp(1, PageRequest::MAX_LIMIT) };
    let hub = hub(&state)?;
    let p = state.market.voice_log().list(&user, page).await.map_err(internal)?;
    Ok(Json(CommandList {
        items: p.items.into_iter().map(|r| to_command(hub, r)).collect(),
        next_cursor: p.next_cursor,
    }))
}

async fn resolve(
    state: AppState,
    user: crate::domain::User,
    id: &str,
    confirm: bool,
) -> Result<Json<CommandAnswer>, Problem> {
    let id: Id = id.parse().map_err(|_| Problem::not_found("no such command"))?;
    let record = match state.market.voice_log().get(&user, id).await {
        Ok(r) => r,
        Err(MarketError::NotFound(_)) => return Err(Problem::not_found("no such command")),
        Err(e) => return Err(internal(e)),
    };
    if record.status != VoiceStatus::NeedsConfirmation {
        return Err(Problem::new(StatusCode::CONFLICT, "not_pending", format!("the command is {}", record.status)));
    }
    let p = hub(&state)?.pipeline_for(&user).await.map_err(internal)?;
    match p.resolve(id, confirm).await.map_err(internal)? {
        Some(o) => Ok(Json(o.into())),
        None => {
            Err(Problem::new(StatusCode::CONFLICT, "not_pending", "the command is no longer waiting for an answer"))
        }
    }
}

/// Says yes to a command waiting for confirmation (e.g. a purchase).
#[utoipa::path(post, path = "/v1/voice/commands/{id}/confirm", tag = "voice", security(("bearer" = [])),
    params(("id" = String, Path, format = Uuid)),
    responses((status = 200, body = CommandAnswer), (status = 404, body = Problem), (status = 409, body = Problem)))]
async fn confirm(
    State(state): State<AppState>,
    AuthUser(user): AuthUser,
    Path(id): Path<String>,
) -> Result<Json<CommandAnswer>, Problem> {
    resolve(state, user, &id, true).await
}

/// Says no to a command waiting for confirmation.
#[utoipa::path(post, path = "/v1/voice/commands/{id}/cancel", tag = "voice", security(("bearer" = [])),
    params(("id" = String, Path, format = Uuid)),
    responses((status = 200, body = CommandAnswer), (status = 404, body = Problem), (status = 409, body = Problem)))]
async fn cancel(
    State(state): State<AppState>,
    AuthUser(user): AuthUser,
    Path(id): Path<String>,
) -> Result<Json<CommandAnswer>, Problem> {
    resolve(state, user, &id, false).await
}
