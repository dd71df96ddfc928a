-- The plate of the other vehicle as the reporting driver typed it: used to match two separate
-- reports of one accident into one case.
ALTER TABLE parties ADD COLUMN other_plate TEXT;
CREATE INDEX ix_cases_accident_time ON cases (accident_time);
