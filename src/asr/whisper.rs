//! whisper.cpp backend via whisper-rs: the model is loaded once, decoder states are pooled.

use std::borrow::Cow;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, Once};
use std::time::Instant;

use whisper_rs::{FullParams, SamplingStrategy, WhisperContext, WhisperContextParameters, WhisperState};

use super::audio::{SAMPLE_RATE, samples_to_ms};
use super::model_file::{ModelInfo, inspect_model_file};
use super::recognizer::{AsrError, Recognizer, Segment, Timings, TranscribeOptions, Transcript, collapse_repetitions};

/// whisper.cpp skips input shorter than one second; shorter utterances are padded to this.
const MIN_SAMPLES: usize = SAMPLE_RATE as usize * 11 / 10;
/// Longest audio accepted in one call (10 minutes).
const MAX_AUDIO_MS: u64 = 10 * 60 * 1000;
/// Prompt tokens whisper.cpp keeps (half the text context).
const MAX_PROMPT_TOKENS: usize = 224;
/// Idle decoder states kept for reuse.
const MAX_POOLED_STATES: usize = 4;

/// How the model is loaded.
#[derive(Debug, Clone, Copy, Default)]
pub struct WhisperLoadOptions {
    /// whisper.cpp flash attention kernels.
    pub flash_attn: bool,
}

/// A Whisper model in memory, shareable between threads.
pub struct WhisperRecognizer {
    ctx: WhisperContext,
    states: Mutex<Vec<WhisperState>>,
    info: ModelInfo,
    path: PathBuf,
    load_ms: f64,
}

impl std::fmt::Debug for WhisperRecognizer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WhisperRecognizer")
            .field("path", &self.path)
            .field("info", &self.info)
            .field("load_ms", &self.load_ms)
            .finish_non_exhaustive()
    }
}

/// Route whisper.cpp and ggml log output (normally printed to stderr) into `tracing`,
/// under the `whisper_rs` target. Called by [`WhisperRecognizer::load`]; idempotent.
pub fn route_native_logs_to_tracing() {
    static ONCE: Once = Once::new();
    ONCE.call_once(whisper_rs::install_logging_hooks);
}

impl WhisperRecognizer {
    /// Load a ggml model file with default options.
    pub fn load(path: &Path) -> Result<Self, AsrError> {
        Self::load_with(path, WhisperLoadOptions::default())
    }

    /// Load a ggml model file. The file is checked structurally first, so a truncated or
    /// foreign file gives [`AsrError::Model`] instead of reaching whisper.cpp.
    #[tracing::instrument(skip_all, fields(path = %path.display()))]
    pub fn load_with(path: &Path, options: WhisperLoadOptions) -> Result<Self, AsrError> {
        route_native_logs_to_tracing();
        let started = Instant::now();
        let info = inspect_model_file(path)?;
        let load_err = |reason: String| AsrError::Load { path: path.display().to_string(), reason };
        let mut params = WhisperContextParameters::default();
        params.flash_attn(options.flash_attn);
        let ctx = WhisperContext::new_with_params(path, params).map_err(|e| load_err(e.to_string()))?;
        let state = ctx.create_state().map_err(|e| load_err(e.to_string()))?;
        let load_ms = started.elapsed().as_secs_f64() * 1000.0;
        tracing::info!(load_ms, multilingual = info.is_multilingual(), "speech model loaded");
        Ok(Self { ctx, states: Mutex::new(vec![state]), info, path: path.to_path_buf(), load_ms })
    }

    /// Header values of the loaded model.
    pub fn model_info(&self) -> &ModelInfo {
        &self.info
    }

    /// Time the model took to load, in milliseconds.
    pub fn load_ms(&self) -> f64 {
        self.load_ms
    }

    fn take_state(&self) -> Result<WhisperState, AsrError> {
        let pooled = self.states.lock().unwrap_or_else(std::sync::PoisonError::into_inner).pop();
        match pooled {
            Some(state) => Ok(state),
            None => self.ctx.create_state().map_err(|e| AsrError::Backend(format!("cannot create decoder state: {e}"))),
        }
    }

    fn return_state(&self, state: WhisperState) {
        let mut pool = self.states.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        if pool.len() < MAX_POOLED_STATES {
            pool.push(state);
        }
    }

    fn prompt_tokens(&self, prompt: Option<&str>) -> Result<Vec<i32>, AsrError> {
        prompt_tokens_with(prompt, |text, capacity| self.ctx.tokenize(text, capacity))
    }
}

/// Tokenizes an initial prompt with `tokenize(text, capacity)` and keeps at most the
/// tokens whisper.cpp uses. Shared by every whisper.cpp recognizer.
///
/// whisper_tokenize answers minus the token count when the buffer is too small, and
/// whisper-rs 0.16 only checks for -1; a token covers at least one byte, so a buffer of
/// the text's length always fits. Longer prompts keep their beginning.
pub(super) fn prompt_tokens_with<E: std::fmt::Display>(
    prompt: Option<&str>,
    tokenize: impl FnOnce(&str, usize) -> Result<Vec<i32>, E>,
) -> Result<Vec<i32>, AsrError> {
    let Some(prompt) = prompt.map(str::trim).filter(|p| !p.is_empty()) else {
        return Ok(Vec::new());
    };
    let text = format!(" {prompt}");
    let mut tokens = tokenize(&text, text.len() + 1)
        .map_err(|e| AsrError::InvalidOptions(format!("initial prompt cannot be used: {e}")))?;
    if tokens.len() > MAX_PROMPT_TOKENS {
        tracing::debug!(tokens = tokens.len(), kept = MAX_PROMPT_TOKENS, "initial prompt cut to whisper's limit");
        tokens.truncate(MAX_PROMPT_TOKENS);
    }
    Ok(tokens)
}

/// Segments and token statistics of one whisper.cpp run, gathered the same way by every
/// whisper.cpp recognizer and turned into a [`Transcript`] by [`Decoded::finish`].
#[derive(Debug, Default)]
pub(super) struct Decoded {
    segments: Vec<Segment>,
    prob_sum: f64,
    prob_n: usize,
    no_speech_prob: f32,
}

impl Decoded {
    /// Adds a segment: its text, start and end in whisper.cpp's centiseconds, no-speech
    /// probability and the probabilities of its text tokens.
    pub(super) fn push(
        &mut self,
        text: String,
        (t0, t1): (i64, i64),
        no_speech_prob: f32,
        token_probs: impl IntoIterator<Item = f32>,
    ) {
        for p in token_probs {
            self.prob_sum += f64::from(p);
            self.prob_n += 1;
        }
        self.no_speech_prob = self.no_speech_prob.max(no_speech_prob);
        let ms = |cs: i64| u64::try_from(cs).unwrap_or(0) * 10;
        self.segments.push(Segment { text, start_ms: ms(t0), end_ms: ms(t1) });
    }

    /// The transcript: segments joined (and collapsed when they repeat one phrase), end
    /// times clipped to the audio, the mean token probability, and `timings` completed with
    /// the time since `started`.
    pub(super) fn finish(
        mut self,
        opts: &TranscribeOptions,
        audio_ms: u64,
        started: Instant,
        mut timings: Timings,
    ) -> Transcript {
        for seg in &mut self.segments {
            seg.end_ms = seg.end_ms.min(audio_ms);
        }
        let parts: Vec<&str> = self.segments.iter().map(|s| s.text.trim()).filter(|t| !t.is_empty()).collect();
        let mut text = parts.join(" ");
        if opts.collapse_repeats
            && let Some(once) = collapse_repetitions(&text)
        {
            tracing::debug!(%text, "collapsed a repeated transcript");
            text = once;
        }
        timings.total_ms = started.elapsed().as_secs_f64() * 1000.0;
        tracing::debug!(audio_ms, total_ms = timings.total_ms, window = timings.window_frames, "transcribed");
        Transcript {
            text,
            segments: self.segments,
            avg_token_prob: if self.prob_n == 0 { 0.0 } else { (self.prob_sum / self.prob_n as f64) as f32 },
            no_speech_prob: self.no_speech_prob,
            timings,
            audio_ms,
        }
    }
}

/// Clean input: replace non-finite samples, pad short clips with trailing silence.
/// Checks options and length, then cleans the samples: (audio ms, whisper input).
/// Shared by every whisper.cpp recognizer.
pub(super) fn checked_input<'s>(
    samples: &'s [f32],
    opts: &TranscribeOptions,
) -> Result<(u64, Cow<'s, [f32]>), AsrError> {
    opts.validate()?;
    if samples.is_empty() {
        return Err(AsrError::EmptyAudio);
    }
    let audio_ms = samples_to_ms(samples.len());
    if audio_ms > MAX_AUDIO_MS {
        return Err(AsrError::AudioTooLong { ms: audio_ms, max_ms: MAX_AUDIO_MS });
    }
    Ok((audio_ms, prepare_samples(samples)))
}

fn prepare_samples(samples: &[f32]) -> Cow<'_, [f32]> {
    let finite = samples.iter().all(|s| s.is_finite());
    if finite && samples.len() >= MIN_SAMPLES {
        return Cow::Borrowed(samples);
    }
    let mut owned: Vec<f32> = samples.iter().map(|s| if s.is_finite() { s.clamp(-1.0, 1.0) } else { 0.0 }).collect();
    if owned.len() < MIN_SAMPLES {
        owned.resize(MIN_SAMPLES, 0.0);
    }
    Cow::Owned(owned)
}

impl Recognizer for WhisperRecognizer {
    #[tracing::instrument(skip_all, fields(samples = samples.len()))]
    fn transcribe(&self, samples: &[f32], opts: &TranscribeOptions) -> Result<Transcript, AsrError> {
        let started = Instant::now();
        let (audio_ms, input) = checked_input(samples, opts)?;
        let tokens = self.prompt_tokens(opts.initial_prompt.as_deref())?;
        let window = opts.window.frames_for(samples_to_ms(input.len()), self.info.n_audio_ctx);
        let language = if self.info.is_multilingual() { opts.language.as_deref() } else { Some("en") };

        let strategy = match opts.beam_size {
            0 | 1 => SamplingStrategy::Greedy { best_of: 1 },
            n => SamplingStrategy::BeamSearch { beam_size: i32::try_from(n).unwrap_or(5), patience: -1.0 },
        };
        let mut params = FullParams::new(strategy);
        params.set_n_threads(i32::try_from(opts.threads).unwrap_or(1));
        params.set_language(language);
        params.set_translate(false);
        params.set_no_context(true);
        params.set_print_special(false);
        params.set_print_progress(false);
        params.set_print_realtime(false);
        params.set_print_timestamps(false);
        params.set_no_timestamps(!opts.timestamps);
        params.set_single_segment(!opts.timestamps);
        params.set_suppress_blank(opts.suppress_non_speech);
        params.set_suppress_nst(opts.suppress_non_speech);
        let max_tokens = opts.token_limit(audio_ms);
        if max_tokens > 0 {
            params.set_max_tokens(i32::try_from(max_tokens).unwrap_or(i32::MAX));
        }
        if !opts.temperature_fallback {
            params.set_temperature_inc(0.0);
        }
        if let Some(frames) = window {
            params.set_audio_ctx(i32::try_from(frames).unwrap_or(0));
        }
        if !tokens.is_empty() {
            params.set_tokens(&tokens);
        }

        let mut state = self.take_state()?;
        let setup_ms = started.elapsed().as_secs_f64() * 1000.0;
        let inference = Instant::now();
        state.full(params, &input).map_err(|e| AsrError::Backend(e.to_string()))?;
        let inference_ms = inference.elapsed().as_secs_f64() * 1000.0;

        let eot = self.ctx.token_eot();
        let mut decoded = Decoded::default();
        for seg in state.as_iter() {
            let text = seg.to_str_lossy().map_err(|e| AsrError::Backend(e.to_string()))?.into_owned();
            let probs = (0..seg.n_tokens())
                .filter_map(|i| seg.get_token(i))
                .filter(|tok| tok.token_id() < eot)
                .map(|tok| tok.token_probability());
            decoded.push(text, (seg.start_timestamp(), seg.end_timestamp()), seg.no_speech_probability(), probs);
        }
        self.return_state(state);

        let timings =
            Timings { setup_ms, inference_ms, total_ms: 0.0, window_frames: window.unwrap_or(self.info.n_audio_ctx) };
        Ok(decoded.finish(opts, audio_ms, started, timings))
    }
}
