//! `holomesh say`, `transcribe` and `listen`: the voice pipeline from the command line.

use super::{EXIT_USAGE, ExitCode};
use crate::api::AppState;
use crate::asr::{EndpointConfig, EndpointEvent, Endpointer, Recognizer, TranscribeOptions};
use crate::config::Config;
use crate::domain::{Email, NewUser, Role, User, VoiceSource};
use crate::market::Market;
use crate::store::StoreError;
use crate::voice::{PipelineParts, VoiceOutcome, VoicePipeline};
use anyhow::Context;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// E-mail of the local default user when `voice.user` is empty.
pub const LOCAL_USER: &str = "me@holomesh.local";

/// The account the daemon acts as: the owner of `voice.token` when one is set (a
/// revoked token stops the daemon), else `voice.user`, else the local default user
/// (created once).
pub async fn voice_user(state: &AppState) -> anyhow::Result<User> {
    let token = state.config.voice.token.expose().trim();
    if !token.is_empty() {
        return match state.store.device_token_user(&crate::api::device_auth::hash_token(token)).await {
            Ok(u) => Ok(u),
            Err(StoreError::NotFound) => {
                anyhow::bail!("voice.token is unknown or revoked; create one with `holomesh token create`")
            }
            Err(e) => Err(e.into()),
        };
    }
    let email = if state.config.voice.user.trim().is_empty() { LOCAL_USER } else { state.config.voice.user.trim() };
    match state.store.user_by_email(email).await {
        Ok(u) => Ok(u),
        Err(StoreError::NotFound) if email == LOCAL_USER => {
            let new = NewUser {
                email: Email::parse(LOCAL_USER)?,
                display_name: "You".into(),
                role: Role::User,
                password_hash: None,
            };
            Ok(state.store.create_user(&new).await?)
        }
        Err(StoreError::NotFound) => anyhow::bail!("voice.user {email} has no account; create it first"),
        Err(e) => Err(e.into()),
    }
}

pub fn market_of(state: &AppState) -> anyhow::Result<Market> {
    Ok(state.market.clone())
}

/// Loads the configured Whisper model once (grammar-constrained when `asr.grammar` is set).
pub fn load_recognizer(config: &Config) -> anyhow::Result<Arc<dyn Recognizer>> {
    if config.asr.grammar && !cfg!(feature = "grammar") {
        anyhow::bail!(
            "asr.grammar = true needs a build with grammar-constrained decoding \
             (cargo build --features grammar); or set asr.grammar = false"
        );
    }
    let path = super::models::ensure(config)?;
    #[cfg(feature = "grammar")]
    if config.asr.grammar {
        let grammars = super::intent::default_grammars();
        let r = crate::asr::grammar_whisper::GrammarWhisperRecognizer::load_with_templates(
            &path,
            &grammars,
            &Default::default(),
        )
        .with_context(|| format!("cannot load {} with the grammar of {}", path.display(), grammars.display()))?;
        return Ok(Arc::new(r));
    }
    let r = crate::asr::WhisperRecognizer::load(&path).with_context(|| format!("cannot load {}", path.display()))?;
    Ok(Arc::new(r))
}

pub fn asr_options(config: &Config) -> TranscribeOptions {
    TranscribeOptions { threads: config.asr_threads(), ..TranscribeOptions::default() }
}

fn engine(config: &Config) -> anyhow::Result<crate::nlu::Engine> {
    let options = crate::nlu::EngineOptions {
        default_currency: config.market.currency.clone(),
        ..crate::nlu::EngineOptions::default()
    };
    let grammars = super::intent::default_grammars();
    crate::nlu::cli::build_engine(&grammars, None, options)
        .with_context(|| format!("cannot load the grammars in {}", grammars.display()))
}

/// Pipelines for every user of a server, sharing the model and grammar.
pub fn hub(state: &AppState, recognizer: Option<Arc<dyn Recognizer>>) -> anyhow::Result<crate::voice::VoiceHub> {
    Ok(crate::voice::VoiceHub::new(
        market_of(state)?,
        engine(&state.config)?,
        recognizer,
        asr_options(&state.config),
        Arc::new(state.config.field_cipher()?),
        Duration::from_secs(60),
    ))
}

/// Builds the pipeline for the configured user, with name lists loaded from the store.
pub async fn pipeline(state: &AppState, recognizer: Option<Arc<dyn Recognizer>>) -> anyhow::Result<Arc<VoicePipeline>> {
    let engine = engine(&state.config)?;
    let user = voice_user(state).await?;
    let pipeline = Arc::new(VoicePipeline::new(PipelineParts {
        market: market_of(state)?,
        engine,
        recognizer,
        asr_options: asr_options(&state.config),
        cipher: Arc::new(state.config.field_cipher()?),
        user,
        confirm_window: Duration::from_secs(60),
    }));
    pipeline.refresh_lists().await?;
    Ok(pipeline)
}

pub fn print_outcome(o: &VoiceOutcome, json: bool) {
    if json {
        println!("{}", serde_json::to_string(&o.command).unwrap_or_default());
    } else {
        println!("{}", o.reply);
    }
}

/// Speaks a reply through espeak-ng (when the daemon owns a speaker).
pub async fn speak(text: &str) {
    let run = tokio::process::Command::new("espeak-ng").args(["-v", "en-us", "-s", "165"]).arg(text).status().await;
    if let Err(e) = run {
        tracing::warn!(error = %e, "cannot speak the reply: is espeak-ng installed?");
    }
}

pub async fn say(config: Config, text: &str, json: bool, speak_reply: bool) -> anyhow::Result<ExitCode> {
    let state = super::serve::open(&config).await?;
    let p = pipeline(&state, None).await?;
    let outcome = p.handle_text(VoiceSource::Transcript, text).await?;
    print_outcome(&outcome, json);
    if speak_reply {
        speak(&outcome.reply).await;
    }
    Ok(0)
}

pub fn transcribe(config: &Config, files: &[PathBuf], json: bool) -> anyhow::Result<ExitCode> {
    if files.is_empty() {
        eprintln!("holomesh transcribe: give one or more WAV files");
        return Ok(EXIT_USAGE);
    }
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

/// `holomesh listen --file X.wav`: the file stands in for the microphone.
pub async fn listen(
    config: Config,
    file: Option<PathBuf>,
    realtime: bool,
    speak_replies: bool,
    max_seconds: Option<f64>,
) -> anyhow::Result<ExitCode> {
    let samples = match &file {
        Some(f) => match crate::asr::load_wav(f) {
            Ok(s) => Some(s),
            Err(e) => {
                eprintln!("holomesh listen: {}: {e}", f.display());
                return Ok(EXIT_USAGE);
            }
        },
        None => None,
    };
    #[cfg(not(feature = "mic"))]
    if samples.is_none() {
        let _ = max_seconds;
        eprintln!(
            "holomesh listen: this build has no microphone input (build with `--features mic`); \
             use --file X.wav to use a recording as the microphone"
        );
        return Ok(EXIT_USAGE);
    }
    let state = super::serve::open(&config).await?;
    let p = pipeline(&state, Some(load_recognizer(&config)?)).await?;
    let _refresher = p.spawn_list_refresher();
    match (samples, file) {
        (Some(samples), Some(file)) => run_stream(&p, &samples, realtime, speak_replies, &file).await?,
        #[cfg(feature = "mic")]
        _ => return run_mic(&p, &config.voice.device, speak_replies, max_seconds).await,
        #[cfg(not(feature = "mic"))]
        _ => {}
    }
    Ok(0)
}

/// Listens to the microphone until SIGTERM/Ctrl-C (or `max_seconds` of audio).
#[cfg(feature = "mic")]
async fn run_mic(
    p: &VoicePipeline,
    device: &str,
    speak_replies: bool,
    max_seconds: Option<f64>,
) -> anyhow::Result<ExitCode> {
    let (_capture, mut blocks) = match crate::daemon::mic::start(device) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("holomesh listen: {e}");
            return Ok(EXIT_USAGE);
        }
    };
    eprintln!("Listening. Say \"help\" to hear what you can say; Ctrl-C stops.");
    let mut endpointer = Endpointer::new(EndpointConfig::default());
    let mut resampler: Option<(u32, crate::asr::stream_resample::LinearResampler)> = None;
    let mut heard = 0usize;
    let mut stop = std::pin::pin!(crate::api::shutdown_signal());
    loop {
        let block = tokio::select! {
            () = &mut stop => break,
            b = blocks.recv() => match b { Some(b) => b, None => break },
        };
        let r = match &mut resampler {
            Some((rate, r)) if *rate == block.rate => r,
            slot => {
                &mut slot.insert((block.rate, crate::asr::stream_resample::LinearResampler::new(block.rate, 16_000))).1
            }
        };
        let mut chunk = Vec::with_capacity(block.samples.len());
        r.push(&block.samples, &mut chunk);
        heard += chunk.len();
        for event in endpointer.push(&chunk) {
            if let EndpointEvent::Utterance(u) = event {
                handle_utterance(p, u.samples, speak_replies).await;
            }
        }
        if max_seconds.is_some_and(|m| heard as f64 / 16_000.0 >= m) {
            break;
        }
    }
    if let Some(u) = endpointer.finish() {
        handle_utterance(p, u.samples, speak_replies).await;
    }
    Ok(0)
}

async fn run_stream(
    p: &VoicePipeline,
    samples: &[f32],
    realtime: bool,
    speak_replies: bool,
    file: &Path,
) -> anyhow::Result<()> {
    let mut endpointer = Endpointer::new(EndpointConfig::default());
    let frame = 1600; // 100 ms
    let mut stop = std::pin::pin!(crate::api::shutdown_signal());
    for chunk in samples.chunks(frame) {
        if realtime {
            tokio::select! {
                () = &mut stop => return Ok(()),
                () = tokio::time::sleep(Duration::from_millis(100)) => {}
            }
        }
        for event in endpointer.push(chunk) {
            if let EndpointEvent::Utterance(u) = event {
                handle_utterance(p, u.samples, speak_replies).await;
            }
        }
    }
    if let Some(u) = endpointer.finish() {
        handle_utterance(p, u.samples, speak_replies).await;
    }
    tracing::info!(file = %file.display(), "end of recording");
    Ok(())
}

async fn handle_utterance(p: &VoicePipeline, samples: Vec<f32>, speak_reply: bool) {
    match p.handle_audio(VoiceSource::Mic, samples).await {
        Ok(o) => {
            if speak_reply {
                speak(&o.reply).await;
            }
            println!(
                "[{}] heard {:?} → {} ({}) — {}",
                o.command.status,
                o.command.transcript,
                o.command.intent.as_deref().unwrap_or("no intent"),
                o.command.timings.asr.unwrap_or(0),
                o.reply
            )
        }
        Err(e) => eprintln!("holomesh listen: {e}"),
    }
}
