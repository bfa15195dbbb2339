//! The use cases of a hub: check, write, list hits, authenticate. Every edge (HTTP API, CLI on
//! a local data directory) calls these, so access rules are applied here, once.
//!
//! A [`Hub`] owns the store and the in-memory indexes built from it. Writes commit to the store
//! first and update the indexes after, under one lock, so a check never sees an uncommitted
//! record and never misses an acknowledged one.

mod audit;
mod auth;
pub mod case_records;
pub mod case_work;
pub mod cases;
mod checks;
pub mod clock;
pub mod demo;
pub mod demo_cases;
pub mod frontline;
mod hits;
pub mod json;
mod keys;
mod limits;
pub mod messages;
mod notice_hits;
pub mod notices;
pub mod persons;
pub mod public;
pub mod travel;
mod visibility;
mod vocabulary;
pub mod webhooks;
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
use palermo_store::{RecordKind, Store, StoreError};
use parking_lot::{Mutex, RwLock};

pub use audit::{
    AUDIT_PAGE_MAX, AuditEntryView, AuditHead, AuditVerification, SigningKey, head_signature_valid,
    parse_head,
};
pub use auth::{NewSecrets, PendingEnrolment, Policy, SessionToken, UserView, totp_now};
pub use checks::{
    CHECK_BATCH_MAX, Checked, DocumentCheckResult, DocumentMatch, DocumentQuery, MatchKind,
    Matched, Submitted, VehicleCheckResult, VehicleMatch, VehicleQuery,
};
pub use clock::{Clock, ManualClock, SystemClock};
pub use hits::{HITS_PAGE_MAX, HitAnswerInput, HitView};
pub use keys::{ApiKey, DEFAULT_KEY_SCOPES, NATIONAL_SYSTEM_SCOPES, hash_api_key};
pub use limits::RateLimit;
pub use messages::{MessageHeader, MessageInput, MessageView, OutgoingWebhook, verify_webhook};
pub use notice_hits::NoticeHit;
pub use notices::{
    EvaluationView, NOTICES_PAGE_MAX, NoticeEventView, NoticeListQuery, NoticeMoveInput,
    NoticeView, RuleView,
};
pub use persons::{PersonCandidate, PersonQuery, PersonScreenResult, PersonView, PhotoView};
pub use webhooks::WebhookTargets;
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

/// `prefix.name`, or `name` at the root.
pub(crate) fn error_path(prefix: &str, name: &str) -> String {
    palermo_core::error::field_path(prefix, name)
}

/// The name the console acts under in the audit trail.
const CONSOLE: &str = "CONSOLE";

impl Caller {
    /// An operator at the console of a data directory, acting for `bureau`: what the
    /// bureau's operators may do (its own records, checks, hits, messages), checked and
    /// audited as that bureau, by the console's user.
    pub fn local_operator(bureau: CountryCode) -> Caller {
        Caller {
            org: OrgCode::of_country(bureau),
            viewpoint: Viewpoint::member(bureau),
            permissions: NATIONAL_SYSTEM_SCOPES,
            ..Caller::console()
        }
    }

    /// An auditor at the console of a data directory, for `bureau`: reads what the bureau's
    /// auditors read of the trail (its own actions and those that concern it).
    pub fn local_auditor(bureau: CountryCode) -> Caller {
        Caller {
            org: OrgCode::of_country(bureau),
            viewpoint: Viewpoint::member(bureau),
            permissions: Permissions::READ_AUDIT,
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

    /// Whether the caller acts for the secretariat (or is the console of a data directory).
    pub fn is_secretariat(&self) -> bool {
        self.viewpoint.kind == OrgKind::Secretariat
    }

    /// Whether the caller administers `org`: an administrator administers its own
    /// organisation; only the secretariat's administrators act on others.
    pub fn administers(&self, org: OrgCode) -> bool {
        self.permissions.contains(Permissions::ADMINISTER)
            && (self.is_secretariat() || self.org == org)
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

    /// A bureau writes its own records only, from every edge (the console acts for a named
    /// bureau to write any).
    pub fn may_write_for(&self, owner: CountryCode) -> bool {
        self.viewpoint.owns(owner)
    }

    /// An audit event of an action by this caller, at `at`.
    pub fn event_at(&self, at: Timestamp, action: &str, outcome: &str) -> AuditEvent {
        AuditEvent {
            at,
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
    /// A move the request's current state (or the mover) does not allow: the state it is in,
    /// and why (the API answers 409 naming the state).
    #[error("{detail}")]
    Refused { state: String, detail: String },
    /// Over a rate or a concurrency bound: try again after the given time.
    #[error("{detail}")]
    Throttled {
        retry_after_seconds: u64,
        detail: String,
    },
    /// Refused for now (shutting down, the trail behind, the database busy): nothing was
    /// done; try again shortly.
    #[error("{0}")]
    Unavailable(String),
    /// The hub failed (storage, randomness, corrupt data). The detail is for the operator's
    /// log; a client is told only that the request failed.
    #[error("internal failure: {0}")]
    Internal(String),
}

impl From<StoreError> for HubError {
    fn from(error: StoreError) -> HubError {
        match error {
            StoreError::Conflict(message) => HubError::Conflict(message),
            StoreError::Stale(_) => {
                HubError::Conflict("changed by another request meanwhile; try again".into())
            }
            StoreError::Unavailable(message) => HubError::Unavailable(message),
            StoreError::Unreachable(detail) => {
                tracing::warn!(%detail, "the database is out of reach");
                HubError::Unavailable("the database is out of reach; try again shortly".into())
            }
            StoreError::Backend { .. } | StoreError::Corrupt(_) => {
                HubError::Internal(error.to_string())
            }
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
    /// Notices and diffusions that hit now.
    pub notices_hitting: usize,
    /// Public extracts served.
    pub public_extracts: usize,
    /// Checks' audit entries waiting in the spool for the database server.
    pub audit_spooled_entries: u64,
}

/// A record kind's lookup tables and who may see each of its active records, under one lock,
/// so that a check never finds a key without its record's access.
#[derive(Default)]
pub(crate) struct Indexed<I> {
    pub(crate) keys: I,
    pub(crate) access: visibility::RowAccess,
}

pub struct Hub {
    store: Arc<dyn Store>,
    /// The time of every timestamp the hub writes.
    clock: Arc<dyn Clock>,
    documents: RwLock<Indexed<DocumentIndex>>,
    vehicles: RwLock<Indexed<VehicleIndex>>,
    /// API keys by the SHA-256 of the key; revoked keys are absent.
    api_keys: RwLock<HashMap<[u8; 32], Caller>>,
    /// Keeps this process's index changes in the order of the store commits they follow.
    /// (What a write may do is decided in the write's own transaction, by a store guard: it
    /// holds with other processes on the same database too.)
    writes: Mutex<()>,
    /// Writes checks' audit entries and hits, many requests to one commit.
    group: audit::GroupCommit,
    /// Persons' name keys, for screening.
    persons: RwLock<persons::PersonIndex>,
    /// The notices and diffusions that hit now, by what they name.
    notice_hits: RwLock<notice_hits::NoticeHits>,
    /// The public extracts of published notices, by list.
    public: RwLock<public::PublicIndex>,
    /// Signed-in people, by the SHA-256 of their session token.
    sessions: Mutex<HashMap<[u8; 32], auth::Session>>,
    /// What the route statistics need of each case, by case id, brought up to date with the
    /// cases' versions at each query.
    routes: Mutex<HashMap<i64, cases::RouteSummary>>,
    policy: Policy,
    signing_key: Option<SigningKey>,
    /// The key every signed head must carry (see [`HubOptions::audit_public_key`]).
    pinned_audit_key: Option<Vec<u8>>,
    /// Whether the indexes were built (see [`HubOptions::without_indexes`]).
    indexed: bool,
    limits: Limits,
    /// Bounds how many passwords are hashed at once.
    hashing: limits::HashingGate,
    /// Requests with bad credentials since the last flush, by source address.
    rejected_credentials: Mutex<HashMap<Option<IpAddr>, u64>>,
}

/// The rate limits of a hub, from its policy.
struct Limits {
    sign_ins_by_address: limits::Limiter<Option<IpAddr>>,
    sign_ins_by_username: limits::Limiter<String>,
    rejected_by_address: limits::Limiter<Option<IpAddr>>,
    requests_by_credential: limits::Limiter<auth::Credential>,
    public_by_address: limits::Limiter<Option<IpAddr>>,
}

impl Limits {
    fn of(policy: &Policy) -> Limits {
        Limits {
            sign_ins_by_address: limits::Limiter::new(policy.sign_ins_per_address),
            sign_ins_by_username: limits::Limiter::new(policy.sign_ins_per_username),
            rejected_by_address: limits::Limiter::new(policy.rejected_credentials_per_address),
            requests_by_credential: limits::Limiter::new(policy.requests_per_credential),
            public_by_address: limits::Limiter::new(policy.public_requests_per_address),
        }
    }
}

/// How a hub runs: the security policy and the key that signs the audit trail's head.
#[derive(Default)]
pub struct HubOptions {
    pub policy: Policy,
    pub signing_key: Option<SigningKey>,
    /// The public key heads must be signed with, when it is known outside the database and
    /// the signing key file (as a witness knows it); by default the signing key's own.
    pub audit_public_key: Option<Vec<u8>>,
    /// Open without building the in-memory indexes: for the console's bulk imports and
    /// administration, which check nothing. Checks on such a hub are refused.
    pub without_indexes: bool,
    /// The hub's clock; the system's by default.
    pub clock: Option<Arc<dyn Clock>>,
    /// Where checks' audit entries wait, durably, while a database server is out of reach
    /// (replayed in order once it is back); without one, checks are refused meanwhile.
    pub spool: Option<Arc<palermo_store::Spool>>,
}

/// Slots to reserve beyond the records present, so that imports after start-up rarely grow
/// (and briefly stall) a table.
const INDEX_HEADROOM: usize = 1 << 20;

impl Hub {
    /// The hub's time.
    pub fn now(&self) -> Timestamp {
        self.clock.now()
    }

    /// An audit event of an action by `caller`, now.
    pub fn event(&self, caller: &Caller, action: &str, outcome: &str) -> AuditEvent {
        caller.event_at(self.clock.now(), action, outcome)
    }

    /// Builds the indexes from the store.
    pub fn open(store: Arc<dyn Store>) -> Result<Hub> {
        Hub::open_with(store, HubOptions::default())
    }

    pub fn open_with(store: Arc<dyn Store>, options: HubOptions) -> Result<Hub> {
        if options.without_indexes {
            return Hub::assemble(store, options, Indexed::default(), Indexed::default(), {
                persons::PersonIndex::default()
            });
        }
        let counts = store.counts()?;
        let mut documents = Indexed {
            keys: DocumentIndex {
                by_number: FoldTable::with_capacity(
                    counts.documents_active as usize + INDEX_HEADROOM,
                ),
            },
            access: visibility::RowAccess::default(),
        };
        documents
            .access
            .reserve(counts.documents_active as usize + INDEX_HEADROOM);
        load_documents(store.as_ref(), &mut documents)?;
        let vehicle_capacity = counts.vehicles_active as usize + INDEX_HEADROOM / 4;
        let mut vehicles = Indexed {
            keys: VehicleIndex {
                by_vin: FoldTable::with_capacity(vehicle_capacity),
                by_plate: FoldTable::with_capacity(vehicle_capacity),
            },
            access: visibility::RowAccess::default(),
        };
        store.scan_vehicles(&mut |id, vin, plate_country, plate, access| {
            let row = row_of(id);
            index_vehicle(&mut vehicles.keys, row, vin, plate_country, plate, true);
            vehicles.access.set(row, access);
        })?;
        // Withdrawn records, which only their owners still read.
        store.scan_withdrawn(RecordKind::Document, &mut |id, access| {
            documents.access.set_withdrawn(row_of(id), access)
        })?;
        store.scan_withdrawn(RecordKind::Vehicle, &mut |id, access| {
            vehicles.access.set_withdrawn(row_of(id), access)
        })?;
        let mut person_index = persons::PersonIndex::default();
        store.scan_persons(&mut |stored| person_index.insert(stored.id, &stored.record))?;
        store.scan_withdrawn(RecordKind::Person, &mut |id, access| {
            person_index.withdrawn_access(id, access)
        })?;
        Hub::assemble(store, options, documents, vehicles, person_index)
    }

    fn assemble(
        store: Arc<dyn Store>,
        options: HubOptions,
        documents: Indexed<DocumentIndex>,
        vehicles: Indexed<VehicleIndex>,
        person_index: persons::PersonIndex,
    ) -> Result<Hub> {
        let (notice_hits, public) = if options.without_indexes {
            Default::default()
        } else {
            (
                notice_hits::NoticeHits::load(store.as_ref())?,
                Hub::load_public(store.as_ref())?,
            )
        };
        let hub = Hub {
            indexed: !options.without_indexes,
            notice_hits: RwLock::new(notice_hits),
            public: RwLock::new(public),
            persons: RwLock::new(person_index),
            group: audit::GroupCommit::start(store.clone(), options.spool.clone()),
            clock: options.clock.unwrap_or_else(|| Arc::new(SystemClock)),
            store,
            documents: RwLock::new(documents),
            vehicles: RwLock::new(vehicles),
            api_keys: RwLock::new(HashMap::new()),
            writes: Mutex::new(()),
            sessions: Mutex::new(HashMap::new()),
            routes: Mutex::new(HashMap::new()),
            limits: Limits::of(&options.policy),
            hashing: limits::HashingGate::new(
                options.policy.hashing_concurrency,
                options.policy.hashing_queue_max,
            ),
            rejected_credentials: Mutex::new(HashMap::new()),
            policy: options.policy,
            pinned_audit_key: options
                .audit_public_key
                .or_else(|| options.signing_key.as_ref().map(SigningKey::public_key)),
            signing_key: options.signing_key,
        };
        hub.reload_api_keys()?;
        Ok(hub)
    }

    pub fn store(&self) -> &dyn Store {
        self.store.as_ref()
    }

    /// Refuses checks on a hub opened without its indexes: they would miss everything.
    pub(crate) fn require_indexes(&self) -> Result<()> {
        if self.indexed {
            Ok(())
        } else {
            Err(HubError::Unavailable(
                "this hub was opened without its indexes and checks nothing".into(),
            ))
        }
    }

    pub fn policy(&self) -> &Policy {
        &self.policy
    }

    pub fn index_stats(&self) -> IndexStats {
        let documents = self.documents.read();
        let vehicles = self.vehicles.read();
        IndexStats {
            documents: documents.keys.by_number.len(),
            documents_memory_bytes: documents.keys.by_number.memory_bytes()
                + documents.access.memory_bytes(),
            vehicles: vehicles.keys.len(),
            vehicles_memory_bytes: vehicles.keys.memory_bytes() + vehicles.access.memory_bytes(),
            notices_hitting: self.notice_hits.read().len(),
            public_extracts: self.public.read().len(),
            audit_spooled_entries: self.group.spooled(),
        }
    }
}

/// Keys handed from the scanning thread to the inserting one at a time.
const LOAD_BATCH: usize = 65_536;

/// Fills the document table from the store on two threads: one scans the store and hashes the
/// keys, the other inserts them (a cache miss each at 100 million records).
fn load_documents(store: &dyn Store, documents: &mut Indexed<DocumentIndex>) -> Result<()> {
    type Loaded = (KeyHashes, u32, palermo_core::RecordAccess);
    let (sender, receiver) = std::sync::mpsc::sync_channel::<Vec<Loaded>>(4);
    std::thread::scope(|scope| {
        let scanner = scope.spawn(move || {
            let mut batch = Vec::with_capacity(LOAD_BATCH);
            let mut receiver_gone = false;
            let scanned = store.scan_documents(&mut |id, country, number, access| {
                if receiver_gone {
                    return;
                }
                batch.push((document_key(country, number), row_of(id), access));
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
            for (keys, row, access) in batch {
                documents.keys.by_number.insert(keys, row);
                documents.access.set(row, access);
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
