-- Version 3: messages between organisations, their receipts and attachments, and webhook
-- deliveries to national systems.
CREATE TABLE messages (
    id INTEGER PRIMARY KEY,
    thread_id INTEGER NOT NULL,
    in_reply_to INTEGER REFERENCES messages (id),
    sender_org TEXT NOT NULL,
    sender_user TEXT,
    subject TEXT NOT NULL,
    body TEXT NOT NULL,
    priority TEXT NOT NULL,
    handling TEXT NOT NULL,
    -- JSON array of {"kind", "id"}.
    refs TEXT NOT NULL,
    created_at INTEGER NOT NULL
) STRICT;

CREATE INDEX messages_sender ON messages (sender_org, id);
CREATE INDEX messages_thread ON messages (thread_id, id);

CREATE TABLE message_recipients (
    message_id INTEGER NOT NULL REFERENCES messages (id),
    org TEXT NOT NULL REFERENCES organisations (code),
    read_at INTEGER,
    read_by TEXT,
    acknowledged_at INTEGER,
    acknowledged_by TEXT,
    PRIMARY KEY (message_id, org)
) STRICT;

CREATE INDEX message_recipients_org ON message_recipients (org, message_id);

CREATE TABLE attachments (
    id INTEGER PRIMARY KEY,
    message_id INTEGER NOT NULL REFERENCES messages (id),
    name TEXT NOT NULL,
    content_type TEXT NOT NULL,
    size INTEGER NOT NULL,
    sha256 BLOB NOT NULL,
    data BLOB NOT NULL
) STRICT;

CREATE INDEX attachments_message ON attachments (message_id);

CREATE TABLE webhooks (
    org TEXT PRIMARY KEY REFERENCES organisations (code),
    url TEXT NOT NULL,
    secret BLOB NOT NULL
) STRICT;

-- What is delivered: a message, a hit, or a hit's escalation when overdue.
CREATE TABLE deliveries (
    id INTEGER PRIMARY KEY,
    kind TEXT NOT NULL,
    subject_id INTEGER NOT NULL,
    org TEXT NOT NULL,
    idempotency_key TEXT NOT NULL UNIQUE,
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_at INTEGER NOT NULL,
    delivered_at INTEGER,
    failed_at INTEGER,
    last_error TEXT
) STRICT;

CREATE INDEX deliveries_due ON deliveries (next_attempt_at)
    WHERE delivered_at IS NULL AND failed_at IS NULL;

-- The hit procedure's escalation: when an unanswered hit passed its deadline.
ALTER TABLE hits ADD COLUMN escalated_at INTEGER;
CREATE INDEX hits_unanswered ON hits (due_at) WHERE answer IS NULL AND escalated_at IS NULL;
