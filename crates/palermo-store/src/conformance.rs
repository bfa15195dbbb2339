//! The conformance suite: behaviour every [`Store`] backend must show. A backend's tests call
//! [`run`] with a function that makes a fresh, empty store (and whatever keeps it alive).

use std::any::Any;

use palermo_core::date::parse_date;
use palermo_core::{
    CountryCode, Document, DocumentStatus, DocumentType, RecordMeta, Restriction, Timestamp,
    Vehicle, VehicleStatus,
};

use palermo_core::audit::{AuditEvent, ChainVerifier};
use palermo_core::{OrgCode, OrgKind, Permissions, RecordAccess, Role};

use crate::Replay;
use crate::{
    Attempt, AuditFilter, CaseGrant, CaseKey, CaseMatch, CaseRow, CaseSubmission, ChecklistTick,
    DeliveryKind, Done, HitAnswer, HitParty, Kind, Mailbox, ManifestRow, NewAttachment, NewHit,
    NewMessage, NewTravelWarning, NoticeChange, NoticeEvent, NoticeFilter, NoticeRow, Organisation,
    Receipt, RecordKind, SignedHead, Store, StoreError, StoredCase, StoredManifest, StoredNotice,
    TravelWarningRow, UserRow, Webhook,
};

/// Makes an empty store; the second value is dropped after the store (a temporary directory,
/// a database to drop).
pub type MakeStore<'a> = &'a dyn Fn() -> (Box<dyn Store>, Box<dyn Any>);

/// A named check of the suite.
type Case = (&'static str, fn(&dyn Store));

pub fn run(make: MakeStore<'_>) {
    let cases: &[Case] = &[
        ("organisations_and_keys", organisations_and_keys),
        (
            "messages_keep_receipts_attachments_and_deliveries",
            messages_keep_receipts_attachments_and_deliveries,
        ),
        ("users_round_trip", users_round_trip),
        (
            "audit_entries_chain_and_commit_with_their_actions",
            audit_entries_chain_and_commit_with_their_actions,
        ),
        ("documents_round_trip", documents_round_trip),
        (
            "external_refs_update_instead_of_duplicating",
            external_refs_update_instead_of_duplicating,
        ),
        (
            "withdrawn_documents_leave_scans_and_lookups",
            withdrawn_documents_leave_scans_and_lookups,
        ),
        (
            "a_failed_write_changes_nothing",
            a_failed_write_changes_nothing,
        ),
        (
            "bulk_import_counts_inserts_and_updates",
            bulk_import_counts_inserts_and_updates,
        ),
        (
            "bulk_import_into_an_empty_store_keeps_lookups",
            bulk_import_into_an_empty_store_keeps_lookups,
        ),
        (
            "scans_give_each_record_its_own_access",
            scans_give_each_record_its_own_access,
        ),
        ("vehicles_round_trip", vehicles_round_trip),
        ("persons_round_trip", persons_round_trip),
        (
            "hits_are_listed_for_their_parties_and_answered_once",
            hits_are_listed_for_their_parties_and_answered_once,
        ),
        (
            "signed_heads_are_kept_newest_first",
            signed_heads_are_kept_newest_first,
        ),
        (
            "vehicles_update_and_import_atomically",
            vehicles_update_and_import_atomically,
        ),
        (
            "persons_update_and_keep_their_photos",
            persons_update_and_keep_their_photos,
        ),
        (
            "a_webhook_is_its_organisations_alone",
            a_webhook_is_its_organisations_alone,
        ),
        (
            "guards_decide_on_the_row_the_write_changes",
            guards_decide_on_the_row_the_write_changes,
        ),
        (
            "notices_move_as_decided_and_keep_every_version_and_move",
            notices_move_as_decided_and_keep_every_version_and_move,
        ),
        (
            "cases_keep_every_version_and_match_on_shared_keys",
            cases_keep_every_version_and_match_on_shared_keys,
        ),
        (
            "case_checklists_and_grants_keep_their_last_state",
            case_checklists_and_grants_keep_their_last_state,
        ),
        (
            "manifests_and_travel_warnings_are_kept_for_their_parties",
            manifests_and_travel_warnings_are_kept_for_their_parties,
        ),
    ];
    for (name, case) in cases {
        let (store, keep) = make();
        eprintln!("store conformance: {name}");
        case(store.as_ref());
        drop(store);
        drop(keep);
    }
    eprintln!("store conformance: a_whole_hub_is_copied_verbatim");
    a_whole_hub_is_copied_verbatim(make);
}

/// A row or more in every table of [`crate::TABLES`], through the interface.
fn fill_every_table(store: &dyn Store) {
    for code in ["FRA", "DEU"] {
        store
            .add_organisation(&organisation(code, OrgKind::Member, code), &ev())
            .unwrap();
    }
    store
        .add_api_key(
            org("FRA"),
            "border",
            Permissions::CHECK,
            &[4; 32],
            at(0),
            &described(),
        )
        .unwrap();
    let user_id = store.add_user(&user("anna"), &ev()).unwrap();
    store
        .set_recovery_codes(user_id, &[[1; 32], [2; 32]], &ev())
        .unwrap();
    store
        .write_documents(
            &[document("COPY0001", "FRA", Some("c-1"))],
            at(1),
            &described(),
        )
        .unwrap();
    let vehicle = Vehicle {
        vin: Some("WVWZZZ1JZXW000009".into()),
        plate: Some("B-XY-9".into()),
        plate_country: Some(code("DEU")),
        make: Some("VW".into()),
        model: None,
        colour: None,
        year: Some(1999),
        status: VehicleStatus::Stolen,
        meta: meta("DEU", None),
    };
    store
        .write_vehicles(&[vehicle], at(2), &described())
        .unwrap();
    let person_id = store
        .write_persons(&[person("Zhang Wei", "p-9")], at(3), &described())
        .unwrap()[0]
        .id;
    store
        .add_person_photo(
            person_id,
            "image/jpeg",
            b"\xff\xd8 face",
            at(0),
            &|_| true,
            &described(),
        )
        .unwrap();
    store
        .set_webhook(
            &Webhook {
                org: org("DEU"),
                url: "https://ncb.example/hook".into(),
                secret: vec![5; 32],
            },
            &ev(),
        )
        .unwrap();
    let hit = NewHit {
        at: at(4),
        record_kind: RecordKind::Document,
        record_id: 1,
        owner: code("FRA"),
        checking_org: org("DEU"),
        match_kind: "exact".into(),
        query: "{\"number\":\"COPY0001\"}".into(),
        due_at: at(5000),
    };
    let mut check = ev();
    check.payload = Some("{\"number\":\"COPY0001\"}".into());
    check.concern("FRA");
    let replay = Replay {
        node: "spool-a",
        batch: 1,
    };
    store
        .record_checks(&[check], &[hit], &parties, Some(replay))
        .unwrap()
        .expect("a batch never replayed");
    let message = NewMessage {
        at: at(5),
        in_reply_to: None,
        thread_id: None,
        sender_org: org("FRA"),
        sender_user: Some("anna".into()),
        recipients: vec![org("DEU")],
        subject: "Passport COPY0001".into(),
        body: "Seized.".into(),
        priority: "urgent".into(),
        handling: "H1".into(),
        refs: "[]".into(),
        attachments: vec![NewAttachment {
            name: "scan.pdf".into(),
            content_type: "application/pdf".into(),
            data: b"%PDF-1.7".to_vec(),
        }],
    };
    let message_id = store.send_message(&message, &described()).unwrap();
    store
        .give_receipt(
            &[message_id],
            org("DEU"),
            Receipt::Read,
            "dieter",
            at(6),
            &ev(),
        )
        .unwrap();
    let notice = store
        .create_notice(
            &notice_row("FRA", "red", "draft", Some(7), "{\"v\":1}"),
            &notice_event("create", None, "draft", at(6)),
            &|_| None,
            &described(),
        )
        .unwrap();
    store
        .change_notice(
            notice.id,
            &|current| Some(moved(current, "submitted", Some("{\"v\":2}"), at(6))),
            &ev(),
        )
        .unwrap()
        .unwrap();
    let row = case_row("FRA", "FR-1", "{\"v\":1}");
    let case = store
        .submit_case(
            &submission(&row, &[key("phone", "+33612345678", "C1")], "FRA", at(6)),
            &|_, _, _| Vec::new(),
            &described(),
        )
        .unwrap();
    store
        .tick_case_item(
            case.id,
            &tick("general/victim-referred", true, at(6)),
            &ev(),
        )
        .unwrap();
    store
        .grant_case(&grant(case.id, "bert", "DEU", at(6)), &ev())
        .unwrap();
    store
        .record_manifest(&manifest_row("FRA", "AF1", at(6)), &described())
        .unwrap();
    store
        .record_travel_warnings(
            &[NewTravelWarning {
                row: warning_row("FRA", "THA", Some("DEU"), "w-1", at(6)),
                messages: Vec::new(),
            }],
            &described(),
        )
        .unwrap();
    let (seq, hash) = store.audit_head().unwrap().unwrap();
    store
        .add_signed_head(&SignedHead {
            seq,
            hash,
            at: at(7),
            public_key: vec![7; 32],
            signature: vec![8; 64],
        })
        .unwrap();
}

fn dump_all(store: &dyn Store) -> Vec<(&'static str, Vec<crate::Value>)> {
    let mut rows = Vec::new();
    for (table, _) in crate::TABLES {
        store
            .dump_rows(table, &mut |values| rows.push((*table, values)))
            .unwrap();
    }
    rows
}

/// Every table filled by the other cases, copied into an empty store: the same rows, the same
/// chain, ids that continue after the copied ones, and no copy into a store that holds data.
fn a_whole_hub_is_copied_verbatim(make: MakeStore<'_>) {
    let (from, keep_from) = make();
    fill_every_table(from.as_ref());
    let rows = dump_all(from.as_ref());
    for (table, _) in crate::TABLES {
        assert!(
            rows.iter().any(|(t, _)| t == table),
            "the cases leave {table} empty: the copy would test nothing there"
        );
    }
    let (to, keep_to) = make();
    let copied = crate::copy_hub(from.as_ref(), to.as_ref()).unwrap();
    assert_eq!(copied as usize, rows.len());
    assert_eq!(
        dump_all(to.as_ref()),
        rows,
        "the same rows, value for value"
    );
    assert_eq!(to.audit_head().unwrap(), from.audit_head().unwrap());
    assert!(verify_chain(to.as_ref()) > 0, "the copied chain verifies");
    // The copy goes on where the original stopped.
    let next = to
        .write_documents(&[document("COPY0002", "FRA", None)], at(10), &described())
        .unwrap()[0]
        .id;
    let last = from.find_documents(code("FRA"), "COPY0001").unwrap()[0];
    assert!(next > last, "{next} after {last}");
    assert_eq!(
        to.audit_head().unwrap().unwrap().0,
        from.audit_head().unwrap().unwrap().0 + 1
    );
    // Into a store that holds data, nothing is copied.
    let refused = crate::copy_hub(from.as_ref(), to.as_ref());
    assert!(
        matches!(refused, Err(StoreError::Conflict(_))),
        "{refused:?}"
    );
    let refused = to.load_rows(&mut std::iter::empty());
    assert!(
        matches!(refused, Err(StoreError::Conflict(_))),
        "{refused:?}"
    );
    drop((from, to, keep_from, keep_to));
}

fn code(text: &str) -> CountryCode {
    CountryCode::parse(text).expect("test country code")
}

fn meta(owner: &str, external_ref: Option<&str>) -> RecordMeta {
    RecordMeta {
        owner: code(owner),
        external_ref: external_ref.map(str::to_owned),
        reported_date: parse_date("2025-03-01").unwrap(),
        review_date: parse_date("2030-03-01").unwrap(),
        restriction: Restriction::Except(vec![code("ITA"), code("ESP")]),
        handling: palermo_core::HandlingCode::H0,
        handling_note: None,
    }
}

pub fn document(number: &str, owner: &str, external_ref: Option<&str>) -> Document {
    Document {
        number: number.to_owned(),
        number_normalised: number.replace(' ', ""),
        issuing_country: code(owner),
        document_type: DocumentType::Passport,
        status: DocumentStatus::Stolen,
        holder_name: Some("ÉLODIE DUPONT".into()),
        holder_birth_date: Some(parse_date("1990-07-14").unwrap()),
        meta: meta(owner, external_ref),
    }
}

fn at(ms: i64) -> Timestamp {
    Timestamp(1_764_000_000_000 + ms)
}

fn scanned_documents(store: &dyn Store) -> Vec<(i64, String)> {
    let mut seen = Vec::new();
    store
        .scan_documents(&mut |id, country, number, access| {
            assert_eq!(
                store
                    .document(id)
                    .unwrap()
                    .map(|d| RecordAccess::of(&d.record.meta)),
                Some(access),
                "the scan gives each document's access"
            );
            seen.push((id, format!("{country}|{number}")))
        })
        .unwrap();
    seen.sort();
    seen
}

fn withdrawn_of(store: &dyn Store, kind: RecordKind) -> Vec<(i64, RecordAccess)> {
    let mut seen = Vec::new();
    store
        .scan_withdrawn(kind, &mut |id, access| seen.push((id, access)))
        .unwrap();
    seen
}

/// Who the tests tell of a hit: its record's owner and the checker (the hub's rule).
fn parties(hit: &NewHit) -> Vec<OrgCode> {
    let owner = OrgCode::of_country(hit.owner);
    if owner == hit.checking_org {
        vec![owner]
    } else {
        vec![owner, hit.checking_org]
    }
}

/// An audit event for a test action.
/// The audit entry of a write that names what it made, as a hub would: `ids:1,2`, or the
/// counts in the detail.
pub fn described() -> impl Fn(Done<'_>) -> AuditEvent {
    |done| {
        let mut event = ev();
        match done {
            Done::Ids(ids) => {
                let ids: Vec<String> = ids.iter().map(i64::to_string).collect();
                event.target = Some(format!("ids:{}", ids.join(",")));
            }
            Done::Imported(counts) => {
                event.detail = Some(format!("imported {}+{}", counts.inserted, counts.updated))
            }
            Done::Erased(count) => event.detail = Some(format!("erased {count}")),
        }
        event
    }
}

pub fn ev() -> AuditEvent {
    AuditEvent {
        at: at(0),
        org: "FRA".into(),
        user: Some("test".into()),
        action: "test".into(),
        outcome: "ok".into(),
        ..AuditEvent::default()
    }
}

fn org(code: &str) -> OrgCode {
    OrgCode::parse(code).expect("test organisation code")
}

fn organisation(code: &str, kind: OrgKind, name: &str) -> Organisation {
    Organisation {
        code: org(code),
        kind,
        name: name.into(),
    }
}

fn organisations_and_keys(store: &dyn Store) {
    store
        .add_organisation(&organisation("FRA", OrgKind::Member, "NCB Paris"), &ev())
        .unwrap();
    store
        .add_organisation(
            &organisation("FRA", OrgKind::Member, "NCB Paris (renamed)"),
            &ev(),
        )
        .unwrap();
    store
        .add_organisation(&organisation("EUROPOL", OrgKind::Partner, "Europol"), &ev())
        .unwrap();
    assert!(matches!(
        store.add_organisation(&organisation("EUROPOL", OrgKind::Member, "x"), &ev()),
        Err(StoreError::Conflict(_))
    ));
    assert_eq!(
        store.organisations().unwrap(),
        [
            organisation("EUROPOL", OrgKind::Partner, "Europol"),
            organisation("FRA", OrgKind::Member, "NCB Paris (renamed)")
        ]
    );
    let scopes = Permissions::CHECK | Permissions::HITS;
    let id = store
        .add_api_key(org("FRA"), "border", scopes, &[7; 32], at(0), &described())
        .unwrap();
    assert!(matches!(
        store.add_api_key(org("DEU"), "x", scopes, &[8; 32], at(0), &described()),
        Err(StoreError::Conflict(_))
    ));
    let keys = store.api_keys().unwrap();
    assert_eq!(keys.len(), 1);
    assert_eq!(
        (
            keys[0].id,
            keys[0].key_hash,
            keys[0].scopes,
            keys[0].revoked
        ),
        (id, [7; 32], scopes, false)
    );
    assert!(store.revoke_api_key(id, &ev()).unwrap());
    assert!(!store.revoke_api_key(id, &ev()).unwrap());
    assert!(store.api_keys().unwrap()[0].revoked);
}

fn user(name: &str) -> UserRow {
    UserRow {
        id: 0,
        org: org("FRA"),
        username: name.into(),
        display_name: format!("{name} (test)"),
        roles: vec![Role::Frontline, Role::Operator],
        password_hash: "$argon2id$test".into(),
        totp_secret: None,
        totp_last_step: None,
        failures: vec![],
        locked_at: None,
        disabled_at: None,
        last_active_at: None,
        created_at: at(0),
        version: 0,
    }
}

fn users_round_trip(store: &dyn Store) {
    assert!(matches!(
        store.add_user(&user("anna"), &ev()),
        Err(StoreError::Conflict(_))
    ));
    store
        .add_organisation(&organisation("FRA", OrgKind::Member, "NCB Paris"), &ev())
        .unwrap();
    let id = store.add_user(&user("anna"), &ev()).unwrap();
    assert!(matches!(
        store.add_user(&user("anna"), &ev()),
        Err(StoreError::Conflict(_))
    ));
    let mut anna = store.user("anna").unwrap().unwrap();
    assert_eq!(anna, UserRow { id, ..user("anna") });
    anna.totp_secret = Some(vec![1, 2, 3]);
    anna.totp_last_step = Some(42);
    anna.failures = vec![at(1), at(2)];
    anna.locked_at = Some(at(3));
    anna.roles = vec![Role::Analyst];
    store.update_user(&anna, &ev()).unwrap();
    anna.version += 1;
    assert_eq!(store.user("anna").unwrap().unwrap(), anna);
    assert!(store.user("bob").unwrap().is_none());
    assert_eq!(store.users().unwrap(), [anna.clone()]);
    // A change made from a stale reading is refused, with its audit entry.
    let entries = store
        .audit_entries(&AuditFilter::default(), 1000)
        .unwrap()
        .len();
    let mut stale = anna.clone();
    stale.version -= 1;
    stale.failures.clear();
    assert!(matches!(
        store.update_user(&stale, &ev()),
        Err(StoreError::Stale(_))
    ));
    assert_eq!(store.user("anna").unwrap().unwrap(), anna);
    assert_eq!(
        store
            .audit_entries(&AuditFilter::default(), 1000)
            .unwrap()
            .len(),
        entries
    );

    store
        .set_recovery_codes(id, &[[1; 32], [2; 32]], &ev())
        .unwrap();
    assert!(store.use_recovery_code(id, &[1; 32], &ev()).unwrap());
    assert!(
        !store.use_recovery_code(id, &[1; 32], &ev()).unwrap(),
        "used once only"
    );
    assert!(!store.use_recovery_code(id, &[3; 32], &ev()).unwrap());
    store.set_recovery_codes(id, &[[3; 32]], &ev()).unwrap();
    assert!(
        !store.use_recovery_code(id, &[2; 32], &ev()).unwrap(),
        "replaced"
    );
    assert!(store.use_recovery_code(id, &[3; 32], &ev()).unwrap());
}

fn verify_chain(store: &dyn Store) -> u64 {
    let mut verifier = ChainVerifier::new();
    let mut result = Ok(());
    store
        .scan_audit(&mut |entry| {
            result = verifier.verify(&entry);
            result.is_ok()
        })
        .unwrap();
    result.unwrap();
    assert_eq!(
        verifier.head(),
        store.audit_head().unwrap(),
        "the store's head is the chain's last entry"
    );
    verifier.verified
}

fn audit_entries_chain_and_commit_with_their_actions(store: &dyn Store) {
    assert_eq!(store.audit_head().unwrap(), None);
    let written = store
        .write_documents(&[document("AB1", "FRA", Some("one"))], at(0), &described())
        .unwrap();
    let clash = document("AB2", "FRA", Some("one"));
    let failed = store.update_document(written[0].id + 1, &clash, at(1), &|_| true, &ev());
    assert!(matches!(failed, Ok(None)));
    let entries = store.audit_entries(&AuditFilter::default(), 10).unwrap();
    assert_eq!(
        entries.len(),
        1,
        "an update that found nothing writes nothing, its entry neither (the hub records \
         the refusal)"
    );
    assert_eq!(
        entries[0].event.target.as_deref(),
        Some(format!("ids:{}", written[0].id).as_str()),
        "a write's entry is made from what it wrote"
    );
    // A write that fails leaves no entry: the entry shares its transaction.
    let bad = store.write_documents(
        &[
            document("AB3", "FRA", None),
            document("AB4", "FRA", Some("x")),
            {
                let mut same = document("AB5", "FRA", Some("x"));
                same.meta.owner = code("FRA");
                same
            },
        ],
        at(2),
        &described(),
    );
    // Two rows with one reference in one batch: the second updates the first, not an error;
    // so provoke a real failure through the unique reference instead.
    assert!(bad.is_ok());
    let entries_before = store
        .audit_entries(&AuditFilter::default(), 100)
        .unwrap()
        .len();
    let mut conflicting = document("AB9", "FRA", Some("one"));
    conflicting.meta.external_ref = Some("x".into());
    let error = store.update_document(written[0].id, &conflicting, at(3), &|_| true, &ev());
    assert!(matches!(error, Err(StoreError::Conflict(_))), "{error:?}");
    assert_eq!(
        store
            .audit_entries(&AuditFilter::default(), 100)
            .unwrap()
            .len(),
        entries_before
    );

    let mut check = ev();
    check.action = "check.documents".into();
    check.outcome = "hit".into();
    check.payload = Some("{\"number\":\"AB1\"}".into());
    let hit = NewHit {
        at: at(4),
        record_kind: RecordKind::Document,
        record_id: written[0].id,
        owner: code("FRA"),
        checking_org: org("DEU"),
        match_kind: "exact".into(),
        query: "{}".into(),
        due_at: at(1000),
    };
    let ids = store
        .record_checks(
            &[check.clone(), ev()],
            std::slice::from_ref(&hit),
            &parties,
            None,
        )
        .unwrap()
        .unwrap();
    assert_eq!(ids.len(), 1);
    assert_eq!(verify_chain(store), entries_before as u64 + 2);

    let filtered = store
        .audit_entries(
            &AuditFilter {
                action: Some("check.".into()),
                ..AuditFilter::default()
            },
            10,
        )
        .unwrap();
    assert_eq!(filtered.len(), 1);
    assert_eq!(filtered[0].event, check);
    let after = store
        .audit_entries(
            &AuditFilter {
                after: Some(filtered[0].seq),
                ..AuditFilter::default()
            },
            10,
        )
        .unwrap();
    assert_eq!(after.len(), 1);

    // Erasing search terms keeps the chain whole, and is itself an entry.
    let erased = store.erase_audit_payloads(at(100), &described()).unwrap();
    assert_eq!(erased, 1);
    let entry = store
        .audit_entries(
            &AuditFilter {
                action: Some("check.documents".into()),
                ..AuditFilter::default()
            },
            1,
        )
        .unwrap();
    assert_eq!(entry[0].event.payload, None);
    assert!(entry[0].payload_hash.is_some());
    assert_eq!(verify_chain(store), entries_before as u64 + 3);

    // Each organisation's auditors read its own entries and those that concern it.
    let mut by_deu = ev();
    by_deu.org = "DEU".into();
    by_deu.action = "document.read".into();
    by_deu.concern("FRA");
    let mut by_ita = ev();
    by_ita.org = "ITA".into();
    let mut anonymous = ev();
    anonymous.org = String::new();
    store
        .append_audit(&[by_deu.clone(), by_ita.clone(), anonymous])
        .unwrap();
    let visible = |org: &str, after: Option<i64>| -> Vec<AuditEvent> {
        store
            .audit_entries(
                &AuditFilter {
                    visible_to: Some(org.into()),
                    after,
                    ..AuditFilter::default()
                },
                1000,
            )
            .unwrap()
            .into_iter()
            .map(|entry| entry.event)
            .collect()
    };
    assert_eq!(visible("ITA", None), [by_ita.clone()]);
    assert_eq!(visible("DEU", None), [by_deu.clone()]);
    let fra = visible("FRA", None);
    assert_eq!(
        fra.last(),
        Some(&by_deu),
        "FRA sees DEU's reading of its record"
    );
    assert!(
        fra.iter()
            .all(|event| event.org == "FRA" || event.concerns == ["FRA"])
    );
    assert_eq!(visible("BRA", None), []);
    let all = store.audit_entries(&AuditFilter::default(), 1000).unwrap();
    let deu_seq = all.iter().find(|e| e.event == by_deu).unwrap().seq;
    assert_eq!(
        visible("FRA", Some(deu_seq)),
        [],
        "pages follow the sequence"
    );
    assert_eq!(
        store
            .audit_entries(
                &AuditFilter {
                    visible_to: Some("FRA".into()),
                    org: Some("DEU".into()),
                    ..AuditFilter::default()
                },
                10
            )
            .unwrap()
            .len(),
        1,
        "filters combine with visibility"
    );
    verify_chain(store);

    // A spooled batch replayed twice (a crash between the commit and the spool's removal) is
    // recorded once; another node's batch of the same number is its own.
    let chained = verify_chain(store);
    let replay = |node, batch| Some(Replay { node, batch });
    let hits_before = store.hits(HitParty::Any, None, 100).unwrap().len();
    let once = store.record_checks(
        &[check.clone()],
        std::slice::from_ref(&hit),
        &parties,
        replay("n1", 7),
    );
    assert_eq!(once.unwrap().map(|ids| ids.len()), Some(1));
    let head = store.audit_head().unwrap();
    let twice = store.record_checks(
        &[check.clone()],
        std::slice::from_ref(&hit),
        &parties,
        replay("n1", 7),
    );
    assert_eq!(
        twice,
        Ok(None),
        "a batch replayed again is not recorded again"
    );
    assert_eq!(store.audit_head().unwrap(), head, "nor is its entry");
    assert_eq!(
        store.hits(HitParty::Any, None, 100).unwrap().len(),
        hits_before + 1
    );
    let other = store.record_checks(&[check.clone()], &[], &parties, replay("n2", 7));
    assert_eq!(other, Ok(Some(Vec::new())), "another node's batch 7");
    assert_eq!(verify_chain(store), chained + 2);
}

fn documents_round_trip(store: &dyn Store) {
    let written = store
        .write_documents(
            &[
                document("AB123", "FRA", None),
                document("CD456", "DEU", None),
            ],
            at(0),
            &described(),
        )
        .unwrap();
    assert_eq!(written.len(), 2);
    assert!(written.iter().all(|w| w.previous.is_none()));
    let stored = store.document(written[0].id).unwrap().unwrap();
    assert_eq!(stored.record, document("AB123", "FRA", None));
    assert_eq!(
        (stored.created_at, stored.updated_at, stored.withdrawn_at),
        (at(0), at(0), None)
    );
    assert!(store.document(written[1].id + 1000).unwrap().is_none());
    assert_eq!(
        store.find_documents(code("DEU"), "CD456").unwrap(),
        [written[1].id]
    );
    assert_eq!(
        scanned_documents(store),
        [
            (written[0].id, "FRA|AB123".into()),
            (written[1].id, "DEU|CD456".into())
        ]
    );

    let mut changed = document("AB124", "FRA", None);
    changed.status = DocumentStatus::Lost;
    changed.meta.restriction = Restriction::All;
    let update = store
        .update_document(written[0].id, &changed, at(5), &|_| true, &ev())
        .unwrap()
        .unwrap();
    assert_eq!(update.previous.unwrap().record.number, "AB123");
    let stored = store.document(written[0].id).unwrap().unwrap();
    assert_eq!(stored.record, changed);
    assert_eq!((stored.created_at, stored.updated_at), (at(0), at(5)));
    assert!(
        store
            .update_document(99_999, &changed, at(6), &|_| true, &ev())
            .unwrap()
            .is_none()
    );
    assert_eq!(store.counts().unwrap().documents_active, 2);
}

fn external_refs_update_instead_of_duplicating(store: &dyn Store) {
    let first = store
        .write_documents(
            &[document("AB123", "FRA", Some("case-1"))],
            at(0),
            &described(),
        )
        .unwrap();
    let again = store
        .write_documents(
            &[document("AB999", "FRA", Some("case-1"))],
            at(1),
            &described(),
        )
        .unwrap();
    assert_eq!(again[0].id, first[0].id);
    assert_eq!(again[0].previous.as_ref().unwrap().record.number, "AB123");
    // The same reference of another owner is another record.
    let other = store
        .write_documents(
            &[document("AB123", "DEU", Some("case-1"))],
            at(2),
            &described(),
        )
        .unwrap();
    assert_ne!(other[0].id, first[0].id);
    assert_eq!(scanned_documents(store).len(), 2);
}

fn withdrawn_documents_leave_scans_and_lookups(store: &dyn Store) {
    let written = store
        .write_documents(&[document("AB123", "FRA", Some("r"))], at(0), &described())
        .unwrap();
    let id = written[0].id;
    let withdrawn = store
        .withdraw_document(id, at(3), &|_| true, &ev())
        .unwrap()
        .unwrap();
    assert_eq!(withdrawn.record.number, "AB123");
    assert!(
        store
            .withdraw_document(id, at(4), &|_| true, &ev())
            .unwrap()
            .is_none()
    );
    assert!(scanned_documents(store).is_empty());
    assert_eq!(
        withdrawn_of(store, RecordKind::Document),
        [(id, RecordAccess::of(&withdrawn.record.meta))]
    );
    assert!(
        store
            .find_documents(code("FRA"), "AB123")
            .unwrap()
            .is_empty()
    );
    assert_eq!(
        store.document(id).unwrap().unwrap().withdrawn_at,
        Some(at(3))
    );
    // Re-importing its reference brings it back.
    store
        .write_documents(&[document("AB123", "FRA", Some("r"))], at(5), &described())
        .unwrap();
    assert_eq!(store.document(id).unwrap().unwrap().withdrawn_at, None);
    assert_eq!(scanned_documents(store).len(), 1);
}

fn a_failed_write_changes_nothing(store: &dyn Store) {
    let written = store
        .write_documents(
            &[
                document("AB1", "FRA", Some("one")),
                document("AB2", "FRA", Some("two")),
            ],
            at(0),
            &described(),
        )
        .unwrap();
    // Giving record one the reference of record two breaks uniqueness: nothing may change.
    let clash = document("ZZ9", "FRA", Some("two"));
    let error = store
        .update_document(written[0].id, &clash, at(1), &|_| true, &ev())
        .unwrap_err();
    assert!(matches!(error, StoreError::Conflict(_)), "{error}");
    assert_eq!(
        store
            .document(written[0].id)
            .unwrap()
            .unwrap()
            .record
            .number,
        "AB1"
    );
    let error = store.write_documents(&[document("NEW1", "FRA", None), clash], at(2), &described());
    // A batch is one transaction: the first record of a failed batch is not kept either.
    if error.is_err() {
        assert!(
            store
                .find_documents(code("FRA"), "NEW1")
                .unwrap()
                .is_empty()
        );
    }
}

fn bulk_import_counts_inserts_and_updates(store: &dyn Store) {
    store
        .write_documents(&[document("AB1", "FRA", Some("one"))], at(0), &described())
        .unwrap();
    let mut rows = (0..1000)
        .map(|i| document(&format!("N{i}"), "FRA", Some(&format!("ref-{i}"))))
        .chain([document("AB1-NEW", "FRA", Some("one"))]);
    let counts = store
        .import_documents(&mut rows, at(1), &|| true, &described())
        .unwrap()
        .unwrap();
    assert_eq!((counts.inserted, counts.updated), (1000, 1));
    assert_eq!(store.counts().unwrap().documents_active, 1001);
    // An import told not to commit leaves no trace.
    let mut more = (0..10).map(|i| document(&format!("M{i}"), "FRA", None));
    assert!(
        store
            .import_documents(&mut more, at(2), &|| false, &described())
            .unwrap()
            .is_none()
    );
    assert_eq!(store.counts().unwrap().documents_active, 1001);
    assert_eq!(store.document(1).unwrap().unwrap().record.number, "AB1-NEW");
}

fn bulk_import_into_an_empty_store_keeps_lookups(store: &dyn Store) {
    // A refused import must leave the store as it was, lookups included.
    let mut rows = (0..100).map(|i| document(&format!("E{i}"), "FRA", None));
    assert!(
        store
            .import_documents(&mut rows, at(0), &|| false, &described())
            .unwrap()
            .is_none()
    );
    // The file repeats references, in its middle and at its end: the later row updates the
    // earlier one, and the rows after the first repeat go in all the same.
    let mut rows = (0..50)
        .map(|i| document(&format!("E{i}"), "FRA", Some(&format!("e-{i}"))))
        .chain([document("E7-LATER", "FRA", Some("e-7"))])
        .chain((50..100).map(|i| document(&format!("E{i}"), "FRA", Some(&format!("e-{i}")))))
        .chain([document("E42-LAST", "FRA", Some("e-42"))]);
    let counts = store
        .import_documents(&mut rows, at(1), &|| true, &described())
        .unwrap()
        .unwrap();
    assert_eq!((counts.inserted, counts.updated), (100, 2));
    for (gone, kept) in [("E7", "E7-LATER"), ("E42", "E42-LAST")] {
        assert!(store.find_documents(code("FRA"), gone).unwrap().is_empty());
        assert_eq!(store.find_documents(code("FRA"), kept).unwrap().len(), 1);
    }
    assert_eq!(store.find_documents(code("FRA"), "E99").unwrap().len(), 1);
    assert_eq!(scanned_documents(store).len(), 100);
    let mut again = (0..100).map(|i| document(&format!("F{i}"), "FRA", Some(&format!("e-{i}"))));
    let counts = store
        .import_documents(&mut again, at(2), &|| true, &described())
        .unwrap()
        .unwrap();
    assert_eq!((counts.inserted, counts.updated), (0, 100));
    assert!(
        store
            .find_documents(code("FRA"), "E42-LAST")
            .unwrap()
            .is_empty()
    );
    assert_eq!(store.find_documents(code("FRA"), "F42").unwrap().len(), 1);
}

/// Neighbouring rows that differ in one part of their access only (owner, kind of
/// restriction, its countries, handling code) each come out of a scan with their own.
fn scans_give_each_record_its_own_access(store: &dyn Store) {
    use palermo_core::HandlingCode;
    let variants: Vec<(&str, Restriction, HandlingCode)> = vec![
        ("FRA", Restriction::All, HandlingCode::H0),
        ("FRA", Restriction::All, HandlingCode::H0),
        (
            "FRA",
            Restriction::Only(vec![code("DEU")]),
            HandlingCode::H0,
        ),
        (
            "FRA",
            Restriction::Only(vec![code("DEU"), code("ITA")]),
            HandlingCode::H0,
        ),
        (
            "FRA",
            Restriction::Except(vec![code("DEU"), code("ITA")]),
            HandlingCode::H0,
        ),
        (
            "FRA",
            Restriction::Except(vec![code("DEU"), code("ITA")]),
            HandlingCode::H2,
        ),
        (
            "DEU",
            Restriction::Except(vec![code("DEU"), code("ITA")]),
            HandlingCode::H2,
        ),
        ("DEU", Restriction::All, HandlingCode::H0),
        ("FRA", Restriction::All, HandlingCode::H0),
    ];
    let records: Vec<Document> = variants
        .iter()
        .enumerate()
        .map(|(i, (owner, restriction, handling))| {
            let mut record = document(&format!("S{i}"), owner, None);
            record.issuing_country = code("FRA");
            record.meta.restriction = restriction.clone();
            record.meta.handling = *handling;
            record
        })
        .collect();
    let written = store
        .write_documents(&records, at(0), &described())
        .unwrap();
    // scanned_documents checks each row's access against the record read by id.
    assert_eq!(scanned_documents(store).len(), variants.len());
    for w in &written[..4] {
        store
            .withdraw_document(w.id, at(1), &|_| true, &ev())
            .unwrap();
    }
    let withdrawn = withdrawn_of(store, RecordKind::Document);
    let expected: Vec<(i64, RecordAccess)> = written[..4]
        .iter()
        .zip(&records)
        .map(|(w, record)| (w.id, RecordAccess::of(&record.meta)))
        .collect();
    assert_eq!(withdrawn, expected);
}

fn vehicles_round_trip(store: &dyn Store) {
    let vehicle = Vehicle {
        vin: Some("1M8GDM9AXKP042788".into()),
        plate: Some("AB123CD".into()),
        plate_country: Some(code("FRA")),
        make: Some("Renault".into()),
        model: Some("Clio".into()),
        colour: Some("blue".into()),
        year: Some(2019),
        status: VehicleStatus::Stolen,
        meta: meta("FRA", Some("v-1")),
    };
    let written = store
        .write_vehicles(std::slice::from_ref(&vehicle), at(0), &described())
        .unwrap();
    assert_eq!(
        store.vehicle(written[0].id).unwrap().unwrap().record,
        vehicle
    );
    let plate_only = Vehicle {
        vin: None,
        year: None,
        meta: meta("FRA", None),
        ..vehicle.clone()
    };
    store
        .write_vehicles(&[plate_only], at(1), &described())
        .unwrap();
    let mut seen = Vec::new();
    store
        .scan_vehicles(&mut |id, vin, country, plate, access| {
            assert_eq!(
                store
                    .vehicle(id)
                    .unwrap()
                    .map(|v| RecordAccess::of(&v.record.meta)),
                Some(access)
            );
            seen.push((
                id,
                vin.map(str::to_owned),
                country,
                plate.map(str::to_owned),
            ))
        })
        .unwrap();
    assert_eq!(seen.len(), 2);
    assert_eq!(seen[1].1, None);
    let gone = store
        .withdraw_vehicle(written[0].id, at(2), &|_| true, &ev())
        .unwrap()
        .unwrap();
    assert_eq!(store.counts().unwrap().vehicles_active, 1);
    assert_eq!(
        withdrawn_of(store, RecordKind::Vehicle),
        [(written[0].id, RecordAccess::of(&gone.record.meta))]
    );
}

fn hits_are_listed_for_their_parties_and_answered_once(store: &dyn Store) {
    let hit = |n: i64, owner: &str| NewHit {
        at: at(n),
        record_kind: RecordKind::Document,
        record_id: n,
        owner: code(owner),
        checking_org: org(if n == 2 { "EUROPOL" } else { "DEU" }),
        match_kind: "exact".into(),
        query: format!("{{\"number\":\"N{n}\"}}"),
        due_at: at(n + 1000),
    };
    let ids = store
        .record_checks(
            &[ev()],
            &[hit(1, "FRA"), hit(2, "ITA"), hit(3, "FRA"), hit(4, "FRA")],
            &parties,
            None,
        )
        .unwrap()
        .unwrap();
    assert_eq!(ids.len(), 4);
    let owner = HitParty::Owner(code("FRA"));
    let page = store.hits(owner, None, 2).unwrap();
    assert_eq!(
        page.iter().map(|h| h.hit.record_id).collect::<Vec<_>>(),
        [4, 3]
    );
    let next = store.hits(owner, Some(page[1].id), 2).unwrap();
    assert_eq!(
        next.iter().map(|h| h.hit.record_id).collect::<Vec<_>>(),
        [1]
    );
    assert_eq!(next[0].hit, hit(1, "FRA"));
    assert_eq!(next[0].answer, None);
    let by_europol = store
        .hits(HitParty::Checker(org("EUROPOL")), None, 10)
        .unwrap();
    assert_eq!(by_europol.len(), 1);
    assert_eq!(by_europol[0].hit.record_id, 2);
    assert_eq!(store.hits(HitParty::Any, None, 10).unwrap().len(), 4);

    let answer = HitAnswer {
        answer: "still-valid".into(),
        note: Some("seize the document".into()),
        at: at(5),
        by: "anna".into(),
    };
    assert!(store.answer_hit(ids[0], &answer, &ev()).unwrap());
    assert!(
        !store.answer_hit(ids[0], &answer, &ev()).unwrap(),
        "answered once"
    );
    assert!(!store.answer_hit(999_999, &answer, &ev()).unwrap());
    assert_eq!(store.hit(ids[0]).unwrap().unwrap().answer, Some(answer));
    assert!(store.hit(999_999).unwrap().is_none());
}

fn messages_keep_receipts_attachments_and_deliveries(store: &dyn Store) {
    for code in ["FRA", "DEU", "ITA"] {
        store
            .add_organisation(&organisation(code, OrgKind::Member, code), &ev())
            .unwrap();
    }
    store
        .set_webhook(
            &Webhook {
                org: org("DEU"),
                url: "http://127.0.0.1:1/hook".into(),
                secret: vec![9; 32],
            },
            &ev(),
        )
        .unwrap();
    let message = NewMessage {
        at: at(1),
        in_reply_to: None,
        thread_id: None,
        sender_org: org("FRA"),
        sender_user: Some("anna".into()),
        recipients: vec![org("DEU"), org("ITA")],
        subject: "Passport X".into(),
        body: "Seized at the border.".into(),
        priority: "urgent".into(),
        handling: "H1".into(),
        refs: "[]".into(),
        attachments: vec![NewAttachment {
            name: "scan.png".into(),
            content_type: "image/png".into(),
            data: vec![1, 2, 3],
        }],
    };
    let id = store.send_message(&message, &described()).unwrap();
    let unknown = NewMessage {
        recipients: vec![org("ESP")],
        ..message.clone()
    };
    assert!(matches!(
        store.send_message(&unknown, &described()),
        Err(StoreError::Conflict(_))
    ));
    let stored = store.message(id).unwrap().unwrap();
    assert_eq!((stored.thread_id, stored.recipients.len()), (id, 2));
    assert_eq!(stored.attachments[0].size, 3);
    let (of, meta, data) = store.attachment(stored.attachments[0].id).unwrap().unwrap();
    assert_eq!(
        (of, meta.name.as_str(), data),
        (id, "scan.png", vec![1, 2, 3])
    );

    let reply = NewMessage {
        in_reply_to: Some(id),
        thread_id: Some(id),
        sender_org: org("DEU"),
        recipients: vec![org("FRA")],
        attachments: vec![],
        ..message.clone()
    };
    let reply_id = store.send_message(&reply, &described()).unwrap();
    assert_eq!(
        store
            .thread(id)
            .unwrap()
            .iter()
            .map(|m| m.id)
            .collect::<Vec<_>>(),
        [id, reply_id]
    );
    let inbox = store
        .messages(org("DEU"), Mailbox::Inbox, None, 10)
        .unwrap();
    assert_eq!(inbox.iter().map(|m| m.id).collect::<Vec<_>>(), [id]);
    assert_eq!(
        store.message_for(id, org("DEU")).unwrap().map(|m| m.id),
        Some(id)
    );
    assert_eq!(
        store.message_for(id, org("FRA")).unwrap().map(|m| m.id),
        Some(id),
        "the sender"
    );
    assert!(
        store.message_for(id, org("BRA")).unwrap().is_none(),
        "not a party"
    );
    assert!(store.message_for(id + 1000, org("FRA")).unwrap().is_none());
    let outbox = store
        .messages(org("DEU"), Mailbox::Outbox, None, 10)
        .unwrap();
    assert_eq!(outbox.iter().map(|m| m.id).collect::<Vec<_>>(), [reply_id]);

    assert_eq!(
        store
            .give_receipt(
                &[id, reply_id],
                org("DEU"),
                Receipt::Read,
                "bob",
                at(2),
                &ev()
            )
            .unwrap(),
        [id],
        "DEU is a recipient of the first message only"
    );
    assert_eq!(
        store
            .give_receipt(&[id], org("DEU"), Receipt::Read, "bob", at(3), &ev())
            .unwrap(),
        [] as [i64; 0],
        "once"
    );
    assert!(
        store
            .give_receipt(&[id], org("FRA"), Receipt::Read, "anna", at(3), &ev())
            .unwrap()
            .is_empty()
    );
    assert_eq!(
        store
            .give_receipt(
                &[id],
                org("ITA"),
                Receipt::Acknowledged,
                "carla",
                at(4),
                &ev()
            )
            .unwrap(),
        [id]
    );
    let stored = store.message(id).unwrap().unwrap();
    let ita = stored
        .recipients
        .iter()
        .find(|r| r.org == org("ITA"))
        .unwrap();
    assert_eq!(
        (ita.read_at, ita.acknowledged_at),
        (Some(at(4)), Some(at(4)))
    );

    // Only DEU has a webhook: one delivery, due at once, retried, then done.
    let due = store.due_deliveries(at(1), 10, &[]).unwrap();
    assert_eq!(due.len(), 1);
    assert!(
        store
            .due_deliveries(at(1), 10, &[org("DEU")])
            .unwrap()
            .is_empty(),
        "deliveries to an organisation being served are skipped"
    );
    assert_eq!(
        (due[0].kind, due[0].subject_id, due[0].org),
        (DeliveryKind::Message, id, org("DEU"))
    );
    store
        .record_attempt(
            due[0].id,
            &Attempt::Retry {
                error: "503".into(),
                at: at(100),
            },
        )
        .unwrap();
    assert!(store.due_deliveries(at(50), 10, &[]).unwrap().is_empty());
    store
        .record_attempt(due[0].id, &Attempt::Delivered(at(101)))
        .unwrap();
    assert!(store.due_deliveries(at(1000), 10, &[]).unwrap().is_empty());
    let done = &store.deliveries(DeliveryKind::Message, id).unwrap()[0];
    assert_eq!((done.attempts, done.delivered_at), (2, Some(at(101))));

    // A hit notifies its owner and its checker (DEU has the webhook), and its escalation
    // when overdue, once.
    let hit = NewHit {
        at: at(200),
        record_kind: RecordKind::Document,
        record_id: 1,
        owner: code("FRA"),
        checking_org: org("DEU"),
        match_kind: "exact".into(),
        query: "{}".into(),
        due_at: at(300),
    };
    let hit_id = store
        .record_checks(&[ev()], &[hit], &parties, None)
        .unwrap()
        .unwrap()[0];
    let queued = store.deliveries(DeliveryKind::Hit, hit_id).unwrap();
    assert_eq!(queued.len(), 1);
    assert_eq!(queued[0].org, org("DEU"));
    assert!(
        store
            .escalate_overdue_hits(at(250), &parties, &described())
            .unwrap()
            .is_empty()
    );
    let escalated = store
        .escalate_overdue_hits(at(400), &parties, &described())
        .unwrap();
    assert_eq!(escalated.len(), 1);
    assert_eq!(escalated[0].escalated_at, Some(at(400)));
    assert_eq!(
        store.hit(hit_id).unwrap().unwrap().escalated_at,
        Some(at(400))
    );
    assert!(
        store
            .escalate_overdue_hits(at(500), &parties, &described())
            .unwrap()
            .is_empty()
    );
    assert_eq!(
        store
            .deliveries(DeliveryKind::HitOverdue, hit_id)
            .unwrap()
            .len(),
        1
    );
}

fn person(name: &str, external_ref: &str) -> palermo_core::Person {
    let input: palermo_core::PersonInput = serde_json::from_value(serde_json::json!({
        "id": external_ref,
        "names": [{"full": name}, {"given": "Alex", "family": "Scherbakow", "kind": "alias"}],
        "birth_date": "1980-04",
        "nationality": ["RUS", "UKR"],
        "sex": "M",
        "reported_date": "2025-03-01",
    }))
    .unwrap();
    input
        .validate(palermo_core::ValidationContext {
            today: parse_date("2026-11-29").unwrap(),
            default_owner: code("FRA"),
            prefix: "",
        })
        .unwrap()
}

fn persons_round_trip(store: &dyn Store) {
    let first = person("Александр Щербаков", "p-1");
    let written = store
        .write_persons(std::slice::from_ref(&first), at(0), &described())
        .unwrap();
    let stored = store.person(written[0].id).unwrap().unwrap();
    assert_eq!(stored.record, first);
    let renamed = person("Aleksandr Shcherbakov", "p-1");
    let again = store
        .write_persons(std::slice::from_ref(&renamed), at(1), &described())
        .unwrap();
    assert_eq!(again[0].id, written[0].id, "the same reference updates");
    let mut imported = vec![person("Zhang Wei", "p-2"), person("Ivan Petrov", "p-3")].into_iter();
    let counts = store
        .import_persons(&mut imported, at(2), &|| true, &described())
        .unwrap()
        .unwrap();
    assert_eq!((counts.inserted, counts.updated), (2, 0));
    let gone = store
        .withdraw_person(written[0].id, at(3), &|_| true, &ev())
        .unwrap()
        .unwrap();
    assert_eq!(
        withdrawn_of(store, RecordKind::Person),
        [(written[0].id, RecordAccess::of(&gone.record.meta))]
    );
    let mut seen = Vec::new();
    store
        .scan_persons(&mut |stored| seen.push(stored.record.names[0].full.clone()))
        .unwrap();
    seen.sort();
    assert_eq!(seen, ["Ivan Petrov", "Zhang Wei"]);
}

fn signed_heads_are_kept_newest_first(store: &dyn Store) {
    assert_eq!(store.signed_heads(10).unwrap(), []);
    let head = |seq: i64| SignedHead {
        seq,
        hash: [seq as u8; 32],
        at: at(seq),
        public_key: vec![7; 32],
        signature: vec![seq as u8; 64],
    };
    for seq in 1..=3 {
        store.add_signed_head(&head(seq)).unwrap();
    }
    assert_eq!(store.signed_heads(10).unwrap(), [head(3), head(2), head(1)]);
    assert_eq!(
        store.signed_heads(2).unwrap(),
        [head(3), head(2)],
        "at most the limit"
    );
}

fn vehicles_update_and_import_atomically(store: &dyn Store) {
    let vehicle = |vin: &str, plate: &str, reference: &str| Vehicle {
        vin: Some(vin.into()),
        plate: Some(plate.into()),
        plate_country: Some(code("DEU")),
        make: None,
        model: None,
        colour: None,
        year: None,
        status: VehicleStatus::Stolen,
        meta: meta("DEU", Some(reference)),
    };
    let first = vehicle("WVWZZZ1JZXW000001", "B-AB-1", "v-1");
    let written = store
        .write_vehicles(std::slice::from_ref(&first), at(0), &described())
        .unwrap();
    let id = written[0].id;

    // An update replaces the record and gives back the one it replaced.
    let repainted = Vehicle {
        plate: Some("B-CD-2".into()),
        colour: Some("red".into()),
        ..first.clone()
    };
    let updated = store
        .update_vehicle(id, &repainted, at(1), &|_| true, &ev())
        .unwrap()
        .unwrap();
    assert_eq!(updated.id, id);
    assert_eq!(updated.previous.map(|p| p.record), Some(first.clone()));
    assert_eq!(store.vehicle(id).unwrap().unwrap().record, repainted);
    assert!(
        store
            .update_vehicle(999_999, &repainted, at(1), &|_| true, &ev())
            .unwrap()
            .is_none()
    );
    let mut plates = Vec::new();
    store
        .scan_vehicles(&mut |_, _, _, plate, _| plates.push(plate.map(str::to_owned)))
        .unwrap();
    assert_eq!(
        plates,
        [Some("B-CD-2".to_owned())],
        "the scan sees the new plate only"
    );

    // An import the caller does not commit leaves nothing behind.
    let mut batch = vec![
        vehicle("WVWZZZ1JZXW000002", "B-EF-3", "v-2"),
        vehicle("WVWZZZ1JZXW000001", "B-GH-4", "v-1"),
    ];
    let refused = store
        .import_vehicles(
            &mut batch.clone().into_iter(),
            at(2),
            &|| false,
            &described(),
        )
        .unwrap();
    assert_eq!(refused, None);
    assert_eq!(store.counts().unwrap().vehicles_active, 1);
    assert_eq!(store.vehicle(id).unwrap().unwrap().record, repainted);

    // Committed, it inserts the new reference and updates the known one.
    let counts = store
        .import_vehicles(
            &mut batch.clone().into_iter(),
            at(3),
            &|| true,
            &described(),
        )
        .unwrap()
        .unwrap();
    assert_eq!((counts.inserted, counts.updated), (1, 1));
    assert_eq!(store.counts().unwrap().vehicles_active, 2);
    assert_eq!(store.vehicle(id).unwrap().unwrap().record, batch.remove(1));
}

fn persons_update_and_keep_their_photos(store: &dyn Store) {
    use sha2::Digest as _;
    let first = person("Александр Щербаков", "p-1");
    let id = store
        .write_persons(std::slice::from_ref(&first), at(0), &described())
        .unwrap()[0]
        .id;
    let renamed = person("Aleksandr Shcherbakov", "p-1");
    let updated = store
        .update_person(id, &renamed, at(1), &|_| true, &ev())
        .unwrap()
        .unwrap();
    assert_eq!(updated.previous.map(|p| p.record), Some(first));
    assert_eq!(store.person(id).unwrap().unwrap().record, renamed);
    assert!(
        store
            .update_person(999_999, &renamed, at(1), &|_| true, &ev())
            .unwrap()
            .is_none()
    );

    assert_eq!(store.person_photos(id).unwrap(), []);
    let jpeg = b"\xff\xd8\xff\xe0 a face".to_vec();
    let meta = store
        .add_person_photo(id, "image/jpeg", &jpeg, at(0), &|_| true, &described())
        .unwrap()
        .expect("the person is there");
    assert_eq!(meta.content_type, "image/jpeg");
    assert_eq!(meta.size, jpeg.len() as u64);
    let digest: [u8; 32] = sha2::Sha256::digest(&jpeg).into();
    assert_eq!(meta.sha256, digest, "the photo's SHA-256");
    let png = b"\x89PNG another".to_vec();
    let second = store
        .add_person_photo(id, "image/png", &png, at(0), &|_| true, &described())
        .unwrap()
        .expect("the person is there");
    let head = store.audit_head().unwrap();
    let refused = store.add_person_photo(id, "image/png", &png, at(0), &|_| false, &described());
    assert_eq!(refused, Ok(None), "a refused photo is not stored");
    let absent = store.add_person_photo(999_999, "image/png", &png, at(0), &|_| true, &described());
    assert_eq!(absent, Ok(None), "nor one of nobody");
    assert_eq!(store.audit_head().unwrap(), head, "neither leaves an entry");
    assert_eq!(
        store.person_photos(id).unwrap(),
        [meta.clone(), second.clone()]
    );
    assert_eq!(store.person_photo(meta.id).unwrap(), Some((id, meta, jpeg)));
    assert_eq!(
        store.person_photo(second.id).unwrap(),
        Some((id, second, png))
    );
    assert_eq!(store.person_photo(999_999).unwrap(), None);
    let other = store
        .write_persons(&[person("Zhang Wei", "p-2")], at(2), &described())
        .unwrap()[0]
        .id;
    assert_eq!(
        store.person_photos(other).unwrap(),
        [],
        "photos are their person's"
    );
}

/// Every kind's update and withdrawal ask the hub's guard about the row as their own
/// transaction reads it; a refusal writes nothing and leaves no entry.
fn guards_decide_on_the_row_the_write_changes(store: &dyn Store) {
    let vehicle = Vehicle {
        vin: None,
        plate: Some("GU4RD".into()),
        plate_country: Some(code("FRA")),
        make: None,
        model: None,
        colour: None,
        year: None,
        status: VehicleStatus::Stolen,
        meta: meta("FRA", Some("g-1")),
    };
    guarded_writes(store, document("GUARD1", "FRA", Some("g-1")), |d| {
        d.holder_name = Some("Changed".into())
    });
    guarded_writes(store, vehicle, |v| v.colour = Some("red".into()));
    guarded_writes(store, person("Guarded Person", "g-1"), |p| {
        p.meta.handling_note = Some("changed".into())
    });
}

fn guarded_writes<K: Kind + PartialEq + std::fmt::Debug>(
    store: &dyn Store,
    record: K,
    change: impl Fn(&mut K),
) {
    let kind = K::KIND.as_str();
    let id = K::write(store, std::slice::from_ref(&record), at(10), &described()).unwrap()[0].id;
    let mut changed = record.clone();
    change(&mut changed);
    let head = store.audit_head().unwrap();
    let refused = K::update(store, id, &changed, at(11), &|_| false, &ev()).unwrap();
    assert!(refused.is_none(), "{kind}: a refused update writes nothing");
    let refused = K::withdraw(store, id, at(11), &|_| false, &ev()).unwrap();
    assert!(refused.is_none(), "{kind}: a refused withdrawal neither");
    assert_eq!(
        store.audit_head().unwrap(),
        head,
        "{kind}: and leaves no entry"
    );
    let stored = K::get(store, id).unwrap().unwrap();
    assert_eq!(
        (&stored.record, stored.withdrawn_at),
        (&record, None),
        "{kind}"
    );

    let seen = std::cell::Cell::new(None);
    let allow = |row: &palermo_core::Stored<K>| {
        seen.set(Some((row.id, row.updated_at)));
        true
    };
    let updated = K::update(store, id, &changed, at(12), &allow, &ev()).unwrap();
    assert_eq!(
        seen.get(),
        Some((id, at(10))),
        "{kind}: the guard sees the stored row"
    );
    assert_eq!(updated.unwrap().previous.unwrap().record, record, "{kind}");
    assert_ne!(
        store.audit_head().unwrap(),
        head,
        "{kind}: an allowed write is audited"
    );
    let withdrawn = K::withdraw(store, id, at(13), &allow, &ev()).unwrap();
    assert_eq!(seen.get(), Some((id, at(12))), "{kind}: it sees the update");
    assert_eq!(withdrawn.unwrap().record, changed, "{kind}");
    seen.set(None);
    let again = K::withdraw(store, id, at(14), &allow, &ev()).unwrap();
    assert!(
        again.is_none(),
        "{kind}: a withdrawn record is withdrawn once"
    );
    assert_eq!(seen.get(), None, "{kind}: without asking the guard");
    let absent = K::update(store, id + 1000, &changed, at(14), &allow, &ev()).unwrap();
    assert!(absent.is_none(), "{kind}: an absent record is not written");
}

fn a_webhook_is_its_organisations_alone(store: &dyn Store) {
    for code in ["FRA", "DEU"] {
        store
            .add_organisation(&organisation(code, OrgKind::Member, code), &ev())
            .unwrap();
    }
    assert_eq!(store.webhook(org("FRA")).unwrap(), None);
    let hook = |url: &str, byte: u8| Webhook {
        org: org("FRA"),
        url: url.into(),
        secret: vec![byte; 32],
    };
    store
        .set_webhook(&hook("https://ncb.example/a", 1), &ev())
        .unwrap();
    store
        .set_webhook(&hook("https://ncb.example/b", 2), &ev())
        .unwrap();
    assert_eq!(
        store.webhook(org("FRA")).unwrap(),
        Some(hook("https://ncb.example/b", 2)),
        "a new webhook replaces the old"
    );
    assert_eq!(store.webhook(org("DEU")).unwrap(), None);
}

fn notice_row(owner: &str, kind: &str, state: &str, person: Option<i64>, body: &str) -> NoticeRow {
    NoticeRow {
        kind: kind.into(),
        state: state.into(),
        person_id: person,
        body: body.into(),
        public_extract: kind == "red",
        meta: meta(owner, None),
    }
}

fn notice_event(transition: &str, from: Option<&str>, to: &str, when: Timestamp) -> NoticeEvent {
    NoticeEvent {
        transition: transition.into(),
        from_state: from.map(str::to_owned),
        to_state: to.into(),
        version: 0,
        by_org: org("FRA"),
        by_name: "fra.operator".into(),
        reason: None,
        detail: None,
        at: when,
    }
}

/// `current` moved to `state`, with a new body when given.
fn moved(current: &StoredNotice, state: &str, body: Option<&str>, when: Timestamp) -> NoticeChange {
    let mut row = current.row.clone();
    row.state = state.into();
    if let Some(body) = body {
        row.body = body.into();
    }
    NoticeChange {
        row,
        event: notice_event("move", Some(&current.row.state), state, when),
        announce: None,
    }
}

/// The trail's last entry: its sequence number and event.
fn last_entry(store: &dyn Store) -> (i64, AuditEvent) {
    let mut last = None;
    store
        .scan_audit(&mut |entry| {
            last = Some((entry.seq, entry.event));
            true
        })
        .unwrap();
    last.expect("an entry")
}

fn notices_move_as_decided_and_keep_every_version_and_move(store: &dyn Store) {
    let mut referenced = notice_row(
        "FRA",
        "red",
        "draft",
        Some(7),
        "{\"charge\":\"trafficking\"}",
    );
    referenced.meta.external_ref = Some("FR-2026-001".into());
    referenced.meta.restriction = Restriction::Only(vec![code("DEU")]);
    referenced.meta.handling = palermo_core::HandlingCode::H2;
    referenced.meta.handling_note = Some("judicial use only".into());
    let created = store
        .create_notice(
            &referenced,
            &notice_event("create", None, "draft", at(10)),
            &|_| None,
            &described(),
        )
        .unwrap();
    assert_eq!(created.version, 1);
    assert_eq!(created.row, referenced, "every field round-trips");
    assert_eq!((created.created_at, created.updated_at), (at(10), at(10)));
    assert_eq!(store.notice(created.id).unwrap(), Some(created.clone()));
    assert_eq!(store.notice(created.id + 1000).unwrap(), None);
    let (_, entry) = last_entry(store);
    assert_eq!(
        entry.target.as_deref(),
        Some(format!("ids:{}", created.id).as_str())
    );

    // A reference is its owner's once; another owner may use it.
    let taken = store.create_notice(
        &referenced,
        &notice_event("create", None, "draft", at(11)),
        &|_| None,
        &described(),
    );
    assert!(matches!(taken, Err(StoreError::Conflict(_))), "{taken:?}");
    let mut elsewhere = referenced.clone();
    elsewhere.meta.owner = code("DEU");
    elsewhere.kind = "yellow".into();
    elsewhere.person_id = Some(8);
    let german = store
        .create_notice(
            &elsewhere,
            &notice_event("create", None, "draft", at(12)),
            &|_| None,
            &described(),
        )
        .unwrap();

    // A move without a new body keeps the version; one with a new body adds one, and the
    // earlier body stays readable.
    let submitted = store
        .change_notice(
            created.id,
            &|current| {
                assert_eq!(current, &created, "the decision sees the stored row");
                Some(moved(current, "submitted", None, at(13)))
            },
            &ev(),
        )
        .unwrap()
        .unwrap();
    assert_eq!(
        (submitted.version, submitted.row.state.as_str()),
        (1, "submitted")
    );
    assert_eq!(submitted.updated_at, at(13));
    assert_eq!(submitted.created_at, at(10));
    let updated = store
        .change_notice(
            created.id,
            &|current| {
                Some(moved(
                    current,
                    "draft",
                    Some("{\"charge\":\"fraud\"}"),
                    at(14),
                ))
            },
            &ev(),
        )
        .unwrap()
        .unwrap();
    assert_eq!(updated.version, 2);
    assert_eq!(
        store.notice_version(created.id, 1).unwrap().as_deref(),
        Some("{\"charge\":\"trafficking\"}")
    );
    assert_eq!(
        store.notice_version(created.id, 2).unwrap().as_deref(),
        Some("{\"charge\":\"fraud\"}")
    );
    assert_eq!(store.notice_version(created.id, 3).unwrap(), None);

    // A refused move, or a move of an absent notice, writes nothing: no history, no entry.
    let head = store.audit_head().unwrap();
    assert_eq!(
        store.change_notice(created.id, &|_| None, &ev()).unwrap(),
        None
    );
    assert_eq!(
        store
            .change_notice(
                created.id + 1000,
                &|current| Some(moved(current, "x", None, at(15))),
                &ev()
            )
            .unwrap(),
        None
    );
    assert_eq!(store.audit_head().unwrap(), head);
    assert_eq!(store.notice(created.id).unwrap(), Some(updated.clone()));

    let history = store.notice_history(created.id).unwrap();
    let steps: Vec<(&str, Option<&str>, &str, i64)> = history
        .iter()
        .map(|e| {
            (
                e.transition.as_str(),
                e.from_state.as_deref(),
                e.to_state.as_str(),
                e.version,
            )
        })
        .collect();
    assert_eq!(
        steps,
        [
            ("create", None, "draft", 0),
            ("move", Some("draft"), "submitted", 1),
            ("move", Some("submitted"), "draft", 2),
        ]
    );
    assert_eq!(history[2].by_org, org("FRA"));
    assert_eq!(history[2].by_name, "fra.operator");
    assert_eq!(history[2].at, at(14));
    assert_eq!(store.notice_history(german.id).unwrap().len(), 1);

    // Lists: newest first, filtered, paged.
    for i in 0..3 {
        store
            .create_notice(
                &notice_row("FRA", "blue", "draft", Some(20 + i), "{}"),
                &notice_event("create", None, "draft", at(20)),
                &|_| None,
                &described(),
            )
            .unwrap();
    }
    let ids = |filter: &NoticeFilter, before: Option<i64>, limit: usize| -> Vec<i64> {
        store
            .notices(filter, before, limit)
            .unwrap()
            .iter()
            .map(|n| n.id)
            .collect()
    };
    let everything = ids(&NoticeFilter::default(), None, 100);
    assert_eq!(everything.len(), 5);
    assert!(everything.windows(2).all(|w| w[0] > w[1]), "newest first");
    assert_eq!(ids(&NoticeFilter::default(), None, 2), everything[..2]);
    assert_eq!(
        ids(&NoticeFilter::default(), Some(everything[1]), 2),
        everything[2..4]
    );
    let owner = NoticeFilter {
        owner: Some(code("DEU")),
        ..NoticeFilter::default()
    };
    assert_eq!(ids(&owner, None, 100), [german.id]);
    let red_drafts = NoticeFilter {
        owner: Some(code("FRA")),
        kind: Some("red".into()),
        state: Some("draft".into()),
        person_id: Some(7),
    };
    assert_eq!(ids(&red_drafts, None, 100), [created.id]);
    let submitted_only = NoticeFilter {
        state: Some("submitted".into()),
        ..NoticeFilter::default()
    };
    assert!(ids(&submitted_only, None, 100).is_empty());
    let person = NoticeFilter {
        person_id: Some(21),
        ..NoticeFilter::default()
    };
    assert_eq!(ids(&person, None, 100).len(), 1);

    // A move's announcement is written with it, in its transaction; a refused move's is not.
    let announcement = |subject: &str| NewMessage {
        at: at(30),
        in_reply_to: None,
        thread_id: None,
        sender_org: org("FRA"),
        sender_user: Some("fra.operator".into()),
        recipients: vec![org("DEU")],
        subject: subject.into(),
        body: "Locate and arrest.".into(),
        priority: "urgent".into(),
        handling: "H2".into(),
        refs: format!("[{{\"kind\":\"notice\",\"id\":{}}}]", created.id),
        attachments: Vec::new(),
    };
    let inbox = || -> Vec<String> {
        store
            .messages(org("DEU"), Mailbox::Inbox, None, 10)
            .unwrap()
            .into_iter()
            .map(|m| m.subject)
            .collect()
    };
    let publish = |current: &StoredNotice| {
        let mut change = moved(current, "published", None, at(30));
        change.announce = Some(announcement("red notice published"));
        Some(change)
    };
    // An announcement that cannot be written (to an organisation the hub does not know)
    // fails the whole move.
    let before = store.notice(created.id).unwrap();
    let failed = store.change_notice(created.id, &publish, &ev());
    assert!(matches!(failed, Err(StoreError::Conflict(_))), "{failed:?}");
    assert_eq!(store.notice(created.id).unwrap(), before);
    for code in ["FRA", "DEU"] {
        store
            .add_organisation(&organisation(code, OrgKind::Member, code), &ev())
            .unwrap();
    }
    store
        .change_notice(created.id, &publish, &ev())
        .unwrap()
        .unwrap();
    assert_eq!(
        store.change_notice(created.id, &|_| None, &ev()).unwrap(),
        None
    );
    let sent = announcement("a diffusion sent");
    store
        .create_notice(
            &notice_row("FRA", "warning", "sent", Some(30), "{}"),
            &notice_event("create", None, "sent", at(31)),
            &|_| Some(sent.clone()),
            &described(),
        )
        .unwrap();
    assert_eq!(inbox(), ["a diffusion sent", "red notice published"]);
    assert!(verify_chain(store) > 0);
}

fn case_row(owner: &str, reference: &str, report: &str) -> CaseRow {
    CaseRow {
        owner: code(owner),
        reference: reference.into(),
        status: "active".into(),
        form: "trafficking".into(),
        reported_date: "2026-11-20".into(),
        restriction: Restriction::Except(vec![code("ITA")]),
        report: report.into(),
    }
}

fn key(kind: &str, value: &str, entity: &str) -> CaseKey {
    CaseKey {
        kind: kind.into(),
        value: value.into(),
        entity: entity.into(),
    }
}

fn submission<'a>(
    row: &'a CaseRow,
    keys: &'a [CaseKey],
    by: &'static str,
    when: Timestamp,
) -> CaseSubmission<'a> {
    static ORGS: std::sync::OnceLock<Vec<OrgCode>> = std::sync::OnceLock::new();
    let orgs = ORGS.get_or_init(|| ["FRA", "DEU", "NLD"].map(org).to_vec());
    CaseSubmission {
        row,
        keys,
        by_org: orgs
            .iter()
            .find(|o| o.as_str() == by)
            .expect("a test organisation"),
        by_name: "anna",
        at: when,
    }
}

/// Tells the owner of every case newly linked (in `after`, not in `before`).
fn tell_new_links(
    stored: &StoredCase,
    before: &[CaseMatch],
    after: &[CaseMatch],
) -> Vec<NewMessage> {
    let mut owners: Vec<OrgCode> = after
        .iter()
        .filter(|m| !before.iter().any(|b| b.other_case == m.other_case))
        .map(|m| OrgCode::of_country(m.other_owner))
        .collect();
    owners.dedup();
    owners
        .into_iter()
        .map(|to| NewMessage {
            at: stored.updated_at,
            in_reply_to: None,
            thread_id: None,
            sender_org: OrgCode::of_country(stored.row.owner),
            sender_user: None,
            recipients: vec![to],
            subject: format!("link to case {} v{}", stored.id, stored.version),
            body: "A case shares identifiers with yours.".into(),
            priority: "routine".into(),
            handling: "H2".into(),
            refs: "[]".into(),
            attachments: Vec::new(),
        })
        .collect()
}

fn cases_keep_every_version_and_match_on_shared_keys(store: &dyn Store) {
    for code in ["FRA", "DEU", "NLD"] {
        store
            .add_organisation(&organisation(code, OrgKind::Member, code), &ev())
            .unwrap();
    }
    let subjects = |to: &str| -> Vec<String> {
        store
            .messages(org(to), Mailbox::Inbox, None, 10)
            .unwrap()
            .into_iter()
            .map(|m| m.subject)
            .collect()
    };
    let first = case_row("FRA", "FR-2026-1", "{\"v\":1}");
    let keys = [
        key("phone", "+33612345678", "C1"),
        key("iban", "FR7630006000011234567890189", "M1"),
        key("phone", "+33612345678", "C1"),
    ];
    let created = store
        .submit_case(
            &submission(&first, &keys, "FRA", at(10)),
            &tell_new_links,
            &described(),
        )
        .unwrap();
    assert_eq!((created.version, &created.row), (1, &first));
    assert_eq!((created.created_at, created.updated_at), (at(10), at(10)));
    assert_eq!(store.case(created.id).unwrap(), Some(created.clone()));
    assert_eq!(store.case(created.id + 1000).unwrap(), None);
    let entries = store.audit_entries(&AuditFilter::default(), 100).unwrap();
    let target = format!("ids:{},1", created.id);
    assert!(
        entries
            .iter()
            .any(|e| e.event.target.as_deref() == Some(&*target)),
        "{entries:?}"
    );

    // Another bureau's case shares the phone; a third shares nothing.
    let german = case_row("DEU", "FR-2026-1", "{\"de\":1}");
    let other = store
        .submit_case(
            &submission(
                &german,
                &[key("phone", "+33612345678", "K9")],
                "DEU",
                at(11),
            ),
            &tell_new_links,
            &described(),
        )
        .unwrap();
    assert_ne!(other.id, created.id, "references are per owner");
    let dutch = case_row("NLD", "NL-7", "{}");
    let unrelated = store
        .submit_case(
            &submission(
                &dutch,
                &[key("email", "x@example.org", "E1")],
                "NLD",
                at(12),
            ),
            &tell_new_links,
            &described(),
        )
        .unwrap();
    let shared = CaseMatch {
        kind: "phone".into(),
        value: "+33612345678".into(),
        entity: "C1".into(),
        other_case: other.id,
        other_owner: code("DEU"),
        other_entity: "K9".into(),
    };
    assert_eq!(store.case_matches(created.id).unwrap(), [shared]);
    assert_eq!(store.case_matches(other.id).unwrap().len(), 1);
    assert!(store.case_matches(unrelated.id).unwrap().is_empty());

    // The next report of the reference is the case's next version; its keys replace the old.
    let mut second = case_row("FRA", "FR-2026-1", "{\"v\":2}");
    second.status = "closed".into();
    second.restriction = Restriction::All;
    let updated = store
        .submit_case(
            &submission(
                &second,
                &[key("email", "x@example.org", "E5")],
                "FRA",
                at(20),
            ),
            &tell_new_links,
            &described(),
        )
        .unwrap();
    // Told in the submissions' transactions: France of Germany's link, the Netherlands of
    // France's second version (its link to Germany was there before; the Dutch one is new).
    assert_eq!(subjects("FRA"), [format!("link to case {} v1", other.id)]);
    assert_eq!(subjects("NLD"), [format!("link to case {} v2", created.id)]);
    assert!(subjects("DEU").is_empty());
    assert_eq!(
        (updated.id, updated.version, &updated.row),
        (created.id, 2, &second)
    );
    assert_eq!((updated.created_at, updated.updated_at), (at(10), at(20)));
    let matches = store.case_matches(created.id).unwrap();
    assert_eq!(matches.len(), 1);
    assert_eq!(
        (matches[0].other_case, &*matches[0].kind),
        (unrelated.id, "email")
    );
    assert!(store.case_matches(other.id).unwrap().is_empty());
    let versions = store.case_versions(created.id).unwrap();
    let reports: Vec<(i64, &str, &str, Timestamp)> = versions
        .iter()
        .map(|v| (v.version, v.report.as_str(), v.by_org.as_str(), v.at))
        .collect();
    assert_eq!(
        reports,
        [
            (1, "{\"v\":1}", "FRA", at(10)),
            (2, "{\"v\":2}", "FRA", at(20))
        ]
    );
    assert_eq!(versions[0].by_name, "anna");
    assert!(store.case_versions(created.id + 1000).unwrap().is_empty());

    let ids = |owner: Option<&str>, before: Option<i64>, limit: usize| -> Vec<i64> {
        store
            .cases(owner.map(code), before, limit)
            .unwrap()
            .iter()
            .map(|c| c.id)
            .collect()
    };
    assert_eq!(ids(None, None, 10), [unrelated.id, other.id, created.id]);
    assert_eq!(ids(None, Some(unrelated.id), 1), [other.id]);
    assert_eq!(ids(Some("FRA"), None, 10), [created.id]);
    assert!(ids(Some("ITA"), None, 10).is_empty());
    assert!(verify_chain(store) > 0);
}

fn tick(item: &str, done: bool, when: Timestamp) -> ChecklistTick {
    ChecklistTick {
        item: item.into(),
        done,
        note: done.then(|| format!("{item} done")),
        by_org: org("FRA"),
        by_name: "anna".into(),
        at: when,
    }
}

fn grant(case_id: i64, username: &str, of: &str, when: Timestamp) -> CaseGrant {
    CaseGrant {
        case_id,
        username: username.into(),
        org: org(of),
        by_org: org("FRA"),
        by_name: "anna".into(),
        at: when,
    }
}

fn case_checklists_and_grants_keep_their_last_state(store: &dyn Store) {
    for code in ["FRA", "DEU"] {
        store
            .add_organisation(&organisation(code, OrgKind::Member, code), &ev())
            .unwrap();
    }
    let row = case_row("FRA", "FR-9", "{}");
    let case = store
        .submit_case(
            &submission(&row, &[], "FRA", at(1)),
            &|_, _, _| Vec::new(),
            &described(),
        )
        .unwrap();
    let other_row = case_row("FRA", "FR-10", "{}");
    let other = store
        .submit_case(
            &submission(&other_row, &[], "FRA", at(1)),
            &|_, _, _| Vec::new(),
            &described(),
        )
        .unwrap();
    assert_eq!(
        store.case_of(code("FRA"), "FR-9").unwrap(),
        Some(case.clone())
    );
    assert_eq!(store.case_of(code("DEU"), "FR-9").unwrap(), None);
    assert_eq!(
        store.case_of(code("FRA"), "fr-9").unwrap(),
        None,
        "references are exact"
    );
    assert_eq!(store.case_stamps().unwrap(), [(case.id, 1), (other.id, 1)]);
    store
        .submit_case(
            &submission(&row, &[], "FRA", at(2)),
            &|_, _, _| Vec::new(),
            &described(),
        )
        .unwrap();
    assert_eq!(store.case_stamps().unwrap(), [(case.id, 2), (other.id, 1)]);

    // Ticked, unticked, ticked again: the last state is kept, per case.
    assert!(store.case_checklist(case.id).unwrap().is_empty());
    let entries = |store: &dyn Store| {
        store
            .audit_entries(&AuditFilter::default(), 1000)
            .unwrap()
            .len()
    };
    let before = entries(store);
    store
        .tick_case_item(case.id, &tick("sexual/ads", true, at(2)), &ev())
        .unwrap();
    store
        .tick_case_item(case.id, &tick("general/a", true, at(3)), &ev())
        .unwrap();
    store
        .tick_case_item(case.id, &tick("sexual/ads", false, at(4)), &ev())
        .unwrap();
    assert_eq!(entries(store), before + 3, "each tick has its entry");
    assert_eq!(
        store.case_checklist(case.id).unwrap(),
        [
            tick("general/a", true, at(3)),
            tick("sexual/ads", false, at(4))
        ]
    );
    assert!(store.case_checklist(other.id).unwrap().is_empty());

    // Grants by name: granted again replaces, revoked once.
    store
        .grant_case(&grant(case.id, "bert", "DEU", at(5)), &ev())
        .unwrap();
    store
        .grant_case(&grant(case.id, "carl", "DEU", at(5)), &ev())
        .unwrap();
    store
        .grant_case(&grant(case.id, "bert", "DEU", at(6)), &ev())
        .unwrap();
    store
        .grant_case(&grant(other.id, "bert", "DEU", at(6)), &ev())
        .unwrap();
    assert_eq!(
        store.case_grants(case.id).unwrap(),
        [
            grant(case.id, "bert", "DEU", at(6)),
            grant(case.id, "carl", "DEU", at(5))
        ]
    );
    let mut both = vec![case.id, other.id];
    both.sort_unstable();
    assert_eq!(store.user_case_grants("bert").unwrap(), both);
    assert!(
        store.user_case_grants("Bert").unwrap().is_empty(),
        "names are exact"
    );
    let before = entries(store);
    assert!(store.revoke_case_grant(case.id, "bert", &ev()).unwrap());
    assert!(!store.revoke_case_grant(case.id, "bert", &ev()).unwrap());
    assert_eq!(
        entries(store),
        before + 1,
        "only a revocation that revoked has its entry"
    );
    assert_eq!(store.user_case_grants("bert").unwrap(), [other.id]);
    assert_eq!(store.case_grants(case.id).unwrap().len(), 1);
    assert!(verify_chain(store) > 0);
}

fn manifest_row(org_text: &str, flight: &str, when: Timestamp) -> ManifestRow {
    ManifestRow {
        at: when,
        checking_org: org(org_text),
        checking_user: Some("anna".into()),
        sender: "AFAPI".into(),
        reference: "REF1".into(),
        flight: Some(flight.into()),
        departure_airport: Some("CDG".into()),
        departure_time: Some("2026-12-03T10:30".into()),
        arrival_airport: Some("BKK".into()),
        arrival_time: None,
        travellers: 400,
        hits: 1,
        possible: 2,
        report: "{\"travellers\":400}".into(),
    }
}

fn warning_row(
    sender: &str,
    destination: &str,
    owner: Option<&str>,
    dedup: &str,
    when: Timestamp,
) -> TravelWarningRow {
    TravelWarningRow {
        at: when,
        sender_org: org(sender),
        sender_user: None,
        source: "manifest".into(),
        destination: code(destination),
        notice_id: owner.map(|_| 7),
        notice_owner: owner.map(code),
        person_id: Some(3),
        dedup: dedup.into(),
        traveller: "{\"name\":\"SOMCHAI WONGSAKUL\"}".into(),
        journey: "{\"flight\":\"AF1\"}".into(),
        note: None,
    }
}

/// Manifests are read by who screened them; a warning by its sender, the country warned and
/// the notice's owner, no one else; a warning of a stored key is not stored nor sent again.
fn manifests_and_travel_warnings_are_kept_for_their_parties(store: &dyn Store) {
    for code in ["FRA", "DEU", "THA", "ITA"] {
        store
            .add_organisation(&organisation(code, OrgKind::Member, code), &ev())
            .unwrap();
    }
    let first = store
        .record_manifest(&manifest_row("FRA", "AF1", at(1)), &described())
        .unwrap();
    let second = store
        .record_manifest(&manifest_row("FRA", "AF2", at(2)), &described())
        .unwrap();
    store
        .record_manifest(&manifest_row("DEU", "LH1", at(3)), &described())
        .unwrap();
    assert_eq!(
        store.manifest(first).unwrap().unwrap().row,
        manifest_row("FRA", "AF1", at(1))
    );
    assert!(store.manifest(first + 100).unwrap().is_none());
    let ids = |list: Vec<StoredManifest>| list.into_iter().map(|m| m.id).collect::<Vec<_>>();
    assert_eq!(
        ids(store.manifests(org("FRA"), None, 10).unwrap()),
        [second, first]
    );
    assert_eq!(
        ids(store.manifests(org("FRA"), Some(second), 10).unwrap()),
        [first]
    );
    assert_eq!(ids(store.manifests(org("FRA"), None, 1).unwrap()), [second]);
    assert!(store.manifests(org("ITA"), None, 10).unwrap().is_empty());

    let message = |to: &str| NewMessage {
        at: at(4),
        in_reply_to: None,
        thread_id: None,
        sender_org: org("FRA"),
        sender_user: None,
        recipients: vec![org(to)],
        subject: "Travel warning".into(),
        body: "On flight AF1.".into(),
        priority: "urgent".into(),
        handling: "H2".into(),
        refs: "[]".into(),
        attachments: Vec::new(),
    };
    let warning = |dedup: &str, to: &[&str]| NewTravelWarning {
        row: warning_row("FRA", "THA", Some("DEU"), dedup, at(4)),
        messages: to.iter().map(|t| message(t)).collect(),
    };
    let stored = store
        .record_travel_warnings(
            &[warning("a", &["THA", "DEU"]), warning("b", &["THA"])],
            &described(),
        )
        .unwrap();
    assert!(stored.iter().all(Option::is_some), "{stored:?}");
    let inbox = |code: &str| {
        store
            .messages(org(code), Mailbox::Inbox, None, 100)
            .unwrap()
            .len()
    };
    assert_eq!((inbox("THA"), inbox("DEU")), (2, 1));
    // Sent again with a new one: only the new one is stored, only its messages sent.
    let again = store
        .record_travel_warnings(
            &[warning("a", &["THA", "DEU"]), warning("c", &["THA"])],
            &described(),
        )
        .unwrap();
    assert_eq!(again[0], None);
    assert!(again[1].is_some());
    assert_eq!((inbox("THA"), inbox("DEU")), (3, 1));
    let listed = |o: &str| {
        store
            .travel_warnings(org(o), Some(code(o)), None, 100)
            .unwrap()
            .into_iter()
            .map(|w| w.row.dedup)
            .collect::<Vec<_>>()
    };
    assert_eq!(listed("FRA"), ["c", "b", "a"], "the sender");
    assert_eq!(listed("THA"), ["c", "b", "a"], "the country warned");
    assert_eq!(listed("DEU"), ["c", "b", "a"], "the notice's owner");
    assert!(listed("ITA").is_empty(), "no one else");
    let first_page = store
        .travel_warnings(org("THA"), Some(code("THA")), None, 2)
        .unwrap();
    assert_eq!(first_page.len(), 2);
    let rest = store
        .travel_warnings(org("THA"), Some(code("THA")), Some(first_page[1].id), 10)
        .unwrap();
    assert_eq!(rest.len(), 1);
    assert_eq!(
        rest[0].row,
        warning_row("FRA", "THA", Some("DEU"), "a", at(4))
    );
    assert!(verify_chain(store) > 0);
}

#[cfg(test)]
mod tests {
    /// Every method of the interface is exercised here, so that a backend cannot pass the
    /// suite while getting one wrong.
    #[test]
    fn the_suite_calls_every_method_of_the_store() {
        let interface = include_str!("lib.rs");
        let body = interface
            .split("pub trait Store")
            .nth(1)
            .and_then(|rest| rest.split("\n}\n").next())
            .expect("the Store trait");
        let suite = include_str!("conformance.rs");
        let mut missing = Vec::new();
        for line in body.lines() {
            let Some(name) = line.trim().strip_prefix("fn ") else {
                continue;
            };
            let name = name.split(['(', '<']).next().unwrap();
            if !suite.contains(&format!(".{name}(")) {
                missing.push(name);
            }
        }
        assert!(
            missing.is_empty(),
            "methods the suite never calls: {missing:?}"
        );
    }
}
