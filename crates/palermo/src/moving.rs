//! `palermo migrate-store`: moves a whole hub (records, people, messages, hits, the audit
//! trail and its signed heads) between data directories and backends, verbatim: every id and
//! every hash is kept, so the trail verifies on the target as it did on the source.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use clap::Args;
use palermo_core::audit::ChainVerifier;

use crate::DatabaseArg;
use crate::datadir::{DEMO_CREDENTIALS_FILE, DataDir, SIGNING_KEY_FILE};

#[derive(Args)]
pub struct MoveArgs {
    /// The data directory of the hub to move (stopped).
    #[arg(long)]
    from_data: PathBuf,
    /// Where its records are, when not in the directory's SQLite file.
    #[arg(long)]
    from_database: Option<String>,
    /// The new data directory: it receives the signing key.
    #[arg(long)]
    to_data: PathBuf,
    /// PostgreSQL for the moved hub; without it, the new directory's SQLite file.
    #[command(flatten)]
    to_database: DatabaseArg,
}

pub fn run(args: MoveArgs) -> anyhow::Result<ExitCode> {
    let from = DataDir::open(&args.from_data)?.with_database(args.from_database)?;
    let to = DataDir::open(&args.to_data)?.with_database(args.to_database.url)?;
    let source = from.store()?;
    // Checks kept in the spool while the database was away are not in it yet: a hub moves
    // once its spool is replayed (serving it with the database back does that).
    let spool = from.path().join(crate::datadir::SPOOL_FILE);
    if spool.exists() {
        let waiting = palermo_store::Spool::open(&spool)
            .and_then(|spool| spool.waiting())
            .with_context(|| format!("cannot read the audit spool {}", spool.display()))?;
        anyhow::ensure!(
            waiting == 0,
            "{waiting} checks' audit entries wait in {} for the database: serve the hub until \
             they are replayed (its log says so), then move it",
            spool.display()
        );
    }
    let target = to.store()?;
    let started = std::time::Instant::now();
    let copied =
        palermo_store::copy_hub(source.as_ref(), target.as_ref()).context("cannot copy the hub")?;
    // The key that signed the heads signs the moved hub's: the heads verify as before.
    for file in [SIGNING_KEY_FILE, DEMO_CREDENTIALS_FILE] {
        let (old, new) = (from.path().join(file), to.path().join(file));
        if old.exists() && !new.exists() {
            let bytes =
                std::fs::read(&old).with_context(|| format!("cannot read {}", old.display()))?;
            crate::serve::write_private(&new, &bytes)
                .with_context(|| format!("cannot write {}", new.display()))?;
        }
    }
    let mut verifier = ChainVerifier::new();
    let mut broken = None;
    target.scan_audit(&mut |entry| match verifier.verify(&entry) {
        Ok(()) => true,
        Err(error) => {
            broken = Some(error);
            false
        }
    })?;
    if let Some(error) = broken {
        anyhow::bail!("copied {copied} rows, but the trail does not verify on the target: {error}");
    }
    println!(
        "copied {copied} rows in {:.1} s; the audit trail's {} entries verify on the target",
        started.elapsed().as_secs_f64(),
        verifier.verified
    );
    Ok(ExitCode::SUCCESS)
}
