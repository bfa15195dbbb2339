//! In-memory indexes that answer checks without touching the store.
//!
//! The indexes hold hashes of normalised identifiers and record rows, nothing else: about 21
//! bytes per record at 100 million. A lookup yields candidate rows; the caller reads the record
//! of a candidate (rare: about 2 checks in 10,000 hit) to confirm it and apply access rules.

mod table;

use palermo_core::CountryCode;
use palermo_core::normalise::fold_confusables_into;
pub use table::{Candidate, FoldTable, KeyHashes, PREFETCH_DISTANCE};
use xxhash_rust::xxh3::xxh3_64;

/// Longest key: a country code, a separator and an identifier of at most 40 bytes.
const KEY_LEN_MAX: usize = 48;

fn hash_nonzero(bytes: &[u8]) -> u64 {
    xxh3_64(bytes) | 1
}

/// Key hashes of an identifier within a namespace (a country, or none for VINs). `normalised`
/// is the output of one of `palermo_core::normalise`'s functions: upper-case ASCII.
pub fn key_hashes(namespace: &str, normalised: &str) -> KeyHashes {
    let mut exact = [0u8; KEY_LEN_MAX];
    let mut folded = [0u8; KEY_LEN_MAX];
    let len = namespace.len() + 1 + normalised.len();
    assert!(
        len <= KEY_LEN_MAX,
        "identifier longer than the normalisers allow"
    );
    exact[..namespace.len()].copy_from_slice(namespace.as_bytes());
    exact[namespace.len()] = b'|';
    exact[namespace.len() + 1..len].copy_from_slice(normalised.as_bytes());
    folded[..len].copy_from_slice(&exact[..len]);
    fold_confusables_into(&mut folded[namespace.len() + 1..len]);
    KeyHashes {
        folded: hash_nonzero(&folded[..len]),
        exact_fingerprint: (xxh3_64(&exact[..len]) >> 32) as u32,
    }
}

/// Key hashes of a travel document: issuing country and normalised number.
pub fn document_key(issuing_country: CountryCode, number_normalised: &str) -> KeyHashes {
    key_hashes(issuing_country.canonical().as_str(), number_normalised)
}

pub fn vin_key(vin: &str) -> KeyHashes {
    key_hashes("VIN", vin)
}

pub fn plate_key(country: CountryCode, plate: &str) -> KeyHashes {
    key_hashes(country.canonical().as_str(), plate)
}

/// Converts a store id to an index row. Ids above `u32::MAX` would need a wider slot.
pub fn row_of(id: i64) -> u32 {
    u32::try_from(id).expect("record ids fit in 32 bits")
}

/// Travel documents by issuing country and number.
#[derive(Default)]
pub struct DocumentIndex {
    pub by_number: FoldTable,
}

/// Vehicles by VIN and by plate with its country.
#[derive(Default)]
pub struct VehicleIndex {
    pub by_vin: FoldTable,
    pub by_plate: FoldTable,
}

impl VehicleIndex {
    pub fn len(&self) -> usize {
        self.by_vin.len().max(self.by_plate.len())
    }

    pub fn is_empty(&self) -> bool {
        self.by_vin.is_empty() && self.by_plate.is_empty()
    }

    pub fn memory_bytes(&self) -> usize {
        self.by_vin.memory_bytes() + self.by_plate.memory_bytes()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn country(code: &str) -> CountryCode {
        CountryCode::parse(code).unwrap()
    }

    #[test]
    fn confusable_numbers_share_the_folded_key_only() {
        let record = document_key(country("FRA"), "AB012345");
        let typo = document_key(country("FRA"), "ABO1234S");
        assert_eq!(record.folded, typo.folded);
        assert_ne!(record.exact_fingerprint, typo.exact_fingerprint);
        assert_ne!(
            record.folded,
            document_key(country("DEU"), "AB012345").folded
        );
        assert_eq!(
            document_key(country("D"), "X1"),
            document_key(country("DEU"), "X1")
        );
    }
}
