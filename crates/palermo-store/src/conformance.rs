//! The conformance suite: behaviour every [`Store`] backend must show. A backend's tests call
//! [`run`] with a function that makes a fresh, empty store (and whatever keeps it alive).

use std::any::Any;

use palermo_core::date::parse_date;
use palermo_core::{
    CountryCode, Document, DocumentStatus, DocumentType, RecordMeta, Restriction, Timestamp,
    Vehicle, VehicleStatus,
};

use crate::{Bureau, NewHit, RecordKind, Store, StoreError};

/// Makes an empty store; the second value is dropped after the store (a temporary directory,
/// a database to drop).
pub type MakeStore<'a> = &'a dyn Fn() -> (Box<dyn Store>, Box<dyn Any>);

/// A named check of the suite.
type Case = (&'static str, fn(&dyn Store));

pub fn run(make: MakeStore<'_>) {
    let cases: &[Case] = &[
        ("bureaus_and_keys", bureaus_and_keys),
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
        ("vehicles_round_trip", vehicles_round_trip),
        (
            "hits_are_listed_for_their_owner_newest_first",
            hits_are_listed_for_their_owner_newest_first,
        ),
    ];
    for (name, case) in cases {
        let (store, keep) = make();
        eprintln!("store conformance: {name}");
        case(store.as_ref());
        drop(store);
        drop(keep);
    }
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
        .scan_documents(&mut |id, country, number| seen.push((id, format!("{country}|{number}"))))
        .unwrap();
    seen.sort();
    seen
}

fn bureaus_and_keys(store: &dyn Store) {
    store
        .add_bureau(&Bureau {
            code: code("FRA"),
            name: "NCB Paris".into(),
        })
        .unwrap();
    store
        .add_bureau(&Bureau {
            code: code("FRA"),
            name: "NCB Paris (renamed)".into(),
        })
        .unwrap();
    assert_eq!(
        store.bureaus().unwrap(),
        [Bureau {
            code: code("FRA"),
            name: "NCB Paris (renamed)".into()
        }]
    );
    let id = store.add_api_key(code("FRA"), "border", &[7; 32]).unwrap();
    assert!(matches!(
        store.add_api_key(code("DEU"), "x", &[8; 32]),
        Err(StoreError::Conflict(_))
    ));
    let keys = store.api_keys().unwrap();
    assert_eq!(keys.len(), 1);
    assert_eq!(
        (keys[0].id, keys[0].key_hash, keys[0].revoked),
        (id, [7; 32], false)
    );
    assert!(store.revoke_api_key(id).unwrap());
    assert!(!store.revoke_api_key(id).unwrap());
    assert!(store.api_keys().unwrap()[0].revoked);
}

fn documents_round_trip(store: &dyn Store) {
    let written = store
        .write_documents(
            &[
                document("AB123", "FRA", None),
                document("CD456", "DEU", None),
            ],
            at(0),
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
        .update_document(written[0].id, &changed, at(5))
        .unwrap()
        .unwrap();
    assert_eq!(update.previous.unwrap().record.number, "AB123");
    let stored = store.document(written[0].id).unwrap().unwrap();
    assert_eq!(stored.record, changed);
    assert_eq!((stored.created_at, stored.updated_at), (at(0), at(5)));
    assert!(
        store
            .update_document(99_999, &changed, at(6))
            .unwrap()
            .is_none()
    );
    assert_eq!(store.counts().unwrap().documents_active, 2);
}

fn external_refs_update_instead_of_duplicating(store: &dyn Store) {
    let first = store
        .write_documents(&[document("AB123", "FRA", Some("case-1"))], at(0))
        .unwrap();
    let again = store
        .write_documents(&[document("AB999", "FRA", Some("case-1"))], at(1))
        .unwrap();
    assert_eq!(again[0].id, first[0].id);
    assert_eq!(again[0].previous.as_ref().unwrap().record.number, "AB123");
    // The same reference of another owner is another record.
    let other = store
        .write_documents(&[document("AB123", "DEU", Some("case-1"))], at(2))
        .unwrap();
    assert_ne!(other[0].id, first[0].id);
    assert_eq!(scanned_documents(store).len(), 2);
}

fn withdrawn_documents_leave_scans_and_lookups(store: &dyn Store) {
    let written = store
        .write_documents(&[document("AB123", "FRA", Some("r"))], at(0))
        .unwrap();
    let id = written[0].id;
    let withdrawn = store.withdraw_document(id, at(3)).unwrap().unwrap();
    assert_eq!(withdrawn.record.number, "AB123");
    assert!(store.withdraw_document(id, at(4)).unwrap().is_none());
    assert!(scanned_documents(store).is_empty());
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
        .write_documents(&[document("AB123", "FRA", Some("r"))], at(5))
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
        )
        .unwrap();
    // Giving record one the reference of record two breaks uniqueness: nothing may change.
    let clash = document("ZZ9", "FRA", Some("two"));
    let error = store
        .update_document(written[0].id, &clash, at(1))
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
    let error = store.write_documents(&[document("NEW1", "FRA", None), clash], at(2));
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
        .write_documents(&[document("AB1", "FRA", Some("one"))], at(0))
        .unwrap();
    let mut rows = (0..1000)
        .map(|i| document(&format!("N{i}"), "FRA", Some(&format!("ref-{i}"))))
        .chain([document("AB1-NEW", "FRA", Some("one"))]);
    let counts = store
        .import_documents(&mut rows, at(1), &|| true)
        .unwrap()
        .unwrap();
    assert_eq!((counts.inserted, counts.updated), (1000, 1));
    assert_eq!(store.counts().unwrap().documents_active, 1001);
    // An import told not to commit leaves no trace.
    let mut more = (0..10).map(|i| document(&format!("M{i}"), "FRA", None));
    assert!(
        store
            .import_documents(&mut more, at(2), &|| false)
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
            .import_documents(&mut rows, at(0), &|| false)
            .unwrap()
            .is_none()
    );
    // The file repeats a reference: the later row updates the earlier one.
    let mut rows = (0..100)
        .map(|i| document(&format!("E{i}"), "FRA", Some(&format!("e-{i}"))))
        .chain([document("E42", "FRA", Some("e-42"))]);
    let counts = store
        .import_documents(&mut rows, at(1), &|| true)
        .unwrap()
        .unwrap();
    assert_eq!((counts.inserted, counts.updated), (100, 1));
    assert_eq!(store.find_documents(code("FRA"), "E42").unwrap().len(), 1);
    assert_eq!(scanned_documents(store).len(), 100);
    let mut again = (0..100).map(|i| document(&format!("F{i}"), "FRA", Some(&format!("e-{i}"))));
    let counts = store
        .import_documents(&mut again, at(2), &|| true)
        .unwrap()
        .unwrap();
    assert_eq!((counts.inserted, counts.updated), (0, 100));
    assert!(store.find_documents(code("FRA"), "E42").unwrap().is_empty());
    assert_eq!(store.find_documents(code("FRA"), "F42").unwrap().len(), 1);
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
        .write_vehicles(std::slice::from_ref(&vehicle), at(0))
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
    store.write_vehicles(&[plate_only], at(1)).unwrap();
    let mut seen = Vec::new();
    store
        .scan_vehicles(&mut |id, vin, country, plate| {
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
    store
        .withdraw_vehicle(written[0].id, at(2))
        .unwrap()
        .unwrap();
    assert_eq!(store.counts().unwrap().vehicles_active, 1);
}

fn hits_are_listed_for_their_owner_newest_first(store: &dyn Store) {
    let hit = |n: i64, owner: &str| NewHit {
        at: at(n),
        record_kind: RecordKind::Document,
        record_id: n,
        owner: code(owner),
        checking_bureau: code("DEU"),
        match_kind: "exact".into(),
        query: format!("{{\"number\":\"N{n}\"}}"),
    };
    store
        .record_hits(&[hit(1, "FRA"), hit(2, "ITA"), hit(3, "FRA"), hit(4, "FRA")])
        .unwrap();
    let page = store.hits_for_owner(code("FRA"), None, 2).unwrap();
    assert_eq!(
        page.iter().map(|h| h.hit.record_id).collect::<Vec<_>>(),
        [4, 3]
    );
    let next = store
        .hits_for_owner(code("FRA"), Some(page[1].id), 2)
        .unwrap();
    assert_eq!(
        next.iter().map(|h| h.hit.record_id).collect::<Vec<_>>(),
        [1]
    );
    assert_eq!(next[0].hit, hit(1, "FRA"));
}
