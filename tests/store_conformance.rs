//! One conformance suite for the `Store` trait, run on SQLite and on PostgreSQL.

mod support;

use holomesh::domain::decode_cursor;
use holomesh::domain::{
    BasisPoints, ChipFilter, ChipStatus, ClientPreferences, Contribution, Currency, Email, Handle, Id, Money, NewChip,
    NewUser, PageRequest, Role, StageTimings, VoiceSource, VoiceStatus, new_id,
};
use holomesh::store::{NewAuditEntry, NewEvent, Store, StoreError, VoiceCommandRecord};

store_conformance!(
    users_round_trip_and_emails_are_unique,
    designer_profiles_have_unique_handles,
    client_preferences_default_and_round_trip,
    chips_with_contributions_filters_and_pages,
    chip_constraints_are_typed_errors,
    publishing_writes_an_outbox_event_once,
    deposits_balance_the_ledger,
    voice_commands_are_per_user_and_paged,
    concurrent_outbox_claims_are_disjoint,
    audit_log_filters_by_actor,
);

async fn user(store: &Store, email: &str, role: Role) -> holomesh::domain::User {
    store
        .create_user(&NewUser {
            email: Email::parse(email).expect("valid email"),
            display_name: email.split('@').next().unwrap_or("x").to_owned(),
            role,
            password_hash: Some("$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA".into()),
        })
        .await
        .expect("create user")
}

async fn designer(store: &Store, name: &str) -> Id {
    let u = user(store, &format!("{name}@example.org"), Role::Designer).await;
    store
        .upsert_designer_profile(u.id, &Handle::parse(name).expect("handle"), "bio", &["verilog".into()])
        .await
        .expect("designer profile");
    u.id
}

fn new_chip(designer_id: Id, vlnv: &str, price: i64) -> NewChip {
    NewChip {
        designer_id,
        vlnv: vlnv.parse().expect("vlnv"),
        title: format!("Chip {vlnv}"),
        description: "A small RISC-V core".into(),
        category: "cpu".into(),
        process_node: "28nm".into(),
        tags: vec!["riscv".into(), "low-power".into()],
        price: Money::new(price, Currency::USD),
        supply: Some(10),
        royalty_bps: BasisPoints::new(500).expect("bps"),
        licence: "CERN-OHL-S-2.0".into(),
        content_sha256: "a".repeat(64),
        content_size: 1234,
        prev_version_id: None,
        contributions: vec![],
    }
}

async fn users_round_trip_and_emails_are_unique(store: Store) {
    let a = user(&store, "Alice@Example.org", Role::User).await;
    assert_eq!(a.email.as_str(), "alice@example.org");
    assert_eq!(store.user_by_id(a.id).await.expect("by id"), a);
    assert_eq!(store.user_by_email("ALICE@example.org").await.expect("by email").id, a.id);
    let (_, hash) = store.user_credentials("alice@example.org").await.expect("credentials");
    assert!(hash.is_some_and(|h| h.starts_with("$argon2id$")));

    let dup = store
        .create_user(&NewUser {
            email: Email::parse("alice@example.org").expect("email"),
            display_name: "Other".into(),
            role: Role::User,
            password_hash: None,
        })
        .await;
    assert!(matches!(dup, Err(StoreError::Conflict(_))), "{dup:?}");

    assert!(matches!(store.user_by_id(new_id()).await, Err(StoreError::NotFound)));
    let promoted = store.set_user_role(a.id, Role::Admin).await.expect("set role");
    assert_eq!(promoted.role, Role::Admin);
    assert!(matches!(store.set_user_role(new_id(), Role::Admin).await, Err(StoreError::NotFound)));
}

async fn designer_profiles_have_unique_handles(store: Store) {
    let a = designer(&store, "alice-chen").await;
    let b = user(&store, "bob@example.org", Role::Designer).await;
    let taken = store.upsert_designer_profile(b.id, &Handle::parse("alice-chen").expect("h"), "", &[]).await;
    assert!(matches!(taken, Err(StoreError::Conflict(_))), "{taken:?}");

    let updated = store
        .upsert_designer_profile(a, &Handle::parse("alice-c").expect("h"), "new bio", &["vhdl".into()])
        .await
        .expect("update");
    assert_eq!(updated.handle.as_str(), "alice-c");
    assert_eq!(updated.skills, vec!["vhdl".to_owned()]);
    assert!(matches!(store.designer_by_handle("alice-chen").await, Err(StoreError::NotFound)));
    assert_eq!(store.designer_by_handle("alice-c").await.expect("by handle").user_id, a);

    for i in 0..4 {
        designer(&store, &format!("d{i}")).await;
    }
    let first = store.list_designers(PageRequest::first(3)).await.expect("page 1");
    assert_eq!(first.items.len(), 3);
    let cursor = first.next_cursor.expect("more pages");
    let second = store
        .list_designers(PageRequest { after: Some(decode_cursor(&cursor).expect("cursor")), limit: 3 })
        .await
        .expect("page 2");
    assert_eq!(second.items.len(), 2);
    assert!(second.next_cursor.is_none());
    let all: std::collections::HashSet<Id> = first.items.iter().chain(&second.items).map(|d| d.user_id).collect();
    assert_eq!(all.len(), 5, "pages must not overlap");
}

async fn client_preferences_default_and_round_trip(store: Store) {
    let u = user(&store, "carol@example.org", Role::User).await;
    assert_eq!(store.client_preferences(u.id).await.expect("default"), ClientPreferences::default());
    let prefs = ClientPreferences {
        categories: vec!["risc-v".into()],
        process_nodes: vec!["28nm".into()],
        keywords: vec!["low-power".into()],
        stated: Some("low-power RISC-V under fifty dollars".into()),
        max_price: Some(Money::new(5000, Currency::USD)),
        min_price: None,
    };
    store.set_client_preferences(u.id, &prefs).await.expect("set");
    assert_eq!(store.client_preferences(u.id).await.expect("get"), prefs);
    let unknown = store.set_client_preferences(new_id(), &prefs).await;
    assert!(matches!(unknown, Err(StoreError::Invalid(_))), "foreign key: {unknown:?}");
}

async fn chips_with_contributions_filters_and_pages(store: Store) {
    let alice = designer(&store, "alice").await;
    let bob = designer(&store, "bob").await;
    let mut c = new_chip(alice, "acme.com:cpu:rv32:1.0", 4999);
    c.contributions = vec![Contribution {
        contributor_id: bob,
        vlnv: "bob.dev:periph:uart:2.1".parse().expect("vlnv"),
        share_bps: BasisPoints::new(1500).expect("bps"),
    }];
    let chip = store.create_chip(&c).await.expect("create chip");
    assert_eq!(chip.status, ChipStatus::Draft);
    assert_eq!(chip.price, Money::new(4999, Currency::USD));
    assert_eq!(chip.contributions.len(), 1);
    assert_eq!(chip.contributions[0].share_bps.get(), 1500);
    assert_eq!(store.chip_by_id(chip.id).await.expect("by id"), chip);

    let mut cheap = new_chip(bob, "bob.dev:dsp:fir:1.0", 1500);
    cheap.category = "dsp".into();
    cheap.process_node = "7nm".into();
    cheap.title = "Tiny FIR filter".into();
    store.create_chip(&cheap).await.expect("second chip");
    for i in 0..3 {
        store.create_chip(&new_chip(alice, &format!("acme.com:cpu:rv64:{i}.0"), 9000 + i)).await.expect("more");
    }

    let by_alice = store
        .list_chips(&ChipFilter { designer_id: Some(alice), ..Default::default() }, PageRequest::first(50))
        .await
        .expect("filter designer");
    assert_eq!(by_alice.items.len(), 4);
    let cheap_list = store
        .list_chips(&ChipFilter { max_price_minor: Some(5000), ..Default::default() }, PageRequest::first(50))
        .await
        .expect("filter price");
    assert_eq!(cheap_list.items.len(), 2);
    let dsp = store
        .list_chips(
            &ChipFilter { category: Some("dsp".into()), process_node: Some("7nm".into()), ..Default::default() },
            PageRequest::first(50),
        )
        .await
        .expect("filter category");
    assert_eq!(dsp.items.len(), 1);
    let text = store
        .list_chips(&ChipFilter { text: Some("fir FILTER".into()), ..Default::default() }, PageRequest::first(50))
        .await
        .expect("text");
    assert_eq!(text.items.len(), 1);
    assert_eq!(text.items[0].title, "Tiny FIR filter");

    // Newest first, in pages of two, without overlap.
    let mut seen = Vec::new();
    let mut page = PageRequest::first(2);
    loop {
        let p = store.list_chips(&ChipFilter::default(), page).await.expect("page");
        seen.extend(p.items.iter().map(|c| c.id));
        match p.next_cursor {
            Some(c) => page = PageRequest { after: Some(decode_cursor(&c).expect("cursor")), limit: 2 },
            None => break,
        }
    }
    assert_eq!(seen.len(), 5);
    let mut sorted = seen.clone();
    sorted.sort_by(|a, b| b.cmp(a));
    assert_eq!(seen, sorted, "newest first");
    assert!(
        store
            .list_chips(&ChipFilter::default(), PageRequest::first(50))
            .await
            .expect("all")
            .items
            .iter()
            .any(|c| c.contributions.len() == 1)
    );
}

async fn chip_constraints_are_typed_errors(store: Store) {
    let alice = designer(&store, "alice").await;
    store.create_chip(&new_chip(alice, "acme.com:cpu:rv32:1.0", 100)).await.expect("first");
    let dup = store.create_chip(&new_chip(alice, "acme.com:cpu:rv32:1.0", 100)).await;
    assert!(matches!(dup, Err(StoreError::Conflict(_))), "duplicate VLNV: {dup:?}");

    let negative = store.create_chip(&new_chip(alice, "acme.com:cpu:neg:1.0", -1)).await;
    assert!(matches!(negative, Err(StoreError::Invalid(_))), "negative price: {negative:?}");

    let mut zero_supply = new_chip(alice, "acme.com:cpu:zero:1.0", 100);
    zero_supply.supply = Some(0);
    assert!(matches!(store.create_chip(&zero_supply).await, Err(StoreError::Invalid(_))));

    let mut ghost = new_chip(alice, "acme.com:cpu:ghost:1.0", 100);
    ghost.contributions = vec![Contribution {
        contributor_id: new_id(),
        vlnv: "x.y:z:w:1".parse().expect("vlnv"),
        share_bps: BasisPoints::new(100).expect("bps"),
    }];
    let fk = store.create_chip(&ghost).await;
    assert!(matches!(fk, Err(StoreError::Invalid(_))), "unknown contributor: {fk:?}");
    // The failed transaction left nothing behind.
    let all = store.list_chips(&ChipFilter::default(), PageRequest::first(50)).await.expect("list");
    assert_eq!(all.items.len(), 1);
}

async fn publishing_writes_an_outbox_event_once(store: Store) {
    let alice = designer(&store, "alice").await;
    let chip = store.create_chip(&new_chip(alice, "acme.com:cpu:rv32:1.0", 100)).await.expect("chip");
    let published = support::publish(&store, chip.id).await;
    assert_eq!(published.status, ChipStatus::Published);
    assert!(published.published_at.is_some());
    let event =
        |id| holomesh::store::NewEvent { kind: "chip.published", aggregate_id: id, payload: serde_json::json!({}) };
    let again = store.publish_chip(chip.id, None, &event(chip.id)).await;
    assert!(matches!(again, Err(StoreError::Conflict(_))), "a published chip is not a draft: {again:?}");
    let missing = new_id();
    assert!(matches!(store.publish_chip(missing, None, &event(missing)).await, Err(StoreError::NotFound)));

    let events = store.claim_events(10, 60).await.expect("claim");
    assert_eq!(events.len(), 1);
    assert_eq!(events[0].kind, "chip.published");
    assert_eq!(events[0].aggregate_id, chip.id);
    assert_eq!(events[0].attempts, 1);
    // Leased: nobody else gets it until the lease runs out.
    assert!(store.claim_events(10, 60).await.expect("claim again").is_empty());
    store.complete_event(events[0].id).await.expect("complete");
    assert!(matches!(store.complete_event(new_id()).await, Err(StoreError::NotFound)));
}

async fn deposits_balance_the_ledger(store: Store) {
    let u = user(&store, "dave@example.org", Role::User).await;
    let w = store.wallet(u.id, Currency::USD).await.expect("wallet");
    assert_eq!(w.balance, Money::zero(Currency::USD));
    store.deposit(u.id, Money::new(2500, Currency::USD)).await.expect("deposit");
    let w = store.deposit(u.id, Money::new(1, Currency::USD)).await.expect("deposit");
    assert_eq!(w.balance.amount_minor, 2501);
    assert_eq!(store.wallet(u.id, Currency::USD).await.expect("wallet").balance.amount_minor, 2501);
    assert_eq!(store.wallet(u.id, Currency::EUR).await.expect("eur").balance.amount_minor, 0);
    assert_eq!(store.ledger_sum(Currency::USD).await.expect("sum"), 0, "double entry sums to zero");
    assert!(matches!(store.deposit(u.id, Money::new(-5, Currency::USD)).await, Err(StoreError::Invalid(_))));
    assert!(matches!(store.deposit(u.id, Money::new(0, Currency::USD)).await, Err(StoreError::Invalid(_))));
    assert_eq!(store.wallet(u.id, Currency::USD).await.expect("wallet").balance.amount_minor, 2501);
}

fn voice(user_id: Option<Id>, n: usize) -> VoiceCommandRecord {
    VoiceCommandRecord {
        id: new_id(),
        user_id,
        source: VoiceSource::Transcript,
        transcript_sealed: format!("sealed-{n}").into_bytes(),
        intent: n.is_multiple_of(2).then(|| "WalletBalance".to_owned()),
        slots: serde_json::json!({ "n": n }),
        status: if n.is_multiple_of(2) { VoiceStatus::Executed } else { VoiceStatus::NotUnderstood },
        reply_text: "You have 25 dollars.".into(),
        result: serde_json::json!(null),
        timings: StageTimings { audio: Some(2100), asr: Some(140), nlu: Some(0), exec: Some(3) },
        confirm_before: None,
        created_at: time::OffsetDateTime::now_utc().replace_nanosecond(0).expect("time"),
    }
}

async fn voice_commands_are_per_user_and_paged(store: Store) {
    let a = user(&store, "erin@example.org", Role::User).await;
    let b = user(&store, "frank@example.org", Role::User).await;
    let first = voice(Some(a.id), 0);
    store.insert_voice_command(&first).await.expect("insert");
    assert_eq!(store.voice_command(first.id).await.expect("get"), first);
    for n in 1..5 {
        store.insert_voice_command(&voice(Some(a.id), n)).await.expect("insert");
    }
    store.insert_voice_command(&voice(Some(b.id), 9)).await.expect("insert other");
    let p1 = store.list_voice_commands(a.id, PageRequest::first(3)).await.expect("page");
    assert_eq!(p1.items.len(), 3);
    let after = decode_cursor(p1.next_cursor.as_deref().expect("cursor")).expect("decode");
    let p2 = store.list_voice_commands(a.id, PageRequest { after: Some(after), limit: 3 }).await.expect("page 2");
    assert_eq!(p2.items.len(), 2);
    assert!(p1.items.iter().chain(&p2.items).all(|c| c.user_id == Some(a.id)));
    assert_eq!(store.list_voice_commands(b.id, PageRequest::first(10)).await.expect("b").items.len(), 1);
    let dup = store.insert_voice_command(&first).await;
    assert!(matches!(dup, Err(StoreError::Conflict(_))), "{dup:?}");
}

async fn concurrent_outbox_claims_are_disjoint(store: Store) {
    let mut ids = Vec::new();
    for i in 0..40 {
        let event = NewEvent { kind: "test.event", aggregate_id: new_id(), payload: serde_json::json!({ "i": i }) };
        ids.push(store.enqueue_event(&event).await.expect("enqueue"));
    }
    let mut tasks = Vec::new();
    for _ in 0..4 {
        let s = store.clone();
        tasks.push(tokio::spawn(async move {
            let mut mine = Vec::new();
            loop {
                let batch = s.claim_events(3, 60).await.expect("claim");
                if batch.is_empty() {
                    break;
                }
                for e in batch {
                    s.complete_event(e.id).await.expect("complete");
                    mine.push(e.id);
                }
            }
            mine
        }));
    }
    let mut claimed = Vec::new();
    for t in tasks {
        claimed.extend(t.await.expect("task"));
    }
    claimed.sort();
    ids.sort();
    assert_eq!(claimed, ids, "every event claimed exactly once");
    assert!(store.claim_events(10, 60).await.expect("drained").is_empty());
}

async fn audit_log_filters_by_actor(store: Store) {
    let a = user(&store, "gina@example.org", Role::User).await;
    for action in ["login", "login_failed", "totp_enabled"] {
        store
            .append_audit(&NewAuditEntry {
                actor_id: Some(a.id),
                action: action.into(),
                ip: Some("127.0.0.1".into()),
                detail: serde_json::json!({ "ua": "test" }),
                ..Default::default()
            })
            .await
            .expect("audit");
    }
    store
        .append_audit(&NewAuditEntry {
            action: "login_failed".into(),
            detail: serde_json::json!({}),
            ..Default::default()
        })
        .await
        .expect("anonymous audit");
    let mine = store.list_audit(Some(a.id), PageRequest::first(10)).await.expect("mine");
    assert_eq!(
        mine.items.iter().map(|e| e.action.as_str()).collect::<Vec<_>>(),
        ["totp_enabled", "login_failed", "login"]
    );
    assert_eq!(store.list_audit(None, PageRequest::first(10)).await.expect("all").items.len(), 4);
}
