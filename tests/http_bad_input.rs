//! Hostile input against every documented operation that reads a JSON body: malformed
//! JSON, wrong shapes, unknown fields, 1 MB strings, negative and huge numbers, nulls.
//! No answer is a 5xx, every refusal is problem+json, and nothing stored changes.
//! SQLite + memory and PostgreSQL + Redis.

mod support;

use holomesh::cache::CacheBus;
use holomesh::store::Store;
use reqwest::{Method, StatusCode};
use serde_json::{Map, Value, json};
use support::http::TestServer;

/// The schema object a `$ref` (or an inline schema) stands for.
fn resolve<'a>(doc: &'a Value, schema: &'a Value) -> &'a Value {
    match schema.get("$ref").and_then(Value::as_str).and_then(|r| r.strip_prefix("#/components/schemas/")) {
        Some(name) => &doc["components"]["schemas"][name],
        None => schema,
    }
}

/// Bodies that must all be refused: each property of the schema replaced in turn.
fn hostile_bodies(doc: &Value, schema: &Value) -> Vec<(String, String)> {
    let schema = resolve(doc, schema);
    let mut out = vec![
        ("malformed".to_owned(), "{not json".to_owned()),
        ("array".to_owned(), "[]".to_owned()),
        ("string".to_owned(), "\"x\"".to_owned()),
        ("unknown field".to_owned(), json!({"is_admin": true, "role": "admin"}).to_string()),
    ];
    let props: Vec<String> = schema["properties"].as_object().map(|p| p.keys().cloned().collect()).unwrap_or_default();
    let huge = "x".repeat(1 << 20);
    for prop in &props {
        for (label, value) in [
            ("1 MB string", json!(huge)),
            ("negative", json!(-1)),
            ("huge number", json!(1e300)),
            ("object", json!({"nested": [1, 2, 3]})),
            ("NUL", json!("a\u{0}b")),
        ] {
            let mut body = Map::new();
            body.insert(prop.clone(), value);
            out.push((format!("{prop}: {label}"), Value::Object(body).to_string()));
        }
    }
    out
}

/// What the caller can see of their own data, to compare before and after.
async fn snapshot(s: &TestServer, token: &str) -> Vec<Value> {
    let mut out = Vec::new();
    for path in [
        "/v1/me",
        "/v1/wallet",
        "/v1/purchases",
        "/v1/subscriptions",
        "/v1/groups",
        "/v1/forum/threads",
        "/v1/collaborations",
        "/v1/chips?limit=100",
        "/v1/me/earnings",
        "/v1/me/client-profile",
    ] {
        let (st, v) = s.call(Method::GET, path, Some(token), None).await;
        out.push(json!({"path": path, "status": st.as_u16(), "body": v}));
    }
    out
}

async fn hostile_bodies_are_refused_cleanly(store: Store, cache: CacheBus) {
    let s = TestServer::start(store, cache, |c| {
        c.auth.requests_per_minute = 0; // this test sends thousands of requests
        c.auth.login_attempts_per_account = 0;
        c.auth.login_attempts_per_address = 0;
    })
    .await;
    let (_, token, _) = s.signup("dana", "designer").await;
    let (_, doc) = s.call(Method::GET, "/openapi.json", None, None).await;
    let before = snapshot(&s, &token).await;
    // A fresh connection per request: when the server refuses before reading a 1 MB
    // body it closes the connection, which must not break the next request.
    let fresh = reqwest::Client::builder().pool_max_idle_per_host(0).build().expect("client");
    let mut sent = 0;
    for (path, item) in doc["paths"].as_object().expect("paths") {
        for (method, op) in item.as_object().expect("item") {
            let Some(schema) = op.pointer("/requestBody/content/application~1json/schema") else { continue };
            let Ok(m) = Method::from_bytes(method.to_uppercase().as_bytes()) else { continue };
            // Real objects are not needed: a body is read (and refused) whatever the id.
            let url = path.replace("{id}", &uuid::Uuid::now_v7().to_string()).replace("{designer_handle}", "dana");
            for (label, body) in hostile_bodies(&doc, schema) {
                let sent_req = fresh
                    .request(m.clone(), format!("{}{url}", s.base))
                    .bearer_auth(&token)
                    .header("content-type", "application/json")
                    .body(body)
                    .send()
                    .await;
                let r = match sent_req {
                    Ok(r) => r,
                    // Refused (e.g. 403) before the body was read: the server closed
                    // the connection while a 1 MB body was still being written.
                    Err(e) if label.contains("1 MB") && e.is_request() => continue,
                    Err(e) => panic!("{method} {path} [{label}]: {e}"),
                };
                let status = r.status();
                let ctype = r.headers().get("content-type").and_then(|v| v.to_str().ok()).unwrap_or("").to_owned();
                let text = r.text().await.unwrap_or_default();
                let what = format!("{method} {path} [{label}] → {status} {}", &text[..text.len().min(300)]);
                assert!(!status.is_server_error(), "{what}");
                if status.is_client_error() {
                    assert_eq!(ctype, "application/problem+json", "{what}");
                    let p: Value = serde_json::from_str(&text).expect("problem body");
                    assert!(p["code"].is_string() && p["detail"].is_string(), "{what}");
                }
                // The only writes that may answer 2xx to junk are idempotent no-ops
                // (logging out an unknown token).
                if status.is_success() {
                    assert_eq!(path, "/v1/auth/logout", "{what}");
                }
                sent += 1;
            }
        }
    }
    assert!(sent > 300, "only {sent} requests");
    assert_eq!(snapshot(&s, &token).await, before, "hostile requests changed stored data");

    // A body over the configured limit (16 MiB) is refused before it is read.
    let big = vec![b' '; 17 << 20];
    let r = s.req(Method::POST, "/v1/groups", Some(&token)).header("content-type", "application/json").body(big);
    let st = r.send().await.map(|r| r.status()).unwrap_or(StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(st, StatusCode::PAYLOAD_TOO_LARGE);
}

http_conformance!(hostile_bodies_are_refused_cleanly);
