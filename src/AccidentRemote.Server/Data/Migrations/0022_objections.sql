-- A party's "I disagree" with the accident document it was asked to sign, instead of signing it: the
-- reasons it chose and what it wrote, for the version it was shown. Documents owns it, as it owns signatures.
CREATE TABLE objections (
    id               TEXT PRIMARY KEY,
    case_id          TEXT NOT NULL REFERENCES cases (id),
    party_id         TEXT NOT NULL REFERENCES parties (id),
    document_version INTEGER NOT NULL,
    objected_at      {ts} NOT NULL,
    reasons          TEXT NOT NULL,
    text             TEXT,
    UNIQUE (party_id, document_version)
);
CREATE INDEX objections_case ON objections (case_id, document_version);
