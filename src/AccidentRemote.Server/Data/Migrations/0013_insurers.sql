-- Insurer staff sign in like officers, scoped to one insurer.
ALTER TABLE officers ADD COLUMN insurer_code TEXT;

-- Policy records the insurers publish: which insurer covers a plate, and until when its compulsory insurance (交强险) runs.
CREATE TABLE policies (
    plate                TEXT NOT NULL,
    insurer_code         TEXT NOT NULL,
    policy_number        TEXT NOT NULL,
    compulsory_valid_from {ts} NOT NULL,
    compulsory_valid_to   {ts} NOT NULL,
    updated_at           {ts} NOT NULL,
    PRIMARY KEY (plate, insurer_code)
);
