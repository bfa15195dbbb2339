//! Case reports at scale: a hub holding `count` cases of many networks (each shares suspects,
//! phones, accounts and documents with a few others, as cases of one network do), then a
//! report of 50 entities submitted again and again (validated, normalised, stored with its
//! identifiers, audited), and the cross-matching of that case against every other: its links.
//! All through the hub's use cases, as a bureau's operator, on SQLite.

use std::time::{Duration, Instant};

use palermo_core::CountryCode;
use palermo_hub::demo_cases;
use palermo_hub::{Caller, Hub, HubOptions};
use palermo_store::{SqliteStore, Store};
use serde_json::{Value, json};

fn percentile(sorted: &[Duration], p: f64) -> f64 {
    let index = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[index].as_secs_f64() * 1000.0
}

fn summary(name: &str, mut times: Vec<Duration>) {
    times.sort();
    println!(
        "{name}: n {} p50 {:.2} ms p99 {:.2} ms max {:.2} ms",
        times.len(),
        percentile(&times, 0.5),
        percentile(&times, 0.99),
        times.last().map_or(0.0, |t| t.as_secs_f64() * 1000.0)
    );
}

/// A report of 50 entities (with the two go-between phones of its network, see `run`): two victims, ten suspects, two organisations, five documents,
/// three vehicles, twenty communications, five accounts, three addresses; of network
/// `group`'s members where it can (so that it links to that network's other cases).
fn big_report(reference: &str, group: u64) -> Value {
    let (_, base) = demo_cases::network_report(1_000_000 + group, group);
    let mut report = base;
    report["reference"] = json!(reference);
    let mut suspects = report["suspects"].as_array().cloned().unwrap_or_default();
    for i in suspects.len()..10 {
        suspects.push(json!({"id": format!("S{i}"), "names": [{"given": "Extra", "family": format!("Member{group}x{i}")}], "roles": ["controller"]}));
    }
    let mut communications = report["communications"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    communications.retain(|c| c["kind"] == "phone");
    communications.truncate(3);
    for (k, bridge) in [group, group + 1].into_iter().enumerate() {
        communications.push(json!({"id": format!("B{k}"), "kind": "phone",
            "value": format!("+4915{:09}", 200_000_000 + bridge)}));
    }
    let mut i = 0;
    while communications.len() < 15 {
        communications.push(json!({"id": format!("P{i}"), "kind": "phone", "value": format!("+4915{:09}", 100_000_000 + group * 20 + i), "used_by": format!("S{}", i % 10)}));
        i += 1;
    }
    for j in 0..5 {
        communications.push(json!({"id": format!("E{j}"), "kind": "email", "value": format!("member{group}.{j}+x@gmail.com"), "used_by": format!("S{j}")}));
    }
    let mut money = report["money"].as_array().cloned().unwrap_or_default();
    money.truncate(2);
    for j in money.len()..5 {
        money.push(json!({"id": format!("T{j}"), "kind": "transfer", "provider": "Western Union", "reference": format!("{:010}", group * 10 + j as u64), "holder": format!("S{j}")}));
    }
    let mut documents = report["documents"].as_array().cloned().unwrap_or_default();
    documents.truncate(2);
    for j in documents.len()..5 {
        documents.push(json!({"id": format!("XD{j}"), "number": format!("X{:08}", group * 10 + j as u64), "issuing_country": "ROU", "document_type": "P", "condition": "forged", "used_by": format!("S{j}")}));
    }
    let victims = report["victims"].as_array().cloned().unwrap_or_default();
    let mut victims: Vec<Value> = victims.into_iter().take(2).collect();
    while victims.len() < 2 {
        victims.push(json!({"id": format!("V{}", victims.len() + 10), "age": 19, "exploitation": ["forced-labour"]}));
    }
    report["suspects"] = json!(suspects);
    report["victims"] = json!(victims);
    report["communications"] = json!(communications);
    report["money"] = json!(money);
    report["documents"] = json!(documents);
    report["organisations"] = json!([
        {"id": "O1", "name": format!("Agro Muncă {group} SRL"), "kind": "employment-agency", "country": "ROU"},
        {"id": "O2", "name": format!("Front {group} GmbH"), "kind": "front-company", "country": "DEU"}
    ]);
    report["vehicles"] = json!([
        {"id": "H1", "plate": format!("B-{group:05}"), "country": "DEU", "used_by": "S0"},
        {"id": "H2", "plate": format!("CJ-{group:05}"), "country": "ROU", "used_by": "S1"},
        {"id": "H3", "plate": format!("M-{group:05}"), "country": "DEU", "used_by": "S2"}
    ]);
    report["addresses"] = json!([
        {"id": "A1", "country": "DEU", "street": format!("Hauptstraße {group}"), "postcode": "10115", "city": "Berlin", "used_by": "S0"},
        {"id": "A2", "country": "ROU", "street": format!("Strada Mare {group}"), "city": "Cluj", "used_by": "S1"},
        {"id": "A3", "country": "DEU", "street": format!("Ring {group}"), "city": "München", "used_by": "O2"}
    ]);
    report
}

fn entities(report: &Value) -> usize {
    [
        "victims",
        "suspects",
        "organisations",
        "documents",
        "vehicles",
        "communications",
        "money",
        "addresses",
    ]
    .iter()
    .map(|k| report[*k].as_array().map_or(0, Vec::len))
    .sum()
}

/// The persons and travel documents a hub holds, loaded as bureaus load them (the hub's
/// import); among the persons, namesakes of some measured reports' suspects (born the same
/// day), so that a share of the screenings find their person.
/// Persons loaded through the store's import, as a bureau's import loads them.
pub(crate) fn import_persons(
    store: &SqliteStore,
    persons: &mut dyn Iterator<Item = palermo_core::Person>,
) -> anyhow::Result<()> {
    use palermo_core::Timestamp;
    let event = Caller::console().event_at(Timestamp::now(), "person.import", "ok");
    store
        .import_persons(
            persons,
            Timestamp::now(),
            &|| true,
            &palermo_store::as_given(&event),
        )?
        .ok_or_else(|| anyhow::anyhow!("the person import rolled back"))?;
    Ok(())
}

pub(crate) fn seed_records(
    store: &std::sync::Arc<SqliteStore>,
    persons: u64,
    documents: u64,
    networks: u64,
) -> anyhow::Result<()> {
    use palermo_core::{PersonInput, Timestamp, ValidationContext};
    let seeding = Hub::open_with(
        store.clone(),
        HubOptions {
            without_indexes: true,
            ..HubOptions::default()
        },
    )?;
    for (code, name) in palermo_hub::demo::DEMO_BUREAUS {
        let org = palermo_core::OrgCode::parse(code).expect("code");
        seeding.add_organisation(&Caller::console(), org, palermo_core::OrgKind::Member, name)?;
    }
    let context = |owner: &str| ValidationContext {
        today: Timestamp::now().date(),
        default_owner: CountryCode::parse(owner).expect("code"),
        prefix: "",
    };
    let started = Instant::now();
    if documents > 0 {
        let mut records = (0..documents).map(|i| {
            palermo_hub::demo::document(17, i)
                .validate(context("DEU"))
                .expect("a valid demo document")
        });
        let event = Caller::console().event_at(Timestamp::now(), "document.import", "ok");
        store
            .import_documents(
                &mut records,
                Timestamp::now(),
                &|| true,
                &palermo_store::as_given(&event),
            )?
            .ok_or_else(|| anyhow::anyhow!("the document import rolled back"))?;
        println!(
            "loaded {documents} travel documents in {:.1} s",
            started.elapsed().as_secs_f64()
        );
    }
    let started = Instant::now();
    if persons > 0 {
        let mut stream = crate::notices_load::Stream(0x5DEE_CE66_D1CE_4E5B);
        let namesakes: Vec<Value> = (0..networks)
            .step_by(50)
            .filter_map(|group| {
                let report = big_report("namesake", group);
                report["suspects"][0].get("names").map(|names| {
                    json!({"names": names, "birth_date": report["suspects"][0].get("birth_date"),
                        "sex": "M", "category": "wanted", "reported_date": "2026-01-05"})
                })
            })
            .collect();
        let planted = namesakes.len() as u64;
        let mut inputs = (0..persons).map(|i| {
            let value = match namesakes.get(i as usize) {
                Some(namesake) => namesake.clone(),
                None => {
                    let nationality = crate::notices_load::NATIONALITIES
                        [stream.below(crate::notices_load::NATIONALITIES.len())];
                    let year = 1950 + stream.below(60);
                    json!({
                        "names": [{"given": stream.word(2), "family": stream.word(3)}],
                        "sex": if stream.below(2) == 0 { "M" } else { "F" },
                        "birth_date": format!("{year}-{:02}-{:02}", 1 + stream.below(12), 1 + stream.below(28)),
                        "nationality": [nationality],
                        "category": "wanted", "reported_date": "2026-01-05"
                    })
                }
            };
            let input: PersonInput = serde_json::from_value(value).expect("a person");
            let owner = palermo_hub::demo::DEMO_BUREAUS[(i % 12) as usize].0;
            input.validate(context(owner)).expect("a valid person")
        });
        import_persons(store, &mut inputs)?;
        println!(
            "loaded {persons} persons ({planted} namesakes of measured suspects) in {:.1} s",
            started.elapsed().as_secs_f64()
        );
    }
    Ok(())
}

pub fn run(
    count: u64,
    reports: usize,
    dir: Option<&std::path::Path>,
    persons: u64,
    documents: u64,
) -> anyhow::Result<()> {
    let dir = match dir {
        Some(dir) => tempfile::tempdir_in(dir)?,
        None => tempfile::tempdir()?,
    };
    let store = std::sync::Arc::new(SqliteStore::open(&dir.path().join("palermo.db"))?);
    // Cases of many networks, five cases to a network on average.
    let networks = (count / 5).max(1);
    seed_records(&store, persons, documents, networks)?;
    let started = Instant::now();
    let hub = Hub::open_with(store, HubOptions::default())?;
    println!(
        "hub open with its indexes ({} persons, {} documents) in {:.1} s",
        hub.persons_indexed(),
        hub.index_stats().documents,
        started.elapsed().as_secs_f64()
    );
    if persons == 0 && documents == 0 {
        for (code, name) in palermo_hub::demo::DEMO_BUREAUS {
            let org = palermo_core::OrgCode::parse(code).expect("code");
            hub.add_organisation(&Caller::console(), org, palermo_core::OrgKind::Member, name)?;
        }
    }
    let started = Instant::now();
    let mut submits = Vec::with_capacity(count as usize);
    for i in 0..count {
        let (owner, mut report) = demo_cases::report_in(i, networks);
        report["reference"] = json!(format!("{owner}-L-{i}"));
        // Networks overlap as real ones do: each case also names a go-between phone its
        // network shares with the next one (about ten cases hold each: not a common
        // identifier), so that three hops reach several networks.
        let group = demo_cases::network_of(i, networks);
        if let Some(communications) = report["communications"].as_array_mut() {
            for (k, bridge) in [group, (group + 1) % networks].into_iter().enumerate() {
                communications.push(json!({"id": format!("B{k}"), "kind": "phone",
                    "value": format!("+4915{:09}", 200_000_000 + bridge)}));
            }
        }
        let caller = Caller::local_operator(CountryCode::parse(owner).expect("code"));
        let bytes = serde_json::to_vec(&report)?;
        let t = Instant::now();
        hub.submit_case(&caller, &bytes)?;
        submits.push(t.elapsed());
        if (i + 1) % 20_000 == 0 {
            eprintln!(
                "{} cases in {:.0} s",
                i + 1,
                started.elapsed().as_secs_f64()
            );
        }
    }
    println!(
        "seeded {count} cases of {networks} networks in {:.1} s",
        started.elapsed().as_secs_f64()
    );
    summary("a demo-sized report submitted (seeding)", submits);

    let deu = Caller::local_operator(CountryCode::parse("DEU").expect("code"));
    let sample = big_report("DE-BENCH-0", 7);
    println!(
        "the measured report: {} entities, {} bytes",
        entities(&sample),
        serde_json::to_vec(&sample)?.len()
    );
    let context = palermo_core::case::CaseContext {
        today: hub.now().date(),
        owner: CountryCode::parse("DEU").expect("code"),
    };
    let mut validate = Vec::new();
    for i in 0..reports {
        let report = big_report(&format!("DE-BENCH-{i}"), (i as u64 * 7919) % networks);
        let t = Instant::now();
        let valid = palermo_core::case::validate(&report, context).map_err(anyhow::Error::msg)?;
        let _ = valid.identifiers();
        validate.push(t.elapsed());
    }
    summary(
        "validation and normalisation of the 50-entity report (no I/O)",
        validate,
    );

    let mut submit = Vec::new();
    let mut links = Vec::new();
    let mut linked = Vec::new();
    for i in 0..reports {
        let report = big_report(&format!("DE-BENCH-{i}"), (i as u64 * 7919) % networks);
        let bytes = serde_json::to_vec(&report)?;
        let t = Instant::now();
        let view = hub.submit_case(&deu, &bytes)?;
        submit.push(t.elapsed());
        let t = Instant::now();
        let found = hub.case_links(&deu, view.id)?;
        links.push(t.elapsed());
        linked.push(found.len());
    }
    summary(
        "the 50-entity report submitted (validated, stored with its keys, audited, durable)",
        submit,
    );
    summary(
        &format!("its links: cross-matched against {count} cases"),
        links,
    );
    let mut records = Vec::new();
    let mut found_records = Vec::new();
    for i in 0..reports {
        let report = big_report(&format!("DE-BENCH-{i}"), (i as u64 * 7919) % networks);
        let id = hub
            .store()
            .case_of(
                CountryCode::parse("DEU").expect("code"),
                report["reference"].as_str().unwrap_or_default(),
            )?
            .map(|c| c.id)
            .ok_or_else(|| anyhow::anyhow!("the measured case is stored"))?;
        let t = Instant::now();
        let found = hub.case_record_links(&deu, id)?;
        records.push(t.elapsed());
        found_records.push(found.len());
    }
    summary(
        &format!(
            "its record links: 10 suspects screened against {} persons, 5 documents and 3 vehicles looked up among {} documents",
            hub.persons_indexed(),
            hub.index_stats().documents
        ),
        records,
    );
    found_records.sort();
    println!(
        "linked records per report: p50 {} max {}",
        found_records[found_records.len() / 2],
        found_records.last().copied().unwrap_or(0)
    );
    linked.sort();
    println!(
        "linked cases per report: p50 {} max {}",
        linked[linked.len() / 2],
        linked.last().copied().unwrap_or(0)
    );
    let mut both: Vec<Duration> = Vec::new();
    for i in 0..reports {
        let report = big_report(&format!("DE-BOTH-{i}"), (i as u64 * 104_729) % networks);
        let bytes = serde_json::to_vec(&report)?;
        let t = Instant::now();
        let view = hub.submit_case(&deu, &bytes)?;
        let _ = hub.case_links(&deu, view.id)?;
        let _ = hub.case_record_links(&deu, view.id)?;
        both.push(t.elapsed());
    }
    summary(
        "submit and cross-match (cases and records), end to end at the hub",
        both,
    );
    // The network around a case of the measured kind, three hops out.
    let mut networks_times = Vec::new();
    let mut sizes = Vec::new();
    for i in 0..reports.min(100) {
        let report = big_report(&format!("DE-NET-{i}"), (i as u64 * 65_537) % networks);
        let view = hub.submit_case(&deu, &serde_json::to_vec(&report)?)?;
        let t = Instant::now();
        let graph = hub.case_network(&deu, view.id, 3)?;
        networks_times.push(t.elapsed());
        sizes.push((graph.nodes.len(), graph.edges.len(), graph.truncated));
    }
    summary("its network, 3 hops", networks_times);
    sizes.sort();
    let (nodes, edges, _) = sizes[sizes.len() / 2];
    println!(
        "network size: p50 {nodes} nodes, {edges} edges; largest {} nodes; truncated at 1,000 in {} of {}",
        sizes.last().map_or(0, |s| s.0),
        sizes.iter().filter(|s| s.2).count(),
        sizes.len()
    );
    // Route statistics read every case the reader may see (no summary table yet).
    let mut routes = Vec::new();
    let mut flows = 0;
    for _ in 0..5 {
        let t = Instant::now();
        flows = hub.route_statistics(&deu, None, None)?.flows.len();
        routes.push(t.elapsed());
    }
    summary(
        &format!("route statistics over every case ({flows} flows)"),
        routes,
    );
    Ok(())
}
