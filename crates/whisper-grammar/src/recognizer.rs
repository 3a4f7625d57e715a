//! A Whisper model loaded through whisper-rs-sys, transcribing with optional grammar rules.
//!
//! Every `unsafe` block of the crate is here, each with the argument for why it is sound.
//! The context and its one decoder state sit behind a mutex: whisper.cpp allows a context to
//! be shared read-only, but a state must never be used by two calls at once.

use std::ffi::{CStr, CString, c_int};
use std::path::Path;
use std::ptr::NonNull;
use std::sync::{Mutex, PoisonError};

use whisper_rs_sys as sys;

use crate::filter::{EndCheck, FilterData, end_filter};
use crate::rules::GrammarRules;

/// Why loading or transcribing failed.
#[derive(Debug, thiserror::Error)]
pub enum RecognizerError {
    #[error("whisper.cpp could not load the model at {0}")]
    Load(String),
    #[error("whisper.cpp could not allocate a decoder state")]
    State,
    #[error("invalid options: {0}")]
    InvalidOptions(String),
    #[error("no audio to transcribe")]
    EmptyAudio,
    #[error("whisper.cpp failed with code {0}")]
    Failed(c_int),
}

/// How the model is loaded.
#[derive(Debug, Clone, Copy, Default)]
pub struct LoadOptions {
    /// whisper.cpp flash attention kernels.
    pub flash_attn: bool,
}

/// Decoding parameters of one call (greedy sampling, best of one).
#[derive(Clone)]
pub struct DecodeOptions<'a> {
    /// CPU threads, at least 1.
    pub threads: u32,
    /// Language code; `None` lets whisper.cpp detect it.
    pub language: Option<&'a str>,
    /// Tokens that condition the decoder (see [`GrammarRecognizer::tokenize`]).
    pub prompt_tokens: &'a [i32],
    /// Encoder frames to run; `None` runs the model's full window.
    pub audio_ctx: Option<u32>,
    /// Timestamps and several segments; off gives one segment without timestamps.
    pub timestamps: bool,
    /// Suppress blank starts and non-speech tokens.
    pub suppress_non_speech: bool,
    /// Most tokens per segment (0: no limit).
    pub max_tokens: u32,
    /// Re-decode at higher temperatures when the result looks unreliable.
    pub temperature_fallback: bool,
    /// Rules the decoded text must follow.
    pub grammar: Option<&'a GrammarRules>,
    /// Subtracted from the logits of tokens the grammar rejects (whisper.cpp default: 100).
    pub grammar_penalty: f32,
    /// Subtracts `grammar_penalty` from the end-of-text token while this says the text must
    /// go on. whisper.cpp's grammar never holds back the end of text, so without it a
    /// constrained decoder may stop in the middle of a word it was steered into.
    pub must_continue: Option<EndCheck<'a>>,
}

impl Default for DecodeOptions<'_> {
    fn default() -> Self {
        Self {
            threads: 1,
            language: Some("en"),
            prompt_tokens: &[],
            audio_ctx: None,
            timestamps: false,
            suppress_non_speech: true,
            max_tokens: 0,
            temperature_fallback: true,
            grammar: None,
            grammar_penalty: 100.0,
            must_continue: None,
        }
    }
}

/// One decoded segment.
#[derive(Debug, Clone, PartialEq)]
pub struct SegmentOutput {
    pub text: String,
    /// Start and end in centiseconds.
    pub t0: i64,
    pub t1: i64,
    pub no_speech_prob: f32,
    /// Probabilities of the text tokens (special tokens left out).
    pub token_probs: Vec<f32>,
}

/// Everything one call produced.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct DecodeOutput {
    pub segments: Vec<SegmentOutput>,
}

/// The native context and its decoder state. Only reachable through the mutex.
struct Native {
    ctx: NonNull<sys::whisper_context>,
    state: NonNull<sys::whisper_state>,
}

// SAFETY: whisper.cpp contexts and states carry no thread affinity (no thread-local data);
// moving them to another thread is fine as long as calls do not overlap, which the `Mutex`
// around `Native` guarantees.
unsafe impl Send for Native {}

impl Drop for Native {
    fn drop(&mut self) {
        // SAFETY: the state came from `whisper_init_state`, is freed exactly once (here), and no
        // call can be using it because `drop` has exclusive access.
        unsafe { sys::whisper_free_state(self.state.as_ptr()) };
        // SAFETY: the context came from `whisper_init_from_file_with_params_no_state`; its only
        // state was freed above, and it is freed exactly once.
        unsafe { sys::whisper_free(self.ctx.as_ptr()) };
    }
}

/// A loaded Whisper model with one decoder state; calls are serialised.
pub struct GrammarRecognizer {
    native: Mutex<Native>,
    n_vocab: i32,
    n_audio_ctx: u32,
    eot: i32,
    multilingual: bool,
}

impl std::fmt::Debug for GrammarRecognizer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("GrammarRecognizer")
            .field("n_vocab", &self.n_vocab)
            .field("n_audio_ctx", &self.n_audio_ctx)
            .field("multilingual", &self.multilingual)
            .finish_non_exhaustive()
    }
}

impl GrammarRecognizer {
    /// Loads a ggml model file. The caller should check the file first: whisper.cpp reports a
    /// bad file only as a failed load.
    pub fn load(path: &Path, options: LoadOptions) -> Result<Self, RecognizerError> {
        let shown = path.display().to_string();
        let c_path = path
            .to_str()
            .and_then(|p| CString::new(p).ok())
            .ok_or_else(|| RecognizerError::Load(format!("{shown} (not a UTF-8 path without NUL)")))?;
        // SAFETY: takes no arguments and returns a plain struct by value.
        let mut params = unsafe { sys::whisper_context_default_params() };
        params.use_gpu = false;
        params.flash_attn = options.flash_attn;
        // SAFETY: `c_path` is a NUL-terminated string that lives until the call returns;
        // `params` is a fully initialised struct passed by value. A null result means failure.
        let raw_ctx = unsafe { sys::whisper_init_from_file_with_params_no_state(c_path.as_ptr(), params) };
        let ctx = NonNull::new(raw_ctx).ok_or(RecognizerError::Load(shown))?;
        // SAFETY: `ctx` is a live context we own.
        let raw_state = unsafe { sys::whisper_init_state(ctx.as_ptr()) };
        let Some(state) = NonNull::new(raw_state) else {
            // SAFETY: `ctx` is live, has no state, and is not used after this.
            unsafe { sys::whisper_free(ctx.as_ptr()) };
            return Err(RecognizerError::State);
        };
        let native = Native { ctx, state };
        // SAFETY: `ctx` is live (owned by `native`); the call only reads a model header value.
        let n_vocab = unsafe { sys::whisper_n_vocab(ctx.as_ptr()) };
        // SAFETY: as above.
        let n_audio_ctx = unsafe { sys::whisper_model_n_audio_ctx(ctx.as_ptr()) };
        // SAFETY: as above.
        let eot = unsafe { sys::whisper_token_eot(ctx.as_ptr()) };
        // SAFETY: as above.
        let multilingual = unsafe { sys::whisper_is_multilingual(ctx.as_ptr()) } != 0;
        Ok(Self {
            native: Mutex::new(native),
            n_vocab,
            n_audio_ctx: u32::try_from(n_audio_ctx).unwrap_or(0),
            eot,
            multilingual,
        })
    }

    /// Encoder frames of the model's full window (1500 for Whisper).
    pub fn n_audio_ctx(&self) -> u32 {
        self.n_audio_ctx
    }

    /// Whether the model knows more languages than English.
    pub fn is_multilingual(&self) -> bool {
        self.multilingual
    }

    /// The end-of-text token; ids below it are text tokens.
    pub fn token_eot(&self) -> i32 {
        self.eot
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Native> {
        self.native.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Tokenizes `text`; fails when it needs more than `max_tokens` tokens.
    pub fn tokenize(&self, text: &str, max_tokens: usize) -> Result<Vec<i32>, RecognizerError> {
        let c_text =
            CString::new(text).map_err(|_| RecognizerError::InvalidOptions("text contains a NUL byte".into()))?;
        let n_max = c_int::try_from(max_tokens)
            .map_err(|_| RecognizerError::InvalidOptions(format!("max_tokens {max_tokens} is too large")))?;
        let mut tokens = vec![0i32; max_tokens];
        let native = self.lock();
        // SAFETY: the context is live and locked; `c_text` is NUL-terminated and outlives the
        // call; `tokens` has room for exactly `n_max` tokens, the most whisper.cpp writes.
        let n = unsafe { sys::whisper_tokenize(native.ctx.as_ptr(), c_text.as_ptr(), tokens.as_mut_ptr(), n_max) };
        drop(native);
        let n = usize::try_from(n).map_err(|_| {
            RecognizerError::InvalidOptions(format!("text needs {} tokens, more than {max_tokens}", -i64::from(n)))
        })?;
        tokens.truncate(n);
        Ok(tokens)
    }

    fn check(&self, samples: &[f32], o: &DecodeOptions<'_>) -> Result<c_int, RecognizerError> {
        let bad = |m: String| Err(RecognizerError::InvalidOptions(m));
        if samples.is_empty() {
            return Err(RecognizerError::EmptyAudio);
        }
        if o.threads == 0 || o.threads > 256 {
            return bad(format!("threads must be 1..=256, got {}", o.threads));
        }
        if let Some(lang) = o.language
            && (lang.is_empty() || lang.len() > 8 || !lang.chars().all(|c| c.is_ascii_alphabetic()))
        {
            return bad(format!("bad language code {lang:?}"));
        }
        if let Some(t) = o.prompt_tokens.iter().find(|&&t| t < 0 || t >= self.n_vocab) {
            return bad(format!("prompt token {t} is not in the vocabulary"));
        }
        if c_int::try_from(o.prompt_tokens.len()).is_err() || c_int::try_from(o.max_tokens).is_err() {
            return bad("too many tokens".into());
        }
        if o.audio_ctx.is_some_and(|a| a == 0 || a > self.n_audio_ctx) {
            return bad(format!("audio_ctx must be 1..={}", self.n_audio_ctx));
        }
        if !o.grammar_penalty.is_finite() || o.grammar_penalty < 0.0 {
            return bad(format!("grammar penalty {} must be finite and not negative", o.grammar_penalty));
        }
        c_int::try_from(samples.len()).or_else(|_| bad(format!("{} samples is too many for one call", samples.len())))
    }

    /// Transcribes 16 kHz mono samples.
    pub fn transcribe(&self, samples: &[f32], o: &DecodeOptions<'_>) -> Result<DecodeOutput, RecognizerError> {
        let n_samples = self.check(samples, o)?;
        let language = match o.language {
            Some(l) => Some(CString::new(l).map_err(|_| RecognizerError::InvalidOptions("bad language".into()))?),
            None => None,
        };
        // The pointer array whisper.cpp expects: one pointer per rule, each to an element array
        // ending with END. Built per call so nothing here holds raw pointers between calls.
        let mut rule_ptrs: Vec<*const sys::whisper_grammar_element> =
            o.grammar.map(|g| g.raw_rules().iter().map(|r| r.as_ptr()).collect()).unwrap_or_default();

        // SAFETY: takes a valid enum value and returns a plain struct by value.
        let mut p = unsafe { sys::whisper_full_default_params(sys::whisper_sampling_strategy_WHISPER_SAMPLING_GREEDY) };
        p.greedy.best_of = 1;
        p.n_threads = c_int::try_from(o.threads).unwrap_or(1);
        p.language = language.as_ref().map_or(std::ptr::null(), |l| l.as_ptr());
        p.translate = false;
        p.no_context = true;
        p.print_special = false;
        p.print_progress = false;
        p.print_realtime = false;
        p.print_timestamps = false;
        p.no_timestamps = !o.timestamps;
        p.single_segment = !o.timestamps;
        p.suppress_blank = o.suppress_non_speech;
        p.suppress_nst = o.suppress_non_speech;
        if o.max_tokens > 0 {
            p.max_tokens = c_int::try_from(o.max_tokens).unwrap_or(c_int::MAX);
        }
        if !o.temperature_fallback {
            p.temperature_inc = 0.0;
        }
        if let Some(frames) = o.audio_ctx {
            p.audio_ctx = c_int::try_from(frames).unwrap_or(0);
        }
        if !o.prompt_tokens.is_empty() {
            p.prompt_tokens = o.prompt_tokens.as_ptr();
            p.prompt_n_tokens = c_int::try_from(o.prompt_tokens.len()).unwrap_or(0);
        }
        if let Some(g) = o.grammar {
            p.grammar_rules = rule_ptrs.as_mut_ptr();
            p.n_grammar_rules = rule_ptrs.len();
            p.i_start_rule = g.start();
            p.grammar_penalty = o.grammar_penalty;
        }
        let filter = o.must_continue.map(|must_continue| FilterData {
            must_continue,
            eot: self.eot,
            n_vocab: self.n_vocab,
            penalty: o.grammar_penalty,
        });
        if let Some(data) = &filter {
            p.logits_filter_callback = Some(end_filter);
            p.logits_filter_callback_user_data = std::ptr::from_ref(data).cast_mut().cast();
        }

        let native = self.lock();
        // SAFETY: context and state are live, owned by `native`, and locked for this call and
        // the reads below. Every pointer in `p` stays valid until the call returns: `language`
        // and the prompt tokens are borrowed from locals/`o`; `rule_ptrs` points into the
        // element arrays of `o.grammar`, which `GrammarRules::new` checked (every rule ends
        // with END, references are in range, classes well formed, no left recursion) and which
        // are borrowed for the whole call; whisper.cpp copies them and does not write through
        // the pointers. `samples` holds `n_samples` floats. The only callback is `end_filter`,
        // whose data (`filter`) outlives the call and is only read.
        let rc = unsafe {
            sys::whisper_full_with_state(native.ctx.as_ptr(), native.state.as_ptr(), p, samples.as_ptr(), n_samples)
        };
        if rc != 0 {
            return Err(RecognizerError::Failed(rc));
        }
        let out = self.read_segments(&native);
        drop(native);
        drop((rule_ptrs, filter));
        Ok(out)
    }

    fn read_segments(&self, native: &Native) -> DecodeOutput {
        let state = native.state.as_ptr();
        // SAFETY: the state is live and locked by the caller.
        let n_segments = unsafe { sys::whisper_full_n_segments_from_state(state) };
        let mut segments = Vec::new();
        for i in 0..n_segments.max(0) {
            // SAFETY: `i` is below the segment count of the live, locked state.
            let ptr = unsafe { sys::whisper_full_get_segment_text_from_state(state, i) };
            let text = if ptr.is_null() {
                String::new()
            } else {
                // SAFETY: a non-null result is a NUL-terminated string owned by the state, which
                // stays untouched (locked) while it is copied here.
                unsafe { CStr::from_ptr(ptr) }.to_string_lossy().into_owned()
            };
            // SAFETY: `i` is a valid segment index of the live, locked state.
            let t0 = unsafe { sys::whisper_full_get_segment_t0_from_state(state, i) };
            // SAFETY: as above.
            let t1 = unsafe { sys::whisper_full_get_segment_t1_from_state(state, i) };
            // SAFETY: as above.
            let no_speech_prob = unsafe { sys::whisper_full_get_segment_no_speech_prob_from_state(state, i) };
            // SAFETY: as above.
            let n_tokens = unsafe { sys::whisper_full_n_tokens_from_state(state, i) };
            let mut token_probs = Vec::new();
            for j in 0..n_tokens.max(0) {
                // SAFETY: `j` is below the token count of segment `i` of the live, locked state.
                let id = unsafe { sys::whisper_full_get_token_id_from_state(state, i, j) };
                if id < self.eot {
                    // SAFETY: same indices as above.
                    token_probs.push(unsafe { sys::whisper_full_get_token_p_from_state(state, i, j) });
                }
            }
            segments.push(SegmentOutput { text, t0, t1, no_speech_prob, token_probs });
        }
        DecodeOutput { segments }
    }
}
