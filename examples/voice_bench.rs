//! End-to-end latency of the voice pipeline: end of utterance → `VoiceCommand` row
//! stored, for 2–4 s spoken commands, plus the process's peak memory.
//!
//! `cargo run --release --example voice_bench -- MODEL.bin WAV...` (scripts/bench/voice.sh
//! generates the WAVs with espeak-ng and passes them in).

use holomesh::asr::{Recognizer, TranscribeOptions, WhisperRecognizer};
use holomesh::cache::{CacheBus, MemoryCache};
use holomesh::crypto::FieldCipher;
use holomesh::domain::{Currency, Email, Handle, Money, NewUser, Role, VoiceSource};
use holomesh::market::{Market, MarketSettings};
use holomesh::store::{SqliteStore, Store};
use holomesh::voice::{PipelineParts, VoicePipeline};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

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
    let store = SqliteStore::connect(&format!("sqlite://{}/bench.db", dir.path().display()), 4).await?;
    store.migrate().await?;
    let store: Arc<dyn Store> = Arc::new(store);
    for name in ["Alice Chen", "Bob Martin", "Carol Diaz"] {
        let email = format!("{}@example.org", Handle::from_display_name(name));
        let u = store
            .create_user(&NewUser {
                email: Email::parse(&email)?,
                display_name: name.into(),
                role: Role::Designer,
                password_hash: None,
            })
            .await?;
        store.upsert_designer_profile(u.id, &Handle::from_display_name(name), "", &[]).await?;
    }
    let me = store
        .create_user(&NewUser {
            email: Email::parse("me@holomesh.local")?,
            display_name: "Me".into(),
            role: Role::User,
            password_hash: None,
        })
        .await?;
    store.deposit(me.id, Money::new(100_000, Currency::USD)).await?;
    let mem = Arc::new(MemoryCache::new(1000));
    let cipher = Arc::new(FieldCipher::new(vec![("bench".into(), [1u8; 32])], "bench")?);
    let market = Market::new(
        store.clone(),
        CacheBus { cache: mem.clone(), bus: mem },
        MarketSettings::default(),
        cipher.clone(),
    );
    let load = Instant::now();
    let recognizer: Arc<dyn Recognizer> = Arc::new(WhisperRecognizer::load(&model)?);
    let load_ms = load.elapsed().as_millis();
    let threads = std::thread::available_parallelism().map_or(2, std::num::NonZero::get);
    let pipeline = VoicePipeline::new(PipelineParts {
        market,
        engine: holomesh::nlu::Engine::from_dir(std::path::Path::new("grammars/en"))?,
        recognizer: Some(recognizer),
        asr_options: TranscribeOptions { threads, ..TranscribeOptions::default() },
        cipher,
        user: me,
        confirm_window: Duration::from_secs(60),
    });
    pipeline.refresh_lists().await?;

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
