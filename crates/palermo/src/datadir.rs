//! The data directory: the database (or, with `--database`, the PostgreSQL it names), the
//! audit signing key, and a lock that keeps one process in charge of them.

use std::fs::{File, OpenOptions};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use anyhow::{Context, bail};
use palermo_core::CountryCode;
use palermo_hub::{Hub, HubOptions, Policy, SigningKey};
use palermo_store::{PostgresStore, Spool, SqliteStore, Store};

pub const DATABASE_FILE: &str = "palermo.db";
pub const DEMO_CREDENTIALS_FILE: &str = "demo-credentials.json";
/// The hub's Ed25519 key (PKCS #8), which signs the audit trail's head; owner-only.
pub const SIGNING_KEY_FILE: &str = "audit-signing-key.pk8";
/// The PostgreSQL connection string a data directory's records live in, once given: later
/// commands on the directory use it without being told again (owner-only: it may hold a
/// password).
pub const DATABASE_URL_FILE: &str = "database-url";
/// Where a hub on PostgreSQL keeps checks' audit entries while the server is out of reach.
pub const SPOOL_FILE: &str = "audit-spool.db";

/// An open data directory. While it lives, no other palermo process may open the directory:
/// a hub's index must see every write, so writes go through the process that holds it.
pub struct DataDir {
    path: PathBuf,
    _lock: File,
    /// Where the audit signing key lives, if not in the directory.
    audit_key: Option<PathBuf>,
    /// A PostgreSQL connection string: the records live there instead of `palermo.db`.
    database: Option<String>,
    /// Whether to remember `database` in the directory once it opened.
    remember: bool,
}

/// Makes `path` readable by its owner only (a directory: also searchable), whatever the umask:
/// the database holds password hashes, TOTP and webhook secrets and every record.
pub fn make_private(path: &Path) -> anyhow::Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let metadata =
            std::fs::metadata(path).with_context(|| format!("cannot read {}", path.display()))?;
        let mode = if metadata.is_dir() { 0o700 } else { 0o600 };
        if metadata.permissions().mode() & 0o777 != mode {
            std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode))
                .with_context(|| format!("cannot make {} private", path.display()))?;
        }
    }
    Ok(())
}

impl DataDir {
    pub fn open(path: &Path) -> anyhow::Result<DataDir> {
        #[cfg(unix)]
        std::os::unix::fs::DirBuilderExt::mode(std::fs::DirBuilder::new().recursive(true), 0o700)
            .create(path)
            .with_context(|| format!("cannot create data directory {}", path.display()))?;
        #[cfg(not(unix))]
        std::fs::create_dir_all(path)
            .with_context(|| format!("cannot create data directory {}", path.display()))?;
        make_private(path)?;
        let lock_path = path.join("lock");
        let lock = OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&lock_path)
            .with_context(|| format!("cannot open {}", lock_path.display()))?;
        make_private(&lock_path)?;
        match lock.try_lock() {
            Ok(()) => {}
            Err(std::fs::TryLockError::WouldBlock) => bail!(
                "data directory {} is in use by another palermo process (a running hub?); \
                 stop it, or send the command to it with --hub URL --key KEY",
                path.display()
            ),
            Err(std::fs::TryLockError::Error(error)) => {
                return Err(error).context("cannot lock the data directory");
            }
        }
        // Files an older version or a loose umask left readable by others are closed now.
        for entry in std::fs::read_dir(path)
            .with_context(|| format!("cannot list {}", path.display()))?
            .flatten()
        {
            make_private(&entry.path())?;
        }
        Ok(DataDir {
            path: path.to_owned(),
            _lock: lock,
            audit_key: None,
            database: None,
            remember: false,
        })
    }

    /// Keeps the audit trail's signing key in `path` instead of the data directory, so that
    /// whoever holds the database does not hold the key that signs its heads.
    pub fn with_audit_key(mut self, path: Option<PathBuf>) -> DataDir {
        self.audit_key = path;
        self
    }

    /// Keeps the records in the PostgreSQL database `url` names, if given, and remembers it
    /// in the directory; without `url`, uses the database the directory remembers, if any.
    /// Refuses a `url` other than the one remembered, and one given to a directory whose
    /// records are in its SQLite file: either would silently split a hub's data in two.
    pub fn with_database(mut self, url: Option<String>) -> anyhow::Result<DataDir> {
        let record = self.path.join(DATABASE_URL_FILE);
        let remembered = match std::fs::read_to_string(&record) {
            Ok(text) => Some(text.trim().to_owned()),
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => None,
            Err(error) => {
                return Err(error).with_context(|| format!("cannot read {}", record.display()));
            }
        };
        self.database = match (remembered, url) {
            (Some(remembered), Some(url)) if remembered != url => bail!(
                "data directory {} keeps its records in another database (the one in {});                  give no --database, or use another data directory",
                self.path.display(),
                record.display()
            ),
            (Some(remembered), _) => Some(remembered),
            (None, Some(url)) => {
                let sqlite = self.path.join(DATABASE_FILE);
                if sqlite.exists() {
                    bail!(
                        "data directory {} keeps its records in {}: serve it without                          --database, or use a new data directory for PostgreSQL",
                        self.path.display(),
                        sqlite.display()
                    );
                }
                // Remembered once the database opened (see `store`): a mistyped URL is not.
                self.remember = true;
                Some(url)
            }
            (None, None) => None,
        };
        Ok(self)
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    pub fn store(&self) -> anyhow::Result<Arc<dyn Store>> {
        if let Some(url) = &self.database {
            let store = PostgresStore::open(url)
                .map_err(|error| anyhow::anyhow!("cannot open the PostgreSQL database: {error}"))?;
            if self.remember {
                let record = self.path.join(DATABASE_URL_FILE);
                crate::serve::write_private(&record, url.as_bytes())
                    .with_context(|| format!("cannot write {}", record.display()))?;
            }
            return Ok(Arc::new(store));
        }
        let db = self.path.join(DATABASE_FILE);
        let store = SqliteStore::open(&db)
            .with_context(|| format!("cannot open database {}", db.display()))?;
        // SQLite gives its journal files the database's permissions.
        make_private(&db)?;
        Ok(Arc::new(store))
    }

    /// Opens the store and builds the indexes.
    pub fn hub(&self) -> anyhow::Result<Hub> {
        self.hub_with(self.store()?, Policy::default())
    }

    /// Builds a hub on `store` with `policy` and the signing key (made on first use).
    pub fn hub_with(&self, store: Arc<dyn Store>, policy: Policy) -> anyhow::Result<Hub> {
        let signing_key =
            SigningKey::from_pkcs8(&self.signing_key()?).map_err(anyhow::Error::msg)?;
        // On a database server, checks go on while it is out of reach: their entries wait
        // in the directory's spool (SQLite's file is on this disk already: no spool).
        let spool = match &self.database {
            Some(_) => {
                let path = self.path.join(SPOOL_FILE);
                let spool = Spool::open(&path)
                    .with_context(|| format!("cannot open the audit spool {}", path.display()))?;
                make_private(&path)?;
                Some(Arc::new(spool))
            }
            None => None,
        };
        Ok(Hub::open_with(
            store,
            HubOptions {
                policy,
                signing_key: Some(signing_key),
                spool,
                ..HubOptions::default()
            },
        )?)
    }

    /// The signing key if there is one (the console signs nothing, but pins the key that
    /// heads must carry when it verifies the trail).
    pub fn signing_key_for_console(&self) -> anyhow::Result<Option<SigningKey>> {
        let path = self
            .audit_key
            .clone()
            .unwrap_or_else(|| self.path.join(SIGNING_KEY_FILE));
        match std::fs::read(&path) {
            Ok(bytes) => Ok(Some(
                SigningKey::from_pkcs8(&bytes).map_err(anyhow::Error::msg)?,
            )),
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(error) => Err(error).with_context(|| format!("cannot read {}", path.display())),
        }
    }

    fn signing_key(&self) -> anyhow::Result<Vec<u8>> {
        let path = self
            .audit_key
            .clone()
            .unwrap_or_else(|| self.path.join(SIGNING_KEY_FILE));
        match std::fs::read(&path) {
            Ok(bytes) => Ok(bytes),
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => {
                let bytes = SigningKey::generate().map_err(anyhow::Error::msg)?;
                crate::serve::write_private(&path, &bytes)
                    .with_context(|| format!("cannot write {}", path.display()))?;
                Ok(bytes)
            }
            Err(error) => Err(error).with_context(|| format!("cannot read {}", path.display())),
        }
    }
}

pub fn member_code(text: &str) -> anyhow::Result<CountryCode> {
    CountryCode::parse_member(text)
        .with_context(|| format!("{text:?} is not an ISO 3166-1 alpha-3 country code"))
}
