-- Version 7: a case's investigation checklist as its owner ticks it, item by item, and the
-- users of other organisations its owner lets see the victims' identities, by name.
CREATE TABLE case_checklist (
    case_id BIGINT NOT NULL REFERENCES cases (id),
    item TEXT COLLATE "C" NOT NULL,
    done BIGINT NOT NULL,
    note TEXT,
    by_org TEXT NOT NULL,
    by_name TEXT NOT NULL,
    at BIGINT NOT NULL,
    PRIMARY KEY (case_id, item)
);

CREATE TABLE case_grants (
    case_id BIGINT NOT NULL REFERENCES cases (id),
    username TEXT COLLATE "C" NOT NULL,
    org TEXT NOT NULL,
    by_org TEXT NOT NULL,
    by_name TEXT NOT NULL,
    at BIGINT NOT NULL,
    PRIMARY KEY (case_id, username)
);
CREATE INDEX case_grants_user ON case_grants (username, case_id);

-- Every case's version, read without the reports (the route statistics' summaries).
CREATE INDEX cases_stamps ON cases (id, version);
