//! The voice endpoints through the real router on a bound port, with device tokens:
//! SQLite + memory and PostgreSQL + Redis.

mod support;

use holomesh::api::serve_on;
use holomesh::app::{App, Speech};
use holomesh::asr::{Recognizer, WhisperRecognizer};
use holomesh::cache::CacheBus;
use holomesh::config::Config;
use holomesh::domain::{BasisPoints, Currency, Email, Handle, Id, Money, NewChip, NewUser, PageRequest, Role, User};
use holomesh::store::Store;
use reqwest::StatusCode;
use serde_json::{Value, json};
use std::path::Path;
use std::sync::Arc;
use support::device_token as new_device_token;

struct Server {
    base: String,
    store: Store,
    _stop: tokio::sync::oneshot::Sender<()>,
}

async fn user(store: &Store, email: &str, role: Role) -> User {
    store
        .create_user(&NewUser {
            email: Email::parse(email).expect("email"),
            display_name: email.into(),
            role,
            password_hash: None,
        })
        .await
        .expect("user")
}

async fn start(store: Store, cache: CacheBus, recognizer: Option<Arc<dyn Recognizer>>) -> Server {
    let dir = tempfile::tempdir().expect("dir");
    let mut config = Config::load(None, Some(dir.path().to_path_buf())).expect("config");
    config.asr.threads = 2;
    let speech = match recognizer {
        Some(r) => Speech::Given(r),
        None => Speech::Off,
    };
    let app = App::assemble(config, store.clone(), cache, speech).await.expect("app");
    let state = app.http_state();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().expect("addr");
    let (tx, rx) = tokio::sync::oneshot::channel::<()>();
    tokio::spawn(serve_on(listener, state, async move {
        let _ = rx.await;
    }));
    Server { base: format!("http://{addr}"), store, _stop: tx }
}

async fn seed(store: &Store) -> (User, String, User, String) {
    let bob = user(store, "bob@example.org", Role::Designer).await;
    store.upsert_designer_profile(bob.id, &Handle::parse("bob-martin").expect("h"), "", &[]).await.expect("profile");
    let chip = store
        .create_chip(&NewChip {
            designer_id: bob.id,
            vlnv: "martin.dev:dsp:falcon:1.0".parse().expect("vlnv"),
            title: "Falcon DSP".into(),
            description: String::new(),
            category: "dsp".into(),
            process_node: "28nm".into(),
            tags: vec![],
            price: Money::new(2450, Currency::USD),
            supply: None,
            royalty_bps: BasisPoints::new(0).expect("bps"),
            licence: "MIT".into(),
            content_sha256: "d".repeat(64),
            content_size: 1,
            prev_version_id: None,
            contributions: vec![],
        })
        .await
        .expect("chip");
    support::publish(store, chip.id).await;
    let me = user(store, "me@example.org", Role::User).await;
    store.deposit(me.id, Money::new(10_000, Currency::USD)).await.expect("deposit");
    let other = user(store, "eve@example.org", Role::User).await;
    let (mine, h1) = new_device_token();
    store.create_device_token(me.id, "kitchen", &h1).await.expect("token");
    let (theirs, h2) = new_device_token();
    store.create_device_token(other.id, "eve's phone", &h2).await.expect("token");
    (me, mine, other, theirs)
}

async fn problem(r: reqwest::Response, status: StatusCode, code: &str) {
    assert_eq!(r.status(), status);
    assert_eq!(r.headers()["content-type"], "application/problem+json");
    let body: Value = r.json().await.expect("problem body");
    assert_eq!(body["code"], code, "{body}");
}

async fn voice_endpoints(store: Store, cache: CacheBus) {
    let (me, token, _eve, eve_token) = seed(&store).await;
    let s = start(store, cache, None).await;
    let http = reqwest::Client::new();
    let post = |path: &str, tok: &str| http.post(format!("{}{path}", s.base)).bearer_auth(tok.to_owned());

    problem(
        http.post(format!("{}/v1/voice/transcripts", s.base)).json(&json!({"text": "hi"})).send().await.expect("send"),
        StatusCode::UNAUTHORIZED,
        "unauthorized",
    )
    .await;
    problem(
        post("/v1/voice/transcripts", "hmd_forged").json(&json!({"text": "hi"})).send().await.expect("send"),
        StatusCode::UNAUTHORIZED,
        "unauthorized",
    )
    .await;

    let r =
        post("/v1/voice/transcripts", &token).json(&json!({"text": "buy the falcon dsp"})).send().await.expect("send");
    assert_eq!(r.status(), StatusCode::OK);
    let v: Value = r.json().await.expect("json");
    assert_eq!(v["command"]["status"], "needs_confirmation", "{v}");
    assert!(v["reply"]["text"].as_str().is_some_and(|t| t.starts_with("Buy Falcon DSP")), "{v}");
    let id = v["command"]["id"].as_str().expect("id").to_owned();

    // Another user can neither see nor confirm it.
    problem(
        post(&format!("/v1/voice/commands/{id}/confirm"), &eve_token).send().await.expect("send"),
        StatusCode::NOT_FOUND,
        "not_found",
    )
    .await;
    let purchases = |st: &Store, u: Id| {
        let st = st.clone();
        async move { st.list_purchases(u, PageRequest::first(10)).await.expect("list").items.len() }
    };
    assert_eq!(purchases(&s.store, me.id).await, 0);

    let ok = post(&format!("/v1/voice/commands/{id}/confirm"), &token).send().await.expect("send");
    assert_eq!(ok.status(), StatusCode::OK);
    assert_eq!(purchases(&s.store, me.id).await, 1, "bought after the confirm endpoint");
    problem(
        post(&format!("/v1/voice/commands/{id}/confirm"), &token).send().await.expect("send"),
        StatusCode::CONFLICT,
        "not_pending",
    )
    .await;
    problem(
        post("/v1/voice/commands/not-an-id/cancel", &token).send().await.expect("send"),
        StatusCode::NOT_FOUND,
        "not_found",
    )
    .await;

    // Cancel through the endpoint: nothing bought.
    let v: Value = post("/v1/voice/transcripts", &token)
        .json(&json!({"text": "buy the falcon dsp"}))
        .send()
        .await
        .expect("send")
        .json()
        .await
        .expect("json");
    let id2 = v["command"]["id"].as_str().expect("id").to_owned();
    assert_eq!(
        post(&format!("/v1/voice/commands/{id2}/cancel"), &token).send().await.expect("send").status(),
        StatusCode::OK
    );
    assert_eq!(purchases(&s.store, me.id).await, 1);

    // Bad input: clear 4xx, nothing stored.
    let before = s.store.list_voice_commands(me.id, PageRequest::first(100)).await.expect("rows").items.len();
    problem(
        post("/v1/voice/transcripts", &token)
            .header("content-type", "application/json")
            .body("{not json")
            .send()
            .await
            .expect("send"),
        StatusCode::BAD_REQUEST,
        "malformed_json",
    )
    .await;
    problem(
        post("/v1/voice/transcripts", &token).json(&json!({"text": "hi", "user_id": "x"})).send().await.expect("send"),
        StatusCode::UNPROCESSABLE_ENTITY,
        "invalid_body",
    )
    .await;
    problem(
        post("/v1/voice/transcripts", &token).json(&json!({"text": 5})).send().await.expect("send"),
        StatusCode::UNPROCESSABLE_ENTITY,
        "invalid_body",
    )
    .await;
    problem(
        post("/v1/voice/transcripts", &token).json(&json!({"text": "  "})).send().await.expect("send"),
        StatusCode::UNPROCESSABLE_ENTITY,
        "invalid_text",
    )
    .await;
    problem(
        post("/v1/voice/transcripts", &token).json(&json!({"text": "a".repeat(1_000_000)})).send().await.expect("send"),
        StatusCode::UNPROCESSABLE_ENTITY,
        "invalid_text",
    )
    .await;
    problem(
        post("/v1/voice/audio", &token).header("content-type", "text/plain").body("hello").send().await.expect("send"),
        StatusCode::UNSUPPORTED_MEDIA_TYPE,
        "unsupported_media_type",
    )
    .await;
    let after = s.store.list_voice_commands(me.id, PageRequest::first(100)).await.expect("rows").items.len();
    assert_eq!(before, after, "bad requests store nothing");

    // History, newest first, paged, with readable transcripts; only one's own.
    let list: Value = http
        .get(format!("{}/v1/voice/commands?limit=2", s.base))
        .bearer_auth(&token)
        .send()
        .await
        .expect("send")
        .json()
        .await
        .expect("json");
    assert_eq!(list["items"].as_array().map(Vec::len), Some(2));
    assert!(list["next_cursor"].is_string());
    assert!(list["items"][0]["transcript"].as_str().is_some_and(|t| !t.is_empty()));
    let theirs: Value = http
        .get(format!("{}/v1/voice/commands", s.base))
        .bearer_auth(&eve_token)
        .send()
        .await
        .expect("send")
        .json()
        .await
        .expect("json");
    assert_eq!(theirs["items"].as_array().map(Vec::len), Some(0));
    problem(
        http.get(format!("{}/v1/voice/commands?cursor=zzz", s.base)).bearer_auth(&token).send().await.expect("send"),
        StatusCode::BAD_REQUEST,
        "invalid_cursor",
    )
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn voice_endpoints_on_sqlite_and_memory() {
    let (store, _dir) = support::sqlite_store().await;
    voice_endpoints(store, support::memory_cache()).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn voice_endpoints_on_postgres_and_redis() {
    let (Some(db), Some(cache)) = (support::pg_store().await, support::redis_cache().await) else { return };
    voice_endpoints(db.store.clone(), cache).await;
    db.cleanup().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn wav_upload_goes_through_speech_recognition() {
    let models = std::env::var_os("HOLOMESH_MODELS_DIR").map(std::path::PathBuf::from).unwrap_or_else(|| {
        Path::new(&std::env::var_os("HOME").unwrap_or_default()).join(".local/share/holomesh/models")
    });
    let model = models.join(holomesh::config::ModelWeights::default().file_name("tiny.en"));
    if !model.exists() {
        assert!(std::env::var_os("HOLOMESH_REQUIRE_MODELS").is_none(), "a model is missing (scripts/models/)");
        println!("SKIPPED wav_upload_goes_through_speech_recognition: no model at {}", model.display());
        return;
    }
    let recognizer: Arc<dyn Recognizer> = Arc::new(WhisperRecognizer::load(&model).expect("model"));
    let (store, _dir) = support::sqlite_store().await;
    let (me, token, _, _) = seed(&store).await;
    let s = start(store, support::memory_cache(), Some(recognizer)).await;
    let wav = std::fs::read("tests/audio/05-balance.wav").expect("bundled wav");
    let r = reqwest::Client::new()
        .post(format!("{}/v1/voice/audio", s.base))
        .bearer_auth(&token)
        .header("content-type", "audio/wav")
        .body(wav)
        .send()
        .await
        .expect("send");
    assert_eq!(r.status(), StatusCode::OK);
    let v: Value = r.json().await.expect("json");
    assert_eq!(v["command"]["intent"], "WalletBalance", "{v}");
    assert_eq!(v["command"]["source"], "upload");
    assert_eq!(v["reply"]["text"], "You have 100 dollars in your wallet.");
    assert!(v["command"]["timings"]["asr"].as_i64().is_some());
    let garbage = reqwest::Client::new()
        .post(format!("{}/v1/voice/audio", s.base))
        .bearer_auth(&token)
        .header("content-type", "audio/wav")
        .body(vec![1u8; 100])
        .send()
        .await
        .expect("send");
    problem(garbage, StatusCode::UNPROCESSABLE_ENTITY, "invalid_audio").await;
    assert_eq!(s.store.list_voice_commands(me.id, PageRequest::first(10)).await.expect("rows").items.len(), 1);
}
