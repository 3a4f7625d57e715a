//! The converted tiny.en model loads in whisper-rs and transcribes generated speech.
#![cfg(feature = "whisper")]
#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "asr_common/mod.rs"]
mod common;

use std::sync::Arc;

use holomesh::asr::{AsrError, AudioWindow, Recognizer, TranscribeOptions, WhisperRecognizer};

const PROMPT: &str = "Voice commands: subscribe to, unsubscribe from, show my orders, search, \
open cart, checkout. Names: Alice Chen, Bob Martin, Carol Diaz.";

use common::{speak, squashed};

#[test]
fn transcribes_spoken_commands() {
    let Some(model) = common::model_or_skip("transcribes_spoken_commands") else {
        return;
    };
    let rec = WhisperRecognizer::load(&model).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let tuned =
        TranscribeOptions { threads: 2, initial_prompt: Some(PROMPT.to_owned()), ..TranscribeOptions::default() };
    let cases: [(&str, &str, &[&str]); 4] = [
        ("subscribe to alice chen", "en-us", &["subscribe", "alice"]),
        ("subscribe to bob martin", "en-gb+f2", &["subscribe", "martin"]),
        ("what's new in the marketplace today", "en-us", &["marketplace", "today"]),
        ("find a low power microcontroller", "en-gb+m3", &["low", "power", "microcontroller"]),
    ];
    for (i, (text, voice, expected)) in cases.iter().enumerate() {
        let samples = speak(dir.path(), &format!("c{i}.wav"), text, voice, 160);
        let t = rec.transcribe(&samples, &tuned).unwrap();
        let got = squashed(&t.text);
        for w in *expected {
            assert!(got.contains(w), "{text:?} -> {:?}: missing {w:?}", t.text);
        }
        assert!(t.audio_ms > 1000 && t.audio_ms < 5000);
        assert!(t.avg_token_prob > 0.0 && t.avg_token_prob <= 1.0);
        assert!(t.timings.window_frames < 1500, "window {}", t.timings.window_frames);
        assert!(t.timings.total_ms >= t.timings.inference_ms);
        assert_eq!(t.segments.len(), 1);
    }
}

#[test]
fn a_prompt_longer_than_whisper_keeps_is_cut_not_misread() {
    let Some(model) = common::model_or_skip("a_prompt_longer_than_whisper_keeps_is_cut_not_misread") else {
        return;
    };
    let rec = WhisperRecognizer::load(&model).unwrap();
    let dir = tempfile::tempdir().unwrap();
    // About 350 tokens: a large catalog's names, more than whisper.cpp's 224 prompt tokens.
    let names: Vec<String> = (0..70).map(|i| format!("Designer{i} Name{i}")).collect();
    let prompt = format!("{PROMPT} {}", names.join(", "));
    assert!(prompt.len() < 2000);
    let opts = TranscribeOptions { threads: 2, initial_prompt: Some(prompt), ..TranscribeOptions::default() };
    let samples = speak(dir.path(), "p.wav", "subscribe to alice chen", "en-us", 160);
    let t = rec.transcribe(&samples, &opts).unwrap();
    // The prompt's beginning (which names Alice Chen) is what steers the spelling.
    assert!(squashed(&t.text).contains("subscribetoalicechen"), "{:?}", t.text);
}

#[test]
fn full_window_with_timestamps_and_shared_use() {
    let Some(model) = common::model_or_skip("full_window_with_timestamps_and_shared_use") else {
        return;
    };
    let rec = Arc::new(WhisperRecognizer::load(&model).unwrap());
    let dir = tempfile::tempdir().unwrap();
    let samples = Arc::new(speak(dir.path(), "a.wav", "open my cart", "en-us", 150));
    let opts =
        TranscribeOptions { threads: 1, window: AudioWindow::Full, timestamps: true, ..TranscribeOptions::default() };
    // Two threads share one model (each call gets its own decoder state).
    let handles: Vec<_> = (0..2)
        .map(|_| {
            let (rec, samples, opts) = (Arc::clone(&rec), Arc::clone(&samples), opts.clone());
            std::thread::spawn(move || rec.transcribe(&samples, &opts))
        })
        .collect();
    for h in handles {
        let t = h.join().unwrap().unwrap();
        assert!(squashed(&t.text).contains("open"), "{:?}", t.text);
        assert_eq!(t.timings.window_frames, 1500);
        assert!(t.segments.iter().all(|s| s.end_ms >= s.start_ms && s.end_ms <= t.audio_ms));
    }
}

#[test]
fn short_silent_and_bad_input() {
    let Some(model) = common::model_or_skip("short_silent_and_bad_input") else {
        return;
    };
    let rec = WhisperRecognizer::load(&model).unwrap();
    let opts = TranscribeOptions { threads: 2, ..TranscribeOptions::default() };
    assert!(matches!(rec.transcribe(&[], &opts), Err(AsrError::EmptyAudio)));
    // Under one second is padded rather than silently ignored by whisper.cpp.
    let t = rec.transcribe(&vec![0.0; 4000], &opts).unwrap();
    assert_eq!(t.audio_ms, 250);
    let bad = TranscribeOptions { threads: 0, ..opts.clone() };
    assert!(matches!(rec.transcribe(&[0.0; 16_000], &bad), Err(AsrError::InvalidOptions(_))));
    let nul = TranscribeOptions { initial_prompt: Some("a\0b".into()), ..opts };
    assert!(matches!(rec.transcribe(&[0.0; 16_000], &nul), Err(AsrError::InvalidOptions(_))));
}

#[test]
fn corrupt_model_is_a_typed_error() {
    let dir = tempfile::tempdir().unwrap();
    let garbage = dir.path().join("garbage.bin");
    std::fs::write(&garbage, vec![0x5au8; 4096]).unwrap();
    assert!(matches!(WhisperRecognizer::load(&garbage), Err(AsrError::Model(_))));
    assert!(matches!(WhisperRecognizer::load(&dir.path().join("absent.bin")), Err(AsrError::Model(_))));
    let Some(model) = common::model_or_skip("corrupt_model_is_a_typed_error (truncated part)") else {
        return;
    };
    let bytes = std::fs::read(&model).unwrap();
    let cut = dir.path().join("cut.bin");
    std::fs::write(&cut, &bytes[..bytes.len() - 4096]).unwrap();
    let err = WhisperRecognizer::load(&cut).unwrap_err();
    assert!(matches!(err, AsrError::Model(_)), "{err}");
    assert!(err.to_string().contains("truncated"), "{err}");
}
