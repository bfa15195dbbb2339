//! API keys: made from 32 random bytes, shown once, stored as their SHA-256.

use palermo_core::CountryCode;
use palermo_store::Bureau;
use sha2::{Digest, Sha256};

use crate::{Caller, Hub, HubError, Result};

/// Every key starts with this, so that secret scanners and people recognise one.
const KEY_PREFIX: &str = "plm_";

/// A new key: the secret, shown once, and its id.
#[derive(Clone, Debug)]
pub struct ApiKey {
    pub id: i64,
    pub bureau: CountryCode,
    pub secret: String,
}

/// Keys carry 256 random bits, so one unsalted SHA-256 is as strong as a slow hash here and
/// costs nothing on the check path.
pub fn hash_api_key(secret: &str) -> [u8; 32] {
    Sha256::digest(secret.as_bytes()).into()
}

impl Hub {
    /// Adds (or renames) a member bureau.
    pub fn add_bureau(&self, code: CountryCode, name: &str) -> Result<()> {
        if !code.is_iso_3166() {
            return Err(HubError::Invalid(palermo_core::FieldErrors::single(
                "code",
                "a member bureau is an ISO 3166-1 alpha-3 country",
            )));
        }
        self.store.add_bureau(&Bureau {
            code,
            name: name.to_owned(),
        })?;
        Ok(())
    }

    /// Makes a key for `bureau`. The secret is returned once and never stored.
    pub fn create_api_key(&self, bureau: CountryCode, label: &str) -> Result<ApiKey> {
        let mut random = [0u8; 32];
        getrandom::fill(&mut random).map_err(|error| {
            HubError::Store(palermo_store::StoreError::Unavailable(format!(
                "no randomness: {error}"
            )))
        })?;
        let secret = format!("{KEY_PREFIX}{}", hex::encode(random));
        let id = self
            .store
            .add_api_key(bureau, label, &hash_api_key(&secret))?;
        self.reload_api_keys()?;
        Ok(ApiKey { id, bureau, secret })
    }

    pub fn revoke_api_key(&self, id: i64) -> Result<bool> {
        let revoked = self.store.revoke_api_key(id)?;
        self.reload_api_keys()?;
        Ok(revoked)
    }

    /// The caller a key stands for; `None` for an unknown or revoked key.
    pub fn authenticate(&self, secret: &str) -> Option<Caller> {
        if !secret.starts_with(KEY_PREFIX) {
            return None;
        }
        self.api_keys.read().get(&hash_api_key(secret)).copied()
    }

    pub(crate) fn reload_api_keys(&self) -> Result<()> {
        let keys = self
            .store
            .api_keys()?
            .into_iter()
            .filter(|key| !key.revoked)
            .map(|key| {
                (
                    key.key_hash,
                    Caller {
                        bureau: key.bureau,
                        api_key_id: Some(key.id),
                    },
                )
            })
            .collect();
        *self.api_keys.write() = keys;
        Ok(())
    }
}
