-- 0010_inspections (pg): working-day calendar, inspection tasks with on-site
-- records, signatures and attachments, product spot checks, and the public
-- publications of their results. Equivalent to db/migrations/sqlite/0010_inspections.sql.
-- docs/modules/inspection.md is the contract.

-- Working-day calendar (工作日历): the days that differ from "Monday to
-- Friday work, weekend rest". holiday = a weekday (or weekend day) off by the
-- State Council's notice; workday = a weekend day worked instead (调休上班).
-- Seeded from 国务院办公厅关于2025年部分节假日安排的通知 (2024-11-12) and
-- 关于2026年部分节假日安排的通知 (2025-11-04);
-- admins edit it through /api/v1/calendar.
CREATE TABLE work_calendar (
    day        TEXT PRIMARY KEY,              -- 'YYYY-MM-DD'
    kind       TEXT NOT NULL CHECK (kind IN ('holiday', 'workday')),
    name       TEXT NOT NULL DEFAULT '',      -- 春节, 国庆节 ...
    updated_at BIGINT NOT NULL
);

-- An inspection task: one entity, a team, the items to inspect, a deadline.
-- status: assigned -> recorded (on-site record saved, awaiting signatures)
--         -> completed (every team member signed: the result is final)
--         -> published (public record on the portal and in the Merkle log)
CREATE TABLE inspection_tasks (
    id BIGSERIAL PRIMARY KEY,
    source       TEXT NOT NULL CHECK (source IN ('draw', 'complaint', 'lead')),
    draw_uid     TEXT,                        -- draws.uid when source = draw
    reason       TEXT NOT NULL DEFAULT '',    -- complaint/lead: why (required)
    credit_code  TEXT NOT NULL,
    entity_name  TEXT NOT NULL,               -- as at assignment
    region       TEXT NOT NULL,               -- entity's division code as at assignment
    status       TEXT NOT NULL CHECK (status IN ('assigned', 'recorded', 'completed', 'published')),
    assigned_on  TEXT NOT NULL,               -- 'YYYY-MM-DD' (China time)
    working_days BIGINT NOT NULL,
    due_on       TEXT NOT NULL,               -- workday_add(assigned_on, working_days)
    inspected_on TEXT,                        -- on-site date (from the record)
    result       TEXT CHECK (result IN ('normal', 'not_published', 'false_info', 'unreachable',
                                        'ordered_to_correct', 'refused')),
    summary      TEXT NOT NULL DEFAULT '',    -- the record's overall remarks
    record_hash  TEXT,                        -- SHA-256 of the canonical record the team signs
    completed_on TEXT,                        -- = inspected_on once every member signed
    publish_due  TEXT,                        -- workday_add(completed_on, 20)
    published_at BIGINT,
    publication_id BIGINT,
    created_by   TEXT NOT NULL,
    created_at   BIGINT NOT NULL,
    updated_at   BIGINT NOT NULL,
    UNIQUE (draw_uid, credit_code)
);
CREATE INDEX inspection_tasks_status ON inspection_tasks(status, due_on);
CREATE INDEX inspection_tasks_code ON inspection_tasks(credit_code);

-- team members (lead first); a signature binds a member to record_hash
CREATE TABLE inspection_members (
    task_id        BIGINT NOT NULL REFERENCES inspection_tasks(id),
    inspector_code TEXT NOT NULL,             -- inspectors.code
    seq            BIGINT NOT NULL,           -- 0 = lead
    signed_at      BIGINT,
    signed_hash    TEXT,                      -- the record_hash signed
    PRIMARY KEY (task_id, inspector_code)
);

-- findings per inspection item
CREATE TABLE inspection_findings (
    task_id   BIGINT NOT NULL REFERENCES inspection_tasks(id),
    item_id   BIGINT NOT NULL,                -- inspection_items.id
    item_name TEXT NOT NULL,
    conforms  BIGINT,                         -- 1 / 0 / NULL = not yet recorded
    finding   TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (task_id, item_id)
);

-- attachments: files kept in the database (base64 text, see inspection.md)
CREATE TABLE inspection_attachments (
    id BIGSERIAL PRIMARY KEY,
    task_id      BIGINT NOT NULL REFERENCES inspection_tasks(id),
    name         TEXT NOT NULL,
    content_type TEXT NOT NULL CHECK (content_type IN ('application/pdf', 'image/jpeg', 'image/png')),
    size         BIGINT NOT NULL,
    sha256       TEXT NOT NULL,
    content_b64  TEXT NOT NULL,
    uploaded_by  TEXT NOT NULL,
    uploaded_at  BIGINT NOT NULL
);
CREATE INDEX inspection_attachments_task ON inspection_attachments(task_id);

-- 产品质量监督抽查: a plan/task, its samples, and per-sample test items
CREATE TABLE spot_checks (
    id BIGSERIAL PRIMARY KEY,
    name        TEXT NOT NULL,
    year        BIGINT NOT NULL,
    product     TEXT NOT NULL,                -- product category
    department  TEXT NOT NULL DEFAULT '',
    lab         TEXT NOT NULL,                -- 承检机构
    created_by  TEXT NOT NULL,
    created_at  BIGINT NOT NULL,
    updated_at  BIGINT NOT NULL
);

-- status: sampled -> tested (verdict pass|fail; final, publish_due set)
--         -> rechecked (fail followed by a re-check); published_at when on the portal
CREATE TABLE spot_samples (
    id BIGSERIAL PRIMARY KEY,
    spot_check_id  BIGINT NOT NULL REFERENCES spot_checks(id),
    sample_no      TEXT NOT NULL UNIQUE,      -- 抽样单编号
    product        TEXT NOT NULL,
    specification  TEXT NOT NULL DEFAULT '',  -- 规格型号
    batch          TEXT NOT NULL DEFAULT '',  -- 生产日期/批号
    producer_code  TEXT NOT NULL,             -- 生产者统一社会信用代码
    producer_name  TEXT NOT NULL DEFAULT '',
    sampled_on     TEXT NOT NULL,
    quantity       TEXT NOT NULL DEFAULT '',  -- 抽样数量 with its unit
    status         TEXT NOT NULL CHECK (status IN ('sampled', 'tested', 'rechecked')),
    verdict        TEXT CHECK (verdict IN ('pass', 'fail')),
    tested_on      TEXT,
    correction_due TEXT,                      -- fail: deadline to correct
    recheck_verdict TEXT CHECK (recheck_verdict IN ('pass', 'fail')),
    recheck_on     TEXT,
    publish_due    TEXT,
    published_at   BIGINT,
    publication_id BIGINT,
    created_at     BIGINT NOT NULL,
    updated_at     BIGINT NOT NULL
);
CREATE INDEX spot_samples_check ON spot_samples(spot_check_id);

CREATE TABLE spot_results (
    sample_id   BIGINT NOT NULL REFERENCES spot_samples(id),
    round       BIGINT NOT NULL,              -- 1 = test, 2 = re-check
    seq         BIGINT NOT NULL,
    item        TEXT NOT NULL,                -- 检验项目
    standard    TEXT NOT NULL,                -- canonical standard number (std_number_parse)
    requirement TEXT NOT NULL DEFAULT '',     -- 标准要求
    measured    TEXT NOT NULL DEFAULT '',     -- 实测值
    pass        BIGINT NOT NULL,
    PRIMARY KEY (sample_id, round, seq)
);

-- what the public portal shows: one row per publication (a task or a sample
-- published, or published again after a re-check), appended to the Merkle log
CREATE TABLE inspection_publications (
    id BIGSERIAL PRIMARY KEY,
    kind         TEXT NOT NULL CHECK (kind IN ('inspection', 'spot_check')),
    ref_id       BIGINT NOT NULL,             -- inspection_tasks.id / spot_samples.id
    credit_code  TEXT NOT NULL,
    entity_name  TEXT NOT NULL,
    result       TEXT NOT NULL,               -- result category / pass / fail
    region       TEXT NOT NULL DEFAULT '',
    published_on TEXT NOT NULL,
    record       TEXT NOT NULL,               -- the public record (JSON), as logged
    log_index    BIGINT NOT NULL,
    published_by TEXT NOT NULL,
    created_at   BIGINT NOT NULL
);
CREATE INDEX inspection_publications_code ON inspection_publications(credit_code);
CREATE INDEX inspection_publications_ref ON inspection_publications(kind, ref_id);

-- the seed: 2025 and 2026 official schedules
INSERT INTO work_calendar (day, kind, name, updated_at) VALUES
    ('2025-01-01', 'holiday', '元旦', 0),
    ('2025-01-26', 'workday', '春节调休上班', 0),
    ('2025-01-28', 'holiday', '春节', 0),
    ('2025-01-29', 'holiday', '春节', 0),
    ('2025-01-30', 'holiday', '春节', 0),
    ('2025-01-31', 'holiday', '春节', 0),
    ('2025-02-01', 'holiday', '春节', 0),
    ('2025-02-02', 'holiday', '春节', 0),
    ('2025-02-03', 'holiday', '春节', 0),
    ('2025-02-04', 'holiday', '春节', 0),
    ('2025-02-08', 'workday', '春节调休上班', 0),
    ('2025-04-04', 'holiday', '清明节', 0),
    ('2025-04-05', 'holiday', '清明节', 0),
    ('2025-04-06', 'holiday', '清明节', 0),
    ('2025-04-27', 'workday', '劳动节调休上班', 0),
    ('2025-05-01', 'holiday', '劳动节', 0),
    ('2025-05-02', 'holiday', '劳动节', 0),
    ('2025-05-03', 'holiday', '劳动节', 0),
    ('2025-05-04', 'holiday', '劳动节', 0),
    ('2025-05-05', 'holiday', '劳动节', 0),
    ('2025-05-31', 'holiday', '端午节', 0),
    ('2025-06-01', 'holiday', '端午节', 0),
    ('2025-06-02', 'holiday', '端午节', 0),
    ('2025-09-28', 'workday', '国庆节调休上班', 0),
    ('2025-10-01', 'holiday', '国庆节、中秋节', 0),
    ('2025-10-02', 'holiday', '国庆节、中秋节', 0),
    ('2025-10-03', 'holiday', '国庆节、中秋节', 0),
    ('2025-10-04', 'holiday', '国庆节、中秋节', 0),
    ('2025-10-05', 'holiday', '国庆节、中秋节', 0),
    ('2025-10-06', 'holiday', '国庆节、中秋节', 0),
    ('2025-10-07', 'holiday', '国庆节、中秋节', 0),
    ('2025-10-08', 'holiday', '国庆节、中秋节', 0),
    ('2025-10-11', 'workday', '国庆节调休上班', 0),
    ('2026-01-01', 'holiday', '元旦', 0),
    ('2026-01-02', 'holiday', '元旦', 0),
    ('2026-01-03', 'holiday', '元旦', 0),
    ('2026-01-04', 'workday', '元旦调休上班', 0),
    ('2026-02-14', 'workday', '春节调休上班', 0),
    ('2026-02-15', 'holiday', '春节', 0),
    ('2026-02-16', 'holiday', '春节', 0),
    ('2026-02-17', 'holiday', '春节', 0),
    ('2026-02-18', 'holiday', '春节', 0),
    ('2026-02-19', 'holiday', '春节', 0),
    ('2026-02-20', 'holiday', '春节', 0),
    ('2026-02-21', 'holiday', '春节', 0),
    ('2026-02-22', 'holiday', '春节', 0),
    ('2026-02-23', 'holiday', '春节', 0),
    ('2026-02-28', 'workday', '春节调休上班', 0),
    ('2026-04-04', 'holiday', '清明节', 0),
    ('2026-04-05', 'holiday', '清明节', 0),
    ('2026-04-06', 'holiday', '清明节', 0),
    ('2026-05-01', 'holiday', '劳动节', 0),
    ('2026-05-02', 'holiday', '劳动节', 0),
    ('2026-05-03', 'holiday', '劳动节', 0),
    ('2026-05-04', 'holiday', '劳动节', 0),
    ('2026-05-05', 'holiday', '劳动节', 0),
    ('2026-05-09', 'workday', '劳动节调休上班', 0),
    ('2026-06-19', 'holiday', '端午节', 0),
    ('2026-06-20', 'holiday', '端午节', 0),
    ('2026-06-21', 'holiday', '端午节', 0),
    ('2026-09-20', 'workday', '国庆节调休上班', 0),
    ('2026-09-25', 'holiday', '中秋节', 0),
    ('2026-09-26', 'holiday', '中秋节', 0),
    ('2026-09-27', 'holiday', '中秋节', 0),
    ('2026-10-01', 'holiday', '国庆节', 0),
    ('2026-10-02', 'holiday', '国庆节', 0),
    ('2026-10-03', 'holiday', '国庆节', 0),
    ('2026-10-04', 'holiday', '国庆节', 0),
    ('2026-10-05', 'holiday', '国庆节', 0),
    ('2026-10-06', 'holiday', '国庆节', 0),
    ('2026-10-07', 'holiday', '国庆节', 0),
    ('2026-10-10', 'workday', '国庆节调休上班', 0);
