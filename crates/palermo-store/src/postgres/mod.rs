//! PostgreSQL, for hubs whose operators replicate, back up and fail over a database with the
//! tools they know. The same behaviour as SQLite (the conformance suite holds both to it);
//! what differs is how it is reached:
//!
//! - Several hub processes may share one database: every write transaction first takes the
//!   schema's advisory lock, then reads the audit chain's head, so entries are linked in one
//!   order whichever process writes.
//! - Connections are opened on demand and dropped when broken: a lost server is a refusal to
//!   retry ([`StoreError::Unreachable`]) until it is back, then the next call reconnects.
//! - A commit is durable when PostgreSQL says so (`synchronous_commit` as the server has it,
//!   `on` by default).
//! - The driver (`postgres`) blocks on a runtime of its own, which tokio forbids on an async
//!   worker thread: every call runs inside `tokio::task::block_in_place`, which hands the
//!   worker's tasks to another thread while it waits (outside a runtime it simply runs).
//! - Bulk imports stream the rows with `COPY … (FORMAT binary)`: into an empty table its owner
//!   loads, straight in (frozen, indexes built at the end); otherwise into a staging table,
//!   merged in one statement.

mod cases;
mod frontline;
mod messages;
mod notices;
mod security;
pub mod testing;

use std::sync::{Mutex, MutexGuard, OnceLock};

use palermo_core::audit::{AuditEntry, AuditEvent, Hash};
use palermo_core::date::format_date;
use palermo_core::{
    CountryCode, Document, DocumentStatus, DocumentType, OrgCode, Permissions, Person,
    RecordAccess, RecordMeta, Stored, Timestamp, Vehicle, VehicleStatus,
};
use postgres::binary_copy::BinaryCopyInWriter;
use postgres::error::SqlState;
use postgres::fallible_iterator::FallibleIterator;
use postgres::types::{ToSql, Type};
use postgres::{Client, Config, GenericClient, NoTls, Row, Transaction};
use sha2::Digest as _;

use crate::Replay;
use crate::columns::{
    ACCESS_JOINED, AccessScan, CountryScan, DOCUMENT_COLUMNS, META_COLUMNS, MetaRead, MetaText,
    PERSON_COLUMNS, VEHICLE_COLUMNS, corrupt, country, date, dump_sql, load_sql,
    refuse_unless_empty, written_columns,
};
use crate::{
    ApiKeyRow, AttachmentMeta, Attempt, AuditFilter, Counts, Delivery, DeliveryKind, Describe,
    Done, Guard, Hit, HitAnswer, HitParty, ImportCounts, Mailbox, NewHit, NewMessage, NoticeDecide,
    NoticeEvent, NoticeFilter, NoticeRow, Organisation, Receipt, RecordKind, Result, SignedHead,
    Store, StoreError, StoredMessage, StoredNotice, TableRow, UserRow, Value, Webhook, Written,
};

/// Versioned migrations; the table `palermo_migrations` records which have run.
const MIGRATIONS: &[&str] = &[
    include_str!("schema1.sql"),
    include_str!("schema2.sql"),
    include_str!("schema3.sql"),
    include_str!("schema4.sql"),
    include_str!("schema5.sql"),
    include_str!("schema6.sql"),
    include_str!("schema7.sql"),
    include_str!("schema8.sql"),
];
/// The advisory lock every write transaction takes: one per schema ("PLRM" in ASCII and the
/// schema's hash), so that the hubs of one schema write in one order and hubs in different
/// schemas of one database (tests, several hubs on one server) never wait for each other.
const WRITE_LOCK: &str =
    "SELECT pg_advisory_xact_lock(1347179085, hashtext(coalesce(current_schema(), '')))";
/// Readers kept open between calls.
const READERS_IDLE_MAX: usize = 8;
const REFERENCE_TAKEN: &str = "another record of this owner has that external reference";

/// The audit chain's last entry: its sequence number and hash.
type Head = Option<(i64, Hash)>;

type Param<'a> = &'a (dyn ToSql + Sync);

pub struct PostgresStore {
    config: Config,
    writer: Mutex<Option<Client>>,
    readers: Mutex<Vec<Client>>,
}

/// PostgreSQL's errors in the store's terms: a lock not granted in time, a deadlock or a
/// serialization failure is the database being busy; a server out of reach, starting,
/// shutting down or read-only (a standby after a failover) is unreachable; both are refusals
/// to retry. Anything else is a failure whose detail goes to the log.
impl From<postgres::Error> for StoreError {
    fn from(error: postgres::Error) -> StoreError {
        const BUSY: [SqlState; 3] = [
            SqlState::T_R_SERIALIZATION_FAILURE,
            SqlState::T_R_DEADLOCK_DETECTED,
            SqlState::LOCK_NOT_AVAILABLE,
        ];
        const UNREACHABLE: [SqlState; 5] = [
            SqlState::ADMIN_SHUTDOWN,
            SqlState::CRASH_SHUTDOWN,
            SqlState::CANNOT_CONNECT_NOW,
            SqlState::TOO_MANY_CONNECTIONS,
            SqlState::READ_ONLY_SQL_TRANSACTION,
        ];
        match error.code() {
            Some(code) if BUSY.contains(code) => {
                StoreError::Unavailable("the database is busy; try again shortly".into())
            }
            Some(code) if code.code().starts_with("08") || UNREACHABLE.contains(code) => {
                StoreError::Unreachable(describe(&error))
            }
            None if error.is_closed()
                || std::error::Error::source(&error)
                    .is_some_and(|source| source.is::<std::io::Error>()) =>
            {
                StoreError::Unreachable(describe(&error))
            }
            _ => StoreError::Backend {
                backend: "postgresql",
                detail: describe(&error),
            },
        }
    }
}

/// The server's message (with its SQLSTATE, detail and hint) or the driver's error and its
/// causes: `postgres::Error` alone displays as little as "db error".
fn describe(error: &postgres::Error) -> String {
    if let Some(db) = error.as_db_error() {
        let mut text = format!("{} ({})", db, db.code().code());
        if let Some(detail) = db.detail() {
            text.push_str(&format!("; {detail}"));
        }
        if let Some(hint) = db.hint() {
            text.push_str(&format!("; hint: {hint}"));
        }
        return text;
    }
    let mut text = error.to_string();
    let mut source = std::error::Error::source(error);
    while let Some(cause) = source {
        text.push_str(&format!(": {cause}"));
        source = cause.source();
    }
    text
}

pub(super) fn is_unique_violation(error: &postgres::Error) -> bool {
    error.code() == Some(&SqlState::UNIQUE_VIOLATION)
}

/// A connection failure, said so that an operator knows what to do.
fn unreachable(config: &Config, error: postgres::Error) -> StoreError {
    let hosts: Vec<String> = config
        .get_hosts()
        .iter()
        .map(|host| match host {
            postgres::config::Host::Tcp(name) => name.clone(),
            postgres::config::Host::Unix(path) => path.display().to_string(),
        })
        .collect();
    let cause = match std::error::Error::source(&error) {
        Some(source) => source.to_string(),
        None => error.to_string(),
    };
    StoreError::Unreachable(format!(
        "cannot reach PostgreSQL at {} (port {:?}, database {:?}, user {:?}): {cause}",
        hosts.join(","),
        config.get_ports(),
        config.get_dbname().unwrap_or("(default)"),
        config.get_user().unwrap_or("(default)"),
    ))
}

fn parse(url: &str) -> Result<Config> {
    url.parse().map_err(|error| {
        StoreError::Conflict(format!(
            "not a PostgreSQL connection string ({error}); expected \
             postgres://USER@HOST[:PORT]/DATABASE or \"host=… dbname=…\""
        ))
    })
}

/// Waits for a lock as long as SQLite's store waits for its database, then refuses (503).
const LOCK_TIMEOUT: &str = "5s";

fn connect(config: &Config) -> Result<Client> {
    let mut client = config.connect(NoTls).map_err(|e| unreachable(config, e))?;
    client.batch_execute(&format!("SET lock_timeout = '{LOCK_TIMEOUT}'"))?;
    Ok(client)
}

fn read_meta(
    row: &Row,
    id: i64,
    first: usize,
) -> Result<(RecordMeta, Timestamp, Timestamp, Option<Timestamp>)> {
    let meta = MetaRead {
        owner: row.try_get(first)?,
        external_ref: row.try_get(first + 1)?,
        reported_date: row.try_get(first + 2)?,
        review_date: row.try_get(first + 3)?,
        restriction: row.try_get(first + 4)?,
        restriction_countries: row.try_get(first + 5)?,
        handling: row.try_get(first + 6)?,
        handling_note: row.try_get(first + 7)?,
    }
    .parse(id)?;
    Ok((
        meta,
        Timestamp(row.try_get(first + 8)?),
        Timestamp(row.try_get(first + 9)?),
        row.try_get::<_, Option<i64>>(first + 10)?.map(Timestamp),
    ))
}

fn stored<T>(id: i64, record: T, times: (Timestamp, Timestamp, Option<Timestamp>)) -> Stored<T> {
    Stored {
        id,
        record,
        created_at: times.0,
        updated_at: times.1,
        withdrawn_at: times.2,
    }
}

/// One record kind's SQL: how to read and write it.
trait Table: crate::Kind {
    const TABLE: &'static str;
    const OWN_COLUMNS: &'static str;
    fn read(row: &Row) -> Result<Stored<Self>>;
    fn sql() -> &'static TableSql;
    /// Calls `bind` with the kind's own columns (without id) followed by the written meta
    /// columns, in [`written_columns`] order.
    fn with_values<R>(&self, bind: impl FnOnce(&[Param<'_>]) -> R) -> R;
}

/// Calls `bind` with the written meta columns of `meta` after `own`.
fn with_meta<R>(own: &[Param<'_>], meta: &RecordMeta, bind: impl FnOnce(&[Param<'_>]) -> R) -> R {
    let text = MetaText::of(meta);
    let mut values: Vec<Param<'_>> = Vec::with_capacity(own.len() + 8);
    values.extend_from_slice(own);
    values.extend_from_slice(&[
        &text.owner,
        &text.external_ref,
        &text.reported_date,
        &text.review_date,
        &text.restriction,
        &text.restriction_countries,
        &text.handling,
        &text.handling_note,
    ]);
    bind(&values)
}

impl Table for Document {
    const TABLE: &'static str = "documents";
    const OWN_COLUMNS: &'static str = DOCUMENT_COLUMNS;

    fn read(row: &Row) -> Result<Stored<Self>> {
        let id: i64 = row.try_get(0)?;
        let issuing: &str = row.try_get(3)?;
        let document_type: &str = row.try_get(4)?;
        let status: &str = row.try_get(5)?;
        let birth: Option<&str> = row.try_get(7)?;
        let (meta, created, updated, withdrawn) = read_meta(row, id, 8)?;
        let record = Document {
            number: row.try_get(1)?,
            number_normalised: row.try_get(2)?,
            issuing_country: country(id, issuing)?,
            document_type: DocumentType::parse_name(document_type)
                .ok_or_else(|| corrupt("document type", id, document_type))?,
            status: DocumentStatus::parse_name(status)
                .ok_or_else(|| corrupt("status", id, status))?,
            holder_name: row.try_get(6)?,
            holder_birth_date: birth.map(|text| date(id, text)).transpose()?,
            meta,
        };
        Ok(stored(id, record, (created, updated, withdrawn)))
    }

    fn sql() -> &'static TableSql {
        static SQL: OnceLock<TableSql> = OnceLock::new();
        SQL.get_or_init(TableSql::build::<Self>)
    }

    fn with_values<R>(&self, bind: impl FnOnce(&[Param<'_>]) -> R) -> R {
        let birth = self.holder_birth_date.map(format_date);
        with_meta(
            &[
                &self.number,
                &self.number_normalised,
                &self.issuing_country.as_str(),
                &self.document_type.as_str(),
                &self.status.as_str(),
                &self.holder_name,
                &birth,
            ],
            &self.meta,
            bind,
        )
    }
}

impl Table for Vehicle {
    const TABLE: &'static str = "vehicles";
    const OWN_COLUMNS: &'static str = VEHICLE_COLUMNS;

    fn read(row: &Row) -> Result<Stored<Self>> {
        let id: i64 = row.try_get(0)?;
        let plate_country: Option<&str> = row.try_get(3)?;
        let status: &str = row.try_get(8)?;
        let (meta, created, updated, withdrawn) = read_meta(row, id, 9)?;
        let record = Vehicle {
            vin: row.try_get(1)?,
            plate: row.try_get(2)?,
            plate_country: plate_country.map(|text| country(id, text)).transpose()?,
            make: row.try_get(4)?,
            model: row.try_get(5)?,
            colour: row.try_get(6)?,
            year: row.try_get(7)?,
            status: VehicleStatus::parse_name(status)
                .ok_or_else(|| corrupt("status", id, status))?,
            meta,
        };
        Ok(stored(id, record, (created, updated, withdrawn)))
    }

    fn sql() -> &'static TableSql {
        static SQL: OnceLock<TableSql> = OnceLock::new();
        SQL.get_or_init(TableSql::build::<Self>)
    }

    fn with_values<R>(&self, bind: impl FnOnce(&[Param<'_>]) -> R) -> R {
        let plate_country = self.plate_country.map(CountryCode::as_str);
        with_meta(
            &[
                &self.vin,
                &self.plate,
                &plate_country,
                &self.make,
                &self.model,
                &self.colour,
                &self.year,
                &self.status.as_str(),
            ],
            &self.meta,
            bind,
        )
    }
}

impl Table for Person {
    const TABLE: &'static str = "persons";
    const OWN_COLUMNS: &'static str = PERSON_COLUMNS;

    fn read(row: &Row) -> Result<Stored<Self>> {
        let id: i64 = row.try_get(0)?;
        let body: &str = row.try_get(1)?;
        let (meta, created, updated, withdrawn) = read_meta(row, id, 2)?;
        let record = Person::from_body(body, meta).map_err(|e| corrupt("person", id, &e))?;
        Ok(stored(id, record, (created, updated, withdrawn)))
    }

    fn sql() -> &'static TableSql {
        static SQL: OnceLock<TableSql> = OnceLock::new();
        SQL.get_or_init(TableSql::build::<Self>)
    }

    fn with_values<R>(&self, bind: impl FnOnce(&[Param<'_>]) -> R) -> R {
        with_meta(&[&self.body_json()], &self.meta, bind)
    }
}

/// A kind's statements, built once per process (see [`Table::sql`]).
struct TableSql {
    columns: String,
    /// How many columns a write binds (before the timestamp and, for updates, the id).
    written: usize,
    select_by_id: String,
    select_id_by_ref: String,
    insert: String,
    update: String,
    withdraw: String,
    /// The import's merge of the staging table into the kind's table.
    merge: String,
    /// After a load straight into an empty table: deletes all but the last row of each
    /// repeated reference.
    drop_repeated: String,
}

impl TableSql {
    fn build<T: Table>() -> TableSql {
        let columns = written_columns(T::OWN_COLUMNS);
        let n = columns.len();
        let placeholders: Vec<String> = (1..=n).map(|i| format!("${i}")).collect();
        let assignments: Vec<String> = columns
            .iter()
            .enumerate()
            .map(|(i, column)| format!("{column} = ${}", i + 1))
            .collect();
        let from_excluded: Vec<String> = columns
            .iter()
            .map(|column| format!("{column} = excluded.{column}"))
            .collect();
        let list = columns.join(", ");
        let table = T::TABLE;
        TableSql {
            written: n,
            select_by_id: format!(
                "SELECT {}, {META_COLUMNS} FROM {table} WHERE id = $1",
                T::OWN_COLUMNS
            ),
            select_id_by_ref: format!(
                "SELECT id FROM {table} WHERE owner = $1 AND external_ref = $2"
            ),
            insert: format!(
                "INSERT INTO {table} ({list}, created_at, updated_at)
                 VALUES ({}, ${at}, ${at}) RETURNING id",
                placeholders.join(", "),
                at = n + 1
            ),
            update: format!(
                "UPDATE {table} SET {}, updated_at = ${}, withdrawn_at = NULL WHERE id = ${}",
                assignments.join(", "),
                n + 1,
                n + 2
            ),
            withdraw: format!(
                "UPDATE {table} SET withdrawn_at = $1, updated_at = $1 WHERE id = $2"
            ),
            // The last row of each reference wins (as if the rows were written one by one);
            // ids follow the input's order.
            merge: format!(
                "WITH merged AS (
                     INSERT INTO {table} ({list}, created_at, updated_at)
                     SELECT {list}, $1, $1 FROM (
                         SELECT * FROM (
                             SELECT DISTINCT ON (owner, external_ref) * FROM palermo_import
                             WHERE external_ref IS NOT NULL
                             ORDER BY owner, external_ref, n DESC
                         ) AS referenced
                         UNION ALL
                         SELECT * FROM palermo_import WHERE external_ref IS NULL
                     ) AS latest
                     ORDER BY n
                     ON CONFLICT (owner, external_ref) WHERE external_ref IS NOT NULL
                     DO UPDATE SET {}, updated_at = excluded.updated_at, withdrawn_at = NULL
                     RETURNING (xmax = 0) AS inserted
                 )
                 SELECT count(*) FILTER (WHERE inserted) FROM merged",
                from_excluded.join(", ")
            ),
            drop_repeated: format!(
                "DELETE FROM {table} WHERE id IN (
                     SELECT id FROM (
                         SELECT id, row_number() OVER (
                             PARTITION BY owner, external_ref ORDER BY id DESC
                         ) AS later
                         FROM {table} WHERE external_ref IS NOT NULL
                     ) AS numbered WHERE later > 1
                 )"
            ),
            columns: list,
        }
    }
}

fn get<T: Table>(client: &mut impl GenericClient, id: i64) -> Result<Option<Stored<T>>> {
    client
        .query_opt(&T::sql().select_by_id, &[&id])?
        .map(|row| T::read(&row))
        .transpose()
}

fn insert<T: Table>(tx: &mut Transaction<'_>, record: &T, at: Timestamp) -> Result<i64> {
    let sql = T::sql();
    let row = record.with_values(|values| {
        let mut params = values.to_vec();
        params.push(&at.0);
        tx.query_one(&sql.insert, &params)
    });
    match row {
        Ok(row) => Ok(row.try_get(0)?),
        Err(error) if is_unique_violation(&error) => {
            Err(StoreError::Conflict(REFERENCE_TAKEN.into()))
        }
        Err(error) => Err(error.into()),
    }
}

fn replace<T: Table>(tx: &mut Transaction<'_>, id: i64, record: &T, at: Timestamp) -> Result<()> {
    let sql = T::sql();
    let done = record.with_values(|values| {
        let mut params = values.to_vec();
        params.push(&at.0);
        params.push(&id);
        tx.execute(&sql.update, &params)
    });
    match done {
        Ok(_) => Ok(()),
        Err(error) if is_unique_violation(&error) => {
            Err(StoreError::Conflict(REFERENCE_TAKEN.into()))
        }
        Err(error) => Err(error.into()),
    }
}

/// Inserts `record`, or updates the row with the same owner and external reference, reading
/// the replaced row first (the hub needs it to update its index).
fn put<T: Table>(tx: &mut Transaction<'_>, record: &T, at: Timestamp) -> Result<Written<T>> {
    let meta = record.meta();
    let previous = match &meta.external_ref {
        Some(external_ref) => {
            let id = tx
                .query_opt(
                    &T::sql().select_id_by_ref,
                    &[&meta.owner.as_str(), external_ref],
                )?
                .map(|row| row.try_get::<_, i64>(0))
                .transpose()?;
            match id {
                Some(id) => get::<T>(tx, id)?,
                None => None,
            }
        }
        None => None,
    };
    let id = match &previous {
        Some(previous) => {
            replace(tx, previous.id, record, at)?;
            previous.id
        }
        None => insert(tx, record, at)?,
    };
    Ok(Written { id, previous })
}

impl PostgresStore {
    /// Connects to the database at `url` (`postgres://user@host/db`, or key-value pairs such
    /// as `host=/run/postgresql dbname=palermo`) and runs pending migrations.
    pub fn open(url: &str) -> Result<PostgresStore> {
        PostgresStore::with_config(parse(url)?)
    }

    /// Applies the migrations at `url` (as the schema's owner) and, with `hub_role`, grants
    /// that role what a hub needs and nothing more (see [`grant_hub_role`]).
    pub fn migrate(url: &str, hub_role: Option<&str>) -> Result<()> {
        let config = parse(url)?;
        tokio::task::block_in_place(|| {
            let mut client = connect(&config)?;
            migrate(&mut client)?;
            if let Some(role) = hub_role {
                grant_hub_role(&mut client, role)?;
            }
            Ok(())
        })
    }

    pub fn with_config(config: Config) -> Result<PostgresStore> {
        let client = tokio::task::block_in_place(|| {
            let mut client = connect(&config)?;
            migrate(&mut client)?;
            Ok::<_, StoreError>(client)
        })?;
        Ok(PostgresStore {
            config,
            writer: Mutex::new(Some(client)),
            readers: Mutex::new(Vec::new()),
        })
    }

    fn connect(&self) -> Result<Client> {
        connect(&self.config)
    }

    fn read<T>(&self, work: impl FnOnce(&mut Client) -> Result<T>) -> Result<T> {
        tokio::task::block_in_place(|| self.read_here(work))
    }

    fn read_here<T>(&self, work: impl FnOnce(&mut Client) -> Result<T>) -> Result<T> {
        let pooled = self.readers.lock().expect("reader pool lock").pop();
        let mut client = match pooled {
            Some(client) if !client.is_closed() => client,
            _ => self.connect()?,
        };
        let result = work(&mut client);
        if !client.is_closed() {
            let mut readers = self.readers.lock().expect("reader pool lock");
            if readers.len() < READERS_IDLE_MAX {
                readers.push(client);
            }
        }
        result
    }

    /// The writer's connection, reconnected if it was lost.
    fn writer(&self) -> Result<MutexGuard<'_, Option<Client>>> {
        let mut writer = self.writer.lock().expect("writer lock");
        if writer.as_ref().is_none_or(Client::is_closed) {
            *writer = None;
            *writer = Some(self.connect()?);
        }
        Ok(writer)
    }

    /// Runs `work` in one transaction holding the write lock, given the chain's head; `work`
    /// commits (or not, to roll back).
    fn transaction<T>(&self, work: impl FnOnce(Transaction<'_>, Head) -> Result<T>) -> Result<T> {
        tokio::task::block_in_place(|| self.transaction_here(work))
    }

    fn transaction_here<T>(
        &self,
        work: impl FnOnce(Transaction<'_>, Head) -> Result<T>,
    ) -> Result<T> {
        let mut writer = self.writer()?;
        let client = writer.as_mut().expect("connected");
        let result = (|| {
            let mut tx = client.transaction()?;
            let head = lock_and_read_head(&mut tx)?;
            work(tx, head)
        })();
        if writer.as_ref().is_some_and(Client::is_closed) {
            *writer = None;
        }
        result
    }

    /// Runs `work` in one transaction with `audit` appended to the trail in it.
    fn write<T>(
        &self,
        audit: &[AuditEvent],
        work: impl FnOnce(&mut Transaction<'_>) -> Result<T>,
    ) -> Result<T> {
        self.write_targeted(audit, |tx| Ok((work(tx)?, None)))
    }

    /// As [`Self::write`], but `work` may find nothing to do (`None`): then nothing is
    /// written, `audit` neither.
    fn write_maybe<T>(
        &self,
        audit: &[AuditEvent],
        work: impl FnOnce(&mut Transaction<'_>) -> Result<Option<T>>,
    ) -> Result<Option<T>> {
        self.transaction(|mut tx, head| {
            let Some(result) = work(&mut tx)? else {
                return Ok(None);
            };
            security::append_audit(&mut tx, head, audit)?;
            tx.commit()?;
            Ok(Some(result))
        })
    }

    /// As [`Self::write`], but `work` may return the audit entry to append instead, once it
    /// knows what it wrote.
    fn write_targeted<T>(
        &self,
        audit: &[AuditEvent],
        work: impl FnOnce(&mut Transaction<'_>) -> Result<(T, Option<AuditEvent>)>,
    ) -> Result<T> {
        self.transaction(|mut tx, head| {
            let (result, targeted) = work(&mut tx)?;
            let events = match &targeted {
                Some(event) => std::slice::from_ref(event),
                None => audit,
            };
            security::append_audit(&mut tx, head, events)?;
            tx.commit()?;
            Ok(result)
        })
    }

    fn write_all<T: Table>(
        &self,
        records: &[T],
        at: Timestamp,
        audit: &Describe<'_>,
    ) -> Result<Vec<Written<T>>> {
        self.write_targeted(&[], |tx| {
            let written: Vec<Written<T>> = records
                .iter()
                .map(|record| put(tx, record, at))
                .collect::<Result<_>>()?;
            let ids: Vec<i64> = written.iter().map(|w| w.id).collect();
            Ok((written, Some(audit(Done::Ids(&ids)))))
        })
    }

    fn import<T: Table>(
        &self,
        records: &mut dyn Iterator<Item = T>,
        at: Timestamp,
        commit: &dyn Fn() -> bool,
        audit: &Describe<'_>,
    ) -> Result<Option<ImportCounts>> {
        self.transaction(|mut tx, head| {
            // Sorts, hashes and index builds of millions of rows stay in memory.
            tx.batch_execute(
                "SET LOCAL work_mem = '256MB'; SET LOCAL maintenance_work_mem = '1GB'",
            )?;
            let (rows, inserted) = if is_empty::<T>(&mut tx)? {
                if owns::<T>(&mut tx)? {
                    load_as_owner::<T>(&mut tx, records, at)?
                } else {
                    load_until_repeated::<T>(&mut tx, records, at)?
                }
            } else {
                merge_through_staging::<T>(&mut tx, records, at)?
            };
            if !commit() {
                // Dropping the transaction rolls it back.
                return Ok(None);
            }
            let counts = ImportCounts {
                inserted: inserted as u64,
                updated: (rows - inserted) as u64,
            };
            security::append_audit(&mut tx, head, &[audit(Done::Imported(counts))])?;
            tx.commit()?;
            Ok(Some(counts))
        })
    }

    fn update<T: Table>(
        &self,
        id: i64,
        record: &T,
        at: Timestamp,
        allow: &Guard<'_, T>,
        audit: &AuditEvent,
    ) -> Result<Option<Written<T>>> {
        self.write_targeted(&[], |tx| {
            let Some(previous) = get::<T>(tx, id)?.filter(|stored| allow(stored)) else {
                return Ok((None, None));
            };
            replace(tx, id, record, at)?;
            let written = Written {
                id,
                previous: Some(previous),
            };
            Ok((Some(written), Some(audit.clone())))
        })
    }

    fn withdraw<T: Table>(
        &self,
        id: i64,
        at: Timestamp,
        allow: &Guard<'_, T>,
        audit: &AuditEvent,
    ) -> Result<Option<Stored<T>>> {
        self.write_targeted(&[], |tx| {
            let active = get::<T>(tx, id)?.filter(|stored| stored.withdrawn_at.is_none());
            let Some(previous) = active.filter(|stored| allow(stored)) else {
                return Ok((None, None));
            };
            tx.execute(&T::sql().withdraw, &[&at.0, &id])?;
            Ok((Some(previous), Some(audit.clone())))
        })
    }

    /// Streams the rows of `sql` to `visit` without holding them all.
    fn scan(&self, sql: &str, visit: &mut dyn FnMut(&Row) -> Result<()>) -> Result<()> {
        self.read(|client| {
            let mut rows = client.query_raw(sql, std::iter::empty::<Param<'_>>())?;
            while let Some(row) = rows.next()? {
                visit(&row)?;
            }
            Ok(())
        })
    }
}

/// Takes the write lock and reads the chain's head, in one round trip (the simple query
/// protocol: two statements, text results). Every write transaction begins so.
fn lock_and_read_head(tx: &mut Transaction<'_>) -> Result<Head> {
    let messages = tx.simple_query(&format!(
        "{WRITE_LOCK};
         SELECT seq, encode(hash, 'hex') FROM audit ORDER BY seq DESC LIMIT 1"
    ))?;
    for message in messages {
        if let postgres::SimpleQueryMessage::Row(row) = message
            && row.columns().len() == 2
        {
            let corrupt_head = || StoreError::Corrupt("the audit chain's head".into());
            let seq: i64 = row
                .get(0)
                .and_then(|text| text.parse().ok())
                .ok_or_else(corrupt_head)?;
            let text = row.get(1).ok_or_else(corrupt_head)?;
            let mut hash = [0u8; 32];
            if text.len() != 64 {
                return Err(corrupt_head());
            }
            for (i, byte) in hash.iter_mut().enumerate() {
                *byte =
                    u8::from_str_radix(&text[2 * i..2 * i + 2], 16).map_err(|_| corrupt_head())?;
            }
            return Ok(Some((seq, hash)));
        }
    }
    Ok(None)
}

/// Streams `records` with binary `COPY` into `table`'s `columns` (a row's number first when
/// `numbered`, then the kind's written columns, then `tail`); returns how many went.
fn copy_records<T: Table>(
    tx: &mut Transaction<'_>,
    records: &mut dyn Iterator<Item = T>,
    copy: &str,
    types: &[Type],
    numbered: bool,
    tail: &[Param<'_>],
) -> Result<i64> {
    let sql = T::sql();
    let mut rows = 0i64;
    let sink = tx.copy_in(copy)?;
    let mut writer = BinaryCopyInWriter::new(sink, types);
    for record in records {
        rows += 1;
        record.with_values(|values| {
            let mut row: Vec<Param<'_>> = Vec::with_capacity(sql.written + 1 + tail.len());
            if numbered {
                row.push(&rows);
            }
            row.extend_from_slice(values);
            row.extend_from_slice(tail);
            writer.write(&row)
        })?;
    }
    writer.finish()?;
    Ok(rows)
}

/// The column types of `select`'s result, for a binary `COPY` of those columns.
fn column_types(tx: &mut Transaction<'_>, select: &str) -> Result<Vec<Type>> {
    Ok(tx
        .prepare(select)?
        .columns()
        .iter()
        .map(|column| column.type_().clone())
        .collect())
}

/// The general import: the rows go into a staging table, then into the kind's table in one
/// statement, the last row of a reference updating the record that has it. Returns the rows
/// read and the records inserted.
fn merge_through_staging<T: Table>(
    tx: &mut Transaction<'_>,
    records: &mut dyn Iterator<Item = T>,
    at: Timestamp,
) -> Result<(i64, i64)> {
    let sql = T::sql();
    let table = T::TABLE;
    tx.batch_execute(&format!(
        "CREATE TEMP TABLE palermo_import ON COMMIT DROP AS
         SELECT 0::BIGINT AS n, {} FROM {table} WITH NO DATA",
        sql.columns
    ))?;
    let types = column_types(
        tx,
        &format!("SELECT n, {} FROM palermo_import", sql.columns),
    )?;
    let copy = format!(
        "COPY palermo_import (n, {}) FROM STDIN (FORMAT binary)",
        sql.columns
    );
    let rows = copy_records(tx, records, &copy, &types, true, &[])?;
    let inserted: i64 = tx.query_one(&sql.merge, &[&at.0])?.try_get(0)?;
    Ok((rows, inserted))
}

/// Streams `records` with binary `COPY` straight into the kind's table, written at `at`
/// (frozen when the table was truncated in this transaction); returns how many went.
fn copy_straight_in<T: Table>(
    tx: &mut Transaction<'_>,
    records: &mut dyn Iterator<Item = T>,
    at: Timestamp,
    frozen: bool,
) -> Result<i64> {
    let table = T::TABLE;
    let columns = format!("{}, created_at, updated_at", T::sql().columns);
    let types = column_types(tx, &format!("SELECT {columns} FROM {table}"))?;
    let copy = format!(
        "COPY {table} ({columns}) FROM STDIN (FORMAT binary{})",
        if frozen { ", FREEZE" } else { "" }
    );
    copy_records(tx, records, &copy, &types, false, &[&at.0, &at.0])
}

/// Whether the connected role owns the kind's table (may truncate it, drop and build its
/// indexes).
fn owns<T: Table>(tx: &mut Transaction<'_>) -> Result<bool> {
    Ok(tx
        .query_one(
            "SELECT pg_has_role(relowner, 'USAGE') FROM pg_class WHERE oid = $1::text::regclass",
            &[&T::TABLE],
        )?
        .try_get(0)?)
}

/// The bulk load of an empty table by the role that owns it (the operator's initial load),
/// at the speed of `COPY`: the table is truncated (it is empty; this lets the rows be written
/// frozen and visible to all, so the first scan rewrites no page and the start-up can read
/// the covering index alone), its indexes other than the primary key are dropped, the rows
/// copied straight in and the indexes built once at the end. A file that repeats a reference
/// shows when the unique index is built: then the earlier rows of each repeated reference are
/// deleted (the last row wins, as if the rows were written one by one) and the index built
/// again. Returns the rows read and the records inserted.
fn load_as_owner<T: Table>(
    tx: &mut Transaction<'_>,
    records: &mut dyn Iterator<Item = T>,
    at: Timestamp,
) -> Result<(i64, i64)> {
    let sql = T::sql();
    let table = T::TABLE;
    // Another table's foreign key may forbid the truncation (persons): then the rows are
    // loaded without freezing.
    let frozen = {
        let mut savepoint = tx.savepoint("palermo_truncate")?;
        match savepoint.batch_execute(&format!("TRUNCATE {table}")) {
            Ok(()) => {
                savepoint.commit()?;
                true
            }
            Err(e) if e.code() == Some(&SqlState::FEATURE_NOT_SUPPORTED) => {
                savepoint.rollback()?;
                false
            }
            Err(e) => return Err(e.into()),
        }
    };
    let mut indexes: Vec<(String, bool)> = Vec::new();
    let found = tx.query(
        "SELECT c.relname, pg_get_indexdef(i.indexrelid), i.indisunique
         FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
         WHERE i.indrelid = $1::text::regclass
             AND NOT EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conindid = i.indexrelid)",
        &[&table],
    )?;
    for row in found {
        let name: String = row.try_get(0)?;
        tx.batch_execute(&format!("DROP INDEX {name}"))?;
        indexes.push((row.try_get(1)?, row.try_get(2)?));
    }
    let rows = copy_straight_in(tx, records, at, frozen)?;
    let mut repeated = 0i64;
    for (create, _) in indexes.iter().filter(|(_, unique)| *unique) {
        let mut savepoint = tx.savepoint("palermo_unique")?;
        match savepoint.batch_execute(create) {
            Ok(()) => savepoint.commit()?,
            Err(e) if e.code() == Some(&SqlState::UNIQUE_VIOLATION) => {
                savepoint.rollback()?;
                repeated += tx.execute(&sql.drop_repeated, &[])? as i64;
                tx.batch_execute(create)?;
            }
            Err(e) => return Err(e.into()),
        }
    }
    for (create, _) in indexes.iter().filter(|(_, unique)| !*unique) {
        tx.batch_execute(create)?;
    }
    // Statistics now, not when autovacuum comes round: without them the planner takes the
    // start-up scan of millions of rows for a few thousand and reads them through an index
    // (a cold start of 10 M documents took 17.5 s in that scan instead of 8.8 s).
    tx.batch_execute(&format!("ANALYZE {table}"))?;
    Ok((rows, rows - repeated))
}

/// The bulk load of an empty table by a role that does not own it (indexes stay): the rows
/// go straight in until one repeats a reference of the file (a set of the references' hashes
/// tells, about 16 bytes a row in memory while the import runs); that row and the rest then
/// take [`merge_through_staging`], so the last row of a reference still wins. Returns the rows
/// read and the records inserted.
fn load_until_repeated<T: Table>(
    tx: &mut Transaction<'_>,
    records: &mut dyn Iterator<Item = T>,
    at: Timestamp,
) -> Result<(i64, i64)> {
    let hasher = std::collections::hash_map::RandomState::new();
    let mut seen = std::collections::HashSet::<u64>::new();
    let mut repeated: Option<T> = None;
    let mut until_repeated = std::iter::from_fn(|| {
        let record = records.next()?;
        let meta = record.meta();
        if let Some(reference) = &meta.external_ref {
            let key = std::hash::BuildHasher::hash_one(&hasher, (meta.owner.as_str(), reference));
            if !seen.insert(key) {
                repeated = Some(record);
                return None;
            }
        }
        Some(record)
    });
    let direct = copy_straight_in(tx, &mut until_repeated, at, false)?;
    drop(seen);
    let (merged, inserted) = match repeated {
        Some(first) => merge_through_staging(tx, &mut std::iter::once(first).chain(records), at)?,
        None => (0, 0),
    };
    Ok((direct + merged, direct + inserted))
}

fn is_empty<T: Table>(tx: &mut Transaction<'_>) -> Result<bool> {
    let sql = format!("SELECT NOT EXISTS (SELECT 1 FROM {})", T::TABLE);
    Ok(tx.query_one(&sql, &[])?.try_get(0)?)
}

/// Applies the migrations this build knows and the database has not run, all in one
/// transaction under the write lock (two hubs starting at once migrate once; a failed
/// migration leaves nothing behind). A database already current needs no right to change
/// the schema: a hub connected as a role that owns nothing starts on it.
fn migrate(client: &mut Client) -> Result<()> {
    let mut tx = client.transaction()?;
    tx.batch_execute(WRITE_LOCK)?;
    let tracked: bool = tx
        .query_one("SELECT to_regclass('palermo_migrations') IS NOT NULL", &[])?
        .try_get(0)?;
    let applied: i32 = if tracked {
        tx.query_one(
            "SELECT coalesce(max(version), 0) FROM palermo_migrations",
            &[],
        )?
        .try_get(0)?
    } else {
        0
    };
    if applied as usize > MIGRATIONS.len() {
        return Err(StoreError::Corrupt(format!(
            "database schema version {applied} is newer than this build knows ({}): \
             run a newer palermo",
            MIGRATIONS.len()
        )));
    }
    if applied as usize == MIGRATIONS.len() {
        return Ok(());
    }
    let steps = (|| -> std::result::Result<(), postgres::Error> {
        tx.batch_execute(
            "CREATE TABLE IF NOT EXISTS palermo_migrations (
                 version INTEGER PRIMARY KEY,
                 applied_at TIMESTAMPTZ NOT NULL DEFAULT now()
             )",
        )?;
        for (version, sql) in MIGRATIONS.iter().enumerate().skip(applied as usize) {
            tx.batch_execute(sql)?;
            tx.execute(
                "INSERT INTO palermo_migrations (version) VALUES ($1)",
                &[&(version as i32 + 1)],
            )?;
        }
        Ok(())
    })();
    match steps {
        Ok(()) => {}
        // No right to create in the schema, or no right even to see it.
        Err(error)
            if error.code() == Some(&SqlState::INSUFFICIENT_PRIVILEGE)
                || error.code() == Some(&SqlState::INVALID_SCHEMA_NAME) =>
        {
            return Err(StoreError::Conflict(format!(
                "the database is at schema version {applied} and this build needs {}, but \
                 this role may not change the schema ({}): run `palermo migrate --database \
                 URL` as the schema's owner",
                MIGRATIONS.len(),
                describe(&error)
            )));
        }
        Err(error) => return Err(error.into()),
    }
    tx.commit()?;
    Ok(())
}

/// Lets `role` run a hub on the current schema and no more: read and write the records,
/// people and messages; append to the audit trail and erase its payloads, never update or
/// delete its entries (the triggers of migration 2 refuse even those a grant would allow).
/// The role owns nothing, so it cannot drop the triggers or alter a table.
fn grant_hub_role(client: &mut Client, role: &str) -> Result<()> {
    let mut tx = client.transaction()?;
    let quoted: String = tx
        .query_one("SELECT quote_ident($1)", &[&role])?
        .try_get(0)?;
    let exists: bool = tx
        .query_one(
            "SELECT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = $1)",
            &[&role],
        )?
        .try_get(0)?;
    if !exists {
        return Err(StoreError::Conflict(format!(
            "there is no role {role} in this PostgreSQL: create it first \
             (CREATE ROLE {quoted} LOGIN PASSWORD '…')"
        )));
    }
    let schema: String = tx
        .query_one("SELECT quote_ident(current_schema())", &[])?
        .try_get(0)?;
    let tables: Vec<String> = tx
        .query(
            "SELECT tablename FROM pg_tables WHERE schemaname = current_schema()",
            &[],
        )?
        .iter()
        .map(|row| row.try_get(0))
        .collect::<std::result::Result<_, _>>()?;
    let mut sql = format!(
        "GRANT USAGE ON SCHEMA {schema} TO {quoted};
         GRANT USAGE, SELECT, UPDATE ON ALL SEQUENCES IN SCHEMA {schema} TO {quoted};"
    );
    for table in &tables {
        let rights = match table.as_str() {
            "audit" => "SELECT, INSERT",
            "audit_subjects" | "replayed_batches" => "SELECT, INSERT",
            "notice_versions" | "notice_events" | "case_versions" => "SELECT, INSERT",
            "palermo_migrations" => "SELECT",
            _ => "SELECT, INSERT, UPDATE, DELETE",
        };
        sql.push_str(&format!("GRANT {rights} ON {schema}.{table} TO {quoted};"));
    }
    sql.push_str(&format!(
        "GRANT UPDATE (payload) ON {schema}.audit TO {quoted};"
    ));
    tx.batch_execute(&sql)?;
    tx.commit()?;
    Ok(())
}

impl Store for PostgresStore {
    fn add_organisation(&self, organisation: &Organisation, audit: &AuditEvent) -> Result<()> {
        self.write(std::slice::from_ref(audit), |tx| {
            security::add_organisation(tx, organisation, audit.at)
        })
    }

    fn organisations(&self) -> Result<Vec<Organisation>> {
        self.read(security::organisations)
    }

    fn add_api_key(
        &self,
        org: OrgCode,
        label: &str,
        scopes: Permissions,
        key_hash: &[u8; 32],
        at: Timestamp,
        audit: &Describe<'_>,
    ) -> Result<i64> {
        self.write_targeted(&[], |tx| {
            let id = security::add_api_key(tx, org, label, scopes, key_hash, at)?;
            Ok((id, Some(audit(Done::Ids(&[id])))))
        })
    }

    fn api_keys(&self) -> Result<Vec<ApiKeyRow>> {
        self.read(security::api_keys)
    }

    fn revoke_api_key(&self, id: i64, audit: &AuditEvent) -> Result<bool> {
        self.write(std::slice::from_ref(audit), |tx| {
            let changed = tx.execute(
                "UPDATE api_keys SET revoked_at = $1 WHERE id = $2 AND revoked_at IS NULL",
                &[&audit.at.0, &id],
            )?;
            Ok(changed == 1)
        })
    }

    fn add_user(&self, user: &UserRow, audit: &AuditEvent) -> Result<i64> {
        self.write(std::slice::from_ref(audit), |tx| {
            security::add_user(tx, user)
        })
    }

    fn user(&self, username: &str) -> Result<Option<UserRow>> {
        self.read(|client| security::user(client, username))
    }

    fn users(&self) -> Result<Vec<UserRow>> {
        self.read(security::users)
    }

    fn update_user(&self, user: &UserRow, audit: &AuditEvent) -> Result<()> {
        self.write(std::slice::from_ref(audit), |tx| {
            security::update_user(tx, user)
        })
    }

    fn set_recovery_codes(&self, user_id: i64, hashes: &[Hash], audit: &AuditEvent) -> Result<()> {
        self.write(std::slice::from_ref(audit), |tx| {
            security::set_recovery_codes(tx, user_id, hashes)
        })
    }

    fn use_recovery_code(&self, user_id: i64, hash: &Hash, audit: &AuditEvent) -> Result<bool> {
        self.write(std::slice::from_ref(audit), |tx| {
            security::use_recovery_code(tx, user_id, hash, audit.at)
        })
    }

    fn append_audit(&self, events: &[AuditEvent]) -> Result<()> {
        self.write(events, |_| Ok(()))
    }

    fn audit_entries(&self, filter: &AuditFilter, limit: usize) -> Result<Vec<AuditEntry>> {
        self.read(|client| security::audit_entries(client, filter, limit))
    }

    fn scan_audit(&self, visit: &mut dyn FnMut(AuditEntry) -> bool) -> Result<()> {
        self.read(|client| security::scan_audit(client, visit))
    }

    fn audit_head(&self) -> Result<Option<(i64, Hash)>> {
        self.read(security::audit_head)
    }

    fn erase_audit_payloads(&self, before: Timestamp, audit: &Describe<'_>) -> Result<u64> {
        self.write_targeted(&[], |tx| {
            let erased = security::erase_audit_payloads(tx, before)?;
            Ok((erased, Some(audit(Done::Erased(erased)))))
        })
    }

    fn add_signed_head(&self, head: &SignedHead) -> Result<()> {
        self.write(&[], |tx| security::add_signed_head(tx, head))
    }

    fn signed_heads(&self, limit: usize) -> Result<Vec<SignedHead>> {
        self.read(|client| security::signed_heads(client, limit))
    }

    fn write_documents(
        &self,
        documents: &[Document],
        at: Timestamp,
        audit: &Describe<'_>,
    ) -> Result<Vec<Written<Document>>> {
        self.write_all(documents, at, audit)
    }

    fn import_documents(
        &self,
        documents: &mut dyn Iterator<Item = Document>,
        at: Timestamp,
        commit: &dyn Fn() -> bool,
        audit: &Describe<'_>,
    ) -> Result<Option<ImportCounts>> {
        self.import(documents, at, commit, audit)
    }

    fn update_document(
        &self,
        id: i64,
        document: &Document,
        at: Timestamp,
        allow: &Guard<'_, Document>,
        audit: &AuditEvent,
    ) -> Result<Option<Written<Document>>> {
        self.update(id, document, at, allow, audit)
    }

    fn withdraw_document(
        &self,
        id: i64,
        at: Timestamp,
        allow: &Guard<'_, Document>,
        audit: &AuditEvent,
    ) -> Result<Option<Stored<Document>>> {
        self.withdraw(id, at, allow, audit)
    }

    fn document(&self, id: i64) -> Result<Option<Stored<Document>>> {
        self.read(|client| get(client, id))
    }

    fn scan_withdrawn(
        &self,
        kind: RecordKind,
        visit: &mut dyn FnMut(i64, RecordAccess),
    ) -> Result<()> {
        let table = match kind {
            RecordKind::Document => "documents",
            RecordKind::Vehicle => "vehicles",
            RecordKind::Person => "persons",
            RecordKind::Notice => return Ok(()),
        };
        let mut accesses = AccessScan::default();
        self.scan(
            &format!(
                "SELECT id, {ACCESS_JOINED} FROM {table} WHERE withdrawn_at IS NOT NULL
                 ORDER BY id"
            ),
            &mut |row| {
                let id: i64 = row.try_get(0)?;
                visit(id, accesses.read(id, row.try_get(1)?)?);
                Ok(())
            },
        )
    }

    fn scan_documents(
        &self,
        visit: &mut dyn FnMut(i64, CountryCode, &str, RecordAccess),
    ) -> Result<()> {
        let (mut countries, mut accesses) = (CountryScan::default(), AccessScan::default());
        // Millions of rows at start-up: binary COPY, no per-row protocol messages or text
        // numbers.
        self.read(|client| {
            let reader = client.copy_out(&format!(
                "COPY (SELECT id, issuing_country, number_normalised, {ACCESS_JOINED}
                       FROM documents WHERE withdrawn_at IS NULL) TO STDOUT (FORMAT binary)"
            ))?;
            let types = [Type::INT8, Type::TEXT, Type::TEXT, Type::TEXT];
            let mut rows = postgres::binary_copy::BinaryCopyOutIter::new(reader, &types);
            while let Some(row) = rows.next()? {
                let id: i64 = row.try_get(0)?;
                let issuing = countries.read(id, row.try_get(1)?)?;
                let access = accesses.read(id, row.try_get(3)?)?;
                visit(id, issuing, row.try_get(2)?, access);
            }
            Ok(())
        })
    }

    fn find_documents(
        &self,
        issuing_country: CountryCode,
        number_normalised: &str,
    ) -> Result<Vec<i64>> {
        self.read(|client| {
            client
                .query(
                    "SELECT id FROM documents WHERE issuing_country = $1
                     AND number_normalised = $2 AND withdrawn_at IS NULL ORDER BY id",
                    &[&issuing_country.as_str(), &number_normalised],
                )?
                .iter()
                .map(|row| Ok(row.try_get(0)?))
                .collect()
        })
    }

    fn write_vehicles(
        &self,
        vehicles: &[Vehicle],
        at: Timestamp,
        audit: &Describe<'_>,
    ) -> Result<Vec<Written<Vehicle>>> {
        self.write_all(vehicles, at, audit)
    }

    fn import_vehicles(
        &self,
        vehicles: &mut dyn Iterator<Item = Vehicle>,
        at: Timestamp,
        commit: &dyn Fn() -> bool,
        audit: &Describe<'_>,
    ) -> Result<Option<ImportCounts>> {
        self.import(vehicles, at, commit, audit)
    }

    fn update_vehicle(
        &self,
        id: i64,
        vehicle: &Vehicle,
        at: Timestamp,
        allow: &Guard<'_, Vehicle>,
        audit: &AuditEvent,
    ) -> Result<Option<Written<Vehicle>>> {
        self.update(id, vehicle, at, allow, audit)
    }

    fn withdraw_vehicle(
        &self,
        id: i64,
        at: Timestamp,
        allow: &Guard<'_, Vehicle>,
        audit: &AuditEvent,
    ) -> Result<Option<Stored<Vehicle>>> {
        self.withdraw(id, at, allow, audit)
    }

    fn vehicle(&self, id: i64) -> Result<Option<Stored<Vehicle>>> {
        self.read(|client| get(client, id))
    }

    fn scan_vehicles(&self, visit: &mut crate::VehicleKeysVisitor<'_>) -> Result<()> {
        let (mut countries, mut accesses) = (CountryScan::default(), AccessScan::default());
        self.scan(
            &format!(
                "SELECT id, vin, plate_country, plate, {ACCESS_JOINED}
                 FROM vehicles WHERE withdrawn_at IS NULL ORDER BY id"
            ),
            &mut |row| {
                let id: i64 = row.try_get(0)?;
                let plate_country = row
                    .try_get::<_, Option<&str>>(2)?
                    .map(|text| countries.read(id, text))
                    .transpose()?;
                let access = accesses.read(id, row.try_get(4)?)?;
                visit(id, row.try_get(1)?, plate_country, row.try_get(3)?, access);
                Ok(())
            },
        )
    }

    fn write_persons(
        &self,
        persons: &[Person],
        at: Timestamp,
        audit: &Describe<'_>,
    ) -> Result<Vec<Written<Person>>> {
        self.write_all(persons, at, audit)
    }

    fn import_persons(
        &self,
        persons: &mut dyn Iterator<Item = Person>,
        at: Timestamp,
        commit: &dyn Fn() -> bool,
        audit: &Describe<'_>,
    ) -> Result<Option<ImportCounts>> {
        self.import(persons, at, commit, audit)
    }

    fn update_person(
        &self,
        id: i64,
        person: &Person,
        at: Timestamp,
        allow: &Guard<'_, Person>,
        audit: &AuditEvent,
    ) -> Result<Option<Written<Person>>> {
        self.update(id, person, at, allow, audit)
    }

    fn withdraw_person(
        &self,
        id: i64,
        at: Timestamp,
        allow: &Guard<'_, Person>,
        audit: &AuditEvent,
    ) -> Result<Option<Stored<Person>>> {
        self.withdraw(id, at, allow, audit)
    }

    fn person(&self, id: i64) -> Result<Option<Stored<Person>>> {
        self.read(|client| get(client, id))
    }

    fn add_person_photo(
        &self,
        person_id: i64,
        content_type: &str,
        data: &[u8],
        at: Timestamp,
        allow: &Guard<'_, Person>,
        audit: &Describe<'_>,
    ) -> Result<Option<AttachmentMeta>> {
        self.write_targeted(&[], |tx| {
            if !get::<Person>(tx, person_id)?.is_some_and(|person| allow(&person)) {
                return Ok((None, None));
            }
            let digest: Hash = sha2::Sha256::digest(data).into();
            let id: i64 = tx
                .query_one(
                    "INSERT INTO person_photos (person_id, content_type, size, sha256, data,
                         created_at)
                     VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
                    &[
                        &person_id,
                        &content_type,
                        &(data.len() as i64),
                        &&digest[..],
                        &data,
                        &at.0,
                    ],
                )?
                .try_get(0)?;
            Ok((
                Some(photo_meta(id, content_type, data.len() as i64, digest)),
                Some(audit(Done::Ids(&[id]))),
            ))
        })
    }

    fn person_photos(&self, person_id: i64) -> Result<Vec<AttachmentMeta>> {
        self.read(|client| {
            client
                .query(
                    "SELECT id, content_type, size, sha256 FROM person_photos
                     WHERE person_id = $1 ORDER BY id",
                    &[&person_id],
                )?
                .iter()
                .map(|row| {
                    let id: i64 = row.try_get(0)?;
                    Ok(photo_meta(
                        id,
                        row.try_get(1)?,
                        row.try_get(2)?,
                        checksum(id, row.try_get(3)?)?,
                    ))
                })
                .collect()
        })
    }

    fn person_photo(&self, id: i64) -> Result<Option<(i64, AttachmentMeta, Vec<u8>)>> {
        self.read(|client| {
            let Some(row) = client.query_opt(
                "SELECT person_id, content_type, size, sha256, data FROM person_photos
                 WHERE id = $1",
                &[&id],
            )?
            else {
                return Ok(None);
            };
            let meta = photo_meta(
                id,
                row.try_get(1)?,
                row.try_get(2)?,
                checksum(id, row.try_get(3)?)?,
            );
            Ok(Some((row.try_get(0)?, meta, row.try_get(4)?)))
        })
    }

    fn scan_persons(&self, visit: &mut dyn FnMut(Stored<Person>)) -> Result<()> {
        self.scan(
            &format!(
                "SELECT {PERSON_COLUMNS}, {META_COLUMNS} FROM persons
                 WHERE withdrawn_at IS NULL ORDER BY id"
            ),
            &mut |row| {
                visit(Person::read(row)?);
                Ok(())
            },
        )
    }

    fn send_message(&self, message: &NewMessage, audit: &Describe<'_>) -> Result<i64> {
        self.write_targeted(&[], |tx| {
            let id = messages::send(tx, message)?;
            Ok((id, Some(audit(Done::Ids(&[id])))))
        })
    }

    fn message(&self, id: i64) -> Result<Option<StoredMessage>> {
        self.read(|client| messages::message(client, id))
    }

    fn message_for(&self, id: i64, org: OrgCode) -> Result<Option<StoredMessage>> {
        self.read(|client| messages::message_for(client, id, org))
    }

    fn messages(
        &self,
        org: OrgCode,
        mailbox: Mailbox,
        before: Option<i64>,
        limit: usize,
    ) -> Result<Vec<StoredMessage>> {
        self.read(|client| messages::messages(client, org, mailbox, before, limit))
    }

    fn thread(&self, thread_id: i64) -> Result<Vec<StoredMessage>> {
        self.read(|client| messages::thread(client, thread_id))
    }

    fn attachment(&self, id: i64) -> Result<Option<(i64, AttachmentMeta, Vec<u8>)>> {
        self.read(|client| messages::attachment(client, id))
    }

    fn give_receipt(
        &self,
        message_ids: &[i64],
        org: OrgCode,
        receipt: Receipt,
        by: &str,
        at: Timestamp,
        audit: &AuditEvent,
    ) -> Result<Vec<i64>> {
        self.write(std::slice::from_ref(audit), |tx| {
            let mut given = Vec::new();
            for &id in message_ids {
                if messages::give_receipt(tx, id, org, receipt, by, at)? {
                    given.push(id);
                }
            }
            Ok(given)
        })
    }

    fn set_webhook(&self, webhook: &Webhook, audit: &AuditEvent) -> Result<()> {
        self.write(std::slice::from_ref(audit), |tx| {
            messages::set_webhook(tx, webhook)
        })
    }

    fn webhook(&self, org: OrgCode) -> Result<Option<Webhook>> {
        self.read(|client| messages::webhook(client, org))
    }

    fn due_deliveries(
        &self,
        now: Timestamp,
        limit: usize,
        skip: &[OrgCode],
    ) -> Result<Vec<Delivery>> {
        self.read(|client| messages::due_deliveries(client, now, limit, skip))
    }

    fn deliveries(&self, kind: DeliveryKind, subject_id: i64) -> Result<Vec<Delivery>> {
        self.read(|client| messages::deliveries(client, kind, subject_id))
    }

    fn record_attempt(&self, delivery_id: i64, attempt: &Attempt) -> Result<()> {
        self.write(&[], |tx| messages::record_attempt(tx, delivery_id, attempt))
    }

    fn record_checks(
        &self,
        audit: &[AuditEvent],
        hits: &[NewHit],
        tell: &crate::Tell<'_>,
        replay: Option<Replay<'_>>,
    ) -> Result<Option<Vec<i64>>> {
        self.write_maybe(audit, |tx| {
            if let Some(replay) = replay {
                let at = audit.iter().map(|event| event.at.0).max().unwrap_or(0);
                let marked = tx.execute(
                    "INSERT INTO replayed_batches (node, batch, at) VALUES ($1, $2, $3)
                     ON CONFLICT DO NOTHING",
                    &[&replay.node, &replay.batch, &at],
                )?;
                if marked == 0 {
                    return Ok(None);
                }
            }
            let ids = security::insert_hits(tx, hits)?;
            for (hit, id) in hits.iter().zip(&ids) {
                let told = tell(hit);
                let orgs: Vec<&str> = told.iter().map(|org| org.as_str()).collect();
                messages::queue_deliveries(tx, DeliveryKind::Hit, *id, &orgs, hit.at)?;
            }
            Ok(Some(ids))
        })
    }

    fn hits(&self, party: HitParty, before: Option<i64>, limit: usize) -> Result<Vec<Hit>> {
        self.read(|client| security::hits(client, party, before, limit))
    }

    fn hit(&self, id: i64) -> Result<Option<Hit>> {
        self.read(|client| security::hit(client, id))
    }

    fn escalate_overdue_hits(
        &self,
        now: Timestamp,
        tell: &crate::Tell<'_>,
        audit: &Describe<'_>,
    ) -> Result<Vec<Hit>> {
        self.write_targeted(&[], |tx| {
            let overdue = security::overdue_hits(tx, now)?;
            for hit in &overdue {
                tx.execute(
                    "UPDATE hits SET escalated_at = $2 WHERE id = $1",
                    &[&hit.id, &now.0],
                )?;
                let told = tell(&hit.hit);
                let orgs: Vec<&str> = told.iter().map(|org| org.as_str()).collect();
                messages::queue_deliveries(tx, DeliveryKind::HitOverdue, hit.id, &orgs, now)?;
            }
            let ids: Vec<i64> = overdue.iter().map(|hit| hit.id).collect();
            let event = (!ids.is_empty()).then(|| audit(Done::Ids(&ids)));
            let escalated = overdue
                .into_iter()
                .map(|hit| Hit {
                    escalated_at: Some(now),
                    ..hit
                })
                .collect();
            Ok((escalated, event))
        })
    }

    fn answer_hit(&self, id: i64, answer: &HitAnswer, audit: &AuditEvent) -> Result<bool> {
        self.write(std::slice::from_ref(audit), |tx| {
            security::answer_hit(tx, id, answer)
        })
    }

    fn create_notice(
        &self,
        row: &NoticeRow,
        event: &NoticeEvent,
        announce: &crate::Announce<'_>,
        audit: &Describe<'_>,
    ) -> Result<StoredNotice> {
        self.write_targeted(&[], |tx| {
            let stored = notices::create(tx, row, event, announce)?;
            let entry = audit(Done::Ids(&[stored.id]));
            Ok((stored, Some(entry)))
        })
    }

    fn notice(&self, id: i64) -> Result<Option<StoredNotice>> {
        self.read(|client| notices::get(client, id))
    }

    fn notices(
        &self,
        filter: &NoticeFilter,
        before: Option<i64>,
        limit: usize,
    ) -> Result<Vec<StoredNotice>> {
        self.read(|client| notices::list(client, filter, before, limit))
    }

    fn change_notice(
        &self,
        id: i64,
        decide: &NoticeDecide<'_>,
        audit: &AuditEvent,
    ) -> Result<Option<StoredNotice>> {
        self.write_maybe(std::slice::from_ref(audit), |tx| {
            notices::change(tx, id, decide)
        })
    }

    fn notice_history(&self, id: i64) -> Result<Vec<NoticeEvent>> {
        self.read(|client| notices::history(client, id))
    }

    fn notice_version(&self, id: i64, version: i64) -> Result<Option<String>> {
        self.read(|client| notices::version(client, id, version))
    }

    fn submit_case(
        &self,
        submission: &crate::CaseSubmission<'_>,
        tell: &crate::TellLinks<'_>,
        audit: &Describe<'_>,
    ) -> Result<crate::StoredCase> {
        self.write_targeted(&[], |tx| {
            let stored = cases::submit(tx, submission, tell)?;
            let entry = audit(Done::Ids(&[stored.id, stored.version]));
            Ok((stored, Some(entry)))
        })
    }

    fn case(&self, id: i64) -> Result<Option<crate::StoredCase>> {
        self.read(|client| cases::get(client, id))
    }

    fn cases(
        &self,
        owner: Option<CountryCode>,
        before: Option<i64>,
        limit: usize,
    ) -> Result<Vec<crate::StoredCase>> {
        self.read(|client| cases::list(client, owner, before, limit))
    }

    fn case_versions(&self, id: i64) -> Result<Vec<crate::CaseVersion>> {
        self.read(|client| cases::versions(client, id))
    }

    fn case_matches(&self, id: i64) -> Result<Vec<crate::CaseMatch>> {
        self.read(|client| cases::matches(client, id))
    }

    fn case_stamps(&self) -> Result<Vec<(i64, i64)>> {
        self.read(cases::stamps)
    }

    fn case_of(&self, owner: CountryCode, reference: &str) -> Result<Option<crate::StoredCase>> {
        self.read(|client| cases::of_reference(client, owner, reference))
    }

    fn case_checklist(&self, case_id: i64) -> Result<Vec<crate::ChecklistTick>> {
        self.read(|client| cases::checklist(client, case_id))
    }

    fn tick_case_item(
        &self,
        case_id: i64,
        tick: &crate::ChecklistTick,
        audit: &AuditEvent,
    ) -> Result<()> {
        self.write(std::slice::from_ref(audit), |tx| {
            cases::tick(tx, case_id, tick)
        })
    }

    fn record_manifest(&self, row: &crate::ManifestRow, audit: &Describe<'_>) -> Result<i64> {
        self.write_targeted(&[], |tx| {
            let id = frontline::record_manifest(tx, row)?;
            Ok((id, Some(audit(Done::Ids(&[id])))))
        })
    }

    fn manifest(&self, id: i64) -> Result<Option<crate::StoredManifest>> {
        self.read(|client| frontline::manifest(client, id))
    }

    fn manifests(
        &self,
        org: palermo_core::OrgCode,
        before: Option<i64>,
        limit: usize,
    ) -> Result<Vec<crate::StoredManifest>> {
        self.read(|client| frontline::manifests(client, org, before, limit))
    }

    fn record_travel_warnings(
        &self,
        warnings: &[crate::NewTravelWarning],
        audit: &Describe<'_>,
    ) -> Result<Vec<Option<i64>>> {
        self.write_targeted(&[], |tx| {
            let ids = frontline::record_warnings(tx, warnings)?;
            let new: Vec<i64> = ids.iter().flatten().copied().collect();
            Ok((ids, Some(audit(Done::Ids(&new)))))
        })
    }

    fn travel_warnings(
        &self,
        org: palermo_core::OrgCode,
        country: Option<palermo_core::CountryCode>,
        before: Option<i64>,
        limit: usize,
    ) -> Result<Vec<crate::StoredTravelWarning>> {
        self.read(|client| frontline::warnings(client, org, country, before, limit))
    }

    fn case_grants(&self, case_id: i64) -> Result<Vec<crate::CaseGrant>> {
        self.read(|client| cases::grants(client, case_id))
    }

    fn user_case_grants(&self, username: &str) -> Result<Vec<i64>> {
        self.read(|client| cases::user_grants(client, username))
    }

    fn grant_case(&self, grant: &crate::CaseGrant, audit: &AuditEvent) -> Result<()> {
        self.write(std::slice::from_ref(audit), |tx| cases::grant(tx, grant))
    }

    fn revoke_case_grant(&self, case_id: i64, username: &str, audit: &AuditEvent) -> Result<bool> {
        self.write_targeted(&[], |tx| {
            let removed = cases::revoke(tx, case_id, username)?;
            Ok((removed, removed.then(|| audit.clone())))
        })
    }

    fn counts(&self) -> Result<Counts> {
        self.read(|client| {
            let row = client.query_one(
                "SELECT (SELECT count(*) FROM documents WHERE withdrawn_at IS NULL),
                        (SELECT count(*) FROM vehicles WHERE withdrawn_at IS NULL)",
                &[],
            )?;
            Ok(Counts {
                documents_active: row.try_get::<_, i64>(0)? as u64,
                vehicles_active: row.try_get::<_, i64>(1)? as u64,
            })
        })
    }

    fn dump_rows(&self, table: &'static str, visit: &mut dyn FnMut(Vec<Value>)) -> Result<()> {
        let sql = dump_sql(table)?;
        self.scan(&sql, &mut |row| {
            let mut values = Vec::with_capacity(row.len());
            for (i, column) in row.columns().iter().enumerate() {
                let kind = column.type_();
                values.push(
                    if *kind == Type::INT8 {
                        row.try_get::<_, Option<i64>>(i)?.map(Value::Integer)
                    } else if *kind == Type::INT4 {
                        row.try_get::<_, Option<i32>>(i)?
                            .map(|n| Value::Integer(n.into()))
                    } else if *kind == Type::BYTEA {
                        row.try_get::<_, Option<Vec<u8>>>(i)?.map(Value::Bytes)
                    } else {
                        row.try_get::<_, Option<String>>(i)?.map(Value::Text)
                    }
                    .unwrap_or(Value::Null),
                );
            }
            visit(values);
            Ok(())
        })
    }

    fn load_rows(&self, rows: &mut dyn Iterator<Item = Result<TableRow>>) -> Result<u64> {
        self.transaction(|mut tx, _| {
            let mut nonempty = Vec::new();
            for (table, _) in crate::TABLES {
                let sql = format!("SELECT EXISTS (SELECT 1 FROM {table})");
                if tx.query_one(&sql, &[])?.try_get::<_, bool>(0)? {
                    nonempty.push(*table);
                }
            }
            refuse_unless_empty(&nonempty)?;
            let mut statements = std::collections::HashMap::new();
            let mut count = 0;
            for row in rows {
                let (table, values) = row?;
                let statement = match statements.get(table) {
                    Some(statement) => statement,
                    None => {
                        let sql = load_sql(table, |i| format!("${i}"))?;
                        let statement = tx.prepare(&sql)?;
                        statements.entry(table).or_insert(statement)
                    }
                };
                let bound: Vec<Box<dyn ToSql + Sync>> = values
                    .into_iter()
                    .zip(statement.params())
                    .map(|(value, kind)| bind(value, kind))
                    .collect::<Result<_>>()?;
                let params: Vec<Param<'_>> =
                    bound.iter().map(|b| b.as_ref() as Param<'_>).collect();
                tx.execute(statement, &params)?;
                count += 1;
            }
            // Identities continue after the ids copied.
            for (table, columns) in crate::TABLES {
                if columns.first() == Some(&"id") {
                    tx.execute(
                        &format!(
                            "SELECT setval(pg_get_serial_sequence('{table}', 'id'),
                                 coalesce((SELECT max(id) FROM {table}), 0) + 1, false)"
                        ),
                        &[],
                    )?;
                }
            }
            tx.commit()?;
            Ok(count)
        })
    }
}

/// A copied value as the parameter of type `kind`.
fn bind(value: Value, kind: &Type) -> Result<Box<dyn ToSql + Sync>> {
    let mismatch = |value: &Value| {
        StoreError::Conflict(format!("cannot store {value:?} in a column of type {kind}"))
    };
    Ok(match value {
        Value::Null if *kind == Type::INT8 => Box::new(None::<i64>),
        Value::Null if *kind == Type::INT4 => Box::new(None::<i32>),
        Value::Null if *kind == Type::BYTEA => Box::new(None::<Vec<u8>>),
        Value::Null => Box::new(None::<String>),
        Value::Integer(n) if *kind == Type::INT8 => Box::new(n),
        Value::Integer(n) if *kind == Type::INT4 => {
            Box::new(i32::try_from(n).map_err(|_| mismatch(&value))?)
        }
        Value::Text(text) if *kind == Type::TEXT => Box::new(text),
        Value::Bytes(bytes) if *kind == Type::BYTEA => Box::new(bytes),
        other => return Err(mismatch(&other)),
    })
}

fn photo_meta(id: i64, content_type: &str, size: i64, sha256: Hash) -> AttachmentMeta {
    AttachmentMeta {
        id,
        name: format!("photo-{id}"),
        content_type: content_type.to_owned(),
        size: size as u64,
        sha256,
    }
}

fn checksum(id: i64, bytes: Vec<u8>) -> Result<Hash> {
    bytes
        .try_into()
        .map_err(|_| corrupt("photo checksum", id, "?"))
}

#[cfg(test)]
mod tests {
    use super::testing::TestDatabase;
    use super::*;

    #[test]
    fn postgresql_passes_the_conformance_suite() {
        let database = TestDatabase::start();
        crate::conformance::run(&|| {
            (
                Box::new(database.store()) as Box<dyn Store>,
                Box::new(()) as Box<dyn std::any::Any>,
            )
        });
    }

    #[test]
    fn postgresql_passes_the_conformance_suite_as_a_role_that_owns_nothing() {
        let database = TestDatabase::start();
        crate::conformance::run(&|| {
            (
                Box::new(database.store_as_hub_role()) as Box<dyn Store>,
                Box::new(()) as Box<dyn std::any::Any>,
            )
        });
    }

    /// A compromised hub process, connected as the hub's role, tries to rewrite history.
    #[test]
    fn the_hubs_role_cannot_rewrite_the_trail() {
        let database = TestDatabase::start();
        let store = database.store_as_hub_role();
        let mut event = crate::conformance::ev();
        event.payload = Some("{\"number\": \"X1\"}".into());
        store.append_audit(&[event.clone(), event]).unwrap();
        let mut client = store.connect().unwrap();
        for attack in [
            "UPDATE audit SET outcome = 'no-hit' WHERE seq = 1",
            "UPDATE audit SET payload = '{}' WHERE seq = 1",
            "DELETE FROM audit WHERE seq = 2",
            "TRUNCATE audit",
            "DELETE FROM audit_subjects",
            "ALTER TABLE audit DISABLE TRIGGER audit_append_only",
            "DROP TRIGGER audit_append_only ON audit",
            "DROP TABLE audit_subjects",
            "CREATE TABLE audit_copy (seq BIGINT)",
            "UPDATE palermo_migrations SET version = 1",
            // A notice's history and its earlier versions are added to, never rewritten.
            "UPDATE notice_events SET reason = 'none'",
            "DELETE FROM notice_events",
            "UPDATE notice_versions SET body = '{}'",
            "DELETE FROM notice_versions",
        ] {
            let refused = client.batch_execute(attack);
            assert!(refused.is_err(), "the hub's role could: {attack}");
        }
        assert_eq!(
            store.audit_head().unwrap().unwrap().0,
            2,
            "the trail is whole"
        );
        // Erasing a payload at the end of its retention is what the role may do.
        client
            .batch_execute("UPDATE audit SET payload = NULL WHERE seq = 1")
            .unwrap();
        // Even the schema's owner cannot edit an entry without disabling the trigger first.
        let mut owner: Config = database.url().parse().unwrap();
        owner.options(store.config.get_options().unwrap_or_default());
        let mut owner = owner.connect(NoTls).unwrap();
        assert!(
            owner
                .batch_execute("UPDATE audit SET outcome = 'x'")
                .is_err()
        );
        assert!(owner.batch_execute("DELETE FROM audit").is_err());
    }

    #[test]
    fn refuses_a_schema_newer_than_it_knows() {
        let database = TestDatabase::start();
        let config = database.fresh_schema();
        drop(PostgresStore::with_config(config.clone()).unwrap());
        let mut client = config.connect(NoTls).unwrap();
        client
            .execute("INSERT INTO palermo_migrations (version) VALUES (99)", &[])
            .unwrap();
        let error = PostgresStore::with_config(config).err().unwrap();
        assert!(error.to_string().contains("newer"), "{error}");
    }

    #[test]
    fn a_bad_url_or_an_unreachable_server_says_what_is_wrong() {
        let error = PostgresStore::open("postgres://[nonsense").err().unwrap();
        assert!(error.to_string().contains("connection string"), "{error}");
        let error = PostgresStore::open("host=/nonexistent/socket/dir user=x dbname=y")
            .err()
            .unwrap();
        assert!(
            matches!(error, StoreError::Unreachable(_))
                && error.to_string().contains("/nonexistent"),
            "{error}"
        );
    }
}
