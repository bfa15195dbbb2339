//! Property tests of the normalisers and parsers: they never panic, and what they accept they
//! accept again unchanged (generate → render → parse → same).

use palermo_core::date::{format_date, parse_date};
use palermo_core::normalise::{
    document_number, fold_confusables, plate, vin_check_digit, vin_for_query, vin_for_record,
};
use palermo_core::{CountryCode, DocumentType};
use proptest::prelude::*;

proptest! {
    #[test]
    fn normalisers_never_panic_on_any_text(text in "\\PC{0,80}") {
        let _ = document_number(&text);
        let _ = plate(&text);
        let _ = vin_for_record(&text);
        let _ = vin_for_query(&text);
        let _ = parse_date(&text);
        let _ = CountryCode::parse(&text);
        let _ = DocumentType::parse(&text);
    }

    #[test]
    fn a_normalised_number_is_a_fixed_point(text in "[A-Za-z0-9 <.-]{1,40}") {
        if let Ok(number) = document_number(&text) {
            prop_assert!(!number.is_empty() && number.len() <= 30);
            prop_assert!(number.bytes().all(|b| b.is_ascii_uppercase() || b.is_ascii_digit()));
            prop_assert_eq!(document_number(&number).unwrap(), number.clone());
            prop_assert_eq!(fold_confusables(&fold_confusables(&number)), fold_confusables(&number));
        }
    }

    #[test]
    fn separators_and_case_do_not_change_a_number(number in "[A-Z0-9]{1,20}", cut in 0usize..20) {
        let cut = cut.min(number.len());
        let typed = format!(" {}-{} ", number[..cut].to_lowercase(), &number[cut..]);
        prop_assert_eq!(document_number(&typed).unwrap(), number);
    }

    #[test]
    fn vins_with_their_check_digit_are_accepted_and_a_wrong_one_refused(body in "[1-5][A-HJ-NPR-Z0-9]{16}") {
        let mut vin = body.clone();
        let check = vin_check_digit(&vin);
        vin.replace_range(8..9, &check.to_string());
        prop_assert_eq!(vin_for_record(&vin).unwrap(), vin.clone());
        let wrong = if check == '0' { '1' } else { '0' };
        vin.replace_range(8..9, &wrong.to_string());
        prop_assert!(vin_for_record(&vin).is_err());
    }

    #[test]
    fn dates_round_trip(year in 1900i32..2100, month in 1u8..=12, day in 1u8..=31) {
        let text = format!("{year:04}-{month:02}-{day:02}");
        match parse_date(&text) {
            Ok(date) => prop_assert_eq!(format_date(date), text),
            Err(reason) => prop_assert!(day > 28, "{} refused: {}", text, reason),
        }
    }
}
