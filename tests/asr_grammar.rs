//! Grammar-constrained recognition of spoken commands with the real model: the transcripts
//! name the right designer and chip, and follow the command grammar.
#![cfg(feature = "grammar")]
#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "asr_common/mod.rs"]
mod common;

use common::squashed;

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Arc;

use holomesh::asr::gbnf::CommandGrammar;
use holomesh::asr::grammar_whisper::GrammarWhisperRecognizer;
use holomesh::asr::{AsrError, Recognizer, TranscribeOptions};
use holomesh::nlu::ListValue;

const PROMPT: &str = "Voice commands for the chip design marketplace: search, buy, subscribe to, \
unsubscribe from, show my orders, cancel, price under, dollars. Names: Alice Chen, Bob Martin, Carol Diaz.";

fn command_grammar() -> CommandGrammar {
    let mut lists = BTreeMap::new();
    let designers = ["Alice Chen", "Bob Martin", "Carol Diaz"].map(ListValue::plain).to_vec();
    lists.insert("designer".to_owned(), designers);
    lists.insert("chip".to_owned(), ["UART Controller", "SPI Flash Controller"].map(ListValue::plain).to_vec());
    CommandGrammar::from_dir(&Path::new(env!("CARGO_MANIFEST_DIR")).join("grammars/en"), &lists).unwrap()
}

#[test]
fn spoken_commands_follow_the_grammar() {
    let Some(model) = common::model_or_skip("spoken_commands_follow_the_grammar") else {
        return;
    };
    let grammar = command_grammar();
    let rec: Arc<dyn Recognizer> = Arc::new(GrammarWhisperRecognizer::load(&model, grammar.clone()).unwrap());
    let dir = tempfile::tempdir().unwrap();
    let opts =
        TranscribeOptions { threads: 2, initial_prompt: Some(PROMPT.to_owned()), ..TranscribeOptions::default() };
    // The plain decoder hears the second one as "Console."
    let cases: [(&str, &str, u32, &[&str]); 3] = [
        ("subscribe to alice chen", "en-us", 175, &["subscribe", "alicechen"]),
        ("cancel", "en-gb+m3", 160, &["cancel"]),
        ("set my budget to forty dollars", "en-us+f2", 170, &["setmybudget"]),
    ];
    // All at once: the recognizer is shared between threads.
    let handles: Vec<_> = cases
        .iter()
        .enumerate()
        .map(|(i, &(text, voice, speed, _))| {
            let samples = common::speak(dir.path(), &format!("c{i}.wav"), text, voice, speed);
            let (rec, opts) = (Arc::clone(&rec), opts.clone());
            std::thread::spawn(move || rec.transcribe(&samples, &opts))
        })
        .collect();
    for (handle, (text, _, _, expected)) in handles.into_iter().zip(cases) {
        let t = handle.join().unwrap().unwrap();
        let got = squashed(&t.text);
        for w in expected {
            assert!(got.contains(w), "{text:?} -> {:?}: missing {w:?}", t.text);
        }
        assert!(grammar.accepts(&t.text), "{text:?} -> {:?} is outside the grammar", t.text);
        assert!(t.timings.window_frames < 1500, "window {}", t.timings.window_frames);
        assert!(t.avg_token_prob > 0.0 && t.avg_token_prob <= 1.0);
    }
}

#[test]
fn bad_model_and_bad_input_are_typed_errors() {
    let grammar = command_grammar();
    let dir = tempfile::tempdir().unwrap();
    let garbage = dir.path().join("garbage.bin");
    std::fs::write(&garbage, vec![0x5au8; 4096]).unwrap();
    assert!(matches!(GrammarWhisperRecognizer::load(&garbage, grammar.clone()), Err(AsrError::Model(_))));
    let Some(model) = common::model_or_skip("bad_model_and_bad_input_are_typed_errors (model part)") else {
        return;
    };
    let rec = GrammarWhisperRecognizer::load(&model, grammar).unwrap();
    let opts = TranscribeOptions { threads: 2, ..TranscribeOptions::default() };
    assert!(matches!(rec.transcribe(&[], &opts), Err(AsrError::EmptyAudio)));
    let nul = TranscribeOptions { initial_prompt: Some("a\0b".into()), ..opts.clone() };
    assert!(matches!(rec.transcribe(&[0.0; 16_000], &nul), Err(AsrError::InvalidOptions(_))));
    // A prompt over whisper.cpp's 224 tokens (a large catalog's names) is cut, not refused.
    let names: Vec<String> = (0..70).map(|i| format!("Designer{i} Name{i}")).collect();
    let long = TranscribeOptions { initial_prompt: Some(names.join(", ")), ..opts.clone() };
    assert!(rec.transcribe(&[0.0; 16_000], &long).is_ok());
    let rec = rec.with_penalty(f32::NAN);
    assert!(matches!(rec.transcribe(&[0.0; 16_000], &opts), Err(AsrError::InvalidOptions(_))));
}
