-- 0002_standards (SQLite): the standards catalogue. Equivalent to
-- db/migrations/pg/0002_standards.sql. Calendar dates are TEXT 'YYYY-MM-DD'
-- (they are dates, not instants; they compare correctly as text).

CREATE TABLE standards (
    id              INTEGER PRIMARY KEY,
    number          TEXT NOT NULL UNIQUE,   -- canonical: 'GB/T 19580-2012'
    std_key         TEXT NOT NULL,          -- without year: 'GB/T 19580' (edition chain)
    prefix          TEXT NOT NULL,          -- 'GB/T', 'NB/SH/T', 'DB11/T', 'T/CECS'
    code            TEXT NOT NULL,          -- 'GB', 'NB/SH', 'DB11', 'CECS'
    tier            TEXT NOT NULL,          -- national|industry|local|group|enterprise
    nature          TEXT,                   -- mandatory|recommended|guidance
    year            BIGINT,
    title_zh        TEXT NOT NULL,
    title_en        TEXT,
    status          TEXT NOT NULL,          -- as recorded: in_force|upcoming|withdrawn|replaced
    issued_on       TEXT,
    implemented_on  TEXT,
    withdrawn_on    TEXT,
    ics             TEXT,
    ccs             TEXT,
    department      TEXT,                   -- 主管部门
    committee       TEXT,                   -- 归口单位
    issuer          TEXT,                   -- 发布单位
    drafters        TEXT,                   -- 起草单位, '; ' separated
    adopted         TEXT,                   -- 'ISO 9001:2015'
    adoption_degree TEXT,                   -- IDT|MOD|NEQ
    scope           TEXT,
    source          TEXT,                   -- where the record came from
    verified_at     BIGINT,                 -- when the source was last checked (epoch ms)
    search_tokens   TEXT NOT NULL DEFAULT '', -- text_tokens(number, titles, ICS, CCS, committee)
    created_at      BIGINT NOT NULL,
    updated_at      BIGINT NOT NULL
);
CREATE INDEX standards_key ON standards(std_key);
CREATE INDEX standards_status ON standards(status);
CREATE INDEX standards_implemented ON standards(implemented_on);
CREATE INDEX standards_committee ON standards(committee);
CREATE INDEX standards_ics ON standards(ics);

-- old -> new editions and replacements (a replacement may change prefix: GB/T -> GB)
CREATE TABLE standard_replacements (
    old_id  BIGINT NOT NULL REFERENCES standards(id),
    new_id  BIGINT NOT NULL REFERENCES standards(id),
    partial BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (old_id, new_id)
);
CREATE INDEX standard_replacements_new ON standard_replacements(new_id);

CREATE TABLE standard_amendments (
    id             INTEGER PRIMARY KEY,
    standard_id    BIGINT NOT NULL REFERENCES standards(id),
    code           TEXT NOT NULL,           -- 'XG1-2022'
    issued_on      TEXT,
    implemented_on TEXT,
    note           TEXT,
    UNIQUE (standard_id, code)
);

-- every catalogue change is an event (the source of tracking notifications)
CREATE TABLE standard_changes (
    id          INTEGER PRIMARY KEY,
    standard_id BIGINT NOT NULL REFERENCES standards(id),
    number      TEXT NOT NULL,
    kind        TEXT NOT NULL,              -- new|status|replaced|withdrawn|dates|updated
    detail      TEXT,                       -- JSON: {field: [before, after], ...}
    source      TEXT,                       -- 'import:<file>', 'notice:<id>', 'api'
    at          BIGINT NOT NULL
);
CREATE INDEX standard_changes_std ON standard_changes(standard_id);

-- full-text index over search_tokens (pre-tokenized by core/text)
CREATE VIRTUAL TABLE standards_fts USING fts5(
    search_tokens, content='standards', content_rowid='id', tokenize='nqi pretokenized');
CREATE TRIGGER standards_fts_ai AFTER INSERT ON standards BEGIN
    INSERT INTO standards_fts(rowid, search_tokens) VALUES (new.id, new.search_tokens);
END;
CREATE TRIGGER standards_fts_ad AFTER DELETE ON standards BEGIN
    INSERT INTO standards_fts(standards_fts, rowid, search_tokens) VALUES ('delete', old.id, old.search_tokens);
END;
CREATE TRIGGER standards_fts_au AFTER UPDATE OF search_tokens ON standards BEGIN
    INSERT INTO standards_fts(standards_fts, rowid, search_tokens) VALUES ('delete', old.id, old.search_tokens);
    INSERT INTO standards_fts(rowid, search_tokens) VALUES (new.id, new.search_tokens);
END;

-- validity-confirmation reports (标准有效性确认): each is also a public record
CREATE TABLE validity_reports (
    id           INTEGER PRIMARY KEY,
    uid          TEXT NOT NULL UNIQUE,      -- random id used in the verification link
    as_of        TEXT NOT NULL,             -- the date the statuses are for
    created_at   BIGINT NOT NULL,
    created_by   TEXT NOT NULL,
    line_count   BIGINT NOT NULL,
    summary      TEXT NOT NULL,             -- JSON counts by outcome
    result       TEXT NOT NULL,             -- JSON lines
    result_hash  TEXT NOT NULL,             -- SHA-256 of result
    publog_index BIGINT
);
