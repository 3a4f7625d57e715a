//! `holomesh demo`: the main job on a fresh machine. Seeds a demo catalog in a fresh
//! SQLite database, runs bundled spoken commands through the whole pipeline and
//! prints every stage with its timing and the resulting `VoiceCommand` rows.

use super::ExitCode;
use super::voice::{load_recognizer, market_of, pipeline, voice_user};
use crate::config::{Config, SecretUrl};
use crate::domain::{BasisPoints, Currency, Email, Handle, Money, NewChip, NewUser, PageRequest, Role, VoiceSource};
use crate::market::OutboxWorker;
use crate::store::Store;
use std::io::Cursor;
use std::time::Instant;

/// The bundled spoken commands, in the order they are played.
const CLIPS: &[(&str, &[u8])] = &[
    (
        "subscribe to alice chen and buy anything new under fifty dollars",
        include_bytes!("../../tests/audio/01-subscribe.wav"),
    ),
    ("yes", include_bytes!("../../tests/audio/02-yes.wav")),
    ("buy the falcon dsp", include_bytes!("../../tests/audio/03-buy.wav")),
    ("yes", include_bytes!("../../tests/audio/02-yes.wav")),
    ("buy the comet cpu", include_bytes!("../../tests/audio/08-buy-comet.wav")),
    ("no", include_bytes!("../../tests/audio/04-no.wav")),
    ("what's my balance", include_bytes!("../../tests/audio/05-balance.wav")),
    ("set my notifications to weekly", include_bytes!("../../tests/audio/06-weekly.wav")),
    ("what's the weather like tomorrow", include_bytes!("../../tests/audio/07-weather.wav")),
];

async fn designer(store: &dyn Store, name: &str, email: &str) -> anyhow::Result<crate::domain::Id> {
    let u = store
        .create_user(&NewUser {
            email: Email::parse(email)?,
            display_name: name.into(),
            role: Role::Designer,
            password_hash: None,
        })
        .await?;
    store.upsert_designer_profile(u.id, &Handle::from_display_name(name), "Chip designer", &["verilog".into()]).await?;
    Ok(u.id)
}

async fn chip(
    store: &dyn Store,
    designer: crate::domain::Id,
    vlnv: &str,
    title: &str,
    cents: i64,
    category: &str,
) -> anyhow::Result<crate::domain::Id> {
    let c = store
        .create_chip(&NewChip {
            designer_id: designer,
            vlnv: vlnv.parse()?,
            title: title.into(),
            description: format!("{title}, a demo IP block"),
            category: category.into(),
            process_node: "28nm".into(),
            tags: vec![category.into()],
            price: Money::new(cents, Currency::USD),
            supply: None,
            royalty_bps: BasisPoints::new(500)?,
            licence: "CERN-OHL-P-2.0".into(),
            content_sha256: "0".repeat(64),
            content_size: 4096,
            prev_version_id: None,
            contributions: vec![],
        })
        .await?;
    Ok(c.id)
}

pub async fn run(mut config: Config) -> anyhow::Result<ExitCode> {
    let demo_dir = config.data_dir().join("demo");
    let _ = std::fs::remove_dir_all(&demo_dir);
    std::fs::create_dir_all(&demo_dir)?;
    config.database.url = SecretUrl::new(format!("sqlite://{}/holomesh.db", demo_dir.display()));
    config.cache.url = SecretUrl::new("");

    println!("HoloMesh demo — data in {}", demo_dir.display());
    let t = Instant::now();
    let recognizer = load_recognizer(&config)?;
    println!("  speech model {} loaded in {} ms", config.asr.model, t.elapsed().as_millis());

    let state = super::serve::open(&config).await?;
    let store = state.store.clone();
    let alice = designer(store.as_ref(), "Alice Chen", "alice@example.org").await?;
    designer(store.as_ref(), "Alicia Chan", "alicia@example.org").await?;
    let bob = designer(store.as_ref(), "Bob Martin", "bob@example.org").await?;
    for (d, vlnv, title, cents, cat) in [
        (bob, "martin.dev:dsp:falcon:1.0", "Falcon DSP", 2450, "dsp"),
        (alice, "chen.io:cpu:comet:1.0", "Comet CPU", 3999, "cpu"),
        (alice, "chen.io:ai:orion:1.0", "Orion NPU", 8900, "ai"),
    ] {
        let id = chip(store.as_ref(), d, vlnv, title, cents, cat).await?;
        store.publish_chip(id).await?;
    }
    let me = voice_user(&state).await?;
    store.deposit(me.id, Money::new(10_000, Currency::USD)).await?;
    let market = market_of(&state)?;
    OutboxWorker::new(market.clone()).run_once().await?;
    println!("  seeded 3 designers, 3 chips; you ({}) have $100.00\n", me.email);

    let p = pipeline(&state, Some(recognizer)).await?;
    for (i, (spoken, wav)) in CLIPS.iter().enumerate() {
        let samples = crate::asr::decode_wav(Cursor::new(*wav))?;
        println!("▶ {}. said: \"{spoken}\"", i + 1);
        let o = p.handle_audio(VoiceSource::Mic, samples).await?;
        let c = &o.command;
        println!("    audio   {:>5} ms", c.timings.audio.unwrap_or(0));
        println!("    asr     {:>5} ms  heard: \"{}\"", c.timings.asr.unwrap_or(0), c.transcript);
        println!(
            "    nlu     {:>5} ms  intent: {}  slots: {}",
            c.timings.nlu.unwrap_or(0),
            c.intent.as_deref().unwrap_or("—"),
            c.slots
        );
        println!("    exec    {:>5} ms  status: {}", c.timings.exec.unwrap_or(0), c.status);
        println!("    reply   \"{}\"\n", o.reply);
    }

    println!("▶ Alice Chen publishes a new chip, Vega RISC-V core, for $45.00");
    let vega = chip(store.as_ref(), alice, "chen.io:cpu:vega:1.0", "Vega RISC-V core", 4500, "risc-v").await?;
    market.catalog().publish(&store.user_by_id(alice).await?, vega).await?;
    let handled = OutboxWorker::new(market.clone()).run_once().await?;
    println!("    outbox worker handled {handled} event(s)\n");

    println!("VoiceCommand rows:");
    let rows = store.list_voice_commands(me.id, PageRequest::first(50)).await?;
    for r in rows.items.iter().rev() {
        println!(
            "  {:02}:{:02}:{:02}  {:<18} {:<26} {}",
            r.created_at.hour(),
            r.created_at.minute(),
            r.created_at.second(),
            r.status.as_str(),
            r.intent.as_deref().unwrap_or("—"),
            p.open_transcript(r).unwrap_or_default()
        );
    }
    println!("\nPurchases:");
    for pur in store.list_purchases(me.id, PageRequest::first(10)).await?.items.iter().rev() {
        let title = store.chip_by_id(pur.chip_id).await.map(|c| c.title).unwrap_or_default();
        println!("  {:<18} {:>8}  via {}", title, pur.price.to_string(), pur.source.as_str());
    }
    let wallet = store.wallet(me.id, Currency::USD).await?;
    let subs = store.list_subscriptions(me.id).await?;
    println!("\nWallet: {}", wallet.balance);
    for s in subs {
        let d = store.designer_by_user(s.designer_id).await?;
        println!(
            "Subscription: {} — auto-buy {}, limit {}, notifications {}",
            d.display_name,
            if s.auto_purchase { "on" } else { "off" },
            s.max_price.map(|m| m.to_string()).unwrap_or_else(|| "none".into()),
            s.notify
        );
    }
    Ok(0)
}
