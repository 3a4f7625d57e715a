//! Notifications that arrive: immediate notifications and digests go out by e-mail
//! and by Web Push (to each browser where the user turned push on) for subscribers who
//! want it. Each is queued once, sent by whichever worker claims
//! it, retried with a pause that doubles after a failure, and set aside as dead after
//! its last attempt. A worker that stops mid-send leaves its claim to run out, and the
//! message is sent again with the same Message-ID (mail systems treat the two as one).
//! Every message carries an unsubscribe link (and RFC 8058 one-click headers).

use super::{Market, MarketError, RetryPolicy};
use crate::domain::{Currency, Money, now_micros};
use crate::store::{Channels, DeliveryItem, DeliveryJob};
use async_trait::async_trait;
use std::sync::Arc;
use std::time::Duration;

/// One e-mail, ready to send.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EmailMessage {
    pub to: String,
    pub to_name: String,
    pub subject: String,
    pub text: String,
    /// `<id@holomesh>`: the same for every attempt of one delivery.
    pub message_id: String,
    /// Where one click (GET shows a page, POST unsubscribes) turns these e-mails off.
    pub unsubscribe_url: String,
}

/// Why a message was not sent.
#[derive(Debug, thiserror::Error)]
pub enum SendError {
    /// Worth trying again later (connection refused, 4xx).
    #[error("{0}")]
    Transient(String),
    /// Will fail again (5xx, a bad address).
    #[error("{0}")]
    Permanent(String),
    /// The push subscription is gone (the browser unsubscribed): it is forgotten.
    #[error("{0}")]
    Gone(String),
}

/// A browser's push subscription (the `PushSubscription` the browser made).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PushTarget {
    pub endpoint: String,
    /// The browser's P-256 public key, base64url.
    pub p256dh: String,
    /// The browser's 16-byte authentication secret, base64url.
    pub auth: String,
}

/// What the installed web app shows for a push message (its service worker reads it).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct PushMessage {
    pub title: String,
    pub body: String,
    /// The page a click opens.
    pub url: String,
}

/// Sends Web Push messages.
#[async_trait]
pub trait Pusher: Send + Sync {
    async fn push(&self, to: &PushTarget, message: &PushMessage) -> Result<(), SendError>;
}

/// Sends e-mail (SMTP in production).
#[async_trait]
pub trait Mailer: Send + Sync {
    async fn send(&self, message: &EmailMessage) -> Result<(), SendError>;
}

/// Sends queued e-mail; several may run at once.
pub struct DeliveryWorker {
    market: Market,
    mailer: Option<Arc<dyn Mailer>>,
    pusher: Option<Arc<dyn Pusher>>,
    /// The server's public address, for links in messages (no trailing slash).
    base_url: String,
    retry: RetryPolicy,
    lease: Duration,
    batch: u32,
}

/// How long back notifications are still worth an e-mail when first queued.
const QUEUE_WINDOW: time::Duration = time::Duration::days(2);

fn money(minor: i64, currency: &str) -> String {
    currency
        .trim()
        .parse::<Currency>()
        .map_or_else(|_| format!("{minor} {currency}"), |c| Money::new(minor, c).to_string())
}

/// The message for a claimed delivery and the chips it tells about.
pub fn compose(job: &DeliveryJob, items: &[DeliveryItem], base_url: &str) -> EmailMessage {
    let unsubscribe_url = format!("{base_url}/v1/unsubscribe/{}", job.token);
    let line = |i: &DeliveryItem| {
        format!(
            "- {} by {}, {}: {base_url}/chips/{}",
            i.title,
            i.designer,
            money(i.price_minor, &i.currency),
            i.chip_id
        )
    };
    let (subject, intro) = match (job.period.as_deref(), items) {
        (None, [one]) => {
            (format!("New from {}: {}", one.designer, one.title), "A designer you follow published a chip:")
        }
        (Some(period), _) => (
            format!(
                "Your {period} HoloMesh digest: {} new chip{}",
                items.len(),
                if items.len() == 1 { "" } else { "s" }
            ),
            "New chips from designers you follow:",
        ),
        (None, _) => ("New chips on HoloMesh".to_owned(), "New chips from designers you follow:"),
    };
    let lines: Vec<String> = items.iter().map(line).collect();
    let text = format!(
        "Hello {},\n\n{intro}\n\n{}\n\nTo stop these e-mails, open {unsubscribe_url}\n",
        job.display_name,
        lines.join("\n")
    );
    EmailMessage {
        to: job.email.clone(),
        to_name: job.display_name.clone(),
        subject,
        text,
        message_id: format!("<{}@holomesh>", job.id.simple()),
        unsubscribe_url,
    }
}

/// The push message for a claimed delivery: the same facts as the e-mail, short.
pub fn compose_push(job: &DeliveryJob, items: &[DeliveryItem], base_url: &str) -> PushMessage {
    let mail = compose(job, items, base_url);
    let body = match items {
        [one] => format!("{} by {}, {}", one.title, one.designer, money(one.price_minor, &one.currency)),
        many => many.iter().map(|i| i.title.as_str()).collect::<Vec<_>>().join(", "),
    };
    let url = match items {
        [one] => format!("{base_url}/chips/{}", one.chip_id),
        _ => format!("{base_url}/notifications"),
    };
    PushMessage { title: mail.subject, body, url }
}

impl DeliveryWorker {
    /// A worker that sends nothing until given a mailer or a pusher.
    pub fn new(market: Market, base_url: &str) -> Self {
        Self {
            market,
            mailer: None,
            pusher: None,
            base_url: base_url.trim_end_matches('/').to_owned(),
            retry: RetryPolicy {
                max_attempts: 8,
                first_pause: Duration::from_secs(30),
                max_pause: Duration::from_secs(6 * 3600),
            },
            lease: Duration::from_secs(120),
            batch: 20,
        }
    }

    /// The same worker, sending e-mail with `mailer`.
    pub fn with_mailer(self, mailer: Arc<dyn Mailer>) -> Self {
        Self { mailer: Some(mailer), ..self }
    }

    /// The same worker, sending Web Push with `pusher`.
    pub fn with_pusher(self, pusher: Arc<dyn Pusher>) -> Self {
        Self { pusher: Some(pusher), ..self }
    }

    /// The same worker with another retry policy and claim lease.
    pub fn with_retry(self, retry: RetryPolicy, lease: Duration) -> Self {
        Self { retry, lease, ..self }
    }

    /// Queues what is new and sends what is due; returns how many went out.
    pub async fn run_once(&self) -> Result<usize, MarketError> {
        let store = &self.market.store;
        let since = time::OffsetDateTime::now_utc() - QUEUE_WINDOW;
        let token = || {
            use base64::Engine as _;
            use rand::RngCore as _;
            let mut bytes = [0u8; 24];
            rand::rngs::OsRng.fill_bytes(&mut bytes);
            base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
        };
        let channels = Channels { email: self.mailer.is_some(), push: self.pusher.is_some() };
        store.queue_deliveries(since, channels, token).await.map_err(MarketError::Store)?;
        let mut sent = 0;
        loop {
            let until = now_micros() + self.lease;
            let jobs = store.claim_deliveries(self.batch, until).await.map_err(MarketError::Store)?;
            if jobs.is_empty() {
                return Ok(sent);
            }
            for job in jobs {
                if self.deliver(&job).await? {
                    sent += 1;
                }
            }
        }
    }

    async fn deliver(&self, job: &DeliveryJob) -> Result<bool, MarketError> {
        let store = &self.market.store;
        let items = store.delivery_items(job.id).await.map_err(MarketError::Store)?;
        let send = async {
            match (job.channel.as_str(), &self.mailer, &self.pusher) {
                ("email", Some(mailer), _) => mailer.send(&compose(job, &items, &self.base_url)).await,
                ("push", _, Some(pusher)) => {
                    let to = PushTarget {
                        endpoint: job.endpoint.clone().unwrap_or_default(),
                        p256dh: job.p256dh.clone().unwrap_or_default(),
                        auth: job.auth.clone().unwrap_or_default(),
                    };
                    pusher.push(&to, &compose_push(job, &items, &self.base_url)).await
                }
                (channel, _, _) => Err(SendError::Transient(format!("this worker does not send {channel}"))),
            }
        };
        let outcome = match tokio::time::timeout(self.lease / 2, send).await {
            Ok(r) => r,
            Err(_) => Err(SendError::Transient(format!("no answer within {} s", (self.lease / 2).as_secs()))),
        };
        match outcome {
            Ok(()) => {
                store.delivery_sent(job.id).await.map_err(MarketError::Store)?;
                Ok(true)
            }
            Err(e) => {
                let pause = match &e {
                    SendError::Transient(_) => self.retry.pause_after(job.attempts),
                    SendError::Permanent(_) | SendError::Gone(_) => None,
                };
                if let (SendError::Gone(_), Some(id)) = (&e, job.push_subscription_id) {
                    tracing::info!(delivery = %job.id, "the browser's push subscription is gone; forgetting it");
                    return store.drop_push_subscription(id).await.map(|()| false).map_err(MarketError::Store);
                }
                match pause {
                    Some(p) => tracing::warn!(delivery = %job.id, channel = %job.channel, attempt = job.attempts,
                        error = %e, retry_in_ms = p.as_millis() as u64, "message not sent; will retry"),
                    None => tracing::error!(delivery = %job.id, channel = %job.channel, attempts = job.attempts,
                        error = %e, "message not sent; set aside as dead"),
                }
                let at = pause.map(|p| now_micros() + p);
                store.delivery_failed(job.id, &e.to_string(), at).await.map_err(MarketError::Store)?;
                Ok(false)
            }
        }
    }

    /// Runs until `shutdown` resolves, every `every`.
    pub async fn run(self, every: Duration, shutdown: impl std::future::Future<Output = ()>) {
        super::worker::repeat(every, shutdown, || async {
            if let Err(e) = self.run_once().await {
                tracing::warn!(error = %e, "e-mail delivery pass failed");
            }
            match self.market.store.delivery_counts().await {
                Ok(c) => {
                    metrics::gauge!("email_deliveries_pending").set(c.pending as f64);
                    metrics::gauge!("email_deliveries_dead").set(c.dead as f64);
                }
                Err(e) => tracing::warn!(error = %e, "could not count e-mail deliveries"),
            }
        })
        .await;
    }
}

/// The longest push endpoint accepted.
const MAX_ENDPOINT: usize = 2048;

impl Market {
    /// Keeps a browser's push subscription for `user`: an `https` endpoint (or `http`
    /// on this machine), the browser's 65-byte P-256 key and 16-byte secret (base64url).
    pub async fn add_push_subscription(&self, user: &crate::domain::User, to: &PushTarget) -> Result<(), MarketError> {
        use base64::Engine as _;
        let bad = |m: &str| MarketError::Invalid(m.to_owned());
        let url = url::Url::parse(&to.endpoint).map_err(|_| bad("endpoint must be a URL"))?;
        let local = matches!(url.host_str(), Some("127.0.0.1" | "localhost" | "[::1]"));
        if to.endpoint.len() > MAX_ENDPOINT || !(url.scheme() == "https" || (url.scheme() == "http" && local)) {
            return Err(bad("endpoint must be an https URL of at most 2048 characters"));
        }
        let decode = |v: &str| base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(v.trim_end_matches('='));
        if decode(&to.p256dh).map_or(true, |k| k.len() != 65 || k.first() != Some(&4)) {
            return Err(bad("keys.p256dh must be an uncompressed P-256 point, base64url"));
        }
        if decode(&to.auth).map_or(true, |k| k.len() != 16) {
            return Err(bad("keys.auth must be 16 bytes, base64url"));
        }
        self.store
            .add_push_subscription(user.id, &to.endpoint, &to.p256dh, &to.auth)
            .await
            .map_err(|e| MarketError::from_store("push subscription", e))
    }

    /// Forgets one of the user's browsers.
    pub async fn remove_push_subscription(
        &self,
        user: &crate::domain::User,
        endpoint: &str,
    ) -> Result<(), MarketError> {
        match self.store.remove_push_subscription(user.id, endpoint).await {
            Ok(true) => Ok(()),
            Ok(false) => Err(MarketError::NotFound("push subscription")),
            Err(e) => Err(MarketError::from_store("push subscription", e)),
        }
    }

    /// Turns off the e-mails an unsubscribe link was sent with: those about its
    /// designer, or all of them for a digest's link.
    pub async fn unsubscribe_email(&self, token: &str) -> Result<(), MarketError> {
        if token.len() > 200 {
            return Err(MarketError::NotFound("unsubscribe link"));
        }
        self.store.unsubscribe_email(token).await.map(drop).map_err(|e| MarketError::from_store("unsubscribe link", e))
    }
}
