-- 0011_trace (pg): the EPCIS 2.0 event repository (issue 5). Equivalent to
-- db/migrations/sqlite/0011_trace.sql. docs/modules/trace.md is the contract.
--
-- One row per captured event in epcis_events (the event itself kept as
-- normalised JSON-LD in doc), with the fields the standard query parameters
-- filter on as columns, and every identifier the event names in
-- epcis_event_ids, one row per (event, role, id) — the genealogy and recall
-- walk only that table. Identifiers are stored in the canonical form of
-- trace/gs1.h (Digital Link on id.gs1.org; patterns and Chinese codes as
-- URNs), so a query by URN and one by Digital Link meet the same rows.
-- CBV values are stored as their bare CBV 2.0 names ('shipping',
-- 'in_transit'); values outside CBV keep their full URI.
-- Times: event_time and record_time are Unix milliseconds (UTC);
-- event_tz keeps the offset the event was captured with ('+08:00').

CREATE TABLE epcis_capture_jobs (
    id              BIGSERIAL PRIMARY KEY,
    owner_org       TEXT,                     -- the capturing token's organisation
    created_by      BIGINT,                   -- user id behind the token
    behaviour       TEXT NOT NULL DEFAULT 'rollback' CHECK (behaviour IN ('rollback', 'proceed')),
    status          TEXT NOT NULL DEFAULT 'running' CHECK (status IN ('running', 'success', 'failed')),
    event_count     BIGINT NOT NULL DEFAULT 0, -- events in the document
    captured        BIGINT NOT NULL DEFAULT 0, -- events stored
    errors          TEXT NOT NULL DEFAULT '[]', -- JSON [{index, field, detail}]
    created_at      BIGINT NOT NULL,
    finished_at     BIGINT
);

CREATE TABLE epcis_events (
    id                BIGSERIAL PRIMARY KEY,
    event_id          TEXT NOT NULL UNIQUE,     -- as captured, or the CBV 2.0 hash ni:///sha-256;…?ver=CBV2.0
    event_hash        TEXT NOT NULL,            -- the CBV 2.0 hash, always computed
    event_type        TEXT NOT NULL,            -- ObjectEvent | AggregationEvent | TransactionEvent | TransformationEvent | AssociationEvent
    action            TEXT,                     -- ADD | OBSERVE | DELETE; NULL for TransformationEvent
    event_time        BIGINT NOT NULL,
    event_tz          TEXT NOT NULL,
    record_time       BIGINT NOT NULL,
    biz_step          TEXT,
    disposition       TEXT,
    read_point        TEXT,
    biz_location      TEXT,
    transformation_id TEXT,
    parent_id         TEXT,
    error_declared_at BIGINT,                   -- errorDeclaration.declarationTime
    error_reason      TEXT,
    corrective_ids    TEXT,                     -- JSON array of correctiveEventIDs, NULL when none
    owner_org         TEXT,
    public            BIGINT NOT NULL DEFAULT 0, -- 1: the owner marked it public (consumer trace page)
    capture_job       BIGINT,
    doc               TEXT NOT NULL              -- the normalised event, JSON-LD
);
CREATE INDEX epcis_events_time ON epcis_events(event_time);
CREATE INDEX epcis_events_record ON epcis_events(record_time);
CREATE INDEX epcis_events_step ON epcis_events(biz_step, event_time);
CREATE INDEX epcis_events_loc ON epcis_events(biz_location);
CREATE INDEX epcis_events_rp ON epcis_events(read_point);
CREATE INDEX epcis_events_xform ON epcis_events(transformation_id);
CREATE INDEX epcis_events_type ON epcis_events(event_type, event_time);

-- Every identifier an event names, by role:
--   epc, parent, child, input, output        instance or class (quantity) identifiers;
--                                            quantity and uom set for class entries
--   source:<type>, destination:<type>        sourceList / destinationList (type = CBV name: owning_party, location, …)
--   biz_transaction:<type>                   bizTransactionList
-- role 'epc' covers epcList and quantityList of ObjectEvent/TransactionEvent;
-- 'child' childEPCs and childQuantityList of Aggregation/Association/Transaction.
CREATE TABLE epcis_event_ids (
    event      BIGINT NOT NULL REFERENCES epcis_events(id),
    role       TEXT NOT NULL,
    ident      TEXT NOT NULL,                   -- canonical
    is_class   BIGINT NOT NULL DEFAULT 0,
    quantity   DOUBLE PRECISION,
    uom        TEXT
);
CREATE INDEX epcis_event_ids_ident ON epcis_event_ids(ident, role);
CREATE INDEX epcis_event_ids_event ON epcis_event_ids(event);

-- Named queries (EPCIS 2.0 §8.2.7) and their webhook subscriptions.
CREATE TABLE epcis_queries (
    id          BIGSERIAL PRIMARY KEY,
    name        TEXT NOT NULL UNIQUE,
    query       TEXT NOT NULL,                  -- JSON object of query parameters
    owner_org   TEXT,
    created_by  BIGINT,
    created_at  BIGINT NOT NULL
);
CREATE TABLE epcis_subscriptions (
    id           BIGSERIAL PRIMARY KEY,
    query_id     BIGINT NOT NULL REFERENCES epcis_queries(id),
    dest         TEXT NOT NULL,                 -- webhook URL
    secret       TEXT NOT NULL,                 -- HMAC key for GS1-Signature
    after_record BIGINT NOT NULL DEFAULT 0,     -- last acknowledged event row id (delivery advances only on 2xx)
    active       BIGINT NOT NULL DEFAULT 1,
    created_at   BIGINT NOT NULL,
    last_status  TEXT,
    last_attempt BIGINT
);
