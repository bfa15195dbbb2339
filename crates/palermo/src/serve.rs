//! `palermo serve`: open the data directory, build the indexes, serve the API.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Instant;

use anyhow::Context;
use clap::Args;
use palermo_core::{CountryCode, Timestamp, ValidationContext};
use palermo_hub::Hub;
use palermo_hub::demo::{self, DEMO_BUREAUS, DEMO_SEED};
use serde_json::{Value, json};
use tracing::info;

use crate::datadir::{DEMO_CREDENTIALS_FILE, DataDir};

#[derive(Args)]
pub struct ServeArgs {
    /// The data directory; created if missing.
    #[arg(long, default_value = "palermo-data", env = "PALERMO_DATA")]
    data: PathBuf,
    /// Address to listen on. Port 0 picks a free port (printed at start).
    #[arg(long, default_value = "127.0.0.1:8080", env = "PALERMO_LISTEN")]
    listen: SocketAddr,
    /// On an empty data directory, create demo bureaus, API keys and synthetic records, and
    /// write the keys to demo-credentials.json in the data directory.
    #[arg(long)]
    demo: bool,
    /// Travel documents the demo creates.
    #[arg(long, default_value_t = 100_000)]
    demo_documents: u64,
    /// Vehicles the demo creates.
    #[arg(long, default_value_t = 10_000)]
    demo_vehicles: u64,
    /// The public notices service's own address (e.g. https://notices.example.org), for the
    /// absolute links it gives; without it, links take the address each client reached.
    #[arg(long, value_parser = public_url)]
    public_url: Option<String>,
    /// Whether the demo loads its persons and its notices and diffusions of every kind and
    /// state (`--demo-notices false`: records only).
    #[arg(long, default_value_t = true, action = clap::ArgAction::Set)]
    demo_notices: bool,
    /// Trafficking case reports the demo's bureaus submit: networks that cross their borders,
    /// so that cases link through shared suspects, phones, accounts and documents.
    #[arg(long, default_value_t = palermo_hub::demo_cases::DEMO_CASES)]
    demo_cases: u64,
    /// Async worker threads; default one per core.
    #[arg(long)]
    workers: Option<usize>,
    /// TLS certificate chain (PEM). With --tls-key, the hub speaks HTTPS only.
    #[arg(long, requires = "tls_key", env = "PALERMO_TLS_CERT")]
    tls_cert: Option<PathBuf>,
    /// TLS private key (PEM).
    #[arg(long, requires = "tls_cert", env = "PALERMO_TLS_KEY")]
    tls_key: Option<PathBuf>,
    /// Require client certificates signed by this CA (PEM): mutual TLS for machine clients.
    #[arg(long, requires = "tls_cert", env = "PALERMO_TLS_CLIENT_CA")]
    tls_client_ca: Option<PathBuf>,
    /// Listen on a non-loopback address without TLS (only behind a TLS-terminating proxy).
    #[arg(long)]
    allow_plaintext: bool,
    /// Seconds between signed publications of the audit trail's head.
    #[arg(long, default_value_t = 60)]
    audit_head_interval: u64,
    /// The audit trail's signing key (PKCS #8, made on first use), kept outside the data
    /// directory so that whoever holds the database cannot re-sign a shortened trail.
    /// Default: audit-signing-key.pk8 in the data directory.
    #[arg(long, env = "PALERMO_AUDIT_KEY")]
    audit_key: Option<PathBuf>,
    #[command(flatten)]
    database: crate::DatabaseArg,
    /// Serve Prometheus metrics (GET /metrics) on this address, apart from the API: an
    /// operator's address, e.g. 127.0.0.1:9464. Without it, metrics are not served.
    #[arg(long, env = "PALERMO_METRICS_LISTEN")]
    metrics_listen: Option<SocketAddr>,
    /// Webhook deliveries made at once, each to a different destination.
    #[arg(long, default_value_t = 8)]
    webhook_workers: usize,
    #[command(flatten)]
    policy: PolicyArgs,
}

/// The security policy; the defaults follow the published rules in docs/security.md.
#[derive(Args, Clone)]
pub struct PolicyArgs {
    /// Minutes without a request after which a session ends.
    #[arg(long, default_value_t = 30)]
    session_idle_minutes: i64,
    /// Hours after which a session ends in any case.
    #[arg(long, default_value_t = 12)]
    session_max_hours: i64,
    /// Failed sign-ins (within --lockout-window-minutes) that lock an account…
    #[arg(long, default_value_t = 5)]
    lockout_failures: usize,
    #[arg(long, default_value_t = 15)]
    lockout_window_minutes: i64,
    /// …for this many seconds, unless an administrator unlocks it sooner.
    #[arg(long, default_value_t = 600)]
    lockout_seconds: i64,
    /// Sign-in attempts allowed per minute from one source address (and as a burst).
    #[arg(long, default_value_t = 20)]
    sign_ins_per_minute_per_address: u32,
    /// Sign-in attempts allowed per minute for one user name (and as a burst).
    #[arg(long, default_value_t = 10)]
    sign_ins_per_minute_per_user: u32,
    /// Requests with a bad credential allowed per minute from one address; beyond, 429.
    #[arg(long, default_value_t = 30)]
    bad_credentials_per_minute_per_address: u32,
    /// Requests allowed per second with one API key or session (the burst is twice this).
    #[arg(long, default_value_t = 10_000)]
    requests_per_second_per_key: u32,
    /// Requests to the public notices service (/notices/v1, unauthenticated) allowed per
    /// minute from one address (the burst is a fifth of this); beyond, 429.
    #[arg(long, default_value_t = 600)]
    public_requests_per_minute_per_address: u32,
    /// The score from which a screened person is a hit; callers may raise it, not lower it.
    #[arg(long, default_value_t = palermo_hub::persons::DEFAULT_THRESHOLD)]
    hit_threshold: f64,
    /// Webhook targets allowed besides public https:// ones: host names, addresses and
    /// networks, comma-separated (e.g. localhost,127.0.0.0/8 for development).
    #[arg(long, default_value = "")]
    webhook_allow: String,
    /// Days without use after which an account is disabled.
    #[arg(long, default_value_t = 90)]
    inactive_days: i64,
    /// Hours the owner has to answer a hit.
    #[arg(long, default_value_t = 24)]
    hit_deadline_hours: i64,
    /// Days an audit entry keeps what a check asked (then erased; the chain still verifies).
    #[arg(long, default_value_t = 3 * 365)]
    audit_retention_days: i64,
}

fn public_url(text: &str) -> Result<String, String> {
    let valid = (text.starts_with("https://") || text.starts_with("http://"))
        && text.len() <= 200
        && !text.contains(['?', '#', ' ', '"', '<', '>', '\\'])
        && text
            .split("://")
            .nth(1)
            .is_some_and(|rest| !rest.is_empty());
    if valid {
        Ok(text.trim_end_matches('/').to_owned())
    } else {
        Err("give http:// or https:// and a host (a path may follow; no query)".into())
    }
}

impl PolicyArgs {
    pub fn policy(&self) -> anyhow::Result<palermo_hub::Policy> {
        const MINUTE: i64 = 60_000;
        if !(0.0..=1.0).contains(&self.hit_threshold) {
            anyhow::bail!("--hit-threshold must be between 0 and 1");
        }
        let per_minute = |n: u32| palermo_hub::RateLimit::per_minute(n, n);
        Ok(palermo_hub::Policy {
            session_idle_ms: self.session_idle_minutes * MINUTE,
            session_max_ms: self.session_max_hours * 60 * MINUTE,
            lockout_failures: self.lockout_failures,
            lockout_window_ms: self.lockout_window_minutes * MINUTE,
            lockout_duration_ms: self.lockout_seconds * 1000,
            sign_ins_per_address: per_minute(self.sign_ins_per_minute_per_address),
            sign_ins_per_username: per_minute(self.sign_ins_per_minute_per_user),
            rejected_credentials_per_address: per_minute(
                self.bad_credentials_per_minute_per_address,
            ),
            requests_per_credential: palermo_hub::RateLimit {
                burst: self.requests_per_second_per_key.saturating_mul(2),
                per_second: f64::from(self.requests_per_second_per_key),
            },
            public_requests_per_address: palermo_hub::RateLimit::per_minute(
                (self.public_requests_per_minute_per_address / 5).max(1),
                self.public_requests_per_minute_per_address,
            ),
            inactive_disable_ms: self.inactive_days * 24 * 60 * MINUTE,
            hit_deadline_ms: self.hit_deadline_hours * 60 * MINUTE,
            audit_payload_retention_ms: self.audit_retention_days * 24 * 60 * MINUTE,
            hit_threshold: self.hit_threshold,
            webhook_targets: palermo_hub::WebhookTargets::parse(&self.webhook_allow)
                .map_err(|problem| anyhow::anyhow!("--webhook-allow: {problem}"))?,
            ..palermo_hub::Policy::default()
        })
    }
}

pub fn run(args: ServeArgs) -> anyhow::Result<ExitCode> {
    let tls = match (&args.tls_cert, &args.tls_key) {
        (Some(cert), Some(key)) => Some(crate::tls::server_config(
            cert,
            key,
            args.tls_client_ca.as_deref(),
        )?),
        _ => None,
    };
    if tls.is_none() && !args.listen.ip().is_loopback() && !args.allow_plaintext {
        anyhow::bail!(
            "refusing to listen on {} without TLS: give --tls-cert and --tls-key, or \
             --allow-plaintext behind a TLS-terminating proxy",
            args.listen
        );
    }
    let policy = args.policy.policy()?;
    let data = DataDir::open(&args.data)?
        .with_audit_key(args.audit_key.clone())
        .with_database(args.database.url.clone())?;
    let store = data.store()?;
    let fresh = store.organisations()?.is_empty();
    let mut demo_notices = None;
    if args.demo && fresh {
        let started = Instant::now();
        // The demo data go in through the hub's use cases, as every bureau's would.
        let seeding = palermo_hub::Hub::open_with(
            store.clone(),
            palermo_hub::HubOptions {
                without_indexes: true,
                ..palermo_hub::HubOptions::default()
            },
        )?;
        let counts = demo::seed(&seeding, args.demo_documents, args.demo_vehicles)
            .context("cannot load the demo data")?;
        if args.demo_notices {
            demo_notices = Some(
                demo::seed_notices(&seeding).context("cannot load the demo persons and notices")?,
            );
        }
        drop(seeding);
        info!(
            records = counts.inserted,
            elapsed_ms = started.elapsed().as_millis() as u64,
            "demo data loaded"
        );
    }
    let started = Instant::now();
    let hub = Arc::new(data.hub_with(store, policy)?);
    if args.demo && fresh {
        // Case reports are matched against the records as they are submitted: after the
        // indexes are built.
        let started = Instant::now();
        let cases = palermo_hub::demo_cases::seed_cases(&hub, args.demo_cases)
            .context("cannot load the demo case reports")?;
        info!(
            cases,
            elapsed_ms = started.elapsed().as_millis() as u64,
            "demo case reports loaded"
        );
    }
    crate::message::spawn_deliverer(hub.clone(), args.webhook_workers);
    let stats = hub.index_stats();
    info!(
        documents = stats.documents,
        vehicles = stats.vehicles,
        index_bytes = stats.documents_memory_bytes + stats.vehicles_memory_bytes,
        elapsed_ms = started.elapsed().as_millis() as u64,
        "index ready"
    );
    let credentials = match (args.demo, fresh) {
        (true, true) => Some(demo_credentials(&hub, &args, demo_notices.as_ref())?),
        (true, false) => read_credentials(&data),
        _ => None,
    };

    let mut runtime = tokio::runtime::Builder::new_multi_thread();
    if let Some(workers) = args.workers {
        runtime.worker_threads(workers);
    }
    let runtime = runtime.enable_all().build()?;
    runtime.block_on(async move {
        let listener = tokio::net::TcpListener::bind(args.listen)
            .await
            .with_context(|| format!("cannot listen on {}", args.listen))?;
        let address = listener.local_addr()?;
        let scheme = if tls.is_some() { "https" } else { "http" };
        let url = format!("{scheme}://{address}");
        // The credentials are on disk before the address is printed: scripts that wait for the
        // address can read them at once.
        let credentials = match credentials {
            Some(mut credentials) => {
                credentials["url"] = Value::String(url.clone());
                let path = data.path().join(DEMO_CREDENTIALS_FILE);
                let partial = data.path().join(format!("{DEMO_CREDENTIALS_FILE}.partial"));
                write_private(&partial, &serde_json::to_vec_pretty(&credentials)?)
                    .and_then(|()| std::fs::rename(&partial, &path))
                    .with_context(|| format!("cannot write {}", path.display()))?;
                Some((credentials, path))
            }
            None => None,
        };
        println!("palermo hub listening on {url}");
        println!(
            "  {} travel documents, {} vehicles indexed",
            stats.documents, stats.vehicles
        );
        if let Some((credentials, path)) = credentials {
            print_demo(&credentials, &path);
        }
        use std::io::Write;
        std::io::stdout().flush()?;
        let routers = palermo_api::routers_with(
            hub.clone(),
            palermo_api::RouterOptions {
                https: tls.is_some(),
                public_url: args.public_url.clone(),
            },
        );
        if let Some(address) = args.metrics_listen {
            let listener = tokio::net::TcpListener::bind(address)
                .await
                .with_context(|| format!("cannot listen on {address} for metrics"))?;
            info!(address = %listener.local_addr()?, "metrics served");
            let metrics = routers.metrics;
            tokio::spawn(async move {
                if let Err(error) = axum::serve(listener, metrics).await {
                    tracing::error!(%error, "the metrics listener stopped");
                }
            });
        }
        let app = routers
            .api
            .into_make_service_with_connect_info::<palermo_api::Peer>();
        let housekeeping = tokio::spawn(housekeeping(
            hub.clone(),
            std::time::Duration::from_secs(args.audit_head_interval.max(1)),
        ));
        match tls {
            Some(config) => {
                let listener = palermo_api::tls::TlsListener::new(listener, config)?;
                axum::serve(listener, app)
                    .with_graceful_shutdown(shutdown_signal())
                    .await?
            }
            None => {
                axum::serve(listener, app)
                    .with_graceful_shutdown(shutdown_signal())
                    .await?
            }
        }
        housekeeping.abort();
        let hub_for_head = hub.clone();
        tokio::task::spawn_blocking(move || {
            hub_for_head.flush_rejected_credentials()?;
            hub_for_head.publish_head()
        })
        .await??;
        info!("stopped");
        anyhow::Ok(())
    })?;
    Ok(ExitCode::SUCCESS)
}

/// Signs and publishes the audit trail's head every `interval`, and erases search terms past
/// their retention period every hour.
async fn housekeeping(hub: Arc<Hub>, interval: std::time::Duration) {
    let mut ticks = tokio::time::interval(interval);
    let mut last_erase: Option<Instant> = None;
    loop {
        ticks.tick().await;
        let erase = last_erase.is_none_or(|at| at.elapsed().as_secs() >= 3600);
        if erase {
            last_erase = Some(Instant::now());
        }
        let hub = hub.clone();
        let done = tokio::task::spawn_blocking(move || {
            if erase {
                let erased = hub.erase_expired_audit_payloads()?;
                if erased > 0 {
                    info!(
                        erased,
                        "erased audit search terms past their retention period"
                    );
                }
            }
            let rejected = hub.flush_rejected_credentials()?;
            if rejected > 0 {
                info!(rejected, "requests with bad credentials in the last period");
            }
            let escalated = hub.escalate_overdue_hits()?;
            if escalated > 0 {
                info!(escalated, "escalated unanswered hits past their deadline");
            }
            let expired = hub.expire_notices()?;
            if expired > 0 {
                info!(expired, "expired notices past their review date");
            }
            hub.publish_head()
        })
        .await;
        match done {
            Ok(Ok(_)) => {}
            Ok(Err(error)) => tracing::error!(%error, "audit housekeeping failed"),
            Err(error) => tracing::error!(%error, "audit housekeeping panicked"),
        }
    }
}

/// Writes a file that holds secrets (API keys): readable by its owner only.
pub fn write_private(path: &std::path::Path, bytes: &[u8]) -> std::io::Result<()> {
    use std::io::Write;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    options.open(path)?.write_all(bytes)
}

async fn shutdown_signal() {
    let interrupt = tokio::signal::ctrl_c();
    #[cfg(unix)]
    {
        let mut terminate =
            tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
                .expect("installing a SIGTERM handler");
        tokio::select! {
            _ = interrupt => {}
            _ = terminate.recv() => {}
        }
    }
    #[cfg(not(unix))]
    interrupt.await.ok();
    info!("shutting down");
}

/// Creates one key per demo bureau and picks examples that hit.
fn demo_credentials(
    hub: &Hub,
    args: &ServeArgs,
    notices: Option<&demo::DemoNotices>,
) -> anyhow::Result<Value> {
    let console = palermo_hub::Caller::console();
    let mut bureaus = Vec::new();
    for (code, name) in DEMO_BUREAUS {
        let org = palermo_core::OrgCode::parse(code).expect("demo code");
        let key = hub.create_api_key(&console, org, "demo", palermo_hub::NATIONAL_SYSTEM_SCOPES)?;
        bureaus.push(json!({"code": code, "name": name, "api_key": key.secret}));
    }
    let mut people = Vec::new();
    for (username, org, roles) in DEMO_PEOPLE {
        let password = format!("demo-{}", hex::encode(random_bytes()?));
        let roles = palermo_core::Role::parse_list(roles).map_err(anyhow::Error::msg)?;
        let org_code = palermo_core::OrgCode::parse(org).expect("demo org");
        let secrets = hub.add_user(&console, org_code, username, username, &roles, &password)?;
        people.push(json!({
            "username": username,
            "org": org,
            "roles": roles.iter().map(|r| r.as_str()).collect::<Vec<_>>(),
            "password": password,
            "totp_secret": secrets.totp_secret,
            "recovery_codes": secrets.recovery_codes,
        }));
    }
    let context = ValidationContext {
        today: Timestamp::now().date(),
        default_owner: CountryCode::parse("FRA").expect("code"),
        prefix: "",
    };
    let documents = (0..args.demo_documents).map(|i| demo::document(DEMO_SEED, i));
    let mut open = None;
    let mut restricted = None;
    for input in documents {
        let document = input.validate(context).expect("demo documents are valid");
        let example = json!({
            "number": document.number,
            "issuing_country": document.issuing_country.as_str(),
            "owner": document.meta.owner.as_str(),
        });
        match document.meta.restriction.countries() {
            [] if open.is_none() && document.number.contains(['0', '1', '5', '8']) => {
                open = Some(example)
            }
            [hidden_from]
                if restricted.is_none()
                    && matches!(
                        document.meta.restriction,
                        palermo_core::Restriction::Except(_)
                    ) =>
            {
                let mut example = example;
                example["hidden_from"] = json!(hidden_from.as_str());
                restricted = Some(example);
            }
            _ => {}
        }
        if open.is_some() && restricted.is_some() {
            break;
        }
    }
    let possible = open.as_ref().map(|example| {
        let number = example["number"].as_str().unwrap_or_default();
        let typo: String = confusable_typo(number);
        json!({"number": typo, "issuing_country": example["issuing_country"], "owner": example["owner"]})
    });
    let vehicle = (args.demo_vehicles > 0).then(|| {
        let v = demo::vehicle(DEMO_SEED, 0);
        json!({"vin": v.vin, "plate": v.plate, "plate_country": v.plate_country, "owner": v.owner})
    });
    Ok(json!({
        "url": null,
        "bureaus": bureaus,
        "people": people,
        "examples": {
            "document_hit": open,
            "document_possible_hit": possible,
            "document_restricted": restricted,
            "vehicle_hit": vehicle,
            "notices": notices,
        }
    }))
}

/// The demo's people: (user name, organisation, roles).
const DEMO_PEOPLE: &[(&str, &str, &str)] = &[
    ("fra.operator", "FRA", "operator,frontline"),
    ("deu.officer", "DEU", "frontline"),
    ("deu.operator", "DEU", "operator,frontline"),
    ("sg.reviewer", "SECRETARIAT", "reviewer"),
    ("sg.auditor", "SECRETARIAT", "auditor"),
    ("sg.admin", "SECRETARIAT", "administrator"),
    ("europol.analyst", "EUROPOL", "partner"),
];

fn random_bytes() -> anyhow::Result<[u8; 8]> {
    let mut bytes = [0u8; 8];
    getrandom::fill(&mut bytes).map_err(|error| anyhow::anyhow!("no randomness: {error}"))?;
    Ok(bytes)
}

/// The number as a tired officer might type it: the first 0, 1, 5 or 8 as O, I, S or B.
fn confusable_typo(number: &str) -> String {
    let mut done = false;
    number
        .chars()
        .map(|c| {
            let swapped = match c {
                '0' => 'O',
                '1' => 'I',
                '5' => 'S',
                '8' => 'B',
                other => other,
            };
            if !done && swapped != c {
                done = true;
                swapped
            } else {
                c
            }
        })
        .collect()
}

fn read_credentials(data: &DataDir) -> Option<Value> {
    let text = std::fs::read(data.path().join(DEMO_CREDENTIALS_FILE)).ok()?;
    serde_json::from_slice(&text).ok()
}

fn print_demo(credentials: &Value, path: &std::path::Path) {
    println!("demo API keys (also in {}):", path.display());
    for bureau in credentials["bureaus"].as_array().into_iter().flatten() {
        println!(
            "  {}  {:<16} {}",
            bureau["code"].as_str().unwrap_or_default(),
            bureau["name"].as_str().unwrap_or_default(),
            bureau["api_key"].as_str().unwrap_or_default()
        );
    }
    let examples = &credentials["examples"];
    let show = |label: &str, example: &Value| {
        if !example.is_null() {
            println!("  {label:<22} {example}");
        }
    };
    println!(
        "demo people (sign in with POST /api/v1/sessions; `palermo admin totp-code SECRET` gives a code):"
    );
    for person in credentials["people"].as_array().into_iter().flatten() {
        println!(
            "  {:<16} {:<12} {:<20} password {}",
            person["username"].as_str().unwrap_or_default(),
            person["org"].as_str().unwrap_or_default(),
            person["roles"]
                .as_array()
                .map(|roles| roles
                    .iter()
                    .filter_map(Value::as_str)
                    .collect::<Vec<_>>()
                    .join(","))
                .unwrap_or_default(),
            person["password"].as_str().unwrap_or_default()
        );
    }
    println!("numbers that hit:");
    show("document (exact)", &examples["document_hit"]);
    show("document (possible)", &examples["document_possible_hit"]);
    show("document (restricted)", &examples["document_restricted"]);
    show("vehicle", &examples["vehicle_hit"]);
}
