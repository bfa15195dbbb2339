-- Version 6: photos of persons, kept with their checksum.
CREATE TABLE person_photos (
    id INTEGER PRIMARY KEY,
    person_id INTEGER NOT NULL REFERENCES persons (id),
    content_type TEXT NOT NULL,
    size INTEGER NOT NULL,
    sha256 BLOB NOT NULL,
    data BLOB NOT NULL,
    created_at INTEGER NOT NULL
) STRICT;

CREATE INDEX person_photos_person ON person_photos (person_id);
