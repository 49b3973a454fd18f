-- 0012_trace_idents (pg): identifiers stored once, and fewer indexes on the
-- capture path. Equivalent to db/migrations/sqlite/0012_trace_idents.sql,
-- which says why; docs/modules/epcis.md, "Storage".

CREATE TABLE epcis_idents (
    id    BIGSERIAL PRIMARY KEY,
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
);

INSERT INTO epcis_idents (ident)
    SELECT ident FROM epcis_event_ids GROUP BY ident ORDER BY MIN(event), ident;
INSERT INTO epcis_event_refs (ident, role, event, seq, is_class, quantity, uom)
    SELECT d.id, o.role, o.event, ROW_NUMBER() OVER (PARTITION BY o.event ORDER BY o.event) - 1,
           o.is_class, o.quantity, o.uom
    FROM epcis_event_ids o JOIN epcis_idents d ON d.ident = o.ident;
DROP TABLE epcis_event_ids;

CREATE INDEX epcis_event_refs_event ON epcis_event_refs(event);

CREATE VIEW epcis_event_ids AS
    SELECT r.event AS event, r.role AS role, d.ident AS ident, r.is_class AS is_class,
           r.quantity AS quantity, r.uom AS uom
    FROM epcis_event_refs r JOIN epcis_idents d ON d.id = r.ident;

CREATE FUNCTION epcis_event_ids_write() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        INSERT INTO epcis_idents (ident) VALUES (NEW.ident) ON CONFLICT (ident) DO NOTHING;
        INSERT INTO epcis_event_refs (ident, role, event, seq, is_class, quantity, uom)
            SELECT id, NEW.role, NEW.event,
                   (SELECT COUNT(*) FROM epcis_event_refs WHERE event = NEW.event),
                   COALESCE(NEW.is_class, 0), NEW.quantity, NEW.uom
            FROM epcis_idents WHERE ident = NEW.ident;
        RETURN NEW;
    END IF;
    DELETE FROM epcis_event_refs WHERE event = OLD.event AND role = OLD.role
        AND ident = (SELECT id FROM epcis_idents WHERE ident = OLD.ident);
    RETURN OLD;
END
$$;
CREATE TRIGGER epcis_event_ids_write INSTEAD OF INSERT OR DELETE ON epcis_event_ids
    FOR EACH ROW EXECUTE FUNCTION epcis_event_ids_write();

DROP INDEX epcis_events_type;
DROP INDEX epcis_events_rp;
DROP INDEX epcis_events_xform;
CREATE INDEX epcis_events_xform ON epcis_events(transformation_id)
    WHERE transformation_id IS NOT NULL;
