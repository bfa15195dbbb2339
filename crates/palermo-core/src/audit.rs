//! The audit trail's entries and their hash chain.
//!
//! Every entry carries the hash of the entry before it; its own hash covers its sequence
//! number, every field and the previous hash, so that changing, deleting, inserting or
//! reordering any entry breaks the chain at that entry. What a check asked (the search terms)
//! is kept in a separate *payload*: the chain covers the payload's hash, not the payload, so the
//! payload can be erased when its retention period ends and the chain still verifies.

use sha2::{Digest, Sha256};

use crate::Timestamp;

pub type Hash = [u8; 32];

/// The hash before the first entry.
pub const GENESIS: Hash = [0; 32];

/// Longest justification a person may give.
pub const JUSTIFICATION_MAX: usize = 1_000;

/// What an entry records, before the chain gives it a place.
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize)]
pub struct AuditEvent {
    pub at: Timestamp,
    /// The organisation acting.
    pub org: String,
    /// The person acting (user name), if a person.
    pub user: Option<String>,
    /// The API key used, if a machine.
    pub api_key_id: Option<i64>,
    /// Where the request came from (the peer address), if over the network.
    pub source: Option<String>,
    /// What was done, e.g. `check.documents`, `record.write`, `signin.failed`.
    pub action: String,
    /// What it was done to, e.g. `document:42`, `user:anna`.
    pub target: Option<String>,
    /// `ok`, `hit`, `no-hit`, `denied`, `not-found`, `invalid`, `failed`.
    pub outcome: String,
    pub justification: Option<String>,
    /// Details that are not personal data, e.g. counts.
    pub detail: Option<String>,
    /// Personal data the entry needs (what a check asked): erasable after retention.
    #[serde(skip)]
    pub payload: Option<String>,
    /// Other organisations whose records, people or messages the action concerns (the owner
    /// of a record another bureau read or hit, the bureau whose account the secretariat
    /// changed): their auditors see the entry too. Sorted, without duplicates or `org`.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub concerns: Vec<String>,
}

impl AuditEvent {
    /// Adds an organisation the action concerns (ignored if it is the actor's own).
    pub fn concern(&mut self, org: &str) {
        if org.is_empty() || org == self.org {
            return;
        }
        if let Err(at) = self.concerns.binary_search_by(|o| o.as_str().cmp(org)) {
            self.concerns.insert(at, org.to_owned());
        }
    }

    /// Every organisation whose auditors see the entry: the actor's and those concerned.
    pub fn subjects(&self) -> impl Iterator<Item = &str> {
        std::iter::once(self.org.as_str())
            .filter(|org| !org.is_empty())
            .chain(self.concerns.iter().map(String::as_str))
    }
}

/// Text from the trail made safe to display: control characters and the invisible
/// characters that reorder or hide text (bidirectional overrides and isolates, zero-width
/// characters) are shown as `\u{…}` escapes, so that no entry can display as another.
pub fn display_safe(text: &str) -> std::borrow::Cow<'_, str> {
    fn hidden(c: char) -> bool {
        c.is_control()
            || matches!(c,
                '\u{061C}' | '\u{180E}' | '\u{200B}'..='\u{200F}' | '\u{2028}'..='\u{202E}'
                | '\u{2060}'..='\u{2069}' | '\u{FEFF}' | '\u{FFF9}'..='\u{FFFB}')
    }
    if !text.chars().any(hidden) {
        return std::borrow::Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        if hidden(c) {
            out.push_str(&format!("\\u{{{:04X}}}", c as u32));
        } else {
            out.push(c);
        }
    }
    std::borrow::Cow::Owned(out)
}

/// An entry as stored: the event, its place and its links.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AuditEntry {
    pub seq: i64,
    pub event: AuditEvent,
    /// The payload's hash; present even after the payload is erased.
    pub payload_hash: Option<Hash>,
    pub prev_hash: Hash,
    pub hash: Hash,
}

pub fn payload_hash(payload: &str) -> Hash {
    Sha256::digest(payload.as_bytes()).into()
}

/// Fields are written with their length before them, so that no two different entries
/// encode alike.
fn field(hasher: &mut Sha256, value: Option<&[u8]>) {
    match value {
        None => hasher.update([0u8]),
        Some(bytes) => {
            hasher.update([1u8]);
            hasher.update((bytes.len() as u64).to_be_bytes());
            hasher.update(bytes);
        }
    }
}

/// The hash of entry `seq` holding `event`, following `prev_hash`.
pub fn entry_hash(
    seq: i64,
    event: &AuditEvent,
    payload_hash: Option<&Hash>,
    prev_hash: &Hash,
) -> Hash {
    let mut hasher = Sha256::new();
    hasher.update(b"palermo-audit-v1");
    hasher.update(prev_hash);
    hasher.update(seq.to_be_bytes());
    hasher.update(event.at.0.to_be_bytes());
    let api_key = event.api_key_id.map(i64::to_be_bytes);
    for value in [
        Some(event.org.as_bytes()),
        event.user.as_deref().map(str::as_bytes),
        api_key.as_ref().map(|bytes| &bytes[..]),
        event.source.as_deref().map(str::as_bytes),
        Some(event.action.as_bytes()),
        event.target.as_deref().map(str::as_bytes),
        Some(event.outcome.as_bytes()),
        event.justification.as_deref().map(str::as_bytes),
        event.detail.as_deref().map(str::as_bytes),
        payload_hash.map(|hash| &hash[..]),
    ] {
        field(&mut hasher, value);
    }
    // Added after version 1 entries existed: covered only when present, so that older
    // entries keep their hashes.
    if !event.concerns.is_empty() {
        hasher.update(b"concerns");
        for org in &event.concerns {
            field(&mut hasher, Some(org.as_bytes()));
        }
    }
    hasher.finalize().into()
}

/// An event's place in the chain: everything an entry holds besides the event.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Link {
    pub seq: i64,
    pub payload_hash: Option<Hash>,
    pub prev_hash: Hash,
    pub hash: Hash,
}

/// Links `event` after `prev` (the head: `None` before the first entry).
pub fn link(prev: Option<(i64, &Hash)>, event: &AuditEvent) -> Link {
    let (seq, prev_hash) = match prev {
        Some((seq, hash)) => (seq + 1, *hash),
        None => (1, GENESIS),
    };
    let payload_hash = event.payload.as_deref().map(payload_hash);
    let hash = entry_hash(seq, event, payload_hash.as_ref(), &prev_hash);
    Link {
        seq,
        payload_hash,
        prev_hash,
        hash,
    }
}

/// Gives `event` the place after `prev` in the chain.
pub fn chain(prev: Option<(i64, &Hash)>, event: AuditEvent) -> AuditEntry {
    let link = link(prev, &event);
    AuditEntry {
        seq: link.seq,
        event,
        payload_hash: link.payload_hash,
        prev_hash: link.prev_hash,
        hash: link.hash,
    }
}

/// Where and why a chain is broken.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("audit entry {seq}: {reason}")]
pub struct ChainBreak {
    /// The first entry that does not verify (or the sequence number expected there).
    pub seq: i64,
    pub reason: String,
}

/// Checks entries in order, one at a time, so that a chain of any length verifies in
/// constant memory.
#[derive(Clone, Debug)]
pub struct ChainVerifier {
    last: Option<(i64, Hash)>,
    pub verified: u64,
    pub payloads_erased: u64,
}

impl Default for ChainVerifier {
    fn default() -> Self {
        ChainVerifier::new()
    }
}

impl ChainVerifier {
    pub fn new() -> ChainVerifier {
        ChainVerifier {
            last: None,
            verified: 0,
            payloads_erased: 0,
        }
    }

    pub fn verify(&mut self, entry: &AuditEntry) -> Result<(), ChainBreak> {
        let (expected_seq, expected_prev) = match &self.last {
            Some((seq, hash)) => (seq + 1, *hash),
            None => (1, GENESIS),
        };
        let broken = |reason: &str| ChainBreak {
            seq: expected_seq.min(entry.seq),
            reason: reason.to_owned(),
        };
        if entry.seq != expected_seq {
            return Err(if entry.seq > expected_seq {
                broken("entries are missing before this one (deleted)")
            } else {
                broken("out of order or inserted")
            });
        }
        if entry.prev_hash != expected_prev {
            return Err(broken(
                "its link does not match the entry before (deleted, inserted or reordered)",
            ));
        }
        match (&entry.event.payload, &entry.payload_hash) {
            (Some(payload), Some(hash)) if payload_hash(payload) != *hash => {
                return Err(broken("its payload was altered"));
            }
            (Some(_), None) => return Err(broken("it has a payload the chain does not cover")),
            (None, Some(_)) => self.payloads_erased += 1,
            _ => {}
        }
        let hash = entry_hash(
            entry.seq,
            &entry.event,
            entry.payload_hash.as_ref(),
            &entry.prev_hash,
        );
        if hash != entry.hash {
            return Err(broken("its content was altered"));
        }
        self.last = Some((entry.seq, entry.hash));
        self.verified += 1;
        Ok(())
    }

    /// The last verified entry's sequence number and hash: the head.
    pub fn head(&self) -> Option<(i64, Hash)> {
        self.last
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn event(i: i64) -> AuditEvent {
        AuditEvent {
            at: Timestamp(1_700_000_000_000 + i),
            org: "DEU".into(),
            user: Some("anna".into()),
            action: "check.documents".into(),
            outcome: "no-hit".into(),
            payload: Some(format!("{{\"number\":\"X{i}\"}}")),
            ..AuditEvent::default()
        }
    }

    fn chain_of(n: i64) -> Vec<AuditEntry> {
        let mut entries: Vec<AuditEntry> = Vec::new();
        for i in 0..n {
            let prev = entries.last().map(|e| (e.seq, &e.hash));
            let entry = chain(prev, event(i));
            entries.push(entry);
        }
        entries
    }

    fn verify(entries: &[AuditEntry]) -> Result<u64, ChainBreak> {
        let mut verifier = ChainVerifier::new();
        for entry in entries {
            verifier.verify(entry)?;
        }
        Ok(verifier.verified)
    }

    #[test]
    fn a_whole_chain_verifies_with_payloads_erased() {
        let mut entries = chain_of(5);
        assert_eq!(verify(&entries), Ok(5));
        entries[2].event.payload = None;
        assert_eq!(verify(&entries), Ok(5));
    }

    #[test]
    fn every_kind_of_tampering_points_at_the_first_bad_entry() {
        let entries = chain_of(6);
        let mut altered = entries.clone();
        altered[3].event.outcome = "hit".into();
        assert_eq!(verify(&altered).unwrap_err().seq, 4);

        let mut payload = entries.clone();
        payload[2].event.payload = Some("{}".into());
        assert_eq!(verify(&payload).unwrap_err().seq, 3);

        let mut deleted = entries.clone();
        deleted.remove(1);
        assert_eq!(verify(&deleted).unwrap_err().seq, 2);

        let mut reordered = entries.clone();
        reordered.swap(2, 3);
        assert_eq!(verify(&reordered).unwrap_err().seq, 3);

        // An insertion renumbered to fit still breaks the link of the entry after it.
        let mut inserted = entries.clone();
        let forged = chain(Some((inserted[1].seq, &inserted[1].hash)), event(99));
        inserted.insert(2, forged);
        for (i, entry) in inserted.iter_mut().enumerate().skip(3) {
            entry.seq = i as i64 + 1;
        }
        assert_eq!(verify(&inserted).unwrap_err().seq, 4);

        // Rehashing the altered entry alone breaks the link that follows it.
        let mut rehashed = entries.clone();
        rehashed[3].event.outcome = "hit".into();
        rehashed[3].hash = entry_hash(
            rehashed[3].seq,
            &rehashed[3].event,
            rehashed[3].payload_hash.as_ref(),
            &rehashed[3].prev_hash,
        );
        assert_eq!(verify(&rehashed).unwrap_err().seq, 5);
    }

    #[test]
    fn concerns_are_covered_by_the_hash_and_kept_sorted() {
        let mut a = event(1);
        let plain = entry_hash(1, &a, None, &GENESIS);
        a.concern("FRA");
        a.concern("DEU");
        a.concern("BRA");
        a.concern("FRA");
        assert_eq!(a.concerns, ["BRA", "FRA"], "not the actor, sorted, once");
        assert_eq!(a.subjects().collect::<Vec<_>>(), ["DEU", "BRA", "FRA"]);
        let concerned = entry_hash(1, &a, None, &GENESIS);
        assert_ne!(plain, concerned);
        a.concerns.pop();
        assert_ne!(
            entry_hash(1, &a, None, &GENESIS),
            concerned,
            "a concern removed"
        );
    }

    #[test]
    fn hidden_characters_are_shown_as_escapes() {
        assert_eq!(display_safe("anna"), "anna");
        assert_eq!(display_safe("evil\u{202E}nimda"), "evil\\u{202E}nimda");
        assert_eq!(display_safe("a\u{0}b\u{200B}"), "a\\u{0000}b\\u{200B}");
    }

    #[test]
    fn fields_cannot_slide_into_each_other() {
        let mut a = event(1);
        let mut b = event(1);
        a.user = Some("ab".into());
        a.target = Some("c".into());
        b.user = Some("a".into());
        b.target = Some("bc".into());
        assert_ne!(
            entry_hash(1, &a, None, &GENESIS),
            entry_hash(1, &b, None, &GENESIS)
        );
    }
}
