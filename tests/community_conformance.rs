//! Community rules on both backends: digests in the user's time zone (once, even
//! when the job runs twice at once), groups and the forum, collaborations that pay
//! their members, sorted catalog pages under ties, and client statistics.

mod support;

use holomesh::crypto::{FieldCipher, generate_key};
use holomesh::domain::{
    BasisPoints, ChipFilter, ChipSort, ChipStatus, ClientStats, CollaborationMember, Currency, DigestPeriod, GroupRole,
    Id, Money, NewChip, NotifyFrequency, PageRequest, PurchaseSource, Role, SplitParty, SubscriptionChange, User,
};
use holomesh::market::{Market, MarketError, MarketSettings};
use holomesh::store::{Store, StoreError};
use std::collections::{BTreeMap, HashSet};
use std::sync::Arc;
use time::macros::{date, datetime};

store_conformance!(
    digest_job_run_twice_concurrently_makes_one_digest_per_user_and_period,
    digest_period_start_is_local_to_the_user,
    group_membership_follows_roles,
    group_forum_is_for_members_only,
    collaboration_shares_above_10000_are_refused,
    chip_from_a_collaboration_pays_its_members,
    sorted_catalog_pages_have_no_duplicates_or_gaps_under_ties,
    client_stats_come_from_purchases,
    services_check_input_and_show_profiles,
);

use support::account;

async fn draft(store: &Store, designer: Id, vlnv: &str, price: i64, category: &str) -> Id {
    store
        .create_chip(&NewChip {
            designer_id: designer,
            vlnv: vlnv.parse().expect("vlnv"),
            title: format!("Chip {vlnv}"),
            description: String::new(),
            category: category.into(),
            process_node: "28nm".into(),
            tags: vec![],
            price: Money::new(price, Currency::USD),
            supply: None,
            royalty_bps: BasisPoints::new(500).expect("bps"),
            licence: "MIT".into(),
            content_sha256: "c".repeat(64),
            content_size: 10,
            prev_version_id: None,
            contributions: vec![],
        })
        .await
        .expect("chip")
        .id
}

async fn published(store: &Store, designer: Id, vlnv: &str, price: i64, category: &str) -> Id {
    let id = draft(store, designer, vlnv, price, category).await;
    support::publish(store, id).await;
    id
}

/// The services over `store`, with a 2.5 % platform fee.
fn market(store: &Store) -> Market {
    let cipher = Arc::new(FieldCipher::from_config(&[("test".into(), generate_key())], "test").expect("cipher"));
    let settings = MarketSettings { currency: Currency::USD, platform_fee_bps: 250 };
    Market::new(store.clone(), support::memory_cache(), settings, cipher)
}

async fn subscribe(m: &Market, who: &User, designer: &str, notify: NotifyFrequency) {
    let change = SubscriptionChange { notify: Some(notify), ..Default::default() };
    m.subscriptions().set(who, designer, &change).await.expect("subscribe");
}

async fn buy(m: &Market, buyer: &User, chip: Id) {
    m.purchases().buy(buyer, chip, PurchaseSource::Api, None, None).await.expect("purchase");
}

async fn review(m: &Market, reviewer: &User, chip: Id, rating: i16, body: &str) {
    let chip = m.catalog().chip(chip).await.expect("chip");
    m.reviews().add(reviewer, &chip, rating, body).await.expect("review");
}

/// All of a user's notifications' ids.
async fn notification_ids(store: &Store, user: Id) -> HashSet<Id> {
    let page = store.list_notifications(user, false, PageRequest::first(100)).await.expect("notifications");
    page.items.into_iter().map(|n| n.id).collect()
}

async fn digest_job_run_twice_concurrently_makes_one_digest_per_user_and_period(store: Store) {
    let alice = account(&store, "alice", Role::Designer).await;
    let bob = account(&store, "bob", Role::Designer).await;
    let daily = account(&store, "dan", Role::User).await;
    let weekly = account(&store, "wendy", Role::User).await;
    let both = account(&store, "bo", Role::User).await;
    let m = market(&store);
    subscribe(&m, &daily, "alice", NotifyFrequency::Daily).await;
    subscribe(&m, &weekly, "alice", NotifyFrequency::Weekly).await;
    subscribe(&m, &both, "alice", NotifyFrequency::Daily).await;
    subscribe(&m, &both, "bob", NotifyFrequency::Weekly).await;
    for (designer, vlnv) in [(alice.id, "a:c:one:1.0"), (alice.id, "a:c:two:1.0"), (bob.id, "b:c:three:1.0")] {
        let chip = published(&store, designer, vlnv, 1000, "cpu").await;
        m.fan_out_chip(chip).await.expect("fan out");
    }

    let now = datetime!(2030-01-07 03:00 UTC);
    let (a, b) = tokio::join!(m.run_digests(now), m.run_digests(now));
    let (a, b) = (a.expect("first run"), b.expect("second run"));
    assert_eq!(a.created + b.created, 4, "daily+weekly for two users, weekly for one: {a:?} {b:?}");
    let again = m.run_digests(now).await.expect("third run");
    assert_eq!(again.created, 0);

    for (user, expected) in [(&daily, vec![DigestPeriod::Daily]), (&weekly, vec![DigestPeriod::Weekly])] {
        let digests = store.list_digests(user.id).await.expect("digests");
        assert_eq!(digests.iter().map(|d| d.period).collect::<Vec<_>>(), expected);
    }
    let digests = store.list_digests(both.id).await.expect("digests");
    let mut periods: Vec<DigestPeriod> = digests.iter().map(|d| d.period).collect();
    periods.sort_by_key(|p| p.as_str());
    assert_eq!(periods, vec![DigestPeriod::Daily, DigestPeriod::Weekly]);
    assert_eq!(digests.iter().find(|d| d.period == DigestPeriod::Weekly).expect("weekly").notification_ids.len(), 1);

    for user in [&daily, &weekly, &both] {
        let digests = store.list_digests(user.id).await.expect("digests");
        let carried: Vec<Id> = digests.iter().flat_map(|d| d.notification_ids.iter().copied()).collect();
        let unique: HashSet<Id> = carried.iter().copied().collect();
        assert_eq!(carried.len(), unique.len(), "a notification is in two digests");
        assert_eq!(unique, notification_ids(&store, user.id).await, "every waiting notification is in a digest");
        assert!(digests.iter().all(|d| d.period_start
            == if d.period == DigestPeriod::Daily { date!(2030 - 01 - 06) } else { date!(2029 - 12 - 31) }));
    }
    assert!(store.pending_digests(DigestPeriod::Daily).await.expect("pending").is_empty());
    assert!(store.pending_digests(DigestPeriod::Weekly).await.expect("pending").is_empty());
}

async fn digest_period_start_is_local_to_the_user(store: Store) {
    let alice = account(&store, "alice", Role::Designer).await;
    let ny = account(&store, "nora", Role::User).await;
    let tokyo = account(&store, "taro", Role::User).await;
    let m = market(&store);
    let ny = m.profiles().set_timezone(&ny, "America/New_York").await.expect("tz");
    assert_eq!(ny.timezone, "America/New_York");
    m.profiles().set_timezone(&tokyo, "Asia/Tokyo").await.expect("tz");
    assert!(matches!(m.profiles().set_timezone(&ny, "Mars/Olympus").await, Err(MarketError::Invalid(_))));
    assert_eq!(store.user_timezone(ny.id).await.expect("tz"), "America/New_York");
    for u in [&ny, &tokyo] {
        subscribe(&m, u, "alice", NotifyFrequency::Daily).await;
    }
    let chip = published(&store, alice.id, "a:c:one:1.0", 1000, "cpu").await;
    m.fan_out_chip(chip).await.expect("fan out");

    // 03:00 UTC on a Monday: Sunday 22:00 in New York, Monday 12:00 in Tokyo.
    let report = m.run_digests(datetime!(2030-01-07 03:00 UTC)).await.expect("run");
    assert_eq!(report.created, 2);
    let start = |digests: Vec<holomesh::domain::Digest>| digests.first().map(|d| d.period_start);
    assert_eq!(start(store.list_digests(ny.id).await.expect("ny")), Some(date!(2030 - 01 - 05)));
    assert_eq!(start(store.list_digests(tokyo.id).await.expect("tokyo")), Some(date!(2030 - 01 - 06)));
}

async fn group_membership_follows_roles(store: Store) {
    let owner = account(&store, "olga", Role::Designer).await;
    let admin = account(&store, "adam", Role::Designer).await;
    let member = account(&store, "mia", Role::Designer).await;
    let other = account(&store, "otto", Role::Designer).await;
    let m = market(&store);
    let c = m.community();
    let group = c.create_group(owner.id, "RISC-V makers", "cores").await.expect("group");
    assert!(matches!(c.create_group(other.id, "RISC-V makers", "").await, Err(MarketError::Conflict(_))));

    c.add_member(owner.id, group.id, admin.id, GroupRole::Admin).await.expect("owner adds admin");
    c.add_member(admin.id, group.id, member.id, GroupRole::Member).await.expect("admin adds member");
    for (actor, role) in [(admin.id, GroupRole::Admin), (member.id, GroupRole::Member), (other.id, GroupRole::Member)] {
        let refused = c.add_member(actor, group.id, other.id, role).await;
        assert!(matches!(refused, Err(MarketError::Forbidden(_))), "{refused:?}");
    }
    let owner_again = c.add_member(owner.id, group.id, other.id, GroupRole::Owner).await;
    assert!(matches!(owner_again, Err(MarketError::Forbidden(_))));
    let twice = c.add_member(owner.id, group.id, member.id, GroupRole::Member).await;
    assert!(matches!(twice, Err(MarketError::Conflict(_))));
    assert!(matches!(
        c.add_member(owner.id, Id::now_v7(), other.id, GroupRole::Member).await,
        Err(MarketError::NotFound(_))
    ));

    let members = c.members(group.id).await.expect("members");
    let roles: BTreeMap<Id, GroupRole> = members.into_iter().map(|m| (m.user_id, m.role)).collect();
    assert_eq!(roles.len(), 3);
    assert_eq!(roles.get(&owner.id), Some(&GroupRole::Owner));
    assert_eq!(roles.get(&admin.id), Some(&GroupRole::Admin));
    assert_eq!(roles.get(&member.id), Some(&GroupRole::Member));
    assert_eq!(c.groups(PageRequest::first(10)).await.expect("groups").items, vec![group]);
}

async fn group_forum_is_for_members_only(store: Store) {
    let owner = account(&store, "olga", Role::Designer).await;
    let outsider = account(&store, "otto", Role::User).await;
    let m = market(&store);
    let c = m.community();
    let group = c.create_group(owner.id, "Analog", "").await.expect("group");
    let thread = c.open_thread(owner.id, Some(group.id), "PLL tips", "Start here").await.expect("thread");

    let post = c.post(outsider.id, thread.id, "Let me in").await;
    assert!(matches!(post, Err(MarketError::Forbidden(_))), "{post:?}");
    let open = c.open_thread(outsider.id, Some(group.id), "Mine", "hello").await;
    assert!(matches!(open, Err(MarketError::Forbidden(_))));
    c.post(owner.id, thread.id, "Second post").await.expect("member posts");

    let global = c.open_thread(outsider.id, None, "Hello all", "First").await.expect("global thread");
    c.post(owner.id, global.id, "Welcome").await.expect("anyone posts globally");
    assert!(matches!(c.post(owner.id, Id::now_v7(), "x").await, Err(MarketError::NotFound(_))));

    let posts = c.posts(thread.id, PageRequest::first(10)).await.expect("posts");
    assert_eq!(posts.items.iter().map(|p| p.body.as_str()).collect::<Vec<_>>(), ["Start here", "Second post"]);
    let in_group = c.threads(Some(group.id), PageRequest::first(10)).await.expect("threads");
    assert_eq!(in_group.items, vec![thread]);
    let global_list = c.threads(None, PageRequest::first(10)).await.expect("threads");
    assert_eq!(global_list.items, vec![global]);
}

fn member(id: Id, bps: u16) -> CollaborationMember {
    CollaborationMember { designer_id: id, share_bps: bps }
}

async fn collaboration_shares_above_10000_are_refused(store: Store) {
    let alice = account(&store, "alice", Role::Designer).await;
    let bob = account(&store, "bob", Role::Designer).await;
    let carl = account(&store, "carl", Role::User).await;
    let m = market(&store);
    let c = m.community();
    let over = c.collaborate(alice.id, "Too much", None, &[member(alice.id, 6000), member(bob.id, 4001)]).await;
    assert!(matches!(over, Err(MarketError::Invalid(_))), "{over:?}");
    let twice = c.collaborate(alice.id, "Twice", None, &[member(bob.id, 10), member(bob.id, 10)]).await;
    assert!(matches!(twice, Err(MarketError::Invalid(_))));
    let not_designer = c.collaborate(alice.id, "Client", None, &[member(carl.id, 100)]).await;
    assert!(matches!(not_designer, Err(MarketError::Invalid(_))));
    assert!(c.of_designer(alice.id).await.expect("none").is_empty());

    let ok = c
        .collaborate(alice.id, "Exact", None, &[member(alice.id, 6000), member(bob.id, 4000)])
        .await
        .expect("10000 bps is allowed");
    assert_eq!(ok.members.len(), 2);
    assert_eq!(c.of_designer(bob.id).await.expect("bob").len(), 1);
}

async fn chip_from_a_collaboration_pays_its_members(store: Store) {
    let alice = account(&store, "alice", Role::Designer).await;
    let bob = account(&store, "bob", Role::Designer).await;
    let cleo = account(&store, "cleo", Role::Designer).await;
    let buyer = account(&store, "buyer", Role::User).await;
    let chip = draft(&store, alice.id, "a:c:duo:1.0", 10_000, "dsp").await;
    let members = [member(alice.id, 5000), member(bob.id, 3000), member(cleo.id, 2000)];
    let m = market(&store);
    let c = m.community();
    let refused = c.collaborate(bob.id, "Not bob's chip", Some(chip), &members).await;
    assert!(matches!(refused, Err(MarketError::Forbidden(_))), "{refused:?}");
    assert!(c.of_designer(bob.id).await.expect("none").is_empty(), "a refused collaboration leaves nothing");
    let collab = c.collaborate(alice.id, "Duo DSP", Some(chip), &members).await.expect("collaboration");
    assert_eq!(collab.chip_id, Some(chip));
    let chip_row = support::publish(&store, chip).await;
    let mut shares: Vec<(Id, u16)> =
        chip_row.contributions.iter().map(|c| (c.contributor_id, c.share_bps.get())).collect();
    shares.sort();
    let mut expected = vec![(bob.id, 3000), (cleo.id, 2000)];
    expected.sort();
    assert_eq!(shares, expected, "members other than the publisher contribute");

    store.deposit(buyer.id, Money::new(20_000, Currency::USD)).await.expect("deposit");
    buy(&m, &buyer, chip).await;
    let earned = |id: Id| {
        let store = store.clone();
        async move { store.earnings(id, Currency::USD).await.expect("earnings") }
    };
    assert_eq!(earned(bob.id).await.royalties_minor, 3000);
    assert_eq!(earned(cleo.id).await.royalties_minor, 2000);
    assert_eq!(earned(alice.id).await.sales_minor, 10_000 - 3000 - 2000 - 250);
    assert_eq!(store.ledger_sum(Currency::USD).await.expect("ledger"), 0);
    let purchases = store.list_purchases(buyer.id, PageRequest::first(5)).await.expect("purchases");
    let split = &purchases.items.first().expect("purchase").split;
    assert_eq!(split.iter().filter(|l| l.party == SplitParty::Contributor).count(), 2);

    let late = c.collaborate(alice.id, "Late", None, &members).await.expect("collab");
    let linked = c.link_chip(alice.id, late.id, chip).await;
    assert!(matches!(linked, Err(MarketError::Invalid(_))), "a published chip keeps its contributors: {linked:?}");
    let history = c.of_designer(cleo.id).await.expect("history");
    assert_eq!(history.len(), 2);
}

/// Pages through a sorted catalog two chips at a time.
async fn all_pages(store: &Store, sort: ChipSort) -> Vec<Id> {
    let filter = ChipFilter { status: Some(ChipStatus::Published), ..Default::default() };
    let mut ids = Vec::new();
    let mut cursor: Option<String> = None;
    for _ in 0..20 {
        let page = store.list_chips_sorted(&filter, sort, cursor.as_deref(), 2).await.expect("page");
        ids.extend(page.items.iter().map(|c| c.id));
        match page.next_cursor {
            Some(c) => cursor = Some(c),
            None => return ids,
        }
    }
    panic!("pagination did not end");
}

async fn sorted_catalog_pages_have_no_duplicates_or_gaps_under_ties(store: Store) {
    let alice = account(&store, "alice", Role::Designer).await;
    let b1 = account(&store, "bea", Role::User).await;
    let b2 = account(&store, "ben", Role::User).await;
    let prices = [300, 100, 100, 200, 100, 50, 100];
    let mut chips = Vec::new();
    for (i, price) in prices.iter().enumerate() {
        chips.push(published(&store, alice.id, &format!("a:c:c{i}:1.0"), *price, "cpu").await);
    }
    draft(&store, alice.id, "a:c:draft:1.0", 1, "cpu").await;
    for b in [&b1, &b2] {
        store.deposit(b.id, Money::new(10_000, Currency::USD)).await.expect("deposit");
    }
    let m = market(&store);
    // sold: c1 = 2, c2 = 2, c3 = 1; ratings: c1 = 4.0, c2 = 4.0, c3 = 5.0.
    for (buyer, idx, rating) in [(&b1, 1, 4), (&b1, 2, 4), (&b1, 3, 5), (&b2, 1, 4), (&b2, 2, 4)] {
        buy(&m, buyer, chips[idx]).await;
        review(&m, buyer, chips[idx], rating, "ok").await;
    }
    let sold = [0i64, 2, 2, 1, 0, 0, 0];
    let rating = [0i64, 4000, 4000, 5000, 0, 0, 0];

    let mut by_price: Vec<(i64, Id)> = chips.iter().zip(prices).map(|(id, p)| (p, *id)).collect();
    by_price.sort();
    let mut by_sales: Vec<(i64, Id)> = chips.iter().zip(sold).map(|(id, s)| (s, *id)).collect();
    by_sales.sort_by(|a, b| b.cmp(a));
    let mut by_rating: Vec<(i64, Id)> = chips.iter().zip(rating).map(|(id, r)| (r, *id)).collect();
    by_rating.sort_by(|a, b| b.cmp(a));
    let mut newest = chips.clone();
    newest.sort_by(|a, b| b.cmp(a));

    assert_eq!(all_pages(&store, ChipSort::Price).await, by_price.iter().map(|p| p.1).collect::<Vec<_>>());
    assert_eq!(all_pages(&store, ChipSort::Sales).await, by_sales.iter().map(|p| p.1).collect::<Vec<_>>());
    assert_eq!(all_pages(&store, ChipSort::Rating).await, by_rating.iter().map(|p| p.1).collect::<Vec<_>>());
    assert_eq!(all_pages(&store, ChipSort::Newest).await, newest);

    let filter = ChipFilter::default();
    let bad = store.list_chips_sorted(&filter, ChipSort::Price, Some("nonsense"), 2).await;
    assert!(matches!(bad, Err(StoreError::Invalid(_))));
}

async fn client_stats_come_from_purchases(store: Store) {
    let alice = account(&store, "alice", Role::Designer).await;
    let client = account(&store, "cat", Role::User).await;
    store.deposit(client.id, Money::new(100_000, Currency::USD)).await.expect("deposit");
    let m = market(&store);
    let catalog = [(500, "cpu"), (900, "dsp"), (100, "cpu"), (700, "io"), (300, "cpu"), (200, "dsp"), (50, "mem")];
    for (i, (price, category)) in catalog.iter().enumerate() {
        let chip = published(&store, alice.id, &format!("a:c:s{i}:1.0"), *price, category).await;
        buy(&m, &client, chip).await;
    }
    let facts = store.purchase_facts(client.id).await.expect("facts");
    assert_eq!(facts.len(), 7);
    let stats = ClientStats::from_facts(&facts);
    assert_eq!(stats.purchases, 7);
    assert_eq!(stats.typical_spend_minor, Some(300)); // 50 100 200 [300] 500 700 900
    assert_eq!(stats.currency.as_deref(), Some("USD"));
    assert_eq!(stats.favourite_categories, ["cpu", "dsp", "io"]);
    let hours: HashSet<u8> = facts.iter().map(|f| f.created_at.to_offset(time::UtcOffset::UTC).hour()).collect();
    assert!(!stats.active_hours_utc.is_empty());
    assert!(stats.active_hours_utc.iter().all(|h| hours.contains(h)));

    let nobody = account(&store, "newbie", Role::User).await;
    let empty = ClientStats::from_facts(&store.purchase_facts(nobody.id).await.expect("facts"));
    assert_eq!(empty, ClientStats::default());
}

async fn services_check_input_and_show_profiles(store: Store) {
    let market = market(&store);
    let alice = account(&store, "alice", Role::Designer).await;
    let bob = account(&store, "bob", Role::Designer).await;
    let client = account(&store, "cat", Role::User).await;
    let community = market.community();
    assert!(matches!(community.create_group(alice.id, "  ", "").await, Err(MarketError::Invalid(_))));
    let group = community.create_group(alice.id, "Makers", "").await.expect("group");
    let refused = community.open_thread(client.id, Some(group.id), "Hi", "hello").await;
    assert!(matches!(refused, Err(MarketError::Forbidden(_))));
    assert!(matches!(community.open_thread(alice.id, None, "", "x").await, Err(MarketError::Invalid(_))));
    let over = community.collaborate(alice.id, "Big", None, &[member(alice.id, 9000), member(bob.id, 1001)]).await;
    assert!(matches!(over, Err(MarketError::Invalid(_))));

    let cheap = published(&store, alice.id, "a:c:cheap:1.0", 100, "io").await;
    let dear = published(&store, alice.id, "a:c:dear:1.0", 900, "cpu").await;
    let hidden = draft(&store, alice.id, "a:c:hidden:1.0", 50, "io").await;
    let collab = community.collaborate(alice.id, "Pair", Some(hidden), &[member(bob.id, 1000)]).await.expect("collab");
    store.deposit(client.id, Money::new(5_000, Currency::USD)).await.expect("deposit");
    buy(&market, &client, dear).await;
    review(&market, &client, dear, 5, "great").await;
    buy(&market, &client, cheap).await;
    review(&market, &client, cheap, 4, "fine").await;

    let view = market.profiles().designer("alice").await.expect("view");
    assert_eq!(
        view.portfolio.iter().map(|c| c.id).collect::<Vec<_>>(),
        vec![dear, cheap],
        "published only, newest first"
    );
    assert_eq!(view.rating_avg_milli, Some(4500));
    assert_eq!(view.collaborations, vec![collab]);
    assert!(matches!(market.profiles().designer("nobody").await, Err(MarketError::NotFound(_))));

    let stats = market.profiles().client_stats(client.id).await.expect("stats");
    assert_eq!(stats.typical_spend_minor, Some(100));
    assert_eq!(stats.favourite_categories, ["cpu", "io"]);
    let filter = ChipFilter { status: Some(ChipStatus::Published), ..Default::default() };
    let page = market.profiles().browse(&filter, ChipSort::Price, None, 1).await.expect("browse");
    assert_eq!(page.items.iter().map(|c| c.id).collect::<Vec<_>>(), vec![cheap]);
    let next = market.profiles().browse(&filter, ChipSort::Price, page.next_cursor.as_deref(), 1).await.expect("next");
    assert_eq!(next.items.iter().map(|c| c.id).collect::<Vec<_>>(), vec![dear]);
    assert_eq!(next.next_cursor, None);
}
