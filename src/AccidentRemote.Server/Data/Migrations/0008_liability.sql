-- The scenario the officer chose for the liability decision, and the facts as written in the document.
ALTER TABLE cases ADD COLUMN liability_scenario TEXT;
ALTER TABLE cases ADD COLUMN facts TEXT;
