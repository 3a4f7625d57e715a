//! Criterion benchmark: marketplace grammar with a 12,000-name designer list.

use std::path::Path;

use criterion::{Criterion, criterion_group, criterion_main};
use holomesh::nlu::{Context, Engine, EngineOptions, Grammar, ListValue};

fn engine() -> Option<Engine> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let g = Grammar::load_dir(&root.join("grammars/en")).ok()?;
    let mut e = Engine::new(&g, EngineOptions::default()).ok()?;
    let first = ["Alice", "Bob", "Carol", "Dmitri", "Priya", "Zhang", "Nadia", "Omar", "Lena", "Kofi"];
    let last = ["Chen", "Diaz", "Ivanov", "Patel", "Wei", "Okafor", "Haddad", "Novak", "Mensah", "Berg"];
    let mut names = Vec::new();
    for i in 0..120 {
        for f in first {
            for l in last {
                let n = if i == 0 { format!("{f} {l}") } else { format!("{f} {l} {i}") };
                let handle = n.to_lowercase().replace(' ', "-");
                names.push(ListValue::new(n, handle));
            }
        }
    }
    e.set_list("designer", names);
    e.set_list("chip", vec![ListValue::plain("RISC-V Nano")]);
    Some(e)
}

fn bench(c: &mut Criterion) {
    let Some(e) = engine() else { return };
    let ctx = Context::new();
    let sentences: Vec<&str> =
        include_str!("../scripts/bench/sentences.txt").lines().filter(|l| !l.is_empty()).collect();
    c.bench_function("recognize_sentence_set", |b| {
        b.iter(|| {
            for s in &sentences {
                std::hint::black_box(e.recognize(s, &ctx));
            }
        })
    });
    c.bench_function("recognize_exact", |b| {
        b.iter(|| e.recognize("subscribe to Alice Chen and buy anything new under fifty dollars", &ctx))
    });
}

criterion_group!(benches, bench);
criterion_main!(benches);
