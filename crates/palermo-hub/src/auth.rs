//! People: accounts, passwords (Argon2id), the second factor (TOTP, RFC 6238, and recovery
//! codes), lockouts, inactivity, and sessions.
//!
//! Sessions live in the hub's memory only: a restart signs everybody out, and a stolen
//! database holds no session to replay.

use std::sync::{Arc, LazyLock};

use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};
use palermo_core::audit::{AuditEvent, Hash};
use palermo_core::{FieldErrors, OrgCode, Permissions, Role, Timestamp, Viewpoint};
use palermo_store::UserRow;
use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::{Caller, Hub, HubError, Result};

const MINUTE_MS: i64 = 60_000;
const DAY_MS: i64 = 24 * 60 * MINUTE_MS;

/// The security policy. The defaults follow the published rules named in `docs/security.md`.
#[derive(Clone, Debug)]
pub struct Policy {
    pub password_min_chars: usize,
    /// Failed sign-ins within `lockout_window_ms` that lock the account.
    pub lockout_failures: usize,
    pub lockout_window_ms: i64,
    /// A session ends after this long without a request…
    pub session_idle_ms: i64,
    /// …and after this long in any case.
    pub session_max_ms: i64,
    /// An account not used for this long is disabled.
    pub inactive_disable_ms: i64,
    /// How long the owner has to answer a hit.
    pub hit_deadline_ms: i64,
    /// How long an audit entry keeps its search terms.
    pub audit_payload_retention_ms: i64,
}

impl Default for Policy {
    fn default() -> Policy {
        Policy {
            password_min_chars: 8,
            lockout_failures: 5,
            lockout_window_ms: 15 * MINUTE_MS,
            session_idle_ms: 30 * MINUTE_MS,
            session_max_ms: 12 * 60 * MINUTE_MS,
            inactive_disable_ms: 90 * DAY_MS,
            hit_deadline_ms: DAY_MS,
            audit_payload_retention_ms: 3 * 365 * DAY_MS,
        }
    }
}

/// Longest password accepted (Argon2 takes any length; a bound keeps hashing cheap to refuse).
const PASSWORD_MAX_CHARS: usize = 256;
const USERNAME_MAX: usize = 64;
const RECOVERY_CODES: usize = 10;
const SESSION_PREFIX: &str = "pls_";
/// TOTP parameters (RFC 6238 defaults, what every authenticator app implements).
const TOTP_STEP_SECONDS: i64 = 30;
const TOTP_DIGITS: u32 = 6;
/// Codes one step either side of now are accepted, for clock drift.
const TOTP_DRIFT_STEPS: i64 = 1;

static COMMON_PASSWORDS: LazyLock<std::collections::HashSet<&'static str>> = LazyLock::new(|| {
    include_str!("../data/common-passwords.txt")
        .lines()
        .collect()
});

/// Argon2id with OWASP's recommended minimum (19 MiB, 2 passes, 1 lane).
fn argon2() -> Argon2<'static> {
    Argon2::new(
        Algorithm::Argon2id,
        Version::V0x13,
        Params::new(19 * 1024, 2, 1, None).expect("valid Argon2 parameters"),
    )
}

fn random<const N: usize>() -> Result<[u8; N]> {
    let mut bytes = [0u8; N];
    getrandom::fill(&mut bytes).map_err(|error| {
        HubError::Store(palermo_store::StoreError::Unavailable(format!(
            "no randomness: {error}"
        )))
    })?;
    Ok(bytes)
}

/// Why a password is refused, if it is.
pub fn password_problem(password: &str, policy: &Policy) -> Option<String> {
    let chars = password.chars().count();
    if chars < policy.password_min_chars {
        return Some(format!(
            "must be at least {} characters long",
            policy.password_min_chars
        ));
    }
    if chars > PASSWORD_MAX_CHARS {
        return Some(format!(
            "must be at most {PASSWORD_MAX_CHARS} characters long"
        ));
    }
    if COMMON_PASSWORDS.contains(password.to_lowercase().as_str()) {
        return Some("is on the list of common or breached passwords; choose another".into());
    }
    None
}

fn hash_password(password: &str) -> Result<String> {
    let salt = SaltString::encode_b64(&random::<16>()?)
        .map_err(|error| HubError::Conflict(format!("salt: {error}")))?;
    argon2()
        .hash_password(password.as_bytes(), &salt)
        .map(|hash| hash.to_string())
        .map_err(|error| HubError::Conflict(format!("could not hash the password: {error}")))
}

fn password_matches(password: &str, stored: &str) -> bool {
    PasswordHash::new(stored)
        .is_ok_and(|hash| argon2().verify_password(password.as_bytes(), &hash).is_ok())
}

/// A hash to verify against when the user does not exist, so that a wrong name costs the
/// same time as a wrong password.
static DUMMY_HASH: LazyLock<String> =
    LazyLock::new(|| hash_password("not a real password").unwrap_or_default());

/// RFC 4648 base32 without padding, as authenticator apps take secrets.
fn base32(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 32] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
    let mut out = String::new();
    let (mut buffer, mut bits) = (0u32, 0u32);
    for &byte in bytes {
        buffer = (buffer << 8) | u32::from(byte);
        bits += 8;
        while bits >= 5 {
            out.push(char::from(ALPHABET[((buffer >> (bits - 5)) & 31) as usize]));
            bits -= 5;
        }
    }
    if bits > 0 {
        out.push(char::from(ALPHABET[((buffer << (5 - bits)) & 31) as usize]));
    }
    out
}

/// The TOTP code for time step `step` (RFC 6238 with HMAC-SHA-1, RFC 4226 truncation).
pub fn totp_code(secret: &[u8], step: i64) -> u32 {
    let key = ring::hmac::Key::new(ring::hmac::HMAC_SHA1_FOR_LEGACY_USE_ONLY, secret);
    let tag = ring::hmac::sign(&key, &step.to_be_bytes());
    let digest = tag.as_ref();
    let offset = usize::from(digest[digest.len() - 1] & 0x0f);
    let binary = u32::from_be_bytes([
        digest[offset] & 0x7f,
        digest[offset + 1],
        digest[offset + 2],
        digest[offset + 3],
    ]);
    binary % 10u32.pow(TOTP_DIGITS)
}

/// Decodes RFC 4648 base32 (any case, padding and spaces ignored).
fn base32_decode(text: &str) -> Option<Vec<u8>> {
    let mut out = Vec::new();
    let (mut buffer, mut bits) = (0u32, 0u32);
    for c in text.chars().filter(|c| !c.is_whitespace() && *c != '=') {
        let value = match c.to_ascii_uppercase() {
            c @ 'A'..='Z' => c as u32 - 'A' as u32,
            c @ '2'..='7' => c as u32 - '2' as u32 + 26,
            _ => return None,
        };
        buffer = (buffer << 5) | value;
        bits += 5;
        if bits >= 8 {
            out.push((buffer >> (bits - 8)) as u8);
            bits -= 8;
        }
    }
    (!out.is_empty()).then_some(out)
}

/// The current TOTP code for a base32 secret, as an authenticator app shows it.
pub fn totp_now(secret_base32: &str) -> Option<String> {
    let secret = base32_decode(secret_base32)?;
    Some(format!(
        "{:0width$}",
        totp_code(&secret, totp_step(Timestamp::now())),
        width = TOTP_DIGITS as usize
    ))
}

pub fn totp_step(at: Timestamp) -> i64 {
    at.0.div_euclid(1000 * TOTP_STEP_SECONDS)
}

/// The step a code belongs to, if it is valid now and newer than `last_step`.
fn totp_accepts(secret: &[u8], code: &str, now: Timestamp, last_step: Option<i64>) -> Option<i64> {
    let code: u32 = code.trim().parse().ok()?;
    let current = totp_step(now);
    (current - TOTP_DRIFT_STEPS..=current + TOTP_DRIFT_STEPS)
        .filter(|step| last_step.is_none_or(|last| *step > last))
        .find(|step| totp_code(secret, *step) == code)
}

fn recovery_hash(code: &str) -> Hash {
    let canonical: String = code
        .chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .map(|c| c.to_ascii_uppercase())
        .collect();
    Sha256::digest(canonical.as_bytes()).into()
}

/// What a person needs to enrol a second factor: shown once.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct NewSecrets {
    pub username: String,
    /// The TOTP secret, base32, to type into an authenticator app…
    pub totp_secret: String,
    /// …or to scan as a QR code.
    pub totp_uri: String,
    /// Single-use codes for when the authenticator is lost.
    pub recovery_codes: Vec<String>,
}

/// A user as administrators see it (no secrets).
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct UserView {
    pub username: String,
    pub display_name: String,
    pub org: String,
    pub roles: Vec<&'static str>,
    pub locked: bool,
    pub disabled: bool,
    #[schema(value_type = Option<String>)]
    pub last_active_at: Option<Timestamp>,
}

impl From<&UserRow> for UserView {
    fn from(user: &UserRow) -> UserView {
        UserView {
            username: user.username.clone(),
            display_name: user.display_name.clone(),
            org: user.org.to_string(),
            roles: user.roles.iter().map(|r| r.as_str()).collect(),
            locked: user.locked_at.is_some(),
            disabled: user.disabled_at.is_some(),
            last_active_at: user.last_active_at,
        }
    }
}

/// A signed-in person's session.
pub(crate) struct Session {
    caller: Caller,
    user_id: i64,
    started: Timestamp,
    last_seen: Timestamp,
}

/// A new session's token, shown once.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct SessionToken {
    pub token: String,
    #[schema(value_type = String)]
    pub expires_at: Timestamp,
    pub idle_timeout_seconds: i64,
    pub username: String,
    pub org: String,
    pub roles: Vec<&'static str>,
}

fn session_hash(token: &str) -> Hash {
    Sha256::digest(token.as_bytes()).into()
}

/// One message for every failed sign-in, so that it tells an attacker nothing.
const SIGN_IN_FAILED: &str = "wrong user name, password or code";

fn check_username(username: &str) -> std::result::Result<(), String> {
    let valid = !username.is_empty()
        && username.len() <= USERNAME_MAX
        && username
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b"._-".contains(&b));
    if valid {
        Ok(())
    } else {
        Err(format!("1 to {USERNAME_MAX} of a-z, 0-9, '.', '_' and '-'"))
    }
}

impl Hub {
    fn user_row(&self, username: &str) -> Result<UserRow> {
        self.store.user(username)?.ok_or(HubError::NotFound)
    }

    /// Makes the second-factor secrets of a user: a TOTP secret and recovery codes.
    fn new_secrets(&self, user: &mut UserRow) -> Result<(NewSecrets, Vec<Hash>)> {
        let secret = random::<20>()?;
        user.totp_secret = Some(secret.to_vec());
        user.totp_last_step = None;
        let mut codes = Vec::with_capacity(RECOVERY_CODES);
        for _ in 0..RECOVERY_CODES {
            let text = base32(&random::<10>()?);
            codes.push(format!(
                "{}-{}-{}-{}",
                &text[..4],
                &text[4..8],
                &text[8..12],
                &text[12..16]
            ));
        }
        let hashes = codes.iter().map(|code| recovery_hash(code)).collect();
        let encoded = base32(&secret);
        Ok((
            NewSecrets {
                username: user.username.clone(),
                totp_uri: format!(
                    "otpauth://totp/Palermo:{}?secret={encoded}&issuer=Palermo&algorithm=SHA1&digits={TOTP_DIGITS}&period={TOTP_STEP_SECONDS}",
                    user.username
                ),
                totp_secret: encoded,
                recovery_codes: codes,
            },
            hashes,
        ))
    }

    /// Adds a person with roles their organisation may hold. Returns the second-factor
    /// secrets to hand over (shown once).
    pub fn add_user(
        &self,
        caller: &Caller,
        org: OrgCode,
        username: &str,
        display_name: &str,
        roles: &[Role],
        password: &str,
    ) -> Result<NewSecrets> {
        caller.require(Permissions::ADMINISTER)?;
        let mut errors = FieldErrors::default();
        if let Err(problem) = check_username(username) {
            errors.push("username", problem);
        }
        if display_name.trim().is_empty() || display_name.chars().any(char::is_control) {
            errors.push("display_name", "is empty or holds control characters");
        }
        if let Some(problem) = password_problem(password, &self.policy) {
            errors.push("password", problem);
        }
        let organisation = self
            .store
            .organisations()?
            .into_iter()
            .find(|o| o.code == org);
        match &organisation {
            None => errors.push("org", format!("no organisation {org}")),
            Some(organisation) => {
                for role in roles {
                    if !role.allowed_in(organisation.kind) {
                        errors.push(
                            "roles",
                            format!(
                                "a {} organisation's people may not be {}",
                                organisation.kind.as_str(),
                                role.as_str()
                            ),
                        );
                    }
                }
            }
        }
        if roles.is_empty() {
            errors.push("roles", "give at least one role");
        }
        if !errors.is_empty() {
            return Err(HubError::Invalid(errors));
        }
        let mut user = UserRow {
            id: 0,
            org,
            username: username.to_owned(),
            display_name: display_name.trim().to_owned(),
            roles: roles.to_vec(),
            password_hash: hash_password(password)?,
            totp_secret: None,
            totp_last_step: None,
            failures: Vec::new(),
            locked_at: None,
            disabled_at: None,
            last_active_at: None,
            created_at: Timestamp::now(),
        };
        let (secrets, hashes) = self.new_secrets(&mut user)?;
        let mut event = caller.event("user.add", "ok");
        event.target = Some(format!("user:{username}"));
        event.detail = Some(format!(
            "org {org}, roles {}",
            roles
                .iter()
                .map(|r| r.as_str())
                .collect::<Vec<_>>()
                .join(",")
        ));
        let id = self.store.add_user(&user, &event)?;
        self.store
            .set_recovery_codes(id, &hashes, &caller.event("user.recovery-codes", "ok"))?;
        Ok(secrets)
    }

    pub fn users(&self, caller: &Caller) -> Result<Vec<UserView>> {
        caller.require(Permissions::ADMINISTER)?;
        Ok(self.store.users()?.iter().map(UserView::from).collect())
    }

    /// Changes a user's account as an administrator: `action` names it in the audit trail.
    fn administer_user(
        &self,
        caller: &Caller,
        username: &str,
        action: &str,
        change: impl FnOnce(&mut UserRow),
    ) -> Result<UserRow> {
        caller.require(Permissions::ADMINISTER)?;
        let mut user = self.user_row(username)?;
        change(&mut user);
        let mut event = caller.event(action, "ok");
        event.target = Some(format!("user:{username}"));
        self.store.update_user(&user, &event)?;
        self.end_sessions_of(user.id);
        Ok(user)
    }

    pub fn unlock_user(&self, caller: &Caller, username: &str) -> Result<()> {
        self.administer_user(caller, username, "user.unlock", |user| {
            user.locked_at = None;
            user.failures.clear();
        })?;
        Ok(())
    }

    pub fn disable_user(&self, caller: &Caller, username: &str) -> Result<()> {
        self.administer_user(caller, username, "user.disable", |user| {
            user.disabled_at.get_or_insert(Timestamp::now());
        })?;
        Ok(())
    }

    /// Enables a disabled account; its inactivity clock starts again.
    pub fn enable_user(&self, caller: &Caller, username: &str) -> Result<()> {
        self.administer_user(caller, username, "user.enable", |user| {
            user.disabled_at = None;
            user.last_active_at = Some(Timestamp::now());
        })?;
        Ok(())
    }

    pub fn set_password(&self, caller: &Caller, username: &str, password: &str) -> Result<()> {
        if let Some(problem) = password_problem(password, &self.policy) {
            return Err(HubError::Invalid(FieldErrors::single("password", problem)));
        }
        let hash = hash_password(password)?;
        self.administer_user(caller, username, "user.set-password", |user| {
            user.password_hash = hash;
        })?;
        Ok(())
    }

    /// New TOTP secret and recovery codes, for a person who lost their authenticator.
    pub fn reset_second_factor(&self, caller: &Caller, username: &str) -> Result<NewSecrets> {
        caller.require(Permissions::ADMINISTER)?;
        let mut user = self.user_row(username)?;
        let (secrets, hashes) = self.new_secrets(&mut user)?;
        let mut event = caller.event("user.reset-second-factor", "ok");
        event.target = Some(format!("user:{username}"));
        self.store.update_user(&user, &event)?;
        self.store.set_recovery_codes(
            user.id,
            &hashes,
            &caller.event("user.recovery-codes", "ok"),
        )?;
        self.end_sessions_of(user.id);
        Ok(secrets)
    }

    /// Signs a person in with password and second factor (a TOTP code, or a recovery code).
    /// Every attempt is audited; failures count towards the lockout.
    pub fn sign_in(
        &self,
        username: &str,
        password: &str,
        code: &str,
        source: Option<std::net::IpAddr>,
    ) -> Result<SessionToken> {
        let now = Timestamp::now();
        // The name is the caller's text: printable characters only, bounded, in the trail.
        let logged: String = username
            .chars()
            .filter(|c| !c.is_control())
            .take(USERNAME_MAX)
            .collect();
        let event = |outcome: &str, detail: &str| AuditEvent {
            at: now,
            org: String::new(),
            user: Some(logged.clone()),
            source: source.map(|ip| ip.to_string()),
            action: "signin".into(),
            target: Some(format!("user:{logged}")),
            outcome: outcome.into(),
            detail: Some(detail.into()),
            ..AuditEvent::default()
        };
        let Some(mut user) = check_username(username)
            .ok()
            .map(|()| self.store.user(username))
            .transpose()?
            .flatten()
        else {
            let _ = password_matches(password, &DUMMY_HASH);
            self.audit(event("failed", "unknown user"))?;
            return Err(HubError::Unauthenticated(SIGN_IN_FAILED.into()));
        };
        let org_event = |outcome: &str, detail: &str| AuditEvent {
            org: user.org.to_string(),
            ..event(outcome, detail)
        };
        let password_ok = password_matches(password, &user.password_hash);
        let inactive_since = user.last_active_at.unwrap_or(user.created_at);
        if user.disabled_at.is_none() && now.0 - inactive_since.0 > self.policy.inactive_disable_ms
        {
            user.disabled_at = Some(now);
            self.store
                .update_user(&user, &org_event("disabled", "unused for too long"))?;
        }
        if user.disabled_at.is_some() {
            self.audit(org_event("denied", "account disabled"))?;
            return Err(HubError::Unauthenticated(if password_ok {
                "the account is disabled; ask an administrator".into()
            } else {
                SIGN_IN_FAILED.into()
            }));
        }
        if user.locked_at.is_some() {
            self.audit(org_event("denied", "account locked"))?;
            return Err(HubError::Unauthenticated(if password_ok {
                "the account is locked after too many failed sign-ins; ask an administrator".into()
            } else {
                SIGN_IN_FAILED.into()
            }));
        }
        let second_factor = if !password_ok {
            Err("wrong password")
        } else if let Some(step) = user
            .totp_secret
            .as_deref()
            .and_then(|secret| totp_accepts(secret, code, now, user.totp_last_step))
        {
            user.totp_last_step = Some(step);
            Ok("totp")
        } else if code.trim().len() > 8 {
            let mut used = event("ok", "recovery code used");
            used.action = "user.recovery-code".into();
            used.org = user.org.to_string();
            if self
                .store
                .use_recovery_code(user.id, &recovery_hash(code), &used)?
            {
                Ok("recovery code")
            } else {
                Err("wrong recovery code")
            }
        } else {
            Err("wrong or replayed second-factor code")
        };
        match second_factor {
            Err(reason) => {
                user.failures
                    .retain(|at| now.0 - at.0 < self.policy.lockout_window_ms);
                user.failures.push(now);
                let locked = user.failures.len() >= self.policy.lockout_failures;
                if locked {
                    user.locked_at = Some(now);
                }
                let detail = if locked {
                    format!("{reason}; account locked")
                } else {
                    reason.to_owned()
                };
                self.store
                    .update_user(&user, &org_event("failed", &detail))?;
                Err(HubError::Unauthenticated(SIGN_IN_FAILED.into()))
            }
            Ok(factor) => {
                user.failures.clear();
                user.last_active_at = Some(now);
                self.store
                    .update_user(&user, &org_event("ok", &format!("password and {factor}")))?;
                self.start_session(&user, source, now)
            }
        }
    }

    fn start_session(
        &self,
        user: &UserRow,
        source: Option<std::net::IpAddr>,
        now: Timestamp,
    ) -> Result<SessionToken> {
        let organisation = self
            .store
            .organisations()?
            .into_iter()
            .find(|o| o.code == user.org)
            .ok_or_else(|| HubError::Conflict(format!("no organisation {}", user.org)))?;
        let caller = Caller {
            org: user.org,
            viewpoint: Viewpoint {
                kind: organisation.kind,
                country: organisation.country(),
            },
            permissions: Role::permissions_of(&user.roles),
            user: Some(Arc::from(user.username.as_str())),
            api_key_id: None,
            source,
        };
        let token = format!("{SESSION_PREFIX}{}", hex::encode(random::<32>()?));
        self.sessions.lock().insert(
            session_hash(&token),
            Session {
                caller,
                user_id: user.id,
                started: now,
                last_seen: now,
            },
        );
        Ok(SessionToken {
            token,
            expires_at: Timestamp(now.0 + self.policy.session_max_ms),
            idle_timeout_seconds: self.policy.session_idle_ms / 1000,
            username: user.username.clone(),
            org: user.org.to_string(),
            roles: user.roles.iter().map(|r| r.as_str()).collect(),
        })
    }

    /// The person a session token stands for; `None` if unknown, idle too long or expired.
    pub fn authenticate_session(
        &self,
        token: &str,
        source: Option<std::net::IpAddr>,
    ) -> Option<Caller> {
        if !token.starts_with(SESSION_PREFIX) {
            return None;
        }
        let now = Timestamp::now();
        let hash = session_hash(token);
        let mut sessions = self.sessions.lock();
        let session = sessions.get_mut(&hash)?;
        if now.0 - session.last_seen.0 > self.policy.session_idle_ms
            || now.0 - session.started.0 > self.policy.session_max_ms
        {
            sessions.remove(&hash);
            return None;
        }
        session.last_seen = now;
        Some(session.caller.clone().with_source(source))
    }

    /// Records a request with an unknown, revoked or expired credential, without waiting.
    pub fn note_rejected_credentials(&self, path: &str, source: Option<std::net::IpAddr>) {
        let event = AuditEvent {
            at: Timestamp::now(),
            source: source.map(|ip| ip.to_string()),
            action: "credentials.rejected".into(),
            outcome: "denied".into(),
            // The path is the attacker's text: keep it short and printable.
            target: Some(path.chars().filter(|c| !c.is_control()).take(200).collect()),
            ..AuditEvent::default()
        };
        if let Err(error) = self.group.submit(vec![event], Vec::new()) {
            tracing::warn!(%error, "could not audit rejected credentials");
        }
    }

    /// Ends a session (signing out).
    pub fn sign_out(&self, token: &str) -> Result<bool> {
        let removed = self.sessions.lock().remove(&session_hash(token));
        if let Some(session) = &removed {
            self.audit(session.caller.event("signout", "ok"))?;
        }
        Ok(removed.is_some())
    }

    fn end_sessions_of(&self, user_id: i64) {
        self.sessions.lock().retain(|_, s| s.user_id != user_id);
    }

    /// Moves every session's clock (tests of idle and absolute timeouts).
    #[doc(hidden)]
    pub fn age_sessions(&self, by_ms: i64) {
        for session in self.sessions.lock().values_mut() {
            session.started.0 -= by_ms;
            session.last_seen.0 -= by_ms;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn totp_matches_the_rfc_6238_test_vectors() {
        // RFC 6238 appendix B, SHA-1, secret "12345678901234567890", 8 digits there; the
        // 6-digit codes are their last six digits.
        let secret = b"12345678901234567890";
        for (seconds, expected) in [
            (59, 94_287_082u32),
            (1_111_111_109, 7_081_804),
            (1_234_567_890, 89_005_924),
            (2_000_000_000, 69_279_037),
        ] {
            let step = totp_step(Timestamp(seconds * 1000));
            assert_eq!(totp_code(secret, step), expected % 1_000_000, "{seconds}");
        }
    }

    #[test]
    fn totp_refuses_replays_and_stale_codes() {
        let secret = b"12345678901234567890";
        let now = Timestamp(1_234_567_890_000);
        let step = totp_step(now);
        let code = format!("{:06}", totp_code(secret, step));
        assert_eq!(totp_accepts(secret, &code, now, None), Some(step));
        assert_eq!(
            totp_accepts(secret, &code, now, Some(step)),
            None,
            "replayed"
        );
        let old = format!("{:06}", totp_code(secret, step - 2));
        assert_eq!(totp_accepts(secret, &old, now, None), None, "too old");
        assert_eq!(totp_accepts(secret, "abc", now, None), None);
    }

    #[test]
    fn base32_follows_rfc_4648() {
        assert_eq!(base32(b""), "");
        assert_eq!(base32(b"f"), "MY");
        assert_eq!(base32(b"foobar"), "MZXW6YTBOI");
        assert_eq!(base32_decode("mzxw 6ytb oi").unwrap(), b"foobar");
        assert_eq!(base32_decode("M1"), None);
    }

    #[test]
    fn passwords_must_be_long_and_uncommon() {
        let policy = Policy::default();
        assert!(password_problem("short", &policy).is_some());
        assert!(
            password_problem("PassWord", &policy).is_some(),
            "common, any case"
        );
        assert!(password_problem("qwertyuiop", &policy).is_some());
        assert!(password_problem("correct horse battery staple", &policy).is_none());
        assert!(password_problem(&"x".repeat(300), &policy).is_some());
    }

    #[test]
    fn recovery_codes_ignore_case_and_dashes() {
        assert_eq!(recovery_hash("abcd-EFGH"), recovery_hash("ABCDEFGH"));
    }
}
