//! Recommendations on both backends, from a known history: what the client follows,
//! prefers and bought decides the order, owned chips are left out, and a price limit holds.

mod support;

use holomesh::crypto::FieldCipher;
use holomesh::domain::{ClientPreferences, Currency, Money, PurchaseSource, Role, SubscriptionChange};
use holomesh::market::{Market, MarketSettings};
use holomesh::store::Store;
use std::sync::Arc;

store_conformance!(the_followed_preferred_and_familiar_come_first, similar_buyers_and_what_was_said_count);

async fn the_followed_preferred_and_familiar_come_first(store: Store) {
    let cipher = Arc::new(FieldCipher::new(vec![("t".into(), [5u8; 32])], "t").expect("cipher"));
    let m = Market::new(store.clone(), support::memory_cache(), MarketSettings::default(), cipher);
    let alice = support::account(&store, "alice", Role::Designer).await;
    let bob = support::account(&store, "bob", Role::Designer).await;
    let carol = support::account(&store, "carol", Role::User).await;
    let mut ids = Vec::new();
    for (who, vlnv, title, category, cents) in [
        (&alice, "alice.dev:dsp:owned:1.0", "Owned DSP", "dsp", 1000),
        (&alice, "alice.dev:dsp:falcon:1.0", "Falcon DSP", "dsp", 4000),
        (&bob, "bob.dev:cpu:kestrel:1.0", "Kestrel CPU", "cpu", 2000),
        (&bob, "bob.dev:dsp:heron:1.0", "Heron DSP", "dsp", 1500),
        (&bob, "bob.dev:io:wren:1.0", "Wren UART", "io", 500),
    ] {
        let chip = m.catalog().create(who, support::chip_draft(vlnv, title, category, cents)).await.expect("draft");
        m.catalog().publish(who, chip.id).await.expect("publish");
        ids.push(chip.id);
    }
    let (owned, falcon, kestrel, heron) = (ids[0], ids[1], ids[2], ids[3]);
    store.deposit(carol.id, Money::new(10_000, Currency::USD)).await.expect("deposit");
    m.purchases().buy(&carol, owned, PurchaseSource::Api, None, Some("k")).await.expect("buy");
    let follow = SubscriptionChange::default();
    m.subscriptions().set(&carol, "alice", &follow).await.expect("follow");
    let prefs = ClientPreferences { categories: vec!["cpu".into()], ..Default::default() };
    m.profiles().set_client_preferences(&carol, &prefs).await.expect("prefs");

    let picks = m.recommendations(&carol, None, 10).await.expect("recommendations");
    let order: Vec<_> = picks.iter().map(|r| r.chip.id).collect();
    // Falcon: followed designer and a category bought before; Kestrel: the stated
    // preference; Heron: a category bought before; the owned chip never.
    assert_eq!(&order[..3], &[falcon, kestrel, heron], "{picks:#?}");
    assert!(!order.contains(&owned));
    assert!(picks[0].reason.contains("alice") && picks[0].reason.contains("follow"), "{}", picks[0].reason);
    assert!(picks[1].reason.contains("preference for cpu"), "{}", picks[1].reason);
    assert!(picks[2].reason.contains("dsp chips you bought"), "{}", picks[2].reason);

    // A price limit leaves out what costs more.
    let cheap = m.recommendations(&carol, Some(Money::new(2500, Currency::USD)), 10).await.expect("cheap");
    assert_eq!(cheap.first().map(|r| r.chip.id), Some(kestrel));
    assert!(cheap.iter().all(|r| r.chip.price.amount_minor <= 2500));
    // A designer is not recommended their own chips.
    assert!(m.recommendations(&bob, None, 10).await.expect("bob").iter().all(|r| r.chip.designer_id != bob.id));
}

async fn similar_buyers_and_what_was_said_count(store: Store) {
    let cipher = Arc::new(FieldCipher::new(vec![("t".into(), [5u8; 32])], "t").expect("cipher"));
    let mut m = Market::new(store.clone(), support::memory_cache(), MarketSettings::default(), cipher);
    if let Some(e) = support::embedder("similar_buyers_and_what_was_said_count") {
        m = m.with_embedder(e);
    }
    let alice = support::account(&store, "alice", Role::Designer).await;
    let carol = support::account(&store, "carol", Role::User).await;
    let dave = support::account(&store, "dave", Role::User).await;
    let mut ids = Vec::new();
    for (vlnv, title, category, description) in [
        ("alice.dev:dsp:falcon:1.0", "Falcon DSP", "dsp", "Four-issue VLIW signal processor."),
        ("alice.dev:io:wren:1.0", "Wren UART", "interface", "16550 serial port."),
        ("alice.dev:an:sigma:1.0", "Sigma DAC", "analog", "24-bit sigma-delta DAC for headphone outputs."),
        ("alice.dev:mem:heron:1.0", "Heron SRAM", "memory", "Single-port SRAM macros."),
    ] {
        let draft = holomesh::market::ChipDraft {
            description: description.into(),
            ..support::chip_draft(vlnv, title, category, 1000)
        };
        let chip = m.catalog().create(&alice, draft).await.expect("draft");
        ids.push(m.catalog().publish(&alice, chip.id).await.expect("publish").id);
    }
    let (falcon, wren, sigma) = (ids[0], ids[1], ids[2]);
    for who in [&carol, &dave] {
        store.deposit(who.id, Money::new(10_000, Currency::USD)).await.expect("deposit");
    }
    m.purchases().buy(&carol, falcon, PurchaseSource::Api, None, Some("c1")).await.expect("buy");
    m.purchases().buy(&dave, falcon, PurchaseSource::Api, None, Some("d1")).await.expect("buy");
    m.purchases().buy(&dave, wren, PurchaseSource::Api, None, Some("d2")).await.expect("buy");

    // Dave bought Falcon too, and Wren: Wren comes first, saying why.
    let picks = m.recommendations(&carol, None, 10).await.expect("recommendations");
    assert_eq!(picks.first().map(|r| r.chip.id), Some(wren), "{picks:#?}");
    assert!(picks[0].reason.starts_with("People who bought Falcon DSP bought this"), "{}", picks[0].reason);

    // What Carol says she likes, in words no chip uses, finds the DAC by meaning.
    if m.search().by_meaning() {
        let said =
            holomesh::market::parse_preferences("listening to music on earphones", &Default::default(), Currency::USD);
        m.profiles().set_client_preferences(&carol, &said).await.expect("prefs");
        let picks = m.recommendations(&carol, None, 10).await.expect("recommendations");
        let dac = picks.iter().find(|r| r.chip.id == sigma).expect("the DAC is recommended");
        assert!(dac.reason.to_lowercase().contains("close to what you like"), "{}", dac.reason);
        assert!(picks.iter().position(|r| r.chip.id == sigma) < picks.iter().position(|r| r.chip.id == ids[3]));
    }
}
