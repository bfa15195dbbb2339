//! `palermo-bench access`: what a check costs when the number is absent, when it is held only
//! in a record hidden from the caller, and when it hits a record the caller may see, on the
//! hub's real check path (`Hub::check_documents`: validation, index, visibility, the record's
//! read for a candidate the caller may see). A hidden record must cost what an absent one
//! costs, or the time of an answer tells what a 404 hides. The check's audit entry is queued
//! for the group commit outside the timed part (its `fsync` is the disk's figure).

use std::sync::Arc;
use std::time::Instant;

use anyhow::Context;
use palermo_core::{
    CountryCode, DocumentInput, OrgCode, OrgKind, Timestamp, ValidationContext, record::CountryList,
};
use palermo_hub::demo::document_number;
use palermo_hub::{Caller, DocumentQuery, Hub, HubOptions};
use palermo_store::SqliteStore;

const SEED: u64 = 11;
const MISS_SEED: u64 = 12;

fn code(text: &str) -> CountryCode {
    CountryCode::parse(text).expect("code")
}

/// Every other record of DEU is restricted to FRA only: hidden from ITA, the caller.
fn input(i: u64) -> DocumentInput {
    let hidden = i.is_multiple_of(2);
    DocumentInput {
        number: Some(document_number(SEED, i)),
        issuing_country: Some("DEU".into()),
        document_type: Some("P".into()),
        status: Some("stolen".into()),
        reported_date: Some("2025-01-10".into()),
        external_ref: Some(format!("A{i}")),
        restriction: hidden.then(|| "only".to_owned()),
        restriction_countries: hidden.then(|| CountryList(vec!["FRA".to_owned()])),
        ..DocumentInput::default()
    }
}

fn percentile(sorted: &[u64], p: f64) -> u64 {
    sorted[((sorted.len() as f64 * p) as usize).min(sorted.len() - 1)]
}

struct Timings {
    name: &'static str,
    nanos: Vec<u64>,
}

impl Timings {
    fn report(&mut self) -> (u64, f64) {
        self.nanos.sort_unstable();
        let mean = self.nanos.iter().sum::<u64>() as f64 / self.nanos.len() as f64;
        println!(
            "| {} | {} | {:.2} | {:.2} | {:.2} | {:.2} |",
            self.name,
            self.nanos.len(),
            percentile(&self.nanos, 0.5) as f64 / 1000.0,
            percentile(&self.nanos, 0.9) as f64 / 1000.0,
            percentile(&self.nanos, 0.99) as f64 / 1000.0,
            mean / 1000.0
        );
        (percentile(&self.nanos, 0.5), mean)
    }
}

pub fn run(count: u64, lookups: u64) -> anyhow::Result<()> {
    let dir = tempfile::tempdir()?;
    let store = Arc::new(SqliteStore::open(&dir.path().join("access.db"))?);
    {
        // Loaded the way a bureau loads: through the hub's import, as DEU.
        let seeding = Hub::open_with(
            store.clone(),
            HubOptions {
                without_indexes: true,
                ..HubOptions::default()
            },
        )?;
        let console = Caller::console();
        for org in ["DEU", "FRA", "ITA"] {
            seeding.add_organisation(
                &console,
                OrgCode::parse(org).expect("code"),
                OrgKind::Member,
                org,
            )?;
        }
        let context = ValidationContext {
            today: Timestamp::now().date(),
            default_owner: code("DEU"),
            prefix: "",
        };
        let mut records = (0..count).map(|i| input(i).validate(context).expect("valid"));
        seeding
            .import_documents(&Caller::local_operator(code("DEU")), &mut records, &|| true)?
            .context("the import rolled back")?;
    }
    let hub = Hub::open(store)?;
    let caller = Caller::local_operator(code("ITA"));
    let query = |number: String| DocumentQuery {
        number: Some(number),
        issuing_country: Some("DEU".into()),
        ..DocumentQuery::default()
    };
    let mut absent = Timings {
        name: "absent number",
        nanos: Vec::new(),
    };
    let mut hidden = Timings {
        name: "held only in a record hidden from the caller",
        nanos: Vec::new(),
    };
    let mut visible = Timings {
        name: "hits a record the caller may see",
        nanos: Vec::new(),
    };
    let sync = || hub.audit(hub.event(&Caller::console(), "bench.sync", "ok"));
    // Interleaved, so that the three kinds meet the same caches and the same background work.
    for round in 0..2 {
        for q in 0..lookups {
            let i = crate::spread(q, count / 2) * 2;
            for (kind, number) in [
                (0, document_number(MISS_SEED, q)),
                (1, document_number(SEED, i)),
                (2, document_number(SEED, i + 1)),
            ] {
                let asked = [query(number)];
                let started = Instant::now();
                let checked = hub.check_documents(&caller, &asked)?;
                let nanos = started.elapsed().as_nanos() as u64;
                drop(checked.submit(&hub)?);
                if round == 1 {
                    match kind {
                        0 => absent.nanos.push(nanos),
                        1 => hidden.nanos.push(nanos),
                        _ => visible.nanos.push(nanos),
                    }
                }
            }
            if q % 2_000 == 0 {
                sync()?;
            }
        }
        sync()?;
    }
    println!(
        "## access: a single check's own time on the hub ({count} documents of DEU, half of them restricted to FRA; ITA checks; {lookups} checks of each kind, interleaved, after a warm-up round)"
    );
    println!("| the number | checks | p50 µs | p90 µs | p99 µs | mean µs |");
    println!("|---|---|---|---|---|---|");
    let (absent_p50, absent_mean) = absent.report();
    let (hidden_p50, hidden_mean) = hidden.report();
    visible.report();
    println!(
        "hidden / absent: {:.3} at p50, {:.3} in the mean",
        hidden_p50 as f64 / absent_p50 as f64,
        hidden_mean / absent_mean
    );

    // Reads by id: a refusal is audited and durable before the answer, like every read.
    let reads = (lookups / 50).max(200);
    let mut absent = Timings {
        name: "read of an id that does not exist",
        nanos: Vec::new(),
    };
    let mut hidden = Timings {
        name: "read of a record hidden from the caller",
        nanos: Vec::new(),
    };
    for q in 0..reads {
        let hidden_id = (crate::spread(q, count / 2) * 2 + 1) as i64;
        let absent_id = count as i64 + 1 + q as i64;
        for (into, id) in [(&mut absent, absent_id), (&mut hidden, hidden_id)] {
            let started = Instant::now();
            let answer = hub.document(&caller, id);
            into.nanos.push(started.elapsed().as_nanos() as u64);
            anyhow::ensure!(
                matches!(answer, Err(palermo_hub::HubError::NotFound)),
                "read {id}"
            );
        }
    }
    println!("\n| the read | reads | p50 µs | p90 µs | p99 µs | mean µs |");
    println!("|---|---|---|---|---|---|");
    let (absent_p50, absent_mean) = absent.report();
    let (hidden_p50, hidden_mean) = hidden.report();
    println!(
        "hidden / absent: {:.3} at p50, {:.3} in the mean",
        hidden_p50 as f64 / absent_p50 as f64,
        hidden_mean / absent_mean
    );
    Ok(())
}
