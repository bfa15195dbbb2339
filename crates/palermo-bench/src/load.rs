//! Measurements against a running hub on loopback: many anonymous sign-ins at once (what they
//! cost the hub in memory, and how they are answered), and webhook deliveries to a healthy
//! national system while another one stalls.

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Barrier, Mutex};
use std::time::{Duration, Instant};

use anyhow::Context;
use serde_json::{Value, json};

fn agent() -> ureq::Agent {
    ureq::Agent::config_builder()
        .http_status_as_error(false)
        .timeout_global(Some(Duration::from_secs(60)))
        .build()
        .into()
}

/// The resident memory of process `pid`, in KiB.
fn rss_kib(pid: u32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    status
        .lines()
        .find(|line| line.starts_with("VmRSS:"))?
        .split_whitespace()
        .nth(1)?
        .parse()
        .ok()
}

pub fn signins(url: &str, pid: u32, concurrency: usize) -> anyhow::Result<()> {
    let before = rss_kib(pid).context("cannot read the hub's memory (is --pid right?)")?;
    let peak = Arc::new(AtomicU64::new(before));
    let running = Arc::new(AtomicBool::new(true));
    let sampler = {
        let (peak, running) = (peak.clone(), running.clone());
        std::thread::spawn(move || {
            while running.load(Ordering::Relaxed) {
                if let Some(rss) = rss_kib(pid) {
                    peak.fetch_max(rss, Ordering::Relaxed);
                }
                std::thread::sleep(Duration::from_millis(5));
            }
        })
    };
    let start = Arc::new(Barrier::new(concurrency));
    let statuses = Arc::new(Mutex::new(HashMap::<u16, usize>::new()));
    let started = Instant::now();
    let threads: Vec<_> = (0..concurrency)
        .map(|i| {
            let (start, statuses, url) = (start.clone(), statuses.clone(), url.to_owned());
            std::thread::spawn(move || {
                let agent = agent();
                start.wait();
                let body = json!({"username": format!("nobody{i}"),
                    "password": format!("a wrong password {i}"), "code": "123456"});
                let status = agent
                    .post(format!("{url}/api/v1/sessions"))
                    .send_json(&body)
                    .map(|response| response.status().as_u16())
                    .unwrap_or(0);
                *statuses.lock().expect("lock").entry(status).or_default() += 1;
            })
        })
        .collect();
    for thread in threads {
        thread.join().expect("no panic");
    }
    let elapsed = started.elapsed();
    std::thread::sleep(Duration::from_millis(200));
    running.store(false, Ordering::Relaxed);
    sampler.join().expect("no panic");
    let after = rss_kib(pid).unwrap_or(0);
    let mut answers: Vec<(u16, usize)> =
        statuses.lock().expect("lock").clone().into_iter().collect();
    answers.sort();
    println!(
        "{concurrency} anonymous sign-ins at once: answered in {:.2} s; answers {answers:?}; hub RSS {} MiB before, peak {} MiB, {} MiB after",
        elapsed.as_secs_f64(),
        before / 1024,
        peak.load(Ordering::Relaxed) / 1024,
        after / 1024
    );
    Ok(())
}

/// A receiver on loopback: `stall` holds every connection without answering; otherwise each
/// delivery is answered 200 and its message's subject and arrival time recorded.
fn receiver(stall: bool, arrivals: Arc<Mutex<HashMap<String, Instant>>>) -> anyhow::Result<String> {
    let listener = TcpListener::bind("127.0.0.1:0")?;
    let url = format!("http://{}/hook", listener.local_addr()?);
    std::thread::spawn(move || {
        let mut held = Vec::new();
        for stream in listener.incoming().flatten() {
            if stall {
                held.push(stream);
                continue;
            }
            let mut stream = stream;
            let Ok(clone) = stream.try_clone() else {
                continue;
            };
            let mut reader = BufReader::new(clone);
            let mut length = 0usize;
            loop {
                let mut line = String::new();
                if reader.read_line(&mut line).unwrap_or(0) == 0 || line == "\r\n" {
                    break;
                }
                if let Some(value) = line.to_ascii_lowercase().strip_prefix("content-length:") {
                    length = value.trim().parse().unwrap_or(0);
                }
            }
            let mut body = vec![0; length];
            let _ = reader.read_exact(&mut body);
            let now = Instant::now();
            if let Ok(delivery) = serde_json::from_slice::<Value>(&body)
                && let Some(subject) = delivery["message"]["subject"].as_str()
            {
                arrivals
                    .lock()
                    .expect("lock")
                    .insert(subject.to_owned(), now);
            }
            let _ = write!(
                stream,
                "HTTP/1.1 200 OK\r\ncontent-length: 0\r\nconnection: close\r\n\r\n"
            );
        }
    });
    Ok(url)
}

pub fn webhook_delay(
    url: &str,
    admin_token: &str,
    key: &str,
    messages: usize,
) -> anyhow::Result<()> {
    let agent = agent();
    let arrivals = Arc::new(Mutex::new(HashMap::new()));
    let stalled = receiver(true, arrivals.clone())?;
    let healthy = receiver(false, arrivals.clone())?;
    for (org, target) in [("DEU", &stalled), ("ITA", &healthy)] {
        let answer = agent
            .put(format!("{url}/api/v1/admin/webhooks/{org}"))
            .header("Authorization", format!("Bearer {admin_token}"))
            .send_json(json!({"url": target}))?;
        anyhow::ensure!(
            answer.status().is_success(),
            "setting {org}'s webhook: {}",
            answer.status()
        );
    }
    let send = |to: &str, subject: &str| -> anyhow::Result<Instant> {
        let sent = Instant::now();
        let answer = agent
            .post(format!("{url}/api/v1/messages"))
            .header("Authorization", format!("Bearer {key}"))
            .send_json(json!({"to": [to], "subject": subject, "body": "a lead on a case"}))?;
        anyhow::ensure!(answer.status().is_success(), "sending: {}", answer.status());
        Ok(sent)
    };
    for i in 0..messages {
        send("DEU", &format!("to the stalled receiver {i}"))?;
    }
    let mut sent = Vec::new();
    for i in 0..messages {
        let subject = format!("to the healthy receiver {i}");
        sent.push((subject.clone(), send("ITA", &subject)?));
        std::thread::sleep(Duration::from_millis(50));
    }
    let deadline = Instant::now() + Duration::from_secs(120);
    let mut delays: Vec<f64> = Vec::new();
    while Instant::now() < deadline {
        let arrived = arrivals.lock().expect("lock").clone();
        if sent
            .iter()
            .all(|(subject, _)| arrived.contains_key(subject))
        {
            delays = sent
                .iter()
                .map(|(subject, at)| arrived[subject].duration_since(*at).as_secs_f64() * 1000.0)
                .collect();
            break;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    anyhow::ensure!(
        !delays.is_empty(),
        "the healthy receiver did not get every message in 120 s"
    );
    delays.sort_by(|a, b| a.partial_cmp(b).unwrap_or(std::cmp::Ordering::Equal));
    let at = |p: f64| delays[((delays.len() as f64 * p) as usize).min(delays.len() - 1)];
    println!(
        "webhook delivery to a healthy receiver while another stalls ({messages} messages queued to the stalled one first, then {messages} to the healthy one): delay p50 {:.0} ms, p90 {:.0} ms, max {:.0} ms",
        at(0.5),
        at(0.9),
        delays[delays.len() - 1]
    );
    Ok(())
}
