CREATE TABLE officers (
    id            TEXT PRIMARY KEY,
    username      TEXT NOT NULL UNIQUE,
    display_name  TEXT NOT NULL,
    role          TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    created_at    {ts} NOT NULL
);

CREATE TABLE officer_sessions (
    token_hash TEXT PRIMARY KEY,
    officer_id TEXT NOT NULL REFERENCES officers (id),
    created_at {ts} NOT NULL,
    expires_at {ts} NOT NULL
);

CREATE TABLE cases (
    id                TEXT PRIMARY KEY,
    case_number       TEXT NOT NULL UNIQUE,
    status            TEXT NOT NULL,
    join_code         TEXT UNIQUE,
    expected_parties  INTEGER NOT NULL,
    accident_time     {ts} NOT NULL,
    latitude          {real},
    longitude         {real},
    address           TEXT,
    anyone_injured    INTEGER NOT NULL,
    vehicles_drivable INTEGER NOT NULL,
    hazardous_goods   INTEGER NOT NULL,
    escalation_reason TEXT,
    officer_id        TEXT REFERENCES officers (id),
    reported_at       {ts} NOT NULL,
    answered_at       {ts},
    vehicles_moved_at {ts},
    closed_at         {ts},
    escalated_at      {ts}
);

CREATE INDEX ix_cases_status_reported ON cases (status, reported_at);

CREATE TABLE parties (
    id            TEXT PRIMARY KEY,
    case_id       TEXT NOT NULL REFERENCES cases (id),
    party_number  INTEGER NOT NULL,
    token_hash    TEXT NOT NULL UNIQUE,
    phone         TEXT NOT NULL,
    plate         TEXT NOT NULL,
    vehicle_type  TEXT NOT NULL,
    insurer_code  TEXT,
    policy_number TEXT,
    liability     TEXT,
    joined_at     {ts} NOT NULL,
    UNIQUE (case_id, party_number)
);

-- Every state change with who made it and when.
CREATE TABLE case_events (
    id       TEXT PRIMARY KEY,
    case_id  TEXT NOT NULL REFERENCES cases (id),
    kind     TEXT NOT NULL,
    actor    TEXT NOT NULL,
    at       {ts} NOT NULL,
    detail   TEXT
);

CREATE INDEX ix_case_events_case ON case_events (case_id, at);

-- The claims outbox: written in the same transaction as the case closing.
CREATE TABLE claims (
    id              TEXT PRIMARY KEY,
    case_id         TEXT NOT NULL REFERENCES cases (id),
    party_id        TEXT NOT NULL UNIQUE REFERENCES parties (id),
    insurer_code    TEXT NOT NULL,
    payload         TEXT NOT NULL,
    status          TEXT NOT NULL,
    attempts        INTEGER NOT NULL DEFAULT 0,
    last_error      TEXT,
    created_at      {ts} NOT NULL,
    next_attempt_at {ts} NOT NULL,
    locked_until    {ts},
    sent_at         {ts}
);

CREATE INDEX ix_claims_due ON claims (status, next_attempt_at);

-- Claims received by the embedded (in-memory bus) insurer inboxes, so that a developer
-- running with defaults can see what each insurer got.
CREATE TABLE embedded_insurer_inbox (
    message_id   TEXT PRIMARY KEY,
    insurer_code TEXT NOT NULL,
    received_at  {ts} NOT NULL,
    payload      TEXT NOT NULL
);
