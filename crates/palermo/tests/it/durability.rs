//! Crash durability: a write the API acknowledged survives kill -9 of the hub.

use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde_json::{Value, json};

use crate::support::{Client, Server};

/// Rounds of write, SIGKILL at a random moment, restart, verify.
const ROUNDS: usize = 12;

fn random_below(n: u64) -> u64 {
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .subsec_nanos() as u64;
    (nanos.wrapping_mul(6364136223846793005) >> 33) % n
}

#[test]
fn acknowledged_writes_survive_kill_9() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let acknowledged: Arc<Mutex<Vec<(i64, String)>>> = Arc::default();
    for round in 0..ROUNDS {
        let mut server = Server::start(
            &data,
            &["--demo", "--demo-documents", "100", "--demo-vehicles", "0"],
        );
        let client = server.client("FRA");
        verify(&client, &acknowledged.lock().unwrap());

        let writer = {
            let client = Client {
                base: client.base.clone(),
                key: client.key.clone(),
            };
            let acknowledged = acknowledged.clone();
            std::thread::spawn(move || {
                for n in 0.. {
                    let number = format!("KILL{round:02}X{n:05}");
                    let body = json!({"number": number, "issuing_country": "FRA", "type": "P", "status": "stolen", "reported_date": "2025-01-01"});
                    let url = format!("{}/api/v1/documents", client.base);
                    let sent = ureq::post(&url)
                        .header(
                            "Authorization",
                            format!("Bearer {}", client.key.as_deref().unwrap()),
                        )
                        .send_json(&body);
                    match sent {
                        Ok(mut response) if response.status() == 201 => {
                            let created: Value = response.body_mut().read_json().unwrap();
                            acknowledged
                                .lock()
                                .unwrap()
                                .push((created["id"].as_i64().unwrap(), number));
                        }
                        // The hub died under us: whatever was not acknowledged may be lost.
                        _ => return,
                    }
                }
            })
        };
        std::thread::sleep(Duration::from_millis(30 + random_below(250)));
        server.kill();
        writer.join().unwrap();
    }
    let server = Server::start(&data, &["--demo"]);
    let acknowledged = acknowledged.lock().unwrap();
    assert!(
        acknowledged.len() > ROUNDS,
        "the test wrote too little to mean anything: {}",
        acknowledged.len()
    );
    verify(&server.client("FRA"), &acknowledged);
}

/// Every acknowledged document is stored and found by a check.
fn verify(client: &Client, acknowledged: &[(i64, String)]) {
    for chunk in acknowledged.chunks(1000) {
        let queries: Vec<Value> = chunk
            .iter()
            .map(|(_, n)| json!({"number": n, "issuing_country": "FRA"}))
            .collect();
        let answer = client.post("/api/v1/checks/documents", &json!({"documents": queries}));
        assert_eq!(answer.status, 200, "{}", answer.text);
        for ((id, number), result) in chunk.iter().zip(answer.body["results"].as_array().unwrap()) {
            assert_eq!(
                result["match"], "exact",
                "acknowledged document {number} was lost"
            );
            assert_eq!(result["matches"][0]["record_id"], *id);
        }
    }
}
