//! The hub's clock is the only time it writes: a test sets the time and the hub follows,
//! deadlines included, with no sleeping.

use std::sync::Arc;

use palermo_core::{CountryCode, DocumentInput, OrgCode, OrgKind, Timestamp};
use palermo_hub::{Caller, DocumentQuery, Hub, HubOptions, ManualClock, Policy};
use palermo_store::{AuditFilter, SqliteStore};

#[test]
fn the_hub_writes_its_clocks_time_and_a_hit_is_overdue_when_the_clock_says() {
    let dir = tempfile::tempdir().unwrap();
    let store = Arc::new(SqliteStore::open(&dir.path().join("palermo.db")).unwrap());
    // Far from the machine's time, so that a timestamp read from the system would show.
    let start = Timestamp(2_500_000_000_000);
    let clock = ManualClock::at(start);
    let policy = Policy::default();
    let deadline = policy.hit_deadline_ms;
    let hub = Hub::open_with(
        store,
        HubOptions {
            policy,
            clock: Some(Arc::new(clock.clone())),
            ..HubOptions::default()
        },
    )
    .unwrap();
    for code in ["FRA", "DEU"] {
        let org = OrgCode::parse(code).unwrap();
        hub.add_organisation(&Caller::console(), org, OrgKind::Member, code)
            .unwrap();
    }
    let fra = Caller::local_operator(CountryCode::parse("FRA").unwrap());
    let deu = Caller::local_operator(CountryCode::parse("DEU").unwrap());
    let document = DocumentInput {
        number: Some("CLOCK0001".into()),
        issuing_country: Some("FRA".into()),
        document_type: Some("P".into()),
        status: Some("stolen".into()),
        reported_date: Some("2025-01-01".into()),
        ..DocumentInput::default()
    };
    hub.write_documents(&fra, &[document], "documents").unwrap();

    clock.advance_ms(1_000);
    let checked = start.0 + 1_000;
    let query = DocumentQuery {
        number: Some("CLOCK0001".into()),
        issuing_country: Some("FRA".into()),
        ..DocumentQuery::default()
    };
    let results = hub
        .check_documents(&deu, &[query])
        .unwrap()
        .record(&hub)
        .unwrap();
    assert!(results[0].hit);
    let hits = hub.hits(&fra, None, None, 10).unwrap();
    assert_eq!(hits.len(), 1);
    assert_eq!(hits[0].at, Timestamp(checked));
    assert_eq!(hits[0].due_at, Timestamp(checked + deadline));
    assert_eq!(hits[0].state, "open");

    let due = checked + deadline;
    clock.set(Timestamp(due));
    assert_eq!(
        hub.escalate_overdue_hits().unwrap(),
        0,
        "due is not yet late"
    );
    clock.set(Timestamp(due + 1));
    assert_eq!(hub.escalate_overdue_hits().unwrap(), 1);
    let hits = hub.hits(&fra, None, None, 10).unwrap();
    assert_eq!(hits[0].state, "overdue");
    assert_eq!(hits[0].escalated_at, Some(Timestamp(due + 1)));

    let entries = hub
        .audit_entries(&Caller::console(), &AuditFilter::default(), 1_000)
        .unwrap();
    assert!(entries.len() > 5, "{}", entries.len());
    for entry in &entries {
        assert!(
            (start.0..=due + 1).contains(&entry.event.at.0),
            "entry {} at {:?}, not the clock's time",
            entry.seq,
            entry.event.at
        );
    }
}
