//! The interface the Wyoming server calls into: speech-to-text, transcript handling and intent recognition.

use async_trait::async_trait;

/// Answer to a transcript sent by Home Assistant to the handle program.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HandleOutcome {
    /// The request was handled; the text is spoken as the reply.
    Handled(String),
    /// The request could not be handled; the text says why and is spoken as the reply.
    NotHandled(String),
}

/// What the server needs from the rest of the daemon.
///
/// Implementations run CPU-heavy work (speech recognition) off the async runtime, e.g. with
/// `tokio::task::spawn_blocking`; the server awaits each call on the connection's task.
#[async_trait]
pub trait WyomingHandler: Send + Sync + 'static {
    /// 16 kHz mono f32 samples of one utterance → transcript text.
    async fn transcribe(&self, samples: Vec<f32>, language: Option<String>) -> Result<String, String>;

    /// A transcript from Home Assistant → handled (reply text) or not handled (reply text).
    /// `context` is the event's context object (`conversation_id`, `device_id`, `satellite_id`),
    /// or `Value::Null` when none was sent.
    async fn handle(&self, text: String, context: serde_json::Value) -> HandleOutcome;

    /// Text → intent name + entities, or `None` when nothing matched.
    async fn recognize(&self, text: String) -> Option<(String, Vec<(String, serde_json::Value)>)>;
}
