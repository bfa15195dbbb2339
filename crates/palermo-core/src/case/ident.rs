//! Identifiers of a case report, normalised once: equivalent spellings of one identifier give
//! one value, which is what cases are matched on. An identifier that cannot be valid is refused
//! with the reason.
//!
//! Phone numbers and IBANs are read by the well-kept libraries (`phonenumber`, with
//! libphonenumber's metadata; `iban_validate`, with SWIFT's registry); the test tooling holds
//! them against Python's `phonenumbers` and `schwifty` (`scripts/identifiers`).

use iban::IbanLike;
use phonenumber::Mode;

use crate::CountryCode;

/// A phone number in E.164, with its extension apart.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Phone {
    pub e164: String,
    pub extension: Option<String>,
}

/// Reads a phone number: international (`+…`, `00…`) or, in national form, of `region`'s
/// numbering plan (the reporting country's, unless the report says otherwise).
pub fn phone(raw: &str, region: Option<CountryCode>) -> Result<Phone, String> {
    let raw = raw.trim();
    if raw.is_empty() {
        return Err("is empty".into());
    }
    if raw.len() > 60 {
        return Err("is longer than 60 characters".into());
    }
    let id = region
        .and_then(CountryCode::alpha2)
        .and_then(|alpha2| alpha2.parse::<phonenumber::country::Id>().ok());
    // `00` is the international prefix of most countries; read it as `+` whatever the region.
    let international;
    let text = match raw.strip_prefix("00") {
        Some(rest) if !raw.starts_with("000") => {
            international = format!("+{rest}");
            international.as_str()
        }
        _ => raw,
    };
    // An international number is read without a region: `phonenumber` would otherwise apply
    // the region's national prefix to it (with the United States', "+55 11 9…" lost its
    // area code's first digit and was refused), which libphonenumber itself does not do.
    let is_international = text.starts_with('+')
        || text
            .get(..5)
            .is_some_and(|head| head.eq_ignore_ascii_case("tel:+"));
    let id = if is_international { None } else { id };
    let number = phonenumber::parse(id, text).map_err(|_| {
        if id.is_none() && !text.starts_with('+') {
            "is not a phone number in international form (+ and the country code), and the \
             reporting country has no numbering plan to read a national form by"
                .to_owned()
        } else {
            "is not a phone number".to_owned()
        }
    })?;
    if !phonenumber::is_valid(&number) {
        return Err(format!(
            "is not a valid number of country code +{} (E.164: + country code, then the national number)",
            number.code().value()
        ));
    }
    Ok(Phone {
        e164: number.format().mode(Mode::E164).to_string(),
        extension: number.extension().map(|e| e.to_string()),
    })
}

/// Providers that deliver `local+tag@` to `local@` (sub-addressing), and those that also
/// ignore dots in the local part.
const PLUS_SUBADDRESSING: &[&str] = &[
    "gmail.com",
    "googlemail.com",
    "outlook.com",
    "hotmail.com",
    "live.com",
    "msn.com",
    "icloud.com",
    "me.com",
    "mac.com",
    "protonmail.com",
    "proton.me",
    "pm.me",
    "fastmail.com",
    "yandex.ru",
    "yandex.com",
    "gmx.de",
    "gmx.net",
    "web.de",
    "mail.ru",
];
const IGNORES_DOTS: &[&str] = &["gmail.com", "googlemail.com"];
/// Yahoo's disposable addresses use a hyphen.
const HYPHEN_SUBADDRESSING: &[&str] = &["yahoo.com", "yahoo.co.uk", "yahoo.fr", "ymail.com"];

/// An e-mail address as matching reads it: lower case, the provider's aliases folded
/// (`googlemail.com` is `gmail.com`), sub-addressing removed and dots ignored where the
/// provider ignores them.
pub fn email(raw: &str) -> Result<String, String> {
    let raw = raw.trim();
    if raw.len() > 254 {
        return Err("is longer than 254 characters".into());
    }
    let Some((local, domain)) = raw.rsplit_once('@') else {
        return Err("is not an e-mail address: it has no @".into());
    };
    if local.is_empty() || local.len() > 64 {
        return Err(
            "is not an e-mail address: the part before @ must hold 1 to 64 characters".into(),
        );
    }
    if local.contains('@') || local.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err("is not an e-mail address: the part before @ holds a space, a control character or another @".into());
    }
    let domain = domain.to_ascii_lowercase();
    let labels: Vec<&str> = domain.split('.').collect();
    let label_ok = |l: &&str| {
        !l.is_empty()
            && l.len() <= 63
            && !l.starts_with('-')
            && !l.ends_with('-')
            && l.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
    };
    if labels.len() < 2
        || !labels.iter().all(label_ok)
        || labels.last().is_some_and(|tld| tld.len() < 2)
    {
        return Err(format!(
            "is not an e-mail address: {domain:?} is not a domain name"
        ));
    }
    let domain = if domain == "googlemail.com" {
        "gmail.com".to_owned()
    } else {
        domain
    };
    let mut local = local.to_lowercase();
    if PLUS_SUBADDRESSING.contains(&domain.as_str())
        && let Some(at) = local.find('+')
    {
        local.truncate(at);
    }
    if HYPHEN_SUBADDRESSING.contains(&domain.as_str())
        && let Some(at) = local.find('-')
    {
        local.truncate(at);
    }
    if IGNORES_DOTS.contains(&domain.as_str()) {
        local.retain(|c| c != '.');
    }
    if local.is_empty() {
        return Err(
            "is not an e-mail address: nothing is left before @ once the tag is removed".into(),
        );
    }
    Ok(format!("{local}@{domain}"))
}

/// Each platform's profile URL hosts and the characters its handles are made of.
struct Platform {
    code: &'static str,
    hosts: &'static [&'static str],
    /// Allowed length of a handle.
    len: (usize, usize),
    /// Besides ASCII letters and digits.
    extra: &'static str,
    /// Whether the platform tells handles apart by case (none of the listed ones does).
    case_sensitive: bool,
}

const PLATFORMS: &[Platform] = &[
    Platform {
        code: "instagram",
        hosts: &["instagram.com", "instagr.am"],
        len: (1, 30),
        extra: "._",
        case_sensitive: false,
    },
    Platform {
        code: "tiktok",
        hosts: &["tiktok.com"],
        len: (2, 24),
        extra: "._",
        case_sensitive: false,
    },
    Platform {
        code: "telegram",
        hosts: &["t.me", "telegram.me", "telegram.dog"],
        len: (5, 32),
        extra: "_",
        case_sensitive: false,
    },
    Platform {
        code: "x",
        hosts: &["x.com", "twitter.com", "mobile.twitter.com"],
        len: (1, 15),
        extra: "_",
        case_sensitive: false,
    },
    Platform {
        code: "facebook",
        hosts: &["facebook.com", "fb.com", "m.facebook.com"],
        len: (5, 50),
        extra: ".",
        case_sensitive: false,
    },
    Platform {
        code: "snapchat",
        hosts: &["snapchat.com"],
        len: (3, 15),
        extra: "._-",
        case_sensitive: false,
    },
    Platform {
        code: "vk",
        hosts: &["vk.com", "vk.ru"],
        len: (5, 32),
        extra: "._",
        case_sensitive: false,
    },
    Platform {
        code: "onlyfans",
        hosts: &["onlyfans.com"],
        len: (1, 50),
        extra: "._-",
        case_sensitive: false,
    },
];

/// An online handle as matching reads it, per platform: `@` and profile URLs
/// (`https://www.instagram.com/name/`, `t.me/name`, `tiktok.com/@name`) read as the handle,
/// case folded. Platforms without a handle syntax of their own take any text without spaces.
pub fn handle(platform: &str, raw: &str) -> Result<String, String> {
    let raw = raw.trim();
    let known = PLATFORMS.iter().find(|p| p.code == platform);
    let mut text = raw;
    // A profile URL: scheme optional, `www.` optional, then a known host and the handle.
    let without_scheme = text
        .strip_prefix("https://")
        .or_else(|| text.strip_prefix("http://"))
        .unwrap_or(text);
    let without_www = without_scheme
        .strip_prefix("www.")
        .unwrap_or(without_scheme);
    if let Some(platform) = known
        && let Some((host, rest)) = without_www.split_once('/')
        && platform.hosts.iter().any(|h| h.eq_ignore_ascii_case(host))
    {
        // Facebook's numeric profiles: profile.php?id=N.
        if platform.code == "facebook"
            && let Some(id) = rest.strip_prefix("profile.php?id=")
        {
            let id = id.split('&').next().unwrap_or("");
            if !id.is_empty() && id.len() <= 20 && id.bytes().all(|b| b.is_ascii_digit()) {
                return Ok(id.to_owned());
            }
            return Err("is a Facebook profile URL without a numeric id".into());
        }
        text = rest.split(['/', '?', '#']).next().unwrap_or("");
    } else if without_scheme.len() != text.len() {
        return Err(format!("is a URL, but not a profile URL of {platform}"));
    }
    let text = text.strip_prefix('@').unwrap_or(text);
    if text.is_empty() {
        return Err("is empty".into());
    }
    match known {
        Some(p) => {
            let n = text.chars().count();
            if n < p.len.0 || n > p.len.1 {
                return Err(format!(
                    "is not a {} handle: {} to {} characters",
                    p.code, p.len.0, p.len.1
                ));
            }
            if let Some(bad) = text
                .chars()
                .find(|c| !c.is_ascii_alphanumeric() && !p.extra.contains(*c))
            {
                return Err(format!(
                    "is not a {} handle: {bad:?} is not allowed (letters, digits and {:?})",
                    p.code, p.extra
                ));
            }
            Ok(if p.case_sensitive {
                text.to_owned()
            } else {
                text.to_ascii_lowercase()
            })
        }
        None => {
            if text.chars().count() > 100
                || text.chars().any(|c| c.is_whitespace() || c.is_control())
            {
                return Err("is not a handle: at most 100 characters, no spaces".into());
            }
            Ok(text.to_lowercase())
        }
    }
}

/// An IBAN in its electronic form (no spaces, upper case), its check digits and its country's
/// length and format verified.
pub fn iban(raw: &str) -> Result<String, String> {
    let compact: String = raw
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '-')
        .collect();
    let compact = compact.to_ascii_uppercase();
    match compact.parse::<iban::Iban>() {
        Ok(iban) => Ok(iban.electronic_str().to_owned()),
        Err(iban::ParseIbanError::InvalidBaseIban { source }) => Err(match source {
            iban::ParseBaseIbanError::InvalidChecksum => {
                "is not an IBAN: its check digits do not match (ISO 13616 mod 97)".to_owned()
            }
            iban::ParseBaseIbanError::InvalidFormat => {
                "is not an IBAN: two letters, two check digits, then up to 30 letters and digits"
                    .to_owned()
            }
        }),
        Err(iban::ParseIbanError::InvalidBban(_)) => Err(
            "is not an IBAN: the account part does not have its country's length and format".into(),
        ),
        // Countries outside SWIFT's registry that use IBANs nationally (Angola, Burkina Faso
        // …) and territories under another country's format (Åland under Finland's): the
        // ISO 13616 check digits are verified, the national format is not known.
        Err(iban::ParseIbanError::UnknownCountry(base)) => {
            if CountryCode::from_alpha2(base.country_code()).is_some() {
                Ok(base.electronic_str().to_owned())
            } else {
                Err(format!(
                    "is not an IBAN: {:?} is not an ISO 3166-1 alpha-2 country",
                    base.country_code()
                ))
            }
        }
    }
}

/// A BIC (ISO 9362:2014): institution (4 letters or digits), ISO country, location, optional
/// branch; 8 characters are the head office (`XXX`).
pub fn bic(raw: &str) -> Result<String, String> {
    let bic: String = raw
        .trim()
        .to_ascii_uppercase()
        .chars()
        .filter(|c| *c != ' ')
        .collect();
    let bytes = bic.as_bytes();
    if !(bytes.len() == 8 || bytes.len() == 11) {
        return Err("is not a BIC: 8 or 11 letters and digits".into());
    }
    if !bytes.iter().all(u8::is_ascii_alphanumeric) {
        return Err("is not a BIC: only letters and digits".into());
    }
    // ISO 9362:2014 lets the institution's four characters be letters or digits.
    if !bytes[4..6].iter().all(u8::is_ascii_alphabetic) {
        return Err("is not a BIC: characters 5 and 6 are the country's two letters".into());
    }
    if CountryCode::from_alpha2(&bic[4..6]).is_none() && &bic[4..6] != "XK" {
        return Err(format!(
            "is not a BIC: {:?} is not an ISO 3166-1 alpha-2 country",
            &bic[4..6]
        ));
    }
    Ok(if bic.len() == 8 {
        format!("{bic}XXX")
    } else {
        bic
    })
}

/// A key for text that should match across spelling: letters and digits only, diacritics and
/// scripts folded to ASCII, upper case, words in order with one space.
pub fn text_key(raw: &str) -> String {
    let folded = palermo_names::to_latin(raw);
    let mut out = String::with_capacity(folded.len());
    for word in folded
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
    {
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(&word.to_ascii_uppercase());
    }
    out
}

/// Legal-form words that do not tell one organisation from another.
const LEGAL_FORMS: &[&str] = &[
    "LTD", "LIMITED", "LLC", "INC", "CORP", "CO", "GMBH", "AG", "SA", "SARL", "SAS", "SRL", "SPA",
    "BV", "NV", "OOO", "PLC", "SP", "ZOO", "KFT", "AB", "AS", "OY",
];

/// An organisation's name as matching reads it: [`text_key`] without legal forms, with the
/// country.
pub fn organisation_key(name: &str, country: Option<CountryCode>) -> String {
    let key = text_key(name);
    let words: Vec<&str> = key
        .split(' ')
        .filter(|w| !LEGAL_FORMS.contains(w))
        .collect();
    let words = if words.is_empty() {
        key.split(' ').collect()
    } else {
        words
    };
    format!(
        "{}|{}",
        country.map_or("", CountryCode::as_str),
        words.join(" ")
    )
}

/// An address as matching reads it: country, postcode without spaces, street and city keys.
pub fn address_key(
    country: CountryCode,
    postcode: Option<&str>,
    street: Option<&str>,
    city: Option<&str>,
) -> String {
    let postcode: String = postcode
        .unwrap_or("")
        .chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .collect::<String>()
        .to_ascii_uppercase();
    format!(
        "{}|{}|{}|{}",
        country.as_str(),
        postcode,
        street.map(text_key).unwrap_or_default(),
        city.map(text_key).unwrap_or_default()
    )
}

/// An identifier of `kind` (`phone`, `email`, `handle:PLATFORM`, `iban`, `bic`) normalised as
/// a case report's is, with a phone's extension apart: what `palermo case identifier` prints
/// and the test tooling holds against other implementations.
pub fn normalise(
    kind: &str,
    value: &str,
    region: Option<CountryCode>,
) -> Result<(String, Option<String>), String> {
    match kind {
        "phone" => phone(value, region).map(|p| (p.e164, p.extension)),
        "email" => email(value).map(|e| (e, None)),
        "iban" => iban(value).map(|i| (i, None)),
        "bic" => bic(value).map(|b| (b, None)),
        _ => match kind.strip_prefix("handle:") {
            Some(platform) if super::vocab::PLATFORM.contains(platform) => {
                handle(platform, value).map(|h| (h, None))
            }
            _ => Err(format!(
                "{kind:?} is not a kind of identifier: phone, email, iban, bic or handle:PLATFORM ({})",
                super::vocab::PLATFORM
                    .codes()
                    .collect::<Vec<_>>()
                    .join(", ")
            )),
        },
    }
}
