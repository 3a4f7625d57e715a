//! `holomesh understand`: audio files to intent and slots in one process (the speech
//! model, grammar and sentence-embedding model load once), with recognition steered
//! towards the grammar's words and names, as the voice pipeline does.

use super::{EXIT_USAGE, ExitCode};
use crate::app::{asr_options, load_recognizer};
use crate::config::Config;
use crate::nlu::cli::render_json;
use std::path::PathBuf;
use std::time::Instant;

pub fn run(
    config: &Config,
    grammars: Option<PathBuf>,
    lists: Option<PathBuf>,
    context_args: &[String],
    json: bool,
    files: &[PathBuf],
) -> anyhow::Result<ExitCode> {
    if files.is_empty() {
        eprintln!("holomesh understand: give one or more WAV files");
        return Ok(EXIT_USAGE);
    }
    let context = match super::intent::context(context_args) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("holomesh understand: {e}");
            return Ok(EXIT_USAGE);
        }
    };
    let engine = match super::intent::engine(config, grammars, lists) {
        Ok(e) => e,
        Err(e) => {
            eprintln!("holomesh understand: {e}");
            return Ok(EXIT_USAGE);
        }
    };
    super::models::ensure(config)?;
    let recognizer = load_recognizer(config)?;
    let mut options = asr_options(config);
    options.initial_prompt = Some(crate::voice::initial_prompt(&engine));
    options.second_prompt = Some(crate::voice::second_prompt(&engine));
    let mut code = 0;
    for file in files {
        let samples = match crate::asr::load_wav(file) {
            Ok(s) => s,
            Err(e) => {
                eprintln!("holomesh understand: {}: {e}", file.display());
                code = EXIT_USAGE;
                continue;
            }
        };
        let started = Instant::now();
        let heard =
            crate::voice::hear(recognizer.as_ref(), &samples, &options, |text| engine.recognize(text, &context))?;
        let (t, matched) = (heard.transcript, heard.reading);
        let nlu_ms = (started.elapsed().as_secs_f64() * 1000.0 - heard.asr_ms).max(0.0);
        if json {
            let mut line = render_json(matched.as_ref());
            if let Some(o) = line.as_object_mut() {
                o.insert("file".into(), file.display().to_string().into());
                o.insert("text".into(), t.text.trim().into());
                o.insert("audio_ms".into(), t.audio_ms.into());
                o.insert("asr_ms".into(), heard.asr_ms.into());
                o.insert("hearings".into(), heard.hearings.into());
                o.insert("nlu_ms".into(), ((nlu_ms * 100.0).round() / 100.0).into());
            }
            println!("{line}");
        } else {
            let understood = match &matched {
                Some(m) => format!("{} {}", m.intent, serde_json::to_string(&m.slots).unwrap_or_default()),
                None => "not understood".to_owned(),
            };
            println!("{}: {:?} → {understood}", file.display(), t.text.trim());
        }
    }
    Ok(code)
}
