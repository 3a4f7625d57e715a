//! Endpointing on generated speech: commands separated by silence come out one by one.
#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "asr_common/mod.rs"]
mod common;

use holomesh::asr::audio::load_wav;
use holomesh::asr::vad::{EndpointConfig, EndpointEvent, Endpointer, split_utterances};

const COMMANDS: [&str; 3] = ["subscribe to alice chen", "show my orders", "search for a risc-v core"];

/// Three spoken commands with 1 s of silence between them (and 0.5 s around), at 16 kHz.
fn recording() -> (Vec<f32>, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let mut parts = Vec::new();
    for (i, text) in COMMANDS.iter().enumerate() {
        let p = dir.path().join(format!("c{i}.wav"));
        common::espeak(text, if i == 1 { "en-gb+f2" } else { "en-us" }, 160, &p);
        parts.push(p.to_str().unwrap().to_owned());
    }
    let silence = dir.path().join("silence.wav");
    common::run("sox", &["-n", "-r", "22050", "-c", "1", "-b", "16", silence.to_str().unwrap(), "trim", "0", "1.0"]);
    let s = silence.to_str().unwrap();
    let out = dir.path().join("all.wav");
    let args =
        [parts[0].as_str(), s, parts[1].as_str(), s, parts[2].as_str(), out.to_str().unwrap(), "pad", "0.5", "0.5"];
    common::run("sox", &args);
    (load_wav(&out).unwrap(), dir)
}

#[test]
fn three_commands_give_three_utterances() {
    let (samples, _dir) = recording();
    let utterances = split_utterances(&samples, &EndpointConfig::default());
    assert_eq!(
        utterances.len(),
        3,
        "utterances at {:?}",
        utterances.iter().map(|u| (u.start_ms, u.end_ms)).collect::<Vec<_>>()
    );
    let mut prev_end = 0;
    for u in &utterances {
        assert!(u.start_ms >= prev_end, "overlap");
        assert!(u.speech_ms >= 500, "speech {} ms", u.speech_ms);
        assert_eq!(u.samples.len() as u64 / 16, u.end_ms - u.start_ms);
        assert!(!u.truncated);
        prev_end = u.end_ms;
    }
    // The first command starts 0.5 s in; pre-roll may reach back 0.2 s at most.
    assert!((250..=650).contains(&utterances[0].start_ms), "start {}", utterances[0].start_ms);
}

#[test]
fn streaming_in_small_chunks_matches_whole_buffer() {
    let (samples, _dir) = recording();
    let whole = split_utterances(&samples, &EndpointConfig::default());
    let mut ep = Endpointer::new(EndpointConfig::default());
    let mut starts = 0;
    let mut streamed = Vec::new();
    for chunk in samples.chunks(333) {
        for event in ep.push(chunk) {
            match event {
                EndpointEvent::SpeechStarted { .. } => starts += 1,
                EndpointEvent::Utterance(u) => streamed.push(u),
                EndpointEvent::Discarded { .. } => {}
            }
        }
    }
    streamed.extend(ep.finish());
    assert_eq!(streamed, whole);
    assert!(starts >= 3);
}

#[test]
fn silence_and_noise_bursts_give_nothing() {
    let silence = vec![0.0f32; 16_000 * 3];
    assert!(split_utterances(&silence, &EndpointConfig::default()).is_empty());
    // A 30 ms click in silence is below min_speech_ms even if the detector fires.
    let mut click = vec![0.0f32; 16_000 * 2];
    for (i, s) in click[16_000..16_480].iter_mut().enumerate() {
        *s = if i % 2 == 0 { 0.9 } else { -0.9 };
    }
    assert!(split_utterances(&click, &EndpointConfig::default()).is_empty());
}

#[test]
fn long_speech_is_cut_at_max_length() {
    let (samples, _dir) = recording();
    let cfg = EndpointConfig { max_utterance_ms: 800, ..EndpointConfig::default() };
    let utterances = split_utterances(&samples, &cfg);
    assert!(utterances.len() > 3, "{} utterances", utterances.len());
    assert!(utterances.iter().all(|u| u.end_ms - u.start_ms <= 816));
    assert!(utterances.iter().any(|u| u.truncated));
}
