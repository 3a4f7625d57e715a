//! Service-level rules on both backends: deposits through a payment provider, admin-only
//! refunds (once, however many race, giving the unit back), and chip drafts validated
//! before anything is stored.

mod support;

use holomesh::crypto::FieldCipher;
use holomesh::domain::{Currency, Money, PageRequest, PurchaseSource, Role};
use holomesh::market::{ChipDraft, DevelopmentProvider, Market, MarketError, MarketSettings};
use holomesh::store::Store;
use std::sync::Arc;

store_conformance!(deposits_refunds_and_draft_validation, racing_refunds_pay_back_once_and_return_the_unit);

use support::account;

fn draft(vlnv: &str, cents: i64) -> ChipDraft {
    ChipDraft {
        vlnv: vlnv.into(),
        title: "Falcon DSP".into(),
        description: "A DSP core".into(),
        category: "DSP".into(),
        process_node: "28nm".into(),
        tags: vec!["dsp".into()],
        price: Money::new(cents, Currency::USD),
        supply: Some(5),
        royalty_bps: 500,
        licence: Some("MIT".into()),
        content_sha256: "e".repeat(64),
        content_size: 100,
        prev_version: None,
        ip_blocks: vec![],
    }
}

async fn deposits_refunds_and_draft_validation(store: Store) {
    let cipher = Arc::new(FieldCipher::new(vec![("t".into(), [9u8; 32])], "t").expect("cipher"));
    let market = Market::new(store.clone(), support::memory_cache(), MarketSettings::default(), cipher);
    let bob = account(&store, "bob", Role::Designer).await;
    let carol = account(&store, "carol", Role::User).await;
    let admin = account(&store, "root", Role::Admin).await;

    // Deposits go through the provider; bad amounts change nothing.
    let w = market
        .payments()
        .deposit(&DevelopmentProvider, &carol, Money::new(5000, Currency::USD))
        .await
        .expect("deposit");
    assert_eq!(w.balance.amount_minor, 5000);
    for bad in [0, -1, holomesh::market::MAX_DEPOSIT_MINOR + 1] {
        let r = market.payments().deposit(&DevelopmentProvider, &carol, Money::new(bad, Currency::USD)).await;
        assert!(matches!(r, Err(MarketError::Invalid(_))), "{bad}: {r:?}");
    }
    assert_eq!(store.wallet(carol.id, Currency::USD).await.expect("wallet").balance.amount_minor, 5000);

    // Drafts: only designers, valid VLNV, shares within 100 %, nothing stored on refusal.
    let refused = market.catalog().create(&carol, draft("a.b:c:d:1", 100)).await;
    assert!(matches!(refused, Err(MarketError::Forbidden(_))), "{refused:?}");
    let bad_vlnv = market.catalog().create(&bob, draft("not a vlnv", 100)).await;
    assert!(matches!(bad_vlnv, Err(MarketError::Invalid(_))), "{bad_vlnv:?}");
    let negative = market.catalog().create(&bob, draft("a.b:c:neg:1", -5)).await;
    assert!(matches!(negative, Err(MarketError::Invalid(_))), "{negative:?}");
    let mut greedy = draft("a.b:c:greedy:1", 100);
    greedy.ip_blocks = vec![("bob".into(), "a.b:c:x:1".into(), 10_001)];
    assert!(matches!(market.catalog().create(&bob, greedy).await, Err(MarketError::Invalid(_))));
    assert!(store.list_chips(&Default::default(), PageRequest::first(10)).await.expect("list").items.is_empty());

    let chip = market.catalog().create(&bob, draft("martin.dev:dsp:falcon:1.0", 2450)).await.expect("draft");
    assert_eq!(chip.category, "dsp", "categories are normalised");
    let dup = market.catalog().create(&bob, draft("martin.dev:dsp:falcon:1.0", 2450)).await;
    assert!(matches!(dup, Err(MarketError::Conflict(_))), "{dup:?}");
    market.catalog().publish(&bob, chip.id).await.expect("publish");

    // Refunds are for administrators only.
    let r = market.purchases().buy(&carol, chip.id, PurchaseSource::Api, None, Some("k")).await.expect("buy");
    let denied = market.purchases().refund(&carol, r.purchase.id).await;
    assert!(matches!(denied, Err(MarketError::Forbidden(_))), "{denied:?}");
    assert_eq!(store.wallet(carol.id, Currency::USD).await.expect("wallet").balance.amount_minor, 5000 - 2450);
    market.purchases().refund(&admin, r.purchase.id).await.expect("admin refund");
    assert_eq!(store.wallet(carol.id, Currency::USD).await.expect("wallet").balance.amount_minor, 5000);
    assert_eq!(store.ledger_sum(Currency::USD).await.expect("sum"), 0);

    // Retiring: only the designer (or an admin); a retired chip cannot be bought.
    let not_yours = market.catalog().retire(&carol, chip.id).await;
    assert!(matches!(not_yours, Err(MarketError::NotFound(_))), "{not_yours:?}");
    let retired = market.catalog().retire(&bob, chip.id).await.expect("retire");
    assert_eq!(retired.status, holomesh::domain::ChipStatus::Retired);
    let late = market.purchases().buy(&carol, chip.id, PurchaseSource::Api, None, Some("k2")).await;
    assert!(matches!(late, Err(MarketError::NotForSale(_))), "{late:?}");
    assert!(matches!(market.catalog().retire(&bob, chip.id).await, Err(MarketError::Invalid(_))));
}

async fn racing_refunds_pay_back_once_and_return_the_unit(store: Store) {
    let cipher = Arc::new(FieldCipher::new(vec![("t".into(), [9u8; 32])], "t").expect("cipher"));
    let market = Market::new(store.clone(), support::memory_cache(), MarketSettings::default(), cipher);
    let bob = account(&store, "bob", Role::Designer).await;
    let carol = account(&store, "carol", Role::User).await;
    let dave = account(&store, "dave", Role::User).await;
    let admin = account(&store, "root", Role::Admin).await;
    for who in [&carol, &dave] {
        market.payments().deposit(&DevelopmentProvider, who, Money::new(10_000, Currency::USD)).await.expect("deposit");
    }
    let mut last_unit = draft("martin.dev:dsp:one:1.0", 10_000);
    last_unit.supply = Some(1);
    let chip = market.catalog().create(&bob, last_unit).await.expect("draft");
    market.catalog().publish(&bob, chip.id).await.expect("publish");
    let bought = market.purchases().buy(&carol, chip.id, PurchaseSource::Api, None, Some("k")).await.expect("buy");
    let sold_out = market.purchases().buy(&dave, chip.id, PurchaseSource::Api, None, Some("k")).await;
    assert!(matches!(sold_out, Err(MarketError::SoldOut)), "{sold_out:?}");

    // Five refunds at once: exactly one pays the buyer back.
    let refunds = (0..5).map(|_| {
        let (market, admin) = (market.clone(), admin.clone());
        tokio::spawn(async move { market.purchases().refund(&admin, bought.purchase.id).await })
    });
    let mut done = 0;
    for r in futures::future::join_all(refunds).await {
        match r.expect("task") {
            Ok(_) => done += 1,
            Err(MarketError::Invalid(_) | MarketError::Conflict(_)) => {}
            Err(other) => panic!("unexpected refusal: {other:?}"),
        }
    }
    assert_eq!(done, 1);
    assert_eq!(store.wallet(carol.id, Currency::USD).await.expect("wallet").balance.amount_minor, 10_000);
    assert_eq!(store.ledger_sum(Currency::USD).await.expect("sum"), 0);

    // The unit is for sale again.
    let again = market.purchases().buy(&dave, chip.id, PurchaseSource::Api, None, Some("k")).await;
    assert!(again.is_ok(), "{again:?}");
}
