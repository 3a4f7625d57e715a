-- A short value sealed with each field key when it is first used: a process started
-- with a different key of the same id is refused before it seals anything.
CREATE TABLE key_checks (
    key_id     TEXT PRIMARY KEY,
    sealed     BLOB NOT NULL,
    created_at TEXT NOT NULL
);
