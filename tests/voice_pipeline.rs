//! The voice pipeline end to end on both backends: transcripts and espeak-ng speech
//! → the expected database state, and one `VoiceCommand` row per attempt.

mod support;

use holomesh::asr::{Recognizer, TranscribeOptions, WhisperRecognizer};
use holomesh::cache::CacheBus;
use holomesh::crypto::FieldCipher;
use holomesh::domain::{
    BasisPoints, Currency, Email, Handle, Id, Money, NewChip, NewUser, NotifyFrequency, PageRequest, PurchaseSource,
    Role, User, VoiceSource, VoiceStatus,
};
use holomesh::market::{Market, MarketSettings};
use holomesh::store::Store;
use holomesh::voice::{PipelineParts, VoicePipeline};
use std::path::Path;
use std::sync::{Arc, OnceLock};
use std::time::Duration;

store_conformance!(
    spoken_flow_subscribes_buys_only_after_yes_and_records_every_attempt,
    a_chip_published_a_moment_ago_is_understood_by_the_very_next_command,
    sentences_that_are_no_command_change_nothing,
    unclear_names_are_asked_about_and_the_answer_resolves_them,
    a_sentence_that_means_two_things_is_asked_about,
    preferences_undo_repeat_and_help,
    what_do_i_usually_buy_is_answered_from_purchases,
    auto_buy_without_a_limit_is_refused_before_any_question,
    speech_from_espeak_changes_the_database,
);

struct World {
    store: Store,
    market: Market,
    pipeline: VoicePipeline,
    me: User,
    alice: Id,
    bob: Id,
}

async fn designer(store: &Store, name: &str) -> Id {
    let email = format!("{}@example.org", Handle::from_display_name(name));
    let u = store
        .create_user(&NewUser {
            email: Email::parse(&email).expect("email"),
            display_name: name.into(),
            role: Role::Designer,
            password_hash: None,
        })
        .await
        .expect("designer");
    store.upsert_designer_profile(u.id, &Handle::from_display_name(name), "", &[]).await.expect("profile");
    u.id
}

async fn chip(store: &Store, designer: Id, vlnv: &str, title: &str, cents: i64) -> Id {
    let id = draft(store, designer, vlnv, title, cents).await;
    support::publish(store, id).await;
    id
}

async fn draft(store: &Store, designer: Id, vlnv: &str, title: &str, cents: i64) -> Id {
    let c = store
        .create_chip(&NewChip {
            designer_id: designer,
            vlnv: vlnv.parse().expect("vlnv"),
            title: title.into(),
            description: String::new(),
            category: "dsp".into(),
            process_node: "28nm".into(),
            tags: vec![],
            price: Money::new(cents, Currency::USD),
            supply: None,
            royalty_bps: BasisPoints::new(0).expect("bps"),
            licence: "MIT".into(),
            content_sha256: "c".repeat(64),
            content_size: 1,
            prev_version_id: None,
            contributions: vec![],
        })
        .await
        .expect("chip");
    c.id
}

/// The project's grammar, comparing by meaning when the sentence-embedding model has
/// been fetched (`scripts/test.sh` does); compiled once for every test.
fn engine() -> holomesh::nlu::Engine {
    static E: OnceLock<holomesh::nlu::Engine> = OnceLock::new();
    E.get_or_init(|| {
        let mut engine = holomesh::nlu::Engine::from_dir(Path::new("grammars/en")).expect("grammars");
        match holomesh::embed::Embedder::load(&holomesh::embed::model_dir(&support::models_dir())) {
            Ok(e) => engine.attach_meaning(Arc::new(e), Some(Path::new(env!("CARGO_TARGET_TMPDIR")))).expect("meaning"),
            Err(e) => {
                assert!(std::env::var_os("HOLOMESH_REQUIRE_MODELS").is_none(), "model required: {e}");
                println!("SKIPPED comparison by meaning: {e}");
            }
        }
        engine
    })
    .clone()
}

fn recognizer() -> Option<Arc<dyn Recognizer>> {
    static R: OnceLock<Option<Arc<dyn Recognizer>>> = OnceLock::new();
    R.get_or_init(|| {
        let dir = support::models_dir();
        let path = dir.join(holomesh::config::ModelWeights::default().file_name("tiny.en"));
        if !path.exists() {
            assert!(std::env::var_os("HOLOMESH_REQUIRE_MODELS").is_none(), "a model is missing (scripts/models/)");
            println!("SKIPPED speech part: no model at {} (run scripts/models/fetch.sh tiny.en)", path.display());
            return None;
        }
        let r: Arc<dyn Recognizer> = Arc::new(WhisperRecognizer::load(&path).expect("model loads"));
        Some(r)
    })
    .clone()
}

async fn world(store: Store, with_speech: bool) -> World {
    world_with(store, with_speech, engine()).await
}

async fn world_with(store: Store, with_speech: bool, engine: holomesh::nlu::Engine) -> World {
    let alice = designer(&store, "Alice Chen").await;
    designer(&store, "Alicia Chan").await;
    let bob = designer(&store, "Bob Martin").await;
    chip(&store, bob, "martin.dev:dsp:falcon:1.0", "Falcon DSP", 2450).await;
    chip(&store, alice, "chen.io:cpu:comet:1.0", "Comet CPU", 3999).await;
    let me = store
        .create_user(&NewUser {
            email: Email::parse("me@holomesh.local").expect("email"),
            display_name: "Me".into(),
            role: Role::User,
            password_hash: None,
        })
        .await
        .expect("me");
    store.deposit(me.id, Money::new(10_000, Currency::USD)).await.expect("deposit");
    let cache: CacheBus = support::memory_cache();
    let cipher = Arc::new(FieldCipher::new(vec![("test".into(), [7u8; 32])], "test").expect("cipher"));
    let market = Market::new(store.clone(), cache, MarketSettings::default(), cipher.clone());
    let grammar = holomesh::voice::SharedGrammar::new(engine);
    let pipeline = VoicePipeline::new(PipelineParts {
        market: market.clone(),
        grammar,
        recognizer: if with_speech { recognizer() } else { None },
        asr_options: TranscribeOptions { threads: 2, ..TranscribeOptions::default() },
        cipher,
        user: me.clone(),
        confirm_window: Duration::from_secs(60),
    });
    pipeline.refresh_lists().await.expect("lists");
    World { store, market, pipeline, me, alice, bob }
}

impl World {
    async fn say(&self, text: &str) -> holomesh::voice::VoiceOutcome {
        self.pipeline.handle_text(VoiceSource::Transcript, text).await.expect("pipeline")
    }

    async fn statuses(&self) -> Vec<VoiceStatus> {
        let rows = self.store.list_voice_commands(self.me.id, PageRequest::first(100)).await.expect("rows").items;
        rows.iter().rev().map(|r| r.status).collect()
    }

    async fn purchases(&self) -> usize {
        self.store.list_purchases(self.me.id, PageRequest::first(100)).await.expect("purchases").items.len()
    }
}

async fn auto_buy_without_a_limit_is_refused_before_any_question(store: Store) {
    let w = world(store, false).await;
    let o = w.say("turn on auto-buy for Alice Chen").await;
    assert_eq!(o.command.status, VoiceStatus::Rejected, "{}", o.reply);
    assert!(
        o.reply.contains("price limit") && o.reply.contains("under fifty dollars"),
        "says what to add: {}",
        o.reply
    );
    assert!(w.store.subscription(w.me.id, w.alice).await.is_err(), "nothing was stored");
    let capped = w.say("turn on auto-buy for Alice Chen under fifty dollars").await;
    assert_eq!(capped.command.status, VoiceStatus::NeedsConfirmation, "{}", capped.reply);
}

async fn spoken_flow_subscribes_buys_only_after_yes_and_records_every_attempt(store: Store) {
    let w = world(store, false).await;
    let o = w.say("um could you subscribe me to Alice Chen and buy anything new under fifty dollars").await;
    assert_eq!(o.command.status, VoiceStatus::NeedsConfirmation, "{}", o.reply);
    assert!(o.reply.contains("Alice Chen") && o.reply.ends_with("Say yes to confirm or no to cancel."), "{}", o.reply);
    assert!(w.store.subscription(w.me.id, w.alice).await.is_err(), "nothing changes before yes");

    let yes = w.say("yes").await;
    assert_eq!(yes.command.status, VoiceStatus::Executed);
    let sub = w.store.subscription(w.me.id, w.alice).await.expect("subscribed");
    assert!(sub.auto_purchase);
    assert_eq!(sub.max_price, Some(Money::new(5000, Currency::USD)));
    let first = w.store.voice_command(o.command.id).await.expect("first row");
    assert_eq!(first.status, VoiceStatus::Executed, "the confirmed command is marked executed");

    let buy = w.say("buy the falcon dsp").await;
    assert_eq!(buy.command.status, VoiceStatus::NeedsConfirmation);
    w.say("no").await;
    assert_eq!(w.purchases().await, 0, "nothing bought after no");
    assert_eq!(w.store.voice_command(buy.command.id).await.expect("row").status, VoiceStatus::Cancelled);

    w.say("buy the falcon dsp please").await;
    let bought = w.say("yes please").await;
    assert_eq!(bought.command.status, VoiceStatus::Executed, "{}", bought.reply);
    let purchases = w.store.list_purchases(w.me.id, PageRequest::first(10)).await.expect("list").items;
    assert_eq!(purchases.len(), 1);
    assert_eq!(purchases[0].source, PurchaseSource::Voice);
    assert_eq!(w.store.wallet(w.me.id, Currency::USD).await.expect("wallet").balance.amount_minor, 10_000 - 2450);

    let weekly = w.say("set my notifications to weekly").await;
    assert_eq!(weekly.command.status, VoiceStatus::Executed, "{}", weekly.reply);
    assert_eq!(w.store.subscription(w.me.id, w.alice).await.expect("sub").notify, NotifyFrequency::Weekly);

    let lost = w.say("what's the weather like tomorrow").await;
    assert_eq!(lost.command.status, VoiceStatus::NotUnderstood);
    assert!(lost.reply.contains("help"), "a failure says what to try: {}", lost.reply);

    use VoiceStatus::*;
    assert_eq!(
        w.statuses().await,
        vec![Executed, Executed, Cancelled, Executed, Executed, Executed, Executed, NotUnderstood],
        "one row per attempt"
    );
    let row = w.store.voice_command(lost.command.id).await.expect("row");
    assert!(!row.transcript_sealed.windows(7).any(|x| x == b"weather"), "transcripts are encrypted at rest");
    assert_eq!(w.pipeline.open_transcript(&row).as_deref(), Some("what's the weather like tomorrow"));
    assert!(row.timings.nlu.is_some() && row.timings.exec.is_some());
}

async fn a_chip_published_a_moment_ago_is_understood_by_the_very_next_command(store: Store) {
    let w = world(store, false).await;
    let id = draft(&w.store, w.bob, "martin.dev:rf:nebula:1.0", "Nebula Radio", 1500).await;
    let bob = w.store.user_by_id(w.bob).await.expect("bob");
    w.market.catalog().publish(&bob, id).await.expect("published");
    // No refresh in between: the next command already knows the name.
    let o = w.say("buy the nebula radio").await;
    assert_eq!(o.command.status, VoiceStatus::NeedsConfirmation, "{}", o.reply);
    assert_eq!(o.command.intent.as_deref(), Some("BuyChip"));
    assert!(o.reply.contains("Nebula Radio"), "{}", o.reply);
    let yes = w.say("yes").await;
    assert_eq!(yes.command.status, VoiceStatus::Executed, "{}", yes.reply);
    assert_eq!(w.purchases().await, 1);
}

async fn a_sentence_that_means_two_things_is_asked_about(store: Store) {
    // Two commands that differ in their last word: without it, either could be meant.
    let yaml = "language: en\nintents:\n  WalletBalance:\n    data:\n      - sentences: [\"read out my account balance\"]\n  \
                PurchaseHistory:\n    data:\n      - sentences: [\"read out my account purchases\"]\n  \
                Confirm:\n    data:\n      - sentences: [\"yes\"]\n  Cancel:\n    data:\n      - sentences: [\"no\"]\n";
    let mut grammar = holomesh::nlu::Grammar::default();
    let doc = holomesh::nlu::yaml::parse_str(yaml, Path::new("t.yaml")).expect("yaml");
    grammar.add_document(&doc, Path::new("t.yaml")).expect("grammar");
    let engine = holomesh::nlu::Engine::new(&grammar, holomesh::nlu::EngineOptions::default()).expect("engine");
    let w = world_with(store, false, engine).await;

    let o = w.say("read out my account").await;
    assert_eq!(o.command.status, VoiceStatus::NeedsConfirmation, "{}", o.reply);
    assert!(o.reply.contains("your balance") && o.reply.contains("your purchases"), "{}", o.reply);
    let o = w.say("the second one").await;
    assert_eq!(o.command.intent.as_deref(), Some("PurchaseHistory"), "{}", o.reply);
    assert_eq!(o.command.status, VoiceStatus::Executed, "{}", o.reply);

    // "No" drops the question; nothing is left waiting for an answer.
    w.say("read out my account").await;
    let o = w.say("no").await;
    assert!(o.reply.contains("never mind"), "{}", o.reply);
    let o = w.say("the first one").await;
    assert_eq!(o.command.status, VoiceStatus::NotUnderstood, "{}", o.reply);
}

async fn sentences_that_are_no_command_change_nothing(store: Store) {
    let w = world(store, false).await;
    for text in [
        "order a large pizza with extra cheese",
        "give that film three stars",
        "Alice Chen seems like a lovely person",
        "chips taste great with salsa",
        "turn off the kitchen lights",
    ] {
        let o = w.say(text).await;
        assert_eq!(
            o.command.status,
            VoiceStatus::NotUnderstood,
            "{text:?} was taken for {:?}: {}",
            o.command.intent,
            o.reply
        );
        let yes = w.say("yes").await;
        assert!(yes.reply.contains("nothing"), "nothing waits for a yes: {}", yes.reply);
    }
    assert_eq!(w.purchases().await, 0);
    assert!(w.store.subscription(w.me.id, w.alice).await.is_err());
    assert_eq!(w.store.wallet(w.me.id, Currency::USD).await.expect("wallet").balance.amount_minor, 10_000);
}

async fn unclear_names_are_asked_about_and_the_answer_resolves_them(store: Store) {
    let w = world(store, false).await;
    let q = w.say("subscribe to alice").await;
    assert_eq!(q.command.status, VoiceStatus::NeedsConfirmation, "{}", q.reply);
    assert!(q.reply.starts_with("Did you mean") && q.reply.contains("Alice Chen"), "{}", q.reply);
    let a = w.say("Alice Chen").await;
    assert_eq!(a.command.status, VoiceStatus::Executed, "{}", a.reply);
    assert!(w.store.subscription(w.me.id, w.alice).await.is_ok());
    // A misheard name that is close enough is resolved without asking.
    let unsub = w.say("unsubscribe from alice ken").await;
    assert_eq!(unsub.command.status, VoiceStatus::Executed, "{}", unsub.reply);
    assert!(w.store.subscription(w.me.id, w.alice).await.is_err());
}

async fn preferences_undo_repeat_and_help(store: Store) {
    let w = world(store, false).await;
    let p = w.say("I prefer low-power RISC-V designs under fifty dollars").await;
    assert_eq!(p.command.status, VoiceStatus::Executed, "{}", p.reply);
    let prefs = w.store.client_preferences(w.me.id).await.expect("prefs");
    assert_eq!(prefs.categories, vec!["risc-v".to_owned()]);
    assert_eq!(prefs.keywords, vec!["low-power".to_owned()]);
    assert_eq!(prefs.max_price, Some(Money::new(5000, Currency::USD)));
    let again = w.say("say that again").await;
    assert_eq!(again.reply, p.reply);
    let undo = w.say("undo that").await;
    assert_eq!(undo.command.status, VoiceStatus::Executed, "{}", undo.reply);
    assert!(w.store.client_preferences(w.me.id).await.expect("prefs").categories.is_empty());
    let nothing = w.say("undo").await;
    assert!(nothing.reply.contains("nothing"), "{}", nothing.reply);
    let help = w.say("what can I say").await;
    assert!(help.reply.contains("subscribe"), "{}", help.reply);
    let balance = w.say("how much money do I have").await;
    assert_eq!(balance.reply, "You have 100 dollars in your wallet.");
}

async fn what_do_i_usually_buy_is_answered_from_purchases(store: Store) {
    let w = world(store, false).await;
    let none = w.say("what do I usually buy?").await;
    assert_eq!(none.command.intent.as_deref(), Some("BuyingPatterns"), "{}", none.reply);
    assert!(none.reply.contains("haven't bought"), "{}", none.reply);
    let comet = w.store.chip_by_vlnv("chen.io:cpu:comet:1.0").await.expect("comet");
    let falcon = w.store.chip_by_vlnv("martin.dev:dsp:falcon:1.0").await.expect("falcon");
    let nova = chip(&w.store, w.alice, "chen.io:dsp:nova:1.0", "Nova DSP", 1500).await;
    for (id, key) in [(comet.id, "a"), (falcon.id, "b"), (nova, "c")] {
        w.market.purchases().buy(&w.me, id, PurchaseSource::Api, None, Some(key)).await.expect("buy");
    }
    let o = w.say("what do I usually buy?").await;
    assert_eq!(o.command.status, VoiceStatus::Executed, "{}", o.reply);
    // Three chips (all dsp in this catalog), the median price Falcon's, two of them
    // from Alice Chen.
    assert!(o.reply.starts_with("You've bought 3 chips, mostly dsp (3 of them)"), "{}", o.reply);
    assert!(o.reply.contains("24 dollars 50") && o.reply.contains("from Alice Chen"), "{}", o.reply);
}

fn espeak(dir: &Path, name: &str, text: &str) -> Vec<f32> {
    let raw = dir.join(format!("{name}.raw.wav"));
    let wav = dir.join(format!("{name}.wav"));
    let ok =
        std::process::Command::new("espeak-ng").args(["-v", "en-us", "-s", "150", "-w"]).arg(&raw).arg(text).status();
    assert!(ok.is_ok_and(|s| s.success()), "espeak-ng is needed (scripts/setup.sh installs it)");
    let ok = std::process::Command::new("sox")
        .arg(&raw)
        .args(["-r", "16000", "-c", "1", "-b", "16"])
        .arg(&wav)
        .args(["pad", "0.3", "0.4"])
        .status();
    assert!(ok.is_ok_and(|s| s.success()), "sox is needed (scripts/setup.sh installs it)");
    holomesh::asr::load_wav(&wav).expect("wav")
}

async fn speech_from_espeak_changes_the_database(store: Store) {
    if recognizer().is_none() {
        return;
    }
    let w = world(store, true).await;
    let dir = tempfile::tempdir().expect("dir");
    let hear = |name: &str, text: &str| espeak(dir.path(), name, text);
    let o = w
        .pipeline
        .handle_audio(VoiceSource::Mic, hear("sub", "subscribe to alice chen and buy anything new under fifty dollars"))
        .await
        .expect("audio");
    assert_eq!(o.command.intent.as_deref(), Some("SubscribeToDesigner"), "heard {:?}", o.command.transcript);
    assert_eq!(o.command.status, VoiceStatus::NeedsConfirmation);
    assert!(o.command.timings.asr.is_some() && o.command.timings.audio.is_some());
    w.pipeline.handle_audio(VoiceSource::Mic, hear("yes", "yes")).await.expect("audio");
    let sub = w.store.subscription(w.me.id, w.alice).await.expect("subscribed by voice");
    assert_eq!(sub.max_price, Some(Money::new(5000, Currency::USD)));

    let b = w.pipeline.handle_audio(VoiceSource::Mic, hear("buy", "buy the falcon dsp")).await.expect("audio");
    assert_eq!(b.command.intent.as_deref(), Some("BuyChip"), "heard {:?}", b.command.transcript);
    w.pipeline.handle_audio(VoiceSource::Mic, hear("no", "no")).await.expect("audio");
    assert_eq!(w.purchases().await, 0, "nothing bought after no");

    let noise = w
        .pipeline
        .handle_audio(VoiceSource::Mic, hear("weather", "what's the weather like tomorrow"))
        .await
        .expect("audio");
    assert_eq!(noise.command.status, VoiceStatus::NotUnderstood, "heard {:?}", noise.command.transcript);
    assert_eq!(w.statuses().await.len(), 5, "one row per spoken attempt");
}

#[path = "wyoming_support/python.rs"]
mod python;

/// Home Assistant's side, played by the real PyPI `wyoming` client: audio in →
/// transcript, transcript in → handled with the reply text.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn wyoming_client_gets_transcripts_and_handled_replies() {
    if recognizer().is_none() {
        return;
    }
    let python = match tokio::task::spawn_blocking(python::python_with_wyoming).await.expect("setup") {
        Ok(p) => p,
        Err(reason) => {
            eprintln!("SKIPPED wyoming_client_gets_transcripts_and_handled_replies: {reason}");
            return;
        }
    };
    let (store, _dir) = support::sqlite_store().await;
    let w = world(store, true).await;
    let pipeline = Arc::new(w.pipeline);
    let handler = Arc::new(holomesh::wyoming::pipeline_handler::PipelineHandler::new(pipeline));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let port = listener.local_addr().expect("addr").port();
    let (stop_tx, stop_rx) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(holomesh::wyoming::serve(
        listener,
        handler,
        holomesh::wyoming::pipeline_handler::service_info(&holomesh::wyoming::pipeline_handler::Hearing::Whisper(
            "tiny.en".into(),
        )),
        async move {
            let _ = stop_rx.await;
        },
    ));
    let dir = tempfile::tempdir().expect("dir");
    espeak(dir.path(), "balance", "what's my balance");
    let wav = dir.path().join("balance.wav");
    let run = tokio::process::Command::new(&python)
        .arg(Path::new(env!("CARGO_MANIFEST_DIR")).join("scripts/wyoming_pipeline_check.py"))
        .args(["--host", "127.0.0.1", "--port", &port.to_string(), "--wav"])
        .arg(&wav)
        .args(["--expect-words", "balance"])
        .kill_on_drop(true)
        .output();
    let out = tokio::time::timeout(Duration::from_secs(120), run).await.expect("in time").expect("run");
    let stdout = String::from_utf8_lossy(&out.stdout);
    println!("{stdout}{}", String::from_utf8_lossy(&out.stderr));
    assert!(out.status.success(), "wyoming check failed:\n{stdout}");
    let rows = w.store.list_voice_commands(w.me.id, PageRequest::first(10)).await.expect("rows").items;
    assert!(rows.iter().any(|r| r.source == VoiceSource::Wyoming), "handled transcripts are recorded");
    let _ = stop_tx.send(());
    let _ = server.await;
}
