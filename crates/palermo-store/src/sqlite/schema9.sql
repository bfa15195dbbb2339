-- Version 9: notices and diffusions (issue 10). A notice's row holds its current state and
-- version; every version's request as submitted, and every move with who made it and why,
-- are kept beside it.
CREATE TABLE notices (
    id INTEGER PRIMARY KEY,
    kind TEXT NOT NULL,
    state TEXT NOT NULL,
    version INTEGER NOT NULL,
    person_id INTEGER,
    body TEXT NOT NULL,
    public_extract INTEGER NOT NULL,
    owner TEXT NOT NULL,
    external_ref TEXT,
    reported_date TEXT NOT NULL,
    review_date TEXT NOT NULL,
    restriction TEXT NOT NULL,
    restriction_countries TEXT NOT NULL,
    handling TEXT NOT NULL,
    handling_note TEXT,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
) STRICT;
CREATE UNIQUE INDEX notices_external_ref ON notices (external_ref, owner)
    WHERE external_ref IS NOT NULL;
CREATE INDEX notices_person ON notices (person_id) WHERE person_id IS NOT NULL;
CREATE INDEX notices_owner ON notices (owner, id);

CREATE TABLE notice_versions (
    notice_id INTEGER NOT NULL REFERENCES notices (id),
    version INTEGER NOT NULL,
    body TEXT NOT NULL,
    at INTEGER NOT NULL,
    PRIMARY KEY (notice_id, version)
) STRICT, WITHOUT ROWID;

CREATE TABLE notice_events (
    id INTEGER PRIMARY KEY,
    notice_id INTEGER NOT NULL REFERENCES notices (id),
    version INTEGER NOT NULL,
    transition TEXT NOT NULL,
    from_state TEXT,
    to_state TEXT NOT NULL,
    by_org TEXT NOT NULL,
    by_name TEXT NOT NULL,
    reason TEXT,
    detail TEXT,
    at INTEGER NOT NULL
) STRICT;
CREATE INDEX notice_events_notice ON notice_events (notice_id, id);
