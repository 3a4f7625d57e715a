//! One pipeline per user for servers that act for several users (the HTTP API):
//! the model and the compiled grammar are shared, the session state is not.

use super::{PipelineParts, VoiceError, VoicePipeline};
use crate::asr::{Recognizer, TranscribeOptions};
use crate::crypto::FieldCipher;
use crate::domain::{Id, User};
use crate::market::Market;
use crate::nlu::Engine;
use crate::store::VoiceCommandRecord;
use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

pub struct VoiceHub {
    market: Market,
    engine: Engine,
    recognizer: Option<Arc<dyn Recognizer>>,
    asr_options: TranscribeOptions,
    cipher: Arc<FieldCipher>,
    confirm_window: Duration,
    pipelines: tokio::sync::Mutex<HashMap<Id, Arc<VoicePipeline>>>,
}

impl VoiceHub {
    pub fn new(
        market: Market,
        engine: Engine,
        recognizer: Option<Arc<dyn Recognizer>>,
        asr_options: TranscribeOptions,
        cipher: Arc<FieldCipher>,
        confirm_window: Duration,
    ) -> Self {
        Self { market, engine, recognizer, asr_options, cipher, confirm_window, pipelines: Default::default() }
    }

    pub fn has_recognizer(&self) -> bool {
        self.recognizer.is_some()
    }

    /// The user's pipeline, created (with fresh name lists) on first use.
    pub async fn pipeline_for(&self, user: &User) -> Result<Arc<VoicePipeline>, VoiceError> {
        let mut map = self.pipelines.lock().await;
        if let Some(p) = map.get(&user.id) {
            return Ok(p.clone());
        }
        let p = Arc::new(VoicePipeline::new(PipelineParts {
            market: self.market.clone(),
            engine: self.engine.clone(),
            recognizer: self.recognizer.clone(),
            asr_options: self.asr_options.clone(),
            cipher: self.cipher.clone(),
            user: user.clone(),
            confirm_window: self.confirm_window,
        }));
        p.refresh_lists().await?;
        let _refresher = p.spawn_list_refresher();
        map.insert(user.id, p.clone());
        Ok(p)
    }

    /// Decrypts a stored transcript.
    pub fn open_transcript(&self, record: &VoiceCommandRecord) -> Option<String> {
        super::pipeline::open_transcript(&self.cipher, record)
    }
}
