//! A PostgreSQL for tests: `PALERMO_TEST_DATABASE_URL` when given, otherwise a throwaway
//! cluster (`initdb` in a temporary directory, listening on a Unix socket only, stopped when
//! dropped). Each test store lives in a schema of its own, so tests never see each other.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::{AtomicU64, Ordering};

use postgres::{Config, NoTls};

use super::PostgresStore;

pub const URL_VARIABLE: &str = "PALERMO_TEST_DATABASE_URL";
/// The role [`TestDatabase::store_as_hub_role`] connects as.
pub const HUB_ROLE: &str = "palermo_hub_test";

pub struct TestDatabase {
    url: String,
    cluster: Option<Cluster>,
}

struct Cluster {
    bin: PathBuf,
    data: PathBuf,
    as_postgres: bool,
    _dir: tempfile::TempDir,
}

impl Drop for Cluster {
    fn drop(&mut self) {
        let _ = command(&self.bin, "pg_ctl", self.as_postgres)
            .arg("-D")
            .arg(&self.data)
            .args(["stop", "-m", "immediate", "-s"])
            .status();
    }
}

/// Where Debian (or `pg_config`) keeps the server's programs.
fn server_bin() -> Option<PathBuf> {
    let mut versions: Vec<(u32, PathBuf)> = std::fs::read_dir("/usr/lib/postgresql")
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|entry| {
            let version = entry.file_name().to_str()?.parse().ok()?;
            let bin = entry.path().join("bin");
            bin.join("initdb").exists().then_some((version, bin))
        })
        .collect();
    versions.sort();
    if let Some((_, bin)) = versions.pop() {
        return Some(bin);
    }
    let output = Command::new("pg_config").arg("--bindir").output().ok()?;
    let bin = PathBuf::from(String::from_utf8(output.stdout).ok()?.trim());
    bin.join("initdb").exists().then_some(bin)
}

fn command(bin: &Path, program: &str, as_postgres: bool) -> Command {
    if as_postgres {
        let mut command = Command::new("runuser");
        command
            .args(["-u", "postgres", "--"])
            .arg(bin.join(program));
        command
    } else {
        Command::new(bin.join(program))
    }
}

fn run(command: &mut Command, what: &str) {
    let output = command
        .output()
        .unwrap_or_else(|error| panic!("cannot run {what}: {error}"));
    assert!(
        output.status.success(),
        "{what} failed: {}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
}

impl TestDatabase {
    /// The database of `PALERMO_TEST_DATABASE_URL`, or a new cluster. Panics, saying what to
    /// install, when neither is possible.
    pub fn start() -> TestDatabase {
        if let Ok(url) = std::env::var(URL_VARIABLE) {
            return TestDatabase { url, cluster: None };
        }
        TestDatabase::throwaway()
    }

    /// A new cluster of the caller's own, whatever `PALERMO_TEST_DATABASE_URL` says: for tests
    /// that stop or restart the server.
    pub fn throwaway() -> TestDatabase {
        let bin = server_bin().unwrap_or_else(|| {
            panic!(
                "the PostgreSQL tests need a server: install Debian's postgresql package \
                 (scripts/test does) or set {URL_VARIABLE}"
            )
        });
        let dir = tempfile::tempdir().expect("a temporary directory");
        let as_postgres = is_root();
        if as_postgres {
            // initdb refuses to run as root: the cluster belongs to the postgres user.
            run(
                Command::new("chown").arg("postgres").arg(dir.path()),
                "chown",
            );
        }
        let data = dir.path().join("data");
        let socket = dir.path().to_path_buf();
        run(
            command(&bin, "initdb", as_postgres)
                .arg("-D")
                .arg(&data)
                .args(["-U", "postgres", "--auth=trust", "-E", "UTF8", "--no-sync"]),
            "initdb",
        );
        let options = format!(
            "-k {} -c listen_addresses='' -c max_connections=200",
            socket.display()
        );
        run(
            command(&bin, "pg_ctl", as_postgres)
                .arg("-D")
                .arg(&data)
                .args(["-w", "-s", "-o", &options, "-l"])
                .arg(dir.path().join("log"))
                .arg("start"),
            "pg_ctl start",
        );
        TestDatabase {
            url: format!("host={} user=postgres dbname=postgres", socket.display()),
            cluster: Some(Cluster {
                bin,
                data,
                as_postgres,
                _dir: dir,
            }),
        }
    }

    /// Restarts the throwaway cluster as a crash would: `pg_ctl restart -m immediate` (no
    /// checkpoint; recovery replays the WAL). Every connection is cut.
    pub fn restart_immediately(&self) {
        let cluster = self.cluster.as_ref().expect("a throwaway cluster");
        let options = format!(
            "-k {} -c listen_addresses='' -c max_connections=200",
            cluster
                .data
                .parent()
                .expect("the cluster's directory")
                .display()
        );
        let log = cluster.data.with_file_name("log");
        run(
            command(&cluster.bin, "pg_ctl", cluster.as_postgres)
                .arg("-D")
                .arg(&cluster.data)
                .args([
                    "restart",
                    "-m",
                    "immediate",
                    "-w",
                    "-s",
                    "-o",
                    &options,
                    "-l",
                ])
                .arg(log),
            "pg_ctl restart",
        );
    }

    /// Stops the throwaway cluster as a crash would (`pg_ctl stop -m immediate`): the server
    /// is away until [`TestDatabase::start_again`].
    pub fn stop_immediately(&self) {
        let cluster = self.cluster.as_ref().expect("a throwaway cluster");
        run(
            command(&cluster.bin, "pg_ctl", cluster.as_postgres)
                .arg("-D")
                .arg(&cluster.data)
                .args(["stop", "-m", "immediate", "-w", "-s"]),
            "pg_ctl stop",
        );
    }

    /// Starts the stopped throwaway cluster again (recovery replays its WAL).
    pub fn start_again(&self) {
        let cluster = self.cluster.as_ref().expect("a throwaway cluster");
        let directory = cluster.data.parent().expect("the cluster's directory");
        let options = format!(
            "-k {} -c listen_addresses='' -c max_connections=200",
            directory.display()
        );
        run(
            command(&cluster.bin, "pg_ctl", cluster.as_postgres)
                .arg("-D")
                .arg(&cluster.data)
                .args(["start", "-w", "-s", "-o", &options, "-l"])
                .arg(directory.join("log")),
            "pg_ctl start",
        );
    }

    pub fn url(&self) -> &str {
        &self.url
    }

    /// Whether this database is a throwaway cluster of the test's own.
    pub fn is_throwaway(&self) -> bool {
        self.cluster.is_some()
    }

    /// A connection configuration whose tables live in a new, empty schema.
    pub fn fresh_schema(&self) -> Config {
        let schema = self.new_schema();
        let mut config: Config = self.url.parse().expect("a valid test database URL");
        config.options(&format!("-c search_path={schema}"));
        config
    }

    /// A connection string (for `--database`) whose tables live in a new, empty schema.
    pub fn fresh_schema_url(&self) -> String {
        let schema = self.new_schema();
        if self.url.starts_with("postgres://") || self.url.starts_with("postgresql://") {
            let separator = if self.url.contains('?') { '&' } else { '?' };
            format!("{}{separator}options=-csearch_path%3D{schema}", self.url)
        } else {
            format!("{} options='-c search_path={schema}'", self.url)
        }
    }

    /// Creates [`HUB_ROLE`] if it does not exist (the owner's URL must be a superuser's or a
    /// role's that may create roles).
    pub fn create_hub_role(&self) {
        let config: Config = self.url.parse().expect("a valid test database URL");
        tokio::task::block_in_place(|| {
            let mut client = config.connect(NoTls)?;
            client.batch_execute(&format!(
                "DO $$ BEGIN CREATE ROLE {HUB_ROLE} LOGIN;
                 EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL; END $$"
            ))
        })
        .expect("the hub's role");
    }

    fn new_schema(&self) -> String {
        static NEXT: AtomicU64 = AtomicU64::new(0);
        let schema = format!(
            "test_{}_{}",
            std::process::id(),
            NEXT.fetch_add(1, Ordering::Relaxed)
        );
        let config: Config = self.url.parse().expect("a valid test database URL");
        let mut client = tokio::task::block_in_place(|| config.connect(NoTls))
            .expect("the test database answers");
        tokio::task::block_in_place(|| {
            client.batch_execute(&format!(
                "DROP SCHEMA IF EXISTS {schema} CASCADE; CREATE SCHEMA {schema}"
            ))
        })
        .expect("a new schema");
        schema
    }

    /// A new store, in a new schema.
    pub fn store(&self) -> PostgresStore {
        PostgresStore::with_config(self.fresh_schema()).expect("a PostgreSQL store")
    }

    /// A new store in a new schema, migrated by its owner and connected as [`HUB_ROLE`], which
    /// owns nothing and holds only what `palermo migrate --hub-role` grants.
    pub fn store_as_hub_role(&self) -> PostgresStore {
        self.create_hub_role();
        let owner = self.fresh_schema();
        let mut client = tokio::task::block_in_place(|| owner.connect(NoTls)).expect("connects");
        super::migrate(&mut client).expect("migrated by the owner");
        super::grant_hub_role(&mut client, HUB_ROLE).expect("granted");
        let mut hub = owner.clone();
        hub.user(HUB_ROLE);
        PostgresStore::with_config(hub).expect("a store as the hub's role")
    }
}

/// Whether this process runs as root (uid 0), read from `/proc` to need no libc.
fn is_root() -> bool {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|status| {
            status
                .lines()
                .find_map(|line| line.strip_prefix("Uid:"))
                .and_then(|ids| ids.split_whitespace().next().map(|uid| uid == "0"))
        })
        .unwrap_or(false)
}
