-- Matching a separate report into an open case, and the fraud signals, look parties up by
-- plate: without these every report scanned all open cases of the last hour.
CREATE INDEX ix_parties_plate ON parties (plate);
CREATE INDEX ix_parties_other_plate ON parties (other_plate);
CREATE INDEX ix_cases_status_accident_time ON cases (status, accident_time);
