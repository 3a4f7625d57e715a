//! `holomesh demo`: the main job on a fresh machine. Seeds a demo catalog in a fresh
//! SQLite database, runs bundled spoken commands through the whole pipeline and
//! prints every stage with its timing and the resulting `VoiceCommand` rows.

use super::ExitCode;
use crate::app::{App, Speech};
use crate::config::{Config, SecretUrl};
use crate::domain::{Currency, Handle, Id, Money, PageRequest, Role, User, VoiceSource};
use crate::market::{ChipDraft, DevelopmentProvider};
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

async fn designer(app: &App, name: &str, email: &str) -> anyhow::Result<User> {
    let u = app.auth.passwordless_account(email, name, Role::Designer).await?;
    app.market
        .profiles()
        .set_designer_profile(&u, &Handle::from_display_name(name), "Chip designer", &["verilog".into()])
        .await?;
    Ok(u)
}

/// A chip listed and published (with its signed record) by `designer`.
async fn chip(app: &App, designer: &User, vlnv: &str, title: &str, cents: i64, category: &str) -> anyhow::Result<Id> {
    let draft = ChipDraft {
        vlnv: vlnv.into(),
        title: title.into(),
        description: format!("{title}, a demo IP block"),
        category: category.into(),
        process_node: "28nm".into(),
        tags: vec![category.into()],
        price: Money::new(cents, Currency::USD),
        supply: None,
        royalty_bps: 500,
        licence: Some("CERN-OHL-P-2.0".into()),
        content_sha256: "0".repeat(64),
        content_size: 4096,
        prev_version: None,
        ip_blocks: vec![],
    };
    let c = app.market.catalog().create(designer, draft).await?;
    app.market.catalog().publish(designer, c.id).await?;
    Ok(c.id)
}

pub async fn run(mut config: Config) -> anyhow::Result<ExitCode> {
    let demo_dir = config.data_dir().join("demo");
    let _ = std::fs::remove_dir_all(&demo_dir);
    std::fs::create_dir_all(&demo_dir)?;
    config.database.url = SecretUrl::new(format!("sqlite://{}/holomesh.db", demo_dir.display()));
    config.cache.url = SecretUrl::new("");

    println!("HoloMesh demo — data in {}", demo_dir.display());
    super::models::ensure(&config)?;
    let t = Instant::now();
    let app = App::build(&config, Speech::Required).await?;
    println!("  speech model {} loaded in {} ms", config.asr.model, t.elapsed().as_millis());

    let alice = designer(&app, "Alice Chen", "alice@example.org").await?;
    designer(&app, "Alicia Chan", "alicia@example.org").await?;
    let bob = designer(&app, "Bob Martin", "bob@example.org").await?;
    chip(&app, &bob, "martin.dev:dsp:falcon:1.0", "Falcon DSP", 2450, "dsp").await?;
    chip(&app, &alice, "chen.io:cpu:comet:1.0", "Comet CPU", 3999, "cpu").await?;
    chip(&app, &alice, "chen.io:ai:orion:1.0", "Orion NPU", 8900, "ai").await?;
    let me = app.voice_user().await?;
    app.market.payments().deposit(&DevelopmentProvider, &me, Money::new(10_000, Currency::USD)).await?;
    app.outbox_worker().run_once().await?;
    app.grammar.refresh(&app.market).await?;
    println!("  seeded 3 designers, 3 chips; you ({}) have $100.00\n", me.email);

    let p = app.voice.pipeline_for(&me).await?;
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
    chip(&app, &alice, "chen.io:cpu:vega:1.0", "Vega RISC-V core", 4500, "risc-v").await?;
    let handled = app.outbox_worker().run_once().await?;
    println!("    outbox worker handled {handled} event(s)\n");
    report(&app, &me).await
}

/// The stored commands, the purchases, the wallet and the subscriptions.
async fn report(app: &App, me: &User) -> anyhow::Result<ExitCode> {
    let market = &app.market;
    println!("VoiceCommand rows:");
    let rows = market.voice_log().list(me, PageRequest::first(50)).await?;
    for r in rows.items.iter().rev() {
        println!(
            "  {:02}:{:02}:{:02}  {:<18} {:<26} {}",
            r.created_at.hour(),
            r.created_at.minute(),
            r.created_at.second(),
            r.status.as_str(),
            r.intent.as_deref().unwrap_or("—"),
            app.voice.open_transcript(r).unwrap_or_default()
        );
    }
    println!("\nPurchases:");
    for pur in market.purchases().list(me, PageRequest::first(10)).await?.items.iter().rev() {
        let title = market.catalog().chip(pur.chip_id).await.map(|c| c.title).unwrap_or_default();
        println!("  {:<18} {:>8}  via {}", title, pur.price.to_string(), pur.source.as_str());
    }
    let wallet = market.payments().wallet(me, Currency::USD).await?;
    println!("\nWallet: {}", wallet.balance);
    for s in market.subscriptions().list(me).await? {
        let name = market.profiles().designer_of(s.designer_id).await?.map(|d| d.display_name).unwrap_or_default();
        println!(
            "Subscription: {} — auto-buy {}, limit {}, notifications {}",
            name,
            if s.auto_purchase { "on" } else { "off" },
            s.max_price.map(|m| m.to_string()).unwrap_or_else(|| "none".into()),
            s.notify
        );
    }
    Ok(0)
}
