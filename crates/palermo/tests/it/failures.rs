//! The database failing under a running hub: a client is told that its request failed (500)
//! or to come back shortly (503 with `Retry-After`), never the database's own words, which go
//! to the operator's log; nothing of a failed request is applied, and the hub recovers by
//! itself once the database does.

use serde_json::{Value, json};

use crate::support::{Answer, Client, Database, Server, on_postgres};

fn document(number: &str) -> Value {
    json!({"number": number, "issuing_country": "FRA", "type": "P", "status": "stolen",
           "reported_date": "2025-01-01"})
}

fn check(client: &Client, number: &str) -> Answer {
    client.get(&format!(
        "/api/v1/checks/documents?number={number}&country=FRA"
    ))
}

/// What no client may read in a problem: the backend's name, its messages, the schema.
#[track_caller]
fn assert_says_nothing_of_the_database(answer: &Answer) {
    let text = answer.text.to_lowercase();
    for word in [
        "sqlite",
        "no such table",
        "audit_lost",
        "database is locked",
        "sql",
    ] {
        assert!(
            !text.contains(word),
            "the client read {word:?}: {}",
            answer.text
        );
    }
}

#[test]
fn a_failing_database_answers_500_and_a_busy_one_503_and_the_hub_recovers() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let log = dir.path().join("hub.log");
    let server = Server::start_logged(
        &data,
        &["--demo", "--demo-documents", "100", "--demo-vehicles", "0"],
        &log,
    );
    let client = server.client("FRA");
    assert_eq!(
        client
            .post("/api/v1/documents", &document("FAIL0001"))
            .status,
        201
    );

    // Another process damages the database: the trail's table is gone.
    let mut database = Database::of(&data);
    database.execute("ALTER TABLE audit RENAME TO audit_lost");

    let write = client.post("/api/v1/documents", &document("FAIL0002"));
    write.problem(500);
    assert_says_nothing_of_the_database(&write);
    assert!(
        write.retry_after.is_none(),
        "a failure is not a refusal to retry"
    );
    // A check's entry cannot be made durable: the check is not answered.
    let checked = check(&client, "FAIL0001");
    checked.problem(500);
    assert_says_nothing_of_the_database(&checked);
    let logged = std::fs::read_to_string(&log).unwrap();
    assert!(
        logged.contains("no such table") || logged.contains("\"audit\" does not exist"),
        "the operator's log has the detail: {logged}"
    );

    // Another process holds a lock the write needs for longer than the hub waits.
    database.execute("ALTER TABLE audit_lost RENAME TO audit");
    database.execute(if on_postgres() {
        "BEGIN; LOCK TABLE documents IN ACCESS EXCLUSIVE MODE"
    } else {
        "BEGIN IMMEDIATE"
    });
    let busy = client.post("/api/v1/documents", &document("FAIL0003"));
    busy.problem(503);
    assert_says_nothing_of_the_database(&busy);
    assert!(busy.retry_after.is_some(), "{busy:?}");
    database.execute("COMMIT");
    drop(database);

    // The database is whole again: so is the hub, and nothing failed was applied.
    for (number, hit) in [("FAIL0001", true), ("FAIL0002", false), ("FAIL0003", false)] {
        let answer = check(&client, number);
        assert_eq!(answer.status, 200, "{}", answer.text);
        assert_eq!(answer.body["hit"], hit, "{number}: {}", answer.text);
    }
    assert_eq!(
        client
            .post("/api/v1/documents", &document("FAIL0004"))
            .status,
        201
    );
    assert_eq!(check(&client, "FAIL0004").body["hit"], true);
    // The trail has no gap where the failed transactions rolled back.
    let mut server = server;
    server.kill();
    let verified = crate::support::palermo()
        .args(["audit", "verify", "--data"])
        .arg(&data)
        .output()
        .unwrap();
    assert!(verified.status.success(), "{verified:?}");
}
