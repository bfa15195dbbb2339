//! Who may see each active record, held in memory by row beside the lookup tables, so that a
//! check decides visibility before any I/O: a record hidden from the caller costs what an
//! absent one costs, and records the caller may not see never take a place that a visible
//! one needs.
//!
//! Records share few distinct (owner, restriction, handling code) combinations, so each row
//! holds the 32-bit number of its combination, interned once.

use std::collections::HashMap;

use palermo_core::{CountryCode, Viewpoint};

pub(crate) use palermo_core::RecordAccess as Access;

/// Each record's [`Access`], by row: active records, and withdrawn ones (which only their
/// owner still reads).
#[derive(Default)]
pub(crate) struct RowAccess {
    /// 0 for a row without a record, else the index of its class plus one, with
    /// [`WITHDRAWN`] set for a withdrawn record.
    rows: Vec<u32>,
    classes: Vec<Access>,
    interned: HashMap<Access, u32>,
    /// The class last set (0 for none yet).
    last: u32,
}

/// The bit of a row that marks its record withdrawn.
const WITHDRAWN: u32 = 1 << 31;

/// What memory knows of a record id.
pub(crate) enum Known<'a> {
    Absent,
    Active(&'a Access),
    Withdrawn(&'a Access),
}

impl Known<'_> {
    /// Whether `viewpoint` may read the record: an active one under the visibility rule, a
    /// withdrawn one by its owner only.
    pub(crate) fn readable_by(&self, viewpoint: &Viewpoint) -> bool {
        match self {
            Known::Absent => false,
            Known::Active(access) => viewpoint.may_see_record(access),
            Known::Withdrawn(access) => viewpoint.owns(access.owner),
        }
    }
}

impl RowAccess {
    /// Room for rows up to `rows` without growing.
    pub(crate) fn reserve(&mut self, rows: usize) {
        self.rows.reserve(rows.saturating_sub(self.rows.len()));
    }

    pub(crate) fn set(&mut self, row: u32, access: Access) {
        let class = self.class_of(access);
        self.put(row, class);
    }

    /// Marks the record at `row` withdrawn, as it was.
    pub(crate) fn set_withdrawn(&mut self, row: u32, access: Access) {
        let class = self.class_of(access);
        self.put(row, class | WITHDRAWN);
    }

    fn put(&mut self, row: u32, value: u32) {
        let slot = row as usize;
        if slot >= self.rows.len() {
            self.rows.resize(slot + 1, 0);
        }
        self.rows[slot] = value;
    }

    fn class_of(&mut self, access: Access) -> u32 {
        // Loading, consecutive rows mostly share their class: the last one first, unhashed.
        if self.last != 0 && self.classes[self.last as usize - 1] == access {
            return self.last;
        }
        self.last = match self.interned.get(&access) {
            Some(class) => *class,
            None => {
                self.classes.push(access.clone());
                let class = u32::try_from(self.classes.len()).expect("fewer classes than rows");
                assert!(class < WITHDRAWN, "fewer classes than 2^31");
                self.interned.insert(access, class);
                class
            }
        };
        self.last
    }

    pub(crate) fn clear(&mut self, row: u32) {
        if let Some(slot) = self.rows.get_mut(row as usize) {
            *slot = 0;
        }
    }

    /// The access of the active record at `row`.
    #[inline]
    pub(crate) fn get(&self, row: u32) -> Option<&Access> {
        match self.rows.get(row as usize).copied().unwrap_or(0) {
            0 => None,
            class if class & WITHDRAWN != 0 => None,
            class => self.classes.get(class as usize - 1),
        }
    }

    /// What memory knows of record `id` (any id a caller may send).
    pub(crate) fn known(&self, id: i64) -> Known<'_> {
        let Some(value) = u32::try_from(id)
            .ok()
            .and_then(|row| self.rows.get(row as usize).copied())
            .filter(|value| *value != 0)
        else {
            return Known::Absent;
        };
        match self.classes.get(((value & !WITHDRAWN) - 1) as usize) {
            None => Known::Absent,
            Some(access) if value & WITHDRAWN != 0 => Known::Withdrawn(access),
            Some(access) => Known::Active(access),
        }
    }

    /// The owner of the active record at `row`, if `viewpoint` may see it.
    #[inline]
    pub(crate) fn visible_owner(&self, viewpoint: &Viewpoint, row: u32) -> Option<CountryCode> {
        self.get(row)
            .filter(|access| viewpoint.may_see_record(access))
            .map(|access| access.owner)
    }

    pub(crate) fn memory_bytes(&self) -> usize {
        self.rows.capacity() * size_of::<u32>()
            + self.classes.capacity() * (size_of::<Access>() + 16)
    }
}

/// Index candidates of one query, after visibility, in the order they are confirmed: the
/// caller may see each; per owner at most `per_owner`, exact-looking ones first and older
/// records before newer, so that no organisation's records (however many) crowd out
/// another's.
pub(crate) fn fair_candidates(
    mut candidates: Vec<(u32, bool, CountryCode)>,
    per_owner: usize,
) -> Vec<(u32, bool)> {
    candidates.sort_unstable_by_key(|&(row, exact, owner)| (owner, !exact, row));
    candidates.dedup_by_key(|&mut (row, _, _)| row);
    let mut kept = Vec::with_capacity(candidates.len().min(64));
    let mut run_owner = None;
    let mut taken = 0;
    for (row, exact, owner) in candidates {
        if run_owner != Some(owner) {
            run_owner = Some(owner);
            taken = 0;
        }
        if taken < per_owner {
            kept.push((row, exact));
            taken += 1;
        }
    }
    kept
}

#[cfg(test)]
mod tests {
    use super::*;
    use palermo_core::{HandlingCode, Restriction};

    fn c(code: &str) -> CountryCode {
        CountryCode::parse(code).unwrap()
    }

    #[test]
    fn rows_share_interned_classes_and_forget_cleared_rows() {
        let mut access = RowAccess::default();
        let open = Access {
            owner: c("FRA"),
            restriction: Restriction::All,
            handling: HandlingCode::H0,
        };
        let hidden = Access {
            restriction: Restriction::Only(vec![c("DEU")]),
            ..open.clone()
        };
        access.set(7, open.clone());
        access.set(9, open.clone());
        access.set(3, hidden.clone());
        assert_eq!(access.classes.len(), 2);
        let ita = Viewpoint::member(c("ITA"));
        assert_eq!(access.visible_owner(&ita, 7), Some(c("FRA")));
        assert_eq!(access.visible_owner(&ita, 3), None, "restricted away");
        assert_eq!(
            access.visible_owner(&Viewpoint::member(c("DEU")), 3),
            Some(c("FRA"))
        );
        assert_eq!(access.visible_owner(&ita, 8), None, "no record");
        assert_eq!(access.visible_owner(&ita, 1_000_000), None);
        access.clear(7);
        assert_eq!(access.get(7), None);
        assert_eq!(access.get(9), Some(&open));
    }

    #[test]
    fn no_owner_crowds_out_another() {
        let (fra, xxx) = (c("FRA"), c("NLD"));
        // 1,000 decoys of one owner, exact and not, around one record of another.
        let mut candidates: Vec<(u32, bool, CountryCode)> =
            (0..1000).map(|row| (row + 10, row % 2 == 0, xxx)).collect();
        candidates.insert(500, (5_000, false, fra));
        let kept = fair_candidates(candidates, 32);
        assert_eq!(kept.len(), 33);
        assert!(kept.contains(&(5_000, false)));
        // Exact ones and older ones first within an owner.
        assert_eq!(kept[1], (10, true));
        assert!(kept[1..].iter().all(|(_, exact)| *exact));
    }
}
