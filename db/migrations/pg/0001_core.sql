-- 0001_core (PostgreSQL): the platform core — settings, users and sessions,
-- API tokens, login throttling, the hash-chained audit log and the Merkle
-- log of public records. Must stay equivalent to db/migrations/sqlite/0001_core.sql.
-- Times are epoch milliseconds (BIGINT), booleans 0/1, hashes lower-case hex.
-- Ids are BIGSERIAL PRIMARY KEY; inserts use RETURNING id.

CREATE TABLE settings (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

CREATE TABLE users (
    id            BIGSERIAL PRIMARY KEY,
    username      TEXT NOT NULL UNIQUE,
    display_name  TEXT,
    role          TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    credit_code   TEXT,
    disabled      BIGINT NOT NULL DEFAULT 0,
    created_at    BIGINT NOT NULL,
    updated_at    BIGINT NOT NULL
);

CREATE TABLE sessions (
    id_hash    TEXT PRIMARY KEY,
    user_id    BIGINT NOT NULL REFERENCES users(id),
    csrf       TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    ip         TEXT
);
CREATE INDEX sessions_user ON sessions (user_id);
CREATE INDEX sessions_expires ON sessions (expires_at);

CREATE TABLE api_tokens (
    id           BIGSERIAL PRIMARY KEY,
    name         TEXT NOT NULL,
    role         TEXT NOT NULL,
    owner_org    TEXT,
    token_hash   TEXT NOT NULL UNIQUE,
    created_by   BIGINT,
    created_at   BIGINT NOT NULL,
    revoked_at   BIGINT,
    last_used_at BIGINT
);

CREATE TABLE login_attempts (
    id       BIGSERIAL PRIMARY KEY,
    username TEXT NOT NULL,
    ip       TEXT,
    at       BIGINT NOT NULL,
    ok       BIGINT NOT NULL
);
CREATE INDEX login_attempts_user_at ON login_attempts (username, at);

CREATE TABLE audit_log (
    id          BIGSERIAL PRIMARY KEY,
    at          BIGINT NOT NULL,
    actor_id    BIGINT,
    actor       TEXT NOT NULL,
    action      TEXT NOT NULL,
    entity      TEXT NOT NULL,
    entity_id   TEXT,
    before_hash TEXT,
    after_hash  TEXT,
    after_json  TEXT,
    prev_hash   TEXT NOT NULL,
    hash        TEXT NOT NULL
);
CREATE INDEX audit_log_entity ON audit_log (entity, entity_id);

CREATE TABLE audit_head (
    id        BIGINT PRIMARY KEY CHECK (id = 1),
    last_id   BIGINT NOT NULL,
    last_hash TEXT NOT NULL,
    count     BIGINT NOT NULL
);

CREATE TABLE publog_leaves (
    idx       BIGINT PRIMARY KEY,
    kind      TEXT NOT NULL,
    record_id TEXT NOT NULL,
    data      TEXT NOT NULL,
    leaf_hash TEXT NOT NULL,
    at        BIGINT NOT NULL
);
CREATE INDEX publog_leaves_record ON publog_leaves (kind, record_id);

CREATE TABLE publog_heads (
    tree_size BIGINT PRIMARY KEY,
    root_hash TEXT NOT NULL,
    at        BIGINT NOT NULL,
    signature TEXT NOT NULL
);
