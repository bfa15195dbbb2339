//! `palermo check`: one document or vehicle, against a running hub or a data directory.

use std::process::ExitCode;

use anyhow::Context;
use clap::Subcommand;
use palermo_hub::frontline::MrzCheckInput;
use palermo_hub::{Caller, DocumentQuery, VehicleQuery};
use serde_json::Value;

use crate::Target;
use crate::client::HubClient;
use crate::datadir::member_code;

#[derive(Subcommand)]
pub enum CheckCommand {
    /// Is this travel document reported stolen or lost?
    Document {
        /// The document number as printed.
        number: String,
        /// Issuing country (ISO 3166-1 alpha-3 or ICAO 9303 code).
        #[arg(long)]
        country: String,
        /// Document type (name or ICAO code); optional.
        #[arg(long = "type")]
        document_type: Option<String>,
        #[command(flatten)]
        target: Target,
        /// Print the result as JSON.
        #[arg(long)]
        json: bool,
    },
    /// Read a machine-readable zone (TD1, TD2, TD3, MRV-A, MRV-B) and check its document and
    /// its holder. Exit status 1 when the zone has problems (wrong check digits, OCR
    /// confusions…), whatever the check found.
    Mrz {
        /// The zone's 2 or 3 lines (quote each: `<` is special to shells).
        #[arg(required = true, num_args = 1..=3)]
        lines: Vec<String>,
        /// Where the holder is going (ISO 3166-1 alpha-3), for a travel warning.
        #[arg(long)]
        destination: Option<String>,
        /// The crossing point or flight, for a travel warning.
        #[arg(long)]
        crossing: Option<String>,
        #[command(flatten)]
        target: Target,
        #[arg(long)]
        json: bool,
    },
    /// Is this vehicle reported stolen? By VIN, by plate and country, or both.
    Vehicle {
        #[arg(long)]
        vin: Option<String>,
        #[arg(long)]
        plate: Option<String>,
        /// Country of the plate.
        #[arg(long)]
        country: Option<String>,
        #[command(flatten)]
        target: Target,
        #[arg(long)]
        json: bool,
    },
}

pub fn run(command: CheckCommand) -> anyhow::Result<ExitCode> {
    let (result, json) = match command {
        CheckCommand::Mrz {
            lines,
            destination,
            crossing,
            target,
            json,
        } => return mrz(lines, destination, crossing, target, json),
        CheckCommand::Document {
            number,
            country,
            document_type,
            target,
            json,
        } => {
            let result = match (&target.hub, &target.key) {
                (Some(hub), Some(key)) => {
                    let mut query =
                        vec![("number", number.as_str()), ("country", country.as_str())];
                    if let Some(t) = &document_type {
                        query.push(("type", t.as_str()));
                    }
                    HubClient::new(hub, key, target.ca_cert.as_deref())?
                        .get("/api/v1/checks/documents", &query)?
                }
                _ => {
                    let query = DocumentQuery {
                        number: Some(number),
                        issuing_country: Some(country),
                        document_type,
                        ..DocumentQuery::default()
                    };
                    local(&target, |hub, caller| {
                        let results = hub.check_documents(caller, &[query])?.record(hub)?;
                        Ok(serde_json::to_value(&results[0])?)
                    })?
                }
            };
            (result, json)
        }
        CheckCommand::Vehicle {
            vin,
            plate,
            country,
            target,
            json,
        } => {
            let result = match (&target.hub, &target.key) {
                (Some(hub), Some(key)) => {
                    let query: Vec<(&str, &str)> =
                        [("vin", &vin), ("plate", &plate), ("country", &country)]
                            .into_iter()
                            .filter_map(|(name, value)| value.as_deref().map(|v| (name, v)))
                            .collect();
                    HubClient::new(hub, key, target.ca_cert.as_deref())?
                        .get("/api/v1/checks/vehicles", &query)?
                }
                _ => {
                    let query = VehicleQuery {
                        vin,
                        plate,
                        plate_country: country,
                    };
                    local(&target, |hub, caller| {
                        let results = hub.check_vehicles(caller, &[query])?.record(hub)?;
                        Ok(serde_json::to_value(&results[0])?)
                    })?
                }
            };
            (result, json)
        }
    };
    if json {
        println!("{}", serde_json::to_string_pretty(&result)?);
    } else {
        print_result(&result);
    }
    Ok(ExitCode::SUCCESS)
}

fn mrz(
    lines: Vec<String>,
    destination: Option<String>,
    crossing: Option<String>,
    target: Target,
    json: bool,
) -> anyhow::Result<ExitCode> {
    let input = MrzCheckInput {
        lines,
        destination,
        crossing,
    };
    let result = match (&target.hub, &target.key) {
        (Some(hub), Some(key)) => HubClient::new(hub, key, target.ca_cert.as_deref())?
            .post("/api/v1/checks/mrz", &input)?,
        _ => local(&target, |hub, caller| {
            Ok(serde_json::to_value(hub.check_mrz(caller, &input)?)?)
        })?,
    };
    if json {
        println!("{}", serde_json::to_string_pretty(&result)?);
    } else {
        print_mrz(&result);
    }
    let valid = result["mrz"]["valid"].as_bool().unwrap_or(false);
    Ok(if valid {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}

/// The zone as read, its problems, then the check's findings.
fn print_mrz(result: &Value) {
    let zone = &result["mrz"];
    let text = |value: &Value| value.as_str().unwrap_or("-").to_owned();
    println!(
        "{} {} issued by {}: {} {}, born {}, {}, nationality {}, expires {}",
        text(&zone["format"]),
        text(&zone["document_number"]),
        text(&zone["issuing_state"]),
        text(&zone["given_names"]),
        text(&zone["surname"]),
        zone["birth_date"]["date"].as_str().unwrap_or("unknown"),
        text(&zone["sex"]),
        text(&zone["nationality"]),
        zone["expiry_date"]["date"].as_str().unwrap_or("unknown"),
    );
    for problem in zone["problems"].as_array().into_iter().flatten() {
        println!(
            "  PROBLEM line {} column {} ({}): {}",
            problem["line"],
            problem["column"],
            text(&problem["field"]),
            text(&problem["message"])
        );
    }
    for document in result["documents"].as_array().into_iter().flatten() {
        print!("document: ");
        print_result(document);
        print_notices(document);
    }
    let persons = result["persons"].as_array().cloned().unwrap_or_default();
    if persons.is_empty() {
        println!("holder: NO HIT");
    }
    for person in &persons {
        println!(
            "holder: HIT person {} {} (score {}), owner {}",
            person["record_id"],
            text(&person["name"]),
            person["score"],
            text(&person["owner"])
        );
        print_notices(person);
    }
    for reason in result["not_checked"].as_array().into_iter().flatten() {
        println!("  not checked: {}", text(reason));
    }
    for warning in result["warnings"].as_array().into_iter().flatten() {
        println!(
            "TRAVEL WARNING {} sent to {} (notice {} of {})",
            warning["id"],
            text(&warning["destination"]),
            warning["notice_id"],
            text(&warning["notice_owner"])
        );
    }
}

fn print_notices(result: &Value) {
    for notice in result["notices"].as_array().into_iter().flatten() {
        println!(
            "  NOTICE {} {}: {}; contact {}",
            notice["kind"].as_str().unwrap_or("?"),
            notice["notice_id"],
            notice["action"].as_str().unwrap_or("?"),
            notice["owner"].as_str().unwrap_or("?")
        );
    }
}

fn local(
    target: &Target,
    check: impl FnOnce(&palermo_hub::Hub, &Caller) -> anyhow::Result<Value>,
) -> anyhow::Result<Value> {
    let bureau = target
        .bureau
        .as_deref()
        .context("say which bureau you act for with --bureau CODE (or use --hub URL --key KEY)")?;
    let caller = Caller::local_operator(member_code(bureau)?);
    let hub = target.open_data()?.hub()?;
    check(&hub, &caller)
}

fn print_result(result: &Value) {
    let matches = result["matches"].as_array().cloned().unwrap_or_default();
    if matches.is_empty() {
        println!("NO HIT");
        return;
    }
    println!(
        "HIT ({}): {} match{}",
        result["match"].as_str().unwrap_or("?"),
        matches.len(),
        if matches.len() == 1 { "" } else { "es" }
    );
    for m in matches {
        let text = |name: &str| m[name].as_str().unwrap_or("-").to_owned();
        let identity = if m.get("number").is_some() {
            format!(
                "{} {} issued by {}",
                text("type"),
                text("number"),
                text("issuing_country")
            )
        } else {
            format!(
                "vehicle VIN {} plate {} {} ({} {})",
                text("vin"),
                text("plate"),
                text("plate_country"),
                text("make"),
                text("colour")
            )
        };
        println!(
            "  [{}] record {}: {}, {}, owner {}, reported {}, review {}",
            text("match"),
            m["record_id"],
            identity,
            text("status"),
            text("owner"),
            text("reported_date"),
            text("review_date")
        );
    }
}
