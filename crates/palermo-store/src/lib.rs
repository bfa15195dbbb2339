//! Palermo's storage: one interface ([`Store`]), an embedded SQLite implementation, and a
//! conformance suite ([`conformance`]) that every backend must pass.
//!
//! The store is the truth; the in-memory indexes are built from it at start-up. Every write
//! is one transaction, committed durably (`synchronous = FULL`) before the call returns.

mod columns;
pub mod conformance;
pub mod postgres;
pub mod spool;
pub mod sqlite;

use palermo_core::audit::{AuditEntry, AuditEvent, Hash};
use palermo_core::{
    CountryCode, Document, OrgCode, OrgKind, Permissions, Person, RecordAccess, RecordMeta,
    Restriction, Role, Stored, Timestamp, Vehicle,
};

pub use postgres::PostgresStore;
pub use spool::{Replay, Spool};
pub use sqlite::SqliteStore;

/// Why a store call failed, in terms of no backend: callers never see a driver's types.
///
/// Only `Conflict` and `Stale` describe the request; `Unavailable` says to come back later;
/// `Backend` and `Corrupt` are the hub's fault, and their detail is for the operator's log,
/// never for a client.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum StoreError {
    /// The backend failed: I/O, a full disk, a lost connection, a statement it refused.
    /// Nothing of the call was written.
    #[error("the {backend} backend failed: {detail}")]
    Backend {
        backend: &'static str,
        detail: String,
    },
    /// What was read back does not decode (a bug, or an edited database).
    #[error("stored data is corrupt: {0}")]
    Corrupt(String),
    /// The request contradicts what is stored (a taken name, an unknown organisation).
    #[error("{0}")]
    Conflict(String),
    /// Busy for now: nothing was written; try again shortly. The text may be shown to a
    /// client.
    #[error("{0}")]
    Unavailable(String),
    /// The database server cannot be reached (or is starting, or read-only): nothing was
    /// written; try again shortly. The detail (addresses, names) is for the operator only.
    #[error("{0}")]
    Unreachable(String),
    /// A conditional write found the row changed since it was read: read again and retry.
    #[error("{0}")]
    Stale(String),
}

pub type Result<T, E = StoreError> = std::result::Result<T, E>;

/// A member bureau, the secretariat or a partner organisation.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Organisation {
    pub code: OrgCode,
    pub kind: OrgKind,
    pub name: String,
}

impl Organisation {
    /// The member country, for a member bureau (its code is the country's).
    pub fn country(&self) -> Option<CountryCode> {
        match self.kind {
            OrgKind::Member => CountryCode::parse(self.code.as_str()),
            _ => None,
        }
    }
}

/// An API key as stored: its hash only, never the key.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ApiKeyRow {
    pub id: i64,
    pub org: OrgCode,
    pub label: String,
    pub scopes: Permissions,
    pub key_hash: [u8; 32],
    pub revoked: bool,
}

/// A person's account as stored. The password is stored as its Argon2id hash (PHC string).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UserRow {
    pub id: i64,
    pub org: OrgCode,
    pub username: String,
    pub display_name: String,
    pub roles: Vec<Role>,
    pub password_hash: String,
    /// The TOTP shared secret; `None` until enrolled.
    pub totp_secret: Option<Vec<u8>>,
    /// The last TOTP time step accepted: a code is never accepted twice.
    pub totp_last_step: Option<i64>,
    /// Failed sign-ins still inside the lockout window.
    pub failures: Vec<Timestamp>,
    pub locked_at: Option<Timestamp>,
    pub disabled_at: Option<Timestamp>,
    pub last_active_at: Option<Timestamp>,
    pub created_at: Timestamp,
    /// Bumped by every change; [`Store::update_user`] writes only over the version it read.
    pub version: i64,
}

/// Which entries of the audit trail to read.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct AuditFilter {
    /// Entries with a sequence number above this.
    pub after: Option<i64>,
    pub from: Option<Timestamp>,
    pub to: Option<Timestamp>,
    pub org: Option<String>,
    pub user: Option<String>,
    /// An action, or an action prefix ending in `.` (`check.`).
    pub action: Option<String>,
    pub outcome: Option<String>,
    /// Only entries this organisation's auditors see: its own actions and those that concern
    /// it ([`AuditEvent::concerns`]).
    pub visible_to: Option<String>,
}

/// The chain's head, signed by the hub's key, for witnesses elsewhere.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SignedHead {
    pub seq: i64,
    pub hash: Hash,
    pub at: Timestamp,
    pub public_key: Vec<u8>,
    pub signature: Vec<u8>,
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
    Person,
    /// A notice or a diffusion (its hits only: requests are not withdrawn, they move).
    Notice,
}

impl RecordKind {
    pub fn as_str(self) -> &'static str {
        match self {
            RecordKind::Document => "document",
            RecordKind::Vehicle => "vehicle",
            RecordKind::Person => "person",
            RecordKind::Notice => "notice",
        }
    }

    pub fn parse(text: &str) -> Option<RecordKind> {
        match text {
            "document" => Some(RecordKind::Document),
            "vehicle" => Some(RecordKind::Vehicle),
            "person" => Some(RecordKind::Person),
            "notice" => Some(RecordKind::Notice),
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
    pub checking_org: OrgCode,
    /// `exact` or `possible`.
    pub match_kind: String,
    /// What was asked, as the checker typed it (JSON).
    pub query: String,
    /// When the owner's answer is due.
    pub due_at: Timestamp,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Hit {
    pub id: i64,
    pub hit: NewHit,
    pub answer: Option<HitAnswer>,
    /// When the unanswered hit was escalated as overdue.
    pub escalated_at: Option<Timestamp>,
}

/// The owner's answer to a hit.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HitAnswer {
    /// `still-valid`, `no-longer-valid` or `not-the-same`.
    pub answer: String,
    pub note: Option<String>,
    pub at: Timestamp,
    pub by: String,
}

/// A case report as the hub accepted it (`palermo_core::case`): the columns lists and the
/// visibility rule read, and the validated report (JSON) of the current version.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CaseRow {
    pub owner: CountryCode,
    /// The owner's reference: one case per owner and reference.
    pub reference: String,
    pub status: String,
    pub form: String,
    pub reported_date: String,
    pub restriction: Restriction,
    pub report: String,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StoredCase {
    pub id: i64,
    /// 1 at the first report; each later report of the case adds one.
    pub version: i64,
    pub row: CaseRow,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}

/// One version of a case as it was reported, and by whom.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CaseVersion {
    pub version: i64,
    pub report: String,
    pub by_org: OrgCode,
    /// A person's user name, or a key's label.
    pub by_name: String,
    pub at: Timestamp,
}

/// One normalised identifier of a case's entity (`palermo_core::case::Identifier`), what
/// cases are matched on.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct CaseKey {
    pub kind: String,
    pub value: String,
    pub entity: String,
}

/// A report to store: a case's row, its identifiers, who reported it and when.
#[derive(Clone, Copy, Debug)]
pub struct CaseSubmission<'a> {
    pub row: &'a CaseRow,
    pub keys: &'a [CaseKey],
    pub by_org: &'a OrgCode,
    pub by_name: &'a str,
    pub at: Timestamp,
}

/// The messages a case's submission sends, made inside its transaction from the links it had
/// before (`before`: empty for a new case) and has now (`after`).
pub type TellLinks<'a> = dyn Fn(&StoredCase, &[CaseMatch], &[CaseMatch]) -> Vec<NewMessage> + 'a;

/// One item of a case's investigation checklist as it was last ticked or unticked.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ChecklistTick {
    pub item: String,
    pub done: bool,
    pub note: Option<String>,
    pub by_org: OrgCode,
    pub by_name: String,
    pub at: Timestamp,
}

/// A screened passenger manifest as the hub keeps it: the flight, the counts, the report.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ManifestRow {
    pub at: Timestamp,
    pub checking_org: OrgCode,
    pub checking_user: Option<String>,
    /// The interchange's sender and control reference (`UNB`).
    pub sender: String,
    pub reference: String,
    pub flight: Option<String>,
    pub departure_airport: Option<String>,
    pub departure_time: Option<String>,
    pub arrival_airport: Option<String>,
    pub arrival_time: Option<String>,
    pub travellers: i64,
    pub hits: i64,
    pub possible: i64,
    /// The screening's report, JSON.
    pub report: String,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StoredManifest {
    pub id: i64,
    pub row: ManifestRow,
}

/// A travel warning to one country: a traveller under a Green notice (or a warning diffusion)
/// is on the way, or a bureau warns of one itself.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TravelWarningRow {
    pub at: Timestamp,
    pub sender_org: OrgCode,
    pub sender_user: Option<String>,
    /// `mrz`, `manifest` or `bureau` (sent by hand).
    pub source: String,
    /// The country warned.
    pub destination: CountryCode,
    pub notice_id: Option<i64>,
    pub notice_owner: Option<CountryCode>,
    pub person_id: Option<i64>,
    /// Warnings of one key are one: a manifest sent again warns no one twice.
    pub dedup: String,
    /// Who travels, JSON.
    pub traveller: String,
    /// Flight or crossing and times, JSON.
    pub journey: String,
    pub note: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StoredTravelWarning {
    pub id: i64,
    pub row: TravelWarningRow,
}

/// A warning to store with the messages that carry it.
#[derive(Clone, Debug)]
pub struct NewTravelWarning {
    pub row: TravelWarningRow,
    pub messages: Vec<NewMessage>,
}

/// A user whom a case's owner lets see the case's victims' identities.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CaseGrant {
    pub case_id: i64,
    pub username: String,
    /// The user's organisation when granted.
    pub org: OrgCode,
    pub by_org: OrgCode,
    pub by_name: String,
    pub at: Timestamp,
}

/// An identifier a case shares with another case.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct CaseMatch {
    pub kind: String,
    pub value: String,
    /// The entity of the case asked about.
    pub entity: String,
    pub other_case: i64,
    pub other_owner: CountryCode,
    pub other_entity: String,
}

/// A notice or a diffusion as the hub decided it (`palermo_core::notice`): the store keeps
/// its kind and state in the hub's words and the request as submitted.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NoticeRow {
    /// `RequestKind::as_str`: `red` … `un-entities`, `wanted` … `warning`.
    pub kind: String,
    /// `State::as_str`.
    pub state: String,
    /// The person of the persons database it is about.
    pub person_id: Option<i64>,
    /// The request as submitted (JSON), of the current version.
    pub body: String,
    /// The owner's consent to a public extract.
    pub public_extract: bool,
    pub meta: RecordMeta,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StoredNotice {
    pub id: i64,
    /// 1 at creation; each change of the request's content adds one.
    pub version: i64,
    pub row: NoticeRow,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}

/// One move in a notice's history, as the hub words it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NoticeEvent {
    /// `create`, or `Transition::as_str`.
    pub transition: String,
    pub from_state: Option<String>,
    pub to_state: String,
    /// The version the move left the notice at.
    pub version: i64,
    pub by_org: OrgCode,
    /// Who: a person's user name, or a key's label.
    pub by_name: String,
    pub reason: Option<String>,
    /// The rules' checklist, the overrides, or what changed (JSON), when the move had them.
    pub detail: Option<String>,
    pub at: Timestamp,
}

/// What a move writes: the notice's new row, its history entry, and the message that
/// announces it (publication, cancellation …), all in the move's transaction. With `body`
/// changed the notice gets a new version, kept beside the earlier ones.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NoticeChange {
    pub row: NoticeRow,
    pub event: NoticeEvent,
    pub announce: Option<NewMessage>,
}

/// The hub's decision on a notice as the move's own transaction reads it: the change to
/// write, or `None` to write nothing (the audit entry neither). Two processes moving one
/// notice at once decide one after the other, each on what the other wrote.
pub type NoticeDecide<'a> = dyn Fn(&StoredNotice) -> Option<NoticeChange> + 'a;

/// The message that announces a new notice, made once the store knows its id (`None`: no
/// announcement).
pub type Announce<'a> = dyn Fn(i64) -> Option<NewMessage> + 'a;

/// Which notices to list; every field given must match.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct NoticeFilter {
    pub owner: Option<CountryCode>,
    pub kind: Option<String>,
    pub state: Option<String>,
    pub person_id: Option<i64>,
}

/// Whose hits to list.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum HitParty {
    /// Hits on this bureau's records.
    Owner(CountryCode),
    /// Hits this organisation's checks found.
    Checker(OrgCode),
    /// Every hit (the secretariat).
    Any,
}

/// A message to store: its recipients, attachments and webhook deliveries are written with
/// it, in one transaction.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewMessage {
    pub at: Timestamp,
    pub in_reply_to: Option<i64>,
    /// The thread's first message; `None` starts a thread with this message.
    pub thread_id: Option<i64>,
    pub sender_org: OrgCode,
    pub sender_user: Option<String>,
    pub recipients: Vec<OrgCode>,
    pub subject: String,
    pub body: String,
    /// `routine`, `urgent` or `immediate`.
    pub priority: String,
    /// `H0` to `H3`.
    pub handling: String,
    /// References to records, notices and cases, as JSON (`[{"kind": …, "id": …}]`).
    pub refs: String,
    pub attachments: Vec<NewAttachment>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewAttachment {
    pub name: String,
    pub content_type: String,
    pub data: Vec<u8>,
}

/// An attachment's description (its bytes are read separately).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AttachmentMeta {
    pub id: i64,
    pub name: String,
    pub content_type: String,
    pub size: u64,
    pub sha256: Hash,
}

/// A recipient and its receipts.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Recipient {
    pub org: OrgCode,
    pub read_at: Option<Timestamp>,
    pub read_by: Option<String>,
    pub acknowledged_at: Option<Timestamp>,
    pub acknowledged_by: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StoredMessage {
    pub id: i64,
    pub thread_id: i64,
    pub in_reply_to: Option<i64>,
    pub at: Timestamp,
    pub sender_org: OrgCode,
    pub sender_user: Option<String>,
    pub subject: String,
    pub body: String,
    pub priority: String,
    pub handling: String,
    pub refs: String,
    pub recipients: Vec<Recipient>,
    pub attachments: Vec<AttachmentMeta>,
}

/// Which messages of an organisation to list.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mailbox {
    Inbox,
    Outbox,
}

/// A receipt a recipient gives.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Receipt {
    Read,
    Acknowledged,
}

/// A national system's webhook: where its organisation's messages are also delivered.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Webhook {
    pub org: OrgCode,
    pub url: String,
    pub secret: Vec<u8>,
}

/// What a webhook delivery carries.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DeliveryKind {
    Message,
    /// A hit, to its record's owner and to the checking organisation.
    Hit,
    /// A hit left unanswered past its deadline.
    HitOverdue,
}

impl DeliveryKind {
    pub fn as_str(self) -> &'static str {
        match self {
            DeliveryKind::Message => "message",
            DeliveryKind::Hit => "hit",
            DeliveryKind::HitOverdue => "hit-overdue",
        }
    }

    pub fn parse(text: &str) -> Option<DeliveryKind> {
        [
            DeliveryKind::Message,
            DeliveryKind::Hit,
            DeliveryKind::HitOverdue,
        ]
        .into_iter()
        .find(|kind| kind.as_str() == text)
    }
}

/// A delivery to a webhook, pending or done.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Delivery {
    pub id: i64,
    pub kind: DeliveryKind,
    /// The message's or the hit's id.
    pub subject_id: i64,
    pub org: OrgCode,
    pub idempotency_key: String,
    pub attempts: u32,
    pub next_attempt_at: Timestamp,
    pub delivered_at: Option<Timestamp>,
    pub failed_at: Option<Timestamp>,
    pub last_error: Option<String>,
}

/// The outcome of one delivery attempt.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Attempt {
    Delivered(Timestamp),
    /// Failed; try again at the given time.
    Retry {
        error: String,
        at: Timestamp,
    },
    /// Failed for good.
    GaveUp {
        error: String,
        at: Timestamp,
    },
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

/// A stored value as every backend has it, for moving a whole hub between backends
/// ([`Store::dump_rows`], [`Store::load_rows`]).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Value {
    Null,
    Integer(i64),
    Text(String),
    Bytes(Vec<u8>),
}

/// Every table of a hub with its columns, in an order where the rows a row refers to come
/// before it: what moving a hub copies, the audit trail included, verbatim.
pub const TABLES: &[(&str, &[&str])] = &[
    ("organisations", &["code", "kind", "name", "created_at"]),
    (
        "api_keys",
        &[
            "id",
            "org",
            "label",
            "scopes",
            "key_hash",
            "created_at",
            "revoked_at",
        ],
    ),
    (
        "users",
        &[
            "id",
            "org",
            "username",
            "display_name",
            "roles",
            "password_hash",
            "totp_secret",
            "totp_last_step",
            "failures",
            "locked_at",
            "disabled_at",
            "last_active_at",
            "created_at",
            "version",
        ],
    ),
    ("recovery_codes", &["user_id", "code_hash", "used_at"]),
    (
        "documents",
        &[
            "id",
            "number",
            "number_normalised",
            "issuing_country",
            "document_type",
            "status",
            "holder_name",
            "holder_birth_date",
            "owner",
            "external_ref",
            "reported_date",
            "review_date",
            "restriction",
            "restriction_countries",
            "handling",
            "handling_note",
            "created_at",
            "updated_at",
            "withdrawn_at",
        ],
    ),
    (
        "vehicles",
        &[
            "id",
            "vin",
            "plate",
            "plate_country",
            "make",
            "model",
            "colour",
            "year",
            "status",
            "owner",
            "external_ref",
            "reported_date",
            "review_date",
            "restriction",
            "restriction_countries",
            "handling",
            "handling_note",
            "created_at",
            "updated_at",
            "withdrawn_at",
        ],
    ),
    (
        "persons",
        &[
            "id",
            "body",
            "owner",
            "external_ref",
            "reported_date",
            "review_date",
            "restriction",
            "restriction_countries",
            "handling",
            "handling_note",
            "created_at",
            "updated_at",
            "withdrawn_at",
        ],
    ),
    (
        "person_photos",
        &[
            "id",
            "person_id",
            "content_type",
            "size",
            "sha256",
            "data",
            "created_at",
        ],
    ),
    (
        "audit",
        &[
            "seq",
            "at",
            "org",
            "user",
            "api_key_id",
            "source",
            "action",
            "target",
            "outcome",
            "justification",
            "detail",
            "payload",
            "payload_hash",
            "prev_hash",
            "hash",
            "concerns",
        ],
    ),
    ("audit_subjects", &["org", "seq"]),
    ("replayed_batches", &["node", "batch", "at"]),
    (
        "audit_heads",
        &["seq", "hash", "at", "public_key", "signature"],
    ),
    (
        "hits",
        &[
            "id",
            "at",
            "record_kind",
            "record_id",
            "owner",
            "checking_org",
            "match_kind",
            "query",
            "due_at",
            "answer",
            "answer_note",
            "answered_at",
            "answered_by",
            "escalated_at",
        ],
    ),
    (
        "messages",
        &[
            "id",
            "thread_id",
            "in_reply_to",
            "sender_org",
            "sender_user",
            "subject",
            "body",
            "priority",
            "handling",
            "refs",
            "created_at",
        ],
    ),
    (
        "message_recipients",
        &[
            "message_id",
            "org",
            "read_at",
            "read_by",
            "acknowledged_at",
            "acknowledged_by",
        ],
    ),
    (
        "attachments",
        &[
            "id",
            "message_id",
            "name",
            "content_type",
            "size",
            "sha256",
            "data",
        ],
    ),
    ("webhooks", &["org", "url", "secret"]),
    (
        "deliveries",
        &[
            "id",
            "kind",
            "subject_id",
            "org",
            "idempotency_key",
            "attempts",
            "next_attempt_at",
            "delivered_at",
            "failed_at",
            "last_error",
        ],
    ),
    (
        "notices",
        &[
            "id",
            "kind",
            "state",
            "version",
            "person_id",
            "body",
            "public_extract",
            "owner",
            "external_ref",
            "reported_date",
            "review_date",
            "restriction",
            "restriction_countries",
            "handling",
            "handling_note",
            "created_at",
            "updated_at",
        ],
    ),
    ("notice_versions", &["notice_id", "version", "body", "at"]),
    (
        "cases",
        &[
            "id",
            "owner",
            "reference",
            "version",
            "status",
            "form",
            "reported_date",
            "restriction",
            "restriction_countries",
            "report",
            "created_at",
            "updated_at",
        ],
    ),
    (
        "case_versions",
        &["case_id", "version", "report", "by_org", "by_name", "at"],
    ),
    ("case_keys", &["case_id", "kind", "value", "entity"]),
    (
        "case_checklist",
        &["case_id", "item", "done", "note", "by_org", "by_name", "at"],
    ),
    (
        "case_grants",
        &["case_id", "username", "org", "by_org", "by_name", "at"],
    ),
    (
        "manifests",
        &[
            "id",
            "at",
            "checking_org",
            "checking_user",
            "sender",
            "reference",
            "flight",
            "departure_airport",
            "departure_time",
            "arrival_airport",
            "arrival_time",
            "travellers",
            "hits",
            "possible",
            "report",
        ],
    ),
    (
        "travel_warnings",
        &[
            "id",
            "at",
            "sender_org",
            "sender_user",
            "source",
            "destination",
            "notice_id",
            "notice_owner",
            "person_id",
            "dedup",
            "traveller",
            "journey",
            "note",
        ],
    ),
    (
        "notice_events",
        &[
            "id",
            "notice_id",
            "version",
            "transition",
            "from_state",
            "to_state",
            "by_org",
            "by_name",
            "reason",
            "detail",
            "at",
        ],
    ),
];

/// One row of a table of [`TABLES`], its values in the table's column order.
pub type TableRow = (&'static str, Vec<Value>);

/// Copies a whole hub, audit trail included, from `from` into `to` (which must be empty), in
/// one transaction of `to`: moving a hub between SQLite and PostgreSQL. Returns the rows
/// copied. Reading and writing run at once, on two threads.
pub fn copy_hub(from: &dyn Store, to: &dyn Store) -> Result<u64> {
    std::thread::scope(|scope| {
        let (sender, receiver) = std::sync::mpsc::sync_channel::<Result<TableRow>>(4096);
        scope.spawn(move || {
            for (table, _) in TABLES {
                let dumped =
                    from.dump_rows(table, &mut |values| drop(sender.send(Ok((table, values)))));
                if let Err(error) = dumped {
                    let _ = sender.send(Err(error));
                    return;
                }
            }
        });
        to.load_rows(&mut receiver.into_iter())
    })
}

/// What a write did, as the store reports it to the hub's audit entry of it: the hub words
/// the entry, the store only says what it wrote, inside the write's transaction.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Done<'a> {
    /// The ids of the rows written: records, a key, a photo, a message, escalated hits.
    Ids(&'a [i64]),
    /// A bulk import's counts.
    Imported(ImportCounts),
    /// How many audit payloads were erased.
    Erased(u64),
}

/// Makes the audit entry of a write once the store knows what it wrote. The store calls it
/// inside the write's transaction and appends the entry in that transaction.
pub type Describe<'a> = dyn Fn(Done<'_>) -> AuditEvent + 'a;

/// An entry that needs nothing from the write: `event` as it is.
pub fn as_given(event: &AuditEvent) -> impl Fn(Done<'_>) -> AuditEvent + '_ {
    move |_| event.clone()
}

/// The hub's decision on a row as the write's own transaction reads it, before the write
/// changes it: `false` writes nothing, the audit entry neither. So the database, not a lock
/// in one process, makes a check and the write it allows one step, whichever process writes.
pub type Guard<'a, T> = dyn Fn(&Stored<T>) -> bool + 'a;

/// A kind of record (documents, vehicles, persons): the one description of a record kind
/// that every layer uses. The hub's rules and indexes extend it; each backend adds its
/// table's columns. Its calls go to the [`Store`] methods of the kind.
pub trait Kind: Sized + Clone + Send + Sync + 'static {
    const KIND: RecordKind;
    fn meta(&self) -> &RecordMeta;
    fn get(store: &dyn Store, id: i64) -> Result<Option<Stored<Self>>>;
    fn write(
        store: &dyn Store,
        records: &[Self],
        at: Timestamp,
        audit: &Describe<'_>,
    ) -> Result<Vec<Written<Self>>>;
    fn import(
        store: &dyn Store,
        records: &mut dyn Iterator<Item = Self>,
        at: Timestamp,
        commit: &dyn Fn() -> bool,
        audit: &Describe<'_>,
    ) -> Result<Option<ImportCounts>>;
    fn update(
        store: &dyn Store,
        id: i64,
        record: &Self,
        at: Timestamp,
        allow: &Guard<'_, Self>,
        audit: &AuditEvent,
    ) -> Result<Option<Written<Self>>>;
    fn withdraw(
        store: &dyn Store,
        id: i64,
        at: Timestamp,
        allow: &Guard<'_, Self>,
        audit: &AuditEvent,
    ) -> Result<Option<Stored<Self>>>;
}

/// Implements [`Kind`] for a record type by naming its [`Store`] methods.
macro_rules! kind {
    ($type:ty, $kind:expr, $get:ident, $write:ident, $import:ident, $update:ident, $withdraw:ident) => {
        impl Kind for $type {
            const KIND: RecordKind = $kind;
            fn meta(&self) -> &RecordMeta {
                &self.meta
            }
            fn get(store: &dyn Store, id: i64) -> Result<Option<Stored<Self>>> {
                store.$get(id)
            }
            fn write(
                store: &dyn Store,
                records: &[Self],
                at: Timestamp,
                audit: &Describe<'_>,
            ) -> Result<Vec<Written<Self>>> {
                store.$write(records, at, audit)
            }
            fn import(
                store: &dyn Store,
                records: &mut dyn Iterator<Item = Self>,
                at: Timestamp,
                commit: &dyn Fn() -> bool,
                audit: &Describe<'_>,
            ) -> Result<Option<ImportCounts>> {
                store.$import(records, at, commit, audit)
            }
            fn update(
                store: &dyn Store,
                id: i64,
                record: &Self,
                at: Timestamp,
                allow: &Guard<'_, Self>,
                audit: &AuditEvent,
            ) -> Result<Option<Written<Self>>> {
                store.$update(id, record, at, allow, audit)
            }
            fn withdraw(
                store: &dyn Store,
                id: i64,
                at: Timestamp,
                allow: &Guard<'_, Self>,
                audit: &AuditEvent,
            ) -> Result<Option<Stored<Self>>> {
                store.$withdraw(id, at, allow, audit)
            }
        }
    };
}

kind!(
    Document,
    RecordKind::Document,
    document,
    write_documents,
    import_documents,
    update_document,
    withdraw_document
);
kind!(
    Vehicle,
    RecordKind::Vehicle,
    vehicle,
    write_vehicles,
    import_vehicles,
    update_vehicle,
    withdraw_vehicle
);
kind!(
    Person,
    RecordKind::Person,
    person,
    write_persons,
    import_persons,
    update_person,
    withdraw_person
);

/// Who is told of a hit (by webhook): the hub decides, the store queues the deliveries.
pub type Tell<'a> = dyn Fn(&NewHit) -> Vec<OrgCode> + 'a;

/// Receives `(id, vin, plate_country, plate, access)` of each active vehicle.
pub type VehicleKeysVisitor<'a> =
    dyn FnMut(i64, Option<&str>, Option<CountryCode>, Option<&str>, RecordAccess) + 'a;

/// The storage interface. Implementations are synchronous: callers on an async executor run
/// them on a blocking thread when they may wait for the disk.
///
/// A store reads no clock: every time it writes is given, as an argument or, for an action's
/// own time (an organisation's creation, a key's revocation), as the `at` of the action's
/// audit entry. Nor does it word the trail: every audit entry is the hub's, given whole or,
/// where it names what the write made, made by a [`Describe`] the hub gives.
pub trait Store: Send + Sync {
    /// Adds an organisation, or renames it (its kind never changes).
    fn add_organisation(&self, organisation: &Organisation, audit: &AuditEvent) -> Result<()>;
    fn organisations(&self) -> Result<Vec<Organisation>>;
    fn add_api_key(
        &self,
        org: OrgCode,
        label: &str,
        scopes: Permissions,
        key_hash: &[u8; 32],
        at: Timestamp,
        audit: &Describe<'_>,
    ) -> Result<i64>;
    fn api_keys(&self) -> Result<Vec<ApiKeyRow>>;
    fn revoke_api_key(&self, id: i64, audit: &AuditEvent) -> Result<bool>;

    /// Adds a user; a `Conflict` if the name is taken or the organisation unknown.
    fn add_user(&self, user: &UserRow, audit: &AuditEvent) -> Result<i64>;
    fn user(&self, username: &str) -> Result<Option<UserRow>>;
    fn users(&self) -> Result<Vec<UserRow>>;
    /// Writes every mutable field of user `user.id` (roles, secrets, lock and activity state),
    /// if the stored row is still at `user.version`; otherwise [`StoreError::Stale`] and
    /// nothing is written (the audit entry neither).
    fn update_user(&self, user: &UserRow, audit: &AuditEvent) -> Result<()>;
    /// Replaces a user's recovery codes (their hashes).
    fn set_recovery_codes(&self, user_id: i64, hashes: &[Hash], audit: &AuditEvent) -> Result<()>;
    /// Marks the recovery code used; `false` if it is not one of the user's unused codes.
    fn use_recovery_code(&self, user_id: i64, hash: &Hash, audit: &AuditEvent) -> Result<bool>;

    /// Appends entries to the audit trail, on their own.
    fn append_audit(&self, events: &[AuditEvent]) -> Result<()>;
    /// Entries in sequence order matching `filter`, at most `limit`.
    fn audit_entries(&self, filter: &AuditFilter, limit: usize) -> Result<Vec<AuditEntry>>;
    /// Visits every entry in sequence order, until `visit` returns `false`.
    fn scan_audit(&self, visit: &mut dyn FnMut(AuditEntry) -> bool) -> Result<()>;
    /// The last entry's sequence number and hash.
    fn audit_head(&self) -> Result<Option<(i64, Hash)>>;
    /// Erases the payloads (search terms) of entries older than `before`; returns how many.
    fn erase_audit_payloads(&self, before: Timestamp, audit: &Describe<'_>) -> Result<u64>;
    fn add_signed_head(&self, head: &SignedHead) -> Result<()>;
    fn signed_heads(&self, limit: usize) -> Result<Vec<SignedHead>>;

    /// Inserts each document, or updates the one with the same owner and external reference.
    /// All in one transaction: either every document is written or none is.
    /// The audit entry, made from the ids written ([`Done::Ids`], in input order), is
    /// appended in the write's transaction.
    fn write_documents(
        &self,
        documents: &[Document],
        at: Timestamp,
        audit: &Describe<'_>,
    ) -> Result<Vec<Written<Document>>>;
    /// Streams documents into one transaction (the bulk import): all are written or none.
    /// Once the iterator ends, `commit` decides: `false` rolls everything back (`Ok(None)`);
    /// otherwise the audit entry, made from the counts ([`Done::Imported`]), commits with it.
    fn import_documents(
        &self,
        documents: &mut dyn Iterator<Item = Document>,
        at: Timestamp,
        commit: &dyn Fn() -> bool,
        audit: &Describe<'_>,
    ) -> Result<Option<ImportCounts>>;
    /// Replaces document `id` if `allow` accepts it as the transaction reads it; `None` if
    /// there is no such document or `allow` refused it (nothing written).
    fn update_document(
        &self,
        id: i64,
        document: &Document,
        at: Timestamp,
        allow: &Guard<'_, Document>,
        audit: &AuditEvent,
    ) -> Result<Option<Written<Document>>>;
    /// Marks document `id` withdrawn if `allow` accepts it; returns it as it was, `None` if
    /// absent, withdrawn already or refused (nothing written).
    fn withdraw_document(
        &self,
        id: i64,
        at: Timestamp,
        allow: &Guard<'_, Document>,
        audit: &AuditEvent,
    ) -> Result<Option<Stored<Document>>>;
    fn document(&self, id: i64) -> Result<Option<Stored<Document>>>;
    /// Visits `(id, access)` of every withdrawn record of `kind`, as it was when withdrawn.
    fn scan_withdrawn(
        &self,
        kind: RecordKind,
        visit: &mut dyn FnMut(i64, RecordAccess),
    ) -> Result<()>;
    /// Visits `(id, issuing_country, number_normalised, access)` of every active document.
    fn scan_documents(
        &self,
        visit: &mut dyn FnMut(i64, CountryCode, &str, RecordAccess),
    ) -> Result<()>;
    /// Ids of active documents with this issuing country and normalised number: the lookup
    /// the database alone can do, for comparison with the index.
    fn find_documents(
        &self,
        issuing_country: CountryCode,
        number_normalised: &str,
    ) -> Result<Vec<i64>>;

    fn write_vehicles(
        &self,
        vehicles: &[Vehicle],
        at: Timestamp,
        audit: &Describe<'_>,
    ) -> Result<Vec<Written<Vehicle>>>;
    fn import_vehicles(
        &self,
        vehicles: &mut dyn Iterator<Item = Vehicle>,
        at: Timestamp,
        commit: &dyn Fn() -> bool,
        audit: &Describe<'_>,
    ) -> Result<Option<ImportCounts>>;
    fn update_vehicle(
        &self,
        id: i64,
        vehicle: &Vehicle,
        at: Timestamp,
        allow: &Guard<'_, Vehicle>,
        audit: &AuditEvent,
    ) -> Result<Option<Written<Vehicle>>>;
    fn withdraw_vehicle(
        &self,
        id: i64,
        at: Timestamp,
        allow: &Guard<'_, Vehicle>,
        audit: &AuditEvent,
    ) -> Result<Option<Stored<Vehicle>>>;
    fn vehicle(&self, id: i64) -> Result<Option<Stored<Vehicle>>>;
    /// Visits `(id, vin, plate_country, plate)` of every active vehicle.
    fn scan_vehicles(&self, visit: &mut VehicleKeysVisitor<'_>) -> Result<()>;

    fn write_persons(
        &self,
        persons: &[Person],
        at: Timestamp,
        audit: &Describe<'_>,
    ) -> Result<Vec<Written<Person>>>;
    fn import_persons(
        &self,
        persons: &mut dyn Iterator<Item = Person>,
        at: Timestamp,
        commit: &dyn Fn() -> bool,
        audit: &Describe<'_>,
    ) -> Result<Option<ImportCounts>>;
    fn update_person(
        &self,
        id: i64,
        person: &Person,
        at: Timestamp,
        allow: &Guard<'_, Person>,
        audit: &AuditEvent,
    ) -> Result<Option<Written<Person>>>;
    fn withdraw_person(
        &self,
        id: i64,
        at: Timestamp,
        allow: &Guard<'_, Person>,
        audit: &AuditEvent,
    ) -> Result<Option<Stored<Person>>>;
    fn person(&self, id: i64) -> Result<Option<Stored<Person>>>;
    /// Stores a photo of person `person_id` with its SHA-256, uploaded at `at`, if `allow`
    /// accepts the person as the transaction reads it; `None` if absent or refused. The
    /// audit entry is made from the photo's id.
    fn add_person_photo(
        &self,
        person_id: i64,
        content_type: &str,
        data: &[u8],
        at: Timestamp,
        allow: &Guard<'_, Person>,
        audit: &Describe<'_>,
    ) -> Result<Option<AttachmentMeta>>;
    fn person_photos(&self, person_id: i64) -> Result<Vec<AttachmentMeta>>;
    /// A photo's person, description and bytes.
    fn person_photo(&self, id: i64) -> Result<Option<(i64, AttachmentMeta, Vec<u8>)>>;
    /// Visits every active person (the screening index is built from them).
    fn scan_persons(&self, visit: &mut dyn FnMut(Stored<Person>)) -> Result<()>;

    /// Stores a message with its recipients, attachments and the webhook deliveries of the
    /// recipients that have a webhook. Returns its id; the audit entry is made from it.
    fn send_message(&self, message: &NewMessage, audit: &Describe<'_>) -> Result<i64>;
    fn message(&self, id: i64) -> Result<Option<StoredMessage>>;
    /// Message `id` if `org` sent it or is one of its recipients; `None` otherwise, as if it
    /// did not exist.
    fn message_for(&self, id: i64, org: OrgCode) -> Result<Option<StoredMessage>>;
    /// `org`'s messages in `mailbox`, newest first, with ids below `before`.
    fn messages(
        &self,
        org: OrgCode,
        mailbox: Mailbox,
        before: Option<i64>,
        limit: usize,
    ) -> Result<Vec<StoredMessage>>;
    /// Every message of a thread, oldest first.
    fn thread(&self, thread_id: i64) -> Result<Vec<StoredMessage>>;
    /// An attachment's description and bytes.
    fn attachment(&self, id: i64) -> Result<Option<(i64, AttachmentMeta, Vec<u8>)>>;
    /// Records a recipient's receipt of each message, once, in one transaction with `audit`;
    /// returns the messages whose receipt this gave (not those already given, nor those
    /// `org` is not a recipient of).
    fn give_receipt(
        &self,
        message_ids: &[i64],
        org: OrgCode,
        receipt: Receipt,
        by: &str,
        at: Timestamp,
        audit: &AuditEvent,
    ) -> Result<Vec<i64>>;
    fn set_webhook(&self, webhook: &Webhook, audit: &AuditEvent) -> Result<()>;
    fn webhook(&self, org: OrgCode) -> Result<Option<Webhook>>;
    /// Deliveries due at `now`, oldest first, except those to the organisations in `skip`
    /// (whose deliveries are under way).
    fn due_deliveries(
        &self,
        now: Timestamp,
        limit: usize,
        skip: &[OrgCode],
    ) -> Result<Vec<Delivery>>;
    fn deliveries(&self, kind: DeliveryKind, subject_id: i64) -> Result<Vec<Delivery>>;
    fn record_attempt(&self, delivery_id: i64, attempt: &Attempt) -> Result<()>;

    /// Records checks: their audit entries and the hits they found, with a webhook delivery of
    /// each hit to every organisation `tell` names for it (that has a webhook), in one
    /// transaction (the group commit of many requests' checks). Returns the hits' ids, in
    /// order. With `replay` (a batch a hub's [`Spool`] kept while the database was out of
    /// reach), the batch is recorded once: `None` if it was recorded already, and nothing is
    /// written.
    fn record_checks(
        &self,
        audit: &[AuditEvent],
        hits: &[NewHit],
        tell: &Tell<'_>,
        replay: Option<Replay<'_>>,
    ) -> Result<Option<Vec<i64>>>;
    /// Hits of `party`, newest first, with ids below `before` when given.
    fn hits(&self, party: HitParty, before: Option<i64>, limit: usize) -> Result<Vec<Hit>>;
    fn hit(&self, id: i64) -> Result<Option<Hit>>;
    /// Marks unanswered hits whose deadline passed before `now` as escalated, queues their
    /// `hit-overdue` deliveries to the organisations `tell` names, and returns them. The
    /// audit entry is made from their ids; when none was due, nothing is written.
    fn escalate_overdue_hits(
        &self,
        now: Timestamp,
        tell: &Tell<'_>,
        audit: &Describe<'_>,
    ) -> Result<Vec<Hit>>;
    /// Records the owner's answer; `false` if the hit is absent or already answered.
    fn answer_hit(&self, id: i64, answer: &HitAnswer, audit: &AuditEvent) -> Result<bool>;

    /// Stores a new notice or diffusion at version 1 with its first history entry, and the
    /// message `announce` makes from its id (if any), in one transaction; the audit entry is made from
    /// its id. A reference its owner already gave another notice is a `Conflict`.
    fn create_notice(
        &self,
        row: &NoticeRow,
        event: &NoticeEvent,
        announce: &Announce<'_>,
        audit: &Describe<'_>,
    ) -> Result<StoredNotice>;
    fn notice(&self, id: i64) -> Result<Option<StoredNotice>>;
    /// Notices matching `filter`, newest first, with ids below `before` when given.
    fn notices(
        &self,
        filter: &NoticeFilter,
        before: Option<i64>,
        limit: usize,
    ) -> Result<Vec<StoredNotice>>;
    /// Moves a notice as `decide` says on the row this transaction reads: its new row, a new
    /// version when the body changed, the history entry and the announcement. `None` when the
    /// notice is absent or `decide` refused; then nothing is written.
    fn change_notice(
        &self,
        id: i64,
        decide: &NoticeDecide<'_>,
        audit: &AuditEvent,
    ) -> Result<Option<StoredNotice>>;
    /// A notice's history, oldest first.
    fn notice_history(&self, id: i64) -> Result<Vec<NoticeEvent>>;
    /// The request as submitted at `version`.
    fn notice_version(&self, id: i64, version: i64) -> Result<Option<String>>;

    /// Stores a report in one transaction: a new case at version 1 or, when its owner already
    /// has a case of that reference, the case's next version (row updated, identifiers
    /// replaced); every version is kept; the messages `tell` makes of its links, before and
    /// after, are sent. The audit entry is made from `Done::Ids(&[id, version])`.
    fn submit_case(
        &self,
        submission: &CaseSubmission<'_>,
        tell: &TellLinks<'_>,
        audit: &Describe<'_>,
    ) -> Result<StoredCase>;
    fn case(&self, id: i64) -> Result<Option<StoredCase>>;
    /// Cases, of `owner` when given, newest first, with ids below `before` when given.
    fn cases(
        &self,
        owner: Option<CountryCode>,
        before: Option<i64>,
        limit: usize,
    ) -> Result<Vec<StoredCase>>;
    /// A case's versions, oldest first.
    fn case_versions(&self, id: i64) -> Result<Vec<CaseVersion>>;
    /// Every identifier of case `id` that another case holds too, with that case.
    fn case_matches(&self, id: i64) -> Result<Vec<CaseMatch>>;
    /// Every case's id and version, in id order: what a summary of the cases kept elsewhere
    /// needs to know it is current.
    fn case_stamps(&self) -> Result<Vec<(i64, i64)>>;
    /// The case of `owner` with that reference.
    fn case_of(&self, owner: CountryCode, reference: &str) -> Result<Option<StoredCase>>;
    /// The items of case `case_id`'s checklist ticked (or unticked) so far, by item.
    fn case_checklist(&self, case_id: i64) -> Result<Vec<ChecklistTick>>;
    /// Records the item's state (replacing any earlier one) with its audit entry.
    fn tick_case_item(&self, case_id: i64, tick: &ChecklistTick, audit: &AuditEvent) -> Result<()>;
    /// The users case `case_id`'s owner lets see the victims' identities, by name.
    /// Stores a screened manifest; the audit entry is made from `Done::Ids(&[id])`.
    fn record_manifest(&self, row: &ManifestRow, audit: &Describe<'_>) -> Result<i64>;
    fn manifest(&self, id: i64) -> Result<Option<StoredManifest>>;
    /// The manifests `org` screened, newest first, with ids below `before` when given.
    fn manifests(
        &self,
        org: OrgCode,
        before: Option<i64>,
        limit: usize,
    ) -> Result<Vec<StoredManifest>>;
    /// Stores travel warnings and sends their messages in one transaction. A warning whose
    /// `dedup` key is stored already is skipped, its messages with it (`None` in its place).
    /// The audit entry is made from the new warnings' ids.
    fn record_travel_warnings(
        &self,
        warnings: &[NewTravelWarning],
        audit: &Describe<'_>,
    ) -> Result<Vec<Option<i64>>>;
    /// The warnings `org` sent, or that went to `country`, or whose notice `country` owns;
    /// newest first, with ids below `before` when given.
    fn travel_warnings(
        &self,
        org: OrgCode,
        country: Option<CountryCode>,
        before: Option<i64>,
        limit: usize,
    ) -> Result<Vec<StoredTravelWarning>>;
    fn case_grants(&self, case_id: i64) -> Result<Vec<CaseGrant>>;
    /// The cases whose victims' identities `username` was granted, in order.
    fn user_case_grants(&self, username: &str) -> Result<Vec<i64>>;
    /// Grants (or grants again, replacing who and when) with its audit entry.
    fn grant_case(&self, grant: &CaseGrant, audit: &AuditEvent) -> Result<()>;
    /// Withdraws a grant with its audit entry; `false` (and no entry) if there was none.
    fn revoke_case_grant(&self, case_id: i64, username: &str, audit: &AuditEvent) -> Result<bool>;

    fn counts(&self) -> Result<Counts>;

    /// Visits every row of `table` (one of [`TABLES`]) in the order of its key, the values in
    /// the order [`TABLES`] lists its columns: the raw copy that moving a hub needs.
    fn dump_rows(&self, table: &'static str, visit: &mut dyn FnMut(Vec<Value>)) -> Result<()>;
    /// Writes rows as [`Store::dump_rows`] gave them into this store, which must hold nothing
    /// yet, in one transaction: all or nothing. Returns how many rows it wrote.
    fn load_rows(&self, rows: &mut dyn Iterator<Item = Result<TableRow>>) -> Result<u64>;
}
