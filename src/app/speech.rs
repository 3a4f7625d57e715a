//! Which speech recognizer a process loads: whisper.cpp on the configured model,
//! grammar-constrained when `asr.grammar` is set (and the build has `grammar`).

use super::AppError;
use crate::asr::Recognizer;
use crate::config::Config;
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
            Speech::IfPresent if config.model_file().exists() => load_recognizer(config).map(Some),
            Speech::IfPresent => {
                tracing::warn!(model = %config.model_file().display(),
                    "no speech model: audio commands are off until `holomesh models fetch`");
                Ok(None)
            }
        }
    }
}

/// Loads the configured Whisper model once (grammar-constrained when `asr.grammar`
/// is set). The model file must exist (`holomesh models fetch`).
pub fn load_recognizer(config: &Config) -> Result<Arc<dyn Recognizer>, AppError> {
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
