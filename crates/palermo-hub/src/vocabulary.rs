//! The name parts the person index knows, found again through typing errors: a deletion
//! neighbourhood (Wolf Garbe's symmetric delete) over the distinct forms, not over the persons.
//! Every form is filed under itself and every string one deletion away (two for forms of eight
//! letters or more); a query's form is looked up the same way, so that any form within one
//! edit (two for long forms) of it is found, substitutions and transpositions included. The
//! cost grows with the distinct forms (tens of thousands in a million persons), never with the
//! persons; the postings of each form found then lead to the persons.

use std::collections::HashMap;

use xxhash_rust::xxh3::xxh3_64;

/// Forms shorter than this are not looked up by their neighbours: a three-letter part has
/// hundreds of neighbours, and the other parts of a name find its persons.
const FUZZY_MIN: usize = 4;
/// Forms at least this long are filed two deletions deep (the scoring allows them two edits).
const DEEP_MIN: usize = 8;
/// Neighbours kept per form looked up.
const NEIGHBOURS_MAX: usize = 24;
/// Entries gathered before they are merged into the sorted table.
const RECENT_MAX: usize = 1 << 16;

#[derive(Default)]
pub(crate) struct Vocabulary {
    words: Vec<Box<str>>,
    ids: HashMap<u64, u32>,
    /// Deletion variant's hash → word, sorted by hash.
    sorted: Vec<(u64, u32)>,
    /// Where each run of hashes sharing their top `bits` bits begins in `sorted`: a lookup
    /// jumps there (one or two cache misses) instead of searching a table of millions.
    starts: Vec<u32>,
    bits: u32,
    /// Entries not merged yet, and how many.
    recent: HashMap<u64, Vec<u32>>,
    recent_len: usize,
}

/// The hashes of the strings `word` gives with up to `depth` letters deleted, the word itself
/// included (duplicates possible).
fn deletions(word: &[u8], depth: usize, out: &mut Vec<u64>) {
    out.push(xxh3_64(word));
    if depth == 0 || word.len() <= 1 {
        return;
    }
    let mut buffer = [0u8; 64];
    if word.len() > buffer.len() {
        return;
    }
    for i in 0..word.len() {
        // A doubled letter gives the same string twice: once is enough.
        if i > 0 && word[i] == word[i - 1] {
            continue;
        }
        let shorter = &mut buffer[..word.len() - 1];
        shorter[..i].copy_from_slice(&word[..i]);
        shorter[i..].copy_from_slice(&word[i + 1..]);
        deletions(shorter, depth - 1, out);
    }
}

fn depth_of(word: &str) -> usize {
    if word.len() >= DEEP_MIN { 2 } else { 1 }
}

impl Vocabulary {
    pub(crate) fn insert(&mut self, word: &str) {
        if word.len() < 2 || !word.is_ascii() {
            return;
        }
        let hash = xxh3_64(word.as_bytes());
        if let Some(&id) = self.ids.get(&hash)
            && *self.words[id as usize] == *word
        {
            return;
        }
        let Ok(id) = u32::try_from(self.words.len()) else {
            return;
        };
        self.words.push(word.into());
        self.ids.insert(hash, id);
        // Two-letter forms are known (a name split in two finds them) but not filed by their
        // deletions: one letter says nothing.
        if word.len() < FUZZY_MIN - 1 {
            return;
        }
        let mut variants = Vec::new();
        deletions(word.as_bytes(), depth_of(word), &mut variants);
        variants.sort_unstable();
        variants.dedup();
        self.recent_len += variants.len();
        for variant in variants {
            self.recent.entry(variant).or_default().push(id);
        }
        if self.recent_len >= RECENT_MAX {
            self.merge();
        }
    }

    /// Moves the recent entries into the sorted table.
    pub(crate) fn merge(&mut self) {
        if self.recent.is_empty() {
            return;
        }
        let mut recent: Vec<(u64, u32)> = std::mem::take(&mut self.recent)
            .into_iter()
            .flat_map(|(hash, ids)| ids.into_iter().map(move |id| (hash, id)))
            .collect();
        self.recent_len = 0;
        recent.sort_unstable();
        let old = std::mem::take(&mut self.sorted);
        let mut merged = Vec::with_capacity(old.len() + recent.len());
        let (mut a, mut b) = (old.into_iter().peekable(), recent.into_iter().peekable());
        loop {
            let next = match (a.peek(), b.peek()) {
                (Some(x), Some(y)) if x <= y => a.next(),
                (Some(_), Some(_)) => b.next(),
                (Some(_), None) => a.next(),
                (None, Some(_)) => b.next(),
                (None, None) => break,
            };
            merged.extend(next);
        }
        merged.shrink_to_fit();
        self.sorted = merged;
        // About four entries per run.
        self.bits = (usize::BITS - (self.sorted.len() / 4).max(1).leading_zeros()).clamp(8, 26);
        let runs = 1usize << self.bits;
        let mut starts = vec![0u32; runs + 1];
        let mut at = 0usize;
        for (run, start) in starts.iter_mut().enumerate() {
            while at < self.sorted.len() && ((self.sorted[at].0 >> (64 - self.bits)) as usize) < run
            {
                at += 1;
            }
            *start = u32::try_from(at).unwrap_or(u32::MAX);
        }
        self.starts = starts;
    }

    /// The words filed under one deletion variant's hash, in the sorted table.
    fn filed(&self, hash: u64) -> impl Iterator<Item = u32> + '_ {
        let run = if self.starts.is_empty() {
            0..0
        } else {
            let b = (hash >> (64 - self.bits)) as usize;
            self.starts[b] as usize..self.starts[b + 1] as usize
        };
        self.sorted[run]
            .iter()
            .filter(move |(h, _)| *h == hash)
            .map(|(_, id)| *id)
    }

    /// The known forms within one edit of `word` (two for long forms), `word` itself left out,
    /// each with its distance.
    pub(crate) fn neighbours<'a>(&'a self, word: &str, out: &mut Vec<(&'a str, usize)>) {
        if word.len() < FUZZY_MIN || !word.is_ascii() {
            return;
        }
        let depth = depth_of(word);
        let mut variants = Vec::new();
        deletions(word.as_bytes(), depth, &mut variants);
        variants.sort_unstable();
        variants.dedup();
        let mut ids: Vec<u32> = Vec::new();
        for variant in variants {
            ids.extend(self.filed(variant));
            ids.extend(self.recent.get(&variant).into_iter().flatten());
        }
        ids.sort_unstable();
        ids.dedup();
        let before = out.len();
        for id in ids {
            let known = &*self.words[id as usize];
            if known == word {
                continue;
            }
            let allowed = if known.len().min(word.len()) >= DEEP_MIN {
                2
            } else {
                1
            };
            let distance = palermo_names::edit_distance(word, known, allowed);
            if distance <= allowed {
                out.push((known, distance));
            }
        }
        // A short form can have dozens of neighbours: the nearest are kept.
        if out.len() - before > NEIGHBOURS_MAX {
            out[before..].sort_by_key(|(_, distance)| *distance);
            out.truncate(before + NEIGHBOURS_MAX);
        }
    }

    /// Whether some person's name holds this form.
    pub(crate) fn contains(&self, word: &str) -> bool {
        self.ids
            .get(&xxh3_64(word.as_bytes()))
            .is_some_and(|&id| *self.words[id as usize] == *word)
    }

    /// The known forms a name written without its spaces splits into (katoharuka: kato,
    /// haruka; abdulrahman: abdul, rahman), in two or three pieces of two letters or more.
    pub(crate) fn splits<'a>(&self, word: &'a str, out: &mut Vec<&'a str>) {
        if word.len() < 4 || !word.is_ascii() {
            return;
        }
        for i in 2..=word.len() - 2 {
            let (head, tail) = word.split_at(i);
            if !self.contains(head) {
                continue;
            }
            if self.contains(tail) {
                out.extend([head, tail]);
                continue;
            }
            for j in 2..tail.len().saturating_sub(1) {
                let (middle, last) = tail.split_at(j);
                if self.contains(middle) && self.contains(last) {
                    out.extend([head, middle, last]);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn found(vocabulary: &Vocabulary, word: &str) -> Vec<String> {
        let mut out = Vec::new();
        vocabulary.neighbours(word, &mut out);
        let mut words: Vec<String> = out.into_iter().map(|(w, _)| w.to_owned()).collect();
        words.sort();
        words
    }

    #[test]
    fn finds_forms_one_slip_away_and_two_in_long_ones() {
        let mut vocabulary = Vocabulary::default();
        for word in ["marianne", "vidal", "alexandrov", "smith", "smyth", "wang"] {
            vocabulary.insert(word);
        }
        // Substitution, insertion, deletion, transposition.
        assert_eq!(found(&vocabulary, "mqrianne"), ["marianne"]);
        assert_eq!(found(&vocabulary, "cidal"), ["vidal"]);
        assert_eq!(found(&vocabulary, "viddal"), ["vidal"]);
        assert_eq!(found(&vocabulary, "vdal"), ["vidal"]);
        assert_eq!(found(&vocabulary, "vidla"), ["vidal"]);
        assert_eq!(found(&vocabulary, "smith"), ["smyth"]);
        // Two slips in a long form; never two in a short one.
        assert_eq!(found(&vocabulary, "aleksandrov"), ["alexandrov"]);
        assert_eq!(found(&vocabulary, "vdial"), ["vidal"]);
        assert!(found(&vocabulary, "cidol").is_empty());
        // After a merge, the same.
        vocabulary.merge();
        assert_eq!(found(&vocabulary, "mqrianne"), ["marianne"]);
        vocabulary.insert("marienne");
        // Two slips from a form of eight letters.
        assert_eq!(found(&vocabulary, "mqrianne"), ["marianne", "marienne"]);
        assert_eq!(found(&vocabulary, "marianne"), ["marienne"]);
        assert_eq!(vocabulary.words.len(), 7);
    }

    #[test]
    fn splits_names_written_without_spaces_into_known_forms() {
        let mut vocabulary = Vocabulary::default();
        for word in ["kato", "haruka", "wang", "xiao", "ming", "li", "wei"] {
            vocabulary.insert(word);
        }
        let split = |word: &str| {
            let mut out = Vec::new();
            vocabulary.splits(word, &mut out);
            out.into_iter().map(str::to_owned).collect::<Vec<_>>()
        };
        assert_eq!(split("katoharuka"), ["kato", "haruka"]);
        assert_eq!(split("wangxiaoming"), ["wang", "xiao", "ming"]);
        assert_eq!(split("liwei"), ["li", "wei"]);
        assert!(split("katoharu").is_empty());
        assert!(vocabulary.contains("li") && !vocabulary.contains("l"));
    }
}
