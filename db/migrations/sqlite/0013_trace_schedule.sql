-- 0013_trace_schedule (sqlite): scheduled EPCIS subscriptions (EPCIS 2.0
-- §8.2.5.3 QuerySchedule) beside the stream ones. Equivalent to
-- db/migrations/pg/0013_trace_schedule.sql; docs/modules/trace.md.
--   schedule         the QuerySchedule object as JSON; NULL for a stream subscription
--   report_if_empty  1: a scheduled run with nothing new still sends an empty EPCISQueryDocument
--   next_run         Unix ms of the next scheduled run (NULL for streams)
ALTER TABLE epcis_subscriptions ADD COLUMN schedule TEXT;
ALTER TABLE epcis_subscriptions ADD COLUMN report_if_empty BIGINT NOT NULL DEFAULT 0;
ALTER TABLE epcis_subscriptions ADD COLUMN next_run BIGINT;
