//! The real router on a bound port: health, readiness, metrics, problem+json, CLI exit codes.

mod support;

use holomesh::api::serve_on;
use holomesh::cache::CacheBus;
use holomesh::config::Config;
use holomesh::store::Store;

async fn start(store: Store, cache: CacheBus) -> (String, tokio::sync::oneshot::Sender<()>) {
    let dir = tempfile::tempdir().expect("dir");
    let config = Config::load(None, Some(dir.path().to_path_buf())).expect("config");
    let state =
        holomesh::app::App::assemble(config, store, cache, holomesh::app::Speech::Off).await.expect("app").http_state();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().expect("addr");
    let (tx, rx) = tokio::sync::oneshot::channel::<()>();
    tokio::spawn(serve_on(listener, state, async move {
        let _ = rx.await;
    }));
    (format!("http://{addr}"), tx)
}

async fn check_ops(base: &str, cache_name: &str) {
    let http = reqwest::Client::new();
    let r = http.get(format!("{base}/healthz")).send().await.expect("healthz");
    assert_eq!(r.status(), 200);
    assert!(r.headers().contains_key("x-request-id"));
    let ready: serde_json::Value =
        http.get(format!("{base}/readyz")).send().await.expect("readyz").json().await.expect("json");
    assert_eq!(ready["status"], "ready");
    assert_eq!(ready["cache"], cache_name);

    let missing = http.get(format!("{base}/v1/nothing-here")).send().await.expect("404");
    assert_eq!(missing.status(), 404);
    assert_eq!(missing.headers()["content-type"], "application/problem+json");
    let p: serde_json::Value = missing.json().await.expect("problem");
    assert_eq!(p["code"], "not_found");
    assert_eq!(p["status"], 404);

    let metrics = http.get(format!("{base}/metrics")).send().await.expect("metrics").text().await.expect("text");
    assert!(metrics.contains("http_requests_total"), "{metrics}");
    assert!(metrics.contains("route=\"/healthz\""), "{metrics}");
}

#[tokio::test]
async fn ops_endpoints_on_sqlite_and_memory() {
    let (store, _dir) = support::sqlite_store().await;
    let (base, stop) = start(store, support::memory_cache()).await;
    check_ops(&base, "memory").await;
    let _ = stop.send(());
}

#[tokio::test]
async fn ops_endpoints_on_postgres_and_redis() {
    let (Some(db), Some(cache)) = (support::pg_store().await, support::redis_cache().await) else { return };
    let (base, stop) = start(db.store.clone(), cache).await;
    check_ops(&base, "redis").await;
    let _ = stop.send(());
    db.cleanup().await;
}

#[test]
fn cli_migrate_creates_the_sqlite_file_and_unbuilt_commands_exit_2() {
    let dir = tempfile::tempdir().expect("dir");
    let bin = env!("CARGO_BIN_EXE_holomesh");
    let out = std::process::Command::new(bin)
        .args(["--data-dir"])
        .arg(dir.path())
        .arg("migrate")
        .env_remove("HOLOMESH_DATABASE__URL")
        .output()
        .expect("run");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(dir.path().join("holomesh.db").exists());

    let bad = std::process::Command::new(bin)
        .arg("migrate")
        .env("HOLOMESH_DATABASE__URL", "mysql://nope")
        .output()
        .expect("run");
    assert_eq!(bad.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&bad.stderr).contains("database.url"));

    let secret = std::process::Command::new(bin)
        .arg("migrate")
        .env("HOLOMESH_DATABASE__URL", "postgres://app:hunter2@127.0.0.1:1/x")
        .output()
        .expect("run");
    assert_eq!(secret.status.code(), Some(1));
    let err = String::from_utf8_lossy(&secret.stderr);
    assert!(!err.contains("hunter2"), "password leaked: {err}");
}
