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
pub(crate) fn mix(seed: u64, i: u64) -> u64 {
    let mut z = seed ^ i.wrapping_mul(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

pub(crate) fn pick<T: Copy>(items: &[T], value: u64) -> T {
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

/// A one-pixel PNG: the demo persons' photos.
const DEMO_PHOTO: &[u8] = &[
    0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0x00, 0x00, 0x00, 0x0D, 0x49, 0x48, 0x44, 0x52,
    0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x01, 0x08, 0x06, 0x00, 0x00, 0x00, 0x1F, 0x15, 0xC4,
    0x89, 0x00, 0x00, 0x00, 0x0D, 0x49, 0x44, 0x41, 0x54, 0x78, 0x9C, 0x63, 0xF8, 0xCF, 0xC0, 0xF0,
    0x1F, 0x00, 0x05, 0x00, 0x01, 0xFF, 0x89, 0x99, 0x3D, 0x1D, 0x00, 0x00, 0x00, 0x00, 0x49, 0x45,
    0x4E, 0x44, 0xAE, 0x42, 0x60, 0x82,
];

/// What the demo's notices give a newcomer to try: numbers and names that hit, public ids.
#[derive(Clone, Debug, Default, serde::Serialize)]
pub struct DemoNotices {
    /// `(state, kind, id)` of every demo request.
    pub requests: Vec<(String, String, i64)>,
    /// A document named by a published Red notice: `(number, issuing country)`.
    pub red_document: Option<(String, String)>,
    /// The name and birth date of a person under a published Red notice.
    pub red_person: Option<(String, String)>,
    /// A plate named by a published notice: `(plate, country)`.
    pub plate: Option<(String, String)>,
}

struct DemoPerson {
    owner: &'static str,
    given: &'static str,
    family: &'static str,
    /// The name in its own script, an alias.
    native: Option<&'static str>,
    sex: &'static str,
    birth: &'static str,
    nationality: &'static str,
    category: &'static str,
    photo: bool,
}

/// The `k`-th demo person sought as a suspect (wanted, offender, suspect; never a missing
/// person), as a case report names a suspect: it is the person the name engine finds.
pub(crate) fn sought_suspect(k: usize, id: &str) -> serde_json::Value {
    let sought: Vec<&DemoPerson> = DEMO_PERSONS
        .iter()
        .filter(|p| p.category != "missing")
        .collect();
    let person = sought[k % sought.len()];
    serde_json::json!({
        "id": id,
        "names": [{"given": person.given, "family": person.family}],
        "gender": if person.sex == "F" { "female" } else { "male" },
        "birth_date": person.birth,
        "nationality": [person.nationality],
        "roles": ["recruiter"],
    })
}

const DEMO_PERSONS: &[DemoPerson] = &[
    DemoPerson {
        owner: "FRA",
        given: "Marc",
        family: "Lefebvre",
        native: None,
        sex: "M",
        birth: "1979-03-08",
        nationality: "FRA",
        category: "wanted",
        photo: true,
    },
    DemoPerson {
        owner: "UKR",
        given: "Oleksandr",
        family: "Kovalenko",
        native: Some("Олександр Коваленко"),
        sex: "M",
        birth: "1984-11-21",
        nationality: "UKR",
        category: "wanted",
        photo: true,
    },
    DemoPerson {
        owner: "NGA",
        given: "Chidi",
        family: "Okonkwo",
        native: None,
        sex: "M",
        birth: "1975-06-30",
        nationality: "NGA",
        category: "wanted",
        photo: false,
    },
    DemoPerson {
        owner: "THA",
        given: "Somchai",
        family: "Wongsakul",
        native: Some("สมชาย วงศ์สกุล"),
        sex: "M",
        birth: "1981-02-14",
        nationality: "THA",
        category: "offender",
        photo: false,
    },
    DemoPerson {
        owner: "ROU",
        given: "Ioana",
        family: "Popescu",
        native: None,
        sex: "F",
        birth: "2010-09-03",
        nationality: "ROU",
        category: "missing",
        photo: true,
    },
    DemoPerson {
        owner: "ESP",
        given: "Amina",
        family: "El Idrissi",
        native: Some("أمينة الإدريسي"),
        sex: "F",
        birth: "2009-04-17",
        nationality: "MAR",
        category: "missing",
        photo: false,
    },
    DemoPerson {
        owner: "DEU",
        given: "Dimitrios",
        family: "Papadopoulos",
        native: Some("Δημήτριος Παπαδόπουλος"),
        sex: "M",
        birth: "1970-01-25",
        nationality: "GRC",
        category: "suspect",
        photo: false,
    },
    DemoPerson {
        owner: "ITA",
        given: "Luca",
        family: "Russo",
        native: None,
        sex: "M",
        birth: "1968-12-01",
        nationality: "ITA",
        category: "offender",
        photo: false,
    },
    DemoPerson {
        owner: "USA",
        given: "Wei",
        family: "Zhang",
        native: Some("张伟"),
        sex: "M",
        birth: "1977-07-07",
        nationality: "CHN",
        category: "wanted",
        photo: true,
    },
    DemoPerson {
        owner: "POL",
        given: "Piotr",
        family: "Nowak",
        native: None,
        sex: "M",
        birth: "1988-05-19",
        nationality: "POL",
        category: "wanted",
        photo: false,
    },
    DemoPerson {
        owner: "NLD",
        given: "Jan",
        family: "de Vries",
        native: None,
        sex: "M",
        birth: "1990-10-10",
        nationality: "NLD",
        category: "wanted",
        photo: false,
    },
    DemoPerson {
        owner: "BRA",
        given: "João",
        family: "Silva Santos",
        native: None,
        sex: "M",
        birth: "1983-08-08",
        nationality: "BRA",
        category: "wanted",
        photo: false,
    },
];

fn warrant(country: &str, charge: &str, months: u32) -> serde_json::Value {
    serde_json::json!({"kind": "arrest_warrant", "charge": charge,
        "description": format!("{charge}: recruited, moved and exploited victims across borders, 2023 to 2025."),
        "reference": format!("{country}-2025-{months}"), "date": "2025-10-15",
        "authority": format!("Investigating judge, {country}"), "issuing_country": country,
        "max_penalty_months": months})
}

/// Loads the demo's persons and notices and diffusions of every kind and state, through the
/// hub's use cases: each bureau requests its own, the console reviews as the secretariat.
pub fn seed_notices(hub: &Hub) -> Result<DemoNotices, HubError> {
    use serde_json::json;
    let mut ids = Vec::new();
    for person in DEMO_PERSONS {
        let caller = Caller::local_operator(CountryCode::parse(person.owner).expect("code"));
        let mut names = vec![json!({"given": person.given, "family": person.family})];
        if let Some(native) = person.native {
            names.push(json!({"full": native, "kind": "alias"}));
        }
        let input: palermo_core::PersonInput = serde_json::from_value(json!({
            "names": names, "sex": person.sex, "birth_date": person.birth,
            "nationality": [person.nationality], "category": person.category,
            "birth_country": person.nationality, "reported_date": "2026-01-05"
        }))
        .expect("a demo person");
        let id = hub.write_persons(&caller, &[input], "persons")?.ids[0];
        if person.photo {
            hub.add_person_photo(&caller, id, DEMO_PHOTO)?;
        }
        ids.push(id);
    }
    let secretariat = Caller::console();
    let mut demo = DemoNotices::default();
    // (owner, request, moves after creation)
    let requests: Vec<(&str, serde_json::Value, &[&str])> = vec![
        (
            "FRA",
            json!({"kind": "red", "person": ids[0], "public_extract": true,
            "summary": "Wanted for trafficking in human beings (Lyon network)",
            "warrants": [warrant("FRA", "Trafficking in human beings", 120)],
            "documents": [{"number": "18FR44120", "issuing_country": "FRA"}],
            "vehicles": [{"plate": "GH-512-KL", "plate_country": "FRA"}]}),
            &["submit", "start_review", "publish"],
        ),
        (
            "UKR",
            json!({"kind": "red", "person": ids[1], "public_extract": true,
            "warrants": [warrant("UKR", "Trafficking in persons for labour exploitation", 144)]}),
            &["submit", "start_review", "publish"],
        ),
        (
            "NGA",
            json!({"kind": "red", "person": ids[2],
            "warrants": [warrant("NGA", "Trafficking in persons", 180)]}),
            &["submit", "start_review"],
        ),
        (
            "POL",
            json!({"kind": "red", "person": ids[9],
            "warrants": [warrant("POL", "Smuggling of migrants", 96)]}),
            &["submit"],
        ),
        (
            "NLD",
            json!({"kind": "red", "person": ids[10],
            "warrants": [warrant("NLD", "Exploitation in prostitution", 72)]}),
            &[],
        ),
        (
            "BRA",
            json!({"kind": "red", "person": ids[11],
            "warrants": [warrant("BRA", "Unpaid debt to a business partner", 30)]}),
            &["submit", "start_review", "refuse"],
        ),
        (
            "USA",
            json!({"kind": "red", "person": ids[8],
            "warrants": [warrant("USA", "Forced labour", 240)]}),
            &["submit", "start_review", "publish", "suspend"],
        ),
        (
            "ITA",
            json!({"kind": "red", "person": ids[7],
            "warrants": [warrant("ITA", "Enslavement", 200)]}),
            &["submit", "start_review", "publish", "sg:suspend"],
        ),
        (
            "NLD",
            json!({"kind": "red", "person": ids[10], "reported_date": "2020-01-10",
            "review_date": "2021-01-10",
            "warrants": [warrant("NLD", "Trafficking in human beings", 96)]}),
            &["submit", "start_review", "publish"],
        ),
        (
            "ROU",
            json!({"kind": "yellow", "person": ids[4], "public_extract": true,
            "disappearance": {"date": "2026-03-02", "place": "Bucharest, Gara de Nord", "country": "ROU"}}),
            &["submit", "start_review", "publish"],
        ),
        (
            "ESP",
            json!({"kind": "yellow", "person": ids[5], "public_extract": true,
            "disappearance": {"date": "2026-05-11", "place": "Algeciras port", "country": "ESP"}}),
            &["submit", "start_review", "publish", "cancel"],
        ),
        (
            "DEU",
            json!({"kind": "blue", "person": ids[6],
            "purpose": "Identity and whereabouts of a suspected recruiter of seasonal workers"}),
            &["submit", "start_review", "publish"],
        ),
        (
            "THA",
            json!({"kind": "green", "person": ids[3],
            "warning": "Convicted of the sexual exploitation of children; travels to the region"}),
            &["submit", "start_review", "publish"],
        ),
        (
            "ITA",
            json!({"kind": "black", "body": {"found_date": "2026-04-20", "found_place": "Lampedusa",
            "found_country": "ITA", "sex": "F", "age_min": 18, "age_max": 30,
            "description": "Found at sea; tattoo of a swallow on the left wrist"}}),
            &["submit", "start_review", "publish"],
        ),
        (
            "NLD",
            json!({"kind": "orange", "case": {"kind": "modus_operandi",
            "description": "Fake modelling agencies recruiting minors through messaging apps"}}),
            &["submit", "start_review", "publish"],
        ),
        (
            "DEU",
            json!({"kind": "purple", "case": {"kind": "object",
            "description": "Concealed compartments in minibuses used to move people"}}),
            &["submit"],
        ),
        (
            "ITA",
            json!({"kind": "silver", "person": ids[7], "assets": [{"kind": "real_estate",
            "description": "Villa bought with the proceeds of exploitation", "country": "ESP"}]}),
            &["submit", "start_review", "publish"],
        ),
        (
            "USA",
            json!({"kind": "un-persons", "person": ids[8], "public_extract": true,
            "summary": "Listed for financing a trafficking network",
            "sanctions": {"committee": "1267", "reference": "QDi.901", "measures": ["assets_freeze", "travel_ban"]}}),
            &["submit", "start_review", "publish"],
        ),
        (
            "USA",
            json!({"kind": "un-entities", "entity": {"name": "Golden Star Recruitment Ltd",
            "aliases": ["GSR Agency"]}, "sanctions": {"committee": "1267", "reference": "QDe.902",
            "measures": ["assets_freeze"]}}),
            &["submit", "start_review", "publish"],
        ),
        (
            "FRA",
            json!({"kind": "wanted", "person": ids[0], "recipients": ["DEU", "ITA", "ESP"],
            "warrants": [warrant("FRA", "Trafficking in human beings", 120)]}),
            &[],
        ),
        (
            "ROU",
            json!({"kind": "missing", "person": ids[4], "recipients": ["all"],
            "disappearance": {"date": "2026-03-02", "place": "Bucharest", "country": "ROU"}}),
            &["find_compliant"],
        ),
        (
            "POL",
            json!({"kind": "information", "person": ids[9], "recipients": ["DEU"],
            "purpose": "Addresses used in Germany"}),
            &[],
        ),
        (
            "NGA",
            json!({"kind": "warning", "person": ids[2], "recipients": ["all"],
            "warning": "Dispute over a family inheritance with his brother"}),
            &["find_non_compliant"],
        ),
    ];
    for (owner, request, moves) in requests {
        let caller = Caller::local_operator(CountryCode::parse(owner).expect("code"));
        let input: palermo_core::notice::NoticeInput =
            serde_json::from_value(request).expect("a demo request");
        let mut view = hub.request_notice(&caller, &input)?;
        for step in moves {
            let (by_secretariat, transition): (bool, &str) = match step.strip_prefix("sg:") {
                Some(transition) => (true, transition),
                None => (false, step),
            };
            let secretariat_move = by_secretariat
                || matches!(
                    transition,
                    "start_review" | "publish" | "refuse" | "find_compliant" | "find_non_compliant"
                );
            let mover = if secretariat_move {
                &secretariat
            } else {
                &caller
            };
            let reason = match transition {
                "refuse" => Some("a private dispute over a debt, not a crime under the rules"),
                "suspend" if by_secretariat => {
                    Some("held by the secretariat while a complaint is examined")
                }
                "suspend" => Some("the owner is checking new information on the person"),
                "cancel" => Some("the child was found safe in Algeciras"),
                "find_non_compliant" => Some("a private family dispute, excluded by the rules"),
                _ => None,
            };
            // The demo's reviewer accepts what needs judgement, in writing.
            let overrides = match transition {
                "publish" | "find_compliant" => view
                    .checklist
                    .iter()
                    .flatten()
                    .filter(|rule| rule.verdict != "pass")
                    .map(|rule| palermo_core::notice::rules::Override {
                        rule: rule.rule.to_owned(),
                        justification: "checked by the demo's reviewer against the file".into(),
                    })
                    .collect(),
                _ => Vec::new(),
            };
            view = hub.move_notice(
                mover,
                view.id,
                &crate::NoticeMoveInput {
                    transition: Some(transition.into()),
                    reason: reason.map(str::to_owned),
                    overrides,
                    request: None,
                },
            )?;
        }
        demo.requests
            .push((view.state.clone(), view.kind.clone(), view.id));
    }
    // The request whose review date passed without a confirmation expires.
    hub.expire_notices()?;
    for (state, _, id) in &mut demo.requests {
        *state = hub.notice(&secretariat, *id)?.state;
    }
    demo.red_document = Some(("18FR44120".into(), "FRA".into()));
    demo.red_person = Some(("Marc Lefebvre".into(), "1979-03-08".into()));
    demo.plate = Some(("GH512KL".into(), "FRA".into()));
    Ok(demo)
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
