-- Version 5: persons. The details (names, birth date, nationalities …) are one JSON column;
-- the screening index is built from them at start-up.
CREATE TABLE persons (
    id INTEGER PRIMARY KEY,
    body TEXT NOT NULL,
    owner TEXT NOT NULL,
    external_ref TEXT,
    reported_date TEXT NOT NULL,
    review_date TEXT NOT NULL,
    restriction TEXT NOT NULL,
    restriction_countries TEXT NOT NULL,
    handling TEXT NOT NULL DEFAULT 'H0',
    handling_note TEXT,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    withdrawn_at INTEGER
) STRICT;

CREATE UNIQUE INDEX persons_external_ref ON persons (owner, external_ref)
    WHERE external_ref IS NOT NULL;
