//! Property tests: arbitrary templates and inputs never panic.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::Path;

use holomesh::nlu;

use nlu::template::parse_template;
use nlu::yaml::parse_str;
use nlu::{Context, Engine, EngineOptions, Grammar};
use proptest::prelude::*;

fn engine_for(template: &str) -> Option<Engine> {
    let yaml = format!(
        "lists:\n  name: {{values: [\"kitchen light\", \"alice chen\"]}}\n  any: {{wildcard: true}}\n  n: {{range: {{from: 0, to: 100}}}}\nintents:\n  A:\n    data:\n      - sentences: [{}]\n",
        serde_json::to_string(template).ok()?
    );
    let mut g = Grammar::default();
    g.add_document(&parse_str(&yaml, Path::new("p.yaml")).ok()?, Path::new("p.yaml")).ok()?;
    Engine::new(&g, EngineOptions::default()).ok()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn template_parsing_never_panics(s in "\\PC{0,60}") {
        let _ = parse_template(&s);
    }

    #[test]
    fn template_syntax_soup_never_panics(s in "[a-z ()\\[\\]{}<>|;:.\\\\0-9]{0,40}") {
        let _ = parse_template(&s);
        if let Some(e) = engine_for(&s) {
            let _ = e.recognize(&s, &Context::new());
        }
    }

    #[test]
    fn matching_arbitrary_text_never_panics(
        t in "(turn|on|off|the|\\{name\\}|\\{any\\}|\\{n\\}|\\[x\\]|\\(a\\|b\\)| ){1,8}",
        input in "\\PC{0,60}",
    ) {
        if let Some(e) = engine_for(&t) {
            let _ = e.recognize(&input, &Context::new());
        }
    }

    #[test]
    fn marketplace_grammar_handles_any_text(input in "\\PC{0,80}") {
        let root = Path::new(env!("CARGO_MANIFEST_DIR"));
        thread_local! {
            static ENGINE: Option<Engine> = nlu::cli::build_engine(Some(&Path::new(env!("CARGO_MANIFEST_DIR")).join("grammars/en")), None,
                EngineOptions::default(),
            ).ok();
        }
        let _ = root;
        ENGINE.with(|e| {
            if let Some(e) = e {
                let _ = e.recognize(&input, &Context::new());
            }
        });
    }
}
