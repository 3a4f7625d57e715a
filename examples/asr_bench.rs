//! Speech recognition benchmark: one configuration per run over a manifest of WAV clips.
//!
//! usage: asr_bench MODEL MANIFEST CONFIG [THREADS]
//!   MANIFEST: lines of `path<TAB>reference text`
//!   CONFIG:   default | tuned | tuned-noprompt | fit:<margin_ms>:<min_frames>[:prompt]
//! Prints one tab-separated result line (see `HEADER`) and, with ASR_BENCH_VERBOSE=1,
//! each transcript.
#![forbid(unsafe_code)]

use std::path::Path;
use std::time::Instant;

use holomesh::asr::{AudioWindow, Recognizer, TranscribeOptions, WhisperRecognizer, load_wav};

const HEADER: &str = "config\tclips\tmean_ms\tp90_ms\trtf\twer\tpeak_rss_mb\tload_ms";

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

fn parse_config(name: &str, threads: usize) -> Result<TranscribeOptions, String> {
    let tuned =
        TranscribeOptions { threads, initial_prompt: Some(COMMAND_PROMPT.to_owned()), ..TranscribeOptions::default() };
    Ok(match name {
        "default" => TranscribeOptions { threads, ..TranscribeOptions::baseline() },
        "tuned" => tuned,
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
    let recognizer = WhisperRecognizer::load(Path::new(model)).map_err(|e| e.to_string())?;
    // Warm-up: first call allocates buffers.
    recognizer.transcribe(&clips[0].2, &opts).map_err(|e| e.to_string())?;

    let (mut errors, mut ref_words) = (0usize, 0usize);
    let (mut total_ms, mut audio_ms) = (0.0f64, 0.0f64);
    let mut times = Vec::new();
    for (path, reference, samples) in &clips {
        let started = Instant::now();
        let t = recognizer.transcribe(samples, &opts).map_err(|e| e.to_string())?;
        let ms = started.elapsed().as_secs_f64() * 1000.0;
        let (hyp, refw) = (words(&t.text), words(reference));
        let dist = edit_distance(&refw, &hyp);
        errors += dist;
        ref_words += refw.len();
        total_ms += ms;
        audio_ms += t.audio_ms as f64;
        times.push(ms);
        if verbose {
            eprintln!(
                "{config}\t{ms:6.0} ms\twin {}\terr {dist}\t{path}\t{reference:?} -> {:?}",
                t.timings.window_frames, t.text
            );
        }
    }
    times.sort_by(f64::total_cmp);
    let p90 = times[(times.len() * 9 / 10).min(times.len() - 1)];
    if std::env::var_os("ASR_BENCH_HEADER").is_some() {
        println!("{HEADER}");
    }
    println!(
        "{config}\t{}\t{:.0}\t{:.0}\t{:.3}\t{:.3}\t{:.0}\t{:.0}",
        clips.len(),
        total_ms / clips.len() as f64,
        p90,
        total_ms / audio_ms.max(1.0),
        errors as f64 / ref_words.max(1) as f64,
        peak_rss_mb(),
        recognizer.load_ms()
    );
    Ok(())
}
