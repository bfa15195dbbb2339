-- Version 1: bureaus, API keys, travel documents, vehicles, hits.
CREATE TABLE bureaus (
    code TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    created_at INTEGER NOT NULL
) STRICT;

CREATE TABLE api_keys (
    id INTEGER PRIMARY KEY,
    bureau TEXT NOT NULL REFERENCES bureaus (code),
    label TEXT NOT NULL,
    key_hash BLOB NOT NULL UNIQUE,
    created_at INTEGER NOT NULL,
    revoked_at INTEGER
) STRICT;

CREATE TABLE documents (
    id INTEGER PRIMARY KEY,
    number TEXT NOT NULL,
    number_normalised TEXT NOT NULL,
    issuing_country TEXT NOT NULL,
    document_type TEXT NOT NULL,
    status TEXT NOT NULL,
    holder_name TEXT,
    holder_birth_date TEXT,
    owner TEXT NOT NULL,
    external_ref TEXT,
    reported_date TEXT NOT NULL,
    review_date TEXT NOT NULL,
    restriction TEXT NOT NULL,
    restriction_countries TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    withdrawn_at INTEGER
) STRICT;

CREATE UNIQUE INDEX documents_external_ref ON documents (owner, external_ref)
    WHERE external_ref IS NOT NULL;
-- Covers the start-up scan and the database-only lookup.
CREATE INDEX documents_lookup ON documents (issuing_country, number_normalised)
    WHERE withdrawn_at IS NULL;

CREATE TABLE vehicles (
    id INTEGER PRIMARY KEY,
    vin TEXT,
    plate TEXT,
    plate_country TEXT,
    make TEXT,
    model TEXT,
    colour TEXT,
    year INTEGER,
    status TEXT NOT NULL,
    owner TEXT NOT NULL,
    external_ref TEXT,
    reported_date TEXT NOT NULL,
    review_date TEXT NOT NULL,
    restriction TEXT NOT NULL,
    restriction_countries TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    withdrawn_at INTEGER
) STRICT;

CREATE UNIQUE INDEX vehicles_external_ref ON vehicles (owner, external_ref)
    WHERE external_ref IS NOT NULL;

CREATE TABLE hits (
    id INTEGER PRIMARY KEY,
    at INTEGER NOT NULL,
    record_kind TEXT NOT NULL,
    record_id INTEGER NOT NULL,
    owner TEXT NOT NULL,
    checking_bureau TEXT NOT NULL,
    match_kind TEXT NOT NULL,
    query TEXT NOT NULL
) STRICT;

CREATE INDEX hits_owner ON hits (owner, id);
