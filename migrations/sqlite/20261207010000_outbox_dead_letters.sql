-- An event that keeps failing is retried with growing pauses and, after its last
-- attempt, set aside (dead) for an administrator instead of blocking the worker.
ALTER TABLE outbox_events ADD COLUMN dead_at TEXT;
CREATE INDEX outbox_events_dead_idx ON outbox_events (id) WHERE dead_at IS NOT NULL;
