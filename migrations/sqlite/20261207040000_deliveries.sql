-- Notifications that arrive: immediate notifications and digests go out by e-mail and
-- by Web Push to the installed web app. Each subscription says which of the two it
-- wants; each delivery is one message on one channel (for push: to one browser), sent
-- at most once per (channel, notification or digest, browser), retried with backoff
-- and set aside as dead after its last attempt. `token` is an e-mail's unsubscribe link.
ALTER TABLE subscriptions ADD COLUMN email INTEGER NOT NULL DEFAULT 1;
ALTER TABLE subscriptions ADD COLUMN push INTEGER NOT NULL DEFAULT 1;

CREATE TABLE push_subscriptions (
    id         BLOB PRIMARY KEY,
    user_id    BLOB NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    endpoint   TEXT NOT NULL,
    p256dh     TEXT NOT NULL,
    auth       TEXT NOT NULL,
    created_at TEXT NOT NULL,
    CONSTRAINT push_subscriptions_endpoint_key UNIQUE (endpoint)
);
CREATE INDEX push_subscriptions_user_idx ON push_subscriptions (user_id);

CREATE TABLE deliveries (
    id                   BLOB PRIMARY KEY,
    user_id              BLOB NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    channel              TEXT NOT NULL CHECK (channel IN ('email', 'push')),
    notification_id      BLOB REFERENCES notifications (id) ON DELETE CASCADE,
    digest_id            BLOB REFERENCES digests (id) ON DELETE CASCADE,
    designer_id          BLOB REFERENCES users (id) ON DELETE CASCADE,
    push_subscription_id BLOB REFERENCES push_subscriptions (id) ON DELETE CASCADE,
    token                TEXT NOT NULL,
    status               TEXT NOT NULL CHECK (status IN ('pending', 'sending', 'sent', 'dead')),
    attempts             INTEGER NOT NULL DEFAULT 0,
    next_attempt_at      TEXT NOT NULL,
    last_error           TEXT,
    sent_at              TEXT,
    created_at           TEXT NOT NULL,
    CONSTRAINT deliveries_one_subject CHECK ((notification_id IS NULL) <> (digest_id IS NULL)),
    CONSTRAINT deliveries_push_target CHECK ((channel = 'push') = (push_subscription_id IS NOT NULL))
);
CREATE UNIQUE INDEX deliveries_token ON deliveries (token);
CREATE UNIQUE INDEX deliveries_email_notification_once ON deliveries (notification_id)
    WHERE channel = 'email' AND notification_id IS NOT NULL;
CREATE UNIQUE INDEX deliveries_email_digest_once ON deliveries (digest_id)
    WHERE channel = 'email' AND digest_id IS NOT NULL;
CREATE UNIQUE INDEX deliveries_push_notification_once ON deliveries (push_subscription_id, notification_id)
    WHERE channel = 'push' AND notification_id IS NOT NULL;
CREATE UNIQUE INDEX deliveries_push_digest_once ON deliveries (push_subscription_id, digest_id)
    WHERE channel = 'push' AND digest_id IS NOT NULL;
CREATE INDEX deliveries_due ON deliveries (next_attempt_at) WHERE status IN ('pending', 'sending');
