//! API keys: made from 32 random bytes, shown once, stored as their SHA-256.

use std::net::IpAddr;

use palermo_core::{CountryCode, FieldErrors, OrgCode, OrgKind, Permissions, Viewpoint};
use palermo_store::Organisation;
use sha2::{Digest, Sha256};

use crate::{Caller, Hub, HubError, Result};

/// Every key starts with this, so that secret scanners and people recognise one.
const KEY_PREFIX: &str = "plm_";
/// Longest label of a key.
const LABEL_MAX_CHARS: usize = 100;
/// Longest name of an organisation.
const ORGANISATION_NAME_MAX_CHARS: usize = 200;

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

/// The scopes a key gets unless told otherwise: checks only (least privilege); anything more
/// is asked for by name.
pub const DEFAULT_KEY_SCOPES: Permissions = Permissions::CHECK;

/// What a national bureau's own system usually needs: what the bureau's operators may do.
pub const NATIONAL_SYSTEM_SCOPES: Permissions = Permissions::CHECK
    .union(Permissions::READ_RECORDS)
    .union(Permissions::WRITE_RECORDS)
    .union(Permissions::HITS)
    .union(Permissions::MESSAGES);

impl Hub {
    /// The organisation `code`, if the hub has it.
    pub(crate) fn organisation(&self, code: OrgCode) -> Result<Option<Organisation>> {
        Ok(self
            .store
            .organisations()?
            .into_iter()
            .find(|o| o.code == code))
    }

    /// Refuses unless the caller administers `org` (its own, or any for the secretariat).
    pub(crate) fn require_administers(&self, caller: &Caller, org: OrgCode) -> Result<()> {
        caller.require(Permissions::ADMINISTER)?;
        if caller.administers(org) {
            Ok(())
        } else {
            Err(HubError::Forbidden(format!(
                "an administrator of {} administers {} only; only the secretariat's \
                 administrators act on other organisations",
                caller.org, caller.org
            )))
        }
    }

    /// Adds (or renames) an organisation: the secretariat's administrators only. A member
    /// bureau's code is its ISO 3166-1 alpha-3 country code.
    pub fn add_organisation(
        &self,
        caller: &Caller,
        code: OrgCode,
        kind: OrgKind,
        name: &str,
    ) -> Result<()> {
        let target = || Some(format!("organisation:{code}"));
        self.audited(caller, "organisation.add", target, || {
            caller.require(Permissions::ADMINISTER)?;
            if !caller.is_secretariat() {
                return Err(HubError::Forbidden(
                    "only the secretariat's administrators add or rename organisations".into(),
                ));
            }
            if kind == OrgKind::Member
                && !CountryCode::parse(code.as_str()).is_some_and(CountryCode::is_iso_3166)
            {
                return Err(HubError::Invalid(FieldErrors::single(
                    "code",
                    "a member bureau is an ISO 3166-1 alpha-3 country",
                )));
            }
            if name.trim().is_empty()
                || name.chars().any(char::is_control)
                || name.chars().count() > ORGANISATION_NAME_MAX_CHARS
            {
                return Err(HubError::Invalid(FieldErrors::single(
                    "name",
                    format!(
                        "is empty, holds control characters or is longer than \
                         {ORGANISATION_NAME_MAX_CHARS}"
                    ),
                )));
            }
            let mut event = self.event(caller, "organisation.add", "ok");
            event.target = target();
            event.detail = Some(kind.as_str().to_owned());
            event.concern(code.as_str());
            self.store.add_organisation(
                &Organisation {
                    code,
                    kind,
                    name: name.trim().to_owned(),
                },
                &event,
            )?;
            self.reload_api_keys()
        })
    }

    /// Adds (or renames) a member bureau.
    pub fn add_bureau(&self, caller: &Caller, code: CountryCode, name: &str) -> Result<()> {
        self.add_organisation(caller, OrgCode::of_country(code), OrgKind::Member, name)
    }

    /// Makes a key for `org` with `scopes`, which the organisation's kind bounds. The secret
    /// is returned once and never stored.
    pub fn create_api_key(
        &self,
        caller: &Caller,
        org: OrgCode,
        label: &str,
        scopes: Permissions,
    ) -> Result<ApiKey> {
        let target = || Some(format!("organisation:{org}"));
        self.audited_concerning(
            caller,
            "api-key.create",
            target,
            || Some(org),
            || {
                self.require_administers(caller, org)?;
                let mut errors = FieldErrors::default();
                if label.chars().any(char::is_control) || label.chars().count() > LABEL_MAX_CHARS {
                    errors.push(
                        "label",
                        format!("holds control characters or is longer than {LABEL_MAX_CHARS}"),
                    );
                }
                match self.organisation(org)? {
                    None => errors.push("org", format!("no organisation {org}")),
                    Some(organisation) => {
                        let beyond = scopes.difference(organisation.kind.permissions_allowed());
                        if beyond != Permissions::NONE {
                            errors.push(
                                "scopes",
                                format!(
                                    "a {} organisation's keys may not hold {}",
                                    organisation.kind.as_str(),
                                    beyond.scopes()
                                ),
                            );
                        }
                    }
                }
                if scopes == Permissions::NONE {
                    errors.push("scopes", "give at least one scope");
                }
                if !errors.is_empty() {
                    return Err(HubError::Invalid(errors));
                }
                let mut random = [0u8; 32];
                getrandom::fill(&mut random)
                    .map_err(|error| HubError::Internal(format!("no randomness: {error}")))?;
                let secret = format!("{KEY_PREFIX}{}", hex::encode(random));
                let mut event = self.event(caller, "api-key.create", "ok");
                event.detail = Some(format!("org {org}, scopes {}", scopes.scopes()));
                event.concern(org.as_str());
                let id = self.store.add_api_key(
                    org,
                    label,
                    scopes,
                    &hash_api_key(&secret),
                    event.at,
                    &crate::audit::naming(&event, "api-key"),
                )?;
                self.reload_api_keys()?;
                Ok(ApiKey {
                    id,
                    org,
                    scopes,
                    secret,
                })
            },
        )
    }

    /// Revokes a key of an organisation the caller administers; a key of another
    /// organisation is answered like an absent one.
    pub fn revoke_api_key(&self, caller: &Caller, id: i64) -> Result<bool> {
        let target = || Some(format!("api-key:{id}"));
        let concern = || {
            let keys = self.store.api_keys().ok()?;
            keys.into_iter().find(|key| key.id == id).map(|key| key.org)
        };
        self.audited_concerning(caller, "api-key.revoke", target, concern, || {
            caller.require(Permissions::ADMINISTER)?;
            let Some(key) = self
                .store
                .api_keys()?
                .into_iter()
                .find(|key| key.id == id && !key.revoked)
                .filter(|key| caller.administers(key.org))
            else {
                return Err(HubError::NotFound);
            };
            let mut event = self.event(caller, "api-key.revoke", "ok");
            event.target = target();
            event.concern(key.org.as_str());
            let revoked = self.store.revoke_api_key(id, &event)?;
            self.reload_api_keys()?;
            Ok(revoked)
        })
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
                        // Keys made before scopes were bounded by the organisation's kind hold
                        // no more than it allows.
                        permissions: key
                            .scopes
                            .intersection(organisation.kind.permissions_allowed()),
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
