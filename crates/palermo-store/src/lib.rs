//! Palermo's storage: one interface ([`Store`]), an embedded SQLite implementation, and a
//! conformance suite ([`conformance`]) that every backend must pass.
//!
//! The store is the truth; the in-memory indexes are built from it at start-up. Every write
//! is one transaction, committed durably (`synchronous = FULL`) before the call returns.

pub mod conformance;
pub mod sqlite;

use palermo_core::{CountryCode, Document, Stored, Timestamp, Vehicle};

pub use sqlite::SqliteStore;

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("sqlite: {0}")]
    Sqlite(#[from] rusqlite::Error),
    #[error("stored data is corrupt: {0}")]
    Corrupt(String),
    #[error("{0}")]
    Conflict(String),
    #[error("{0}")]
    Unavailable(String),
}

impl From<rusqlite::types::FromSqlError> for StoreError {
    fn from(error: rusqlite::types::FromSqlError) -> StoreError {
        StoreError::Corrupt(error.to_string())
    }
}

pub type Result<T, E = StoreError> = std::result::Result<T, E>;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Bureau {
    pub code: CountryCode,
    pub name: String,
}

/// An API key as stored: its hash only, never the key.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ApiKeyRow {
    pub id: i64,
    pub bureau: CountryCode,
    pub label: String,
    pub key_hash: [u8; 32],
    pub revoked: bool,
}

/// What a write did: the id written, and the record it replaced (for index maintenance).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Written<T> {
    pub id: i64,
    pub previous: Option<Stored<T>>,
}

/// The kind of record a hit concerns.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RecordKind {
    Document,
    Vehicle,
}

impl RecordKind {
    pub fn as_str(self) -> &'static str {
        match self {
            RecordKind::Document => "document",
            RecordKind::Vehicle => "vehicle",
        }
    }

    pub fn parse(text: &str) -> Option<RecordKind> {
        match text {
            "document" => Some(RecordKind::Document),
            "vehicle" => Some(RecordKind::Vehicle),
            _ => None,
        }
    }
}

/// A check that found a record, to be shown to the record's owner.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewHit {
    pub at: Timestamp,
    pub record_kind: RecordKind,
    pub record_id: i64,
    pub owner: CountryCode,
    pub checking_bureau: CountryCode,
    /// `exact` or `possible`.
    pub match_kind: String,
    /// What was asked, as the checker typed it (JSON).
    pub query: String,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Hit {
    pub id: i64,
    pub hit: NewHit,
}

/// What a bulk import did.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ImportCounts {
    pub inserted: u64,
    pub updated: u64,
}

/// Counts for metrics and start-up logs.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Counts {
    pub documents_active: u64,
    pub vehicles_active: u64,
}

/// Receives `(id, vin, plate_country, plate)` of each active vehicle.
pub type VehicleKeysVisitor<'a> =
    dyn FnMut(i64, Option<&str>, Option<CountryCode>, Option<&str>) + 'a;

/// The storage interface. Implementations are synchronous: callers on an async executor run
/// them on a blocking thread when they may wait for the disk.
pub trait Store: Send + Sync {
    fn add_bureau(&self, bureau: &Bureau) -> Result<()>;
    fn bureaus(&self) -> Result<Vec<Bureau>>;
    fn add_api_key(&self, bureau: CountryCode, label: &str, key_hash: &[u8; 32]) -> Result<i64>;
    fn api_keys(&self) -> Result<Vec<ApiKeyRow>>;
    fn revoke_api_key(&self, id: i64) -> Result<bool>;

    /// Inserts each document, or updates the one with the same owner and external reference.
    /// All in one transaction: either every document is written or none is.
    fn write_documents(
        &self,
        documents: &[Document],
        at: Timestamp,
    ) -> Result<Vec<Written<Document>>>;
    /// Streams documents into one transaction (the bulk import): all are written or none.
    /// Once the iterator ends, `commit` decides: `false` rolls everything back (`Ok(None)`).
    fn import_documents(
        &self,
        documents: &mut dyn Iterator<Item = Document>,
        at: Timestamp,
        commit: &dyn Fn() -> bool,
    ) -> Result<Option<ImportCounts>>;
    /// Replaces document `id`; `None` if there is no such document.
    fn update_document(
        &self,
        id: i64,
        document: &Document,
        at: Timestamp,
    ) -> Result<Option<Written<Document>>>;
    /// Marks document `id` withdrawn; returns it as it was, `None` if absent or withdrawn.
    fn withdraw_document(&self, id: i64, at: Timestamp) -> Result<Option<Stored<Document>>>;
    fn document(&self, id: i64) -> Result<Option<Stored<Document>>>;
    /// Visits `(id, issuing_country, number_normalised)` of every active document.
    fn scan_documents(&self, visit: &mut dyn FnMut(i64, CountryCode, &str)) -> Result<()>;
    /// Ids of active documents with this issuing country and normalised number: the lookup
    /// the database alone can do, for comparison with the index.
    fn find_documents(
        &self,
        issuing_country: CountryCode,
        number_normalised: &str,
    ) -> Result<Vec<i64>>;

    fn write_vehicles(&self, vehicles: &[Vehicle], at: Timestamp) -> Result<Vec<Written<Vehicle>>>;
    fn import_vehicles(
        &self,
        vehicles: &mut dyn Iterator<Item = Vehicle>,
        at: Timestamp,
        commit: &dyn Fn() -> bool,
    ) -> Result<Option<ImportCounts>>;
    fn update_vehicle(
        &self,
        id: i64,
        vehicle: &Vehicle,
        at: Timestamp,
    ) -> Result<Option<Written<Vehicle>>>;
    fn withdraw_vehicle(&self, id: i64, at: Timestamp) -> Result<Option<Stored<Vehicle>>>;
    fn vehicle(&self, id: i64) -> Result<Option<Stored<Vehicle>>>;
    /// Visits `(id, vin, plate_country, plate)` of every active vehicle.
    fn scan_vehicles(&self, visit: &mut VehicleKeysVisitor<'_>) -> Result<()>;

    fn record_hits(&self, hits: &[NewHit]) -> Result<()>;
    /// Hits on records of `owner`, newest first, with ids below `before` when given.
    fn hits_for_owner(
        &self,
        owner: CountryCode,
        before: Option<i64>,
        limit: usize,
    ) -> Result<Vec<Hit>>;

    fn counts(&self) -> Result<Counts>;
}
