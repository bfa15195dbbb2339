//! The review rules' own time: validation and every rule over one request, as the hub runs
//! them for a reviewer's checklist or a form's dry run (the facts, read from the store by the
//! hub, are given here).

use std::time::Instant;

use palermo_core::notice::NoticeInput;
use palermo_core::notice::lifecycle::State;
use palermo_core::notice::rules::{self, Facts, OtherRequest, SubjectFacts};
use palermo_core::notice::{NoticeKind, RequestKind};
use palermo_core::{CountryCode, ValidationContext};

const CHARGES: [&str; 6] = [
    "trafficking in human beings",
    "sexual exploitation of children",
    "organised fraud and money laundering",
    "insulting the head of state",
    "unpaid debt to a private company",
    "smuggling of migrants",
];

/// A Red notice request, varied by `i`: its charge, its penalty, its description's length.
fn request(i: usize) -> NoticeInput {
    let description =
        "recruited, transported and housed persons for exploitation; ".repeat(1 + i % 20);
    serde_json::from_value(serde_json::json!({
        "kind": "red",
        "person": 1 + i as i64,
        "summary": format!("request {i}"),
        "warrants": [{
            "kind": if i.is_multiple_of(3) { "court_decision" } else { "arrest_warrant" },
            "charge": CHARGES[i % CHARGES.len()],
            "description": description,
            "reference": format!("REF-{i}"),
            "date": "2025-06-01",
            "authority": "Tribunal judiciaire de Paris",
            "issuing_country": "FRA",
            "max_penalty_months": 6 + (i % 200) as u32,
            "sentence_months": 36,
            "sentence_remaining_months": (i % 24) as u32
        }]
    }))
    .expect("a well-formed request")
}

pub fn run(requests: usize) -> anyhow::Result<()> {
    let context = ValidationContext {
        today: palermo_core::date::parse_date("2026-12-01").map_err(anyhow::Error::msg)?,
        default_owner: CountryCode::parse("FRA").expect("FRA"),
        prefix: "",
    };
    // Other requests about the person, none of them a live Red one (the duplicates rule
    // reads them all and passes).
    let others = [
        OtherRequest {
            id: 1,
            kind: RequestKind::Notice(NoticeKind::Red),
            state: State::Cancelled,
        },
        OtherRequest {
            id: 2,
            kind: RequestKind::Notice(NoticeKind::Yellow),
            state: State::Published,
        },
    ];
    let facts = Facts {
        subject: Some(SubjectFacts {
            family_name: true,
            forename: true,
            sex: true,
            birth_date: true,
            photo: false,
        }),
        others: &others,
    };
    let inputs: Vec<NoticeInput> = (0..requests).map(request).collect();
    let mut nanos = Vec::with_capacity(requests);
    let mut not_passed = 0usize;
    let started = Instant::now();
    for input in &inputs {
        let one = Instant::now();
        let valid = input.validate(context).is_ok();
        let checklist = rules::evaluate(input, &facts);
        nanos.push(one.elapsed().as_nanos() as u64);
        if !valid || !checklist.passed() {
            not_passed += 1;
        }
    }
    let elapsed = started.elapsed();
    nanos.sort_unstable();
    let at =
        |q: f64| nanos[((nanos.len() as f64 * q) as usize).min(nanos.len() - 1)] as f64 / 1000.0;
    println!("## notice rules: validation and every rule over one Red request, one thread");
    println!(
        "{requests} requests in {:.2} s: {:.0}/s; p50 {:.1} µs, p99 {:.1} µs, max {:.1} µs; {not_passed} with a rule not passed",
        elapsed.as_secs_f64(),
        requests as f64 / elapsed.as_secs_f64(),
        at(0.50),
        at(0.99),
        *nanos.last().unwrap_or(&0) as f64 / 1000.0,
    );
    Ok(())
}
