//! People, roles, sessions, the audit trail and the hit procedure, end to end against the
//! real binary.

use std::path::Path;

use serde_json::{Value, json};

use crate::support::{Client, Server, palermo};

/// The demo credentials of a person.
fn person(server: &Server, username: &str) -> Value {
    server.person(username)
}

fn current_code(person: &Value) -> String {
    palermo_hub::totp_now(person["totp_secret"].as_str().unwrap()).unwrap()
}

fn sign_in_with(
    server: &Server,
    username: &str,
    password: &str,
    code: &str,
) -> crate::support::Answer {
    server.anonymous().post(
        "/api/v1/sessions",
        &json!({"username": username, "password": password, "code": code}),
    )
}

/// Signs a demo person in with password and TOTP code; a client bearing the session.
fn sign_in(server: &Server, username: &str) -> Client {
    server.session(username)
}

fn document(number: &str, owner: &str) -> Value {
    json!({"number": number, "issuing_country": owner, "type": "P", "status": "stolen",
        "reported_date": "2026-01-10"})
}

#[test]
fn people_sign_in_with_a_second_factor_and_sessions_end() {
    let server = Server::demo();
    let anna = person(&server, "fra.operator");
    let password = anna["password"].as_str().unwrap();
    let code = current_code(&anna);

    let wrong_password = sign_in_with(&server, "fra.operator", "not-the-password", &code);
    wrong_password.problem(401);
    let generic = wrong_password.body["detail"].clone();
    let wrong_code = sign_in_with(&server, "fra.operator", password, "000000");
    wrong_code.problem(401);
    assert_eq!(
        wrong_code.body["detail"], generic,
        "failures all read alike"
    );
    let unknown = sign_in_with(&server, "nobody", password, &code);
    unknown.problem(401);
    assert_eq!(unknown.body["detail"], generic);
    assert!(
        !wrong_password.text.contains(password),
        "secrets never appear in errors"
    );

    let session = sign_in_with(&server, "fra.operator", password, &code);
    assert_eq!(session.status, 201, "{}", session.text);
    assert_eq!(session.body["roles"], json!(["frontline", "operator"]));
    let token = session.body["token"].as_str().unwrap();
    assert!(token.starts_with("pls_"));
    let me = server.anonymous().with_key(token);
    let current = me.get("/api/v1/sessions/current");
    assert_eq!(current.body["user"], "fra.operator", "{}", current.text);
    assert_eq!(current.body["org"], "FRA");
    assert_eq!(
        me.get("/api/v1/checks/documents?number=X1&country=FRA")
            .status,
        200
    );

    // The same TOTP code never works twice.
    sign_in_with(&server, "fra.operator", password, &code).problem(401);
    // A recovery code works once.
    let recovery = anna["recovery_codes"][0].as_str().unwrap();
    assert_eq!(
        sign_in_with(&server, "fra.operator", password, recovery).status,
        201
    );
    sign_in_with(&server, "fra.operator", password, recovery).problem(401);

    assert_eq!(me.delete("/api/v1/sessions/current").status, 204);
    me.get("/api/v1/checks/documents?number=X1&country=FRA")
        .problem(401);
    server
        .anonymous()
        .with_key("pls_0000")
        .get("/api/v1/hits")
        .problem(401);
}

#[test]
fn sessions_end_when_idle() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let server = Server::start(
        &data,
        &[
            "--demo",
            "--demo-documents",
            "10",
            "--demo-vehicles",
            "0",
            "--session-idle-minutes",
            "0",
        ],
    );
    let person = person(&server, "deu.officer");
    let answer = sign_in_with(
        &server,
        "deu.officer",
        person["password"].as_str().unwrap(),
        &current_code(&person),
    );
    assert_eq!(answer.status, 201, "{}", answer.text);
    std::thread::sleep(std::time::Duration::from_millis(20));
    server
        .anonymous()
        .with_key(answer.body["token"].as_str().unwrap())
        .get("/api/v1/checks/documents?number=X1&country=FRA")
        .problem(401);
}

fn admin(data: &Path, args: &[&str]) -> std::process::Output {
    palermo()
        .arg("admin")
        .args(args)
        .arg("--data")
        .arg(data)
        .output()
        .unwrap()
}

#[test]
fn failed_sign_ins_lock_an_account_for_a_while_or_until_an_administrator_unlocks_it() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let mut server = Server::start(
        &data,
        &[
            "--demo",
            "--demo-documents",
            "10",
            "--demo-vehicles",
            "0",
            "--lockout-seconds",
            "3",
            "--sign-ins-per-minute-per-user",
            "100",
        ],
    );
    let officer = person(&server, "deu.officer");
    let password = officer["password"].as_str().unwrap();
    let wrong = sign_in_with(&server, "deu.officer", "wrong password!", "123456");
    wrong.problem(401);
    for _ in 0..4 {
        sign_in_with(&server, "deu.officer", "wrong password!", "123456").problem(401);
    }
    // Locked: the right password reads exactly like a wrong one (no oracle).
    let locked = sign_in_with(&server, "deu.officer", password, &current_code(&officer));
    locked.problem(401);
    assert_eq!(locked.body, wrong.body, "{}", locked.text);
    // The lock ends by itself after its period (CJIS 5.5.3).
    std::thread::sleep(std::time::Duration::from_millis(3_200));
    sign_in(&server, "deu.officer");

    for _ in 0..5 {
        sign_in_with(&server, "deu.officer", "wrong password!", "123456").problem(401);
    }
    server.kill();
    let users = admin(&server.data, &["users"]);
    let listing = String::from_utf8_lossy(&users.stdout);
    assert!(
        listing
            .lines()
            .any(|l| l.starts_with("deu.officer") && l.contains("LOCKED")),
        "{listing}"
    );
    let unlocked = admin(&server.data, &["unlock", "deu.officer"]);
    assert!(unlocked.status.success(), "{unlocked:?}");
    let disabled = admin(&server.data, &["disable", "sg.reviewer"]);
    assert!(disabled.status.success(), "{disabled:?}");
    assert!(!admin(&server.data, &["unlock", "nobody"]).status.success());

    let server = Server::start(&server.data.clone(), &[]);
    // The TOTP code of this step was spent above: a recovery code signs in now.
    let unlocked = sign_in_with(
        &server,
        "deu.officer",
        password,
        officer["recovery_codes"][0].as_str().unwrap(),
    );
    assert_eq!(unlocked.status, 201, "{}", unlocked.text);
    let reviewer = person(&server, "sg.reviewer");
    let refused = sign_in_with(
        &server,
        "sg.reviewer",
        reviewer["password"].as_str().unwrap(),
        &current_code(&reviewer),
    );
    refused.problem(401);
    assert_eq!(
        refused.body, wrong.body,
        "a disabled account reads alike too"
    );
}

#[test]
fn new_people_need_a_strong_password_and_an_allowed_role() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let add = |args: &[&str], password: &str| {
        use std::io::Write;
        let mut child = palermo()
            .arg("admin")
            .args(args)
            .arg("--data")
            .arg(&data)
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        writeln!(child.stdin.take().unwrap(), "{password}").unwrap();
        child.wait_with_output().unwrap()
    };
    assert!(
        admin(
            &data,
            &["add-org", "EUROPOL", "Europol", "--kind", "partner"]
        )
        .status
        .success()
    );
    assert!(
        admin(&data, &["add-bureau", "ITA", "NCB Rome"])
            .status
            .success()
    );
    let weak = add(
        &["add-user", "anna", "--org", "ITA", "--roles", "operator"],
        "password1",
    );
    assert!(!weak.status.success());
    let message = String::from_utf8_lossy(&weak.stderr);
    assert!(
        message.contains("password") && message.contains("common"),
        "{message}"
    );
    assert!(
        !message.contains("password1"),
        "the password is not echoed: {message}"
    );
    let wrong_role = add(
        &["add-user", "eve", "--org", "EUROPOL", "--roles", "operator"],
        "a long enough passphrase",
    );
    assert!(!wrong_role.status.success());
    assert!(String::from_utf8_lossy(&wrong_role.stderr).contains("roles"));
    let good = add(
        &[
            "add-user", "anna", "--org", "ITA", "--roles", "operator", "--json",
        ],
        "a long enough passphrase",
    );
    assert!(good.status.success(), "{good:?}");
    let secrets: Value = serde_json::from_slice(&good.stdout).unwrap();
    assert_eq!(secrets["recovery_codes"].as_array().unwrap().len(), 10);
    assert!(
        secrets["totp_uri"]
            .as_str()
            .unwrap()
            .starts_with("otpauth://totp/Palermo:anna?secret=")
    );
    let taken = add(
        &["add-user", "anna", "--org", "ITA", "--roles", "operator"],
        "another long passphrase",
    );
    assert!(!taken.status.success());
}

#[test]
fn roles_and_key_scopes_decide_what_callers_may_do() {
    let server = Server::demo();
    let officer = sign_in(&server, "deu.officer");
    let auditor = sign_in(&server, "sg.auditor");
    let administrator = sign_in(&server, "sg.admin");
    let check = "/api/v1/checks/documents?number=X1&country=FRA";

    assert_eq!(officer.get(check).status, 200);
    officer.get("/api/v1/documents/1").problem(403);
    officer.get("/api/v1/audit").problem(403);
    officer.get("/api/v1/hits").problem(403);
    officer
        .post("/api/v1/documents", &document("FRONT1", "DEU"))
        .problem(403);

    assert_eq!(auditor.get("/api/v1/audit").status, 200);
    auditor.get(check).problem(403);
    auditor.get("/api/v1/documents/1").problem(403);

    administrator.get(check).problem(403);
    administrator.get("/api/v1/documents/1").problem(403);
    administrator.get("/api/v1/audit").problem(403);
}

#[test]
fn partners_see_only_unrestricted_records() {
    let server = Server::demo();
    let fra = server.client("FRA");
    let open = fra.post("/api/v1/documents", &document("OPEN12345", "FRA"));
    assert_eq!(open.status, 201, "{}", open.text);
    let mut restricted = document("ONLY12345", "FRA");
    restricted["restriction"] = json!("only");
    restricted["restriction_countries"] = json!(["DEU"]);
    assert_eq!(fra.post("/api/v1/documents", &restricted).status, 201);

    let partner = sign_in(&server, "europol.analyst");
    let hit = partner.get("/api/v1/checks/documents?number=OPEN12345&country=FRA");
    assert_eq!(hit.body["hit"], true, "{}", hit.text);
    let hidden = partner.get("/api/v1/checks/documents?number=ONLY12345&country=FRA");
    assert_eq!(hidden.body["hit"], false, "{}", hidden.text);
    let reviewer = sign_in(&server, "sg.reviewer");
    let seen = reviewer.get("/api/v1/checks/documents?number=ONLY12345&country=FRA");
    assert_eq!(
        seen.body["hit"], true,
        "the secretariat reviews every record"
    );
}

#[test]
fn hits_follow_the_procedure_from_check_to_answer() {
    let server = Server::demo();
    let fra_key = server.client("FRA");
    let created = fra_key.post("/api/v1/documents", &document("PROC12345", "FRA"));
    assert_eq!(created.status, 201, "{}", created.text);
    let deu = server.client("DEU");
    let checked = deu.get("/api/v1/checks/documents?number=PROC12345&country=FRA");
    assert_eq!(checked.body["hit"], true);

    let operator = sign_in(&server, "fra.operator");
    let hits = operator.get("/api/v1/hits?state=open");
    assert_eq!(hits.status, 200, "{}", hits.text);
    let hit = hits.body["hits"][0].clone();
    assert_eq!(hit["checking_org"], "DEU");
    assert_eq!(hit["owner"], "FRA");
    assert_eq!(hit["to_answer"], true);
    let id = hit["id"].as_i64().unwrap();
    let path = format!("/api/v1/hits/{id}/answer");

    deu.post(&path, &json!({"answer": "still-valid"}))
        .problem(403);
    server
        .client("ITA")
        .post(&path, &json!({"answer": "still-valid"}))
        .problem(404);
    let fields = operator
        .post(&path, &json!({"answer": "maybe"}))
        .problem(422);
    assert_eq!(fields, ["answer"]);
    operator
        .post(&path, &json!({"answer": "still-valid", "note": "a\u{7}b"}))
        .problem(422);
    let answered = operator.post(
        &path,
        &json!({"answer": "still-valid", "note": "seize it; call NCB Paris"}),
    );
    assert_eq!(answered.status, 200, "{}", answered.text);
    assert_eq!(answered.body["state"], "answered");
    assert_eq!(answered.body["answered_by"], "fra.operator");
    operator
        .post(&path, &json!({"answer": "no-longer-valid"}))
        .problem(409);

    let followed = deu.get("/api/v1/hits").body["hits"][0].clone();
    assert_eq!(followed["answer"], "still-valid");
    assert_eq!(followed["answer_note"], "seize it; call NCB Paris");
    operator.get("/api/v1/hits?state=later").problem(422);
}

#[test]
fn unanswered_hits_past_their_deadline_are_overdue() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let server = Server::start(
        &data,
        &[
            "--demo",
            "--demo-documents",
            "10",
            "--demo-vehicles",
            "0",
            "--hit-deadline-hours",
            "0",
        ],
    );
    let fra = server.client("FRA");
    assert_eq!(
        fra.post("/api/v1/documents", &document("LATE12345", "FRA"))
            .status,
        201
    );
    server
        .client("DEU")
        .get("/api/v1/checks/documents?number=LATE12345&country=FRA");
    std::thread::sleep(std::time::Duration::from_millis(5));
    let overdue = fra.get("/api/v1/hits?state=overdue");
    assert_eq!(
        overdue.body["hits"].as_array().unwrap().len(),
        1,
        "{}",
        overdue.text
    );
    assert_eq!(fra.get("/api/v1/hits?state=open").body["hits"], json!([]));
}

fn verify(data: &Path) -> (bool, String) {
    let output = palermo()
        .args(["audit", "verify", "--data"])
        .arg(data)
        .output()
        .unwrap();
    (
        output.status.success(),
        format!(
            "{}{}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        ),
    )
}

#[test]
fn the_audit_trail_records_checks_and_reveals_any_tampering() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let mut server = Server::start(
        &data,
        &[
            "--demo",
            "--demo-documents",
            "100",
            "--demo-vehicles",
            "0",
            "--audit-head-interval",
            "1",
        ],
    );
    let fra = server.client("FRA");
    assert_eq!(
        fra.post("/api/v1/documents", &document("AUDIT12345", "FRA"))
            .status,
        201
    );
    let deu = server.client("DEU");
    for number in ["AUDIT12345", "MISS00001", "MISS00002", "MISS00003"] {
        deu.get(&format!(
            "/api/v1/checks/documents?number={number}&country=FRA"
        ));
    }
    // A name crafted to forge a log line is kept printable in the trail.
    sign_in_with(&server, "eve\r\nsignin ok", "password", "123456").problem(401);
    let auditor = sign_in(&server, "sg.auditor");
    let failed = auditor.get("/api/v1/audit?action=signin&outcome=failed");
    assert_eq!(
        failed.body["entries"][0]["user"], "eve\\u{000D}\\u{000A}signin\\u{0020}ok",
        "{}",
        failed.text
    );
    let checks = auditor.get("/api/v1/audit?action=check.&org=DEU");
    assert_eq!(checks.status, 200, "{}", checks.text);
    let entries = checks.body["entries"].as_array().unwrap();
    assert_eq!(entries.len(), 4, "{}", checks.text);
    assert_eq!(entries[0]["outcome"], "hit");
    assert_eq!(entries[0]["payload"][0]["number"], "AUDIT12345");
    assert!(entries[0]["api_key_id"].is_number());
    assert_eq!(entries[0]["source"], "127.0.0.1");
    assert_eq!(entries[1]["outcome"], "no-hit");
    let signins = auditor.get("/api/v1/audit?action=signin&outcome=ok");
    assert_eq!(signins.body["entries"][0]["user"], "sg.auditor");
    auditor.get("/api/v1/audit?limit=0").problem(422);
    auditor.get("/api/v1/audit?from=2026-02-30").problem(422);

    let verified = auditor.get("/api/v1/audit/verify");
    assert_eq!(verified.body["intact"], true, "{}", verified.text);
    let hub_verify = palermo()
        .args(["audit", "verify", "--hub", &server.url, "--key"])
        .arg(auditor.key.as_deref().unwrap())
        .output()
        .unwrap();
    assert!(hub_verify.status.success(), "{hub_verify:?}");
    // Wait for a signed head that covers the checks.
    std::thread::sleep(std::time::Duration::from_millis(1500));
    let head = server.anonymous().get("/api/v1/audit/head");
    assert_eq!(head.status, 200, "{}", head.text);
    assert_eq!(head.body["algorithm"], "ed25519");
    server.kill();

    let (ok, report) = verify(&data);
    assert!(ok, "{report}");
    let export = palermo()
        .args(["audit", "export", "--action", "check.documents", "--data"])
        .arg(&data)
        .output()
        .unwrap();
    assert_eq!(String::from_utf8_lossy(&export.stdout).lines().count(), 4);

    // Each tampering starts from the trail as the hub left it.
    type Tamper = Box<dyn Fn(&str) -> (bool, String)>;
    let tamper: Tamper = if crate::support::on_postgres() {
        let mut db = crate::support::Database::of(&data);
        db.execute(
            "CREATE TABLE audit_pristine AS SELECT * FROM audit;
             CREATE TABLE audit_subjects_pristine AS SELECT * FROM audit_subjects",
        );
        let data = data.clone();
        Box::new(move |sql: &str| {
            crate::support::Database::of(&data).execute(&format!(
                "DELETE FROM audit; INSERT INTO audit SELECT * FROM audit_pristine;
                 DELETE FROM audit_subjects;
                 INSERT INTO audit_subjects SELECT * FROM audit_subjects_pristine; {sql}"
            ));
            verify(&data)
        })
    } else {
        let db = data.join("palermo.db");
        rusqlite::Connection::open(&db)
            .unwrap()
            .execute_batch("PRAGMA wal_checkpoint(TRUNCATE)")
            .unwrap();
        let pristine = dir.path().join("pristine.db");
        std::fs::copy(&db, &pristine).unwrap();
        let data = data.clone();
        Box::new(move |sql: &str| {
            std::fs::copy(&pristine, &db).unwrap();
            let _ = std::fs::remove_file(data.join("palermo.db-wal"));
            rusqlite::Connection::open(&db)
                .unwrap()
                .execute_batch(sql)
                .unwrap();
            verify(&data)
        })
    };
    let seq: i64 = entries[1]["seq"].as_i64().unwrap();

    let (ok, report) = tamper(&format!(
        "UPDATE audit SET outcome = 'hit' WHERE seq = {seq}"
    ));
    assert!(
        !ok && report.contains(&format!("BROKEN at entry {seq}:")),
        "{report}"
    );
    let (ok, report) = tamper(&format!(
        "UPDATE audit SET payload = '[]' WHERE seq = {seq}"
    ));
    assert!(
        !ok && report.contains(&format!("at entry {seq}:")),
        "{report}"
    );
    let (ok, report) = tamper(&format!("DELETE FROM audit WHERE seq = {seq}"));
    assert!(
        !ok && report.contains(&format!("at entry {seq}:")),
        "{report}"
    );
    let (ok, report) = tamper(&format!(
        "UPDATE audit SET seq = -1 WHERE seq = {seq};
         UPDATE audit SET seq = {seq} WHERE seq = {seq} + 1;
         UPDATE audit SET seq = {seq} + 1 WHERE seq = -1;"
    ));
    assert!(
        !ok && report.contains(&format!("at entry {seq}:")),
        "reordered: {report}"
    );
    let (ok, report) = tamper(&format!(
        "UPDATE audit SET seq = -seq WHERE seq > {seq};
         UPDATE audit SET seq = 1 - seq WHERE seq < 0;
         INSERT INTO audit (seq, at, org, \"user\", api_key_id, source, action, target, outcome,
             justification, detail, payload, payload_hash, prev_hash, hash)
         SELECT seq + 1, at, org, \"user\", api_key_id, source, action, target, 'no-hit',
             justification, detail, payload, payload_hash, prev_hash, hash
         FROM audit WHERE seq = {seq};"
    ));
    assert!(
        !ok && report.contains(&format!("at entry {}:", seq + 1)),
        "inserted: {report}"
    );
    let (ok, report) =
        tamper("DELETE FROM audit WHERE seq >= (SELECT max(seq) FROM audit_heads) - 1");
    assert!(!ok && report.contains("missing"), "truncated: {report}");
    // Erasing search terms at the end of their retention is no tampering.
    let (ok, report) = tamper("UPDATE audit SET payload = NULL");
    assert!(ok, "{report}");
    assert!(report.contains("payloads erased"), "{report}");
}

#[test]
fn without_tls_the_hub_listens_on_loopback_only() {
    let dir = tempfile::tempdir().unwrap();
    let output = palermo()
        .args(["serve", "--listen", "0.0.0.0:0", "--data"])
        .arg(dir.path())
        .output()
        .unwrap();
    assert!(!output.status.success());
    assert!(String::from_utf8_lossy(&output.stderr).contains("TLS"));
}

fn tls_agent(ca: &Path, client: Option<(&Path, &Path)>) -> ureq::Agent {
    use ureq::tls::{Certificate, ClientCert, PrivateKey, RootCerts, TlsConfig};
    let ca = Certificate::from_pem(&std::fs::read(ca).unwrap()).unwrap();
    let mut tls = TlsConfig::builder().root_certs(RootCerts::new_with_certs(&[ca]));
    if let Some((cert, key)) = client {
        let cert = Certificate::from_pem(&std::fs::read(cert).unwrap()).unwrap();
        let key = PrivateKey::from_pem(&std::fs::read(key).unwrap()).unwrap();
        tls = tls.client_cert(Some(ClientCert::new_with_certs(&[cert], key)));
    }
    ureq::Agent::config_builder()
        .http_status_as_error(false)
        .tls_config(tls.build())
        .build()
        .into()
}

#[test]
fn tls_and_mutual_tls_with_development_certificates() {
    let dir = tempfile::tempdir().unwrap();
    let certs = dir.path().join("certs");
    let made = palermo()
        .args(["admin", "dev-cert", "--out"])
        .arg(&certs)
        .output()
        .unwrap();
    assert!(made.status.success(), "{made:?}");
    let file = |name: &str| certs.join(name);
    let data = dir.path().join("data");
    let (server_pem, server_key) = (file("server.pem"), file("server-key.pem"));
    let tls_args = [
        "--demo",
        "--demo-documents",
        "10",
        "--demo-vehicles",
        "0",
        "--tls-cert",
        server_pem.to_str().unwrap(),
        "--tls-key",
        server_key.to_str().unwrap(),
    ];
    let server = Server::start(&data, &tls_args);
    assert!(server.url.starts_with("https://"), "{}", server.url);
    let agent = tls_agent(&file("ca.pem"), None);
    let health = agent.get(format!("{}/healthz", server.url)).call().unwrap();
    assert_eq!(health.status(), 200);
    // Plain HTTP to a TLS port gets no answer.
    assert!(
        ureq::get(server.url.replace("https://", "http://") + "/healthz")
            .call()
            .is_err()
    );
    // The CLI trusts the development CA when told to.
    let key = server.key("DEU");
    let check = palermo()
        .args([
            "check",
            "document",
            "NOPE1234",
            "--country",
            "FRA",
            "--hub",
            &server.url,
        ])
        .args(["--key", &key, "--ca-cert"])
        .arg(file("ca.pem"))
        .output()
        .unwrap();
    assert!(check.status.success(), "{check:?}");
    assert_eq!(String::from_utf8_lossy(&check.stdout).trim(), "NO HIT");
    let untrusted = palermo()
        .args([
            "check",
            "document",
            "NOPE1234",
            "--country",
            "FRA",
            "--hub",
            &server.url,
        ])
        .args(["--key", &key])
        .output()
        .unwrap();
    assert!(!untrusted.status.success(), "an unknown CA is refused");
    drop(server);

    // Mutual TLS: a client without a certificate from the CA does not get in.
    let mut mutual = tls_args.to_vec();
    let ca = file("ca.pem");
    mutual.extend(["--tls-client-ca", ca.to_str().unwrap()]);
    let server = Server::start(&data, &mutual);
    assert!(agent.get(format!("{}/healthz", server.url)).call().is_err());
    let with_cert = tls_agent(
        &file("ca.pem"),
        Some((&file("client.pem"), &file("client-key.pem"))),
    );
    let health = with_cert
        .get(format!("{}/healthz", server.url))
        .call()
        .unwrap();
    assert_eq!(health.status(), 200);
}

#[test]
fn secrets_never_reach_the_logs() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let log = dir.path().join("hub.log");
    let server = Server::start_logged(
        &data,
        &["--demo", "--demo-documents", "10", "--demo-vehicles", "0"],
        &log,
    );
    let officer = person(&server, "deu.officer");
    let password = officer["password"].as_str().unwrap().to_owned();
    sign_in_with(&server, "deu.officer", "Wrong-Secret-Passw0rd", "123456").problem(401);
    let session = sign_in(&server, "deu.officer");
    let token = session.key.clone().unwrap();
    let forged_key = format!("plm_{}", "ab".repeat(32));
    server
        .anonymous()
        .with_key(&forged_key)
        .get("/api/v1/hits")
        .problem(401);
    session.delete("/api/v1/sessions/current");
    session.get("/api/v1/hits").problem(401);
    let key = server.key("FRA");
    drop(server);
    let logged = std::fs::read_to_string(&log).unwrap();
    assert!(!logged.is_empty());
    for secret in [
        password.as_str(),
        "Wrong-Secret-Passw0rd",
        &token,
        &forged_key,
        &key,
    ] {
        assert!(!logged.contains(secret), "{secret} in the log");
    }
}

#[test]
fn administrators_manage_people_and_keys_on_a_running_hub() {
    let server = Server::demo();
    let administrator = sign_in(&server, "sg.admin");
    let token = administrator.key.clone().unwrap();
    let officer = sign_in(&server, "deu.officer");
    officer.get("/api/v1/admin/users").problem(403);

    let users = administrator.get("/api/v1/admin/users");
    assert_eq!(users.status, 200, "{}", users.text);
    assert_eq!(users.body["users"].as_array().unwrap().len(), 7);
    let fields = administrator
        .post(
            "/api/v1/admin/users",
            &json!({"username": "ita.officer", "org": "ITA", "roles": ["frontline", "pilot"],
                "password": "a long enough passphrase"}),
        )
        .problem(422);
    assert_eq!(fields, ["roles[1]"]);
    let created = administrator.post(
        "/api/v1/admin/users",
        &json!({"username": "ita.officer", "org": "ITA", "roles": ["frontline"],
            "password": "a long enough passphrase"}),
    );
    assert_eq!(created.status, 201, "{}", created.text);
    let code = palermo_hub::totp_now(created.body["totp_secret"].as_str().unwrap()).unwrap();
    assert_eq!(
        sign_in_with(&server, "ita.officer", "a long enough passphrase", &code).status,
        201
    );

    // A locked account is unlocked from the command line, the hub running on.
    let locked = person(&server, "fra.operator");
    for _ in 0..5 {
        sign_in_with(&server, "fra.operator", "wrong password!", "123456").problem(401);
    }
    let unlock = palermo()
        .args([
            "admin",
            "unlock",
            "fra.operator",
            "--hub",
            &server.url,
            "--key",
            &token,
        ])
        .output()
        .unwrap();
    assert!(unlock.status.success(), "{unlock:?}");
    let answer = sign_in_with(
        &server,
        "fra.operator",
        locked["password"].as_str().unwrap(),
        &current_code(&locked),
    );
    assert_eq!(answer.status, 201, "{}", answer.text);

    // A key with the check scope only checks; revoked, it is refused at once.
    let made = palermo()
        .args([
            "admin",
            "create-key",
            "NLD",
            "--scopes",
            "check",
            "--hub",
            &server.url,
        ])
        .args(["--key", &token])
        .output()
        .unwrap();
    assert!(made.status.success(), "{made:?}");
    let line = String::from_utf8_lossy(&made.stdout).into_owned();
    let key = line.split_whitespace().last().unwrap().to_owned();
    let id = line.split_whitespace().nth(1).unwrap().to_owned();
    let checker = server.anonymous().with_key(&key);
    assert_eq!(
        checker
            .get("/api/v1/checks/documents?number=X1&country=FRA")
            .status,
        200
    );
    checker
        .post("/api/v1/documents", &document("SCOPE12345", "NLD"))
        .problem(403);
    let revoked = palermo()
        .args([
            "admin",
            "revoke-key",
            &id,
            "--hub",
            &server.url,
            "--key",
            &token,
        ])
        .output()
        .unwrap();
    assert!(revoked.status.success(), "{revoked:?}");
    checker
        .get("/api/v1/checks/documents?number=X1&country=FRA")
        .problem(401);
    administrator
        .delete(&format!("/api/v1/admin/keys/{id}"))
        .problem(404);
    administrator
        .post("/api/v1/admin/users/nobody/unlock", &json!({}))
        .problem(404);
}
