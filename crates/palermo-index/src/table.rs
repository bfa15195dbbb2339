//! An open-addressing multimap from a folded key hash to record rows, with the exact key's
//! fingerprint beside each entry so that one probe answers both exact and possible hits.
//!
//! Each slot is 16 bytes: the 64-bit hash of the folded key (0 marks an empty slot), a 32-bit
//! fingerprint of the exact key and the 32-bit row. Probing is linear from the slot named by
//! the hash's top bits, so entries with one key sit in one run and a miss reads one or two
//! cache lines. Deletion shifts the run back instead of leaving tombstones, so lookups stay
//! fast under churn. Hashes never prove a match: the caller confirms candidates against the
//! record, so a collision costs a record read, never a wrong answer.

/// The keys of one identifier: the hash of its folded form and a fingerprint of its exact form.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct KeyHashes {
    pub folded: u64,
    pub exact_fingerprint: u32,
}

#[derive(Clone, Copy, Default)]
#[repr(C)]
struct Slot {
    folded: u64,
    exact_fingerprint: u32,
    row: u32,
}

const EMPTY: u64 = 0;
/// Grow when more than 7 slots in 8 are taken; linear probing slows past that.
const LOAD_NUMERATOR: usize = 7;
const LOAD_DENOMINATOR: usize = 8;
const CAPACITY_MIN: usize = 1024;
/// How far ahead [`FoldTable::lookup_many`] prefetches: about the number of cache misses a core
/// keeps in flight.
pub const PREFETCH_DISTANCE: usize = 12;

/// One candidate row of a lookup; `exact` says the exact fingerprint agreed too.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Candidate {
    pub row: u32,
    pub exact: bool,
}

pub struct FoldTable {
    slots: Vec<Slot>,
    /// `64 - log2(slots.len())`: the home slot is `folded >> shift`.
    shift: u32,
    len: usize,
}

impl Default for FoldTable {
    fn default() -> Self {
        FoldTable::with_capacity(0)
    }
}

impl FoldTable {
    /// A table that holds `entries` without growing.
    pub fn with_capacity(entries: usize) -> FoldTable {
        let wanted = (entries * LOAD_DENOMINATOR)
            .div_ceil(LOAD_NUMERATOR)
            .max(CAPACITY_MIN);
        let slot_count = wanted.next_power_of_two();
        FoldTable {
            slots: allocate_slots(slot_count),
            shift: 64 - slot_count.trailing_zeros(),
            len: 0,
        }
    }

    pub fn len(&self) -> usize {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Bytes held by the table.
    pub fn memory_bytes(&self) -> usize {
        self.slots.len() * size_of::<Slot>()
    }

    #[inline]
    fn mask(&self) -> usize {
        self.slots.len() - 1
    }

    #[inline]
    fn home(&self, folded: u64) -> usize {
        (folded >> self.shift) as usize
    }

    pub fn insert(&mut self, keys: KeyHashes, row: u32) {
        debug_assert_ne!(keys.folded, EMPTY, "key hashes are never zero");
        if (self.len + 1) * LOAD_DENOMINATOR > self.slots.len() * LOAD_NUMERATOR {
            self.grow();
        }
        let mask = self.mask();
        let mut i = self.home(keys.folded);
        while self.slots[i].folded != EMPTY {
            i = (i + 1) & mask;
        }
        self.slots[i] = Slot {
            folded: keys.folded,
            exact_fingerprint: keys.exact_fingerprint,
            row,
        };
        self.len += 1;
    }

    /// Removes the entry of `row` under `keys`; returns whether there was one.
    pub fn remove(&mut self, keys: KeyHashes, row: u32) -> bool {
        let mask = self.mask();
        let mut i = self.home(keys.folded);
        loop {
            let slot = self.slots[i];
            if slot.folded == EMPTY {
                return false;
            }
            if slot.folded == keys.folded && slot.row == row {
                break;
            }
            i = (i + 1) & mask;
        }
        // Backward-shift deletion: pull later entries of the run into the hole when their home
        // lies at or before it, so that no lookup meets an empty slot inside its run.
        let mut hole = i;
        let mut j = (i + 1) & mask;
        while self.slots[j].folded != EMPTY {
            let home = self.home(self.slots[j].folded);
            let distance_to_home = j.wrapping_sub(home) & mask;
            let distance_to_hole = j.wrapping_sub(hole) & mask;
            if distance_to_home >= distance_to_hole {
                self.slots[hole] = self.slots[j];
                hole = j;
            }
            j = (j + 1) & mask;
        }
        self.slots[hole] = Slot::default();
        self.len -= 1;
        true
    }

    /// Calls `found` for every row whose folded key hash equals `keys.folded`.
    #[inline]
    pub fn lookup(&self, keys: KeyHashes, mut found: impl FnMut(Candidate)) {
        let mask = self.mask();
        let mut i = self.home(keys.folded);
        loop {
            let slot = self.slots[i];
            if slot.folded == EMPTY {
                return;
            }
            if slot.folded == keys.folded {
                found(Candidate {
                    row: slot.row,
                    exact: slot.exact_fingerprint == keys.exact_fingerprint,
                });
            }
            i = (i + 1) & mask;
        }
    }

    /// Looks up many keys, calling `found(i, candidate)` for the candidates of `keys[i]`. The
    /// home slot of the key [`PREFETCH_DISTANCE`] places ahead is fetched while the current one
    /// is probed, so that a batch's cache misses overlap instead of queueing.
    pub fn lookup_many(&self, keys: &[KeyHashes], mut found: impl FnMut(usize, Candidate)) {
        for key in keys.iter().take(PREFETCH_DISTANCE) {
            self.prefetch(*key);
        }
        for (i, key) in keys.iter().enumerate() {
            if let Some(ahead) = keys.get(i + PREFETCH_DISTANCE) {
                self.prefetch(*ahead);
            }
            self.lookup(*key, |candidate| found(i, candidate));
        }
    }

    /// Asks the CPU to fetch the home slot of `keys` ahead of a [`FoldTable::lookup`].
    #[inline]
    pub fn prefetch(&self, keys: KeyHashes) {
        let slot = &self.slots[self.home(keys.folded)];
        #[cfg(target_arch = "x86_64")]
        // SAFETY: prefetching is a hint; it reads nothing and cannot fault.
        #[allow(unused_unsafe)]
        unsafe {
            std::arch::x86_64::_mm_prefetch::<{ std::arch::x86_64::_MM_HINT_T0 }>(
                (slot as *const Slot).cast(),
            );
        }
        #[cfg(not(target_arch = "x86_64"))]
        let _ = slot;
    }

    fn grow(&mut self) {
        let old = std::mem::take(&mut self.slots);
        let slot_count = old.len() * 2;
        self.slots = allocate_slots(slot_count);
        self.shift = 64 - slot_count.trailing_zeros();
        self.len = 0;
        for slot in old.into_iter().filter(|slot| slot.folded != EMPTY) {
            self.insert(
                KeyHashes {
                    folded: slot.folded,
                    exact_fingerprint: slot.exact_fingerprint,
                },
                slot.row,
            );
        }
    }
}

/// Empty slots, backed by huge pages where the kernel allows it: at 100 million records the
/// table spans 2 GiB, and with 4 KiB pages nearly every random probe also misses the TLB.
fn allocate_slots(count: usize) -> Vec<Slot> {
    let mut slots = Vec::with_capacity(count);
    advise_huge_pages(slots.as_ptr() as usize, count * size_of::<Slot>());
    slots.resize(count, Slot::default());
    slots
}

#[cfg(target_os = "linux")]
fn advise_huge_pages(start: usize, bytes: usize) {
    const HUGE_PAGE: usize = 2 << 20;
    if bytes < 4 * HUGE_PAGE {
        return;
    }
    let first = (start + HUGE_PAGE - 1) & !(HUGE_PAGE - 1);
    let end = (start + bytes) & !(HUGE_PAGE - 1);
    if end > first {
        // SAFETY: the range lies within an allocation this table owns, not yet touched;
        // MADV_HUGEPAGE only changes how the kernel backs it, and failure is harmless.
        unsafe {
            libc::madvise(first as *mut libc::c_void, end - first, libc::MADV_HUGEPAGE);
        }
    }
}

#[cfg(not(target_os = "linux"))]
fn advise_huge_pages(_start: usize, _bytes: usize) {}

#[cfg(test)]
mod tests {
    use super::*;

    fn keys(folded: u64, exact: u32) -> KeyHashes {
        KeyHashes {
            folded,
            exact_fingerprint: exact,
        }
    }

    fn rows(table: &FoldTable, k: KeyHashes) -> Vec<(u32, bool)> {
        let mut out = Vec::new();
        table.lookup(k, |c| out.push((c.row, c.exact)));
        out.sort();
        out
    }

    #[test]
    fn finds_exact_and_possible_rows_and_forgets_removed_ones() {
        let mut table = FoldTable::default();
        table.insert(keys(42, 1), 10);
        table.insert(keys(42, 2), 11);
        table.insert(keys(43, 1), 12);
        assert_eq!(rows(&table, keys(42, 1)), [(10, true), (11, false)]);
        assert!(table.remove(keys(42, 1), 10));
        assert!(!table.remove(keys(42, 1), 10));
        assert_eq!(rows(&table, keys(42, 1)), [(11, false)]);
        assert_eq!(rows(&table, keys(44, 1)), []);
    }

    #[test]
    fn runs_survive_deletion_in_a_crowded_table() {
        // Every key lands in the same few home slots: long runs that wrap around the end.
        let mut table = FoldTable::with_capacity(0);
        let slot_count = table.slots.len() as u64;
        let shift = table.shift;
        let spread = move |n: u64| ((n % 7 + slot_count - 3) % slot_count) << shift | 1;
        for n in 0..500u64 {
            table.insert(keys(spread(n), n as u32), n as u32);
        }
        for n in (0..500u64).filter(|n| n % 3 == 0) {
            assert!(table.remove(keys(spread(n), n as u32), n as u32));
        }
        for n in 0..500u64 {
            let found = rows(&table, keys(spread(n), n as u32));
            assert_eq!(found.contains(&(n as u32, true)), n % 3 != 0, "row {n}");
        }
    }

    #[test]
    fn many_lookups_find_what_single_ones_do() {
        let mut table = FoldTable::default();
        for n in 1..=2_000u64 {
            table.insert(
                keys(n.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1, n as u32),
                n as u32,
            );
        }
        let asked: Vec<KeyHashes> = (1..=3_000u64)
            .map(|n| keys(n.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1, n as u32))
            .collect();
        let mut many = Vec::new();
        table.lookup_many(&asked, |i, c| many.push((i, c.row, c.exact)));
        let mut single = Vec::new();
        for (i, key) in asked.iter().enumerate() {
            table.lookup(*key, |c| single.push((i, c.row, c.exact)));
        }
        assert_eq!(many, single);
        assert_eq!(many.len(), 2_000);
    }

    #[test]
    fn grows_without_losing_entries() {
        let mut table = FoldTable::with_capacity(0);
        for n in 1..=10_000u64 {
            table.insert(
                keys(n.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1, n as u32),
                n as u32,
            );
        }
        assert_eq!(table.len(), 10_000);
        for n in 1..=10_000u64 {
            let k = keys(n.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1, n as u32);
            assert!(rows(&table, k).contains(&(n as u32, true)));
        }
    }
}
