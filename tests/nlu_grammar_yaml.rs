//! Runs the Home Assistant-format YAML tests in `grammars/tests/en` against `grammars/en`.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use holomesh::nlu;

use nlu::cli::build_engine;
use nlu::testfile::{TestCase, check_case, load_test_file};
use nlu::{Engine, EngineOptions};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn engine() -> Engine {
    let r = root();
    build_engine(
        Some(&r.join("grammars/en")),
        Some(&r.join("grammars/tests/en/_fixtures.yaml")),
        EngineOptions::default(),
    )
    .expect("marketplace grammar compiles")
}

fn cases() -> Vec<TestCase> {
    let dir = root().join("grammars/tests/en");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .expect("tests dir")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e == "yaml"))
        .filter(|p| !p.ends_with("_fixtures.yaml"))
        .collect();
    files.sort();
    files.iter().flat_map(|f| load_test_file(Path::new(f)).expect("test file parses")).collect()
}

#[test]
fn every_yaml_test_sentence_passes() {
    let engine = engine();
    let cases = cases();
    assert!(cases.len() > 300, "only {} cases", cases.len());
    let failures: Vec<String> = cases.iter().filter_map(|c| check_case(&engine, c, true).err()).collect();
    assert!(failures.is_empty(), "{} of {} failed:\n{}", failures.len(), cases.len(), failures.join("\n"));
}

#[test]
fn every_intent_has_at_least_fifteen_sentences() {
    let mut per_intent: BTreeMap<String, usize> = BTreeMap::new();
    let mut no_match = 0;
    for c in cases() {
        match c.intent {
            Some(i) => *per_intent.entry(i).or_default() += 1,
            None => no_match += 1,
        }
    }
    let expected = [
        "SubscribeToDesigner",
        "UnsubscribeFromDesigner",
        "SetAutoPurchase",
        "SetPriceLimit",
        "SetNotificationFrequency",
        "BuyChip",
        "BuyLatestChip",
        "ListNewChips",
        "SearchChips",
        "PurchaseHistory",
        "WalletBalance",
        "ListSubscriptions",
        "RateDesigner",
        "SetPreference",
        "Confirm",
        "Cancel",
        "Undo",
        "Help",
        "Repeat",
    ];
    for name in expected {
        let n = per_intent.get(name).copied().unwrap_or(0);
        assert!(n >= 15, "{name} has only {n} test sentences");
    }
    assert!(no_match >= 30, "only {no_match} must-not-match sentences");
}
