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
    /// Async worker threads; default one per core.
    #[arg(long)]
    workers: Option<usize>,
}

pub fn run(args: ServeArgs) -> anyhow::Result<ExitCode> {
    let data = DataDir::open(&args.data)?;
    let store = data.store()?;
    let fresh = store.bureaus()?.is_empty();
    if args.demo && fresh {
        let started = Instant::now();
        let counts = demo::seed_store(store.as_ref(), args.demo_documents, args.demo_vehicles)
            .map_err(anyhow::Error::msg)
            .context("cannot load the demo data")?;
        info!(
            records = counts.inserted,
            elapsed_ms = started.elapsed().as_millis() as u64,
            "demo data loaded"
        );
    }
    let started = Instant::now();
    let hub = Arc::new(Hub::open(store)?);
    let stats = hub.index_stats();
    info!(
        documents = stats.documents,
        vehicles = stats.vehicles,
        index_bytes = stats.documents_memory_bytes + stats.vehicles_memory_bytes,
        elapsed_ms = started.elapsed().as_millis() as u64,
        "index ready"
    );
    let credentials = match (args.demo, fresh) {
        (true, true) => Some(demo_credentials(&hub, &args)?),
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
        let url = format!("http://{address}");
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
        axum::serve(listener, palermo_api::router(hub))
            .with_graceful_shutdown(shutdown_signal())
            .await?;
        info!("stopped");
        anyhow::Ok(())
    })?;
    Ok(ExitCode::SUCCESS)
}

/// Writes a file that holds secrets (API keys): readable by its owner only.
fn write_private(path: &std::path::Path, bytes: &[u8]) -> std::io::Result<()> {
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
fn demo_credentials(hub: &Hub, args: &ServeArgs) -> anyhow::Result<Value> {
    let mut bureaus = Vec::new();
    for (code, name) in DEMO_BUREAUS {
        let key = hub.create_api_key(CountryCode::parse(code).expect("demo code"), "demo")?;
        bureaus.push(json!({"code": code, "name": name, "api_key": key.secret}));
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
        "examples": {
            "document_hit": open,
            "document_possible_hit": possible,
            "document_restricted": restricted,
            "vehicle_hit": vehicle,
        }
    }))
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
    println!("numbers that hit:");
    show("document (exact)", &examples["document_hit"]);
    show("document (possible)", &examples["document_possible_hit"]);
    show("document (restricted)", &examples["document_restricted"]);
    show("vehicle", &examples["vehicle_hit"]);
}
