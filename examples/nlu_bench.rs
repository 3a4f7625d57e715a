//! Throughput and latency of the engine: `nlu_bench GRAMMARS LISTS SENTENCES [ROUNDS]`.

use std::path::PathBuf;
use std::time::Instant;

use holomesh::nlu::cli::build_engine;
use holomesh::nlu::{Context, EngineOptions};

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (Some(grammars), Some(lists), Some(sentences)) = (args.first(), args.get(1), args.get(2)) else {
        eprintln!("usage: nlu_bench GRAMMARS LISTS SENTENCES [ROUNDS]");
        std::process::exit(2);
    };
    let rounds: usize = args.get(3).and_then(|r| r.parse().ok()).unwrap_or(200);
    let t0 = Instant::now();
    let engine =
        match build_engine(Some(&PathBuf::from(grammars)), Some(&PathBuf::from(lists)), EngineOptions::default()) {
            Ok(e) => e,
            Err(e) => {
                eprintln!("{e}");
                std::process::exit(2);
            }
        };
    let load_ms = t0.elapsed().as_secs_f64() * 1e3;
    let text = std::fs::read_to_string(sentences).unwrap_or_default();
    let lines: Vec<&str> = text.lines().filter(|l| !l.trim().is_empty()).collect();
    let ctx = Context::new();
    let mut lat = Vec::with_capacity(rounds * lines.len());
    let mut matched = 0usize;
    let start = Instant::now();
    for _ in 0..rounds {
        for l in &lines {
            let t = Instant::now();
            let m = engine.recognize(l, &ctx);
            lat.push(t.elapsed().as_secs_f64() * 1e6);
            matched += usize::from(m.is_some());
        }
    }
    let total = start.elapsed().as_secs_f64();
    if std::env::var_os("NLU_BENCH_DETAIL").is_some() {
        for (i, l) in lines.iter().enumerate() {
            let mut per: Vec<f64> = lat.iter().skip(i).step_by(lines.len()).copied().collect();
            per.sort_by(f64::total_cmp);
            eprintln!("{:>10.1} us  {l}", per[per.len() / 2]);
        }
    }
    lat.sort_by(f64::total_cmp);
    let pct = |p: f64| lat[((lat.len() as f64 * p) as usize).min(lat.len() - 1)];
    println!(
        "{{\"engine\":\"rust\",\"load_ms\":{load_ms:.1},\"nodes\":{},\"sentences\":{},\"matches_per_s\":{:.0},\"p50_us\":{:.2},\"p99_us\":{:.2},\"max_us\":{:.2},\"matched\":{}}}",
        engine.node_count(),
        lines.len(),
        lat.len() as f64 / total,
        pct(0.5),
        pct(0.99),
        lat[lat.len() - 1],
        matched / rounds
    );
}
