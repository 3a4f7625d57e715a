//! End-to-end latency of the voice pipeline: end of utterance → `VoiceCommand` row
//! stored, for 2–4 s spoken commands, plus the process's peak memory.
//!
//! `cargo run --release --example voice_bench -- MODEL.bin WAV...` (scripts/bench/voice.sh
//! generates the WAVs with espeak-ng and passes them in).

use holomesh::app::{App, Speech};
use holomesh::asr::{Recognizer, WhisperRecognizer};
use holomesh::auth::Auth;
use holomesh::cache::{CacheBus, MemoryCache};
use holomesh::config::Config;
use holomesh::domain::{Currency, Handle, Money, Role, VoiceSource};
use holomesh::market::{ChipDraft, DevelopmentProvider};
use holomesh::store::Store;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Instant;

fn peak_rss_mb() -> f64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<f64>().ok())
        .map_or(0.0, |kb| kb / 1024.0)
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let idx = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[idx.min(sorted.len() - 1)]
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let mut args = std::env::args().skip(1);
    let model = PathBuf::from(args.next().ok_or_else(|| anyhow::anyhow!("usage: voice_bench MODEL WAV..."))?);
    let wavs: Vec<PathBuf> = args.map(PathBuf::from).collect();
    let dir = tempfile::tempdir()?;
    let store = Store::open(&format!("sqlite://{}/bench.db", dir.path().display()), 4).await?;
    store.migrate().await?;
    let mem = Arc::new(MemoryCache::new(1000));
    let mut config = Config::load(None, Some(dir.path().to_path_buf()))?;
    config.asr.threads = 0;
    let load = Instant::now();
    let recognizer: Arc<dyn Recognizer> = Arc::new(WhisperRecognizer::load(&model)?);
    let load_ms = load.elapsed().as_millis();
    let app =
        App::assemble(config, store, CacheBus { cache: mem.clone(), bus: mem }, Speech::Given(recognizer)).await?;
    seed(&app.auth, &app).await?;
    let me = app.voice_user().await?;
    app.market.payments().deposit(&DevelopmentProvider, &me, Money::new(100_000, Currency::USD)).await?;
    app.grammar.refresh(&app.market).await?;
    let pipeline = app.voice.pipeline_for(&me).await?;

    let mut clips = Vec::new();
    for w in &wavs {
        clips.push((w.clone(), holomesh::asr::load_wav(w)?));
    }
    // One warm-up pass, then the measured ones.
    if let Some((_, s)) = clips.first() {
        pipeline.handle_audio(VoiceSource::Mic, s.clone()).await?;
    }
    let mut lat = Vec::new();
    let mut audio_s = 0.0;
    println!("{:<44} {:>7} {:>8} {:>6}  heard", "clip", "audio_s", "e2e_ms", "asr_ms");
    for _round in 0..3 {
        for (path, samples) in &clips {
            let secs = samples.len() as f64 / 16_000.0;
            let t = Instant::now();
            let o = pipeline.handle_audio(VoiceSource::Mic, samples.clone()).await?;
            let e2e = t.elapsed().as_secs_f64() * 1000.0;
            lat.push(e2e);
            audio_s += secs;
            if _round == 0 {
                let name = path.file_name().map(|n| n.to_string_lossy().to_string()).unwrap_or_default();
                println!(
                    "{name:<44} {secs:>7.2} {e2e:>8.0} {:>6}  {:?}",
                    o.command.timings.asr.unwrap_or(0),
                    o.command.transcript
                );
            }
        }
    }
    lat.sort_by(f64::total_cmp);
    let total_ms: f64 = lat.iter().sum();
    println!();
    println!("utterances          {}", lat.len());
    println!("model load          {load_ms} ms");
    println!("end-to-end p50      {:.0} ms", percentile(&lat, 0.5));
    println!("end-to-end p95      {:.0} ms", percentile(&lat, 0.95));
    println!("real-time factor    {:.3}", total_ms / 1000.0 / audio_s);
    println!("peak RSS            {:.0} MB", peak_rss_mb());
    Ok(())
}

/// The designers (and one chip each) the benchmark's commands name.
async fn seed(auth: &Auth, app: &App) -> anyhow::Result<()> {
    for (i, name) in ["Alice Chen", "Bob Martin", "Carol Diaz"].into_iter().enumerate() {
        let handle = Handle::from_display_name(name);
        let u = auth.passwordless_account(&format!("{handle}@example.org"), name, Role::Designer).await?;
        app.market.profiles().set_designer_profile(&u, &handle, "", &[]).await?;
        let draft = ChipDraft {
            vlnv: format!("{handle}.dev:ip:core{i}:1.0"),
            title: format!("Core {i}"),
            description: String::new(),
            category: "cpu".into(),
            process_node: "28nm".into(),
            tags: vec![],
            price: Money::new(2000, Currency::USD),
            supply: None,
            royalty_bps: 0,
            licence: None,
            content_sha256: "0".repeat(64),
            content_size: 1,
            prev_version: None,
            ip_blocks: vec![],
        };
        let chip = app.market.catalog().create(&u, draft).await?;
        app.market.catalog().publish(&u, chip.id).await?;
    }
    Ok(())
}
