//! The spool: where a hub on a database server keeps its checks' audit entries and hits, on
//! its own disk and durably, while the server is out of reach, until they are replayed into the
//! database in the order they were made ([`Store::record_checks`] with a [`Replay`] mark, so
//! that a batch replayed twice, after a crash between the database's commit and the spool's
//! removal, is recorded once).
//!
//! A check's answer still waits for its entry to be durable: in the spool instead of the
//! database. Only checks are spooled; every other write is refused while the server is away.
//!
//! [`Store::record_checks`]: crate::Store::record_checks

use std::path::Path;
use std::sync::Mutex;

use palermo_core::audit::AuditEvent;
use palermo_core::{CountryCode, OrgCode, Timestamp};
use rusqlite::{Connection, OptionalExtension, params};

use crate::{NewHit, RecordKind, Result, StoreError};

/// Which spooled batch a replay records, once: the spool's own name and the batch's number.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Replay<'a> {
    pub node: &'a str,
    pub batch: i64,
}

/// A batch as it was spooled.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Spooled {
    pub batch: i64,
    pub events: Vec<AuditEvent>,
    pub hits: Vec<NewHit>,
}

/// A spool file (SQLite, `synchronous = FULL`).
pub struct Spool {
    connection: Mutex<Connection>,
    node: String,
}

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS spool_node (node TEXT NOT NULL) STRICT;
CREATE TABLE IF NOT EXISTS spooled_events (
    batch INTEGER NOT NULL,
    n INTEGER NOT NULL,
    at INTEGER NOT NULL,
    org TEXT NOT NULL,
    user TEXT,
    api_key_id INTEGER,
    source TEXT,
    action TEXT NOT NULL,
    target TEXT,
    outcome TEXT NOT NULL,
    justification TEXT,
    detail TEXT,
    payload TEXT,
    concerns TEXT NOT NULL,
    PRIMARY KEY (batch, n)
) STRICT;
CREATE TABLE IF NOT EXISTS spooled_hits (
    batch INTEGER NOT NULL,
    n INTEGER NOT NULL,
    at INTEGER NOT NULL,
    record_kind TEXT NOT NULL,
    record_id INTEGER NOT NULL,
    owner TEXT NOT NULL,
    checking_org TEXT NOT NULL,
    match_kind TEXT NOT NULL,
    query TEXT NOT NULL,
    due_at INTEGER NOT NULL,
    PRIMARY KEY (batch, n)
) STRICT;
-- AUTOINCREMENT: a batch number is never used twice, even once the spool is empty (the
-- database's marks would take a new batch for one replayed already).
CREATE TABLE IF NOT EXISTS spooled_batches (
    batch INTEGER PRIMARY KEY AUTOINCREMENT,
    events INTEGER NOT NULL
) STRICT;
";

impl Spool {
    /// Opens (or creates) the spool at `path`. A new spool names itself at random: the name
    /// marks its batches in the database.
    pub fn open(path: &Path) -> Result<Spool> {
        // Owner-only from the start (the entries hold what checks asked): SQLite gives its
        // journal files the database file's permissions.
        {
            use std::os::unix::fs::OpenOptionsExt;
            std::fs::OpenOptions::new()
                .create(true)
                .append(true)
                .mode(0o600)
                .open(path)
                .map_err(|error| StoreError::Backend {
                    backend: "spool",
                    detail: format!("cannot create {}: {error}", path.display()),
                })?;
        }
        let connection = Connection::open(path)?;
        connection.pragma_update(None, "journal_mode", "WAL")?;
        connection.pragma_update(None, "synchronous", "FULL")?;
        connection.execute_batch(SCHEMA)?;
        let node: Option<String> = connection
            .query_row("SELECT node FROM spool_node", [], |row| row.get(0))
            .optional()?;
        let node = match node {
            Some(node) => node,
            None => {
                let mut random = [0u8; 12];
                getrandom::fill(&mut random).map_err(|error| StoreError::Backend {
                    backend: "spool",
                    detail: format!("no randomness for the spool's name: {error}"),
                })?;
                let node: String = random.iter().map(|byte| format!("{byte:02x}")).collect();
                connection.execute("INSERT INTO spool_node (node) VALUES (?1)", [&node])?;
                node
            }
        };
        Ok(Spool {
            connection: Mutex::new(connection),
            node,
        })
    }

    /// The spool's name, which marks its replayed batches.
    pub fn node(&self) -> &str {
        &self.node
    }

    /// Keeps a batch, durably, after those already kept.
    pub fn push(&self, events: &[AuditEvent], hits: &[NewHit]) -> Result<i64> {
        let mut connection = self.connection.lock().expect("spool lock");
        let tx = connection.transaction()?;
        tx.execute(
            "INSERT INTO spooled_batches (events) VALUES (?1)",
            [events.len() as i64],
        )?;
        let batch = tx.last_insert_rowid();
        {
            let mut insert = tx.prepare_cached(
                "INSERT INTO spooled_events (batch, n, at, org, user, api_key_id, source, action,
                     target, outcome, justification, detail, payload, concerns)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)",
            )?;
            for (n, event) in events.iter().enumerate() {
                insert.execute(params![
                    batch,
                    n as i64,
                    event.at.0,
                    event.org,
                    event.user,
                    event.api_key_id,
                    event.source,
                    event.action,
                    event.target,
                    event.outcome,
                    event.justification,
                    event.detail,
                    event.payload,
                    event.concerns.join(" "),
                ])?;
            }
            let mut insert = tx.prepare_cached(
                "INSERT INTO spooled_hits (batch, n, at, record_kind, record_id, owner,
                     checking_org, match_kind, query, due_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
            )?;
            for (n, hit) in hits.iter().enumerate() {
                insert.execute(params![
                    batch,
                    n as i64,
                    hit.at.0,
                    hit.record_kind.as_str(),
                    hit.record_id,
                    hit.owner.as_str(),
                    hit.checking_org.as_str(),
                    hit.match_kind,
                    hit.query,
                    hit.due_at.0,
                ])?;
            }
        }
        tx.commit()?;
        Ok(batch)
    }

    /// The oldest batch kept, if any.
    pub fn oldest(&self) -> Result<Option<Spooled>> {
        let connection = self.connection.lock().expect("spool lock");
        let Some(batch) =
            connection.query_row("SELECT min(batch) FROM spooled_batches", [], |row| {
                row.get::<_, Option<i64>>(0)
            })?
        else {
            return Ok(None);
        };
        let mut statement = connection.prepare_cached(
            "SELECT at, org, user, api_key_id, source, action, target, outcome, justification,
                 detail, payload, concerns
             FROM spooled_events WHERE batch = ?1 ORDER BY n",
        )?;
        let events = statement
            .query_map([batch], |row| {
                let concerns: String = row.get(11)?;
                Ok(AuditEvent {
                    at: Timestamp(row.get(0)?),
                    org: row.get(1)?,
                    user: row.get(2)?,
                    api_key_id: row.get(3)?,
                    source: row.get(4)?,
                    action: row.get(5)?,
                    target: row.get(6)?,
                    outcome: row.get(7)?,
                    justification: row.get(8)?,
                    detail: row.get(9)?,
                    payload: row.get(10)?,
                    concerns: concerns.split_whitespace().map(str::to_owned).collect(),
                })
            })?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        let mut statement = connection.prepare_cached(
            "SELECT at, record_kind, record_id, owner, checking_org, match_kind, query, due_at
             FROM spooled_hits WHERE batch = ?1 ORDER BY n",
        )?;
        let mut rows = statement.query([batch])?;
        let mut hits = Vec::new();
        while let Some(row) = rows.next()? {
            let bad = |what: &str| StoreError::Corrupt(format!("spooled batch {batch}: {what}"));
            let kind: String = row.get(1)?;
            let owner: String = row.get(3)?;
            let checking: String = row.get(4)?;
            hits.push(NewHit {
                at: Timestamp(row.get(0)?),
                record_kind: RecordKind::parse(&kind).ok_or_else(|| bad("record kind"))?,
                record_id: row.get(2)?,
                owner: CountryCode::parse(&owner).ok_or_else(|| bad("owner"))?,
                checking_org: OrgCode::parse(&checking).map_err(|_| bad("checking org"))?,
                match_kind: row.get(5)?,
                query: row.get(6)?,
                due_at: Timestamp(row.get(7)?),
            });
        }
        Ok(Some(Spooled {
            batch,
            events,
            hits,
        }))
    }

    /// Forgets a batch once the database has it.
    pub fn remove(&self, batch: i64) -> Result<()> {
        let mut connection = self.connection.lock().expect("spool lock");
        let tx = connection.transaction()?;
        tx.execute("DELETE FROM spooled_events WHERE batch = ?1", [batch])?;
        tx.execute("DELETE FROM spooled_hits WHERE batch = ?1", [batch])?;
        tx.execute("DELETE FROM spooled_batches WHERE batch = ?1", [batch])?;
        tx.commit()?;
        Ok(())
    }

    /// How many audit entries wait in the spool.
    pub fn waiting(&self) -> Result<u64> {
        let connection = self.connection.lock().expect("spool lock");
        let count: i64 = connection.query_row(
            "SELECT coalesce(sum(events), 0) FROM spooled_batches",
            [],
            |row| row.get(0),
        )?;
        Ok(count as u64)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn event(n: i64) -> AuditEvent {
        AuditEvent {
            at: Timestamp(n),
            org: "DEU".into(),
            user: None,
            api_key_id: Some(7),
            source: Some("127.0.0.1".into()),
            action: "check.documents".into(),
            target: None,
            outcome: "no-hit".into(),
            justification: None,
            detail: Some("1 queries".into()),
            payload: Some(format!("{{\"number\":\"N{n}\"}}")),
            concerns: vec!["FRA".into(), "ITA".into()],
        }
    }

    #[test]
    fn batches_come_back_whole_in_order_and_survive_a_reopening() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("spool.db");
        let spool = Spool::open(&path).unwrap();
        let node = spool.node().to_owned();
        assert_eq!(node.len(), 24);
        assert_eq!(spool.oldest().unwrap(), None);
        let hit = NewHit {
            at: Timestamp(2),
            record_kind: RecordKind::Document,
            record_id: 42,
            owner: CountryCode::parse("FRA").unwrap(),
            checking_org: OrgCode::parse("DEU").unwrap(),
            match_kind: "exact".into(),
            query: "{}".into(),
            due_at: Timestamp(9),
        };
        let first = spool
            .push(&[event(1), event(2)], std::slice::from_ref(&hit))
            .unwrap();
        let second = spool.push(&[event(3)], &[]).unwrap();
        assert!(second > first);
        assert_eq!(spool.waiting().unwrap(), 3);
        drop(spool);

        let spool = Spool::open(&path).unwrap();
        assert_eq!(spool.node(), node, "a spool keeps its name");
        let oldest = spool.oldest().unwrap().unwrap();
        assert_eq!(
            oldest,
            Spooled {
                batch: first,
                events: vec![event(1), event(2)],
                hits: vec![hit],
            }
        );
        spool.remove(first).unwrap();
        assert_eq!(spool.oldest().unwrap().unwrap().events, [event(3)]);
        spool.remove(second).unwrap();
        assert_eq!(spool.oldest().unwrap(), None);
        assert_eq!(spool.waiting().unwrap(), 0);
        // Numbers are never reused, even once the spool is empty: the database's marks would
        // take a new batch for a replayed one.
        drop(spool);
        let spool = Spool::open(&path).unwrap();
        let third = spool.push(&[event(4)], &[]).unwrap();
        assert!(third > second, "{third}");
    }

    #[test]
    fn another_spool_has_another_name() {
        let dir = tempfile::tempdir().unwrap();
        let one = Spool::open(&dir.path().join("one.db")).unwrap();
        let two = Spool::open(&dir.path().join("two.db")).unwrap();
        assert_ne!(one.node(), two.node());
    }
}
