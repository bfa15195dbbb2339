//! Transliteration to Latin. Cyrillic follows ICAO Doc 9303 Part 3 (the machine-readable zone
//! of passports); every other script goes through `any_ascii` (pinyin for Han, Revised
//! Romanization for Hangul, kana in Hepburn, Greek, Arabic, Hebrew, Armenian, Georgian, Thai,
//! Devanagari …). Diacritics of Latin letters are dropped.

use unicode_normalization::UnicodeNormalization;
use unicode_normalization::char::is_combining_mark;

/// ICAO 9303 Part 3, table for Cyrillic (Russian, Ukrainian, Belarusian, Bulgarian,
/// Serbian and Macedonian letters), lower case.
fn icao_letter(c: char) -> Option<&'static str> {
    Some(match c {
        'а' => "a",
        'б' => "b",
        'в' => "v",
        'г' => "g",
        'ґ' => "g",
        'д' => "d",
        'ђ' => "d",
        'ѓ' => "g",
        'е' => "e",
        'ё' => "e",
        'є' => "ie",
        'ж' => "zh",
        'з' => "z",
        'ѕ' => "dz",
        'и' => "i",
        'і' => "i",
        'ї' => "i",
        'й' => "i",
        'ј' => "j",
        'к' => "k",
        'л' => "l",
        'љ' => "lj",
        'м' => "m",
        'н' => "n",
        'њ' => "nj",
        'о' => "o",
        'п' => "p",
        'р' => "r",
        'с' => "s",
        'т' => "t",
        'ћ' => "c",
        'ќ' => "k",
        'у' => "u",
        'ў' => "u",
        'ф' => "f",
        'х' => "kh",
        'ц' => "ts",
        'ч' => "ch",
        'џ' => "dz",
        'ш' => "sh",
        'щ' => "shch",
        'ъ' => "ie",
        'ы' => "y",
        'ь' => "",
        'э' => "e",
        'ю' => "iu",
        'я' => "ia",
        _ => return None,
    })
}

/// Transliterates Cyrillic as ICAO 9303 does (upper case, as in a passport's MRZ); other
/// characters pass unchanged.
pub fn icao_cyrillic(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        let lower = c.to_lowercase().next().unwrap_or(c);
        match icao_letter(lower) {
            Some(latin) => out.push_str(&latin.to_ascii_uppercase()),
            None => out.push(c),
        }
    }
    out
}

fn is_cyrillic(c: char) -> bool {
    ('\u{0400}'..='\u{04FF}').contains(&c)
}

/// Han and Hangul come out of `any_ascii` as capitalised syllables run together
/// ("ZhangWei"): each syllable is a part of the name.
fn is_syllabic(c: char) -> bool {
    ('\u{4E00}'..='\u{9FFF}').contains(&c)
        || ('\u{3400}'..='\u{4DBF}').contains(&c)
        || ('\u{AC00}'..='\u{D7AF}').contains(&c)
}

/// Any text in Latin letters, diacritics dropped, separators kept.
pub fn to_latin(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.nfkd() {
        if is_combining_mark(c) {
            continue;
        }
        if c.is_ascii() {
            out.push(c);
        } else if is_cyrillic(c) {
            let lower = c.to_lowercase().next().unwrap_or(c);
            match icao_letter(lower) {
                Some(latin) => out.push_str(latin),
                None => out.push_str(any_ascii::any_ascii_char(c)),
            }
        } else if c == 'ע' {
            // Hebrew ayin is silent or a vowel in Latin spellings (Yaakov, Shimon), never a
            // break between parts.
        } else if is_syllabic(c) {
            // One syllable, one part.
            out.push(' ');
            out.push_str(any_ascii::any_ascii_char(c));
            out.push(' ');
        } else {
            out.push_str(any_ascii::any_ascii_char(c));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cyrillic_follows_icao_9303() {
        assert_eq!(icao_cyrillic("Щербаков"), "SHCHERBAKOV");
        assert_eq!(icao_cyrillic("Юлия Ярошенко"), "IULIIA IAROSHENKO");
        assert_eq!(icao_cyrillic("Хрущёв"), "KHRUSHCHEV");
        assert_eq!(icao_cyrillic("Ігор"), "IGOR");
    }

    #[test]
    fn other_scripts_reach_latin() {
        assert_eq!(to_latin("Ščerbakov").trim(), "Scerbakov");
        assert!(to_latin("习近平").to_ascii_lowercase().contains("xi"));
        assert!(to_latin("김정은").to_ascii_lowercase().contains("gim"));
        assert!(to_latin("יעקב").chars().all(|c| c.is_ascii_alphabetic()));
    }
}
