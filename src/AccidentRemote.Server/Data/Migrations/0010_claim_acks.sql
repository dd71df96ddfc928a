-- The insurer's answer to a claim, and how often it had to be sent again for want of one.
ALTER TABLE claims ADD COLUMN claim_report_number TEXT;
ALTER TABLE claims ADD COLUMN acknowledged_at {ts};
ALTER TABLE claims ADD COLUMN first_sent_at {ts};
ALTER TABLE claims ADD COLUMN republished INTEGER NOT NULL DEFAULT 0;
CREATE INDEX ix_claims_unacknowledged ON claims (status, acknowledged_at, sent_at);
