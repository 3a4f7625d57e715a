//! The voice pipeline: audio → speech recognition → understanding → command →
//! `VoiceCommand` row → spoken-friendly reply. Every attempt is recorded.

mod actions;
mod choice;
mod dialogue;
mod dialogue_state;
mod grammar;
mod hearing;
mod hub;
mod intents;
mod pipeline;
mod prompt;
mod replies;
mod undo;

pub use crate::market::parse_preferences;
pub use grammar::SharedGrammar;
pub use hearing::{Heard, SURE, hear};
pub use hub::VoiceHub;
pub use pipeline::{PipelineParts, VoiceOutcome, VoicePipeline};
pub use prompt::{initial_prompt, second_prompt};
pub use replies::HELP_TEXT;

/// Errors that stop the pipeline itself (not the command's own failures, which
/// become rows with status `failed`).
#[derive(Debug, thiserror::Error)]
pub enum VoiceError {
    #[error("speech recognition is not available in this build or no model is loaded")]
    NoRecognizer,
    #[error("speech recognition failed: {0}")]
    Asr(String),
    #[error("could not record the command: {0}")]
    Record(#[from] crate::market::MarketError),
    #[error("could not protect the transcript: {0}")]
    Cipher(String),
}
