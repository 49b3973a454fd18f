-- 0007_supervision (PostgreSQL): directories (market entities, inspectors and
-- their declared conflicts, inspection items) and verifiable 双随机 draws.
-- Equivalent to db/migrations/sqlite/0007_supervision.sql. See
-- docs/modules/supervision.md.

CREATE TABLE entities (
    id            BIGSERIAL PRIMARY KEY,
    credit_code   TEXT NOT NULL UNIQUE,        -- 统一社会信用代码, GB 32100, check character valid
    name          TEXT NOT NULL,
    type          TEXT,                        -- 企业类型
    industry      TEXT,                        -- 行业 (the draw's "field")
    region        TEXT NOT NULL,               -- administrative division code, 6 digits (GB/T 2260)
    address       TEXT,
    legal_rep     TEXT,                        -- 法定代表人
    registered_on TEXT,                        -- 'YYYY-MM-DD'
    status        TEXT NOT NULL DEFAULT 'active', -- active|revoked|cancelled|moved
    risk_tags     TEXT NOT NULL DEFAULT '',    -- ';'-separated, staff only
    licences      TEXT NOT NULL DEFAULT '',    -- ';'-separated
    credit_class  TEXT NOT NULL DEFAULT 'B' CHECK (credit_class IN ('A', 'B', 'C', 'D')),
    search_tokens TEXT NOT NULL DEFAULT '',    -- text_tokens(name, address, legal_rep, industry, type)
    created_at    BIGINT NOT NULL,
    updated_at    BIGINT NOT NULL
);
CREATE INDEX entities_region ON entities(region);
CREATE INDEX entities_industry ON entities(industry);
CREATE INDEX entities_class ON entities(credit_class);

-- full-text search over search_tokens (pre-tokenized by core/text): a generated
-- tsvector with the simple configuration, as for standards
ALTER TABLE entities ADD COLUMN search_tsv tsvector
    GENERATED ALWAYS AS (to_tsvector('simple', search_tokens)) STORED;
CREATE INDEX entities_search ON entities USING GIN (search_tsv);

CREATE TABLE inspectors (
    id          BIGSERIAL PRIMARY KEY,
    code        TEXT NOT NULL UNIQUE,          -- the officer's number (执法证号); the draw's inspector id
    name        TEXT NOT NULL,
    department  TEXT NOT NULL DEFAULT '',
    region      TEXT NOT NULL DEFAULT '',
    fields      TEXT NOT NULL DEFAULT '',      -- ','-joined qualifications, sorted
    active      BIGINT NOT NULL DEFAULT 1,
    created_at  BIGINT NOT NULL,
    updated_at  BIGINT NOT NULL
);

-- declared conflicts (回避): entities this officer must not inspect
CREATE TABLE inspector_conflicts (
    inspector_id BIGINT NOT NULL REFERENCES inspectors(id),
    credit_code  TEXT NOT NULL,
    reason       TEXT NOT NULL DEFAULT '',
    declared_at  BIGINT NOT NULL,
    PRIMARY KEY (inspector_id, credit_code)
);

-- 随机抽查事项清单
CREATE TABLE inspection_items (
    id          BIGSERIAL PRIMARY KEY,
    name        TEXT NOT NULL,
    basis       TEXT NOT NULL DEFAULT '',      -- law / article
    department  TEXT NOT NULL DEFAULT '',
    content     TEXT NOT NULL DEFAULT '',
    method      TEXT NOT NULL DEFAULT '',
    kind        TEXT NOT NULL DEFAULT 'general' CHECK (kind IN ('general', 'key')), -- 一般 / 重点
    default_ppm BIGINT NOT NULL DEFAULT 0,     -- default proportion, parts per million (3% = 30000)
    filter      TEXT NOT NULL DEFAULT '{}',    -- JSON {region?, industry?}
    created_at  BIGINT NOT NULL,
    updated_at  BIGINT NOT NULL
);

-- A draw. The seed is SECRET until status = 'revealed': it is never served,
-- logged or audited before (supervision_http.c strips it; see the doc).
CREATE TABLE draws (
    id             BIGSERIAL PRIMARY KEY,
    uid            TEXT NOT NULL UNIQUE,       -- the record's draw_id, used in URLs
    name           TEXT NOT NULL,
    status         TEXT NOT NULL CHECK (status IN ('committed', 'drawn', 'revealed')),
    item_ids       TEXT NOT NULL,              -- JSON array of inspection_items ids
    filter         TEXT NOT NULL,              -- JSON {region?, industry?} the pool was built from
    commit_record  TEXT NOT NULL,              -- draw_record_to_json at commit time (public)
    record         TEXT NOT NULL,              -- current record (holds the seed once drawn)
    pool_text      TEXT NOT NULL,              -- canonical pool text as committed
    roster_text    TEXT NOT NULL,              -- canonical roster text as committed
    seed           TEXT NOT NULL,              -- 64 hex, secret until revealed
    public_value_source TEXT,                  -- where P came from
    commit_log_index BIGINT,                   -- Merkle log leaf of the commitment
    result_log_index BIGINT,                   -- Merkle log leaf of the (last) result
    created_by     TEXT NOT NULL,
    created_at     BIGINT NOT NULL,
    updated_at     BIGINT NOT NULL
);

-- append-only history: commit, draw, reveal, redraw (with its reason)
CREATE TABLE draw_events (
    id       BIGSERIAL PRIMARY KEY,
    draw_id  BIGINT NOT NULL REFERENCES draws(id),
    kind     TEXT NOT NULL CHECK (kind IN ('commit', 'draw', 'reveal', 'redraw')),
    at       BIGINT NOT NULL,
    actor    TEXT NOT NULL,
    detail   TEXT NOT NULL DEFAULT '{}'        -- JSON (redraw: target, recused, replacement, reason)
);
CREATE INDEX draw_events_draw ON draw_events(draw_id);
