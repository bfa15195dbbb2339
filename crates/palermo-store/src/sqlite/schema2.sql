-- Version 2: organisations of every kind, people, API key scopes, the audit trail, the hit
-- procedure.
ALTER TABLE bureaus RENAME TO organisations;
ALTER TABLE organisations ADD COLUMN kind TEXT NOT NULL DEFAULT 'member';
ALTER TABLE api_keys RENAME COLUMN bureau TO org;
ALTER TABLE api_keys ADD COLUMN scopes TEXT NOT NULL DEFAULT 'check,records:read,records:write,hits';

CREATE TABLE users (
    id INTEGER PRIMARY KEY,
    org TEXT NOT NULL REFERENCES organisations (code),
    username TEXT NOT NULL UNIQUE,
    display_name TEXT NOT NULL,
    roles TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    totp_secret BLOB,
    totp_last_step INTEGER,
    -- Failed sign-ins inside the lockout window: milliseconds, space-separated.
    failures TEXT NOT NULL DEFAULT '',
    locked_at INTEGER,
    disabled_at INTEGER,
    last_active_at INTEGER,
    created_at INTEGER NOT NULL
) STRICT;

CREATE TABLE recovery_codes (
    user_id INTEGER NOT NULL REFERENCES users (id),
    code_hash BLOB NOT NULL,
    used_at INTEGER,
    PRIMARY KEY (user_id, code_hash)
) STRICT;

-- Append-only: the store never updates a row except to erase `payload`.
CREATE TABLE audit (
    seq INTEGER PRIMARY KEY,
    at INTEGER NOT NULL,
    org TEXT NOT NULL,
    user TEXT,
    api_key_id INTEGER,
    source TEXT,
    action TEXT NOT NULL,
    target TEXT,
    outcome TEXT NOT NULL,
    justification TEXT,
    detail TEXT,
    payload TEXT,
    payload_hash BLOB,
    prev_hash BLOB NOT NULL,
    hash BLOB NOT NULL
) STRICT;

CREATE INDEX audit_at ON audit (at);

CREATE TABLE audit_heads (
    seq INTEGER PRIMARY KEY,
    hash BLOB NOT NULL,
    at INTEGER NOT NULL,
    public_key BLOB NOT NULL,
    signature BLOB NOT NULL
) STRICT;

ALTER TABLE hits RENAME COLUMN checking_bureau TO checking_org;
ALTER TABLE hits ADD COLUMN due_at INTEGER NOT NULL DEFAULT 0;
ALTER TABLE hits ADD COLUMN answer TEXT;
ALTER TABLE hits ADD COLUMN answer_note TEXT;
ALTER TABLE hits ADD COLUMN answered_at INTEGER;
ALTER TABLE hits ADD COLUMN answered_by TEXT;
CREATE INDEX hits_checker ON hits (checking_org, id);
