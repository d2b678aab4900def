//! One-edit lookups: the index of invoice number forms with one digit deleted (SymSpell), so
//! that a number typed with one digit missing, extra, changed or two swapped is found with a
//! few hash probes whatever the number of invoices.

use super::index::fnv1a;

/// Calls `f` with the hash of the form itself and of the form with each one digit deleted
/// (separators stay), without building the variants.
pub(crate) fn for_each_deletion(kind: u8, form: &str, mut f: impl FnMut(u64)) {
    let bytes = form.as_bytes();
    f(fnv1a_skipping(kind, bytes, usize::MAX));
    for (i, b) in bytes.iter().enumerate() {
        if b.is_ascii_digit() {
            f(fnv1a_skipping(kind, bytes, i));
        }
    }
}

fn fnv1a_skipping(kind: u8, bytes: &[u8], skip: usize) -> u64 {
    let mut h = fnv1a(kind, "");
    for (i, b) in bytes.iter().enumerate() {
        if i != skip {
            h ^= u64::from(*b);
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
    }
    h
}

/// True when `a` becomes `b` by at most one insertion, deletion, substitution or swap of two
/// neighbours.
pub(crate) fn within_one_edit(a: &[u8], b: &[u8]) -> bool {
    if a == b {
        return true;
    }
    if a.len() == b.len() {
        let Some(i) = (0..a.len()).find(|&i| a[i] != b[i]) else {
            return true;
        };
        // One substitution, or two neighbours swapped.
        return a[i + 1..] == b[i + 1..]
            || (i + 1 < a.len()
                && a[i] == b[i + 1]
                && a[i + 1] == b[i]
                && a[i + 2..] == b[i + 2..]);
    }
    let (short, long) = if a.len() < b.len() { (a, b) } else { (b, a) };
    if long.len() - short.len() != 1 {
        return false;
    }
    let i = short.iter().zip(long).take_while(|(x, y)| x == y).count();
    short[i..] == long[i + 1..]
}

/// A hasher for keys that already are hashes.
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct BuildIdentity;

impl std::hash::BuildHasher for BuildIdentity {
    type Hasher = IdentityHasher;
    fn build_hasher(&self) -> IdentityHasher {
        IdentityHasher(0)
    }
}

#[derive(Clone, Copy, Debug)]
pub(crate) struct IdentityHasher(u64);

impl std::hash::Hasher for IdentityHasher {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for b in bytes {
            self.0 = (self.0 << 8) ^ u64::from(*b);
        }
    }
    fn write_u64(&mut self, n: u64) {
        self.0 = n;
    }
}

/// A fast hasher (the Firefox/rustc "Fx" hash) for the index's lookups: keys are invoice
/// numbers, names and amounts the organization itself created, so the denial-of-service
/// resistance of the standard hasher buys nothing here and costs a fifth of the lookups.
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct BuildFx;

impl std::hash::BuildHasher for BuildFx {
    type Hasher = FxHasher;
    fn build_hasher(&self) -> FxHasher {
        FxHasher(0)
    }
}

#[derive(Clone, Copy, Debug)]
pub(crate) struct FxHasher(u64);

impl FxHasher {
    fn add(&mut self, word: u64) {
        self.0 = (self.0.rotate_left(5) ^ word).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
    }
}

impl std::hash::Hasher for FxHasher {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for chunk in bytes.chunks(8) {
            let mut word = [0u8; 8];
            word[..chunk.len()].copy_from_slice(chunk);
            self.add(u64::from_le_bytes(word));
        }
    }
    fn write_u8(&mut self, n: u8) {
        self.add(u64::from(n));
    }
    fn write_u32(&mut self, n: u32) {
        self.add(u64::from(n));
    }
    fn write_u64(&mut self, n: u64) {
        self.add(n);
    }
    fn write_usize(&mut self, n: usize) {
        self.add(n as u64);
    }
}

/// A map hashed with [`BuildFx`].
pub(crate) type FxMap<K, V> = std::collections::HashMap<K, V, BuildFx>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_edit_covers_swaps_gaps_and_changes() {
        assert!(within_one_edit(b"202600042", b"202600024"));
        assert!(within_one_edit(b"20260042", b"202600042"));
        assert!(within_one_edit(b"202600042", b"202600043"));
        assert!(!within_one_edit(b"202600042", b"202600424"));
        assert!(!within_one_edit(b"2026", b"202600"));
    }
}
