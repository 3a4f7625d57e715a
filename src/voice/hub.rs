//! One pipeline per user for servers that act for several users (the HTTP API, the
//! Wyoming server): the model and the compiled grammar are shared by all of them;
//! what is per user is the dialogue state (a pending confirmation, the last reply,
//! what can be undone), dropped after an idle hour.

use super::{PipelineParts, SharedGrammar, VoiceError, VoicePipeline};
use crate::asr::{Recognizer, TranscribeOptions};
use crate::crypto::FieldCipher;
use crate::domain::{Id, User};
use crate::market::{Market, VoiceCommandRecord};
use std::sync::Arc;
use std::time::Duration;

/// How long a user's dialogue state lives without a command.
const IDLE: Duration = Duration::from_secs(3600);

pub struct VoiceHub {
    market: Market,
    grammar: Arc<SharedGrammar>,
    recognizer: Option<Arc<dyn Recognizer>>,
    asr_options: TranscribeOptions,
    cipher: Arc<FieldCipher>,
    confirm_window: Duration,
    pipelines: moka::future::Cache<Id, Arc<VoicePipeline>>,
}

impl VoiceHub {
    /// A hub over the shared grammar (its pipelines keep its names current, see
    /// [`SharedGrammar::ensure_fresh`]).
    pub fn new(
        market: Market,
        grammar: Arc<SharedGrammar>,
        recognizer: Option<Arc<dyn Recognizer>>,
        asr_options: TranscribeOptions,
        cipher: Arc<FieldCipher>,
        confirm_window: Duration,
    ) -> Self {
        let pipelines = moka::future::Cache::builder().time_to_idle(IDLE).build();
        Self { market, grammar, recognizer, asr_options, cipher, confirm_window, pipelines }
    }

    pub fn has_recognizer(&self) -> bool {
        self.recognizer.is_some()
    }

    pub fn grammar(&self) -> &Arc<SharedGrammar> {
        &self.grammar
    }

    /// The user's pipeline, created on first use.
    pub async fn pipeline_for(&self, user: &User) -> Result<Arc<VoicePipeline>, VoiceError> {
        let make = || {
            Arc::new(VoicePipeline::new(PipelineParts {
                market: self.market.clone(),
                grammar: self.grammar.clone(),
                recognizer: self.recognizer.clone(),
                asr_options: self.asr_options.clone(),
                cipher: self.cipher.clone(),
                user: user.clone(),
                confirm_window: self.confirm_window,
            }))
        };
        Ok(self.pipelines.get_with(user.id, async { make() }).await)
    }

    /// Decrypts a stored transcript.
    pub fn open_transcript(&self, record: &VoiceCommandRecord) -> Option<String> {
        super::pipeline::open_transcript(&self.cipher, record)
    }
}
