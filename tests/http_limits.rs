//! Per-user request limits, CORS for configured origins only, and request ids.
//! SQLite + memory and PostgreSQL + Redis.

mod support;

use holomesh::cache::CacheBus;
use holomesh::store::Store;
use reqwest::{Method, StatusCode};
use support::http::{TestServer, expect_problem};

async fn requests_per_user_are_limited(store: Store, cache: CacheBus) {
    let s = TestServer::start(store, cache, |c| c.auth.requests_per_minute = 5).await;
    let (_, ann, _) = s.signup("ann", "user").await;
    let (_, ben, _) = s.signup("ben", "user").await;
    for _ in 0..5 {
        assert_eq!(s.call(Method::GET, "/v1/me", Some(&ann), None).await.0, StatusCode::OK);
    }
    let r = s.req(Method::GET, "/v1/me", Some(&ann)).send().await.expect("send");
    assert!(r.headers().contains_key("retry-after"));
    expect_problem(r, StatusCode::TOO_MANY_REQUESTS, "too_many_requests").await;
    // Another user is not affected, and public reads need no token.
    assert_eq!(s.call(Method::GET, "/v1/me", Some(&ben), None).await.0, StatusCode::OK);
    assert_eq!(s.call(Method::GET, "/v1/chips", None, None).await.0, StatusCode::OK);
}

async fn cors_only_for_configured_origins(store: Store, cache: CacheBus) {
    let s = TestServer::start(store, cache, |c| c.server.cors_origins = vec!["https://market.example".into()]).await;
    let preflight = |origin: &'static str| {
        s.req(Method::OPTIONS, "/v1/chips", None)
            .header("origin", origin)
            .header("access-control-request-method", "POST")
            .header("access-control-request-headers", "authorization, content-type")
            .send()
    };
    let ok = preflight("https://market.example").await.expect("send");
    assert_eq!(
        ok.headers().get("access-control-allow-origin").and_then(|v| v.to_str().ok()),
        Some("https://market.example")
    );
    let methods = ok.headers().get("access-control-allow-methods").and_then(|v| v.to_str().ok()).unwrap_or("");
    assert!(methods.contains("POST"), "{methods}");
    let evil = preflight("https://evil.example").await.expect("send");
    assert!(evil.headers().get("access-control-allow-origin").is_none());
    // Every answer carries a request id (echoed when the client sends one).
    let r = s.req(Method::GET, "/healthz", None).header("x-request-id", "abc-123").send().await.expect("send");
    assert_eq!(r.headers().get("x-request-id").and_then(|v| v.to_str().ok()), Some("abc-123"));
    let r = s.req(Method::GET, "/healthz", None).send().await.expect("send");
    assert!(r.headers().get("x-request-id").is_some_and(|v| v.len() >= 32));
}

http_conformance!(requests_per_user_are_limited, cors_only_for_configured_origins);
