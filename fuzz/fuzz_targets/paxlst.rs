//! Any bytes to the PAXLST reader: it never panics; a refusal names at least one error, each
//! at a line of the input; a manifest's travellers come in the order of their segments.
#![no_main]

use libfuzzer_sys::fuzz_target;
use palermo_core::paxlst;

fuzz_target!(|data: &[u8]| {
    let today = palermo_core::date::parse_date("2026-12-03").expect("a date");
    let lines = data.iter().filter(|&&b| b == b'\n').count() + 1;
    match paxlst::parse(data, today) {
        Ok(manifest) => {
            assert!(manifest.messages >= 1);
            let segments: Vec<usize> = manifest.travellers.iter().map(|t| t.segment).collect();
            assert!(segments.windows(2).all(|w| w[0] < w[1]), "{segments:?}");
        }
        Err(errors) => {
            assert!(!errors.is_empty());
            for error in &errors {
                assert!((1..=lines).contains(&error.line), "{error:?}");
            }
        }
    }
});
