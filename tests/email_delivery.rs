//! Notifications by e-mail, on both backends, against a real SMTP server
//! (`scripts/smtp_sink.py`, aiosmtpd): an immediate notification and a digest are
//! e-mailed exactly once, also across a worker that stops mid-pass; a failing server
//! is retried with backoff; unsubscribe links turn the e-mails off.

mod support;

use holomesh::crypto::FieldCipher;
use holomesh::domain::{NotifyFrequency, Role, SubscriptionChange, User};
use holomesh::market::{
    DeliveryWorker, EmailMessage, Mailer, Market, MarketSettings, OutboxWorker, RetryPolicy, SendError,
};
use holomesh::notify::SmtpMailer;
use holomesh::store::Store;
use std::io::BufRead;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::Duration;

store_conformance!(
    a_notification_and_a_digest_are_mailed_once,
    a_failing_server_is_retried_with_backoff,
    a_worker_stopped_mid_pass_leaves_nothing_unsent_or_doubled,
    unsubscribe_links_turn_email_off,
);

/// A mail server that never answers.
struct Silent;

#[async_trait::async_trait]
impl Mailer for Silent {
    async fn send(&self, _: &EmailMessage) -> Result<(), SendError> {
        std::future::pending().await
    }
}

/// The SMTP sink, killed when dropped.
struct Sink {
    child: Child,
    port: u16,
    dir: tempfile::TempDir,
}

impl Drop for Sink {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A Python with aiosmtpd: Debian's (scripts/setup.sh installs python3-aiosmtpd), or
/// the one on the PATH.
fn python() -> PathBuf {
    let debian = PathBuf::from("/usr/bin/python3");
    let has = |p: &Path| Command::new(p).args(["-c", "import aiosmtpd"]).status().is_ok_and(|s| s.success());
    if has(&debian) {
        return debian;
    }
    let path = PathBuf::from("python3");
    assert!(has(&path), "aiosmtpd is needed (scripts/setup.sh installs python3-aiosmtpd)");
    path
}

impl Sink {
    fn start(fail_first: u32) -> Sink {
        let dir = tempfile::tempdir().expect("dir");
        let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("scripts/smtp_sink.py");
        let mut child = Command::new(python())
            .arg(script)
            .arg("--dir")
            .arg(dir.path())
            .args(["--fail-first", &fail_first.to_string()])
            .stdout(Stdio::piped())
            .spawn()
            .expect("smtp sink");
        let mut line = String::new();
        std::io::BufReader::new(child.stdout.take().expect("stdout")).read_line(&mut line).expect("ready line");
        let port = line.trim().strip_prefix("ready ").and_then(|p| p.parse().ok()).expect("ready PORT");
        Sink { child, port, dir }
    }

    /// The messages received so far, in order.
    fn messages(&self) -> Vec<String> {
        let mut files: Vec<PathBuf> = std::fs::read_dir(self.dir.path())
            .expect("dir")
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|x| x == "eml"))
            .collect();
        files.sort();
        files.iter().map(|p| std::fs::read_to_string(p).expect("message")).collect()
    }

    fn worker(&self, market: &Market) -> DeliveryWorker {
        let mailer = SmtpMailer::new(&format!("smtp://127.0.0.1:{}", self.port), "HoloMesh <notify@holomesh.test>")
            .expect("mailer");
        let retry =
            RetryPolicy { max_attempts: 4, first_pause: Duration::from_millis(400), max_pause: Duration::from_secs(2) };
        DeliveryWorker::new(market.clone(), "https://holomesh.test/")
            .with_mailer(Arc::new(mailer))
            .with_retry(retry, Duration::from_secs(2))
    }
}

struct World {
    market: Market,
    alice: User,
    carol: User,
}

async fn world(store: &Store, notify: NotifyFrequency) -> World {
    let cipher = Arc::new(FieldCipher::new(vec![("t".into(), [5u8; 32])], "t").expect("cipher"));
    let market = Market::new(store.clone(), support::memory_cache(), MarketSettings::default(), cipher);
    let alice = support::account(store, "alice", Role::Designer).await;
    let carol = support::account(store, "carol", Role::User).await;
    let change = SubscriptionChange { notify: Some(notify), ..Default::default() };
    market.subscriptions().set(&carol, "alice", &change).await.expect("follow");
    World { market, alice, carol }
}

impl World {
    /// Publishes a chip and runs the fan-out (which makes the notification).
    async fn publish(&self, slug: &str, title: &str) {
        let draft = support::chip_draft(&format!("alice.dev:ip:{slug}:1.0"), title, "dsp", 2450);
        let chip = self.market.catalog().create(&self.alice, draft).await.expect("draft");
        self.market.catalog().publish(&self.alice, chip.id).await.expect("publish");
        OutboxWorker::new(self.market.clone()).run_once().await.expect("fan-out");
    }
}

fn header<'a>(message: &'a str, name: &str) -> Option<&'a str> {
    message.lines().find_map(|l| l.strip_prefix(name).and_then(|r| r.strip_prefix(": ")))
}

async fn a_notification_and_a_digest_are_mailed_once(store: Store) {
    let sink = Sink::start(0);
    let w = world(&store, NotifyFrequency::Immediate).await;
    let worker = sink.worker(&w.market);
    w.publish("falcon", "Falcon DSP").await;
    assert_eq!(worker.run_once().await.expect("pass"), 1);
    assert_eq!(worker.run_once().await.expect("again"), 0, "never sent twice");
    let m = sink.messages();
    assert_eq!(m.len(), 1);
    assert!(header(&m[0], "Subject").is_some_and(|s| s.contains("Falcon DSP")), "{}", m[0]);
    assert!(header(&m[0], "To").is_some_and(|s| s.contains("carol@example.org")), "{}", m[0]);
    let unsubscribe = header(&m[0], "List-Unsubscribe").expect("List-Unsubscribe");
    assert!(unsubscribe.starts_with("<https://holomesh.test/v1/unsubscribe/"), "{unsubscribe}");
    assert_eq!(header(&m[0], "List-Unsubscribe-Post"), Some("List-Unsubscribe=One-Click"));
    assert!(m[0].contains("https://holomesh.test/chips/"), "{}", m[0]);

    // A daily subscriber gets one digest of the day's chips, once.
    let dave = support::account(&store, "dave", Role::User).await;
    let daily = SubscriptionChange { notify: Some(NotifyFrequency::Daily), ..Default::default() };
    w.market.subscriptions().set(&dave, "alice", &daily).await.expect("daily");
    w.publish("heron", "Heron DSP").await;
    let tomorrow = time::OffsetDateTime::now_utc() + time::Duration::days(1);
    assert_eq!(w.market.run_digests(tomorrow).await.expect("digests").created, 1);
    assert_eq!(worker.run_once().await.expect("pass"), 2, "carol's notification and dave's digest");
    assert_eq!(worker.run_once().await.expect("again"), 0);
    let m = sink.messages();
    assert_eq!(m.len(), 3);
    let digest = m.iter().find(|x| header(x, "To").is_some_and(|t| t.contains("dave@"))).expect("digest");
    assert!(header(digest, "Subject").is_some_and(|s| s.contains("daily HoloMesh digest: 1 new chip")), "{digest}");
    assert!(digest.contains("Heron DSP"), "{digest}");
}

async fn a_failing_server_is_retried_with_backoff(store: Store) {
    let sink = Sink::start(2);
    let w = world(&store, NotifyFrequency::Immediate).await;
    let worker = sink.worker(&w.market);
    w.publish("falcon", "Falcon DSP").await;
    assert_eq!(worker.run_once().await.expect("first try"), 0, "the server said 451");
    assert_eq!(worker.run_once().await.expect("too soon"), 0, "not tried again before the pause");
    assert!(sink.messages().is_empty());
    let mut sent = 0;
    for _ in 0..30 {
        tokio::time::sleep(Duration::from_millis(200)).await;
        sent += worker.run_once().await.expect("retry");
        if sent > 0 && sink.messages().len() == 1 {
            break;
        }
    }
    assert_eq!(sent, 1);
    assert_eq!(sink.messages().len(), 1, "sent once, after two refusals");
}

async fn a_worker_stopped_mid_pass_leaves_nothing_unsent_or_doubled(store: Store) {
    let sink = Sink::start(0);
    let w = world(&store, NotifyFrequency::Immediate).await;
    for (slug, title) in [("a", "Alpha DSP"), ("b", "Beta DSP"), ("c", "Gamma DSP"), ("d", "Delta DSP")] {
        w.publish(slug, title).await;
    }
    // A worker whose mail server never answers claims the batch, then stops (its pass
    // is dropped mid-send, as a crash would leave it).
    let stuck = DeliveryWorker::new(w.market.clone(), "https://holomesh.test")
        .with_mailer(Arc::new(Silent))
        .with_retry(RetryPolicy::default(), Duration::from_secs(2));
    assert!(tokio::time::timeout(Duration::from_millis(500), stuck.run_once()).await.is_err(), "it hung");
    drop(stuck);
    // Another worker finishes the job once the stopped one's claims have run out.
    let second = sink.worker(&w.market);
    assert_eq!(second.run_once().await.expect("pass"), 0, "the claims still hold");
    for _ in 0..40 {
        second.run_once().await.expect("pass");
        if sink.messages().len() >= 4 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    second.run_once().await.expect("last pass");
    let m = sink.messages();
    let mut subjects: Vec<&str> = m.iter().filter_map(|x| header(x, "Subject")).collect();
    subjects.sort_unstable();
    assert_eq!(subjects.len(), 4, "each chip once: {subjects:?}");
    subjects.dedup();
    assert_eq!(subjects.len(), 4, "{subjects:?}");
}

async fn unsubscribe_links_turn_email_off(store: Store) {
    let sink = Sink::start(0);
    let w = world(&store, NotifyFrequency::Immediate).await;
    let worker = sink.worker(&w.market);
    w.publish("falcon", "Falcon DSP").await;
    worker.run_once().await.expect("pass");
    let m = sink.messages();
    let link = header(&m[0], "List-Unsubscribe").expect("link").trim_matches(['<', '>']);
    let token = link.rsplit('/').next().expect("token");
    // The link opens a page with one button; the button (or a mail program's
    // one-click POST) unsubscribes.
    let server = support::http::TestServer::start(store.clone(), support::memory_cache(), |_| {}).await;
    let page = server.req(reqwest::Method::GET, &format!("/v1/unsubscribe/{token}"), None).send().await.expect("get");
    assert_eq!(page.status(), reqwest::StatusCode::OK);
    assert!(page.text().await.expect("page").contains("method=\"post\""));
    assert!(store.subscription(w.carol.id, w.alice.id).await.expect("sub").email, "opening the link changes nothing");
    let unknown = server.req(reqwest::Method::POST, "/v1/unsubscribe/no-such-token", None).send().await.expect("post");
    assert_eq!(unknown.status(), reqwest::StatusCode::NOT_FOUND);
    let done = server
        .req(reqwest::Method::POST, &format!("/v1/unsubscribe/{token}"), None)
        .header("content-type", "application/x-www-form-urlencoded")
        .body("List-Unsubscribe=One-Click")
        .send()
        .await
        .expect("post");
    assert_eq!(done.status(), reqwest::StatusCode::OK);
    let sub = store.subscription(w.carol.id, w.alice.id).await.expect("still subscribed");
    assert!(!sub.email, "e-mail is off");
    w.publish("heron", "Heron DSP").await;
    assert_eq!(worker.run_once().await.expect("pass"), 0);
    assert_eq!(sink.messages().len(), 1, "nothing more by e-mail");
    let unread = w
        .market
        .notifications()
        .list(&w.carol, true, holomesh::domain::PageRequest::first(10))
        .await
        .expect("notifications");
    assert_eq!(unread.items.len(), 2, "still notified in the app");
}
