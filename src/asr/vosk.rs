//! Vosk (Kaldi) backend via the `vosk` crate: the model directory is loaded once, decoders
//! are pooled, and decoding is optionally restricted to a phrase list (Vosk's grammar).
//!
//! libvosk.so comes from the PyPI `vosk` wheel (scripts/models/fetch_vosk.sh); build.rs links
//! against it. Models are directories (`am/final.mdl`, `conf/model.conf`, `graph/…`); only
//! models with a runtime graph (`graph/HCLr.fst` + `graph/Gr.fst`, the "small" ones) accept a
//! phrase list; with a static graph (`graph/HCLG.fst`) the list is ignored.

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::{Path, PathBuf};
use std::sync::{Mutex, Once, PoisonError};
use std::time::Instant;

use super::audio::{SAMPLE_RATE, samples_to_ms};
use super::phrases::{UNKNOWN_WORD, supports_phrase_list};
use super::recognizer::{AsrError, Recognizer, Segment, Timings, TranscribeOptions, Transcript};

/// Longest audio accepted in one call (10 minutes).
const MAX_AUDIO_MS: u64 = 10 * 60 * 1000;
/// Samples given to Vosk at a time (0.25 s); Vosk ends an utterance at a pause in between.
const CHUNK: usize = SAMPLE_RATE as usize / 4;
/// Idle decoders kept for reuse.
const MAX_POOLED: usize = 4;

/// A Vosk model in memory, shareable between threads.
pub struct VoskRecognizer {
    model: vosk::Model,
    /// The phrase list decoding is restricted to (`None`: the model's whole vocabulary).
    phrases: Option<Vec<String>>,
    pool: Mutex<Vec<Decoder>>,
    path: PathBuf,
    load_ms: f64,
}

impl std::fmt::Debug for VoskRecognizer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("VoskRecognizer")
            .field("path", &self.path)
            .field("phrases", &self.phrases.as_ref().map(Vec::len))
            .field("load_ms", &self.load_ms)
            .finish_non_exhaustive()
    }
}

/// A Vosk decoder and the samples it has been given: Vosk times words from a decoder's
/// creation, across resets.
struct Decoder {
    vosk: vosk::Recognizer,
    fed: usize,
}

/// Keep Kaldi's load-time messages off stderr (errors still print). Idempotent.
fn quiet_native_logs() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| vosk::set_log_level(vosk::LogLevel::Error));
}

impl VoskRecognizer {
    /// Loads the model directory `dir`, unrestricted.
    pub fn load(dir: &Path) -> Result<Self, AsrError> {
        Self::load_with_phrases(dir, None)
    }

    /// Loads the model directory `dir`. With `phrases`, decoding is restricted to them where
    /// the model allows: phrases with a word the model does not know are left out (logged),
    /// and [`UNKNOWN_WORD`] is added when the model has it, so speech outside the list is not
    /// forced onto it (it is removed from transcripts). With no usable phrase, or a model
    /// without a runtime graph, decoding is unrestricted (with a warning).
    #[tracing::instrument(skip_all, fields(path = %dir.display()))]
    pub fn load_with_phrases(dir: &Path, phrases: Option<&[String]>) -> Result<Self, AsrError> {
        let started = Instant::now();
        let load_err = |reason: String| AsrError::Load { path: dir.display().to_string(), reason };
        if !dir.join("am/final.mdl").is_file() {
            return Err(load_err(
                "not a Vosk model directory (no am/final.mdl): run `holomesh models fetch vosk-ko` for the \
                 Korean model, or unpack a model from the Vosk project there and set asr.vosk_model"
                    .into(),
            ));
        }
        let path = dir.to_str().ok_or_else(|| load_err("the path is not valid UTF-8".into()))?;
        quiet_native_logs();
        let mut model = vosk::Model::new(path).ok_or_else(|| load_err("Vosk could not load the model".into()))?;
        let phrases = match phrases {
            Some(list) if supports_phrase_list(dir) => known_phrases(&mut model, list),
            Some(_) => {
                tracing::warn!("this Vosk model has no runtime graph (graph/HCLr.fst): the phrase list is ignored");
                None
            }
            None => None,
        };
        let first = new_decoder(&model, phrases.as_deref()).ok_or_else(|| load_err("no decoder".into()))?;
        let load_ms = started.elapsed().as_secs_f64() * 1000.0;
        tracing::info!(load_ms, phrases = phrases.as_ref().map_or(0, Vec::len), "Vosk model loaded");
        Ok(Self { model, phrases, pool: Mutex::new(vec![first]), path: dir.to_path_buf(), load_ms })
    }

    /// The phrase list in force (with [`UNKNOWN_WORD`] when the model has it), or `None`
    /// when unrestricted.
    pub fn phrases(&self) -> Option<&[String]> {
        self.phrases.as_deref()
    }

    /// Time the model took to load, in milliseconds.
    pub fn load_ms(&self) -> f64 {
        self.load_ms
    }

    fn take_decoder(&self) -> Result<Decoder, AsrError> {
        let pooled = self.pool.lock().unwrap_or_else(PoisonError::into_inner).pop();
        match pooled {
            Some(decoder) => Ok(decoder),
            None => new_decoder(&self.model, self.phrases.as_deref())
                .ok_or_else(|| AsrError::Backend("Vosk could not create a decoder".into())),
        }
    }

    fn return_decoder(&self, mut decoder: Decoder) {
        decoder.vosk.reset();
        let mut pool = self.pool.lock().unwrap_or_else(PoisonError::into_inner);
        if pool.len() < MAX_POOLED {
            pool.push(decoder);
        }
    }
}

fn new_decoder(model: &vosk::Model, phrases: Option<&[String]>) -> Option<Decoder> {
    let mut decoder = match phrases {
        Some(list) => vosk::Recognizer::new_with_grammar(model, SAMPLE_RATE as f32, list)?,
        None => vosk::Recognizer::new(model, SAMPLE_RATE as f32)?,
    };
    decoder.set_words(true);
    Some(Decoder { vosk: decoder, fed: 0 })
}

/// The phrases of `list` whose every word the model knows, normalised (lower case, single
/// spaces, no quotes), plus [`UNKNOWN_WORD`] when the model has it; `None` when none is left.
fn known_phrases(model: &mut vosk::Model, list: &[String]) -> Option<Vec<String>> {
    let mut kept: Vec<String> = Vec::new();
    let mut unknown: Vec<&str> = Vec::new();
    for phrase in list {
        let clean: String = phrase.chars().filter(|c| !matches!(c, '"' | '\\')).flat_map(char::to_lowercase).collect();
        let words: Vec<&str> = clean.split_whitespace().collect();
        let missing: Vec<&str> = words.iter().copied().filter(|w| model.find_word(w).is_none()).collect();
        if words.is_empty() || words == [UNKNOWN_WORD] {
            continue;
        }
        if missing.is_empty() {
            kept.push(words.join(" "));
        } else if unknown.len() < 20 {
            unknown.push(phrase);
        }
    }
    if !unknown.is_empty() {
        tracing::info!(left_out = ?unknown, "phrases with words the Vosk model does not know are left out");
    }
    if kept.is_empty() {
        tracing::warn!(
            phrases = list.len(),
            "the Vosk model knows none of the phrase list's words: recognition is not restricted"
        );
        return None;
    }
    kept.sort();
    kept.dedup();
    if model.find_word(UNKNOWN_WORD).is_some() {
        kept.push(UNKNOWN_WORD.to_owned());
    }
    Some(kept)
}

/// 16-bit PCM for Vosk: clipped, non-finite samples silenced.
fn to_pcm16(samples: &[f32]) -> Vec<i16> {
    samples
        .iter()
        .map(|&s| if s.is_finite() { (s.clamp(-1.0, 1.0) * f32::from(i16::MAX)).round() as i16 } else { 0 })
        .collect()
}

/// One utterance as Vosk finished it: its words with start and end (seconds into the call's
/// audio) and confidence.
#[derive(Debug, Default)]
struct Utterance {
    words: Vec<(String, f64, f64, f32)>,
}

impl Utterance {
    /// The words of `result`, their times moved back by `offset_s`.
    fn of(result: vosk::CompleteResult<'_>, offset_s: f64) -> Self {
        let word = |w: &str, start: f32, end: f32, conf: f32| {
            (w.to_owned(), f64::from(start) - offset_s, f64::from(end) - offset_s, conf)
        };
        let words = match result {
            vosk::CompleteResult::Single(r) => r.result.iter().map(|w| word(w.word, w.start, w.end, w.conf)).collect(),
            vosk::CompleteResult::Multiple(r) => r
                .alternatives
                .first()
                .map(|a| a.result.iter().map(|w| word(w.word, w.start, w.end, a.confidence)).collect())
                .unwrap_or_default(),
        };
        Self { words }
    }
}

/// Runs `pcm` through `decoder`: the utterances Vosk found, the last one flushed.
fn decode(decoder: &mut Decoder, pcm: &[i16]) -> Result<Vec<Utterance>, AsrError> {
    let offset_s = decoder.fed as f64 / f64::from(SAMPLE_RATE);
    let mut out = Vec::new();
    for chunk in pcm.chunks(CHUNK) {
        let state = decoder.vosk.accept_waveform(chunk).map_err(|e| AsrError::Backend(e.to_string()))?;
        decoder.fed += chunk.len();
        match state {
            vosk::DecodingState::Finalized => out.push(Utterance::of(decoder.vosk.result(), offset_s)),
            vosk::DecodingState::Running => {}
            vosk::DecodingState::Failed => return Err(AsrError::Backend("Vosk failed to decode the audio".into())),
        }
    }
    out.push(Utterance::of(decoder.vosk.final_result(), offset_s));
    Ok(out)
}

impl Recognizer for VoskRecognizer {
    /// Transcribes with Vosk. Of the options only `threads`' check applies: Vosk decodes on
    /// the calling thread, and takes neither a prompt nor a language (the model has one).
    #[tracing::instrument(skip_all, fields(samples = samples.len()))]
    fn transcribe(&self, samples: &[f32], opts: &TranscribeOptions) -> Result<Transcript, AsrError> {
        let started = Instant::now();
        opts.validate()?;
        if samples.is_empty() {
            return Err(AsrError::EmptyAudio);
        }
        let audio_ms = samples_to_ms(samples.len());
        if audio_ms > MAX_AUDIO_MS {
            return Err(AsrError::AudioTooLong { ms: audio_ms, max_ms: MAX_AUDIO_MS });
        }
        let pcm = to_pcm16(samples);
        let mut decoder = self.take_decoder()?;
        let setup_ms = started.elapsed().as_secs_f64() * 1000.0;
        let inference = Instant::now();
        // The crate panics on a result it cannot parse; that must not take the caller down.
        let utterances = catch_unwind(AssertUnwindSafe(|| decode(&mut decoder, &pcm)))
            .map_err(|_| AsrError::Backend("Vosk returned a result that could not be read".into()))??;
        let inference_ms = inference.elapsed().as_secs_f64() * 1000.0;
        self.return_decoder(decoder);
        Ok(assemble(utterances, audio_ms, started, setup_ms, inference_ms))
    }
}

/// The transcript of `utterances`: one segment each, [`UNKNOWN_WORD`] left out, the mean word
/// confidence as `avg_token_prob`; `no_speech_prob` is 1 when no word was heard, else 0.
fn assemble(
    utterances: Vec<Utterance>,
    audio_ms: u64,
    started: Instant,
    setup_ms: f64,
    inference_ms: f64,
) -> Transcript {
    let ms = |s: f64| ((s * 1000.0).max(0.0).round() as u64).min(audio_ms);
    let (mut conf_sum, mut conf_n) = (0.0f64, 0usize);
    let mut segments = Vec::new();
    for u in utterances {
        let words: Vec<_> = u.words.iter().filter(|w| w.0 != UNKNOWN_WORD).collect();
        let (Some(first), Some(last)) = (words.first(), words.last()) else { continue };
        for w in &words {
            conf_sum += f64::from(w.3);
            conf_n += 1;
        }
        let text = words.iter().map(|w| w.0.as_str()).collect::<Vec<_>>().join(" ");
        segments.push(Segment { text, start_ms: ms(first.1), end_ms: ms(last.2) });
    }
    let text = segments.iter().map(|s| s.text.as_str()).collect::<Vec<_>>().join(" ");
    let total_ms = started.elapsed().as_secs_f64() * 1000.0;
    tracing::debug!(audio_ms, total_ms, "transcribed with Vosk");
    Transcript {
        no_speech_prob: if text.is_empty() { 1.0 } else { 0.0 },
        text,
        segments,
        avg_token_prob: if conf_n == 0 { 0.0 } else { (conf_sum / conf_n as f64) as f32 },
        timings: Timings { setup_ms, inference_ms, total_ms, window_frames: 0 },
        audio_ms,
    }
}
