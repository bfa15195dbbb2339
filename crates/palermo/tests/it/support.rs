//! Test support: a `palermo serve` child process on a free loopback port, and an HTTP helper.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use serde_json::Value;

/// Whether these tests' hubs keep their records in PostgreSQL (`PALERMO_TEST_BACKEND=postgres`,
/// with the server of `PALERMO_TEST_DATABASE_URL`, which scripts/test starts) or, by default,
/// in their data directory's SQLite file.
pub fn on_postgres() -> bool {
    match std::env::var("PALERMO_TEST_BACKEND").as_deref() {
        Ok("postgres") => true,
        Ok("sqlite") | Err(_) => false,
        Ok(other) => panic!("PALERMO_TEST_BACKEND is sqlite or postgres, not {other:?}"),
    }
}

fn test_database() -> &'static palermo_store::postgres::testing::TestDatabase {
    use palermo_store::postgres::testing::{TestDatabase, URL_VARIABLE};
    static DATABASE: std::sync::OnceLock<TestDatabase> = std::sync::OnceLock::new();
    DATABASE.get_or_init(|| {
        assert!(
            std::env::var(URL_VARIABLE).is_ok(),
            "PALERMO_TEST_BACKEND=postgres needs {URL_VARIABLE} (scripts/test sets both)"
        );
        TestDatabase::start()
    })
}

/// On PostgreSQL, the `--database` a new data directory's first command gives (a schema of
/// its own); later commands find it remembered in the directory.
pub fn database_args(data: &Path) -> Vec<String> {
    // A directory a command already gave a SQLite file stays on SQLite.
    if on_postgres() && !data.join("database-url").exists() && !data.join("palermo.db").exists() {
        vec!["--database".into(), test_database().fresh_schema_url()]
    } else {
        Vec::new()
    }
}

/// A connection to the PostgreSQL database of a data directory.
pub fn postgres_of(data: &Path) -> postgres::Client {
    let url = std::fs::read_to_string(data.join("database-url")).expect("a PostgreSQL data dir");
    postgres::Client::connect(url.trim(), postgres::NoTls).expect("the test database answers")
}

pub fn palermo() -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_palermo"));
    command
        .env_remove("PALERMO_HUB")
        .env_remove("PALERMO_KEY")
        .env_remove("PALERMO_DATA");
    command.env("PALERMO_LOG", "warn");
    command
}

/// A running hub. Killed (SIGKILL) when dropped.
pub struct Server {
    pub child: Child,
    pub url: String,
    pub data: PathBuf,
    /// Keeps the data directory alive when the test made it.
    _dir: Option<tempfile::TempDir>,
}

impl Server {
    /// A demo hub with a small dataset in a new temporary directory, without the demo's
    /// persons and notices (the tests make their own).
    pub fn demo() -> Server {
        let dir = tempfile::tempdir().unwrap();
        let data = dir.path().join("data");
        let mut server = Server::start(
            &data,
            &[
                "--demo",
                "--demo-documents",
                "2000",
                "--demo-vehicles",
                "200",
                "--demo-notices",
                "false",
            ],
        );
        server._dir = Some(dir);
        server
    }

    /// Starts `palermo serve` on `data` and waits until it listens.
    pub fn start(data: &Path, extra: &[&str]) -> Server {
        Server::spawn(data, extra, Stdio::inherit(), "warn")
    }

    /// Starts a hub that logs everything (`debug`) to `log`.
    pub fn start_logged(data: &Path, extra: &[&str], log: &Path) -> Server {
        let file = std::fs::File::create(log).unwrap();
        Server::spawn(data, extra, Stdio::from(file), "debug")
    }

    fn spawn(data: &Path, extra: &[&str], stderr: Stdio, level: &str) -> Server {
        let mut child = palermo()
            .args([
                "serve",
                "--listen",
                "127.0.0.1:0",
                "--workers",
                "2",
                "--data",
            ])
            .arg(data)
            .args(if extra.contains(&"--database") {
                Vec::new()
            } else {
                database_args(data)
            })
            .args(extra)
            // The demo's case reports only where a test asks for them (they are hundreds of
            // writes, which tests sharing one PostgreSQL would wait on each other for).
            .args(
                if extra.contains(&"--demo") && !extra.contains(&"--demo-cases") {
                    &["--demo-cases", "0"][..]
                } else {
                    &[][..]
                },
            )
            .env("PALERMO_LOG", level)
            .stdout(Stdio::piped())
            .stderr(stderr)
            .spawn()
            .expect("palermo starts");
        let stdout = child.stdout.take().unwrap();
        let mut lines = BufReader::new(stdout).lines();
        let first = lines.next().expect("palermo prints its address").unwrap();
        let url = first.rsplit(' ').next().unwrap().to_owned();
        assert!(
            url.starts_with("http://127.0.0.1:") || url.starts_with("https://127.0.0.1:"),
            "{first}"
        );
        // Drain the rest of stdout so the child never blocks on a full pipe.
        std::thread::spawn(move || for _ in lines {});
        Server {
            child,
            url,
            data: data.to_owned(),
            _dir: None,
        }
    }

    pub fn credentials(&self) -> Value {
        serde_json::from_slice(&std::fs::read(self.data.join("demo-credentials.json")).unwrap())
            .unwrap()
    }

    /// The demo API key of a bureau.
    pub fn key(&self, bureau: &str) -> String {
        let credentials = self.credentials();
        credentials["bureaus"]
            .as_array()
            .unwrap()
            .iter()
            .find(|b| b["code"] == bureau)
            .map(|b| b["api_key"].as_str().unwrap().to_owned())
            .unwrap()
    }

    pub fn client(&self, bureau: &str) -> Client {
        Client {
            base: self.url.clone(),
            key: Some(self.key(bureau)),
        }
    }

    pub fn anonymous(&self) -> Client {
        Client {
            base: self.url.clone(),
            key: None,
        }
    }

    pub fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.kill();
    }
}

pub struct Client {
    pub base: String,
    pub key: Option<String>,
}

/// A response: status, content type and body (JSON when it parses).
#[derive(Debug)]
pub struct Answer {
    pub status: u16,
    pub content_type: String,
    pub body: Value,
    pub text: String,
    /// The `Retry-After` header, if any.
    pub retry_after: Option<String>,
}

impl Client {
    pub fn with_key(&self, key: &str) -> Client {
        Client {
            base: self.base.clone(),
            key: Some(key.to_owned()),
        }
    }

    fn agent() -> ureq::Agent {
        ureq::Agent::config_builder()
            .http_status_as_error(false)
            .timeout_global(Some(Duration::from_secs(30)))
            .build()
            .into()
    }

    pub fn get(&self, path: &str) -> Answer {
        let mut request = Self::agent().get(format!("{}{path}", self.base));
        if let Some(key) = &self.key {
            request = request.header("Authorization", format!("Bearer {key}"));
        }
        answer(request.call().unwrap())
    }

    pub fn delete(&self, path: &str) -> Answer {
        let mut request = Self::agent().delete(format!("{}{path}", self.base));
        if let Some(key) = &self.key {
            request = request.header("Authorization", format!("Bearer {key}"));
        }
        answer(request.call().unwrap())
    }

    pub fn post(&self, path: &str, body: &Value) -> Answer {
        self.send(
            "POST",
            path,
            "application/json",
            body.to_string().into_bytes(),
        )
    }

    pub fn put(&self, path: &str, body: &Value) -> Answer {
        self.send(
            "PUT",
            path,
            "application/json",
            body.to_string().into_bytes(),
        )
    }

    pub fn send(&self, method: &str, path: &str, content_type: &str, body: Vec<u8>) -> Answer {
        self.send_with_accept(method, path, content_type, "*/*", body)
    }

    /// [`Client::send`] asking for the answer in `accept`.
    pub fn send_with_accept(
        &self,
        method: &str,
        path: &str,
        content_type: &str,
        accept: &str,
        body: Vec<u8>,
    ) -> Answer {
        let url = format!("{}{path}", self.base);
        let agent = Self::agent();
        let mut request = match method {
            "POST" => agent.post(url),
            "PUT" => agent.put(url),
            other => panic!("method {other}"),
        };
        request = request
            .header("Content-Type", content_type)
            .header("Accept", accept);
        if let Some(key) = &self.key {
            request = request.header("Authorization", format!("Bearer {key}"));
        }
        answer(request.send(&body[..]).unwrap())
    }
}

impl Client {
    /// Sends a body over the endpoint's limit: the hub answers 413 as soon as it sees the
    /// length, and may close the connection before the client has written it all, so a
    /// broken pipe or a reset is the same refusal seen from the client's side.
    #[track_caller]
    pub fn expect_too_large(&self, path: &str, body: Vec<u8>) {
        let url = format!("{}{path}", self.base);
        let mut request = Self::agent()
            .post(url)
            .header("Content-Type", "application/json");
        if let Some(key) = &self.key {
            request = request.header("Authorization", format!("Bearer {key}"));
        }
        match request.send(&body[..]) {
            Ok(response) => {
                answer(response).problem(413);
            }
            Err(ureq::Error::Io(error)) => assert!(
                matches!(
                    error.kind(),
                    std::io::ErrorKind::BrokenPipe | std::io::ErrorKind::ConnectionReset
                ),
                "{error}"
            ),
            Err(other) => panic!("{other}"),
        }
    }
}

fn answer(mut response: ureq::http::Response<ureq::Body>) -> Answer {
    let status = response.status().as_u16();
    let content_type = response
        .headers()
        .get("content-type")
        .map(|v| v.to_str().unwrap().to_owned())
        .unwrap_or_default();
    let retry_after = response
        .headers()
        .get("retry-after")
        .map(|v| v.to_str().unwrap().to_owned());
    let text = response
        .body_mut()
        .with_config()
        .limit(64 << 20)
        .read_to_string()
        .unwrap_or_default();
    let body = serde_json::from_str(&text).unwrap_or(Value::Null);
    Answer {
        status,
        content_type,
        body,
        text,
        retry_after,
    }
}

impl Answer {
    /// Asserts an RFC 9457 problem with this status, and returns its field paths.
    #[track_caller]
    pub fn problem(&self, status: u16) -> Vec<String> {
        assert_eq!(self.status, status, "{}", self.text);
        assert_eq!(
            self.content_type, "application/problem+json",
            "{}",
            self.text
        );
        assert_eq!(self.body["status"], status);
        assert!(
            self.body["type"]
                .as_str()
                .unwrap()
                .starts_with("/problems/")
        );
        assert!(!self.body["detail"].as_str().unwrap().is_empty());
        self.body["errors"]
            .as_array()
            .map(|errors| {
                errors
                    .iter()
                    .map(|e| e["field"].as_str().unwrap().to_owned())
                    .collect()
            })
            .unwrap_or_default()
    }
}

/// A loopback port free at the time of the call.
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

impl Server {
    /// A demo hub started with more options.
    pub fn demo_with(extra: &[&str]) -> Server {
        let dir = tempfile::tempdir().unwrap();
        let data = dir.path().join("data");
        let mut args = vec![
            "--demo",
            "--demo-documents",
            "2000",
            "--demo-vehicles",
            "200",
        ];
        if !extra.contains(&"--demo-notices") {
            args.extend(["--demo-notices", "false"]);
        }
        args.extend_from_slice(extra);
        let mut server = Server::start(&data, &args);
        server._dir = Some(dir);
        server
    }

    /// The demo credentials of a person.
    pub fn person(&self, username: &str) -> Value {
        self.credentials()["people"]
            .as_array()
            .unwrap()
            .iter()
            .find(|p| p["username"] == username)
            .cloned()
            .unwrap_or_else(|| panic!("no demo person {username}"))
    }

    /// A client bearing the session of a demo person, signed in with password and TOTP.
    pub fn session(&self, username: &str) -> Client {
        let person = self.person(username);
        self.sign_in(
            username,
            person["password"].as_str().unwrap(),
            person["totp_secret"].as_str().unwrap(),
        )
    }

    /// Signs a person in with the current TOTP code of `totp_secret`.
    #[track_caller]
    pub fn sign_in(&self, username: &str, password: &str, totp_secret: &str) -> Client {
        let code = palermo_hub::totp_now(totp_secret).unwrap();
        let answer = self.anonymous().post(
            "/api/v1/sessions",
            &serde_json::json!({"username": username, "password": password, "code": code}),
        );
        assert_eq!(answer.status, 201, "{}", answer.text);
        self.anonymous()
            .with_key(answer.body["token"].as_str().unwrap())
    }
}

/// Another process's connection to a hub's database, whichever backend it has.
pub enum Database {
    Sqlite(rusqlite::Connection),
    Postgres(postgres::Client),
}

impl Database {
    pub fn of(data: &std::path::Path) -> Database {
        if on_postgres() {
            // As a superuser who turns the trail's triggers off: the strongest attacker,
            // whom only the chain's verification and the signed heads stop.
            let mut client = postgres_of(data);
            client
                .batch_execute("SET session_replication_role = replica")
                .unwrap();
            Database::Postgres(client)
        } else {
            let connection = rusqlite::Connection::open(data.join("palermo.db")).unwrap();
            connection.busy_timeout(Duration::from_secs(10)).unwrap();
            Database::Sqlite(connection)
        }
    }

    pub fn execute(&mut self, sql: &str) {
        match self {
            Database::Sqlite(connection) => connection.execute_batch(sql).unwrap(),
            Database::Postgres(client) => client.batch_execute(sql).unwrap(),
        }
    }

    /// The trail's last entry: its sequence number and hash.
    pub fn audit_head(&mut self) -> (i64, Vec<u8>) {
        let sql = "SELECT seq, hash FROM audit ORDER BY seq DESC LIMIT 1";
        match self {
            Database::Sqlite(connection) => connection
                .query_row(sql, [], |row| Ok((row.get(0)?, row.get(1)?)))
                .unwrap(),
            Database::Postgres(client) => {
                let row = client.query_one(sql, &[]).unwrap();
                (row.get(0), row.get(1))
            }
        }
    }

    /// Stores a signed head, as whoever holds the database could.
    pub fn insert_head(&mut self, seq: i64, hash: &[u8], at: i64, key: &[u8], signature: &[u8]) {
        match self {
            Database::Sqlite(connection) => {
                connection
                    .execute(
                        "INSERT INTO audit_heads (seq, hash, at, public_key, signature)
                         VALUES (?1, ?2, ?3, ?4, ?5)",
                        rusqlite::params![seq, hash, at, key, signature],
                    )
                    .unwrap();
            }
            Database::Postgres(client) => {
                client
                    .execute(
                        "INSERT INTO audit_heads (seq, hash, at, public_key, signature)
                         VALUES ($1, $2, $3, $4, $5)",
                        &[&seq, &hash, &at, &key, &signature],
                    )
                    .unwrap();
            }
        }
    }
}
