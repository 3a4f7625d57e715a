//! When Redis goes away, the API keeps answering from the database (slower), login
//! throttling and request limits count in the process instead, and `/readyz` reports
//! `degraded` while staying ready. Redis
//! is reached through a local TCP relay that the test cuts.

mod support;

use holomesh::cache::{CacheBus, RedisCache};
use holomesh::domain::{BasisPoints, Currency, Money, NewChip, Role};
use reqwest::{Method, StatusCode};
use serde_json::json;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use support::http::{PASSWORD, TestServer};
use tokio::io::copy_bidirectional;
use tokio::net::{TcpListener, TcpStream};

/// A relay to Redis; `cut()` drops every connection and refuses new ones.
struct Relay {
    addr: std::net::SocketAddr,
    cut: Arc<AtomicBool>,
    tasks: Arc<std::sync::Mutex<Vec<tokio::task::JoinHandle<()>>>>,
}

impl Relay {
    async fn start(upstream: String) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let addr = listener.local_addr().expect("addr");
        let cut = Arc::new(AtomicBool::new(false));
        let tasks = Arc::new(std::sync::Mutex::new(Vec::new()));
        let (c, t) = (cut.clone(), tasks.clone());
        tokio::spawn(async move {
            while let Ok((mut inbound, _)) = listener.accept().await {
                if c.load(Ordering::SeqCst) {
                    continue; // dropped: the client sees the connection closed
                }
                let upstream = upstream.clone();
                let h = tokio::spawn(async move {
                    if let Ok(mut out) = TcpStream::connect(upstream).await {
                        let _ = copy_bidirectional(&mut inbound, &mut out).await;
                    }
                });
                t.lock().expect("lock").push(h);
            }
        });
        Self { addr, cut, tasks }
    }

    fn cut(&self) {
        self.cut.store(true, Ordering::SeqCst);
        for h in self.tasks.lock().expect("lock").drain(..) {
            h.abort();
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn api_keeps_working_without_redis() {
    let Ok(redis_url) = std::env::var("REDIS_URL") else {
        eprintln!("REDIS_URL is not set: skipping");
        return;
    };
    let upstream = url::Url::parse(&redis_url).expect("url");
    let relay =
        Relay::start(format!("{}:{}", upstream.host_str().unwrap_or("127.0.0.1"), upstream.port().unwrap_or(6379)))
            .await;
    let prefix = format!("holomesh-test:{}:", uuid::Uuid::now_v7().simple());
    let r = Arc::new(RedisCache::with_prefix(&format!("redis://{}", relay.addr), &prefix).await.expect("redis"));
    let cache = CacheBus { cache: r.clone(), bus: r };
    let (store, _dir) = support::sqlite_store().await;
    let s = TestServer::start(store.clone(), cache, |_| {}).await;

    let designer = support::account(&store, "dana", Role::Designer).await;
    let chip = store
        .create_chip(&NewChip {
            designer_id: designer.id,
            vlnv: "dana.dev:io:uart:1.0".parse().expect("vlnv"),
            title: "Tiny UART".into(),
            description: String::new(),
            category: "io".into(),
            process_node: "130nm".into(),
            tags: vec![],
            price: Money::new(900, Currency::USD),
            supply: None,
            royalty_bps: BasisPoints::new(0).expect("bps"),
            licence: "MIT".into(),
            content_sha256: "a".repeat(64),
            content_size: 1,
            prev_version_id: None,
            contributions: vec![],
        })
        .await
        .expect("chip");
    support::publish(&store, chip.id).await;
    let (_, access, _) = s.signup("ray", "user").await;
    let path = format!("/v1/chips/{}", chip.id);
    let (st, before) = s.call(Method::GET, &path, None, None).await;
    assert_eq!(st, StatusCode::OK, "{before}");
    assert_eq!(s.call(Method::GET, "/readyz", None, None).await.0, StatusCode::OK);

    relay.cut();

    let (st, after) = s.call(Method::GET, &path, None, None).await;
    assert_eq!(st, StatusCode::OK, "{after}");
    assert_eq!(after["title"], before["title"]);
    let (st, list) = s.call(Method::GET, "/v1/chips", None, None).await;
    assert_eq!(st, StatusCode::OK, "{list}");
    assert_eq!(list["items"].as_array().map(Vec::len), Some(1));
    let (st, _) = s.call(Method::GET, "/v1/me", Some(&access), None).await;
    assert_eq!(st, StatusCode::OK, "request limits fail open");
    let (st, t) = s
        .call(Method::POST, "/v1/auth/login", None, Some(json!({"email": "ray@example.org", "password": PASSWORD})))
        .await;
    assert_eq!(st, StatusCode::OK, "signing in works without the cache: {t}");
    // Throttles keep counting, in this process: wrong passwords end in 429, not 60 × 401.
    let mut statuses = Vec::new();
    for _ in 0..15 {
        let body = json!({"email": "ray@example.org", "password": "not the password"});
        statuses.push(s.call(Method::POST, "/v1/auth/login", None, Some(body)).await.0);
    }
    assert!(statuses.contains(&StatusCode::TOO_MANY_REQUESTS), "{statuses:?}");
    // Ready, but degraded: the API answers from the database.
    let (st, ready) = s.call(Method::GET, "/readyz", None, None).await;
    assert_eq!(
        (st, ready["status"].as_str(), ready["cache"].as_str()),
        (StatusCode::OK, Some("degraded"), Some("unavailable")),
        "{ready}"
    );
}
