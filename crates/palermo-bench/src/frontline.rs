//! The frontline's inputs: machine-readable zones parsed on one core, and passenger manifests
//! of 400 travellers parsed and screened at the hub (audited, their report stored) against
//! the travel documents and persons a hub holds.

use std::hint::black_box;
use std::time::{Duration, Instant};

use palermo_core::mrz;
use palermo_hub::{Caller, Hub, HubOptions};
use palermo_store::SqliteStore;

use crate::notices_load::Stream;

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    sorted[((sorted.len() as f64 * p).ceil() as usize).clamp(1, sorted.len()) - 1]
}

/// The check digit of ICAO 9303 (written here apart from the parser's).
fn digit(data: &str) -> char {
    let sum: u32 = data
        .bytes()
        .zip([7u32, 3, 1].iter().cycle())
        .map(|(b, w)| {
            w * match b {
                b'0'..=b'9' => u32::from(b - b'0'),
                b'A'..=b'Z' => u32::from(b - b'A') + 10,
                _ => 0,
            }
        })
        .sum();
    char::from_digit(sum % 10, 10).expect("a digit")
}

fn pad(text: &str, len: usize) -> String {
    let mut out: String = text.chars().take(len).collect();
    while out.len() < len {
        out.push('<');
    }
    out
}

/// A passport zone (TD3) or an identity card's (TD1), every check digit right.
fn zone(stream: &mut Stream, td1: bool) -> Vec<String> {
    let upper = |s: String| s.to_ascii_uppercase();
    let surname = upper(stream.word(3));
    let given = upper(stream.word(2));
    let number = format!("X{:08}", stream.below(100_000_000));
    let birth = format!(
        "{:02}{:02}{:02}",
        stream.below(100),
        1 + stream.below(12),
        1 + stream.below(28)
    );
    let expiry = format!(
        "{:02}{:02}{:02}",
        27 + stream.below(8),
        1 + stream.below(12),
        1 + stream.below(28)
    );
    let names = format!("{surname}<<{given}");
    if td1 {
        let l0 = format!("I<FRA{number}{}{}", digit(&number), pad("", 15));
        let head = format!(
            "{birth}{}M{expiry}{}FRA{}",
            digit(&birth),
            digit(&expiry),
            pad("", 11)
        );
        let composite = format!(
            "{}{}{}{}",
            &l0[5..30],
            &head[0..7],
            &head[8..15],
            &head[18..29]
        );
        return vec![l0, format!("{head}{}", digit(&composite)), pad(&names, 30)];
    }
    let l0 = format!("P<FRA{}", pad(&names, 39));
    let optional = pad("", 14);
    let mut l1 = format!(
        "{number}{}FRA{birth}{}F{expiry}{}{optional}{}",
        digit(&number),
        digit(&birth),
        digit(&expiry),
        digit(&optional)
    );
    let composite = format!("{}{}{}", &l1[0..10], &l1[13..20], &l1[21..43]);
    l1.push(digit(&composite));
    vec![l0, l1]
}

/// Zones parsed per second on this thread, for `zones` (each parsed in turn, repeatedly).
fn parse_rate(
    zones: &[Vec<String>],
    today: palermo_core::date::CalendarDate,
    min: Duration,
) -> (f64, f64) {
    let started = Instant::now();
    let mut parsed = 0usize;
    let mut valid = 0usize;
    while started.elapsed() < min {
        for zone in zones {
            let result = black_box(mrz::parse(black_box(zone), today));
            valid += usize::from(result.is_ok_and(|m| m.valid));
            parsed += 1;
        }
    }
    (
        parsed as f64 / started.elapsed().as_secs_f64(),
        valid as f64 / parsed.max(1) as f64,
    )
}

/// A PAXLST interchange of `count` travellers for flight AF1234 into Rome, every count and
/// reference right; `planted` travellers (name, birth, document, its country) are set at the
/// given places.
fn manifest(
    stream: &mut Stream,
    count: usize,
    planted: &[(usize, String, String, String, String)],
    pool: Option<&[(String, String, String, String)]>,
) -> String {
    let mut segments = vec![
        "UNH+M1+PAXLST:D:05B:UN:IATA+API01+01:F".to_owned(),
        "BGM+745".to_owned(),
        "NAD+MS+++CARRIER CONTROL".to_owned(),
        "TDT+20+AF1234+++AF".to_owned(),
        "LOC+125+CDG".to_owned(),
        "DTM+189:2612031030:201".to_owned(),
        "LOC+87+FCO".to_owned(),
        "DTM+232:2612031245:201".to_owned(),
    ];
    for i in 0..count {
        let (family, given, birth, document, country) = match planted.iter().find(|p| p.0 == i) {
            Some((_, name, birth, document, country)) => {
                let (given, family) = name.split_once(' ').unwrap_or(("", name));
                (
                    family.to_ascii_uppercase(),
                    given.to_ascii_uppercase(),
                    birth.clone(),
                    document.clone(),
                    country.clone(),
                )
            }
            None => match pool {
                Some(pool) => {
                    let (name, birth, nationality, _) = &pool[stream.below(pool.len())];
                    let escaped = name.replace('\'', "?'");
                    let (given, family) = escaped.rsplit_once(' ').unwrap_or(("", &escaped));
                    (
                        family.to_owned(),
                        given.to_owned(),
                        birth.clone(),
                        format!("P{:08}", stream.below(100_000_000)),
                        nationality.clone(),
                    )
                }
                None => (
                    stream.word(3).to_ascii_uppercase(),
                    stream.word(2).to_ascii_uppercase(),
                    format!(
                        "{:02}{:02}{:02}",
                        stream.below(100),
                        1 + stream.below(12),
                        1 + stream.below(28)
                    ),
                    format!("P{:08}", stream.below(100_000_000)),
                    "FRA".to_owned(),
                ),
            },
        };
        segments.extend([
            format!("NAD+FL+++{family}:{given}"),
            format!("ATT+2++{}", if stream.below(2) == 0 { "M" } else { "F" }),
            format!("DTM+329:{birth}"),
            "LOC+178+CDG".to_owned(),
            "LOC+179+FCO".to_owned(),
            format!("NAT+2+{country}"),
            format!("RFF+AVF:{:06}", stream.below(1_000_000)),
            format!("DOC+P:110:111+{document}"),
            "DTM+36:310101".to_owned(),
            format!("LOC+91+{country}"),
        ]);
    }
    segments.push(format!("CNT+42:{count}"));
    segments.push(format!("UNT+{}+M1", segments.len() + 1));
    let mut text = String::from("UNA:+.? '\nUNB+UNOA:4+AFAPI:ZZ+ITAPIU:ZZ+261203:0930+REF42'\n");
    for segment in segments {
        text.push_str(&segment);
        text.push_str("'\n");
    }
    text.push_str("UNZ+1+REF42'\n");
    text
}

/// The bench's persons and travellers' names, when taken from files of
/// `scripts/eval/make_persons.py` (Faker's names of many locales): persons in import format,
/// and the queries whose person is not in the database as travellers.
pub struct NameFiles<'a> {
    pub persons: &'a std::path::Path,
    pub queries: &'a std::path::Path,
}

/// Romanised travellers (as airlines send them: A to Z, spaces, apostrophes, hyphens) from the
/// evaluation set's queries that name no one in the database.
fn travellers_of(
    queries: &std::path::Path,
) -> anyhow::Result<Vec<(String, String, String, String)>> {
    let mut out = Vec::new();
    for line in std::fs::read_to_string(queries)?.lines() {
        let query: serde_json::Value = serde_json::from_str(line)?;
        if !query["expected"].is_null() {
            continue;
        }
        let name = query["name"]
            .as_str()
            .unwrap_or_default()
            .trim()
            .to_ascii_uppercase();
        if name.is_empty()
            || !name
                .chars()
                .all(|c| c.is_ascii_uppercase() || " '-".contains(c))
        {
            continue;
        }
        let birth = query["birth_date"].as_str().unwrap_or("1980-01-01");
        let yymmdd = format!("{}{}{}", &birth[2..4], &birth[5..7], &birth[8..10]);
        let nationality = query["nationality"].as_str().unwrap_or("FRA").to_owned();
        let sex = query["sex"].as_str().unwrap_or("M").to_owned();
        out.push((name, yymmdd, nationality, sex));
    }
    Ok(out)
}

fn import_persons(store: &SqliteStore, path: &std::path::Path) -> anyhow::Result<u64> {
    use palermo_core::{PersonInput, Timestamp, ValidationContext};
    let started = Instant::now();
    let text = std::fs::read_to_string(path)?;
    let today = Timestamp::now().date();
    let mut count = 0u64;
    let mut inputs = text.lines().enumerate().map(|(i, line)| {
        count += 1;
        let input: PersonInput =
            serde_json::from_str(line).expect("a person of the evaluation set");
        let owner = palermo_hub::demo::DEMO_BUREAUS[i % 12].0;
        input
            .validate(ValidationContext {
                today,
                default_owner: palermo_core::CountryCode::parse(owner).expect("a code"),
                prefix: "",
            })
            .expect("a valid person")
    });
    crate::cases_load::import_persons(store, &mut inputs)?;
    drop(inputs);
    println!(
        "loaded {count} persons of {} in {:.1} s",
        path.display(),
        started.elapsed().as_secs_f64()
    );
    Ok(count)
}

pub fn run(
    persons: u64,
    documents: u64,
    dir: Option<&std::path::Path>,
    manifests: usize,
    travellers: usize,
    names: Option<NameFiles<'_>>,
) -> anyhow::Result<()> {
    let today = palermo_core::date::parse_date("2026-12-03").expect("a date");
    // 1. Zones on one core: valid ones, and ones with a problem each (a changed character).
    let mut stream = Stream(0x9303_0000_0000_0001);
    let zones: Vec<Vec<String>> = (0..10_000).map(|i| zone(&mut stream, i % 4 == 0)).collect();
    let damaged: Vec<Vec<String>> = zones
        .iter()
        .map(|z| {
            // A passport's number, an identity card's birth date: a letter O for a digit.
            let mut z = z.clone();
            z[1].replace_range(2..3, "O");
            z
        })
        .collect();
    let (rate, valid) = parse_rate(&zones, today, Duration::from_secs(3));
    println!(
        "MRZ parsing, one thread, 10,000 distinct zones (3 TD3 to 1 TD1), all check digits verified: {rate:.0} zones/s ({:.1} % read as valid)",
        valid * 100.0
    );
    let (rate, valid) = parse_rate(&damaged, today, Duration::from_secs(2));
    println!(
        "MRZ parsing, one thread, the same zones with a letter O read for a digit in each (reported): {rate:.0} zones/s ({:.1} % read as valid)",
        valid * 100.0
    );

    // 2. Manifests at the hub.
    let dir = match dir {
        Some(dir) => tempfile::tempdir_in(dir)?,
        None => tempfile::tempdir()?,
    };
    let store = std::sync::Arc::new(SqliteStore::open(&dir.path().join("palermo.db"))?);
    let travellers_names = match &names {
        Some(files) => {
            crate::cases_load::seed_records(&store, 0, documents, 0)?;
            import_persons(&store, files.persons)?;
            Some(travellers_of(files.queries)?)
        }
        None => {
            crate::cases_load::seed_records(&store, persons, documents, 0)?;
            None
        }
    };
    let started = Instant::now();
    let hub = Hub::open_with(store, HubOptions::default())?;
    println!(
        "hub open with its indexes ({} persons, {} documents) in {:.1} s",
        hub.persons_indexed(),
        hub.index_stats().documents,
        started.elapsed().as_secs_f64()
    );
    let caller = Caller::local_operator(palermo_core::CountryCode::parse("ITA").expect("ITA"));
    // A stolen document the hub holds, and a person it holds, to plant among the travellers.
    let stolen = palermo_hub::demo::document(17, 3);
    let planted_document = (
        7usize,
        "Marco Bianchi".to_owned(),
        "800101".to_owned(),
        stolen.number.clone().unwrap_or_default(),
        stolen.issuing_country.clone().unwrap_or_default(),
    );
    let person: palermo_core::PersonInput = serde_json::from_value(serde_json::json!({
        "names": [{"given": "Oleksandr", "family": "Kovalenko"}], "birth_date": "1984-11-21",
        "sex": "M", "nationality": ["UKR"], "category": "wanted", "reported_date": "2026-01-05"}))?;
    hub.create_person(&caller, &person)?;
    let planted_person = (
        201usize,
        "Oleksandr Kovalenko".to_owned(),
        "841121".to_owned(),
        "UA1234567".to_owned(),
        "UKR".to_owned(),
    );
    let names_from = match &names {
        Some(files) => format!("travellers of {}", files.queries.display()),
        None => "travellers of syllables, as the persons".to_owned(),
    };
    println!("{names_from}");
    for (label, planted) in [
        ("no traveller on record (the usual flight)", Vec::new()),
        (
            "two travellers on record (a stolen passport, a wanted person)",
            vec![planted_document.clone(), planted_person.clone()],
        ),
    ] {
        let mut stream = Stream(0xA1_0000_0000_0042);
        let pool = travellers_names.as_deref();
        let texts: Vec<String> = (0..manifests)
            .map(|_| manifest(&mut stream, travellers, &planted, pool))
            .collect();
        let bytes = texts[0].len();
        let mut parse_times = Vec::with_capacity(manifests);
        let mut times = Vec::with_capacity(manifests);
        let mut hits = 0;
        for text in &texts {
            let started = Instant::now();
            let parsed = black_box(palermo_core::paxlst::parse(text.as_bytes(), today));
            parse_times.push(started.elapsed());
            assert_eq!(parsed.map(|m| m.travellers.len()).unwrap_or(0), travellers);
            let started = Instant::now();
            let report = hub.screen_manifest(&caller, text.as_bytes())?;
            times.push(started.elapsed());
            hits = report.hits;
        }
        parse_times.sort();
        times.sort();
        println!(
            "manifest of {travellers} travellers ({bytes} bytes), {label}: parse p50 {:.2} ms; parsed, screened, audited and stored at the hub p50 {:.1} / p99 {:.1} / max {:.1} ms over {manifests} manifests, one at a time ({hits} hits each)",
            ms(percentile(&parse_times, 0.5)),
            ms(percentile(&times, 0.5)),
            ms(percentile(&times, 0.99)),
            ms(*times.last().expect("measured")),
        );
    }
    Ok(())
}
