-- Version 11: a case's investigation checklist as its owner ticks it, item by item, and the
-- users of other organisations its owner lets see the victims' identities, by name.
CREATE TABLE case_checklist (
    case_id INTEGER NOT NULL REFERENCES cases (id),
    item TEXT NOT NULL,
    done INTEGER NOT NULL,
    note TEXT,
    by_org TEXT NOT NULL,
    by_name TEXT NOT NULL,
    at INTEGER NOT NULL,
    PRIMARY KEY (case_id, item)
) STRICT, WITHOUT ROWID;

CREATE TABLE case_grants (
    case_id INTEGER NOT NULL REFERENCES cases (id),
    username TEXT NOT NULL,
    org TEXT NOT NULL,
    by_org TEXT NOT NULL,
    by_name TEXT NOT NULL,
    at INTEGER NOT NULL,
    PRIMARY KEY (case_id, username)
) STRICT, WITHOUT ROWID;
CREATE INDEX case_grants_user ON case_grants (username, case_id);

-- Every case's version, read without the reports (the route statistics' summaries).
CREATE INDEX cases_stamps ON cases (id, version);
