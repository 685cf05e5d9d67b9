//! A fast hasher for the maps the outputs consult hundreds of thousands of times at national
//! scale (rows by unit and indicator, cells, glyphs): SipHash's resistance to chosen keys buys
//! nothing for a bureau's own data, and its cost showed in profiles. FxHash's
//! rotate-xor-multiply (rustc's own), eight bytes at a time.

use std::hash::{BuildHasherDefault, Hasher};

#[derive(Default, Clone, Copy)]
pub struct FastHasher(u64);

impl FastHasher {
    #[inline]
    fn add(&mut self, n: u64) {
        self.0 = (self.0.rotate_left(5) ^ n).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
    }
}

impl Hasher for FastHasher {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        let mut words = bytes.chunks_exact(8);
        for w in &mut words {
            self.add(u64::from_le_bytes(w.try_into().unwrap_or_default()));
        }
        let rest = words.remainder();
        if !rest.is_empty() {
            let mut last = [0u8; 8];
            last[..rest.len()].copy_from_slice(rest);
            self.add(u64::from_le_bytes(last));
        }
    }
    fn write_u8(&mut self, n: u8) {
        self.add(u64::from(n));
    }
    fn write_u16(&mut self, n: u16) {
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

/// A `HashMap` with [`FastHasher`].
pub type FastMap<K, V> = std::collections::HashMap<K, V, BuildHasherDefault<FastHasher>>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_cells_find_their_values() {
        let mut m: FastMap<(&str, &str), usize> = FastMap::default();
        let names = [
            "郾城区",
            "郾城",
            "城区",
            "a",
            "ab",
            "abcdefgh",
            "abcdefghi",
            "",
        ];
        for (i, a) in names.iter().enumerate() {
            for (j, b) in names.iter().enumerate() {
                m.insert((a, b), i * 100 + j);
            }
        }
        assert_eq!(m.len(), names.len() * names.len());
        for (i, a) in names.iter().enumerate() {
            for (j, b) in names.iter().enumerate() {
                assert_eq!(m[&(*a, *b)], i * 100 + j);
            }
        }
        let cells: FastMap<(u32, u16), u32> =
            (0..1000u32).map(|r| ((r, (r % 7) as u16), r)).collect();
        assert!((0..1000u32).all(|r| cells[&(r, (r % 7) as u16)] == r));
    }
}
