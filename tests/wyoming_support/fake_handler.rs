//! A deterministic stand-in for the daemon's voice services, used by tests and the fake-server example.

use std::sync::Arc;

use async_trait::async_trait;
use holomesh::wyoming::{
    AsrProgram, Attribution, HandleOutcome, HandleProgram, IntentProgram, Model, Program, ServiceInfo, WyomingHandler,
};
use serde_json::{Value, json};
use tokio::sync::Barrier;

/// Transcribes to `heard N samples`; language `xx` fails. Handles any text not containing `fail`.
/// Recognizes `buy <design>` as `BuyDesign {design}`.
#[derive(Default)]
pub struct FakeHandler {
    /// When set, every transcription waits here (proves connections are served concurrently).
    pub barrier: Option<Arc<Barrier>>,
}

#[async_trait]
impl WyomingHandler for FakeHandler {
    async fn transcribe(&self, samples: Vec<f32>, language: Option<String>) -> Result<String, String> {
        if language.as_deref() == Some("xx") {
            return Err("language xx is not supported".into());
        }
        if let Some(barrier) = &self.barrier {
            barrier.wait().await;
        }
        Ok(format!("heard {} samples", samples.len()))
    }

    async fn handle(&self, text: String, context: Value) -> HandleOutcome {
        if text.contains("fail") {
            return HandleOutcome::NotHandled(format!("Sorry, I cannot {text}"));
        }
        match context.get("conversation_id").and_then(Value::as_str) {
            Some(id) => HandleOutcome::Handled(format!("You said: {text} [conversation {id}]")),
            None => HandleOutcome::Handled(format!("You said: {text}")),
        }
    }

    async fn recognize(&self, text: String) -> Option<(String, Vec<(String, Value)>)> {
        let design = text.strip_prefix("buy ")?;
        Some(("BuyDesign".into(), vec![("design".into(), json!(design))]))
    }
}

fn program(name: &str, description: &str) -> Program {
    let attribution = Attribution { name: "HoloMesh".into(), url: "https://holomesh.invalid".into() };
    Program {
        name: name.into(),
        attribution: attribution.clone(),
        installed: true,
        description: Some(description.into()),
        version: Some(env!("CARGO_PKG_VERSION").into()),
        models: vec![Model {
            name: format!("{name}-model"),
            attribution,
            installed: true,
            description: None,
            version: None,
            languages: vec!["en".into(), "de".into()],
        }],
    }
}

/// The service description the fake server advertises: one asr, one handle and one intent program.
pub fn fake_info() -> ServiceInfo {
    ServiceInfo {
        asr: vec![AsrProgram {
            program: program("holomesh-stt", "HoloMesh speech-to-text"),
            supports_transcript_streaming: false,
        }],
        handle: vec![HandleProgram {
            program: program("holomesh-agent", "HoloMesh marketplace assistant"),
            supports_handled_streaming: false,
            supports_home_control: false,
        }],
        intent: vec![IntentProgram { program: program("holomesh-intents", "HoloMesh intent recognizer") }],
    }
}
