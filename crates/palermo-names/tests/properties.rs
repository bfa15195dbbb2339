//! The normaliser, the transliterator and the scorer never panic, whatever the input, and
//! keep their promises.

use palermo_names::{Name, check, compare, fold, normalise};
use proptest::prelude::*;

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn any_text_normalises_to_bounded_ascii_parts(text in "\\PC{0,400}") {
        let parts = normalise(&text);
        prop_assert!(parts.len() <= palermo_names::PARTS_MAX);
        for part in &parts {
            prop_assert!(!part.is_empty());
            prop_assert!(part.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit()));
            prop_assert!(!fold(part).is_empty());
        }
        let _ = check(&text);
    }

    #[test]
    fn scores_stay_between_zero_and_one(a in "\\PC{0,80}", b in "\\PC{0,80}") {
        let (score, _) = compare(&Name::parse(&a), &Name::parse(&b));
        prop_assert!((0.0..=1.0).contains(&score), "{score}");
    }

    #[test]
    fn a_name_matches_itself(text in "[A-Za-zÀ-ÿА-Яа-я]{3,12}( [A-Za-zÀ-ÿА-Яа-я]{3,12}){0,3}") {
        let name = Name::parse(&text);
        prop_assume!(!name.is_empty());
        let (score, _) = compare(&name, &name);
        prop_assert!(score > 0.99, "{text}: {score}");
    }

    #[test]
    fn part_order_does_not_matter(a in "[a-z]{3,10}", b in "[a-z]{3,10}", c in "[a-z]{3,10}") {
        let forward = Name::parse(&format!("{a} {b} {c}"));
        let backward = Name::parse(&format!("{c} {a} {b}"));
        prop_assume!(!forward.is_empty());
        let (score, _) = compare(&forward, &backward);
        prop_assert!(score > 0.99, "{score}");
    }
}
