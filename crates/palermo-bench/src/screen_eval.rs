//! `palermo-bench screen-eval`: person screening on a labelled evaluation set made by
//! `scripts/eval/make_persons.py` (persons.jsonl, queries.jsonl): recall@1 and @10, precision
//! and recall at the threshold, per kind of variation; time per query.

use std::collections::BTreeMap;
use std::io::BufRead;
use std::path::Path;
use std::sync::Arc;
use std::time::Instant;

use anyhow::Context;
use palermo_core::{CountryCode, PersonInput, Timestamp, ValidationContext};
use palermo_hub::{Caller, Hub, PersonQuery};
use palermo_store::{SqliteStore, Store};
use serde::Deserialize;

#[derive(Deserialize)]
struct LabelledQuery {
    #[serde(flatten)]
    query: PersonQuery,
    kind: String,
    expected: Option<String>,
}

#[derive(Deserialize)]
struct Wire {
    qid: Option<String>,
    name: Option<String>,
    birth_date: Option<String>,
    nationality: Option<String>,
    sex: Option<String>,
    kind: String,
    expected: Option<String>,
}

#[derive(Default, Clone, Copy)]
struct Tally {
    queries: u32,
    positives: u32,
    top1: u32,
    top10: u32,
    /// Positive queries whose expected person is among the candidates the index puts forward
    /// (at most 50 and a few per owner), before scoring.
    candidates: u32,
    /// Positive queries whose expected person is a hit.
    tp: u32,
    /// Queries with a hit on someone they are not.
    fp: u32,
}

impl Tally {
    fn ratio(a: u32, b: u32) -> f64 {
        if b == 0 {
            f64::NAN
        } else {
            f64::from(a) / f64::from(b)
        }
    }

    fn row(&self, label: &str) -> String {
        let show = |value: f64| {
            if value.is_nan() {
                "–".to_owned()
            } else {
                format!("{value:.3}")
            }
        };
        format!(
            "| {label} | {} | {} | {} | {} | {} | {} | {} |",
            self.queries,
            show(Tally::ratio(self.candidates, self.positives)),
            show(Tally::ratio(self.top1, self.positives)),
            show(Tally::ratio(self.top10, self.positives)),
            show(Tally::ratio(self.tp, self.tp + self.fp)),
            show(Tally::ratio(self.tp, self.positives)),
            show(Tally::ratio(self.fp, self.queries)),
        )
    }
}

fn read_lines<T: serde::de::DeserializeOwned>(path: &Path) -> anyhow::Result<Vec<T>> {
    let file =
        std::fs::File::open(path).with_context(|| format!("cannot open {}", path.display()))?;
    std::io::BufReader::new(file)
        .lines()
        .enumerate()
        .map(|(i, line)| {
            let line = line?;
            serde_json::from_str(&line)
                .with_context(|| format!("{} line {}", path.display(), i + 1))
        })
        .collect()
}

/// The process's resident memory, from /proc (Linux).
fn rss_bytes() -> u64 {
    std::fs::read_to_string("/proc/self/statm")
        .ok()
        .and_then(|text| text.split_whitespace().nth(1)?.parse::<u64>().ok())
        .map_or(0, |pages| pages * 4096)
}

pub fn run(dir: &Path, threshold: f64, threads: usize) -> anyhow::Result<()> {
    let inputs: Vec<PersonInput> = read_lines(&dir.join("persons.jsonl"))?;
    let queries: Vec<LabelledQuery> = read_lines::<Wire>(&dir.join("queries.jsonl"))?
        .into_iter()
        .map(|w| LabelledQuery {
            query: PersonQuery {
                qid: w.qid,
                name: w.name,
                names: Vec::new(),
                birth_date: w.birth_date,
                nationality: w.nationality,
                sex: w.sex,
            },
            kind: w.kind,
            expected: w.expected,
        })
        .collect();
    let work = tempfile::tempdir()?;
    let store = Arc::new(SqliteStore::open(&work.path().join("eval.db"))?);
    let context = ValidationContext {
        today: Timestamp::now().date(),
        default_owner: CountryCode::parse("FRA").expect("code"),
        prefix: "",
    };
    let mut persons = Vec::with_capacity(inputs.len());
    for (i, input) in inputs.iter().enumerate() {
        persons.push(
            input
                .validate(context)
                .map_err(|e| anyhow::anyhow!("person {}: {e}", i + 1))?,
        );
    }
    let event = Caller::console().event_at(Timestamp::now(), "person.import", "ok");
    store
        .import_persons(
            &mut persons.into_iter(),
            Timestamp::now(),
            &|| true,
            &palermo_store::as_given(&event),
        )?
        .context("import rolled back")?;
    let before = rss_bytes();
    let started = Instant::now();
    // The threshold under evaluation is the hub's own: the floor from which screening hits.
    let hub = Hub::open_with(
        store,
        palermo_hub::HubOptions {
            policy: palermo_hub::Policy {
                hit_threshold: threshold,
                ..palermo_hub::Policy::default()
            },
            ..palermo_hub::HubOptions::default()
        },
    )?;
    let load = started.elapsed();
    let index_bytes = rss_bytes().saturating_sub(before);
    let caller = Caller::console();

    // Batches of 1,000: throughput on one thread.
    let started = Instant::now();
    let mut results = Vec::with_capacity(queries.len());
    for chunk in queries.chunks(1000) {
        let batch: Vec<PersonQuery> = chunk.iter().map(|q| q.query.clone()).collect();
        results.extend(hub.screen_persons(&caller, &batch, None)?.record(&hub)?);
    }
    let batch_seconds = started.elapsed().as_secs_f64();
    let started = Instant::now();
    std::thread::scope(|scope| -> anyhow::Result<()> {
        let workers: Vec<_> = (0..threads.max(1))
            .map(|t| {
                let (hub, caller, queries) = (&hub, &caller, &queries);
                scope.spawn(move || -> anyhow::Result<()> {
                    for chunk in queries.chunks(1000).skip(t).step_by(threads.max(1)) {
                        let batch: Vec<PersonQuery> =
                            chunk.iter().map(|q| q.query.clone()).collect();
                        hub.screen_persons(caller, &batch, None)?.record(hub)?;
                    }
                    Ok(())
                })
            })
            .collect();
        for worker in workers {
            worker.join().expect("no panic")?;
        }
        Ok(())
    })?;
    let parallel_seconds = started.elapsed().as_secs_f64();
    // One at a time: latency.
    let mut latencies: Vec<f64> = Vec::with_capacity(queries.len());
    for q in &queries {
        // The screening's own time: its audit entry is then made durable, untimed (the
        // group commit's fsync is the disk's figure, not the engine's).
        let started = Instant::now();
        let checked = hub.screen_persons(&caller, std::slice::from_ref(&q.query), None)?;
        latencies.push(started.elapsed().as_secs_f64() * 1000.0);
        checked.record(&hub)?;
    }
    latencies.sort_by(|a, b| a.partial_cmp(b).unwrap_or(std::cmp::Ordering::Equal));
    let pct = |p: f64| latencies[((latencies.len() as f64 * p) as usize).min(latencies.len() - 1)];

    if std::env::var_os("SCREEN_EVAL_MISSES").is_some() {
        for (q, result) in queries.iter().zip(&results) {
            let top = result.candidates.first();
            if q.expected.is_some() && top.and_then(|c| c.id.as_deref()) != q.expected.as_deref() {
                eprintln!(
                    "MISS {} {:?} {:?} -> {:?}",
                    q.kind,
                    q.query.name,
                    q.expected,
                    top.map(|c| (&c.name, c.score))
                );
            }
        }
    }
    // The candidate stage on its own: is the right person put forward at all?
    let mut found: Vec<bool> = Vec::with_capacity(queries.len());
    for q in &queries {
        found.push(match &q.expected {
            Some(expected) => hub
                .evaluate_candidates(&caller, &q.query)?
                .iter()
                .any(|id| id.as_deref() == Some(expected.as_str())),
            None => false,
        });
    }
    let mut all = Tally::default();
    let mut by_kind: BTreeMap<&str, Tally> = BTreeMap::new();
    for ((q, result), candidate) in queries.iter().zip(&results).zip(&found) {
        let ids: Vec<Option<&str>> = result.candidates.iter().map(|c| c.id.as_deref()).collect();
        let hits: Vec<Option<&str>> = result
            .candidates
            .iter()
            .filter(|c| c.hit)
            .map(|c| c.id.as_deref())
            .collect();
        let tally = by_kind.entry(q.kind.as_str()).or_default();
        for t in [&mut all, tally] {
            t.queries += 1;
            match &q.expected {
                Some(expected) => {
                    t.positives += 1;
                    t.candidates += u32::from(*candidate);
                    if ids.first() == Some(&Some(expected.as_str())) {
                        t.top1 += 1;
                    }
                    if ids.contains(&Some(expected.as_str())) {
                        t.top10 += 1;
                    }
                    if hits.contains(&Some(expected.as_str())) {
                        t.tp += 1;
                    } else if !hits.is_empty() {
                        t.fp += 1;
                    }
                }
                None if !hits.is_empty() => t.fp += 1,
                None => {}
            }
        }
    }
    println!(
        "# {} persons, {} queries from {}; index built in {:.2} s; memory {:.0} bytes per person (resident, index and records)",
        inputs.len(),
        queries.len(),
        dir.display(),
        load.as_secs_f64(),
        index_bytes as f64 / inputs.len().max(1) as f64
    );
    println!(
        "# batches of 1,000: {:.0} queries/s on one thread, {:.0} queries/s on {threads} threads; one query at a time: p50 {:.3} ms, p99 {:.3} ms",
        queries.len() as f64 / batch_seconds,
        queries.len() as f64 / parallel_seconds,
        pct(0.50),
        pct(0.99)
    );
    println!(
        "\n| kind | queries | candidates recall@50 | recall@1 | recall@10 | precision at {threshold:.2} | recall at {threshold:.2} | false alarms |"
    );
    println!("|---|---|---|---|---|---|---|---|");
    println!("{}", all.row("all"));
    for (kind, tally) in &by_kind {
        println!("{}", tally.row(kind));
    }
    Ok(())
}
