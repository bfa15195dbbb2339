//! Normalisation of the identifiers that checks look up: document numbers, VINs, plates.
//!
//! Records and queries go through the same functions, so a number typed with spaces, hyphens
//! or in lower case meets the record it names. The confusable fold (O/0, I/1, B/8, S/5 …) is a
//! second, looser key: a match on it alone is a *possible* hit, never an exact one.

/// Longest document number accepted as typed (before spaces and hyphens are removed).
pub const DOCUMENT_NUMBER_INPUT_LEN_MAX: usize = 64;
/// Longest document number once normalised. ICAO 9303 numbers have 9 characters, with an
/// optional extension up to 22; national numbers in the wild stay under 30.
pub const DOCUMENT_NUMBER_LEN_MAX: usize = 30;
pub const PLATE_LEN_MAX: usize = 15;
pub const VIN_LEN: usize = 17;

/// Why an identifier was refused; the text is the error's detail.
pub type Reason = String;

fn reject_control_and_length(raw: &str, len_max: usize) -> Result<(), Reason> {
    if raw.chars().any(char::is_control) {
        return Err("contains control characters".into());
    }
    if raw.chars().count() > len_max {
        return Err(format!("is longer than {len_max} characters"));
    }
    Ok(())
}

/// Upper-cases and drops separators (space, hyphen, dot, MRZ filler `<`); refuses anything but
/// ASCII letters and digits after that.
fn strip_separators(raw: &str, what: &str) -> Result<String, Reason> {
    let mut out = String::with_capacity(raw.len());
    for c in raw.chars() {
        match c {
            ' ' | '-' | '.' | '<' | '\u{a0}' => {}
            'a'..='z' | 'A'..='Z' | '0'..='9' => out.push(c.to_ascii_uppercase()),
            other => {
                return Err(format!(
                    "{what} may contain only letters A-Z, digits, spaces and hyphens, not {other:?}"
                ));
            }
        }
    }
    if out.is_empty() {
        return Err("is empty".into());
    }
    Ok(out)
}

/// The exact lookup key of a travel document number.
pub fn document_number(raw: &str) -> Result<String, Reason> {
    let mut buffer = [0u8; DOCUMENT_NUMBER_LEN_MAX];
    let len = document_number_into(raw, &mut buffer)?;
    Ok(std::str::from_utf8(&buffer[..len])
        .expect("ASCII")
        .to_owned())
}

/// [`document_number`] into a caller's buffer, without allocating: the check path's version.
/// Returns the length written.
pub fn document_number_into(
    raw: &str,
    out: &mut [u8; DOCUMENT_NUMBER_LEN_MAX],
) -> Result<usize, Reason> {
    let mut len = 0;
    if raw.len() <= DOCUMENT_NUMBER_INPUT_LEN_MAX {
        for &byte in raw.as_bytes() {
            let upper = match byte {
                b' ' | b'-' | b'.' | b'<' => continue,
                b'a'..=b'z' => byte - (b'a' - b'A'),
                b'A'..=b'Z' | b'0'..=b'9' => byte,
                // Anything else takes the general path below, which explains the refusal.
                _ => return document_number_general(raw, out),
            };
            if len == DOCUMENT_NUMBER_LEN_MAX {
                return Err(too_long_number());
            }
            out[len] = upper;
            len += 1;
        }
        if len > 0 {
            return Ok(len);
        }
    }
    document_number_general(raw, out)
}

fn too_long_number() -> Reason {
    format!("is longer than {DOCUMENT_NUMBER_LEN_MAX} characters without spaces and hyphens")
}

fn document_number_general(
    raw: &str,
    out: &mut [u8; DOCUMENT_NUMBER_LEN_MAX],
) -> Result<usize, Reason> {
    reject_control_and_length(raw, DOCUMENT_NUMBER_INPUT_LEN_MAX)?;
    let number = strip_separators(raw, "a document number")?;
    if number.len() > DOCUMENT_NUMBER_LEN_MAX {
        return Err(too_long_number());
    }
    out[..number.len()].copy_from_slice(number.as_bytes());
    Ok(number.len())
}

/// Maps characters that officers and OCR confuse onto one representative, so that `O1234S`
/// and `012345` share a key. Input is a normalised key (upper-case ASCII letters and digits).
pub fn fold_confusables(normalised: &str) -> String {
    let mut bytes = normalised.as_bytes().to_vec();
    fold_confusables_into(&mut bytes);
    String::from_utf8(bytes).expect("folding maps ASCII to ASCII")
}

/// [`fold_confusables`] in place, for the check path where allocation is unwelcome.
pub fn fold_confusables_into(normalised: &mut [u8]) {
    for byte in normalised {
        *byte = match *byte {
            b'O' | b'Q' | b'D' => b'0',
            b'I' | b'L' => b'1',
            b'Z' => b'2',
            b'S' => b'5',
            b'G' => b'6',
            b'B' => b'8',
            other => other,
        };
    }
}

/// The VIN of a record: 17 characters of ISO 3779 (no I, O or Q), with the check digit in
/// position 9 verified where the VIN carries one (see [`vin_carries_check_digit`]).
pub fn vin_for_record(raw: &str) -> Result<String, Reason> {
    reject_control_and_length(raw, 40)?;
    let vin = strip_separators(raw, "a VIN")?;
    if vin.len() != VIN_LEN {
        return Err(format!("must have {VIN_LEN} characters, not {}", vin.len()));
    }
    if let Some(position) = vin.find(['I', 'O', 'Q']) {
        return Err(format!(
            "must not contain I, O or Q (ISO 3779), found at position {}",
            position + 1
        ));
    }
    if vin_carries_check_digit(&vin) {
        let expected = vin_check_digit(&vin);
        let found = vin.as_bytes()[8] as char;
        if found != expected {
            return Err(format!(
                "check digit (position 9) is {found}, expected {expected}"
            ));
        }
    }
    Ok(vin)
}

/// The VIN of a query. Officers type O for 0 and I for 1; a VIN has neither, so they are read
/// as the digits. The check digit is not enforced: a typo should still find possible hits.
pub fn vin_for_query(raw: &str) -> Result<String, Reason> {
    reject_control_and_length(raw, 40)?;
    let vin: String = strip_separators(raw, "a VIN")?
        .chars()
        .map(|c| match c {
            'O' | 'Q' => '0',
            'I' => '1',
            other => other,
        })
        .collect();
    if vin.len() != VIN_LEN {
        return Err(format!("must have {VIN_LEN} characters, not {}", vin.len()));
    }
    Ok(vin)
}

/// North American (WMI starting 1–5) and Chinese (L) VINs must carry a check digit in
/// position 9 (49 CFR 565, GB 16735); elsewhere position 9 is free.
pub fn vin_carries_check_digit(vin: &str) -> bool {
    matches!(vin.as_bytes().first(), Some(b'1'..=b'5' | b'L'))
}

/// The ISO 3779 / 49 CFR 565 check digit: transliterate, weight, sum, modulo 11; 10 is `X`.
pub fn vin_check_digit(vin: &str) -> char {
    const WEIGHTS: [u32; 17] = [8, 7, 6, 5, 4, 3, 2, 10, 0, 9, 8, 7, 6, 5, 4, 3, 2];
    let value = |c: u8| -> u32 {
        match c {
            b'0'..=b'9' => u32::from(c - b'0'),
            b'A' | b'J' => 1,
            b'B' | b'K' | b'S' => 2,
            b'C' | b'L' | b'T' => 3,
            b'D' | b'M' | b'U' => 4,
            b'E' | b'N' | b'V' => 5,
            b'F' | b'W' => 6,
            b'G' | b'P' | b'X' => 7,
            b'H' | b'Y' => 8,
            b'R' | b'Z' => 9,
            _ => 0,
        }
    };
    let sum: u32 = vin.bytes().zip(WEIGHTS).map(|(c, w)| value(c) * w).sum();
    match sum % 11 {
        10 => 'X',
        digit => char::from_digit(digit, 10).expect("digit below 10"),
    }
}

/// Cyrillic and Greek capitals that plates of those countries share with Latin ones.
fn plate_letter_to_latin(c: char) -> Option<char> {
    Some(match c {
        'А' | 'Α' => 'A',
        'В' | 'Β' => 'B',
        'Е' | 'Ε' => 'E',
        'Ζ' => 'Z',
        'Н' | 'Η' => 'H',
        'І' | 'Ι' => 'I',
        'К' | 'Κ' => 'K',
        'М' | 'Μ' => 'M',
        'Ν' => 'N',
        'О' | 'Ο' => 'O',
        'Р' | 'Ρ' => 'P',
        'С' => 'C',
        'Т' | 'Τ' => 'T',
        'У' | 'Υ' => 'Y',
        'Х' | 'Χ' => 'X',
        _ => return None,
    })
}

/// A registration plate: upper case, separators dropped, Cyrillic and Greek look-alike capitals
/// read as Latin (as plates in those countries are written to be).
pub fn plate(raw: &str) -> Result<String, Reason> {
    reject_control_and_length(raw, 40)?;
    let mut latin = String::with_capacity(raw.len());
    for c in raw.chars() {
        let upper = c.to_uppercase().next().unwrap_or(c);
        latin.push(plate_letter_to_latin(upper).unwrap_or(c));
    }
    let plate = strip_separators(&latin, "a plate")?;
    if plate.len() > PLATE_LEN_MAX {
        return Err(format!(
            "is longer than {PLATE_LEN_MAX} characters without spaces and hyphens"
        ));
    }
    Ok(plate)
}

/// Free text (names, references, makes): trimmed, no control characters, bounded length.
/// Empty text is `None`.
/// Characters that take no room on screen and may make a text look longer or other than it
/// reads (zero-width spaces and joiners, direction marks and overrides, the byte-order mark).
pub fn invisible(c: char) -> bool {
    matches!(c, '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2060}'..='\u{2064}' | '\u{2066}'..='\u{2069}' | '\u{FEFF}')
}

pub fn text(raw: &str, len_max: usize) -> Result<Option<String>, Reason> {
    reject_control_and_length(raw, len_max)?;
    let trimmed = raw.trim();
    Ok((!trimmed.is_empty()).then(|| trimmed.to_owned()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn document_numbers_ignore_case_spaces_and_hyphens() {
        assert_eq!(document_number(" l898-902 c3 ").unwrap(), "L898902C3");
        assert_eq!(document_number("L898902C<").unwrap(), "L898902C");
        assert_eq!(document_number("--").unwrap_err(), "is empty");
        assert!(
            document_number("AB\u{7}12")
                .unwrap_err()
                .contains("control")
        );
        assert!(
            document_number("AB/12")
                .unwrap_err()
                .contains("only letters")
        );
        assert!(document_number(&"1".repeat(31)).unwrap_err().contains("30"));
        assert!(document_number(&"1".repeat(65)).unwrap_err().contains("64"));
        assert!(document_number("ПАСПОРТ").is_err());
    }

    #[test]
    fn confusables_share_a_key() {
        assert_eq!(fold_confusables("O1234S"), fold_confusables("012345"));
        assert_eq!(fold_confusables("B8IL1"), "88111");
        assert_ne!(fold_confusables("X123"), fold_confusables("Y123"));
    }

    #[test]
    fn vin_check_digits_follow_iso_3779() {
        assert_eq!(vin_check_digit("1M8GDM9AXKP042788"), 'X');
        assert_eq!(vin_check_digit("11111111111111111"), '1');
        assert_eq!(
            vin_for_record("1m8gdm9a-xkp042788").unwrap(),
            "1M8GDM9AXKP042788"
        );
        assert!(
            vin_for_record("1M8GDM9A1KP042788")
                .unwrap_err()
                .contains("check digit")
        );
        // A European VIN carries no mandatory check digit.
        assert_eq!(
            vin_for_record("WVWZZZ1JZXW000001").unwrap(),
            "WVWZZZ1JZXW000001"
        );
        assert!(
            vin_for_record("WVWZZZ1JZXW00000")
                .unwrap_err()
                .contains("17")
        );
        assert!(
            vin_for_record("WVWZZZ1JOXW000001")
                .unwrap_err()
                .contains("position 9")
        );
        assert_eq!(
            vin_for_query("WVWZZZ1JOXW000001").unwrap(),
            "WVWZZZ1J0XW000001"
        );
    }

    #[test]
    fn plates_read_cyrillic_look_alikes_as_latin() {
        assert_eq!(plate("а 123 вс 77").unwrap(), "A123BC77");
        assert_eq!(plate("AB-123-CD").unwrap(), "AB123CD");
        assert!(plate("AB#1").is_err());
    }
}
