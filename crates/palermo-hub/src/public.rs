//! Public extracts: what a published Red, Yellow or UN notice shows the world when its owner
//! consented (`public_extract`). The extract is made here, from the notice and its person,
//! and holds only public fields; the public endpoints serve nothing else. Searches read an
//! in-memory list kept in step with every move and every change of the person, never the
//! database.

use std::collections::BTreeMap;
use std::sync::Arc;

use palermo_core::notice::{NoticeInput, NoticeKind, RequestKind};
use palermo_core::person::PartialDate;
use palermo_core::{CountryCode, Person};
use palermo_store::{Store, StoredNotice};

use crate::{Hub, HubError, Result};

/// At most this many records of one search are ever reachable, as with the public service:
/// later pages are the last reachable one.
pub const PUBLIC_REACHABLE_MAX: usize = 160;
pub const PUBLIC_PAGE_DEFAULT: usize = 20;

/// The public lists: `/notices/v1/red`, `/yellow`, `/un/persons`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum PublicKind {
    Red,
    Yellow,
    UnPersons,
}

impl PublicKind {
    /// The path segment of the list (`red`, `yellow`, `un/persons`).
    pub fn path(self) -> &'static str {
        match self {
            PublicKind::Red => "red",
            PublicKind::Yellow => "yellow",
            PublicKind::UnPersons => "un/persons",
        }
    }

    fn of(kind: RequestKind) -> Option<PublicKind> {
        match kind {
            RequestKind::Notice(NoticeKind::Red) => Some(PublicKind::Red),
            RequestKind::Notice(NoticeKind::Yellow) => Some(PublicKind::Yellow),
            RequestKind::Notice(NoticeKind::UnPersons) => Some(PublicKind::UnPersons),
            _ => None,
        }
    }

    /// The list's search parameters, besides `page` and `resultPerPage`, in the order the
    /// links carry them.
    pub fn filters(self) -> &'static [&'static str] {
        match self {
            PublicKind::Red => &[
                "forename",
                "name",
                "nationality",
                "ageMin",
                "ageMax",
                "sexId",
                "arrestWarrantCountryId",
                "freeText",
            ],
            PublicKind::Yellow => &[
                "forename",
                "name",
                "nationality",
                "ageMin",
                "ageMax",
                "sexId",
                "freeText",
            ],
            PublicKind::UnPersons => &[
                "forename",
                "name",
                "nationality",
                "unReference",
                "unResolution",
            ],
        }
    }
}

/// A charge of a Red notice as published.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PublicWarrant {
    pub charge: String,
    /// ISO 3166-1 alpha-2.
    pub issuing_country_id: Option<&'static str>,
}

/// One public extract: every field the public service shows, nothing else.
#[derive(Clone, Debug, PartialEq)]
pub struct Extract {
    pub notice_id: i64,
    pub kind: PublicKind,
    /// `2026/12`; in paths `2026-12`.
    pub entity_id: String,
    pub forename: Option<String>,
    pub name: Option<String>,
    /// `YYYY/MM/DD`, `YYYY/MM` or `YYYY`.
    pub date_of_birth: Option<String>,
    /// ISO 3166-1 alpha-2.
    pub nationalities: Vec<&'static str>,
    pub sex_id: Option<&'static str>,
    pub place_of_birth: Option<String>,
    pub country_of_birth_id: Option<&'static str>,
    pub languages_spoken_ids: Vec<String>,
    pub distinguishing_marks: Option<String>,
    pub arrest_warrants: Vec<PublicWarrant>,
    /// Yellow: when, where and in which country (alpha-2) the person disappeared.
    pub date_of_event: Option<String>,
    pub place: Option<String>,
    pub country: Option<&'static str>,
    /// Yellow: the name at birth, when the person is known by another.
    pub birth_name: Option<String>,
    /// UN: the listing's reference, the resolution (committee) and the request's summary.
    pub un_reference: Option<String>,
    pub un_resolution: Option<i64>,
    pub summary: Option<String>,
    /// Other names: `(name, forename)`.
    pub aliases: Vec<(Option<String>, Option<String>)>,
    /// The person's photos, the first the thumbnail.
    pub pictures: Vec<i64>,
    /// The person of the persons database (never shown: a public extract names no record).
    person_id: Option<i64>,
    birth: Option<PartialDate>,
    /// Upper-case text the free-text search reads.
    free_text: String,
}

/// A page of a public search.
#[derive(Clone, Debug)]
pub struct PublicPage {
    pub total: usize,
    pub page: usize,
    pub result_per_page: usize,
    /// The last page reachable ([`PUBLIC_REACHABLE_MAX`]).
    pub last_page: usize,
    /// The filters given, as given, in the links' order.
    pub filters: Vec<(&'static str, String)>,
    pub notices: Vec<Arc<Extract>>,
}

/// A bad parameter of a public search: the public service's own wording of a 400.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PublicRefusal {
    pub parameter: &'static str,
    pub message: String,
}

/// What a search reads of an extract, laid out in line so that a scan of a list's tens of
/// thousands of entries reads one contiguous array (the extract itself is read only for the
/// page's entries).
struct Facet {
    nationalities: [[u8; 2]; 3],
    /// `M`, `F`, or 0 when unknown.
    sex: u8,
    /// `YYYYMMDD`, an unknown month or day as 01; 0 when the birth date is unknown.
    birth: u32,
    warrant_countries: [[u8; 2]; 3],
    un_resolution: Option<i64>,
    forename: Option<Box<str>>,
    name: Option<Box<str>>,
    free_text: Box<str>,
    un_reference: Option<Box<str>>,
}

fn two_bytes(code: &str) -> [u8; 2] {
    match code.as_bytes() {
        [a, b] => [*a, *b],
        _ => [0, 0],
    }
}

fn alpha2_bytes<'a>(codes: impl Iterator<Item = &'a str>) -> [[u8; 2]; 3] {
    let mut out = [[0u8; 2]; 3];
    for (slot, code) in out.iter_mut().zip(codes) {
        if let [a, b] = code.as_bytes() {
            *slot = [*a, *b];
        }
    }
    out
}

fn pack(year: i32, month: u8, day: u8) -> u32 {
    (year.max(0) as u32) * 10_000 + u32::from(month) * 100 + u32::from(day)
}

impl Facet {
    fn of(extract: &Extract) -> Facet {
        Facet {
            nationalities: alpha2_bytes(extract.nationalities.iter().copied()),
            sex: extract.sex_id.map_or(0, |s| s.as_bytes()[0]),
            birth: extract.birth.map_or(0, |b| {
                pack(b.year, b.month.unwrap_or(1), b.day.unwrap_or(1))
            }),
            warrant_countries: alpha2_bytes(
                extract
                    .arrest_warrants
                    .iter()
                    .filter_map(|w| w.issuing_country_id),
            ),
            un_resolution: extract.un_resolution,
            forename: extract.forename.as_deref().map(Box::from),
            name: extract.name.as_deref().map(Box::from),
            free_text: extract.free_text.as_str().into(),
            un_reference: extract.un_reference.as_deref().map(Box::from),
        }
    }
}

#[derive(Default)]
pub(crate) struct PublicIndex {
    /// Newest first within each list.
    lists: BTreeMap<PublicKind, Vec<(Facet, Arc<Extract>)>>,
}

fn upper(text: &str) -> String {
    text.trim().to_uppercase()
}

fn slash_date(date: &PartialDate) -> String {
    match (date.month, date.day, date.year_to) {
        (_, _, Some(_)) | (None, _, _) => format!("{:04}", date.year),
        (Some(month), None, _) => format!("{:04}/{month:02}", date.year),
        (Some(month), Some(day), _) => format!("{:04}/{month:02}/{day:02}", date.year),
    }
}

fn iso_slash(date: time::Date) -> String {
    format!(
        "{:04}/{:02}/{:02}",
        date.year(),
        u8::from(date.month()),
        date.day()
    )
}

/// The extract of a published notice of `kind` about `person` with these photos.
fn extract(
    stored: &StoredNotice,
    kind: PublicKind,
    input: &NoticeInput,
    person: Option<&Person>,
    pictures: Vec<i64>,
) -> Extract {
    let primary = person.and_then(|p| {
        p.names
            .iter()
            .find(|n| n.kind == "primary")
            .or(p.names.first())
    });
    let (forename, name) = match primary {
        Some(n) if n.given.is_some() || n.family.is_some() => (
            n.given.as_deref().map(upper),
            n.family.as_deref().map(upper),
        ),
        Some(n) => (None, Some(upper(&n.full))),
        None => (None, None),
    };
    let aliases = person
        .map(|p| {
            p.names
                .iter()
                .filter(|n| !std::ptr::eq(*n, primary.unwrap_or(*n)) && n.kind != "maiden")
                .map(|n| match (&n.given, &n.family) {
                    (None, None) => (Some(upper(&n.full)), None),
                    (given, family) => (family.as_deref().map(upper), given.as_deref().map(upper)),
                })
                .collect()
        })
        .unwrap_or_default();
    let birth_name = person
        .and_then(|p| p.names.iter().find(|n| n.kind == "maiden"))
        .map(|n| upper(&n.full));
    let alpha2 = |code: CountryCode| code.alpha2();
    let arrest_warrants: Vec<PublicWarrant> = if kind == PublicKind::Red {
        input
            .warrants
            .iter()
            .filter_map(|w| {
                Some(PublicWarrant {
                    charge: w.charge.as_deref()?.trim().to_owned(),
                    issuing_country_id: w
                        .issuing_country
                        .as_deref()
                        .and_then(|c| CountryCode::parse(c.trim()))
                        .and_then(alpha2),
                })
            })
            .collect()
    } else {
        Vec::new()
    };
    let disappearance = input
        .disappearance
        .as_ref()
        .filter(|_| kind == PublicKind::Yellow);
    let sanctions = input
        .sanctions
        .as_ref()
        .filter(|_| kind == PublicKind::UnPersons);
    let summary = input
        .summary
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty() && kind == PublicKind::UnPersons)
        .map(str::to_owned);
    let created = stored.created_at.date();
    let mut free_text = String::new();
    for part in [&forename, &name].into_iter().flatten() {
        free_text.push_str(part);
        free_text.push(' ');
    }
    for warrant in &arrest_warrants {
        free_text.push_str(&upper(&warrant.charge));
        free_text.push(' ');
    }
    Extract {
        notice_id: stored.id,
        kind,
        entity_id: format!("{}/{}", created.year(), stored.id),
        forename,
        name,
        date_of_birth: person.and_then(|p| p.birth_date.as_ref()).map(slash_date),
        nationalities: person
            .map(|p| p.nationalities.iter().filter_map(|c| c.alpha2()).collect())
            .unwrap_or_default(),
        sex_id: person.and_then(|p| match p.sex {
            'M' => Some("M"),
            'F' => Some("F"),
            _ => None,
        }),
        place_of_birth: person.and_then(|p| p.birth_place.clone()),
        country_of_birth_id: person.and_then(|p| p.birth_country).and_then(alpha2),
        languages_spoken_ids: person.map(|p| p.languages.clone()).unwrap_or_default(),
        distinguishing_marks: person.and_then(|p| p.marks.clone()),
        arrest_warrants,
        date_of_event: disappearance
            .and_then(|d| d.date.as_deref())
            .and_then(|d| palermo_core::date::parse_date(d.trim()).ok())
            .map(iso_slash),
        place: disappearance
            .and_then(|d| d.place.as_deref())
            .map(|p| p.trim().to_owned()),
        country: disappearance
            .and_then(|d| d.country.as_deref())
            .and_then(|c| CountryCode::parse(c.trim()))
            .and_then(alpha2),
        birth_name,
        un_reference: sanctions
            .and_then(|s| s.reference.as_deref())
            .map(|r| r.trim().to_owned()),
        un_resolution: sanctions
            .and_then(|s| s.committee.as_deref())
            .and_then(|c| c.trim().parse().ok()),
        summary,
        aliases,
        pictures,
        person_id: stored.row.person_id,
        birth: person.and_then(|p| p.birth_date),
        free_text,
    }
}

/// A name filter as the public service reads it: a regular expression, any case (`^SMITH$`,
/// `^A.*`, or plain text found anywhere). The forms clients send most (a word, anchored or
/// not) are compared as text, the others run as patterns.
enum NamePattern {
    Exact(String),
    Prefix(String),
    Suffix(String),
    Contains(Box<memchr::memmem::Finder<'static>>),
    Pattern(regex::Regex),
}

impl NamePattern {
    fn parse(
        parameter: &'static str,
        text: &str,
    ) -> std::result::Result<NamePattern, PublicRefusal> {
        let text = text.trim();
        let mut literal = text;
        let anchored = literal.starts_with('^');
        if anchored {
            literal = &literal[1..];
        }
        let mut ended = literal.ends_with('$') && !literal.ends_with("\\$");
        if ended {
            literal = &literal[..literal.len() - 1];
        }
        // `^A.*` and `^A.*$` are prefixes.
        if let Some(rest) = literal.strip_suffix(".*") {
            literal = rest;
            ended = false;
        }
        let plain = !literal.is_empty()
            && !literal.contains([
                '\\', '.', '+', '*', '?', '(', ')', '|', '[', ']', '{', '}', '^', '$',
            ]);
        if plain {
            let upper = literal.to_uppercase();
            return Ok(match (anchored, ended) {
                (true, true) => NamePattern::Exact(upper),
                (true, false) => NamePattern::Prefix(upper),
                (false, true) => NamePattern::Suffix(upper),
                (false, false) => NamePattern::Contains(Box::new(
                    memchr::memmem::Finder::new(upper.as_bytes()).into_owned(),
                )),
            });
        }
        regex::RegexBuilder::new(text)
            .case_insensitive(true)
            .size_limit(1 << 16)
            .dfa_size_limit(1 << 16)
            .build()
            .map(NamePattern::Pattern)
            .map_err(|_| PublicRefusal {
                parameter,
                message: format!("{parameter} is not a valid pattern"),
            })
    }

    /// Whether an upper-case name matches.
    fn matches(&self, name: &str) -> bool {
        match self {
            NamePattern::Exact(text) => name == text,
            NamePattern::Prefix(text) => name.starts_with(text.as_str()),
            NamePattern::Suffix(text) => name.ends_with(text.as_str()),
            NamePattern::Contains(finder) => finder.find(name.as_bytes()).is_some(),
            NamePattern::Pattern(pattern) => pattern.is_match(name),
        }
    }
}

/// A parsed search.
struct Search {
    forename: Option<NamePattern>,
    name: Option<NamePattern>,
    nationality: Option<[u8; 2]>,
    age_min: Option<i32>,
    age_max: Option<i32>,
    sex: Option<u8>,
    warrant_country: Option<[u8; 2]>,
    free_text: Option<memchr::memmem::Finder<'static>>,
    un_reference: Option<String>,
    un_resolution: Option<i64>,
}

/// A search's ages as bounds on the packed birth date, for `today`.
struct Births {
    /// Born on or before (at least `ageMin` years old).
    on_or_before: Option<u32>,
    /// Born after (at most `ageMax` years old).
    after: Option<u32>,
}

impl Search {
    fn births(&self, today: time::Date) -> Births {
        let (month, day) = (u8::from(today.month()), today.day());
        Births {
            on_or_before: self.age_min.map(|min| pack(today.year() - min, month, day)),
            after: self
                .age_max
                .map(|max| pack(today.year() - max - 1, month, day)),
        }
    }

    /// Whether an entry matches: the cheap tests first, the patterns last.
    fn matches(&self, facet: &Facet, births: &Births) -> bool {
        if self
            .nationality
            .is_some_and(|n| !facet.nationalities.contains(&n))
        {
            return false;
        }
        if self.sex.is_some_and(|s| facet.sex != s) {
            return false;
        }
        if self
            .warrant_country
            .is_some_and(|c| !facet.warrant_countries.contains(&c))
        {
            return false;
        }
        if (births.on_or_before.is_some() || births.after.is_some())
            && (facet.birth == 0
                || births.on_or_before.is_some_and(|bound| facet.birth > bound)
                || births.after.is_some_and(|bound| facet.birth <= bound))
        {
            return false;
        }
        if self
            .un_resolution
            .is_some_and(|resolution| facet.un_resolution != Some(resolution))
        {
            return false;
        }
        if let Some(reference) = &self.un_reference
            && !facet
                .un_reference
                .as_deref()
                .is_some_and(|r| r.eq_ignore_ascii_case(reference))
        {
            return false;
        }
        if let Some(finder) = &self.free_text
            && finder.find(facet.free_text.as_bytes()).is_none()
        {
            return false;
        }
        let text_matches = |pattern: &Option<NamePattern>, value: &Option<Box<str>>| match pattern {
            None => true,
            Some(pattern) => value.as_deref().is_some_and(|v| pattern.matches(v)),
        };
        text_matches(&self.forename, &facet.forename) && text_matches(&self.name, &facet.name)
    }
}

fn number(
    parameter: &'static str,
    text: &str,
    min: i64,
    max: i64,
) -> std::result::Result<i64, PublicRefusal> {
    text.trim()
        .parse::<i64>()
        .ok()
        .filter(|n| (min..=max).contains(n))
        .ok_or_else(|| PublicRefusal {
            parameter,
            message: format!("{parameter} must be a whole number from {min} to {max}"),
        })
}

fn alpha2_country(
    parameter: &'static str,
    text: &str,
) -> std::result::Result<&'static str, PublicRefusal> {
    CountryCode::from_alpha2(text.trim())
        .and_then(CountryCode::alpha2)
        .ok_or_else(|| PublicRefusal {
            parameter,
            message: format!("{parameter} must be an ISO 3166-1 alpha-2 country code"),
        })
}

impl PublicIndex {
    fn remove(&mut self, notice_id: i64) {
        for list in self.lists.values_mut() {
            list.retain(|(_, extract)| extract.notice_id != notice_id);
        }
    }

    fn insert(&mut self, extract: Extract) {
        let list = self.lists.entry(extract.kind).or_default();
        let at = list.partition_point(|(_, other)| other.notice_id > extract.notice_id);
        list.insert(at, (Facet::of(&extract), Arc::new(extract)));
    }

    pub(crate) fn len(&self) -> usize {
        self.lists.values().map(Vec::len).sum()
    }
}

/// Whether a stored request has a public extract now, and of which list.
fn public_kind(stored: &StoredNotice) -> Option<PublicKind> {
    let published = stored.row.state == palermo_core::notice::lifecycle::State::Published.as_str();
    if !published || !stored.row.public_extract {
        return None;
    }
    PublicKind::of(RequestKind::parse(&stored.row.kind)?)
}

impl Hub {
    /// The extract of `stored`, read with its person and photos, or `None`.
    fn make_extract(
        store: &dyn Store,
        stored: &StoredNotice,
    ) -> palermo_store::Result<Option<Extract>> {
        let Some(kind) = public_kind(stored) else {
            return Ok(None);
        };
        let Ok(input) = serde_json::from_str::<NoticeInput>(&stored.row.body) else {
            return Ok(None);
        };
        // Only what every country may see, handled H0, goes public: the notice's and the
        // person's record alike (a restriction set since takes the extract away).
        let open = |meta: &palermo_core::RecordMeta| {
            meta.restriction == palermo_core::Restriction::All
                && meta.handling == palermo_core::HandlingCode::H0
        };
        if !open(&stored.row.meta) {
            return Ok(None);
        }
        let person = match stored.row.person_id {
            Some(id) => store.person(id)?.filter(|p| p.withdrawn_at.is_none()),
            None => None,
        };
        match &person {
            Some(person) if open(&person.record.meta) => {}
            // Every public list is about a person: without one, no extract.
            _ => return Ok(None),
        }
        let pictures = match &person {
            Some(person) => store
                .person_photos(person.id)?
                .into_iter()
                .map(|p| p.id)
                .collect(),
            None => Vec::new(),
        };
        Ok(Some(extract(
            stored,
            kind,
            &input,
            person.as_ref().map(|p| &p.record),
            pictures,
        )))
    }

    /// Every public extract, read from the store at start-up.
    pub(crate) fn load_public(store: &dyn Store) -> palermo_store::Result<PublicIndex> {
        const PAGE: usize = 1000;
        let mut index = PublicIndex::default();
        let filter = palermo_store::NoticeFilter {
            state: Some(
                palermo_core::notice::lifecycle::State::Published
                    .as_str()
                    .into(),
            ),
            ..Default::default()
        };
        let mut before = None;
        loop {
            let page = store.notices(&filter, before, PAGE)?;
            for stored in &page {
                if let Some(extract) = Hub::make_extract(store, stored)? {
                    index.insert(extract);
                }
            }
            if page.len() < PAGE {
                break;
            }
            before = page.last().map(|stored| stored.id);
        }
        Ok(index)
    }

    /// Takes a request as stored now into the public lists (out of them when it has no
    /// extract any more). A failure to read its person leaves it out, never stale.
    pub(crate) fn refresh_public(&self, stored: &StoredNotice) {
        let made = Hub::make_extract(self.store.as_ref(), stored);
        let mut index = self.public.write();
        index.remove(stored.id);
        match made {
            Ok(Some(extract)) => index.insert(extract),
            Ok(None) => {}
            Err(error) => {
                tracing::error!(notice = stored.id, %error, "a public extract could not be made")
            }
        }
    }

    /// Remakes the extracts about a person whose record or photos changed.
    pub(crate) fn refresh_public_person(&self, person: i64) {
        // The extracts about the person, and the published requests about them that may
        // have one again (a restriction lifted).
        let mut ids: Vec<i64> = self
            .public
            .read()
            .lists
            .values()
            .flatten()
            .filter(|(_, extract)| extract.person_id == Some(person))
            .map(|(_, extract)| extract.notice_id)
            .collect();
        ids.extend(self.notice_hits.read().of_person(person));
        ids.sort_unstable();
        ids.dedup();
        for id in ids {
            match self.store.notice(id) {
                Ok(Some(stored)) => self.refresh_public(&stored),
                Ok(None) => self.public.write().remove(id),
                Err(error) => {
                    tracing::error!(notice = id, %error, "a public extract could not be remade");
                    self.public.write().remove(id);
                }
            }
        }
    }

    /// Admits one request to the public service from `source`, or says in how many seconds
    /// one is admitted again.
    pub fn admit_public(&self, source: Option<std::net::IpAddr>) -> std::result::Result<(), u64> {
        self.limits.public_by_address.take(source, self.now().0)
    }

    /// A public search: the extracts of `kind` matching the parameters (given as the query
    /// string has them), newest first, one page. Unknown parameters are ignored, as the
    /// public service does; a malformed value is refused with the parameter's name.
    pub fn public_notices(
        &self,
        kind: PublicKind,
        params: &[(String, String)],
    ) -> std::result::Result<PublicPage, PublicRefusal> {
        let value = |name: &str| {
            params
                .iter()
                .rev()
                .find(|(key, value)| key == name && !value.trim().is_empty())
                .map(|(_, value)| value.as_str())
        };
        let mut filters = Vec::new();
        for name in kind.filters() {
            if let Some(given) = value(name) {
                filters.push((*name, given.to_owned()));
            }
        }
        let text = |name: &'static str| value(name).map(str::trim);
        let search = Search {
            forename: text("forename")
                .map(|t| NamePattern::parse("forename", t))
                .transpose()?,
            name: text("name")
                .map(|t| NamePattern::parse("name", t))
                .transpose()?,
            nationality: text("nationality")
                .map(|t| alpha2_country("nationality", t))
                .transpose()?
                .map(two_bytes),
            age_min: text("ageMin")
                .filter(|_| kind != PublicKind::UnPersons)
                .map(|t| number("ageMin", t, 0, 150).map(|n| n as i32))
                .transpose()?,
            age_max: text("ageMax")
                .filter(|_| kind != PublicKind::UnPersons)
                .map(|t| number("ageMax", t, 0, 150).map(|n| n as i32))
                .transpose()?,
            sex: match text("sexId").filter(|_| kind != PublicKind::UnPersons) {
                None => None,
                Some(t) => Some(match t.to_ascii_uppercase().as_str() {
                    "M" => b'M',
                    "F" => b'F',
                    // An unknown sex is not recorded as one: nothing matches it.
                    "U" => b'U',
                    _ => {
                        return Err(PublicRefusal {
                            parameter: "sexId",
                            message: "sexId must be F, M or U".into(),
                        });
                    }
                }),
            },
            warrant_country: text("arrestWarrantCountryId")
                .filter(|_| kind == PublicKind::Red)
                .map(|t| alpha2_country("arrestWarrantCountryId", t))
                .transpose()?
                .map(two_bytes),
            free_text: text("freeText")
                .filter(|_| kind != PublicKind::UnPersons)
                .map(|t| memchr::memmem::Finder::new(upper(t).as_bytes()).into_owned()),
            un_reference: text("unReference")
                .filter(|_| kind == PublicKind::UnPersons)
                .map(str::to_owned),
            un_resolution: text("unResolution")
                .filter(|_| kind == PublicKind::UnPersons)
                .map(|t| number("unResolution", t, 1, 99_999))
                .transpose()?,
        };
        let result_per_page = value("resultPerPage")
            .map(|t| number("resultPerPage", t, 1, PUBLIC_REACHABLE_MAX as i64))
            .transpose()?
            .map_or(PUBLIC_PAGE_DEFAULT, |n| n as usize);
        let page = value("page")
            .map(|t| number("page", t, 1, i64::from(u32::MAX)))
            .transpose()?
            .map_or(1, |n| n as usize);
        let today = self.now().date();
        let index = self.public.read();
        let list = index.lists.get(&kind).map(Vec::as_slice).unwrap_or(&[]);
        let mut total = 0;
        let reachable = PUBLIC_REACHABLE_MAX;
        let last_page_of = |count: usize| count.min(reachable).div_ceil(result_per_page).max(1);
        // The page is known only once the total is: the matches up to the reach are kept.
        let mut kept: Vec<Arc<Extract>> = Vec::new();
        let births = search.births(today);
        for (facet, extract) in list {
            if search.matches(facet, &births) {
                if kept.len() < reachable {
                    kept.push(extract.clone());
                }
                total += 1;
            }
        }
        let last_page = last_page_of(total);
        let page = page.min(last_page);
        let from = (page - 1) * result_per_page;
        let notices = kept.into_iter().skip(from).take(result_per_page).collect();
        Ok(PublicPage {
            total,
            page,
            result_per_page,
            last_page,
            filters,
            notices,
        })
    }

    /// One public extract by its path id (`2026-12`), or `None`: absent, not public, of
    /// another list, or a malformed id all read alike.
    pub fn public_notice(&self, kind: PublicKind, path_id: &str) -> Option<Arc<Extract>> {
        let (year, id) = path_id.split_once('-')?;
        let (year, id): (i32, i64) = (year.parse().ok()?, id.parse().ok()?);
        let index = self.public.read();
        let list = index.lists.get(&kind)?;
        let at = list.partition_point(|(_, other)| other.notice_id > id);
        let (_, extract) = list.get(at).filter(|(_, e)| e.notice_id == id)?;
        (extract.entity_id == format!("{year}/{id}")).then(|| extract.clone())
    }

    /// A photo of a public extract: its media type and bytes.
    pub fn public_picture(
        &self,
        kind: PublicKind,
        path_id: &str,
        picture: &str,
    ) -> Result<Option<(String, Vec<u8>)>> {
        let Some(extract) = self.public_notice(kind, path_id) else {
            return Ok(None);
        };
        let Ok(picture) = picture.parse::<i64>() else {
            return Ok(None);
        };
        if !extract.pictures.contains(&picture) {
            return Ok(None);
        }
        match self.store.person_photo(picture)? {
            Some((_, meta, data)) => Ok(Some((meta.content_type, data))),
            None => Err(HubError::NotFound),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The text comparisons answer what the pattern itself would.
    #[test]
    fn name_forms_compared_as_text_agree_with_the_patterns() {
        let names = [
            "SMITH",
            "SMITHSON",
            "GOLDSMITH",
            "ASMITHA",
            "SMYTH",
            "ÇELIK",
            "O'NEIL",
        ];
        for pattern in [
            "^SMITH$", "^smith", "smith$", "mit", "^A.*$", "^A.*", "^S.ITH$", "(SM|GO)", "çelik",
            "^o'neil$", "ith\\$",
        ] {
            let fast = NamePattern::parse("name", pattern).unwrap();
            let slow = regex::RegexBuilder::new(pattern)
                .case_insensitive(true)
                .build()
                .unwrap();
            for name in names {
                assert_eq!(
                    fast.matches(name),
                    slow.is_match(name),
                    "{pattern} on {name}"
                );
            }
        }
        assert!(matches!(
            NamePattern::parse("name", "^SMITH$"),
            Ok(NamePattern::Exact(_))
        ));
        assert!(matches!(
            NamePattern::parse("name", "^A.*$"),
            Ok(NamePattern::Prefix(_))
        ));
        assert!(NamePattern::parse("name", "(").is_err());
    }
}
