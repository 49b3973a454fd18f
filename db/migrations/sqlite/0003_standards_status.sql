-- 0003_standards_status: columns that make "status as of a date" a plain
-- expression over one row (STD_STATUS_SQL in src/standards/internal.h), kept
-- by the catalogue after every import:
--   ends_on       withdrawn_on, else the implemented_on of a full replacement
--                 ('0000-00-00' when that replacement has no date)
--   replaced_from earliest implemented_on among the replacing standards
--                 ('0000-00-00' when one has no date); NULL = not replaced
ALTER TABLE standards ADD COLUMN ends_on TEXT;
ALTER TABLE standards ADD COLUMN replaced_from TEXT;
CREATE INDEX standards_issued ON standards(issued_on);
-- the recorded status is never searched (status is derived as of a date),
-- and every index costs the million-row import time
DROP INDEX standards_status;
