//! Work patterns and audiences on both backends from known histories, and their HTTP
//! routes: what a client buys and from whom, what a designer's buyers do in aggregate.

mod support;

use holomesh::crypto::FieldCipher;
use holomesh::domain::{Currency, Money, PurchaseSource, Role, SubscriptionChange, Tally};
use holomesh::market::{Market, MarketSettings};
use holomesh::store::Store;
use reqwest::{Method, StatusCode};
use std::sync::Arc;

store_conformance!(a_known_history_gives_known_patterns, routes_answer_with_patterns_and_audiences);

async fn a_known_history_gives_known_patterns(store: Store) {
    let cipher = Arc::new(FieldCipher::new(vec![("t".into(), [5u8; 32])], "t").expect("cipher"));
    let m = Market::new(store.clone(), support::memory_cache(), MarketSettings::default(), cipher);
    let alice = support::account(&store, "alice", Role::Designer).await;
    let bob = support::account(&store, "bob", Role::Designer).await;
    let carol = support::account(&store, "carol", Role::User).await;
    let dave = support::account(&store, "dave", Role::User).await;
    let mut ids = Vec::new();
    for (who, vlnv, title, category, cents) in [
        (&alice, "alice.dev:dsp:falcon:1.0", "Falcon DSP", "dsp", 4000),
        (&alice, "alice.dev:dsp:heron:1.0", "Heron DSP", "dsp", 6000),
        (&alice, "alice.dev:mem:wren:1.0", "Wren SRAM", "memory", 800),
        (&bob, "bob.dev:cpu:kestrel:1.0", "Kestrel CPU", "cpu", 2000),
    ] {
        let chip = m.catalog().create(who, support::chip_draft(vlnv, title, category, cents)).await.expect("draft");
        ids.push(m.catalog().publish(who, chip.id).await.expect("publish").id);
    }
    for who in [&carol, &dave] {
        store.deposit(who.id, Money::new(100_000, Currency::USD)).await.expect("deposit");
    }
    let buy = |who, chip, key: &'static str| {
        let m = m.clone();
        async move { m.purchases().buy(who, chip, PurchaseSource::Api, None, Some(key)).await.expect("buy") }
    };
    buy(&carol, ids[0], "c1").await;
    buy(&carol, ids[1], "c2").await;
    buy(&carol, ids[3], "c3").await;
    buy(&dave, ids[2], "d1").await;
    m.subscriptions().set(&carol, "alice", &SubscriptionChange::default()).await.expect("follow");

    let p = m.profiles().patterns(&carol).await.expect("patterns");
    assert_eq!(p.purchases, 3);
    assert_eq!(p.categories[0], Tally { name: "dsp".into(), count: 2 });
    assert_eq!(p.designers[0], Tally { name: "alice".into(), count: 2 });
    assert_eq!(p.typical_spend_minor, Some(4000));
    assert_eq!(p.total_spent_minor, 12_000);
    assert_eq!(p.currency.as_deref(), Some("USD"));
    assert_eq!((p.subscriptions, p.auto_buy_subscriptions), (1, 0));
    // $10–50: Falcon and Kestrel; $50–100: Heron.
    assert_eq!(p.price_bands.iter().map(|b| (b.min_minor, b.count)).collect::<Vec<_>>(), [(1000, 2), (5000, 1)]);

    let a = m.profiles().audience(&alice).await.expect("audience");
    assert_eq!((a.buyers, a.repeat_buyers, a.purchases), (2, 1, 3));
    assert_eq!(a.categories[0], Tally { name: "dsp".into(), count: 2 });
    // Carol also bought Bob's CPU; Dave bought nothing elsewhere.
    assert_eq!(a.also_bought, [Tally { name: "cpu".into(), count: 1 }]);
    assert_eq!(a.subscribers, 1);
    assert!(m.profiles().audience(&carol).await.is_err(), "a client has no audience");
}

async fn routes_answer_with_patterns_and_audiences(store: Store) {
    let server = support::http::TestServer::start(store, support::memory_cache(), |_| {}).await;
    let (_, user, _) = server.signup("erin", "user").await;
    let (_, designer, _) = server.signup("frank", "designer").await;
    let (s, p) = server.call(Method::GET, "/v1/me/patterns", Some(&user), None).await;
    assert_eq!(s, StatusCode::OK, "{p}");
    assert_eq!(p["purchases"], 0);
    assert!(p["categories"].as_array().is_some_and(Vec::is_empty));
    let r = server.req(Method::GET, "/v1/me/audience", Some(&user)).send().await.expect("send");
    support::http::expect_problem(r, StatusCode::FORBIDDEN, "forbidden").await;
    let (s, a) = server.call(Method::GET, "/v1/me/audience", Some(&designer), None).await;
    assert_eq!(s, StatusCode::OK, "{a}");
    assert_eq!(a["buyers"], 0);
    let r = server.req(Method::GET, "/v1/me/patterns", None).send().await.expect("send");
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    // The client profile reads back what was put.
    let body = serde_json::json!({ "categories": ["DSP"], "max_price_minor": 5000 });
    let (s, put) = server.call(Method::PUT, "/v1/me/client-profile", Some(&user), Some(body)).await;
    assert_eq!(s, StatusCode::OK, "{put}");
    let (s, got) = server.call(Method::GET, "/v1/me/client-profile", Some(&user), None).await;
    assert_eq!(s, StatusCode::OK, "{got}");
    assert_eq!(got["preferences"]["categories"], serde_json::json!(["dsp"]));
    assert_eq!(got, put);
    // Said in words, read into the same fields; a field given explicitly wins.
    let body =
        serde_json::json!({ "text": "I prefer low-power RISC-V designs under fifty dollars", "categories": ["cpu"] });
    let (s, said) = server.call(Method::PUT, "/v1/me/client-profile", Some(&user), Some(body)).await;
    assert_eq!(s, StatusCode::OK, "{said}");
    let prefs = &said["preferences"];
    assert_eq!(prefs["categories"], serde_json::json!(["cpu"]));
    assert_eq!(prefs["keywords"], serde_json::json!(["low-power"]));
    assert_eq!(prefs["max_price"]["amount_minor"], 5000);
    assert!(prefs["stated"].as_str().is_some_and(|t| t.contains("RISC-V")), "{prefs}");
}
