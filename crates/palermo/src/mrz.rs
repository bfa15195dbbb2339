//! `palermo mrz parse`: machine-readable zones read and verified, without a hub, for
//! integrators who test their document readers.

use std::io::{BufRead, Write};
use std::process::ExitCode;

use clap::Subcommand;
use palermo_core::mrz;
use serde::Deserialize;
use serde_json::json;

#[derive(Subcommand)]
pub enum MrzCommand {
    /// JSON lines in (`{"lines": ["P<UTO…", "L898…"]}` per line, on standard input), JSON lines
    /// out: the fields as read, `valid`, and every problem with its line and column. A line
    /// that is not such an object gets `{"input_line": N, "error": …}`. Exit status 1 if any
    /// zone is invalid or any input line unreadable.
    Parse {
        /// The day two-digit years are resolved against (`YYYY-MM-DD`; default today, UTC).
        #[arg(long)]
        today: Option<String>,
    },
}

/// `palermo paxlst parse`: a passenger manifest read without a hub.
#[derive(Subcommand)]
pub enum PaxlstCommand {
    /// Reads a UN/EDIFACT PAXLST interchange (a file, or `-` for standard input) and prints
    /// what was read as JSON: the flight, every traveller with their doubtful data, the
    /// manifest's problems; or, for a malformed interchange, `{"errors": [...]}` (segment,
    /// tag, element, component, line, column) and exit status 1.
    Parse {
        file: std::path::PathBuf,
        /// The day two-digit years are resolved against (`YYYY-MM-DD`; default today, UTC).
        #[arg(long)]
        today: Option<String>,
    },
}

pub fn run_paxlst(command: PaxlstCommand) -> anyhow::Result<ExitCode> {
    let PaxlstCommand::Parse { file, today } = command;
    let today = today_of(today)?;
    let message = if file.as_os_str() == "-" {
        let mut buffer = Vec::new();
        std::io::Read::read_to_end(&mut std::io::stdin(), &mut buffer)?;
        buffer
    } else {
        std::fs::read(&file).map_err(|e| anyhow::anyhow!("cannot read {}: {e}", file.display()))?
    };
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    let code = match palermo_core::paxlst::parse(&message, today) {
        Ok(manifest) => {
            serde_json::to_writer_pretty(&mut out, &manifest)?;
            ExitCode::SUCCESS
        }
        Err(errors) => {
            serde_json::to_writer_pretty(&mut out, &json!({"errors": errors}))?;
            ExitCode::from(1)
        }
    };
    out.write_all(b"\n")?;
    Ok(code)
}

fn today_of(text: Option<String>) -> anyhow::Result<palermo_core::date::CalendarDate> {
    match text {
        Some(text) => {
            palermo_core::date::parse_date(&text).map_err(|e| anyhow::anyhow!("--today: {e}"))
        }
        None => Ok(palermo_core::Timestamp::now().date()),
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Input {
    lines: Vec<String>,
}

/// Longest input line read: a zone is 90 characters; room for a reader's noise and JSON.
const INPUT_LINE_MAX: usize = 4096;

pub fn run(command: MrzCommand) -> anyhow::Result<ExitCode> {
    let MrzCommand::Parse { today } = command;
    let today = match today {
        Some(text) => {
            palermo_core::date::parse_date(&text).map_err(|e| anyhow::anyhow!("--today: {e}"))?
        }
        None => palermo_core::Timestamp::now().date(),
    };
    let stdin = std::io::stdin();
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    let mut all_valid = true;
    for (index, line) in stdin.lock().split(b'\n').enumerate() {
        let line = line?;
        let number = index + 1;
        let answer = if line.len() > INPUT_LINE_MAX {
            Err(format!("is longer than {INPUT_LINE_MAX} bytes"))
        } else if line.iter().all(u8::is_ascii_whitespace) {
            continue;
        } else {
            std::str::from_utf8(&line)
                .map_err(|e| format!("is not UTF-8: {e}"))
                .and_then(|text| {
                    serde_json::from_str::<Input>(text)
                        .map_err(|e| format!("is not {{\"lines\": [...]}}: {e}"))
                })
        };
        match answer {
            Err(error) => {
                all_valid = false;
                serde_json::to_writer(&mut out, &json!({"input_line": number, "error": error}))?;
            }
            Ok(input) => match mrz::parse(&input.lines, today) {
                Ok(zone) => {
                    all_valid &= zone.valid;
                    serde_json::to_writer(&mut out, &zone)?;
                }
                Err(problems) => {
                    all_valid = false;
                    serde_json::to_writer(
                        &mut out,
                        &json!({"valid": false, "problems": problems}),
                    )?;
                }
            },
        }
        out.write_all(b"\n")?;
    }
    out.flush()?;
    Ok(if all_valid {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}
