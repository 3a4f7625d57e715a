//! Marketplace rules, through the services, on both backends: exact purchases,
//! idempotency, concurrency, auto-purchase fan-out, reviews, earnings and refunds.

mod support;

use holomesh::crypto::FieldCipher;
use holomesh::domain::{
    BasisPoints, Contribution, Currency, Id, Money, NewChip, NotifyFrequency, PageRequest, PurchaseReceipt,
    PurchaseSource, PurchaseStatus, Role, SplitParty, SubscriptionChange, User,
};
use holomesh::market::{Market, MarketError, MarketSettings};
use holomesh::store::Store;
use std::sync::Arc;

store_conformance!(
    purchase_splits_exactly_and_balances_the_ledger,
    insufficient_funds_changes_nothing,
    fifty_concurrent_buyers_of_one_edition_make_one_sale,
    twenty_concurrent_retries_with_one_key_make_one_purchase,
    idempotency_key_reused_for_another_chip_is_refused,
    fan_out_twice_concurrently_buys_once_and_respects_limits,
    monthly_budget_stops_auto_purchases,
    two_chips_fanned_out_at_once_share_one_budget,
    auto_buy_needs_a_limit_and_respects_a_pause,
    reviews_need_a_purchase_and_keep_aggregates,
    refunds_reverse_the_money,
    subscriptions_change_and_cancel,
);

use support::account;

async fn published_chip(
    store: &Store,
    designer: Id,
    vlnv: &str,
    price: i64,
    supply: Option<i64>,
    contributions: Vec<Contribution>,
) -> Id {
    let chip = store
        .create_chip(&NewChip {
            designer_id: designer,
            vlnv: vlnv.parse().expect("vlnv"),
            title: format!("Chip {vlnv}"),
            description: String::new(),
            category: "cpu".into(),
            process_node: "28nm".into(),
            tags: vec![],
            price: Money::new(price, Currency::USD),
            supply,
            royalty_bps: BasisPoints::new(500).expect("bps"),
            licence: "MIT".into(),
            content_sha256: "b".repeat(64),
            content_size: 10,
            prev_version_id: None,
            contributions,
        })
        .await
        .expect("chip");
    support::publish(store, chip.id).await;
    chip.id
}

/// The services over `store`, with a 2.5 % platform fee.
fn market(store: &Store) -> Market {
    let cipher = Arc::new(FieldCipher::new(vec![("t".into(), [7u8; 32])], "t").expect("cipher"));
    let settings = MarketSettings { currency: Currency::USD, platform_fee_bps: 250 };
    Market::new(store.clone(), support::memory_cache(), settings, cipher)
}

async fn buy(m: &Market, buyer: &User, chip: Id, key: Option<&str>) -> Result<PurchaseReceipt, MarketError> {
    m.purchases().buy(buyer, chip, PurchaseSource::Api, None, key).await
}

async fn subscribe(m: &Market, fan: &User, handle: &str, change: SubscriptionChange) {
    m.subscriptions().set(fan, handle, &change).await.expect("subscribe");
}

async fn balance(store: &Store, user: Id) -> i64 {
    store.wallet(user, Currency::USD).await.expect("wallet").balance.amount_minor
}

async fn purchase_splits_exactly_and_balances_the_ledger(store: Store) {
    let alice = account(&store, "alice", Role::Designer).await;
    let bob = account(&store, "bob", Role::Designer).await;
    let carol = account(&store, "carol", Role::User).await;
    let contrib = Contribution {
        contributor_id: bob.id,
        vlnv: "bob.dev:io:uart:1.0".parse().expect("vlnv"),
        share_bps: BasisPoints::new(3333).expect("bps"),
    };
    let chip = published_chip(&store, alice.id, "acme:cpu:rv32:1.0", 4999, Some(3), vec![contrib]).await;
    store.deposit(carol.id, Money::new(10_000, Currency::USD)).await.expect("deposit");
    let m = market(&store);

    let r = buy(&m, &carol, chip, None).await.expect("purchase");
    assert_eq!(r.purchase.price.amount_minor, 4999);
    assert_eq!(r.licence.edition, Some(1));
    assert_eq!(r.purchase.split.iter().map(|l| l.amount_minor).sum::<i64>(), 4999);
    let part = |p: SplitParty| r.purchase.split.iter().find(|l| l.party == p).map(|l| l.amount_minor);
    assert_eq!(part(SplitParty::Contributor), Some(1666)); // 4999 * 0.3333 = 1666.16
    assert_eq!(part(SplitParty::Platform), Some(125)); // 4999 * 0.025 = 124.975 → largest remainder
    assert_eq!(part(SplitParty::Seller), Some(4999 - 1666 - 125));

    assert_eq!(balance(&store, carol.id).await, 10_000 - 4999);
    assert_eq!(balance(&store, alice.id).await, 4999 - 1666 - 125);
    assert_eq!(balance(&store, bob.id).await, 1666);
    assert_eq!(store.ledger_sum(Currency::USD).await.expect("sum"), 0);

    let second = buy(&m, &carol, chip, None).await.expect("second edition");
    assert_eq!(second.licence.edition, Some(2));
    assert_ne!(second.licence.token, r.licence.token);
    let history = store.list_purchases(carol.id, PageRequest::first(10)).await.expect("history");
    assert_eq!(history.items.len(), 2);
    assert_eq!(store.purchase_by_id(r.purchase.id).await.expect("get"), r.purchase);

    let earnings = store.earnings(alice.id, Currency::USD).await.expect("earnings");
    assert_eq!(earnings.sales_minor, 2 * (4999 - 1666 - 125));
    assert_eq!(store.earnings(bob.id, Currency::USD).await.expect("royalties").royalties_minor, 2 * 1666);
    assert_eq!(store.designer_by_user(alice.id).await.expect("profile").sales_count, 2);

    let own = buy(&m, &alice, chip, None).await;
    assert!(matches!(own, Err(MarketError::Forbidden(_))), "{own:?}");
}

async fn insufficient_funds_changes_nothing(store: Store) {
    let alice = account(&store, "alice", Role::Designer).await;
    let dan = account(&store, "dan", Role::User).await;
    let chip = published_chip(&store, alice.id, "acme:cpu:rv32:1.0", 5000, Some(1), vec![]).await;
    store.deposit(dan.id, Money::new(4999, Currency::USD)).await.expect("deposit");
    let m = market(&store);
    let r = buy(&m, &dan, chip, Some("k1")).await;
    assert!(matches!(r, Err(MarketError::InsufficientFunds)), "{r:?}");
    assert_eq!(balance(&store, dan.id).await, 4999);
    assert_eq!(store.chip_by_id(chip).await.expect("chip").sold_count, 0, "stock untouched");
    assert!(store.list_purchases(dan.id, PageRequest::first(10)).await.expect("list").items.is_empty());

    let limit = Money::new(4000, Currency::USD);
    let limited = m.purchases().buy(&dan, chip, PurchaseSource::Voice, Some(limit), None).await;
    assert!(
        matches!(&limited, Err(MarketError::PriceAboveLimit { price, limit })
            if price.amount_minor == 5000 && limit.amount_minor == 4000),
        "{limited:?}"
    );
    let other_currency = Money::new(9000, Currency::EUR);
    let limited = m.purchases().buy(&dan, chip, PurchaseSource::Voice, Some(other_currency), None).await;
    assert!(matches!(limited, Err(MarketError::PriceAboveLimit { .. })), "a limit in another currency: {limited:?}");

    // After a deposit the same key works: failures are not stored.
    store.deposit(dan.id, Money::new(1, Currency::USD)).await.expect("deposit");
    buy(&m, &dan, chip, Some("k1")).await.expect("now affordable");
    assert_eq!(balance(&store, dan.id).await, 0);
}

async fn fifty_concurrent_buyers_of_one_edition_make_one_sale(store: Store) {
    let alice = account(&store, "alice", Role::Designer).await;
    let chip = published_chip(&store, alice.id, "acme:cpu:one:1.0", 1000, Some(1), vec![]).await;
    let m = market(&store);
    let mut buyers = Vec::new();
    for i in 0..50 {
        let b = account(&store, &format!("buyer{i}"), Role::User).await;
        store.deposit(b.id, Money::new(1000, Currency::USD)).await.expect("deposit");
        buyers.push(b);
    }
    let tasks: Vec<_> = buyers
        .iter()
        .map(|b| {
            let (m, b) = (m.clone(), b.clone());
            tokio::spawn(async move { buy(&m, &b, chip, None).await })
        })
        .collect();
    let mut sold = 0;
    for t in tasks {
        match t.await.expect("task") {
            Ok(_) => sold += 1,
            Err(MarketError::SoldOut) => {}
            Err(e) => panic!("unexpected error {e:?}"),
        }
    }
    assert_eq!(sold, 1, "exactly one sale of a supply-1 chip");
    assert_eq!(store.chip_by_id(chip).await.expect("chip").sold_count, 1);
    let mut total = 0;
    for b in &buyers {
        total += balance(&store, b.id).await;
    }
    assert_eq!(total, 49 * 1000, "only one buyer was charged");
    assert_eq!(balance(&store, alice.id).await, 1000 - 25);
    assert_eq!(store.ledger_sum(Currency::USD).await.expect("sum"), 0);
}

async fn twenty_concurrent_retries_with_one_key_make_one_purchase(store: Store) {
    let alice = account(&store, "alice", Role::Designer).await;
    let erin = account(&store, "erin", Role::User).await;
    let chip = published_chip(&store, alice.id, "acme:cpu:rv32:1.0", 700, None, vec![]).await;
    store.deposit(erin.id, Money::new(100_000, Currency::USD)).await.expect("deposit");
    let m = market(&store);
    let tasks: Vec<_> = (0..20)
        .map(|_| {
            let (m, erin) = (m.clone(), erin.clone());
            tokio::spawn(async move { buy(&m, &erin, chip, Some("retry-me")).await })
        })
        .collect();
    let mut receipts = Vec::new();
    for t in tasks {
        match t.await.expect("task") {
            Ok(r) => receipts.push(r),
            Err(MarketError::IdempotencyInProgress) => {}
            Err(e) => panic!("unexpected error {e:?}"),
        }
    }
    assert!(!receipts.is_empty());
    assert!(receipts.iter().all(|r| r == &receipts[0]), "every success replays the first receipt");
    assert_eq!(store.list_purchases(erin.id, PageRequest::first(50)).await.expect("list").items.len(), 1);
    assert_eq!(balance(&store, erin.id).await, 100_000 - 700, "charged once");
    let replay = buy(&m, &erin, chip, Some("retry-me")).await.expect("replay");
    assert_eq!(replay, receipts[0]);
}

async fn idempotency_key_reused_for_another_chip_is_refused(store: Store) {
    let alice = account(&store, "alice", Role::Designer).await;
    let frank = account(&store, "frank", Role::User).await;
    let gina = account(&store, "gina", Role::User).await;
    let c1 = published_chip(&store, alice.id, "acme:cpu:a:1.0", 100, None, vec![]).await;
    let c2 = published_chip(&store, alice.id, "acme:cpu:b:1.0", 100, None, vec![]).await;
    for u in [&frank, &gina] {
        store.deposit(u.id, Money::new(1000, Currency::USD)).await.expect("deposit");
    }
    let m = market(&store);
    buy(&m, &frank, c1, Some("same")).await.expect("first");
    let reused = buy(&m, &frank, c2, Some("same")).await;
    assert!(matches!(reused, Err(MarketError::IdempotencyKeyReused)), "{reused:?}");
    // Keys are scoped to the user: another buyer may use the same key.
    buy(&m, &gina, c2, Some("same")).await.expect("other user, same key");
    assert_eq!(balance(&store, frank.id).await, 900);
}

async fn fan_out_twice_concurrently_buys_once_and_respects_limits(store: Store) {
    let alice = account(&store, "alice", Role::Designer).await;
    let m = market(&store);
    let mut fans: Vec<User> = Vec::new();
    for i in 0..6 {
        fans.push(account(&store, &format!("fan{i}"), Role::User).await);
    }
    for (i, f) in fans.iter().enumerate() {
        store.deposit(f.id, Money::new(10_000, Currency::USD)).await.expect("deposit");
        let change = SubscriptionChange {
            auto_purchase: Some(true),
            // fans 0-2 allow $50, fans 3-5 only $20
            max_price: Some(Some(Money::new(if i < 3 { 5000 } else { 2000 }, Currency::USD))),
            notify: Some(if i % 2 == 0 { NotifyFrequency::Immediate } else { NotifyFrequency::Daily }),
            ..Default::default()
        };
        subscribe(&m, f, "alice", change).await;
    }
    let chip = published_chip(&store, alice.id, "acme:cpu:new:1.0", 4500, None, vec![]).await;
    let (a, b) = tokio::join!(m.fan_out_chip(chip), m.fan_out_chip(chip));
    let (a, b) = (a.expect("fan-out a"), b.expect("fan-out b"));
    assert_eq!(a.purchased + b.purchased, 3, "three fans under their limit, each bought once");
    assert_eq!(a.notified + b.notified, 6);
    m.fan_out_chip(chip).await.expect("third run does nothing new");
    for (i, f) in fans.iter().enumerate() {
        let bought = store.list_purchases(f.id, PageRequest::first(10)).await.expect("list").items;
        if i < 3 {
            assert_eq!(bought.len(), 1, "fan {i}");
            assert_eq!(bought[0].source, PurchaseSource::Auto);
        } else {
            assert!(bought.is_empty(), "fan {i} has a $20 limit and must not buy a $45 chip");
        }
        let notes = store.list_notifications(f.id, true, PageRequest::first(10)).await.expect("notes").items;
        assert_eq!(notes.len(), 1, "one notification per fan");
        assert_eq!(notes[0].deliver, if i % 2 == 0 { "immediate" } else { "daily" });
    }
    assert_eq!(store.ledger_sum(Currency::USD).await.expect("sum"), 0);
}

async fn monthly_budget_stops_auto_purchases(store: Store) {
    let alice = account(&store, "alice", Role::Designer).await;
    let hal = account(&store, "hal", Role::User).await;
    store.deposit(hal.id, Money::new(100_000, Currency::USD)).await.expect("deposit");
    let m = market(&store);
    let change = SubscriptionChange {
        auto_purchase: Some(true),
        monthly_budget: Some(Some(Money::new(5000, Currency::USD))),
        ..Default::default()
    };
    subscribe(&m, &hal, "alice", change).await;
    let c1 = published_chip(&store, alice.id, "acme:cpu:a:1.0", 3000, None, vec![]).await;
    let c2 = published_chip(&store, alice.id, "acme:cpu:b:1.0", 3000, None, vec![]).await;
    assert_eq!(m.fan_out_chip(c1).await.expect("first").purchased, 1);
    let second = m.fan_out_chip(c2).await.expect("second");
    assert_eq!(second.purchased, 0);
    assert!(second.skipped[0].1.starts_with("skipped_budget"), "{:?}", second.skipped);
    assert_eq!(balance(&store, hal.id).await, 100_000 - 3000);
}

async fn two_chips_fanned_out_at_once_share_one_budget(store: Store) {
    let alice = account(&store, "alice", Role::Designer).await;
    let hal = account(&store, "hal", Role::User).await;
    store.deposit(hal.id, Money::new(100_000, Currency::USD)).await.expect("deposit");
    let m = market(&store);
    let change = SubscriptionChange {
        auto_purchase: Some(true),
        monthly_budget: Some(Some(Money::new(1500, Currency::USD))),
        ..Default::default()
    };
    subscribe(&m, &hal, "alice", change).await;
    let c1 = published_chip(&store, alice.id, "acme:cpu:a:1.0", 1000, None, vec![]).await;
    let c2 = published_chip(&store, alice.id, "acme:cpu:b:1.0", 1000, None, vec![]).await;
    // Two workers, one chip each, at the same moment: 10.00 + 10.00 > 15.00.
    let (m2, m3) = (m.clone(), m.clone());
    let (a, b) = tokio::join!(
        tokio::spawn(async move { m2.fan_out_chip(c1).await }),
        tokio::spawn(async move { m3.fan_out_chip(c2).await })
    );
    let (a, b) = (a.expect("task a").expect("fan-out a"), b.expect("task b").expect("fan-out b"));
    assert_eq!(a.purchased + b.purchased, 1, "the budget allows one chip: {a:?} {b:?}");
    let skipped: Vec<_> = a.skipped.iter().chain(&b.skipped).collect();
    assert!(skipped.len() == 1 && skipped[0].1.starts_with("skipped_budget"), "{skipped:?}");
    assert_eq!(balance(&store, hal.id).await, 100_000 - 1000);
    assert_eq!(store.ledger_sum(Currency::USD).await.expect("sum"), 0);
}

async fn auto_buy_needs_a_limit_and_respects_a_pause(store: Store) {
    let alice = account(&store, "alice", Role::Designer).await;
    let ivy = account(&store, "ivy", Role::User).await;
    store.deposit(ivy.id, Money::new(100_000, Currency::USD)).await.expect("deposit");
    let m = market(&store);
    // Auto-buy with neither a price limit nor a budget is refused, and nothing is stored.
    let unlimited = SubscriptionChange { auto_purchase: Some(true), ..Default::default() };
    let refused = m.subscriptions().set(&ivy, "alice", &unlimited).await;
    assert!(matches!(&refused, Err(MarketError::Invalid(m)) if m.contains("price limit")), "{refused:?}");
    assert!(m.subscriptions().list(&ivy).await.expect("list").is_empty());
    let capped = SubscriptionChange {
        auto_purchase: Some(true),
        max_price: Some(Some(Money::new(5000, Currency::USD))),
        ..Default::default()
    };
    subscribe(&m, &ivy, "alice", capped).await;
    // Removing the only limit while auto-buy stays on is refused too.
    let lift = SubscriptionChange { max_price: Some(None), ..Default::default() };
    assert!(matches!(m.subscriptions().set(&ivy, "alice", &lift).await, Err(MarketError::Invalid(_))));
    // A paused subscription buys nothing and hears nothing.
    let pause = SubscriptionChange { paused: Some(true), ..Default::default() };
    subscribe(&m, &ivy, "alice", pause).await;
    let chip = published_chip(&store, alice.id, "acme:cpu:p:1.0", 1000, None, vec![]).await;
    let r = m.fan_out_chip(chip).await.expect("fan-out");
    assert_eq!((r.purchased, r.notified), (0, 0), "{r:?}");
    assert_eq!(balance(&store, ivy.id).await, 100_000);
}

async fn reviews_need_a_purchase_and_keep_aggregates(store: Store) {
    let alice = account(&store, "alice", Role::Designer).await;
    let ivy = account(&store, "ivy", Role::User).await;
    let jon = account(&store, "jon", Role::User).await;
    let chip = published_chip(&store, alice.id, "acme:cpu:rv32:1.0", 100, None, vec![]).await;
    let m = market(&store);
    let chip = m.catalog().chip(chip).await.expect("chip");
    let stranger = m.reviews().add(&jon, &chip, 1, "never bought it").await;
    assert!(matches!(stranger, Err(MarketError::Forbidden(_))), "{stranger:?}");
    for u in [&ivy, &jon] {
        store.deposit(u.id, Money::new(100, Currency::USD)).await.expect("deposit");
        buy(&m, u, chip.id, None).await.expect("buy");
    }
    m.reviews().add(&ivy, &chip, 5, "great core").await.expect("review");
    m.reviews().add(&jon, &chip, 2, "meh").await.expect("review");
    let again = m.reviews().add(&ivy, &chip, 4, "second try").await;
    assert!(matches!(again, Err(MarketError::AlreadyReviewed)), "{again:?}");
    assert!(matches!(m.reviews().add(&jon, &chip, 6, "x").await, Err(MarketError::Invalid(_))));
    assert!(matches!(m.reviews().add(&jon, &chip, 0, "x").await, Err(MarketError::Invalid(_))));
    assert!(matches!(m.reviews().add(&jon, &chip, 3, "  ").await, Err(MarketError::Invalid(_))));
    let profile = store.designer_by_user(alice.id).await.expect("profile");
    assert_eq!((profile.rating_sum, profile.rating_count), (7, 2));
    assert_eq!(m.reviews().of_chip(chip.id, PageRequest::first(10)).await.expect("reviews").items.len(), 2);
    let chip = m.catalog().chip(chip.id).await.expect("chip");
    assert_eq!(chip.sold_count, 2);
}

async fn refunds_reverse_the_money(store: Store) {
    let alice = account(&store, "alice", Role::Designer).await;
    let kim = account(&store, "kim", Role::User).await;
    let chip = published_chip(&store, alice.id, "acme:cpu:rv32:1.0", 999, None, vec![]).await;
    let admin = account(&store, "root", Role::Admin).await;
    store.deposit(kim.id, Money::new(999, Currency::USD)).await.expect("deposit");
    let m = market(&store);
    let r = buy(&m, &kim, chip, None).await.expect("buy");
    let not_admin = m.purchases().refund(&kim, r.purchase.id).await;
    assert!(matches!(not_admin, Err(MarketError::Forbidden(_))), "{not_admin:?}");
    let refunded = m.purchases().refund(&admin, r.purchase.id).await.expect("refund");
    assert_eq!(refunded.status, PurchaseStatus::Refunded);
    assert_eq!(balance(&store, kim.id).await, 999);
    assert_eq!(balance(&store, alice.id).await, 0);
    assert_eq!(store.earnings(alice.id, Currency::USD).await.expect("earnings").total_minor, 0);
    assert_eq!(store.ledger_sum(Currency::USD).await.expect("sum"), 0);
    assert!(matches!(m.purchases().refund(&admin, r.purchase.id).await, Err(MarketError::Invalid(_))));
}

async fn subscriptions_change_and_cancel(store: Store) {
    let alice = account(&store, "alice", Role::Designer).await;
    let lea = account(&store, "lea", Role::User).await;
    let m = market(&store);
    let subs = m.subscriptions();
    let s = subs.set(&lea, "alice", &SubscriptionChange::default()).await.expect("subscribe");
    assert_eq!((s.auto_purchase, s.notify, s.max_price), (false, NotifyFrequency::Immediate, None));
    let change = SubscriptionChange {
        notify: Some(NotifyFrequency::Weekly),
        max_price: Some(Some(Money::new(2500, Currency::USD))),
        ..Default::default()
    };
    let s2 = subs.set(&lea, "alice", &change).await.expect("change");
    assert_eq!(s2.id, s.id);
    assert_eq!(s2.notify, NotifyFrequency::Weekly);
    assert_eq!(s2.max_price, Some(Money::new(2500, Currency::USD)));
    let cleared = subs
        .set(&lea, "alice", &SubscriptionChange { max_price: Some(None), ..Default::default() })
        .await
        .expect("clear");
    assert_eq!(cleared.max_price, None);
    assert_eq!(cleared.notify, NotifyFrequency::Weekly, "unchanged fields stay");
    assert_eq!(subs.list(&lea).await.expect("list").len(), 1);
    let mixed = SubscriptionChange {
        max_price: Some(Some(Money::new(100, Currency::USD))),
        monthly_budget: Some(Some(Money::new(100, Currency::EUR))),
        ..Default::default()
    };
    assert!(matches!(subs.set(&lea, "alice", &mixed).await, Err(MarketError::Invalid(_))), "one currency");
    let negative = SubscriptionChange { max_price: Some(Some(Money::new(-1, Currency::USD))), ..Default::default() };
    assert!(matches!(subs.set(&lea, "alice", &negative).await, Err(MarketError::Invalid(_))));
    let self_sub = subs.set(&alice, "alice", &SubscriptionChange::default()).await;
    assert!(matches!(self_sub, Err(MarketError::Invalid(_))), "{self_sub:?}");
    assert!(matches!(subs.set(&lea, "nobody", &SubscriptionChange::default()).await, Err(MarketError::NotFound(_))));
    subs.cancel(&lea, "alice").await.expect("cancel");
    assert_eq!(subs.to_designer(&lea, alice.id).await.expect("read"), None);
    assert!(matches!(subs.cancel(&lea, "alice").await, Err(MarketError::NotFound(_))));
}
