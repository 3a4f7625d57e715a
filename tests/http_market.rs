//! The marketplace endpoints through the real router on a bound port, with device
//! tokens: listing and publishing chips, deposits, idempotent purchases, the catalog,
//! subscriptions, notifications, bad input, and hot-read caching. SQLite + memory and
//! PostgreSQL + Redis; one test also runs with a cache that is down.

mod support;

use holomesh::cache::CacheBus;
use holomesh::domain::{PageRequest, Role};
use holomesh::store::Store;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use std::sync::Arc;
use support::device_token as new_device_token;
use support::http::{TestServer, expect_problem};

const DESIGN: &[u8] = b"module falcon(input clk); endmodule\n";

/// A server and a device token for each named account (designers get their handle).
async fn setup(store: Store, cache: CacheBus, people: &[(&str, Role)]) -> (TestServer, Vec<(String, String)>) {
    let mut tokens = Vec::new();
    for (name, role) in people {
        let u = support::account(&store, name, *role).await;
        let (token, hash) = new_device_token();
        store.create_device_token(u.id, "test", &hash).await.expect("token");
        tokens.push((u.id.to_string(), token));
    }
    (TestServer::start(store, cache, |_| {}).await, tokens)
}

fn chip(vlnv: &str, title: &str, category: &str, price: i64, supply: Option<i64>) -> Value {
    let sha: String = Sha256::digest(DESIGN).iter().map(|b| format!("{b:02x}")).collect();
    json!({"vlnv": vlnv, "title": title, "description": "a test design", "category": category,
        "process_node": "28nm", "tags": ["dsp"], "price": {"amount_minor": price, "currency": "USD"},
        "supply": supply, "royalty_bps": 500, "content_sha256": sha, "content_size": DESIGN.len()})
}

/// Creates and publishes a chip as `token`; returns its id.
async fn listed(s: &TestServer, token: &str, body: Value) -> String {
    let (st, c) = s.call(Method::POST, "/v1/chips", Some(token), Some(body)).await;
    assert_eq!(st, StatusCode::CREATED, "{c}");
    let id = c["id"].as_str().expect("id").to_owned();
    let (st, p) = s.call(Method::POST, &format!("/v1/chips/{id}/publish"), Some(token), None).await;
    assert_eq!((st, p["status"].as_str()), (StatusCode::OK, Some("published")), "{p}");
    id
}

async fn buy(s: &TestServer, token: &str, chip_id: &str, key: Option<&str>) -> reqwest::Response {
    let mut r = s.req(Method::POST, "/v1/purchases", Some(token)).json(&json!({"chip_id": chip_id}));
    if let Some(k) = key {
        r = r.header("Idempotency-Key", k);
    }
    r.send().await.expect("send")
}

async fn balance(s: &TestServer, token: &str) -> i64 {
    let (st, w) = s.call(Method::GET, "/v1/wallet", Some(token), None).await;
    assert_eq!((st, w["currency"].as_str()), (StatusCode::OK, Some("USD")), "{w}");
    w["balance_minor"].as_i64().expect("balance")
}

async fn deposit(s: &TestServer, token: &str, amount: i64) -> (StatusCode, Value) {
    s.call(Method::POST, "/v1/wallet/deposits", Some(token), Some(json!({"amount_minor": amount, "currency": "USD"})))
        .await
}

async fn deposits_need_a_provider_and_a_real_currency(store: Store, cache: CacheBus) {
    // The default: no payment provider, so no deposits at all.
    let off = TestServer::start(store.clone(), cache.clone(), |c| {
        c.payments.provider = holomesh::config::PaymentsProvider::None;
    })
    .await;
    let (_, ann, _) = off.signup("ann", "user").await;
    let (st, v) = deposit(&off, &ann, 1000).await;
    assert_eq!((st, v["code"].as_str()), (StatusCode::FORBIDDEN, Some("deposits_disabled")), "{v}");
    let (_, ready) = off.call(Method::GET, "/readyz", None, None).await;
    assert!(ready["payments"].as_str().is_some_and(|p| p.starts_with("none")), "{ready}");
    // Play money where development payments are on; only ISO 4217 currencies.
    let dev = TestServer::start(store, cache, |_| {}).await;
    let (_, ben, _) = dev.signup("ben", "user").await;
    let (_, ready) = dev.call(Method::GET, "/readyz", None, None).await;
    assert!(ready["payments"].as_str().is_some_and(|p| p.contains("development")), "{ready}");
    for code in ["XXZ", "usd1", "EURO", "$"] {
        let body = json!({"amount_minor": 1000, "currency": code});
        let (st, v) = dev.call(Method::POST, "/v1/wallet/deposits", Some(&ben), Some(body)).await;
        assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "{code}: {v}");
    }
    let (st, wallets) = dev.call(Method::GET, "/v1/wallet?currency=XXZ", Some(&ben), None).await;
    assert!(st.is_client_error(), "no wallet in a made-up currency: {st} {wallets}");
    assert_eq!(deposit(&dev, &ben, 1000).await.0, StatusCode::CREATED);
    let jpy = json!({"amount_minor": 500, "currency": "jpy"});
    let (st, w) = dev.call(Method::POST, "/v1/wallet/deposits", Some(&ben), Some(jpy)).await;
    assert_eq!(
        (st, w["currency"].as_str(), w["balance_minor"].as_i64()),
        (StatusCode::CREATED, Some("JPY"), Some(500)),
        "{w}"
    );
}

async fn verify(s: &TestServer, id: &str, bytes: &'static [u8]) -> Value {
    let r = s.req(Method::POST, &format!("/v1/chips/{id}/verify"), None).body(bytes).send().await.expect("send");
    assert_eq!(r.status(), StatusCode::OK);
    r.json::<Value>().await.expect("json")
}

async fn chips_raw(s: &TestServer, query: &str) -> reqwest::Response {
    s.req(Method::GET, &format!("/v1/chips{query}"), None).send().await.expect("send")
}

async fn chips(s: &TestServer, query: &str) -> (StatusCode, Value) {
    s.call(Method::GET, &format!("/v1/chips{query}"), None, None).await
}

async fn designer_lists_and_clients_buy(store: Store, cache: CacheBus) {
    let people = [("alice", Role::Designer), ("bob", Role::Designer), ("carol", Role::User), ("dave", Role::User)];
    let (s, t) = setup(store, cache, &people).await;
    let (alice, bob, carol, dave) = (&t[0].1, &t[1].1, &t[2].1, &t[3].1);
    let mut body = chip("acme.com:dsp:falcon:1.0", "Falcon DSP", "DSP", 4999, Some(1));
    body["ip_blocks"] = json!([{"designer_handle": "bob", "vlnv": "bob.dev:ip:mac:1.0", "share_bps": 1500}]);
    let (st, draft) = s.call(Method::POST, "/v1/chips", Some(alice), Some(body)).await;
    assert_eq!(st, StatusCode::CREATED, "{draft}");
    assert_eq!((draft["status"].as_str(), draft["designer_id"].as_str()), (Some("draft"), Some(t[0].0.as_str())));
    assert_eq!(draft["category"], "dsp");
    let id = draft["id"].as_str().expect("id").to_owned();

    // A draft is its designer's alone: others neither see nor publish it.
    for who in [None, Some(carol.as_str()), Some(bob.as_str())] {
        let r = s.req(Method::GET, &format!("/v1/chips/{id}"), who).send().await.expect("send");
        expect_problem(r, StatusCode::NOT_FOUND, "not_found").await;
    }
    let r = s.req(Method::POST, &format!("/v1/chips/{id}/publish"), Some(bob)).send().await.expect("send");
    expect_problem(r, StatusCode::NOT_FOUND, "not_found").await;
    let (st, mine) = s.call(Method::GET, &format!("/v1/chips/{id}"), Some(alice), None).await;
    assert_eq!((st, mine["status"].as_str()), (StatusCode::OK, Some("draft")));
    let (st, p) = s.call(Method::POST, &format!("/v1/chips/{id}/publish"), Some(alice), None).await;
    assert_eq!((st, p["status"].as_str()), (StatusCode::OK, Some("published")), "{p}");
    let (st, nft) = s.call(Method::GET, &format!("/v1/chips/{id}/nft"), None, None).await;
    assert_eq!((st, nft["properties"]["vlnv"].as_str()), (StatusCode::OK, Some("acme.com:dsp:falcon:1.0")), "{nft}");

    // Anyone checks a design file against the signed record.
    let good = verify(&s, &id, DESIGN).await;
    assert_eq!(good["valid"], true, "{good}");
    let bad = verify(&s, &id, b"module evil; endmodule").await;
    assert_eq!(bad["valid"], false);
    assert!(
        bad["checks"].as_array().expect("checks").iter().any(|c| c["name"] == "content_sha256" && c["ok"] == false)
    );

    assert_eq!(deposit(&s, carol, 10_000).await.1["balance_minor"], 10_000);
    expect_problem(buy(&s, carol, &id, None).await, StatusCode::BAD_REQUEST, "idempotency_key_required").await;
    let first = buy(&s, carol, &id, Some("order-1")).await;
    assert_eq!(first.status(), StatusCode::CREATED);
    let first = first.bytes().await.expect("body");
    let receipt: Value = serde_json::from_slice(&first).expect("json");
    let p = &receipt["purchase"];
    assert_eq!((p["buyer_id"].as_str(), p["source"].as_str()), (Some(t[2].0.as_str()), Some("api")));
    assert_eq!(p["price"], json!({"amount_minor": 4999, "currency": "USD"}));
    let split = p["split"].as_array().expect("split");
    assert_eq!(split.iter().map(|l| l["amount_minor"].as_i64().expect("amount")).sum::<i64>(), 4999);
    assert!(split.contains(&json!({"party": "contributor", "user_id": t[1].0, "amount_minor": 750})), "{p}");
    assert!(split.contains(&json!({"party": "seller", "user_id": t[0].0, "amount_minor": 4249})), "{p}");
    assert_eq!(
        (receipt["licence"]["owner_id"].as_str(), receipt["licence"]["edition"].as_i64()),
        (Some(t[2].0.as_str()), Some(1))
    );

    // A retry replays the first answer byte for byte and charges nothing more.
    let again = buy(&s, carol, &id, Some("order-1")).await;
    assert_eq!(again.status(), StatusCode::CREATED);
    assert_eq!(again.bytes().await.expect("body"), first);
    assert_eq!(balance(&s, carol).await, 5001);

    // Supply 1: the next buyer is refused and keeps their money.
    deposit(&s, dave, 10_000).await;
    expect_problem(buy(&s, dave, &id, Some("d-1")).await, StatusCode::CONFLICT, "sold_out").await;
    assert_eq!(balance(&s, dave).await, 10_000);

    let pricey = listed(&s, alice, chip("acme.com:cpu:hawk:2.0", "Hawk CPU", "cpu", 100_000, None)).await;
    let r = buy(&s, carol, &pricey, Some("order-1")).await;
    expect_problem(r, StatusCode::UNPROCESSABLE_ENTITY, "idempotency_key_reused").await;
    expect_problem(buy(&s, carol, &pricey, Some("order-2")).await, StatusCode::PAYMENT_REQUIRED, "insufficient_funds")
        .await;
    assert_eq!(balance(&s, carol).await, 5001);

    // Purchases are their buyer's alone.
    let (st, mine) = s.call(Method::GET, "/v1/purchases", Some(carol), None).await;
    assert_eq!((st, mine["items"].as_array().map(Vec::len)), (StatusCode::OK, Some(1)));
    let pid = p["id"].as_str().expect("purchase id");
    let (st, one) = s.call(Method::GET, &format!("/v1/purchases/{pid}"), Some(carol), None).await;
    assert_eq!((st, &one["id"]), (StatusCode::OK, &p["id"]));
    let r = s.req(Method::GET, &format!("/v1/purchases/{pid}"), Some(dave)).send().await.expect("send");
    expect_problem(r, StatusCode::NOT_FOUND, "not_found").await;
    let (_, none) = s.call(Method::GET, "/v1/purchases", Some(dave), None).await;
    assert_eq!(none, json!({"items": [], "next_cursor": null}));

    let (_, a) = s.call(Method::GET, "/v1/me/earnings", Some(alice), None).await;
    assert_eq!((a["sales_minor"].as_i64(), a["total_minor"].as_i64()), (Some(4249), Some(4249)), "{a}");
    let (_, b) = s.call(Method::GET, "/v1/me/earnings", Some(bob), None).await;
    assert_eq!((b["royalties_minor"].as_i64(), b["total_minor"].as_i64()), (Some(750), Some(750)), "{b}");

    // Buyers review; others may not.
    let review = json!({"rating": 4, "body": "Clean timing closure"});
    let r =
        s.req(Method::POST, &format!("/v1/chips/{id}/reviews"), Some(dave)).json(&review).send().await.expect("send");
    expect_problem(r, StatusCode::FORBIDDEN, "forbidden").await;
    let (st, rv) = s.call(Method::POST, &format!("/v1/chips/{id}/reviews"), Some(carol), Some(review)).await;
    assert_eq!((st, rv["rating"].as_i64()), (StatusCode::CREATED, Some(4)), "{rv}");
    let (_, reviews) = s.call(Method::GET, "/v1/designers/alice/reviews", None, None).await;
    assert_eq!(reviews["items"][0]["body"], "Clean timing closure", "{reviews}");
}

async fn catalog_filters_sort_and_pages(store: Store, cache: CacheBus) {
    let (s, t) = setup(store, cache, &[("alice", Role::Designer), ("bob", Role::Designer)]).await;
    let (alice, bob) = (&t[0].1, &t[1].1);
    listed(&s, alice, chip("a.com:dsp:one:1.0", "Falcon DSP", "dsp", 300, None)).await;
    listed(&s, alice, chip("a.com:cpu:two:1.0", "Hawk CPU", "cpu", 100, None)).await;
    listed(&s, bob, chip("b.com:dsp:three:1.0", "Osprey DSP", "dsp", 200, None)).await;
    listed(&s, bob, chip("b.com:io:four:1.0", "Kite SerDes", "io", 400, None)).await;
    let (st, _) =
        s.call(Method::POST, "/v1/chips", Some(bob), Some(chip("b.com:io:five:1.0", "Draft", "io", 1, None))).await;
    assert_eq!(st, StatusCode::CREATED);

    let titles = |v: &Value| -> Vec<String> {
        v["items"].as_array().expect("items").iter().map(|c| c["title"].as_str().expect("title").to_owned()).collect()
    };
    assert_eq!(
        titles(&chips(&s, "").await.1),
        ["Kite SerDes", "Osprey DSP", "Hawk CPU", "Falcon DSP"],
        "newest first, no drafts"
    );
    assert_eq!(titles(&chips(&s, "?sort=price").await.1), ["Hawk CPU", "Osprey DSP", "Falcon DSP", "Kite SerDes"]);
    assert_eq!(titles(&chips(&s, "?category=DSP&sort=price").await.1), ["Osprey DSP", "Falcon DSP"]);
    assert_eq!(titles(&chips(&s, "?designer=alice&max_price_minor=200").await.1), ["Hawk CPU"]);
    assert_eq!(titles(&chips(&s, "?q=serdes&process_node=28nm").await.1), ["Kite SerDes"]);
    assert_eq!(chips(&s, "?designer=nobody").await.1, json!({"items": [], "next_cursor": null}));

    // Two pages of two, then nothing: no repeats, nothing skipped.
    let (_, p1) = chips(&s, "?sort=price&limit=2").await;
    let cursor = p1["next_cursor"].as_str().expect("cursor").to_owned();
    let (_, p2) = chips(&s, &format!("?sort=price&limit=2&cursor={cursor}")).await;
    assert_eq!([titles(&p1), titles(&p2)].concat(), ["Hawk CPU", "Osprey DSP", "Falcon DSP", "Kite SerDes"]);
    assert!(p2["next_cursor"].is_null(), "{p2}");

    for (q, status, code) in [
        ("?cursor=garbage", StatusCode::BAD_REQUEST, "invalid_cursor"),
        ("?limit=0", StatusCode::BAD_REQUEST, "invalid_limit"),
        ("?limit=101", StatusCode::BAD_REQUEST, "invalid_limit"),
        ("?limit=ten", StatusCode::BAD_REQUEST, "invalid_query"),
        ("?sort=cheapest", StatusCode::BAD_REQUEST, "invalid_query"),
        ("?colour=red", StatusCode::BAD_REQUEST, "invalid_query"),
        ("?max_price_minor=-1", StatusCode::UNPROCESSABLE_ENTITY, "invalid"),
    ] {
        let r = s.req(Method::GET, &format!("/v1/chips{q}"), None).send().await.expect("send");
        expect_problem(r, status, code).await;
    }

    let (_, all) = s.call(Method::GET, "/v1/designers?limit=1", None, None).await;
    assert_eq!(all["items"].as_array().map(Vec::len), Some(1));
    let (_, more) = s
        .call(Method::GET, &format!("/v1/designers?cursor={}", all["next_cursor"].as_str().expect("c")), None, None)
        .await;
    assert_eq!(more["items"].as_array().map(Vec::len), Some(1));
    let (_, found) = s.call(Method::GET, "/v1/designers?q=ali&sort=rating", None, None).await;
    assert_eq!(found["items"][0]["handle"], "alice");
    assert_eq!(found["items"].as_array().map(Vec::len), Some(1));
    let (st, page) = s.call(Method::GET, "/v1/designers/bob", None, None).await;
    assert_eq!((st, page["portfolio"].as_array().map(Vec::len)), (StatusCode::OK, Some(2)), "drafts stay off the page");
    for path in [
        "/v1/designers/nobody",
        "/v1/designers/NOT%20A%20HANDLE",
        "/v1/chips/not-a-uuid",
        "/v1/chips/0191f0f0-0000-7000-8000-000000000000",
    ] {
        expect_problem(s.req(Method::GET, path, None).send().await.expect("send"), StatusCode::NOT_FOUND, "not_found")
            .await;
    }
    let r = s.req(Method::GET, "/v1/designers?sort=loudest", None).send().await.expect("send");
    expect_problem(r, StatusCode::BAD_REQUEST, "invalid_query").await;
}

async fn subscriptions_and_notifications(store: Store, cache: CacheBus) {
    let people = [("alice", Role::Designer), ("carol", Role::User), ("dave", Role::User)];
    let (s, t) = setup(store.clone(), cache, &people).await;
    let (alice, carol, dave) = (&t[0].1, &t[1].1, &t[2].1);
    let sub = json!({"auto_purchase": false, "max_price_minor": 5000, "notify": "immediate"});
    let (st, v) = s.call(Method::PUT, "/v1/subscriptions/alice", Some(carol), Some(sub)).await;
    assert_eq!(st, StatusCode::OK, "{v}");
    assert_eq!((v["designer_handle"].as_str(), v["max_price"]["amount_minor"].as_i64()), (Some("alice"), Some(5000)));
    // Auto-buy needs a price limit or a budget; a refused change leaves the subscription as it was.
    let unlimited = json!({"auto_purchase": true, "notify": "daily"});
    let (st, v) = s.call(Method::PUT, "/v1/subscriptions/alice", Some(carol), Some(unlimited)).await;
    assert_eq!((st, v["code"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("invalid")), "{v}");
    let (_, v) = s.call(Method::GET, "/v1/subscriptions", Some(carol), None).await;
    assert_eq!(v["items"][0]["auto_purchase"].as_bool(), Some(false), "{v}");
    let change = json!({"auto_purchase": true, "max_price_minor": 5000, "notify": "daily"});
    let (_, v) = s.call(Method::PUT, "/v1/subscriptions/alice", Some(carol), Some(change)).await;
    assert_eq!(
        (v["auto_purchase"].as_bool(), v["notify"].as_str(), v["max_price"]["amount_minor"].as_i64()),
        (Some(true), Some("daily"), Some(5000))
    );
    for (who, path, body, status, code) in [
        (carol, "/v1/subscriptions/alice", json!({"max_price_minor": -1}), StatusCode::UNPROCESSABLE_ENTITY, "invalid"),
        (
            carol,
            "/v1/subscriptions/alice",
            json!({"subscriber_id": t[2].0}),
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_body",
        ),
        (carol, "/v1/subscriptions/nobody", json!({}), StatusCode::NOT_FOUND, "not_found"),
        (alice, "/v1/subscriptions/alice", json!({}), StatusCode::UNPROCESSABLE_ENTITY, "invalid"),
    ] {
        let r = s.req(Method::PUT, path, Some(who)).json(&body).send().await.expect("send");
        expect_problem(r, status, code).await;
    }
    let (_, list) = s.call(Method::GET, "/v1/subscriptions", Some(carol), None).await;
    assert_eq!((list["items"].as_array().map(Vec::len), list["items"][0]["notify"].as_str()), (Some(1), Some("daily")));
    let (st, _) =
        s.call(Method::PUT, "/v1/subscriptions/alice", Some(carol), Some(json!({"notify": "immediate"}))).await;
    assert_eq!(st, StatusCode::OK);

    // A new chip from alice notifies carol, and only carol.
    let id = listed(&s, alice, chip("a.com:dsp:one:1.0", "Falcon DSP", "dsp", 300, None)).await;
    s.state.market.fan_out_chip(id.parse().expect("uuid")).await.expect("fan out");
    let (_, mine) = s.call(Method::GET, "/v1/notifications?unread=true", Some(carol), None).await;
    let items = mine["items"].as_array().expect("items");
    assert_eq!((items.len(), items[0]["chip_id"].as_str()), (1, Some(id.as_str())), "{mine}");
    let nid = items[0]["id"].as_str().expect("id").to_owned();
    let (_, theirs) = s.call(Method::GET, "/v1/notifications", Some(dave), None).await;
    assert_eq!(theirs["items"], json!([]));
    let r = s.req(Method::POST, &format!("/v1/notifications/{nid}/read"), Some(dave)).send().await.expect("send");
    expect_problem(r, StatusCode::NOT_FOUND, "not_found").await;
    let r = s.req(Method::POST, "/v1/notifications/xyz/read", Some(carol)).send().await.expect("send");
    expect_problem(r, StatusCode::NOT_FOUND, "not_found").await;
    let (st, _) = s.call(Method::POST, &format!("/v1/notifications/{nid}/read"), Some(carol), None).await;
    assert_eq!(st, StatusCode::NO_CONTENT);
    let (_, unread) = s.call(Method::GET, "/v1/notifications?unread=true", Some(carol), None).await;
    assert_eq!(unread["items"], json!([]));
    let (_, all) = s.call(Method::GET, "/v1/notifications", Some(carol), None).await;
    assert_eq!(all["items"][0]["read"], true);

    let (st, _) = s.call(Method::DELETE, "/v1/subscriptions/alice", Some(carol), None).await;
    assert_eq!(st, StatusCode::NO_CONTENT);
    let (_, list) = s.call(Method::GET, "/v1/subscriptions", Some(carol), None).await;
    assert_eq!(list, json!({"items": [], "next_cursor": null}));
    let r = s.req(Method::DELETE, "/v1/subscriptions/alice", Some(carol)).send().await.expect("send");
    expect_problem(r, StatusCode::NOT_FOUND, "not_found").await;
}

async fn bad_input_changes_nothing(store: Store, cache: CacheBus) {
    let (s, t) = setup(store.clone(), cache, &[("alice", Role::Designer), ("carol", Role::User)]).await;
    let (alice, carol) = (&t[0].1, &t[1].1);
    let body = chip("a.com:dsp:one:1.0", "Falcon DSP", "dsp", 300, None);
    let r = s.req(Method::POST, "/v1/chips", Some(carol)).json(&body).send().await.expect("send");
    expect_problem(r, StatusCode::FORBIDDEN, "forbidden").await;
    let r = s.req(Method::POST, "/v1/chips", None).json(&body).send().await.expect("send");
    expect_problem(r, StatusCode::UNAUTHORIZED, "unauthorized").await;
    for (field, value) in [("status", json!("published")), ("designer_id", json!(t[1].0)), ("sold_count", json!(9))] {
        let mut b = body.clone();
        b[field] = value;
        let r = s.req(Method::POST, "/v1/chips", Some(alice)).json(&b).send().await.expect("send");
        expect_problem(r, StatusCode::UNPROCESSABLE_ENTITY, "invalid_body").await;
    }
    let mut long = body.clone();
    long["title"] = json!("x".repeat(201));
    let mut negative = body.clone();
    negative["price"]["amount_minor"] = json!(-1);
    for b in [long, negative] {
        let r = s.req(Method::POST, "/v1/chips", Some(alice)).json(&b).send().await.expect("send");
        expect_problem(r, StatusCode::UNPROCESSABLE_ENTITY, "invalid").await;
    }
    let r =
        s.req(Method::POST, "/v1/chips", Some(alice)).header("content-type", "application/json").body("{\"vlnv\": ");
    expect_problem(r.send().await.expect("send"), StatusCode::BAD_REQUEST, "malformed_json").await;
    // NUL characters never reach a text column (PostgreSQL refuses them).
    let mut nul = body.clone();
    nul["title"] = json!("Fal\u{0}con");
    let nul_member = json!([{"designer_handle": "al\u{0}ice", "share_bps": 10}]);
    let mut nul_block = body.clone();
    nul_block["ip_blocks"] = json!([{"designer_handle": "b\u{0}b", "vlnv": "b.com:x:y:1", "share_bps": 10}]);
    for (method, path, b) in [
        (Method::POST, "/v1/chips", nul),
        (Method::POST, "/v1/chips", nul_block),
        (Method::PUT, "/v1/me/designer-profile", json!({"handle": "alice", "bio": "\u{0}"})),
        (Method::POST, "/v1/collaborations", json!({"title": "t", "members": nul_member})),
    ] {
        let r = s.req(method, path, Some(alice)).json(&b).send().await.expect("send");
        expect_problem(r, StatusCode::UNPROCESSABLE_ENTITY, "invalid_body").await;
    }
    expect_problem(chips_raw(&s, "?q=%00").await, StatusCode::UNPROCESSABLE_ENTITY, "invalid").await;
    expect_problem(chips_raw(&s, "?designer=%00").await, StatusCode::UNPROCESSABLE_ENTITY, "invalid").await;
    assert_eq!(chips(&s, "?designer=Not%20A%20Handle").await.1["items"], json!([]));
    let (_, listing) = s.call(Method::GET, "/v1/chips", None, None).await;
    assert_eq!(listing["items"], json!([]));
    let filter = holomesh::domain::ChipFilter::default();
    assert!(store.list_chips(&filter, PageRequest::first(10)).await.expect("list").items.is_empty(), "nothing stored");

    deposit(&s, carol, 700).await;
    for amount in [json!(-500), json!(0), json!(100_000_001), json!(1.5), json!("100")] {
        let r = s.req(Method::POST, "/v1/wallet/deposits", Some(carol)).json(&json!({"amount_minor": amount})).send();
        assert_eq!(r.await.expect("send").status(), StatusCode::UNPROCESSABLE_ENTITY, "{amount}");
    }
    let r =
        s.req(Method::POST, "/v1/wallet/deposits", Some(carol)).json(&json!({"amount_minor": 5, "user_id": t[0].0}));
    expect_problem(r.send().await.expect("send"), StatusCode::UNPROCESSABLE_ENTITY, "invalid_body").await;
    assert_eq!(balance(&s, carol).await, 700, "refused deposits leave the wallet unchanged");
    let r = s
        .req(Method::POST, "/v1/purchases", Some(carol))
        .header("Idempotency-Key", "k")
        .json(&json!({"chip_id": "nope"}));
    expect_problem(r.send().await.expect("send"), StatusCode::UNPROCESSABLE_ENTITY, "invalid_body").await;
    let r = s.req(Method::GET, "/v1/purchases/not-a-uuid", Some(carol)).send().await.expect("send");
    expect_problem(r, StatusCode::NOT_FOUND, "not_found").await;
    let profile = json!({"handle": "Bad Handle", "bio": "", "skills": []});
    let r = s.req(Method::PUT, "/v1/me/designer-profile", Some(alice)).json(&profile).send().await.expect("send");
    expect_problem(r, StatusCode::UNPROCESSABLE_ENTITY, "invalid").await;
    let (st, p) = s
        .call(
            Method::PUT,
            "/v1/me/designer-profile",
            Some(alice),
            Some(json!({"handle": "alice-chen", "skills": ["Verilog"]})),
        )
        .await;
    assert_eq!((st, p["handle"].as_str()), (StatusCode::OK, Some("alice-chen")), "{p}");
    let r = s.req(Method::PUT, "/v1/me/designer-profile", Some(carol)).json(&json!({"handle": "carol"})).send();
    expect_problem(r.await.expect("send"), StatusCode::FORBIDDEN, "forbidden").await;
    let (st, c) = s
        .call(
            Method::PUT,
            "/v1/me/client-profile",
            Some(carol),
            Some(json!({"categories": ["DSP"], "max_price_minor": 900})),
        )
        .await;
    assert_eq!((st, c["preferences"]["categories"][0].as_str()), (StatusCode::OK, Some("dsp")), "{c}");
}

async fn community_groups_forum_and_collaborations(store: Store, cache: CacheBus) {
    let people = [("alice", Role::Designer), ("bob", Role::Designer), ("carol", Role::User)];
    let (s, t) = setup(store, cache, &people).await;
    let (alice, bob, carol) = (&t[0].1, &t[1].1, &t[2].1);
    let (st, g) = s.call(Method::POST, "/v1/groups", Some(alice), Some(json!({"name": "RISC-V makers"}))).await;
    assert_eq!((st, g["owner_id"].as_str()), (StatusCode::CREATED, Some(t[0].0.as_str())), "{g}");
    let members = format!("/v1/groups/{}/members", g["id"].as_str().expect("id"));
    let (st, m) = s.call(Method::POST, &members, Some(alice), Some(json!({"handle": "bob", "role": "admin"}))).await;
    assert_eq!((st, m["role"].as_str()), (StatusCode::CREATED, Some("admin")), "{m}");
    for (who, body, status, code) in [
        (carol, json!({"user_id": t[2].0}), StatusCode::FORBIDDEN, "forbidden"),
        (alice, json!({"handle": "bob"}), StatusCode::CONFLICT, "conflict"),
        (alice, json!({"handle": "bob", "role": "owner"}), StatusCode::UNPROCESSABLE_ENTITY, "invalid"),
        (alice, json!({}), StatusCode::UNPROCESSABLE_ENTITY, "invalid"),
    ] {
        expect_problem(s.req(Method::POST, &members, Some(who)).json(&body).send().await.expect("send"), status, code)
            .await;
    }
    assert_eq!(s.call(Method::GET, "/v1/groups", Some(carol), None).await.1["items"][0]["id"], g["id"]);

    let thread = json!({"title": "Tape-out tips", "body": "Share yours", "group_id": g["id"]});
    let r = s.req(Method::POST, "/v1/forum/threads", Some(carol)).json(&thread).send().await.expect("send");
    expect_problem(r, StatusCode::FORBIDDEN, "forbidden").await;
    let (st, th) = s.call(Method::POST, "/v1/forum/threads", Some(bob), Some(thread)).await;
    assert_eq!(st, StatusCode::CREATED, "{th}");
    let posts = format!("/v1/forum/threads/{}/posts", th["id"].as_str().expect("id"));
    let r = s.req(Method::POST, &posts, Some(carol)).json(&json!({"body": "me too"})).send().await.expect("send");
    expect_problem(r, StatusCode::FORBIDDEN, "forbidden").await;
    assert_eq!(
        s.call(Method::POST, &posts, Some(alice), Some(json!({"body": "Close timing early"}))).await.0,
        StatusCode::CREATED
    );
    assert_eq!(s.call(Method::GET, &posts, Some(carol), None).await.1["items"].as_array().map(Vec::len), Some(2));
    let (_, in_group) = s
        .call(Method::GET, &format!("/v1/forum/threads?group={}", g["id"].as_str().expect("id")), Some(carol), None)
        .await;
    assert_eq!(in_group["items"][0]["title"], "Tape-out tips");
    assert_eq!(s.call(Method::GET, "/v1/forum/threads", Some(carol), None).await.1["items"], json!([]));
    let r = s.req(Method::GET, "/v1/forum/threads?group=general", Some(carol)).send().await.expect("send");
    expect_problem(r, StatusCode::BAD_REQUEST, "invalid_query").await;
    for body in [json!({"title": " ", "body": "x"}), json!({"title": "t", "body": "x".repeat(10_001)})] {
        let r = s.req(Method::POST, "/v1/forum/threads", Some(bob)).json(&body).send().await.expect("send");
        expect_problem(r, StatusCode::UNPROCESSABLE_ENTITY, "invalid").await;
    }

    let (_, draft) =
        s.call(Method::POST, "/v1/chips", Some(alice), Some(chip("a.com:soc:duo:1.0", "Duo", "soc", 900, None))).await;
    let collab =
        json!({"title": "Duo SoC", "chip_id": draft["id"], "members": [{"designer_handle": "bob", "share_bps": 2000}]});
    let r = s.req(Method::POST, "/v1/collaborations", Some(carol)).json(&collab).send().await.expect("send");
    expect_problem(r, StatusCode::FORBIDDEN, "forbidden").await;
    for members in
        [json!([{"designer_handle": "nobody", "share_bps": 10}]), json!([{"designer_handle": "bob", "share_bps": 0}])]
    {
        let body = json!({"title": "x", "members": members});
        let r = s.req(Method::POST, "/v1/collaborations", Some(alice)).json(&body).send().await.expect("send");
        expect_problem(r, StatusCode::UNPROCESSABLE_ENTITY, "invalid").await;
    }
    let (st, c) = s.call(Method::POST, "/v1/collaborations", Some(alice), Some(collab)).await;
    assert_eq!((st, &c["chip_id"]), (StatusCode::CREATED, &draft["id"]), "{c}");
    assert_eq!(s.call(Method::GET, "/v1/collaborations", Some(bob), None).await.1["items"][0]["title"], "Duo SoC");
    let (_, linked) =
        s.call(Method::GET, &format!("/v1/chips/{}", draft["id"].as_str().expect("id")), Some(alice), None).await;
    assert_eq!(linked["contributions"][0]["share_bps"], 2000, "{linked}");
}

/// With the given cache (Redis on the PostgreSQL run), hot reads show a purchase and a
/// review at once, and a cache that is down leaves the API working.
async fn hot_reads_follow_writes(store: Store, cache: CacheBus) {
    let (s, t) = setup(store, cache.clone(), &[("alice", Role::Designer), ("carol", Role::User)]).await;
    let (alice, carol) = (&t[0].1, &t[1].1);
    let id = listed(&s, alice, chip("a.com:dsp:one:1.0", "Falcon DSP", "dsp", 300, Some(5))).await;
    let (_, before) = s.call(Method::GET, &format!("/v1/chips/{id}"), None, None).await;
    assert_eq!(before["sold_count"], 0);
    assert!(cache.cache.get(&format!("chip:{id}")).await.expect("cache").is_some(), "the chip page is cached");
    assert_eq!(s.call(Method::GET, "/v1/designers/alice", None, None).await.1["profile"]["sales_count"], 0);
    assert_eq!(s.call(Method::GET, "/v1/chips", None, None).await.1["items"][0]["sold_count"], 0);

    deposit(&s, carol, 1000).await;
    assert_eq!(buy(&s, carol, &id, Some("c-1")).await.status(), StatusCode::CREATED);
    assert_eq!(s.call(Method::GET, &format!("/v1/chips/{id}"), None, None).await.1["sold_count"], 1);
    assert_eq!(s.call(Method::GET, "/v1/chips", None, None).await.1["items"][0]["sold_count"], 1);
    let (_, page) = s.call(Method::GET, "/v1/designers/alice", None, None).await;
    assert_eq!(page["profile"]["sales_count"], 1, "{page}");
    let review = json!({"rating": 5, "body": "Works first time"});
    s.call(Method::POST, &format!("/v1/chips/{id}/reviews"), Some(carol), Some(review)).await;
    assert_eq!(s.call(Method::GET, "/v1/designers/alice", None, None).await.1["rating_avg_milli"], 5000);
    let (_, p) = s
        .call(Method::PUT, "/v1/me/designer-profile", Some(alice), Some(json!({"handle": "alice", "bio": "New bio"})))
        .await;
    assert_eq!(p["bio"], "New bio");
    assert_eq!(s.call(Method::GET, "/v1/designers/alice", None, None).await.1["profile"]["bio"], "New bio");

    // The same store behind a cache that fails every call.
    let down = Arc::new(DownCache);
    let s2 = TestServer::start(s.store.clone(), CacheBus { cache: down.clone(), bus: down }, |_| {}).await;
    let (st, c) = s2.call(Method::GET, &format!("/v1/chips/{id}"), None, None).await;
    assert_eq!((st, c["sold_count"].as_i64()), (StatusCode::OK, Some(1)));
    assert_eq!(s2.call(Method::GET, "/v1/chips", None, None).await.0, StatusCode::OK);
    assert_eq!(s2.call(Method::GET, "/v1/designers/alice", None, None).await.0, StatusCode::OK);
    assert_eq!(buy(&s2, carol, &id, Some("c-2")).await.status(), StatusCode::CREATED);
    assert_eq!(s2.call(Method::GET, &format!("/v1/chips/{id}"), None, None).await.1["sold_count"], 2);
}

struct DownCache;

#[async_trait::async_trait]
impl holomesh::cache::Cache for DownCache {
    fn backend_name(&self) -> &'static str {
        "down"
    }
    async fn ping(&self) -> Result<(), holomesh::cache::CacheError> {
        Err(down())
    }
    async fn get(&self, _: &str) -> Result<Option<Vec<u8>>, holomesh::cache::CacheError> {
        Err(down())
    }
    async fn set(&self, _: &str, _: &[u8], _: std::time::Duration) -> Result<(), holomesh::cache::CacheError> {
        Err(down())
    }
    async fn delete(&self, _: &str) -> Result<(), holomesh::cache::CacheError> {
        Err(down())
    }
    async fn take(&self, _: &str) -> Result<Option<Vec<u8>>, holomesh::cache::CacheError> {
        Err(down())
    }
    async fn incr_window(&self, _: &str, _: std::time::Duration) -> Result<u64, holomesh::cache::CacheError> {
        Err(down())
    }
}

#[async_trait::async_trait]
impl holomesh::cache::Bus for DownCache {
    async fn publish(&self, _: &str, _: &str) -> Result<(), holomesh::cache::CacheError> {
        Err(down())
    }
    async fn subscribe(&self, _: &str) -> Result<holomesh::cache::BusSubscription, holomesh::cache::CacheError> {
        Err(down())
    }
}

fn down() -> holomesh::cache::CacheError {
    holomesh::cache::CacheError::Unavailable("test: cache is down".into())
}

#[tokio::test]
async fn openapi_documents_the_market_routes() {
    let (store, _dir) = support::sqlite_store().await;
    let s = TestServer::start(store, support::memory_cache(), |_| {}).await;
    let (st, doc) = s.call(Method::GET, "/openapi.json", None, None).await;
    assert_eq!(st, StatusCode::OK);
    let paths = doc["paths"].as_object().expect("paths");
    for (path, method) in [
        ("/v1/chips", "post"),
        ("/v1/chips", "get"),
        ("/v1/chips/{id}", "get"),
        ("/v1/chips/{id}/publish", "post"),
        ("/v1/chips/{id}/nft", "get"),
        ("/v1/chips/{id}/verify", "post"),
        ("/v1/chips/{id}/reviews", "post"),
        ("/v1/designers", "get"),
        ("/v1/designers/{handle}", "get"),
        ("/v1/designers/{handle}/reviews", "get"),
        ("/v1/wallet", "get"),
        ("/v1/wallet/deposits", "post"),
        ("/v1/purchases", "post"),
        ("/v1/purchases", "get"),
        ("/v1/purchases/{id}", "get"),
        ("/v1/subscriptions/{designer_handle}", "put"),
        ("/v1/subscriptions/{designer_handle}", "delete"),
        ("/v1/subscriptions", "get"),
        ("/v1/notifications", "get"),
        ("/v1/notifications/{id}/read", "post"),
        ("/v1/groups", "post"),
        ("/v1/groups", "get"),
        ("/v1/groups/{id}/members", "post"),
        ("/v1/forum/threads", "post"),
        ("/v1/forum/threads", "get"),
        ("/v1/forum/threads/{id}/posts", "post"),
        ("/v1/collaborations", "post"),
        ("/v1/collaborations", "get"),
        ("/v1/me/designer-profile", "put"),
        ("/v1/me/client-profile", "put"),
        ("/v1/me/earnings", "get"),
    ] {
        let op = &paths.get(path).unwrap_or_else(|| panic!("{path} missing"))[method];
        assert!(op.is_object(), "{method} {path} missing");
        assert!(op["responses"].as_object().is_some_and(|r| r.len() >= 2), "{method} {path} documents its errors");
    }
    let buy = &paths["/v1/purchases"]["post"];
    assert_eq!(buy["security"], json!([{"bearer": []}]));
    assert!(buy["parameters"].as_array().expect("params").iter().any(|p| p["name"] == "Idempotency-Key"));
}

http_conformance!(
    designer_lists_and_clients_buy,
    catalog_filters_sort_and_pages,
    subscriptions_and_notifications,
    bad_input_changes_nothing,
    hot_reads_follow_writes,
    community_groups_forum_and_collaborations,
    deposits_need_a_provider_and_a_real_currency,
);
