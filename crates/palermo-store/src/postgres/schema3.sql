-- Version 3: the batches of checks a hub node kept in its spool while this database was out of
-- reach, once replayed: a batch is recorded once, even if the node replays it again after a
-- crash between this commit and its spool's removal.
CREATE TABLE replayed_batches (
    node TEXT NOT NULL,
    batch BIGINT NOT NULL,
    at BIGINT NOT NULL,
    PRIMARY KEY (node, batch)
);
