//! The OpenAPI document: it validates as OpenAPI 3 (with the PyPI
//! `openapi-spec-validator`), lists every endpoint of the contract, and matches the
//! server: every documented operation is routed, secured ones answer 401 without a
//! token, and none answers 5xx.

mod support;

use reqwest::{Method, StatusCode};
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::Command;
use support::http::TestServer;

/// The endpoints clients are written against (docs/api.md), as (method, path).
const CONTRACT: &[(&str, &str)] = &[
    ("post", "/v1/auth/register"),
    ("post", "/v1/auth/login"),
    ("post", "/v1/auth/refresh"),
    ("post", "/v1/auth/logout"),
    ("get", "/v1/auth/oauth/{provider}/start"),
    ("get", "/v1/auth/oauth/{provider}/callback"),
    ("post", "/v1/auth/totp/enroll"),
    ("post", "/v1/auth/totp/confirm"),
    ("delete", "/v1/auth/totp"),
    ("get", "/v1/me"),
    ("patch", "/v1/me"),
    ("put", "/v1/me/designer-profile"),
    ("put", "/v1/me/client-profile"),
    ("get", "/v1/me/client-profile"),
    ("get", "/v1/me/patterns"),
    ("get", "/v1/me/audience"),
    ("get", "/v1/unsubscribe/{token}"),
    ("post", "/v1/unsubscribe/{token}"),
    ("get", "/v1/push/public-key"),
    ("post", "/v1/me/push-subscriptions"),
    ("delete", "/v1/me/push-subscriptions"),
    ("get", "/v1/me/sessions"),
    ("delete", "/v1/me/sessions/{id}"),
    ("get", "/v1/me/earnings"),
    ("get", "/v1/designers"),
    ("get", "/v1/designers/{handle}"),
    ("get", "/v1/designers/{handle}/reviews"),
    ("post", "/v1/chips"),
    ("post", "/v1/chips/{id}/publish"),
    ("get", "/v1/chips"),
    ("get", "/v1/chips/{id}"),
    ("get", "/v1/chips/{id}/nft"),
    ("post", "/v1/chips/{id}/verify"),
    ("post", "/v1/chips/{id}/reviews"),
    ("get", "/v1/wallet"),
    ("post", "/v1/wallet/deposits"),
    ("post", "/v1/purchases"),
    ("get", "/v1/purchases"),
    ("get", "/v1/purchases/{id}"),
    ("put", "/v1/subscriptions/{designer_handle}"),
    ("delete", "/v1/subscriptions/{designer_handle}"),
    ("get", "/v1/subscriptions"),
    ("get", "/v1/notifications"),
    ("post", "/v1/notifications/{id}/read"),
    ("post", "/v1/groups"),
    ("post", "/v1/groups/{id}/members"),
    ("get", "/v1/groups"),
    ("post", "/v1/forum/threads"),
    ("post", "/v1/forum/threads/{id}/posts"),
    ("get", "/v1/forum/threads"),
    ("post", "/v1/collaborations"),
    ("get", "/v1/collaborations"),
    ("post", "/v1/voice/transcripts"),
    ("post", "/v1/voice/audio"),
    ("get", "/v1/voice/commands"),
    ("post", "/v1/voice/commands/{id}/confirm"),
    ("post", "/v1/voice/commands/{id}/cancel"),
    ("get", "/healthz"),
    ("get", "/readyz"),
    ("get", "/metrics"),
];

fn python_with_validator() -> PathBuf {
    let crate_dir = Path::new(env!("CARGO_MANIFEST_DIR"));
    let python = crate_dir.join(".venv/bin/python");
    let has = |p: &Path| {
        Command::new(p).args(["-c", "import openapi_spec_validator"]).output().is_ok_and(|o| o.status.success())
    };
    if python.exists() && has(&python) {
        return python;
    }
    if !python.exists() {
        let made = Command::new("python3").args(["-m", "venv"]).arg(crate_dir.join(".venv")).output().expect("python3");
        assert!(made.status.success(), "python3 -m venv: {}", String::from_utf8_lossy(&made.stderr));
    }
    let pip = Command::new(&python)
        .args(["-m", "pip", "install", "--quiet", "--disable-pip-version-check", "-r"])
        .arg(crate_dir.join("scripts/requirements-openapi.txt"))
        .output()
        .expect("pip");
    assert!(pip.status.success(), "pip install openapi-spec-validator:\n{}", String::from_utf8_lossy(&pip.stderr));
    python
}

async fn document(s: &TestServer) -> Value {
    let r = s.req(Method::GET, "/openapi.json", None).send().await.expect("send");
    assert_eq!(r.status(), StatusCode::OK);
    r.json().await.expect("json")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn document_validates_and_covers_the_contract() {
    let (store, _dir) = support::sqlite_store().await;
    let s = TestServer::start(store, support::memory_cache(), |_| {}).await;
    let doc = document(&s).await;
    assert!(doc["openapi"].as_str().is_some_and(|v| v.starts_with("3.")), "{}", doc["openapi"]);

    let file = tempfile::NamedTempFile::new().expect("tmp");
    std::fs::write(file.path(), serde_json::to_vec(&doc).expect("bytes")).expect("write");
    let out = Command::new(python_with_validator())
        .args(["-c", "import json,sys; from openapi_spec_validator import validate; validate(json.load(open(sys.argv[1]))); print('valid')"])
        .arg(file.path())
        .output()
        .expect("run validator");
    let err = String::from_utf8_lossy(&out.stderr);
    let last: String = err.lines().rev().find(|l| !l.trim().is_empty()).unwrap_or("").chars().take(400).collect();
    assert!(out.status.success(), "openapi-spec-validator: {last}");

    let paths = doc["paths"].as_object().expect("paths");
    let missing: Vec<String> = CONTRACT
        .iter()
        .filter(|(m, p)| paths.get(*p).and_then(|item| item.get(*m)).is_none())
        .map(|(m, p)| format!("{} {p}", m.to_uppercase()))
        .collect();
    assert!(missing.is_empty(), "not in the document: {missing:?}");
    assert!(doc["components"]["securitySchemes"]["bearer"].is_object());
    assert!(doc["components"]["schemas"]["Problem"].is_object());
}

/// A concrete URL for a templated path: ids get a random UUID, other names a word.
fn concrete(path: &str) -> String {
    path.split('/')
        .map(|seg| match seg {
            "{id}" => uuid::Uuid::now_v7().to_string(),
            s if s.starts_with('{') => "nobody".to_owned(),
            s => s.to_owned(),
        })
        .collect::<Vec<_>>()
        .join("/")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_documented_operation_is_served() {
    let (store, _dir) = support::sqlite_store().await;
    let s = TestServer::start(store, support::memory_cache(), |_| {}).await;
    let doc = document(&s).await;
    let mut checked = 0;
    for (path, item) in doc["paths"].as_object().expect("paths") {
        for (method, op) in item.as_object().expect("item") {
            let Ok(m) = Method::from_bytes(method.to_uppercase().as_bytes()) else { continue };
            let resp = s.req(m.clone(), &concrete(path), None).send().await.expect("send");
            let status = resp.status();
            let body: Value = resp.json().await.unwrap_or(Value::Null);
            let what = format!("{method} {path} → {status} {body}");
            assert!(!status.is_server_error() || path == "/readyz", "{what}");
            assert_ne!(body["detail"], "no such endpoint", "{what}");
            assert_ne!(status, StatusCode::METHOD_NOT_ALLOWED, "{what}");
            // `security: [{}, {bearer: []}]` marks a token as optional (public reads).
            let reqs = op["security"].as_array().cloned().unwrap_or_default();
            let optional = reqs.iter().any(|r| r.as_object().is_some_and(|o| o.is_empty()));
            let secured = !optional && reqs.iter().any(|r| r.get("bearer").is_some());
            if secured {
                assert_eq!(status, StatusCode::UNAUTHORIZED, "{what}");
                let listed = op["responses"].get("401").is_some();
                assert!(listed, "{method} {path} answers 401 but does not document it");
            }
            checked += 1;
        }
    }
    assert!(checked >= CONTRACT.len(), "only {checked} operations");
}
