-- 0012_trace_idents (sqlite): identifiers stored once, and fewer indexes on
-- the capture path (issue 5, capture throughput). Equivalent to
-- db/migrations/pg/0012_trace_idents.sql; docs/modules/epcis.md, "Storage".
--
-- Why: every captured event names ~5 identifiers, and the (ident, role)
-- index on the canonical text (~50-byte Digital Link URIs) took an insert
-- at a random place for each of them: half the pages a 500-event capture
-- dirtied (and wrote to the WAL) were that index. Now each identifier is a
-- row of epcis_idents, numbered in order of first sight, and an event's
-- references carry the number. The references table is itself the
-- (ident, role, event) index (WITHOUT ROWID: one B-tree instead of a table
-- and an index), keyed by small integers that cluster on recent
-- identifiers (lots and pallets are referenced soon after they are made);
-- the (event) index covers the way back. Measured in docs/benchmarks.md.
--
-- epcis_event_ids stays as a view with its old columns, so every reader
-- (query, genealogy, recall, exports) is unchanged; INSTEAD OF triggers
-- keep direct inserts and deletes through the view working for fixtures
-- and generators. The capture path writes the tables directly.
--
-- Also dropped: epcis_events_type (five values; the time index serves
-- eventType) and epcis_events_rp (readPoint queries filter on the time or
-- bizLocation indexes); epcis_events_xform only holds transformation events.

CREATE TABLE epcis_idents (
    id    INTEGER PRIMARY KEY,
    ident TEXT NOT NULL UNIQUE                  -- canonical (trace/gs1.h)
);
CREATE TABLE epcis_event_refs (
    ident    BIGINT NOT NULL REFERENCES epcis_idents(id),
    role     TEXT NOT NULL,                     -- as epcis_event_ids.role (0011)
    event    BIGINT NOT NULL REFERENCES epcis_events(id),
    seq      BIGINT NOT NULL DEFAULT 0,         -- the reference's position in its event
    is_class BIGINT NOT NULL DEFAULT 0,
    quantity DOUBLE PRECISION,
    uom      TEXT,
    PRIMARY KEY (ident, role, event, seq)
) WITHOUT ROWID;

INSERT INTO epcis_idents (ident)
    SELECT ident FROM epcis_event_ids GROUP BY ident ORDER BY MIN(event), ident;
INSERT INTO epcis_event_refs (ident, role, event, seq, is_class, quantity, uom)
    SELECT d.id, o.role, o.event, ROW_NUMBER() OVER (PARTITION BY o.event ORDER BY o.rowid) - 1,
           o.is_class, o.quantity, o.uom
    FROM epcis_event_ids o JOIN epcis_idents d ON d.ident = o.ident;
DROP TABLE epcis_event_ids;

CREATE INDEX epcis_event_refs_event ON epcis_event_refs(event);

CREATE VIEW epcis_event_ids AS
    SELECT r.event AS event, r.role AS role, d.ident AS ident, r.is_class AS is_class,
           r.quantity AS quantity, r.uom AS uom
    FROM epcis_event_refs r JOIN epcis_idents d ON d.id = r.ident;

CREATE TRIGGER epcis_event_ids_insert INSTEAD OF INSERT ON epcis_event_ids
BEGIN
    INSERT INTO epcis_idents (ident) VALUES (NEW.ident) ON CONFLICT (ident) DO NOTHING;
    INSERT INTO epcis_event_refs (ident, role, event, seq, is_class, quantity, uom)
        SELECT id, NEW.role, NEW.event,
               (SELECT COUNT(*) FROM epcis_event_refs WHERE event = NEW.event),
               COALESCE(NEW.is_class, 0), NEW.quantity, NEW.uom
        FROM epcis_idents WHERE ident = NEW.ident;
END;
CREATE TRIGGER epcis_event_ids_delete INSTEAD OF DELETE ON epcis_event_ids
BEGIN
    DELETE FROM epcis_event_refs WHERE event = OLD.event AND role = OLD.role
        AND ident = (SELECT id FROM epcis_idents WHERE ident = OLD.ident);
END;

DROP INDEX epcis_events_type;
DROP INDEX epcis_events_rp;
DROP INDEX epcis_events_xform;
CREATE INDEX epcis_events_xform ON epcis_events(transformation_id)
    WHERE transformation_id IS NOT NULL;
