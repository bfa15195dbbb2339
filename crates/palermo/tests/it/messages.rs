//! Messages between bureaus end to end: receipts, threads, attachments, bad input, and
//! delivery to a national system's webhook (signed, retried, idempotent).

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use base64::Engine;
use serde_json::{Value, json};

use crate::support::{Server, palermo};

fn b64(bytes: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

#[test]
fn bureaus_exchange_messages_with_receipts_threads_and_attachments() {
    let server = Server::demo();
    let fra = server.client("FRA");
    let deu = server.client("DEU");
    let ita = server.client("ITA");
    let scan: Vec<u8> = (0..=255u8).cycle().take(70_000).collect();
    let sent = fra.post(
        "/api/v1/messages",
        &json!({
            "to": ["DEU", "EUROPOL"],
            "subject": "Passport P1234567 seized",
            "body": "Seized at Strasbourg.\nPlease confirm the report.",
            "priority": "urgent",
            "handling": "H2",
            "references": [{"kind": "document", "id": 1}],
            "attachments": [{"name": "scan.png", "content_type": "image/png", "data": b64(&scan)}],
        }),
    );
    assert_eq!(sent.status, 201, "{}", sent.text);
    let id = sent.body["id"].as_i64().unwrap();
    assert_eq!(sent.body["to"][0]["read_at"], Value::Null);
    let attachment = &sent.body["attachments"][0];
    assert_eq!(attachment["size"], 70_000);

    let inbox = deu.get("/api/v1/messages?box=inbox");
    assert_eq!(inbox.body["messages"][0]["id"], id, "{}", inbox.text);
    assert_eq!(ita.get("/api/v1/messages").body["messages"], json!([]));
    ita.get(&format!("/api/v1/messages/{id}")).problem(404);

    let read = deu.get(&format!("/api/v1/messages/{id}"));
    assert_eq!(read.status, 200, "{}", read.text);
    assert_eq!(
        read.body["body"],
        "Seized at Strasbourg.\nPlease confirm the report."
    );
    let outbox = fra.get("/api/v1/messages?box=outbox").body["messages"][0].clone();
    assert!(outbox["to"][0]["read_at"].is_string(), "{outbox}");
    assert_eq!(
        outbox["to"][1]["read_at"],
        Value::Null,
        "EUROPOL has not read it"
    );

    let file_path = format!(
        "/api/v1/messages/{id}/attachments/{}",
        attachment["id"].as_i64().unwrap()
    );
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .build()
        .into();
    let mut file = agent
        .get(format!("{}{file_path}", server.url))
        .header("Authorization", format!("Bearer {}", server.key("DEU")))
        .call()
        .unwrap();
    assert_eq!(file.status(), 200);
    assert_eq!(file.headers()["content-type"], "image/png");
    let mut bytes = Vec::new();
    file.body_mut()
        .with_config()
        .limit(10 << 20)
        .reader()
        .read_to_end(&mut bytes)
        .unwrap();
    assert_eq!(bytes, scan);
    ita.get(&file_path).problem(404);

    assert_eq!(
        deu.post(&format!("/api/v1/messages/{id}/acknowledge"), &json!({}))
            .status,
        200
    );
    deu.post(&format!("/api/v1/messages/{id}/acknowledge"), &json!({}))
        .problem(409);
    fra.post(&format!("/api/v1/messages/{id}/acknowledge"), &json!({}))
        .problem(403);
    let acknowledged = fra.get(&format!("/api/v1/messages/{id}"));
    assert!(acknowledged.body["to"][0]["acknowledged_at"].is_string());

    let reply = deu.post(
        "/api/v1/messages",
        &json!({"to": ["FRA"], "subject": "Re: Passport P1234567", "body": "Confirmed.",
            "in_reply_to": id}),
    );
    assert_eq!(reply.status, 201, "{}", reply.text);
    let thread = fra.get(&format!("/api/v1/messages/{id}/thread"));
    let ids: Vec<i64> = thread.body["messages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["id"].as_i64().unwrap())
        .collect();
    assert_eq!(ids, [id, reply.body["id"].as_i64().unwrap()]);
    // A reply to a message one may not see is refused as if it did not exist.
    let fields = ita
        .post(
            "/api/v1/messages",
            &json!({"to": ["FRA"], "subject": "x", "body": "y", "in_reply_to": id}),
        )
        .problem(422);
    assert_eq!(fields, ["in_reply_to"]);
}

#[test]
fn bad_messages_are_refused_with_the_field_named() {
    let server = Server::demo();
    let fra = server.client("FRA");
    let fields = fra
        .post(
            "/api/v1/messages",
            &json!({
                "to": ["DEU", "XXXX", "DEU"],
                "subject": "bad\u{7}subject",
                "body": "  ",
                "priority": "whenever",
                "handling": "H9",
                "references": [{"kind": "planet", "id": 0}],
                "attachments": [
                    {"name": "../etc/passwd", "data": "AAAA"},
                    {"name": "x.bin", "content_type": "image/png", "data": "not base64!"},
                    {"name": "y.bin"}
                ],
            }),
        )
        .problem(422);
    for field in [
        "to[1]",
        "to[2]",
        "subject",
        "body",
        "priority",
        "handling",
        "references[0].kind",
        "references[0].id",
        "attachments[0].name",
        "attachments[1].data",
        "attachments[2].data",
    ] {
        assert!(fields.iter().any(|f| f == field), "{field} in {fields:?}");
    }
    let big = vec![0u8; 5 * 1024 * 1024 + 1];
    let fields = fra
        .post(
            "/api/v1/messages",
            &json!({"to": ["DEU"], "subject": "big", "body": "b",
                "attachments": [{"name": "big.bin", "data": b64(&big)}]}),
        )
        .problem(422);
    assert_eq!(fields, ["attachments[0].data"]);
    let huge = "A".repeat(13 * 1024 * 1024);
    fra.expect_too_large(
        "/api/v1/messages",
        format!(r#"{{"to":["DEU"],"subject":"s","body":"{huge}"}}"#).into_bytes(),
    );
    let frontline = server.anonymous();
    frontline
        .post("/api/v1/messages", &json!({"to": ["DEU"]}))
        .problem(401);
}

/// What a delivery carried: its signature, its idempotency key and its body.
type Received = (String, String, Vec<u8>);

/// A national system's endpoint on loopback: records every request, and fails the first.
struct Receiver {
    url: String,
    requests: Arc<Mutex<Vec<Received>>>,
}

fn receiver() -> Receiver {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}/palermo", listener.local_addr().unwrap());
    let requests: Arc<Mutex<Vec<Received>>> = Arc::default();
    let seen = requests.clone();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let mut stream = stream.unwrap();
            let mut reader = BufReader::new(stream.try_clone().unwrap());
            let (mut signature, mut key, mut length) = (String::new(), String::new(), 0usize);
            loop {
                let mut line = String::new();
                if reader.read_line(&mut line).unwrap() == 0 || line == "\r\n" {
                    break;
                }
                let lower = line.to_ascii_lowercase();
                let value = line.split_once(':').map(|(_, v)| v.trim().to_owned());
                if lower.starts_with("palermo-signature:") {
                    signature = value.unwrap();
                } else if lower.starts_with("idempotency-key:") {
                    key = value.unwrap();
                } else if lower.starts_with("content-length:") {
                    length = value.unwrap().parse().unwrap();
                }
            }
            let mut body = vec![0; length];
            reader.read_exact(&mut body).unwrap();
            let first = {
                let mut requests = seen.lock().unwrap();
                requests.push((signature, key, body));
                requests.len() == 1
            };
            let status = if first {
                "503 Service Unavailable"
            } else {
                "200 OK"
            };
            let _ = write!(
                stream,
                "HTTP/1.1 {status}\r\ncontent-length: 0\r\nconnection: close\r\n\r\n"
            );
        }
    });
    Receiver { url, requests }
}

#[test]
fn messages_reach_a_national_webhook_signed_and_retried() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let server = Server::start(
        &data,
        &["--demo", "--demo-documents", "10", "--demo-vehicles", "0"],
    );
    let credentials = server.credentials();
    let mut server = server;
    server.kill();
    let national = receiver();
    // A loopback receiver over plain http: refused unless the operator allows it.
    let refused = palermo()
        .args(["admin", "set-webhook", "DEU", &national.url, "--data"])
        .arg(&data)
        .output()
        .unwrap();
    assert!(!refused.status.success(), "{refused:?}");
    let set = palermo()
        .args([
            "admin",
            "set-webhook",
            "DEU",
            &national.url,
            "--webhook-allow",
            "127.0.0.1",
        ])
        .arg("--data")
        .arg(&data)
        .output()
        .unwrap();
    assert!(set.status.success(), "{set:?}");
    let secret = hex::decode(String::from_utf8_lossy(&set.stdout).trim()).unwrap();
    let bad = palermo()
        .args(["admin", "set-webhook", "DEU", "ftp://x", "--data"])
        .arg(&data)
        .output()
        .unwrap();
    assert!(!bad.status.success());

    let server = Server::start(
        &data,
        &[
            "--hit-deadline-hours",
            "0",
            "--audit-head-interval",
            "1",
            "--webhook-allow",
            "127.0.0.1",
        ],
    );
    let fra_key = credentials["bureaus"]
        .as_array()
        .unwrap()
        .iter()
        .find(|b| b["code"] == "FRA")
        .unwrap()["api_key"]
        .as_str()
        .unwrap()
        .to_owned();
    let note = dir.path().join("note.txt");
    std::fs::write(&note, "case file attached").unwrap();
    let sent = palermo()
        .args(["message", "send", "--hub", &server.url, "--key", &fra_key])
        .args([
            "--to",
            "DEU",
            "--subject",
            "Hello Wiesbaden",
            "--body",
            "See attached.",
        ])
        .args([
            "--priority",
            "immediate",
            "--reference",
            "document:3",
            "--attach",
        ])
        .arg(&note)
        .output()
        .unwrap();
    assert!(sent.status.success(), "{sent:?}");
    let id: i64 = String::from_utf8_lossy(&sent.stdout)
        .trim()
        .parse()
        .unwrap();

    // A hit notifies the checking bureau's system too, and again when left unanswered past
    // its deadline (zero hours here).
    let fra = server.anonymous().with_key(&fra_key);
    let record = fra.post(
        "/api/v1/documents",
        &json!({"number": "HOOK12345", "issuing_country": "FRA", "type": "P",
            "status": "stolen", "reported_date": "2026-01-10"}),
    );
    assert_eq!(record.status, 201, "{}", record.text);
    let deu_key = credentials["bureaus"]
        .as_array()
        .unwrap()
        .iter()
        .find(|b| b["code"] == "DEU")
        .unwrap()["api_key"]
        .as_str()
        .unwrap()
        .to_owned();
    let hit = server
        .anonymous()
        .with_key(&deu_key)
        .get("/api/v1/checks/documents?number=HOOK12345&country=FRA");
    assert_eq!(hit.body["hit"], true);

    let deadline = Instant::now() + Duration::from_secs(20);
    while national.requests.lock().unwrap().len() < 4 && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(100));
    }
    let all = national.requests.lock().unwrap().clone();
    let kind = |body: &[u8]| serde_json::from_slice::<Value>(body).unwrap()["type"].clone();
    let requests: Vec<Received> = all
        .iter()
        .filter(|r| kind(&r.2) == "message")
        .cloned()
        .collect();
    assert_eq!(requests.len(), 2, "the failed first delivery is retried");
    let hits: Vec<Value> = all
        .iter()
        .filter(|r| kind(&r.2) != "message")
        .map(|r| serde_json::from_slice(&r.2).unwrap())
        .collect();
    let mut kinds: Vec<&str> = hits.iter().map(|h| h["type"].as_str().unwrap()).collect();
    kinds.sort();
    assert_eq!(kinds, ["hit", "hit-overdue"], "{hits:?}");
    for hit in &hits {
        assert_eq!(hit["hit"]["checking_org"], "DEU");
        assert_eq!(hit["hit"]["to_answer"], false, "DEU checked; FRA answers");
    }
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64;
    for (signature, key, body) in &requests {
        assert!(
            palermo_hub::verify_webhook(&secret, signature, body, now, 300),
            "{signature}"
        );
        assert!(!palermo_hub::verify_webhook(
            b"forged", signature, body, now, 300
        ));
        assert_eq!(key, &requests[0].1, "one idempotency key across retries");
        let payload: Value = serde_json::from_slice(body).unwrap();
        assert_eq!(payload["message"]["id"], id);
        assert_eq!(payload["message"]["subject"], "Hello Wiesbaden");
        assert_eq!(payload["message"]["priority"], "immediate");
        assert_eq!(payload["message"]["attachments"][0]["name"], "note.txt");
        assert_eq!(payload["idempotency_key"], key.as_str());
    }
    let mut tampered = requests[0].2.clone();
    tampered[10] ^= 1;
    assert!(!palermo_hub::verify_webhook(
        &secret,
        &requests[0].0,
        &tampered,
        now,
        300
    ));
}
