-- The 1-5 rating and optional comment each party may give once its case is closed.
ALTER TABLE parties ADD COLUMN satisfaction_rating INTEGER;
ALTER TABLE parties ADD COLUMN satisfaction_comment TEXT;
ALTER TABLE parties ADD COLUMN rated_at {ts};
