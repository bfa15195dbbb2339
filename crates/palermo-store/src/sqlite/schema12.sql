-- Version 12: screened passenger manifests (their reports) and travel warnings, one row per
-- country warned; a warning's key makes a manifest sent again warn no one twice.
CREATE TABLE manifests (
    id INTEGER PRIMARY KEY,
    at INTEGER NOT NULL,
    checking_org TEXT NOT NULL,
    checking_user TEXT,
    sender TEXT NOT NULL,
    reference TEXT NOT NULL,
    flight TEXT,
    departure_airport TEXT,
    departure_time TEXT,
    arrival_airport TEXT,
    arrival_time TEXT,
    travellers INTEGER NOT NULL,
    hits INTEGER NOT NULL,
    possible INTEGER NOT NULL,
    report TEXT NOT NULL
) STRICT;
CREATE INDEX manifests_org ON manifests (checking_org, id);

CREATE TABLE travel_warnings (
    id INTEGER PRIMARY KEY,
    at INTEGER NOT NULL,
    sender_org TEXT NOT NULL,
    sender_user TEXT,
    source TEXT NOT NULL,
    destination TEXT NOT NULL,
    notice_id INTEGER,
    notice_owner TEXT,
    person_id INTEGER,
    dedup TEXT NOT NULL UNIQUE,
    traveller TEXT NOT NULL,
    journey TEXT NOT NULL,
    note TEXT
) STRICT;
CREATE INDEX travel_warnings_sender ON travel_warnings (sender_org, id);
CREATE INDEX travel_warnings_destination ON travel_warnings (destination, id);
CREATE INDEX travel_warnings_owner ON travel_warnings (notice_owner, id);
