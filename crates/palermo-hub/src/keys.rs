//! API keys: made from 32 random bytes, shown once, stored as their SHA-256.

use std::net::IpAddr;

use palermo_core::{CountryCode, FieldErrors, OrgCode, OrgKind, Permissions, Viewpoint};
use palermo_store::Organisation;
use sha2::{Digest, Sha256};

use crate::{Caller, Hub, HubError, Result};

/// Every key starts with this, so that secret scanners and people recognise one.
const KEY_PREFIX: &str = "plm_";

/// A new key: the secret, shown once, and its id.
#[derive(Clone, Debug)]
pub struct ApiKey {
    pub id: i64,
    pub org: OrgCode,
    pub scopes: Permissions,
    pub secret: String,
}

/// Keys carry 256 random bits, so one unsalted SHA-256 is as strong as a slow hash here and
/// costs nothing on the check path.
pub fn hash_api_key(secret: &str) -> [u8; 32] {
    Sha256::digest(secret.as_bytes()).into()
}

/// The scopes a key gets unless told otherwise: what a national bureau's system needs.
pub const DEFAULT_KEY_SCOPES: Permissions = Permissions::CHECK
    .union(Permissions::READ_RECORDS)
    .union(Permissions::WRITE_RECORDS)
    .union(Permissions::HITS)
    .union(Permissions::MESSAGES);

impl Hub {
    /// Adds (or renames) an organisation. A member bureau's code is its ISO 3166-1 alpha-3
    /// country code.
    pub fn add_organisation(
        &self,
        caller: &Caller,
        code: OrgCode,
        kind: OrgKind,
        name: &str,
    ) -> Result<()> {
        caller.require(Permissions::ADMINISTER)?;
        if kind == OrgKind::Member
            && !CountryCode::parse(code.as_str()).is_some_and(CountryCode::is_iso_3166)
        {
            return Err(HubError::Invalid(FieldErrors::single(
                "code",
                "a member bureau is an ISO 3166-1 alpha-3 country",
            )));
        }
        if name.trim().is_empty() || name.chars().any(char::is_control) {
            return Err(HubError::Invalid(FieldErrors::single(
                "name",
                "is empty or holds control characters",
            )));
        }
        let mut event = caller.event("organisation.add", "ok");
        event.target = Some(format!("organisation:{code}"));
        event.detail = Some(kind.as_str().to_owned());
        self.store.add_organisation(
            &Organisation {
                code,
                kind,
                name: name.trim().to_owned(),
            },
            &event,
        )?;
        self.reload_api_keys()
    }

    /// Adds (or renames) a member bureau.
    pub fn add_bureau(&self, caller: &Caller, code: CountryCode, name: &str) -> Result<()> {
        self.add_organisation(caller, OrgCode::of_country(code), OrgKind::Member, name)
    }

    /// Makes a key for `org` with `scopes`. The secret is returned once and never stored.
    pub fn create_api_key(
        &self,
        caller: &Caller,
        org: OrgCode,
        label: &str,
        scopes: Permissions,
    ) -> Result<ApiKey> {
        caller.require(Permissions::ADMINISTER)?;
        if label.chars().any(char::is_control) {
            return Err(HubError::Invalid(FieldErrors::single(
                "label",
                "holds control characters",
            )));
        }
        let mut random = [0u8; 32];
        getrandom::fill(&mut random).map_err(|error| {
            HubError::Store(palermo_store::StoreError::Unavailable(format!(
                "no randomness: {error}"
            )))
        })?;
        let secret = format!("{KEY_PREFIX}{}", hex::encode(random));
        let mut event = caller.event("api-key.create", "ok");
        event.detail = Some(format!("org {org}, scopes {}", scopes.scopes()));
        let id = self
            .store
            .add_api_key(org, label, scopes, &hash_api_key(&secret), &event)?;
        self.reload_api_keys()?;
        Ok(ApiKey {
            id,
            org,
            scopes,
            secret,
        })
    }

    pub fn revoke_api_key(&self, caller: &Caller, id: i64) -> Result<bool> {
        caller.require(Permissions::ADMINISTER)?;
        let mut event = caller.event("api-key.revoke", "ok");
        event.target = Some(format!("api-key:{id}"));
        let revoked = self.store.revoke_api_key(id, &event)?;
        self.reload_api_keys()?;
        Ok(revoked)
    }

    /// The caller a key stands for; `None` for an unknown or revoked key.
    pub fn authenticate(&self, secret: &str, source: Option<IpAddr>) -> Option<Caller> {
        if !secret.starts_with(KEY_PREFIX) {
            return None;
        }
        self.api_keys
            .read()
            .get(&hash_api_key(secret))
            .map(|caller| caller.clone().with_source(source))
    }

    pub(crate) fn reload_api_keys(&self) -> Result<()> {
        let organisations = self.store.organisations()?;
        let keys = self
            .store
            .api_keys()?
            .into_iter()
            .filter(|key| !key.revoked)
            .filter_map(|key| {
                let organisation = organisations.iter().find(|o| o.code == key.org)?;
                Some((
                    key.key_hash,
                    Caller {
                        org: key.org,
                        viewpoint: Viewpoint {
                            kind: organisation.kind,
                            country: organisation.country(),
                        },
                        permissions: key.scopes,
                        user: None,
                        api_key_id: Some(key.id),
                        source: None,
                    },
                ))
            })
            .collect();
        *self.api_keys.write() = keys;
        Ok(())
    }
}
