-- The clean copies of image evidence that are served outside the police (claim links, the insurer
-- desk): pixels only, re-encoded, without EXIF/metadata. Each has its own SHA-256 and names the hash
-- of the original it was made from; the original file and its hash stay with the police.
CREATE TABLE evidence_copies (
    evidence_id     TEXT PRIMARY KEY REFERENCES evidence (id),
    sha256          TEXT NOT NULL,
    original_sha256 TEXT NOT NULL,
    content_type    TEXT NOT NULL,
    size            BIGINT NOT NULL,
    width           INTEGER NOT NULL,
    height          INTEGER NOT NULL,
    created_at      {ts} NOT NULL
);

-- Why a case was abandoned (driver_left, no_answer, or expired when nobody answered it in time).
ALTER TABLE cases ADD COLUMN abandon_reason TEXT;

-- Budgets count a case's items and bytes per uploader.
CREATE INDEX ix_evidence_case_captured_by ON evidence (case_id, captured_by);
