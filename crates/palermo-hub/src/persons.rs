//! Persons: their records (read and written like every record) and screening. Screening
//! finds candidates in an in-memory index of name keys (never a scan of all persons), scores
//! each with the name engine plus birth date, nationality and sex, and explains every score.

use std::collections::HashMap;

use palermo_core::person::PartialDate;
use palermo_core::{
    CountryCode, FieldErrors, Permissions, Person, PersonInput, RecordMeta, Stored, Timestamp,
    ValidationContext,
};
use palermo_names::Name;
use palermo_store::{NewHit, RecordKind};
use serde::{Deserialize, Serialize};
use sha2::Digest as _;
use xxhash_rust::xxh3::xxh3_64;

use crate::audit::naming;
use crate::checks::{Checked, refuse};

use crate::writes::{Change, MetaView, Record, meta_view};
use crate::{Caller, Hub, HubError, Result};

/// Most queries in one screening request.
pub const SCREEN_BATCH_MAX: usize = 1000;
/// Longest reference a caller gives a query.
const QID_MAX_CHARS: usize = 200;
/// Candidates scored per query: those sharing the most name keys with it…
const CANDIDATES_MAX: usize = 50;
/// …and, whatever the others rank, the best few of every owner, so that no organisation's
/// persons (however many) crowd out another's.
const CANDIDATES_PER_OWNER_MIN: usize = 4;
/// Candidates returned per query, best first.
pub const RESULTS_MAX: usize = 10;
/// Scores below this are not returned at all.
const SCORE_FLOOR: f64 = 0.5;
/// The default score from which a candidate is a hit.
pub const DEFAULT_THRESHOLD: f64 = 0.8;
/// Name keys more common than this among one owner's persons are not used to find that
/// owner's candidates (a given name shared by thousands says little); the rarer keys of the
/// same query still find the person.
const POSTINGS_MAX: usize = 20_000;
/// A candidate being ranked: its row, its weight of shared keys, its owner.
type Ranked = (u32, u16, CountryCode);

/// Per-row counters reused from query to query: the weight of shared keys, the query parts
/// already counted (a bit each), and the rows touched.
type Scratch = (Vec<u16>, Vec<u16>, Vec<u32>);

/// Postings that may bring new persons forward per query, the rarest keys first.
const POSTINGS_BUDGET: usize = 60_000;

/// The candidates whose whole names are compared letter pair by letter pair before the cut.
const RERANK_POOL: usize = 500;

/// The letter pairs of a person's (or a query's) names' identifying parts, hashed into 256
/// bits: a cheap resemblance of whole names (Dice's coefficient), for ranking candidates
/// before they are scored.
#[derive(Clone, Copy, Default)]
struct LetterPairs([u64; 4]);

impl LetterPairs {
    fn of(names: &[Name]) -> LetterPairs {
        let mut bits = [0u64; 4];
        for part in identifying_parts(names) {
            for pair in part.folded().as_bytes().windows(2) {
                let slot = (usize::from(pair[0]).wrapping_mul(31) + usize::from(pair[1])) & 255;
                bits[slot / 64] |= 1 << (slot % 64);
            }
        }
        LetterPairs(bits)
    }

    fn dice(&self, other: &LetterPairs) -> f32 {
        let count = |bits: &[u64; 4]| bits.iter().map(|b| b.count_ones()).sum::<u32>();
        let shared: u32 = self
            .0
            .iter()
            .zip(&other.0)
            .map(|(a, b)| (a & b).count_ones())
            .sum();
        let total = count(&self.0) + count(&other.0);
        if total == 0 {
            0.0
        } else {
            2.0 * shared as f32 / total as f32
        }
    }
}

/// What screening keeps in memory of one person.
struct Indexed {
    names: Vec<Name>,
    primary: String,
    external_ref: Option<String>,
    birth: Option<PartialDate>,
    nationalities: Vec<CountryCode>,
    sex: char,
    meta: RecordMeta,
}

/// Name keys → persons, grouped by owner. Keys are 64-bit hashes of each name part's folded
/// form, consonant skeleton and 4-letter prefix, so that transliteration variants and typos
/// still share one. How common a key is (too common to find candidates by, and how much a
/// shared key weighs) is judged within each owner's persons: an organisation that writes
/// thousands of persons with one name makes the name common among its own records only,
/// never among another organisation's.
#[derive(Default)]
pub(crate) struct PersonIndex {
    postings: HashMap<u64, Vec<(CountryCode, Vec<u32>)>>,
    persons: HashMap<u32, Indexed>,
    /// Who may see each person, by row: decided before ranking.
    pub(crate) access: crate::visibility::RowAccess,
    /// Birth years by row (0: unknown), so that among namesakes those born when the query
    /// says come first.
    birth_years: Vec<i16>,
    /// The distinct forms of the parts, to find them again through typing errors.
    vocabulary: crate::vocabulary::Vocabulary,
    /// The letter pairs of each person's names, by row.
    letter_pairs: Vec<LetterPairs>,
}

/// A key of the index: its kind (f: a form, s: consonants, p: a prefix, y: a shared form and a
/// birth year, m: the consonants of a vowel-less or Maghreb spelling) and the form, hashed.
fn key(kind: &str, form: &str) -> u64 {
    xxh3_64(format!("{kind}:{form}").as_bytes())
}

/// The forms of a part filed as `f:` keys: its fold (an initial too) and its romanisations.
fn forms_of(part: &palermo_names::Part) -> impl Iterator<Item = &str> {
    std::iter::once(part.folded()).chain(
        [part.romanised(), part.romanised_alternative()]
            .into_iter()
            .filter(|form| form.len() >= 2),
    )
}

/// The parts of names that identify (particles left out).
fn identifying_parts(names: &[Name]) -> impl Iterator<Item = &palermo_names::Part> {
    names.iter().flat_map(|n| &n.parts).filter(|p| !p.particle)
}

/// The keys of one part of a person's (or a query's) name:
/// - its folded form, and its forms shared across romanisation systems (Hsieh and Xie, Park and
///   Bak, Satou and Sato share one);
/// - its consonants, for romanisations without vowels (MHMD, ywsf);
/// - its first four letters (parts of five letters or more), for a slip further on;
/// - for a vowel-less part or a Maghreb spelling, its consonants read as each other's (`m:`).
///
/// Names joined or split differently (Wang Xiaoming / Xiao Ming Wang, Minjun / Min-jun) are
/// found from the query's side ([`PersonIndex::spacing_keys`]): nothing more is kept per person.
fn part_keys(part: &palermo_names::Part, keys: &mut Vec<u64>) {
    keys.extend(forms_of(part).map(|form| key("f", form)));
    if part.skeleton().len() >= 3 {
        keys.push(key("s", part.skeleton()));
    }
    let consonants = palermo_names::romanise::consonants(part.text());
    if consonants.len() >= 3 {
        keys.push(key("s", &consonants));
    }
    if part.folded().len() >= 5 {
        keys.push(key("p", &part.folded()[..4]));
    }
    // A vowel-less part and a French spelling of a Maghreb passport (rshyd / Rachid) meet on
    // a key of their own: ch is sh only there.
    let maghreb = if part.is_vowel_less() {
        Some(consonants)
    } else {
        palermo_names::romanise::consonants_maghreb(part.text())
    };
    if let Some(consonants) = maghreb.filter(|c| c.len() >= 3) {
        keys.push(key("m", &consonants));
    }
}

/// The keys of a part's shared form with a birth year (`years`: the person's, or the query's
/// and the years either side), so that a name shared by tens of thousands still finds the one
/// born that year: Li or Kim alone says little, Li born in 1957 a great deal.
fn year_keys(part: &palermo_names::Part, years: &[i32], keys: &mut Vec<u64>) {
    // Li and the Korean surname I share the one-letter form i.
    if !part.romanised().is_empty() {
        keys.extend(
            years
                .iter()
                .map(|year| key("y", &format!("{}:{year}", part.romanised()))),
        );
    }
}

/// The keys a person is filed under ([`part_keys`] and [`year_keys`] of every identifying
/// part).
fn keys_of(names: &[Name], birth_year: Option<i32>) -> Vec<u64> {
    let years: Vec<i32> = birth_year.into_iter().collect();
    let mut keys = Vec::new();
    for part in identifying_parts(names) {
        part_keys(part, &mut keys);
        year_keys(part, &years, &mut keys);
    }
    keys.sort_unstable();
    keys.dedup();
    keys
}

/// The distinct identifying parts of a query's names: a person counts once for each, however
/// many of its keys (or of its own names' parts) it shares with one.
fn query_parts(names: &[Name]) -> Vec<&palermo_names::Part> {
    let mut parts: Vec<&palermo_names::Part> = Vec::new();
    for part in identifying_parts(names) {
        if !parts.iter().any(|p| p.folded() == part.folded()) {
            parts.push(part);
        }
    }
    parts
}

/// The bit of a query part in a row's record of the parts it was counted for (parts past the
/// sixteenth share the last bit); a key of two parts joined counts for both.
fn part_bit(index: usize) -> u16 {
    1 << index.min(15)
}

fn names_of(person: &Person) -> Vec<Name> {
    person
        .names
        .iter()
        .flat_map(|n| palermo_names::variants(&n.full))
        .collect()
}

impl PersonIndex {
    pub(crate) fn insert(&mut self, id: i64, person: &Person) {
        let row = u32::try_from(id).unwrap_or(u32::MAX);
        let names = names_of(person);
        let owner = person.meta.owner;
        for form in identifying_parts(&names).flat_map(forms_of) {
            self.vocabulary.insert(form);
        }
        for key in keys_of(&names, person.birth_date.map(|b| b.year)) {
            let groups = self.postings.entry(key).or_default();
            match groups.iter_mut().find(|(o, _)| *o == owner) {
                Some((_, rows)) => rows.push(row),
                None => groups.push((owner, vec![row])),
            }
        }
        self.access
            .set(row, palermo_core::RecordAccess::of(&person.meta));
        // Rows past u32 (never in practice) keep no per-row data rather than a table of 2^32.
        let slot = row as usize;
        if row < u32::MAX {
            if slot >= self.letter_pairs.len() {
                self.letter_pairs
                    .resize((slot + 1).next_power_of_two(), LetterPairs::default());
            }
            self.letter_pairs[slot] = LetterPairs::of(&names);
        }
        if let Some(birth) = person.birth_date.filter(|_| row < u32::MAX) {
            if slot >= self.birth_years.len() {
                self.birth_years.resize((slot + 1).next_power_of_two(), 0);
            }
            self.birth_years[slot] = i16::try_from(birth.year).unwrap_or(0);
        }
        self.persons.insert(
            row,
            Indexed {
                names,
                primary: person
                    .names
                    .first()
                    .map(|n| n.full.clone())
                    .unwrap_or_default(),
                external_ref: person.meta.external_ref.clone(),
                birth: person.birth_date,
                nationalities: person.nationalities.clone(),
                sex: person.sex,
                meta: person.meta.clone(),
            },
        );
    }

    pub(crate) fn remove(&mut self, id: i64) {
        let row = u32::try_from(id).unwrap_or(u32::MAX);
        self.access.clear(row);
        if let Some(year) = self.birth_years.get_mut(row as usize) {
            *year = 0;
        }
        if let Some(pairs) = self.letter_pairs.get_mut(row as usize) {
            *pairs = LetterPairs::default();
        }
        if let Some(indexed) = self.persons.remove(&row) {
            let owner = indexed.meta.owner;
            for key in keys_of(&indexed.names, indexed.birth.map(|b| b.year)) {
                if let Some(groups) = self.postings.get_mut(&key) {
                    for (_, rows) in groups.iter_mut().filter(|(o, _)| *o == owner) {
                        rows.retain(|r| *r != row);
                    }
                    groups.retain(|(_, rows)| !rows.is_empty());
                    if groups.is_empty() {
                        self.postings.remove(&key);
                    }
                }
            }
        }
    }

    pub(crate) fn len(&self) -> usize {
        self.persons.len()
    }

    /// Keeps who may still read a withdrawn person (its owner).
    pub(crate) fn withdrawn(&mut self, id: i64, meta: &RecordMeta) {
        if let Ok(row) = u32::try_from(id) {
            self.access
                .set_withdrawn(row, palermo_core::RecordAccess::of(meta));
        }
    }

    pub(crate) fn withdrawn_access(&mut self, id: i64, access: palermo_core::RecordAccess) {
        if let Ok(row) = u32::try_from(id) {
            self.access.set_withdrawn(row, access);
        }
    }

    /// The keys of the known forms a query's parts give when joined to their neighbour (Xiao
    /// Ming: xiaoming) or split where they were written without spaces (Katoharuka: kato,
    /// haruka).
    /// Each key comes with the bits of the query parts it stands for: a join, both parts; a
    /// piece of a split part, a bit of its own (each piece is a part of the person's name).
    fn spacing_keys(&self, names: &[Name], distinct: &[&palermo_names::Part]) -> Vec<(u64, u16)> {
        let bit_of = |part: &palermo_names::Part| {
            part_bit(
                distinct
                    .iter()
                    .position(|p| p.folded() == part.folded())
                    .unwrap_or(15),
            )
        };
        let mut keys = Vec::new();
        let mut piece_bits = distinct.len()..;
        for name in names {
            let parts: Vec<&palermo_names::Part> =
                identifying_parts(std::slice::from_ref(name)).collect();
            for pair in parts.windows(2) {
                for joined in [
                    format!("{}{}", pair[0].folded(), pair[1].folded()),
                    format!("{}{}", pair[0].romanised(), pair[1].romanised()),
                ] {
                    if self.vocabulary.contains(&joined) {
                        keys.push((key("f", &joined), bit_of(pair[0]) | bit_of(pair[1])));
                    }
                }
            }
            for part in &parts {
                let mut pieces = Vec::new();
                self.vocabulary.splits(part.folded(), &mut pieces);
                self.vocabulary.splits(part.romanised(), &mut pieces);
                keys.extend(
                    pieces
                        .into_iter()
                        .map(|piece| (key("f", piece), part_bit(piece_bits.next().unwrap_or(15)))),
                );
            }
        }
        keys
    }

    /// The persons `viewpoint` may see that share the most keys with the query's names: the
    /// best `CANDIDATES_MAX`, and the best `CANDIDATES_PER_OWNER_MIN` of every owner.
    fn candidates(
        &self,
        viewpoint: &palermo_core::Viewpoint,
        names: &[Name],
        birth_year: Option<i32>,
    ) -> Vec<u32> {
        thread_local! {
            /// Per-row counters, reused from query to query: counting by index is several
            /// times faster than a hash map over tens of thousands of postings.
            static COUNTS: std::cell::RefCell<Scratch> =
                const { std::cell::RefCell::new((Vec::new(), Vec::new(), Vec::new())) };
        }
        COUNTS.with(|scratch| {
            let mut scratch = scratch.borrow_mut();
            let (counts, counted, touched) = &mut *scratch;
            let distinct = query_parts(names);
            let years: Vec<i32> = birth_year
                .map(|year| vec![year - 1, year, year + 1])
                .unwrap_or_default();
            // Each part's own keys, then the forms one slip away (two in long forms) that some
            // person's name holds, then the spacing keys; each with the bits of the parts it
            // stands for and how much it says: a part's own keys 4, a slip, join or split 3.
            let mut keys: Vec<(u64, u16, f32)> = Vec::new();
            let (mut own, mut near) = (Vec::new(), Vec::new());
            for (i, part) in distinct.iter().enumerate() {
                part_keys(part, &mut own);
                year_keys(part, &years, &mut own);
                keys.extend(own.drain(..).map(|k| (k, part_bit(i), 4.0)));
            }
            for (i, part) in distinct.iter().enumerate() {
                for form in forms_of(part) {
                    self.vocabulary.neighbours(form, &mut near);
                }
                keys.extend(
                    near.drain(..)
                        .map(|(form, _)| (key("f", form), part_bit(i), 3.0)),
                );
            }
            keys.extend(
                self.spacing_keys(names, &distinct)
                    .into_iter()
                    .map(|(k, bits)| (k, bits, 3.0)),
            );
            // One list per key: its first part's, and a part's own before its neighbours' (the
            // sort is stable, so the first of equal keys stays first).
            keys.sort_by_key(|(k, _, _)| *k);
            keys.dedup_by_key(|(k, _, _)| *k);
            // A key shared by few persons says more than one shared by thousands; a form
            // reached through a slip says a little less than the form itself.
            let mut lists: Vec<(u16, u16, &Vec<u32>)> = keys
                .into_iter()
                .filter_map(|(key, bits, scale)| Some((self.postings.get(&key)?, bits, scale)))
                .flat_map(|(groups, bits, scale)| {
                    groups
                        .iter()
                        .filter(|(_, rows)| rows.len() <= POSTINGS_MAX)
                        .map(move |(_, rows)| {
                            let weight = (16.0 * scale / (1.0 + (rows.len() as f32).ln())).max(1.0);
                            (weight as u16, bits, rows)
                        })
                })
                .collect();
            // The rarest keys first: they find the person. Past the budget, the commoner keys
            // still count for the persons already found (namesakes are told apart by every part
            // they share) but bring no new ones forward. A person counts once for each part of
            // the query, by its rarest key: sharing a part's fold, skeleton and prefix, or
            // several of its neighbours, says no more than sharing the part.
            lists.sort_by_key(|(_, _, rows)| rows.len());
            let mut walked = 0usize;
            for (weight, bits, rows) in lists {
                let open = walked == 0 || walked + rows.len() <= POSTINGS_BUDGET;
                walked += rows.len();
                for &row in rows {
                    let slot = row as usize;
                    if counts.get(slot).is_none_or(|&count| count == 0) {
                        if !open {
                            continue;
                        }
                        if slot >= counts.len() {
                            counts.resize((slot + 1).next_power_of_two(), 0);
                            counted.resize(counts.len(), 0);
                        }
                        touched.push(row);
                    }
                    let new = bits & !counted[slot];
                    if new == 0 {
                        continue;
                    }
                    counted[slot] |= new;
                    let parts = u16::try_from(new.count_ones()).unwrap_or(1);
                    counts[slot] = counts[slot].saturating_add(weight.saturating_mul(parts));
                }
            }
            // Among namesakes (a common name shares every key with thousands), those born
            // within a year of the query's birth year rank first.
            let born_near = |row: u32| {
                birth_year.is_some_and(|year| {
                    let recorded = self.birth_years.get(row as usize).copied().unwrap_or(0);
                    recorded != 0 && (i32::from(recorded) - year).abs() <= 1
                })
            };
            // Persons the caller may not see are dropped before ranking: they take no place.
            let mut ranked: Vec<(u32, u16, CountryCode)> = touched
                .iter()
                .filter_map(|&row| {
                    let owner = self.access.visible_owner(viewpoint, row)?;
                    let bonus = if born_near(row) { 64 } else { 0 };
                    Some((row, counts[row as usize].saturating_add(bonus), owner))
                })
                .collect();
            for &row in touched.iter() {
                counts[row as usize] = 0;
                counted[row as usize] = 0;
            }
            touched.clear();
            let better = |a: &(u32, u16, CountryCode), b: &(u32, u16, CountryCode)| {
                b.1.cmp(&a.1).then(a.0.cmp(&b.0))
            };
            if ranked.len() <= CANDIDATES_MAX {
                return ranked.into_iter().map(|(row, _, _)| row).collect();
            }
            // Among the best few hundred, the letters of the whole name count too: a part two
            // slips from the record's (Sdongtun / Seonghun) finds no key of its own, yet
            // shares most of its letter pairs, where a namesake of the other part shares few.
            // (Not for a machine's vowel-less romanisation: its letters are not the record's.)
            if !identifying_parts(names).any(palermo_names::Part::is_vowel_less) {
                let pool = RERANK_POOL.min(ranked.len());
                ranked.select_nth_unstable_by(pool - 1, better);
                let ours = LetterPairs::of(names);
                for candidate in &mut ranked[..pool] {
                    let theirs = self.letter_pairs.get(candidate.0 as usize);
                    let resemblance = theirs.map_or(0.0, |theirs| ours.dice(theirs));
                    candidate.1 = candidate.1.saturating_add((resemblance * 32.0) as u16);
                }
            }
            // The best few of each owner, kept aside before the global cut.
            // Owners are few against the rows: a list searched from the last one found costs
            // less than hashing every row's owner.
            let mut per_owner: Vec<(CountryCode, Vec<Ranked>)> = Vec::new();
            let mut last = 0usize;
            for candidate in &ranked {
                if per_owner
                    .get(last)
                    .is_none_or(|(owner, _)| *owner != candidate.2)
                {
                    last = match per_owner
                        .iter()
                        .position(|(owner, _)| *owner == candidate.2)
                    {
                        Some(i) => i,
                        None => {
                            per_owner.push((candidate.2, Vec::new()));
                            per_owner.len() - 1
                        }
                    };
                }
                let best = &mut per_owner[last].1;
                if best.len() < CANDIDATES_PER_OWNER_MIN {
                    best.push(*candidate);
                } else if let Some(worst) = best.iter_mut().max_by(|a, b| better(a, b))
                    && better(candidate, worst).is_lt()
                {
                    *worst = *candidate;
                }
            }
            ranked.select_nth_unstable_by(CANDIDATES_MAX, better);
            ranked.truncate(CANDIDATES_MAX);
            let mut rows: Vec<u32> = ranked.into_iter().map(|(row, _, _)| row).collect();
            rows.extend(
                per_owner
                    .into_iter()
                    .flat_map(|(_, best)| best)
                    .map(|(row, _, _)| row),
            );
            rows.sort_unstable();
            rows.dedup();
            rows
        })
    }
}

/// Largest photo accepted.
pub const PHOTO_MAX_BYTES: usize = 2 * 1024 * 1024;

/// The media type of an image, from its first bytes: only JPEG and PNG are taken.
fn photo_type(data: &[u8]) -> Option<&'static str> {
    if data.starts_with(&[0xFF, 0xD8, 0xFF]) {
        Some("image/jpeg")
    } else if data.starts_with(&[0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A]) {
        Some("image/png")
    } else {
        None
    }
}

/// A photo's description.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct PhotoView {
    pub id: i64,
    pub content_type: String,
    pub size: u64,
    /// SHA-256 of the bytes, hex.
    pub sha256: String,
}

impl From<palermo_store::AttachmentMeta> for PhotoView {
    fn from(meta: palermo_store::AttachmentMeta) -> PhotoView {
        PhotoView {
            id: meta.id,
            content_type: meta.content_type,
            size: meta.size,
            sha256: hex::encode(meta.sha256),
        }
    }
}

/// A person as the API shows it.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct PersonView {
    pub id: i64,
    #[schema(value_type = Vec<Object>)]
    pub names: Vec<palermo_core::person::PersonName>,
    pub birth_date: Option<String>,
    pub birth_place: Option<String>,
    #[schema(value_type = Option<String>)]
    pub birth_country: Option<CountryCode>,
    #[schema(value_type = Vec<String>)]
    pub nationalities: Vec<CountryCode>,
    pub sex: String,
    pub category: String,
    pub marks: Option<String>,
    pub languages: Vec<String>,
    /// Identity documents, each with the ids of the travel-document records (visible to the
    /// caller) that bear its number.
    pub documents: Vec<LinkedDocument>,
    #[serde(flatten)]
    pub meta: MetaView,
}

/// An identity document of a person, linked to the travel-documents database.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct LinkedDocument {
    pub number: String,
    pub issuing_country: String,
    #[serde(rename = "type")]
    pub document_type: Option<String>,
    pub record_ids: Vec<i64>,
}

impl From<&Stored<Person>> for PersonView {
    fn from(stored: &Stored<Person>) -> PersonView {
        let p = &stored.record;
        PersonView {
            id: stored.id,
            names: p.names.clone(),
            birth_date: p.birth_date.map(|d| d.format()),
            birth_place: p.birth_place.clone(),
            birth_country: p.birth_country,
            nationalities: p.nationalities.clone(),
            sex: p.sex.to_string(),
            category: p.category.clone(),
            marks: p.marks.clone(),
            languages: p.languages.clone(),
            documents: p
                .documents
                .iter()
                .map(|d| LinkedDocument {
                    number: d.number.clone(),
                    issuing_country: d.issuing_country.clone(),
                    document_type: d.document_type.clone(),
                    record_ids: Vec::new(),
                })
                .collect(),
            meta: meta_view(
                &p.meta,
                stored.created_at,
                stored.updated_at,
                stored.withdrawn_at,
            ),
        }
    }
}

impl Record for Person {
    type Input = PersonInput;
    type View = PersonView;

    fn validate(
        input: &PersonInput,
        context: ValidationContext<'_>,
    ) -> std::result::Result<Self, FieldErrors> {
        input.validate(context)
    }

    fn reindex(hub: &Hub, changes: &[Change<'_, Self>]) {
        {
            let mut index = hub.persons.write();
            for (id, previous, new) in changes {
                index.remove(*id);
                match (new, previous) {
                    (Some(new), _) => index.insert(*id, new),
                    (None, Some(old)) => index.withdrawn(*id, &old.record.meta),
                    (None, None) => {}
                }
            }
        }
        // A person's public extracts follow the person's record.
        for (id, previous, _) in changes {
            if previous.is_some() {
                hub.refresh_public_person(*id);
            }
        }
    }

    fn readable(hub: &Hub, caller: &Caller, id: i64) -> bool {
        hub.persons
            .read()
            .access
            .known(id)
            .readable_by(&caller.viewpoint)
    }
}

/// One person to screen.
#[derive(Clone, Debug, Default, Deserialize, Serialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PersonQuery {
    /// The caller's reference for the query, echoed in the result.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub qid: Option<String>,
    /// A name, in any script.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// More names (aliases) of the same person.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub names: Vec<String>,
    /// `YYYY-MM-DD`, `YYYY-MM` or `YYYY`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub birth_date: Option<String>,
    /// ISO 3166-1 alpha-3.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub nationality: Option<String>,
    /// `M`, `F` or `U`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sex: Option<String>,
}

/// How one name part of the query met the candidate's.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct PartExplanation {
    pub query: String,
    pub candidate: String,
    /// `exact`, `transliteration`, `romanisation`, `phonetic`, `initial`, `typo` or `joined`.
    pub how: &'static str,
    pub score: f64,
    /// For a romanisation, the systems that explain it: `wade-giles ≈ pinyin`,
    /// `kunrei-shiki ≈ hepburn`, `korean popular spelling ≈ revised romanization` …
    #[serde(skip_serializing_if = "Option::is_none")]
    pub romanisation: Option<&'static str>,
}

/// Why a candidate scored what it did.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct ScoreExplanation {
    pub name_score: f64,
    pub name_parts: Vec<PartExplanation>,
    pub query_parts_unmatched: Vec<String>,
    pub candidate_parts_unmatched: Vec<String>,
    /// `exact`, `agrees` (as far as both are known), `day-month-swapped`, `year-off-by-one`,
    /// `conflict` or `unknown`.
    pub birth_date: &'static str,
    /// `agrees`, `conflict` or `unknown`.
    pub nationality: &'static str,
    /// `agrees`, `conflict` or `unknown`.
    pub sex: &'static str,
}

#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct PersonCandidate {
    pub record_id: i64,
    /// The owner's reference.
    pub id: Option<String>,
    pub name: String,
    pub birth_date: Option<String>,
    #[schema(value_type = Vec<String>)]
    pub nationalities: Vec<CountryCode>,
    #[schema(value_type = String)]
    pub owner: CountryCode,
    pub score: f64,
    /// Whether the score reaches the threshold.
    pub hit: bool,
    pub explanation: ScoreExplanation,
    /// The notices and diffusions about the person (a hit's only: a hit each).
    pub notices: Vec<crate::NoticeHit>,
}

#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct PersonScreenResult {
    pub qid: Option<String>,
    pub query: PersonQuery,
    pub hit: bool,
    /// Best first.
    pub candidates: Vec<PersonCandidate>,
}

pub(crate) struct ParsedQuery {
    names: Vec<Name>,
    birth: Option<PartialDate>,
    nationality: Option<CountryCode>,
    sex: Option<char>,
}

pub(crate) fn parse_query(
    query: &PersonQuery,
    index: usize,
    errors: &mut FieldErrors,
) -> Option<ParsedQuery> {
    let path = |field: &str| format!("persons[{index}].{field}");
    let before = errors.0.len();
    if let Some(qid) = &query.qid
        && (qid.chars().count() > QID_MAX_CHARS || qid.chars().any(char::is_control))
    {
        errors.push(
            path("qid"),
            format!("is longer than {QID_MAX_CHARS} characters or holds control characters"),
        );
    }
    let texts: Vec<&String> = query.name.iter().chain(query.names.iter()).collect();
    if texts.is_empty() {
        errors.push(path("name"), "is required");
    }
    if texts.len() > 20 {
        errors.push(path("names"), "at most 20 names");
    }
    let mut names = Vec::new();
    for (i, text) in texts.iter().enumerate().take(20) {
        let field = if i == 0 && query.name.is_some() {
            path("name")
        } else {
            path(&format!("names[{}]", i - usize::from(query.name.is_some())))
        };
        match palermo_names::check(text) {
            Ok(()) => names.extend(palermo_names::variants(text)),
            Err(problem) => errors.push(field, problem),
        }
    }
    let birth = query
        .birth_date
        .as_deref()
        .filter(|t| !t.trim().is_empty())
        .and_then(|text| {
            PartialDate::parse(text)
                .map_err(|problem| errors.push(path("birth_date"), problem))
                .ok()
        });
    let nationality = query
        .nationality
        .as_deref()
        .filter(|t| !t.trim().is_empty())
        .and_then(|text| {
            let code = CountryCode::parse(text.trim());
            if code.is_none() {
                errors.push(
                    path("nationality"),
                    format!("{text:?} is not an ISO 3166-1 alpha-3 code"),
                );
            }
            code
        });
    let sex = match query.sex.as_deref().map(|s| s.trim().to_ascii_uppercase()) {
        None => None,
        Some(s) if s.is_empty() || s == "U" => None,
        Some(s) if s == "M" || s == "F" => s.chars().next(),
        Some(other) => {
            errors.push(path("sex"), format!("{other:?} is not M, F or U"));
            None
        }
    };
    (errors.0.len() == before).then_some(ParsedQuery {
        names,
        birth,
        nationality,
        sex,
    })
}

/// Compares birth dates as far as both are known: a factor on the score and a verdict.
fn birth_factor(query: Option<PartialDate>, record: Option<PartialDate>) -> (f64, &'static str) {
    let (Some(q), Some(r)) = (query, record) else {
        return (0.97, "unknown");
    };
    // A range of years agrees with any date inside it.
    let span = |d: PartialDate| (d.year, d.year_to.unwrap_or(d.year));
    if q.year_to.is_some() || r.year_to.is_some() {
        let ((q_from, q_to), (r_from, r_to)) = (span(q), span(r));
        return if q_from <= r_to && r_from <= q_to {
            (1.0, "agrees")
        } else if q_from <= r_to + 1 && r_from <= q_to + 1 {
            (0.9, "year-off-by-one")
        } else {
            (0.55, "conflict")
        };
    }
    let same = |a: Option<u8>, b: Option<u8>| a.is_none() || b.is_none() || a == b;
    if q.year == r.year && same(q.month, r.month) && same(q.day, r.day) {
        let full = q.day.is_some() && r.day.is_some();
        return (1.0, if full { "exact" } else { "agrees" });
    }
    if q.year == r.year
        && q.month.is_some()
        && q.day.is_some()
        && q.month == r.day
        && q.day == r.month
    {
        return (0.92, "day-month-swapped");
    }
    if (q.year - r.year).abs() == 1 && same(q.month, r.month) && same(q.day, r.day) {
        return (0.9, "year-off-by-one");
    }
    (0.55, "conflict")
}

fn score_candidate(query: &ParsedQuery, indexed: &Indexed) -> (f64, ScoreExplanation) {
    let (name_score, why) = palermo_names::best_of(&query.names, &indexed.names);
    let (birth, birth_verdict) = birth_factor(query.birth, indexed.birth);
    let (nationality, nationality_verdict) = match query.nationality {
        None => (1.0, "unknown"),
        Some(_) if indexed.nationalities.is_empty() => (1.0, "unknown"),
        Some(code) if indexed.nationalities.contains(&code) => (1.0, "agrees"),
        Some(_) => (0.9, "conflict"),
    };
    let (sex, sex_verdict) = match (query.sex, indexed.sex) {
        (None, _) | (_, 'U') => (1.0, "unknown"),
        (Some(q), r) if q == r => (1.0, "agrees"),
        _ => (0.8, "conflict"),
    };
    let score = (name_score * birth * nationality * sex).clamp(0.0, 1.0);
    (
        (score * 1000.0).round() / 1000.0,
        ScoreExplanation {
            name_score: (name_score * 1000.0).round() / 1000.0,
            name_parts: why
                .aligned
                .iter()
                .map(|a| PartExplanation {
                    query: a.query.clone(),
                    candidate: a.candidate.clone(),
                    how: a.how.as_str(),
                    romanisation: a.systems,
                    score: (a.score * 1000.0).round() / 1000.0,
                })
                .collect(),
            query_parts_unmatched: why.query_unmatched,
            candidate_parts_unmatched: why.candidate_unmatched,
            birth_date: birth_verdict,
            nationality: nationality_verdict,
            sex: sex_verdict,
        },
    )
}

impl Hub {
    /// A person, with each identity document linked to the travel-document records (visible
    /// to the caller) that bear its number. The linking is the lookup of a check, and a
    /// consultation: it is audited with the numbers looked up (erasable, as a check's) and
    /// concerns the owners of the records it found, so that no one looks documents up
    /// through a person record without a trace.
    pub fn person(&self, caller: &Caller, id: i64) -> Result<PersonView> {
        let mut view = self.read_record::<Person>(caller, id)?;
        if view.documents.is_empty() {
            return Ok(view);
        }
        let mut event = self.event(caller, "person.documents", "ok");
        event.target = Some(format!("person:{id}"));
        let mut found = 0;
        for document in &mut view.documents {
            let Some(country) = CountryCode::parse(&document.issuing_country) else {
                continue;
            };
            let query = crate::DocumentQuery {
                number: Some(document.number.clone()),
                issuing_country: Some(country.as_str().to_owned()),
                ..crate::DocumentQuery::default()
            };
            for (record_id, meta) in self.document_matches(caller, &query)? {
                document.record_ids.push(record_id);
                event.concern(meta.owner.as_str());
                found += 1;
            }
        }
        event.detail = Some(format!(
            "{} documents looked up, {found} records found",
            view.documents.len()
        ));
        event.payload = serde_json::to_string(
            &view
                .documents
                .iter()
                .map(|d| serde_json::json!({"number": d.number, "issuing_country": d.issuing_country}))
                .collect::<Vec<_>>(),
        )
        .ok();
        self.audit(event)?;
        Ok(view)
    }

    pub fn write_persons(
        &self,
        caller: &Caller,
        inputs: &[PersonInput],
        field: &str,
    ) -> Result<crate::BatchWritten> {
        self.write_records::<Person>(caller, inputs, field)
    }

    pub fn create_person(&self, caller: &Caller, input: &PersonInput) -> Result<PersonView> {
        let view = self.create_record::<Person>(caller, input)?;
        self.person(caller, view.id)
    }

    pub fn update_person(
        &self,
        caller: &Caller,
        id: i64,
        input: &PersonInput,
    ) -> Result<PersonView> {
        self.update_record::<Person>(caller, id, input)
    }

    pub fn withdraw_person(&self, caller: &Caller, id: i64) -> Result<()> {
        self.withdraw_record::<Person>(caller, id)
    }

    /// Adds a photo to a person the caller's bureau owns: JPEG or PNG (told by its first
    /// bytes, not by what the client says), at most [`PHOTO_MAX_BYTES`], kept with its SHA-256.
    pub fn add_person_photo(
        &self,
        caller: &Caller,
        person_id: i64,
        data: &[u8],
    ) -> Result<PhotoView> {
        let target = || Some(format!("person:{person_id}"));
        let meta = self.audited(caller, "person.photo.add", target, || {
            caller.require(Permissions::WRITE_RECORDS)?;
            let content_type = photo_type(data).ok_or_else(|| {
                HubError::Invalid(FieldErrors::single(
                    "photo",
                    "is neither a JPEG nor a PNG image",
                ))
            })?;
            if data.len() > PHOTO_MAX_BYTES {
                return Err(HubError::Invalid(FieldErrors::single(
                    "photo",
                    format!("is {} bytes; at most {PHOTO_MAX_BYTES}", data.len()),
                )));
            }
            self.precheck::<Person>(caller, person_id)?;
            // Decided on the person as the photo's own transaction reads it.
            let (allow, refusal) = crate::writes::guard(|stored: &Stored<Person>| {
                crate::writes::may_change(caller, stored).map_err(|error| match error {
                    HubError::Forbidden(_) => HubError::Forbidden(format!(
                        "the person belongs to {}",
                        stored.record.meta.owner
                    )),
                    other => other,
                })
            });
            let event = self.event(caller, "person.photo.add", "ok");
            let named = format!("person:{person_id}/photo");
            self.store
                .add_person_photo(
                    person_id,
                    content_type,
                    data,
                    event.at,
                    &allow,
                    &naming(&event, &named),
                )?
                .ok_or_else(|| refusal.take().unwrap_or(HubError::NotFound))
        })?;
        self.refresh_public_person(person_id);
        Ok(PhotoView::from(meta))
    }

    /// The photos of a person the caller may see (descriptions); the listing is audited.
    pub fn person_photos(&self, caller: &Caller, person_id: i64) -> Result<Vec<PhotoView>> {
        let target = || Some(format!("person:{person_id}"));
        self.audited(caller, "person.photo.list", target, || {
            caller.require(Permissions::READ_RECORDS)?;
            self.precheck::<Person>(caller, person_id)?;
            let person = crate::writes::visible_record(caller, self.store.person(person_id)?)?;
            let photos: Vec<PhotoView> = self
                .store
                .person_photos(person_id)?
                .into_iter()
                .map(PhotoView::from)
                .collect();
            let mut event = self.event(caller, "person.photo.list", "ok");
            event.target = target();
            event.detail = Some(format!("{} photos", photos.len()));
            event.concern(person.record.meta.owner.as_str());
            self.audit(event)?;
            Ok(photos)
        })
    }

    /// A photo's bytes, checked against their stored checksum; audited.
    pub fn person_photo(
        &self,
        caller: &Caller,
        person_id: i64,
        photo_id: i64,
    ) -> Result<(PhotoView, Vec<u8>)> {
        let target = || Some(format!("person:{person_id}/photo:{photo_id}"));
        self.audited(caller, "person.photo.read", target, || {
            caller.require(Permissions::READ_RECORDS)?;
            self.precheck::<Person>(caller, person_id)?;
            let person = crate::writes::visible_record(caller, self.store.person(person_id)?)?;
            let (of, meta, data) = self
                .store
                .person_photo(photo_id)?
                .ok_or(HubError::NotFound)?;
            if of != person_id {
                return Err(HubError::NotFound);
            }
            let digest: [u8; 32] = sha2::Sha256::digest(&data).into();
            if digest != meta.sha256 {
                return Err(HubError::Internal(format!(
                    "photo {photo_id} does not match its checksum"
                )));
            }
            let mut event = self.event(caller, "person.photo.read", "ok");
            event.target = target();
            event.concern(person.record.meta.owner.as_str());
            self.audit(event)?;
            Ok((PhotoView::from(meta), data))
        })
    }

    pub fn persons_indexed(&self) -> usize {
        self.persons.read().len()
    }

    /// Screens up to [`SCREEN_BATCH_MAX`] persons: ranked candidates with scores and
    /// explanations; a candidate at or above `threshold` (default 0.8) is a hit, recorded and
    /// shown to the record's owner like every hit.
    pub fn screen_persons(
        &self,
        caller: &Caller,
        queries: &[PersonQuery],
        threshold: Option<f64>,
    ) -> Result<Checked<PersonScreenResult>> {
        self.screen_unaudited(caller, queries, threshold)
            .map_err(|error| refuse(self, caller, "check.persons", error))
    }

    /// The candidate stage alone, for measuring its recall (`palermo-bench screen-eval`): the
    /// external references of the persons the index puts forward for `query`, before any
    /// scoring. Only the console of a data directory may ask (it can read every record
    /// anyway); nothing is audited, nothing is recorded.
    #[doc(hidden)]
    pub fn evaluate_candidates(
        &self,
        caller: &Caller,
        query: &PersonQuery,
    ) -> Result<Vec<Option<String>>> {
        if caller.org.as_str() != crate::CONSOLE {
            return Err(HubError::Forbidden(
                "only the console measures the candidate stage".into(),
            ));
        }
        self.require_indexes()?;
        let mut errors = FieldErrors::default();
        let Some(parsed) = parse_query(query, 0, &mut errors) else {
            return Err(HubError::Invalid(errors));
        };
        let index = self.persons.read();
        Ok(index
            .candidates(
                &caller.viewpoint,
                &parsed.names,
                parsed.birth.map(|b| b.year),
            )
            .into_iter()
            .filter_map(|row| index.persons.get(&row))
            .map(|indexed| indexed.external_ref.clone())
            .collect())
    }

    fn screen_unaudited(
        &self,
        caller: &Caller,
        queries: &[PersonQuery],
        threshold: Option<f64>,
    ) -> Result<Checked<PersonScreenResult>> {
        let (results, hits) = self.screen_results(caller, queries, threshold)?;
        Ok(Checked::new(
            self,
            caller,
            "check.persons",
            queries,
            results,
            hits,
        ))
    }

    pub(crate) fn screen_results(
        &self,
        caller: &Caller,
        queries: &[PersonQuery],
        threshold: Option<f64>,
    ) -> Result<(Vec<PersonScreenResult>, Vec<NewHit>)> {
        caller.require(Permissions::CHECK)?;
        self.require_indexes()?;
        let mut errors = FieldErrors::default();
        if queries.is_empty() || queries.len() > SCREEN_BATCH_MAX {
            errors.push(
                "persons",
                format!(
                    "holds {} queries; send 1 to {SCREEN_BATCH_MAX}",
                    queries.len()
                ),
            );
        }
        // The hub's threshold is the floor for a hit: a caller may raise it, never lower it
        // (weaker candidates are shown, never recorded as hits).
        let requested = threshold.unwrap_or(self.policy.hit_threshold);
        if !(0.0..=1.0).contains(&requested) {
            errors.push("threshold", "must be between 0 and 1");
        }
        let threshold = requested.max(self.policy.hit_threshold);
        let parsed: Vec<Option<ParsedQuery>> = queries
            .iter()
            .enumerate()
            .take(SCREEN_BATCH_MAX)
            .map(|(i, q)| parse_query(q, i, &mut errors))
            .collect();
        if !errors.is_empty() {
            return Err(HubError::Invalid(errors));
        }
        let index = self.persons.read();
        let mut results = Vec::with_capacity(queries.len());
        let mut hits = Vec::new();
        for (query, parsed) in queries.iter().zip(parsed.into_iter().flatten()) {
            let mut candidates: Vec<PersonCandidate> = Vec::new();
            for row in index.candidates(
                &caller.viewpoint,
                &parsed.names,
                parsed.birth.map(|b| b.year),
            ) {
                let Some(indexed) = index.persons.get(&row) else {
                    continue;
                };
                if !caller.may_see(&indexed.meta) {
                    continue;
                }
                let (score, explanation) = score_candidate(&parsed, indexed);
                if score < SCORE_FLOOR {
                    continue;
                }
                candidates.push(PersonCandidate {
                    record_id: i64::from(row),
                    id: indexed.external_ref.clone(),
                    name: indexed.primary.clone(),
                    birth_date: indexed.birth.map(|d| d.format()),
                    nationalities: indexed.nationalities.clone(),
                    owner: indexed.meta.owner,
                    score,
                    hit: score >= threshold,
                    explanation,
                    notices: Vec::new(),
                });
            }
            candidates.sort_by(|a, b| {
                b.score
                    .partial_cmp(&a.score)
                    .unwrap_or(std::cmp::Ordering::Equal)
                    .then(a.record_id.cmp(&b.record_id))
            });
            // The best RESULTS_MAX, and the best hit of every other owner that has one: no
            // owner's persons push another's hit out of the answer.
            let mut shown_owners: Vec<CountryCode> = Vec::new();
            let mut rank = 0;
            candidates.retain(|candidate| {
                rank += 1;
                let first_hit_of_owner = candidate.hit && !shown_owners.contains(&candidate.owner);
                let keep = rank <= RESULTS_MAX || first_hit_of_owner;
                if keep && candidate.hit {
                    shown_owners.push(candidate.owner);
                }
                keep
            });
            {
                let notices = self.notice_hits.read();
                for candidate in candidates.iter_mut().filter(|c| c.hit) {
                    candidate.notices = notices.for_person(caller, candidate.record_id);
                    for notice in &candidate.notices {
                        hits.push(crate::checks::notice_hit(self, caller, notice, query));
                    }
                }
            }
            for candidate in candidates.iter().filter(|c| c.hit) {
                let at = self.now();
                hits.push(NewHit {
                    at,
                    record_kind: RecordKind::Person,
                    record_id: candidate.record_id,
                    owner: candidate.owner,
                    checking_org: caller.org,
                    match_kind: format!("score {:.3}", candidate.score),
                    query: serde_json::to_string(query).unwrap_or_default(),
                    due_at: Timestamp(at.0 + self.policy.hit_deadline_ms),
                });
            }
            results.push(PersonScreenResult {
                qid: query.qid.clone(),
                query: query.clone(),
                hit: candidates.iter().any(|c| c.hit),
                candidates,
            });
        }
        drop(index);
        Ok((results, hits))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(text: &str) -> Option<PartialDate> {
        Some(PartialDate::parse(text).unwrap())
    }

    fn person(name: &str, owner: &str, only: Option<&str>) -> Person {
        born(name, owner, only, "1980-04-12")
    }

    fn born(name: &str, owner: &str, only: Option<&str>, birth: &str) -> Person {
        let input = PersonInput {
            names: vec![palermo_core::person::NameInput {
                full: Some(name.into()),
                ..Default::default()
            }],
            birth_date: Some(birth.into()),
            reported_date: Some("2025-01-10".into()),
            owner: Some(owner.into()),
            restriction: only.map(|_| "only".to_owned()),
            restriction_countries: only
                .map(|country| palermo_core::record::CountryList(vec![country.to_owned()])),
            ..Default::default()
        };
        input
            .validate(ValidationContext {
                today: palermo_core::Timestamp::now().date(),
                default_owner: CountryCode::parse(owner).unwrap(),
                prefix: "",
            })
            .unwrap()
    }

    /// Regression: a name key held by more than POSTINGS_MAX persons was skipped for every
    /// caller, counting persons the caller may not see; one bureau's decoys, restricted to
    /// itself, hid another bureau's wanted person from every screening.
    #[test]
    fn one_owners_common_names_hide_no_other_owners_person() {
        let mut index = PersonIndex::default();
        index.insert(1, &person("Ivan Petrovich Sidorenko", "DEU", None));
        let decoy = person("Ivan Sidorenko", "FRA", Some("FRA"));
        for id in 2..(POSTINGS_MAX as i64 + 100) {
            index.insert(id, &decoy);
        }
        let query = palermo_names::variants("Ivan Sidorenko");
        for viewpoint in ["USA", "DEU", "FRA"] {
            let viewpoint = palermo_core::Viewpoint::member(CountryCode::parse(viewpoint).unwrap());
            let found = index.candidates(&viewpoint, &query, Some(1980));
            assert!(
                found.contains(&1),
                "{viewpoint:?} no longer finds DEU's person"
            );
        }
    }

    /// A name shared by more persons than a key may bring forward (Li Ting, tens of thousands
    /// at the border) still finds the one born when the query says.
    #[test]
    fn namesakes_by_the_thousand_leave_the_one_born_that_year_found() {
        let mut index = PersonIndex::default();
        let years = 1940..2005;
        for id in 1..(POSTINGS_MAX as i64 + 500) {
            let year = years.start + id as i32 % (years.end - years.start);
            // No namesake born within a year of 1957.
            let year = if (1956..=1958).contains(&year) {
                1990
            } else {
                year
            };
            index.insert(id, &born("Li Ting", "CHN", None, &format!("{year}-03-04")));
        }
        let target = POSTINGS_MAX as i64 + 1000;
        // The same owner: another owner's persons are weighed among its own.
        index.insert(target, &born("Li Ting", "CHN", None, "1957-08-27"));
        let query = palermo_names::variants("Li Ting");
        let viewpoint = palermo_core::Viewpoint::member(CountryCode::parse("FRA").unwrap());
        let found = index.candidates(&viewpoint, &query, Some(1957));
        assert!(
            found.contains(&(target as u32)),
            "{} candidates",
            found.len()
        );
        // A year off still finds it (a slip in the year); ten years off, the namesakes born
        // then are all the index can offer.
        assert!(
            index
                .candidates(&viewpoint, &query, Some(1958))
                .contains(&(target as u32))
        );
        assert!(
            !index
                .candidates(&viewpoint, &query, Some(1967))
                .contains(&(target as u32))
        );
    }

    /// Sixty namesakes sharing one part, born the same year, and the person sought last in
    /// the index (ties go to the earlier rows): only what tells the person apart ranks it in.
    fn found_among_namesakes(record: &str, namesake: &str, query: &str) -> bool {
        let mut index = PersonIndex::default();
        for id in 1..=60 {
            index.insert(id, &born(namesake, "EGY", None, "1957-11-28"));
        }
        index.insert(100, &born(record, "EGY", None, "1957-11-28"));
        let viewpoint = palermo_core::Viewpoint::member(CountryCode::parse("FRA").unwrap());
        index
            .candidates(&viewpoint, &palermo_names::variants(query), Some(1957))
            .contains(&100)
    }

    #[test]
    fn a_machine_romanisation_meets_a_maghreb_passport_spelling() {
        // unidecode's vowel-less rshyd hshm against the French spellings Rachid, Hicham.
        assert!(found_among_namesakes(
            "Rachid Hicham Jabir",
            "Karim Omar Jabir",
            "rshyd hshm jbr"
        ));
        let (name, record) = (
            palermo_names::Part::new("rshyd", false),
            palermo_names::Part::new("rachid", false),
        );
        assert!(palermo_names::compare_parts(&name, &record).is_some());
    }

    #[test]
    fn a_part_two_slips_away_still_ranks_its_person_above_namesakes() {
        // Sdongtun is two slips from Seonghun: no key of its own, most of its letter pairs.
        assert!(found_among_namesakes(
            "Gim Seonghun",
            "Gim Minjun",
            "Gim Sdongtun"
        ));
        // A part that shares nothing with the record's ranks it nowhere special.
        assert!(!found_among_namesakes(
            "Gim Seonghun",
            "Gim Minjun",
            "Gim Baekho"
        ));
    }

    #[test]
    fn birth_dates_agree_partially_swap_and_conflict() {
        assert_eq!(
            birth_factor(date("1980-04-12"), date("1980-04-12")).1,
            "exact"
        );
        assert_eq!(birth_factor(date("1980"), date("1980-04-12")).1, "agrees");
        assert_eq!(
            birth_factor(date("1980-12-04"), date("1980-04-12")).1,
            "day-month-swapped"
        );
        assert_eq!(
            birth_factor(date("1981-04-12"), date("1980-04-12")).1,
            "year-off-by-one"
        );
        assert_eq!(
            birth_factor(date("1975-01-01"), date("1980-04-12")).1,
            "conflict"
        );
        assert_eq!(birth_factor(None, date("1980")).1, "unknown");
        assert_eq!(
            birth_factor(date("1980-04-12"), date("1978/1982")).1,
            "agrees"
        );
        assert_eq!(
            birth_factor(date("1983"), date("1978/1982")).1,
            "year-off-by-one"
        );
        assert_eq!(birth_factor(date("1990"), date("1978/1982")).1, "conflict");
    }
}
