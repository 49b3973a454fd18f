-- 0008_credit_facts (pg): the facts about a market entity that quality-credit
-- classification (质量信用分类) weighs. Every module that learns something about
-- an enterprise (an inspection result, a failed spot check, a penalty, a list
-- entry, a complaint) records it here through credit_fact_add (supervision/credit.h);
-- the classifier reads only this table and the entity's own attributes.
-- Equivalent to db/migrations/sqlite/0008_credit_facts.sql.

CREATE TABLE credit_facts (
    id           BIGSERIAL PRIMARY KEY,
    credit_code  TEXT NOT NULL,               -- 统一社会信用代码
    kind         TEXT NOT NULL,               -- dotted, e.g. inspection.refused, spot_check.fail (see credit.h)
    occurred_on  TEXT NOT NULL,               -- 'YYYY-MM-DD': when it happened, not when recorded
    source       TEXT NOT NULL,               -- recording module: inspection, spot_check, penalty, list, complaint, manual
    ref          TEXT NOT NULL DEFAULT '',    -- the record's id in its source
    detail       TEXT NOT NULL DEFAULT '',    -- one line shown in the class explanation
    created_at   BIGINT NOT NULL,
    withdrawn_at BIGINT,                      -- set when the source record is revoked or repaired; kept for the audit
    UNIQUE (source, ref, kind)
);
CREATE INDEX credit_facts_code ON credit_facts(credit_code, occurred_on);
