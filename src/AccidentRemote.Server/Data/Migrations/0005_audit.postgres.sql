-- Append-only, hash-chained audit log of every officer action, state change, evidence item and document.
CREATE TABLE audit_log (
    seq       BIGINT PRIMARY KEY,
    at        timestamptz NOT NULL,
    actor     TEXT NOT NULL,
    kind      TEXT NOT NULL,
    case_id   TEXT,
    detail    TEXT,
    prev_hash TEXT NOT NULL,
    hash      TEXT NOT NULL
);

CREATE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'audit_log is append-only';
END;
$$;

CREATE TRIGGER audit_log_no_update BEFORE UPDATE OR DELETE ON audit_log
    FOR EACH ROW EXECUTE FUNCTION audit_log_append_only();
