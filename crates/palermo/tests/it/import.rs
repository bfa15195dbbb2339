//! Bulk import: CSV and JSONL, into a data directory and into a running hub, good and bad.

use std::path::{Path, PathBuf};

use serde_json::json;

use crate::support::{Database, Server, on_postgres, palermo};

/// A data directory with the demo bureaus and no records.
fn empty_hub_data(dir: &Path) -> PathBuf {
    let data = dir.join("data");
    drop(Server::start(
        &data,
        &["--demo", "--demo-documents", "0", "--demo-vehicles", "0"],
    ));
    data
}

fn import(kind: &str, file: &Path, data: &Path, extra: &[&str]) -> std::process::Output {
    palermo()
        .args(["import", kind])
        .arg(file)
        .args(["--bureau", "FRA", "--data"])
        .arg(data)
        .args(extra)
        .output()
        .unwrap()
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// Checks a document on a data directory, acting for FRA; returns the match kind or null.
fn local_match(data: &Path, number: &str, country: &str) -> serde_json::Value {
    let output = palermo()
        .args([
            "check",
            "document",
            number,
            "--country",
            country,
            "--bureau",
            "FRA",
            "--json",
            "--data",
        ])
        .arg(data)
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", text(&output.stderr));
    serde_json::from_slice::<serde_json::Value>(&output.stdout).unwrap()["match"].clone()
}

const GOOD_CSV: &str = "number,issuing_country,type,status,reported_date,holder_name,external_ref
AB100,FRA,P,stolen,2025-01-02,Jeanne Martin,r-1
AB101,DEU,id_card,Lost,2024-12-24,,r-2
\"AB 102\",FRA,passport,stolen blank,2025-03-01,\"Dupont, Jean\",r-3
";

#[test]
fn csv_import_loads_every_row_and_reimport_updates() {
    let dir = tempfile::tempdir().unwrap();
    let data = empty_hub_data(dir.path());
    let file = dir.path().join("documents.csv");
    std::fs::write(&file, GOOD_CSV).unwrap();
    let output = import("documents", &file, &data, &[]);
    assert!(output.status.success(), "{}", text(&output.stderr));
    assert!(
        text(&output.stdout).contains("3 inserted, 0 updated, 0 rejected"),
        "{}",
        text(&output.stdout)
    );
    assert_eq!(local_match(&data, "ab102", "FRA"), "exact");
    assert_eq!(local_match(&data, "AB101", "DEU"), "exact");

    let output = import("documents", &file, &data, &[]);
    assert!(
        text(&output.stdout).contains("0 inserted, 3 updated"),
        "{}",
        text(&output.stdout)
    );
}

#[test]
fn an_invalid_row_stops_the_whole_import_and_names_line_column_and_field() {
    let dir = tempfile::tempdir().unwrap();
    let data = empty_hub_data(dir.path());
    let file = dir.path().join("documents.csv");
    std::fs::write(
        &file,
        "number,issuing_country,type,status,reported_date\nOK100,FRA,P,stolen,2025-01-02\nBAD1,ZZZ,P,stolen,2025-01-02\nBAD2,FRA,P,stolen,2025-02-30\nBAD3,FRA,P\n",
    )
    .unwrap();
    let output = import("documents", &file, &data, &[]);
    assert_eq!(output.status.code(), Some(1));
    let errors = text(&output.stderr);
    assert!(
        errors.contains("line 3, column 2 (issuing_country): \"ZZZ\" is not"),
        "{errors}"
    );
    assert!(
        errors.contains("line 4, column 5 (reported_date): \"2025-02-30\" does not exist"),
        "{errors}"
    );
    assert!(
        errors.contains("line 5: has 3 fields, the header has 5"),
        "{errors}"
    );
    assert!(
        errors.contains("3 of 4 rows are invalid; nothing was imported"),
        "{errors}"
    );
    assert_eq!(
        local_match(&data, "OK100", "FRA"),
        serde_json::Value::Null,
        "no partial write"
    );

    let rejects = dir.path().join("rejects.jsonl");
    let output = import(
        "documents",
        &file,
        &data,
        &["--skip-invalid", "--rejects", rejects.to_str().unwrap()],
    );
    assert!(output.status.success(), "{}", text(&output.stderr));
    assert!(
        text(&output.stdout).contains("1 inserted, 0 updated, 3 rejected"),
        "{}",
        text(&output.stdout)
    );
    assert_eq!(local_match(&data, "OK100", "FRA"), "exact");
    let rejected: Vec<serde_json::Value> = std::fs::read_to_string(&rejects)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(
        rejected
            .iter()
            .map(|r| r["line"].as_u64().unwrap())
            .collect::<Vec<_>>(),
        [3, 4, 5]
    );
    assert_eq!(rejected[0]["errors"][0]["field"], "issuing_country");
    assert_eq!(rejected[0]["row"]["number"], "BAD1");
}

#[test]
fn csv_headers_are_checked_before_any_row() {
    let dir = tempfile::tempdir().unwrap();
    let data = empty_hub_data(dir.path());
    let cases = [
        (
            "number,issuing_country,type,status,reported_date,colour\n",
            "line 1, column 6: unknown column \"colour\"",
        ),
        (
            "number,issuing_country,type,reported_date\n",
            "line 1: missing required column status",
        ),
        (
            "number,number,issuing_country,type,status,reported_date\n",
            "line 1, column 2: column \"number\" appears twice",
        ),
    ];
    for (content, expected) in cases {
        let file = dir.path().join("h.csv");
        std::fs::write(&file, content).unwrap();
        let output = import("documents", &file, &data, &[]);
        assert_eq!(output.status.code(), Some(2));
        assert!(
            text(&output.stderr).contains(expected),
            "{}",
            text(&output.stderr)
        );
    }
    let output = import("documents", &dir.path().join("missing.csv"), &data, &[]);
    assert!(
        text(&output.stderr).contains("cannot open"),
        "{}",
        text(&output.stderr)
    );
    let output = import("documents", &dir.path().join("file.txt"), &data, &[]);
    assert!(
        text(&output.stderr).contains("--format"),
        "{}",
        text(&output.stderr)
    );
}

#[test]
fn jsonl_errors_name_the_line_and_the_field_path() {
    let dir = tempfile::tempdir().unwrap();
    let data = empty_hub_data(dir.path());
    let file = dir.path().join("documents.jsonl");
    let good = json!({"number": "JS100", "issuing_country": "ITA", "type": "V", "status": "revoked", "reported_date": "2025-01-01",
        "restriction": "except", "restriction_countries": ["DEU"]});
    std::fs::write(
        &file,
        format!(
            "{good}\n\n{{\"number\": \"JS101\", \"issuing_country\": \"ITA\", \"type\": \"P\"\n{}\n{}\n{}\n",
            json!({"number": "JS102", "issuing_country": "ITA", "type": "P", "status": "stolen", "reported_date": "2025-01-01", "restriction_countries": ["DEU", "QQQ"], "restriction": "only"}),
            json!({"number": ["JS103"], "issuing_country": "ITA"}),
            json!({"numbr": "JS104"}),
        ),
    )
    .unwrap();
    let output = import("documents", &file, &data, &[]);
    assert_eq!(output.status.code(), Some(1));
    let errors = text(&output.stderr);
    assert!(errors.contains("line 3, column "), "{errors}");
    assert!(errors.contains("malformed JSON"), "{errors}");
    assert!(
        errors.contains("line 4 (restriction_countries[1]): \"QQQ\""),
        "{errors}"
    );
    assert!(errors.contains("line 5 (number): invalid type"), "{errors}");
    assert!(errors.contains("line 6 (numbr): unknown field"), "{errors}");
    let output = import("documents", &file, &data, &["--skip-invalid"]);
    assert!(output.status.success());
    assert!(dir.path().join("documents.jsonl.rejects.jsonl").exists());
    assert_eq!(local_match(&data, "JS100", "ITA"), "exact");
}

#[test]
fn vehicles_import_from_csv() {
    let dir = tempfile::tempdir().unwrap();
    let data = empty_hub_data(dir.path());
    let file = dir.path().join("vehicles.csv");
    let generated = palermo()
        .args([
            "demo", "generate", "vehicles", "--count", "300", "--owner", "FRA",
        ])
        .output()
        .unwrap();
    std::fs::write(&file, &generated.stdout).unwrap();
    let output = import("vehicles", &file, &data, &[]);
    assert!(output.status.success(), "{}", text(&output.stderr));
    assert!(
        text(&output.stdout).contains("300 inserted"),
        "{}",
        text(&output.stdout)
    );
    let bad = dir.path().join("bad.csv");
    std::fs::write(
        &bad,
        "vin,status,reported_date,year\n1M8GDM9A1KP042788,stolen,2025-01-01,1700\n",
    )
    .unwrap();
    let output = import("vehicles", &bad, &data, &[]);
    let errors = text(&output.stderr);
    assert!(
        errors.contains("line 2, column 1 (vin): check digit"),
        "{errors}"
    );
    assert!(errors.contains("line 2, column 4 (year)"), "{errors}");
}

#[test]
fn import_into_a_running_hub_is_checkable_at_once() {
    let server = Server::demo();
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("documents.csv");
    let mut csv = String::from("number,issuing_country,type,status,reported_date,external_ref\n");
    for i in 0..2500 {
        csv.push_str(&format!("HUB{i:05},POL,P,stolen,2025-01-01,ref-{i}\n"));
    }
    std::fs::write(&file, &csv).unwrap();
    let key = server.key("POL");
    let run = |extra: &[&str]| {
        palermo()
            .args(["import", "documents"])
            .arg(&file)
            .args(["--hub", &server.url, "--key", &key])
            .args(extra)
            .output()
            .unwrap()
    };
    let output = run(&[]);
    assert!(output.status.success(), "{}", text(&output.stderr));
    assert!(
        text(&output.stdout).contains("2500 inserted"),
        "{}",
        text(&output.stdout)
    );
    let check = server
        .client("ESP")
        .get("/api/v1/checks/documents?number=HUB02499&country=POL");
    assert_eq!(check.body["match"], "exact", "{}", check.text);
    let output = run(&[]);
    assert!(
        text(&output.stdout).contains("0 inserted, 2500 updated"),
        "{}",
        text(&output.stdout)
    );

    // An invalid row: nothing is sent at all.
    csv.push_str("HUB99999,POL,P,stolen,not-a-date,ref-x\n");
    std::fs::write(&file, &csv).unwrap();
    let output = run(&[]);
    assert_eq!(output.status.code(), Some(1));
    assert!(
        text(&output.stderr).contains("line 2502, column 5 (reported_date)"),
        "{}",
        text(&output.stderr)
    );
    // Rows owned by another bureau are refused by the hub, naming the batch.
    let other = dir.path().join("other.csv");
    std::fs::write(
        &other,
        "number,issuing_country,type,status,reported_date,owner\nX1,DEU,P,stolen,2025-01-01,DEU\n",
    )
    .unwrap();
    let output = palermo()
        .args(["import", "documents"])
        .arg(&other)
        .args(["--hub", &server.url, "--key", &key])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    let errors = text(&output.stderr);
    assert!(
        errors.contains("line 2") && errors.contains("owner"),
        "{errors}"
    );
}

#[test]
fn import_into_a_hub_needs_a_file_it_can_read_twice() {
    let server = Server::demo();
    let key = server.key("FRA");
    let output = palermo()
        .args([
            "import",
            "documents",
            "/dev/stdin",
            "--format",
            "csv",
            "--hub",
            &server.url,
            "--key",
            &key,
        ])
        .stdin(std::process::Stdio::null())
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(
        text(&output.stderr).contains("not a regular file"),
        "{}",
        text(&output.stderr)
    );
}

#[test]
fn an_import_the_database_refuses_ends_with_an_error_and_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let data = empty_hub_data(dir.path());
    // More rows than the parser may hand the writer ahead (it waits for room after that).
    let file = dir.path().join("many.csv");
    let mut csv = String::from("number,issuing_country,type,status,reported_date,external_ref\n");
    for i in 0..100_000 {
        csv.push_str(&format!("LK{i:07},FRA,P,stolen,2025-01-02,lk-{i}\n"));
    }
    std::fs::write(&file, csv).unwrap();
    // Another process holds a lock the import's transaction needs, for longer than it waits.
    let mut database = Database::of(&data);
    database.execute(if on_postgres() {
        "BEGIN; LOCK TABLE documents IN ACCESS EXCLUSIVE MODE"
    } else {
        "BEGIN IMMEDIATE"
    });
    let mut child = palermo()
        .args(["import", "documents"])
        .arg(&file)
        .args(["--bureau", "FRA", "--data"])
        .arg(&data)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    // The writer gives up; the parser, with rows left to hand it, must not wait for ever.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if std::time::Instant::now() > deadline {
            child.kill().unwrap();
            panic!("the import hangs once the database refused it");
        }
        std::thread::sleep(std::time::Duration::from_millis(100));
    };
    let output = child.wait_with_output().unwrap();
    database.execute("COMMIT");
    drop(database);
    assert!(!status.success());
    let stderr = text(&output.stderr);
    assert!(stderr.contains("nothing was written"), "{stderr}");
    assert!(local_match(&data, "LK0000001", "FRA").is_null());
    // The same file goes in once the database is free again.
    let output = import("documents", &file, &data, &[]);
    assert!(output.status.success(), "{}", text(&output.stderr));
    assert_eq!(local_match(&data, "LK0099999", "FRA"), "exact");
}
