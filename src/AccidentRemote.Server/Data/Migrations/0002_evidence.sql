-- Screenshots, photos and documents of a case. The bytes are stored once per SHA-256 under
-- Evidence:StoragePath (file name = lowercase hex hash); a row points at its blob by sha256.
CREATE TABLE evidence (
    id           TEXT PRIMARY KEY,
    case_id      TEXT NOT NULL REFERENCES cases (id),
    party_id     TEXT REFERENCES parties (id),
    kind         TEXT NOT NULL,
    angle        TEXT,
    content_type TEXT NOT NULL,
    size         BIGINT NOT NULL,
    width        INTEGER,
    height       INTEGER,
    sha256       TEXT NOT NULL,
    captured_by  TEXT NOT NULL,
    captured_at  {ts} NOT NULL,
    latitude     {real},
    longitude    {real},
    -- The same bytes uploaded twice to one case are one item.
    UNIQUE (case_id, sha256)
);

CREATE INDEX ix_evidence_case_captured ON evidence (case_id, captured_at);
