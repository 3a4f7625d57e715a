//! The outbox worker on both backends: an event that keeps failing is retried with
//! pauses, set aside as dead after its last attempt, never holds up the events behind
//! it, can be queued again by an administrator, and never keeps the worker from
//! shutting down.

mod support;

use holomesh::crypto::FieldCipher;
use holomesh::domain::{ChipStatus, NotifyFrequency, OutboxCounts, PageRequest, Role, SubscriptionChange, new_id};
use holomesh::market::{Market, MarketError, MarketSettings, OutboxWorker, RetryPolicy};
use holomesh::store::{NewEvent, Store};
use std::sync::Arc;
use std::time::Duration;

store_conformance!(broken_events_are_retried_set_aside_and_never_block_others, shutdown_never_waits_on_a_failing_event);

use support::account;

fn market(store: &Store) -> Market {
    let cipher = Arc::new(FieldCipher::new(vec![("t".into(), [3u8; 32])], "t").expect("cipher"));
    Market::new(store.clone(), support::memory_cache(), MarketSettings::default(), cipher)
}

/// An event whose handling fails: a published chip that does not exist.
async fn broken_event(store: &Store) {
    let e = NewEvent { kind: "chip.published", aggregate_id: new_id(), payload: serde_json::json!({}) };
    store.enqueue_event(&e).await.expect("enqueue");
}

fn quick(max_attempts: i32) -> RetryPolicy {
    RetryPolicy { max_attempts, first_pause: Duration::ZERO, max_pause: Duration::ZERO }
}

async fn broken_events_are_retried_set_aside_and_never_block_others(store: Store) {
    let market = market(&store);
    let bob = account(&store, "bob", Role::Designer).await;
    let carol = account(&store, "carol", Role::User).await;
    let change = SubscriptionChange { notify: Some(NotifyFrequency::Immediate), ..Default::default() };
    market.subscriptions().set(&carol, "bob", &change).await.expect("subscribe");

    // Twenty broken events queued ahead of a real chip's publication.
    for _ in 0..20 {
        broken_event(&store).await;
    }
    let draft = support::chip_draft("bob.dev:dsp:falcon:1.0", "Falcon DSP", "dsp", 1000);
    let chip = market.catalog().create(&bob, draft).await.expect("draft");
    assert_eq!(market.catalog().publish(&bob, chip.id).await.expect("publish").status, ChipStatus::Published);

    // Three attempts each, no pauses: one pass handles the chip and sets the rest aside.
    let handled = OutboxWorker::new(market.clone()).with_retry(quick(3)).run_once().await.expect("pass");
    assert_eq!(handled, 1, "only the real chip's event succeeds");
    let notes = market.notifications().list(&carol, false, PageRequest::first(10)).await.expect("notifications");
    assert_eq!(notes.items.len(), 1, "the subscriber heard of the chip despite the broken events");
    assert_eq!(store.outbox_counts().await.expect("counts"), OutboxCounts { pending: 0, dead: 20 });
    let dead = market.dead_events(PageRequest::first(50)).await.expect("dead");
    assert_eq!(dead.items.len(), 20);
    for e in &dead.items {
        assert_eq!(e.attempts, 3, "{e:?}");
        assert!(e.last_error.as_deref().is_some_and(|m| m.contains("not found")), "{e:?}");
    }
    assert!(store.claim_events(50, 60).await.expect("claim").is_empty(), "dead events are not claimed");

    // With the default pauses a failed event waits before it is tried again.
    broken_event(&store).await;
    assert_eq!(OutboxWorker::new(market.clone()).run_once().await.expect("pass"), 0);
    assert!(store.claim_events(50, 60).await.expect("claim").is_empty(), "the failed event is pausing");
    assert_eq!(store.outbox_counts().await.expect("counts"), OutboxCounts { pending: 1, dead: 20 });

    // An administrator queues a dead event again; it starts with fresh attempts.
    let first = dead.items[0].id;
    market.retry_dead_event(first).await.expect("retry");
    assert_eq!(store.outbox_counts().await.expect("counts").dead, 19);
    let again = store.claim_events(50, 60).await.expect("claim");
    assert_eq!(again.iter().map(|e| (e.id, e.attempts)).collect::<Vec<_>>(), vec![(first, 1)]);
    let twice = market.retry_dead_event(first).await;
    assert!(matches!(twice, Err(MarketError::NotFound(_))), "only dead events can be retried: {twice:?}");
    assert!(matches!(market.retry_dead_event(new_id()).await, Err(MarketError::NotFound(_))));

    // Pauses double and stop at the last attempt.
    let p = RetryPolicy::default();
    assert_eq!(p.pause_after(1), Some(Duration::from_secs(2)));
    assert_eq!(p.pause_after(3), Some(Duration::from_secs(8)));
    assert_eq!(p.pause_after(p.max_attempts), None);
    let capped = RetryPolicy { max_attempts: 100, ..p };
    assert_eq!(capped.pause_after(40), Some(p.max_pause));
}

async fn shutdown_never_waits_on_a_failing_event(store: Store) {
    let market = market(&store);
    for _ in 0..20 {
        broken_event(&store).await;
    }
    // Endless attempts with no pause: the pass would never end on its own.
    let worker = OutboxWorker::new(market).with_retry(quick(i32::MAX));
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let running = tokio::spawn(worker.run(Duration::from_millis(10), async move {
        let _ = stopped.await;
    }));
    tokio::time::sleep(Duration::from_millis(300)).await;
    stop.send(()).expect("signal");
    tokio::time::timeout(Duration::from_secs(5), running)
        .await
        .expect("the worker stops at once, even in the middle of a pass")
        .expect("worker task");
    // Nothing is lost: events the pass was holding come back when their lease ends.
    assert_eq!(store.outbox_counts().await.expect("counts"), OutboxCounts { pending: 20, dead: 0 });
}
