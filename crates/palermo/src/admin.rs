//! `palermo admin` (organisations, people, keys) and `palermo audit` (verify, export). Every
//! command goes through the hub's use cases, so each is checked and audited like an API call.

use std::io::{BufRead, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Context, bail};
use clap::Subcommand;
use palermo_core::{OrgCode, OrgKind, Permissions, Role};
use palermo_hub::{Caller, DEFAULT_KEY_SCOPES, NewSecrets};
use palermo_store::AuditFilter;

use crate::Target;
use crate::client::HubClient;
use crate::datadir::member_code;

/// Where an administration command works: a data directory (the hub stopped, acting as the
/// console) or a running hub (`--hub URL --key TOKEN`, an administrator's session or a key
/// with the `admin` scope).
#[derive(Subcommand)]
pub enum AdminCommand {
    /// Add or rename a member bureau.
    AddBureau {
        /// ISO 3166-1 alpha-3 code.
        code: String,
        name: String,
        #[command(flatten)]
        target: Target,
    },
    /// Add or rename an organisation: a member bureau, the secretariat or a partner.
    AddOrg {
        /// A member's ISO 3166-1 alpha-3 code, or a short upper-case code (EUROPOL).
        code: String,
        name: String,
        #[arg(long, value_parser = ["member", "secretariat", "partner"], default_value = "member")]
        kind: String,
        #[command(flatten)]
        target: Target,
    },
    /// Add a person. The password is read from standard input (one line); the second-factor
    /// secret and recovery codes are printed once.
    AddUser {
        username: String,
        #[arg(long)]
        org: String,
        /// Comma-separated: frontline, operator, reviewer, analyst, auditor, administrator,
        /// partner.
        #[arg(long)]
        roles: String,
        /// The person's full name (default: the user name).
        #[arg(long)]
        name: Option<String>,
        /// Print the secrets as JSON.
        #[arg(long)]
        json: bool,
        #[command(flatten)]
        target: Target,
    },
    /// List people and the state of their accounts.
    Users {
        #[command(flatten)]
        target: Target,
    },
    /// Unlock an account locked after failed sign-ins.
    Unlock {
        username: String,
        #[command(flatten)]
        target: Target,
    },
    /// Disable an account (its sessions end).
    Disable {
        username: String,
        #[command(flatten)]
        target: Target,
    },
    /// Enable a disabled account.
    Enable {
        username: String,
        #[command(flatten)]
        target: Target,
    },
    /// Set a new password, read from standard input.
    SetPassword {
        username: String,
        #[command(flatten)]
        target: Target,
    },
    /// New TOTP secret and recovery codes for a person who lost their authenticator.
    ResetSecondFactor {
        username: String,
        #[arg(long)]
        json: bool,
        #[command(flatten)]
        target: Target,
    },
    /// Make an API key for an organisation; the key is printed once and stored only as a hash.
    CreateKey {
        /// The organisation's code.
        org: String,
        #[arg(long, default_value = "api")]
        label: String,
        /// Comma-separated: check, records:read, records:write, hits, messages, review, audit,
        /// admin (default: check only). The organisation's kind bounds them (a partner's keys
        /// hold check and messages only; only the secretariat's review).
        #[arg(long)]
        scopes: Option<String>,
        #[command(flatten)]
        target: Target,
    },
    /// Revoke an API key by id.
    RevokeKey {
        id: i64,
        #[command(flatten)]
        target: Target,
    },
    /// Deliver an organisation's messages and hits to its national system too: POSTed as
    /// JSON, signed with HMAC-SHA256 in `Palermo-Signature`; prints the signing secret once.
    SetWebhook {
        org: String,
        url: String,
        /// Targets allowed besides public https:// ones (as `serve --webhook-allow`), for a
        /// webhook set on a data directory.
        #[arg(long, default_value = "")]
        webhook_allow: String,
        #[command(flatten)]
        target: Target,
    },
    /// Print the current TOTP code for a base32 secret (trials without a phone).
    TotpCode { secret: String },
    /// Make a development CA with a server and a client certificate (PEM), for trials of TLS
    /// and mutual TLS. Not for production: use certificates from your own PKI there.
    DevCert {
        /// Directory to write ca.pem, server.pem, server-key.pem, client.pem, client-key.pem.
        #[arg(long, default_value = "palermo-tls")]
        out: PathBuf,
        /// Host names and addresses the server certificate is valid for.
        #[arg(long = "name", default_values = ["localhost", "127.0.0.1", "::1"])]
        names: Vec<String>,
    },
}

#[derive(Subcommand)]
pub enum AuditCommand {
    /// Verify the audit trail's hash chain (and its signed heads); exits 1 if broken, naming
    /// the first bad entry.
    Verify {
        #[command(flatten)]
        target: Target,
        /// A head kept by a witness (`palermo audit head`), SEQ:HASH: the trail must still
        /// hold that entry with that hash, so that cutting off its end is caught.
        #[arg(long = "expect-head")]
        expect_head: Vec<String>,
        /// The hub's public key (hex), as published: every signed head must be signed with
        /// it. Default: the key of the signing key file.
        #[arg(long)]
        public_key: Option<String>,
    },
    /// Fetch the hub's latest signed head, check its signature, and print it as SEQ:HASH;
    /// with --keep, append it to a file of heads (JSON lines), as a witness keeps them.
    Head {
        /// Base URL of the hub.
        #[arg(long, env = "PALERMO_HUB")]
        hub: String,
        /// The hub's public key (hex) to check the signature against; without it, the key the
        /// head names is checked (trust on first use).
        #[arg(long)]
        public_key: Option<String>,
        /// A file to append the head to.
        #[arg(long)]
        keep: Option<PathBuf>,
        /// A CA certificate (PEM) to trust for an https:// hub.
        #[arg(long, env = "PALERMO_CA_CERT")]
        ca_cert: Option<PathBuf>,
    },
    /// Write audit entries as JSON lines to standard output. On a data directory, `--bureau`
    /// writes what that bureau's auditors read; without it, the whole trail.
    Export {
        #[command(flatten)]
        target: Target,
        /// Only entries from this date (YYYY-MM-DD) or epoch milliseconds…
        #[arg(long)]
        from: Option<String>,
        /// …to this one (inclusive).
        #[arg(long)]
        to: Option<String>,
        /// An action, or a prefix ending in '.' (check.).
        #[arg(long)]
        action: Option<String>,
    },
}

/// A hub on the target's data directory for the console: administration and the audit
/// trail, no checks, so no indexes to build.
fn hub_of(target: &Target) -> anyhow::Result<palermo_hub::Hub> {
    let data = target.open_data()?;
    let store = data.store()?;
    let key = data.signing_key_for_console()?;
    Ok(palermo_hub::Hub::open_with(
        store,
        palermo_hub::HubOptions {
            signing_key: key,
            without_indexes: true,
            ..palermo_hub::HubOptions::default()
        },
    )?)
}

fn read_password() -> anyhow::Result<String> {
    if std::io::IsTerminal::is_terminal(&std::io::stdin()) {
        eprint!("password: ");
        std::io::stderr().flush()?;
    }
    let mut line = String::new();
    std::io::stdin()
        .lock()
        .read_line(&mut line)
        .context("cannot read the password from standard input")?;
    Ok(line.trim_end_matches(['\n', '\r']).to_owned())
}

fn print_secrets(secrets: &NewSecrets, json: bool) -> anyhow::Result<()> {
    if json {
        println!("{}", serde_json::to_string_pretty(secrets)?);
        return Ok(());
    }
    println!("second factor for {}:", secrets.username);
    println!(
        "  TOTP secret (type into an authenticator app): {}",
        secrets.totp_secret
    );
    println!("  or scan: {}", secrets.totp_uri);
    println!("  recovery codes (each works once):");
    for code in &secrets.recovery_codes {
        println!("    {code}");
    }
    eprintln!("hand these over now: they are not shown again");
    Ok(())
}

/// A running hub, when the command names one.
fn remote(target: &Target) -> anyhow::Result<Option<HubClient>> {
    match (&target.hub, &target.key) {
        (Some(hub), Some(key)) => Ok(Some(HubClient::new(hub, key, target.ca_cert.as_deref())?)),
        _ => Ok(None),
    }
}

fn secrets_of(value: serde_json::Value) -> anyhow::Result<NewSecrets> {
    Ok(NewSecrets {
        username: value["username"].as_str().unwrap_or_default().to_owned(),
        totp_secret: value["totp_secret"].as_str().unwrap_or_default().to_owned(),
        totp_uri: value["totp_uri"].as_str().unwrap_or_default().to_owned(),
        recovery_codes: serde_json::from_value(value["recovery_codes"].clone())
            .context("the hub answered without recovery codes")?,
    })
}

pub fn admin(command: AdminCommand) -> anyhow::Result<ExitCode> {
    let console = Caller::console();
    match command {
        AdminCommand::AddBureau { code, name, target } => {
            let code = member_code(&code)?;
            match remote(&target)? {
                Some(client) => {
                    let body =
                        serde_json::json!({"code": code.as_str(), "kind": "member", "name": name});
                    client.send("POST", "/api/v1/admin/organisations", Some(&body))?;
                }
                None => hub_of(&target)?.add_bureau(&console, code, &name)?,
            }
            println!("bureau {code} ({name}) saved");
        }
        AdminCommand::AddOrg {
            code,
            name,
            kind,
            target,
        } => {
            let code = OrgCode::parse(&code).map_err(anyhow::Error::msg)?;
            let kind = OrgKind::parse(&kind).context("unknown kind")?;
            match remote(&target)? {
                Some(client) => {
                    let body = serde_json::json!({"code": code.as_str(), "kind": kind.as_str(), "name": name});
                    client.send("POST", "/api/v1/admin/organisations", Some(&body))?;
                }
                None => hub_of(&target)?.add_organisation(&console, code, kind, &name)?,
            }
            println!("{} {code} ({name}) saved", kind.as_str());
        }
        AdminCommand::AddUser {
            username,
            org,
            roles,
            name,
            json,
            target,
        } => {
            let org = OrgCode::parse(&org).map_err(anyhow::Error::msg)?;
            let roles = Role::parse_list(&roles).map_err(anyhow::Error::msg)?;
            let display_name = name.unwrap_or_else(|| username.clone());
            let secrets = match remote(&target)? {
                Some(client) => {
                    let password = read_password()?;
                    let body = serde_json::json!({
                        "username": username, "org": org.as_str(), "display_name": display_name,
                        "roles": roles.iter().map(|r| r.as_str()).collect::<Vec<_>>(),
                        "password": password,
                    });
                    secrets_of(client.send("POST", "/api/v1/admin/users", Some(&body))?)?
                }
                None => {
                    let hub = hub_of(&target)?;
                    let password = read_password()?;
                    hub.add_user(&console, org, &username, &display_name, &roles, &password)?
                }
            };
            if !json {
                println!("user {username} of {org} added");
            }
            print_secrets(&secrets, json)?;
        }
        AdminCommand::Users { target } => {
            let users: Vec<serde_json::Value> = match remote(&target)? {
                Some(client) => serde_json::from_value(
                    client.send("GET", "/api/v1/admin/users", None)?["users"].clone(),
                )?,
                None => hub_of(&target)?
                    .users(&console)?
                    .iter()
                    .map(serde_json::to_value)
                    .collect::<Result<_, _>>()?,
            };
            for user in users {
                let roles: Vec<&str> = user["roles"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .filter_map(|r| r.as_str())
                    .collect();
                println!(
                    "{:<24} {:<12} {:<28} {}{}",
                    user["username"].as_str().unwrap_or_default(),
                    user["org"].as_str().unwrap_or_default(),
                    roles.join(","),
                    if user["locked"] == true {
                        "LOCKED "
                    } else {
                        ""
                    },
                    if user["disabled"] == true {
                        "DISABLED"
                    } else {
                        ""
                    }
                );
            }
        }
        AdminCommand::Unlock { username, target } => {
            account_action(&target, &username, "unlock")?;
            println!("{username} unlocked");
        }
        AdminCommand::Disable { username, target } => {
            account_action(&target, &username, "disable")?;
            println!("{username} disabled");
        }
        AdminCommand::Enable { username, target } => {
            account_action(&target, &username, "enable")?;
            println!("{username} enabled");
        }
        AdminCommand::SetPassword { username, target } => {
            match remote(&target)? {
                Some(client) => {
                    let body = serde_json::json!({"password": read_password()?});
                    client.send(
                        "POST",
                        &format!("/api/v1/admin/users/{username}/password"),
                        Some(&body),
                    )?;
                }
                None => {
                    let hub = hub_of(&target)?;
                    let password = read_password()?;
                    hub.set_password(&console, &username, &password)?;
                }
            }
            println!("password of {username} changed");
        }
        AdminCommand::ResetSecondFactor {
            username,
            json,
            target,
        } => {
            let secrets = match remote(&target)? {
                Some(client) => secrets_of(client.send(
                    "POST",
                    &format!("/api/v1/admin/users/{username}/reset-second-factor"),
                    None,
                )?)?,
                None => hub_of(&target)?.reset_second_factor(&console, &username)?,
            };
            print_secrets(&secrets, json)?;
        }
        AdminCommand::CreateKey {
            org,
            label,
            scopes,
            target,
        } => {
            let org = OrgCode::parse(&org).map_err(anyhow::Error::msg)?;
            let scopes = match scopes {
                Some(text) => Permissions::parse_scopes(&text).map_err(anyhow::Error::msg)?,
                None => DEFAULT_KEY_SCOPES,
            };
            let (id, secret) = match remote(&target)? {
                Some(client) => {
                    let body = serde_json::json!({
                        "org": org.as_str(), "label": label,
                        "scopes": scopes.scopes().split(',').collect::<Vec<_>>(),
                    });
                    let key = client.send("POST", "/api/v1/admin/keys", Some(&body))?;
                    (
                        key["id"].as_i64().unwrap_or_default(),
                        key["key"].as_str().unwrap_or_default().to_owned(),
                    )
                }
                None => {
                    let key = hub_of(&target)?.create_api_key(&console, org, &label, scopes)?;
                    (key.id, key.secret)
                }
            };
            println!("key {id} for {org} ({}): {secret}", scopes.scopes());
            eprintln!("store it now: it is not shown again");
        }
        AdminCommand::RevokeKey { id, target } => {
            match remote(&target)? {
                Some(client) => {
                    client.send("DELETE", &format!("/api/v1/admin/keys/{id}"), None)?;
                }
                None => {
                    if !hub_of(&target)?.revoke_api_key(&console, id)? {
                        bail!("no active key {id}");
                    }
                }
            }
            println!("key {id} revoked");
        }
        AdminCommand::SetWebhook {
            org,
            url,
            webhook_allow,
            target,
        } => {
            let org = OrgCode::parse(&org).map_err(anyhow::Error::msg)?;
            let secret = match remote(&target)? {
                Some(client) => {
                    let body = serde_json::json!({"url": url});
                    client.send("PUT", &format!("/api/v1/admin/webhooks/{org}"), Some(&body))?
                        ["secret"]
                        .as_str()
                        .unwrap_or_default()
                        .to_owned()
                }
                None => {
                    let data = target.open_data()?;
                    let hub = palermo_hub::Hub::open_with(
                        data.store()?,
                        palermo_hub::HubOptions {
                            policy: palermo_hub::Policy {
                                webhook_targets: palermo_hub::WebhookTargets::parse(&webhook_allow)
                                    .map_err(anyhow::Error::msg)?,
                                ..palermo_hub::Policy::default()
                            },
                            without_indexes: true,
                            ..palermo_hub::HubOptions::default()
                        },
                    )?;
                    hub.set_webhook(&console, org, &url)?
                }
            };
            println!("{secret}");
            eprintln!("webhook of {org} set; the signing secret above is not shown again");
        }
        AdminCommand::DevCert { out, names } => {
            let files = crate::tls::dev_cert(&out, &names)?;
            println!("development certificates in {}:", out.display());
            println!(
                "  serve with: palermo serve --tls-cert {} --tls-key {} [--tls-client-ca {}]",
                files.server_cert.display(),
                files.server_key.display(),
                files.ca.display()
            );
            println!("  clients trust: {}", files.ca.display());
            println!(
                "  client certificate for mutual TLS: {} with key {}",
                files.client_cert.display(),
                files.client_key.display()
            );
        }
        AdminCommand::TotpCode { secret } => {
            let code = palermo_hub::totp_now(&secret).context("not a base32 TOTP secret")?;
            println!("{code}");
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// Unlocks, disables or enables an account, on a running hub or a data directory.
fn account_action(target: &Target, username: &str, action: &str) -> anyhow::Result<()> {
    if let Some(client) = remote(target)? {
        client.send(
            "POST",
            &format!("/api/v1/admin/users/{username}/{action}"),
            None,
        )?;
        return Ok(());
    }
    let hub = hub_of(target)?;
    let console = Caller::console();
    match action {
        "unlock" => hub.unlock_user(&console, username)?,
        "disable" => hub.disable_user(&console, username)?,
        _ => hub.enable_user(&console, username)?,
    }
    Ok(())
}

fn instant(text: &str, end_of_day: bool) -> anyhow::Result<palermo_core::Timestamp> {
    if let Ok(ms) = text.parse::<i64>() {
        return Ok(palermo_core::Timestamp(ms));
    }
    let date = palermo_core::date::parse_date(text).map_err(anyhow::Error::msg)?;
    let midnight = date.midnight().assume_utc().unix_timestamp() * 1000;
    Ok(palermo_core::Timestamp(if end_of_day {
        midnight + 86_400_000 - 1
    } else {
        midnight
    }))
}

pub fn audit(command: AuditCommand) -> anyhow::Result<ExitCode> {
    match command {
        AuditCommand::Head {
            hub,
            public_key,
            keep,
            ca_cert,
        } => {
            let client = HubClient::anonymous(&hub, ca_cert.as_deref())?;
            let head = client.get("/api/v1/audit/head", &[])?;
            let field = |name: &str| -> anyhow::Result<Vec<u8>> {
                hex::decode(head[name].as_str().unwrap_or_default())
                    .with_context(|| format!("the head's {name} is not hex"))
            };
            let signed = palermo_store::SignedHead {
                seq: head["seq"]
                    .as_i64()
                    .context("the head has no sequence number")?,
                hash: field("hash")?
                    .try_into()
                    .map_err(|_| anyhow::anyhow!("the head's hash is not 32 bytes"))?,
                at: palermo_core::Timestamp(
                    head["at_ms"].as_i64().context("the head has no time")?,
                ),
                public_key: field("public_key")?,
                signature: field("signature")?,
            };
            if let Some(expected) = &public_key
                && hex::decode(expected.trim()).ok().as_deref() != Some(&signed.public_key[..])
            {
                bail!("the head is signed by another key than the one given");
            }
            if !palermo_hub::head_signature_valid(&signed) {
                bail!("the head's signature does not verify");
            }
            if let Some(path) = keep {
                let mut file = std::fs::OpenOptions::new()
                    .create(true)
                    .append(true)
                    .open(&path)
                    .with_context(|| format!("cannot open {}", path.display()))?;
                writeln!(file, "{head}")?;
            }
            println!("{}:{}", signed.seq, hex::encode(signed.hash));
            Ok(ExitCode::SUCCESS)
        }
        AuditCommand::Verify {
            target,
            expect_head,
            public_key,
        } => {
            let expected = expect_head
                .iter()
                .map(|text| palermo_hub::parse_head(text).map_err(anyhow::Error::msg))
                .collect::<anyhow::Result<Vec<_>>>()?;
            let public_key = public_key
                .map(|text| hex::decode(text.trim()).context("--public-key is not hex"))
                .transpose()?;
            let mut verifications: Vec<serde_json::Value> = Vec::new();
            match (&target.hub, &target.key) {
                (Some(hub), Some(key)) => {
                    if public_key.is_some() {
                        bail!(
                            "--public-key checks a data directory; against a hub, check its \
                             heads with `palermo audit head --public-key`"
                        );
                    }
                    let client = HubClient::new(hub, key, target.ca_cert.as_deref())?;
                    let mut asks: Vec<Option<&str>> =
                        expect_head.iter().map(|h| Some(h.as_str())).collect();
                    if asks.is_empty() {
                        asks.push(None);
                    }
                    for ask in asks {
                        let query: Vec<(&str, &str)> =
                            ask.map(|h| ("expect_head", h)).into_iter().collect();
                        verifications.push(client.get("/api/v1/audit/verify", &query)?);
                    }
                }
                _ => {
                    let data = target.open_data()?;
                    let hub = palermo_hub::Hub::open_with(
                        data.store()?,
                        palermo_hub::HubOptions {
                            signing_key: data.signing_key_for_console()?,
                            audit_public_key: public_key,
                            without_indexes: true,
                            ..palermo_hub::HubOptions::default()
                        },
                    )?;
                    let mut asks: Vec<Option<(i64, palermo_core::audit::Hash)>> =
                        expected.into_iter().map(Some).collect();
                    if asks.is_empty() {
                        asks.push(None);
                    }
                    for ask in asks {
                        verifications.push(serde_json::to_value(
                            hub.verify_audit(&Caller::console(), ask)?,
                        )?);
                    }
                }
            }
            let verification = verifications
                .iter()
                .find(|v| v["intact"].as_bool() != Some(true))
                .or(verifications.last())
                .cloned()
                .unwrap_or_default();
            if verification["intact"].as_bool() == Some(true) {
                println!(
                    "audit trail intact: {} entries verified ({} payloads erased), head {} {}, {} signed heads agree",
                    verification["entries_verified"],
                    verification["payloads_erased"],
                    verification["head_seq"],
                    verification["head_hash"].as_str().unwrap_or("-"),
                    verification["signed_heads_checked"],
                );
                Ok(ExitCode::SUCCESS)
            } else {
                println!(
                    "audit trail BROKEN at entry {}: {} ({} entries verified before it)",
                    verification["broken_at"],
                    verification["reason"].as_str().unwrap_or("unknown"),
                    verification["entries_verified"],
                );
                Ok(ExitCode::from(1))
            }
        }
        AuditCommand::Export {
            target,
            from,
            to,
            action,
        } => {
            let stdout = std::io::stdout().lock();
            let mut out = std::io::BufWriter::new(stdout);
            let from = from.map(|text| instant(&text, false)).transpose()?;
            let to = to.map(|text| instant(&text, true)).transpose()?;
            match (&target.hub, &target.key) {
                (Some(hub), Some(key)) => {
                    let client = HubClient::new(hub, key, target.ca_cert.as_deref())?;
                    let mut after = 0i64;
                    loop {
                        let after_text = after.to_string();
                        let from_text = from.map(|t| t.0.to_string());
                        let to_text = to.map(|t| t.0.to_string());
                        let mut query = vec![("after", after_text.as_str()), ("limit", "1000")];
                        if let Some(text) = &from_text {
                            query.push(("from", text));
                        }
                        if let Some(text) = &to_text {
                            query.push(("to", text));
                        }
                        if let Some(action) = &action {
                            query.push(("action", action));
                        }
                        let page = client.get("/api/v1/audit", &query)?;
                        for entry in page["entries"].as_array().into_iter().flatten() {
                            writeln!(out, "{entry}")?;
                        }
                        match page["next_after"].as_i64() {
                            Some(next) => after = next,
                            None => break,
                        }
                    }
                }
                _ => {
                    let hub = hub_of(&target)?;
                    // With --bureau, what that bureau's auditors read; else the whole trail.
                    let reader = match target.bureau.as_deref() {
                        Some(code) => Caller::local_auditor(member_code(code)?),
                        None => Caller::console(),
                    };
                    let filter = AuditFilter {
                        from,
                        to,
                        action,
                        ..AuditFilter::default()
                    };
                    let mut failure = None;
                    hub.export_audit(&reader, &mut |entry| {
                        if !entry_matches(&entry, &filter) {
                            return true;
                        }
                        match serde_json::to_string(&entry)
                            .map_err(anyhow::Error::from)
                            .and_then(|line| Ok(writeln!(out, "{line}")?))
                        {
                            Ok(()) => true,
                            Err(error) => {
                                failure = Some(error);
                                false
                            }
                        }
                    })?;
                    if let Some(error) = failure {
                        return Err(error);
                    }
                }
            }
            out.flush()?;
            Ok(ExitCode::SUCCESS)
        }
    }
}

fn entry_matches(entry: &palermo_hub::AuditEntryView, filter: &AuditFilter) -> bool {
    let at = entry.event.at;
    filter.from.is_none_or(|from| at >= from)
        && filter.to.is_none_or(|to| at <= to)
        && filter.action.as_deref().is_none_or(|action| {
            if action.ends_with('.') {
                entry.event.action.starts_with(action)
            } else {
                entry.event.action == action
            }
        })
}
