-- PIPL: each party's consent to the privacy notice (which version, in which language, when the
-- server received it), and when its personal fields were removed (by the retention purge or an
-- early erasure). Evidence rows stay after their file is purged: the hash is kept, the bytes go.
ALTER TABLE parties ADD COLUMN consent_version TEXT;
ALTER TABLE parties ADD COLUMN consent_language TEXT;
ALTER TABLE parties ADD COLUMN consented_at {ts};
ALTER TABLE parties ADD COLUMN personal_data_removed_at {ts};
ALTER TABLE evidence ADD COLUMN file_purged_at {ts};
CREATE INDEX ix_cases_status_closed ON cases (status, closed_at);
