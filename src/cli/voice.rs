//! `holomesh say` and `transcribe`: the voice pipeline from the command line.

use super::{EXIT_USAGE, ExitCode};
use crate::app::{App, Speech, asr_options, load_recognizer};
use crate::config::Config;
use crate::domain::VoiceSource;
use crate::voice::VoiceOutcome;
use std::path::PathBuf;
use std::time::Instant;

pub fn print_outcome(o: &VoiceOutcome, json: bool) {
    if json {
        println!("{}", serde_json::to_string(&o.command).unwrap_or_default());
    } else {
        println!("{}", o.reply);
    }
}

pub async fn say(config: Config, text: &str, json: bool, speak_reply: bool) -> anyhow::Result<ExitCode> {
    let app = App::build(&config, Speech::Off).await?;
    let p = app.voice.pipeline_for(&app.voice_user().await?).await?;
    let outcome = p.handle_text(VoiceSource::Transcript, text).await?;
    print_outcome(&outcome, json);
    if speak_reply {
        crate::daemon::speak(&outcome.reply).await;
    }
    Ok(0)
}

pub fn transcribe(config: &Config, files: &[PathBuf], json: bool) -> anyhow::Result<ExitCode> {
    if files.is_empty() {
        eprintln!("holomesh transcribe: give one or more WAV files");
        return Ok(EXIT_USAGE);
    }
    super::models::ensure(config)?;
    let recognizer = load_recognizer(config)?;
    let options = asr_options(config);
    let mut code = 0;
    for file in files {
        let started = Instant::now();
        let samples = match crate::asr::load_wav(file) {
            Ok(s) => s,
            Err(e) => {
                eprintln!("holomesh transcribe: {}: {e}", file.display());
                code = EXIT_USAGE;
                continue;
            }
        };
        let t = recognizer.transcribe(&samples, &options)?;
        let total_ms = started.elapsed().as_millis();
        if json {
            let line = serde_json::json!({
                "file": file.display().to_string(),
                "text": t.text,
                "audio_ms": t.audio_ms,
                "asr_ms": t.timings.total_ms,
                "total_ms": total_ms,
                "avg_token_prob": t.avg_token_prob,
                "no_speech_prob": t.no_speech_prob,
                "segments": t.segments.iter().map(|s| serde_json::json!({
                    "text": s.text, "start_ms": s.start_ms, "end_ms": s.end_ms,
                })).collect::<Vec<_>>(),
            });
            println!("{line}");
        } else {
            println!("{}: {}", file.display(), t.text.trim());
        }
    }
    Ok(code)
}
