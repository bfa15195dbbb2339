//! Case reports at the hub: submitting and versioning, who sees what (victims' identities only
//! for the reporting bureau), links between bureaus' cases, and every refusal tried from the
//! attacker's side (another bureau, a restricted bureau, a partner, the secretariat).

use std::sync::Arc;

use palermo_core::{CountryCode, OrgCode, OrgKind, Permissions, PersonInput, Timestamp, Viewpoint};
use palermo_hub::cases::NetworkNode;
use palermo_hub::{Caller, Hub, HubError, HubOptions, ManualClock};
use palermo_store::SqliteStore;
use serde_json::{Value, json};

struct World {
    hub: Hub,
    store: Arc<SqliteStore>,
    fra: Caller,
    deu: Caller,
    ita: Caller,
    secretariat: Caller,
    partner: Caller,
    _dir: tempfile::TempDir,
}

fn world() -> World {
    let dir = tempfile::tempdir().unwrap();
    let store = Arc::new(SqliteStore::open(&dir.path().join("palermo.db")).unwrap());
    let clock = ManualClock::at(Timestamp(1_796_000_000_000)); // 2026-11-30
    let hub = Hub::open_with(
        store.clone(),
        HubOptions {
            clock: Some(Arc::new(clock)),
            ..HubOptions::default()
        },
    )
    .unwrap();
    for (code, kind) in [
        ("FRA", OrgKind::Member),
        ("DEU", OrgKind::Member),
        ("ITA", OrgKind::Member),
        ("IPSG", OrgKind::Secretariat),
        ("NGO1", OrgKind::Partner),
    ] {
        hub.add_organisation(
            &Caller::console(),
            OrgCode::parse(code).unwrap(),
            kind,
            code,
        )
        .unwrap();
    }
    let country = |code| CountryCode::parse(code).unwrap();
    let other = |org: &str, kind: OrgKind| Caller {
        org: OrgCode::parse(org).unwrap(),
        viewpoint: Viewpoint {
            kind,
            country: None,
        },
        permissions: Permissions::CHECK | Permissions::READ_RECORDS | Permissions::WRITE_RECORDS,
        user: Some(format!("{org}.user").into()),
        api_key_id: None,
        source: None,
    };
    World {
        hub,
        store,
        fra: Caller::local_operator(country("FRA")),
        deu: Caller::local_operator(country("DEU")),
        ita: Caller::local_operator(country("ITA")),
        secretariat: other("IPSG", OrgKind::Secretariat),
        partner: other("NGO1", OrgKind::Partner),
        _dir: dir,
    }
}

fn report(reference: &str) -> Value {
    json!({
        "format": "palermo.case-report/1",
        "reference": reference,
        "status": "active",
        "form": "trafficking",
        "reported_date": "2026-11-20",
        "victims": [{
            "id": "V1", "age": 19, "gender": "female", "citizenship": ["NGA"],
            "exploitation": ["sexual-exploitation"], "control": ["debt-bondage"],
            "identity": {"names": [{"given": "Grace", "family": "Adebayo"}], "birth_date": "2007-02-02"}
        }],
        "suspects": [{"id": "S1", "names": [{"given": "Osas", "family": "Igbinedion"}], "roles": ["recruiter"]}],
        "communications": [
            {"id": "C1", "kind": "phone", "value": "+234 803 555 0101", "used_by": "S1"},
            {"id": "C2", "kind": "phone", "value": "+33 6 99 88 77 66", "used_by": "V1"}
        ],
        "route": [{"country": "NGA", "role": "recruitment"}, {"country": "FRA", "role": "exploitation"}]
    })
}

fn bytes(value: &Value) -> Vec<u8> {
    serde_json::to_vec(value).unwrap()
}

fn invalid_paths(error: HubError) -> Vec<String> {
    match error {
        HubError::Invalid(errors) => errors.0.into_iter().map(|e| e.field).collect(),
        other => panic!("expected invalid input, got {other:?}"),
    }
}

#[test]
fn a_later_report_of_a_reference_is_the_next_version_and_the_history_is_kept() {
    let w = world();
    let first = w.hub.submit_case(&w.fra, &bytes(&report("FR-1"))).unwrap();
    assert_eq!(
        (first.version, first.owner.as_str(), first.victims),
        (1, "FRA", 1)
    );
    assert!(first.identities_visible);
    let mut later = report("FR-1");
    later["status"] = json!("closed");
    later["closed_date"] = json!("2026-11-25");
    let second = w.hub.submit_case(&w.fra, &bytes(&later)).unwrap();
    assert_eq!(
        (second.id, second.version, second.status.as_str()),
        (first.id, 2, "closed")
    );
    let versions = w.hub.case_versions(&w.fra, first.id).unwrap();
    assert_eq!(
        versions.iter().map(|v| v.version).collect::<Vec<_>>(),
        [1, 2]
    );
    assert_eq!(versions[0].report["status"], "active");
    assert_eq!(w.hub.case(&w.fra, first.id).unwrap().status, "closed");
    // Another bureau's report of the same reference is its own case: it cannot overwrite.
    let german = w.hub.submit_case(&w.deu, &bytes(&report("FR-1"))).unwrap();
    assert_ne!(german.id, first.id);
    assert_eq!(w.hub.case(&w.fra, first.id).unwrap().version, 2);
}

#[test]
fn a_bad_report_is_refused_whole_with_every_path_and_nothing_is_stored() {
    let w = world();
    let mut bad = report("FR-2");
    bad["victims"][0]["age"] = json!(230);
    bad["communications"][0]["value"] = json!("+234 1");
    bad["route"][0]["role"] = json!("source");
    bad["suspects"][0]["person_id"] = json!(99);
    let paths = invalid_paths(w.hub.submit_case(&w.fra, &bytes(&bad)).unwrap_err());
    for path in ["/victims/0/age", "/communications/0/value", "/route/0/role"] {
        assert!(paths.contains(&path.to_owned()), "{path} in {paths:?}");
    }
    assert!(w.hub.cases(&w.fra, None, None, 50).unwrap().is_empty());
    // A person the reporter may not see is reported like one that does not exist.
    let person: PersonInput = serde_json::from_value(json!({
        "names": [{"given": "Hidden", "family": "Person"}], "sex": "M",
        "reported_date": "2026-01-05", "restriction": "only", "restriction_countries": ["ITA"]
    }))
    .unwrap();
    let hidden = w
        .hub
        .write_persons(&w.deu, &[person], "persons")
        .unwrap()
        .ids[0];
    let mut naming = report("FR-3");
    naming["suspects"][0]["person_id"] = json!(hidden);
    let error = w.hub.submit_case(&w.fra, &bytes(&naming)).unwrap_err();
    assert_eq!(invalid_paths(error), ["/suspects/0/person_id"]);
    naming["suspects"][0]["person_id"] = json!(hidden + 1000);
    let error = w.hub.submit_case(&w.fra, &bytes(&naming)).unwrap_err();
    assert_eq!(invalid_paths(error), ["/suspects/0/person_id"]);
    assert!(w.hub.cases(&w.fra, None, None, 50).unwrap().is_empty());
    // Italy sees the person: Italy may name it.
    naming["suspects"][0]["person_id"] = json!(hidden);
    w.hub.submit_case(&w.ita, &bytes(&naming)).unwrap();
}

#[test]
fn only_a_member_bureau_with_the_write_permission_reports() {
    let w = world();
    for caller in [&w.secretariat, &w.partner] {
        assert!(matches!(
            w.hub.submit_case(caller, &bytes(&report("X-1"))),
            Err(HubError::Forbidden(_))
        ));
    }
    let reader = Caller {
        permissions: Permissions::CHECK | Permissions::READ_RECORDS,
        ..w.fra.clone()
    };
    assert!(matches!(
        w.hub.submit_case(&reader, &bytes(&report("X-1"))),
        Err(HubError::Forbidden(_))
    ));
    assert!(w.hub.cases(&w.fra, None, None, 50).unwrap().is_empty());
}

#[test]
fn victims_identities_are_the_reporting_bureaus_alone() {
    let w = world();
    let case = w.hub.submit_case(&w.fra, &bytes(&report("FR-4"))).unwrap();
    let own = serde_json::to_string(&w.hub.case(&w.fra, case.id).unwrap()).unwrap();
    assert!(own.contains("Adebayo") && own.contains("+33699887766"));
    for reader in [&w.deu, &w.secretariat] {
        let view = w.hub.case(reader, case.id).unwrap();
        assert!(!view.identities_visible);
        assert_eq!(view.victims, 1);
        let text = serde_json::to_string(&view).unwrap();
        for secret in [
            "Adebayo",
            "Grace",
            "2007-02-02",
            "+33699887766",
            "\"age\":19",
        ] {
            assert!(!text.contains(secret), "{secret} leaked to {}", reader.org);
        }
        assert!(text.contains("debt-bondage") && text.contains("18-20"));
    }
    // The secretariat reads the versions, protected too; another bureau not at all.
    let versions =
        serde_json::to_string(&w.hub.case_versions(&w.secretariat, case.id).unwrap()).unwrap();
    assert!(!versions.contains("Adebayo"));
    assert!(matches!(
        w.hub.case_versions(&w.deu, case.id),
        Err(HubError::Forbidden(_))
    ));
    // Partners see no case at all.
    assert!(matches!(
        w.hub.case(&w.partner, case.id),
        Err(HubError::Forbidden(_))
    ));
    assert!(matches!(
        w.hub.cases(&w.partner, None, None, 10),
        Err(HubError::Forbidden(_))
    ));
}

#[test]
fn a_restricted_case_reads_like_an_absent_one() {
    let w = world();
    let mut only_germany = report("FR-5");
    only_germany["restriction"] = json!({"visibility": "only", "countries": ["DEU"]});
    let case = w.hub.submit_case(&w.fra, &bytes(&only_germany)).unwrap();
    assert_eq!(w.hub.case(&w.deu, case.id).unwrap().id, case.id);
    let hidden = w.hub.case(&w.ita, case.id).unwrap_err();
    let absent = w.hub.case(&w.ita, case.id + 1000).unwrap_err();
    assert_eq!(format!("{hidden:?}"), format!("{absent:?}"));
    assert!(matches!(
        w.hub.case_links(&w.ita, case.id),
        Err(HubError::NotFound)
    ));
    assert!(matches!(
        w.hub.case_versions(&w.ita, case.id),
        Err(HubError::NotFound)
    ));
    assert!(w.hub.cases(&w.ita, None, None, 50).unwrap().is_empty());
    assert_eq!(w.hub.cases(&w.deu, None, None, 50).unwrap().len(), 1);
    assert!(matches!(
        w.hub.cases(&w.deu, Some("XX"), None, 50),
        Err(HubError::Invalid(_))
    ));
}

#[test]
fn cases_link_through_shared_identifiers_and_say_whom_to_contact() {
    let w = world();
    let french = w.hub.submit_case(&w.fra, &bytes(&report("FR-6"))).unwrap();
    // Germany's case: the same recruiter's phone written another way, a victim with the same
    // phone as France's victim (never matched), and Italy alone may see it.
    let mut german = report("DE-1");
    german["communications"][0]["value"] = json!("00234-803-555-0101");
    german["communications"][0]["id"] = json!("T7");
    german["suspects"][0]["names"] = json!([{"family": "Someone Else"}]);
    german["restriction"] = json!({"visibility": "only", "countries": ["ITA"]});
    let german = w.hub.submit_case(&w.deu, &bytes(&german)).unwrap();

    let links = w.hub.case_links(&w.fra, french.id).unwrap();
    assert_eq!(links.len(), 1, "{links:?}");
    assert_eq!(links[0].contact, "DEU");
    // France may not see Germany's case: that it exists and whom to ask, nothing more.
    assert_eq!((links[0].case, links[0].reference.as_deref()), (None, None));
    assert_eq!(links[0].shared.len(), 1);
    let shared = &links[0].shared[0];
    assert_eq!(
        (
            shared.kind.as_str(),
            shared.value.as_str(),
            shared.entity.as_str()
        ),
        ("phone", "+2348035550101", "C1")
    );
    assert_eq!(shared.other_entity, None);
    // Germany sees France's case: the whole link.
    let links = w.hub.case_links(&w.deu, german.id).unwrap();
    assert_eq!(
        (links[0].case, links[0].reference.as_deref()),
        (Some(french.id), Some("FR-6"))
    );
    assert_eq!(links[0].shared[0].other_entity.as_deref(), Some("C1"));
    assert!(
        links
            .iter()
            .all(|l| l.shared.iter().all(|s| s.entity != "C2")),
        "victims are never matched"
    );

    // France was told, in Germany's submission: its case, whom to contact, not Germany's case.
    let inbox = w
        .hub
        .messages(&w.fra, palermo_store::Mailbox::Inbox, None, 10)
        .unwrap();
    assert_eq!(inbox.len(), 1, "{inbox:?}");
    let told = serde_json::to_string(&inbox[0]).unwrap();
    assert!(
        told.contains(&format!("your case {}", french.id)) && told.contains("Contact DEU"),
        "{told}"
    );
    assert!(
        !told.contains("DE-1") && !told.contains(&format!("case show {}", german.id)),
        "{told}"
    );
    // A later version with the same links tells no one again; Germany, who sees nothing new, neither.
    let mut again = report("DE-1");
    again["communications"][0]["value"] = json!("00234-803-555-0101");
    again["suspects"][0]["names"] = json!([{"family": "Someone Else"}]);
    again["restriction"] = json!({"visibility": "only", "countries": ["ITA"]});
    w.hub.submit_case(&w.deu, &bytes(&again)).unwrap();
    assert_eq!(
        w.hub
            .messages(&w.fra, palermo_store::Mailbox::Inbox, None, 10)
            .unwrap()
            .len(),
        1
    );
    assert!(
        w.hub
            .messages(&w.deu, palermo_store::Mailbox::Inbox, None, 10)
            .unwrap()
            .is_empty()
    );
    // Italy, who may see France's case, links to it and France is told with Italy's case.
    let italian = w.hub.submit_case(&w.ita, &bytes(&report("IT-1"))).unwrap();
    let inbox = w
        .hub
        .messages(&w.fra, palermo_store::Mailbox::Inbox, None, 10)
        .unwrap();
    let told = serde_json::to_string(&inbox[0]).unwrap();
    assert!(
        told.contains(&format!("case show {}", italian.id)),
        "{told}"
    );
}

#[test]
fn the_network_follows_links_the_reader_may_see_and_names_only_whom_to_contact_beyond() {
    let w = world();
    // France's case shares the recruiter's phone with Germany's; Germany's shares an IBAN with
    // Italy's, which Germany alone may see.
    let french = w.hub.submit_case(&w.fra, &bytes(&report("FR-N"))).unwrap();
    let mut german = report("DE-N");
    german["suspects"][0]["names"] = json!([{"family": "Brauer"}]);
    german["money"] = json!([{"id": "M1", "kind": "bank-account", "iban": "DE44 5001 0517 5407 3249 31", "holder": "S1"}]);
    let german = w.hub.submit_case(&w.deu, &bytes(&german)).unwrap();
    let mut italian = report("IT-N");
    italian["suspects"][0]["names"] = json!([{"family": "Rossi"}]);
    italian["communications"] = json!([]);
    italian["money"] = json!([{"id": "Z9", "kind": "bank-account", "iban": "DE44500105175407324931", "holder": "S1"}]);
    italian["restriction"] = json!({"visibility": "only", "countries": ["DEU"]});
    let italian = w.hub.submit_case(&w.ita, &bytes(&italian)).unwrap();

    let one = w.hub.case_network(&w.fra, french.id, 1).unwrap();
    let cases: Vec<&str> = one
        .nodes
        .iter()
        .filter(|n| n.kind == "case")
        .map(|n| n.id.as_str())
        .collect();
    assert_eq!(
        cases,
        [format!("case:{}", french.id), format!("case:{}", german.id)]
    );
    assert!(
        one.edges.iter().any(|e| e.kind == "phone"
            && e.from == format!("case:{}/C1", french.id)
            && e.to == format!("case:{}/C1", german.id)),
        "{:?}",
        one.edges
    );
    // France's own victim is in its view; Germany's victim is not (counts only, in the label).
    assert!(
        one.nodes
            .iter()
            .any(|n| n.id == format!("case:{}/V1", french.id) && n.kind == "victim")
    );
    assert!(
        !one.nodes
            .iter()
            .any(|n| n.id == format!("case:{}/V1", german.id))
    );
    let text = serde_json::to_string(&one).unwrap();
    assert!(!text.contains("Adebayo"), "no identity in any label");
    // Nodes with a country carry where a map places it.
    let case_node = one
        .nodes
        .iter()
        .find(|n| n.id == format!("case:{}", french.id))
        .unwrap();
    let [latitude, longitude] = case_node.coordinates.unwrap();
    assert!((latitude - 48.85).abs() < 0.1 && (longitude - 2.35).abs() < 0.1);

    // Two hops reach Italy's case, which France may not see: a node naming only whom to ask.
    let two = w.hub.case_network(&w.fra, french.id, 2).unwrap();
    let restricted: Vec<&NetworkNode> = two
        .nodes
        .iter()
        .filter(|n| n.kind == "case-restricted")
        .collect();
    assert_eq!(restricted.len(), 1, "{:?}", two.nodes);
    assert_eq!(
        (
            restricted[0].label.as_str(),
            restricted[0].country.as_deref()
        ),
        ("a case of ITA: contact ITA", Some("ITA"))
    );
    let text = serde_json::to_string(&two).unwrap();
    assert!(
        !text.contains("IT-N")
            && !text.contains("Rossi")
            && !text.contains(&format!("case:{}", italian.id)),
        "{text}"
    );
    assert!(
        two.edges
            .iter()
            .any(|e| e.kind == "iban" && e.to == restricted[0].id)
    );
    // Germany sees all three.
    let german_view = w.hub.case_network(&w.deu, german.id, 1).unwrap();
    assert_eq!(
        german_view
            .nodes
            .iter()
            .filter(|n| n.kind == "case")
            .count(),
        3
    );
    assert!(matches!(
        w.hub.case_network(&w.fra, french.id, 4),
        Err(HubError::Invalid(_))
    ));
    assert!(matches!(
        w.hub.case_network(&w.fra, italian.id, 1),
        Err(HubError::NotFound)
    ));
    assert!(matches!(
        w.hub.case_network(&w.partner, french.id, 1),
        Err(HubError::Forbidden(_))
    ));
}

#[test]
fn route_statistics_count_what_the_reader_may_see() {
    let w = world();
    w.hub.submit_case(&w.fra, &bytes(&report("FR-R1"))).unwrap();
    w.hub.submit_case(&w.deu, &bytes(&report("DE-R1"))).unwrap();
    let mut hidden = report("IT-R1");
    hidden["restriction"] = json!({"visibility": "only", "countries": ["DEU"]});
    hidden["victims"] = json!([
        {"id": "V1", "exploitation": ["sexual-exploitation", "forced-criminality"]},
        {"id": "V2", "exploitation": ["sexual-exploitation"]}
    ]);
    w.hub.submit_case(&w.ita, &bytes(&hidden)).unwrap();
    let mut other = report("FR-R2");
    other["reported_date"] = json!("2025-05-05");
    other["route"] = json!([{"country": "ROU", "role": "recruitment"}, {"country": "HUN", "role": "transit"},
        {"country": "AUT", "role": "transit"}, {"country": "DEU", "role": "exploitation"}]);
    other["victims"] = json!([]);
    other["communications"] = json!([]);
    w.hub.submit_case(&w.fra, &bytes(&other)).unwrap();

    let seen = w.hub.route_statistics(&w.fra, None, None).unwrap();
    assert_eq!(seen.cases, 3, "Italy's case is not France's to count");
    let top = &seen.flows[0];
    assert_eq!(
        (
            top.source.as_str(),
            top.destination.as_str(),
            top.exploitation.as_str(),
            top.year,
            top.cases,
            top.victims
        ),
        ("NGA", "FRA", "sexual-exploitation", 2026, 2, 2)
    );
    let romanian = seen.flows.iter().find(|f| f.source == "ROU").unwrap();
    assert_eq!(
        (
            romanian.transit.clone(),
            romanian.exploitation.as_str(),
            romanian.year
        ),
        (vec!["HUN".to_owned(), "AUT".to_owned()], "unknown", 2025)
    );
    assert_eq!(seen.countries, ["AUT", "DEU", "FRA", "HUN", "NGA", "ROU"]);
    // Each country has its place on a map: its capital.
    let places: Vec<(&str, &str)> = seen
        .places
        .iter()
        .map(|p| (p.country.as_str(), p.capital.as_str()))
        .collect();
    assert_eq!(
        places,
        [
            ("AUT", "Vienna"),
            ("DEU", "Berlin"),
            ("FRA", "Paris"),
            ("HUN", "Budapest"),
            ("NGA", "Abuja"),
            ("ROU", "Bucharest")
        ]
    );
    let abuja = &seen.places[4];
    assert!((abuja.latitude - 9.06).abs() < 0.1 && (abuja.longitude - 7.5).abs() < 0.1);
    // Germany sees Italy's case too: its victims counted under each of their forms.
    let german = w.hub.route_statistics(&w.deu, Some(2026), None).unwrap();
    assert_eq!(german.cases, 3);
    assert_eq!(german.flows[0].victims, 4);
    let criminality = w
        .hub
        .route_statistics(&w.deu, None, Some("forced-criminality"))
        .unwrap();
    assert_eq!(
        (
            criminality.cases,
            criminality.flows.len(),
            criminality.flows[0].victims
        ),
        (1, 1, 1)
    );
    assert!(matches!(
        w.hub.route_statistics(&w.fra, Some(1066), None),
        Err(HubError::Invalid(_))
    ));
    assert!(matches!(
        w.hub.route_statistics(&w.fra, None, Some("juju")),
        Err(HubError::Invalid(_))
    ));
    assert!(matches!(
        w.hub.route_statistics(&w.partner, None, None),
        Err(HubError::Forbidden(_))
    ));
}

#[test]
fn the_victims_dataset_is_k_anonymous_and_the_partners() {
    let w = world();
    palermo_hub::demo_cases::seed_cases(&w.hub, 300).unwrap();
    let victims: usize = (0..300)
        .map(|i| {
            palermo_hub::demo_cases::report(i).1["victims"]
                .as_array()
                .unwrap()
                .len()
        })
        .sum();
    let dataset = w.hub.victim_dataset(&w.partner, 11).unwrap();
    eprintln!(
        "k 11: {} victims, {} rows kept ({} generalised), {} suppressed",
        dataset.victims,
        dataset.rows.len(),
        dataset.generalised,
        dataset.suppressed
    );
    assert_eq!(dataset.victims, victims);
    assert_eq!(dataset.rows.len() + dataset.suppressed, victims);
    assert!(
        !dataset.rows.is_empty() && dataset.suppressed > 0,
        "{} kept, {} suppressed",
        dataset.rows.len(),
        dataset.suppressed
    );
    // Every row's combination of values is shared by at least k rows.
    let mut groups = std::collections::HashMap::<&Vec<String>, usize>::new();
    for row in &dataset.rows {
        *groups.entry(row).or_default() += 1;
        assert_eq!(row.len(), dataset.header.len());
    }
    assert!(groups.values().all(|n| *n >= 11), "{groups:?}");
    // Nothing of an identity, a case or a bureau.
    let csv = dataset.to_csv();
    assert!(csv.starts_with("year,gender,age_band,citizenship,country_of_exploitation,recruiter_relation,exploitation_sexual-exploitation"));
    for secret in ["Victim", "FRA-", "DEU-", "case"] {
        assert!(!csv.contains(secret), "{secret}");
    }
    // A smaller k keeps more; k below 2 is no anonymisation.
    let looser = w.hub.victim_dataset(&w.fra, 2).unwrap();
    assert!(looser.rows.len() > dataset.rows.len());
    assert!(matches!(
        w.hub.victim_dataset(&w.fra, 1),
        Err(HubError::Invalid(_))
    ));
}

/// A signed-in user of `org` (a member bureau's, unless `kind` says otherwise), created in the
/// hub so that grants by name can find them.
fn user(w: &World, org: &str, kind: OrgKind, name: &str) -> Caller {
    let role = match kind {
        OrgKind::Partner => palermo_core::Role::Partner,
        _ => palermo_core::Role::Operator,
    };
    w.hub
        .add_user(
            &Caller::console(),
            OrgCode::parse(org).unwrap(),
            name,
            name,
            &[role],
            "a long enough passphrase 1",
        )
        .unwrap();
    Caller {
        org: OrgCode::parse(org).unwrap(),
        viewpoint: Viewpoint {
            kind,
            country: CountryCode::parse(org),
        },
        permissions: Permissions::CHECK | Permissions::READ_RECORDS | Permissions::WRITE_RECORDS,
        user: Some(name.into()),
        api_key_id: None,
        source: None,
    }
}

fn record<T: serde::de::DeserializeOwned>(value: Value) -> T {
    serde_json::from_value(value).unwrap()
}

#[test]
fn a_case_links_to_the_records_its_suspects_documents_and_vehicles_match() {
    let w = world();
    // Germany's databases: a passport France may see, one only Italy may see, a stolen car,
    // the recruiter as a wanted person, and a passport a victim of France's case travelled on.
    let seen: palermo_core::DocumentInput = record(json!({"number": "C01X00T47",
        "issuing_country": "DEU", "type": "P", "status": "stolen", "reported_date": "2026-01-10"}));
    let seen = w.hub.create_document(&w.deu, &seen).unwrap().id;
    let hidden: palermo_core::DocumentInput = record(json!({"number": "C01X99Z11",
        "issuing_country": "DEU", "type": "P", "status": "stolen", "reported_date": "2026-01-10",
        "restriction": "only", "restriction_countries": ["ITA"]}));
    let hidden = w.hub.create_document(&w.deu, &hidden).unwrap().id;
    let victims: palermo_core::DocumentInput = record(json!({"number": "A1234567",
        "issuing_country": "NGA", "type": "P", "status": "lost", "reported_date": "2026-01-10"}));
    w.hub.create_document(&w.deu, &victims).unwrap();
    let car: palermo_core::VehicleInput = record(json!({"vin": "1M8GDM9AXKP042788",
        "status": "stolen", "reported_date": "2026-01-10"}));
    let car = w.hub.create_vehicle(&w.deu, &car).unwrap().id;
    let wanted: PersonInput = record(json!({"names": [{"given": "Osas", "family": "Igbinedion"}],
        "birth_date": "1985-04-12", "sex": "M", "reported_date": "2026-01-05"}));
    let wanted = w
        .hub
        .write_persons(&w.deu, &[wanted], "persons")
        .unwrap()
        .ids[0];

    let mut french = report("FR-R");
    french["suspects"][0]["birth_date"] = json!("1985-04-12");
    french["documents"] = json!([
        {"id": "D1", "number": "c01x00t47", "issuing_country": "DEU", "document_type": "passport", "condition": "genuine", "used_by": "S1"},
        {"id": "D2", "number": "C01X99Z11", "issuing_country": "DEU", "document_type": "passport", "condition": "forged", "used_by": "S1"},
        {"id": "D3", "number": "A1234567", "issuing_country": "NGA", "document_type": "passport", "condition": "genuine", "used_by": "V1"}
    ]);
    french["vehicles"] = json!([{"id": "K1", "vin": "1M8GDM9AXKP042788", "used_by": "S1"}]);
    // A suspect known by a name the engine cannot read (given and family names of 180
    // letters each: 361 together) is no reason to refuse the report.
    let long = "a".repeat(180);
    french["suspects"].as_array_mut().unwrap().push(
        json!({"id": "S9", "names": [{"given": long, "family": long}], "roles": ["transporter"]}),
    );
    let case = w.hub.submit_case(&w.fra, &bytes(&french)).unwrap();

    let links = w.hub.case_record_links(&w.fra, case.id).unwrap();
    let found: Vec<(&str, &str, &str, Option<i64>)> = links
        .iter()
        .map(|l| (l.record_kind, l.matched_on, l.entity.as_str(), l.record_id))
        .collect();
    assert!(
        found.contains(&("document", "document", "D1", Some(seen))),
        "{found:?}"
    );
    assert!(
        found.contains(&("vehicle", "vin", "K1", Some(car))),
        "{found:?}"
    );
    assert!(
        found.contains(&("person", "name", "S1", Some(wanted))),
        "{found:?}"
    );
    // The passport only Italy may see: France learns whom to contact, not the record.
    assert!(
        found.contains(&("document", "document", "D2", None)),
        "{found:?}"
    );
    assert!(!found.iter().any(|l| l.3 == Some(hidden)));
    // A victim's passport is never matched, whoever holds a record of it.
    assert!(
        !found.iter().any(|l| l.2 == "D3" || l.2 == "V1"),
        "{found:?}"
    );
    assert!(links.iter().all(|l| l.contact == "DEU"));
    let name = links.iter().find(|l| l.matched_on == "name").unwrap();
    assert!((0.8..=1.0).contains(&name.score), "{}", name.score);
    // Italy, whom the hidden passport's restriction lets see it, sees it in France's case.
    let italian = w.hub.case_record_links(&w.ita, case.id).unwrap();
    assert!(italian.iter().any(|l| l.record_id == Some(hidden)));

    // Germany is told once, in one message naming its records, the case it may see.
    let inbox = |who: &Caller| {
        w.hub
            .messages(who, palermo_store::Mailbox::Inbox, None, 10)
            .unwrap()
    };
    let told = inbox(&w.deu);
    assert_eq!(told.len(), 1, "{told:?}");
    assert!(
        told[0]
            .subject
            .contains("names your document and person and vehicle records"),
        "{}",
        told[0].subject
    );
    for id in [seen, hidden, car, wanted] {
        assert!(
            told[0].body.contains(&format!("record {id}")),
            "{}",
            told[0].body
        );
    }
    assert!(!told[0].body.contains("A1234567") && !told[0].body.contains("Adebayo"));
    assert!(
        told[0].body.contains("name Osas Igbinedion"),
        "{}",
        told[0].body
    );
    // A bureau the case is restricted from learns of the link to its record, not the case's
    // spelling of the suspect's name.
    let italians_wanted: PersonInput =
        record(json!({"names": [{"given": "Osas", "family": "Igbinedion"}],
        "birth_date": "1985-04-12", "sex": "M", "reported_date": "2026-01-05"}));
    w.hub
        .write_persons(&w.ita, &[italians_wanted], "persons")
        .unwrap();
    let mut only_germany = french.clone();
    only_germany["reference"] = json!("FR-R-2");
    only_germany["restriction"] = json!({"visibility": "only", "countries": ["DEU"]});
    w.hub.submit_case(&w.fra, &bytes(&only_germany)).unwrap();
    let italy_told = inbox(&w.ita);
    assert_eq!(italy_told.len(), 1, "{italy_told:?}");
    assert!(
        italy_told[0].body.contains("person record"),
        "{}",
        italy_told[0].body
    );
    assert!(
        !italy_told[0].body.contains("Igbinedion"),
        "{}",
        italy_told[0].body
    );
    assert!(
        !italy_told[0].body.contains("FR-R-2"),
        "{}",
        italy_told[0].body
    );
    // The next version links nothing new: nobody is told again.
    let mut later = french.clone();
    later["status"] = json!("follow-up");
    w.hub.submit_case(&w.fra, &bytes(&later)).unwrap();
    assert_eq!(
        inbox(&w.deu).len(),
        2,
        "the second case is told, the second version not"
    );
    assert_eq!(inbox(&w.ita).len(), 1);

    // The network draws the records one hop out: the hidden one as a contact-only node.
    let network = w.hub.case_network(&w.fra, case.id, 1).unwrap();
    let record_nodes: Vec<(&str, &str)> = network
        .nodes
        .iter()
        .filter(|n| n.kind.starts_with("record"))
        .map(|n| (n.id.as_str(), n.kind.as_str()))
        .collect();
    assert!(
        record_nodes.contains(&(&*format!("record:document:{seen}"), "record")),
        "{record_nodes:?}"
    );
    assert!(
        record_nodes.contains(&("restricted-record:1", "record-restricted")),
        "{record_nodes:?}"
    );
    let text = serde_json::to_string(&network).unwrap();
    assert!(
        !text.contains(&format!("record:document:{hidden}")),
        "{text}"
    );
    assert!(network.edges.iter().any(|e| e.kind == "name"
        && e.from == format!("case:{}/S1", case.id)
        && e.to == format!("record:person:{wanted}")
        && e.score < 1.0 + f64::EPSILON));

    // A withdrawn record links no more; partners read no record links.
    w.hub.withdraw_person(&w.deu, wanted).unwrap();
    let links = w.hub.case_record_links(&w.fra, case.id).unwrap();
    assert!(
        !links
            .iter()
            .any(|l| l.record_kind == "person" && l.record_id == Some(wanted)),
        "{links:?}"
    );
    assert!(matches!(
        w.hub.case_record_links(&w.partner, case.id),
        Err(HubError::Forbidden(_))
    ));
}

#[test]
fn victims_identities_reach_a_user_granted_by_name_and_nobody_else() {
    let w = world();
    let dieter = user(&w, "DEU", OrgKind::Member, "dieter");
    let doris = user(&w, "DEU", OrgKind::Member, "doris");
    let _francois = user(&w, "FRA", OrgKind::Member, "francois");
    let _ngo = user(&w, "NGO1", OrgKind::Partner, "ngo.worker");
    let case = w.hub.submit_case(&w.fra, &bytes(&report("FR-G"))).unwrap();
    let sees_identity = |who: &Caller| {
        let view = w.hub.case(who, case.id).unwrap();
        let text = view.report.to_string();
        assert_eq!(view.identities_visible, text.contains("Adebayo"));
        view.identities_visible
    };
    assert!(!sees_identity(&dieter));

    let grant = |who: &Caller, name: &str| {
        w.hub.grant_case(
            who,
            case.id,
            &palermo_hub::case_work::GrantInput {
                username: Some(name.into()),
            },
        )
    };
    // Only the reporting bureau grants; Germany cannot grant itself.
    assert!(matches!(
        grant(&dieter, "dieter"),
        Err(HubError::Forbidden(_))
    ));
    assert!(matches!(
        grant(&w.secretariat, "dieter"),
        Err(HubError::Forbidden(_))
    ));
    let granted = grant(&w.fra, "dieter").unwrap();
    assert_eq!(
        (granted.username.as_str(), granted.org.as_str()),
        ("dieter", "DEU")
    );
    assert!(sees_identity(&dieter));
    // Not his colleague, not his bureau's machines, not Italy.
    assert!(!sees_identity(&doris));
    let machine = Caller {
        user: None,
        api_key_id: Some(7),
        ..dieter.clone()
    };
    assert!(!sees_identity(&machine));
    let as_key = Caller {
        api_key_id: Some(7),
        ..dieter.clone()
    };
    assert!(
        !sees_identity(&as_key),
        "a key never carries a person's grant"
    );
    assert!(!sees_identity(&w.ita));
    // A grant claimed by a caller of another organisation under the granted name is worthless.
    let impostor = Caller {
        user: Some("dieter".into()),
        ..w.ita.clone()
    };
    assert!(!sees_identity(&impostor));
    // What the granted user sees everywhere: versions, the network's victims, the export.
    assert!(
        w.hub.case_versions(&dieter, case.id).unwrap()[0]
            .report
            .to_string()
            .contains("Adebayo")
    );
    let network = w.hub.case_network(&dieter, case.id, 1).unwrap();
    assert!(network.nodes.iter().any(|n| n.kind == "victim"));
    let export = serde_json::to_string(&w.hub.case_ftm(&dieter, case.id).unwrap()).unwrap();
    assert!(export.contains("Adebayo"));
    let export = serde_json::to_string(&w.hub.case_ftm(&doris, case.id).unwrap()).unwrap();
    assert!(
        !export.contains("Adebayo") && !export.contains("2007-02-02"),
        "{export}"
    );

    // Refusals: unknown and partner users read alike; the bureau's own users need none.
    let detail = |error: HubError| match error {
        HubError::Invalid(errors) => (errors.0[0].field.clone(), errors.0[0].detail.clone()),
        other => panic!("expected invalid input, got {other:?}"),
    };
    let (field, unknown) = detail(grant(&w.fra, "nobody").unwrap_err());
    assert_eq!(field, "username");
    let (_, partner) = detail(grant(&w.fra, "ngo.worker").unwrap_err());
    assert_eq!(unknown.replace("nobody", "ngo.worker"), partner);
    assert!(
        detail(grant(&w.fra, "francois").unwrap_err())
            .1
            .contains("see its cases whole already")
    );
    // A restricted case cannot be granted to a bureau its restriction keeps out.
    let mut closed = report("FR-G2");
    closed["restriction"] = json!({"visibility": "only", "countries": ["ITA"]});
    let closed = w.hub.submit_case(&w.fra, &bytes(&closed)).unwrap();
    let refused = w.hub.grant_case(
        &w.fra,
        closed.id,
        &palermo_hub::case_work::GrantInput {
            username: Some("dieter".into()),
        },
    );
    assert!(
        detail(refused.unwrap_err())
            .1
            .contains("restriction keeps DEU")
    );
    assert!(matches!(
        w.hub.case(&dieter, closed.id),
        Err(HubError::NotFound)
    ));

    // Grants are listed to the bureau and the secretariat; withdrawn, they end.
    assert_eq!(w.hub.case_grants(&w.fra, case.id).unwrap().len(), 1);
    assert_eq!(w.hub.case_grants(&w.secretariat, case.id).unwrap().len(), 1);
    assert!(matches!(
        w.hub.case_grants(&dieter, case.id),
        Err(HubError::Forbidden(_))
    ));
    assert!(matches!(
        w.hub.revoke_case_grant(&dieter, case.id, "dieter"),
        Err(HubError::Forbidden(_))
    ));
    w.hub.revoke_case_grant(&w.fra, case.id, "dieter").unwrap();
    assert!(!sees_identity(&dieter));
    assert!(matches!(
        w.hub.revoke_case_grant(&w.fra, case.id, "dieter"),
        Err(HubError::NotFound)
    ));
    let trail = w
        .hub
        .store()
        .audit_entries(&Default::default(), 1000)
        .unwrap();
    for action in ["case.grant", "case.revoke"] {
        assert!(
            trail
                .iter()
                .any(|e| e.event.action == action && e.event.outcome == "ok"),
            "{action}"
        );
    }
}

#[test]
fn the_checklist_follows_the_forms_of_exploitation_and_only_the_bureau_ticks() {
    let w = world();
    let case = w.hub.submit_case(&w.fra, &bytes(&report("FR-C"))).unwrap();
    let list = w.hub.case_checklist(&w.fra, case.id).unwrap();
    let lists: std::collections::BTreeSet<&str> = list
        .items
        .iter()
        .map(|i| i.id.split('/').next().unwrap())
        .collect();
    assert_eq!(
        lists.into_iter().collect::<Vec<_>>(),
        ["general", "sexual-exploitation"]
    );
    assert_eq!((list.done, list.total), (0, list.items.len()));
    let tick = |who: &Caller, item: &str, done: bool, note: Option<&str>| {
        w.hub.tick_case_item(
            who,
            case.id,
            &palermo_hub::case_work::TickInput {
                item: Some(item.into()),
                done: Some(done),
                note: note.map(str::to_owned),
            },
        )
    };
    let ticked = tick(
        &w.fra,
        "sexual-exploitation/advertisements-preserved",
        true,
        Some("3 ads kept"),
    )
    .unwrap();
    assert_eq!(ticked.done, 1);
    let item = ticked.items.iter().find(|i| i.done).unwrap();
    assert_eq!(
        (item.note.as_deref(), item.by.is_some()),
        (Some("3 ads kept"), true)
    );
    assert_eq!(
        tick(
            &w.fra,
            "sexual-exploitation/advertisements-preserved",
            false,
            None
        )
        .unwrap()
        .done,
        0
    );

    // Bad ticks: an item of another form's list, none, a note with control characters.
    let paths = |error: HubError| invalid_paths(error);
    let wrong = tick(&w.fra, "organ-removal/donor-follow-up", true, None).unwrap_err();
    match &wrong {
        HubError::Invalid(errors) => {
            assert!(errors.0[0].detail.contains("general/victims-referred"))
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(paths(wrong), ["item"]);
    assert_eq!(paths(tick(&w.fra, " ", true, None).unwrap_err()), ["item"]);
    assert_eq!(
        paths(tick(&w.fra, "general/victims-referred", true, Some("a\u{7}b")).unwrap_err()),
        ["note"]
    );
    assert_eq!(
        paths(tick(&w.fra, "general/victims-referred", true, Some("a\u{202e}b")).unwrap_err()),
        ["note"]
    );

    // Germany sees the case, not its checklist, and ticks nothing; the secretariat reads it.
    assert!(matches!(
        tick(&w.deu, "general/victims-referred", true, None),
        Err(HubError::Forbidden(_))
    ));
    assert!(matches!(
        w.hub.case_checklist(&w.deu, case.id),
        Err(HubError::Forbidden(_))
    ));
    assert!(w.hub.case_checklist(&w.secretariat, case.id).is_ok());
    assert!(matches!(
        w.hub.case_checklist(&w.partner, case.id),
        Err(HubError::Forbidden(_))
    ));
    assert!(matches!(
        w.hub.case_checklist(&w.fra, case.id + 99),
        Err(HubError::NotFound)
    ));

    // A later version with a victim of forced labour adds that list; ticks are kept.
    tick(&w.fra, "general/records-checked", true, None).unwrap();
    let mut later = report("FR-C");
    later["victims"][0]["exploitation"] = json!(["sexual-exploitation", "forced-labour"]);
    w.hub.submit_case(&w.fra, &bytes(&later)).unwrap();
    let list = w.hub.case_checklist(&w.fra, case.id).unwrap();
    assert!(
        list.items
            .iter()
            .any(|i| i.id == "forced-labour/labour-inspection")
    );
    assert!(
        list.items
            .iter()
            .any(|i| i.id == "general/records-checked" && i.done)
    );
}

#[test]
fn an_identifier_that_links_everything_weighs_less_is_not_followed_and_not_announced() {
    let w = world();
    // A money-transfer office's phone in 52 of Germany's cases, and one of France's; the
    // French case also shares its recruiter's phone with one German case.
    let office = "+49 30 1234567";
    let mut german_ids = Vec::new();
    for i in 0..52 {
        let mut german = report(&format!("DE-OFFICE-{i}"));
        german["suspects"][0]["names"] = json!([{"family": format!("Keller{i}")}]);
        german["communications"] = json!([{"id": "C9", "kind": "phone", "value": office}]);
        if i == 0 {
            german["communications"] = json!([
                {"id": "C9", "kind": "phone", "value": office},
                {"id": "C1", "kind": "phone", "value": "+234 803 555 0101", "used_by": "S1"}
            ]);
        }
        german_ids.push(w.hub.submit_case(&w.deu, &bytes(&german)).unwrap().id);
    }
    let before = w
        .hub
        .messages(&w.deu, palermo_store::Mailbox::Inbox, None, 50)
        .unwrap()
        .len();
    let mut french = report("FR-OFFICE");
    french["communications"] = json!([
        {"id": "C1", "kind": "phone", "value": "+234 803 555 0101", "used_by": "S1"},
        {"id": "C7", "kind": "phone", "value": office}
    ]);
    let french = w.hub.submit_case(&w.fra, &bytes(&french)).unwrap();

    let links = w.hub.case_links(&w.fra, french.id).unwrap();
    assert_eq!(
        links.len(),
        52,
        "every case sharing the office's phone is listed"
    );
    let office_phone = links
        .iter()
        .flat_map(|l| &l.shared)
        .find(|s| s.entity == "C7")
        .unwrap();
    assert_eq!(office_phone.cases_sharing, 53);
    assert!(office_phone.common);
    assert!(
        (office_phone.score - 50.0 / 53.0).abs() < 1e-9,
        "{}",
        office_phone.score
    );
    let recruiter = links
        .iter()
        .flat_map(|l| &l.shared)
        .find(|s| s.entity == "C1")
        .unwrap();
    assert_eq!((recruiter.score, recruiter.common), (1.0, false));

    // Germany is told of the one link that says something, not of 52 through the office.
    let told = w
        .hub
        .messages(&w.deu, palermo_store::Mailbox::Inbox, None, 50)
        .unwrap();
    assert_eq!(
        told.len(),
        before + 1,
        "{:?}",
        told.iter().map(|m| &m.subject).collect::<Vec<_>>()
    );
    assert!(
        told[0]
            .body
            .contains(&format!("your case {}", german_ids[0])),
        "{}",
        told[0].body
    );

    // The network follows the recruiter's phone, not the office's.
    let network = w.hub.case_network(&w.fra, french.id, 2).unwrap();
    let cases = network.nodes.iter().filter(|n| n.kind == "case").count();
    assert_eq!(cases, 2, "{:?}", network.nodes);
    assert!(network.common_links_left_out > 0);
}

#[test]
fn route_statistics_follow_new_versions_and_another_nodes_cases() {
    let w = world();
    w.hub.submit_case(&w.fra, &bytes(&report("FR-R1"))).unwrap();
    let sources = |hub: &Hub| -> Vec<String> {
        let stats = hub.route_statistics(&w.fra, None, None).unwrap();
        let mut sources: Vec<String> = stats.flows.iter().map(|f| f.source.clone()).collect();
        sources.sort();
        sources
    };
    assert_eq!(sources(&w.hub), ["NGA"]);
    // Another node on the same database reports a case: the first node counts it.
    let other = Hub::open_with(w.store.clone(), HubOptions::default()).unwrap();
    let mut romanian = report("FR-R2");
    romanian["route"] = json!([{"country": "ROU", "role": "recruitment"}, {"country": "FRA", "role": "exploitation"}]);
    other.submit_case(&w.fra, &bytes(&romanian)).unwrap();
    assert_eq!(sources(&w.hub), ["NGA", "ROU"]);
    // A new version of the first case moves its flow.
    let mut later = report("FR-R1");
    later["route"] = json!([{"country": "THA", "role": "recruitment"}, {"country": "FRA", "role": "exploitation"}]);
    other.submit_case(&w.fra, &bytes(&later)).unwrap();
    assert_eq!(sources(&w.hub), ["ROU", "THA"]);
    assert_eq!(w.hub.route_statistics(&w.fra, None, None).unwrap().cases, 2);
}
