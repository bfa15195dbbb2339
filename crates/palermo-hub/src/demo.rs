//! Deterministic synthetic data: the demo hub's bureaus and records, and benchmark files of
//! any size. The same seed and index always give the same record.

use std::io::{self, Write};

use palermo_core::normalise::vin_check_digit;
use palermo_core::{CountryCode, DocumentInput, VehicleInput};
use palermo_core::{OrgCode, OrgKind};
use palermo_store::ImportCounts;

use crate::{Caller, Hub, HubError};

/// The demo's member bureaus.
pub const DEMO_BUREAUS: &[(&str, &str)] = &[
    ("BRA", "NCB Brasília"),
    ("DEU", "NCB Wiesbaden"),
    ("ESP", "NCB Madrid"),
    ("FRA", "NCB Paris"),
    ("ITA", "NCB Rome"),
    ("NGA", "NCB Abuja"),
    ("NLD", "NCB The Hague"),
    ("POL", "NCB Warsaw"),
    ("ROU", "NCB Bucharest"),
    ("THA", "NCB Bangkok"),
    ("UKR", "NCB Kyiv"),
    ("USA", "NCB Washington"),
];

/// Countries whose documents bureaus report besides their own (found stolen blanks, foreign
/// documents lost on their territory).
const OTHER_ISSUERS: &[&str] = &[
    "GBR", "CHN", "IND", "TUR", "MAR", "VNM", "PHL", "ALB", "D", "XXA",
];
const DOCUMENT_TYPES: &[&str] = &[
    "passport",
    "passport",
    "passport",
    "id_card",
    "id_card",
    "visa",
    "residence_permit",
    "P",
    "I",
];
const DOCUMENT_STATUSES: &[&str] = &[
    "stolen",
    "stolen",
    "lost",
    "lost",
    "lost",
    "revoked",
    "invalidated",
    "stolen_blank",
];
const GIVEN_NAMES: &[&str] = &[
    "ANNA", "MARIA", "OLENA", "CHIDI", "SOMCHAI", "JOÃO", "LUCA", "PIOTR", "ELENA", "AMINA",
    "JAMES", "SOFIA",
];
const FAMILY_NAMES: &[&str] = &[
    "NOWAK",
    "SILVA",
    "OKAFOR",
    "ROSSI",
    "GARCIA",
    "MÜLLER",
    "DUBOIS",
    "POPESCU",
    "KOVALENKO",
    "SMITH",
    "DE JONG",
    "SRISUK",
];
const VIN_MAKERS: &[(&str, &str)] = &[
    ("WVW", "Volkswagen"),
    ("VF1", "Renault"),
    ("ZFA", "Fiat"),
    ("1HG", "Honda"),
    ("WBA", "BMW"),
    ("YV1", "Volvo"),
    ("TMB", "Škoda"),
    ("KMH", "Hyundai"),
    ("JTD", "Toyota"),
    ("SAL", "Land Rover"),
];
const COLOURS: &[&str] = &["black", "white", "silver", "grey", "blue", "red", "green"];
const VEHICLE_STATUSES: &[&str] = &["stolen", "stolen", "stolen", "misappropriated", "lost"];
/// Letters and digits a VIN may hold (ISO 3779: no I, O, Q).
const VIN_CHARS: &[u8] = b"ABCDEFGHJKLMNPRSTUVWXYZ0123456789";

/// SplitMix64 of `seed` and `i`: a stateless, well-mixed stream.
fn mix(seed: u64, i: u64) -> u64 {
    let mut z = seed ^ i.wrapping_mul(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

fn pick<T: Copy>(items: &[T], value: u64) -> T {
    items[(value % items.len() as u64) as usize]
}

/// A document number: two letters and seven digits, distinct for distinct indexes below
/// 6.76 billion. The digits are a bijection of `i` modulo 10^7 (7,919 is prime to 10); the
/// letters add the block `i / 10^7` to a hash of the digits, so they vary yet stay distinct.
pub fn document_number(seed: u64, i: u64) -> String {
    const BLOCK: u64 = 10_000_000;
    let digits = (i % BLOCK * 7_919 + seed % BLOCK * 104_729) % BLOCK;
    let letters = (i / BLOCK + mix(seed, digits)) % 676;
    let first = (b'A' + (letters / 26) as u8) as char;
    let second = (b'A' + (letters % 26) as u8) as char;
    format!("{first}{second}{digits:07}")
}

fn date(h: u64, year_from: u64, years: u64) -> String {
    let year = year_from + h % years;
    let month = 1 + (h >> 12) % 12;
    let day = 1 + (h >> 20) % 28;
    format!("{year:04}-{month:02}-{day:02}")
}

/// The `i`-th synthetic travel document.
pub fn document(seed: u64, i: u64) -> DocumentInput {
    let h = mix(seed, i);
    let owner = pick(DEMO_BUREAUS, h).0;
    let issuing_country = if (h >> 8).is_multiple_of(20) {
        pick(OTHER_ISSUERS, h >> 16)
    } else {
        owner
    };
    let with_holder = !(h >> 24).is_multiple_of(3);
    let (restriction, restriction_countries) = match (h >> 28) % 50 {
        0 => (
            Some("except".to_owned()),
            Some(pick(DEMO_BUREAUS, h >> 34).0),
        ),
        1 => (Some("only".to_owned()), Some(pick(DEMO_BUREAUS, h >> 34).0)),
        _ => (None, None),
    };
    let restriction_countries = restriction_countries
        .filter(|country| *country != owner)
        .map(|country| palermo_core::record::CountryList(vec![country.to_owned()]));
    DocumentInput {
        number: Some(document_number(seed, i)),
        issuing_country: Some(issuing_country.to_owned()),
        document_type: Some(pick(DOCUMENT_TYPES, h >> 36).to_owned()),
        status: Some(pick(DOCUMENT_STATUSES, h >> 40).to_owned()),
        reported_date: Some(date(h >> 44, 2015, 11)),
        owner: Some(owner.to_owned()),
        holder_name: with_holder.then(|| {
            format!(
                "{} {}",
                pick(GIVEN_NAMES, h >> 48),
                pick(FAMILY_NAMES, h >> 52)
            )
        }),
        holder_birth_date: with_holder.then(|| date(h >> 3, 1950, 55)),
        external_ref: Some(format!("{owner}-{seed}-D{i:09}")),
        review_date: None,
        restriction: restriction_countries.as_ref().and(restriction),
        restriction_countries,
        handling: None,
        handling_note: None,
    }
}

fn vin(seed: u64, i: u64) -> (String, &'static str) {
    let h = mix(seed ^ 0x5EED, i);
    let (wmi, make) = pick(VIN_MAKERS, h);
    let mut vin = Vec::with_capacity(17);
    vin.extend_from_slice(wmi.as_bytes());
    let mut bits = mix(h, 1);
    for _ in 0..5 {
        vin.push(pick(VIN_CHARS, bits));
        bits /= VIN_CHARS.len() as u64;
    }
    vin.push(b'0');
    vin.push(pick(VIN_CHARS, bits));
    // The serial number: the index itself, so VINs of distinct indexes differ.
    vin.extend_from_slice(
        format!(
            "{}{:06}",
            pick(b"ABCDEFGHJK", i / 1_000_000) as char,
            i % 1_000_000
        )
        .as_bytes(),
    );
    let mut vin = String::from_utf8(vin).expect("ascii");
    let check = vin_check_digit(&vin);
    vin.replace_range(8..9, &check.to_string());
    (vin, make)
}

/// The `i`-th synthetic vehicle: a valid VIN, usually a plate.
pub fn vehicle(seed: u64, i: u64) -> VehicleInput {
    let h = mix(seed ^ 0xCA5, i);
    let owner = pick(DEMO_BUREAUS, h).0;
    let (vin, make) = vin(seed, i);
    let with_plate = !(h >> 8).is_multiple_of(5);
    let plate = format!(
        "{}{}-{:03}-{}{}",
        (b'A' + (h >> 12) as u8 % 26) as char,
        (b'A' + (h >> 17) as u8 % 26) as char,
        i % 1000,
        (b'A' + (h >> 22) as u8 % 26) as char,
        (b'A' + (i / 1000 % 26) as u8) as char,
    );
    VehicleInput {
        vin: Some(vin),
        plate: with_plate.then_some(plate),
        plate_country: with_plate.then(|| owner.to_owned()),
        make: Some(make.to_owned()),
        model: None,
        colour: Some(pick(COLOURS, h >> 30).to_owned()),
        year: Some(palermo_core::record::NumberOrText::Number(
            2000 + ((h >> 36) % 26) as i64,
        )),
        status: Some(pick(VEHICLE_STATUSES, h >> 40).to_owned()),
        reported_date: Some(date(h >> 44, 2018, 8)),
        owner: Some(owner.to_owned()),
        external_ref: Some(format!("{owner}-{seed}-V{i:09}")),
        review_date: None,
        restriction: None,
        restriction_countries: None,
        handling: None,
        handling_note: None,
    }
}

pub const DOCUMENT_CSV_HEADER: &str = "number,issuing_country,type,status,reported_date,owner,holder_name,holder_birth_date,external_ref,restriction,restriction_countries";
pub const VEHICLE_CSV_HEADER: &str =
    "vin,plate,plate_country,make,colour,year,status,reported_date,owner,external_ref";

fn cell(value: &Option<String>) -> &str {
    value.as_deref().unwrap_or("")
}

/// Writes `count` documents as CSV (header first). Generated values hold no commas or quotes.
/// With `owner`, every record belongs to that bureau (an import with its API key then loads
/// them all).
pub fn write_documents_csv(
    out: &mut impl Write,
    seed: u64,
    count: u64,
    owner: Option<&str>,
) -> io::Result<()> {
    writeln!(out, "{DOCUMENT_CSV_HEADER}")?;
    for i in 0..count {
        let d = with_owner(document(seed, i), owner);
        let countries = d
            .restriction_countries
            .as_ref()
            .map(|c| c.0.join(" "))
            .unwrap_or_default();
        writeln!(
            out,
            "{},{},{},{},{},{},{},{},{},{},{}",
            cell(&d.number),
            cell(&d.issuing_country),
            cell(&d.document_type),
            cell(&d.status),
            cell(&d.reported_date),
            cell(&d.owner),
            cell(&d.holder_name),
            cell(&d.holder_birth_date),
            cell(&d.external_ref),
            cell(&d.restriction),
            countries
        )?;
    }
    Ok(())
}

pub fn write_vehicles_csv(
    out: &mut impl Write,
    seed: u64,
    count: u64,
    owner: Option<&str>,
) -> io::Result<()> {
    writeln!(out, "{VEHICLE_CSV_HEADER}")?;
    for i in 0..count {
        let mut v = vehicle(seed, i);
        if let Some(owner) = owner {
            v.owner = Some(owner.to_owned());
            v.plate_country = v.plate.as_ref().map(|_| owner.to_owned());
        }
        let year = match v.year {
            Some(palermo_core::record::NumberOrText::Number(n)) => n.to_string(),
            _ => String::new(),
        };
        writeln!(
            out,
            "{},{},{},{},{},{},{},{},{},{}",
            cell(&v.vin),
            cell(&v.plate),
            cell(&v.plate_country),
            cell(&v.make),
            cell(&v.colour),
            year,
            cell(&v.status),
            cell(&v.reported_date),
            cell(&v.owner),
            cell(&v.external_ref)
        )?;
    }
    Ok(())
}

/// The document with its owner replaced; a restriction naming the new owner is dropped.
fn with_owner(mut document: DocumentInput, owner: Option<&str>) -> DocumentInput {
    if let Some(owner) = owner {
        document.owner = Some(owner.to_owned());
        if document
            .restriction_countries
            .as_ref()
            .is_some_and(|c| c.0.iter().any(|code| code == owner))
        {
            document.restriction = None;
            document.restriction_countries = None;
        }
    }
    document
}

/// The seed of the demo hub's data.
pub const DEMO_SEED: u64 = 2000;

/// Loads the demo organisations and `documents` + `vehicles` synthetic records into an empty
/// hub (opened without indexes), through the same use cases as every other edge: the
/// organisations are added by the console, and each bureau imports its own records.
pub fn seed(hub: &Hub, documents: u64, vehicles: u64) -> Result<ImportCounts, HubError> {
    let console = Caller::console();
    let organisations = DEMO_BUREAUS
        .iter()
        .map(|(code, name)| (*code, OrgKind::Member, *name))
        .chain([
            ("SECRETARIAT", OrgKind::Secretariat, "General Secretariat"),
            ("EUROPOL", OrgKind::Partner, "Europol"),
        ]);
    for (code, kind, name) in organisations {
        let code = OrgCode::parse(code).expect("demo organisation code");
        hub.add_organisation(&console, code, kind, name)?;
    }
    let context = palermo_core::ValidationContext {
        today: hub.now().date(),
        default_owner: CountryCode::parse("FRA").expect("code"),
        prefix: "",
    };
    let mut counts = ImportCounts::default();
    let mut add = |more: Option<ImportCounts>| {
        let more = more.unwrap_or_default();
        counts.inserted += more.inserted;
        counts.updated += more.updated;
    };
    for (code, _) in DEMO_BUREAUS {
        let bureau = CountryCode::parse(code).expect("demo bureau code");
        let caller = Caller::local_operator(bureau);
        let own = |owner: &Option<String>| owner.as_deref() == Some(*code);
        let mut records = (0..documents)
            .map(|i| document(DEMO_SEED, i))
            .filter(|input| own(&input.owner))
            .map(|input| input.validate(context).expect("demo documents are valid"));
        add(hub.import_documents(&caller, &mut records, &|| true)?);
        let mut records = (0..vehicles)
            .map(|i| vehicle(DEMO_SEED, i))
            .filter(|input| own(&input.owner))
            .map(|input| input.validate(context).expect("demo vehicles are valid"));
        add(hub.import_vehicles(&caller, &mut records, &|| true)?);
    }
    Ok(counts)
}

#[cfg(test)]
mod tests {
    use super::*;
    use palermo_core::ValidationContext;

    #[test]
    fn generated_records_are_valid_distinct_and_deterministic() {
        let context = ValidationContext {
            today: palermo_core::Timestamp::now().date(),
            default_owner: CountryCode::parse("FRA").unwrap(),
            prefix: "",
        };
        let mut numbers = std::collections::HashSet::new();
        let mut vins = std::collections::HashSet::new();
        for i in 0..20_000 {
            let d = document(7, i)
                .validate(context)
                .unwrap_or_else(|e| panic!("document {i}: {e}"));
            assert!(
                numbers.insert((d.issuing_country, d.number_normalised)),
                "duplicate document {i}"
            );
            let v = vehicle(7, i)
                .validate(context)
                .unwrap_or_else(|e| panic!("vehicle {i}: {e}"));
            assert!(vins.insert(v.vin.unwrap()), "duplicate vin {i}");
        }
        assert_eq!(document(7, 5).number, document(7, 5).number);
        assert_ne!(document(7, 5).number, document(8, 5).number);
    }
}
