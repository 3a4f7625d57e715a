//! Runs Home Assistant's sentence tests: `ha_check SENTENCES_DIR LISTS TESTS_DIR`.

use std::path::PathBuf;

use holomesh::nlu::EngineOptions;
use holomesh::nlu::cli::build_engine;
use holomesh::nlu::grammar::collect_yaml;
use holomesh::nlu::testfile::{check_case, load_test_file};

fn main() {
    let args: Vec<PathBuf> = std::env::args().skip(1).map(PathBuf::from).collect();
    let [sentences, lists, tests] = args.as_slice() else {
        eprintln!("usage: ha_check SENTENCES_DIR LISTS TESTS_DIR");
        std::process::exit(2);
    };
    let t = std::time::Instant::now();
    let engine = match build_engine(Some(sentences), Some(lists), EngineOptions::default()) {
        Ok(e) => e,
        Err(e) => {
            eprintln!("load failed: {e}");
            std::process::exit(2);
        }
    };
    eprintln!(
        "loaded {} templates, {} nodes in {:.0} ms",
        engine.sentence_count(),
        engine.node_count(),
        t.elapsed().as_secs_f64() * 1e3
    );
    let mut files = Vec::new();
    if collect_yaml(tests, &mut files).is_err() {
        std::process::exit(2);
    }
    files.sort();
    let (mut pass, mut total) = (0usize, 0usize);
    let mut shown = 0;
    let t = std::time::Instant::now();
    for f in files.iter().filter(|f| !f.ends_with("_fixtures.yaml")) {
        let Ok(cases) = load_test_file(f) else {
            continue;
        };
        for c in cases.iter().filter(|c| c.intent.is_some()) {
            total += 1;
            match check_case(&engine, c, false) {
                Ok(()) => pass += 1,
                Err(e) if shown < 40 => {
                    shown += 1;
                    println!("FAIL {e}");
                }
                Err(_) => {}
            }
        }
    }
    let secs = t.elapsed().as_secs_f64();
    println!(
        "{pass} passed, {} failed ({:.1}% of {total}); {:.0} sentences/s",
        total - pass,
        100.0 * pass as f64 / total.max(1) as f64,
        total as f64 / secs
    );
}
