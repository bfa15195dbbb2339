//! Who may do what, and who may see what: organisations, roles, the permissions roles and API
//! key scopes grant, and the visibility rule every read passes.
//!
//! Two questions, kept apart. *May the caller do this?* is answered by permissions (from the
//! user's roles, or the key's scopes). *May the caller see this record?* is answered by the
//! record's owner and restriction and the caller's organisation. The hub asks both, once, for
//! every use case; nothing here does I/O.

use std::fmt;

use crate::{CountryCode, HandlingCode, Restriction};

/// The kind of organisation a user or key belongs to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum OrgKind {
    /// A member country's national bureau: owns that country's records.
    Member,
    /// The hub's secretariat: reviews records and sees them all.
    Secretariat,
    /// A partner organisation (a regional agency, an international organisation, an NGO):
    /// sees only records their owners left unrestricted.
    Partner,
}

impl OrgKind {
    pub const ALL: [OrgKind; 3] = [OrgKind::Member, OrgKind::Secretariat, OrgKind::Partner];

    pub fn as_str(self) -> &'static str {
        match self {
            OrgKind::Member => "member",
            OrgKind::Secretariat => "secretariat",
            OrgKind::Partner => "partner",
        }
    }

    pub fn parse(text: &str) -> Option<OrgKind> {
        OrgKind::ALL.into_iter().find(|kind| kind.as_str() == text)
    }

    /// Every permission an organisation of this kind may hold, whoever grants it: the bound
    /// on its keys' scopes and on what its people's roles give. A partner never reads records
    /// or the audit trail; only the secretariat reviews; only member bureaus own records.
    pub fn permissions_allowed(self) -> Permissions {
        use Permissions as P;
        let common = P::CHECK | P::MESSAGES;
        match self {
            OrgKind::Member => {
                common
                    | P::READ_RECORDS
                    | P::WRITE_RECORDS
                    | P::HITS
                    | P::READ_AUDIT
                    | P::ADMINISTER
            }
            OrgKind::Secretariat => {
                common | P::READ_RECORDS | P::HITS | P::REVIEW | P::READ_AUDIT | P::ADMINISTER
            }
            OrgKind::Partner => common,
        }
    }
}

/// Longest organisation code.
pub const ORG_CODE_MAX: usize = 16;

/// An organisation's code: a member bureau's ISO 3166 alpha-3 country code (`DEU`), or a short
/// upper-case name for the secretariat and partners (`SECRETARIAT`, `EUROPOL`). Stored inline
/// so that a caller stays `Copy`.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct OrgCode {
    len: u8,
    bytes: [u8; ORG_CODE_MAX],
}

impl OrgCode {
    /// 2 to 16 of `A-Z`, `0-9` and `-`, starting with a letter.
    pub fn parse(text: &str) -> Result<OrgCode, String> {
        let text = text.trim();
        let valid = (2..=ORG_CODE_MAX).contains(&text.len())
            && text.as_bytes()[0].is_ascii_uppercase()
            && text
                .bytes()
                .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'-');
        if !valid {
            return Err(format!(
                "{text:?} is not an organisation code: 2 to {ORG_CODE_MAX} of A-Z, 0-9 and -, \
                 starting with a letter"
            ));
        }
        let mut bytes = [0; ORG_CODE_MAX];
        bytes[..text.len()].copy_from_slice(text.as_bytes());
        Ok(OrgCode {
            len: text.len() as u8,
            bytes,
        })
    }

    pub fn of_country(country: CountryCode) -> OrgCode {
        OrgCode::parse(country.as_str()).expect("country codes are valid organisation codes")
    }

    pub fn as_str(&self) -> &str {
        std::str::from_utf8(&self.bytes[..usize::from(self.len)])
            .expect("only ASCII is ever stored")
    }
}

impl fmt::Debug for OrgCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "OrgCode({})", self.as_str())
    }
}

impl fmt::Display for OrgCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The permissions a caller holds, as a set.
#[derive(Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct Permissions(u16);

macro_rules! permissions {
    ($($name:ident = $bit:expr, $scope:literal, $doc:literal;)*) => {
        impl Permissions {
            $(#[doc = $doc] pub const $name: Permissions = Permissions(1 << $bit);)*
            /// Every permission with its API-key scope name.
            pub const NAMED: &[(Permissions, &str)] = &[$((Permissions::$name, $scope)),*];
        }
    };
}

permissions! {
    CHECK = 0, "check", "Check documents, vehicles and persons.";
    READ_RECORDS = 1, "records:read", "Read records in full.";
    WRITE_RECORDS = 2, "records:write", "Create, change and withdraw the organisation's records.";
    HITS = 3, "hits", "See and answer hits on the organisation's records and checks.";
    MESSAGES = 4, "messages", "Send and read messages.";
    REVIEW = 5, "review", "Review any record (the secretariat).";
    READ_AUDIT = 6, "audit", "Read and export the audit trail.";
    ADMINISTER = 7, "admin", "Manage organisations, users and keys.";
}

impl Permissions {
    pub const NONE: Permissions = Permissions(0);

    pub const fn union(self, other: Permissions) -> Permissions {
        Permissions(self.0 | other.0)
    }

    pub fn contains(self, other: Permissions) -> bool {
        self.0 & other.0 == other.0
    }

    /// The permissions in both sets.
    pub const fn intersection(self, other: Permissions) -> Permissions {
        Permissions(self.0 & other.0)
    }

    /// The permissions in `self` but not in `other`.
    pub const fn difference(self, other: Permissions) -> Permissions {
        Permissions(self.0 & !other.0)
    }

    pub fn all() -> Permissions {
        Permissions::NAMED
            .iter()
            .fold(Permissions::NONE, |all, (permission, _)| all | *permission)
    }

    /// Parses API-key scopes such as `check,records:read`.
    pub fn parse_scopes(text: &str) -> Result<Permissions, String> {
        let mut permissions = Permissions::NONE;
        for scope in text.split(',').map(str::trim).filter(|s| !s.is_empty()) {
            let Some((permission, _)) = Permissions::NAMED.iter().find(|(_, name)| *name == scope)
            else {
                let known: Vec<&str> = Permissions::NAMED.iter().map(|(_, name)| *name).collect();
                return Err(format!(
                    "unknown scope {scope:?}; known: {}",
                    known.join(", ")
                ));
            };
            permissions = permissions | *permission;
        }
        if permissions == Permissions::NONE {
            return Err("give at least one scope".to_owned());
        }
        Ok(permissions)
    }

    /// The scope names, comma-separated, in a fixed order.
    pub fn scopes(self) -> String {
        Permissions::NAMED
            .iter()
            .filter(|(permission, _)| self.contains(*permission))
            .map(|(_, name)| *name)
            .collect::<Vec<_>>()
            .join(",")
    }
}

impl std::ops::BitOr for Permissions {
    type Output = Permissions;
    fn bitor(self, other: Permissions) -> Permissions {
        Permissions(self.0 | other.0)
    }
}

impl fmt::Debug for Permissions {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Permissions({})", self.scopes())
    }
}

/// A person's role. Roles grant permissions; an organisation's kind limits which roles its
/// people may hold.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Role {
    /// Checks only: the border officer.
    Frontline,
    /// The national bureau's operator: own country's records, hits, messages.
    Operator,
    /// The secretariat's reviewer: reads every record.
    Reviewer,
    Analyst,
    /// Reads the audit trail, nothing else.
    Auditor,
    /// Manages organisations, users and keys; sees no records.
    Administrator,
    /// A partner organisation's user: checks and messages.
    Partner,
}

impl Role {
    pub const ALL: [Role; 7] = [
        Role::Frontline,
        Role::Operator,
        Role::Reviewer,
        Role::Analyst,
        Role::Auditor,
        Role::Administrator,
        Role::Partner,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Frontline => "frontline",
            Role::Operator => "operator",
            Role::Reviewer => "reviewer",
            Role::Analyst => "analyst",
            Role::Auditor => "auditor",
            Role::Administrator => "administrator",
            Role::Partner => "partner",
        }
    }

    pub fn parse(text: &str) -> Result<Role, String> {
        Role::ALL
            .into_iter()
            .find(|role| role.as_str() == text.trim())
            .ok_or_else(|| {
                let known: Vec<&str> = Role::ALL.iter().map(|role| role.as_str()).collect();
                format!("unknown role {text:?}; known: {}", known.join(", "))
            })
    }

    /// The role table: what each role may do.
    pub fn permissions(self) -> Permissions {
        use Permissions as P;
        match self {
            Role::Frontline => P::CHECK,
            Role::Operator => P::CHECK | P::READ_RECORDS | P::WRITE_RECORDS | P::HITS | P::MESSAGES,
            Role::Reviewer => P::CHECK | P::READ_RECORDS | P::REVIEW | P::HITS | P::MESSAGES,
            Role::Analyst => P::CHECK | P::READ_RECORDS,
            Role::Auditor => P::READ_AUDIT,
            Role::Administrator => P::ADMINISTER,
            Role::Partner => P::CHECK | P::MESSAGES,
        }
    }

    /// Which organisations' people may hold the role.
    pub fn allowed_in(self, kind: OrgKind) -> bool {
        match self {
            Role::Frontline | Role::Operator => kind == OrgKind::Member,
            Role::Reviewer => kind == OrgKind::Secretariat,
            Role::Analyst | Role::Auditor => kind != OrgKind::Partner,
            Role::Administrator => kind != OrgKind::Partner,
            Role::Partner => kind == OrgKind::Partner,
        }
    }

    /// Parses a comma-separated list of roles.
    pub fn parse_list(text: &str) -> Result<Vec<Role>, String> {
        let mut roles = Vec::new();
        for part in text.split(',').filter(|part| !part.trim().is_empty()) {
            let role = Role::parse(part)?;
            if !roles.contains(&role) {
                roles.push(role);
            }
        }
        if roles.is_empty() {
            return Err("give at least one role".to_owned());
        }
        roles.sort();
        Ok(roles)
    }

    pub fn permissions_of(roles: &[Role]) -> Permissions {
        roles
            .iter()
            .fold(Permissions::NONE, |all, role| all | role.permissions())
    }
}

/// What the visibility rule reads of a record: its owner, restriction and handling code.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct RecordAccess {
    pub owner: CountryCode,
    pub restriction: Restriction,
    pub handling: HandlingCode,
}

impl RecordAccess {
    pub fn of(meta: &crate::RecordMeta) -> RecordAccess {
        RecordAccess {
            owner: meta.owner,
            restriction: meta.restriction.clone(),
            handling: meta.handling,
        }
    }
}

/// The organisation a reader belongs to, as far as visibility is concerned.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Viewpoint {
    pub kind: OrgKind,
    /// The member country, for a member bureau.
    pub country: Option<CountryCode>,
}

impl Viewpoint {
    pub fn member(country: CountryCode) -> Viewpoint {
        Viewpoint {
            kind: OrgKind::Member,
            country: Some(country),
        }
    }

    /// The visibility rule: an owner sees its records; the secretariat sees every record;
    /// another member sees what the owner's restriction lets it see; a partner sees only
    /// unrestricted records that their handling code lets be passed on (H0, H1).
    pub fn may_see(
        &self,
        owner: CountryCode,
        restriction: &Restriction,
        handling: HandlingCode,
    ) -> bool {
        match (self.kind, self.country) {
            (OrgKind::Secretariat, _) => true,
            (OrgKind::Member, Some(country)) => restriction.visible_to(owner, country),
            (OrgKind::Member, None) => false,
            (OrgKind::Partner, _) => {
                *restriction == Restriction::All && handling.shared_with_partners()
            }
        }
    }

    /// [`Viewpoint::may_see`] of a record's access.
    pub fn may_see_record(&self, access: &RecordAccess) -> bool {
        self.may_see(access.owner, &access.restriction, access.handling)
    }

    /// Whether the reader owns records of `owner`.
    pub fn owns(&self, owner: CountryCode) -> bool {
        self.kind == OrgKind::Member && self.country == Some(owner)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn c(code: &str) -> CountryCode {
        CountryCode::parse(code).unwrap()
    }

    #[test]
    fn org_codes_are_checked() {
        assert_eq!(OrgCode::parse(" EUROPOL ").unwrap().as_str(), "EUROPOL");
        for bad in [
            "",
            "E",
            "europol",
            "1ABC",
            "A B",
            "ABCDEFGHIJKLMNOPQ",
            "DÉU",
        ] {
            assert!(OrgCode::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn scopes_round_trip_and_refuse_unknown_names() {
        let scopes = Permissions::parse_scopes("records:read, check").unwrap();
        assert_eq!(scopes.scopes(), "check,records:read");
        assert!(scopes.contains(Permissions::CHECK));
        assert!(!scopes.contains(Permissions::WRITE_RECORDS));
        assert!(Permissions::parse_scopes("check,root").is_err());
        assert!(Permissions::parse_scopes(" , ").is_err());
        assert_eq!(
            Permissions::parse_scopes(&Permissions::all().scopes()).unwrap(),
            Permissions::all()
        );
    }

    #[test]
    fn roles_separate_duties() {
        let admin = Role::Administrator.permissions();
        assert!(!admin.contains(Permissions::READ_RECORDS));
        assert!(!admin.contains(Permissions::READ_AUDIT));
        assert!(!Role::Auditor.permissions().contains(Permissions::CHECK));
        assert!(
            !Role::Frontline
                .permissions()
                .contains(Permissions::READ_RECORDS)
        );
        assert!(!Role::Operator.allowed_in(OrgKind::Partner));
        assert!(Role::Partner.allowed_in(OrgKind::Partner));
        assert_eq!(
            Role::parse_list("operator,frontline,operator").unwrap(),
            vec![Role::Frontline, Role::Operator]
        );
        assert!(Role::parse_list("operator,god").is_err());
    }

    #[test]
    fn no_role_grants_more_than_its_organisation_kind_allows() {
        for kind in OrgKind::ALL {
            for role in Role::ALL.into_iter().filter(|role| role.allowed_in(kind)) {
                assert!(
                    kind.permissions_allowed().contains(role.permissions()),
                    "{role:?} in a {kind:?}"
                );
            }
        }
        let partner = OrgKind::Partner.permissions_allowed();
        for forbidden in [
            Permissions::READ_RECORDS,
            Permissions::READ_AUDIT,
            Permissions::REVIEW,
            Permissions::ADMINISTER,
            Permissions::WRITE_RECORDS,
        ] {
            assert!(!partner.contains(forbidden), "{forbidden:?}");
        }
        assert!(
            !OrgKind::Member
                .permissions_allowed()
                .contains(Permissions::REVIEW)
        );
        let scopes = Permissions::parse_scopes("check,review,audit").unwrap();
        assert_eq!(
            scopes
                .difference(OrgKind::Member.permissions_allowed())
                .scopes(),
            "review"
        );
        assert_eq!(
            scopes
                .intersection(OrgKind::Partner.permissions_allowed())
                .scopes(),
            "check"
        );
    }

    #[test]
    fn visibility_follows_owner_restriction_and_organisation() {
        let only_fra = Restriction::Only(vec![c("FRA")]);
        let except_fra = Restriction::Except(vec![c("FRA")]);
        let deu = Viewpoint::member(c("DEU"));
        let fra = Viewpoint::member(c("FRA"));
        let secretariat = Viewpoint {
            kind: OrgKind::Secretariat,
            country: None,
        };
        let partner = Viewpoint {
            kind: OrgKind::Partner,
            country: None,
        };
        let h0 = HandlingCode::H0;
        assert!(
            deu.may_see(c("DEU"), &only_fra, h0),
            "the owner sees its own"
        );
        assert!(fra.may_see(c("DEU"), &only_fra, h0));
        assert!(!fra.may_see(c("DEU"), &except_fra, h0));
        assert!(secretariat.may_see(c("DEU"), &except_fra, HandlingCode::H3));
        assert!(partner.may_see(c("DEU"), &Restriction::All, h0));
        assert!(partner.may_see(c("DEU"), &Restriction::All, HandlingCode::H1));
        assert!(!partner.may_see(c("DEU"), &Restriction::All, HandlingCode::H2));
        assert!(fra.may_see(c("DEU"), &Restriction::All, HandlingCode::H3));
        assert!(!partner.may_see(c("DEU"), &except_fra, h0));
        assert!(deu.owns(c("DEU")) && !fra.owns(c("DEU")) && !secretariat.owns(c("DEU")));
    }
}
