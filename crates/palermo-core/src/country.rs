//! Country and organisation codes: ISO 3166-1 alpha-3 plus the codes ICAO Doc 9303 Part 3 adds.

use std::fmt;

/// ISO 3166-1 alpha-3 codes in use (249 entries, sorted).
const ISO_3166_ALPHA3: &[&str] = &[
    "ABW", "AFG", "AGO", "AIA", "ALA", "ALB", "AND", "ARE", "ARG", "ARM", "ASM", "ATA", "ATF",
    "ATG", "AUS", "AUT", "AZE", "BDI", "BEL", "BEN", "BES", "BFA", "BGD", "BGR", "BHR", "BHS",
    "BIH", "BLM", "BLR", "BLZ", "BMU", "BOL", "BRA", "BRB", "BRN", "BTN", "BVT", "BWA", "CAF",
    "CAN", "CCK", "CHE", "CHL", "CHN", "CIV", "CMR", "COD", "COG", "COK", "COL", "COM", "CPV",
    "CRI", "CUB", "CUW", "CXR", "CYM", "CYP", "CZE", "DEU", "DJI", "DMA", "DNK", "DOM", "DZA",
    "ECU", "EGY", "ERI", "ESH", "ESP", "EST", "ETH", "FIN", "FJI", "FLK", "FRA", "FRO", "FSM",
    "GAB", "GBR", "GEO", "GGY", "GHA", "GIB", "GIN", "GLP", "GMB", "GNB", "GNQ", "GRC", "GRD",
    "GRL", "GTM", "GUF", "GUM", "GUY", "HKG", "HMD", "HND", "HRV", "HTI", "HUN", "IDN", "IMN",
    "IND", "IOT", "IRL", "IRN", "IRQ", "ISL", "ISR", "ITA", "JAM", "JEY", "JOR", "JPN", "KAZ",
    "KEN", "KGZ", "KHM", "KIR", "KNA", "KOR", "KWT", "LAO", "LBN", "LBR", "LBY", "LCA", "LIE",
    "LKA", "LSO", "LTU", "LUX", "LVA", "MAC", "MAF", "MAR", "MCO", "MDA", "MDG", "MDV", "MEX",
    "MHL", "MKD", "MLI", "MLT", "MMR", "MNE", "MNG", "MNP", "MOZ", "MRT", "MSR", "MTQ", "MUS",
    "MWI", "MYS", "MYT", "NAM", "NCL", "NER", "NFK", "NGA", "NIC", "NIU", "NLD", "NOR", "NPL",
    "NRU", "NZL", "OMN", "PAK", "PAN", "PCN", "PER", "PHL", "PLW", "PNG", "POL", "PRI", "PRK",
    "PRT", "PRY", "PSE", "PYF", "QAT", "REU", "ROU", "RUS", "RWA", "SAU", "SDN", "SEN", "SGP",
    "SGS", "SHN", "SJM", "SLB", "SLE", "SLV", "SMR", "SOM", "SPM", "SRB", "SSD", "STP", "SUR",
    "SVK", "SVN", "SWE", "SWZ", "SXM", "SYC", "SYR", "TCA", "TCD", "TGO", "THA", "TJK", "TKL",
    "TKM", "TLS", "TON", "TTO", "TUN", "TUR", "TUV", "TWN", "TZA", "UGA", "UKR", "UMI", "URY",
    "USA", "UZB", "VAT", "VCT", "VEN", "VGB", "VIR", "VNM", "VUT", "WLF", "WSM", "YEM", "ZAF",
    "ZMB", "ZWE",
];

/// Codes that ICAO Doc 9303 Part 3 (section 5) allows in travel documents besides ISO 3166-1:
/// Germany's `D`, the British nationality classes, UN and other issuing organisations, the
/// stateless and refugee codes, and Kosovo's `RKS`.
const ICAO_9303_SPECIAL: &[&str] = &[
    "D", "EUE", "GBD", "GBN", "GBO", "GBP", "GBS", "RKS", "UNA", "UNK", "UNO", "XBA", "XCC", "XCE",
    "XCO", "XDC", "XEC", "XES", "XIM", "XMP", "XOM", "XPO", "XXA", "XXB", "XXC", "XXX",
];

/// A code that identifies a country or an issuing organisation. Always upper case.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct CountryCode(&'static str);

/// The slot of three capital letters in [`three_letter_codes`].
fn three_letter_slot(code: [u8; 3]) -> Option<usize> {
    code.iter().try_fold(0usize, |slot, &b| {
        b.is_ascii_uppercase()
            .then(|| slot * 26 + usize::from(b - b'A'))
    })
}

/// Every three-letter code, ISO 3166-1 and ICAO 9303's, by its slot (26³ slots).
fn three_letter_codes() -> &'static [Option<CountryCode>] {
    static TABLE: std::sync::OnceLock<Vec<Option<CountryCode>>> = std::sync::OnceLock::new();
    TABLE.get_or_init(|| {
        let mut table = vec![None; 26 * 26 * 26];
        for code in ISO_3166_ALPHA3.iter().chain(ICAO_9303_SPECIAL) {
            if let Ok(bytes) = <[u8; 3]>::try_from(code.as_bytes())
                && let Some(slot) = three_letter_slot(bytes)
                && table[slot].is_none()
            {
                table[slot] = Some(CountryCode(code));
            }
        }
        table
    })
}

impl CountryCode {
    /// Accepts an ISO 3166-1 alpha-3 code or an ICAO 9303 code, in any case.
    pub fn parse(text: &str) -> Option<CountryCode> {
        if text.is_empty() || text.len() > 3 || !text.is_ascii() {
            return None;
        }
        let mut buffer = [0u8; 3];
        buffer[..text.len()].copy_from_slice(text.as_bytes());
        buffer.make_ascii_uppercase();
        if text.len() == 3 {
            // Three letters, the usual case: one look in a table of every three-letter code.
            return three_letter_codes()
                .get(three_letter_slot(buffer)?)
                .copied()
                .flatten();
        }
        let upper = std::str::from_utf8(&buffer[..text.len()]).expect("ASCII");
        ISO_3166_ALPHA3
            .binary_search(&upper)
            .ok()
            .map(|i| CountryCode(ISO_3166_ALPHA3[i]))
            .or_else(|| {
                ICAO_9303_SPECIAL
                    .binary_search(&upper)
                    .ok()
                    .map(|i| CountryCode(ICAO_9303_SPECIAL[i]))
            })
    }

    /// A member bureau is a country: only ISO 3166-1 codes qualify (no organisations, no `D`).
    pub fn parse_member(text: &str) -> Option<CountryCode> {
        CountryCode::parse(text).filter(|code| code.is_iso_3166())
    }

    pub fn is_iso_3166(self) -> bool {
        ISO_3166_ALPHA3.binary_search(&self.0).is_ok()
    }

    pub fn as_str(self) -> &'static str {
        self.0
    }

    /// Every code for one country should compare equal in a check: `D` is Germany.
    pub fn canonical(self) -> CountryCode {
        // `D` is the only one-letter code.
        if self.0.len() == 1 {
            CountryCode("DEU")
        } else {
            self
        }
    }

    pub fn all_iso() -> impl Iterator<Item = CountryCode> {
        ISO_3166_ALPHA3.iter().map(|code| CountryCode(code))
    }

    /// The ISO 3166-1 alpha-2 code of a country (`FR`); `None` for ICAO 9303's own codes.
    pub fn alpha2(self) -> Option<&'static str> {
        isocountry::CountryCode::for_alpha3(self.canonical().0)
            .ok()
            .map(|country| country.alpha2())
    }

    /// The country of an ISO 3166-1 alpha-2 code, in any case.
    pub fn from_alpha2(text: &str) -> Option<CountryCode> {
        if text.len() != 2 || !text.is_ascii() {
            return None;
        }
        let country = isocountry::CountryCode::for_alpha2_caseless(text).ok()?;
        CountryCode::parse_member(country.alpha3())
    }

    /// Every code [`CountryCode::parse`] takes: ISO 3166-1 alpha-3 and ICAO 9303's own.
    pub fn all() -> impl Iterator<Item = CountryCode> {
        ISO_3166_ALPHA3
            .iter()
            .chain(ICAO_9303_SPECIAL)
            .map(|code| CountryCode(code))
    }
}

impl fmt::Display for CountryCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.0)
    }
}

impl fmt::Debug for CountryCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.0)
    }
}

impl serde::Serialize for CountryCode {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.0)
    }
}

impl<'de> serde::Deserialize<'de> for CountryCode {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = <std::borrow::Cow<'de, str>>::deserialize(deserializer)?;
        CountryCode::parse(&text)
            .ok_or_else(|| serde::de::Error::custom(format!("{text:?} is not a country code")))
    }
}

/// Where a map places a country: its capital.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Capital {
    pub name: &'static str,
    /// WGS 84, degrees.
    pub latitude: f64,
    pub longitude: f64,
}

/// Every country's capital and its coordinates (GeoNames, CC BY 4.0; made by
/// `scripts/data/capitals.py`).
const CAPITALS: &str = include_str!("../data/capitals.tsv");

fn capitals() -> &'static std::collections::HashMap<&'static str, Capital> {
    static TABLE: std::sync::OnceLock<std::collections::HashMap<&'static str, Capital>> =
        std::sync::OnceLock::new();
    TABLE.get_or_init(|| {
        CAPITALS
            .lines()
            .filter(|line| !line.starts_with('#') && !line.is_empty())
            .filter_map(|line| {
                let mut cells = line.split('\t');
                let code = cells.next()?;
                let latitude = cells.next()?.parse().ok()?;
                let longitude = cells.next()?.parse().ok()?;
                let name = cells.next()?;
                Some((
                    code,
                    Capital {
                        name,
                        latitude,
                        longitude,
                    },
                ))
            })
            .collect()
    })
}

/// Every airport with an IATA code and its country's alpha-2 code (from `airportsdata`; made
/// by `scripts/data/airports.py`), sorted by code.
const AIRPORTS: &str = include_str!("../data/airports.tsv");

fn airports() -> &'static [(&'static str, &'static str)] {
    static TABLE: std::sync::OnceLock<Vec<(&'static str, &'static str)>> =
        std::sync::OnceLock::new();
    TABLE.get_or_init(|| {
        let mut rows: Vec<(&str, &str)> = AIRPORTS
            .lines()
            .filter(|line| !line.starts_with('#') && !line.is_empty())
            .filter_map(|line| line.split_once('\t'))
            .collect();
        rows.sort_unstable();
        rows
    })
}

impl CountryCode {
    /// The country an airport is in, by its IATA code (`BKK` → `THA`), in any case.
    pub fn of_airport(iata: &str) -> Option<CountryCode> {
        let code = iata.trim().to_ascii_uppercase();
        let table = airports();
        let at = table
            .binary_search_by(|(c, _)| (*c).cmp(code.as_str()))
            .ok()?;
        CountryCode::from_alpha2(table[at].1)
    }

    /// The country's capital, where a map places it (of the ISO code an ICAO code stands for:
    /// Germany's `D` is Berlin); `None` for a code without one (Antarctica, organisations).
    pub fn capital(self) -> Option<Capital> {
        capitals().get(self.canonical().as_str()).copied()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_country_has_its_alpha2_code_both_ways() {
        for code in CountryCode::all_iso() {
            let alpha2 = code
                .alpha2()
                .unwrap_or_else(|| panic!("{code} has no alpha-2"));
            assert_eq!(
                CountryCode::from_alpha2(alpha2),
                Some(code),
                "{code} {alpha2}"
            );
        }
        assert_eq!(CountryCode::parse("D").unwrap().alpha2(), Some("DE"));
        assert_eq!(CountryCode::from_alpha2("fr").unwrap().as_str(), "FRA");
        assert_eq!(CountryCode::parse("XXA").unwrap().alpha2(), None);
        for bad in ["", "F", "FRA", "ZZ", "é1"] {
            assert_eq!(CountryCode::from_alpha2(bad), None, "{bad}");
        }
    }

    #[test]
    fn tables_are_sorted_for_binary_search() {
        assert!(ISO_3166_ALPHA3.windows(2).all(|w| w[0] < w[1]));
        assert!(ICAO_9303_SPECIAL.windows(2).all(|w| w[0] < w[1]));
        assert_eq!(ISO_3166_ALPHA3.len(), 249);
    }

    #[test]
    fn parses_iso_and_icao_codes_in_any_case() {
        assert_eq!(CountryCode::parse("fra").unwrap().as_str(), "FRA");
        assert_eq!(CountryCode::parse("D").unwrap().canonical().as_str(), "DEU");
        assert_eq!(CountryCode::parse("XXA").unwrap().as_str(), "XXA");
        assert!(CountryCode::parse("UNO").is_some());
        assert!(CountryCode::parse_member("UNO").is_none());
        for bad in ["", "FR", "ZZZ", "FRAN", "ÉTA", "fr "] {
            assert!(CountryCode::parse(bad).is_none(), "{bad}");
        }
    }

    #[test]
    fn countries_have_their_capitals_on_the_map() {
        let paris = CountryCode::parse("FRA").unwrap().capital().unwrap();
        assert_eq!(paris.name, "Paris");
        assert!((paris.latitude - 48.85).abs() < 0.1 && (paris.longitude - 2.35).abs() < 0.1);
        assert_eq!(
            CountryCode::parse("D").unwrap().capital().map(|c| c.name),
            Some("Berlin")
        );
        assert_eq!(
            CountryCode::of_airport("bkk").map(|c| c.as_str()),
            Some("THA")
        );
        assert_eq!(
            CountryCode::of_airport("CDG").map(|c| c.as_str()),
            Some("FRA")
        );
        assert_eq!(
            CountryCode::of_airport("JFK").map(|c| c.as_str()),
            Some("USA")
        );
        assert_eq!(CountryCode::of_airport("QQQ"), None);
        assert_eq!(CountryCode::of_airport(""), None);
        assert_eq!(
            CountryCode::parse("D").unwrap().capital().map(|c| c.name),
            Some("Berlin")
        );
        let table = capitals();
        assert!(table.len() >= 240, "{}", table.len());
        for (code, capital) in table {
            assert!(CountryCode::parse(code).is_some(), "{code} is no country");
            assert!((-90.0..=90.0).contains(&capital.latitude), "{code}");
            assert!((-180.0..=180.0).contains(&capital.longitude), "{code}");
        }
        // Every row of the file was read.
        let rows = CAPITALS.lines().filter(|l| !l.starts_with('#')).count();
        assert_eq!(rows, table.len());
        assert_eq!(CountryCode::parse("ATA").unwrap().capital(), None);
    }
}
