//! An HTTP test server: the real router on 127.0.0.1:0 over a given store and cache,
//! with a JSON client and helpers for accounts and problem answers.
#![allow(dead_code)]

use holomesh::api::{AppState, serve_on};
use holomesh::cache::CacheBus;
use holomesh::config::Config;
use holomesh::store::Store;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

pub struct TestServer {
    pub base: String,
    pub store: Store,
    pub state: AppState,
    pub http: reqwest::Client,
    _dir: tempfile::TempDir,
    _stop: tokio::sync::oneshot::Sender<()>,
}

/// The field key of test servers (base64 of 32 bytes).
pub const TEST_FIELD_KEY: &str = "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=";

impl TestServer {
    /// Starts the server; `tweak` may change the configuration first.
    pub async fn start(store: Store, cache: CacheBus, tweak: impl FnOnce(&mut Config)) -> Self {
        let dir = tempfile::tempdir().expect("dir");
        let mut config = Config::load(None, Some(dir.path().to_path_buf())).expect("config");
        // Deposits with play money, as in development; a test may turn them off.
        config.payments.provider = holomesh::config::PaymentsProvider::Development;
        // One field key for every server of a test, as several instances of one
        // deployment share theirs.
        config.security.field_keys.insert("test".into(), holomesh::config::Secret::new(TEST_FIELD_KEY));
        config.security.active_field_key = "test".into();
        tweak(&mut config);
        let state = holomesh::app::App::assemble(config, store.clone(), cache, holomesh::app::Speech::Off)
            .await
            .expect("app")
            .http_state();
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let addr = listener.local_addr().expect("addr");
        let (tx, rx) = tokio::sync::oneshot::channel::<()>();
        tokio::spawn(serve_on(listener, state.clone(), async move {
            let _ = rx.await;
        }));
        let http = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().expect("client");
        Self { base: format!("http://{addr}"), store, state, http, _dir: dir, _stop: tx }
    }

    pub fn req(&self, method: Method, path: &str, token: Option<&str>) -> reqwest::RequestBuilder {
        let r = self.http.request(method, format!("{}{path}", self.base));
        match token {
            Some(t) => r.bearer_auth(t),
            None => r,
        }
    }

    /// Sends and returns status and JSON body (`Null` when empty).
    pub async fn call(
        &self,
        method: Method,
        path: &str,
        token: Option<&str>,
        body: Option<Value>,
    ) -> (StatusCode, Value) {
        let mut r = self.req(method, path, token);
        if let Some(b) = body {
            r = r.json(&b);
        }
        let resp = r.send().await.expect("send");
        let status = resp.status();
        let text = resp.text().await.expect("body");
        (status, serde_json::from_str(&text).unwrap_or(Value::Null))
    }

    /// Registers `name@example.org` with a fixed password and logs in: (user id, access, refresh).
    pub async fn signup(&self, name: &str, role: &str) -> (String, String, String) {
        let email = format!("{name}@example.org");
        let (s, me) = self
            .call(
                Method::POST,
                "/v1/auth/register",
                None,
                Some(json!({"email": email, "password": PASSWORD, "display_name": name, "role": role})),
            )
            .await;
        assert_eq!(s, StatusCode::CREATED, "{me}");
        let (s, t) =
            self.call(Method::POST, "/v1/auth/login", None, Some(json!({"email": email, "password": PASSWORD}))).await;
        assert_eq!(s, StatusCode::OK, "{t}");
        (
            me["id"].as_str().expect("id").to_owned(),
            t["access_token"].as_str().expect("access").to_owned(),
            t["refresh_token"].as_str().expect("refresh").to_owned(),
        )
    }
}

pub const PASSWORD: &str = "correct horse battery staple";

/// Asserts a problem+json answer with `status` and `code`.
pub async fn expect_problem(resp: reqwest::Response, status: StatusCode, code: &str) -> Value {
    assert_eq!(resp.status(), status);
    assert_eq!(resp.headers()["content-type"], "application/problem+json");
    let body: Value = resp.json().await.expect("problem body");
    assert_eq!(body["code"], code, "{body}");
    for k in ["type", "title", "status", "detail"] {
        assert!(body.get(k).is_some(), "problem lacks {k}: {body}");
    }
    body
}

/// Runs each listed `async fn name(store, cache)` on SQLite + memory and on
/// PostgreSQL + Redis.
#[macro_export]
macro_rules! http_conformance {
    ($($name:ident),* $(,)?) => {
        mod sqlite_memory {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
                async fn $name() {
                    let (store, _dir) = $crate::support::sqlite_store().await;
                    super::$name(store, $crate::support::memory_cache()).await;
                }
            )*
        }
        mod postgres_redis {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
                async fn $name() {
                    let Some(db) = $crate::support::pg_store().await else { return };
                    let Some(cache) = $crate::support::redis_cache().await else { return };
                    super::$name(db.store.clone(), cache).await;
                    db.cleanup().await;
                }
            )*
        }
    };
}
