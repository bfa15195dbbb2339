-- Version 4, for bulk loads: the records' identifiers and codes compare byte by byte (collation "C"), as
-- SQLite compares them, whatever the database's default collation. They are numbers,
-- references and country codes, never text to sort for a reader: a locale's collation buys
-- nothing there and costs a library call per comparison (and PostgreSQL's abbreviated keys),
-- which made building their indexes after a bulk load most of its time.
ALTER TABLE documents
    ALTER COLUMN number TYPE TEXT COLLATE "C",
    ALTER COLUMN number_normalised TYPE TEXT COLLATE "C",
    ALTER COLUMN issuing_country TYPE TEXT COLLATE "C",
    ALTER COLUMN owner TYPE TEXT COLLATE "C",
    ALTER COLUMN external_ref TYPE TEXT COLLATE "C",
    ALTER COLUMN restriction TYPE TEXT COLLATE "C",
    ALTER COLUMN restriction_countries TYPE TEXT COLLATE "C",
    ALTER COLUMN handling TYPE TEXT COLLATE "C";
ALTER TABLE vehicles
    ALTER COLUMN vin TYPE TEXT COLLATE "C",
    ALTER COLUMN plate TYPE TEXT COLLATE "C",
    ALTER COLUMN plate_country TYPE TEXT COLLATE "C",
    ALTER COLUMN owner TYPE TEXT COLLATE "C",
    ALTER COLUMN external_ref TYPE TEXT COLLATE "C";
ALTER TABLE persons
    ALTER COLUMN owner TYPE TEXT COLLATE "C",
    ALTER COLUMN external_ref TYPE TEXT COLLATE "C";

-- The most distinct column first: a sort's first comparison (on an abbreviated key) then
-- mostly decides, where a country code or the owner, shared by millions of rows, decided
-- nothing. Lookups name every key column, so their order serves them alike. Building the
-- lookup index after a load of 5 million documents took 12.8 s, now 4.1 s.
DROP INDEX documents_external_ref;
CREATE UNIQUE INDEX documents_external_ref ON documents (external_ref, owner)
    WHERE external_ref IS NOT NULL;
DROP INDEX documents_lookup;
CREATE INDEX documents_lookup ON documents
    (number_normalised, issuing_country, owner, restriction, restriction_countries, handling)
    WHERE withdrawn_at IS NULL;
DROP INDEX vehicles_external_ref;
CREATE UNIQUE INDEX vehicles_external_ref ON vehicles (external_ref, owner)
    WHERE external_ref IS NOT NULL;
DROP INDEX persons_external_ref;
CREATE UNIQUE INDEX persons_external_ref ON persons (external_ref, owner)
    WHERE external_ref IS NOT NULL;
