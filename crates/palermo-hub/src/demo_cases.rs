//! Synthetic trafficking cases for the demo: a few hundred reports by the demo bureaus, made
//! by criminal networks that cross their borders, so that cases link to each other through
//! shared suspects, phones, accounts, documents and organisations, and the routes add up to
//! flows. Every report goes in through [`Hub::submit_case`], as a bureau's would; each is
//! valid (phones in their numbering plans, IBANs with their check digits).

use palermo_core::CountryCode;
use palermo_core::case::ident;
use serde_json::{Value, json};

use crate::demo::{mix, pick};
use crate::{Caller, Hub, HubError};

/// Reports the demo submits by default.
pub const DEMO_CASES: u64 = 300;
const SEED: u64 = 0x7A11_C0DE;

/// A network: where it recruits, through where it moves people, where it exploits them.
struct Network {
    source: &'static str,
    transit: &'static [&'static str],
    destination: &'static str,
    exploitation: &'static str,
    /// The bureaus that report its cases (of the demo's).
    reporters: &'static [&'static str],
    family_names: &'static [&'static str],
    organisation: (&'static str, &'static str),
}

const NETWORKS: &[Network] = &[
    Network {
        source: "NGA",
        transit: &["NER", "LBY", "ITA"],
        destination: "FRA",
        exploitation: "sexual-exploitation",
        reporters: &["FRA", "ITA", "NGA", "ESP"],
        family_names: &["Okafor", "Eze", "Igbinedion", "Osagie", "Musa"],
        organisation: ("Starlight Models Ltd", "modelling-agency"),
    },
    Network {
        source: "ROU",
        transit: &["HUN", "AUT"],
        destination: "DEU",
        exploitation: "forced-labour",
        reporters: &["DEU", "ROU", "NLD"],
        family_names: &["Popescu", "Ionescu", "Dumitru", "Stan"],
        organisation: ("Agro Muncă SRL", "employment-agency"),
    },
    Network {
        source: "THA",
        transit: &["ARE"],
        destination: "NLD",
        exploitation: "sexual-exploitation",
        reporters: &["NLD", "THA", "DEU"],
        family_names: &["Srisai", "Chaiyaporn", "Boonmee"],
        organisation: ("Golden Lotus Massage", "hotel-or-bar"),
    },
    Network {
        source: "UKR",
        transit: &["POL"],
        destination: "DEU",
        exploitation: "forced-labour",
        reporters: &["POL", "UKR", "DEU"],
        family_names: &["Kovalenko", "Shevchenko", "Bondarenko", "Tkachenko"],
        organisation: ("BudServis Sp. z o.o.", "employment-agency"),
    },
    Network {
        source: "BRA",
        transit: &["PRT"],
        destination: "ESP",
        exploitation: "sexual-exploitation",
        reporters: &["ESP", "BRA", "FRA"],
        family_names: &["Silva", "Santos", "Oliveira", "Souza"],
        organisation: ("Bela Vida Eventos", "modelling-agency"),
    },
    Network {
        source: "ROU",
        transit: &["HUN", "AUT", "DEU"],
        destination: "NLD",
        exploitation: "forced-criminality",
        reporters: &["NLD", "ROU", "DEU", "FRA"],
        family_names: &["Rostas", "Lakatos", "Varga"],
        organisation: ("Transport Rapid SRL", "transport-company"),
    },
    Network {
        source: "NGA",
        transit: &["MAR"],
        destination: "ESP",
        exploitation: "domestic-servitude",
        reporters: &["ESP", "NGA"],
        family_names: &["Adeyemi", "Bello", "Nwosu"],
        organisation: ("Homecare Placement Agency", "employment-agency"),
    },
    Network {
        source: "UKR",
        transit: &["POL", "DEU"],
        destination: "NLD",
        exploitation: "organ-removal",
        reporters: &["NLD", "UKR", "POL"],
        family_names: &["Melnyk", "Kravchenko"],
        organisation: ("Clinica Nova", "clinic"),
    },
    Network {
        source: "THA",
        transit: &[],
        destination: "USA",
        exploitation: "forced-labour",
        reporters: &["USA", "THA"],
        family_names: &["Wongsa", "Saetang", "Phongsri"],
        organisation: ("Pacific Farm Labor Inc", "farm-or-factory"),
    },
    Network {
        source: "BRA",
        transit: &["USA"],
        destination: "ITA",
        exploitation: "child-sexual-exploitation-travel-tourism",
        reporters: &["ITA", "BRA", "USA"],
        family_names: &["Pereira", "Costa", "Almeida"],
        organisation: ("Sol e Mar Turismo", "travel-agency"),
    },
];

const GIVEN: &[&str] = &[
    "Joy", "Osas", "Ana", "Ion", "Mihai", "Somchai", "Olena", "Taras", "Lucas", "Marta", "Peter",
    "Grace", "Andrei", "Kateryna", "Bruno", "Nok",
];
const CONTROL: &[&str] = &[
    "debt-bondage",
    "threats",
    "withholds-documents",
    "restricts-movement",
    "psychological-abuse",
    "physical-abuse",
    "takes-earnings",
    "religious-or-ritual",
    "false-promises",
    "isolation",
];
const RECRUITMENT: &[&str] = &[
    "job-offer",
    "personal-contact",
    "social-media",
    "marriage-or-relationship",
    "recruitment-agency",
    "travel-or-migration-offer",
];
const RELATION: &[&str] = &[
    "acquaintance",
    "friend",
    "intimate-partner",
    "family",
    "stranger",
    "employer",
];
const ROLES: &[&str] = &[
    "recruiter",
    "transporter",
    "exploiter",
    "controller",
    "financier",
    "document-forger",
    "organiser",
];

fn digits(h: u64, count: usize) -> String {
    let mut out = String::with_capacity(count);
    let mut value = h;
    for _ in 0..count {
        out.push(char::from(b'0' + (value % 10) as u8));
        value = (value / 10) ^ (mix(value, 7) >> 8);
    }
    out
}

/// A mobile number valid in `country`'s plan: the first of a few candidates the phone
/// library takes as valid.
fn phone(country: &str, h: u64) -> String {
    let prefix = match country {
        "NGA" => "+234803",
        "ROU" => "+40721",
        "THA" => "+6681",
        "UKR" => "+38067",
        "BRA" => "+55119",
        "USA" => "+1212",
        "POL" => "+48512",
        "DEU" => "+49151",
        "NLD" => "+316",
        "ESP" => "+34612",
        "ITA" => "+39347",
        _ => "+33612",
    };
    let region = CountryCode::parse(country);
    for attempt in 0..50 {
        // The digits after the prefix, to the plan's length of a mobile number.
        let length = match country {
            "ROU" | "POL" | "ESP" => 6,
            "NGA" | "THA" | "UKR" | "USA" | "ITA" => 7,
            "BRA" | "DEU" | "NLD" => 8,
            _ => 6,
        };
        let candidate = format!("{prefix}{}", digits(mix(h, attempt), length));
        if ident::phone(&candidate, region).is_ok() {
            return candidate;
        }
    }
    panic!("no valid demo phone number of {country}")
}

/// An IBAN of `country` with its check digits, from the account's digits.
fn iban(country: &str, h: u64) -> String {
    let bban = match country {
        "DEU" => digits(h, 18),
        "NLD" => format!("ABNA{}", digits(h, 10)),
        "ESP" => digits(h, 20),
        "ITA" => format!("X{}{}", digits(h, 10), digits(mix(h, 1), 12)),
        "POL" => digits(h, 24),
        "ROU" => format!("BTRL{}", digits(h, 16)),
        "UKR" => format!("{}{}", digits(h, 6), digits(mix(h, 2), 19)),
        "BRA" => format!("{}P1", digits(h, 23)),
        _ => format!("{}{}", digits(h, 21), digits(mix(h, 3), 2)),
    };
    let alpha2 = CountryCode::parse(country)
        .and_then(CountryCode::alpha2)
        .unwrap_or("FR");
    // ISO 13616: the BBAN, the country and 00, letters as numbers, mod 97; 98 minus it.
    let rearranged = format!("{bban}{alpha2}00");
    let mut remainder: u32 = 0;
    for c in rearranged.chars() {
        let value = c.to_digit(36).unwrap_or(0);
        remainder = if value >= 10 {
            (remainder * 100 + value) % 97
        } else {
            (remainder * 10 + value) % 97
        };
    }
    format!("{alpha2}{:02}{bban}", 98 - remainder)
}

/// The `i`-th demo report, and the bureau that reports it.
pub fn report(i: u64) -> (&'static str, Value) {
    report_in(i, NETWORKS.len() as u64)
}

/// The `i`-th report of a population of `networks` networks (the demo has ten; the benchmark
/// many, so that each case links to a few others, not to thousands).
pub fn report_in(i: u64, networks: u64) -> (&'static str, Value) {
    network_report(i, network_of(i, networks))
}

/// The network the `i`-th report of [`report_in`] is of.
pub fn network_of(i: u64, networks: u64) -> u64 {
    mix(SEED, i) % networks.max(1)
}

/// The `i`-th report, of network `group`: its members (names, phones, accounts, documents)
/// are the network's, its route and form of exploitation those of one of ten patterns.
pub fn network_report(i: u64, group: u64) -> (&'static str, Value) {
    let h = mix(SEED, i);
    let network = &NETWORKS[(group % NETWORKS.len() as u64) as usize];
    let owner = pick(network.reporters, h >> 8);
    let year = 2021 + (h >> 16) % 5;
    // The network's members: each case names some, by the same phones and accounts.
    let member = |k: u64| mix(SEED ^ 0xA5, group * 100 + k % 6);
    let members: Vec<u64> = (0..(2 + (h >> 20) % 3))
        .map(|k| (h >> (24 + 3 * k)) % 6 + k * 7)
        .collect();
    let mut suspects = Vec::new();
    let mut communications = Vec::new();
    let mut money = Vec::new();
    let mut documents = Vec::new();
    for (j, k) in members.iter().enumerate() {
        let m = member(*k);
        let id = format!("S{j}");
        let nationality = if m.is_multiple_of(3) {
            network.destination
        } else {
            network.source
        };
        suspects.push(json!({
            "id": id,
            "names": [{"given": pick(GIVEN, m), "family": pick(network.family_names, m >> 4)}],
            "gender": if m.is_multiple_of(2) { "male" } else { "female" },
            "birth_date": format!("{}-{:02}-{:02}", 1965 + m % 30, 1 + (m >> 8) % 12, 1 + (m >> 12) % 28),
            "nationality": [nationality],
            "roles": [pick(ROLES, m >> 16)],
        }));
        communications.push(json!({"id": format!("C{j}"), "kind": "phone", "value": phone(nationality, m), "used_by": id}));
        if m.is_multiple_of(2) {
            money.push(json!({"id": format!("M{j}"), "kind": "bank-account", "iban": iban(network.destination, m >> 3), "holder": id}));
        }
        if m % 3 == 1 {
            documents.push(json!({"id": format!("D{j}"), "number": format!("{}{}", &nationality[..2], digits(m, 7)),
                "issuing_country": nationality, "document_type": "passport", "condition": "genuine", "used_by": id}));
        }
        if m.is_multiple_of(5) {
            communications.push(json!({"id": format!("E{j}"), "kind": "email",
                "value": format!("{}.{}@example.org", pick(GIVEN, m).to_lowercase(), m % 1000), "used_by": id}));
        }
    }
    let victims: Vec<Value> = (0..1 + (h >> 40) % 3)
        .map(|v| {
            let g = mix(h, v + 1);
            let mut victim = json!({
                "id": format!("V{v}"),
                "age": 14 + g % 22,
                "gender": if g.is_multiple_of(5) { "male" } else { "female" },
                "citizenship": [network.source],
                "country_of_exploitation": network.destination,
                "exploitation": [network.exploitation],
                "control": [pick(CONTROL, g >> 4), pick(CONTROL, (g >> 4) + 1)],
                "recruitment": [pick(RECRUITMENT, g >> 8)],
                "recruiter_relation": pick(RELATION, g >> 12),
                "trafficking_status": if g.is_multiple_of(4) { "presumed" } else { "identified" },
                "status_decided_by": "law-enforcement",
                "identity": {"names": [{"given": pick(GIVEN, g >> 16), "family": format!("Victim{}", i * 10 + v)}]}
            });
            if network.exploitation == "forced-labour" {
                victim["labour_sectors"] = json!([pick(&["A", "C", "F", "I"], g >> 20)]);
            }
            if network.exploitation == "sexual-exploitation" {
                victim["sexual_exploitation"] = json!(["prostitution"]);
            }
            victim
        })
        .collect();
    let mut route = vec![json!({"country": network.source, "role": "recruitment",
        "from": format!("{year}-01-{:02}", 1 + h % 20)})];
    for (t, country) in network.transit.iter().enumerate() {
        route.push(json!({"country": country, "role": "transit", "from": format!("{year}-{:02}-10", 2 + t),
            "transport": if t == 0 { "road" } else { pick(&["road", "sea", "air"], h >> (44 + t)) }}));
    }
    route.push(
        json!({"country": network.destination, "role": "exploitation",
        "from": format!("{year}-{:02}-15", 3 + network.transit.len())}),
    );
    // The ten patterns' organisations are the demo's; beyond them, each network has its own.
    let organisation = if group < NETWORKS.len() as u64 {
        network.organisation.0.to_owned()
    } else {
        format!("{} {group}", network.organisation.0)
    };
    let status = pick(
        &["active", "active", "follow-up", "closed", "closed-referred"],
        h >> 50,
    );
    let mut report = json!({
        "format": palermo_core::case::FORMAT_V1,
        "reference": format!("{owner}-{year}-{:04}", i + 1),
        "status": status,
        "form": "trafficking",
        "reported_date": format!("{year}-11-{:02}", 1 + (h >> 52) % 28),
        "summary": format!("Demo case {}: {} of victims recruited in {} and exploited in {}.", i + 1, network.exploitation, network.source, network.destination),
        "victims": victims,
        "suspects": suspects,
        "organisations": [{"id": "O1", "name": organisation, "kind": network.organisation.1, "country": network.destination}],
        "route": route,
        "communications": communications,
        "money": money,
        "documents": documents,
    });
    if status.starts_with("closed") {
        report["closed_date"] = json!(format!("{year}-12-01"));
    }
    (owner, report)
}

/// Submits `count` demo reports, each as its bureau; returns how many cases they made.
pub fn seed_cases(hub: &Hub, count: u64) -> Result<usize, HubError> {
    let mut cases = 0;
    let mut first_of: Vec<&str> = Vec::new();
    for i in 0..count {
        let (owner, mut report) = report(i);
        // Each bureau's first case names one of the persons the demo's bureaus seek: the
        // case's links to the hub's records find them.
        if !first_of.contains(&owner) {
            first_of.push(owner);
            let sought = crate::demo::sought_suspect(first_of.len() - 1, "SX");
            if let Some(suspects) = report["suspects"].as_array_mut() {
                suspects.push(sought);
            }
        }
        let caller = Caller::local_operator(CountryCode::parse(owner).expect("a demo bureau"));
        let bytes = serde_json::to_vec(&report).expect("JSON");
        // A database shared with other hubs may be busy for a moment: wait and try again.
        let mut attempt = 0;
        loop {
            match hub.submit_case(&caller, &bytes) {
                Err(HubError::Unavailable(_)) if attempt < 10 => {
                    attempt += 1;
                    std::thread::sleep(std::time::Duration::from_millis(50 << attempt.min(5)));
                }
                other => {
                    other?;
                    break;
                }
            }
        }
        cases += 1;
    }
    Ok(cases)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_demo_report_is_valid_and_the_reports_link() {
        let context = |owner: &str| palermo_core::case::CaseContext {
            today: time::macros::date!(2026 - 12 - 01),
            owner: CountryCode::parse(owner).unwrap(),
        };
        let mut keys = std::collections::HashMap::<String, std::collections::BTreeSet<&str>>::new();
        let mut owners = std::collections::HashSet::new();
        for i in 0..DEMO_CASES {
            let (owner, report) = report(i);
            owners.insert(owner);
            let valid = palermo_core::case::validate(&report, context(owner))
                .unwrap_or_else(|e| panic!("demo report {i} of {owner}: {e}"));
            for id in valid.identifiers() {
                keys.entry(format!("{:?}|{}", id.kind, id.value))
                    .or_default()
                    .insert(owner);
            }
        }
        assert!(owners.len() >= 10, "{owners:?}");
        // A network's members are its own: no identifier is shared by every network.
        let widest = keys.values().map(|owners| owners.len()).max().unwrap_or(0);
        assert!(widest <= 4, "an identifier reported by {widest} bureaus");
        let across = keys.values().filter(|owners| owners.len() > 1).count();
        assert!(across > 50, "identifiers shared across bureaus: {across}");
        assert_eq!(report(7), report(7), "deterministic");
    }

    #[test]
    fn demo_ibans_carry_their_check_digits() {
        for country in [
            "DEU", "NLD", "ESP", "ITA", "POL", "ROU", "UKR", "BRA", "FRA",
        ] {
            for h in 0..20 {
                let iban = iban(country, mix(1, h));
                assert!(
                    ident::iban(&iban).is_ok(),
                    "{country}: {iban}: {:?}",
                    ident::iban(&iban)
                );
            }
        }
    }
}
