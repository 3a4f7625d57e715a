//! Connects the Wyoming server to the voice pipeline: Home Assistant's speech-to-text
//! and conversation requests become pipeline calls (and `VoiceCommand` rows).

use super::{
    Admission, AsrProgram, Attribution, HandleOutcome, HandleProgram, Model, Program, ServiceInfo, WyomingHandler,
};
use crate::auth::Auth;
use crate::config::PeerFilter;
use crate::domain::{User, VoiceSource, VoiceStatus};
use crate::voice::{VoiceHub, VoicePipeline};
use async_trait::async_trait;
use serde_json::Value;
use std::net::SocketAddr;
use std::sync::Arc;

/// As whom a Wyoming connection acts.
pub enum Speaker {
    /// The owner of this device token, looked up on every connection (a revoked
    /// token shuts the next connection out).
    Token(String),
    /// A fixed account (loopback-only setups without `wyoming.token`).
    User(User),
}

/// Admits loopback and `wyoming.allow_from` peers, each connection served by the
/// pipeline of the account it acts as.
pub struct PipelineAdmission {
    pub peers: PeerFilter,
    pub speaker: Speaker,
    pub auth: Arc<Auth>,
    pub hub: Arc<VoiceHub>,
}

#[async_trait]
impl Admission for PipelineAdmission {
    async fn admit(&self, peer: SocketAddr) -> Option<Arc<dyn WyomingHandler>> {
        if !self.peers.allows(&peer) {
            tracing::warn!(%peer, "wyoming: address not in wyoming.allow_from; closing");
            return None;
        }
        let user = match &self.speaker {
            Speaker::User(u) => u.clone(),
            Speaker::Token(t) => match self.auth.device_token_user(t).await {
                Ok(u) => u,
                Err(e) => {
                    tracing::warn!(error = %e, "wyoming: wyoming.token is not accepted; closing");
                    return None;
                }
            },
        };
        match self.hub.pipeline_for(&user).await {
            Ok(p) => Some(Arc::new(PipelineHandler::new(p))),
            Err(e) => {
                tracing::warn!(error = %e, "wyoming: no voice pipeline; closing");
                None
            }
        }
    }
}

/// The pipeline as a Wyoming handler.
pub struct PipelineHandler {
    pipeline: Arc<VoicePipeline>,
}

impl PipelineHandler {
    pub fn new(pipeline: Arc<VoicePipeline>) -> Self {
        Self { pipeline }
    }
}

#[async_trait]
impl WyomingHandler for PipelineHandler {
    async fn transcribe(&self, samples: Vec<f32>, _language: Option<String>) -> Result<String, String> {
        self.pipeline.transcribe(samples).await.map_err(|e| e.to_string())
    }

    async fn handle(&self, text: String, _context: Value) -> HandleOutcome {
        match self.pipeline.handle_text(VoiceSource::Wyoming, &text).await {
            Ok(o) => match o.command.status {
                VoiceStatus::NotUnderstood => HandleOutcome::NotHandled(o.reply),
                _ => HandleOutcome::Handled(o.reply),
            },
            Err(e) => {
                tracing::warn!(error = %e, "wyoming: could not handle a transcript");
                HandleOutcome::NotHandled("Sorry, something went wrong on my side. Please try again.".into())
            }
        }
    }

    async fn recognize(&self, text: String) -> Option<(String, Vec<(String, Value)>)> {
        let (intent, slots) = self.pipeline.understand(&text)?;
        Some((intent, slots.into_iter().collect()))
    }
}

fn program(name: &str, description: &str, models: Vec<Model>) -> Program {
    Program {
        name: name.into(),
        attribution: Attribution { name: "HoloMesh".into(), url: "https://holomesh.dev".into() },
        installed: true,
        description: Some(description.into()),
        version: Some(env!("CARGO_PKG_VERSION").into()),
        models,
    }
}

/// What HoloMesh advertises: speech-to-text (Whisper) and a handler of transcripts.
/// No intent program is listed, so Home Assistant lets HoloMesh answer by itself.
pub fn service_info(asr_model: &str) -> ServiceInfo {
    let model = Model {
        name: asr_model.into(),
        attribution: Attribution { name: "OpenAI Whisper".into(), url: "https://github.com/openai/whisper".into() },
        installed: true,
        description: Some(format!("Whisper {asr_model} (whisper.cpp)")),
        version: None,
        languages: vec!["en".into()],
    };
    let agent_model = Model {
        name: "holomesh-market".into(),
        description: Some("Chip marketplace commands".into()),
        ..model.clone()
    };
    ServiceInfo {
        asr: vec![AsrProgram {
            program: program("holomesh-whisper", "HoloMesh speech to text", vec![model]),
            supports_transcript_streaming: false,
        }],
        handle: vec![HandleProgram {
            program: program("holomesh", "HoloMesh chip marketplace assistant", vec![agent_model]),
            supports_handled_streaming: false,
            supports_home_control: false,
        }],
        intent: vec![],
    }
}

/// Parses `wyoming.bind` ("tcp://0.0.0.0:10700", "0.0.0.0:10700", or a bare port,
/// which listens on loopback only).
pub fn bind_address(bind: &str) -> Option<String> {
    let b = bind.trim();
    if b.is_empty() {
        return None;
    }
    let b = b.strip_prefix("tcp://").unwrap_or(b);
    let port = b.strip_prefix(':').unwrap_or(b);
    if port.parse::<u16>().is_ok() {
        return Some(format!("127.0.0.1:{port}"));
    }
    Some(b.to_owned())
}
