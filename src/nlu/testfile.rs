//! Home Assistant-format test files (`tests: [{sentences, intent: {name, slots}}]`) and
//! must-not-match files (`sentences: [...]`), run against an engine.

use std::collections::BTreeMap;
use std::path::Path;

use serde_json::Value as Json;

use super::engine::{Context, Engine};
use super::error::{Location, NluError};
use super::values::{Match, MatchStatus};
use super::yaml::{self, Node, Value};

/// One sentence to check.
#[derive(Debug, Clone)]
pub struct TestCase {
    pub sentence: String,
    /// Expected intent; `None` means the sentence must match nothing.
    pub intent: Option<String>,
    pub slots: BTreeMap<String, Json>,
    pub context: Context,
    pub at: Location,
}

fn map(node: Option<&Node>) -> BTreeMap<String, Json> {
    match node.map(|n| &n.value) {
        Some(Value::Map(e)) => e.iter().map(|(k, v)| (k.clone(), v.to_json())).collect(),
        _ => BTreeMap::new(),
    }
}

/// Reads a test file.
pub fn load_test_file(path: &Path) -> Result<Vec<TestCase>, NluError> {
    let root = yaml::parse_file(path)?;
    let at = |n: &Node| Location { file: path.to_path_buf(), line: n.line, column: n.col };
    let mut out = Vec::new();
    if let Some(Value::Seq(tests)) = root.get("tests").map(|n| &n.value) {
        for t in tests {
            let intent = t.get("intent");
            let name = intent.and_then(|i| i.get("name")).and_then(Node::as_text);
            let slots = map(intent.and_then(|i| i.get("slots")));
            let context = map(intent.and_then(|i| i.get("context")));
            if let Some(Value::Seq(sentences)) = t.get("sentences").map(|n| &n.value) {
                for s in sentences {
                    if let Some(text) = s.as_text() {
                        out.push(TestCase {
                            sentence: text,
                            intent: name.clone(),
                            slots: slots.clone(),
                            context: context.clone(),
                            at: at(s),
                        });
                    }
                }
            }
        }
    } else if let Some(Value::Seq(sentences)) = root.get("sentences").map(|n| &n.value) {
        for s in sentences {
            if let Some(text) = s.as_text() {
                out.push(TestCase {
                    sentence: text,
                    intent: None,
                    slots: BTreeMap::new(),
                    context: Context::new(),
                    at: at(s),
                });
            }
        }
    }
    Ok(out)
}

fn loose_eq(expected: &Json, actual: &Json) -> bool {
    match (expected, actual) {
        (Json::Array(options), a) => options.iter().any(|o| loose_eq(o, a)),
        (Json::String(e), Json::String(a)) => e.eq_ignore_ascii_case(a),
        (Json::Number(e), Json::Number(a)) => e.as_f64() == a.as_f64(),
        (Json::String(e), a) | (a, Json::String(e)) if !a.is_object() => e.as_str() == a.to_string().as_str(),
        (e, a) => e == a,
    }
}

/// Checks one case. `strict` also rejects slots the test does not list.
pub fn check_case(engine: &Engine, case: &TestCase, strict: bool) -> Result<(), String> {
    let got = engine.recognize(&case.sentence, &case.context);
    let Some(expected) = &case.intent else {
        return match got {
            Some(m) if m.status != MatchStatus::NearMiss => Err(format!(
                "{}: {:?} should match nothing but matched {} via {:?}",
                case.at, case.sentence, m.intent, m.template
            )),
            _ => Ok(()),
        };
    };
    let Some(m) = got else {
        return Err(format!("{}: {:?} matched nothing (want {expected})", case.at, case.sentence));
    };
    compare(case, expected, &m, strict)
}

fn compare(case: &TestCase, expected: &str, m: &Match, strict: bool) -> Result<(), String> {
    let fail = |why: String| {
        Err(format!(
            "{}: {:?} -> {} {} via {:?}: {why}",
            case.at,
            case.sentence,
            m.intent,
            serde_json::to_string(&m.slots).unwrap_or_default(),
            m.template
        ))
    };
    if m.intent != expected {
        return fail(format!("want intent {expected}"));
    }
    for (k, v) in &case.slots {
        match m.slots.get(k) {
            Some(actual) if loose_eq(v, &actual.to_json()) => {}
            Some(actual) => return fail(format!("slot {k}: want {v}, got {}", actual.to_json())),
            None => return fail(format!("slot {k} missing (want {v})")),
        }
    }
    if strict && let Some(extra) = m.slots.keys().find(|k| !case.slots.contains_key(*k)) {
        return fail(format!("unexpected slot {extra}"));
    }
    Ok(())
}
