//! Engine behaviour: load errors, dynamic lists, context, tolerance and JSON shape.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::Path;

use holomesh::nlu;

use nlu::cli::{render_json, run_intent};
use nlu::yaml::parse_str;
use nlu::{Context, Engine, EngineOptions, Grammar, ListValue, MatchStatus, NluError, SlotValue};
use serde_json::json;

fn grammar(text: &str) -> Result<Grammar, NluError> {
    let mut g = Grammar::default();
    g.add_document(&parse_str(text, Path::new("t.yaml"))?, Path::new("t.yaml"))?;
    Ok(g)
}

fn engine(text: &str) -> Result<Engine, NluError> {
    Engine::new(&grammar(text)?, EngineOptions::default())
}

fn marketplace() -> Engine {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    nlu::cli::build_engine(
        Some(&root.join("grammars/en")),
        Some(&root.join("grammars/tests/en/_fixtures.yaml")),
        EngineOptions::default(),
    )
    .unwrap()
}

#[test]
fn template_syntax_error_names_file_line_and_columns() {
    let err = engine("language: en\nintents:\n  A:\n    data:\n      - sentences:\n          - \"turn (on|off\"\n")
        .unwrap_err();
    let msg = err.to_string();
    assert!(matches!(err, NluError::Template { .. }), "{msg}");
    assert!(msg.contains("t.yaml:6:14"), "{msg}");
    assert!(msg.contains("template column 6"), "{msg}");
}

#[test]
fn unknown_list_rule_cycle_and_never_matching_templates_fail_to_load() {
    let e = engine("intents:\n  A:\n    data:\n      - sentences: [\"buy {thing}\"]\n").unwrap_err();
    assert!(matches!(e, NluError::UnknownList { ref name, column: 5, .. } if name == "thing"), "{e}");
    let e = engine("intents:\n  A:\n    data:\n      - sentences: [\"go <nowhere>\"]\n").unwrap_err();
    assert!(matches!(e, NluError::UnknownRule { .. }), "{e}");
    let e = engine(
        "expansion_rules:\n  a: \"x <b>\"\n  b: \"y <a>\"\nintents:\n  A:\n    data:\n      - sentences: [\"<a>\"]\n",
    )
    .unwrap_err();
    assert!(matches!(e, NluError::RuleCycle { ref chain, .. } if chain.contains("a -> b -> a")), "{e}");
    let e = engine("intents:\n  A:\n    data:\n      - sentences: [\"[ ]\"]\n").unwrap_err();
    assert!(matches!(e, NluError::NeverMatches { .. }), "{e}");
    let e = engine("intents:\n  A:\n    data:\n      - sentences: [\"set {5..1:n}\"]\n").unwrap_err();
    assert!(matches!(e, NluError::NeverMatches { .. }), "{e}");
    let e = engine("intents: [\n").unwrap_err();
    assert!(matches!(e, NluError::Yaml { .. }), "{e}");
}

#[test]
fn char_level_templates_ranges_and_permutations() {
    let e = engine(
        r#"
lists:
  name: {values: [{in: "kitchen light", out: light.kitchen}]}
  level: {range: {from: 0, to: 100}}
intents:
  On:
    data:
      - sentences: ["turn(s|ed) on [the] light[s]", "(turn on;the {name})"]
  Set:
    data:
      - sentences: ["set [the] {name} to {level}[%| percent]", "dim to {1..10:step}"]
"#,
    )
    .unwrap();
    let ctx = Context::new();
    for s in ["turned on the lights", "turns on light", "Turn on, the kitchen light!", "the kitchen light turn on"] {
        assert_eq!(e.recognize(s, &ctx).map(|m| m.intent), Some("On".into()), "{s}");
    }
    let m = e.recognize("set the kitchen light to 50%", &ctx).unwrap();
    assert_eq!(m.slots["level"], SlotValue::number(50.0));
    assert_eq!(m.slots["name"].to_json(), json!("light.kitchen"));
    let m = e.recognize("set kitchen-light to fifty percent", &ctx).unwrap();
    assert_eq!(m.slots["level"], SlotValue::number(50.0));
    assert_eq!(e.recognize("dim to seven", &ctx).unwrap().slots["step"], SlotValue::number(7.0));
    assert!(e.recognize("dim to eleven", &ctx).is_none());
    assert!(e.recognize("turnon the lights", &ctx).is_none());
}

#[test]
fn dynamic_lists_replace_values_without_recompiling() {
    let mut e = marketplace();
    let ctx = Context::new();
    assert!(e.recognize("follow grace hopper", &ctx).is_none_or(|m| m.status != MatchStatus::Exact));
    assert!(e.set_list("designer", vec![ListValue::new("Grace Hopper", "grace")]));
    let m = e.recognize("follow grace hopper", &ctx).unwrap();
    assert_eq!(m.slots["designer"], SlotValue::Handle("grace".into()));
    assert!(!e.set_list("no_such_list", vec![]));
}

#[test]
fn context_requirements_and_value_context() {
    let e = engine(
        r#"
lists:
  name:
    values:
      - {in: "lamp", out: lamp, context: {domain: light}}
      - {in: "fan", out: fan, context: {domain: fan}}
intents:
  LightOn:
    data:
      - sentences: ["turn on {name}"]
        requires_context: {domain: light}
  Here:
    data:
      - sentences: ["turn on here"]
        requires_context: {area: {slot: true}}
        excludes_context: {mode: [away, vacation]}
"#,
    )
    .unwrap();
    let mut ctx = Context::new();
    assert!(e.recognize("turn on lamp", &ctx).is_some());
    assert!(e.recognize("turn on fan", &ctx).is_none());
    assert!(e.recognize("turn on here", &ctx).is_none());
    ctx.insert("area".into(), json!("Kitchen"));
    let m = e.recognize("turn on here", &ctx).unwrap();
    assert_eq!(m.slots["area"].to_json(), json!("Kitchen"));
    ctx.insert("mode".into(), json!("away"));
    assert!(e.recognize("turn on here", &ctx).is_none());
}

#[test]
fn misheard_names_resolve_or_return_candidates() {
    let e = marketplace();
    let ctx = Context::new();
    let m = e.recognize("subscribe to Alice Ken", &ctx).unwrap();
    assert_eq!(m.status, MatchStatus::Fuzzy);
    assert_eq!(m.slots["designer"], SlotValue::Handle("alice-chen".into()));
    assert!(m.confidence < 1.0 && m.confidence >= 0.72);
    let m = e.recognize("rate carl dias four stars", &ctx).unwrap();
    assert_eq!(m.slots["designer"], SlotValue::Handle("carol-diaz".into()));
    assert_eq!(m.slots["rating"], SlotValue::Rating(4));
    let m = e.recognize("follow rob", &ctx).unwrap();
    assert_eq!(m.status, MatchStatus::NearMiss);
    assert!(!m.slots.contains_key("designer"));
    assert_eq!(m.alternatives[0].value, Some(SlotValue::Handle("bob".into())));
}

#[test]
fn cli_json_shape() {
    let e = marketplace();
    let (out, code) =
        run_intent(&e, "subscribe to Alice Chen and buy anything new under fifty dollars", &Context::new(), true);
    assert_eq!(code, 0);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["intent"], "SubscribeToDesigner");
    assert_eq!(
        v["slots"],
        json!({"designer": "alice-chen", "auto_purchase": true, "max_price": {"amount_minor": 5000, "currency": "USD"}})
    );
    assert_eq!(v["confidence"], json!(1.0));
    let (out, code) = run_intent(&e, "what's the weather", &Context::new(), true);
    assert_eq!(code, 1);
    assert_eq!(serde_json::from_str::<serde_json::Value>(&out).unwrap()["intent"], json!(null));
    assert_eq!(render_json(None)["alternatives"], json!([]));
}

#[test]
fn default_currency_is_configurable() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let opts = EngineOptions { default_currency: holomesh::domain::Currency::EUR, ..EngineOptions::default() };
    let e = nlu::cli::build_engine(
        Some(&root.join("grammars/en")),
        Some(&root.join("grammars/tests/en/_fixtures.yaml")),
        opts,
    )
    .unwrap();
    let m = e.recognize("set my budget to fifty", &Context::new()).unwrap();
    assert_eq!(m.slots["max_price"].to_json(), json!({"amount_minor": 5000, "currency": "EUR"}));
    let m = e.recognize("set my budget to $5", &Context::new()).unwrap();
    assert_eq!(m.slots["max_price"].to_json(), json!({"amount_minor": 500, "currency": "USD"}));
}
