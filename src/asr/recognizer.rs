//! The recogniser interface shared by every speech-to-text backend, and its result types.

use super::model_file::ModelFileError;

/// Why a transcription could not be produced.
#[derive(Debug, thiserror::Error)]
pub enum AsrError {
    #[error(transparent)]
    Model(#[from] ModelFileError),
    #[error("the speech model could not be loaded from {path}: {reason}")]
    Load { path: String, reason: String },
    #[error("invalid transcription options: {0}")]
    InvalidOptions(String),
    #[error("no audio to transcribe")]
    EmptyAudio,
    #[error("audio is {ms} ms long; at most {max_ms} ms can be transcribed in one call")]
    AudioTooLong { ms: u64, max_ms: u64 },
    #[error("speech recognition failed: {0}")]
    Backend(String),
}

/// How much of the encoder window to run.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum AudioWindow {
    /// The model's full window (30 s for Whisper), whatever the utterance length.
    Full,
    /// A window sized to the utterance plus `margin_ms`, rounded up to a multiple of 64
    /// encoder frames and never below `min_frames` (Whisper: 50 frames per second).
    Fit { margin_ms: u32, min_frames: u32 },
}

impl Default for AudioWindow {
    fn default() -> Self {
        // Measured on 20 varied espeak-ng commands (scripts/bench/asr.sh): 1.5 s / 384 frames
        // kept word error rate at or below the full window; 1 s / 256 caused decoder loops.
        AudioWindow::Fit { margin_ms: 1500, min_frames: 384 }
    }
}

impl AudioWindow {
    /// Encoder frames to use for `audio_ms` of audio, given the model's maximum `n_ctx`.
    /// `None` means the model default (the full window).
    pub fn frames_for(&self, audio_ms: u64, n_ctx: u32) -> Option<u32> {
        match *self {
            AudioWindow::Full => None,
            AudioWindow::Fit { margin_ms, min_frames } => {
                let ms = audio_ms.saturating_add(u64::from(margin_ms));
                let frames = ms.div_ceil(20); // 20 ms per encoder frame
                let rounded = frames.div_ceil(64).saturating_mul(64);
                let clamped = rounded.max(u64::from(min_frames)).min(u64::from(n_ctx));
                if clamped >= u64::from(n_ctx) { None } else { u32::try_from(clamped).ok() }
            }
        }
    }
}

/// Tokens every utterance may use whatever its length (see
/// [`TranscribeOptions::tokens_per_second`]).
pub const TOKEN_BUDGET_BASE: u32 = 8;

/// Options for one transcription call.
#[derive(Debug, Clone)]
pub struct TranscribeOptions {
    /// CPU threads for the backend (at least 1).
    pub threads: usize,
    /// Language code; `None` lets a multilingual model detect it. English-only models ignore it.
    pub language: Option<String>,
    /// Text that conditions the decoder: the command vocabulary and known names.
    pub initial_prompt: Option<String>,
    /// Encoder window sizing.
    pub window: AudioWindow,
    /// Produce per-segment timestamps (slower; commands do not need them).
    pub timestamps: bool,
    /// Suppress non-speech tokens (music notes, brackets) and blank starts.
    pub suppress_non_speech: bool,
    /// Upper bound on tokens per segment (0: no bound). Stops runaway repetition.
    pub max_tokens: u32,
    /// Tokens allowed per second of audio, on top of [`TOKEN_BUDGET_BASE`] (0: no
    /// per-second bound). Speech runs at 3 to 6 tokens a second, so a decoder loop on a
    /// short command stops after a few copies instead of running to `max_tokens`, and
    /// short results stay under whisper.cpp's 32-token threshold for its entropy check,
    /// which would otherwise re-decode the loop at every fallback temperature.
    pub tokens_per_second: u32,
    /// Collapse a transcript that is one phrase said over and over (a decoder loop that
    /// small encoder windows sometimes cause) into a single copy.
    pub collapse_repeats: bool,
    /// Re-decode at higher temperatures when the greedy result looks unreliable
    /// (whisper.cpp's default); off bounds latency on hard clips.
    pub temperature_fallback: bool,
    /// Beam search over this many word sequences (1: greedy, the fastest).
    pub beam_size: u32,
    /// Beam width of a second hearing when the first transcript reads as no confident
    /// command (0: no second hearing; see `voice::hear`).
    pub second_beam: u32,
    /// The prompt of the second hearing (`None`: the same as the first).
    pub second_prompt: Option<String>,
}

impl Default for TranscribeOptions {
    fn default() -> Self {
        Self {
            threads: default_threads(),
            language: Some("en".to_owned()),
            initial_prompt: None,
            window: AudioWindow::default(),
            timestamps: false,
            suppress_non_speech: true,
            max_tokens: 96,
            tokens_per_second: 8,
            collapse_repeats: true,
            temperature_fallback: true,
            beam_size: 1,
            second_beam: 5,
            second_prompt: None,
        }
    }
}

impl TranscribeOptions {
    /// The untuned configuration: full 30 s window, no prompt, no token bound.
    pub fn baseline() -> Self {
        Self {
            window: AudioWindow::Full,
            max_tokens: 0,
            tokens_per_second: 0,
            collapse_repeats: false,
            ..Self::default()
        }
    }

    /// The token bound for `audio_ms` of audio: the smaller of `max_tokens` and the
    /// per-second budget (0: no bound).
    pub fn token_limit(&self, audio_ms: u64) -> u32 {
        let per_audio = (self.tokens_per_second > 0).then(|| {
            let budget = audio_ms.saturating_mul(u64::from(self.tokens_per_second)).div_ceil(1000);
            u32::try_from(budget).unwrap_or(u32::MAX).saturating_add(TOKEN_BUDGET_BASE)
        });
        match (self.max_tokens, per_audio) {
            (0, None) => 0,
            (0, Some(budget)) => budget,
            (max, None) => max,
            (max, Some(budget)) => max.min(budget),
        }
    }

    /// Check values a caller could get wrong.
    pub fn validate(&self) -> Result<(), AsrError> {
        if self.threads == 0 || self.threads > 256 {
            return Err(AsrError::InvalidOptions(format!("threads must be 1..=256, got {}", self.threads)));
        }
        if let Some(prompt) = &self.initial_prompt {
            if prompt.contains('\0') {
                return Err(AsrError::InvalidOptions("initial prompt contains a NUL byte".into()));
            }
            if prompt.len() > 2000 {
                return Err(AsrError::InvalidOptions("initial prompt is longer than 2000 bytes".into()));
            }
        }
        if let Some(lang) = &self.language
            && (lang.is_empty() || lang.len() > 8 || !lang.chars().all(|c| c.is_ascii_alphabetic()))
        {
            return Err(AsrError::InvalidOptions(format!("bad language code {lang:?}")));
        }
        Ok(())
    }
}

/// Threads to use by default: the available cores, at most 4.
pub fn default_threads() -> usize {
    std::thread::available_parallelism().map(|n| n.get().min(4)).unwrap_or(2)
}

/// A piece of the transcript with its position in the audio.
#[derive(Debug, Clone, PartialEq)]
pub struct Segment {
    pub text: String,
    pub start_ms: u64,
    pub end_ms: u64,
}

/// Wall-clock time spent in one call.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Timings {
    /// Getting a decoder state and preparing parameters.
    pub setup_ms: f64,
    /// Mel spectrogram, encoder and decoder.
    pub inference_ms: f64,
    /// Everything from call to return.
    pub total_ms: f64,
    /// Encoder frames used (the window size); 0 when the backend does not say.
    pub window_frames: u32,
}

/// The result of transcribing one utterance.
#[derive(Debug, Clone, PartialEq)]
pub struct Transcript {
    /// All segments joined, trimmed.
    pub text: String,
    pub segments: Vec<Segment>,
    /// Mean probability of the text tokens (0 when there are none).
    pub avg_token_prob: f32,
    /// Highest no-speech probability over the segments.
    pub no_speech_prob: f32,
    pub timings: Timings,
    /// Length of the audio that was given.
    pub audio_ms: u64,
}

impl Transcript {
    /// Real-time factor of this call: processing time over audio time.
    pub fn real_time_factor(&self) -> f64 {
        if self.audio_ms == 0 { 0.0 } else { self.timings.total_ms / self.audio_ms as f64 }
    }
}

/// A speech-to-text engine. Implementations load their model once and are shared between
/// threads; `transcribe` is CPU-heavy and blocking (run it off the async runtime).
pub trait Recognizer: Send + Sync {
    /// Transcribe 16 kHz mono samples in `[-1, 1]`.
    fn transcribe(&self, samples: &[f32], opts: &TranscribeOptions) -> Result<Transcript, AsrError>;
}

fn norm_word(w: &str) -> String {
    w.chars().filter(|c| c.is_alphanumeric()).flat_map(char::to_lowercase).collect()
}

/// If `text` is one phrase repeated (the last copy may be cut short), return the first copy.
///
/// Words are compared case- and punctuation-insensitively; at least two full copies are needed.
pub fn collapse_repetitions(text: &str) -> Option<String> {
    let words: Vec<&str> = text.split_whitespace().collect();
    let norm: Vec<String> = words.iter().map(|w| norm_word(w)).collect();
    let n = norm.len();
    for period in 1..=n / 2 {
        if norm[..period].iter().all(String::is_empty) {
            continue;
        }
        if (period..n).all(|i| norm[i] == norm[i % period]) {
            let phrase = words[..period].join(" ");
            return Some(phrase.trim_end_matches([',', ';', ' ']).to_owned());
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn token_limit_follows_the_audio_length_under_the_hard_bound() {
        let opts = TranscribeOptions { max_tokens: 96, tokens_per_second: 8, ..TranscribeOptions::default() };
        // 1.72 s: 14 tokens for the audio, 8 for any utterance.
        assert_eq!(opts.token_limit(1_720), 22);
        assert_eq!(opts.token_limit(0), TOKEN_BUDGET_BASE);
        // Long audio reaches the hard bound.
        assert_eq!(opts.token_limit(60_000), 96);
        let no_rate = TranscribeOptions { tokens_per_second: 0, ..opts.clone() };
        assert_eq!(no_rate.token_limit(1_720), 96);
        let no_bound = TranscribeOptions { max_tokens: 0, ..opts.clone() };
        assert_eq!(no_bound.token_limit(60_000), 488);
        assert_eq!(TranscribeOptions::baseline().token_limit(60_000), 0, "the baseline has no bound");
        assert_eq!(opts.token_limit(u64::MAX), 96, "no overflow");
    }
}
