//! Tolerant understanding on the project's grammar: approximate matching of whole
//! templates (extra, missing and misheard words; slots of every type read tolerantly),
//! the confidence of each reading, and comparison by meaning for phrasings no template
//! covers (when the sentence-embedding model has been fetched; `scripts/test.sh` does).

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};

use holomesh::nlu::{self, Context, Engine, EngineOptions, Match, MatchStatus, SlotValue};
use serde_json::json;

fn plain() -> Engine {
    static E: OnceLock<Engine> = OnceLock::new();
    E.get_or_init(|| {
        let root = Path::new(env!("CARGO_MANIFEST_DIR"));
        nlu::cli::build_engine(
            Some(&root.join("grammars/en")),
            Some(&root.join("grammars/tests/en/_fixtures.yaml")),
            EngineOptions::default(),
        )
        .unwrap()
    })
    .clone()
}

fn models_dir() -> PathBuf {
    if let Some(d) = std::env::var_os("HOLOMESH_MODELS_DIR") {
        return PathBuf::from(d);
    }
    let data = std::env::var_os("XDG_DATA_HOME")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(std::env::var_os("HOME").unwrap_or_default()).join(".local/share"));
    data.join("holomesh/models")
}

/// The grammar comparing by meaning, or `None` (after saying so) without the model.
fn meaning(test: &str) -> Option<Engine> {
    static E: OnceLock<Option<Engine>> = OnceLock::new();
    let e = E
        .get_or_init(|| {
            let embedder = holomesh::embed::Embedder::load(&holomesh::embed::model_dir(&models_dir())).ok()?;
            let mut e = plain();
            e.attach_meaning(Arc::new(embedder), Some(Path::new(env!("CARGO_TARGET_TMPDIR")))).unwrap();
            Some(e)
        })
        .clone();
    if e.is_none() {
        assert!(std::env::var_os("HOLOMESH_REQUIRE_MODELS").is_none(), "a model is missing (scripts/models/)");
        println!("SKIPPED {test}: no sentence-embedding model (scripts/models/fetch_minilm.sh)");
    }
    e
}

fn read(engine: &Engine, text: &str) -> Option<Match> {
    engine.recognize(text, &Context::new())
}

fn slots(m: &Match) -> serde_json::Value {
    serde_json::to_value(&m.slots).unwrap()
}

#[test]
fn extra_missing_and_misheard_words_still_find_the_template() {
    let e = plain();
    let cases = [
        (
            "could you like maybe subscribe to alice chen for me thanks",
            "SubscribeToDesigner",
            json!({"designer": "alice-chen"}),
        ),
        ("by the sky130 pll", "BuyChip", json!({"chip": "Sky130 PLL"})),
        (
            "notify me weakly about priya patel",
            "SetNotificationFrequency",
            json!({"designer": "priya-patel", "frequency": "weekly"}),
        ),
        (
            "cap priya patel at fifty box",
            "SetPriceLimit",
            json!({"designer": "priya-patel", "max_price": {"amount_minor": 5000, "currency": "USD"}}),
        ),
    ];
    for (text, intent, want) in cases {
        let m = read(&e, text).unwrap_or_else(|| panic!("{text:?} not understood"));
        assert_eq!((m.intent.as_str(), slots(&m)), (intent, want), "{text:?}");
        assert_eq!(m.status, MatchStatus::Approximate, "{text:?}");
        assert!(m.confidence >= EngineOptions::default().accept && m.confidence < 1.0, "{text:?}: {}", m.confidence);
    }
}

#[test]
fn confidence_falls_with_every_word_that_does_not_fit() {
    let e = plain();
    let exact = read(&e, "subscribe to alice chen").unwrap();
    assert_eq!((exact.status, exact.confidence), (MatchStatus::Exact, 1.0));
    let mut last = 1.0;
    for text in [
        "subscribe to alice chen banana",
        "subscribe to alice chen banana pancake",
        "subscribe to alice chen banana pancake tractor",
    ] {
        let m = e.best_reading(text, &Context::new()).unwrap();
        assert_eq!(m.intent, "SubscribeToDesigner", "{text:?}");
        assert!(m.confidence < last, "{text:?}: {} not below {last}", m.confidence);
        last = m.confidence;
    }
}

#[test]
fn below_the_acceptance_threshold_nothing_is_understood() {
    let e = plain();
    for text in [
        "what is the weather in paris",
        "the quick brown fox jumps over the lazy dog",
        "order a pizza with extra cheese",
    ] {
        let m = read(&e, text);
        assert!(m.is_none(), "{text:?} was read as {m:?}");
        if let Some(weak) = e.best_reading(text, &Context::new()) {
            assert!(weak.confidence < EngineOptions::default().accept, "{text:?}: {weak:?}");
        }
    }
}

#[test]
fn a_faint_likeness_to_a_name_is_no_near_miss() {
    let e = plain();
    // A near miss asks "did you mean…"; a sentence about something else is not asked about.
    assert!(read(&e, "buy a pizza with extra cheese and olives").is_none());
    let near = read(&e, "subscribe to alise chan").expect("close enough to ask about");
    assert!(matches!(near.status, MatchStatus::NearMiss | MatchStatus::Fuzzy | MatchStatus::Approximate), "{near:?}");
}

#[test]
fn phrasings_no_template_covers_are_understood_by_meaning() {
    let Some(e) = meaning("phrasings_no_template_covers_are_understood_by_meaning") else { return };
    let cases = [
        ("what have I got left in my account", "WalletBalance", json!({})),
        ("show the designers I'm following", "ListSubscriptions", json!({})),
        (
            "I'd love to keep up with what Priya Patel is making",
            "SubscribeToDesigner",
            json!({"designer": "priya-patel"}),
        ),
    ];
    for (text, intent, want) in cases {
        let m = read(&e, text).unwrap_or_else(|| panic!("{text:?} not understood"));
        assert_eq!((m.intent.as_str(), slots(&m)), (intent, want), "{text:?}: {m:?}");
        assert!(m.confidence >= EngineOptions::default().accept);
    }
}

#[test]
fn a_self_correction_keeps_the_value_said_last() {
    let Some(e) = meaning("a_self_correction_keeps_the_value_said_last") else { return };
    let m = read(&e, "rate Carol Diaz four, no wait, make it five stars").expect("understood");
    assert_eq!(m.intent, "RateDesigner");
    assert_eq!(m.slots.get("rating"), Some(&SlotValue::Rating(5)), "{m:?}");
}

#[test]
fn sentences_that_are_no_command_are_not_understood_by_meaning_either() {
    let Some(e) = meaning("sentences_that_are_no_command_are_not_understood_by_meaning_either") else { return };
    for text in [
        "what's the capital of peru",
        "switch on the hallway light",
        "Alice Chen gave a great talk yesterday",
        "how are microchips manufactured",
        "put some reggae on",
    ] {
        let m = read(&e, text);
        assert!(m.is_none(), "{text:?} was read as {m:?}");
    }
}

#[test]
fn a_free_text_slot_does_not_swallow_another_command() {
    let Some(e) = meaning("a_free_text_slot_does_not_swallow_another_command") else { return };
    let m = read(&e, "show me who I'm following").expect("understood");
    assert_eq!(m.intent, "ListSubscriptions", "{m:?}");
    let m = read(&e, "show me low power adcs").expect("understood");
    assert_eq!(m.intent, "SearchChips", "{m:?}");
}

#[test]
fn a_sentence_that_fits_two_intents_equally_names_both() {
    let yaml = "language: en\nintents:\n  Louder:\n    data:\n      - sentences: [\"play the kitchen music louder\"]\n  \
                Softer:\n    data:\n      - sentences: [\"play the kitchen music softer\"]\n";
    let mut grammar = nlu::Grammar::default();
    grammar.add_document(&nlu::yaml::parse_str(yaml, Path::new("t.yaml")).unwrap(), Path::new("t.yaml")).unwrap();
    let e = Engine::new(&grammar, EngineOptions::default()).unwrap();
    // Neither template matches exactly; the closest readings are one of each intent.
    let m = read(&e, "play the kitchen music").expect("read");
    let rival = m.rival.as_ref().expect("the other reading is offered");
    let mut both = [m.intent.as_str(), rival.intent.as_str()];
    both.sort_unstable();
    assert_eq!(both, ["Louder", "Softer"]);
    // A sentence that says which is meant is no tie.
    let m = read(&e, "play the kitchen music louder please").expect("read");
    assert_eq!((m.intent.as_str(), m.rival.is_none()), ("Louder", true));
}
