//! Any bytes, as lines, to the MRZ parser: it never panics, and what it answers holds
//! together (a zone is valid exactly when it has no problem; every problem is inside the zone).
#![no_main]

use libfuzzer_sys::fuzz_target;
use palermo_core::mrz;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let lines: Vec<&str> = text.split('\n').collect();
    let today = palermo_core::date::parse_date("2026-12-03").expect("a date");
    match mrz::parse(&lines, today) {
        Ok(zone) => {
            assert_eq!(zone.valid, zone.problems.is_empty());
            let (count, width) = zone.format.shape();
            assert_eq!(zone.lines.len(), count);
            for problem in &zone.problems {
                assert!((1..=count).contains(&problem.line), "{problem:?}");
                assert!((1..=width).contains(&problem.column), "{problem:?}");
            }
        }
        Err(problems) => assert!(!problems.is_empty()),
    }
});
