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
use palermo_store::{StoreError, UserRow};
use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::limits::{RateLimit, throttled};
use crate::{Caller, Hub, HubError, Result, audit};

const MINUTE_MS: i64 = 60_000;
const DAY_MS: i64 = 24 * 60 * MINUTE_MS;

/// The security policy. The defaults follow the published rules named in `docs/security.md`.
#[derive(Clone, Debug)]
pub struct Policy {
    pub password_min_chars: usize,
    /// Failed sign-ins within `lockout_window_ms` that lock the account…
    pub lockout_failures: usize,
    pub lockout_window_ms: i64,
    /// …for this long, unless an administrator unlocks it sooner (CJIS 5.5.3).
    pub lockout_duration_ms: i64,
    /// Sign-in attempts from one source address…
    pub sign_ins_per_address: RateLimit,
    /// …and for one user name, whoever sends them.
    pub sign_ins_per_username: RateLimit,
    /// Requests with an unknown, revoked or expired credential from one source address.
    pub rejected_credentials_per_address: RateLimit,
    /// Requests per API key or session.
    pub requests_per_credential: RateLimit,
    /// Requests to the public notices service from one source address (unauthenticated).
    pub public_requests_per_address: RateLimit,
    /// Passwords hashed at once (19 MiB each), and sign-ins that may wait for a turn.
    pub hashing_concurrency: usize,
    pub hashing_queue_max: usize,
    /// The score from which a screened person is a hit: callers may ask to see weaker
    /// candidates, never to make them hits.
    pub hit_threshold: f64,
    /// Webhook targets allowed beyond public `https://` ones.
    pub webhook_targets: crate::WebhookTargets,
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
            lockout_duration_ms: 10 * MINUTE_MS,
            sign_ins_per_address: RateLimit::per_minute(20, 20),
            sign_ins_per_username: RateLimit::per_minute(10, 10),
            rejected_credentials_per_address: RateLimit::per_minute(30, 30),
            requests_per_credential: RateLimit {
                burst: 20_000,
                per_second: 10_000.0,
            },
            public_requests_per_address: RateLimit::per_minute(120, 600),
            hashing_concurrency: std::thread::available_parallelism().map_or(2, |n| n.get()),
            hashing_queue_max: 32,
            hit_threshold: crate::persons::DEFAULT_THRESHOLD,
            webhook_targets: crate::WebhookTargets::default(),
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
/// Longest user name, password or code a sign-in reads (longer ones match no account).
const SIGN_IN_FIELD_MAX_CHARS: usize = 1_000;
const DISPLAY_NAME_MAX_CHARS: usize = 200;
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
    getrandom::fill(&mut bytes)
        .map_err(|error| HubError::Internal(format!("no randomness: {error}")))?;
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

/// An authenticator app's enrolment address (the QR code's content).
fn totp_uri(username: &str, secret: &[u8]) -> String {
    format!(
        "otpauth://totp/Palermo:{username}?secret={}&issuer=Palermo&algorithm=SHA1&digits={TOTP_DIGITS}&period={TOTP_STEP_SECONDS}",
        base32(secret)
    )
}

/// Fresh single-use recovery codes (`XXXX-XXXX-XXXX-XXXX`) and their hashes.
fn recovery_codes() -> Result<(Vec<String>, Vec<Hash>)> {
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
    Ok((codes, hashes))
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

impl UserView {
    fn of(user: &UserRow, policy: &Policy, now: Timestamp) -> UserView {
        UserView {
            username: user.username.clone(),
            display_name: user.display_name.clone(),
            org: user.org.to_string(),
            roles: user.roles.iter().map(|r| r.as_str()).collect(),
            locked: locked(user, policy, now),
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
    /// A new authenticator's secret, shown to the person and waiting for its first code.
    pending_totp: Option<[u8; 20]>,
}

/// A new authenticator to enrol: the secret to type or scan, until its first code confirms it.
#[derive(Clone, Debug, Serialize)]
pub struct PendingEnrolment {
    pub totp_secret: String,
    pub totp_uri: String,
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

/// Whether the account is locked now: a lock ends by itself after the lockout period.
fn locked(user: &UserRow, policy: &Policy, now: Timestamp) -> bool {
    user.locked_at
        .is_some_and(|at| now.0 - at.0 < policy.lockout_duration_ms)
}

/// Read-modify-write attempts on one account before giving up: each retry follows a
/// concurrent change of the same account.
const STALE_RETRIES_MAX: usize = 16;

/// The user name as the caller typed it, safe to keep in the trail: bounded, and with any
/// character a user name cannot hold shown as an escape.
fn logged_name(username: &str) -> String {
    let mut out = String::new();
    for c in username.chars().take(USERNAME_MAX) {
        if c.is_ascii_lowercase() || c.is_ascii_digit() || "._-".contains(c) {
            out.push(c);
        } else {
            out.push_str(&format!("\\u{{{:04X}}}", c as u32));
        }
    }
    out
}

/// Most source addresses whose rejected credentials are counted one by one between flushes.
const REJECTED_SOURCES_MAX: usize = 10_000;
/// Most sessions one person holds at once; a new one ends the oldest.
const SESSIONS_PER_USER_MAX: usize = 20;

/// Whose rate a request counts against.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub(crate) enum Credential {
    Key(i64),
    User(Arc<str>),
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
        let (codes, hashes) = recovery_codes()?;
        Ok((
            NewSecrets {
                username: user.username.clone(),
                totp_uri: totp_uri(&user.username, &secret),
                totp_secret: base32(&secret),
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
        let target = || Some(format!("user:{}", logged_name(username)));
        self.audited_concerning(
            caller,
            "user.add",
            target,
            || Some(org),
            || {
                self.require_administers(caller, org)?;
                let mut errors = FieldErrors::default();
                if let Err(problem) = check_username(username) {
                    errors.push("username", problem);
                }
                if display_name.trim().is_empty()
                    || display_name.chars().any(char::is_control)
                    || display_name.chars().count() > DISPLAY_NAME_MAX_CHARS
                {
                    errors.push(
                        "display_name",
                        format!(
                            "is empty, holds control characters or is longer than \
                         {DISPLAY_NAME_MAX_CHARS}"
                        ),
                    );
                }
                if let Some(problem) = password_problem(password, &self.policy) {
                    errors.push("password", problem);
                }
                match self.organisation(org)? {
                    None => errors.push("org", format!("no organisation {org}")),
                    Some(organisation) => {
                        for (i, role) in roles.iter().enumerate() {
                            if !role.allowed_in(organisation.kind) {
                                errors.push(
                                    format!("roles[{i}]"),
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
                    password_hash: self.hash_password(password)?,
                    totp_secret: None,
                    totp_last_step: None,
                    failures: Vec::new(),
                    locked_at: None,
                    disabled_at: None,
                    last_active_at: None,
                    created_at: self.now(),
                    version: 0,
                };
                let (secrets, hashes) = self.new_secrets(&mut user)?;
                let mut event = self.event(caller, "user.add", "ok");
                event.target = target();
                event.detail = Some(format!(
                    "org {org}, roles {}",
                    roles
                        .iter()
                        .map(|r| r.as_str())
                        .collect::<Vec<_>>()
                        .join(",")
                ));
                event.concern(org.as_str());
                let id = self.store.add_user(&user, &event)?;
                let mut codes = self.event(caller, "user.recovery-codes", "ok");
                codes.target = target();
                codes.concern(org.as_str());
                self.store.set_recovery_codes(id, &hashes, &codes)?;
                Ok(secrets)
            },
        )
    }

    /// The people of the organisations the caller administers: its own, or all for the
    /// secretariat. The listing is audited.
    pub fn users(&self, caller: &Caller) -> Result<Vec<UserView>> {
        self.audited(
            caller,
            "user.list",
            || None,
            || {
                caller.require(Permissions::ADMINISTER)?;
                let now = self.now();
                let users: Vec<UserView> = self
                    .store
                    .users()?
                    .iter()
                    .filter(|user| caller.administers(user.org))
                    .map(|user| UserView::of(user, &self.policy, now))
                    .collect();
                let mut event = self.event(caller, "user.list", "ok");
                event.detail = Some(format!("{} people", users.len()));
                self.audit(event)?;
                Ok(users)
            },
        )
    }

    /// The organisation of account `username`, if there is one (for the trail).
    fn user_org(&self, username: &str) -> Option<OrgCode> {
        self.store
            .user(username)
            .ok()
            .flatten()
            .map(|user| user.org)
    }

    /// The account `username` if the caller administers its organisation; otherwise it is
    /// answered like an account that does not exist.
    fn administered_user(&self, caller: &Caller, username: &str) -> Result<UserRow> {
        caller.require(Permissions::ADMINISTER)?;
        self.store
            .user(username)?
            .filter(|user| caller.administers(user.org))
            .ok_or(HubError::NotFound)
    }

    /// Changes a user's account as an administrator of its organisation: `action` names it
    /// in the audit trail. The change is re-applied to a fresh reading if the account
    /// changed meanwhile (a sign-in), so that neither change is lost.
    fn administer_user(
        &self,
        caller: &Caller,
        username: &str,
        action: &str,
        change: impl Fn(&mut UserRow),
    ) -> Result<UserRow> {
        let target = || Some(format!("user:{}", logged_name(username)));
        let concern = || self.user_org(username);
        self.audited_concerning(caller, action, target, concern, || {
            for _ in 0..STALE_RETRIES_MAX {
                let mut user = self.administered_user(caller, username)?;
                change(&mut user);
                let mut event = self.event(caller, action, "ok");
                event.target = target();
                event.concern(user.org.as_str());
                match self.store.update_user(&user, &event) {
                    Ok(()) => {
                        self.end_sessions_of(user.id);
                        return Ok(user);
                    }
                    Err(StoreError::Stale(_)) => continue,
                    Err(other) => return Err(other.into()),
                }
            }
            Err(HubError::Conflict(
                "the account kept changing; try again".into(),
            ))
        })
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
            user.disabled_at.get_or_insert(self.now());
        })?;
        Ok(())
    }

    /// Enables a disabled account; its inactivity clock starts again.
    pub fn enable_user(&self, caller: &Caller, username: &str) -> Result<()> {
        self.administer_user(caller, username, "user.enable", |user| {
            user.disabled_at = None;
            user.last_active_at = Some(self.now());
        })?;
        Ok(())
    }

    pub fn set_password(&self, caller: &Caller, username: &str, password: &str) -> Result<()> {
        let target = || Some(format!("user:{}", logged_name(username)));
        let concern = || self.user_org(username);
        let hash = self.audited_concerning(caller, "user.set-password", target, concern, || {
            // Who may is decided before any hashing, and an account of another
            // organisation is refused like one that does not exist.
            self.administered_user(caller, username)?;
            if let Some(problem) = password_problem(password, &self.policy) {
                return Err(HubError::Invalid(FieldErrors::single("password", problem)));
            }
            self.hash_password(password)
        })?;
        self.administer_user(caller, username, "user.set-password", |user| {
            user.password_hash = hash.clone();
        })?;
        Ok(())
    }

    /// New TOTP secret and recovery codes, for a person who lost their authenticator.
    pub fn reset_second_factor(&self, caller: &Caller, username: &str) -> Result<NewSecrets> {
        let target = || Some(format!("user:{}", logged_name(username)));
        let concern = || self.user_org(username);
        let template =
            self.audited_concerning(caller, "user.reset-second-factor", target, concern, || {
                self.administered_user(caller, username)
            })?;
        let mut fresh = template.clone();
        let (secrets, hashes) = self.new_secrets(&mut fresh)?;
        let user = self.administer_user(caller, username, "user.reset-second-factor", |user| {
            user.totp_secret = fresh.totp_secret.clone();
            user.totp_last_step = None;
        })?;
        let mut event = self.event(caller, "user.recovery-codes", "ok");
        event.target = target();
        event.concern(user.org.as_str());
        self.store.set_recovery_codes(user.id, &hashes, &event)?;
        Ok(secrets)
    }

    /// Hashes a password, waiting for a turn at the hashing gate.
    fn hash_password(&self, password: &str) -> Result<String> {
        let _turn = self.hashing.enter()?;
        hash_password(password)
    }

    /// Signs a person in with password and second factor (a TOTP code, or a recovery code).
    /// Every attempt is audited and throttled by source address and by user name; failures
    /// count towards the lockout, attempts on a locked account too, and every refusal reads
    /// alike and takes the same time.
    pub fn sign_in(
        &self,
        username: &str,
        password: &str,
        code: &str,
        source: Option<std::net::IpAddr>,
    ) -> Result<SessionToken> {
        let now = self.now();
        let logged = logged_name(username);
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
        // Throttled before any hashing: an address or a name past its rate costs nothing.
        let throttle = self
            .limits
            .sign_ins_by_address
            .take(source, now.0)
            .map_err(|after| ("address", after))
            .and_then(|()| {
                self.limits
                    .sign_ins_by_username
                    .take(logged.clone(), now.0)
                    .map_err(|after| ("user name", after))
            });
        if let Err((by, after)) = throttle {
            self.group
                .submit(
                    vec![event("throttled", &format!("too many sign-ins by {by}"))],
                    Vec::new(),
                )
                .map(drop)
                .unwrap_or_else(
                    |error| tracing::warn!(%error, "could not audit a throttled sign-in"),
                );
            return Err(throttled("sign-in attempts", after));
        }
        // No account has a longer name, password or code: refused before any hashing.
        if username.chars().count() > SIGN_IN_FIELD_MAX_CHARS
            || password.chars().count() > SIGN_IN_FIELD_MAX_CHARS
            || code.chars().count() > SIGN_IN_FIELD_MAX_CHARS
        {
            self.audit(event("failed", "over-long input"))?;
            return Err(HubError::Unauthenticated(SIGN_IN_FAILED.into()));
        }
        let found = check_username(username)
            .ok()
            .map(|()| self.store.user(username))
            .transpose()?
            .flatten();
        let password_ok = {
            let _turn = self.hashing.enter()?;
            match &found {
                Some(user) => password_matches(password, &user.password_hash),
                None => {
                    let _ = password_matches(password, &DUMMY_HASH);
                    false
                }
            }
        };
        let Some(mut user) = found else {
            self.audit(event("failed", "unknown user"))?;
            return Err(HubError::Unauthenticated(SIGN_IN_FAILED.into()));
        };
        // A recovery code, once spent here, stays spent whatever happens to this attempt.
        let mut recovery_used = false;
        for attempt in 0..STALE_RETRIES_MAX {
            if attempt > 0 {
                user = self.user_row(username)?;
            }
            let org_event = |outcome: &str, detail: &str| AuditEvent {
                org: user.org.to_string(),
                ..event(outcome, detail)
            };
            let inactive_since = user.last_active_at.unwrap_or(user.created_at);
            let refusal = if user.disabled_at.is_some() {
                Some("account disabled")
            } else if now.0 - inactive_since.0 > self.policy.inactive_disable_ms {
                user.disabled_at = Some(now);
                Some("account disabled: unused for too long")
            } else if locked(&user, &self.policy, now) {
                Some("account locked")
            } else {
                None
            };
            let verdict = if let Some(reason) = refusal {
                Err(reason)
            } else if !password_ok {
                Err("wrong password")
            } else if let Some(step) = user
                .totp_secret
                .as_deref()
                .and_then(|secret| totp_accepts(secret, code, now, user.totp_last_step))
            {
                user.totp_last_step = Some(step);
                Ok("totp")
            } else if recovery_used {
                Ok("recovery code")
            } else if code.trim().len() > 8 {
                let mut used = org_event("ok", "recovery code used");
                used.action = "user.recovery-code".into();
                if self
                    .store
                    .use_recovery_code(user.id, &recovery_hash(code), &used)?
                {
                    recovery_used = true;
                    Ok("recovery code")
                } else {
                    Err("wrong recovery code")
                }
            } else {
                Err("wrong or replayed second-factor code")
            };
            let (written, outcome) = match verdict {
                Err(reason) => {
                    // Every refused attempt counts, a locked account's too.
                    user.failures
                        .retain(|at| now.0 - at.0 < self.policy.lockout_window_ms);
                    user.failures.push(now);
                    let locks = !locked(&user, &self.policy, now)
                        && user.disabled_at.is_none()
                        && user.failures.len() >= self.policy.lockout_failures;
                    if locks {
                        user.locked_at = Some(now);
                    }
                    let detail = if locks {
                        format!("{reason}; account locked")
                    } else {
                        reason.to_owned()
                    };
                    let outcome = if refusal.is_some() {
                        "denied"
                    } else {
                        "failed"
                    };
                    (
                        self.store.update_user(&user, &org_event(outcome, &detail)),
                        Err(()),
                    )
                }
                Ok(factor) => {
                    user.failures.clear();
                    user.locked_at = None;
                    user.last_active_at = Some(now);
                    let detail = format!("password and {factor}");
                    (
                        self.store.update_user(&user, &org_event("ok", &detail)),
                        Ok(()),
                    )
                }
            };
            match (written, outcome) {
                (Err(StoreError::Stale(_)), _) => continue,
                (Err(other), _) => return Err(other.into()),
                (Ok(()), Err(())) => {
                    return Err(HubError::Unauthenticated(SIGN_IN_FAILED.into()));
                }
                (Ok(()), Ok(())) => {
                    user.version += 1;
                    return self.start_session(&user, source, now);
                }
            }
        }
        Err(HubError::Unauthenticated(SIGN_IN_FAILED.into()))
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
        let mut sessions = self.sessions.lock();
        let mut own: Vec<([u8; 32], Timestamp)> = sessions
            .iter()
            .filter(|(_, s)| s.user_id == user.id)
            .map(|(hash, s)| (*hash, s.started))
            .collect();
        if own.len() >= SESSIONS_PER_USER_MAX {
            own.sort_by_key(|(_, started)| *started);
            for (hash, _) in &own[..=own.len() - SESSIONS_PER_USER_MAX] {
                sessions.remove(hash);
            }
        }
        sessions.insert(
            session_hash(&token),
            Session {
                caller,
                user_id: user.id,
                started: now,
                last_seen: now,
                pending_totp: None,
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
        let now = self.now();
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

    /// The caller a bearer token stands for (an API key or a session), within its rate.
    /// An unknown, revoked or expired token is counted against its source address (and
    /// refused with a throttle past the address's rate) and audited in aggregate.
    pub fn authenticate_bearer(
        &self,
        token: &str,
        source: Option<std::net::IpAddr>,
    ) -> Result<Caller> {
        let now = self.now().0;
        let Some(caller) = self
            .authenticate(token, source)
            .or_else(|| self.authenticate_session(token, source))
        else {
            self.note_rejected_credentials(source);
            if let Err(after) = self.limits.rejected_by_address.take(source, now) {
                return Err(throttled("requests with bad credentials", after));
            }
            return Err(HubError::Unauthenticated(
                "the API key or session is unknown, revoked or expired".into(),
            ));
        };
        let credential = match (&caller.api_key_id, &caller.user) {
            (Some(id), _) => Credential::Key(*id),
            (None, user) => Credential::User(user.as_deref().unwrap_or_default().into()),
        };
        self.limits
            .requests_by_credential
            .take(credential, now)
            .map_err(|after| throttled("requests with this credential", after))?;
        Ok(caller)
    }

    /// Counts a request with an unknown, revoked or expired credential. Nothing the sender
    /// chose reaches the trail: the counts per source address are written by
    /// [`Hub::flush_rejected_credentials`], one entry per address and period.
    fn note_rejected_credentials(&self, source: Option<std::net::IpAddr>) {
        let mut counts = self.rejected_credentials.lock();
        let key = if counts.len() >= REJECTED_SOURCES_MAX && !counts.contains_key(&source) {
            // Beyond the bound, further addresses are counted together.
            None
        } else {
            source
        };
        *counts.entry(key).or_insert(0) += 1;
    }

    /// Writes the counts of rejected credentials since the last flush, one entry per source
    /// address; returns how many requests they cover.
    pub fn flush_rejected_credentials(&self) -> Result<u64> {
        let counts = std::mem::take(&mut *self.rejected_credentials.lock());
        let now = self.now();
        let total = counts.values().sum();
        let events: Vec<AuditEvent> = counts
            .into_iter()
            .map(|(source, count)| AuditEvent {
                at: now,
                source: source.map(|ip| ip.to_string()),
                action: "credentials.rejected".into(),
                outcome: "denied".into(),
                detail: Some(format!(
                    "{count} requests with an unknown, revoked or expired credential{}",
                    if source.is_none() {
                        " (addresses not recorded one by one)"
                    } else {
                        ""
                    }
                )),
                ..AuditEvent::default()
            })
            .collect();
        if !events.is_empty() {
            audit::wait(self.group.submit(events, Vec::new())?)?;
        }
        Ok(total)
    }

    /// Ends a session (signing out).
    pub fn sign_out(&self, token: &str) -> Result<bool> {
        let removed = self.sessions.lock().remove(&session_hash(token));
        if let Some(session) = &removed {
            self.audit(self.event(&session.caller, "signout", "ok"))?;
        }
        Ok(removed.is_some())
    }

    fn end_sessions_of(&self, user_id: i64) {
        self.sessions.lock().retain(|_, s| s.user_id != user_id);
    }

    /// Starts enrolling a new authenticator for the person signed in with `token`: a fresh
    /// secret, kept with the session (never stored) until [`Hub::finish_enrolment`] confirms
    /// it with the password and a first code. The authenticator in use stays valid till then.
    pub fn begin_enrolment(&self, token: &str) -> Result<PendingEnrolment> {
        let secret = random::<20>()?;
        let mut sessions = self.sessions.lock();
        let session = sessions
            .get_mut(&session_hash(token))
            .ok_or_else(|| HubError::Unauthenticated("the session is unknown or expired".into()))?;
        session.pending_totp = Some(secret);
        let username = session
            .caller
            .user
            .as_deref()
            .unwrap_or_default()
            .to_owned();
        Ok(PendingEnrolment {
            totp_secret: base32(&secret),
            totp_uri: totp_uri(&username, &secret),
        })
    }

    /// Replaces the signed-in person's authenticator by the one [`Hub::begin_enrolment`]
    /// showed, once the password and a code of the new one prove both; returns new recovery
    /// codes (the old ones no longer work). Audited either way; a wrong password or code counts
    /// towards the account's lockout like a failed sign-in.
    pub fn finish_enrolment(&self, token: &str, password: &str, code: &str) -> Result<Vec<String>> {
        let (caller, user_id, pending) = {
            let sessions = self.sessions.lock();
            let session = sessions.get(&session_hash(token)).ok_or_else(|| {
                HubError::Unauthenticated("the session is unknown or expired".into())
            })?;
            (
                session.caller.clone(),
                session.user_id,
                session.pending_totp,
            )
        };
        let username = caller.user.as_deref().unwrap_or_default().to_owned();
        let target = || Some(format!("user:{username}"));
        // A wrong password or code is refused inside (its entry written with the account's
        // failure count); any other refusal is audited by `audited`.
        let outcome = self.audited(&caller, "user.enrol-second-factor", target, || {
            let secret = pending.ok_or_else(|| {
                HubError::Conflict(
                    "start the enrolment again: no new authenticator is waiting".into(),
                )
            })?;
            if password.chars().count() > SIGN_IN_FIELD_MAX_CHARS
                || code.chars().count() > SIGN_IN_FIELD_MAX_CHARS
            {
                return Err(HubError::Invalid(FieldErrors::single(
                    "code",
                    "is too long",
                )));
            }
            let mut user = self.user_row(&username)?;
            if user.id != user_id {
                return Err(HubError::NotFound);
            }
            let password_ok = {
                let _turn = self.hashing.enter()?;
                password_matches(password, &user.password_hash)
            };
            let step = totp_accepts(&secret, code, self.now(), None);
            let mut errors = FieldErrors::default();
            if !password_ok {
                errors.push("password", "is not your password");
            }
            if step.is_none() {
                errors.push("code", "is not the new authenticator's current code");
            }
            if !errors.is_empty() {
                let now = self.now();
                user.failures
                    .retain(|at| now.0 - at.0 < self.policy.lockout_window_ms);
                user.failures.push(now);
                if user.failures.len() >= self.policy.lockout_failures {
                    user.locked_at = Some(now);
                }
                let mut event = self.event(&caller, "user.enrol-second-factor", "failed");
                event.target = target();
                event.detail = Some(if user.locked_at == Some(now) {
                    "wrong password or code; account locked".into()
                } else {
                    "wrong password or code".into()
                });
                self.store.update_user(&user, &event)?;
                if user.locked_at == Some(now) {
                    self.end_sessions_of(user.id);
                }
                return Ok(Err(errors));
            }
            user.totp_secret = Some(secret.to_vec());
            user.totp_last_step = step;
            user.failures.clear();
            let mut event = self.event(&caller, "user.enrol-second-factor", "ok");
            event.target = target();
            self.store.update_user(&user, &event)?;
            let (codes, hashes) = recovery_codes()?;
            let mut event = self.event(&caller, "user.recovery-codes", "ok");
            event.target = target();
            self.store.set_recovery_codes(user.id, &hashes, &event)?;
            // Whoever holds another session (a stolen phone's, a forgotten desk's) is out.
            let current = session_hash(token);
            let mut sessions = self.sessions.lock();
            sessions.retain(|hash, s| s.user_id != user.id || *hash == current);
            if let Some(session) = sessions.get_mut(&current) {
                session.pending_totp = None;
            }
            Ok(Ok(codes))
        })?;
        outcome.map_err(HubError::Invalid)
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
