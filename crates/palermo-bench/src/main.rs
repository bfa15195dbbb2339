//! `palermo-bench`: measures the check path where it matters.
//!
//! - `index`: the in-memory index alone at up to 100 million documents: build time, memory
//!   per record, process RSS, and lookups per second on one core for no-hit, exact-hit and
//!   possible-hit queries (the full path: normalise, hash, probe).
//! - `stores`: the same point lookups answered by the index, by SQLite alone (an indexed
//!   table, prepared statement) and by PostgreSQL (an indexed table, prepared point selects over
//!   a local socket), side by side in one run.
//! - `names`: pairwise name scoring on a labelled set of name pairs (precision, recall, F1).
//! - `access`: a check's time for an absent number, a number held only in a record hidden
//!   from the caller, and a visible hit (hidden must cost what absent costs).
//! - `signins`: many anonymous sign-ins at once against a running hub: answers and memory.
//! - `webhook-delay`: how long a healthy national system waits for its deliveries while
//!   another one stalls.

mod access;
mod audit_cost;
mod cases_load;
mod frontline;
mod load;
mod names;
mod notice_rules;
mod notices_load;
mod screen_eval;
mod web;

use std::hint::black_box;
use std::time::Instant;

use anyhow::Context;
use clap::{Parser, Subcommand};
use palermo_core::date::parse_date;
use palermo_core::normalise;
use palermo_core::{
    CountryCode, Document, DocumentStatus, DocumentType, RecordMeta, Restriction, Timestamp,
};
use palermo_hub::demo::{DEMO_BUREAUS, document_number};
use palermo_index::{DocumentIndex, FoldTable, document_key};
use palermo_store::{SqliteStore, Store};

#[derive(Parser)]
#[command(name = "palermo-bench")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// The in-memory document index alone.
    Index {
        #[arg(long, default_value_t = 100_000_000)]
        count: u64,
        #[arg(long, default_value_t = 10_000_000)]
        lookups: u64,
    },
    /// The same lookups on the index, SQLite alone and PostgreSQL.
    Stores {
        #[arg(long, default_value_t = 10_000_000)]
        count: u64,
        #[arg(long, default_value_t = 1_000_000)]
        lookups: u64,
        /// libpq-style connection string of a PostgreSQL to use (its table `bench_documents`
        /// is replaced). Without it, PostgreSQL is skipped.
        #[arg(long)]
        postgres: Option<String>,
        /// Where to put the SQLite database; a temporary directory by default.
        #[arg(long)]
        dir: Option<std::path::PathBuf>,
    },
    /// Person screening on a labelled set from scripts/eval/make_persons.py.
    ScreenEval {
        /// The directory holding persons.jsonl and queries.jsonl.
        #[arg(long)]
        dir: std::path::PathBuf,
        #[arg(long, default_value_t = 0.8)]
        threshold: f64,
        /// Threads screening batches side by side, for throughput.
        #[arg(long, default_value_t = 2)]
        threads: usize,
    },
    /// A check's own time: absent number, number held only in a hidden record, visible hit.
    Access {
        #[arg(long, default_value_t = 1_000_000)]
        count: u64,
        #[arg(long, default_value_t = 100_000)]
        lookups: u64,
    },
    /// What auditing costs a check at the hub (no HTTP): audited against dropped unreleased,
    /// border traffic, from many threads; SQLite, or PostgreSQL with --postgres.
    AuditCost {
        #[arg(long, default_value_t = 1_000_000)]
        count: u64,
        #[arg(long, default_value_t = 5)]
        seconds: u64,
        #[arg(long, value_delimiter = ',', default_value = "16,64")]
        threads: Vec<usize>,
        /// A PostgreSQL connection string (an empty database or schema).
        #[arg(long)]
        postgres: Option<String>,
    },
    /// The notice review rules' own time over one request (validation and every rule).
    NoticeRules {
        #[arg(long, default_value_t = 100_000)]
        requests: usize,
    },
    /// The frontline's inputs: MRZ parsing on one core; passenger manifests parsed and
    /// screened at a hub holding `persons` persons and `documents` travel documents.
    Frontline {
        #[arg(long, default_value_t = 1_000_000)]
        persons: u64,
        #[arg(long, default_value_t = 10_000_000)]
        documents: u64,
        /// Where the hub's SQLite file goes (default: the system's temporary directory).
        #[arg(long)]
        dir: Option<std::path::PathBuf>,
        #[arg(long, default_value_t = 100)]
        manifests: usize,
        #[arg(long, default_value_t = 400)]
        travellers: usize,
        /// The persons, from `scripts/eval/make_persons.py` (its persons.jsonl), instead of
        /// syllables; with `--queries`.
        #[arg(long, requires = "queries")]
        persons_file: Option<std::path::PathBuf>,
        /// The evaluation set's queries.jsonl: those naming no one become the travellers.
        #[arg(long, requires = "persons_file")]
        queries: Option<std::path::PathBuf>,
    },
    /// Case reports at scale: a hub of `count` cases, then a report of 50 entities submitted
    /// and cross-matched against all of them, `reports` times.
    CasesLoad {
        #[arg(long, default_value_t = 100_000)]
        count: u64,
        #[arg(long, default_value_t = 200)]
        reports: usize,
        /// Where the hub's SQLite file goes (default: the system's temporary directory).
        #[arg(long)]
        dir: Option<std::path::PathBuf>,
        /// Persons in the persons database the reports' suspects are screened against.
        #[arg(long, default_value_t = 0)]
        persons: u64,
        /// Travel documents the reports' documents are looked up in.
        #[arg(long, default_value_t = 0)]
        documents: u64,
    },
    /// Notices at scale: public searches (hub and HTTP), start-up, cancellation to checks.
    NoticesLoad {
        #[arg(long, default_value_t = 100_000)]
        count: usize,
        #[arg(long, default_value_t = 4_000)]
        queries: usize,
        #[arg(long, default_value_t = 50)]
        cancellations: usize,
    },
    /// Anonymous sign-ins at once against a running hub; prints the answers and the hub's
    /// peak resident memory (its pid is needed to read it).
    Signins {
        #[arg(long)]
        url: String,
        #[arg(long)]
        pid: u32,
        #[arg(long, default_value_t = 200)]
        concurrency: usize,
    },
    /// The web application's pages and the check page's answers, one request at a time,
    /// against a running demo hub (scripts/bench, part `web`).
    Web {
        #[arg(long)]
        url: String,
        /// The demo's demo-credentials.json.
        #[arg(long)]
        credentials: String,
        #[arg(long, default_value_t = 200)]
        rounds: usize,
    },
    /// Webhook delivery delay to a healthy receiver while another receiver stalls, against a
    /// running hub started with `--webhook-allow 127.0.0.1`.
    WebhookDelay {
        #[arg(long)]
        url: String,
        /// A session of the secretariat's administrator (sets the webhooks).
        #[arg(long)]
        admin_token: String,
        /// A key of the bureau that sends the messages.
        #[arg(long)]
        key: String,
        #[arg(long, default_value_t = 20)]
        messages: usize,
    },
    /// Pairwise name scoring on a labelled CSV of name pairs (the nomenklatura name bench).
    Names {
        #[arg(
            long,
            default_value = "../shared/benchmarks/names/nomenklatura-name-bench.csv"
        )]
        cases: std::path::PathBuf,
        #[arg(long, default_value_t = 0.7)]
        threshold: f64,
        /// List the pairs scored on the wrong side of the threshold instead.
        #[arg(long)]
        errors: bool,
    },
}

const SEED: u64 = 7;
/// Queries that name no record come from another seed.
const MISS_SEED: u64 = 8;

fn country_of(i: u64) -> CountryCode {
    CountryCode::parse(DEMO_BUREAUS[(i % DEMO_BUREAUS.len() as u64) as usize].0).expect("code")
}

/// A deterministic spread of query indexes in `0..n`.
fn spread(q: u64, n: u64) -> u64 {
    q.wrapping_mul(0x9E37_79B9_7F4A_7C15).rotate_left(17) % n
}

/// The number as an officer might mistype it: the first 0, 1, 5 or 8 as O, I, S or B.
fn typo(number: &str) -> String {
    let mut done = false;
    number
        .chars()
        .map(|c| {
            let t = match c {
                '0' => 'O',
                '1' => 'I',
                '5' => 'S',
                '8' => 'B',
                other => other,
            };
            if !done && t != c {
                done = true;
                t
            } else {
                c
            }
        })
        .collect()
}

fn rss_bytes() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find(|l| l.starts_with("VmRSS:"))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|kb| kb.parse::<u64>().ok())
        .map_or(0, |kb| kb * 1024)
}

/// Queries as typed, with the country: the same list is given to every contender.
struct Queries {
    name: &'static str,
    items: Vec<(CountryCode, String)>,
}

fn queries(count: u64, lookups: u64) -> Vec<Queries> {
    let miss = (0..lookups)
        .map(|q| (country_of(q), document_number(MISS_SEED, q)))
        .collect();
    let hit = (0..lookups)
        .map(|q| spread(q, count))
        .map(|i| (country_of(i), document_number(SEED, i)))
        .collect();
    // Numbers without a 0, 1, 5 or 8 cannot be mistyped that way: the next record stands in.
    let possible = (0..lookups)
        .map(|q| {
            let mut i = spread(q, count);
            loop {
                let number = document_number(SEED, i);
                let typed = typo(&number);
                if typed != number {
                    return (country_of(i), typed);
                }
                i = (i + 1) % count;
            }
        })
        .collect();
    vec![
        Queries {
            name: "no hit",
            items: miss,
        },
        Queries {
            name: "exact hit",
            items: hit,
        },
        Queries {
            name: "possible hit",
            items: possible,
        },
    ]
}

fn key_of(country: CountryCode, typed: &str) -> palermo_index::KeyHashes {
    let mut buffer = [0u8; normalise::DOCUMENT_NUMBER_LEN_MAX];
    let len = normalise::document_number_into(typed, &mut buffer).expect("valid query");
    document_key(country, std::str::from_utf8(&buffer[..len]).expect("ASCII"))
}

/// The check path of the index, one query at a time: normalise the typed number, hash, probe.
fn index_lookups(index: &DocumentIndex, queries: &Queries) -> (f64, u64, u64) {
    let started = Instant::now();
    let (mut exact, mut possible) = (0u64, 0u64);
    for (country, typed) in &queries.items {
        index
            .by_number
            .lookup(key_of(*country, typed), |candidate| {
                if candidate.exact {
                    exact += 1
                } else {
                    possible += 1
                }
            });
    }
    let rate = queries.items.len() as f64 / started.elapsed().as_secs_f64();
    (black_box(rate), exact, possible)
}

/// Queries per batch, as in a batch check: keys first, then [`FoldTable::lookup_many`], which
/// prefetches ahead so that cache misses overlap.
const BATCH: usize = 1000;

fn index_lookups_batched(index: &DocumentIndex, queries: &Queries) -> (f64, u64, u64) {
    let started = Instant::now();
    let (mut exact, mut possible) = (0u64, 0u64);
    let mut keys = Vec::with_capacity(BATCH);
    for chunk in queries.items.chunks(BATCH) {
        keys.clear();
        keys.extend(chunk.iter().map(|(country, typed)| key_of(*country, typed)));
        index.by_number.lookup_many(&keys, |_, candidate| {
            if candidate.exact {
                exact += 1
            } else {
                possible += 1
            }
        });
    }
    let rate = queries.items.len() as f64 / started.elapsed().as_secs_f64();
    (black_box(rate), exact, possible)
}

fn build_index(count: u64) -> (DocumentIndex, f64) {
    let started = Instant::now();
    let mut index = DocumentIndex {
        by_number: FoldTable::with_capacity(count as usize),
    };
    for i in 0..count {
        let number = document_number(SEED, i);
        index
            .by_number
            .insert(document_key(country_of(i), &number), (i + 1) as u32);
    }
    (index, started.elapsed().as_secs_f64())
}

fn bench_index(count: u64, lookups: u64) {
    let rss_before = rss_bytes();
    let (index, build_seconds) = build_index(count);
    let rss_after = rss_bytes();
    let table = index.by_number.memory_bytes() as f64;
    println!("## index: {count} documents, {lookups} lookups per kind, one core");
    println!(
        "build: {build_seconds:.1} s ({:.1} M inserts/s)",
        count as f64 / build_seconds / 1e6
    );
    println!(
        "memory: index table {:.2} GiB = {:.1} bytes/record; process RSS {:.2} GiB (+{:.2} GiB for the index) = {:.1} bytes/record",
        table / (1u64 << 30) as f64,
        table / count as f64,
        rss_after as f64 / (1u64 << 30) as f64,
        (rss_after - rss_before) as f64 / (1u64 << 30) as f64,
        rss_after as f64 / count as f64
    );
    for kind in queries(count, lookups) {
        let (rate, exact, possible) = index_lookups(&index, &kind);
        let (batched, _, _) = index_lookups_batched(&index, &kind);
        println!(
            "{:<13} {:>6.2} M lookups/s one at a time, {:>6.2} M/s in batches of {BATCH}  (exact candidates {exact}, possible {possible})",
            kind.name,
            rate / 1e6,
            batched / 1e6
        );
    }
}

fn document(i: u64) -> Document {
    let number = document_number(SEED, i);
    Document {
        number_normalised: number.clone(),
        number,
        issuing_country: country_of(i),
        document_type: DocumentType::Passport,
        status: DocumentStatus::Stolen,
        holder_name: None,
        holder_birth_date: None,
        meta: RecordMeta {
            owner: country_of(i),
            external_ref: Some(format!("ref-{i}")),
            reported_date: parse_date("2025-01-01").expect("date"),
            review_date: parse_date("2030-01-01").expect("date"),
            restriction: Restriction::All,
            handling: palermo_core::HandlingCode::H0,
            handling_note: None,
        },
    }
}

fn rate_of(queries: &Queries, mut lookup: impl FnMut(CountryCode, &str) -> usize) -> (f64, usize) {
    let started = Instant::now();
    let mut found = 0;
    for (country, typed) in &queries.items {
        let number = normalise::document_number(typed).expect("valid query");
        found += lookup(*country, &number);
    }
    (
        queries.items.len() as f64 / started.elapsed().as_secs_f64(),
        found,
    )
}

fn bench_stores(
    count: u64,
    lookups: u64,
    postgres: Option<&str>,
    dir: Option<&std::path::Path>,
) -> anyhow::Result<()> {
    let temporary = tempfile_dir(dir)?;
    let path = temporary.join("bench.db");
    let _ = std::fs::remove_file(&path);
    let store = SqliteStore::open(&path)?;
    println!("## stores: {count} documents, {lookups} lookups per kind, one client thread");
    let started = Instant::now();
    store.import_documents(
        &mut (0..count).map(document),
        Timestamp::now(),
        &|| true,
        &palermo_store::as_given(&palermo_core::audit::AuditEvent::default()),
    )?;
    let seconds = started.elapsed().as_secs_f64();
    println!(
        "sqlite bulk load (store API, one transaction): {:.0} rows/s",
        count as f64 / seconds
    );
    let started = Instant::now();
    let mut index = DocumentIndex {
        by_number: FoldTable::with_capacity(count as usize),
    };
    store.scan_documents(&mut |id, country, number, _access| {
        index
            .by_number
            .insert(document_key(country, number), id as u32)
    })?;
    println!(
        "index built from sqlite on one thread (the hub uses two): {:.1} s",
        started.elapsed().as_secs_f64()
    );

    let mut client = match postgres {
        Some(url) => Some(load_postgres(url, count)?),
        None => None,
    };
    let select = match &mut client {
        Some(client) => Some(client.prepare(
            "SELECT id FROM bench_documents WHERE issuing_country = $1 AND number_normalised = $2",
        )?),
        None => None,
    };
    println!(
        "| queries | index (lookups/s) | SQLite alone | PostgreSQL | index ÷ SQLite | index ÷ PostgreSQL |"
    );
    println!("|---|---:|---:|---:|---:|---:|");
    for kind in queries(count, lookups) {
        let (index_rate, _, _) = index_lookups(&index, &kind);
        let (sqlite_rate, _) = rate_of(&kind, |country, number| {
            store.find_documents(country, number).expect("sqlite").len()
        });
        let pg_rate = match (&mut client, &select) {
            (Some(client), Some(select)) => Some(
                rate_of(&kind, |country, number| {
                    client
                        .query(select, &[&country.as_str(), &number])
                        .expect("postgres")
                        .len()
                })
                .0,
            ),
            _ => None,
        };
        println!(
            "| {} | {:.0} | {:.0} | {} | {:.0}× | {} |",
            kind.name,
            index_rate,
            sqlite_rate,
            pg_rate.map_or("-".into(), |r| format!("{r:.0}")),
            index_rate / sqlite_rate,
            pg_rate.map_or("-".into(), |r| format!("{:.0}×", index_rate / r)),
        );
    }
    Ok(())
}

fn tempfile_dir(dir: Option<&std::path::Path>) -> anyhow::Result<std::path::PathBuf> {
    let dir = match dir {
        Some(dir) => dir.to_owned(),
        None => std::env::temp_dir().join(format!("palermo-bench-{}", std::process::id())),
    };
    std::fs::create_dir_all(&dir)?;
    Ok(dir)
}

fn load_postgres(url: &str, count: u64) -> anyhow::Result<postgres::Client> {
    let mut client =
        postgres::Client::connect(url, postgres::NoTls).context("cannot connect to PostgreSQL")?;
    client.batch_execute(
        "DROP TABLE IF EXISTS bench_documents;
         CREATE TABLE bench_documents (id bigint PRIMARY KEY, issuing_country text NOT NULL,
             number_normalised text NOT NULL, document_type text NOT NULL, status text NOT NULL, owner text NOT NULL)",
    )?;
    let started = Instant::now();
    let mut writer = client.copy_in("COPY bench_documents FROM STDIN")?;
    let mut line = String::new();
    for i in 0..count {
        let d = document(i);
        line.clear();
        line.push_str(&format!(
            "{}\t{}\t{}\tpassport\tstolen\t{}\n",
            i + 1,
            d.issuing_country,
            d.number_normalised,
            d.meta.owner
        ));
        std::io::Write::write_all(&mut writer, line.as_bytes())?;
    }
    writer.finish()?;
    client.batch_execute(
        "CREATE INDEX bench_documents_lookup ON bench_documents (issuing_country, number_normalised); ANALYZE bench_documents",
    )?;
    println!(
        "postgres load (COPY + index): {:.1} s",
        started.elapsed().as_secs_f64()
    );
    Ok(client)
}

fn main() -> anyhow::Result<()> {
    match Cli::parse().command {
        Command::Index { count, lookups } => bench_index(count, lookups),
        Command::Stores {
            count,
            lookups,
            postgres,
            dir,
        } => bench_stores(count, lookups, postgres.as_deref(), dir.as_deref())?,
        Command::ScreenEval {
            dir,
            threshold,
            threads,
        } => screen_eval::run(&dir, threshold, threads)?,
        Command::Access { count, lookups } => access::run(count, lookups)?,
        Command::AuditCost {
            count,
            seconds,
            threads,
            postgres,
        } => audit_cost::run(count, seconds, &threads, postgres.as_deref())?,
        Command::NoticeRules { requests } => notice_rules::run(requests)?,
        Command::Frontline {
            persons,
            documents,
            dir,
            manifests,
            travellers,
            persons_file,
            queries,
        } => frontline::run(
            persons,
            documents,
            dir.as_deref(),
            manifests,
            travellers,
            persons_file
                .as_deref()
                .zip(queries.as_deref())
                .map(|(persons, queries)| frontline::NameFiles { persons, queries }),
        )?,
        Command::CasesLoad {
            count,
            reports,
            dir,
            persons,
            documents,
        } => cases_load::run(count, reports, dir.as_deref(), persons, documents)?,
        Command::NoticesLoad {
            count,
            queries,
            cancellations,
        } => notices_load::run(count, queries, cancellations)?,
        Command::Signins {
            url,
            pid,
            concurrency,
        } => load::signins(&url, pid, concurrency)?,
        Command::Web {
            url,
            credentials,
            rounds,
        } => web::run(&url, &credentials, rounds)?,
        Command::WebhookDelay {
            url,
            admin_token,
            key,
            messages,
        } => load::webhook_delay(&url, &admin_token, &key, messages)?,
        Command::Names {
            cases,
            threshold,
            errors: true,
        } => names::errors(&cases, threshold)?,
        Command::Names {
            cases, threshold, ..
        } => names::run(&cases, threshold)?,
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn typos_fold_back_to_the_record() {
        let number = document_number(SEED, 12_345);
        let typed = typo(&number);
        assert_ne!(typed, number);
        assert_eq!(
            normalise::fold_confusables(&typed),
            normalise::fold_confusables(&number)
        );
    }

    #[test]
    fn the_index_finds_what_the_benchmark_asks() {
        let (index, _) = build_index(10_000);
        let kinds = queries(10_000, 1_000);
        let (_, exact, possible) = index_lookups(&index, &kinds[0]);
        assert_eq!((exact, possible), (0, 0), "misses miss");
        let (_, exact, _) = index_lookups(&index, &kinds[1]);
        assert_eq!(exact, 1_000, "hits hit exactly");
        let (_, exact, possible) = index_lookups(&index, &kinds[2]);
        assert_eq!((exact, possible), (0, 1_000), "typos hit possibly");
        for kind in &kinds {
            assert_eq!(
                index_lookups(&index, kind).1..index_lookups(&index, kind).2,
                {
                    let (_, e, p) = index_lookups_batched(&index, kind);
                    e..p
                },
                "batched lookups find the same"
            );
        }
    }
}
