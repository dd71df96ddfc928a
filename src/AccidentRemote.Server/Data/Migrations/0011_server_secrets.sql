-- Keys the server makes for itself on first use (e.g. for signing evidence links), shared by every node.
CREATE TABLE server_secrets (
    name       TEXT PRIMARY KEY,
    value      TEXT NOT NULL,
    created_at {ts} NOT NULL
);
