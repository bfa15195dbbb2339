//! `palermo`: the command line and glue. Each subcommand wires the library crates together;
//! the rules live in `palermo-hub` and below.

mod admin;
mod case;
mod check;
mod client;
mod datadir;
mod import;
mod message;
mod moving;
mod mrz;
mod notice;
mod screen;
mod serve;
mod tls;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand, ValueEnum};

#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// Palermo: a hub for police co-operation against human trafficking. It holds the shared
/// databases of stolen and lost travel documents and stolen vehicles, and answers the border's
/// checks in milliseconds.
#[derive(Parser)]
#[command(name = "palermo", version, propagate_version = true)]
struct Cli {
    /// Log format on standard error.
    #[arg(
        long,
        global = true,
        value_enum,
        default_value = "text",
        env = "PALERMO_LOG_FORMAT"
    )]
    log_format: LogFormat,
    /// Log filter, e.g. `info` or `palermo=debug` (also RUST_LOG).
    #[arg(long, global = true, default_value = "info", env = "PALERMO_LOG")]
    log: String,
    #[command(subcommand)]
    command: Command,
}

#[derive(Clone, Copy, ValueEnum)]
enum LogFormat {
    Text,
    Json,
}

#[derive(Subcommand)]
enum Command {
    /// Run the hub: HTTP API on --listen, data in --data.
    Serve(serve::ServeArgs),
    /// Bulk-load records from CSV or JSONL, into a data directory or a running hub.
    #[command(subcommand)]
    Import(import::ImportCommand),
    /// Check a travel document or a vehicle, against a running hub or a data directory.
    #[command(subcommand)]
    Check(check::CheckCommand),
    /// Synthetic data for trials and benchmarks.
    #[command(subcommand)]
    Demo(DemoCommand),
    /// Administration of a data directory (the hub must be stopped): organisations, people,
    /// keys. Audited.
    #[command(subcommand)]
    Admin(admin::AdminCommand),
    /// Machine-readable zones of travel documents, read and verified without a hub.
    #[command(subcommand)]
    Mrz(mrz::MrzCommand),
    /// Passenger manifests (UN/EDIFACT PAXLST), read without a hub.
    #[command(subcommand)]
    Paxlst(mrz::PaxlstCommand),
    /// Screen persons by name, birth date, nationality and sex.
    #[command(subcommand)]
    Screen(screen::ScreenCommand),
    /// Messages between organisations.
    #[command(subcommand)]
    Message(message::MessageCommand),
    /// Notices and diffusions: request, evaluate, review, publish, cancel (on a data
    /// directory).
    #[command(subcommand)]
    Notice(notice::NoticeCommand),
    /// Trafficking case reports: submit one, read cases, their versions and links.
    #[command(subcommand)]
    Case(case::CaseCommand),
    /// The audit trail: verify its chain, export it.
    #[command(subcommand)]
    Audit(admin::AuditCommand),
    /// Move a stopped hub, audit trail included, to another data directory and backend
    /// (SQLite to PostgreSQL or back); the target must be empty.
    MigrateStore(moving::MoveArgs),
    /// Copy a data directory's SQLite database to FILE while the hub runs (an online backup,
    /// consistent as of one moment). To restore: a new data directory with the copy as
    /// palermo.db and the signing key beside it. For PostgreSQL use its own tools (see
    /// docs/deployment.md).
    Backup {
        /// The data directory (need not be stopped).
        #[arg(long, default_value = "palermo-data", env = "PALERMO_DATA")]
        data: PathBuf,
        /// The file to write; it must not exist.
        #[arg(long)]
        to: PathBuf,
    },
    /// Bring the database's schema to this build's version (serve does it at start), then
    /// print the version.
    Migrate {
        /// The data directory (its SQLite file, unless --database).
        #[arg(long, default_value = "palermo-data", env = "PALERMO_DATA")]
        data: PathBuf,
        #[command(flatten)]
        database: DatabaseArg,
        /// PostgreSQL: also grant this (existing) role what a hub needs and no more, so that
        /// `serve` can connect as it: records and messages read and written, the audit trail
        /// appended to and its payloads erased, nothing owned, no entry updated or deleted.
        #[arg(long, requires = "database_url")]
        hub_role: Option<String>,
    },
}

#[derive(Subcommand)]
enum DemoCommand {
    /// Write synthetic records as CSV to standard output.
    Generate {
        #[arg(value_enum)]
        kind: RecordKindArg,
        /// How many records.
        #[arg(long)]
        count: u64,
        /// Another seed gives other records.
        #[arg(long, default_value_t = 1)]
        seed: u64,
        /// Make every record owned by this bureau (default: spread over the demo bureaus).
        #[arg(long)]
        owner: Option<String>,
    },
}

#[derive(Clone, Copy, ValueEnum)]
enum RecordKindArg {
    Documents,
    Vehicles,
}

/// Where a command works: a local data directory, or a running hub.
#[derive(Args, Clone)]
pub struct Target {
    /// The data directory (when not using --hub).
    #[arg(long, default_value = "palermo-data", env = "PALERMO_DATA")]
    data: PathBuf,
    /// Base URL of a running hub, e.g. http://127.0.0.1:8080.
    #[arg(long, env = "PALERMO_HUB", requires = "key")]
    hub: Option<String>,
    /// API key for --hub.
    #[arg(long, env = "PALERMO_KEY", hide_env_values = true)]
    key: Option<String>,
    /// The bureau to act for on a data directory (ISO 3166-1 alpha-3).
    #[arg(long, env = "PALERMO_BUREAU")]
    bureau: Option<String>,
    /// A CA certificate (PEM) to trust for an https:// --hub, e.g. from `admin dev-cert`.
    #[arg(long, env = "PALERMO_CA_CERT")]
    ca_cert: Option<PathBuf>,
    /// The audit trail's signing key (PKCS #8), when kept outside the data directory, as
    /// `serve --audit-key` keeps it.
    #[arg(long, env = "PALERMO_AUDIT_KEY")]
    audit_key: Option<PathBuf>,
    #[command(flatten)]
    database: DatabaseArg,
}

/// Where the records live, when not in the data directory's SQLite file.
#[derive(Args, Clone, Default)]
pub struct DatabaseArg {
    /// A PostgreSQL database for the records, audit trail and messages instead of the data
    /// directory's SQLite file: `postgres://USER[:PASSWORD]@HOST[:PORT]/DATABASE` or
    /// `host=/run/postgresql dbname=palermo`. The data directory keeps the signing key and the
    /// lock.
    #[arg(
        long = "database",
        id = "database_url",
        env = "PALERMO_DATABASE_URL",
        hide_env_values = true
    )]
    pub url: Option<String>,
}

impl Target {
    /// The data directory, opened (and locked) for this command.
    pub fn open_data(&self) -> anyhow::Result<datadir::DataDir> {
        datadir::DataDir::open(&self.data)?
            .with_audit_key(self.audit_key.clone())
            .with_database(self.database.url.clone())
    }
}

fn backup(data: &std::path::Path, to: &std::path::Path) -> anyhow::Result<ExitCode> {
    if data.join(datadir::DATABASE_URL_FILE).exists() {
        anyhow::bail!(
            "the records of {} are in PostgreSQL: back them up with pg_dump or \
             pg_basebackup (docs/deployment.md), and keep the directory's signing key",
            data.display()
        );
    }
    let database = data.join(datadir::DATABASE_FILE);
    if !database.exists() {
        anyhow::bail!("no database in {}", data.display());
    }
    // Not through DataDir: a running hub holds the directory's lock, and an online backup is
    // the point.
    palermo_store::SqliteStore::backup(&database, to)
        .map_err(|error| anyhow::anyhow!("cannot back up {}: {error}", database.display()))?;
    datadir::make_private(to)?;
    println!(
        "backed up {} to {}; keep {} with it",
        database.display(),
        to.display(),
        data.join(datadir::SIGNING_KEY_FILE).display()
    );
    Ok(ExitCode::SUCCESS)
}

fn migrate(
    data: &std::path::Path,
    database: DatabaseArg,
    hub_role: Option<String>,
) -> anyhow::Result<ExitCode> {
    if let (Some(url), Some(role)) = (&database.url, &hub_role) {
        // As the schema's owner, who need not be the role the hub will run as: nothing is
        // remembered in the data directory.
        palermo_store::PostgresStore::migrate(url, Some(role))
            .map_err(|error| anyhow::anyhow!("cannot migrate the PostgreSQL database: {error}"))?;
        println!("the database's schema is current; role {role} may run a hub on it");
        return Ok(ExitCode::SUCCESS);
    }
    let data = datadir::DataDir::open(data)?.with_database(database.url)?;
    // Opening a store applies the migrations it lacks, in one transaction.
    data.store()?;
    println!("the database's schema is current");
    Ok(ExitCode::SUCCESS)
}

fn init_logging(format: LogFormat, filter: &str) {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(filter));
    let ansi = std::io::IsTerminal::is_terminal(&std::io::stderr());
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_ansi(ansi)
        .with_writer(std::io::stderr);
    match format {
        LogFormat::Text => builder.init(),
        LogFormat::Json => builder.json().init(),
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    init_logging(cli.log_format, &cli.log);
    let result = match cli.command {
        Command::Serve(args) => serve::run(args),
        Command::Import(command) => import::run(command),
        Command::Check(command) => check::run(command),
        Command::Demo(DemoCommand::Generate {
            kind,
            count,
            seed,
            owner,
        }) => generate(kind, count, seed, owner),
        Command::Admin(command) => admin::admin(command),
        Command::Audit(command) => admin::audit(command),
        Command::Migrate {
            data,
            database,
            hub_role,
        } => migrate(&data, database, hub_role),
        Command::MigrateStore(args) => moving::run(args),
        Command::Backup { data, to } => backup(&data, &to),
        Command::Message(command) => message::run(command),
        Command::Notice(command) => notice::run(command),
        Command::Case(command) => case::run(command),
        Command::Screen(command) => screen::run(command),
        Command::Mrz(command) => mrz::run(command),
        Command::Paxlst(command) => mrz::run_paxlst(command),
    };
    match result {
        Ok(code) => code,
        Err(error) => {
            eprintln!("error: {error:#}");
            ExitCode::from(2)
        }
    }
}

fn generate(
    kind: RecordKindArg,
    count: u64,
    seed: u64,
    owner: Option<String>,
) -> anyhow::Result<ExitCode> {
    let owner = owner.map(|code| datadir::member_code(&code)).transpose()?;
    let owner = owner.map(|code| code.as_str());
    let stdout = std::io::stdout().lock();
    let mut out = std::io::BufWriter::with_capacity(1 << 20, stdout);
    let written = match kind {
        RecordKindArg::Documents => {
            palermo_hub::demo::write_documents_csv(&mut out, seed, count, owner)
        }
        RecordKindArg::Vehicles => {
            palermo_hub::demo::write_vehicles_csv(&mut out, seed, count, owner)
        }
    };
    match written.and_then(|()| std::io::Write::flush(&mut out)) {
        Ok(()) => Ok(ExitCode::SUCCESS),
        // A closed pipe (`| head`) is not an error.
        Err(error) if error.kind() == std::io::ErrorKind::BrokenPipe => Ok(ExitCode::SUCCESS),
        Err(error) => Err(error.into()),
    }
}
