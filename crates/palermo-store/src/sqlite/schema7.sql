-- Version 7: who may read each audit entry, and compare-and-set updates of people.
-- The organisations an entry concerns besides its actor (space-separated), covered by its hash.
ALTER TABLE audit ADD COLUMN concerns TEXT NOT NULL DEFAULT '';

-- One row per organisation whose auditors see an entry (its actor and those concerned): a
-- member auditor's reading is a range scan of its own rows, however long the trail.
CREATE TABLE audit_subjects (
    org TEXT NOT NULL,
    seq INTEGER NOT NULL,
    PRIMARY KEY (org, seq)
) STRICT, WITHOUT ROWID;

INSERT INTO audit_subjects (org, seq) SELECT org, seq FROM audit WHERE org != '';

-- Every change of a person's account bumps the version; a change made from a stale reading
-- is refused, so concurrent sign-ins cannot lose a failure or reuse a code.
ALTER TABLE users ADD COLUMN version INTEGER NOT NULL DEFAULT 0;

-- The start-up scan reads who may see each document from the covering index too, so that
-- checks decide visibility in memory.
DROP INDEX documents_lookup;
CREATE INDEX documents_lookup ON documents
    (issuing_country, number_normalised, owner, restriction, restriction_countries, handling)
    WHERE withdrawn_at IS NULL;

-- Withdrawn records, which only their owners still read: the start-up scan keeps who may read
-- each in memory too, so that a read by id decides before any I/O.
CREATE INDEX documents_withdrawn ON documents (id, owner, restriction, restriction_countries, handling)
    WHERE withdrawn_at IS NOT NULL;
CREATE INDEX vehicles_withdrawn ON vehicles (id, owner, restriction, restriction_countries, handling)
    WHERE withdrawn_at IS NOT NULL;
CREATE INDEX persons_withdrawn ON persons (id, owner, restriction, restriction_countries, handling)
    WHERE withdrawn_at IS NOT NULL;
