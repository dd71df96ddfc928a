-- Which client (its rate-limit key, as an HMAC with a server key: never the address itself) reported a case,
-- so that an officer who marks the report as abuse can block that client.
CREATE TABLE case_reporters (
    case_id     TEXT NOT NULL,
    client_hash TEXT NOT NULL,
    reported_at {ts} NOT NULL,
    PRIMARY KEY (case_id, client_hash)
);

-- Clients that may not report or join until blocked_until; the case whose abuse caused the block.
CREATE TABLE abuse_blocks (
    client_hash   TEXT PRIMARY KEY,
    blocked_until {ts} NOT NULL,
    case_id       TEXT NOT NULL,
    blocked_by    TEXT NOT NULL,
    created_at    {ts} NOT NULL
);
