-- Version 10: trafficking case reports (issue 11). A case's row holds its current version's
-- report and the columns lists read; every version as reported, and by whom, is kept beside
-- it; its entities' normalised identifiers are what cases are matched on.
CREATE TABLE cases (
    id INTEGER PRIMARY KEY,
    owner TEXT NOT NULL,
    reference TEXT NOT NULL,
    version INTEGER NOT NULL,
    status TEXT NOT NULL,
    form TEXT NOT NULL,
    reported_date TEXT NOT NULL,
    restriction TEXT NOT NULL,
    restriction_countries TEXT NOT NULL,
    report TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
) STRICT;
CREATE UNIQUE INDEX cases_reference ON cases (owner, reference);

CREATE TABLE case_versions (
    case_id INTEGER NOT NULL REFERENCES cases (id),
    version INTEGER NOT NULL,
    report TEXT NOT NULL,
    by_org TEXT NOT NULL,
    by_name TEXT NOT NULL,
    at INTEGER NOT NULL,
    PRIMARY KEY (case_id, version)
) STRICT, WITHOUT ROWID;

CREATE TABLE case_keys (
    case_id INTEGER NOT NULL REFERENCES cases (id),
    kind TEXT NOT NULL,
    value TEXT NOT NULL,
    entity TEXT NOT NULL,
    PRIMARY KEY (case_id, kind, value, entity)
) STRICT, WITHOUT ROWID;
CREATE INDEX case_keys_value ON case_keys (kind, value, case_id);
