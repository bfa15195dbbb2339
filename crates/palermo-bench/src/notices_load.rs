//! Notices at the real system's scale: `count` valid notices (Red, Yellow, UN persons with
//! public extracts as their owners consented, Blue, Green and Black without), each about its
//! own person, on SQLite. Measures the hub's start-up on them, public searches at the hub and
//! over HTTP on loopback (unauthenticated, rate-limited: the public service's real path), and
//! how long a cancellation takes to leave every check: two threads check the notice's document
//! without pause (audited, durable before each answer) while its owner cancels it.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicI64, Ordering};
use std::time::{Duration, Instant};

use palermo_core::notice::NoticeInput;
use palermo_core::{CountryCode, OrgCode, OrgKind, PersonInput};
use palermo_hub::demo::DEMO_BUREAUS;
use palermo_hub::public::PublicKind;
use palermo_hub::{Caller, DocumentQuery, Hub, HubOptions, NoticeMoveInput, Policy, RateLimit};
use palermo_store::{NoticeEvent, NoticeRow, SqliteStore, Store};
use serde_json::json;

pub(crate) const SYLLABLES: [&str; 16] = [
    "ka", "lo", "mi", "ra", "ne", "to", "vi", "sa", "du", "po", "re", "an", "el", "or", "ba", "zu",
];
pub(crate) const NATIONALITIES: [&str; 20] = [
    "FRA", "DEU", "ITA", "ESP", "POL", "ROU", "UKR", "NGA", "THA", "BRA", "USA", "NLD", "MAR",
    "ALB", "VNM", "CHN", "IND", "TUR", "GHA", "COL",
];

const CHARGES: [&str; 4] = [
    "Trafficking in human beings",
    "Smuggling of migrants",
    "Forced labour",
    "Sexual exploitation of children",
];

/// A public search of the mix: its label, its list, its parameters.
type Search = (&'static str, PublicKind, Vec<(String, String)>);

/// A deterministic pseudo-random stream (xorshift64*).
pub(crate) struct Stream(pub(crate) u64);

impl Stream {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    pub(crate) fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    pub(crate) fn word(&mut self, parts: usize) -> String {
        let mut word: String = (0..parts)
            .map(|_| SYLLABLES[self.below(SYLLABLES.len())])
            .collect();
        if let Some(first) = word.get_mut(0..1) {
            first.make_ascii_uppercase();
        }
        word
    }
}

fn percentiles(mut samples: Vec<Duration>) -> (f64, f64, f64) {
    samples.sort();
    let at = |q: f64| {
        samples[((samples.len() as f64 * q) as usize).min(samples.len() - 1)].as_secs_f64() * 1e3
    };
    (at(0.50), at(0.99), at(1.0))
}

/// The kind of the `i`-th notice, in the real system's proportions (about 74,000 Red,
/// 16,000 Yellow, 18,000 Blue, 2,000 Black of 110,000), with UN and Green ones besides.
fn kind_of(i: usize) -> &'static str {
    match i % 100 {
        0..=66 => "red",
        67..=80 => "yellow",
        81..=94 => "blue",
        95..=96 => "black",
        97 => "green",
        _ => "un-persons",
    }
}

fn request(i: usize, person: Option<i64>, stream: &mut Stream) -> NoticeInput {
    let kind = kind_of(i);
    let consent = !i.is_multiple_of(10);
    let mut body = json!({"kind": kind, "person": person});
    match kind {
        "red" => {
            let charge = CHARGES[stream.below(CHARGES.len())];
            body["public_extract"] = json!(consent);
            body["warrants"] = json!([{"kind": "arrest_warrant",
                "charge": charge,
                "description": "Recruited and exploited persons across borders.",
                "reference": format!("W-{i}"), "date": "2025-06-01", "authority": "Court",
                "issuing_country": NATIONALITIES[stream.below(NATIONALITIES.len())],
                "max_penalty_months": 60 + stream.below(200)}]);
            body["documents"] = json!([{"number": format!("N{i:08}"), "issuing_country": "FRA"}]);
        }
        "yellow" => {
            body["public_extract"] = json!(consent);
            body["disappearance"] =
                json!({"date": "2025-09-01", "place": "Port", "country": "ITA"});
        }
        "blue" => body["purpose"] = json!("Identity and whereabouts"),
        "green" => body["warning"] = json!("Convicted of exploiting children"),
        "black" => {
            body["person"] = json!(null);
            body["body"] = json!({"found_date": "2025-05-01", "found_country": "ESP",
                "description": "Found at sea"});
        }
        _ => {
            body["public_extract"] = json!(consent);
            body["sanctions"] = json!({"committee": "1267", "reference": format!("QDi.{i}"),
                "measures": ["travel_ban"]});
        }
    }
    serde_json::from_value(body).expect("a valid request")
}

pub fn run(count: usize, queries: usize, cancellations: usize) -> anyhow::Result<()> {
    // The database lives in memory-backed storage when the machine has it: this measures
    // reads and the hub, not the seeding's disk.
    let base = std::path::Path::new("/dev/shm");
    let dir = if base.is_dir() {
        tempfile::tempdir_in(base)?
    } else {
        tempfile::tempdir()?
    };
    let path = dir.path().join("palermo.db");
    println!(
        "## notices: {count} valid notices on SQLite ({})",
        path.display()
    );
    let seeding_started = Instant::now();
    let mut owners = Vec::new();
    {
        let store: Arc<dyn Store> = Arc::new(SqliteStore::open(&path)?);
        let hub = Hub::open_with(
            store.clone(),
            HubOptions {
                without_indexes: true,
                ..HubOptions::default()
            },
        )?;
        let console = Caller::console();
        for (code, name) in DEMO_BUREAUS {
            hub.add_organisation(
                &console,
                OrgCode::parse(code).expect("code"),
                OrgKind::Member,
                name,
            )?;
        }
        hub.add_organisation(
            &console,
            OrgCode::parse("SECRETARIAT").expect("code"),
            OrgKind::Secretariat,
            "Secretariat",
        )?;
        let mut stream = Stream(0x9E37_79B9_7F4A_7C15);
        // Persons, by owner, a thousand at a time.
        let mut persons: Vec<(i64, CountryCode)> = Vec::with_capacity(count);
        let per_owner = count.div_ceil(DEMO_BUREAUS.len());
        for (code, _) in DEMO_BUREAUS {
            let owner = CountryCode::parse(code).expect("code");
            let caller = Caller::local_operator(owner);
            let mut made = 0;
            while made < per_owner && persons.len() < count {
                let batch: Vec<PersonInput> = (0..1000.min(per_owner - made).min(count - persons.len()))
                    .map(|_| {
                        let year = 1950 + stream.below(60);
                        serde_json::from_value(json!({
                            "names": [{"given": stream.word(2), "family": stream.word(3)}],
                            "sex": if stream.below(2) == 0 { "M" } else { "F" },
                            "birth_date": format!("{year}-{:02}-{:02}", 1 + stream.below(12), 1 + stream.below(28)),
                            "nationality": [NATIONALITIES[stream.below(NATIONALITIES.len())]],
                            "category": "wanted", "reported_date": "2026-01-05"
                        }))
                        .expect("a valid person")
                    })
                    .collect();
                let ids = hub.write_persons(&caller, &batch, "persons")?.ids;
                made += ids.len();
                persons.extend(ids.into_iter().map(|id| (id, owner)));
            }
        }
        // Notices, published as a hub that has run for years holds them: written straight
        // through the store (the moves' own cost is measured below).
        let today = hub.now().date();
        for (i, (person, owner)) in persons.iter().enumerate() {
            let input = request(i, Some(*person), &mut stream);
            let context = palermo_core::ValidationContext {
                today,
                default_owner: *owner,
                prefix: "",
            };
            let validated = input
                .validate(context)
                .map_err(|e| anyhow::anyhow!("{e}"))?;
            let row = NoticeRow {
                kind: validated.kind.as_str().into(),
                state: "published".into(),
                person_id: validated.person,
                body: serde_json::to_string(&input)?,
                public_extract: validated.public_extract,
                meta: validated.meta.clone(),
            };
            let event = NoticeEvent {
                transition: "create".into(),
                from_state: None,
                to_state: "published".into(),
                version: 1,
                by_org: OrgCode::of_country(*owner),
                by_name: "bench".into(),
                reason: None,
                detail: None,
                at: hub.now(),
            };
            let audit = hub.event(&Caller::local_operator(*owner), "notice.request", "ok");
            store.create_notice(&row, &event, &|_| None, &palermo_store::as_given(&audit))?;
            owners.push(*owner);
        }
    }
    println!(
        "seeded {count} persons and notices in {:.1} s",
        seeding_started.elapsed().as_secs_f64()
    );

    let started = Instant::now();
    let store: Arc<dyn Store> = Arc::new(SqliteStore::open(&path)?);
    let hub = Arc::new(Hub::open_with(
        store,
        HubOptions {
            policy: Policy {
                // The limiter runs on every public request, as in service, without refusing.
                public_requests_per_address: RateLimit::per_minute(u32::MAX, u32::MAX),
                ..Policy::default()
            },
            ..HubOptions::default()
        },
    )?);
    let stats = hub.index_stats();
    println!(
        "hub start-up: {:.2} s ({} notices hitting, {} public extracts)",
        started.elapsed().as_secs_f64(),
        stats.notices_hitting,
        stats.public_extracts
    );

    // Public searches: a client's usual questions.
    let mut stream = Stream(7);
    let mix: Vec<Search> = (0..queries)
        .map(|i| {
            let pairs = |items: &[(&str, String)]| -> Vec<(String, String)> {
                items
                    .iter()
                    .map(|(k, v)| (k.to_string(), v.clone()))
                    .collect()
            };
            let nationality = CountryCode::parse(NATIONALITIES[stream.below(NATIONALITIES.len())])
                .and_then(CountryCode::alpha2)
                .unwrap_or("FR")
                .to_owned();
            match i % 8 {
                0 => ("first page", PublicKind::Red, Vec::new()),
                1 => (
                    "nationality",
                    PublicKind::Red,
                    pairs(&[("nationality", nationality)]),
                ),
                2 => (
                    "name prefix ^..",
                    PublicKind::Red,
                    pairs(&[("name", format!("^{}", stream.word(1)))]),
                ),
                3 => (
                    "forename + name",
                    PublicKind::Red,
                    pairs(&[("forename", stream.word(2)), ("name", stream.word(2))]),
                ),
                4 => (
                    "age + sex",
                    PublicKind::Red,
                    pairs(&[
                        ("ageMin", "30".into()),
                        ("ageMax", "40".into()),
                        ("sexId", "F".into()),
                    ]),
                ),
                5 => (
                    "warrant country, page 8",
                    PublicKind::Red,
                    pairs(&[
                        ("arrestWarrantCountryId", nationality),
                        ("page", "8".into()),
                    ]),
                ),
                6 => (
                    "free text",
                    PublicKind::Red,
                    pairs(&[("freeText", "forced labour".into())]),
                ),
                _ => (
                    "yellow by nationality",
                    PublicKind::Yellow,
                    pairs(&[
                        ("nationality", nationality),
                        ("resultPerPage", "160".into()),
                    ]),
                ),
            }
        })
        .collect();
    let mut by_kind: std::collections::BTreeMap<&str, Vec<Duration>> = Default::default();
    let mut all = Vec::new();
    for (label, kind, pairs) in &mix {
        let t = Instant::now();
        let page = hub
            .public_notices(*kind, pairs)
            .map_err(|r| anyhow::anyhow!(r.message))?;
        std::hint::black_box(page.total);
        let took = t.elapsed();
        by_kind.entry(label).or_default().push(took);
        all.push(took);
    }
    let (p50, p99, max) = percentiles(all);
    println!(
        "public search at the hub, {queries} queries, 1 thread: p50 {p50:.3} ms, p99 {p99:.3} ms, max {max:.3} ms"
    );
    for (label, samples) in by_kind {
        let (p50, p99, _) = percentiles(samples);
        println!("  {label:<26} p50 {p50:.3} ms  p99 {p99:.3} ms");
    }

    // The same over HTTP on loopback: the API's router, one client, then two.
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?;
    let listener = runtime.block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))?;
    let address = listener.local_addr()?;
    let app =
        palermo_api::router(hub.clone()).into_make_service_with_connect_info::<palermo_api::Peer>();
    runtime.spawn(async move { axum::serve(listener, app).await });
    let url = format!("http://{address}/notices/v1");
    let urls: Vec<String> = mix
        .iter()
        .map(|(_, kind, pairs)| {
            let query: Vec<String> = pairs
                .iter()
                .map(|(k, v)| format!("{k}={}", v.replace(' ', "%20").replace('^', "%5E")))
                .collect();
            format!("{url}/{}?{}", kind.path(), query.join("&"))
        })
        .collect();
    for clients in [1usize, 2] {
        let urls = Arc::new(urls.clone());
        let wall = Instant::now();
        let threads: Vec<_> = (0..clients)
            .map(|c| {
                let urls = urls.clone();
                std::thread::spawn(move || -> anyhow::Result<Vec<Duration>> {
                    let agent: ureq::Agent = ureq::Agent::config_builder().build().into();
                    let mut samples = Vec::new();
                    for url in urls.iter().skip(c).step_by(clients) {
                        let t = Instant::now();
                        let body = agent.get(url).call()?.body_mut().read_to_vec()?;
                        std::hint::black_box(body.len());
                        samples.push(t.elapsed());
                    }
                    Ok(samples)
                })
            })
            .collect();
        let mut samples = Vec::new();
        for thread in threads {
            samples.extend(
                thread
                    .join()
                    .map_err(|_| anyhow::anyhow!("a client failed"))??,
            );
        }
        let seconds = wall.elapsed().as_secs_f64();
        let n = samples.len();
        let (p50, p99, max) = percentiles(samples);
        println!(
            "public search over HTTP, {n} requests, {clients} client(s): p50 {p50:.3} ms, p99 {p99:.3} ms, max {max:.3} ms, {:.0} requests/s",
            n as f64 / seconds
        );
    }

    // A cancellation against two threads checking the notice's document without pause.
    let target = Arc::new(AtomicI64::new(-1));
    let stop = Arc::new(AtomicBool::new(false));
    let epoch = Instant::now();
    // (check start, check end, saw the target) in µs since `epoch`, for the current target.
    let seen: Arc<parking_lot::Mutex<Vec<(u64, u64, bool)>>> = Default::default();
    let checker = Caller::local_operator(CountryCode::parse("DEU").expect("code"));
    let checkers: Vec<_> = (0..2)
        .map(|_| {
            let (hub, target, stop, seen, checker) = (
                hub.clone(),
                target.clone(),
                stop.clone(),
                seen.clone(),
                checker.clone(),
            );
            std::thread::spawn(move || -> anyhow::Result<u64> {
                let mut checks = 0;
                while !stop.load(Ordering::Relaxed) {
                    let i = target.load(Ordering::Acquire);
                    if i < 0 {
                        std::thread::yield_now();
                        continue;
                    }
                    let query = DocumentQuery {
                        number: Some(format!("N{i:08}")),
                        issuing_country: Some("FRA".into()),
                        ..DocumentQuery::default()
                    };
                    let started = epoch.elapsed().as_micros() as u64;
                    let result = hub
                        .check_documents(&checker, &[query])?
                        .record(&hub)?
                        .remove(0);
                    let ended = epoch.elapsed().as_micros() as u64;
                    if target.load(Ordering::Acquire) == i {
                        seen.lock()
                            .push((started, ended, !result.notices.is_empty()));
                    }
                    checks += 1;
                }
                Ok(checks)
            })
        })
        .collect();
    let mut commits = Vec::new();
    let mut visible = Vec::new();
    let reds: Vec<usize> = (0..count)
        .filter(|i| kind_of(*i) == "red")
        .take(cancellations)
        .collect();
    let wall = Instant::now();
    for i in &reds {
        seen.lock().clear();
        target.store(*i as i64, Ordering::Release);
        std::thread::sleep(Duration::from_millis(20));
        let id = (*i + 1) as i64;
        let owner = Caller::local_operator(owners[*i]);
        let cancel_start = epoch.elapsed().as_micros() as u64;
        let t = Instant::now();
        hub.move_notice(
            &owner,
            id,
            &NoticeMoveInput {
                transition: Some("cancel".into()),
                reason: Some("arrested; the warrant is executed".into()),
                ..NoticeMoveInput::default()
            },
        )?;
        commits.push(t.elapsed());
        std::thread::sleep(Duration::from_millis(30));
        let samples = seen.lock().clone();
        if !samples
            .iter()
            .any(|(start, _, saw)| *start < cancel_start && *saw)
        {
            anyhow::bail!("the checkers did not see notice {id} before its cancellation");
        }
        // The last moment a check's answer still named the notice, after the cancel began.
        let last_seen = samples
            .iter()
            .filter(|(_, _, saw)| *saw)
            .map(|(_, end, _)| *end)
            .max()
            .unwrap_or(cancel_start);
        if samples.iter().any(|(start, _, saw)| {
            *saw && *start > cancel_start + commits.last().map_or(0, |d| d.as_micros() as u64)
        }) {
            anyhow::bail!(
                "a check that began after the cancellation returned still named notice {id}"
            );
        }
        visible.push(Duration::from_micros(
            last_seen.saturating_sub(cancel_start),
        ));
    }
    target.store(-1, Ordering::Release);
    stop.store(true, Ordering::Relaxed);
    let mut checks = 0;
    for thread in checkers {
        checks += thread
            .join()
            .map_err(|_| anyhow::anyhow!("a checker failed"))??;
    }
    let (c50, c99, cmax) = percentiles(commits);
    let (v50, v99, vmax) = percentiles(visible);
    println!(
        "cancellation ({} cancellations, 2 threads checking the document meanwhile, {checks} checks in {:.1} s): the last check answer still naming the notice ended p50 {v50:.2} ms, p99 {v99:.2} ms, max {vmax:.2} ms after the owner's cancel began; the owner's answer (committed, announced, its view built) came back p50 {c50:.2} ms, p99 {c99:.2} ms, max {cmax:.2} ms; no check begun after that answer named it",
        reds.len(),
        wall.elapsed().as_secs_f64()
    );
    Ok(())
}
