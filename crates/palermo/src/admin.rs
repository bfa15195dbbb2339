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
use crate::datadir::{DataDir, member_code};

#[derive(Subcommand)]
pub enum AdminCommand {
    /// Add or rename a member bureau.
    AddBureau {
        /// ISO 3166-1 alpha-3 code.
        code: String,
        name: String,
        #[arg(long, default_value = "palermo-data", env = "PALERMO_DATA")]
        data: PathBuf,
    },
    /// Add or rename an organisation: a member bureau, the secretariat or a partner.
    AddOrg {
        /// A member's ISO 3166-1 alpha-3 code, or a short upper-case code (EUROPOL).
        code: String,
        name: String,
        #[arg(long, value_parser = ["member", "secretariat", "partner"], default_value = "member")]
        kind: String,
        #[arg(long, default_value = "palermo-data", env = "PALERMO_DATA")]
        data: PathBuf,
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
        #[arg(long, default_value = "palermo-data", env = "PALERMO_DATA")]
        data: PathBuf,
    },
    /// List people and the state of their accounts.
    Users {
        #[arg(long, default_value = "palermo-data", env = "PALERMO_DATA")]
        data: PathBuf,
    },
    /// Unlock an account locked after failed sign-ins.
    Unlock {
        username: String,
        #[arg(long, default_value = "palermo-data", env = "PALERMO_DATA")]
        data: PathBuf,
    },
    /// Disable an account (its sessions end).
    Disable {
        username: String,
        #[arg(long, default_value = "palermo-data", env = "PALERMO_DATA")]
        data: PathBuf,
    },
    /// Enable a disabled account.
    Enable {
        username: String,
        #[arg(long, default_value = "palermo-data", env = "PALERMO_DATA")]
        data: PathBuf,
    },
    /// Set a new password, read from standard input.
    SetPassword {
        username: String,
        #[arg(long, default_value = "palermo-data", env = "PALERMO_DATA")]
        data: PathBuf,
    },
    /// New TOTP secret and recovery codes for a person who lost their authenticator.
    ResetSecondFactor {
        username: String,
        #[arg(long)]
        json: bool,
        #[arg(long, default_value = "palermo-data", env = "PALERMO_DATA")]
        data: PathBuf,
    },
    /// Make an API key for an organisation; the key is printed once and stored only as a hash.
    CreateKey {
        /// The organisation's code.
        org: String,
        #[arg(long, default_value = "api")]
        label: String,
        /// Comma-separated: check, records:read, records:write, hits, messages, review, audit,
        /// admin (default: check,records:read,records:write,hits,messages).
        #[arg(long)]
        scopes: Option<String>,
        #[arg(long, default_value = "palermo-data", env = "PALERMO_DATA")]
        data: PathBuf,
    },
    /// Revoke an API key by id.
    RevokeKey {
        id: i64,
        #[arg(long, default_value = "palermo-data", env = "PALERMO_DATA")]
        data: PathBuf,
    },
    /// Deliver an organisation's messages to its national system too: POSTed as JSON, signed
    /// with HMAC-SHA256 in `Palermo-Signature`; prints the signing secret once.
    SetWebhook {
        org: String,
        url: String,
        #[arg(long, default_value = "palermo-data", env = "PALERMO_DATA")]
        data: PathBuf,
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
    },
    /// Write audit entries as JSON lines to standard output.
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

fn hub_of(data: &std::path::Path) -> anyhow::Result<palermo_hub::Hub> {
    DataDir::open(data)?.hub()
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

pub fn admin(command: AdminCommand) -> anyhow::Result<ExitCode> {
    let console = Caller::console();
    match command {
        AdminCommand::AddBureau { code, name, data } => {
            let code = member_code(&code)?;
            hub_of(&data)?.add_bureau(&console, code, &name)?;
            println!("bureau {code} ({name}) saved");
        }
        AdminCommand::AddOrg {
            code,
            name,
            kind,
            data,
        } => {
            let code = OrgCode::parse(&code).map_err(anyhow::Error::msg)?;
            let kind = OrgKind::parse(&kind).context("unknown kind")?;
            hub_of(&data)?.add_organisation(&console, code, kind, &name)?;
            println!("{} {code} ({name}) saved", kind.as_str());
        }
        AdminCommand::AddUser {
            username,
            org,
            roles,
            name,
            json,
            data,
        } => {
            let org = OrgCode::parse(&org).map_err(anyhow::Error::msg)?;
            let roles = Role::parse_list(&roles).map_err(anyhow::Error::msg)?;
            let hub = hub_of(&data)?;
            let password = read_password()?;
            let display_name = name.unwrap_or_else(|| username.clone());
            let secrets =
                hub.add_user(&console, org, &username, &display_name, &roles, &password)?;
            if !json {
                println!("user {username} of {org} added");
            }
            print_secrets(&secrets, json)?;
        }
        AdminCommand::Users { data } => {
            for user in hub_of(&data)?.users(&console)? {
                println!(
                    "{:<24} {:<12} {:<28} {}{}",
                    user.username,
                    user.org,
                    user.roles.join(","),
                    if user.locked { "LOCKED " } else { "" },
                    if user.disabled { "DISABLED" } else { "" }
                );
            }
        }
        AdminCommand::Unlock { username, data } => {
            hub_of(&data)?.unlock_user(&console, &username)?;
            println!("{username} unlocked");
        }
        AdminCommand::Disable { username, data } => {
            hub_of(&data)?.disable_user(&console, &username)?;
            println!("{username} disabled");
        }
        AdminCommand::Enable { username, data } => {
            hub_of(&data)?.enable_user(&console, &username)?;
            println!("{username} enabled");
        }
        AdminCommand::SetPassword { username, data } => {
            let hub = hub_of(&data)?;
            let password = read_password()?;
            hub.set_password(&console, &username, &password)?;
            println!("password of {username} changed");
        }
        AdminCommand::ResetSecondFactor {
            username,
            json,
            data,
        } => {
            let secrets = hub_of(&data)?.reset_second_factor(&console, &username)?;
            print_secrets(&secrets, json)?;
        }
        AdminCommand::CreateKey {
            org,
            label,
            scopes,
            data,
        } => {
            let org = OrgCode::parse(&org).map_err(anyhow::Error::msg)?;
            let scopes = match scopes {
                Some(text) => Permissions::parse_scopes(&text).map_err(anyhow::Error::msg)?,
                None => DEFAULT_KEY_SCOPES,
            };
            let key = hub_of(&data)?.create_api_key(&console, org, &label, scopes)?;
            println!(
                "key {} for {} ({}): {}",
                key.id,
                key.org,
                key.scopes.scopes(),
                key.secret
            );
            eprintln!("store it now: it is not shown again");
        }
        AdminCommand::RevokeKey { id, data } => {
            if !hub_of(&data)?.revoke_api_key(&console, id)? {
                bail!("no active key {id}");
            }
            println!("key {id} revoked");
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
        AdminCommand::SetWebhook { org, url, data } => {
            let org = OrgCode::parse(&org).map_err(anyhow::Error::msg)?;
            let secret = hub_of(&data)?.set_webhook(&console, org, &url)?;
            println!("{secret}");
            eprintln!("webhook of {org} set; the signing secret above is not shown again");
        }
        AdminCommand::TotpCode { secret } => {
            let code = palermo_hub::totp_now(&secret).context("not a base32 TOTP secret")?;
            println!("{code}");
        }
    }
    Ok(ExitCode::SUCCESS)
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
        AuditCommand::Verify { target } => {
            let verification: serde_json::Value = match (&target.hub, &target.key) {
                (Some(hub), Some(key)) => HubClient::new(hub, key, target.ca_cert.as_deref())?
                    .get("/api/v1/audit/verify", &[])?,
                _ => {
                    let hub = hub_of(&target.data)?;
                    serde_json::to_value(hub.verify_audit(&Caller::console())?)?
                }
            };
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
                    let hub = hub_of(&target.data)?;
                    let filter = AuditFilter {
                        from,
                        to,
                        action,
                        ..AuditFilter::default()
                    };
                    let mut failure = None;
                    hub.export_audit(&Caller::console(), &mut |entry| {
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
