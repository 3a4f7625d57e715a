-- HoloMesh schema (PostgreSQL). Money is BIGINT minor units + CHAR(3) currency.
-- Ids are UUID v7 (time-ordered), so "ORDER BY id" is creation order.

CREATE TABLE users (
    id              UUID PRIMARY KEY,
    email           TEXT NOT NULL,
    display_name    TEXT NOT NULL CHECK (length(display_name) BETWEEN 1 AND 200),
    role            TEXT NOT NULL CHECK (role IN ('user', 'designer', 'admin')),
    password_hash   TEXT,
    timezone        TEXT NOT NULL DEFAULT 'UTC',
    totp_secret_enc BYTEA,
    totp_enabled    BOOLEAN NOT NULL DEFAULT FALSE,
    totp_last_step  BIGINT,
    disabled        BOOLEAN NOT NULL DEFAULT FALSE,
    created_at      TIMESTAMPTZ NOT NULL,
    updated_at      TIMESTAMPTZ NOT NULL,
    CONSTRAINT users_email_key UNIQUE (email),
    CONSTRAINT users_email_lower CHECK (email = lower(email))
);

CREATE TABLE oauth_identities (
    id               UUID PRIMARY KEY,
    user_id          UUID NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    provider         TEXT NOT NULL,
    subject          TEXT NOT NULL,
    access_token_enc BYTEA,
    created_at       TIMESTAMPTZ NOT NULL,
    CONSTRAINT oauth_identities_provider_subject_key UNIQUE (provider, subject)
);
CREATE INDEX oauth_identities_user_idx ON oauth_identities (user_id);

CREATE TABLE refresh_token_families (
    id             UUID PRIMARY KEY,
    user_id        UUID NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    user_agent     TEXT,
    created_at     TIMESTAMPTZ NOT NULL,
    last_used_at   TIMESTAMPTZ NOT NULL,
    revoked_at     TIMESTAMPTZ,
    revoked_reason TEXT
);
CREATE INDEX refresh_token_families_user_idx ON refresh_token_families (user_id);

CREATE TABLE refresh_tokens (
    id         UUID PRIMARY KEY,
    family_id  UUID NOT NULL REFERENCES refresh_token_families (id) ON DELETE CASCADE,
    token_hash BYTEA NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    expires_at TIMESTAMPTZ NOT NULL,
    used_at    TIMESTAMPTZ,
    CONSTRAINT refresh_tokens_hash_key UNIQUE (token_hash)
);
CREATE INDEX refresh_tokens_family_idx ON refresh_tokens (family_id);

CREATE TABLE recovery_codes (
    id        UUID PRIMARY KEY,
    user_id   UUID NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    code_hash BYTEA NOT NULL,
    used_at   TIMESTAMPTZ,
    CONSTRAINT recovery_codes_user_hash_key UNIQUE (user_id, code_hash)
);

CREATE TABLE device_tokens (
    id         UUID PRIMARY KEY,
    user_id    UUID NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    name       TEXT NOT NULL,
    token_hash BYTEA NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    revoked_at TIMESTAMPTZ,
    CONSTRAINT device_tokens_hash_key UNIQUE (token_hash)
);
CREATE INDEX device_tokens_user_idx ON device_tokens (user_id);

CREATE TABLE designer_profiles (
    user_id         UUID PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    handle          TEXT NOT NULL,
    bio             TEXT NOT NULL DEFAULT '',
    skills          JSONB NOT NULL DEFAULT '[]',
    public_key      BYTEA,
    private_key_enc BYTEA,
    rating_sum      BIGINT NOT NULL DEFAULT 0 CHECK (rating_sum >= 0),
    rating_count    BIGINT NOT NULL DEFAULT 0 CHECK (rating_count >= 0),
    sales_count     BIGINT NOT NULL DEFAULT 0 CHECK (sales_count >= 0),
    created_at      TIMESTAMPTZ NOT NULL,
    CONSTRAINT designer_profiles_handle_key UNIQUE (handle)
);

CREATE TABLE client_profiles (
    user_id     UUID PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    preferences JSONB NOT NULL DEFAULT '{}',
    updated_at  TIMESTAMPTZ NOT NULL
);

CREATE TABLE chips (
    id              UUID PRIMARY KEY,
    designer_id     UUID NOT NULL REFERENCES users (id),
    vlnv            TEXT NOT NULL,
    title           TEXT NOT NULL CHECK (length(title) BETWEEN 1 AND 200),
    description     TEXT NOT NULL DEFAULT '',
    category        TEXT NOT NULL DEFAULT '',
    process_node    TEXT NOT NULL DEFAULT '',
    tags            JSONB NOT NULL DEFAULT '[]',
    price_minor     BIGINT NOT NULL CHECK (price_minor >= 0),
    currency        CHAR(3) NOT NULL,
    supply          BIGINT CHECK (supply IS NULL OR supply > 0),
    sold_count      BIGINT NOT NULL DEFAULT 0 CHECK (sold_count >= 0),
    status          TEXT NOT NULL CHECK (status IN ('draft', 'published', 'retired')),
    royalty_bps     INTEGER NOT NULL CHECK (royalty_bps BETWEEN 0 AND 10000),
    licence         TEXT NOT NULL DEFAULT 'LicenseRef-HoloMesh-Commercial',
    content_sha256  TEXT NOT NULL CHECK (length(content_sha256) = 64),
    content_size    BIGINT NOT NULL CHECK (content_size >= 0),
    prev_version_id UUID REFERENCES chips (id),
    record          JSONB,
    rating_sum      BIGINT NOT NULL DEFAULT 0,
    rating_count    BIGINT NOT NULL DEFAULT 0,
    created_at      TIMESTAMPTZ NOT NULL,
    published_at    TIMESTAMPTZ,
    CONSTRAINT chips_vlnv_key UNIQUE (vlnv),
    CONSTRAINT chips_supply_not_exceeded CHECK (supply IS NULL OR sold_count <= supply)
);
CREATE INDEX chips_designer_idx ON chips (designer_id, id);
CREATE INDEX chips_status_idx ON chips (status, id);
CREATE INDEX chips_category_idx ON chips (category, id) WHERE status = 'published';
CREATE INDEX chips_process_node_idx ON chips (process_node, id) WHERE status = 'published';
CREATE INDEX chips_price_idx ON chips (price_minor, id) WHERE status = 'published';
CREATE INDEX chips_search_idx ON chips
    USING GIN (to_tsvector('english', title || ' ' || description || ' ' || category));

CREATE TABLE chip_contributions (
    id             UUID PRIMARY KEY,
    chip_id        UUID NOT NULL REFERENCES chips (id) ON DELETE CASCADE,
    contributor_id UUID NOT NULL REFERENCES users (id),
    vlnv           TEXT NOT NULL,
    share_bps      INTEGER NOT NULL CHECK (share_bps BETWEEN 1 AND 10000),
    CONSTRAINT chip_contributions_unique UNIQUE (chip_id, contributor_id, vlnv)
);
CREATE INDEX chip_contributions_contributor_idx ON chip_contributions (contributor_id);

CREATE TABLE wallets (
    id            UUID PRIMARY KEY,
    user_id       UUID NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    currency      CHAR(3) NOT NULL,
    balance_minor BIGINT NOT NULL DEFAULT 0 CHECK (balance_minor >= 0),
    CONSTRAINT wallets_user_currency_key UNIQUE (user_id, currency)
);

CREATE TABLE purchases (
    id          UUID PRIMARY KEY,
    chip_id     UUID NOT NULL REFERENCES chips (id),
    buyer_id    UUID NOT NULL REFERENCES users (id),
    price_minor BIGINT NOT NULL CHECK (price_minor >= 0),
    currency    CHAR(3) NOT NULL,
    status      TEXT NOT NULL CHECK (status IN ('completed', 'refunded')),
    source      TEXT NOT NULL CHECK (source IN ('api', 'voice', 'auto')),
    split       JSONB NOT NULL DEFAULT '[]',
    created_at  TIMESTAMPTZ NOT NULL
);
CREATE INDEX purchases_buyer_idx ON purchases (buyer_id, id);
CREATE INDEX purchases_chip_idx ON purchases (chip_id);

CREATE TABLE licences (
    id          UUID PRIMARY KEY,
    purchase_id UUID NOT NULL REFERENCES purchases (id),
    chip_id     UUID NOT NULL REFERENCES chips (id),
    owner_id    UUID NOT NULL REFERENCES users (id),
    edition     BIGINT CHECK (edition IS NULL OR edition > 0),
    token       TEXT NOT NULL,
    revoked_at  TIMESTAMPTZ,
    created_at  TIMESTAMPTZ NOT NULL,
    CONSTRAINT licences_purchase_key UNIQUE (purchase_id),
    CONSTRAINT licences_token_key UNIQUE (token),
    CONSTRAINT licences_chip_edition_key UNIQUE (chip_id, edition)
);
CREATE INDEX licences_owner_idx ON licences (owner_id);

-- Double-entry: every transaction's lines sum to zero. `account` names the side:
-- 'wallet' (a user's wallet), 'platform', or 'external' (deposits, payouts).
CREATE TABLE ledger_entries (
    id           UUID PRIMARY KEY,
    txn_id       UUID NOT NULL,
    purchase_id  UUID REFERENCES purchases (id),
    account      TEXT NOT NULL CHECK (account IN ('wallet', 'platform', 'external')),
    wallet_id    UUID REFERENCES wallets (id),
    user_id      UUID REFERENCES users (id),
    party        TEXT NOT NULL CHECK (party IN ('buyer', 'seller', 'contributor', 'platform', 'deposit', 'refund')),
    amount_minor BIGINT NOT NULL,
    currency     CHAR(3) NOT NULL,
    created_at   TIMESTAMPTZ NOT NULL,
    CONSTRAINT ledger_wallet_account CHECK ((account = 'wallet') = (wallet_id IS NOT NULL))
);
CREATE INDEX ledger_entries_txn_idx ON ledger_entries (txn_id);
CREATE INDEX ledger_entries_user_idx ON ledger_entries (user_id, party);
CREATE INDEX ledger_entries_purchase_idx ON ledger_entries (purchase_id);

CREATE TABLE idempotency_keys (
    user_id         UUID NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    key             TEXT NOT NULL CHECK (length(key) BETWEEN 1 AND 255),
    request_hash    TEXT NOT NULL,
    state           TEXT NOT NULL CHECK (state IN ('in_progress', 'completed')),
    response_status INTEGER,
    response_body   JSONB,
    created_at      TIMESTAMPTZ NOT NULL,
    expires_at      TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (user_id, key)
);
CREATE INDEX idempotency_keys_expiry_idx ON idempotency_keys (expires_at);

CREATE TABLE subscriptions (
    id                   UUID PRIMARY KEY,
    subscriber_id        UUID NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    designer_id          UUID NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    auto_purchase        BOOLEAN NOT NULL DEFAULT FALSE,
    max_price_minor      BIGINT CHECK (max_price_minor IS NULL OR max_price_minor >= 0),
    monthly_budget_minor BIGINT CHECK (monthly_budget_minor IS NULL OR monthly_budget_minor >= 0),
    currency             CHAR(3) NOT NULL,
    notify               TEXT NOT NULL CHECK (notify IN ('immediate', 'daily', 'weekly', 'off')),
    paused               BOOLEAN NOT NULL DEFAULT FALSE,
    created_at           TIMESTAMPTZ NOT NULL,
    updated_at           TIMESTAMPTZ NOT NULL,
    CONSTRAINT subscriptions_pair_key UNIQUE (subscriber_id, designer_id),
    CONSTRAINT subscriptions_not_self CHECK (subscriber_id <> designer_id)
);
CREATE INDEX subscriptions_designer_idx ON subscriptions (designer_id) WHERE NOT paused;

CREATE TABLE auto_purchases (
    id              UUID PRIMARY KEY,
    subscription_id UUID NOT NULL REFERENCES subscriptions (id) ON DELETE CASCADE,
    chip_id         UUID NOT NULL REFERENCES chips (id),
    outcome         TEXT NOT NULL CHECK (outcome IN ('purchased', 'skipped_price', 'skipped_budget',
                                                     'skipped_funds', 'skipped_sold_out', 'skipped_paused', 'failed')),
    purchase_id     UUID REFERENCES purchases (id),
    reason          TEXT NOT NULL DEFAULT '',
    created_at      TIMESTAMPTZ NOT NULL,
    CONSTRAINT auto_purchases_once UNIQUE (subscription_id, chip_id)
);

CREATE TABLE digests (
    id           UUID PRIMARY KEY,
    user_id      UUID NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    period       TEXT NOT NULL CHECK (period IN ('daily', 'weekly')),
    period_start DATE NOT NULL,
    body         JSONB NOT NULL,
    created_at   TIMESTAMPTZ NOT NULL,
    CONSTRAINT digests_once UNIQUE (user_id, period, period_start)
);

CREATE TABLE notifications (
    id         UUID PRIMARY KEY,
    user_id    UUID NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    kind       TEXT NOT NULL,
    chip_id    UUID REFERENCES chips (id),
    payload    JSONB NOT NULL DEFAULT '{}',
    deliver    TEXT NOT NULL CHECK (deliver IN ('immediate', 'daily', 'weekly')),
    digest_id  UUID REFERENCES digests (id),
    read_at    TIMESTAMPTZ,
    created_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX notifications_user_idx ON notifications (user_id, id);
CREATE UNIQUE INDEX notifications_once ON notifications (user_id, kind, chip_id);
CREATE INDEX notifications_unread_idx ON notifications (user_id, id) WHERE read_at IS NULL;
CREATE INDEX notifications_pending_digest_idx ON notifications (deliver, user_id) WHERE digest_id IS NULL AND deliver <> 'immediate';

CREATE TABLE reviews (
    id          UUID PRIMARY KEY,
    chip_id     UUID NOT NULL REFERENCES chips (id) ON DELETE CASCADE,
    reviewer_id UUID NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    purchase_id UUID NOT NULL REFERENCES purchases (id),
    rating      SMALLINT NOT NULL CHECK (rating BETWEEN 1 AND 5),
    body        TEXT NOT NULL DEFAULT '' CHECK (length(body) <= 5000),
    created_at  TIMESTAMPTZ NOT NULL,
    CONSTRAINT reviews_once UNIQUE (chip_id, reviewer_id)
);
CREATE INDEX reviews_chip_idx ON reviews (chip_id, id);

CREATE TABLE groups (
    id          UUID PRIMARY KEY,
    name        TEXT NOT NULL CHECK (length(name) BETWEEN 1 AND 120),
    description TEXT NOT NULL DEFAULT '',
    owner_id    UUID NOT NULL REFERENCES users (id),
    created_at  TIMESTAMPTZ NOT NULL,
    CONSTRAINT groups_name_key UNIQUE (name)
);

CREATE TABLE group_members (
    group_id  UUID NOT NULL REFERENCES groups (id) ON DELETE CASCADE,
    user_id   UUID NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    role      TEXT NOT NULL CHECK (role IN ('owner', 'admin', 'member')),
    joined_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (group_id, user_id)
);
CREATE INDEX group_members_user_idx ON group_members (user_id);

CREATE TABLE forum_threads (
    id         UUID PRIMARY KEY,
    group_id   UUID REFERENCES groups (id) ON DELETE CASCADE,
    author_id  UUID NOT NULL REFERENCES users (id),
    title      TEXT NOT NULL CHECK (length(title) BETWEEN 1 AND 200),
    created_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX forum_threads_group_idx ON forum_threads (group_id, id);

CREATE TABLE forum_posts (
    id         UUID PRIMARY KEY,
    thread_id  UUID NOT NULL REFERENCES forum_threads (id) ON DELETE CASCADE,
    author_id  UUID NOT NULL REFERENCES users (id),
    body       TEXT NOT NULL CHECK (length(body) BETWEEN 1 AND 20000),
    created_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX forum_posts_thread_idx ON forum_posts (thread_id, id);

CREATE TABLE collaborations (
    id         UUID PRIMARY KEY,
    title      TEXT NOT NULL CHECK (length(title) BETWEEN 1 AND 200),
    chip_id    UUID REFERENCES chips (id),
    created_by UUID NOT NULL REFERENCES users (id),
    created_at TIMESTAMPTZ NOT NULL
);

CREATE TABLE collaboration_members (
    collaboration_id UUID NOT NULL REFERENCES collaborations (id) ON DELETE CASCADE,
    designer_id      UUID NOT NULL REFERENCES users (id),
    share_bps        INTEGER NOT NULL CHECK (share_bps BETWEEN 1 AND 10000),
    PRIMARY KEY (collaboration_id, designer_id)
);
CREATE INDEX collaboration_members_designer_idx ON collaboration_members (designer_id);

CREATE TABLE voice_commands (
    id              UUID PRIMARY KEY,
    user_id         UUID REFERENCES users (id) ON DELETE SET NULL,
    source          TEXT NOT NULL CHECK (source IN ('mic', 'upload', 'transcript', 'wyoming')),
    transcript_enc  BYTEA NOT NULL,
    intent          TEXT,
    slots           JSONB NOT NULL DEFAULT '{}',
    status          TEXT NOT NULL CHECK (status IN ('executed', 'needs_confirmation', 'cancelled',
                                                    'rejected', 'not_understood', 'failed')),
    reply_text      TEXT NOT NULL,
    result          JSONB NOT NULL DEFAULT 'null',
    audio_ms        BIGINT,
    asr_ms          BIGINT,
    nlu_ms          BIGINT,
    exec_ms         BIGINT,
    confirm_before  TIMESTAMPTZ,
    created_at      TIMESTAMPTZ NOT NULL
);
CREATE INDEX voice_commands_user_idx ON voice_commands (user_id, id);
CREATE INDEX voice_commands_pending_idx ON voice_commands (user_id, id) WHERE status = 'needs_confirmation';

CREATE TABLE outbox_events (
    id            UUID PRIMARY KEY,
    kind          TEXT NOT NULL,
    aggregate_id  UUID NOT NULL,
    payload       JSONB NOT NULL,
    attempts      INTEGER NOT NULL DEFAULT 0,
    claimed_until TIMESTAMPTZ,
    processed_at  TIMESTAMPTZ,
    last_error    TEXT,
    created_at    TIMESTAMPTZ NOT NULL
);
CREATE INDEX outbox_events_pending_idx ON outbox_events (id) WHERE processed_at IS NULL;

CREATE TABLE audit_log (
    id         UUID PRIMARY KEY,
    actor_id   UUID REFERENCES users (id) ON DELETE SET NULL,
    action     TEXT NOT NULL,
    target     TEXT,
    ip         TEXT,
    detail     JSONB NOT NULL DEFAULT '{}',
    created_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX audit_log_actor_idx ON audit_log (actor_id, id);
CREATE INDEX audit_log_action_idx ON audit_log (action, id);
