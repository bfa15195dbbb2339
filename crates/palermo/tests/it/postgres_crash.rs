//! A hub on PostgreSQL whose server crashes and comes back while it writes: acknowledged writes
//! survive, the hub refuses what it cannot make durable (503, `Retry-After`), never answers
//! wrongly, and reconnects by itself. Runs on a cluster of its own (it restarts the server).

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use palermo_store::postgres::testing::{HUB_ROLE, TestDatabase};
use serde_json::{Value, json};

use crate::support::{Client, Server, palermo};

#[test]
fn a_postgresql_crash_loses_no_acknowledged_write_and_the_hub_reconnects_by_itself() {
    let database = TestDatabase::throwaway();
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let url = database.fresh_schema_url();
    let mut server = Server::start(
        &data,
        &[
            "--demo",
            "--demo-documents",
            "100",
            "--demo-vehicles",
            "0",
            "--database",
            &url,
        ],
    );
    let client = server.client("FRA");
    let acknowledged: Arc<Mutex<Vec<String>>> = Arc::default();
    let refused: Arc<Mutex<Vec<(u16, bool, String)>>> = Arc::default();
    let stop = Arc::new(AtomicBool::new(false));
    let writer = {
        let client = Client {
            base: client.base.clone(),
            key: client.key.clone(),
        };
        let (acknowledged, refused, stop) = (acknowledged.clone(), refused.clone(), stop.clone());
        std::thread::spawn(move || {
            for n in 0.. {
                if stop.load(Ordering::Relaxed) {
                    return;
                }
                let number = format!("CRASH{n:06}");
                let answer = client.post(
                    "/api/v1/documents",
                    &json!({"number": number, "issuing_country": "FRA", "type": "P",
                            "status": "stolen", "reported_date": "2025-01-01"}),
                );
                match answer.status {
                    201 => acknowledged.lock().unwrap().push(number),
                    status => {
                        refused.lock().unwrap().push((
                            status,
                            answer.retry_after.is_some(),
                            answer.text,
                        ));
                        std::thread::sleep(Duration::from_millis(20));
                    }
                }
            }
        })
    };
    std::thread::sleep(Duration::from_millis(400));
    database.restart_immediately();
    // Back: the hub writes again without being restarted.
    let before = acknowledged.lock().unwrap().len();
    let deadline = std::time::Instant::now() + Duration::from_secs(20);
    while acknowledged.lock().unwrap().len() < before + 20 {
        assert!(
            std::time::Instant::now() < deadline,
            "the hub did not write again after the server came back: {:?}",
            refused.lock().unwrap()
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    stop.store(true, Ordering::Relaxed);
    writer.join().unwrap();

    let refused = refused.lock().unwrap();
    assert!(!refused.is_empty(), "the server's restart went unnoticed");
    for (status, retry_after, text) in refused.iter() {
        assert!(
            *status == 503 && *retry_after,
            "a write the hub could not make durable is a 503 with Retry-After, not {status}"
        );
        for word in ["postgres", "/tmp", "socket", "FATAL"] {
            assert!(!text.contains(word), "the client read {word:?}: {text}");
        }
    }
    // Every acknowledged write is there, for the running hub and for a new one.
    let acknowledged = acknowledged.lock().unwrap().clone();
    assert!(acknowledged.len() > 20, "{}", acknowledged.len());
    let deu = server.client("DEU");
    let found = |deu: &Client| {
        for number in &acknowledged {
            let answer: Value = deu
                .get(&format!(
                    "/api/v1/checks/documents?number={number}&country=FRA"
                ))
                .body;
            assert_eq!(answer["hit"], true, "{number}: {answer}");
        }
    };
    found(&deu);
    server.kill();
    let server = Server::start(&data, &[]);
    found(&server.client("DEU"));
    drop(server);
    let verified = palermo()
        .args(["audit", "verify", "--data"])
        .arg(&data)
        .output()
        .unwrap();
    assert!(verified.status.success(), "{verified:?}");
}

/// While PostgreSQL is away, the hub goes on answering checks from its index: their audit
/// entries wait, durably, in the data directory's spool (each answer still waits for its entry)
/// and reach the database, in the order of the checks, once it is back: replayed by the running
/// hub, or by the next one after a kill. Writes are refused meanwhile (503, `Retry-After`).
#[test]
fn checks_go_on_while_postgresql_is_away_and_their_entries_reach_it_after() {
    let database = TestDatabase::throwaway();
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let url = database.fresh_schema_url();
    let mut server = Server::start(
        &data,
        &[
            "--demo",
            "--demo-documents",
            "100",
            "--demo-vehicles",
            "0",
            "--database",
            &url,
        ],
    );
    let checks = |server: &Server, numbers: std::ops::Range<u32>| {
        let deu = server.client("DEU");
        for n in numbers {
            let answer = deu.get(&format!(
                "/api/v1/checks/documents?number=AWAY{n:05}&country=FRA"
            ));
            assert_eq!(answer.status, 200, "check {n}: {}", answer.text);
            assert_eq!(answer.body["hit"], false, "check {n}");
        }
    };
    // The entries of checks AWAY… in the database, in the order of the trail.
    let recorded = || -> Vec<String> {
        let mut client = crate::support::postgres_of(&data);
        client
            .query(
                "SELECT substring(payload from 'AWAY[0-9]+') FROM audit
                 WHERE action = 'check.documents' AND payload LIKE '%AWAY%' ORDER BY seq",
                &[],
            )
            .unwrap()
            .iter()
            .map(|row| row.get(0))
            .collect()
    };
    let wait_for = |count: usize| {
        let deadline = std::time::Instant::now() + Duration::from_secs(20);
        loop {
            let found = recorded();
            if found.len() >= count {
                return found;
            }
            assert!(
                std::time::Instant::now() < deadline,
                "{} of {count} entries reached the database",
                found.len()
            );
            std::thread::sleep(Duration::from_millis(100));
        }
    };
    let expected = |numbers: std::ops::Range<u32>| -> Vec<String> {
        numbers.map(|n| format!("AWAY{n:05}")).collect()
    };
    checks(&server, 0..5);
    assert_eq!(recorded(), expected(0..5));

    database.stop_immediately();
    checks(&server, 5..25);
    let write = server.client("FRA").post(
        "/api/v1/documents",
        &json!({"number": "AWAYWRITE", "issuing_country": "FRA", "type": "P",
                "status": "stolen", "reported_date": "2025-01-01"}),
    );
    assert_eq!(write.status, 503, "{}", write.text);
    assert!(write.retry_after.is_some());
    database.start_again();
    assert_eq!(
        wait_for(25),
        expected(0..25),
        "replayed by the running hub, in order"
    );

    // Away again, and the hub killed before the server is back: the next hub replays.
    database.stop_immediately();
    checks(&server, 25..35);
    server.kill();
    database.start_again();
    let server = Server::start(&data, &[]);
    assert_eq!(wait_for(35), expected(0..35), "replayed by the next hub");
    checks(&server, 35..40);
    assert_eq!(wait_for(40), expected(0..40));
    drop(server);
    let verified = palermo()
        .args(["audit", "verify", "--data"])
        .arg(&data)
        .output()
        .unwrap();
    assert!(verified.status.success(), "{verified:?}");
}

/// The deployment of docs/deployment.md: the schema migrated by its owner, the hub connected as
/// a role that owns nothing, and the whole hub working.
#[test]
fn a_hub_runs_as_a_role_that_owns_nothing() {
    let database = TestDatabase::start();
    database.create_hub_role();
    let owner = database.fresh_schema_url();
    assert!(
        !owner.starts_with("postgres"),
        "this test needs a key-value connection string: {owner}"
    );
    let migrated = palermo()
        .args(["migrate", "--database", &owner, "--hub-role", HUB_ROLE])
        .output()
        .unwrap();
    assert!(migrated.status.success(), "{migrated:?}");
    // A later `user=` overrides the owner's.
    let hub = format!("{owner} user={HUB_ROLE}");
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let server = Server::start(
        &data,
        &[
            "--demo",
            "--demo-documents",
            "50",
            "--demo-vehicles",
            "5",
            "--database",
            &hub,
        ],
    );
    let fra = server.client("FRA");
    let written = fra.post(
        "/api/v1/documents",
        &json!({"number": "ROLE00001", "issuing_country": "FRA", "type": "P",
                "status": "stolen", "reported_date": "2025-01-01"}),
    );
    assert_eq!(written.status, 201, "{}", written.text);
    let checked = server
        .client("DEU")
        .get("/api/v1/checks/documents?number=ROLE00001&country=FRA");
    assert_eq!(checked.body["hit"], true, "{}", checked.text);
    // A role without the right to change the schema is told to migrate as the owner.
    let unmigrated = database.fresh_schema_url();
    let refused = palermo()
        .args([
            "migrate",
            "--database",
            &format!("{unmigrated} user={HUB_ROLE}"),
        ])
        .arg("--data")
        .arg(dir.path().join("other"))
        .output()
        .unwrap();
    assert!(!refused.status.success());
    let said = String::from_utf8_lossy(&refused.stderr);
    assert!(said.contains("palermo migrate"), "{said}");
}

/// A hub moves from SQLite to PostgreSQL and back, audit trail included: its records, hits and
/// keys work on the new backend, and the trail verifies there. (With PALERMO_TEST_BACKEND=
/// postgres the first hub is on PostgreSQL already: the move is then between two databases.)
#[test]
fn a_hub_moves_from_sqlite_to_postgresql_and_back() {
    let database = TestDatabase::start();
    let dir = tempfile::tempdir().unwrap();
    let (sqlite, moved, back) = (
        dir.path().join("sqlite"),
        dir.path().join("postgres"),
        dir.path().join("back"),
    );
    let mut server = Server::start(
        &sqlite,
        &["--demo", "--demo-documents", "200", "--demo-vehicles", "20"],
    );
    assert_eq!(
        server
            .client("FRA")
            .post(
                "/api/v1/documents",
                &json!({"number": "MOVE00001", "issuing_country": "FRA", "type": "P",
                        "status": "stolen", "reported_date": "2025-01-01"}),
            )
            .status,
        201
    );
    let check = "/api/v1/checks/documents?number=MOVE00001&country=FRA";
    assert_eq!(server.client("DEU").get(check).body["hit"], true);
    let hits_before = server.client("FRA").get("/api/v1/hits").body;
    server.kill();

    let url = database.fresh_schema_url();
    let run = |args: &[&str]| palermo().args(args).output().unwrap();
    let moved_out = run(&[
        "migrate-store",
        "--from-data",
        sqlite.to_str().unwrap(),
        "--to-data",
        moved.to_str().unwrap(),
        "--database",
        &url,
    ]);
    assert!(moved_out.status.success(), "{moved_out:?}");
    assert!(String::from_utf8_lossy(&moved_out.stdout).contains("verify on the target"));
    let verified = run(&["audit", "verify", "--data", moved.to_str().unwrap()]);
    assert!(verified.status.success(), "{verified:?}");

    // The moved hub: the same keys, records and hits, and it goes on writing.
    let mut server = Server::start(&moved, &[]);
    assert_eq!(server.client("DEU").get(check).body["hit"], true);
    let hits_after = server.client("FRA").get("/api/v1/hits").body;
    assert_eq!(
        hits_after["hits"][0]["record_id"],
        hits_before["hits"][0]["record_id"]
    );
    assert_eq!(
        hits_after["hits"].as_array().unwrap().len(),
        2,
        "{hits_after}"
    );
    assert_eq!(
        server
            .client("FRA")
            .post(
                "/api/v1/documents",
                &json!({"number": "MOVE00002", "issuing_country": "FRA", "type": "P",
                        "status": "stolen", "reported_date": "2025-01-01"}),
            )
            .status,
        201
    );
    server.kill();

    // Into a database that holds a hub already, nothing moves.
    let refused = run(&[
        "migrate-store",
        "--from-data",
        sqlite.to_str().unwrap(),
        "--to-data",
        dir.path().join("again").to_str().unwrap(),
        "--database",
        &url,
    ]);
    assert!(!refused.status.success());
    assert!(
        String::from_utf8_lossy(&refused.stderr).contains("empty"),
        "{refused:?}"
    );

    // And back to SQLite.
    let moved_back = run(&[
        "migrate-store",
        "--from-data",
        moved.to_str().unwrap(),
        "--to-data",
        back.to_str().unwrap(),
    ]);
    assert!(moved_back.status.success(), "{moved_back:?}");
    assert!(back.join("palermo.db").exists());
    let server = Server::start(&back, &[]);
    assert_eq!(
        server
            .client("DEU")
            .get("/api/v1/checks/documents?number=MOVE00002&country=FRA")
            .body["hit"],
        true
    );
}

/// An online backup of a running SQLite hub restores into a hub that serves what was
/// acknowledged before it, with a trail that verifies.
#[test]
fn a_running_hub_is_backed_up_and_restored() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let server = Server::start(
        &data,
        &["--demo", "--demo-documents", "100", "--demo-vehicles", "0"],
    );
    let backup = dir.path().join("backup.db");
    let run = || {
        palermo()
            .args([
                "backup",
                "--data",
                data.to_str().unwrap(),
                "--to",
                backup.to_str().unwrap(),
            ])
            .output()
            .unwrap()
    };
    if crate::support::on_postgres() {
        let refused = run();
        assert!(!refused.status.success());
        assert!(
            String::from_utf8_lossy(&refused.stderr).contains("pg_dump"),
            "{refused:?}"
        );
        return;
    }
    assert_eq!(
        server
            .client("FRA")
            .post(
                "/api/v1/documents",
                &json!({"number": "BACK00001", "issuing_country": "FRA", "type": "P",
                        "status": "stolen", "reported_date": "2025-01-01"}),
            )
            .status,
        201
    );
    let done = run();
    assert!(done.status.success(), "{done:?}");
    let again = run();
    assert!(!again.status.success(), "a backup never overwrites a file");
    drop(server);
    let restored = dir.path().join("restored");
    std::fs::create_dir(&restored).unwrap();
    std::fs::copy(&backup, restored.join("palermo.db")).unwrap();
    for file in ["audit-signing-key.pk8", "demo-credentials.json"] {
        std::fs::copy(data.join(file), restored.join(file)).unwrap();
    }
    let verified = palermo()
        .args(["audit", "verify", "--data", restored.to_str().unwrap()])
        .output()
        .unwrap();
    assert!(verified.status.success(), "{verified:?}");
    let server = Server::start(&restored, &[]);
    let checked = server
        .client("DEU")
        .get("/api/v1/checks/documents?number=BACK00001&country=FRA");
    assert_eq!(checked.body["hit"], true, "{}", checked.text);
}

/// Two hub nodes on one PostgreSQL database (docs/deployment.md, "Several hub nodes"): what
/// one may do is decided in the write's own transaction, so a record both withdraw at once is
/// withdrawn once, and writes from both at once make one chain that verifies.
#[test]
fn two_hub_nodes_on_one_database_decide_each_write_once_and_keep_one_chain() {
    let database = TestDatabase::start();
    let dir = tempfile::tempdir().unwrap();
    let (first, second) = (dir.path().join("first"), dir.path().join("second"));
    let url = database.fresh_schema_url();
    let one = Server::start(
        &first,
        &[
            "--demo",
            "--demo-documents",
            "50",
            "--demo-vehicles",
            "0",
            "--database",
            &url,
        ],
    );
    let mut ids = Vec::new();
    for n in 0..5 {
        let answer = one.client("FRA").post(
            "/api/v1/documents",
            &json!({"number": format!("NODES{n:04}"), "issuing_country": "FRA", "type": "P",
                    "status": "stolen", "reported_date": "2025-01-01"}),
        );
        assert_eq!(answer.status, 201, "{}", answer.text);
        ids.push(answer.body["id"].as_i64().unwrap());
    }
    // The second node: the same database, signing key and demo credentials.
    std::fs::create_dir(&second).unwrap();
    for entry in std::fs::read_dir(&first).unwrap() {
        let entry = entry.unwrap();
        if entry.file_name() != "lock" && entry.file_type().unwrap().is_file() {
            std::fs::copy(entry.path(), second.join(entry.file_name())).unwrap();
        }
    }
    let two = Server::start(&second, &[]);

    // Both nodes withdraw each record at the same moment: exactly one succeeds.
    for id in &ids {
        let path = format!("/api/v1/documents/{id}");
        let barrier = Arc::new(std::sync::Barrier::new(2));
        let statuses: Vec<u16> = [one.client("FRA"), two.client("FRA")]
            .into_iter()
            .map(|client| {
                let (barrier, path) = (barrier.clone(), path.clone());
                std::thread::spawn(move || {
                    barrier.wait();
                    client.delete(&path).status
                })
            })
            .collect::<Vec<_>>()
            .into_iter()
            .map(|thread| thread.join().unwrap())
            .collect();
        let mut sorted = statuses.clone();
        sorted.sort();
        assert_eq!(sorted, [204, 404], "record {id}: {statuses:?}");
    }

    // Writes from both nodes at once, interleaved in one chain.
    let writers: Vec<_> = [one.client("FRA"), two.client("FRA")]
        .into_iter()
        .enumerate()
        .map(|(node, client)| {
            std::thread::spawn(move || {
                for n in 0..40 {
                    let answer = client.post(
                        "/api/v1/documents",
                        &json!({"number": format!("N{node}W{n:04}"), "issuing_country": "FRA",
                                "type": "P", "status": "stolen",
                                "reported_date": "2025-01-01"}),
                    );
                    assert_eq!(answer.status, 201, "{}", answer.text);
                }
            })
        })
        .collect();
    for writer in writers {
        writer.join().unwrap();
    }
    drop((one, two));
    let verified = palermo()
        .args(["audit", "verify", "--data"])
        .arg(&first)
        .output()
        .unwrap();
    assert!(verified.status.success(), "{verified:?}");
    let withdrawals = database_withdrawals(&first);
    assert_eq!(
        withdrawals,
        (5, 5),
        "(ok, not-found) withdrawals in the trail"
    );
}

/// How many withdrawals the trail of the hub at `data` records as done and as refused.
fn database_withdrawals(data: &std::path::Path) -> (i64, i64) {
    let mut client = crate::support::postgres_of(data);
    let row = client
        .query_one(
            "SELECT count(*) FILTER (WHERE outcome = 'ok'),
                    count(*) FILTER (WHERE outcome = 'not-found')
             FROM audit WHERE action = 'document.withdraw'",
            &[],
        )
        .unwrap();
    (row.get(0), row.get(1))
}
