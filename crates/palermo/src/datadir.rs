//! The data directory: the database and a lock that keeps one process in charge of it.

use std::fs::{File, OpenOptions};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use anyhow::{Context, bail};
use palermo_core::CountryCode;
use palermo_hub::{Hub, HubOptions, Policy, SigningKey};
use palermo_store::{SqliteStore, Store};

pub const DATABASE_FILE: &str = "palermo.db";
pub const DEMO_CREDENTIALS_FILE: &str = "demo-credentials.json";
/// The hub's Ed25519 key (PKCS #8), which signs the audit trail's head; owner-only.
pub const SIGNING_KEY_FILE: &str = "audit-signing-key.pk8";

/// An open data directory. While it lives, no other palermo process may open the directory:
/// a hub's index must see every write, so writes go through the process that holds it.
pub struct DataDir {
    path: PathBuf,
    _lock: File,
}

impl DataDir {
    pub fn open(path: &Path) -> anyhow::Result<DataDir> {
        std::fs::create_dir_all(path)
            .with_context(|| format!("cannot create data directory {}", path.display()))?;
        let lock_path = path.join("lock");
        let lock = OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&lock_path)
            .with_context(|| format!("cannot open {}", lock_path.display()))?;
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
        Ok(DataDir {
            path: path.to_owned(),
            _lock: lock,
        })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    pub fn store(&self) -> anyhow::Result<Arc<dyn Store>> {
        let db = self.path.join(DATABASE_FILE);
        let store = SqliteStore::open(&db)
            .with_context(|| format!("cannot open database {}", db.display()))?;
        Ok(Arc::new(store))
    }

    /// Opens the store and builds the indexes.
    pub fn hub(&self) -> anyhow::Result<Hub> {
        self.hub_with(self.store()?, Policy::default(), true)
    }

    /// Builds a hub on `store` with `policy` and the directory's signing key (made on first
    /// use).
    pub fn hub_with(
        &self,
        store: Arc<dyn Store>,
        policy: Policy,
        audit_checks: bool,
    ) -> anyhow::Result<Hub> {
        let signing_key =
            SigningKey::from_pkcs8(&self.signing_key()?).map_err(anyhow::Error::msg)?;
        Ok(Hub::open_with(
            store,
            HubOptions {
                policy,
                signing_key: Some(signing_key),
                audit_checks,
            },
        )?)
    }

    fn signing_key(&self) -> anyhow::Result<Vec<u8>> {
        let path = self.path.join(SIGNING_KEY_FILE);
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
