//! The audit trail's use cases: recording checks in group commits, reading and exporting the
//! trail, verifying its chain, and signing its head for witnesses elsewhere.
//!
//! Every other action appends its entry in its own store transaction (see the store). Checks
//! are many and small: each request's entry (and its hits) goes to one committer thread,
//! which writes everything waiting in one transaction and one `fsync`, then answers every
//! request in it. A check's answer is released only after its entry is durable.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use palermo_core::audit::{AuditEntry, AuditEvent, ChainBreak, ChainVerifier, Hash, display_safe};
use palermo_core::{Permissions, Timestamp};
use palermo_store::{AuditFilter, Done, NewHit, Replay, SignedHead, Spool, Store, StoreError};
use parking_lot::{Condvar, Mutex};
use ring::signature::{ED25519, Ed25519KeyPair, KeyPair, UnparsedPublicKey};
use serde::Serialize;
use tokio::sync::oneshot;

use crate::{Caller, Hub, HubError, Result};

/// Most audit entries waiting for a commit; beyond it checks are refused (503) rather than
/// letting memory grow without bound.
const QUEUE_MAX: usize = 200_000;
/// Most entries one read of the trail returns.
pub const AUDIT_PAGE_MAX: usize = 1_000;

/// The entry of a write that names what it made, once the store says what that is: its
/// target names the rows (`{prefix}:{ids}`) unless the event names a target already; its
/// detail counts an import's rows or an erasure's payloads unless it has one.
pub(crate) fn naming<'a>(
    event: &'a AuditEvent,
    prefix: &'a str,
) -> impl Fn(Done<'_>) -> AuditEvent + 'a {
    move |done| {
        let mut event = event.clone();
        match done {
            Done::Ids(ids) => {
                let ids: Vec<String> = ids.iter().map(i64::to_string).collect();
                event
                    .target
                    .get_or_insert_with(|| format!("{prefix}:{}", ids.join(",")));
            }
            Done::Imported(counts) => {
                event.detail.get_or_insert_with(|| {
                    format!("inserted {}, updated {}", counts.inserted, counts.updated)
                });
            }
            Done::Erased(count) => {
                event
                    .detail
                    .get_or_insert_with(|| format!("erased {count} payloads"));
            }
        }
        event
    }
}

type Reply = oneshot::Sender<std::result::Result<Vec<i64>, StoreError>>;

#[derive(Default)]
struct Queue {
    events: Vec<AuditEvent>,
    hits: Vec<NewHit>,
    /// Each waiting request, with how many of the queued hits are its own.
    waiters: Vec<(usize, Reply)>,
    closed: bool,
}

struct Shared {
    queue: Mutex<Queue>,
    wake: Condvar,
    /// Entries waiting in the spool for the database.
    spooled: AtomicU64,
}

/// The committer thread and its queue.
pub(crate) struct GroupCommit {
    shared: Arc<Shared>,
    thread: Option<JoinHandle<()>>,
}

/// A submission to the group commit: resolves to the hits' ids once durable.
pub type Pending = oneshot::Receiver<std::result::Result<Vec<i64>, StoreError>>;

impl GroupCommit {
    /// Starts the committer. With a `spool`, checks whose database is out of reach are kept
    /// there, durably, and answered; they are replayed, in order, once it is back.
    pub(crate) fn start(store: Arc<dyn Store>, spool: Option<Arc<Spool>>) -> GroupCommit {
        let shared = Arc::new(Shared {
            queue: Mutex::new(Queue::default()),
            wake: Condvar::new(),
            spooled: AtomicU64::new(0),
        });
        let thread = {
            let shared = shared.clone();
            std::thread::Builder::new()
                .name("audit-commit".into())
                .spawn(move || {
                    let mut spooling = spool.map(|spool| Spooling::new(spool, store.as_ref()));
                    commit_loop(&shared, store.as_ref(), spooling.as_mut())
                })
                .expect("the audit committer thread starts")
        };
        GroupCommit {
            shared,
            thread: Some(thread),
        }
    }

    /// How many checks' entries wait in the spool for the database.
    pub(crate) fn spooled(&self) -> u64 {
        self.shared.spooled.load(Ordering::Relaxed)
    }

    /// Queues `events` and `hits` for the next commit.
    pub(crate) fn submit(&self, events: Vec<AuditEvent>, hits: Vec<NewHit>) -> Result<Pending> {
        let (reply, pending) = oneshot::channel();
        let mut queue = self.shared.queue.lock();
        if queue.closed {
            return Err(HubError::Unavailable("the hub is shutting down".into()));
        }
        if queue.events.len() + events.len() > QUEUE_MAX {
            return Err(HubError::Unavailable(
                "the audit trail is behind; try again shortly".into(),
            ));
        }
        queue.waiters.push((hits.len(), reply));
        queue.events.extend(events);
        queue.hits.extend(hits);
        drop(queue);
        self.shared.wake.notify_one();
        Ok(pending)
    }
}

impl Drop for GroupCommit {
    fn drop(&mut self) {
        self.shared.queue.lock().closed = true;
        self.shared.wake.notify_one();
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// Most audit entries the spool keeps; beyond it checks are refused (503).
const SPOOL_MAX: u64 = 10_000_000;
/// How often the committer tries to replay the spool while the database stays away.
const REPLAY_EVERY: Duration = Duration::from_secs(1);

/// The committer's spool and what it knows of it.
struct Spooling {
    spool: Arc<Spool>,
    /// Entries waiting in the spool (read once at start, then kept here).
    waiting: u64,
    last_try: Option<Instant>,
}

impl Spooling {
    fn new(spool: Arc<Spool>, store: &dyn Store) -> Spooling {
        let waiting = spool.waiting().unwrap_or_else(|error| {
            tracing::error!(%error, "cannot read the audit spool");
            0
        });
        let mut spooling = Spooling {
            spool,
            waiting,
            last_try: None,
        };
        spooling.replay(store);
        spooling
    }

    /// Replays the spool's batches into the store, oldest first, until it is empty (`true`)
    /// or the store fails (`false`, tried again after [`REPLAY_EVERY`]).
    fn replay(&mut self, store: &dyn Store) -> bool {
        if self.waiting == 0 {
            return true;
        }
        if self.last_try.is_some_and(|at| at.elapsed() < REPLAY_EVERY) {
            return false;
        }
        self.last_try = Some(Instant::now());
        loop {
            let batch = match self.spool.oldest() {
                Ok(Some(batch)) => batch,
                Ok(None) => {
                    self.waiting = 0;
                    tracing::info!("the audit spool is replayed: the database has every entry");
                    return true;
                }
                Err(error) => {
                    tracing::error!(%error, "cannot read the audit spool");
                    return false;
                }
            };
            let replay = Replay {
                node: self.spool.node(),
                batch: batch.batch,
            };
            let recorded = store.record_checks(
                &batch.events,
                &batch.hits,
                &crate::hits::told_of,
                Some(replay),
            );
            if let Err(error) = recorded {
                tracing::warn!(%error, waiting = self.waiting, "the audit spool waits");
                return false;
            }
            if let Err(error) = self.spool.remove(batch.batch) {
                // Replayed again later, and recorded once (the database keeps the mark).
                tracing::error!(%error, "cannot empty the audit spool");
                return false;
            }
            self.waiting = self.waiting.saturating_sub(batch.events.len() as u64);
        }
    }

    /// Keeps a batch the database could not take.
    fn keep(
        &mut self,
        events: &[AuditEvent],
        hits: &[NewHit],
    ) -> std::result::Result<(), StoreError> {
        if self.waiting + events.len() as u64 > SPOOL_MAX {
            return Err(StoreError::Unavailable(
                "the database is out of reach and the audit spool is full; try again later".into(),
            ));
        }
        if self.waiting == 0 {
            tracing::warn!("the database is out of reach: checks' audit entries go to the spool");
        }
        self.spool.push(events, hits)?;
        self.waiting += events.len() as u64;
        Ok(())
    }
}

fn commit_loop(shared: &Shared, store: &dyn Store, mut spooling: Option<&mut Spooling>) {
    loop {
        let batch = {
            let mut queue = shared.queue.lock();
            while queue.waiters.is_empty() && !queue.closed {
                if spooling
                    .as_ref()
                    .is_some_and(|spooling| spooling.waiting > 0)
                {
                    // Replay without waiting for traffic.
                    if shared.wake.wait_for(&mut queue, REPLAY_EVERY).timed_out() {
                        break;
                    }
                } else {
                    shared.wake.wait(&mut queue);
                }
            }
            if queue.waiters.is_empty() && queue.closed {
                drop(queue);
                if let Some(spooling) = spooling.as_mut() {
                    spooling.replay(store);
                }
                return;
            }
            Queue {
                events: std::mem::take(&mut queue.events),
                hits: std::mem::take(&mut queue.hits),
                waiters: std::mem::take(&mut queue.waiters),
                closed: queue.closed,
            }
        };
        // What the spool keeps goes to the database first: the trail stays in the order the
        // checks were made.
        let behind = match spooling.as_mut() {
            Some(spooling) => {
                let behind = !spooling.replay(store);
                shared.spooled.store(spooling.waiting, Ordering::Relaxed);
                behind
            }
            None => false,
        };
        if batch.waiters.is_empty() {
            continue;
        }
        let result = if behind {
            Err(StoreError::Unreachable(
                "the audit spool is replaying".into(),
            ))
        } else {
            store
                .record_checks(&batch.events, &batch.hits, &crate::hits::told_of, None)
                .map(Option::unwrap_or_default)
        };
        let result = match (result, spooling.as_mut()) {
            (Err(StoreError::Unreachable(_)), Some(spooling)) => spooling
                .keep(&batch.events, &batch.hits)
                // Spooled hits get their ids when replayed.
                .map(|()| Vec::new()),
            (result, _) => result,
        };
        if let Some(spooling) = spooling.as_ref() {
            shared.spooled.store(spooling.waiting, Ordering::Relaxed);
        }
        match result {
            Ok(ids) => {
                let mut ids = ids.into_iter();
                for (count, reply) in batch.waiters {
                    let _ = reply.send(Ok(ids.by_ref().take(count).collect()));
                }
            }
            Err(error) => {
                tracing::error!(%error, "could not write checks' audit entries");
                for (_, reply) in batch.waiters {
                    let _ = reply.send(Err(error.clone()));
                }
            }
        }
    }
}

fn stopped(_: oneshot::error::RecvError) -> HubError {
    HubError::Unavailable("the audit committer stopped".into())
}

/// Waits (blocking the thread) for a submission to be durable.
pub(crate) fn wait(pending: Pending) -> Result<Vec<i64>> {
    pending
        .blocking_recv()
        .map_err(stopped)?
        .map_err(HubError::from)
}

/// Waits (asynchronously) for a submission to be durable.
pub(crate) async fn wait_async(pending: Pending) -> Result<Vec<i64>> {
    pending.await.map_err(stopped)?.map_err(HubError::from)
}

/// The hub's Ed25519 key, which signs the chain's head.
pub struct SigningKey {
    pair: Ed25519KeyPair,
}

impl SigningKey {
    /// A new key, as PKCS #8 bytes to keep (owner-only) in the data directory.
    pub fn generate() -> std::result::Result<Vec<u8>, String> {
        let rng = ring::rand::SystemRandom::new();
        Ed25519KeyPair::generate_pkcs8(&rng)
            .map(|document| document.as_ref().to_vec())
            .map_err(|_| "could not generate a signing key".to_owned())
    }

    pub fn from_pkcs8(bytes: &[u8]) -> std::result::Result<SigningKey, String> {
        Ed25519KeyPair::from_pkcs8(bytes)
            .map(|pair| SigningKey { pair })
            .map_err(|error| format!("not an Ed25519 PKCS #8 key: {error}"))
    }

    pub fn public_key(&self) -> Vec<u8> {
        self.pair.public_key().as_ref().to_vec()
    }

    /// Signs the head `(seq, hash)` as at `at`.
    pub fn sign_head(&self, seq: i64, hash: Hash, at: Timestamp) -> SignedHead {
        SignedHead {
            seq,
            hash,
            at,
            public_key: self.public_key(),
            signature: self
                .pair
                .sign(&head_message(seq, &hash, at))
                .as_ref()
                .to_vec(),
        }
    }
}

/// What a signature over a head covers.
fn head_message(seq: i64, hash: &Hash, at: Timestamp) -> Vec<u8> {
    let mut message = b"palermo-audit-head-v1".to_vec();
    message.extend_from_slice(&seq.to_be_bytes());
    message.extend_from_slice(hash);
    message.extend_from_slice(&at.0.to_be_bytes());
    message
}

/// A signed head as published: anyone holding the public key can check it.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct AuditHead {
    pub seq: i64,
    /// SHA-256 of the entry, hex.
    pub hash: String,
    #[schema(value_type = String)]
    pub at: Timestamp,
    /// `at` in milliseconds since the epoch, as the signature covers it.
    pub at_ms: i64,
    /// `ed25519`.
    pub algorithm: &'static str,
    /// Hex.
    pub public_key: String,
    /// Hex, over `palermo-audit-head-v1 ‖ seq (i64 BE) ‖ hash ‖ at (ms, i64 BE)`.
    pub signature: String,
}

impl From<&SignedHead> for AuditHead {
    fn from(head: &SignedHead) -> AuditHead {
        AuditHead {
            seq: head.seq,
            hash: hex::encode(head.hash),
            at: head.at,
            at_ms: head.at.0,
            algorithm: "ed25519",
            public_key: hex::encode(&head.public_key),
            signature: hex::encode(&head.signature),
        }
    }
}

/// Parses a head as witnesses keep it: `SEQ:HASH` (the hash in hex).
pub fn parse_head(text: &str) -> std::result::Result<(i64, Hash), String> {
    let malformed =
        || format!("{text:?} is not SEQ:HASH (a sequence number, a colon, 64 hex digits)");
    let (seq, hash) = text.trim().split_once(':').ok_or_else(malformed)?;
    let seq = seq
        .parse::<i64>()
        .ok()
        .filter(|seq| *seq > 0)
        .ok_or_else(malformed)?;
    let hash: Hash = hex::decode(hash)
        .ok()
        .and_then(|bytes| bytes.try_into().ok())
        .ok_or_else(malformed)?;
    Ok((seq, hash))
}

/// Checks a head's signature.
pub fn head_signature_valid(head: &SignedHead) -> bool {
    UnparsedPublicKey::new(&ED25519, &head.public_key)
        .verify(
            &head_message(head.seq, &head.hash, head.at),
            &head.signature,
        )
        .is_ok()
}

/// An entry as auditors read it. Text that came from callers is shown display-safe
/// ([`palermo_core::audit::display_safe`]): no entry can be made to read as another.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct AuditEntryView {
    pub seq: i64,
    #[serde(flatten)]
    #[schema(value_type = Object)]
    pub event: AuditEvent,
    /// What was asked (search terms), until erased at the end of its retention period.
    #[schema(value_type = Option<serde_json::Value>)]
    pub payload: Option<serde_json::Value>,
    pub payload_erased: bool,
    /// The entry is another organisation's action that concerns the reader's: what it asked
    /// (other travellers' data) is not shown.
    pub payload_withheld: bool,
    pub prev_hash: String,
    pub hash: String,
}

impl AuditEntryView {
    /// The entry as `reader` may read it: another organisation's payload is withheld.
    pub fn of(entry: AuditEntry, reader: Option<&Caller>) -> AuditEntryView {
        let erased = entry.event.payload.is_none() && entry.payload_hash.is_some();
        let withheld = reader.is_some_and(|reader| {
            !reader.is_secretariat() && entry.event.org != reader.org.as_str()
        });
        let payload = entry
            .event
            .payload
            .as_deref()
            .filter(|_| !withheld)
            .map(|text| {
                serde_json::from_str(text)
                    .unwrap_or_else(|_| serde_json::Value::String(text.into()))
            });
        let safe = |text: &mut String| {
            if let std::borrow::Cow::Owned(shown) = display_safe(text) {
                *text = shown;
            }
        };
        let mut event = entry.event;
        event.payload = None;
        safe(&mut event.org);
        safe(&mut event.action);
        safe(&mut event.outcome);
        for text in [
            &mut event.user,
            &mut event.source,
            &mut event.target,
            &mut event.justification,
            &mut event.detail,
        ]
        .into_iter()
        .flatten()
        {
            safe(text);
        }
        AuditEntryView {
            seq: entry.seq,
            payload_erased: erased,
            payload_withheld: withheld && !erased && entry.payload_hash.is_some(),
            payload,
            prev_hash: hex::encode(entry.prev_hash),
            hash: hex::encode(entry.hash),
            event,
        }
    }
}

/// What a verification found.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct AuditVerification {
    /// Whether the whole chain verified (and agrees with every signed head).
    pub intact: bool,
    pub entries_verified: u64,
    pub payloads_erased: u64,
    pub head_seq: Option<i64>,
    pub head_hash: Option<String>,
    /// Signed heads checked against the chain.
    pub signed_heads_checked: u64,
    /// Whether heads were checked against the hub's own key (known outside the database).
    pub key_pinned: bool,
    /// The first bad entry.
    pub broken_at: Option<i64>,
    pub reason: Option<String>,
}

/// Signed heads checked by a verification, newest first.
const SIGNED_HEADS_CHECKED: usize = 1_000;

impl Hub {
    /// Appends one entry and waits until it is durable.
    pub fn audit(&self, event: AuditEvent) -> Result<()> {
        wait(self.group.submit(vec![event], Vec::new())?)?;
        Ok(())
    }

    /// Entries matching `filter`, for auditors: the secretariat's read the whole trail; a
    /// member's, its own organisation's actions and those on its records and people (with
    /// other organisations' search terms withheld). The reading is itself audited.
    pub fn audit_entries(
        &self,
        caller: &Caller,
        filter: &AuditFilter,
        limit: usize,
    ) -> Result<Vec<AuditEntryView>> {
        self.audited(
            caller,
            "audit.read",
            || None,
            || {
                caller.require(Permissions::READ_AUDIT)?;
                if limit == 0 || limit > AUDIT_PAGE_MAX {
                    return Err(HubError::Invalid(palermo_core::FieldErrors::single(
                        "limit",
                        format!("must be 1 to {AUDIT_PAGE_MAX}"),
                    )));
                }
                let entries = self
                    .store
                    .audit_entries(&Self::audit_scope(caller, filter), limit)?;
                let mut event = self.event(caller, "audit.read", "ok");
                event.detail = Some(format!("{} entries", entries.len()));
                self.store.append_audit(&[event])?;
                Ok(entries
                    .into_iter()
                    .map(|entry| AuditEntryView::of(entry, Some(caller)))
                    .collect())
            },
        )
    }

    /// `filter`, limited to what the caller's auditors may read.
    fn audit_scope(caller: &Caller, filter: &AuditFilter) -> AuditFilter {
        let mut filter = filter.clone();
        if !caller.is_secretariat() {
            filter.visible_to = Some(caller.org.to_string());
        }
        filter
    }

    /// Visits every entry the caller may read, in order (the export); audited.
    pub fn export_audit(
        &self,
        caller: &Caller,
        visit: &mut dyn FnMut(AuditEntryView) -> bool,
    ) -> Result<()> {
        self.audited(
            caller,
            "audit.export",
            || None,
            || caller.require(Permissions::READ_AUDIT),
        )?;
        self.store
            .append_audit(&[self.event(caller, "audit.export", "ok")])?;
        if caller.is_secretariat() {
            self.store
                .scan_audit(&mut |entry| visit(AuditEntryView::of(entry, Some(caller))))?;
            return Ok(());
        }
        let mut filter = Self::audit_scope(caller, &AuditFilter::default());
        loop {
            let page = self.store.audit_entries(&filter, AUDIT_PAGE_MAX)?;
            let Some(last) = page.last().map(|entry| entry.seq) else {
                return Ok(());
            };
            for entry in page {
                if !visit(AuditEntryView::of(entry, Some(caller))) {
                    return Ok(());
                }
            }
            filter.after = Some(last);
        }
    }

    /// Verifies the whole chain, every recent signed head against it (signed by the hub's
    /// own key, not by whatever key a head's row names), and, with `expected`, a head a
    /// witness kept: the entry at that sequence number must be there with that hash, so that
    /// cutting off the end of the trail is caught by anyone holding a later head.
    pub fn verify_audit(
        &self,
        caller: &Caller,
        expected: Option<(i64, Hash)>,
    ) -> Result<AuditVerification> {
        self.audited(
            caller,
            "audit.verify",
            || None,
            || caller.require(Permissions::READ_AUDIT),
        )?;
        let pinned = self.pinned_audit_key.clone();
        let heads = self.store.signed_heads(SIGNED_HEADS_CHECKED)?;
        let mut verifier = ChainVerifier::new();
        let mut broken: Option<ChainBreak> = None;
        let mut heads_checked = 0u64;
        let mut pending_heads: Vec<&SignedHead> = heads.iter().rev().collect();
        for head in &heads {
            let reason = if pinned.as_ref().is_some_and(|key| *key != head.public_key) {
                Some("a signed head was signed by a key that is not the hub's")
            } else if !head_signature_valid(head) {
                Some("a signed head's signature does not verify")
            } else {
                None
            };
            if let Some(reason) = reason {
                broken.get_or_insert(ChainBreak {
                    seq: head.seq,
                    reason: reason.into(),
                });
            }
        }
        let mut expected_seen = false;
        self.store.scan_audit(&mut |entry| {
            if let Err(error) = verifier.verify(&entry) {
                broken = Some(error);
                return false;
            }
            if let Some((seq, hash)) = expected
                && seq == entry.seq
            {
                expected_seen = true;
                if hash != entry.hash {
                    broken = Some(ChainBreak {
                        seq,
                        reason: "differs from the head given to compare with".into(),
                    });
                    return false;
                }
            }
            while let Some(head) = pending_heads.first() {
                if head.seq > entry.seq {
                    break;
                }
                if head.seq == entry.seq && head.hash != entry.hash {
                    broken = Some(ChainBreak {
                        seq: entry.seq,
                        reason: "differs from the head signed and published at this point".into(),
                    });
                    return false;
                }
                heads_checked += 1;
                pending_heads.remove(0);
            }
            true
        })?;
        let last = verifier.head().map_or(0, |(seq, _)| seq);
        if broken.is_none()
            && let Some(head) = pending_heads.first()
        {
            broken = Some(ChainBreak {
                seq: last + 1,
                reason: format!(
                    "entries {}..={} were signed and published but are missing (deleted)",
                    last + 1,
                    head.seq
                ),
            });
        }
        if broken.is_none()
            && let Some((seq, _)) = expected
            && !expected_seen
        {
            broken = Some(ChainBreak {
                seq: last + 1,
                reason: format!(
                    "the trail ends at entry {last}, but a head at entry {seq} was given to \
                     compare with: entries were deleted from its end"
                ),
            });
        }
        let head = verifier.head();
        let verification = AuditVerification {
            intact: broken.is_none(),
            entries_verified: verifier.verified,
            payloads_erased: verifier.payloads_erased,
            head_seq: head.map(|(seq, _)| seq),
            head_hash: head.map(|(_, hash)| hex::encode(hash)),
            signed_heads_checked: heads_checked,
            key_pinned: pinned.is_some(),
            broken_at: broken.as_ref().map(|b| b.seq),
            reason: broken.map(|b| b.reason),
        };
        let mut event = self.event(
            caller,
            "audit.verify",
            if verification.intact { "ok" } else { "broken" },
        );
        event.detail = Some(format!(
            "{} entries verified{}",
            verification.entries_verified,
            verification
                .broken_at
                .map(|seq| format!(", broken at {seq}"))
                .unwrap_or_default()
        ));
        // A broken chain still takes the entry: the store links it to its real last entry.
        self.store.append_audit(&[event])?;
        Ok(verification)
    }

    /// The hub's public key, which signs the trail's head (hex), if it has one.
    pub fn audit_public_key(&self) -> Option<String> {
        self.signing_key
            .as_ref()
            .map(|key| hex::encode(key.public_key()))
    }

    /// Signs the chain's current head and keeps it; `None` without a signing key or entries.
    pub fn publish_head(&self) -> Result<Option<AuditHead>> {
        let Some(key) = &self.signing_key else {
            return Ok(None);
        };
        let Some((seq, hash)) = self.store.audit_head()? else {
            return Ok(None);
        };
        if self
            .store
            .signed_heads(1)?
            .first()
            .is_some_and(|last| last.seq == seq)
        {
            return self.latest_head();
        }
        let head = key.sign_head(seq, hash, self.now());
        self.store.add_signed_head(&head)?;
        tracing::info!(seq, hash = %hex::encode(hash), "published the audit trail's head");
        Ok(Some(AuditHead::from(&head)))
    }

    pub fn latest_head(&self) -> Result<Option<AuditHead>> {
        Ok(self.store.signed_heads(1)?.first().map(AuditHead::from))
    }

    /// Erases the search terms of entries older than the retention period.
    pub fn erase_expired_audit_payloads(&self) -> Result<u64> {
        let before = Timestamp(self.now().0 - self.policy.audit_payload_retention_ms);
        let caller = Caller::console();
        let mut event = self.event(&caller, "audit.erase-payloads", "ok");
        event.user = Some("retention".into());
        Ok(self
            .store
            .erase_audit_payloads(before, &naming(&event, ""))?)
    }
}
