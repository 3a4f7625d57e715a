//! Which speech recognizer a process loads (`asr.engine`): whisper.cpp on the configured
//! model, grammar-constrained when `asr.grammar` is set (and the build has `grammar`), or Vosk
//! on the configured model directory (builds with `vosk`).

use super::AppError;
use crate::asr::Recognizer;
use crate::config::{AsrEngine, Config};
use std::sync::Arc;

/// Whether (and how) to load speech recognition.
pub enum Speech {
    /// No recognizer: text commands only.
    Off,
    /// The configured model if its file is there; none (with a warning) if not.
    IfPresent,
    /// The configured model; its absence is an error.
    Required,
    /// A recognizer the caller loaded.
    Given(Arc<dyn Recognizer>),
}

impl Speech {
    pub(super) fn recognizer(self, config: &Config) -> Result<Option<Arc<dyn Recognizer>>, AppError> {
        match self {
            Speech::Off => Ok(None),
            Speech::Given(r) => Ok(Some(r)),
            Speech::Required => load_recognizer(config).map(Some),
            Speech::IfPresent if config.speech_model_path().exists() => load_recognizer(config).map(Some),
            Speech::IfPresent => {
                tracing::warn!(model = %config.speech_model_path().display(),
                    "no speech model: audio commands are off until `holomesh models fetch`");
                Ok(None)
            }
        }
    }
}

/// Loads the configured recognizer once: Vosk when `asr.engine = "vosk"`, else Whisper
/// (grammar-constrained when `asr.grammar` is set). The model must exist (`holomesh models
/// fetch`).
pub fn load_recognizer(config: &Config) -> Result<Arc<dyn Recognizer>, AppError> {
    match config.asr.engine {
        AsrEngine::Whisper => load_whisper(config),
        AsrEngine::Vosk => load_vosk(config),
    }
}

/// Vosk on `asr.vosk_model`; with `asr.grammar`, restricted to the templates' words.
#[cfg(feature = "vosk")]
fn load_vosk(config: &Config) -> Result<Arc<dyn Recognizer>, AppError> {
    let dir = config.vosk_model_dir();
    let phrases = if config.asr.grammar {
        let grammar = crate::nlu::Grammar::from_dir_or_bundled(config.grammars_dir().as_deref())?;
        Some(crate::asr::phrases::template_words(&grammar))
    } else {
        None
    };
    let r = crate::asr::VoskRecognizer::load_with_phrases(&dir, phrases.as_deref())
        .map_err(|e| AppError::Speech(e.to_string()))?;
    Ok(Arc::new(r))
}

#[cfg(not(feature = "vosk"))]
fn load_vosk(_config: &Config) -> Result<Arc<dyn Recognizer>, AppError> {
    Err(AppError::Speech(
        "asr.engine = \"vosk\" needs a build with the Vosk recognizer (cargo build --features vosk, \
         after scripts/models/fetch_vosk.sh); or set asr.engine = \"whisper\""
            .into(),
    ))
}

fn load_whisper(config: &Config) -> Result<Arc<dyn Recognizer>, AppError> {
    let path = config.model_file();
    if config.asr.grammar && !cfg!(feature = "grammar") {
        return Err(AppError::Speech(
            "asr.grammar = true needs a build with grammar-constrained decoding \
             (cargo build --features grammar); or set asr.grammar = false"
                .into(),
        ));
    }
    #[cfg(feature = "grammar")]
    if config.asr.grammar {
        let grammar = crate::nlu::Grammar::from_dir_or_bundled(config.grammars_dir().as_deref())?;
        let compiled = crate::asr::gbnf::CommandGrammar::compile(&grammar, &Default::default())
            .map_err(|e| AppError::Speech(format!("cannot compile the templates: {e}")))?;
        let r = crate::asr::grammar_whisper::GrammarWhisperRecognizer::load(&path, compiled)
            .map_err(|e| AppError::Speech(format!("{}: {e}", path.display())))?;
        return Ok(Arc::new(r));
    }
    #[cfg(feature = "whisper")]
    {
        let r = crate::asr::WhisperRecognizer::load(&path)
            .map_err(|e| AppError::Speech(format!("{}: {e}", path.display())))?;
        Ok(Arc::new(r))
    }
    #[cfg(not(feature = "whisper"))]
    Err(AppError::Speech(format!(
        "this build has no speech recognition (feature whisper); cannot load {}",
        path.display()
    )))
}
