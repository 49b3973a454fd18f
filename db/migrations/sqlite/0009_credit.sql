-- 0009_credit (sqlite): quality-credit classification (质量信用分类) with a
-- versioned rule set, the abnormal-operations and serious illegal/dishonest
-- lists, penalty publicity and credit repair. Facts live in credit_facts
-- (0008); entities.credit_class (0007) receives the computed class.
-- Equivalent to db/migrations/pg/0009_credit.sql. See docs/modules/credit.md.

-- Each edit of the rule set is a new version; exactly one is active.
CREATE TABLE credit_rule_sets (
    version     INTEGER PRIMARY KEY,           -- 1, 2, 3 ... (never reused)
    rules       TEXT NOT NULL,                 -- JSON, docs/modules/credit.md "Rule set"
    note        TEXT NOT NULL DEFAULT '',
    active      BIGINT NOT NULL DEFAULT 0,     -- 1 on exactly one row once any exists
    created_by  TEXT NOT NULL,
    created_at  BIGINT NOT NULL
);

-- The current class of each classified entity, with the rule version and
-- the explanation (which indicators and facts moved it, points each).
-- Keyed by entities.id so that a full run, which walks entities in id order,
-- appends and updates in key order instead of seeking at random.
CREATE TABLE credit_classifications (
    entity_id    INTEGER PRIMARY KEY,          -- entities.id
    credit_code  TEXT NOT NULL,
    credit_class TEXT NOT NULL CHECK (credit_class IN ('A', 'B', 'C', 'D')),
    score        BIGINT NOT NULL,
    rule_version BIGINT NOT NULL,
    as_of        TEXT NOT NULL,                -- 'YYYY-MM-DD' of the run that last changed the result
    explanation  TEXT NOT NULL,                -- JSON
    digest       TEXT NOT NULL DEFAULT '',     -- BLAKE2b-64 of the explanation: unchanged rows are not rewritten
    run_id       BIGINT,                       -- credit_runs.id (NULL: reclassified after a write)
    computed_at  BIGINT NOT NULL
);
CREATE INDEX credit_classifications_class ON credit_classifications(credit_class);

-- Recomputation runs (on demand, nightly). nightly_day is unique so that one
-- of several servers on a shared database claims a day's run.
CREATE TABLE credit_runs (
    id           INTEGER PRIMARY KEY,
    trigger_kind TEXT NOT NULL CHECK (trigger_kind IN ('demand', 'nightly', 'cli')),
    nightly_day  TEXT UNIQUE,
    rule_version BIGINT NOT NULL,
    as_of        TEXT NOT NULL,
    status       TEXT NOT NULL CHECK (status IN ('running', 'done', 'failed')),
    entities     BIGINT NOT NULL DEFAULT 0,
    changed      BIGINT NOT NULL DEFAULT 0,
    counts       TEXT NOT NULL DEFAULT '{}',   -- JSON {"A":n,"B":n,"C":n,"D":n}
    message      TEXT NOT NULL DEFAULT '',
    started_by   TEXT NOT NULL,
    started_at   BIGINT NOT NULL,
    finished_at  BIGINT
);

-- 经营异常名录 (abnormal) and 严重违法失信名单 (serious) entries. An entry is
-- current while removed_on IS NULL (and, serious, until expires_on).
CREATE TABLE credit_list_entries (
    id             INTEGER PRIMARY KEY,
    list           TEXT NOT NULL CHECK (list IN ('abnormal', 'serious')),
    credit_code    TEXT NOT NULL,
    grounds        TEXT NOT NULL,              -- 列入事由
    legal_basis    TEXT NOT NULL DEFAULT '',
    decision_no    TEXT NOT NULL DEFAULT '',   -- 决定书文号 (required for serious)
    authority      TEXT NOT NULL DEFAULT '',   -- 作出决定机关
    entered_on     TEXT NOT NULL,
    expires_on     TEXT,                       -- serious: last day of the 3 years
    removed_on     TEXT,
    removal_reason TEXT CHECK (removal_reason IN ('fixed', 'early', 'expired', 'moved', 'revoked', 'repaired')),
    removal_note   TEXT NOT NULL DEFAULT '',
    moved_from     BIGINT,                     -- serious entry made from this abnormal entry id
    log_index      BIGINT,                     -- Merkle leaf of the entry
    removal_log_index BIGINT,                  -- Merkle leaf of the removal
    created_by     TEXT NOT NULL,
    created_at     BIGINT NOT NULL,
    updated_at     BIGINT NOT NULL
);
CREATE INDEX credit_list_entries_code ON credit_list_entries(credit_code);
CREATE INDEX credit_list_entries_list ON credit_list_entries(list, removed_on, id);

-- Administrative penalties and their publicity period (公示期).
CREATE TABLE credit_penalties (
    id              INTEGER PRIMARY KEY,
    credit_code     TEXT NOT NULL,
    decision_no     TEXT NOT NULL UNIQUE,      -- 行政处罚决定书文号
    kind            TEXT NOT NULL,             -- warning|criticism|fine|confiscation|suspension|revocation|other
    amount_yuan     BIGINT NOT NULL DEFAULT 0,
    severity        TEXT NOT NULL CHECK (severity IN ('low', 'high')),
    decided_on      TEXT NOT NULL,
    legal_basis     TEXT NOT NULL,
    summary         TEXT NOT NULL DEFAULT '',
    authority       TEXT NOT NULL DEFAULT '',
    publicity_until TEXT NOT NULL,             -- last day of publicity
    ended_on        TEXT,                      -- publicity ended early (repaired, revoked)
    end_reason      TEXT,
    log_index       BIGINT,
    end_log_index   BIGINT,
    created_by      TEXT NOT NULL,
    created_at      BIGINT NOT NULL,
    updated_at      BIGINT NOT NULL
);
CREATE INDEX credit_penalties_code ON credit_penalties(credit_code);
CREATE INDEX credit_penalties_until ON credit_penalties(publicity_until);

-- Credit repair requests (信用修复).
CREATE TABLE credit_repairs (
    id            INTEGER PRIMARY KEY,
    credit_code   TEXT NOT NULL,
    target_kind   TEXT NOT NULL CHECK (target_kind IN ('penalty', 'abnormal', 'serious')),
    target_id     BIGINT NOT NULL,
    reason        TEXT NOT NULL,
    measures      TEXT NOT NULL DEFAULT '',    -- corrective measures taken
    pledge        TEXT NOT NULL,               -- 信用承诺书
    status        TEXT NOT NULL CHECK (status IN ('pending', 'approved', 'rejected')),
    requested_on  TEXT NOT NULL,
    requested_by  TEXT NOT NULL,
    decided_on    TEXT,
    decided_by    TEXT,
    decision_note TEXT NOT NULL DEFAULT '',
    created_at    BIGINT NOT NULL,
    updated_at    BIGINT NOT NULL
);
CREATE INDEX credit_repairs_code ON credit_repairs(credit_code);
CREATE INDEX credit_repairs_status ON credit_repairs(status, id);

-- Version 1 of the rule set (docs/modules/credit.md "Rule set"); later
-- versions are added through the API.
INSERT INTO credit_rule_sets (version, rules, note, active, created_by, created_at) VALUES (1, '{"base":70,"thresholds":{"A":85,"B":65,"C":45},"attributes":{"age":[{"min_years":0,"points":-5,"label":"成立不满1年"},{"min_years":1,"points":0,"label":"成立1年以上"},{"min_years":3,"points":5,"label":"成立3年以上"},{"min_years":10,"points":10,"label":"成立10年以上"}],"status":{"active":0,"revoked":-30,"cancelled":0,"moved":0},"licence_points":3,"risk_tag_points":-3,"risk_tag_max":3},"facts":{"inspection.normal":{"points":5,"full_months":12,"window_months":24,"max_count":2,"label":"检查未发现问题"},"inspection.not_published":{"points":-10,"full_months":12,"window_months":36,"label":"未按规定公示信息"},"inspection.false_info":{"points":-20,"full_months":12,"window_months":36,"label":"公示信息隐瞒真实情况、弄虚作假"},"inspection.unreachable":{"points":-15,"full_months":12,"window_months":36,"label":"通过登记的住所无法联系"},"inspection.ordered_to_correct":{"points":-5,"full_months":12,"window_months":24,"label":"发现问题已责令整改"},"inspection.refused":{"points":-30,"full_months":12,"window_months":36,"label":"不配合检查情节严重"},"spot_check.pass":{"points":5,"full_months":12,"window_months":24,"max_count":2,"label":"产品抽查合格"},"spot_check.fail":{"points":-15,"full_months":12,"window_months":36,"label":"产品抽查不合格"},"spot_check.recheck_fail":{"points":-25,"full_months":12,"window_months":36,"label":"复查仍不合格"},"penalty.low":{"points":-5,"full_months":12,"window_months":24,"label":"警告或较低数额罚款"},"penalty.high":{"points":-20,"full_months":12,"window_months":36,"label":"较重行政处罚"},"list.abnormal":{"points":-20,"full_months":36,"window_months":36,"label":"列入经营异常名录"},"list.serious":{"points":-40,"full_months":36,"window_months":36,"label":"列入严重违法失信名单"},"complaint":{"points":-3,"full_months":12,"window_months":24,"max_count":5,"label":"投诉举报经查属实"}},"hard_rules":[{"kind":"list.serious","class":"D","label":"列入严重违法失信名单的，直接评为D类"},{"kind":"list.abnormal","class":"C","label":"列入经营异常名录的，不高于C类"},{"kind":"penalty.high","class":"B","window_months":12,"label":"一年内受到较重行政处罚的，不评为A类"}]}', '初始规则（迁移0009）', 1, 'migration', 0);
