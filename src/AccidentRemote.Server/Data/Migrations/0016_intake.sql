-- How people get into a case (issue 10, items 1 and 7).
-- The typed join code is 8 digits: the first 4 (join_selector, unique among cases that have a
-- code) say which case it is, so wrong tries can be counted against that case and lock its code.
-- The join link and QR carry join_secret, a high-entropy per-case secret, instead.
ALTER TABLE cases ADD COLUMN join_selector TEXT;
ALTER TABLE cases ADD COLUMN join_secret TEXT;
ALTER TABLE cases ADD COLUMN join_failures INTEGER NOT NULL DEFAULT 0;
ALTER TABLE cases ADD COLUMN join_locked_at {ts};
CREATE UNIQUE INDEX ux_cases_join_selector ON cases (join_selector);
CREATE UNIQUE INDEX ux_cases_join_secret ON cases (join_secret);

-- A party the first party turned away: its token no longer opens the case.
ALTER TABLE parties ADD COLUMN rejected_at {ts};

-- A separate report that may be of the same accident as an open case. Never merged by itself:
-- a party of the existing case (asked_party_id) consents, or an officer merges; until then the
-- report is its own case (duplicate_case_id).
CREATE TABLE case_duplicates (
    id                TEXT PRIMARY KEY,
    case_id           TEXT NOT NULL REFERENCES cases (id),
    duplicate_case_id TEXT NOT NULL REFERENCES cases (id),
    asked_party_id    TEXT NOT NULL REFERENCES parties (id),
    reporter_party_id TEXT NOT NULL REFERENCES parties (id),
    status            TEXT NOT NULL,
    created_at        {ts} NOT NULL,
    decided_at        {ts},
    decided_by        TEXT
);

CREATE INDEX ix_case_duplicates_case ON case_duplicates (case_id, status);
CREATE INDEX ix_case_duplicates_duplicate ON case_duplicates (duplicate_case_id, status);
