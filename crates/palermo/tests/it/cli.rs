//! The command line: check against a hub and a data directory, demo data, administration.

use crate::support::{Server, palermo};

fn stdout(output: &std::process::Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

fn stderr(output: &std::process::Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

#[test]
fn check_document_against_a_hub_and_a_data_directory() {
    let mut server = Server::demo();
    let example = server.credentials()["examples"]["document_hit"].clone();
    let number = example["number"].as_str().unwrap().to_owned();
    let country = example["issuing_country"].as_str().unwrap().to_owned();
    let key = server.key("DEU");
    let output = palermo()
        .args([
            "check",
            "document",
            &number.to_lowercase(),
            "--country",
            &country,
            "--hub",
            &server.url,
            "--key",
            &key,
        ])
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", stderr(&output));
    assert!(
        stdout(&output).starts_with("HIT (exact): 1 match"),
        "{}",
        stdout(&output)
    );

    // While the hub runs, its data directory is its own.
    let data = server.data.clone();
    let busy = palermo()
        .args([
            "check",
            "document",
            &number,
            "--country",
            &country,
            "--bureau",
            "DEU",
            "--data",
        ])
        .arg(&data)
        .output()
        .unwrap();
    assert!(!busy.status.success());
    assert!(
        stderr(&busy).contains("in use by another palermo process"),
        "{}",
        stderr(&busy)
    );

    server.kill();
    let local = palermo()
        .args([
            "check",
            "document",
            &number,
            "--country",
            &country,
            "--bureau",
            "DEU",
            "--json",
            "--data",
        ])
        .arg(&data)
        .output()
        .unwrap();
    assert!(local.status.success(), "{}", stderr(&local));
    let result: serde_json::Value = serde_json::from_slice(&local.stdout).unwrap();
    assert_eq!(result["match"], "exact");
    let miss = palermo()
        .args([
            "check",
            "document",
            "NOPE0000",
            "--country",
            "FRA",
            "--bureau",
            "DEU",
            "--data",
        ])
        .arg(&data)
        .output()
        .unwrap();
    assert_eq!(stdout(&miss).trim(), "NO HIT");
    let bad = palermo()
        .args([
            "check",
            "document",
            "AB1",
            "--country",
            "XYZ",
            "--bureau",
            "DEU",
            "--data",
        ])
        .arg(&data)
        .output()
        .unwrap();
    assert_eq!(bad.status.code(), Some(2));
    assert!(stderr(&bad).contains("issuing_country"), "{}", stderr(&bad));
}

#[cfg(unix)]
#[test]
fn demo_credentials_are_readable_by_their_owner_only() {
    use std::os::unix::fs::PermissionsExt;
    let server = Server::demo();
    let mode = std::fs::metadata(server.data.join("demo-credentials.json"))
        .unwrap()
        .permissions()
        .mode();
    assert_eq!(mode & 0o777, 0o600);
}

#[test]
fn check_vehicle_from_the_command_line() {
    let server = Server::demo();
    let vehicle = server.credentials()["examples"]["vehicle_hit"].clone();
    let key = server.key("ESP");
    let output = palermo()
        .args([
            "check",
            "vehicle",
            "--plate",
            vehicle["plate"].as_str().unwrap(),
            "--country",
        ])
        .arg(vehicle["plate_country"].as_str().unwrap())
        .args(["--hub", &server.url, "--key", &key])
        .output()
        .unwrap();
    assert!(
        stdout(&output).starts_with("HIT (exact)"),
        "{}{}",
        stdout(&output),
        stderr(&output)
    );
    let wrong_key = palermo()
        .args([
            "check",
            "vehicle",
            "--vin",
            "1M8GDM9AXKP042788",
            "--hub",
            &server.url,
            "--key",
            "plm_x",
        ])
        .output()
        .unwrap();
    assert_eq!(wrong_key.status.code(), Some(2));
    assert!(stderr(&wrong_key).contains("401"), "{}", stderr(&wrong_key));
}

#[test]
fn demo_generate_writes_valid_csv_of_the_asked_size() {
    let output = palermo()
        .args(["demo", "generate", "documents", "--count", "500"])
        .output()
        .unwrap();
    assert!(output.status.success());
    let text = stdout(&output);
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 501);
    assert!(lines[0].starts_with("number,issuing_country,type,status,reported_date"));
    let again = palermo()
        .args(["demo", "generate", "documents", "--count", "500"])
        .output()
        .unwrap();
    assert_eq!(output.stdout, again.stdout, "generation is deterministic");
    let vehicles = palermo()
        .args([
            "demo", "generate", "vehicles", "--count", "3", "--seed", "9",
        ])
        .output()
        .unwrap();
    assert_eq!(stdout(&vehicles).lines().count(), 4);
}

#[test]
fn admin_adds_bureaus_and_keys_that_the_hub_accepts() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let add = palermo()
        .args(["admin", "add-bureau", "MDA", "NCB Chișinău", "--data"])
        .arg(&data)
        .output()
        .unwrap();
    assert!(add.status.success(), "{}", stderr(&add));
    let bad = palermo()
        .args(["admin", "add-bureau", "XXA", "stateless", "--data"])
        .arg(&data)
        .output()
        .unwrap();
    assert!(!bad.status.success());
    let key = palermo()
        .args(["admin", "create-key", "MDA", "--data"])
        .arg(&data)
        .output()
        .unwrap();
    assert!(key.status.success(), "{}", stderr(&key));
    let line = stdout(&key);
    let secret = line.split_whitespace().last().unwrap().to_owned();
    let id = line.split_whitespace().nth(1).unwrap().to_owned();
    {
        let server = Server::start(&data, &[]);
        let client = server.anonymous().with_key(&secret);
        let check = client.get("/api/v1/checks/documents?number=X1&country=MDA");
        assert_eq!(check.status, 200, "{}", check.text);
        // A new key holds the least privilege: checks, nothing more unless asked for.
        client.get("/api/v1/hits").problem(403);
    }
    let revoke = palermo()
        .args(["admin", "revoke-key", &id, "--data"])
        .arg(&data)
        .output()
        .unwrap();
    assert!(revoke.status.success(), "{}", stderr(&revoke));
    let server = Server::start(&data, &[]);
    server
        .anonymous()
        .with_key(&secret)
        .get("/api/v1/checks/documents?number=X1&country=MDA")
        .problem(401);
}

#[test]
fn help_explains_the_commands() {
    let output = palermo().arg("--help").output().unwrap();
    let text = stdout(&output);
    for command in ["serve", "import", "check", "demo", "admin"] {
        assert!(text.contains(command), "{text}");
    }
}

#[test]
fn logs_are_json_lines_when_asked() {
    use std::io::{BufRead, BufReader};
    let dir = tempfile::tempdir().unwrap();
    let mut child = palermo()
        .args([
            "--log-format",
            "json",
            "--log",
            "info",
            "serve",
            "--listen",
            "127.0.0.1:0",
            "--data",
        ])
        .arg(dir.path().join("data"))
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let stderr = child.stderr.take().unwrap();
    let ready = BufReader::new(stderr)
        .lines()
        .map(|line| line.unwrap())
        .find(|line| line.contains("index ready"))
        .expect("the hub logs when its index is ready");
    child.kill().unwrap();
    child.wait().unwrap();
    let event: serde_json::Value =
        serde_json::from_str(&ready).unwrap_or_else(|e| panic!("{e}: {ready}"));
    assert_eq!(event["level"], "INFO");
    assert_eq!(event["fields"]["message"], "index ready");
    assert_eq!(event["fields"]["documents"], 0);
}
