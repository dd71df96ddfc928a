-- Issued accident documents. Write-once: a row and its PDF are never updated; a corrected
-- document is a new row with the next version for the same case.
CREATE TABLE documents (
    id                TEXT PRIMARY KEY,
    case_id           TEXT NOT NULL REFERENCES cases (id),
    number            TEXT NOT NULL UNIQUE,
    verification_code TEXT NOT NULL UNIQUE,
    version           INTEGER NOT NULL,
    status            TEXT NOT NULL,
    sha256            TEXT NOT NULL,
    issued_at         {ts} NOT NULL,
    pdf               {bytes} NOT NULL,
    UNIQUE (case_id, version)
);
