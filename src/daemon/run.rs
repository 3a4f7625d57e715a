//! The daemon loop: sound from the microphone (or a recording standing in for it)
//! is resampled to 16 kHz, split into utterances by voice activity detection, and
//! each utterance runs through the user's pipeline; replies are printed and, when
//! asked, spoken.

use super::speak;
use crate::asr::{EndpointConfig, EndpointEvent, Endpointer};
use crate::domain::VoiceSource;
use crate::shutdown;
use crate::voice::VoicePipeline;
use std::path::Path;
use std::time::Duration;

/// Listens to the microphone until SIGTERM/Ctrl-C (or `max_seconds` of audio).
#[cfg(feature = "mic")]
pub async fn run_mic(
    p: &VoicePipeline,
    device: &str,
    speak_replies: bool,
    max_seconds: Option<f64>,
) -> Result<(), String> {
    let (_capture, mut blocks) = super::mic::start(device).map_err(|e| e.to_string())?;
    eprintln!("Listening. Say \"help\" to hear what you can say; Ctrl-C stops.");
    let mut endpointer = Endpointer::new(EndpointConfig::default());
    let mut resampler: Option<(u32, crate::asr::stream_resample::LinearResampler)> = None;
    let mut heard = 0usize;
    let mut stop = std::pin::pin!(shutdown::signal());
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
    Ok(())
}

pub async fn run_recording(
    p: &VoicePipeline,
    samples: &[f32],
    realtime: bool,
    speak_replies: bool,
    file: &Path,
) -> Result<(), crate::voice::VoiceError> {
    let mut endpointer = Endpointer::new(EndpointConfig::default());
    let frame = 1600; // 100 ms
    let mut stop = std::pin::pin!(shutdown::signal());
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
