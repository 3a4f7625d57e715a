//! Vosk benchmark: one configuration per run over a manifest of WAV clips.
//!
//! usage: vosk_bench MODEL_DIR MANIFEST CONFIG
//!   MANIFEST: lines of `path<TAB>reference text`
//!   CONFIG:   open (the model's whole vocabulary) | phrases (decoding restricted to the words
//!             of the manifest's references plus DISTRACTORS, as Vosk's phrase list)
//! Prints one tab-separated result line (see `HEADER`) and, with VOSK_BENCH_VERBOSE=1, each
//! transcript. Korean has no reliable word spacing in transcripts, so accuracy is counted on
//! characters with spaces removed: `cer` is the character error rate, `exact` the share of
//! clips heard exactly.
#![forbid(unsafe_code)]

use std::time::Instant;

use holomesh::asr::{Recognizer, TranscribeOptions, VoskRecognizer, load_wav};

const HEADER: &str = "config\tclips\tmean_ms\tmax_ms\trtf\tcer\texact\tload_ms";

/// Words in the phrase list that no clip says, so the restriction has something to reject.
const DISTRACTORS: [&str; 8] = ["여보세요", "좋아요", "오늘", "내일", "컴퓨터", "학교", "시작", "확인"];

fn main() {
    if let Err(err) = run() {
        eprintln!("error: {err}");
        std::process::exit(2);
    }
}

fn run() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [model, manifest, config] = args.as_slice() else {
        return Err("usage: vosk_bench MODEL_DIR MANIFEST open|phrases".into());
    };
    let clips: Vec<(String, String)> = std::fs::read_to_string(manifest)?
        .lines()
        .filter_map(|l| l.split_once('\t'))
        .map(|(p, t)| (p.to_owned(), t.to_owned()))
        .collect();
    let phrases: Option<Vec<String>> = match config.as_str() {
        "open" => None,
        "phrases" => {
            let mut words: Vec<String> = clips.iter().flat_map(|c| c.1.split_whitespace().map(str::to_owned)).collect();
            words.extend(DISTRACTORS.iter().map(|w| (*w).to_owned()));
            Some(words)
        }
        other => return Err(format!("unknown config {other:?}: open or phrases").into()),
    };
    let started = Instant::now();
    let rec = VoskRecognizer::load_with_phrases(std::path::Path::new(model), phrases.as_deref())?;
    let load_ms = started.elapsed().as_secs_f64() * 1000.0;
    let opts = TranscribeOptions { threads: 1, ..TranscribeOptions::default() };
    let verbose = std::env::var_os("VOSK_BENCH_VERBOSE").is_some();
    let (mut total_ms, mut max_ms, mut audio_ms, mut errors, mut chars, mut exact) = (0.0f64, 0.0f64, 0u64, 0, 0, 0);
    for (path, reference) in &clips {
        let samples = load_wav(std::path::Path::new(path))?;
        let t = rec.transcribe(&samples, &opts)?;
        total_ms += t.timings.total_ms;
        max_ms = max_ms.max(t.timings.total_ms);
        audio_ms += t.audio_ms;
        let (want, got) = (squash(reference), squash(&t.text));
        errors += edit_distance(&want, &got);
        chars += want.len();
        exact += usize::from(want == got);
        if verbose {
            eprintln!("{config}\t{:.0} ms\t{reference}\t→ {}", t.timings.total_ms, t.text);
        }
    }
    let n = clips.len().max(1);
    println!("{HEADER}");
    println!(
        "{config}\t{}\t{:.0}\t{:.0}\t{:.3}\t{:.3}\t{:.2}\t{:.0}",
        clips.len(),
        total_ms / n as f64,
        max_ms,
        total_ms / audio_ms.max(1) as f64,
        errors as f64 / chars.max(1) as f64,
        exact as f64 / n as f64,
        load_ms
    );
    Ok(())
}

fn squash(text: &str) -> Vec<char> {
    text.chars().filter(|c| c.is_alphanumeric()).collect()
}

fn edit_distance(a: &[char], b: &[char]) -> usize {
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.iter().enumerate() {
        let mut cur = vec![i + 1; b.len() + 1];
        for (j, cb) in b.iter().enumerate() {
            cur[j + 1] = (prev[j] + usize::from(ca != cb)).min(prev[j + 1] + 1).min(cur[j] + 1);
        }
        prev = cur;
    }
    prev[b.len()]
}
