//! Object-level authorization: two users, two designers and an admin against every
//! endpoint that takes an object id from the client. Only the owner (or, where the
//! contract says so, an admin) gets through; everyone else gets 403 or 404 and the
//! object is unchanged. SQLite + memory and PostgreSQL + Redis.

mod support;

use holomesh::auth::totp;
use holomesh::cache::CacheBus;
use holomesh::domain::Role;
use holomesh::store::Store;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use support::http::TestServer;

fn now() -> u64 {
    u64::try_from(time::OffsetDateTime::now_utc().unix_timestamp()).expect("time")
}

async fn ok(s: &TestServer, m: Method, path: &str, tok: &str, body: Option<Value>) -> Value {
    let (st, v) = s.call(m.clone(), path, Some(tok), body).await;
    assert!(st.is_success(), "{m} {path} → {st} {v}");
    v
}

fn chip_body(vlnv: &str, title: &str) -> Value {
    json!({"vlnv": vlnv, "title": title, "description": "", "category": "dsp", "process_node": "28nm", "tags": [],
           "price": {"amount_minor": 1000, "currency": "USD"}, "royalty_bps": 0,
           "content_sha256": "ab".repeat(32), "content_size": 10})
}

/// Who may do what: `allowed` get 2xx, the rest 403/404.
struct Case {
    method: Method,
    path: String,
    body: Option<Value>,
    allowed: &'static [&'static str],
}

async fn object_level_checks(store: Store, cache: CacheBus) {
    let s = TestServer::start(store, cache, |_| {}).await;
    let (alice_id, alice, _) = s.signup("alice", "user").await;
    let (_, bob, _) = s.signup("bob", "user").await;
    let (_, dana, _) = s.signup("dana", "designer").await;
    let (_, dave, _) = s.signup("dave", "designer").await;
    let (root_id, root, _) = s.signup("root", "user").await;
    s.store.set_user_role(root_id.parse().expect("id"), Role::Admin).await.expect("promote");
    let e = ok(&s, Method::POST, "/v1/auth/totp/enroll", &root, None).await;
    let secret = totp::from_base32(e["secret"].as_str().expect("secret")).expect("b32");
    let code = totp::code_at(&secret, now()).expect("code");
    ok(&s, Method::POST, "/v1/auth/totp/confirm", &root, Some(json!({"code": code}))).await;
    let tokens = [("alice", &alice), ("bob", &bob), ("dana", &dana), ("dave", &dave), ("root", &root)];

    // Dana's objects: a published chip, a draft, a group with a thread.
    let published = ok(&s, Method::POST, "/v1/chips", &dana, Some(chip_body("dana.dev:dsp:a:1.0", "Chip A"))).await;
    let published = published["id"].as_str().expect("id").to_owned();
    ok(&s, Method::POST, &format!("/v1/chips/{published}/publish"), &dana, None).await;
    let draft = ok(&s, Method::POST, "/v1/chips", &dana, Some(chip_body("dana.dev:dsp:b:1.0", "Chip B"))).await;
    let draft = draft["id"].as_str().expect("id").to_owned();
    let group = ok(&s, Method::POST, "/v1/groups", &dana, Some(json!({"name": "Dana's lab"}))).await;
    let group = group["id"].as_str().expect("id").to_owned();
    let thread = ok(
        &s,
        Method::POST,
        "/v1/forum/threads",
        &dana,
        Some(json!({"title": "Roadmap", "body": "members only", "group_id": group})),
    )
    .await;
    let thread = thread["id"].as_str().expect("id").to_owned();

    // Alice's objects: a purchase, a notification, a session.
    ok(&s, Method::POST, "/v1/wallet/deposits", &alice, Some(json!({"amount_minor": 5000, "currency": "USD"}))).await;
    let r = s
        .req(Method::POST, "/v1/purchases", Some(&alice))
        .header("Idempotency-Key", "k1")
        .json(&json!({"chip_id": published}))
        .send()
        .await
        .expect("send");
    assert_eq!(r.status(), StatusCode::CREATED);
    let purchase: Value = r.json().await.expect("json");
    let purchase = purchase["purchase"]["id"].as_str().expect("purchase id").to_owned();
    ok(&s, Method::PUT, "/v1/subscriptions/dana", &alice, Some(json!({"auto_purchase": false, "notify": "immediate"})))
        .await;
    let c = ok(&s, Method::POST, "/v1/chips", &dana, Some(chip_body("dana.dev:dsp:c:1.0", "Chip C"))).await;
    ok(&s, Method::POST, &format!("/v1/chips/{}/publish", c["id"].as_str().expect("id")), &dana, None).await;
    holomesh::market::OutboxWorker::new(s.state.market.clone()).run_once().await.expect("worker");
    let notes = ok(&s, Method::GET, "/v1/notifications", &alice, None).await;
    let note = notes["items"][0]["id"].as_str().expect("a notification for alice").to_owned();
    let sessions = ok(&s, Method::GET, "/v1/me/sessions", &alice, None).await;
    let session = sessions["items"][0]["id"].as_str().expect("session").to_owned();

    let cases = vec![
        Case { method: Method::GET, path: format!("/v1/purchases/{purchase}"), body: None, allowed: &["alice"] },
        Case { method: Method::GET, path: format!("/v1/chips/{draft}"), body: None, allowed: &["dana", "root"] },
        Case { method: Method::GET, path: format!("/v1/chips/{draft}/nft"), body: None, allowed: &[] },
        Case {
            method: Method::POST,
            path: format!("/v1/chips/{published}/reviews"),
            body: Some(json!({"rating": 5, "body": "great"})),
            allowed: &["alice"],
        },
        Case {
            method: Method::POST,
            path: format!("/v1/forum/threads/{thread}/posts"),
            body: Some(json!({"body": "hello"})),
            allowed: &["dana"],
        },
        Case {
            method: Method::POST,
            path: format!("/v1/groups/{group}/members"),
            body: Some(json!({"handle": "dave"})),
            allowed: &["dana"],
        },
        Case { method: Method::POST, path: format!("/v1/notifications/{note}/read"), body: None, allowed: &["alice"] },
        Case {
            method: Method::PUT,
            path: format!("/v1/admin/users/{alice_id}/role"),
            body: Some(json!({"role": "designer"})),
            allowed: &["root"],
        },
        Case {
            method: Method::POST,
            path: format!("/v1/admin/purchases/{purchase}/refund"),
            body: None,
            allowed: &["root"],
        },
        Case {
            method: Method::POST,
            path: format!("/v1/chips/{draft}/publish"),
            body: None,
            allowed: &["dana", "root"],
        },
        Case { method: Method::DELETE, path: format!("/v1/me/sessions/{session}"), body: None, allowed: &["alice"] },
    ];
    for case in &cases {
        // Everyone else first: they must fail and change nothing the owner then sees.
        for (who, tok) in tokens.iter().filter(|(w, _)| !case.allowed.contains(w)) {
            let (st, v) = s.call(case.method.clone(), &case.path, Some(tok), case.body.clone()).await;
            assert!(
                st == StatusCode::FORBIDDEN || st == StatusCode::NOT_FOUND,
                "{who}: {} {} → {st} {v}",
                case.method,
                case.path
            );
        }
        if let Some(owner) = case.allowed.first() {
            let tok = tokens.iter().find(|(w, _)| w == owner).map(|(_, t)| *t).expect("owner");
            ok(&s, case.method.clone(), &case.path, tok, case.body.clone()).await;
        }
    }

    // The owners' objects as they left them: one post, one member added, one review, ...
    let members = ok(&s, Method::GET, &format!("/v1/groups/{group}/members"), &dana, None).await;
    assert_eq!(members["items"].as_array().map(Vec::len).or(members.as_array().map(Vec::len)), Some(2), "{members}");
    let posts = ok(&s, Method::GET, &format!("/v1/forum/threads/{thread}/posts"), &dana, None).await;
    assert_eq!(posts["items"].as_array().map(Vec::len), Some(2), "the opening post and Dana's: {posts}");
    let reviews = ok(&s, Method::GET, &format!("/v1/chips/{published}/reviews"), &bob, None).await;
    assert_eq!(reviews["items"].as_array().map(Vec::len), Some(1), "{reviews}");
    // Alice was refunded exactly once, and her session is gone (her token with it).
    let w = ok(&s, Method::GET, "/v1/wallet", &dana, None).await;
    assert_eq!(w["balance_minor"], 0, "the refund reversed Dana's sale: {w}");
    let (st, _) = s.call(Method::GET, "/v1/me", Some(&alice), None).await;
    assert_eq!(st, StatusCode::UNAUTHORIZED);
    let audit = s.store.list_audit(None, holomesh::domain::PageRequest::first(100)).await.expect("audit").items;
    assert!(audit.iter().any(|a| a.action == "role_changed"));
}

/// Lists only ever show the caller's own objects.
async fn lists_are_per_user(store: Store, cache: CacheBus) {
    let s = TestServer::start(store, cache, |_| {}).await;
    let (_, dana, _) = s.signup("dana", "designer").await;
    let (_, alice, _) = s.signup("alice", "user").await;
    let (_, bob, _) = s.signup("bob", "user").await;
    let id = ok(&s, Method::POST, "/v1/chips", &dana, Some(chip_body("dana.dev:dsp:a:1.0", "Chip A"))).await;
    let id = id["id"].as_str().expect("id").to_owned();
    ok(&s, Method::POST, &format!("/v1/chips/{id}/publish"), &dana, None).await;
    ok(&s, Method::POST, "/v1/wallet/deposits", &alice, Some(json!({"amount_minor": 5000}))).await;
    let r = s
        .req(Method::POST, "/v1/purchases", Some(&alice))
        .header("Idempotency-Key", "k")
        .json(&json!({"chip_id": id}))
        .send()
        .await
        .expect("send");
    assert_eq!(r.status(), StatusCode::CREATED);
    ok(&s, Method::PUT, "/v1/subscriptions/dana", &alice, Some(json!({"auto_purchase": false, "notify": "weekly"})))
        .await;
    for path in ["/v1/purchases", "/v1/subscriptions", "/v1/notifications", "/v1/me/sessions"] {
        let mine = ok(&s, Method::GET, path, &alice, None).await;
        let theirs = ok(&s, Method::GET, path, &bob, None).await;
        assert!(!mine["items"].as_array().expect("items").is_empty() || path == "/v1/notifications", "{path}: {mine}");
        let bob_sees = theirs["items"].as_array().expect("items").len();
        let expected = usize::from(path == "/v1/me/sessions");
        assert_eq!(bob_sees, expected, "{path}: {theirs}");
    }
    let w = ok(&s, Method::GET, "/v1/wallet", &bob, None).await;
    assert_eq!(w["balance_minor"], 0);
}

http_conformance!(object_level_checks, lists_are_per_user);
