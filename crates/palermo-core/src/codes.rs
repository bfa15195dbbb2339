//! Enumerated codes of the records: document types, statuses, visibility.

use serde::Serialize;

/// Folds a code name for comparison: lower case, with spaces, hyphens and apostrophes ignored.
/// Compares code names ignoring case, spaces, hyphens, underscores and apostrophes, without
/// allocating (imports parse two codes per row).
fn same_name(text: &str, name: &str) -> bool {
    folded(text).eq(folded(name))
}

fn folded(text: &str) -> impl Iterator<Item = char> + '_ {
    text.chars()
        .filter(|c| !matches!(c, ' ' | '-' | '_' | '\'' | '’'))
        .flat_map(char::to_lowercase)
}

macro_rules! named_codes {
    ($(#[$meta:meta])* $name:ident { $($variant:ident => $text:literal $(| $alias:literal)*),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, utoipa::ToSchema)]
        #[serde(rename_all = "snake_case")]
        pub enum $name { $($variant),+ }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $text),+ }
            }

            /// Parses the name in any case, ignoring spaces, hyphens and underscores.
            pub fn parse_name(text: &str) -> Option<$name> {
                $(
                    if same_name(text, $text) $(|| same_name(text, $alias))* {
                        return Some($name::$variant);
                    }
                )+
                None
            }

            pub fn names() -> String {
                [$($text),+].join(", ")
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}

named_codes! {
    /// The kind of a travel document.
    DocumentType {
        Passport => "passport",
        IdCard => "id_card" | "identity card" | "identity_card",
        Visa => "visa",
        ResidencePermit => "residence_permit",
        SeafarersBook => "seafarers_book" | "seafarer's book" | "seafarer_book",
        Other => "other",
    }
}

impl DocumentType {
    /// Accepts a name or an ICAO 9303 document code: `P` (passports, and two-letter codes
    /// starting with P such as `PD`), `I`, `A`, `C` (identity documents of TD1/TD2 size, and
    /// two-letter codes starting with them) and `V` (visas).
    pub fn parse(text: &str) -> Option<DocumentType> {
        let trimmed = text.trim();
        if (1..=2).contains(&trimmed.len()) && trimmed.chars().all(|c| c.is_ascii_alphabetic()) {
            let upper = trimmed.to_ascii_uppercase();
            let second = upper.as_bytes().get(1).copied();
            if second.is_none_or(|c| c.is_ascii_uppercase()) {
                return match upper.as_bytes()[0] {
                    b'P' => Some(DocumentType::Passport),
                    b'I' | b'A' | b'C' => Some(DocumentType::IdCard),
                    b'V' => Some(DocumentType::Visa),
                    _ => None,
                };
            }
        }
        DocumentType::parse_name(trimmed)
    }
}

named_codes! {
    /// Why a travel document is in the database.
    DocumentStatus {
        Stolen => "stolen",
        Lost => "lost",
        Revoked => "revoked",
        Invalidated => "invalidated",
        StolenBlank => "stolen_blank",
    }
}

named_codes! {
    /// Why a vehicle is in the database.
    VehicleStatus {
        Stolen => "stolen",
        Misappropriated => "misappropriated" | "embezzled",
        Lost => "lost",
    }
}

named_codes! {
    /// Who may see a record besides its owner.
    Visibility {
        All => "all",
        Only => "only",
        Except => "except" | "all_but",
    }
}

/// How a record may be used, in the style of Europol's handling codes.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, utoipa::ToSchema)]
pub enum HandlingCode {
    /// No restriction on use.
    #[default]
    H0,
    /// Not to be used as evidence in judicial proceedings without the owner's permission.
    H1,
    /// Not to be passed on without the owner's permission: partner organisations do not
    /// see it.
    H2,
    /// Other restrictions, stated in the handling note; partners do not see it.
    H3,
}

impl HandlingCode {
    pub const ALL: [HandlingCode; 4] = [
        HandlingCode::H0,
        HandlingCode::H1,
        HandlingCode::H2,
        HandlingCode::H3,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            HandlingCode::H0 => "H0",
            HandlingCode::H1 => "H1",
            HandlingCode::H2 => "H2",
            HandlingCode::H3 => "H3",
        }
    }

    pub fn parse_name(text: &str) -> Option<HandlingCode> {
        HandlingCode::ALL
            .into_iter()
            .find(|code| code.as_str().eq_ignore_ascii_case(text.trim()))
    }

    /// Whether partner organisations may see a record with this code.
    pub fn shared_with_partners(self) -> bool {
        self <= HandlingCode::H1
    }
}

impl Serialize for HandlingCode {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn document_types_accept_names_and_icao_codes() {
        let check = |text: &str, expected: Option<DocumentType>| {
            assert_eq!(DocumentType::parse(text), expected, "{text}");
        };
        check("passport", Some(DocumentType::Passport));
        check("PASSPORT", Some(DocumentType::Passport));
        check("P", Some(DocumentType::Passport));
        check("pd", Some(DocumentType::Passport));
        check("I", Some(DocumentType::IdCard));
        check("A", Some(DocumentType::IdCard));
        check("C", Some(DocumentType::IdCard));
        check("V", Some(DocumentType::Visa));
        check("ID card", Some(DocumentType::IdCard));
        check("Seafarer's book", Some(DocumentType::SeafarersBook));
        check("residence-permit", Some(DocumentType::ResidencePermit));
        check("X", None);
        check("", None);
        check("passports", None);
    }

    #[test]
    fn statuses_are_case_insensitive() {
        assert_eq!(
            DocumentStatus::parse_name("Stolen Blank"),
            Some(DocumentStatus::StolenBlank)
        );
        assert_eq!(
            DocumentStatus::parse_name("LOST"),
            Some(DocumentStatus::Lost)
        );
        assert_eq!(DocumentStatus::parse_name("found"), None);
        assert_eq!(
            VehicleStatus::parse_name("Stolen"),
            Some(VehicleStatus::Stolen)
        );
    }
}
