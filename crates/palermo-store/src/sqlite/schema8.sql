-- Version 8: the batches of checks a hub's spool kept while its database was out of reach,
-- once replayed (the same table as PostgreSQL's; a hub moved between backends keeps it).
CREATE TABLE replayed_batches (
    node TEXT NOT NULL,
    batch INTEGER NOT NULL,
    at INTEGER NOT NULL,
    PRIMARY KEY (node, batch)
) STRICT, WITHOUT ROWID;
