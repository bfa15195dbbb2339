//! The web application's pages against a running demo hub on loopback: each page fetched by
//! a signed-in person (the real path: cookie session, the hub's use cases, audited), one
//! request at a time, and the check page's answers (a check that finds nothing, as 9,998
//! checks in 10,000 at a border do, and one that hits). Reports p50, p99 and the slowest per
//! page: the time from the request to the last byte, on loopback (so the server's time and a
//! few tens of microseconds of transport).

use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use serde_json::{Value, json};

fn agent() -> ureq::Agent {
    ureq::Agent::config_builder()
        .http_status_as_error(false)
        .max_redirects(0)
        .timeout_global(Some(Duration::from_secs(60)))
        .build()
        .into()
}

struct Session {
    cookie: String,
    csrf: String,
}

fn sign_in(url: &str, credentials: &Value, username: &str) -> anyhow::Result<Session> {
    let person = credentials["people"]
        .as_array()
        .and_then(|people| people.iter().find(|p| p["username"] == username))
        .with_context(|| format!("no demo person {username}"))?;
    let secret = person["totp_secret"].as_str().unwrap_or_default();
    let code = palermo_hub::totp_now(secret).context("a bad TOTP secret")?;
    let answer = agent()
        .post(format!("{url}/api/v1/sessions"))
        .send_json(json!({"username": username, "password": person["password"], "code": code}))?;
    if answer.status() != 201 {
        bail!("{username} could not sign in: {}", answer.status());
    }
    let body: Value = answer.into_body().read_json()?;
    let token = body["token"].as_str().unwrap_or_default();
    let cookie = format!("__Host-palermo={token}");
    let page = agent()
        .get(format!("{url}/account"))
        .header("Cookie", &cookie)
        .call()?
        .into_body()
        .read_to_string()?;
    let marker = r#"name="csrf" value=""#;
    let at = page.find(marker).context("no form token on /account")? + marker.len();
    Ok(Session {
        cookie,
        csrf: page[at..at + 32].to_owned(),
    })
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    sorted[((sorted.len() as f64 - 1.0) * p).round() as usize]
}

fn report(name: &str, mut times: Vec<Duration>, bytes: usize) {
    times.sort();
    println!(
        "| {name} | {} | {:.2} | {:.2} | {:.2} | {:.0} |",
        times.len(),
        percentile(&times, 0.5).as_secs_f64() * 1e3,
        percentile(&times, 0.99).as_secs_f64() * 1e3,
        times.last().copied().unwrap_or_default().as_secs_f64() * 1e3,
        bytes as f64 / 1024.0
    );
}

fn get(
    url: &str,
    session: Option<&Session>,
    path: &str,
    rounds: usize,
) -> anyhow::Result<(Vec<Duration>, usize)> {
    let agent = agent();
    let mut times = Vec::with_capacity(rounds);
    let mut bytes = 0;
    for _ in 0..rounds {
        let started = Instant::now();
        let mut request = agent.get(format!("{url}{path}"));
        if let Some(session) = session {
            request = request.header("Cookie", &session.cookie);
        }
        let response = request.call()?;
        let status = response.status().as_u16();
        let body = response.into_body().read_to_string()?;
        times.push(started.elapsed());
        if status != 200 {
            bail!("{path}: {status}");
        }
        bytes = body.len();
    }
    Ok((times, bytes))
}

fn encode(text: &str) -> String {
    text.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

/// A check posted from the check page: each round one number, with the page's answer.
fn check(
    url: &str,
    session: &Session,
    numbers: &[(String, String)],
) -> anyhow::Result<(Vec<Duration>, usize)> {
    let agent = agent();
    let mut times = Vec::with_capacity(numbers.len());
    let mut bytes = 0;
    for (number, country) in numbers {
        let body = format!(
            "csrf={}&q={}&country={}&kind=auto",
            session.csrf,
            encode(number),
            encode(country)
        );
        let started = Instant::now();
        let response = agent
            .post(format!("{url}/check"))
            .header("Cookie", &session.cookie)
            .header("Content-Type", "application/x-www-form-urlencoded")
            .header("Sec-Fetch-Site", "same-origin")
            .send(body.as_bytes())?;
        let status = response.status().as_u16();
        let text = response.into_body().read_to_string()?;
        times.push(started.elapsed());
        if status != 200 || !text.contains("class=\"verdict") {
            bail!("check of {number}: {status}");
        }
        bytes = text.len();
    }
    Ok((times, bytes))
}

pub fn run(url: &str, credentials: &str, rounds: usize) -> anyhow::Result<()> {
    let credentials: Value = serde_json::from_slice(
        &std::fs::read(credentials).with_context(|| format!("cannot read {credentials}"))?,
    )?;
    let operator = sign_in(url, &credentials, "fra.operator")?;
    let reviewer = sign_in(url, &credentials, "sg.reviewer")?;
    let auditor = sign_in(url, &credentials, "sg.auditor")?;
    let admin = sign_in(url, &credentials, "sg.admin")?;
    println!("| page | requests | p50 ms | p99 ms | max ms | KiB |");
    println!("|---|---:|---:|---:|---:|---:|");
    let pages: &[(&Session, &str)] = &[
        (&operator, "/check"),
        (&operator, "/hits"),
        (&operator, "/messages"),
        (&operator, "/records"),
        (&operator, "/records/documents/1"),
        (&operator, "/notices"),
        (&operator, "/notices/new"),
        (&operator, "/notices/1"),
        (&operator, "/cases"),
        (&operator, "/cases/1"),
        (&operator, "/warnings"),
        (&reviewer, "/statistics"),
        (&reviewer, "/notices?state=submitted"),
        (&auditor, "/audit"),
        (&admin, "/admin"),
    ];
    for (session, path) in pages {
        // A page this demo lacks (no record 1 of France's) is left out, not counted.
        match get(url, Some(session), path, rounds) {
            Ok((times, bytes)) => report(&format!("GET {path}"), times, bytes),
            Err(error) => println!("| GET {path} | skipped: {error} | | | | |"),
        }
    }
    // The public search is rate-limited per address (as the public service): a few rounds.
    let (times, bytes) = get(url, None, "/public", rounds.min(20))?;
    report("GET /public (no session)", times, bytes);
    let (times, bytes) = get(url, None, "/assets/app.css", rounds)?;
    report("GET /assets/app.css", times, bytes);
    // Numbers no record has: the border's usual answer.
    let absent: Vec<(String, String)> = (0..rounds)
        .map(|i| (format!("ZQ{:07}", 1_000_000 + i), "FRA".to_owned()))
        .collect();
    let (times, bytes) = check(url, &operator, &absent)?;
    report("POST /check, no hit", times, bytes);
    let hit = &credentials["examples"]["document_hit"];
    let hits: Vec<(String, String)> = (0..rounds.min(200))
        .map(|_| {
            (
                hit["number"].as_str().unwrap_or_default().to_owned(),
                hit["issuing_country"]
                    .as_str()
                    .unwrap_or_default()
                    .to_owned(),
            )
        })
        .collect();
    let (times, bytes) = check(url, &operator, &hits)?;
    report("POST /check, hit", times, bytes);
    Ok(())
}
