-- When a driver pressed "we have moved the cars".
ALTER TABLE parties ADD COLUMN moved_confirmed_at {ts};
