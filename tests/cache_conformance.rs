//! One conformance suite for `Cache` and `Bus`, run in memory and on Redis.

mod support;

use holomesh::cache::CacheBus;
use std::time::Duration;

cache_conformance!(
    values_round_trip_and_expire,
    take_returns_a_value_once,
    window_counters_count_and_reset,
    bus_delivers_to_every_subscriber_of_a_topic,
);

async fn values_round_trip_and_expire(c: CacheBus) {
    c.cache.ping().await.expect("ping");
    assert_eq!(c.cache.get("missing").await.expect("get"), None);
    c.cache.set("chip:1", b"{\"title\":\"rv32\"}", Duration::from_secs(60)).await.expect("set");
    assert_eq!(c.cache.get("chip:1").await.expect("get").as_deref(), Some(&b"{\"title\":\"rv32\"}"[..]));
    c.cache.set("chip:1", b"v2", Duration::from_secs(60)).await.expect("overwrite");
    assert_eq!(c.cache.get("chip:1").await.expect("get").as_deref(), Some(&b"v2"[..]));
    c.cache.delete("chip:1").await.expect("delete");
    assert_eq!(c.cache.get("chip:1").await.expect("get"), None);
    c.cache.delete("never-set").await.expect("deleting a missing key is fine");

    c.cache.set("short", b"x", Duration::from_millis(150)).await.expect("set");
    assert!(c.cache.get("short").await.expect("get").is_some());
    tokio::time::sleep(Duration::from_millis(400)).await;
    assert_eq!(c.cache.get("short").await.expect("get"), None, "expired");
}

async fn take_returns_a_value_once(c: CacheBus) {
    assert_eq!(c.cache.take("oauth:state:none").await.expect("take"), None);
    c.cache.set("oauth:state:s1", b"verifier", Duration::from_secs(60)).await.expect("set");
    assert_eq!(c.cache.take("oauth:state:s1").await.expect("take").as_deref(), Some(&b"verifier"[..]));
    assert_eq!(c.cache.take("oauth:state:s1").await.expect("take again"), None, "single use");
    assert_eq!(c.cache.get("oauth:state:s1").await.expect("get"), None, "deleted");

    // Of many concurrent takers exactly one gets the value.
    c.cache.set("oauth:state:s2", b"once", Duration::from_secs(60)).await.expect("set");
    let takers = (0..8).map(|_| {
        let c = c.clone();
        tokio::spawn(async move { c.cache.take("oauth:state:s2").await.expect("take") })
    });
    let got = futures::future::join_all(takers).await;
    let winners = got.into_iter().map(|r| r.expect("task")).filter(Option::is_some).count();
    assert_eq!(winners, 1);

    c.cache.set("oauth:state:s3", b"x", Duration::from_millis(150)).await.expect("set");
    tokio::time::sleep(Duration::from_millis(400)).await;
    assert_eq!(c.cache.take("oauth:state:s3").await.expect("take"), None, "expired values are not handed out");
}

async fn window_counters_count_and_reset(c: CacheBus) {
    let w = Duration::from_millis(300);
    for expected in 1..=5 {
        assert_eq!(c.cache.incr_window("login:alice", w).await.expect("incr"), expected);
    }
    assert_eq!(c.cache.incr_window("login:bob", w).await.expect("other key"), 1);
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(c.cache.incr_window("login:alice", w).await.expect("new window"), 1);
}

async fn bus_delivers_to_every_subscriber_of_a_topic(c: CacheBus) {
    let mut s1 = c.bus.subscribe("chips").await.expect("subscribe");
    let mut s2 = c.bus.subscribe("chips").await.expect("subscribe");
    let mut other = c.bus.subscribe("designers").await.expect("subscribe");
    // Redis subscriptions become active asynchronously on the server.
    tokio::time::sleep(Duration::from_millis(100)).await;
    for i in 0..3 {
        c.bus.publish("chips", &format!("published {i}")).await.expect("publish");
    }
    for s in [&mut s1, &mut s2] {
        for i in 0..3 {
            let m = tokio::time::timeout(Duration::from_secs(5), s.recv()).await.expect("in time").expect("open");
            assert_eq!(m.topic, "chips");
            assert_eq!(m.payload, format!("published {i}"));
        }
    }
    c.bus.publish("designers", "alice joined").await.expect("publish");
    let m = tokio::time::timeout(Duration::from_secs(5), other.recv()).await.expect("in time").expect("open");
    assert_eq!(m.payload, "alice joined");
    assert!(tokio::time::timeout(Duration::from_millis(100), s1.recv()).await.is_err(), "no cross-topic delivery");
}
