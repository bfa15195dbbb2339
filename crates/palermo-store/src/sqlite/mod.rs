//! The embedded store: SQLite in WAL mode with `synchronous = FULL`, so that a write the API
//! acknowledged survives a killed process and a power cut.

mod cases;
mod frontline;
mod messages;
mod notices;
mod security;

use std::path::{Path, PathBuf};
use std::sync::{Mutex, OnceLock};

use palermo_core::audit::{AuditEntry, AuditEvent, Hash};
use palermo_core::date::format_date;
use palermo_core::{
    CountryCode, Document, DocumentStatus, DocumentType, OrgCode, Permissions, Person,
    RecordAccess, RecordMeta, Stored, Timestamp, Vehicle, VehicleStatus,
};
use rusqlite::{Connection, OptionalExtension, Row, Transaction, TransactionBehavior, params};
use sha2::Digest as _;

use crate::Replay;
use crate::columns::{
    ACCESS_JOINED, AccessScan, CountryScan, DOCUMENT_COLUMNS, META_COLUMNS, META_WRITTEN, MetaRead,
    MetaText, PERSON_COLUMNS, VEHICLE_COLUMNS, corrupt, country, date, dump_sql, load_sql,
    refuse_unless_empty, written_columns,
};
use crate::{
    ApiKeyRow, AttachmentMeta, Attempt, AuditFilter, Counts, Delivery, DeliveryKind, Describe,
    Done, Guard, Hit, HitAnswer, HitParty, ImportCounts, Mailbox, NewHit, NewMessage, NoticeDecide,
    NoticeEvent, NoticeFilter, NoticeRow, Organisation, Receipt, RecordKind, Result, SignedHead,
    Store, StoreError, StoredMessage, StoredNotice, TableRow, UserRow, Value, Webhook, Written,
};

/// Versioned migrations; `PRAGMA user_version` records how many have run.
const MIGRATIONS: &[&str] = &[
    include_str!("schema.sql"),
    include_str!("schema2.sql"),
    include_str!("schema3.sql"),
    include_str!("schema4.sql"),
    include_str!("schema5.sql"),
    include_str!("schema6.sql"),
    include_str!("schema7.sql"),
    include_str!("schema8.sql"),
    include_str!("schema9.sql"),
    include_str!("schema10.sql"),
    include_str!("schema11.sql"),
    include_str!("schema12.sql"),
];
/// SQLite's page cache per connection (negative: KiB), and the writer's during a bulk import.
const CACHE_KIB: i64 = -65_536;
const IMPORT_CACHE_KIB: i64 = -1_048_576;
/// Readers kept open between calls.
const READERS_IDLE_MAX: usize = 8;

pub struct SqliteStore {
    path: PathBuf,
    writer: Mutex<Writer>,
    readers: Mutex<Vec<Connection>>,
}

/// The audit chain's last entry: its sequence number and hash.
type Head = Option<(i64, Hash)>;

/// The one connection that writes, and the audit chain's head, which only it moves.
struct Writer {
    connection: Connection,
    head: Option<(i64, Hash)>,
}

fn connect(path: &Path) -> Result<Connection> {
    let connection = Connection::open(path)?;
    // WAL lets checks read while a write commits; FULL syncs the WAL on every commit, so an
    // acknowledged write survives power loss, not only a killed process.
    connection.pragma_update(None, "journal_mode", "WAL")?;
    connection.pragma_update(None, "synchronous", "FULL")?;
    connection.pragma_update(None, "foreign_keys", "ON")?;
    connection.pragma_update(None, "busy_timeout", 5000)?;
    // After a checkpoint, give back the disk a large import's WAL took.
    connection.pragma_update(None, "journal_size_limit", 64 * 1024 * 1024)?;
    connection.pragma_update(None, "cache_size", CACHE_KIB)?;
    Ok(connection)
}

/// Reads the meta columns starting at `first`; returns the meta and the three timestamps.
fn read_meta(
    row: &Row<'_>,
    id: i64,
    first: usize,
) -> Result<(RecordMeta, Timestamp, Timestamp, Option<Timestamp>)> {
    let text = |i: usize| -> Result<&str> { Ok(row.get_ref(first + i)?.as_str()?) };
    let meta = MetaRead {
        owner: text(0)?,
        external_ref: row.get(first + 1)?,
        reported_date: text(2)?,
        review_date: text(3)?,
        restriction: text(4)?,
        restriction_countries: text(5)?,
        handling: text(6)?,
        handling_note: row.get(first + 7)?,
    }
    .parse(id)?;
    Ok((
        meta,
        Timestamp(row.get(first + 8)?),
        Timestamp(row.get(first + 9)?),
        row.get::<_, Option<i64>>(first + 10)?.map(Timestamp),
    ))
}

fn read_document(row: &Row<'_>) -> Result<Stored<Document>> {
    let id: i64 = row.get(0)?;
    let issuing: String = row.get(3)?;
    let document_type: String = row.get(4)?;
    let status: String = row.get(5)?;
    let birth: Option<String> = row.get(7)?;
    let (meta, created_at, updated_at, withdrawn_at) = read_meta(row, id, 8)?;
    let record = Document {
        number: row.get(1)?,
        number_normalised: row.get(2)?,
        issuing_country: country(id, &issuing)?,
        document_type: DocumentType::parse_name(&document_type)
            .ok_or_else(|| corrupt("document type", id, &document_type))?,
        status: DocumentStatus::parse_name(&status)
            .ok_or_else(|| corrupt("status", id, &status))?,
        holder_name: row.get(6)?,
        holder_birth_date: birth.map(|text| date(id, &text)).transpose()?,
        meta,
    };
    Ok(Stored {
        id,
        record,
        created_at,
        updated_at,
        withdrawn_at,
    })
}

fn read_vehicle(row: &Row<'_>) -> Result<Stored<Vehicle>> {
    let id: i64 = row.get(0)?;
    let plate_country: Option<String> = row.get(3)?;
    let status: String = row.get(8)?;
    let (meta, created_at, updated_at, withdrawn_at) = read_meta(row, id, 9)?;
    let record = Vehicle {
        vin: row.get(1)?,
        plate: row.get(2)?,
        plate_country: plate_country.map(|text| country(id, &text)).transpose()?,
        make: row.get(4)?,
        model: row.get(5)?,
        colour: row.get(6)?,
        year: row.get(7)?,
        status: VehicleStatus::parse_name(&status).ok_or_else(|| corrupt("status", id, &status))?,
        meta,
    };
    Ok(Stored {
        id,
        record,
        created_at,
        updated_at,
        withdrawn_at,
    })
}

/// One record kind's SQL: how to read, insert and update it.
trait Table: crate::Kind {
    const TABLE: &'static str;
    const OWN_COLUMNS: &'static str;
    fn read(row: &Row<'_>) -> Result<Stored<Self>>;
    /// Indexes that only speed up reads, which a bulk load into an empty table builds at the end
    /// (never the unique ones, which the load itself relies on).
    const DEFERRABLE_INDEXES: &'static [&'static str];
    fn sql() -> &'static TableSql;
    /// Binds the kind's own columns (without id) followed by the meta columns.
    fn bind(&self, statement: &mut rusqlite::Statement<'_>, at: Timestamp) -> Result<()>;
}

fn bind_meta(
    statement: &mut rusqlite::Statement<'_>,
    first: usize,
    meta: &RecordMeta,
    at: Timestamp,
) -> Result<()> {
    let text = MetaText::of(meta);
    statement.raw_bind_parameter(first, text.owner)?;
    statement.raw_bind_parameter(first + 1, text.external_ref)?;
    statement.raw_bind_parameter(first + 2, text.reported_date)?;
    statement.raw_bind_parameter(first + 3, text.review_date)?;
    statement.raw_bind_parameter(first + 4, text.restriction)?;
    statement.raw_bind_parameter(first + 5, text.restriction_countries)?;
    statement.raw_bind_parameter(first + 6, text.handling)?;
    statement.raw_bind_parameter(first + 7, text.handling_note)?;
    statement.raw_bind_parameter(first + META_WRITTEN, at.0)?;
    Ok(())
}

impl Table for Document {
    const TABLE: &'static str = "documents";
    const OWN_COLUMNS: &'static str = DOCUMENT_COLUMNS;
    const DEFERRABLE_INDEXES: &'static [&'static str] = &["documents_lookup"];

    fn read(row: &Row<'_>) -> Result<Stored<Self>> {
        read_document(row)
    }

    fn sql() -> &'static TableSql {
        static SQL: OnceLock<TableSql> = OnceLock::new();
        SQL.get_or_init(TableSql::build::<Self>)
    }

    fn bind(&self, statement: &mut rusqlite::Statement<'_>, at: Timestamp) -> Result<()> {
        statement.raw_bind_parameter(1, &self.number)?;
        statement.raw_bind_parameter(2, &self.number_normalised)?;
        statement.raw_bind_parameter(3, self.issuing_country.as_str())?;
        statement.raw_bind_parameter(4, self.document_type.as_str())?;
        statement.raw_bind_parameter(5, self.status.as_str())?;
        statement.raw_bind_parameter(6, self.holder_name.as_deref())?;
        statement.raw_bind_parameter(7, self.holder_birth_date.map(format_date))?;
        bind_meta(statement, 8, &self.meta, at)
    }
}

impl Table for Vehicle {
    const TABLE: &'static str = "vehicles";
    const OWN_COLUMNS: &'static str = VEHICLE_COLUMNS;
    const DEFERRABLE_INDEXES: &'static [&'static str] = &[];

    fn read(row: &Row<'_>) -> Result<Stored<Self>> {
        read_vehicle(row)
    }

    fn sql() -> &'static TableSql {
        static SQL: OnceLock<TableSql> = OnceLock::new();
        SQL.get_or_init(TableSql::build::<Self>)
    }

    fn bind(&self, statement: &mut rusqlite::Statement<'_>, at: Timestamp) -> Result<()> {
        statement.raw_bind_parameter(1, self.vin.as_deref())?;
        statement.raw_bind_parameter(2, self.plate.as_deref())?;
        statement.raw_bind_parameter(3, self.plate_country.map(CountryCode::as_str))?;
        statement.raw_bind_parameter(4, self.make.as_deref())?;
        statement.raw_bind_parameter(5, self.model.as_deref())?;
        statement.raw_bind_parameter(6, self.colour.as_deref())?;
        statement.raw_bind_parameter(7, self.year)?;
        statement.raw_bind_parameter(8, self.status.as_str())?;
        bind_meta(statement, 9, &self.meta, at)
    }
}

impl Table for Person {
    const TABLE: &'static str = "persons";
    const OWN_COLUMNS: &'static str = PERSON_COLUMNS;
    const DEFERRABLE_INDEXES: &'static [&'static str] = &[];

    fn read(row: &Row<'_>) -> Result<Stored<Self>> {
        let id: i64 = row.get(0)?;
        let body: String = row.get(1)?;
        let (meta, created_at, updated_at, withdrawn_at) = read_meta(row, id, 2)?;
        let record = Person::from_body(&body, meta).map_err(|e| corrupt("person", id, &e))?;
        Ok(Stored {
            id,
            record,
            created_at,
            updated_at,
            withdrawn_at,
        })
    }

    fn sql() -> &'static TableSql {
        static SQL: OnceLock<TableSql> = OnceLock::new();
        SQL.get_or_init(TableSql::build::<Self>)
    }

    fn bind(&self, statement: &mut rusqlite::Statement<'_>, at: Timestamp) -> Result<()> {
        statement.raw_bind_parameter(1, self.body_json())?;
        bind_meta(statement, 2, &self.meta, at)
    }
}

/// A kind's statements, built once per process (see [`Table::sql`]).
struct TableSql {
    select_by_id: String,
    select_id_by_ref: String,
    insert: String,
    update: String,
    withdraw: String,
    /// The parameter that takes the id in `update`.
    update_id_parameter: usize,
}

impl TableSql {
    fn build<T: Table>() -> TableSql {
        let columns = written_columns(T::OWN_COLUMNS);
        let at = columns.len() + 1;
        let placeholders: Vec<String> = (1..=columns.len()).map(|i| format!("?{i}")).collect();
        let insert = format!(
            "INSERT INTO {} ({}, created_at, updated_at) VALUES ({}, ?{at}, ?{at})",
            T::TABLE,
            columns.join(", "),
            placeholders.join(", ")
        );
        let assignments: Vec<String> = columns
            .iter()
            .enumerate()
            .map(|(i, column)| format!("{column} = ?{}", i + 1))
            .collect();
        TableSql {
            select_by_id: format!(
                "SELECT {}, {META_COLUMNS} FROM {} WHERE id = ?1",
                T::OWN_COLUMNS,
                T::TABLE
            ),
            select_id_by_ref: format!(
                "SELECT id FROM {} WHERE owner = ?1 AND external_ref = ?2",
                T::TABLE
            ),
            insert,
            update: format!(
                "UPDATE {} SET {}, updated_at = ?{at}, withdrawn_at = NULL WHERE id = ?{}",
                T::TABLE,
                assignments.join(", "),
                at + 1
            ),
            withdraw: format!(
                "UPDATE {} SET withdrawn_at = ?1, updated_at = ?1 WHERE id = ?2",
                T::TABLE
            ),
            update_id_parameter: at + 1,
        }
    }
}

fn get<T: Table>(connection: &Connection, id: i64) -> Result<Option<Stored<T>>> {
    let mut statement = connection.prepare_cached(&T::sql().select_by_id)?;
    let mut rows = statement.query([id])?;
    match rows.next()? {
        Some(row) => Ok(Some(T::read(row)?)),
        None => Ok(None),
    }
}

/// Inserts `record`, or updates the row with the same owner and external reference, reading
/// the replaced row first (the hub needs it to update its index).
fn put<T: Table>(tx: &Transaction<'_>, record: &T, at: Timestamp) -> Result<Written<T>> {
    let meta = record.meta();
    let sql = T::sql();
    let previous = match &meta.external_ref {
        Some(external_ref) => tx
            .prepare_cached(&sql.select_id_by_ref)?
            .query_row(params![meta.owner.as_str(), external_ref], |row| {
                row.get::<_, i64>(0)
            })
            .optional()?
            .map(|id| get::<T>(tx, id))
            .transpose()?
            .flatten(),
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

const REFERENCE_TAKEN: &str = "another record of this owner has that external reference";

fn insert<T: Table>(tx: &Transaction<'_>, record: &T, at: Timestamp) -> Result<i64> {
    let mut statement = tx.prepare_cached(&T::sql().insert)?;
    record.bind(&mut statement, at)?;
    statement.raw_execute().map_err(|error| {
        if is_unique_violation(&error) {
            StoreError::Conflict(REFERENCE_TAKEN.into())
        } else {
            error.into()
        }
    })?;
    Ok(tx.last_insert_rowid())
}

pub(super) fn is_unique_violation(error: &rusqlite::Error) -> bool {
    matches!(error, rusqlite::Error::SqliteFailure(e, _)
        if e.extended_code == rusqlite::ffi::SQLITE_CONSTRAINT_UNIQUE)
}

/// SQLite's errors in the store's terms: a busy database is a refusal to retry, anything
/// else a failure of the backend whose detail goes to the log.
impl From<rusqlite::Error> for StoreError {
    fn from(error: rusqlite::Error) -> StoreError {
        match &error {
            rusqlite::Error::SqliteFailure(e, _)
                if matches!(
                    e.code,
                    rusqlite::ErrorCode::DatabaseBusy | rusqlite::ErrorCode::DatabaseLocked
                ) =>
            {
                StoreError::Unavailable("the database is busy; try again shortly".into())
            }
            _ => StoreError::Backend {
                backend: "sqlite",
                detail: error.to_string(),
            },
        }
    }
}

impl From<rusqlite::types::FromSqlError> for StoreError {
    fn from(error: rusqlite::types::FromSqlError) -> StoreError {
        StoreError::Corrupt(error.to_string())
    }
}

/// The bulk path: nothing read back but the id of a record with the same reference. Returns
/// whether the record was new. (A single `INSERT … ON CONFLICT DO UPDATE` measured slower: it
/// makes SQLite keep a statement journal for every row.)
fn upsert<T: Table>(
    tx: &Transaction<'_>,
    record: &T,
    at: Timestamp,
    insert_first: bool,
) -> Result<bool> {
    let meta = record.meta();
    let sql = T::sql();
    // Into a table that was empty when the import began, a reference is almost never seen
    // before: try the insert, and look for the earlier row only if the unique index objects.
    if insert_first {
        match insert(tx, record, at) {
            Ok(_) => return Ok(true),
            Err(StoreError::Conflict(_)) if meta.external_ref.is_some() => {}
            Err(other) => return Err(other),
        }
    }
    if let Some(external_ref) = &meta.external_ref {
        let existing: Option<i64> = tx
            .prepare_cached(&sql.select_id_by_ref)?
            .query_row(params![meta.owner.as_str(), external_ref], |row| row.get(0))
            .optional()?;
        if let Some(id) = existing {
            replace(tx, id, record, at)?;
            return Ok(false);
        }
    }
    insert(tx, record, at)?;
    Ok(true)
}

fn replace<T: Table>(tx: &Transaction<'_>, id: i64, record: &T, at: Timestamp) -> Result<()> {
    let sql = T::sql();
    let mut statement = tx.prepare_cached(&sql.update)?;
    record.bind(&mut statement, at)?;
    statement.raw_bind_parameter(sql.update_id_parameter, id)?;
    statement.raw_execute().map_err(|error| {
        if is_unique_violation(&error) {
            StoreError::Conflict(REFERENCE_TAKEN.into())
        } else {
            error.into()
        }
    })?;
    Ok(())
}

impl SqliteStore {
    /// Writes a consistent copy of the database at `path` to `target` (which must not exist)
    /// while hubs go on reading and writing it: SQLite's `VACUUM INTO`, on a read-only
    /// connection of its own. The copy is a complete database, ready to serve.
    pub fn backup(path: &Path, target: &Path) -> Result<()> {
        if target.exists() {
            return Err(StoreError::Conflict(format!(
                "{} exists: a backup goes to a new file",
                target.display()
            )));
        }
        let connection = Connection::open_with_flags(
            path,
            rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY | rusqlite::OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )?;
        connection.pragma_update(None, "busy_timeout", 5000)?;
        let target = target.to_str().ok_or_else(|| {
            StoreError::Conflict(format!("{} is not a UTF-8 path", target.display()))
        })?;
        connection.execute("VACUUM INTO ?1", [target])?;
        Ok(())
    }

    /// Opens (creating if needed) the database at `path` and runs pending migrations.
    pub fn open(path: &Path) -> Result<SqliteStore> {
        let mut connection = connect(path)?;
        migrate(&mut connection)?;
        let head = security::audit_head(&connection)?;
        Ok(SqliteStore {
            path: path.to_owned(),
            writer: Mutex::new(Writer { connection, head }),
            readers: Mutex::new(Vec::new()),
        })
    }

    fn read<T>(&self, work: impl FnOnce(&Connection) -> Result<T>) -> Result<T> {
        let pooled = self.readers.lock().expect("reader pool lock").pop();
        let connection = match pooled {
            Some(connection) => connection,
            None => connect(&self.path)?,
        };
        let result = work(&connection);
        let mut readers = self.readers.lock().expect("reader pool lock");
        if readers.len() < READERS_IDLE_MAX {
            readers.push(connection);
        }
        result
    }

    /// Runs `work` in one transaction with `audit` appended to the trail in it.
    fn write<T>(
        &self,
        audit: &[AuditEvent],
        work: impl FnOnce(&Transaction<'_>) -> Result<T>,
    ) -> Result<T> {
        self.write_targeted(audit, |tx| Ok((work(tx)?, None)))
    }

    /// As [`Self::write`], but `work` may find nothing to do (`None`): then nothing is
    /// written, `audit` neither.
    fn write_maybe<T>(
        &self,
        audit: &[AuditEvent],
        work: impl FnOnce(&Transaction<'_>) -> Result<Option<T>>,
    ) -> Result<Option<T>> {
        let mut writer = self.writer.lock().expect("writer lock");
        let head = writer.head;
        let tx = writer
            .connection
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        let Some(result) = work(&tx)? else {
            return Ok(None);
        };
        let head = security::append_audit(&tx, head, audit)?;
        tx.commit()?;
        writer.head = head;
        Ok(Some(result))
    }

    /// As [`Self::write`], but `work` may return the audit entry to append instead, once it
    /// knows what it wrote.
    fn write_targeted<T>(
        &self,
        audit: &[AuditEvent],
        work: impl FnOnce(&Transaction<'_>) -> Result<(T, Option<AuditEvent>)>,
    ) -> Result<T> {
        let mut writer = self.writer.lock().expect("writer lock");
        let head = writer.head;
        let tx = writer
            .connection
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        let (result, targeted) = work(&tx)?;
        let events = match &targeted {
            Some(event) => std::slice::from_ref(event),
            None => audit,
        };
        let head = security::append_audit(&tx, head, events)?;
        tx.commit()?;
        writer.head = head;
        Ok(result)
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
        let mut writer = self.writer.lock().expect("writer lock");
        let head = writer.head;
        let connection = &mut writer.connection;
        // A bulk load touches index pages all over: give it a large page cache while it runs.
        connection.pragma_update(None, "cache_size", IMPORT_CACHE_KIB)?;
        // In WAL mode a transaction of millions of rows slows down as it grows: every page it
        // reads back is looked up in a WAL index that grows with it. When no other connection
        // has the file open, the import runs with a rollback journal instead (as atomic, and
        // as durable with synchronous = FULL), and the store returns to WAL after it.
        self.readers.lock().expect("reader pool lock").clear();
        let journal: String =
            connection.pragma_update_and_check(None, "journal_mode", "DELETE", |row| row.get(0))?;
        let result = (|| -> Result<Option<(ImportCounts, Head)>> {
            let tx = connection.transaction_with_behavior(TransactionBehavior::Immediate)?;
            let empty = is_empty::<T>(&tx)?;
            let deferred = if empty {
                defer_indexes::<T>(&tx)?
            } else {
                Vec::new()
            };
            let mut counts = ImportCounts::default();
            for record in records {
                if upsert(&tx, &record, at, empty)? {
                    counts.inserted += 1
                } else {
                    counts.updated += 1
                }
            }
            for (_, create) in &deferred {
                tx.execute_batch(create)?;
            }
            if !commit() {
                // Dropping the transaction rolls it back.
                return Ok(None);
            }
            let head = security::append_audit(&tx, head, &[audit(Done::Imported(counts))])?;
            tx.commit()?;
            Ok(Some((counts, head)))
        })();
        connection.pragma_update(None, "cache_size", CACHE_KIB)?;
        if !journal.eq_ignore_ascii_case("wal") {
            connection.pragma_update(None, "journal_mode", "WAL")?;
        }
        Ok(match result? {
            Some((counts, head)) => {
                writer.head = head;
                Some(counts)
            }
            None => None,
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
            tx.prepare_cached(&T::sql().withdraw)?
                .execute(params![at.0, id])?;
            Ok((Some(previous), Some(audit.clone())))
        })
    }
}

fn is_empty<T: Table>(tx: &Transaction<'_>) -> Result<bool> {
    let sql = format!("SELECT NOT EXISTS (SELECT 1 FROM {})", T::TABLE);
    Ok(tx.query_row(&sql, [], |row| row.get(0))?)
}

/// Into an empty table, a bulk load is faster without the lookup indexes: inserting keys in
/// random order costs a B-tree descent each, while building the index afterwards sorts once.
/// Drops them (inside the transaction) and returns their names and definitions to re-create.
fn defer_indexes<T: Table>(tx: &Transaction<'_>) -> Result<Vec<(String, String)>> {
    let mut statement =
        tx.prepare("SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = ?1 AND sql IS NOT NULL")?;
    let indexes = statement
        .query_map([T::TABLE], |row| {
            Ok((row.get::<_, String>(0)?, row.get::<_, String>(1)?))
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    let deferred: Vec<(String, String)> = indexes
        .into_iter()
        .filter(|(name, _)| T::DEFERRABLE_INDEXES.contains(&name.as_str()))
        .collect();
    for (name, _) in &deferred {
        tx.execute_batch(&format!("DROP INDEX {name}"))?;
    }
    Ok(deferred)
}

fn migrate(connection: &mut Connection) -> Result<()> {
    let applied: usize = connection.pragma_query_value(None, "user_version", |row| row.get(0))?;
    if applied > MIGRATIONS.len() {
        return Err(StoreError::Corrupt(format!(
            "database schema version {applied} is newer than this build knows ({})",
            MIGRATIONS.len()
        )));
    }
    for (version, sql) in MIGRATIONS.iter().enumerate().skip(applied) {
        let tx = connection.transaction_with_behavior(TransactionBehavior::Immediate)?;
        tx.execute_batch(sql)?;
        tx.pragma_update(None, "user_version", version + 1)?;
        tx.commit()?;
    }
    Ok(())
}

impl Store for SqliteStore {
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
                "UPDATE api_keys SET revoked_at = ?1 WHERE id = ?2 AND revoked_at IS NULL",
                params![audit.at.0, id],
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
        self.read(|connection| security::user(connection, username))
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
        self.read(|connection| security::audit_entries(connection, filter, limit))
    }

    fn scan_audit(&self, visit: &mut dyn FnMut(AuditEntry) -> bool) -> Result<()> {
        self.read(|connection| security::scan_audit(connection, visit))
    }

    fn audit_head(&self) -> Result<Option<(i64, Hash)>> {
        Ok(self.writer.lock().expect("writer lock").head)
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
        self.read(|connection| security::signed_heads(connection, limit))
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
        self.read(|connection| get(connection, id))
    }

    fn scan_documents(
        &self,
        visit: &mut dyn FnMut(i64, CountryCode, &str, RecordAccess),
    ) -> Result<()> {
        self.read(|connection| {
            let mut statement = connection.prepare(&format!(
                "SELECT id, issuing_country, number_normalised, {ACCESS_JOINED}
                 FROM documents INDEXED BY documents_lookup WHERE withdrawn_at IS NULL"
            ))?;
            let mut rows = statement.query([])?;
            let (mut countries, mut accesses) = (CountryScan::default(), AccessScan::default());
            while let Some(row) = rows.next()? {
                let id: i64 = row.get(0)?;
                let issuing = countries.read(id, row.get_ref(1)?.as_str()?)?;
                let access = accesses.read(id, row.get_ref(3)?.as_str()?)?;
                visit(id, issuing, row.get_ref(2)?.as_str()?, access);
            }
            Ok(())
        })
    }

    fn scan_withdrawn(
        &self,
        kind: RecordKind,
        visit: &mut dyn FnMut(i64, RecordAccess),
    ) -> Result<()> {
        let (table, index) = match kind {
            RecordKind::Document => ("documents", "documents_withdrawn"),
            RecordKind::Vehicle => ("vehicles", "vehicles_withdrawn"),
            RecordKind::Person => ("persons", "persons_withdrawn"),
            RecordKind::Notice => return Ok(()),
        };
        self.read(|connection| {
            let mut statement = connection.prepare(&format!(
                "SELECT id, {ACCESS_JOINED}
                 FROM {table} INDEXED BY {index} WHERE withdrawn_at IS NOT NULL"
            ))?;
            let mut rows = statement.query([])?;
            let mut accesses = AccessScan::default();
            while let Some(row) = rows.next()? {
                let id: i64 = row.get(0)?;
                visit(id, accesses.read(id, row.get_ref(1)?.as_str()?)?);
            }
            Ok(())
        })
    }

    fn find_documents(
        &self,
        issuing_country: CountryCode,
        number_normalised: &str,
    ) -> Result<Vec<i64>> {
        self.read(|connection| {
            let mut statement = connection.prepare_cached(
                "SELECT id FROM documents WHERE issuing_country = ?1 AND number_normalised = ?2
                 AND withdrawn_at IS NULL",
            )?;
            let ids = statement.query_map(
                params![issuing_country.as_str(), number_normalised],
                |row| row.get(0),
            )?;
            Ok(ids.collect::<rusqlite::Result<Vec<i64>>>()?)
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
        self.read(|connection| get(connection, id))
    }

    fn scan_vehicles(&self, visit: &mut crate::VehicleKeysVisitor<'_>) -> Result<()> {
        self.read(|connection| {
            let mut statement = connection.prepare(&format!(
                "SELECT id, vin, plate_country, plate, {ACCESS_JOINED}
                 FROM vehicles WHERE withdrawn_at IS NULL"
            ))?;
            let mut rows = statement.query([])?;
            let (mut countries, mut accesses) = (CountryScan::default(), AccessScan::default());
            while let Some(row) = rows.next()? {
                let id: i64 = row.get(0)?;
                let plate_country = row
                    .get_ref(2)?
                    .as_str_or_null()?
                    .map(|text| countries.read(id, text))
                    .transpose()?;
                let access = accesses.read(id, row.get_ref(4)?.as_str()?)?;
                visit(
                    id,
                    row.get_ref(1)?.as_str_or_null()?,
                    plate_country,
                    row.get_ref(3)?.as_str_or_null()?,
                    access,
                );
            }
            Ok(())
        })
    }

    fn send_message(&self, message: &NewMessage, audit: &Describe<'_>) -> Result<i64> {
        self.write_targeted(&[], |tx| {
            let id = messages::send(tx, message)?;
            Ok((id, Some(audit(Done::Ids(&[id])))))
        })
    }

    fn message(&self, id: i64) -> Result<Option<StoredMessage>> {
        self.read(|connection| messages::message(connection, id))
    }

    fn message_for(&self, id: i64, org: OrgCode) -> Result<Option<StoredMessage>> {
        self.read(|connection| messages::message_for(connection, id, org))
    }

    fn messages(
        &self,
        org: OrgCode,
        mailbox: Mailbox,
        before: Option<i64>,
        limit: usize,
    ) -> Result<Vec<StoredMessage>> {
        self.read(|connection| messages::messages(connection, org, mailbox, before, limit))
    }

    fn thread(&self, thread_id: i64) -> Result<Vec<StoredMessage>> {
        self.read(|connection| messages::thread(connection, thread_id))
    }

    fn attachment(&self, id: i64) -> Result<Option<(i64, AttachmentMeta, Vec<u8>)>> {
        self.read(|connection| messages::attachment(connection, id))
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
        self.read(|connection| messages::webhook(connection, org))
    }

    fn due_deliveries(
        &self,
        now: Timestamp,
        limit: usize,
        skip: &[OrgCode],
    ) -> Result<Vec<Delivery>> {
        self.read(|connection| messages::due_deliveries(connection, now, limit, skip))
    }

    fn deliveries(&self, kind: DeliveryKind, subject_id: i64) -> Result<Vec<Delivery>> {
        self.read(|connection| messages::deliveries(connection, kind, subject_id))
    }

    fn record_attempt(&self, delivery_id: i64, attempt: &Attempt) -> Result<()> {
        self.write(&[], |tx| messages::record_attempt(tx, delivery_id, attempt))
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
        self.read(|connection| get(connection, id))
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
            tx.execute(
                "INSERT INTO person_photos (person_id, content_type, size, sha256, data, created_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                params![
                    person_id,
                    content_type,
                    data.len() as i64,
                    &digest[..],
                    data,
                    at.0
                ],
            )?;
            let id = tx.last_insert_rowid();
            Ok((
                Some(AttachmentMeta {
                    id,
                    name: format!("photo-{id}"),
                    content_type: content_type.to_owned(),
                    size: data.len() as u64,
                    sha256: digest,
                }),
                Some(audit(Done::Ids(&[id]))),
            ))
        })
    }

    fn person_photos(&self, person_id: i64) -> Result<Vec<AttachmentMeta>> {
        self.read(|connection| {
            let mut statement = connection.prepare_cached(
                "SELECT id, content_type, size, sha256 FROM person_photos WHERE person_id = ?1
                 ORDER BY id",
            )?;
            let mut rows = statement.query([person_id])?;
            let mut photos = Vec::new();
            while let Some(row) = rows.next()? {
                let id: i64 = row.get(0)?;
                let digest: Vec<u8> = row.get(3)?;
                photos.push(AttachmentMeta {
                    id,
                    name: format!("photo-{id}"),
                    content_type: row.get(1)?,
                    size: row.get::<_, i64>(2)? as u64,
                    sha256: digest
                        .try_into()
                        .map_err(|_| corrupt("photo checksum", id, "?"))?,
                });
            }
            Ok(photos)
        })
    }

    fn person_photo(&self, id: i64) -> Result<Option<(i64, AttachmentMeta, Vec<u8>)>> {
        self.read(|connection| {
            connection
                .query_row(
                    "SELECT person_id, content_type, size, sha256, data FROM person_photos
                     WHERE id = ?1",
                    [id],
                    |row| {
                        Ok((
                            row.get::<_, i64>(0)?,
                            row.get::<_, String>(1)?,
                            row.get::<_, i64>(2)?,
                            row.get::<_, Vec<u8>>(3)?,
                            row.get::<_, Vec<u8>>(4)?,
                        ))
                    },
                )
                .optional()?
                .map(|(person_id, content_type, size, digest, data)| {
                    Ok((
                        person_id,
                        AttachmentMeta {
                            id,
                            name: format!("photo-{id}"),
                            content_type,
                            size: size as u64,
                            sha256: digest
                                .try_into()
                                .map_err(|_| corrupt("photo checksum", id, "?"))?,
                        },
                        data,
                    ))
                })
                .transpose()
        })
    }

    fn scan_persons(&self, visit: &mut dyn FnMut(Stored<Person>)) -> Result<()> {
        self.read(|connection| {
            let sql =
                format!("SELECT id, body, {META_COLUMNS} FROM persons WHERE withdrawn_at IS NULL");
            let mut statement = connection.prepare(&sql)?;
            let mut rows = statement.query([])?;
            while let Some(row) = rows.next()? {
                visit(Person::read(row)?);
            }
            Ok(())
        })
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
                    "INSERT INTO replayed_batches (node, batch, at) VALUES (?1, ?2, ?3)
                     ON CONFLICT DO NOTHING",
                    params![replay.node, replay.batch, at],
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
                    "UPDATE hits SET escalated_at = ?2 WHERE id = ?1",
                    params![hit.id, now.0],
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

    fn hits(&self, party: HitParty, before: Option<i64>, limit: usize) -> Result<Vec<Hit>> {
        self.read(|connection| security::hits(connection, party, before, limit))
    }

    fn hit(&self, id: i64) -> Result<Option<Hit>> {
        self.read(|connection| security::hit(connection, id))
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
        self.read(|connection| notices::get(connection, id))
    }

    fn notices(
        &self,
        filter: &NoticeFilter,
        before: Option<i64>,
        limit: usize,
    ) -> Result<Vec<StoredNotice>> {
        self.read(|connection| notices::list(connection, filter, before, limit))
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
        self.read(|connection| notices::history(connection, id))
    }

    fn notice_version(&self, id: i64, version: i64) -> Result<Option<String>> {
        self.read(|connection| notices::version(connection, id, version))
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
        self.read(|connection| cases::get(connection, id))
    }

    fn cases(
        &self,
        owner: Option<palermo_core::CountryCode>,
        before: Option<i64>,
        limit: usize,
    ) -> Result<Vec<crate::StoredCase>> {
        self.read(|connection| cases::list(connection, owner, before, limit))
    }

    fn case_versions(&self, id: i64) -> Result<Vec<crate::CaseVersion>> {
        self.read(|connection| cases::versions(connection, id))
    }

    fn case_matches(&self, id: i64) -> Result<Vec<crate::CaseMatch>> {
        self.read(|connection| cases::matches(connection, id))
    }

    fn case_stamps(&self) -> Result<Vec<(i64, i64)>> {
        self.read(cases::stamps)
    }

    fn case_of(
        &self,
        owner: palermo_core::CountryCode,
        reference: &str,
    ) -> Result<Option<crate::StoredCase>> {
        self.read(|connection| cases::of_reference(connection, owner, reference))
    }

    fn case_checklist(&self, case_id: i64) -> Result<Vec<crate::ChecklistTick>> {
        self.read(|connection| cases::checklist(connection, case_id))
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
        self.read(|connection| frontline::manifest(connection, id))
    }

    fn manifests(
        &self,
        org: palermo_core::OrgCode,
        before: Option<i64>,
        limit: usize,
    ) -> Result<Vec<crate::StoredManifest>> {
        self.read(|connection| frontline::manifests(connection, org, before, limit))
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
        self.read(|connection| frontline::warnings(connection, org, country, before, limit))
    }

    fn case_grants(&self, case_id: i64) -> Result<Vec<crate::CaseGrant>> {
        self.read(|connection| cases::grants(connection, case_id))
    }

    fn user_case_grants(&self, username: &str) -> Result<Vec<i64>> {
        self.read(|connection| cases::user_grants(connection, username))
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
        self.read(|connection| {
            let count = |table: &str| -> Result<u64> {
                let sql = format!("SELECT count(*) FROM {table} WHERE withdrawn_at IS NULL");
                Ok(connection.query_row(&sql, [], |row| row.get::<_, i64>(0))? as u64)
            };
            Ok(Counts {
                documents_active: count("documents")?,
                vehicles_active: count("vehicles")?,
            })
        })
    }

    fn dump_rows(&self, table: &'static str, visit: &mut dyn FnMut(Vec<Value>)) -> Result<()> {
        let sql = dump_sql(table)?;
        self.read(|connection| {
            let mut statement = connection.prepare(&sql)?;
            let width = statement.column_count();
            let mut rows = statement.query([])?;
            while let Some(row) = rows.next()? {
                let mut values = Vec::with_capacity(width);
                for i in 0..width {
                    values.push(match row.get_ref(i)? {
                        rusqlite::types::ValueRef::Null => Value::Null,
                        rusqlite::types::ValueRef::Integer(n) => Value::Integer(n),
                        rusqlite::types::ValueRef::Text(text) => {
                            Value::Text(String::from_utf8_lossy(text).into_owned())
                        }
                        rusqlite::types::ValueRef::Blob(bytes) => Value::Bytes(bytes.to_vec()),
                        rusqlite::types::ValueRef::Real(_) => {
                            return Err(StoreError::Corrupt(format!(
                                "a real number in {table}, which holds none"
                            )));
                        }
                    });
                }
                visit(values);
            }
            Ok(())
        })
    }

    fn load_rows(&self, rows: &mut dyn Iterator<Item = Result<TableRow>>) -> Result<u64> {
        let mut writer = self.writer.lock().expect("writer lock");
        let tx = writer
            .connection
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        let mut nonempty = Vec::new();
        for (table, _) in crate::TABLES {
            let sql = format!("SELECT EXISTS (SELECT 1 FROM {table})");
            if tx.query_row(&sql, [], |row| row.get::<_, bool>(0))? {
                nonempty.push(*table);
            }
        }
        refuse_unless_empty(&nonempty)?;
        let mut count = 0;
        for row in rows {
            let (table, values) = row?;
            let mut statement = tx.prepare_cached(&load_sql(table, |i| format!("?{i}"))?)?;
            for (i, value) in values.iter().enumerate() {
                match value {
                    Value::Null => statement.raw_bind_parameter(i + 1, rusqlite::types::Null)?,
                    Value::Integer(n) => statement.raw_bind_parameter(i + 1, n)?,
                    Value::Text(text) => statement.raw_bind_parameter(i + 1, text)?,
                    Value::Bytes(bytes) => statement.raw_bind_parameter(i + 1, bytes)?,
                }
            }
            statement.raw_execute()?;
            count += 1;
        }
        let head = security::audit_head(&tx)?;
        tx.commit()?;
        writer.head = head;
        Ok(count)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sqlite_passes_the_conformance_suite() {
        crate::conformance::run(&|| {
            let dir = tempfile::tempdir().unwrap();
            let store = SqliteStore::open(&dir.path().join("palermo.db")).unwrap();
            (
                Box::new(store) as Box<dyn Store>,
                Box::new(dir) as Box<dyn std::any::Any>,
            )
        });
    }

    #[test]
    fn returns_to_wal_after_a_bulk_import() {
        let dir = tempfile::tempdir().unwrap();
        let store = SqliteStore::open(&dir.path().join("palermo.db")).unwrap();
        let mut rows = (0..10).map(|i| crate::conformance::document(&format!("W{i}"), "FRA", None));
        store
            .import_documents(
                &mut rows,
                Timestamp(0),
                &|| true,
                &crate::as_given(&AuditEvent::default()),
            )
            .unwrap()
            .unwrap();
        let writer = store.writer.lock().unwrap();
        let mode: String = writer
            .connection
            .pragma_query_value(None, "journal_mode", |row| row.get(0))
            .unwrap();
        assert_eq!(mode, "wal");
    }

    #[test]
    fn refuses_a_schema_newer_than_it_knows() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("palermo.db");
        drop(SqliteStore::open(&path).unwrap());
        Connection::open(&path)
            .unwrap()
            .pragma_update(None, "user_version", 99)
            .unwrap();
        let error = SqliteStore::open(&path).err().unwrap();
        assert!(error.to_string().contains("newer"), "{error}");
    }
}
