//! `palermo-bench audit-cost`: what auditing costs a check, on the hub's real check path
//! (`Hub::check_documents`: validation, index, visibility, the record's read for a candidate),
//! with border traffic (2 checks in 10,000 hit), from many threads at once. The same checks
//! are run twice: released through `Checked::record` (the audit entry and hits durable in the
//! group commit before the answer, as every edge does), and — only here, in this benchmark —
//! dropped unreleased, which skips the trail. No HTTP: the difference is the audit path alone.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use anyhow::Context;
use palermo_core::{CountryCode, DocumentInput, OrgCode, OrgKind, Timestamp, ValidationContext};
use palermo_hub::demo::document_number;
use palermo_hub::{Caller, DocumentQuery, Hub, HubOptions};
use palermo_store::{PostgresStore, SqliteStore, Store};

const SEED: u64 = 21;
const MISS_SEED: u64 = 22;
/// One check in this many hits (about 2 in 10,000 at a border).
const HIT_EVERY: u64 = 5_000;

fn code(text: &str) -> CountryCode {
    CountryCode::parse(text).expect("code")
}

fn open(postgres: Option<&str>, dir: &std::path::Path) -> anyhow::Result<Arc<dyn Store>> {
    Ok(match postgres {
        Some(url) => Arc::new(PostgresStore::open(url)?),
        None => Arc::new(SqliteStore::open(&dir.join("audit-cost.db"))?),
    })
}

fn seed(store: Arc<dyn Store>, count: u64) -> anyhow::Result<()> {
    let hub = Hub::open_with(
        store,
        HubOptions {
            without_indexes: true,
            ..HubOptions::default()
        },
    )?;
    let console = Caller::console();
    for org in ["DEU", "ITA"] {
        hub.add_organisation(
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
    let mut records = (0..count).map(|i| {
        DocumentInput {
            number: Some(document_number(SEED, i)),
            issuing_country: Some("DEU".into()),
            document_type: Some("P".into()),
            status: Some("stolen".into()),
            reported_date: Some("2025-01-10".into()),
            ..DocumentInput::default()
        }
        .validate(context)
        .expect("valid")
    });
    hub.import_documents(&Caller::local_operator(code("DEU")), &mut records, &|| true)?
        .context("the import rolled back")?;
    Ok(())
}

/// Checks per second and latency percentiles (µs) of `threads` checking for `seconds`.
fn measure(
    hub: &Hub,
    count: u64,
    threads: usize,
    seconds: u64,
    audited: bool,
) -> anyhow::Result<(f64, f64, f64)> {
    let stop = AtomicBool::new(false);
    let started = Instant::now();
    let mut nanos: Vec<u64> = std::thread::scope(|scope| {
        let workers: Vec<_> = (0..threads)
            .map(|t| {
                let stop = &stop;
                scope.spawn(move || -> anyhow::Result<Vec<u64>> {
                    let caller = Caller::local_operator(code("ITA"));
                    let mut times = Vec::new();
                    let mut q = t as u64 * 1_000_003;
                    while !stop.load(Ordering::Relaxed) {
                        q += 1;
                        let number = if q.is_multiple_of(HIT_EVERY) {
                            document_number(SEED, crate::spread(q, count))
                        } else {
                            document_number(MISS_SEED, q)
                        };
                        let asked = [DocumentQuery {
                            number: Some(number),
                            issuing_country: Some("DEU".into()),
                            ..DocumentQuery::default()
                        }];
                        let began = Instant::now();
                        let checked = hub.check_documents(&caller, &asked)?;
                        if audited {
                            checked.record(hub)?;
                        } else {
                            std::hint::black_box(checked.hit_count());
                            drop(checked);
                        }
                        times.push(began.elapsed().as_nanos() as u64);
                    }
                    Ok(times)
                })
            })
            .collect();
        std::thread::sleep(Duration::from_secs(seconds));
        stop.store(true, Ordering::Relaxed);
        workers
            .into_iter()
            .map(|worker| worker.join().expect("a bench thread"))
            .collect::<anyhow::Result<Vec<Vec<u64>>>>()
            .map(|all| all.into_iter().flatten().collect())
    })?;
    let elapsed = started.elapsed().as_secs_f64();
    nanos.sort_unstable();
    let at = |p: f64| nanos[((nanos.len() as f64 * p) as usize).min(nanos.len() - 1)] as f64 / 1e3;
    Ok((nanos.len() as f64 / elapsed, at(0.5), at(0.99)))
}

pub fn run(
    count: u64,
    seconds: u64,
    threads: &[usize],
    postgres: Option<&str>,
) -> anyhow::Result<()> {
    let dir = tempfile::tempdir()?;
    seed(open(postgres, dir.path())?, count)?;
    let hub = Hub::open(open(postgres, dir.path())?)?;
    let backend = if postgres.is_some() {
        "PostgreSQL"
    } else {
        "SQLite"
    };
    println!("\n{backend}, {count} documents, 1 check in {HIT_EVERY} hits, {seconds} s per row\n");
    println!(
        "| threads | unaudited checks/s | audited checks/s | audited / unaudited | unaudited p50 / p99 µs | audited p50 / p99 µs |"
    );
    println!("|---|---|---|---|---|---|");
    for &threads in threads {
        let (bare, bare_p50, bare_p99) = measure(&hub, count, threads, seconds, false)?;
        let (kept, kept_p50, kept_p99) = measure(&hub, count, threads, seconds, true)?;
        println!(
            "| {threads} | {bare:.0} | {kept:.0} | {:.2} | {bare_p50:.1} / {bare_p99:.1} | {kept_p50:.1} / {kept_p99:.1} |",
            kept / bare
        );
    }
    Ok(())
}
