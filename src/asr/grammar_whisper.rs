//! Grammar-constrained Whisper: the intent templates, compiled once into whisper.cpp grammar
//! rules, restrict what the decoder may write. whisper.cpp is reached through the
//! `holomesh-whisper-grammar` crate, where the FFI lives.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Instant;

use holomesh_whisper_grammar::{DecodeOptions, Element, GrammarRecognizer, GrammarRules, LoadOptions, RecognizerError};

use super::audio::samples_to_ms;
use super::gbnf::{CommandGrammar, Label, Progress};
use super::model_file::{ModelInfo, inspect_model_file};
use super::recognizer::{AsrError, Recognizer, Timings, TranscribeOptions, Transcript};
use super::whisper::{Decoded, checked_input, prompt_tokens_with, route_native_logs_to_tracing};
use crate::nlu::ListValue;

/// Subtracted from the logits of tokens the grammar refuses, and of the end of text in the
/// middle of a sentence. whisper.cpp's default, 100, makes the grammar absolute: with greedy
/// decoding that turned requests the templates do not cover, and misheard covered ones, into
/// other commands (scripts/bench/asr.sh: WER 0.19 → 0.62). A soft 5 nudges instead: once the
/// decoder picks a refused token the grammar stops, so uncovered requests come out as the
/// plain decoder hears them.
pub const DEFAULT_GRAMMAR_PENALTY: f32 = 5.0;

/// A Whisper model whose output follows the command grammar.
pub struct GrammarWhisperRecognizer {
    native: GrammarRecognizer,
    grammar: CommandGrammar,
    rules: GrammarRules,
    penalty: f32,
    info: ModelInfo,
    path: PathBuf,
    load_ms: f64,
}

impl std::fmt::Debug for GrammarWhisperRecognizer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("GrammarWhisperRecognizer")
            .field("path", &self.path)
            .field("rules", &self.rules.len())
            .field("penalty", &self.penalty)
            .field("load_ms", &self.load_ms)
            .finish_non_exhaustive()
    }
}

/// Converts compiled rules into whisper.cpp elements (one rule per state) and checks them.
pub fn to_whisper_rules(grammar: &CommandGrammar) -> Result<GrammarRules, AsrError> {
    let rules: Vec<Vec<Element>> = grammar
        .states
        .iter()
        .map(|state| {
            let mut rule = Vec::new();
            for (i, edge) in state.edges.iter().enumerate() {
                if i > 0 {
                    rule.push(Element::Alt);
                }
                match &edge.label {
                    Label::Chars(set) => {
                        for (k, (lo, hi)) in set.ranges().enumerate() {
                            rule.push(if k == 0 { Element::Char(lo) } else { Element::CharAlt(lo) });
                            if hi > lo {
                                rule.push(Element::CharRangeUpper(hi));
                            }
                        }
                    }
                    Label::Call(sub) => rule.push(Element::RuleRef(*sub)),
                }
                rule.push(Element::RuleRef(edge.to));
            }
            if state.accepting && !state.edges.is_empty() {
                rule.push(Element::Alt);
            }
            rule.push(Element::End);
            rule
        })
        .collect();
    let start = usize::try_from(grammar.start).unwrap_or(usize::MAX);
    GrammarRules::new(&rules, start).map_err(|e| AsrError::Backend(format!("the command grammar is unusable: {e}")))
}

fn backend_error(e: RecognizerError) -> AsrError {
    match e {
        RecognizerError::InvalidOptions(m) => AsrError::InvalidOptions(m),
        RecognizerError::EmptyAudio => AsrError::EmptyAudio,
        other => AsrError::Backend(other.to_string()),
    }
}

impl GrammarWhisperRecognizer {
    /// Loads a ggml model and prepares `grammar` for decoding.
    #[tracing::instrument(skip_all, fields(path = %path.display()))]
    pub fn load(path: &Path, grammar: CommandGrammar) -> Result<Self, AsrError> {
        route_native_logs_to_tracing();
        let started = Instant::now();
        let rules = to_whisper_rules(&grammar)?;
        let info = inspect_model_file(path)?;
        let native = GrammarRecognizer::load(path, LoadOptions::default())
            .map_err(|e| AsrError::Load { path: path.display().to_string(), reason: e.to_string() })?;
        let load_ms = started.elapsed().as_secs_f64() * 1000.0;
        tracing::info!(load_ms, rules = rules.len(), "speech model loaded with the command grammar");
        Ok(Self { native, grammar, rules, penalty: DEFAULT_GRAMMAR_PENALTY, info, path: path.to_path_buf(), load_ms })
    }

    /// Compiles the templates below `templates` (with `lists` for lists filled at run time)
    /// and loads the model.
    pub fn load_with_templates(
        path: &Path,
        templates: &Path,
        lists: &BTreeMap<String, Vec<ListValue>>,
    ) -> Result<Self, AsrError> {
        let grammar = CommandGrammar::from_dir(templates, lists)
            .map_err(|e| AsrError::InvalidOptions(format!("cannot compile the templates: {e}")))?;
        Self::load(path, grammar)
    }

    /// The rules transcripts follow.
    pub fn grammar(&self) -> &CommandGrammar {
        &self.grammar
    }

    /// Uses `penalty` instead of [`DEFAULT_GRAMMAR_PENALTY`] (finite, not negative).
    pub fn with_penalty(mut self, penalty: f32) -> Self {
        self.penalty = penalty;
        self
    }

    /// Header values of the loaded model.
    pub fn model_info(&self) -> &ModelInfo {
        &self.info
    }

    /// Time the rules and the model took to prepare, in milliseconds.
    pub fn load_ms(&self) -> f64 {
        self.load_ms
    }

    /// Number of grammar rules handed to whisper.cpp.
    pub fn rule_count(&self) -> usize {
        self.rules.len()
    }

    fn prompt_tokens(&self, prompt: Option<&str>) -> Result<Vec<i32>, AsrError> {
        prompt_tokens_with(prompt, |text, capacity| self.native.tokenize(text, capacity))
    }
}

impl Recognizer for GrammarWhisperRecognizer {
    #[tracing::instrument(skip_all, fields(samples = samples.len()))]
    fn transcribe(&self, samples: &[f32], opts: &TranscribeOptions) -> Result<Transcript, AsrError> {
        let started = Instant::now();
        let (audio_ms, input) = checked_input(samples, opts)?;
        let tokens = self.prompt_tokens(opts.initial_prompt.as_deref())?;
        let window = opts.window.frames_for(samples_to_ms(input.len()), self.info.n_audio_ctx);
        let language = if self.info.is_multilingual() { opts.language.as_deref() } else { Some("en") };
        // The end of text costs the penalty until the sentence is whole (whisper.cpp's grammar
        // alone lets the decoder stop in the middle of a name it was steered into).
        let must_continue = |text: &str| self.grammar.progress(text) == Progress::Unfinished;
        let decode = DecodeOptions {
            threads: u32::try_from(opts.threads).unwrap_or(1),
            language,
            prompt_tokens: &tokens,
            audio_ctx: window,
            timestamps: opts.timestamps,
            suppress_non_speech: opts.suppress_non_speech,
            max_tokens: opts.token_limit(audio_ms),
            temperature_fallback: opts.temperature_fallback,
            grammar: Some(&self.rules),
            grammar_penalty: self.penalty,
            must_continue: Some(&must_continue),
        };
        let setup_ms = started.elapsed().as_secs_f64() * 1000.0;
        let inference = Instant::now();
        let out = self.native.transcribe(&input, &decode).map_err(backend_error)?;
        let inference_ms = inference.elapsed().as_secs_f64() * 1000.0;

        let mut decoded = Decoded::default();
        for seg in out.segments {
            decoded.push(seg.text, (seg.t0, seg.t1), seg.no_speech_prob, seg.token_probs);
        }
        let timings =
            Timings { setup_ms, inference_ms, total_ms: 0.0, window_frames: window.unwrap_or(self.info.n_audio_ctx) };
        Ok(decoded.finish(opts, audio_ms, started, timings))
    }
}
