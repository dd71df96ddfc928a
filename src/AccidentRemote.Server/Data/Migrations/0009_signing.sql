-- Who the parties are (for the document), what the officer adds to it, and the signatures.
ALTER TABLE parties ADD COLUMN name TEXT;
ALTER TABLE parties ADD COLUMN id_number TEXT;
ALTER TABLE cases ADD COLUMN weather TEXT;
ALTER TABLE cases ADD COLUMN mediation_result TEXT;
ALTER TABLE officers ADD COLUMN badge_number TEXT;

-- A party's signature on one version of the document. A new version needs new signatures.
CREATE TABLE signatures (
    id               TEXT PRIMARY KEY,
    case_id          TEXT NOT NULL REFERENCES cases (id),
    party_id         TEXT NOT NULL REFERENCES parties (id),
    document_version INTEGER NOT NULL,
    signed_at        {ts} NOT NULL,
    sha256           TEXT NOT NULL,
    png              {bytes} NOT NULL,
    UNIQUE (party_id, document_version)
);
