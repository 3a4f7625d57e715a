//! Speech recognition benchmark: one configuration per run over a manifest of WAV clips.
//!
//! usage: asr_bench MODEL MANIFEST CONFIG [THREADS]
//!   MANIFEST: lines of `path<TAB>reference text`
//!   CONFIG:   default | tuned | tuned-noprompt | fit:<margin_ms>:<min_frames>[:prompt]
//!             | grammar[:PENALTY][:nofb] (tuned + decoding constrained to grammars/en, names
//!               known; PENALTY is what a refused token loses, by default the recognizer's;
//!               100, whisper.cpp's default, makes the grammar absolute; nofb turns the
//!               temperature fallback off)
//!             | grammar-open[:PENALTY][:nofb] (empty name lists, as `asr.grammar = true` runs)
//!             Any of them with `:tpsN` appended allows N tokens per second of audio
//!             (`TranscribeOptions::tokens_per_second`; tps0 leaves only `max_tokens`).
//! Prints one tab-separated result line (see `HEADER`) and, with ASR_BENCH_VERBOSE=1,
//! each transcript. `wer_in` counts only clips whose reference the intent grammar
//! understands; `cmd_ok` is the share of clips whose transcript gives the same intent and
//! slots as the reference (or, like it, none).
#![forbid(unsafe_code)]

use std::collections::BTreeMap;
use std::path::Path;
use std::time::Instant;

use holomesh::asr::{AudioWindow, Recognizer, TranscribeOptions, WhisperRecognizer, load_wav};
use holomesh::nlu::{Engine, ListValue};

const HEADER: &str = "config\tclips\tmean_ms\tp90_ms\trtf\twer\twer_in\tcmd_ok\tpeak_rss_mb\tload_ms";

/// Names the spoken commands use, given to the intent engine and the grammar.
const DESIGNERS: [&str; 3] = ["Alice Chen", "Bob Martin", "Carol Diaz"];
const CHIPS: [&str; 4] = ["UART Controller", "SPI Flash Controller", "Ethernet Core", "RISC-V Core"];

/// The vocabulary of the voice commands, used as the decoder prompt when tuned.
pub const COMMAND_PROMPT: &str = "Voice commands for the chip design marketplace: search, buy, \
subscribe to, unsubscribe from, show my orders, list designs, open cart, checkout, cancel, \
price under, dollars, RISC-V core, FPGA, UART, SPI, PCIe, Alice Chen, Bob Martin, Carol Diaz.";

fn main() {
    if let Err(err) = run() {
        eprintln!("error: {err}");
        std::process::exit(2);
    }
}

fn parse_config(full_name: &str, threads: usize) -> Result<TranscribeOptions, String> {
    // `NAME:tpsN` runs NAME with N tokens per second of audio (0: only `max_tokens`).
    let (name, tps) = match full_name.rsplit_once(":tps") {
        Some((base, n)) => (base, Some(n.parse::<u32>().map_err(|_| format!("bad tokens per second in {full_name}"))?)),
        None => (full_name, None),
    };
    let mut opts = parse_base_config(name, threads)?;
    if let Some(tps) = tps {
        opts.tokens_per_second = tps;
    }
    Ok(opts)
}

fn parse_base_config(name: &str, threads: usize) -> Result<TranscribeOptions, String> {
    let tuned =
        TranscribeOptions { threads, initial_prompt: Some(COMMAND_PROMPT.to_owned()), ..TranscribeOptions::default() };
    Ok(match name {
        "default" => TranscribeOptions { threads, ..TranscribeOptions::baseline() },
        "tuned" => tuned,
        g if grammar_config(g).is_some() => TranscribeOptions { temperature_fallback: !g.ends_with(":nofb"), ..tuned },
        "tuned-noprompt" => TranscribeOptions { initial_prompt: None, ..tuned },
        "default-prompt" => TranscribeOptions {
            threads,
            initial_prompt: Some(COMMAND_PROMPT.to_owned()),
            ..TranscribeOptions::baseline()
        },
        other => {
            let parts: Vec<&str> = other.split(':').collect();
            match parts.as_slice() {
                ["fit", margin, min, rest @ ..] => TranscribeOptions {
                    window: AudioWindow::Fit {
                        margin_ms: margin.parse().map_err(|_| format!("bad margin in {other}"))?,
                        min_frames: min.parse().map_err(|_| format!("bad min frames in {other}"))?,
                    },
                    initial_prompt: if rest.contains(&"prompt") { tuned.initial_prompt.clone() } else { None },
                    temperature_fallback: !rest.contains(&"nofb"),
                    collapse_repeats: !rest.contains(&"nocollapse"),
                    ..tuned
                },
                _ => return Err(format!("unknown config {other}")),
            }
        }
    })
}

const UNITS: [&str; 20] = [
    "zero",
    "one",
    "two",
    "three",
    "four",
    "five",
    "six",
    "seven",
    "eight",
    "nine",
    "ten",
    "eleven",
    "twelve",
    "thirteen",
    "fourteen",
    "fifteen",
    "sixteen",
    "seventeen",
    "eighteen",
    "nineteen",
];
const TENS: [&str; 10] = ["", "", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"];

/// Spell out 0..=99 (and "$N" as "N dollars") so "$20" and "twenty dollars" compare equal.
fn spell_numbers(text: &str) -> String {
    let mut out = Vec::new();
    for raw in text.split_whitespace() {
        let token = raw.trim_matches(|c: char| c.is_ascii_punctuation() && c != '$');
        let (dollar, digits) = match token.strip_prefix('$') {
            Some(rest) => (true, rest.trim_end_matches(".00")),
            None => (false, token),
        };
        match digits.parse::<usize>() {
            Ok(n) if n < 100 => {
                if n < 20 {
                    out.push(UNITS[n].to_owned());
                } else {
                    out.push(TENS[n / 10].to_owned());
                    if n % 10 != 0 {
                        out.push(UNITS[n % 10].to_owned());
                    }
                }
                if dollar {
                    out.push("dollars".to_owned());
                }
            }
            _ => out.push(raw.to_owned()),
        }
    }
    out.join(" ")
}

fn words(text: &str) -> Vec<String> {
    spell_numbers(text)
        .split_whitespace()
        .map(|w| {
            w.chars().filter(|c| c.is_alphanumeric() || *c == '\'').flat_map(char::to_lowercase).collect::<String>()
        })
        .filter(|w| !w.is_empty())
        .collect()
}

/// Word-level Levenshtein distance.
fn edit_distance(a: &[String], b: &[String]) -> usize {
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, wa) in a.iter().enumerate() {
        let mut cur = vec![i + 1; b.len() + 1];
        for (j, wb) in b.iter().enumerate() {
            let sub = prev[j] + usize::from(wa != wb);
            cur[j + 1] = sub.min(prev[j + 1] + 1).min(cur[j] + 1);
        }
        prev = cur;
    }
    prev[b.len()]
}

fn peak_rss_mb() -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|kb| kb.parse::<f64>().ok())
        })
        .map_or(0.0, |kb| kb / 1024.0)
}

fn name_lists(known: bool) -> BTreeMap<String, Vec<ListValue>> {
    let list = |names: &[&str]| if known { names.iter().map(|n| ListValue::plain(*n)).collect() } else { Vec::new() };
    BTreeMap::from([("designer".to_owned(), list(&DESIGNERS)), ("chip".to_owned(), list(&CHIPS))])
}

fn grammars_dir() -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("grammars/en")
}

/// `grammar[-open][:PENALTY][:nofb]`: whether the names are known, and the penalty.
fn grammar_config(config: &str) -> Option<(bool, Option<f32>)> {
    let mut parts = config.trim_end_matches(":nofb").split(':');
    let known = match parts.next() {
        Some("grammar") => true,
        Some("grammar-open") => false,
        _ => return None,
    };
    let penalty = match parts.next() {
        Some(p) => Some(p.parse().ok()?),
        None => None,
    };
    parts.next().is_none().then_some((known, penalty))
}

/// The recognizer a configuration needs and its load time in milliseconds.
fn load(model: &Path, config: &str) -> Result<(Box<dyn Recognizer>, f64), String> {
    if let Some((known, penalty)) = grammar_config(config) {
        return load_grammar(model, known, penalty);
    }
    let r = WhisperRecognizer::load(model).map_err(|e| e.to_string())?;
    let ms = r.load_ms();
    Ok((Box::new(r), ms))
}

#[cfg(feature = "grammar")]
fn load_grammar(model: &Path, known_names: bool, penalty: Option<f32>) -> Result<(Box<dyn Recognizer>, f64), String> {
    use holomesh::asr::grammar_whisper::{DEFAULT_GRAMMAR_PENALTY, GrammarWhisperRecognizer};
    let r = GrammarWhisperRecognizer::load_with_templates(model, &grammars_dir(), &name_lists(known_names))
        .map_err(|e| e.to_string())?
        .with_penalty(penalty.unwrap_or(DEFAULT_GRAMMAR_PENALTY));
    let ms = r.load_ms();
    Ok((Box::new(r), ms))
}

#[cfg(not(feature = "grammar"))]
fn load_grammar(_model: &Path, _known: bool, _penalty: Option<f32>) -> Result<(Box<dyn Recognizer>, f64), String> {
    Err("the grammar configurations need `--features grammar`".into())
}

/// Intent and slots of a sentence (`None` when the grammar does not understand it).
fn command(engine: &Engine, text: &str) -> Option<String> {
    let m = engine.recognize(text, &Default::default())?;
    Some(format!("{} {}", m.intent, serde_json::to_string(&m.slots).unwrap_or_default()))
}

fn run() -> Result<(), String> {
    let args: Vec<String> = std::env::args().collect();
    let [_, model, manifest, config, rest @ ..] = args.as_slice() else {
        return Err("usage: asr_bench MODEL MANIFEST CONFIG [THREADS]".into());
    };
    let threads = match rest.first() {
        Some(t) => t.parse().map_err(|_| format!("bad thread count {t}"))?,
        None => 2,
    };
    let opts = parse_config(config, threads)?;
    let verbose = std::env::var_os("ASR_BENCH_VERBOSE").is_some();
    let text = std::fs::read_to_string(manifest).map_err(|e| format!("{manifest}: {e}"))?;
    let mut clips = Vec::new();
    for line in text.lines().filter(|l| !l.trim().is_empty()) {
        let (path, reference) = line.split_once('\t').ok_or_else(|| format!("bad manifest line: {line}"))?;
        let samples = load_wav(Path::new(path)).map_err(|e| e.to_string())?;
        clips.push((path.to_owned(), reference.to_owned(), samples));
    }
    if clips.is_empty() {
        return Err("empty manifest".into());
    }
    let mut engine = Engine::from_dir(&grammars_dir()).map_err(|e| e.to_string())?;
    for (name, values) in name_lists(true) {
        engine.set_list(&name, values);
    }
    let base_config = config.rsplit_once(":tps").map_or(config.as_str(), |(base, _)| base);
    let (recognizer, load_ms) = load(Path::new(model), base_config)?;
    // Warm-up: first call allocates buffers.
    recognizer.transcribe(&clips[0].2, &opts).map_err(|e| e.to_string())?;

    let (mut errors, mut ref_words, mut errors_in, mut ref_words_in, mut cmd_ok) = (0usize, 0usize, 0usize, 0usize, 0);
    let (mut total_ms, mut audio_ms) = (0.0f64, 0.0f64);
    let mut times = Vec::new();
    for (path, reference, samples) in &clips {
        let started = Instant::now();
        let t = recognizer.transcribe(samples, &opts).map_err(|e| e.to_string())?;
        let ms = started.elapsed().as_secs_f64() * 1000.0;
        let (hyp, refw) = (words(&t.text), words(reference));
        let dist = edit_distance(&refw, &hyp);
        let wanted = command(&engine, reference);
        let same = command(&engine, &t.text) == wanted;
        errors += dist;
        ref_words += refw.len();
        if wanted.is_some() {
            errors_in += dist;
            ref_words_in += refw.len();
        }
        cmd_ok += usize::from(same);
        total_ms += ms;
        audio_ms += t.audio_ms as f64;
        times.push(ms);
        if verbose {
            let (win, cmd) = (t.timings.window_frames, if same { "cmd ok" } else { "cmd BAD" });
            eprintln!("{config}\t{ms:6.0} ms\twin {win}\terr {dist}\t{cmd}\t{path}\t{reference:?} -> {:?}", t.text);
        }
    }
    times.sort_by(f64::total_cmp);
    let p90 = times[(times.len() * 9 / 10).min(times.len() - 1)];
    if std::env::var_os("ASR_BENCH_HEADER").is_some() {
        println!("{HEADER}");
    }
    println!(
        "{config}\t{}\t{:.0}\t{:.0}\t{:.3}\t{:.3}\t{:.3}\t{:.2}\t{:.0}\t{:.0}",
        clips.len(),
        total_ms / clips.len() as f64,
        p90,
        total_ms / audio_ms.max(1.0),
        errors as f64 / ref_words.max(1) as f64,
        errors_in as f64 / ref_words_in.max(1) as f64,
        cmd_ok as f64 / clips.len() as f64,
        peak_rss_mb(),
        load_ms
    );
    Ok(())
}
