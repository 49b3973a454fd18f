-- 0005_tracking (PostgreSQL): standards tracking (标准跟踪) and publication
-- notices (标准发布动态). Equivalent to db/migrations/sqlite/0005_tracking.sql.
-- See docs/modules/tracking.md. The fan-out cursor (last standard_changes.id
-- turned into events) lives in settings under 'tracking.cursor'.

CREATE TABLE watchlists (
    id              BIGSERIAL PRIMARY KEY,
    owner           TEXT NOT NULL,          -- 'u:<users.id>' or 't:<api_tokens.id>'
    owner_name      TEXT,                   -- username / token name at creation (admin lists)
    name            TEXT NOT NULL,
    kind            TEXT NOT NULL,          -- number|committee|ics|query
    value           TEXT NOT NULL,          -- as entered
    match_key       TEXT NOT NULL,          -- std_key | committee | ICS prefix | folded query
    webhook_url     TEXT,                   -- http:// only (for now)
    webhook_secret  TEXT,                   -- HMAC key: kept in clear, the server signs with it
    remind_days     BIGINT NOT NULL DEFAULT 30,
    feed_token_hash TEXT NOT NULL,          -- SHA-256 hex of the Atom feed token
    created_at      BIGINT NOT NULL,
    updated_at      BIGINT NOT NULL
);
CREATE INDEX watchlists_owner ON watchlists(owner);

-- the inbox: one row per (watchlist, catalogue change) or (watchlist, reminder)
CREATE TABLE watch_events (
    id           BIGSERIAL PRIMARY KEY,
    watchlist_id BIGINT NOT NULL REFERENCES watchlists(id),
    owner        TEXT NOT NULL,             -- copied from the watchlist
    change_id    BIGINT,                    -- standard_changes.id; NULL for reminders
    standard_id  BIGINT,
    number       TEXT NOT NULL,
    kind         TEXT NOT NULL,             -- new|status|replaced|withdrawn|dates|updated|reminder
    title        TEXT NOT NULL,             -- Chinese one-liner
    detail       TEXT,                      -- JSON (the change's detail)
    source       TEXT,
    at           BIGINT NOT NULL,           -- when the change happened
    dedupe       TEXT NOT NULL,             -- 'c:<change id>' | 'r:<standard id>:<implemented_on>'
    read_at      BIGINT,
    created_at   BIGINT NOT NULL,
    UNIQUE (watchlist_id, dedupe)
);
CREATE INDEX watch_events_owner ON watch_events(owner, id);
CREATE INDEX watch_events_watchlist ON watch_events(watchlist_id, id);

-- webhook delivery state (shared by every server on the store)
CREATE TABLE webhook_deliveries (
    id              BIGSERIAL PRIMARY KEY,
    watchlist_id    BIGINT NOT NULL REFERENCES watchlists(id),
    event_id        BIGINT NOT NULL REFERENCES watch_events(id),
    url             TEXT NOT NULL,
    payload         TEXT NOT NULL,          -- the exact body sent (and signed) every attempt
    status          TEXT NOT NULL,          -- pending|delivered|failed
    attempts        BIGINT NOT NULL DEFAULT 0,
    next_attempt_at BIGINT NOT NULL,
    claimed_by      TEXT,                   -- worker id while an attempt is in flight
    claimed_at      BIGINT,
    response_code   BIGINT,
    last_error      TEXT,
    created_at      BIGINT NOT NULL,
    updated_at      BIGINT NOT NULL,
    delivered_at    BIGINT
);
CREATE INDEX webhook_deliveries_due ON webhook_deliveries(status, next_attempt_at);
CREATE INDEX webhook_deliveries_watchlist ON webhook_deliveries(watchlist_id, id);

-- publication notices (标准发布公告) and their items
CREATE TABLE notices (
    id         BIGSERIAL PRIMARY KEY,
    issuer     TEXT NOT NULL,               -- 国家市场监督管理总局 国家标准化管理委员会
    notice_no  TEXT NOT NULL,               -- 2024年第12号
    issued_on  TEXT NOT NULL,               -- YYYY-MM-DD
    title      TEXT NOT NULL,
    url        TEXT,
    published  BIGINT NOT NULL DEFAULT 0,   -- item counts by action
    replaced   BIGINT NOT NULL DEFAULT 0,
    withdrawn  BIGINT NOT NULL DEFAULT 0,
    created_by TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    UNIQUE (issuer, notice_no)
);
CREATE INDEX notices_issued ON notices(issued_on, id);

CREATE TABLE notice_items (
    id          BIGSERIAL PRIMARY KEY,
    notice_id   BIGINT NOT NULL REFERENCES notices(id),
    seq         BIGINT NOT NULL,            -- 0-based position in the notice
    action      TEXT NOT NULL,              -- publish|replace|withdraw
    number      TEXT NOT NULL,              -- canonical
    title_zh    TEXT,
    item        TEXT NOT NULL,              -- JSON of the item as given (normalised)
    UNIQUE (notice_id, seq)
);
