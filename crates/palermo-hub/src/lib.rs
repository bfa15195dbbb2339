//! The use cases of a hub: check, write, list hits, authenticate. Every edge (HTTP API, CLI on
//! a local data directory) calls these, so access rules are applied here, once.
//!
//! A [`Hub`] owns the store and the in-memory indexes built from it. Writes commit to the store
//! first and update the indexes after, under one lock, so a check never sees an uncommitted
//! record and never misses an acknowledged one.

mod audit;
mod auth;
mod checks;
pub mod demo;
mod hits;
pub mod json;
mod keys;
pub mod messages;
pub mod persons;
mod writes;

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::Arc;

use palermo_core::audit::AuditEvent;
use palermo_core::{
    CountryCode, FieldErrors, OrgCode, OrgKind, Permissions, RecordMeta, Timestamp, Viewpoint,
};
use palermo_index::{
    DocumentIndex, FoldTable, KeyHashes, VehicleIndex, document_key, plate_key, row_of, vin_key,
};
use palermo_store::{Store, StoreError};
use parking_lot::{Mutex, RwLock};

pub use audit::{
    AUDIT_PAGE_MAX, AuditEntryView, AuditHead, AuditVerification, SigningKey, head_signature_valid,
};
pub use auth::{NewSecrets, Policy, SessionToken, UserView, totp_now};
pub use checks::{
    CHECK_BATCH_MAX, Checked, DocumentCheckResult, DocumentMatch, DocumentQuery, MatchKind,
    Matched, Submitted, VehicleCheckResult, VehicleMatch, VehicleQuery,
};
pub use hits::{HITS_PAGE_MAX, HitAnswerInput, HitView};
pub use keys::{ApiKey, DEFAULT_KEY_SCOPES, hash_api_key};
pub use messages::{MessageInput, MessageView, OutgoingWebhook, verify_webhook};
pub use persons::{PersonCandidate, PersonQuery, PersonScreenResult, PersonView, PhotoView};
pub use writes::{BatchWritten, DocumentView, MetaView, VehicleView, WRITE_BATCH_MAX};

/// Who is asking. Every use case takes one; access rules read it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Caller {
    /// The organisation the caller acts for.
    pub org: OrgCode,
    /// What the caller's organisation may see.
    pub viewpoint: Viewpoint,
    /// What the caller may do: the user's roles, or the key's scopes.
    pub permissions: Permissions,
    /// The person signed in, if a person.
    pub user: Option<Arc<str>>,
    /// The API key used, if a machine.
    pub api_key_id: Option<i64>,
    /// Where the request came from, if over the network.
    pub source: Option<IpAddr>,
}

/// The name the console acts under in the audit trail.
const CONSOLE: &str = "CONSOLE";

impl Caller {
    /// An operator at the console of a data directory, acting for `bureau`: may do anything
    /// (whoever can read the data directory holds the data anyway), and is audited as the
    /// console's user.
    pub fn local_operator(bureau: CountryCode) -> Caller {
        Caller {
            org: OrgCode::of_country(bureau),
            viewpoint: Viewpoint::member(bureau),
            ..Caller::console()
        }
    }

    /// The console of a data directory, acting for no bureau (administration, audit).
    pub fn console() -> Caller {
        let user = std::env::var("USER").unwrap_or_else(|_| "unknown".to_owned());
        Caller {
            org: OrgCode::parse(CONSOLE).expect("a valid code"),
            viewpoint: Viewpoint {
                kind: OrgKind::Secretariat,
                country: None,
            },
            permissions: Permissions::all(),
            user: Some(format!("console:{user}").into()),
            api_key_id: None,
            source: None,
        }
    }

    pub fn with_source(mut self, source: Option<IpAddr>) -> Caller {
        self.source = source;
        self
    }

    fn is_console(&self) -> bool {
        self.api_key_id.is_none()
            && self
                .user
                .as_deref()
                .is_some_and(|u| u.starts_with("console:"))
    }

    /// The member bureau the caller acts for, if any.
    pub fn bureau(&self) -> Option<CountryCode> {
        match self.viewpoint.kind {
            OrgKind::Member => self.viewpoint.country,
            _ => None,
        }
    }

    /// Refuses the action unless the caller holds `permission`.
    pub fn require(&self, permission: Permissions) -> Result<()> {
        if self.permissions.contains(permission) {
            Ok(())
        } else {
            Err(HubError::Forbidden(format!(
                "this needs the {:?} permission, which your roles or key scopes do not grant",
                permission.scopes()
            )))
        }
    }

    /// Whether the caller may see a record: its owner, restriction and handling code decide.
    pub fn may_see(&self, meta: &RecordMeta) -> bool {
        self.viewpoint
            .may_see(meta.owner, &meta.restriction, meta.handling)
    }

    /// Only the console may write records owned by another bureau (bulk loads on behalf of
    /// members); users and keys write their own bureau's records only.
    fn may_write_for(&self, owner: CountryCode) -> bool {
        self.is_console() || self.viewpoint.owns(owner)
    }

    /// An audit event of an action by this caller.
    pub fn event(&self, action: &str, outcome: &str) -> AuditEvent {
        AuditEvent {
            at: Timestamp::now(),
            org: self.org.to_string(),
            user: self.user.as_deref().map(str::to_owned),
            api_key_id: self.api_key_id,
            source: self.source.map(|ip| ip.to_string()),
            action: action.to_owned(),
            outcome: outcome.to_owned(),
            ..AuditEvent::default()
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum HubError {
    #[error("invalid input: {0}")]
    Invalid(FieldErrors),
    /// The record does not exist, or the caller may not see it: the two are indistinguishable.
    #[error("no such record")]
    NotFound,
    /// Credentials missing, wrong, expired or revoked.
    #[error("{0}")]
    Unauthenticated(String),
    #[error("{0}")]
    Forbidden(String),
    #[error("{0}")]
    Conflict(String),
    #[error("storage failed: {0}")]
    Store(StoreError),
}

impl From<StoreError> for HubError {
    fn from(error: StoreError) -> HubError {
        match error {
            StoreError::Conflict(message) => HubError::Conflict(message),
            other => HubError::Store(other),
        }
    }
}

impl From<FieldErrors> for HubError {
    fn from(errors: FieldErrors) -> HubError {
        HubError::Invalid(errors)
    }
}

pub type Result<T, E = HubError> = std::result::Result<T, E>;

/// Sizes for metrics and start-up logs.
#[derive(Clone, Copy, Debug, Default)]
pub struct IndexStats {
    pub documents: usize,
    pub documents_memory_bytes: usize,
    pub vehicles: usize,
    pub vehicles_memory_bytes: usize,
}

pub struct Hub {
    store: Arc<dyn Store>,
    documents: RwLock<DocumentIndex>,
    vehicles: RwLock<VehicleIndex>,
    /// API keys by the SHA-256 of the key; revoked keys are absent.
    api_keys: RwLock<HashMap<[u8; 32], Caller>>,
    /// Serialises store commits with the index updates that follow them.
    writes: Mutex<()>,
    /// Writes checks' audit entries and hits, many requests to one commit.
    group: audit::GroupCommit,
    /// Persons' name keys, for screening.
    persons: RwLock<persons::PersonIndex>,
    /// Signed-in people, by the SHA-256 of their session token.
    sessions: Mutex<HashMap<[u8; 32], auth::Session>>,
    policy: Policy,
    signing_key: Option<SigningKey>,
    /// Whether checks are audited: always, except on a hub benchmarked without it.
    audit_checks: bool,
}

/// How a hub runs: the security policy and the key that signs the audit trail's head.
pub struct HubOptions {
    pub policy: Policy,
    pub signing_key: Option<SigningKey>,
    /// `false` only to measure what auditing checks costs (`serve --benchmark-unaudited`).
    pub audit_checks: bool,
}

impl Default for HubOptions {
    fn default() -> HubOptions {
        HubOptions {
            policy: Policy::default(),
            signing_key: None,
            audit_checks: true,
        }
    }
}

/// Slots to reserve beyond the records present, so that imports after start-up rarely grow
/// (and briefly stall) a table.
const INDEX_HEADROOM: usize = 1 << 20;

impl Hub {
    /// Builds the indexes from the store.
    pub fn open(store: Arc<dyn Store>) -> Result<Hub> {
        Hub::open_with(store, HubOptions::default())
    }

    pub fn open_with(store: Arc<dyn Store>, options: HubOptions) -> Result<Hub> {
        let counts = store.counts()?;
        let mut documents = DocumentIndex {
            by_number: FoldTable::with_capacity(counts.documents_active as usize + INDEX_HEADROOM),
        };
        load_documents(store.as_ref(), &mut documents.by_number)?;
        let vehicle_capacity = counts.vehicles_active as usize + INDEX_HEADROOM / 4;
        let mut vehicles = VehicleIndex {
            by_vin: FoldTable::with_capacity(vehicle_capacity),
            by_plate: FoldTable::with_capacity(vehicle_capacity),
        };
        store.scan_vehicles(&mut |id, vin, plate_country, plate| {
            index_vehicle(&mut vehicles, row_of(id), vin, plate_country, plate, true);
        })?;
        let mut person_index = persons::PersonIndex::default();
        store.scan_persons(&mut |stored| person_index.insert(stored.id, &stored.record))?;
        let hub = Hub {
            persons: RwLock::new(person_index),
            group: audit::GroupCommit::start(store.clone()),
            store,
            documents: RwLock::new(documents),
            vehicles: RwLock::new(vehicles),
            api_keys: RwLock::new(HashMap::new()),
            writes: Mutex::new(()),
            sessions: Mutex::new(HashMap::new()),
            policy: options.policy,
            signing_key: options.signing_key,
            audit_checks: options.audit_checks,
        };
        hub.reload_api_keys()?;
        Ok(hub)
    }

    pub fn store(&self) -> &dyn Store {
        self.store.as_ref()
    }

    pub fn policy(&self) -> &Policy {
        &self.policy
    }

    pub fn index_stats(&self) -> IndexStats {
        let documents = self.documents.read();
        let vehicles = self.vehicles.read();
        IndexStats {
            documents: documents.by_number.len(),
            documents_memory_bytes: documents.by_number.memory_bytes(),
            vehicles: vehicles.len(),
            vehicles_memory_bytes: vehicles.memory_bytes(),
        }
    }
}

/// Keys handed from the scanning thread to the inserting one at a time.
const LOAD_BATCH: usize = 65_536;

/// Fills the document table from the store on two threads: one scans the store and hashes the
/// keys, the other inserts them (a cache miss each at 100 million records).
fn load_documents(store: &dyn Store, table: &mut FoldTable) -> Result<()> {
    let (sender, receiver) = std::sync::mpsc::sync_channel::<Vec<(KeyHashes, u32)>>(4);
    std::thread::scope(|scope| {
        let scanner = scope.spawn(move || {
            let mut batch = Vec::with_capacity(LOAD_BATCH);
            let mut receiver_gone = false;
            let scanned = store.scan_documents(&mut |id, country, number| {
                if receiver_gone {
                    return;
                }
                batch.push((document_key(country, number), row_of(id)));
                if batch.len() == LOAD_BATCH {
                    receiver_gone = sender
                        .send(std::mem::replace(
                            &mut batch,
                            Vec::with_capacity(LOAD_BATCH),
                        ))
                        .is_err();
                }
            });
            if !batch.is_empty() {
                let _ = sender.send(batch);
            }
            scanned
        });
        for batch in receiver {
            for (keys, row) in batch {
                table.insert(keys, row);
            }
        }
        scanner.join().expect("the scanning thread does not panic")
    })?;
    Ok(())
}

/// Adds (or with `insert == false` removes) a vehicle's keys.
fn index_vehicle(
    index: &mut VehicleIndex,
    row: u32,
    vin: Option<&str>,
    plate_country: Option<CountryCode>,
    plate: Option<&str>,
    insert: bool,
) {
    if let Some(vin) = vin {
        if insert {
            index.by_vin.insert(vin_key(vin), row)
        } else {
            index.by_vin.remove(vin_key(vin), row);
        }
    }
    if let (Some(country), Some(plate)) = (plate_country, plate) {
        let key = plate_key(country, plate);
        if insert {
            index.by_plate.insert(key, row)
        } else {
            index.by_plate.remove(key, row);
        }
    }
}
