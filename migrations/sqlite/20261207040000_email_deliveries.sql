-- E-mail delivery of notifications and digests. Each subscription says whether its
-- notifications go out by e-mail; each delivery is one message to one user, sent at
-- most once (a unique index per notification and per digest), retried with backoff,
-- set aside as dead after its last attempt. `token` is the message's unsubscribe link.
ALTER TABLE subscriptions ADD COLUMN email INTEGER NOT NULL DEFAULT 1;

CREATE TABLE deliveries (
    id              BLOB PRIMARY KEY,
    user_id         BLOB NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    channel         TEXT NOT NULL CHECK (channel IN ('email')),
    notification_id BLOB REFERENCES notifications (id) ON DELETE CASCADE,
    digest_id       BLOB REFERENCES digests (id) ON DELETE CASCADE,
    designer_id     BLOB REFERENCES users (id) ON DELETE CASCADE,
    token           TEXT NOT NULL,
    status          TEXT NOT NULL CHECK (status IN ('pending', 'sending', 'sent', 'dead')),
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at TEXT NOT NULL,
    last_error      TEXT,
    sent_at         TEXT,
    created_at      TEXT NOT NULL,
    CONSTRAINT deliveries_one_subject CHECK ((notification_id IS NULL) <> (digest_id IS NULL))
);
CREATE UNIQUE INDEX deliveries_token ON deliveries (token);
CREATE UNIQUE INDEX deliveries_notification_once ON deliveries (channel, notification_id) WHERE notification_id IS NOT NULL;
CREATE UNIQUE INDEX deliveries_digest_once ON deliveries (channel, digest_id) WHERE digest_id IS NOT NULL;
CREATE INDEX deliveries_due ON deliveries (next_attempt_at) WHERE status IN ('pending', 'sending');
